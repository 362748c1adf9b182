package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tflq/tflq-trace/samples"
	"github.com/tflq/tflq-trace/trace"
)

// TestEvalDigitsAccuracy: eval over the bundled digits gives the accuracy
// and per-runtime agreement computed from one run per digit.
func TestEvalDigitsAccuracy(t *testing.T) {
	for _, model := range []string{"sample:mnist_dense", "sample:mnist_cnn"} {
		t.Run(model, func(t *testing.T) {
			out := runOK(t, "eval", model, "--inputs", "sample:digits", "--runtimes", "tflm,tflm-single", "--json")
			var rep evalReport
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatal(err)
			}
			correct := 0
			for _, d := range samples.Digits() {
				code, out, _ := runCLI(t, "run", model, "--digit", fmt.Sprint(d.Label))
				if code != exitOK {
					t.Fatalf("run digit %d: exit %d", d.Label, code)
				}
				if strings.Contains(out, fmt.Sprintf("prediction: class %d\n", d.Label)) {
					correct++
				}
			}
			if rep.Inputs != 10 || rep.Runtimes[0].Accuracy == nil || rep.Runtimes[0].Correct != correct || *rep.Runtimes[0].Accuracy != float64(correct)/10 {
				t.Fatalf("eval says %d/%d correct (accuracy %v), the per-digit runs %d/10", rep.Runtimes[0].Correct, rep.Inputs, rep.Runtimes[0].Accuracy, correct)
			}
			if len(rep.Runtimes[0].Layers) == 0 || rep.Runtimes[0].Layers[0].Inputs != 10 {
				t.Fatalf("layers %+v", rep.Runtimes[0].Layers)
			}
		})
	}
}

// TestEvalParallelEqualsSerial: the report (but its timing) is the same
// byte for byte with 1, 2 and 3 workers.
func TestEvalParallelEqualsSerial(t *testing.T) {
	var reports []string
	for _, w := range []string{"1", "2", "3"} {
		out := runOK(t, "eval", "sample:mnist_cnn", "--inputs", "sample:digits", "--runtimes", "tflm,tflm-single", "--workers", w, "--json")
		var rep map[string]any
		json.Unmarshal([]byte(out), &rep)
		delete(rep, "seconds")
		b, _ := json.Marshal(rep)
		reports = append(reports, string(b))
	}
	if reports[0] != reports[1] || reports[0] != reports[2] {
		t.Fatalf("reports differ with the number of workers:\n%s\n%s", reports[0], reports[1])
	}
}

// TestEvalMNISTTestSet: over the 10 000 MNIST test images as distributed
// (IDX files), the bundled CNN's accuracy is the one samples/info.json
// records.
func TestEvalMNISTTestSet(t *testing.T) {
	if testing.Short() {
		t.Skip("10 000 images: skipped with -short")
	}
	images, labels, err := samples.MNISTTestFiles()
	if err != nil {
		t.Skipf("SKIPPED: %v", err)
	}
	info, _ := samples.Lookup("mnist_cnn")
	out := runOK(t, "eval", "sample:mnist_cnn", "--inputs", images, "--labels", labels, "--json")
	var rep evalReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Inputs != 10000 || rep.Runtimes[0].Accuracy == nil || math.Abs(*rep.Runtimes[0].Accuracy-info.IntAccuracy) > 1e-9 {
		t.Fatalf("accuracy %v over %d inputs, samples/info.json says %v", rep.Runtimes[0].Accuracy, rep.Inputs, info.IntAccuracy)
	}
}

// idxFile writes an IDX file (optionally gzipped) with the given magic,
// dimensions and data.
func idxFile(t *testing.T, name string, magic uint32, dims []uint32, data []byte, gz bool) string {
	var b bytes.Buffer
	binary.Write(&b, binary.BigEndian, magic)
	for _, d := range dims {
		binary.Write(&b, binary.BigEndian, d)
	}
	b.Write(data)
	raw := b.Bytes()
	if gz {
		var z bytes.Buffer
		w := gzip.NewWriter(&z)
		w.Write(raw)
		w.Close()
		raw = z.Bytes()
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestEvalIDX: a small IDX image file, gzipped or not, runs; its labels
// come from an IDX label file or a text file and must match in number.
func TestEvalIDX(t *testing.T) {
	img, _, err := samples.DigitImage(7)
	if err != nil {
		t.Fatal(err)
	}
	pix := make([]byte, 0, 2*28*28)
	for i := 0; i < 2; i++ {
		for y := 0; y < 28; y++ {
			for x := 0; x < 28; x++ {
				r, _, _, _ := img.At(x, y).RGBA()
				pix = append(pix, byte(r>>8))
			}
		}
	}
	for _, gz := range []bool{false, true} {
		images := idxFile(t, "images", idxImages, []uint32{2, 28, 28}, pix, gz)
		labels := idxFile(t, "labels", idxLabels, []uint32{2}, []byte{7, 3}, gz)
		code, out, errs := runCLI(t, "eval", "sample:mnist_dense", "--inputs", images, "--labels", labels, "--json")
		if code != exitOK {
			t.Fatalf("gz=%v: exit %d: %s", gz, code, errs)
		}
		var rep evalReport
		json.Unmarshal([]byte(out), &rep)
		if rep.Inputs != 2 || rep.Runtimes[0].Correct != 1 {
			t.Fatalf("gz=%v: %d inputs, %d correct; want 2 and 1 (the same 7, labelled 7 then 3)", gz, rep.Inputs, rep.Runtimes[0].Correct)
		}
	}
	txt := filepath.Join(t.TempDir(), "labels.txt")
	os.WriteFile(txt, []byte("7, 7\n"), 0o644)
	images := idxFile(t, "images", idxImages, []uint32{2, 28, 28}, pix, false)
	if code, out, errs := runCLI(t, "eval", "sample:mnist_dense", "--inputs", images, "--labels", txt, "--json"); code != exitOK || !strings.Contains(out, `"correct": 2`) {
		t.Fatalf("text labels: exit %d: %s%s", code, out, errs)
	}
}

// TestEvalBadInput: truncated or mismatched data sets and labels are one
// line naming the file and the cause, exit 2, nothing on stdout.
func TestEvalBadInput(t *testing.T) {
	pix := make([]byte, 2*28*28)
	truncated := idxFile(t, "truncated", idxImages, []uint32{3, 28, 28}, pix, false)
	truncatedGz := idxFile(t, "truncated.gz", idxImages, []uint32{3, 28, 28}, pix, true)
	labels := idxFile(t, "labels", idxLabels, []uint32{2}, []byte{1, 2}, false)
	images := idxFile(t, "images", idxImages, []uint32{2, 28, 28}, pix, false)
	wrongMagic := idxFile(t, "wrongmagic", idxLabels, []uint32{2}, []byte{1, 2}, false)
	wrongSize := idxFile(t, "wrongsize", idxImages, []uint32{1, 20, 20}, make([]byte, 400), false)
	badText := filepath.Join(t.TempDir(), "labels.txt")
	os.WriteFile(badText, []byte("1 two\n"), 0o644)
	bigText := filepath.Join(t.TempDir(), "big.txt")
	os.WriteFile(bigText, []byte("25 15\n"), 0o644)
	bigNames := t.TempDir()
	for _, name := range []string{"15_a.png", "7_b.png"} {
		img, _, err := samples.DigitImage(7)
		if err != nil {
			t.Fatal(err)
		}
		f, _ := os.Create(filepath.Join(bigNames, name))
		png.Encode(f, img)
		f.Close()
	}
	huge := idxFile(t, "huge", idxImages, []uint32{1 << 30, 1 << 30, 28}, nil, false)
	for _, tc := range []struct {
		name  string
		args  []string
		parts []string
	}{
		{"no inputs", []string{"sample:mnist_dense"}, []string{"--inputs SOURCE is required"}},
		{"truncated IDX", []string{"sample:mnist_dense", "--inputs", truncated}, []string{truncated, "2352 bytes of data, the file holds 1568"}},
		{"truncated gzip IDX", []string{"sample:mnist_dense", "--inputs", truncatedGz}, []string{truncatedGz, "the file holds 1568"}},
		{"labels as images", []string{"sample:mnist_dense", "--inputs", wrongMagic}, []string{wrongMagic, "not an IDX file of images"}},
		{"images of the wrong size", []string{"sample:mnist_dense", "--inputs", wrongSize}, []string{wrongSize, "28×28"}},
		{"label count", []string{"sample:mnist_dense", "--inputs", images, "--labels", idxFile(t, "three", idxLabels, []uint32{3}, []byte{1, 2, 3}, false)}, []string{"3 labels for 2 inputs"}},
		{"non-numeric label", []string{"sample:mnist_dense", "--inputs", images, "--labels", badText}, []string{badText, `"two"`}},
		{"labels beyond the classes", []string{"sample:mnist_dense", "--inputs", images, "--labels", idxFile(t, "big", idxLabels, []uint32{2}, []byte{3, 15}, false)},
			[]string{"--labels", "label 15 of input 1", "10 classes"}},
		{"text labels beyond the classes", []string{"sample:mnist_dense", "--inputs", images, "--labels", bigText}, []string{"--labels " + bigText, "label 25 of input 0", "10 classes"}},
		{"file-name labels beyond the classes", []string{"sample:mnist_dense", "--inputs", bigNames}, []string{"file names of --inputs " + bigNames, "label 15 of input 0", "15_a.png", "10 classes"}},
		{"huge header", []string{"sample:mnist_dense", "--inputs", huge}, []string{huge, "too large"}},
		{"unknown runtime", []string{"sample:mnist_dense", "--inputs", images, "--labels", labels, "--runtimes", "tflm,xla"}, []string{"unknown runtime"}},
		{"workers", []string{"sample:mnist_dense", "--inputs", images, "--workers", "0"}, []string{"--workers 0"}},
		{"worst", []string{"sample:mnist_dense", "--inputs", images, "--worst", "-2"}, []string{"--worst -2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runCLI(t, append([]string{"eval"}, tc.args...)...)
			if code != exitUsage || out != "" {
				t.Fatalf("exit %d (want 2), stdout %q, stderr %q", code, out, errs)
			}
			assertOneLineError(t, errs, tc.parts...)
			// Only the flag that is wrong is named.
			for _, flag := range []string{"--workers", "--worst"} {
				if strings.Contains(errs, flag) && tc.args[len(tc.args)-2] != flag {
					t.Errorf("the error names %s, which is not wrong: %q", flag, errs)
				}
			}
		})
	}
}

// TestIDXImagesReadOnDemand: an IDX image set reads its images from the
// file when they are loaded — uncompressed with ReadAt, gzipped a batch at
// a time through prefetch or, without it, by moving through the stream
// (backwards by starting over) — and every image is the one the whole file
// holds.
func TestIDXImagesReadOnDemand(t *testing.T) {
	const n, h, w = 7, 3, 4
	pix := make([]byte, n*h*w)
	for i := range pix {
		pix[i] = byte(i*37 + 11)
	}
	for _, gz := range []bool{false, true} {
		path := idxFile(t, "images", idxImages, []uint32{n, h, w}, pix, gz)
		dims, all, err := readIDX(path, idxImages)
		if err != nil || len(dims) != 3 || !bytes.Equal(all, pix) {
			t.Fatalf("gz=%v: readIDX %v %v", gz, dims, err)
		}
		set, err := openIDXImages("--inputs", path)
		if err != nil {
			t.Fatal(err)
		}
		if set.len() != n || set.nameOf(4) != path+"#4" {
			t.Fatalf("gz=%v: %d inputs, input 4 named %q", gz, set.len(), set.nameOf(4))
		}
		x, err := openIDX(path, idxImages)
		if err != nil {
			t.Fatal(err)
		}
		check := func(i int) {
			t.Helper()
			got := make([]byte, h*w)
			if err := x.read(got, int64(i*h*w)); err != nil || !bytes.Equal(got, pix[i*h*w:(i+1)*h*w]) {
				t.Fatalf("gz=%v: image %d read %v (%v), want %v", gz, i, got, err, pix[i*h*w:(i+1)*h*w])
			}
		}
		for _, i := range []int{2, 3, 6, 0, 5, 1, 4} { // forward, then back to the start
			check(i)
		}
		if err := set.prefetch(3, 6); err != nil {
			t.Fatal(err)
		}
		if x.gz != gz {
			t.Fatalf("gzipped %v, want %v", x.gz, gz)
		}
		x.close()
	}
}

// TestEvalWorstInputsReplay: every worst input eval lists carries the
// --input that runs it again (FILE#i for an IDX file, sample:mnist-test#i,
// the file of a folder), and run and explain given it run that input: run
// predicts the class eval recorded for it.
func TestEvalWorstInputsReplay(t *testing.T) {
	dir := t.TempDir()
	var pix []byte
	for _, d := range []int{7, 2, 1} {
		img, _, err := samples.DigitImage(d)
		if err != nil {
			t.Fatal(err)
		}
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("%d_x.png", d)))
		if err != nil {
			t.Fatal(err)
		}
		png.Encode(f, img)
		f.Close()
		for y := 0; y < 28; y++ {
			for x := 0; x < 28; x++ {
				r, _, _, _ := img.At(x, y).RGBA()
				pix = append(pix, byte(r>>8))
			}
		}
	}
	idx := idxFile(t, "images.gz", idxImages, []uint32{3, 28, 28}, pix, true)
	sources := map[string]string{"folder": dir, "IDX file": idx}
	if _, _, err := samples.MNISTTestFiles(); err == nil {
		sources["MNIST test set"] = "sample:mnist-test"
	} else {
		t.Logf("sample:mnist-test not checked: %v", err)
	}
	for name, source := range sources {
		t.Run(name, func(t *testing.T) {
			out := runOK(t, "eval", "sample:mnist_dense", "--inputs", source, "--runtimes", "tflm,tflm-single", "--worst", "2", "--json")
			var rep evalReport
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatal(err)
			}
			replayed := map[string]bool{}
			for _, re := range rep.Runtimes {
				for _, l := range re.Layers {
					for _, wi := range l.Worst {
						if wi.InputSpec == "" || wi.Prediction == nil {
							t.Fatalf("%s op %d: worst input %d without a replay spec or prediction: %+v", re.Runtime, l.Op, wi.Input, wi)
						}
						key := re.Runtime + " " + wi.InputSpec
						if replayed[key] {
							continue
						}
						replayed[key] = true
						code, out, errs := runCLI(t, "run", "sample:mnist_dense", "--runtime", re.Runtime, "--input", wi.InputSpec)
						if want := fmt.Sprintf("prediction: class %d\n", *wi.Prediction); code != exitOK || !strings.Contains(out, want) {
							t.Fatalf("run --input %s: exit %d, want %q:\n%s%s", wi.InputSpec, code, want, out, errs)
						}
						if code, _, errs := runCLI(t, "explain", "sample:mnist_dense", "--runtime", re.Runtime, "--op", "1", "--element", "0", "--input", wi.InputSpec); code != exitOK {
							t.Fatalf("explain --input %s: exit %d: %s", wi.InputSpec, code, errs)
						}
					}
				}
			}
			if len(replayed) == 0 {
				t.Fatal("no worst inputs listed")
			}
			out = runOK(t, "eval", "sample:mnist_dense", "--inputs", source, "--worst", "1")
			for _, re := range rep.Runtimes[:1] {
				spec := re.Layers[len(re.Layers)-1].Worst[0].InputSpec
				if !strings.Contains(out, " "+spec+"\n") {
					t.Fatalf("the text report does not list %s:\n%s", spec, out)
				}
			}
		})
	}
}

// TestEvalUnits: eval's JSON and CSV name the statistics as the trace
// export does (units in the names), write null for the scale, zero point and
// LSB figures of an output without a scale, and give each worst input's
// figure with its unit: its max_abs_error_lsb is the layer's largest in LSB
// (real units, max_abs_error_real, for an output without a scale).
func TestEvalUnits(t *testing.T) {
	out := runOK(t, "eval", "sample:mnist_dense", "--inputs", "sample:digits", "--worst", "2", "--json")
	var rep struct {
		Runtimes []struct {
			Layers []map[string]any `json:"layers"`
		} `json:"runtimes"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	exported := map[string]bool{"inputs": true, "worst_inputs": true}
	for _, c := range trace.MetricColumns() {
		exported[c] = true
	}
	scaled, unscaled := 0, 0
	for _, l := range rep.Runtimes[0].Layers {
		for k := range l {
			if !exported[k] {
				t.Errorf("op %v: field %q is not a name of the trace export", l["op"], k)
			}
		}
		worst := l["worst_inputs"].([]any)
		if len(worst) == 0 {
			t.Fatalf("op %v: no worst inputs", l["op"])
		}
		w0 := worst[0].(map[string]any)
		if _, ok := w0["max_abs_error"]; ok {
			t.Errorf("op %v: worst input figure without its unit: %v", l["op"], w0)
		}
		if l["scale"] == nil {
			unscaled++
			for _, k := range []string{"zero_point", "rmse_over_scale", "max_abs_error_lsb", "mean_abs_error_lsb"} {
				if v, ok := l[k]; !ok || v != nil {
					t.Errorf("op %v without a scale: %s is %v, want null", l["op"], k, v)
				}
			}
			if w0["max_abs_error_lsb"] != nil || w0["max_abs_error_real"] != l["max_abs_error_real"] {
				t.Errorf("op %v without a scale: worst input %v, layer max_abs_error_real %v", l["op"], w0, l["max_abs_error_real"])
			}
			continue
		}
		scaled++
		if w0["max_abs_error_lsb"] == nil || w0["max_abs_error_lsb"] != l["max_abs_error_lsb"] {
			t.Errorf("op %v: worst input %v, layer max_abs_error_lsb %v", l["op"], w0, l["max_abs_error_lsb"])
		}
		if w0["max_abs_error_real"].(float64) > l["max_abs_error_real"].(float64) {
			t.Errorf("op %v: worst input %v above the layer's max_abs_error_real %v", l["op"], w0, l["max_abs_error_real"])
		}
	}
	if scaled == 0 || unscaled == 0 {
		t.Fatalf("%d layers with a scale, %d without: want both (mnist_dense ends in DEQUANTIZE)", scaled, unscaled)
	}
	out = runOK(t, "eval", "sample:mnist_dense", "--inputs", "sample:digits", "--csv")
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	exported["runtime"], exported["accuracy"], exported["predictions_differ"] = true, true, true
	for _, c := range rows[0] {
		if !exported[c] {
			t.Errorf("CSV column %q is not a name of the trace export", c)
		}
	}
	last := rows[len(rows)-1] // DEQUANTIZE: no scale
	for i, c := range rows[0] {
		if (c == "scale" || c == "zero_point" || strings.HasSuffix(c, "_lsb") || c == "rmse_over_scale") && last[i] != "" {
			t.Errorf("CSV %s of the DEQUANTIZE row is %q, want empty", c, last[i])
		}
	}
	out = runOK(t, "eval", "sample:mnist_dense", "--inputs", "sample:digits")
	assertContains(t, "eval's text report", out, "mean error (real)", "max |e| (LSB)", "MSE (real²)", "worst inputs (max |e| in LSB)", " real)")
}

// TestEvalNpyBatch: a .npy batch whose first axis is the sample (the ten
// bundled digits as float32 p/255, [10,28,28]) with a .npy of int64 labels
// gives the same report as sample:digits — same accuracy, same per-layer
// statistics and worst inputs — since p/255 quantizes to the q an image's
// pixel maps to; BATCH#i replays sample i; a Fortran-ordered or truncated
// batch and float labels are one line naming the file (exit 2).
func TestEvalNpyBatch(t *testing.T) {
	dir := t.TempDir()
	var pix []float32
	var labels []byte
	for _, d := range samples.Digits() {
		img, _, err := samples.DigitImage(d.Label)
		if err != nil {
			t.Fatal(err)
		}
		for y := 0; y < 28; y++ {
			for x := 0; x < 28; x++ {
				r, _, _, _ := img.At(x, y).RGBA()
				pix = append(pix, float32(r>>8)/255)
			}
		}
		labels = binary.LittleEndian.AppendUint64(labels, uint64(d.Label))
	}
	batch := npyFile(t, filepath.Join(dir, "digits.npy"), "<f4", false, "(10, 28, 28)", float32Bytes(binary.LittleEndian, pix...))
	labelFile := npyFile(t, filepath.Join(dir, "labels.npy"), "<i8", false, "(10,)", labels)
	report := func(args ...string) evalReport {
		t.Helper()
		code, out, errs := runCLI(t, append([]string{"eval", "sample:mnist_cnn", "--runtimes", "tflm,tflite-xnnpack", "--json"}, args...)...)
		if code != exitOK {
			t.Fatalf("%v: exit %d: %s", args, code, errs)
		}
		var rep evalReport
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatal(err)
		}
		return rep
	}
	fromNpy := report("--inputs", batch, "--labels", labelFile)
	fromDigits := report("--inputs", "sample:digits")
	if fromNpy.Inputs != 10 || fromNpy.Runtimes[0].Accuracy == nil {
		t.Fatalf("npy batch: %d inputs, accuracy %v", fromNpy.Inputs, fromNpy.Runtimes[0].Accuracy)
	}
	for k := range fromNpy.Runtimes {
		a, b := fromNpy.Runtimes[k], fromDigits.Runtimes[k]
		if *a.Accuracy != *b.Accuracy || layersWithoutSpecs(t, a) != layersWithoutSpecs(t, b) {
			t.Errorf("%s: npy batch %v %v, sample:digits %v %v", a.Runtime, *a.Accuracy, a.Layers, *b.Accuracy, b.Layers)
		}
	}
	_, want, _ := runCLI(t, "run", "sample:mnist_cnn", "--digit", "3")
	code, got, errs := runCLI(t, "run", "sample:mnist_cnn", "--input", batch+"#3")
	if code != exitOK || got[strings.Index(got, "output 0"):] != want[strings.Index(want, "output 0"):] {
		t.Errorf("run --input %s#3: exit %d %s\n%s\nwant\n%s", batch, code, errs, got, want)
	}
	fortran := npyFile(t, filepath.Join(dir, "fortran.npy"), "<f4", true, "(10, 28, 28)", float32Bytes(binary.LittleEndian, pix...))
	short := npyFile(t, filepath.Join(dir, "short.npy"), "<f4", false, "(10, 28, 28)", float32Bytes(binary.LittleEndian, pix[:100]...))
	floatLabels := npyFile(t, filepath.Join(dir, "flabels.npy"), "<f4", false, "(10,)", float32Bytes(binary.LittleEndian, make([]float32, 10)...))
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"--inputs", fortran}, []string{"fortran.npy", "C-ordered"}},
		{[]string{"--inputs", short}, []string{"short.npy", "its header"}},
		{[]string{"--inputs", batch, "--labels", floatLabels}, []string{"flabels.npy", "integer class indices"}},
	} {
		code, out, errs := runCLI(t, append([]string{"eval", "sample:mnist_cnn"}, tc.args...)...)
		if code != exitUsage || out != "" {
			t.Errorf("%v: exit %d, stdout %q", tc.args, code, out)
			continue
		}
		assertOneLineError(t, errs, tc.want...)
	}
}

// layersWithoutSpecs is a runtime's layer statistics as JSON without the
// worst inputs' replay specs (a batch names them BATCH#i, the digits
// digit:N).
func layersWithoutSpecs(t *testing.T, r runtimeEval) string {
	b, err := json.Marshal(r.Layers)
	if err != nil {
		t.Fatal(err)
	}
	return regexp.MustCompile(`"input_spec":"[^"]*"`).ReplaceAllString(string(b), "")
}
