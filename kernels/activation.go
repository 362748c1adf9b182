package kernels

import (
	"math"

	"github.com/tflq/tflq-trace/tflite"
)

// Range returns the representable range of an integer dtype.
func Range(t tflite.TensorType) (lo, hi int32) {
	switch t {
	case tflite.TypeInt8:
		return math.MinInt8, math.MaxInt8
	case tflite.TypeUint8:
		return 0, math.MaxUint8
	case tflite.TypeInt16:
		return math.MinInt16, math.MaxInt16
	case tflite.TypeInt32:
		return math.MinInt32, math.MaxInt32
	}
	return math.MinInt32, math.MaxInt32
}

// quantizeForActivation is TFLite's Quantize helper inside
// CalculateActivationRangeQuantized: zp + int32(round(f/scale)) computed in
// float32. Where f/scale does not fit an int32 (a denormal or zero output
// scale) C++ leaves the conversion undefined; it saturates here (as ARM
// does), and so does the sum with zp, so that the range stays ordered.
func quantizeForActivation(f float32, scale float32, zp int32) int32 {
	q := math.Round(float64(f / scale))
	switch {
	case q != q:
		q = 0
	case q > math.MaxInt32:
		q = math.MaxInt32
	case q < math.MinInt32:
		q = math.MinInt32
	}
	return int32(min(max(q+float64(zp), math.MinInt32), math.MaxInt32))
}

// ActivationRange returns the integer clamp range [lo, hi] that TFLite's
// CalculateActivationRangeQuantized derives for fused activation act on an
// output tensor: RELU → [max(qmin, q(0)), qmax], RELU6 → [max(qmin, q(0)),
// min(qmax, q(6))], RELU_N1_TO_1 → [max(qmin, q(−1)), min(qmax, q(1))],
// NONE → [qmin, qmax], with q(f) = zp + round(f/scale).
func ActivationRange(act tflite.Activation, out *Tensor) (lo, hi int32) {
	lo, hi = Range(out.Type)
	scale := out.Scale0()
	zp := out.ZP0()
	switch act {
	case tflite.ActRelu:
		lo = max(lo, quantizeForActivation(0, scale, zp))
	case tflite.ActRelu6:
		lo = max(lo, quantizeForActivation(0, scale, zp))
		hi = min(hi, quantizeForActivation(6, scale, zp))
	case tflite.ActReluN1To1:
		lo = max(lo, quantizeForActivation(-1, scale, zp))
		hi = min(hi, quantizeForActivation(1, scale, zp))
	}
	return lo, hi
}
