package kernels

import (
	"fmt"
	"math"

	"github.com/tflq/tflq-trace/tflite"
)

// l2NormOutputShift is log2 of the output's 1/128 scale.
const l2NormOutputShift = 7

// l2NormalizationKernel is L2_NORMALIZATION (int8), after TFLite-Micro's
// l2norm.cc with reference_integer_ops::L2Normalization, over the last axis.
// The output quantization is fixed at scale 1/128, zero point 0 (the kernel
// adds no output zero point); no fused activation. Per row, with d = x − zp_in:
//
//	(m, e) = GetInvSqrtQuantizedMultiplierExp(Σ d²)      1/√Σd² = m·2^(e−31)
//	y      = clamp(MultiplyByQuantizedMultiplier(d, m, e + 7), −128, 127)
type l2NormalizationKernel struct {
	int8Rows
	inZP int32
}

// prepareL2Normalization prepares an L2_NORMALIZATION node (see
// l2NormalizationKernel for the formula).
func prepareL2Normalization(n *Node) (Kernel, error) {
	in, out, err := unaryQuantOperands(n, tflite.TypeInt8)
	if err != nil {
		return nil, err
	}
	if in.Rank() < 1 || in.Rank() > 4 || !sameShape(in.Shape, out.Shape) {
		return nil, fmt.Errorf("%w: L2_NORMALIZATION input %v, output %v", ErrBadShape, in.Shape, out.Shape)
	}
	if act := fusedActivationOf(n); act != tflite.ActNone {
		return nil, fmt.Errorf("%w: L2_NORMALIZATION supports no fused activation, has %v", ErrBadQuantization, act)
	}
	k := &l2NormalizationKernel{int8Rows: newInt8Rows(n, in, out), inZP: in.ZP0()}
	return k, nil
}

// row normalises one row into out (when non-nil); with c non-nil it records
// the row steps and those of element want, and returns that element.
func (k *l2NormalizationKernel) row(in, out []int8, want int, c *Chain) int32 {
	var acc int32
	for _, x := range in {
		d := int32(x) - k.inZP
		acc += d * d
	}
	inv := GetInvSqrtQuantizedMultiplierExp(acc)
	q := QuantizedMultiplier{Multiplier: inv.Multiplier, Shift: inv.Shift + l2NormOutputShift}
	if c != nil {
		s := float64(k.in.Scale0())
		c.AddReal("sum_squares", int64(acc), s*s*float64(acc), "Σ (x − zp)² over the row", "Σ d² = %d", acc)
		c.AddReal("inv_sqrt", int64(inv.Multiplier), inv.Real(), "GetInvSqrtQuantizedMultiplierExp: 1/√Σd² = multiplier·2^(shift−31)",
			"1/√%d → %d·2^(%d−31)", acc, inv.Multiplier, inv.Shift)
	}
	var result int32
	for j, x := range in {
		d := int32(x) - k.inZP
		var y int32
		if j == want && c != nil {
			c.AddReal("x", int64(x), float64(k.in.Scale0())*float64(d), "raw input", "x = %d", x)
			c.Add("offset", int64(d), "input minus its zero point", "%d − (%d) = %d", x, k.inZP, d)
			y = Requantize(d, q, k.node.Rounding, 0, math.MinInt8, math.MaxInt8, c)
			result = y
		} else {
			y = Clamp32(MultiplyByQuantizedMultiplier(d, q.Multiplier, q.Shift, k.node.Rounding), math.MinInt8, math.MaxInt8)
		}
		if out != nil {
			out[j] = int8(y)
		}
	}
	return result
}

func (k *l2NormalizationKernel) Eval() error {
	evalRows(k, &k.int8Rows, (*l2NormalizationKernel).row)
	return nil
}

func (k *l2NormalizationKernel) Explain(out, elem int, c *Chain) error {
	return explainRows(k, &k.int8Rows, (*l2NormalizationKernel).row, out, elem, c)
}

func (k *l2NormalizationKernel) Describe() Params {
	return Params{Ints: []NamedInt{
		{Name: "input_zero_point", Value: int64(k.inZP)},
		{Name: "output_shift", Value: l2NormOutputShift},
	}}
}
