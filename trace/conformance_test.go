package trace

import (
	"bytes"
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

// knownUnsupported lists real models whose ops belong to later work (the
// op-set issue); their cases are reported, not failed.
var knownUnsupported = map[string]string{}

// TestConformance runs every case of $TFLQ_SHARED/conformance that has
// TFLite-Micro goldens and compares every non-constant tensor byte for byte,
// under the default (double) rounding rule and under single rounding
// (against single/t<i>.bin where present, else t<i>.bin).
func TestConformance(t *testing.T) {
	shared := sharedtest.Dir(t)
	runSuite(t, filepath.Join(shared, "conformance"), filepath.Join(shared, "models"), true)
}

// TestOpzoo does the same for the single-op models of $TFLQ_SHARED/opzoo.
// Models with an operator that has no kernel yet are counted and listed.
func TestOpzoo(t *testing.T) {
	shared := sharedtest.Dir(t)
	runSuite(t, filepath.Join(shared, "opzoo", "conformance"), filepath.Join(shared, "opzoo", "models"), false)
}

type suiteTotals struct {
	cases, tensors, mismatched int
	skipped                    []string
}

func runSuite(t *testing.T, confDir, modelDir string, strict bool) {
	entries, err := os.ReadDir(confDir)
	if err != nil {
		t.Fatal(err)
	}
	var tot suiteTotals
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
			cases := goldenCases(t, filepath.Join(confDir, name))
			if len(cases) == 0 {
				tot.skipped = append(tot.skipped, name+" (only tflite/ goldens)")
				t.Skipf("%s has no TFLite-Micro goldens (TFLite-Micro refuses it); its tflite/ goldens belong to the rounding-rules work", name)
			}
			for _, rule := range kernels.Roundings() {
				ip, err := New(m, Options{Runtime: kernels.RuntimeOfRounding(rule)})
				if err != nil {
					if why, ok := knownUnsupported[name]; ok || !strict {
						if !ok {
							why = err.Error()
						}
						tot.skipped = append(tot.skipped, name+": "+why)
						t.Skipf("not yet supported: %v (%s)", err, why)
					}
					t.Fatalf("prepare (%v): %v", rule, err)
				}
				for _, dir := range cases {
					tot.cases++
					n, bad := checkCase(t, ip, dir, rule)
					tot.tensors += n
					tot.mismatched += bad
				}
			}
		})
	}
	sort.Strings(tot.skipped)
	msg := fmt.Sprintf("TOTAL %s: %d case runs (cases × rounding rules), %d tensors compared, %d mismatched, %d models skipped",
		filepath.Base(filepath.Dir(confDir))+"/"+filepath.Base(confDir), tot.cases, tot.tensors, tot.mismatched, len(tot.skipped))
	t.Log(msg)
	for _, s := range tot.skipped {
		t.Log("  skipped: " + s)
	}
	fmt.Println(msg)
}

// goldenCases lists the case folders that hold top-level t<i>.bin goldens.
func goldenCases(t *testing.T, dir string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		d := filepath.Join(dir, e.Name())
		if files, _ := filepath.Glob(filepath.Join(d, "t*.bin")); len(files) > 0 {
			out = append(out, d)
		}
	}
	return out
}

var goldenName = regexp.MustCompile(`^t(\d+)\.bin$`)

// checkCase feeds a case's inputs, invokes, and compares every golden tensor.
func checkCase(t *testing.T, ip *Interpreter, dir string, rule kernels.Rounding) (tensors, mismatched int) {
	t.Helper()
	caseName := filepath.Base(dir)
	if rule == kernels.RoundingSingle {
		if _, err := os.Stat(filepath.Join(dir, "single", "FAILED.txt")); err == nil {
			t.Logf("%s: the TFLITE_SINGLE_ROUNDING build aborted on this case (single/FAILED.txt); single rule not compared", caseName)
			return 0, 0
		}
	}
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
		t.Errorf("%s (%v): invoke: %v", caseName, rule, err)
		return 0, 1
	}
	producer := map[int]int{}
	for i, op := range ip.Graph().Operators {
		for _, o := range op.Outputs {
			producer[int(o)] = i
		}
	}
	files, _ := os.ReadDir(dir)
	for _, f := range files {
		mm := goldenName.FindStringSubmatch(f.Name())
		if mm == nil {
			continue
		}
		idx, _ := strconv.Atoi(mm[1])
		want, err := os.ReadFile(filepath.Join(dir, f.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if rule == kernels.RoundingSingle {
			if alt, err := os.ReadFile(filepath.Join(dir, "single", f.Name())); err == nil {
				want = alt
			}
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
			where = fmt.Sprintf("op %d %s", p, ip.Ops()[p].Name)
		}
		t.Errorf("%s (%s rounding): %s → tensor %d %q %v %v: %s", caseName, rule, where, idx, tt.Name, tt.Type, tt.Shape, describeDiff(tt, want))
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
