package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tflq/tflq-trace/internal/sharedtest"
)

// goldenDiff counts, for tensor idx of a shared case, the elements where the
// golden of a second runtime (in subdirectory sub, present only where it
// differs) differs from the TFLite-Micro golden, and the largest |Δ|.
func goldenDiff(t *testing.T, caseDir, sub string, idx int, size int, signed bool) (differ int, maxAbs int64) {
	t.Helper()
	base, err := os.ReadFile(filepath.Join(caseDir, fmt.Sprintf("t%d.bin", idx)))
	if err != nil {
		t.Fatal(err)
	}
	other, err := os.ReadFile(filepath.Join(caseDir, sub, fmt.Sprintf("t%d.bin", idx)))
	if os.IsNotExist(err) {
		return 0, 0
	}
	if err != nil {
		t.Fatal(err)
	}
	value := func(b []byte, i int) int64 {
		switch {
		case size == 1 && signed:
			return int64(int8(b[i]))
		case size == 1:
			return int64(b[i])
		}
		return int64(int16(uint16(b[2*i]) | uint16(b[2*i+1])<<8))
	}
	for i := 0; i < len(base)/size; i++ {
		if d := value(base, i) - value(other, i); d != 0 {
			differ++
			maxAbs = max(maxAbs, max(d, -d))
		}
	}
	return differ, maxAbs
}

// TestCompareCountsMatchGoldens runs `compare` on shared cases and checks
// every layer's count of differing elements and largest difference against
// counts computed directly from the goldens of the two runtimes: the
// TFLite-Micro goldens t<i>.bin against single/ (tflm-single) and tflite/
// (tflite-ref), which hold a tensor only where it differs.
func TestCompareCountsMatchGoldens(t *testing.T) {
	shared := sharedtest.Dir(t)
	// Every non-constant tensor of these models has the activation dtype
	// (signed, size bytes).
	for _, tc := range []struct {
		model, caseName, runtime, sub string
		signed                        bool
		size                          int
	}{
		{"person_detect_int8", "doc0", "tflm-single", "single", true, 1},
		{"person_detect_int8", "rand1", "tflm-single", "single", true, 1},
		{"ic_resnet_cifar10_int8", "rand1", "tflite-ref", "tflite", true, 1},
		{"kws_dscnn_int16x8", "rand1", "tflite-ref", "tflite", true, 2},
		{"kws_dscnn_int8", "rand0", "tflm-single", "single", true, 1},
		{"id_model_int8", "rand1", "tflm-single", "single", true, 1},
	} {
		t.Run(tc.model+"/"+tc.caseName+"/"+tc.runtime, func(t *testing.T) {
			caseDir := filepath.Join(shared, "conformance", tc.model, tc.caseName)
			code, out, errs := runCLI(t, "compare", filepath.Join(shared, "models", tc.model+".tflite"),
				"--input", filepath.Join(caseDir, "input0.bin"), "--runtimes", "tflm,"+tc.runtime, "--json")
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errs)
			}
			var rep compareReport
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatal(err)
			}
			if len(rep.Comparisons) != 1 || rep.Comparisons[0].Runtime != tc.runtime {
				t.Fatalf("comparisons %+v", rep.Comparisons)
			}
			total := 0
			for _, l := range rep.Comparisons[0].Layers {
				if _, err := os.Stat(filepath.Join(caseDir, fmt.Sprintf("t%d.bin", l.Tensor))); err != nil {
					continue // the goldens hold non-constant tensors only
				}
				differ, maxAbs := goldenDiff(t, caseDir, tc.sub, l.Tensor, tc.size, tc.signed)
				if l.Differ != differ || (differ > 0 && int64(l.MaxAbsDiff) != maxAbs) {
					t.Errorf("op %d %s t%d: compare says %d differ (max %v), the goldens %d (max %d)", l.Op, l.OpName, l.Tensor, l.Differ, l.MaxAbsDiff, differ, maxAbs)
				}
				total += differ
			}
			if total == 0 {
				t.Fatalf("the goldens of %s show no difference: the case does not test anything", tc.runtime)
			}
			t.Logf("%d differing elements, layer by layer as in the goldens", total)
		})
	}
}

// TestCompareInputs compares the bundled CNN over the bundled digits and
// checks the text report's totals against per-input JSON runs.
func TestCompareInputs(t *testing.T) {
	out := runOK(t, "compare", "sample:mnist_cnn", "--inputs", "sample:digits", "--runtimes", "tflm,tflm-single", "--json")
	var all compareReport
	if err := json.Unmarshal([]byte(out), &all); err != nil {
		t.Fatal(err)
	}
	if len(all.Inputs) != 10 {
		t.Fatalf("%d inputs, want the 10 bundled digits", len(all.Inputs))
	}
	want := make([]layerTotal, len(all.Comparisons[0].Layers))
	for d := range 10 {
		code, out, errs := runCLI(t, "compare", "sample:mnist_cnn", "--digit", fmt.Sprint(d), "--runtimes", "tflm,tflm-single", "--json")
		if code != exitOK {
			t.Fatalf("digit %d: exit %d: %s", d, code, errs)
		}
		var one compareReport
		if err := json.Unmarshal([]byte(out), &one); err != nil {
			t.Fatal(err)
		}
		for i, l := range one.Comparisons[0].Layers {
			want[i].Elements += l.Elements
			want[i].Differ += l.Differ
			if l.Differ > 0 {
				want[i].InputsDiffer++
			}
		}
	}
	differs := 0
	for i, l := range all.Comparisons[0].Layers {
		if l.Elements != want[i].Elements || l.Differ != want[i].Differ || l.InputsDiffer != want[i].InputsDiffer {
			t.Errorf("op %d: over the folder %d/%d differ on %d inputs; summed per input %d/%d on %d", l.Op, l.Differ, l.Elements, l.InputsDiffer,
				want[i].Differ, want[i].Elements, want[i].InputsDiffer)
		}
		differs += l.Differ
	}
	if differs == 0 {
		t.Fatal("single and double rounding agree on every digit: the test checks nothing")
	}
	code, text, _ := runCLI(t, "compare", "sample:mnist_cnn", "--inputs", "sample:digits", "--runtimes", "tflm,tflm-single")
	if code != exitOK || !strings.Contains(text, "top-1 class differs on 0 of 10 inputs") {
		t.Fatalf("text report:\n%s", text)
	}
}

// TestCompareBadInput: each misuse is one line, exit 2 (or 1 for a model a
// runtime cannot run), and nothing on stdout.
func TestCompareBadInput(t *testing.T) {
	empty := t.TempDir()
	notModel := filepath.Join(t.TempDir(), "x.txt")
	os.WriteFile(notModel, []byte("hello"), 0o644)
	wrongSize := t.TempDir()
	os.WriteFile(filepath.Join(wrongSize, "a.bin"), []byte{1, 2, 3}, 0o644)
	for _, tc := range []struct {
		name  string
		args  []string
		code  int
		parts []string
	}{
		{"no runtimes", []string{"sample:mnist_cnn"}, exitUsage, []string{"--runtimes"}},
		{"one runtime", []string{"sample:mnist_cnn", "--runtimes", "tflm"}, exitUsage, []string{"at least two"}},
		{"unknown runtime", []string{"sample:mnist_cnn", "--runtimes", "tflm,tfl"}, exitUsage, []string{"unknown runtime \"tfl\""}},
		{"repeated runtime", []string{"sample:mnist_cnn", "--runtimes", "tflm,tflm"}, exitUsage, []string{"twice"}},
		{"empty folder", []string{"sample:mnist_cnn", "--runtimes", "tflm,tflm-single", "--inputs", empty}, exitUsage, []string{empty, "no input files"}},
		{"missing folder", []string{"sample:mnist_cnn", "--runtimes", "tflm,tflm-single", "--inputs", empty + "/nope"}, exitUsage, []string{"no such file or folder"}},
		{"neither folder nor IDX", []string{"sample:mnist_cnn", "--runtimes", "tflm,tflm-single", "--inputs", notModel}, exitUsage, []string{notModel, "not an IDX file of images"}},
		{"wrong size input", []string{"sample:mnist_cnn", "--runtimes", "tflm,tflm-single", "--inputs", wrongSize}, exitUsage, []string{"a.bin", "784 bytes"}},
		{"inputs and digit", []string{"sample:mnist_cnn", "--runtimes", "tflm,tflm-single", "--inputs", "sample:digits", "--digit", "3"}, exitUsage, []string{"--inputs excludes"}},
		{"json and csv", []string{"sample:mnist_cnn", "--runtimes", "tflm,tflm-single", "--json", "--csv"}, exitUsage, []string{"exclude"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runCLI(t, append([]string{"compare"}, tc.args...)...)
			if code != tc.code || out != "" {
				t.Fatalf("exit %d (want %d), stdout %q, stderr %q", code, tc.code, out, errs)
			}
			assertOneLineError(t, errs, tc.parts...)
		})
	}
	t.Run("runtime cannot run the model", func(t *testing.T) {
		model := filepath.Join(sharedtest.Dir(t), "models", "mobilenet_v1_0.25_128_quant_uint8.tflite")
		code, out, errs := runCLI(t, "compare", model, "--runtimes", "tflite-ref,tflm")
		if code != exitFailure || out != "" {
			t.Fatalf("exit %d, stdout %q", code, out)
		}
		assertOneLineError(t, errs, "under tflm", "TFLite-Micro cannot run it")
	})
}

// TestCompareCSV checks the CSV header and one row per runtime and layer.
func TestCompareCSV(t *testing.T) {
	out := runOK(t, "compare", "sample:mnist_dense", "--digit", "7", "--runtimes", "tflm,tflm-single,tflite-ref", "--csv")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if !strings.HasPrefix(lines[0], "runtime,reference,op,op_name,") || len(lines) != 1+2*3 {
		t.Fatalf("csv:\n%s", out)
	}
	if !bytes.Contains([]byte(out), []byte("tflite-ref,tflm,1,FULLY_CONNECTED,0,4,10,")) {
		t.Fatalf("no FULLY_CONNECTED row for tflite-ref:\n%s", out)
	}
}
