package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/tflq/tflq-trace/samples/internal/mnist"
	"github.com/tflq/tflq-trace/tflite"
)

var loadMNIST = sync.OnceValues(func() ([2]*mnist.Set, error) {
	train, test, err := mnist.LoadDefault()
	return [2]*mnist.Set{train, test}, err
})

func mnistOrSkip(t *testing.T) (train, test *mnist.Set) {
	t.Helper()
	sets, err := loadMNIST()
	if err != nil {
		t.Skipf("SKIPPING: MNIST data not available, cannot train or measure accuracy: %v", err)
	}
	return sets[0], sets[1]
}

func TestActivationParams(t *testing.T) {
	tests := []struct {
		name       string
		rmin, rmax float64
		scale      float64
		zeroPoint  int64
	}{
		// [0,1]: scale 1/255; zero point from min: −128 − 0 = −128.
		{"unit", 0, 1, 1.0 / 255, -128},
		// Range not containing 0 is widened to [0, 1].
		{"positive only", 0.5, 1, 1.0 / 255, -128},
		// [−2, 0]: zero point from max: 127 − 0 = 127.
		{"negative only", -2, 0, 2.0 / 255, 127},
		// [−1, 1]: both ends give −0.5; max's error (127+127.5) is smaller;
		// rounding is half away from zero → −1.
		{"symmetric", -1, 1, 2.0 / 255, -1},
		// [−3, 1]: scale 4/255, from max 127 − 63.75 = 63.25 → 63.
		{"skewed", -3, 1, 4.0 / 255, 63},
		// All zeros: scale 1, zero point qmin.
		{"empty", 0, 0, 1, -128},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := activationParams(tc.rmin, tc.rmax)
			if p.scale != tc.scale || p.zeroPoint != tc.zeroPoint {
				t.Errorf("activationParams(%v, %v) = %v, %d; want %v, %d", tc.rmin, tc.rmax, p.scale, p.zeroPoint, tc.scale, tc.zeroPoint)
			}
		})
	}
}

func TestWeightAndBiasQuantization(t *testing.T) {
	// Two channels: max|w| 31.75 → scale 0.25; max|w| 1.27 → scale ≈ 0.01
	// (float32(1.27)/127 in double).
	w := []float32{0.125, -0.375, 31.75, -0.1, 1.27, -1.27}
	scales := weightScales(w, 2)
	if scales[0] != 0.25 || scales[1] != float64(float32(1.27))/127 {
		t.Fatalf("weightScales = %v, want [0.25 0.01]", scales)
	}
	// 0.5 → 1 and −1.5 → −2 (half away from zero), 127 stays.
	got := quantizeWeights(w, scales)
	want := []int8{1, -2, 127, -10, 127, -127}
	if !bytes.Equal(tflite.Int8Data(got), tflite.Int8Data(want)) {
		t.Errorf("quantizeWeights = %v, want %v", got, want)
	}
	// Per tensor: one scale for all (max|w| = 31.75).
	if s := weightScales(w, 1); len(s) != 1 || s[0] != 0.25 {
		t.Errorf("per-tensor weightScales = %v, want [0.25]", s)
	}
	bs := biasScales(0.5, []float64{0.25, 0.125}, 2)
	if bs[0] != 0.125 || bs[1] != 0.0625 {
		t.Errorf("biasScales = %v, want [0.125 0.0625]", bs)
	}
	if b := quantizeBias([]float32{1.0625, -0.03125}, bs); b[0] != 9 || b[1] != -1 {
		t.Errorf("quantizeBias = %v, want [9 -1]", b) // 8.5 → 9, −0.5 → −1
	}
}

func TestExp(t *testing.T) {
	for _, x := range []float64{0, -1e-9, -0.3, -1, -2.5, -10, -50, -300, -700} {
		if got, want := exp(x), math.Exp(x); math.Abs(got-want) > 4e-16*want {
			t.Errorf("exp(%v) = %v, want %v", x, got, want)
		}
	}
	if exp(-800) != 0 {
		t.Errorf("exp(-800) = %v, want 0", exp(-800))
	}
}

// TestQuickRunIsDeterministic generates the models twice in-process with a
// short training run and the same seed, and requires byte-identical files.
func TestQuickRunIsDeterministic(t *testing.T) {
	train, test := mnistOrSkip(t)
	cfg := config{seed: 7, quick: true}
	first, err := generate(train, test, cfg)
	if err != nil {
		t.Fatal(err)
	}
	second, err := generate(train, test, cfg)
	if err != nil {
		t.Fatal(err)
	}
	dirs := [2]string{t.TempDir(), t.TempDir()}
	for i, models := range [][]*modelResult{first, second} {
		if err := writeOutputs(dirs[i], cfg, models, test); err != nil {
			t.Fatal(err)
		}
	}
	for i := range first {
		a, b := first[i], second[i]
		if !bytes.Equal(a.Data, b.Data) {
			t.Errorf("%s: two runs with seed %d differ", a.Name, cfg.seed)
		}
		if a.IntAcc < 0.5 || math.Abs(a.IntAcc-a.FloatAcc) > 0.05 {
			t.Errorf("%s (quick): float %.3f, int %.3f: want ≥ 0.5 and within 5 points", a.Name, a.FloatAcc, a.IntAcc)
		}
	}
	for _, f := range []string{"mnist_dense.tflite", "mnist_cnn.tflite", "info.json", "README.md", "digits/7_0.png"} {
		x, errX := os.ReadFile(filepath.Join(dirs[0], f))
		y, errY := os.ReadFile(filepath.Join(dirs[1], f))
		if errX != nil || errY != nil || !bytes.Equal(x, y) {
			t.Errorf("%s differs between runs (%v, %v)", f, errX, errY)
		}
	}
	// A different seed must give different weights.
	other, err := generate(train, test, config{seed: 8, quick: true})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(other[1].Data, first[1].Data) {
		t.Error("seeds 7 and 8 gave the same mnist_cnn")
	}
}

// TestCommittedModelAccuracy measures the committed models over the
// 10,000 MNIST test images with the integer interpreter and with a float
// reference of the stored (dequantized) weights.
func TestCommittedModelAccuracy(t *testing.T) {
	_, test := mnistOrSkip(t)
	infoData, err := os.ReadFile("../info.json")
	if err != nil {
		t.Fatal(err)
	}
	var info infoFile
	if err := json.Unmarshal(infoData, &info); err != nil {
		t.Fatal(err)
	}
	minAccuracy := map[string]float64{"mnist_dense": 0.91, "mnist_cnn": 0.97}
	for _, rec := range info.Models {
		t.Run(rec.Name, func(t *testing.T) {
			m, err := tflite.ReadFile(filepath.Join("..", rec.File))
			if err != nil {
				t.Fatal(err)
			}
			n := test.Len()
			intAcc, right, err := integerAccuracy(m, test, n)
			if err != nil {
				t.Fatal(err)
			}
			// The bundled digits are ones this model gets right.
			for _, d := range info.Digits {
				if !right[d.TestIndex] {
					t.Errorf("bundled digit %s is misclassified by %s", d.File, rec.Name)
				}
			}
			floatAcc, err := floatReferenceAccuracy(m, test, n)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: integer %.2f%%, float reference %.2f%% (trained float model: %.2f%%)", rec.Name, 100*intAcc, 100*floatAcc, 100*rec.FloatAccuracy)
			if minAcc := minAccuracy[rec.Name]; intAcc < minAcc || floatAcc < minAcc {
				t.Errorf("integer %.4f, float reference %.4f: want ≥ %.2f", intAcc, floatAcc, minAcc)
			}
			if intAcc != rec.IntAccuracy {
				t.Errorf("integer accuracy %.4f, README/info.json say %.4f: regenerate with go run ./samples/gen", intAcc, rec.IntAccuracy)
			}
			if math.Abs(intAcc-floatAcc) > 0.005 || math.Abs(floatAcc-rec.FloatAccuracy) > 0.005 {
				t.Errorf("quantization costs too much: integer %.4f, float reference %.4f, trained %.4f", intAcc, floatAcc, rec.FloatAccuracy)
			}
		})
	}
}
