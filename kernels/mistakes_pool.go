package kernels

import (
	"fmt"

	"github.com/tflq/tflq-trace/tflite"
)

// The mistake model of AVERAGE_POOL_2D (integer types): TFLite divides the
// window's sum by its count rounding half away from zero, (sum ± count/2) /
// count; the mistakes are the rounding (half-even, truncate toward zero or
// floor) and no-clamp (the fused activation's range ignored). float-requant
// (round_half_away(sum/count) in double) is TFLite's own rounding, so it is
// not a mistake here.

func (k *poolKernel) mistakeModel() (*MistakeModel, error) {
	if !k.average || k.in.Type == tflite.TypeFloat32 {
		return nil, fmt.Errorf("%w for %v %v", ErrNoMistakeModel, k.n.Op, k.in.Type)
	}
	typeLo, typeHi := Range(k.out.Type)
	m := &MistakeModel{node: k.n, elements: k.out.NumElements()}
	m.applicable = SetOf(MistakeHalfEven, MistakeTruncate)
	if k.lo != typeLo || k.hi != typeHi {
		m.applicable |= SetOf(MistakeNoClamp)
	}
	m.values = func(h Hypothesis, dst []float64) {
		for i := range dst {
			sum, count := k.windowSum(i)
			dst[i] = k.mistakenAverage(h, sum, count, typeLo, typeHi, nil)
		}
	}
	m.explain = func(h Hypothesis, elem int, c *Chain) {
		sum, count := k.windowSum(elem)
		b, ch, originY, originX, fyStart, fyEnd, fxStart, fxEnd := k.window(elem)
		k.recordWindow(c, b, ch, originY, originX, fyStart, fyEnd, fxStart, fxEnd, count)
		c.Add("sum", int64(sum), "sum of the window's raw values", "Σ window = %d", sum)
		c.Final = int64(k.mistakenAverage(h, sum, count, typeLo, typeHi, c))
	}
	m.sentence = func(mk Mistake, h Hypothesis) string {
		switch mk {
		case MistakeHalfEven:
			return "TFLite divides the window's sum by its count rounding ties away from zero, (sum ± count/2) / count; your numbers round ties to even (np.round of the mean)."
		case MistakeTruncate:
			if h.Floor {
				return "TFLite rounds the mean to nearest, (sum ± count/2) / count; your numbers round it down (sum // count, floor)."
			}
			return "TFLite rounds the mean to nearest, (sum ± count/2) / count; your numbers truncate it toward zero (C's sum / count without the ± count/2, int(mean))."
		case MistakeNoClamp:
			return clampSentence(h, k.lo, k.hi, typeLo, typeHi, k.act.String())
		}
		return ""
	}
	return m, nil
}

// windowSum is the sum and count of output element elem's window.
func (k *poolKernel) windowSum(elem int) (sum int32, count int) {
	b, ch, originY, originX, fyStart, fyEnd, fxStart, fxEnd := k.window(elem)
	for fy := fyStart; fy < fyEnd; fy++ {
		for fx := fxStart; fx < fxEnd; fx++ {
			sum += int32(k.in.Int(((b*k.inH+originY+fy)*k.inW+originX+fx)*k.depth + ch))
			count++
		}
	}
	return sum, count
}

// mistakenAverage is the average under h, clamped as h says.
func (k *poolKernel) mistakenAverage(h Hypothesis, sum int32, count int, typeLo, typeHi int32, c *Chain) float64 {
	if count == 0 {
		return 0
	}
	var avg float64
	n := int32(count)
	kind, float := h.floatRounding()
	if float {
		avg = kind.round(float64(sum) / float64(count))
		if c != nil {
			s := c.Add("average", int64(avg), "the mean "+kind.meaning(), "%s = %s", kind.formula(fmt.Sprintf("%d / %d", sum, count)), fmtNum(avg))
			s.Changed = sum%n != 0
		}
	} else {
		r := (sum - n/2) / n
		sign := "−"
		if sum > 0 {
			r, sign = (sum+n/2)/n, "+"
		}
		avg = float64(r)
		if c != nil {
			s := c.Add("average", int64(r), "rounded division: (sum ± count/2) / count, truncating (half away from zero)",
				"(%d %s %d) / %d = %d", sum, sign, n/2, n, r)
			s.Changed = sum%n != 0
		}
	}
	if c == nil {
		return clampOutput(avg, h, k.lo, k.hi, typeLo, typeHi)
	}
	return recordClamp(c, avg, h, k.lo, k.hi, typeLo, typeHi, "the fused activation's range ("+k.act.String()+")")
}
