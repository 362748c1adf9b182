package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tflq/tflq-trace/internal/oracle"
	"github.com/tflq/tflq-trace/tflite"
)

// refLogSoftmax is the oracle's float log-softmax of each row of the
// dequantized values, in units of the fixed output quantization (1/16, 127),
// clamped to int8 but not rounded.
func refLogSoftmax(values []int64, depth int, s float64) []float64 {
	out := make([]float64, 0, len(values))
	for lo := 0; lo < len(values); lo += depth {
		row := make([]float64, depth)
		for j, v := range values[lo : lo+depth] {
			row[j] = s * float64(v)
		}
		for _, l := range oracle.LogSoftmax(row) {
			out = append(out, math.Min(math.Max(l*16+127, -128), 127))
		}
	}
	return out
}

func TestLogSoftmax(t *testing.T) {
	t.Run("uniform row", func(t *testing.T) {
		// ln(1/8) = −2.079 → −33.27 steps of 1/16 → 127 − 33 = 94.
		in := arTensor(tflite.TypeInt8, []int{1, 8}, 0.05, 0, 7, 7, 7, 7, 7, 7, 7, 7)
		out := arTensor(tflite.TypeInt8, []int{1, 8}, 1.0/16, 127)
		arRun(t, arNode(tflite.OpLogSoftmax, tflite.Options{}, RoundingDouble, out, in))
		arEqual(t, arValues(out), []int64{94, 94, 94, 94, 94, 94, 94, 94})
	})
	t.Run("dominant element", func(t *testing.T) {
		// s = 0.5: the others are 127.5 below the maximum (exp ≈ 0): the maximum
		// maps to ln(1) = 0 → 127, the others saturate at −128.
		in := arTensor(tflite.TypeInt8, []int{3}, 0.5, 0, 127, -128, -128)
		out := arTensor(tflite.TypeInt8, []int{3}, 1.0/16, 127)
		arRun(t, arNode(tflite.OpLogSoftmax, tflite.Options{}, RoundingDouble, out, in))
		arEqual(t, arValues(out), []int64{127, -128, -128})
	})
	for _, rule := range Roundings() {
		t.Run("random rows/"+rule.String(), func(t *testing.T) {
			r := rand.New(rand.NewPCG(7, uint64(rule)))
			for _, s := range []float32{0.01, 0.0481669, 0.2} {
				const rows, depth = 6, 9
				vals := make([]int64, rows*depth)
				for i := range vals {
					vals[i] = r.Int64N(256) - 128
				}
				in := arTensor(tflite.TypeInt8, []int{2, 3, depth}, s, -5, vals...)
				out := arTensor(tflite.TypeInt8, []int{2, 3, depth}, 1.0/16, 127)
				k := arRun(t, arNode(tflite.OpLogSoftmax, tflite.Options{}, rule, out, in))
				arCheckNoAlloc(t, k)
				want := refLogSoftmax(vals, depth, float64(s))
				for i, got := range arValues(out) {
					if math.Abs(float64(got)-want[i]) > 1 {
						t.Errorf("s=%g element %d: got %d, float reference %.3f", s, i, got, want[i])
					}
				}
			}
		})
	}
	t.Run("fixed output quantization", func(t *testing.T) {
		in := arTensor(tflite.TypeInt8, []int{2}, 0.1, 0)
		out := arTensor(tflite.TypeInt8, []int{2}, 1.0/16, 0)
		if _, err := Prepare(arNode(tflite.OpLogSoftmax, tflite.Options{}, RoundingDouble, out, in)); err == nil {
			t.Error("LOG_SOFTMAX with output zero point 0 prepared")
		}
	})
}
