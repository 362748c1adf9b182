package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/tflq/tflq-trace/internal/sharedtest"
	"github.com/tflq/tflq-trace/tflite"
	"github.com/tflq/tflq-trace/trace"
)

// runCLI calls run() the way main does and returns exit code, stdout, stderr.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// assertCLIError runs the command line and checks that it exits with want
// and the one-line error contract (assertOneLineError) with every fragment.
func assertCLIError(t *testing.T, want int, args []string, fragments ...string) {
	t.Helper()
	code, _, errs := runCLI(t, args...)
	if code != want {
		t.Fatalf("%v: exit %d, want %d (stderr %q)", args, code, want, errs)
	}
	assertOneLineError(t, errs, fragments...)
}

// runOK runs the command line, fails the test unless it exits 0, and
// returns its standard output.
func runOK(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errs := runCLI(t, args...)
	if code != exitOK {
		t.Fatalf("%v: exit %d: %s", args, code, errs)
	}
	return out
}

// assertOneLineError checks the error contract: one line starting with
// "tflq-trace:" that contains every fragment.
func assertOneLineError(t *testing.T, stderr string, fragments ...string) {
	t.Helper()
	if !strings.HasPrefix(stderr, "tflq-trace: ") || strings.Count(stderr, "\n") != 1 {
		t.Fatalf("stderr is not one 'tflq-trace:' line: %q", stderr)
	}
	for _, f := range fragments {
		if !strings.Contains(stderr, f) {
			t.Errorf("stderr %q does not mention %q", stderr, f)
		}
	}
}

// assertContains checks that out, the output of what, holds every fragment.
func assertContains(t *testing.T, what, out string, fragments ...string) {
	t.Helper()
	for _, f := range fragments {
		if !strings.Contains(out, f) {
			t.Errorf("%s lacks %q:\n%s", what, f, out)
		}
	}
}

func TestUsageAndHelp(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		out  string // substring of stdout
		err  string // substring of stderr
	}{
		{"unknown command", []string{"frobnicate"}, exitUsage, "", "unknown command"},
		{"help", []string{"-h"}, exitOK, "inspect", ""},
		{"inspect -h", []string{"inspect", "-h"}, exitOK, "--tensor", ""},
		{"run -h", []string{"run", "-h"}, exitOK, "--dump", ""},
		{"explain -h", []string{"explain", "-h"}, exitOK, "--element", ""},
		{"bad flag", []string{"inspect", "--nope", "x.tflite"}, exitUsage, "", "flag provided but not defined"},
		{"missing model", []string{"inspect"}, exitUsage, "", "missing MODEL"},
		{"two models", []string{"run", "a.tflite", "b.tflite"}, exitUsage, "", "too many arguments"},
		{"bad rounding", []string{"run", "--rounding", "banker", "a.tflite"}, exitUsage, "", "unknown rounding rule"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runCLI(t, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d (stderr %q)", code, tc.code, errs)
			}
			if !strings.Contains(out, tc.out) {
				t.Errorf("stdout %q lacks %q", out, tc.out)
			}
			if tc.err != "" {
				assertOneLineError(t, errs, tc.err)
			}
		})
	}
}

func TestBadModelFiles(t *testing.T) {
	dir := t.TempDir()
	notModel := filepath.Join(dir, "notes.txt")
	os.WriteFile(notModel, []byte("this is not a flatbuffer at all"), 0o644)
	short := filepath.Join(dir, "short.tflite")
	os.WriteFile(short, []byte{1, 2, 3}, 0o644)
	tests := []struct {
		name, path, cause string
	}{
		{"missing file", filepath.Join(dir, "nope.tflite"), "no such file"},
		{"directory", dir, "is a directory"},
		{"not a model", notModel, "TFL3"},
		{"too short", short, "short"},
	}
	for _, cmd := range []string{"inspect", "run", "explain"} {
		for _, tc := range tests {
			t.Run(cmd+"/"+tc.name, func(t *testing.T) {
				args := []string{cmd, tc.path}
				if cmd == "explain" {
					args = append(args, "--op", "0", "--element", "0")
				}
				assertCLIError(t, exitUsage, args, tc.path, tc.cause)
			})
		}
	}
}

func sharedModel(t *testing.T, name string) string {
	return filepath.Join(sharedtest.Dir(t), "models", name)
}

// TestInspectEverySharedModel: every real model loads and inspects, in text
// and JSON.
func TestInspectEverySharedModel(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(sharedtest.Dir(t), "models", "*.tflite"))
	if len(files) == 0 {
		t.Fatal("no shared models found")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			code, out, errs := runCLI(t, "inspect", f)
			if code != exitOK || !strings.Contains(out, "op 0 ") {
				t.Fatalf("inspect exit %d: %s", code, errs)
			}
			code, out, errs = runCLI(t, "inspect", "--json", f)
			if code != exitOK {
				t.Fatalf("inspect --json exit %d: %s", code, errs)
			}
			var rep inspectReport
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatalf("inspect --json is not JSON: %v", err)
			}
			if len(rep.SubGraphs) == 0 || len(rep.SubGraphs[0].Operators) == 0 {
				t.Fatal("no operators in JSON")
			}
		})
	}
}

// TestInspectAnswersTheSeedQuestion: which tensor holds the FC layer's
// output scale, and which multiplier and shift TFLite uses. The values were
// checked by hand: M = float32(s_in·s_w)/s_out = 0.00392156886·0.01243643
// (a float32 product, as TFLite computes it) / 0.157345951 =
// 3.0995598e-4 = 0.6348 · 2^-11 → multiplier round(0.6348·2^31) =
// 1363200814, shift −11. (A double product would give 1363200765.)
func TestInspectAnswersTheSeedQuestion(t *testing.T) {
	model := sharedModel(t, "mnist_dense10_uint8io.tflite")
	out := runOK(t, "inspect", "--json", "--op", "2", model)
	var op trace.OpInfo
	if err := json.Unmarshal([]byte(out), &op); err != nil {
		t.Fatal(err)
	}
	want := []trace.Operand{{Tensor: 5, Role: "input"}, {Tensor: 3, Role: "weights"}, {Tensor: 2, Role: "bias"}}
	if op.Op != "FULLY_CONNECTED" || op.Outputs[0] != (trace.Operand{Tensor: 6, Role: "output"}) || !slices.Equal(op.Inputs, want) {
		t.Fatalf("op 2 = %s in %v out %v", op.Op, op.Inputs, op.Outputs)
	}
	if v, ok := op.Params.Get("input_offset"); !ok || fmt.Sprint(v) != "128" {
		t.Fatalf("params %v: want input_offset 128", op.Params)
	}
	if len(op.Multipliers) != 1 || op.Multipliers[0].Multiplier != 1363200814 || op.Multipliers[0].Shift != -11 {
		t.Fatalf("multipliers %+v, want 1363200814 shift -11", op.Multipliers)
	}
	if op.Clamp == nil || *op.Clamp != [2]int32{-128, 127} {
		t.Fatalf("clamp %v, want [-128 127]", op.Clamp)
	}
	out = runOK(t, "inspect", "--tensor", "6", model)
	if !strings.Contains(out, "scale=0.157345951 zero_point=47") || !strings.Contains(out, "produced   by op 2 FULLY_CONNECTED") {
		t.Fatalf("inspect --tensor 6:\n%s", out)
	}
}

// TestRunDocumentedOutputs: the source repo documents the exact outputs of
// mnist_dense10_uint8io for its sample inputs.
func TestRunDocumentedOutputs(t *testing.T) {
	dir := filepath.Join(sharedtest.Dir(t), "models")
	for _, k := range []string{"0", "4", "10"} {
		t.Run("input"+k, func(t *testing.T) {
			out := t.TempDir()
			stdout := runOK(t, "run", "--dump", out, "--input", filepath.Join(dir, "mnist_dense10_uint8io.input"+k+".bin"), filepath.Join(dir, "mnist_dense10_uint8io.tflite"))
			want, _ := os.ReadFile(filepath.Join(dir, "mnist_dense10_uint8io.expected"+k+".bin"))
			got, err := os.ReadFile(filepath.Join(out, "t7.bin"))
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("output %v, documented %v", got, want)
			}
			if !strings.Contains(stdout, "prediction: class") {
				t.Errorf("no prediction in:\n%s", stdout)
			}
		})
	}
}

func TestRunInputErrors(t *testing.T) {
	model := sharedModel(t, "mnist_dense10_uint8io.tflite")
	dir := t.TempDir()
	wrongSize := filepath.Join(dir, "wrong.bin")
	os.WriteFile(wrongSize, make([]byte, 100), 0o644)
	unknown := filepath.Join(dir, "input.xyz")
	os.WriteFile(unknown, make([]byte, 784), 0o644)
	tests := []struct {
		name  string
		args  []string
		frags []string
	}{
		{"wrong size", []string{"--input", wrongSize}, []string{"input 0", "UINT8 [1,28,28] (784 bytes)", "got 100 bytes"}},
		{"unknown format", []string{"--input", unknown}, []string{"unknown input format"}},
		{"missing input file", []string{"--input", filepath.Join(dir, "nope.bin")}, []string{"nope.bin", "no such file"}},
		{"too many inputs", []string{"--input", wrongSize, "--input", wrongSize}, []string{"1 input(s), got 2"}},
		{"input and random", []string{"--input", wrongSize, "--random", "1"}, []string{"exclude"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assertCLIError(t, exitUsage, append([]string{"run", model}, tc.args...), tc.frags...)
		})
	}
}

// TestRunImageAndNpyInputs: a PNG digit, a uint8 .npy and a float32 .npy of
// the same pixels give the documented output of mnist_dense10_uint8io, whose
// uint8 input has scale 1/255 and zero point 0 (so q = p).
func TestRunImageAndNpyInputs(t *testing.T) {
	dir := filepath.Join(sharedtest.Dir(t), "models")
	model := filepath.Join(dir, "mnist_dense10_uint8io.tflite")
	pixels, err := os.ReadFile(filepath.Join(dir, "mnist_dense10_uint8io.input3.bin"))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile(filepath.Join(dir, "mnist_dense10_uint8io.expected3.bin"))
	tmp := t.TempDir()

	img := image.NewGray(image.Rect(0, 0, 28, 28))
	copy(img.Pix, pixels)
	pngPath := filepath.Join(tmp, "digit.png")
	var pb bytes.Buffer
	png.Encode(&pb, img)
	os.WriteFile(pngPath, pb.Bytes(), 0o644)

	pgmPath := filepath.Join(tmp, "digit.pgm")
	os.WriteFile(pgmPath, append([]byte("P5\n# a comment\n28 28\n255\n"), pixels...), 0o644)

	u8Path := filepath.Join(tmp, "digit_u8.npy")
	npyFile(t, u8Path, "|u1", false, "(1, 28, 28)", pixels)

	f32 := make([]byte, 4*len(pixels))
	for i, p := range pixels {
		binary.LittleEndian.PutUint32(f32[4*i:], math.Float32bits(float32(p)/255))
	}
	f32Path := filepath.Join(tmp, "digit_f32.npy")
	npyFile(t, f32Path, "<f4", false, "(28, 28)", f32)

	for _, in := range []string{pngPath, pgmPath, u8Path, f32Path} {
		t.Run(filepath.Base(in), func(t *testing.T) {
			out := t.TempDir()
			runOK(t, "run", model, "--input", in, "--dump", out)
			got, _ := os.ReadFile(filepath.Join(out, "t7.bin"))
			if !bytes.Equal(got, want) {
				t.Fatalf("output %v, documented %v", got, want)
			}
		})
	}

	t.Run("wrong image size", func(t *testing.T) {
		small := filepath.Join(tmp, "small.png")
		var sb bytes.Buffer
		png.Encode(&sb, image.NewGray(image.Rect(0, 0, 10, 12)))
		os.WriteFile(small, sb.Bytes(), 0o644)
		assertCLIError(t, exitUsage, []string{"run", model, "--input", small}, "expected a 28×28 image", "got 10×12")
	})
	t.Run("wrong npy shape", func(t *testing.T) {
		bad := filepath.Join(tmp, "bad.npy")
		npyFile(t, bad, "|u1", false, "(1, 784)", pixels)
		assertCLIError(t, exitUsage, []string{"run", model, "--input", bad}, "shape [1,784]", "UINT8 [1,28,28]")
	})
}

// TestExplainDenseElement: the chain of the FC element that becomes class 9
// of mnist_dense10_uint8io's documented sample 0 (expected uint8 196, i.e.
// int8 68 before the final QUANTIZE adds 128).
func TestExplainDenseElement(t *testing.T) {
	dir := filepath.Join(sharedtest.Dir(t), "models")
	code, out, errs := runCLI(t, "explain", filepath.Join(dir, "mnist_dense10_uint8io.tflite"),
		"--input", filepath.Join(dir, "mnist_dense10_uint8io.input0.bin"), "--op", "2", "--at", "0,9")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	assertContains(t, "explanation", out, "784 terms", "input_offset = 128", "M = 1363200814·2^(-11−31)", "RDBPOT(", "+ 47 = 68", "final value: 68", "float reference, accumulated: 3.35433")
	assertCLIError(t, exitUsage, []string{"explain", filepath.Join(dir, "mnist_dense10_uint8io.tflite"), "--op", "2", "--at", "0,10"}, "dimension 1 has size 10")
}

func TestTraceCommand(t *testing.T) {
	dir := filepath.Join(sharedtest.Dir(t), "models")
	model := filepath.Join(dir, "mnist_dense10_uint8io.tflite")
	input := filepath.Join(dir, "mnist_dense10_uint8io.input0.bin")
	out := t.TempDir()
	for _, format := range []string{"json", "csv", "model-explorer"} {
		t.Run(format, func(t *testing.T) {
			path := filepath.Join(out, "trace."+format)
			stdout := runOK(t, "trace", model, "--input", input, "-o", path, "--format", format, "--elements", "all")
			data, err := os.ReadFile(path)
			if err != nil || !strings.Contains(stdout, "wrote "+path) {
				t.Fatalf("%v %q", err, stdout)
			}
			switch format {
			case "json":
				var f struct {
					Ops []struct {
						Elements []struct{ Final int64 } `json:"elements"`
					} `json:"ops"`
				}
				if err := json.Unmarshal(data, &f); err != nil || len(f.Ops) != 4 || f.Ops[2].Elements[9].Final != 68 {
					t.Fatalf("json: %v", err)
				}
			case "csv":
				if !strings.HasPrefix(string(data), "model,input,runtime,op,op_name,output,tensor_idx,tensor_name,mode,reference,num_elements,scale,zero_point,") {
					t.Fatalf("csv header: %.100s", data)
				}
			case "model-explorer":
				if !strings.Contains(string(data), `"StatefulPartitionedCall:01":{"value":`) {
					t.Fatalf("node data: %s", data)
				}
			}
		})
	}
	t.Run("errors leave no file", func(t *testing.T) {
		for _, args := range [][]string{
			{"--ops", "9", "-o", filepath.Join(out, "bad1.json")},
			{"--elements", "some", "-o", filepath.Join(out, "bad2.json")},
			{"-o", filepath.Join(out, "missing-dir", "x.json")},
		} {
			code, _, errs := runCLI(t, append([]string{"trace", model, "--input", input}, args...)...)
			if code == exitOK {
				t.Fatalf("%v: exit 0", args)
			}
			assertOneLineError(t, errs)
		}
		entries, _ := os.ReadDir(out)
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), "bad") || strings.Contains(e.Name(), ".tmp") {
				t.Errorf("left behind %s", e.Name())
			}
		}
	})
	assertCLIError(t, exitUsage, []string{"trace", model}, "-o FILE is required")
}

func TestInspectOps(t *testing.T) {
	out := runOK(t, "inspect", "--ops")
	assertContains(t, "inspect --ops", out, "FULLY_CONNECTED", "CONV_2D", "SOFTMAX", "QUANTIZE")
	out = runOK(t, "inspect", "--ops", "--json")
	var rows []supportedOp
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("inspect --ops --json: %v", err)
	}
	found := false
	for _, r := range rows {
		if r.Op == "FULLY_CONNECTED" {
			found = strings.Contains(strings.Join(r.DTypes, ","), "INT8") && strings.Contains(strings.Join(r.DTypes, ","), "INT16")
			// The other runtimes' own kernels are listed after TFLite-Micro's.
			if want := []string{"TFLite-Micro reference kernel", "full TFLite reference kernel"}; len(r.Kernels) < 2 || r.Kernels[0] != want[0] || !slices.Contains(r.Kernels, want[1]) || !slices.Contains(r.Kernels, "XNNPACK delegate") {
				t.Errorf("FULLY_CONNECTED kernels %v, want TFLite-Micro's first, LiteRT's reference and XNNPACK's", r.Kernels)
			}
		}
	}
	if !found {
		t.Errorf("FULLY_CONNECTED int8/int16 not listed: %v", rows)
	}
	if code, _, errs := runCLI(t, "inspect", "--ops", "model.tflite"); code != exitUsage {
		t.Errorf("--ops with a model: exit %d %s", code, errs)
	}
}

// TestTraceToSpecialFiles: -o on a device or a named pipe writes into it
// instead of renaming a temporary file over it (which would replace
// /dev/null with a regular file); -o on a directory is an error.
func TestTraceToSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	got := make(chan []byte)
	go func() {
		data, _ := os.ReadFile(fifo)
		got <- data
	}()
	runOK(t, "trace", "--sample", "mnist_dense", "--digit", "1", "-o", fifo, "--format", "csv")
	if data := <-got; !strings.HasPrefix(string(data), "model,input,runtime,op,") {
		t.Fatalf("pipe received %q", data)
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("the pipe was replaced: %v %v", fi.Mode(), err)
	}
	assertCLIError(t, exitUsage, []string{"trace", "--sample", "mnist_dense", "-o", dir}, "is a directory")
}

func TestTraceToStdout(t *testing.T) {
	out := runOK(t, "trace", "--sample", "mnist_cnn", "--digit", "4", "-o", "-", "--format", "model-explorer")
	var nd struct {
		Results map[string]struct{ Value float64 } `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &nd); err != nil || len(nd.Results) != 5 {
		t.Fatalf("stdout is not node data for 5 ops: %v\n%s", err, out)
	}
}

// TestInspectRuntimeDifferences: inspect shows, under an operator, what
// another runtime's kernel derives differently — here LiteRT's reference
// FULLY_CONNECTED multiplier, a double product (0.0002292140131), next to
// TFLite-Micro's float32 product (0.0002292140223) — and the JSON carries
// it per runtime.
func TestInspectRuntimeDifferences(t *testing.T) {
	out := runOK(t, "inspect", "--op", "1", "sample:mnist_dense")
	assertContains(t, "inspect --op 1", out,
		"M[output] = 0.0002292140223  multiplier=2016187862  shift=-12",
		"requantization: fixed point: MultiplyByQuantizedMultiplier, double rounding",
		"under --runtime tflm-single (TFLite-Micro reference kernel): requantization fixed point: MultiplyByQuantizedMultiplier, single rounding;",
		"under --runtime tflite-ref (full TFLite reference kernel): requantization double:",
		"M[output] = 0.0002292140131  (used as a real number: no Q0.31 multiplier)",
	)
	out = runOK(t, "inspect", "--op", "1", "--json", "sample:mnist_dense")
	var op trace.OpInfo
	if err := json.Unmarshal([]byte(out), &op); err != nil {
		t.Fatal(err)
	}
	var ref *trace.RuntimeParams
	for i := range op.Runtimes {
		if op.Runtimes[i].Runtime == "tflite-ref" {
			ref = &op.Runtimes[i]
		}
	}
	if ref == nil || len(ref.Multipliers) != 1 || math.Abs(float64(ref.Multipliers[0].Real)-0.0002292140131) > 1e-13 || ref.Multipliers[0].Multiplier != 0 {
		t.Fatalf("tflite-ref entry %+v", ref)
	}
	out = runOK(t, "inspect", "--op", "1", "--runtime", "tflite-ref", "sample:mnist_dense")
	if !strings.Contains(out, "under --runtime tflm (TFLite-Micro reference kernel)") {
		t.Fatalf("inspect --runtime tflite-ref:\n%s", out)
	}
}

// TestInspectRolesAndWarnings: operands are labelled by role, not position,
// the index convention is stated, and a warning many tensors share is
// printed once with the list (person_detect's 14 biases).
func TestInspectRolesAndWarnings(t *testing.T) {
	out := runOK(t, "inspect", "--op", "1", "sample:mnist_dense")
	assertContains(t, "inspect --op 1", out, "\n  input   t3 ", "\n  weights t2 ", "\n  bias    t1 ", "\n  output  t4 ")
	_, out, _ = runCLI(t, "inspect", "sample:mnist_dense")
	if !strings.Contains(out, "tf.lite.Interpreter.get_tensor_details()") {
		t.Errorf("inspect does not say which index convention tN follows:\n%s", out)
	}
	_, out, _ = runCLI(t, "inspect", sharedModel(t, "person_detect_int8.tflite"))
	var warnings []string
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "warning: ") {
			warnings = append(warnings, line)
		}
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "14 tensors (t33 t36 ") || !strings.Contains(warnings[0], "quantized_dimension 3 out of range for rank 1") {
		t.Fatalf("warnings not summarised: %q", warnings)
	}
}

// TestNoSilentDefaults: without --input, a bundled sample runs on its digit
// 7 and a model file on zero-point inputs, and both say so on one stderr
// line (the output is the same as with the input given explicitly).
func TestNoSilentDefaults(t *testing.T) {
	code, out, errs := runCLI(t, "explain", "sample:mnist_dense", "--op", "1", "--at", "0,7")
	_, want, _ := runCLI(t, "explain", "sample:mnist_dense", "--op", "1", "--at", "0,7", "--digit", "7")
	if code != exitOK || out != want {
		t.Fatalf("exit %d; output differs from --digit 7:\n%s", code, out)
	}
	if errs != "note: input: the bundled MNIST test digit 7 (give --digit N or --input FILE for another)\n" {
		t.Fatalf("stderr %q", errs)
	}
	code, _, errs = runCLI(t, "run", sharedModel(t, "hello_world_int8.tflite"))
	if code != exitOK || !strings.HasPrefix(errs, "note: no --input: every graph input holds its zero point") || strings.Count(errs, "\n") != 1 {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	_, _, errs = runCLI(t, "run", sharedModel(t, "hello_world_int8.tflite"), "--random", "1")
	if errs != "" {
		t.Fatalf("a run with --random printed %q", errs)
	}
}

// reluChain writes a 2.6 KB model of twenty RELUs on [1,32768,32768] int8
// tensors: 21 GiB of activations that a careless interpreter would
// allocate one after the other.
func reluChain(t *testing.T) string {
	return writeModel(t, func(b *tflite.ModelBuilder) {
		q := tflite.PerTensor(0.5, 0)
		prev := b.AddTensor("in", tflite.TypeInt8, []int32{1, 32768, 32768}, q)
		in := prev
		for range 20 {
			o := b.AddTensor("relu", tflite.TypeInt8, []int32{1, 32768, 32768}, q)
			b.AddOperator(tflite.OpRelu, tflite.Options{}, []int32{prev}, []int32{o})
			prev = o
		}
		b.SetIO([]int32{in}, []int32{prev})
	})
}

// TestMemoryPlan: a model whose run would exceed the memory limit is
// refused before anything is allocated, with one line naming the total, the
// limit and the largest tensors (exit 1); --max-memory moves the limit;
// inspect shows the plan without refusing.
func TestMemoryPlan(t *testing.T) {
	model := reluChain(t)
	for _, cmd := range [][]string{{"run", model}, {"explain", model, "--op", "0", "--element", "0"}, {"trace", model, "-o", "-"}} {
		code, out, errs := runCLI(t, cmd...)
		if code != exitFailure || out != "" {
			t.Fatalf("%v: exit %d, stdout %q", cmd, code, out)
		}
		assertOneLineError(t, errs, model, "memory limit exceeded", "21.0 GiB", "above the limit of", `t0 "in" [1,32768,32768] 1.0 GiB`, "--max-memory")
	}
	code, out, _ := runCLI(t, "inspect", model)
	if code != exitOK || !strings.Contains(out, "memory: a run allocates 21.0 GiB") || !strings.Contains(out, "note: no derived parameters: memory limit exceeded") {
		t.Fatalf("inspect: exit %d\n%s", code, out)
	}
	// sample:mnist_cnn allocates 22.1 KiB to run, 110 KiB with its shadow.
	if code, _, errs := runCLI(t, "run", "sample:mnist_cnn", "--max-memory", "20KiB"); code != exitFailure || !strings.Contains(errs, "22.1 KiB") {
		t.Fatalf("--max-memory 20KiB: exit %d, %s", code, errs)
	}
	runOK(t, "run", "sample:mnist_cnn", "--max-memory", "30KiB")
	if code, _, errs := runCLI(t, "explain", "sample:mnist_cnn", "--op", "0", "--element", "0", "--max-memory", "30KiB"); code != exitFailure || !strings.Contains(errs, "float shadow 157.7 KiB") { // accumulated and local references
		t.Fatalf("explain (needs the shadow) under 30KiB: exit %d, %s", code, errs)
	}
	assertCLIError(t, exitUsage, []string{"run", "sample:mnist_cnn", "--max-memory", "lots"}, "--max-memory", `"lots" is not a size`)
}

// TestRoundingLabels: a run's header names the TFLite-Micro build's
// rounding, and says the full-TFLite runtimes round per operator (they said
// "double rounding" above single-rounding and float chains); explain's
// runtime line names the rule the element's own output stage used.
func TestRoundingLabels(t *testing.T) {
	for _, tc := range []struct{ runtime, header, explain string }{
		{"tflm", "runtime tflm (double rounding)", "TFLite-Micro reference kernel (double rounding)"},
		{"tflm-single", "runtime tflm-single (single rounding)", "TFLite-Micro reference kernel (single rounding)"},
		{"tflite-ref", "runtime tflite-ref (each operator rounds", "full TFLite reference kernel (requantized in double precision)"},
		{"tflite-xnnpack", "runtime tflite-xnnpack (each operator rounds", "XNNPACK delegate (requantized in float32)"},
	} {
		code, out, errs := runCLI(t, "run", "sample:mnist_dense", "--runtime", tc.runtime)
		if code != exitOK || !strings.Contains(out, tc.header) {
			t.Errorf("run --runtime %s: exit %d, %s\n%s", tc.runtime, code, errs, out)
		}
		code, out, errs = runCLI(t, "explain", "sample:mnist_dense", "--op", "1", "--element", "7", "--runtime", tc.runtime)
		if code != exitOK || !strings.Contains(out, "runtime: "+tc.runtime+", "+tc.explain) {
			t.Errorf("explain --runtime %s: exit %d, %s\n%s", tc.runtime, code, errs, out)
		}
	}
}

// TestCoordinatesAsPrinted: coordinates are accepted as the tool prints
// them ([0,14,8,3]) by explain --at and trace --elements, with the same
// result as the bare form; top-error:K mixed with a list names that as the
// problem. inspect under tflite-xnnpack does not show per-channel float32
// multipliers as "multiplier=0 shift=0". (Found in review.)
func TestCoordinatesAsPrinted(t *testing.T) {
	_, bare, _ := runCLI(t, "explain", "sample:mnist_cnn", "--op", "0", "--at", "0,14,8,3")
	code, bracketed, errs := runCLI(t, "explain", "sample:mnist_cnn", "--op", "0", "--at", "[0,14,8,3]")
	if code != exitOK || bracketed != bare || !strings.Contains(bare, "element 2979 at [0,14,8,3]") {
		t.Errorf("--at [0,14,8,3]: exit %d %s\n%s", code, errs, bracketed)
	}
	code, out, errs := runCLI(t, "trace", "sample:mnist_cnn", "--elements", "0:[0,14,8,3]", "-o", "-")
	if code != exitOK || !strings.Contains(out, `"element":2979`) {
		t.Errorf("--elements 0:[0,14,8,3]: exit %d %s", code, errs)
	}
	assertCLIError(t, exitUsage, []string{"trace", "sample:mnist_cnn", "--elements", "top-error:2;0:0,14,8,3", "-o", "-"}, "--elements", "top-error:K stands alone")
	if shared, ok := sharedtest.Lookup(); ok {
		_, out, _ := runCLI(t, "inspect", filepath.Join(shared, "models", "kws_dscnn_int8.tflite"), "--runtime", "tflite-xnnpack", "--op", "0")
		if strings.Contains(out, "multiplier=0 shift=0") || !strings.Contains(out, "(a real number: no Q0.31 multiplier)") {
			t.Errorf("inspect --runtime tflite-xnnpack --op 0:\n%s", out)
		}
	}
}
