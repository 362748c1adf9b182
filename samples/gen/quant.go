package main

import "math"

// Post-training full-integer quantization, computed the way the TensorFlow
// Lite converter (MLIR quantizer, representative dataset) computes it:
//
//   - activations: int8, asymmetric, from the calibrated min/max of each
//     tensor over the representative data, the range first widened to
//     contain 0, then FakeQuantSupport's getNudgedScaleAndZeroPoint
//     (scale = (max−min)/255 in double, zero point from whichever end adds
//     less rounding error, rounded half away from zero and clamped);
//   - weights: int8, symmetric, narrow range [−127, 127], zero point 0,
//     scale = max|w|/127, per tensor (FULLY_CONNECTED) or per output channel
//     along axis 0 (CONV_2D); values round(w/scale), half away from zero;
//   - biases: int32, zero point 0, scale s_in·s_w[c] (double product);
//   - SOFTMAX output: fixed scale 1/256, zero point −128.
//
// Scales are kept in double while deriving the model and rounded to float32
// only when written into the flatbuffer, as the converter's export does.

// quantParams is an affine quantization: real = scale·(q − zeroPoint).
type quantParams struct {
	scale     float64
	zeroPoint int64
}

const (
	int8Min = -128
	int8Max = 127
)

// calibration accumulates the min/max of a tensor over the representative
// data (TFLite's calibrator keeps the overall extremes).
type calibration struct {
	min, max float64
	seen     bool
}

func (c *calibration) observe(values []float32) {
	for _, v := range values {
		f := float64(v)
		if !c.seen {
			c.min, c.max, c.seen = f, f, true
			continue
		}
		c.min = min(c.min, f)
		c.max = max(c.max, f)
	}
}

// activationParams returns the converter's int8 parameters for a
// calibrated range.
func activationParams(rmin, rmax float64) quantParams {
	rmin = min(rmin, 0)
	rmax = max(rmax, 0)
	const qmin, qmax = float64(int8Min), float64(int8Max)
	if math.Abs(rmax-rmin) < 0x1p-52 { // all zeros: the converter uses scale 1
		return quantParams{scale: 1, zeroPoint: int8Min}
	}
	scale := (rmax - rmin) / (qmax - qmin)
	fromMin := qmin - rmin/scale
	fromMinErr := math.Abs(qmin) + math.Abs(rmin/scale)
	fromMax := qmax - rmax/scale
	fromMaxErr := math.Abs(qmax) + math.Abs(rmax/scale)
	zp := fromMax
	if fromMinErr < fromMaxErr {
		zp = fromMin
	}
	var nudged int64
	switch {
	case zp < qmin:
		nudged = int8Min
	case zp > qmax:
		nudged = int8Max
	default:
		nudged = int64(math.Round(zp))
	}
	return quantParams{scale: scale, zeroPoint: nudged}
}

// symmetricScale is the narrow-range symmetric weight scale for values
// whose largest magnitude is absMax: (2·absMax)/254.
func symmetricScale(absMax float64) float64 {
	if 2*absMax < 0x1p-52 {
		return 1
	}
	return (absMax - -absMax) / (int8Max - (int8Min + 1))
}

func absMax(w []float32) float64 {
	var m float64
	for _, v := range w {
		m = max(m, math.Abs(float64(v)))
	}
	return m
}

// quantizeWeights quantizes w with one scale per row of rowLen values
// (one scale in total for per-tensor quantization).
func quantizeWeights(w []float32, scales []float64) []int8 {
	rowLen := len(w) / len(scales)
	q := make([]int8, len(w))
	for i, v := range w {
		r := math.Round(float64(v) / scales[i/rowLen])
		q[i] = int8(max(-int8Max, min(int8Max, r)))
	}
	return q
}

// weightScales returns the per-tensor (channels = 1) or per-channel
// (axis 0) symmetric scales of w.
func weightScales(w []float32, channels int) []float64 {
	rowLen := len(w) / channels
	s := make([]float64, channels)
	for c := range s {
		s[c] = symmetricScale(absMax(w[c*rowLen : (c+1)*rowLen]))
	}
	return s
}

// biasScales returns s_in·s_w[c] for each output channel.
func biasScales(inScale float64, wScales []float64, channels int) []float64 {
	s := make([]float64, channels)
	for c := range s {
		s[c] = inScale * wScales[min(c, len(wScales)-1)]
	}
	return s
}

// quantizeBias quantizes b to int32 with scale[c] per channel, zero point 0.
func quantizeBias(b []float32, scales []float64) []int32 {
	q := make([]int32, len(b))
	for c, v := range b {
		r := math.Round(float64(v) / scales[c])
		q[c] = int32(max(math.MinInt32, min(math.MaxInt32, r)))
	}
	return q
}

// softmaxOutput is the fixed int8 SOFTMAX output quantization.
var softmaxOutput = quantParams{scale: 1.0 / 256, zeroPoint: -128}
