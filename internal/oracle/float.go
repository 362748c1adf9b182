package oracle

import "math"

// Float references of the ops TFLite computes in fixed point or through
// tables (LOGISTIC, SOFTMAX, LOG_SOFTMAX): the real function of the
// dequantized input, in float64, which a test compares with the kernel's
// output within a tolerance it states.

// Logistic is 1/(1 + e^−x).
func Logistic(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// Softmax is the softmax of row with inverse temperature beta:
// e^(β·(x_i − max)) / Σ_j e^(β·(x_j − max)) (TFLite's SOFTMAX definition,
// tensorflow/lite/kernels/internal/reference/softmax.h; the maximum is
// subtracted for range, as TFLite does).
func Softmax(row []float64, beta float64) []float64 {
	mx := math.Inf(-1)
	for _, v := range row {
		mx = math.Max(mx, v)
	}
	out := make([]float64, len(row))
	var sum float64
	for i, v := range row {
		out[i] = math.Exp(beta * (v - mx))
		sum += out[i]
	}
	for i := range out {
		out[i] /= sum
	}
	return out
}

// LogSoftmax is log(Softmax(row, 1)) computed as
// (x_i − max) − log Σ_j e^(x_j − max) (reference/log_softmax.h).
func LogSoftmax(row []float64) []float64 {
	mx := math.Inf(-1)
	for _, v := range row {
		mx = math.Max(mx, v)
	}
	var sum float64
	for _, v := range row {
		sum += math.Exp(v - mx)
	}
	out := make([]float64, len(row))
	for i, v := range row {
		out[i] = v - mx - math.Log(sum)
	}
	return out
}
