package oracle

import (
	"fmt"
	"math"

	"github.com/tflq/tflq-trace/tflite"
)

// TypeRange is the representable range of an integer tensor type
// (std::numeric_limits<T>::min/max): [0, 2^n − 1] for the unsigned uint8,
// [−2^(n−1), 2^(n−1) − 1] for the n-bit signed int8, int16 and int32.
func TypeRange(typ tflite.TensorType) (lo, hi int64) {
	bits := map[tflite.TensorType]uint{tflite.TypeUint8: 8, tflite.TypeInt8: 8, tflite.TypeInt16: 16, tflite.TypeInt32: 32}[typ]
	switch {
	case bits == 0:
		panic(fmt.Sprintf("oracle.TypeRange: %v is not a quantized integer type", typ))
	case typ == tflite.TypeUint8:
		return 0, 1<<bits - 1
	}
	return -1 << (bits - 1), 1<<(bits-1) - 1
}

// activationBound is the Quantize helper of
// CalculateActivationRangeQuantizedImpl (tensorflow/lite/kernels/kernel_util.cc):
// zero_point + static_cast<int32_t>(TfLiteRound(f / scale)), where f and
// scale are floats, so f / scale is a float32 division; TfLiteRound is
// std::round (half away from zero), exact on a float32 value held in a
// float64. TFLite refuses (TF_LITE_ENSURE) a quotient outside int32.
func activationBound(f, scale float32, zp int64) int64 {
	quot := float32(f / scale)
	r := math.Round(float64(quot))
	if !(r >= math.MinInt32 && r <= math.MaxInt32) {
		panic(fmt.Sprintf("oracle.ActivationRange: %v / %v does not fit in int32", f, scale))
	}
	return zp + int64(r)
}

// activationInterval is the real interval [lo, hi] each clamping fused
// activation keeps (no hi: unbounded above).
var activationInterval = map[tflite.Activation]struct {
	lo, hi float32
	hasHi  bool
}{
	tflite.ActRelu:      {lo: 0},
	tflite.ActRelu6:     {lo: 0, hi: 6, hasHi: true},
	tflite.ActReluN1To1: {lo: -1, hi: 1, hasHi: true},
}

// ActivationRange is the integer clamp range of fused activation act on an
// output of type typ, scale and zero point zp, as TFLite's
// CalculateActivationRangeQuantized derives it
// (tensorflow/lite/kernels/kernel_util.cc, CalculateActivationRangeQuantizedImpl):
// the activation's real interval (RELU [0, ∞), RELU6 [0, 6], RELU_N1_TO_1
// [−1, 1]) with each finite end quantized as q(f) = zp + round(f / scale)
// in float32 (activationBound), intersected with TypeRange(typ); any other
// activation clamps to TypeRange(typ) only.
func ActivationRange(act tflite.Activation, typ tflite.TensorType, scale float32, zp int64) (lo, hi int64) {
	lo, hi = TypeRange(typ)
	if iv, ok := activationInterval[act]; ok {
		lo = max(lo, activationBound(iv.lo, scale, zp))
		if iv.hasHi {
			hi = min(hi, activationBound(iv.hi, scale, zp))
		}
	}
	return lo, hi
}

// Quantize is the quantized value nearest to the real number r:
// round(r / scale) + zp with the division in float64 and ties away from
// zero, clamped to TypeRange(typ) (±Inf clamps to an end). It is the
// definition of affine quantization (real = scale·(q − zp)), the value a
// float reference is compared against, not a TFLite routine; for TFLite's
// QUANTIZE of a float32 input see QuantizeFloat32.
func Quantize(r float64, scale float32, zp int64, typ tflite.TensorType) int64 {
	if math.IsNaN(r) {
		panic("oracle.Quantize: NaN")
	}
	lo, hi := TypeRange(typ)
	v := math.Round(r/float64(scale)) + float64(zp)
	return int64(math.Min(math.Max(v, float64(lo)), float64(hi)))
}

// QuantizeFloat32 is TFLite's AffineQuantize for one float32 value
// (tensorflow/lite/kernels/internal/reference/quantize.h):
// static_cast<int32_t>(TfLiteRound(val / static_cast<float>(scale))) +
// zero_point, clamped to the output type: a float32 division, rounded half
// away from zero.
func QuantizeFloat32(f, scale float32, zp int64, typ tflite.TensorType) int64 {
	quot := float32(f / scale)
	r := math.Round(float64(quot))
	if !(r >= math.MinInt32 && r <= math.MaxInt32) {
		panic(fmt.Sprintf("oracle.QuantizeFloat32: %v / %v does not fit in int32", f, scale))
	}
	lo, hi := TypeRange(typ)
	return Clamp(int64(r)+zp, lo, hi)
}

// ---- real multipliers, as each TFLite kernel's Prepare forms them ----

// ConvMultiplier is the real output multiplier of one output channel as
// PopulateConvolutionQuantizationParams (tensorflow/lite/kernels/kernel_util.cc)
// forms it for CONV_2D, DEPTHWISE_CONV_2D and TRANSPOSE_CONV, per channel or
// per tensor, and TFLite-Micro's per-channel FULLY_CONNECTED:
// effective_output_scale = double(input_scale)·double(filter_scale) /
// double(output_scale), every factor widened before the product.
func ConvMultiplier(sIn, sW, sOut float32) float64 {
	return float64(sIn) * float64(sW) / float64(sOut)
}

// ConvMultipliers is ConvMultiplier for each filter scale.
func ConvMultipliers(sIn float32, sW []float32, sOut float32) []float64 {
	out := make([]float64, len(sW))
	for i, s := range sW {
		out[i] = ConvMultiplier(sIn, s, sOut)
	}
	return out
}

// ProductMultiplier is the real multiplier of GetQuantizedConvolutionMultipler
// (tensorflow/lite/kernels/kernel_util.cc, the overload without bias):
// static_cast<double>(input->params.scale * filter->params.scale) /
// static_cast<double>(output->params.scale): the product of the two scales is
// a float32 product, rounded to float32 before it is widened and divided in
// double. TFLite-Micro uses it for per-tensor FULLY_CONNECTED
// (fully_connected_common.cc) and BATCH_MATMUL (batch_matmul.cc).
func ProductMultiplier(sIn, sW, sOut float32) float64 {
	prod := float32(sIn * sW) // the explicit conversion forbids a fused wider product
	return float64(prod) / float64(sOut)
}

// MulMultiplier is MUL's real multiplier (tensorflow/lite/micro/kernels/mul_common.cc,
// CalculateOpDataMul): double(s1)·double(s2)/double(s_out).
func MulMultiplier(s1, s2, sOut float32) float64 {
	return float64(s1) * float64(s2) / float64(sOut)
}

// MulMultiplierTFLite is full TFLite's MUL multiplier (LiteRT mul.cc
// Prepare): the C++ expression s1·s2/s_out on float scales, so every step is
// a float32 operation, widened to double only for QuantizeMultiplier.
func MulMultiplierTFLite(s1, s2, sOut float32) float64 {
	prod := float32(s1 * s2)
	return float64(float32(prod / sOut))
}

// QuantizedReluXMultiplier is full TFLite's RELU/RELU6 multiplier
// (activations.cc ReluPrepare): double real_multiplier = s_in / s_out on
// float scales, a float32 division widened afterwards.
func QuantizedReluXMultiplier(sIn, sOut float32) float64 { return float64(float32(sIn / sOut)) }

// AddSubLeftShift is the headroom left_shift of ADD and SUB: 15 for an int16
// output, 20 otherwise (add_common.cc, sub_common.cc).
func AddSubLeftShift(typ tflite.TensorType) int {
	if typ == tflite.TypeInt16 {
		return 15
	}
	return 20
}

// AddMultipliers are ADD's three real multipliers
// (tensorflow/lite/micro/kernels/add_common.cc, CalculateOpDataAdd), in
// double: twice = 2·double(max(s1, s2)), m1 = s1/twice, m2 = s2/twice,
// mOut = twice / (2^leftShift·s_out).
func AddMultipliers(s1, s2, sOut float32, leftShift int) (m1, m2, mOut float64) {
	twice := 2 * float64(max(s1, s2))
	return float64(s1) / twice, float64(s2) / twice, twice / (math.Ldexp(1, leftShift) * float64(sOut))
}

// SubMultipliers are SUB's three real multipliers
// (tensorflow/lite/micro/kernels/sub_common.cc, CalculateOpDataSub): the same
// formulas as AddMultipliers but every step in float32 (twice_max_input_scale
// is a float), each result widened to double at the end.
func SubMultipliers(s1, s2, sOut float32, leftShift int) (m1, m2, mOut float64) {
	twice := float32(2 * max(s1, s2))
	denom := float32(float32(math.Ldexp(1, leftShift)) * sOut)
	return float64(float32(s1 / twice)), float64(float32(s2 / twice)), float64(float32(twice / denom))
}

// LeakyReluMultipliers are LEAKY_RELU's real multipliers
// (tensorflow/lite/micro/kernels/leaky_relu_common.cc, CalculateOpDataLeakyRelu),
// both formed in float32 and then widened: identity = double(s_in/s_out),
// alpha = double(s_in·alpha/s_out).
func LeakyReluMultipliers(sIn, sOut, alpha float32) (identity, alphaM float64) {
	return float64(float32(sIn / sOut)), float64(float32(float32(sIn*alpha) / sOut))
}
