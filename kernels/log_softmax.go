package kernels

import (
	"fmt"
	"math"

	"github.com/tflq/tflq-trace/tflite"
)

// Fixed-point formats of LOG_SOFTMAX: integer bits of the rescaled input
// difference (Q5.26), of the sum of exponentials (Q12.19) and of the output
// stage, and the fixed output zero point.
const (
	logSoftmaxInputIntegerBits        = 5
	logSoftmaxAccumulationIntegerBits = 12
	logSoftmaxOutputIntegerBits       = 4
	logSoftmaxOutputZeroPoint         = 127
)

// logSoftmaxKernel is LOG_SOFTMAX (int8), after TFLite-Micro's log_softmax.cc
// with reference_ops::LogSoftmaxQuantized, over the last axis. The output
// quantization is fixed: scale 16/256, zero point 127. Prepare
// (PreprocessLogSoftmaxScalingExp, beta = 1, 5 integer bits), in double:
//
//	M      = min(s_in · 2^26, 2^31 − 1)   (2^30 − 1 under single rounding), QuantizeMultiplier
//	M_rev  = 2^(31 − M.shift) / M.mult,   QuantizeMultiplier
//	diff_min = −CalculateInputRadius(5, M.shift)
//
// Per row, with d = x − max(row) and scaled(d) = MultiplyByQuantizedMultiplier(d, M) in Q5.26:
//
//	S      = Σ_{d ≥ diff_min} Rescale<12>(exp_on_negative_values(scaled(d)))        Q12.19
//	L      = log_x_for_x_greater_than_or_equal_to_1<5>(S)                           Q5.26
//	cut    = max(diff_min − 1, MultiplyByQuantizedMultiplier(L + INT32_MIN, M_rev))
//	y      = d > cut ? clamp(RoundingDivideByPOT(scaled(d) − L, 22) + 127) : −128
type logSoftmaxKernel struct {
	int8Rows
	real        float64
	realReverse float64
	q, qReverse QuantizedMultiplier
	diffMin     int32
}

// prepareLogSoftmax prepares a LOG_SOFTMAX node (see logSoftmaxKernel for the
// formula).
func prepareLogSoftmax(n *Node) (Kernel, error) {
	in, out, err := unaryQuantOperands(n, tflite.TypeInt8)
	if err != nil {
		return nil, err
	}
	if in.Rank() < 1 || !sameShape(in.Shape, out.Shape) {
		return nil, fmt.Errorf("%w: LOG_SOFTMAX input %v, output %v", ErrBadShape, in.Shape, out.Shape)
	}
	if out.Scale0() != float32(16.0/256) || out.ZP0() != logSoftmaxOutputZeroPoint {
		return nil, fmt.Errorf("%w: LOG_SOFTMAX output must have scale 16/256 and zero point 127", ErrBadQuantization)
	}
	k := &logSoftmaxKernel{int8Rows: newInt8Rows(n, in, out)}
	maxReal := float64(1<<31 - 1)
	if n.Rounding == RoundingSingle {
		maxReal = float64(1<<30 - 1)
	}
	const beta = 1.0
	k.real = min(beta*float64(in.Scale0())*float64(int32(1)<<(31-logSoftmaxInputIntegerBits)), maxReal)
	k.q = QuantizeMultiplier(k.real, n.Rounding)
	if k.q.Shift < 1 || k.q.Shift > 30 {
		return nil, fmt.Errorf("%w: LOG_SOFTMAX input multiplier %g gives shift %d", ErrBadQuantization, k.real, k.q.Shift)
	}
	k.realReverse = float64(int32(1)<<uint(31-k.q.Shift)) / float64(k.q.Multiplier)
	k.qReverse = QuantizeMultiplier(k.realReverse, n.Rounding)
	k.diffMin = -CalculateInputRadius(logSoftmaxInputIntegerBits, k.q.Shift, 31)
	return k, nil
}

// row computes one row into out (when non-nil). With c non-nil it records
// the row steps and those of element want and returns that element.
func (k *logSoftmaxKernel) row(in, out []int8, want int, c *Chain) int32 {
	r := k.node.Rounding
	maxIn := int32(math.MinInt8)
	for _, x := range in {
		maxIn = max(maxIn, int32(x))
	}
	var sum int32 // Q12.19
	for _, x := range in {
		diff := int32(x) - maxIn
		if diff >= k.diffMin {
			scaled := MultiplyByQuantizedMultiplier(diff, k.q.Multiplier, k.q.Shift, r)
			sum += RescaleFixedPoint(ExpOnNegativeValues(scaled, logSoftmaxInputIntegerBits), 0, logSoftmaxAccumulationIntegerBits)
		}
	}
	logSum := LogXForXGreaterThanOrEqualTo1(sum, logSoftmaxAccumulationIntegerBits, logSoftmaxInputIntegerBits)
	shiftedLogSum := logSum + math.MinInt32
	reverse := MultiplyByQuantizedMultiplier(shiftedLogSum, k.qReverse.Multiplier, k.qReverse.Shift, r)
	cut := max(k.diffMin-1, reverse)
	if c != nil {
		unit := float64(k.in.Scale0())
		c.AddReal("max", int64(maxIn), unit*float64(maxIn-k.in.ZP0()), "largest input of the row", "max(row) = %d", maxIn)
		c.AddReal("sum_exp", int64(sum), math.Ldexp(float64(sum), logSoftmaxAccumulationIntegerBits-31),
			"Σ exp(s·(x−max)) over the row in Q12.19 (differences below diff_min skipped)", "Σ Rescale<12>(exp) = %d", sum)
		c.AddReal("log_sum", int64(logSum), math.Ldexp(float64(logSum), logSoftmaxInputIntegerBits-31),
			"log_x_for_x_greater_than_or_equal_to_1<5>(sum): ln Σ in Q5.26", "ln(%d) → %d", sum, logSum)
		c.Add("cut", int64(cut), "adjusted diff_min: max(diff_min − 1, MBQM(ln Σ + INT32_MIN, M_rev)); differences not above it give −128",
			"max(%d, MBQM(%d, %d, %d) = %d) = %d", k.diffMin-1, shiftedLogSum, k.qReverse.Multiplier, k.qReverse.Shift, reverse, cut)
	}
	var result int32
	for j, x := range in {
		var ce *Chain
		if j == want {
			ce = c
		}
		diff := int32(x) - maxIn
		y := int32(math.MinInt8)
		if diff > cut {
			scaled := MultiplyByQuantizedMultiplier(diff, k.q.Multiplier, k.q.Shift, r)
			centred := scaled - logSum
			shifted := RoundingDivideByPOT(centred, 31-logSoftmaxInputIntegerBits-logSoftmaxOutputIntegerBits)
			unsat := shifted + logSoftmaxOutputZeroPoint
			y = Clamp32(unsat, math.MinInt8, math.MaxInt8)
			if ce != nil {
				ce.AddReal("diff", int64(diff), float64(k.in.Scale0())*float64(diff), "input minus the row maximum", "%d − %d = %d", x, maxIn, diff)
				ce.AddReal("scaled_diff", int64(scaled), math.Ldexp(float64(scaled), logSoftmaxInputIntegerBits-31),
					"s·diff in Q5.26: MultiplyByQuantizedMultiplier(diff, M)", "MBQM(%d, %d, %d) = %d", diff, k.q.Multiplier, k.q.Shift, scaled)
				ce.AddReal("minus_log_sum", int64(centred), math.Ldexp(float64(centred), logSoftmaxInputIntegerBits-31),
					"scaled diff − ln Σ (Q5.26)", "%d − %d = %d", scaled, logSum, centred)
				s := ce.AddReal("rdbpot", int64(shifted), float64(shifted)/16, "RoundingDivideByPOT by 22: Q5.26 to the output step 1/16",
					"RDBPOT(%d, 22) = %d", centred, shifted)
				s.Changed = centred&(1<<22-1) != 0
				ce.Add("zp", int64(unsat), "plus the output zero point 127", "%d + 127 = %d", shifted, unsat)
				s = ce.Add("clamp", int64(y), "clamped to int8", "clamp(%d, −128, 127) = %d", unsat, y)
				s.Changed = y != unsat
			}
		} else if ce != nil {
			ce.AddReal("diff", int64(diff), float64(k.in.Scale0())*float64(diff), "input minus the row maximum", "%d − %d = %d", x, maxIn, diff)
			s := ce.Add("below_cut", int64(y), "difference not above the cut: the smallest output", "%d ≤ %d → −128", diff, cut)
			s.Changed = true
		}
		if out != nil {
			out[j] = int8(y)
		}
		if j == want {
			result = y
		}
	}
	return result
}

func (k *logSoftmaxKernel) Eval() error {
	evalRows(k, &k.int8Rows, (*logSoftmaxKernel).row)
	return nil
}

func (k *logSoftmaxKernel) Explain(out, elem int, c *Chain) error {
	return explainRows(k, &k.int8Rows, (*logSoftmaxKernel).row, out, elem, c)
}

func (k *logSoftmaxKernel) Describe() Params {
	return Params{
		Multipliers: []Multiplier{
			{Name: "input_multiplier", Channel: -1, Real: k.real, Quantized: k.q,
				What: "β·s_in·2^(31−5): scales x − max to Q5.26 (not an output requantization)"},
			{Name: "reverse_scaling", Channel: -1, Real: k.realReverse, Quantized: k.qReverse,
				What: "back from Q5.26 to the input's scale, for diff_min"},
		},
		Ints: []NamedInt{{Name: "diff_min", Value: int64(k.diffMin)}},
	}
}
