package trace

import (
	"bytes"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/tflq/tflq-trace/internal/sharedtest"
	"github.com/tflq/tflq-trace/kernels"
	"github.com/tflq/tflq-trace/tflite"
)

// expectedRefusals lists the (model, runtime) pairs whose interpreter must
// fail to prepare, as the real runtime refuses the model, and a word the
// error must contain.
var expectedRefusals = map[string]map[kernels.Runtime]string{
	// Legacy uint8 convolutions: TFLite-Micro refuses them, full TFLite runs them.
	"mobilenet_v1_0.25_128_quant_uint8": {
		kernels.RuntimeTFLM:       "full TFLite can",
		kernels.RuntimeTFLMSingle: "full TFLite can",
	},
	// The 2022 TFLite of the tflite-xnnpack runtime (the tfjs-tflite WASM
	// build) cannot be created for these models or fails their first
	// Invoke: they have no xnnpack goldens. The words are what that build
	// logs (kernels/tflite2022.go).
	"add_n_int8_2in":                              {kernels.RuntimeTFLiteXNNPACK: "AddN only supports FLOAT32|INT32"},
	"add_n_int8_3in":                              {kernels.RuntimeTFLiteXNNPACK: "AddN only supports FLOAT32|INT32"},
	"add_n_int8_4in":                              {kernels.RuntimeTFLiteXNNPACK: "AddN only supports FLOAT32|INT32"},
	"broadcast_to_int16_1d_to_3d":                 {kernels.RuntimeTFLiteXNNPACK: "Didn't find op for builtin opcode 'BROADCAST_TO'"},
	"broadcast_to_int8_1d_to_3d":                  {kernels.RuntimeTFLiteXNNPACK: "Didn't find op for builtin opcode 'BROADCAST_TO'"},
	"broadcast_to_int8_4d":                        {kernels.RuntimeTFLiteXNNPACK: "Didn't find op for builtin opcode 'BROADCAST_TO'"},
	"conv_2d_int16_valid_s1_nobias_perchannel":    {kernels.RuntimeTFLiteXNNPACK: "conv.cc:380 has_bias"},
	"conv_2d_int8_same_s2_nobias_perchannel":      {kernels.RuntimeTFLiteXNNPACK: "conv.cc:380 has_bias"},
	"cumsum_int8_axis0_exclusive":                 {kernels.RuntimeTFLiteXNNPACK: "CUMSUM of INT8"},
	"cumsum_int8_axis1_reverse":                   {kernels.RuntimeTFLiteXNNPACK: "CUMSUM of INT8"},
	"cumsum_int8_axis_last":                       {kernels.RuntimeTFLiteXNNPACK: "CUMSUM of INT8"},
	"div_int8_const_bcast_channel_relu":           {kernels.RuntimeTFLiteXNNPACK: "Div only supports FLOAT32, INT32 and quantized UINT8"},
	"div_int8_const_bcast_scalar":                 {kernels.RuntimeTFLiteXNNPACK: "Div only supports FLOAT32, INT32 and quantized UINT8"},
	"div_int8_const_same":                         {kernels.RuntimeTFLiteXNNPACK: "Div only supports FLOAT32, INT32 and quantized UINT8"},
	"dynamic_update_slice_int16_4d":               {kernels.RuntimeTFLiteXNNPACK: "DynamicUpdateSlice only currently supports"},
	"prelu_int16_alpha_channel":                   {kernels.RuntimeTFLiteXNNPACK: "alpha INT8 must have one type"},
	"prelu_int16_alpha_full":                      {kernels.RuntimeTFLiteXNNPACK: "alpha INT8 must have one type"},
	"prelu_int16_alpha_scalar":                    {kernels.RuntimeTFLiteXNNPACK: "alpha INT8 must have one type"},
	"rsqrt_int16_4d_after_abs":                    {kernels.RuntimeTFLiteXNNPACK: "Type INT16 is unsupported by op Rsqrt"},
	"squared_difference_int16_same":               {kernels.RuntimeTFLiteXNNPACK: "SquaredDifference only supports FLOAT32 and INT32"},
	"sum_int16_c":                                 {kernels.RuntimeTFLiteXNNPACK: "reduce.cc:721"},
	"sum_int16_hw_keepdims":                       {kernels.RuntimeTFLiteXNNPACK: "reduce.cc:721"},
	"svdf_int8_rank1":                             {kernels.RuntimeTFLiteXNNPACK: "svdf.cc:394"},
	"svdf_int8_rank1_batch2":                      {kernels.RuntimeTFLiteXNNPACK: "svdf.cc:394"},
	"svdf_int8_rank2":                             {kernels.RuntimeTFLiteXNNPACK: "svdf.cc:394"},
	"unidirectional_sequence_lstm_int8_t3":        {kernels.RuntimeTFLiteXNNPACK: "needs 5 intermediate tensors", kernels.RuntimeTFLiteRef: "intermediate tensors"},
	"unidirectional_sequence_lstm_int8_t5_batch2": {kernels.RuntimeTFLiteXNNPACK: "needs 5 intermediate tensors", kernels.RuntimeTFLiteRef: "intermediate tensors"},
	"zeros_like_int8_basic":                       {kernels.RuntimeTFLiteXNNPACK: "ZerosLike only currently supports"},
}

// unverifiable lists models a runtime runs but the real runtime refused to
// load, so that no golden can check them, with the reason (logged).
var unverifiable = map[string]map[kernels.Runtime]string{
	"person_detect_int8": {kernels.RuntimeTFLiteXNNPACK: "full TFLite refuses to load it (rank-1 biases quantized along dimension 3), so the oracle made no goldens; " +
		"tflq-trace runs it as full TFLite's kernels would, with a note"},
}

// strictRefusals are the runtimes whose goldens say which models the real
// runtime refuses: a model without any golden must be an expected refusal,
// and any other refusal is an error (never a silent skip).
var strictRefusals = map[kernels.Runtime]bool{kernels.RuntimeTFLiteXNNPACK: true}

// invalidGoldens lists goldens known to be wrong, with the reason; the
// suites skip them loudly and check that they are still the known-bad
// bytes (so regenerated goldens make the entry fail).
var invalidGoldens = map[string]map[kernels.Runtime]string{
	"kws_basic_lstm_floatio_int8": {kernels.RuntimeTFLiteXNNPACK: "the xnnpack goldens are all zero bytes: the model has dynamic tensors (FILL with computed dims) " +
		"and the tfjs-tflite wrapper returns stale buffers for tensors TFLite resizes at Invoke"},
}

// knownMismatches lists the (model, runtime) pairs whose mismatches are
// understood and belong to kernels not written yet, with the reason. Their
// differences are logged, not failed; an entry whose model matches fails,
// so that the list shrinks as the kernels arrive.
var knownMismatches = map[string]map[kernels.Runtime]string{}

// conformanceRuntimes chooses the runtimes the suites check (go test
// ./trace -run TestConformance -args -runtimes=tflite-ref or =all).
var conformanceRuntimes = flag.String("runtimes", "tflm,tflm-single,tflite-ref,tflite-xnnpack", "comma-separated runtimes the conformance suites check (all: every runtime)")

// checkedRuntimes parses -runtimes.
func checkedRuntimes(t *testing.T) []kernels.Runtime {
	if *conformanceRuntimes == "all" {
		return kernels.Runtimes()
	}
	var rs []kernels.Runtime
	for _, name := range strings.Split(*conformanceRuntimes, ",") {
		r, err := kernels.ParseRuntime(name)
		if err != nil {
			t.Fatalf("-runtimes: %v", err)
		}
		rs = append(rs, r)
	}
	return rs
}

// TestConformance runs every case of $TFLQ_SHARED/conformance under every
// runtime and compares tensors byte for byte with that runtime's goldens:
// tflm every non-constant tensor against t<i>.bin; tflm-single against
// single/t<i>.bin where present, else t<i>.bin; tflite-ref against
// tflite/t<i>.bin where present, else t<i>.bin (models TFLite-Micro refuses
// have only tflite/); tflite-xnnpack the graph outputs against xnnpack/.
func TestConformance(t *testing.T) {
	shared := sharedtest.Dir(t)
	runSuite(t, filepath.Join(shared, "conformance"), filepath.Join(shared, "models"), true)
}

// TestOpzoo does the same for the single-op models of $TFLQ_SHARED/opzoo.
// A model a runtime refuses is counted and listed.
func TestOpzoo(t *testing.T) {
	shared := sharedtest.Dir(t)
	runSuite(t, filepath.Join(shared, "opzoo", "conformance"), filepath.Join(shared, "opzoo", "models"), false)
}

type suiteTotals struct {
	cases, tensors, mismatched, known int
	skipped                           []string
}

func runSuite(t *testing.T, confDir, modelDir string, strict bool) {
	entries, err := os.ReadDir(confDir)
	if err != nil {
		t.Fatal(err)
	}
	tot := make([]suiteTotals, len(kernels.Runtimes()))
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		name := e.Name()
		t.Run(name, func(t *testing.T) {
			m, err := tflite.ReadFile(filepath.Join(modelDir, name+".tflite"))
			if err != nil {
				t.Fatalf("read model: %v", err)
			}
			cases := caseDirs(t, filepath.Join(confDir, name))
			for _, rt := range checkedRuntimes(t) {
				tt := &tot[rt]
				var golden []map[int]string
				for _, dir := range cases {
					golden = append(golden, goldenFiles(dir, rt))
				}
				if why, ok := invalidGoldens[name][rt]; ok {
					checkStillInvalid(t, golden)
					msg := fmt.Sprintf("EXCLUDED %s under %v: %s", name, rt, why)
					t.Log(msg)
					fmt.Println(msg)
					tt.skipped = append(tt.skipped, name+": excluded, invalid goldens")
					continue
				}
				ip, err := New(m, Options{Runtime: rt})
				if want, ok := expectedRefusals[name][rt]; ok {
					if err == nil || !strings.Contains(err.Error(), want) {
						t.Errorf("%v: want a refusal mentioning %q, got %v", rt, want, err)
					}
					tt.skipped = append(tt.skipped, name+": refused as expected")
					continue
				}
				known, tolerated := knownMismatches[name][rt]
				if err != nil && tolerated {
					t.Logf("%v: known (%s): %v", rt, known, err)
					tt.skipped = append(tt.skipped, fmt.Sprintf("%s: known, cannot prepare yet (%s)", name, known))
					continue
				}
				if err != nil {
					if !strict && !strictRefusals[rt] {
						tt.skipped = append(tt.skipped, name+": "+err.Error())
						continue
					}
					t.Fatalf("prepare (%v): %v", rt, err)
				}
				if why, ok := unverifiable[name][rt]; ok {
					if anyGolden(golden) {
						t.Errorf("%v: listed as unverifiable but has goldens: remove the entry", rt)
					}
					t.Logf("UNVERIFIED under %v: %s", rt, why)
					tt.skipped = append(tt.skipped, name+": unverifiable ("+why+")")
					continue
				}
				if strictRefusals[rt] && !anyGolden(golden) {
					t.Errorf("%v: no goldens, so the real runtime refused the model, but it prepares: list the refusal in expectedRefusals", rt)
				}
				modelBad := 0
				for c, dir := range cases {
					if len(golden[c]) == 0 {
						continue
					}
					tt.cases++
					n, bad := checkCase(t, ip, dir, rt, golden[c], tolerated)
					tt.tensors += n
					tt.mismatched += bad
					modelBad += bad
					if tolerated {
						tt.known += bad
					}
				}
				if tolerated {
					if modelBad == 0 {
						t.Errorf("%v: listed in knownMismatches (%s) but every golden matches: remove the entry", rt, known)
					} else {
						tt.skipped = append(tt.skipped, fmt.Sprintf("%s: %d known mismatches (%s)", name, modelBad, known))
					}
				}
			}
		})
	}
	for _, rt := range checkedRuntimes(t) {
		tt := &tot[rt]
		sort.Strings(tt.skipped)
		msg := fmt.Sprintf("TOTAL %s %s: %d case runs, %d tensors compared, %d mismatched (%d of them known, knownMismatches), %d models skipped",
			filepath.Base(filepath.Dir(confDir))+"/"+filepath.Base(confDir), rt, tt.cases, tt.tensors, tt.mismatched, tt.known, len(tt.skipped))
		t.Log(msg)
		for _, s := range tt.skipped {
			t.Log("  skipped: " + s)
		}
		fmt.Println(msg)
	}
}

// caseDirs lists a model's case folders.
func caseDirs(t *testing.T, dir string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out
}

// goldenCases lists the case folders that hold top-level t<i>.bin goldens.
func goldenCases(t *testing.T, dir string) []string {
	var out []string
	for _, d := range caseDirs(t, dir) {
		if files, _ := filepath.Glob(filepath.Join(d, "t*.bin")); len(files) > 0 {
			out = append(out, d)
		}
	}
	return out
}

var goldenName = regexp.MustCompile(`^t(\d+)\.bin$`)

// goldenFiles maps tensor index to the golden file of runtime rt in a case
// folder (nil when the case has none for it: e.g. single/FAILED.txt, or no
// xnnpack/ because TFLite refused the model).
func goldenFiles(dir string, rt kernels.Runtime) map[int]string {
	files := map[int]string{}
	add := func(sub string) {
		entries, _ := os.ReadDir(filepath.Join(dir, sub))
		for _, e := range entries {
			if mm := goldenName.FindStringSubmatch(e.Name()); mm != nil {
				idx, _ := strconv.Atoi(mm[1])
				files[idx] = filepath.Join(dir, sub, e.Name())
			}
		}
	}
	switch rt {
	case kernels.RuntimeTFLM:
		add(".")
	case kernels.RuntimeTFLMSingle:
		if _, err := os.Stat(filepath.Join(dir, "single", "FAILED.txt")); err == nil {
			return nil // the TFLITE_SINGLE_ROUNDING build aborted on this case
		}
		add(".")
		if len(files) > 0 {
			add("single")
		}
	case kernels.RuntimeTFLiteRef:
		add(".")
		add("tflite")
	case kernels.RuntimeTFLiteXNNPACK:
		add("xnnpack")
	}
	return files
}

// anyGolden reports whether some case has a golden.
func anyGolden(golden []map[int]string) bool {
	for _, g := range golden {
		if len(g) > 0 {
			return true
		}
	}
	return false
}

// checkStillInvalid checks that goldens listed in invalidGoldens are still
// the known-bad all-zero bytes.
func checkStillInvalid(t *testing.T, golden []map[int]string) {
	t.Helper()
	for _, g := range golden {
		for _, f := range g {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if len(bytes.Trim(data, "\x00")) != 0 {
				t.Errorf("%s is no longer all zero bytes: remove its invalidGoldens entry", f)
			}
		}
	}
}

// checkCase feeds a case's inputs, invokes, and compares every golden
// tensor. With tolerated set (knownMismatches) differences are logged
// rather than failed.
func checkCase(t *testing.T, ip *Interpreter, dir string, rt kernels.Runtime, golden map[int]string, tolerated bool) (tensors, mismatched int) {
	t.Helper()
	caseName := filepath.Base(dir)
	ip.ResetVariables()
	for k := range ip.Graph().Inputs {
		data, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("input%d.bin", k)))
		if err != nil {
			t.Fatalf("%s: %v", caseName, err)
		}
		if err := ip.SetInput(k, data); err != nil {
			t.Fatalf("%s: %v", caseName, err)
		}
	}
	if err := ip.Invoke(); err != nil {
		t.Errorf("%s (%v): invoke: %v", caseName, rt, err)
		return 0, 1
	}
	producer := map[int]int{}
	for i, op := range ip.Graph().Operators {
		for _, o := range op.Outputs {
			producer[int(o)] = i
		}
	}
	indices := make([]int, 0, len(golden))
	for idx := range golden {
		indices = append(indices, idx)
	}
	sort.Ints(indices)
	for _, idx := range indices {
		want, err := os.ReadFile(golden[idx])
		if err != nil {
			t.Fatal(err)
		}
		tensors++
		tt := ip.Tensor(idx)
		if tt == nil {
			t.Errorf("%s: golden for tensor %d which the model does not have", caseName, idx)
			mismatched++
			continue
		}
		if bytes.Equal(tt.Data, want) {
			continue
		}
		mismatched++
		where := "graph input"
		if p, ok := producer[idx]; ok {
			where = fmt.Sprintf("op %d %s (%s)", p, ip.Ops()[p].Name, ip.Ops()[p].Impl)
		}
		report := t.Errorf
		if tolerated {
			report = t.Logf
		}
		report("%s (%s): %s → tensor %d %q %v %v: %s", caseName, rt, where, idx, tt.Name, tt.Type, tt.Shape, describeDiff(tt, want))
	}
	return tensors, mismatched
}

// describeDiff names the first differing element (with coordinates), both
// values, and how many elements differ.
func describeDiff(tt *kernels.Tensor, want []byte) string {
	if len(want) != len(tt.Data) {
		return fmt.Sprintf("size %d bytes, golden %d bytes", len(tt.Data), len(want))
	}
	golden := &kernels.Tensor{Type: tt.Type, Shape: tt.Shape, Data: kernels.AlignedBytes(len(want))}
	copy(golden.Data, want)
	size := tt.Type.Size()
	first, count := -1, 0
	for i := 0; i < len(want)/size; i++ {
		if !bytes.Equal(tt.Data[i*size:(i+1)*size], want[i*size:(i+1)*size]) {
			if first < 0 {
				first = i
			}
			count++
		}
	}
	return fmt.Sprintf("first difference at %v: ours %s, golden %s; %d of %d elements differ",
		kernels.Unravel(first, tt.Shape), elemString(tt, first), elemString(golden, first), count, len(want)/size)
}

func elemString(t *kernels.Tensor, i int) string {
	switch t.Type {
	case tflite.TypeFloat32:
		v := t.Float32()[i]
		return fmt.Sprintf("%g (bits %08x)", v, math.Float32bits(v))
	case tflite.TypeInt8, tflite.TypeUint8, tflite.TypeInt16, tflite.TypeInt32, tflite.TypeInt64, tflite.TypeBool:
		return strconv.FormatInt(t.Int(i), 10)
	}
	return strings.TrimSpace(fmt.Sprintf("% x", t.Data[i*t.Type.Size():(i+1)*t.Type.Size()]))
}
