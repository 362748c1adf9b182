package main

// Tests of the researcher-facing exports: explicit element lists, constants,
// .npy dumps and inputs, float inputs, layer metrics and Model Explorer data.

import (
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tflq/tflq-trace/tflite"
	"github.com/tflq/tflq-trace/trace"
)

// readTrace decodes a trace JSON file.
func readTrace(t *testing.T, path string) *trace.File {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var f trace.File
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return &f
}

// assertNoFiles fails when dir holds any file (an error must leave none).
func assertNoFiles(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		t.Errorf("left behind %s", e.Name())
	}
}

// TestTraceElementList: --elements takes explicit OP:I, OP:d0,d1,... and
// OP:OUT:I entries, so two runs can be compared on the same elements; each
// op gets exactly the listed elements (in order, once each).
func TestTraceElementList(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "t.json")
	// (0,14,8,3) of the [1,26,26,8] CONV_2D output is (14·26+8)·8+3 = 2979.
	code, _, errs := runCLI(t, "trace", "sample:mnist_cnn", "--digit", "7", "-o", path,
		"--elements", "0:1848;3:7 0:0:0,14,8,3;0:1848")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	f := readTrace(t, path)
	got := map[int][]int{}
	for _, op := range f.Ops {
		for _, e := range op.Elements {
			got[op.Index] = append(got[op.Index], e.Element)
		}
	}
	if !slices.Equal(got[0], []int{1848, 2979}) || !slices.Equal(got[3], []int{7}) || len(got) != 2 {
		t.Fatalf("elements per op: %v", got)
	}
	if c := f.Ops[0].Elements[1].Coords; !slices.Equal(c, []int{0, 14, 8, 3}) {
		t.Fatalf("element 2979 has coords %v", c)
	}

	bad := t.TempDir()
	for _, tc := range []struct {
		list, frag string
	}{
		{"9:0", "op 9 does not exist"},
		{"0:1,2", "give 4 coordinates"},
		{"0:0,26,0,0", "dimension 1 has size 26"},
		{"0:5408", "has 5408 elements"},
		{"0:1:0", "op 0 has no output 1"},
		{"0:x", `"x" is not a non-negative integer`},
		{"0:1:2:3", "want OP:I"},
	} {
		assertCLIError(t, exitUsage, []string{"trace", "sample:mnist_cnn", "-o", filepath.Join(bad, "x.json"), "--elements", tc.list}, "--elements", tc.frag)
	}
	assertCLIError(t, exitUsage, []string{"trace", "sample:mnist_cnn", "-o", filepath.Join(bad, "x.json"), "--ops", "1-2", "--elements", "0:3"}, "--elements", "not among --ops")
	assertNoFiles(t, bad)
}

// TestTraceMetricsSayWhatTheyAre: the CSV rows and the JSON say the
// model, the input, the runtime and the metric mode (accumulated and local
// rows for every operator output), with units in the column names.
func TestTraceMetricsSayWhatTheyAre(t *testing.T) {
	dir := t.TempDir()
	csvPath, jsonPath := filepath.Join(dir, "m.csv"), filepath.Join(dir, "t.json")
	for _, args := range [][]string{{"-o", csvPath, "--format", "csv"}, {"-o", jsonPath, "--elements", "none"}} {
		runOK(t, append([]string{"trace", "sample:mnist_dense", "--digit", "3", "--runtime", "tflm-single"}, args...)...)
	}
	data, _ := os.ReadFile(csvPath)
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header := rows[0]
	for _, col := range []string{"model", "input", "runtime", "mode", "max_abs_error_real", "max_abs_error_lsb", "rmse_over_scale"} {
		if !slices.Contains(header, col) {
			t.Errorf("CSV header lacks %q: %v", col, header)
		}
	}
	if slices.Contains(header, "rmse/scale") {
		t.Errorf("CSV header still has rmse/scale")
	}
	modes := map[string]int{}
	for _, r := range rows[1:] {
		if r[0] != "sample:mnist_dense" || r[1] != "digit:3" || r[2] != "tflm-single" {
			t.Fatalf("row %v", r)
		}
		modes[r[slices.Index(header, "mode")]]++
	}
	if modes["accumulated"] != 3 || modes["local"] != 3 {
		t.Fatalf("modes %v, want 3 ops × accumulated and local", modes)
	}
	f := readTrace(t, jsonPath)
	if f.Model.Input != "digit:3" || f.Model.Runtime != "tflm-single" || len(f.Ops[1].Metrics) != 2 ||
		f.Ops[1].Metrics[0].Mode != "accumulated" || f.Ops[1].Metrics[1].Mode != "local" {
		t.Fatalf("model %+v, op 1 metrics %+v", f.Model, f.Ops[1].Metrics)
	}
}

// npyFile writes a .npy with any descr, order and shape (format 1.0).
func npyFile(t *testing.T, path, descr string, fortran bool, shape string, body []byte) string {
	t.Helper()
	order := "False"
	if fortran {
		order = "True"
	}
	header := "{'descr': '" + descr + "', 'fortran_order': " + order + ", 'shape': " + shape + ", }"
	for (10+len(header)+1)%64 != 0 {
		header += " "
	}
	header += "\n"
	var b bytes.Buffer
	b.WriteString("\x93NUMPY\x01\x00")
	binary.Write(&b, binary.LittleEndian, uint16(len(header)))
	b.WriteString(header)
	b.Write(body)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func float32Bytes(order binary.ByteOrder, v ...float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		order.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

func float64Bytes(order binary.ByteOrder, v ...float64) []byte {
	b := make([]byte, 8*len(v))
	for i, x := range v {
		order.PutUint64(b[8*i:], math.Float64bits(x))
	}
	return b
}

// TestFloatInputKept: a float .npy feeding fcModel's int8 input (scale
// 0.5, zp −1) is quantized — [1.2, 0.9, −0.3] → q [1, 1, −2], dequantized
// [1, 1, −0.5] — with a note on stderr; the float reference starts from the
// user's floats, so the input tensor's reference is [1.2, 0.9, −0.3] and
// the FC's unit 0 is 1.2·0.25 + 0.9·0.5 − 0.3·0.75 + 1 = 1.525
// (accumulated), while its local reference starts from the dequantized
// input: 1·0.25 + 1·0.5 − 0.5·0.75 + 1 = 1.375. The integer output is 4
// (acc_bias 11 · 0.125 = 1.375, double rounding: SRDHM 5.5 → 6, RDBPOT
// 6/4 → 2, + zp 2) → (4−2)·1 = 2: accumulated error 0.475, local 0.625.
func TestFloatInputKept(t *testing.T) {
	model := fcModel(t)
	dir := t.TempDir()
	in := npyFile(t, filepath.Join(dir, "x.npy"), "<f4", false, "(3,)", float32Bytes(binary.LittleEndian, 1.2, 0.9, -0.3))
	out := filepath.Join(dir, "t.json")
	code, _, errs := runCLI(t, "trace", model, "--input", in, "-o", out, "--elements", "0:0")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.HasPrefix(errs, "note: input 0") || strings.Count(errs, "\n") != 1 ||
		!strings.Contains(errs, "quantized to INT8 with scale 0.5 and zero point -1") {
		t.Errorf("stderr %q: want one note line", errs)
	}
	f := readTrace(t, out)
	ref := func(tensor int) []float32 {
		var v []float32
		for _, x := range f.Tensors[tensor].Values.FloatReference {
			v = append(v, float32(*x))
		}
		return v
	}
	if got := ref(0); !slices.Equal(got, []float32{1.2, 0.9, -0.3}) {
		t.Fatalf("input float reference %v, want the user's floats", got)
	}
	if q := f.Tensors[0].Values.Quantized; !slices.Equal(q, []int64{1, 1, -2}) {
		t.Fatalf("input quantized to %v, want [1 1 -2]", q)
	}
	e := f.Ops[0].Elements[0]
	if e.Final != 4 || e.FloatReference == nil || math.Abs(*e.FloatReference-1.525) > 1e-6 {
		t.Fatalf("FC element 0: final %d, float reference %v (want 1.525)", e.Final, e.FloatReference)
	}
	acc, local := f.Ops[0].Metrics[0], f.Ops[0].Metrics[1]
	// Unit 1 is 0 both ways (ReLU of −0.625; locally exactly 0; stored 2 = zp).
	if math.Abs(acc.MaxAbsError-0.475) > 1e-6 || local.Mode != "local" || math.Abs(local.MaxAbsError-0.625) > 1e-6 {
		t.Fatalf("FC unit errors: accumulated %g (want 0.475), local %g (want 0.625)", acc.MaxAbsError, local.MaxAbsError)
	}
}

// TestNpyInputForms: float64 (with a note), big-endian, Fortran-ordered
// and size-1-squeezed .npy arrays feed the inputs they match.
func TestNpyInputForms(t *testing.T) {
	model := fcModel(t)
	dir := t.TempDir()
	// fcModel's input is INT8 [1,3]; q [3, 1, −1] gives the output [4 2].
	want := []byte{4, 2}
	floats := []float64{2, 1, 0} // (q+1)·0.5
	for _, tc := range []struct {
		name, descr string
		fortran     bool
		shape       string
		body        []byte
		note        string
	}{
		{"int8 shape (3,1)", "|i1", false, "(3, 1)", []byte{3, 1, 0xff}, ""},
		{"int8 shape (1,1,3)", "|i1", false, "(1, 1, 3)", []byte{3, 1, 0xff}, ""},
		{"float64 little-endian", "<f8", false, "(1, 3)", float64Bytes(binary.LittleEndian, floats...), "float64 .npy converted to float32 and quantized"},
		{"float64 big-endian", ">f8", false, "(3,)", float64Bytes(binary.BigEndian, floats...), "float64 .npy converted"},
		{"float32 big-endian Fortran", ">f4", true, "(3, 1)", float32Bytes(binary.BigEndian, 2, 1, 0), "float32 quantized"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := npyFile(t, filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".npy"), tc.descr, tc.fortran, tc.shape, tc.body)
			dump := t.TempDir()
			code, _, errs := runCLI(t, "run", model, "--input", in, "--dump", dump)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errs)
			}
			if got, _ := os.ReadFile(filepath.Join(dump, "t3.bin")); !bytes.Equal(got, want) {
				t.Fatalf("output %v, want %v", got, want)
			}
			if (tc.note == "") != (errs == "") || !strings.Contains(errs, tc.note) {
				t.Fatalf("stderr %q, want a note with %q", errs, tc.note)
			}
		})
	}
	// Fortran order really reorders: a [2,3] int8 input of a built model.
	t.Run("Fortran order 2-D", func(t *testing.T) {
		m := writeModel(t, func(b *tflite.ModelBuilder) {
			x := b.AddTensor("x", tflite.TypeInt8, []int32{1, 2, 3}, tflite.PerTensor(1, 0))
			y := b.AddTensor("y", tflite.TypeInt8, []int32{1, 2, 3}, tflite.PerTensor(1, 0))
			b.AddOperator(tflite.OpRelu, tflite.Options{}, []int32{x}, []int32{y})
			b.SetIO([]int32{x}, []int32{y})
		})
		// C-order [[1,2,3],[4,5,6]] stored column-major: 1,4,2,5,3,6.
		in := npyFile(t, filepath.Join(dir, "f.npy"), "|i1", true, "(2, 3)", []byte{1, 4, 2, 5, 3, 6})
		dump := t.TempDir()
		runOK(t, "run", m, "--input", in, "--dump", dump)
		if got, _ := os.ReadFile(filepath.Join(dump, "t0.bin")); !bytes.Equal(got, []byte{1, 2, 3, 4, 5, 6}) {
			t.Fatalf("input %v, want 1..6 in C order", got)
		}
	})
	for _, tc := range []struct {
		name, descr, shape string
		bytes              int
		frag               string
	}{
		{"wrong count", "|i1", "(4,)", 4, "got a .npy array of shape [4]"},
		{"wrong shape", "|i1", "(3, 2)", 6, "got a .npy array of shape [3,2]"},
		{"int16 for int8", "<i2", "(3,)", 6, "dtype <i2"},
		{"complex", "<c8", "(3,)", 24, `unsupported .npy dtype "<c8" (want an integer, bool or float dtype)`},
		{"truncated", "<f8", "(3,)", 20, ".npy data is 20 bytes, its header says 24"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := npyFile(t, filepath.Join(dir, "bad.npy"), tc.descr, false, tc.shape, make([]byte, tc.bytes))
			assertCLIError(t, exitUsage, []string{"run", model, "--input", in}, "bad.npy", tc.frag)
		})
	}
}

// splitNpyFile splits a .npy file (format 1.0) into its header dict and data,
// checking the magic, the version and the 64-byte alignment.
func splitNpyFile(t *testing.T, path string) (string, []byte) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) < 10 || string(raw[:8]) != "\x93NUMPY\x01\x00" {
		t.Fatalf("%s: not a .npy 1.0 file: % x", path, raw[:min(10, len(raw))])
	}
	hlen := int(binary.LittleEndian.Uint16(raw[8:10]))
	if (10+hlen)%64 != 0 || raw[10+hlen-1] != '\n' {
		t.Fatalf("%s: header of %d bytes is not padded to 64 with a newline", path, hlen)
	}
	return strings.TrimSpace(string(raw[10 : 10+hlen])), raw[10+hlen:]
}

// TestRunDumpNpy: run --dump DIR --format npy writes t<i>.npy (dtype and
// shape) and manifest.json (index, name, dtype, shape, quantization,
// producer op); --dump-constants adds the weights and the bias; --format
// bin writes the raw bytes with the same manifest.
func TestRunDumpNpy(t *testing.T) {
	model := fcModel(t)
	in := filepath.Join(t.TempDir(), "in.bin")
	os.WriteFile(in, []byte{3, 1, 0xff}, 0o644)
	dir := t.TempDir()
	stdout := runOK(t, "run", model, "--input", in, "--dump", dir, "--format", "npy", "--dump-constants")
	if !strings.Contains(stdout, "dumped 4 tensors") {
		t.Errorf("stdout:\n%s", stdout)
	}
	for _, tc := range []struct {
		file, header string
		data         []byte
	}{
		{"t0.npy", "{'descr': '|i1', 'fortran_order': False, 'shape': (1, 3), }", []byte{3, 1, 0xff}},
		{"t1.npy", "{'descr': '|i1', 'fortran_order': False, 'shape': (2, 3), }", []byte{1, 2, 3, 0xfc, 5, 0xfa}},
		{"t2.npy", "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", []byte{8, 0, 0, 0, 0xf8, 0xff, 0xff, 0xff}},
		{"t3.npy", "{'descr': '|i1', 'fortran_order': False, 'shape': (1, 2), }", []byte{4, 2}},
	} {
		h, data := splitNpyFile(t, filepath.Join(dir, tc.file))
		if h != tc.header || !bytes.Equal(data, tc.data) {
			t.Errorf("%s: header %s data %v, want %s %v", tc.file, h, data, tc.header, tc.data)
		}
	}
	var man dumpManifest
	raw, _ := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err := json.Unmarshal(raw, &man); err != nil {
		t.Fatal(err)
	}
	if man.Model != model || man.Input != in || man.Runtime != "tflm" || man.Format != "npy" || len(man.Tensors) != 4 {
		t.Fatalf("manifest %+v", man)
	}
	out, bias := man.Tensors[3], man.Tensors[2]
	if out.Index != 3 || out.Name != "out" || out.DType != "INT8" || !slices.Equal(out.Shape, []int32{1, 2}) || out.File != "t3.npy" ||
		out.Quantization == nil || out.Quantization.Scale[0] != 1 || out.Quantization.ZeroPoint[0] != 2 ||
		out.Producer == nil || *out.Producer != (tensorProducer{Op: 0, OpName: "FULLY_CONNECTED", Output: 0}) {
		t.Fatalf("manifest entry of t3: %+v producer %+v", out, out.Producer)
	}
	if !bias.Const || bias.Producer != nil || bias.Quantization.Scale[0] != 0.125 || man.Tensors[0].Producer != nil {
		t.Fatalf("manifest entries of t2 / t0: %+v / %+v", bias, man.Tensors[0])
	}

	bin := t.TempDir()
	runOK(t, "run", model, "--input", in, "--dump", bin)
	got, _ := os.ReadFile(filepath.Join(bin, "t3.bin"))
	raw, _ = os.ReadFile(filepath.Join(bin, "manifest.json"))
	man = dumpManifest{}
	if err := json.Unmarshal(raw, &man); err != nil || !bytes.Equal(got, []byte{4, 2}) || len(man.Tensors) != 2 || man.Tensors[1].File != "t3.bin" {
		t.Fatalf("bin dump: %v %v %+v", err, got, man)
	}
	if _, err := os.Stat(filepath.Join(bin, "t1.bin")); err == nil {
		t.Fatal("constants dumped without --dump-constants")
	}

	bad := t.TempDir()
	for _, tc := range []struct {
		args []string
		frag string
	}{
		{[]string{"--format", "npy"}, "--format is the format of --dump"},
		{[]string{"--dump", filepath.Join(bad, "d"), "--format", "hdf5"}, "--format hdf5: want bin or npy"},
		{[]string{"--dump-constants"}, "--dump-constants needs --dump DIR"},
	} {
		assertCLIError(t, exitUsage, append([]string{"run", model, "--input", in}, tc.args...), tc.frag)
	}
	assertNoFiles(t, bad)
}

// TestConstantValues: inspect --tensor N --values prints a constant's
// values (stored and real) in text and JSON, per channel where the weights
// are; trace --constants puts them in the JSON export.
func TestConstantValues(t *testing.T) {
	model := fcModel(t)
	out := runOK(t, "inspect", model, "--tensor", "1", "--values")
	assertContains(t, "inspect --values", out, "values (6, row-major; real = (q − zero_point)·scale)", "[0,0]  q=1  real=0.25", "[1,2]  q=-6  real=-1.5")
	out = runOK(t, "inspect", model, "--tensor", "2", "--values", "--json")
	var bias struct {
		trace.TensorInfo
		Values trace.TensorValues `json:"values"`
	}
	if err := json.Unmarshal([]byte(out), &bias); err != nil {
		t.Fatal(err)
	}
	if bias.Index != 2 || !slices.Equal(bias.Values.Quantized, []int64{8, -8}) || !slices.Equal(bias.Values.Dequantized, []trace.Float{1, -1}) {
		t.Fatalf("bias values %+v", bias)
	}
	// Per-channel CONV_2D weights: element (c,0,0,0) is real q·scale[c].
	out = runOK(t, "inspect", "sample:mnist_cnn", "--tensor", "5", "--values", "--json")
	var w struct {
		trace.TensorInfo
		Values trace.TensorValues `json:"values"`
	}
	if err := json.Unmarshal([]byte(out), &w); err != nil || len(w.Values.Quantized) != 72 {
		t.Fatalf("%v, %d values", err, len(w.Values.Quantized))
	}
	for c := range 8 {
		i := c * 9
		if want := float64(w.Values.Quantized[i]) * float64(w.Quantization.Scale[c]); float64(w.Values.Dequantized[i]) != want {
			t.Fatalf("channel %d: real %v, want %v", c, w.Values.Dequantized[i], want)
		}
	}
	for _, tc := range []struct {
		args []string
		frag string
	}{
		{[]string{"--values"}, "--values needs --tensor N"},
		{[]string{"--tensor", "3", "--values"}, `"out" is not a constant`},
	} {
		assertCLIError(t, exitUsage, append([]string{"inspect", model}, tc.args...), tc.frag)
	}

	dir := t.TempDir()
	in := filepath.Join(dir, "in.bin")
	os.WriteFile(in, []byte{3, 1, 0xff}, 0o644)
	for _, withConstants := range []bool{false, true} {
		path := filepath.Join(dir, "t.json")
		args := []string{"trace", model, "--input", in, "-o", path}
		if withConstants {
			args = append(args, "--constants")
		}
		runOK(t, args...)
		f := readTrace(t, path)
		wv, bv := f.Tensors[1].Values, f.Tensors[2].Values
		if !withConstants {
			if wv != nil || bv != nil {
				t.Fatal("constant values without --constants")
			}
			continue
		}
		if wv == nil || !slices.Equal(wv.Quantized, []int64{1, 2, 3, -4, 5, -6}) || *wv.Dequantized[5] != -1.5 || wv.FloatReference != nil ||
			bv == nil || !slices.Equal(bv.Quantized, []int64{8, -8}) || *bv.Dequantized[1] != -1 {
			t.Fatalf("weights %+v, bias %+v", wv, bv)
		}
	}
	bad := t.TempDir()
	assertCLIError(t, exitUsage, []string{"trace", model, "--constants", "--format", "csv", "-o", filepath.Join(bad, "x.csv")}, "--constants")
	assertNoFiles(t, bad)
}

// TestTraceModelExplorerMetric: --metric local-mean colours by each
// output's local mean |error| in LSB (the CSV's local mean_abs_error_lsb);
// bad --metric/--clip values or using them without model-explorer are one
// usage line and leave no file.
func TestTraceModelExplorerMetric(t *testing.T) {
	dir := t.TempDir()
	me, csvPath := filepath.Join(dir, "me.json"), filepath.Join(dir, "m.csv")
	base := []string{"trace", "sample:mnist_cnn", "--digit", "2"}
	runOK(t, append(base, "-o", me, "--format", "model-explorer", "--metric", "local-mean", "--clip", "90")...)
	runOK(t, append(base, "-o", csvPath, "--format", "csv")...)
	var nd struct {
		Results map[string]struct {
			Value   float64 `json:"value"`
			BgColor string  `json:"bgColor"`
		} `json:"results"`
	}
	data, _ := os.ReadFile(me)
	if err := json.Unmarshal(data, &nd); err != nil || len(nd.Results) != 5 {
		t.Fatalf("%v: %s", err, data)
	}
	raw, _ := os.ReadFile(csvPath)
	rows, _ := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	col := func(name string) int { return slices.Index(rows[0], name) }
	checked := 0
	for _, r := range rows[1:] {
		if r[col("mode")] != "local" {
			continue
		}
		got := nd.Results[r[col("tensor_name")]]
		if want := r[col("mean_abs_error_lsb")]; strconv.FormatFloat(got.Value, 'g', -1, 64) != want || !strings.HasPrefix(got.BgColor, "#") {
			t.Errorf("%s: value %v colour %q, CSV local mean %s", r[col("tensor_name")], got.Value, got.BgColor, want)
		}
		checked++
	}
	if checked != 5 {
		t.Fatalf("%d local rows", checked)
	}
	bad := t.TempDir()
	for _, tc := range []struct {
		args []string
		frag string
	}{
		{[]string{"--format", "model-explorer", "--metric", "median"}, "--metric median"},
		{[]string{"--format", "model-explorer", "--clip", "0"}, "--clip 0"},
		{[]string{"--format", "model-explorer", "--clip", "101"}, "--clip 101"},
		{[]string{"--metric", "local-max"}, "--format model-explorer"},
	} {
		assertCLIError(t, exitUsage, append(append(base, "-o", filepath.Join(bad, "x")), tc.args...), tc.frag)
	}
	assertNoFiles(t, bad)
}

// TestTraceFlagErrorBeforeNotes: a bad --elements entry is reported alone,
// before the input is loaded (whose conversion would print a note).
func TestTraceFlagErrorBeforeNotes(t *testing.T) {
	dir := t.TempDir()
	in := npyFile(t, filepath.Join(dir, "x.npy"), "<f8", false, "(3,)", float64Bytes(binary.LittleEndian, 1, 2, 3))
	assertCLIError(t, exitUsage, []string{"trace", fcModel(t), "--input", in, "-o", filepath.Join(dir, "t.json"), "--elements", "5:0"}, "--elements", "op 5 does not exist")
}

// TestTermsNumberedAlike: a multiply-accumulate element's largest terms
// carry the same numbers in the trace export ("term") as in explain's text
// ("term 212/784"), for the dense sample's element 7: the same terms, in
// the same order, each term N reading input element N−1.
func TestTermsNumberedAlike(t *testing.T) {
	code, out, errs := runCLI(t, "trace", "sample:mnist_dense", "--elements", "1:7", "--terms", "5", "-o", "-")
	if code != exitOK {
		t.Fatalf("trace: exit %d: %s", code, errs)
	}
	var f struct {
		Ops []struct {
			Elements []struct {
				Element int `json:"element"`
				Terms   struct {
					Top []struct {
						Term       int `json:"term"`
						InputIndex int `json:"input_index"`
						Product    int `json:"product"`
					} `json:"top"`
				} `json:"terms"`
			} `json:"elements"`
		} `json:"ops"`
	}
	if err := json.Unmarshal([]byte(out), &f); err != nil {
		t.Fatal(err)
	}
	var exported []string
	for _, op := range f.Ops {
		for _, e := range op.Elements {
			for _, tm := range e.Terms.Top {
				if tm.InputIndex != tm.Term-1 {
					t.Errorf("term %d reads input element %d, want %d", tm.Term, tm.InputIndex, tm.Term-1)
				}
				exported = append(exported, fmt.Sprintf("term %d/784: input[k=%d]", tm.Term, tm.InputIndex))
			}
		}
	}
	code, text, errs := runCLI(t, "explain", "sample:mnist_dense", "--op", "1", "--element", "7")
	if code != exitOK {
		t.Fatalf("explain: exit %d: %s", code, errs)
	}
	var explained []string
	for _, m := range regexp.MustCompile(`term (\d+)/784: input\[k=(\d+)\]`).FindAllStringSubmatch(text, -1) {
		explained = append(explained, m[0])
	}
	if len(exported) != 5 || fmt.Sprint(exported) != fmt.Sprint(explained) {
		t.Errorf("export's terms %v, explain's %v", exported, explained)
	}
}

// TestNpyFloatsSaturate: float .npy values far outside the input's range
// quantize to its ends (1e20 and +Inf to 127, −Inf to −128, as QUANTIZE's
// clamp does), not to whatever a float→int conversion wraps to; NaN is
// refused in one line naming the file (exit 2).
func TestNpyFloatsSaturate(t *testing.T) {
	model := fcModel(t)
	dir := t.TempDir()
	in := npyFile(t, filepath.Join(dir, "big.npy"), "<f4", false, "(1, 3)", float32Bytes(binary.LittleEndian, 1e20, float32(math.Inf(1)), float32(math.Inf(-1))))
	dump := t.TempDir()
	runOK(t, "run", model, "--input", in, "--dump", dump)
	if got, _ := os.ReadFile(filepath.Join(dump, "t0.bin")); !bytes.Equal(got, []byte{127, 127, 0x80}) {
		t.Errorf("input quantized to %v, want [127 127 -128]", got)
	}
	nan := npyFile(t, filepath.Join(dir, "nan.npy"), "<f4", false, "(1, 3)", float32Bytes(binary.LittleEndian, 1, float32(math.NaN()), 0))
	code, out, errs := runCLI(t, "run", model, "--input", nan)
	if code != exitUsage || out != "" {
		t.Fatalf("NaN: exit %d, stdout %q", code, out)
	}
	assertOneLineError(t, errs, "nan.npy", "element 1 is NaN")
}
