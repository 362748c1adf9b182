package main

// Tests of the researcher-facing exports: explicit element lists, constants,
// .npy dumps and inputs, float inputs, layer metrics and Model Explorer data.

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

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
		code, _, errs := runCLI(t, "trace", "sample:mnist_cnn", "-o", filepath.Join(bad, "x.json"), "--elements", tc.list)
		if code != exitUsage {
			t.Fatalf("%s: exit %d (%s)", tc.list, code, errs)
		}
		assertOneLineError(t, errs, "--elements", tc.frag)
	}
	code, _, errs = runCLI(t, "trace", "sample:mnist_cnn", "-o", filepath.Join(bad, "x.json"), "--ops", "1-2", "--elements", "0:3")
	if code != exitUsage {
		t.Fatalf("element outside --ops: exit %d", code)
	}
	assertOneLineError(t, errs, "--elements", "not among --ops")
	assertNoFiles(t, bad)
}

// TestTraceMetricsSayWhatTheyAre: the CSV rows and the JSON say the
// model, the input, the runtime and the metric mode (accumulated and local
// rows for every operator output), with units in the column names.
func TestTraceMetricsSayWhatTheyAre(t *testing.T) {
	dir := t.TempDir()
	csvPath, jsonPath := filepath.Join(dir, "m.csv"), filepath.Join(dir, "t.json")
	for _, args := range [][]string{{"-o", csvPath, "--format", "csv"}, {"-o", jsonPath, "--elements", "none"}} {
		code, _, errs := runCLI(t, append([]string{"trace", "sample:mnist_dense", "--digit", "3", "--runtime", "tflm-single"}, args...)...)
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, errs)
		}
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
