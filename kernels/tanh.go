package kernels

import "math"

// tanhKernel is TANH (int8, int16), after TFLite-Micro's tanh.cc with
// reference_integer_ops::Tanh. Parameters are derived as for LOGISTIC
// (logisticKernel, sigmoidFamily).
//
// int8: with d = x − zp_in, d ≤ −radius → −128, d ≥ radius → 127, otherwise
//
//	y = clamp(RoundingDivideByPOT(tanh(MultiplyByQuantizedMultiplier(d, m)), 24), −128, 127)
//
// (gemmlowp tanh on the Q4.27 input; the output zero point is not used).
//
// int16: v = (x·mult + round) >> shift as for LOGISTIC (power-of-two input
// scales with log2-derived shift 0 or 1 use multiplier 3 << shift), then
// tanh(x) = 2·sigmoid(2x) − 1 from the same sigmoid table at |v|/2^8,
// mirrored for negative v, rounded to Q0.15.
type tanhKernel struct{ sigmoidFamily }

// prepareTanh prepares a TANH node (see tanhKernel for the formula).
func prepareTanh(n *Node) (Kernel, error) {
	f, err := prepareSigmoidFamily(n, 0, 1)
	if err != nil {
		return nil, err
	}
	return &tanhKernel{*f}, nil
}

// prepareTanhTFLite prepares TANH of an int8 or uint8 input as full TFLite
// does (ImplTFLite: kReference and kGenericOptimized alike): the LUTPopulate
// table of tanhf (sigmoidFamily.entry8). A random sweep found it equal to
// TFLite-Micro's fixed point on 512,000 int8 table entries; uint8 has no
// TFLite-Micro kernel.
func prepareTanhTFLite(n *Node) (Kernel, error) {
	f, err := newSigmoidLUT(n, func(d float32) float32 { return float32(math.Tanh(float64(d))) }, "tanh")
	if err != nil {
		return nil, err
	}
	return &tanhKernel{*f}, nil
}

// prepareTanhOptimized prepares int16 TANH as the 2022 TFLite optimized
// kernel computes it when the input scale is 2^−12 or 2^−11: gemmlowp's
// int16 tanh of FixedPoint<int16, 3> applied to the raw input, doubled
// first (SaturatingRoundingMultiplyByPOT<1>) for 2^−11 (FixedPointTanh16;
// opzoo tanh_int16_pot_input xnnpack/ goldens). Other inputs are not taken.
func prepareTanhOptimized(n *Node) (Kernel, error) {
	f, err := prepareSigmoidFamilyGemmlowp16(n, "2^−12 or 2^−11", 0, 1)
	if err != nil {
		return nil, err
	}
	return &tanhKernel{*f}, nil
}

// elementInt8 computes one int8 output from the raw input x.
func (k *tanhKernel) elementInt8(x int8, c *Chain) int8 {
	d, sat := k.centredInt8(x, c)
	if sat != 0 {
		return saturatedInt8(sat, c)
	}
	q4 := k.toQ4(d, c)
	t := FixedPointTanh(q4, 4)
	q24 := RoundingDivideByPOT(t, 24)
	y := Clamp32(q24, math.MinInt8, math.MaxInt8)
	if c != nil {
		c.AddReal("tanh", int64(t), math.Ldexp(float64(t), -31), "gemmlowp tanh, Q0.31", "tanh(%d) = %d", q4, t)
		s := c.Add("rdbpot", int64(q24), "RoundingDivideByPOT by 24: Q0.31 → units of 1/128", "RDBPOT(%d, 24) = %d", t, q24)
		s.Changed = t&(1<<24-1) != 0
		s = c.Add("clamp", int64(y), "clamped to int8", "clamp(%d, −128, 127) = %d", q24, y)
		s.Changed = y != q24
	}
	return int8(y)
}

// elementInt16 computes one int16 output from the raw input x.
func (k *tanhKernel) elementInt16(x int16, c *Chain) int16 {
	if k.gemmlowp16 {
		v := SaturatingRoundingMultiplyByPOT16(x, k.potShift)
		y := FixedPointTanh16(v, 3)
		if c != nil {
			c.AddReal("x", int64(x), float64(k.in.Scale0())*float64(x), "raw input", "x = %d", x)
			if k.potShift != 0 {
				st := c.Add("shifted", int64(v), "input scale 2^−11: SaturatingRoundingMultiplyByPOT<1> to FixedPoint<int16, 3>", "%d·2 = %d", x, v)
				st.Changed = int32(v) != 2*int32(x)
			}
			c.AddReal("tanh", int64(y), float64(y)/32768, "gemmlowp tanh on FixedPoint<int16, 3>, Q0.15", "tanh(%d) = %d", v, y)
		}
		return y
	}
	v := k.rescaleInt16(x, c)
	abs := uint32(v)
	if v < 0 {
		abs = uint32(-v)
	}
	index := abs >> 8
	var interp int32
	if index >= 255 {
		interp = 0xFFFF << 8
	} else {
		ua, ub := uint32(sigmoidTableUint16[index]), uint32(sigmoidTableUint16[index+1])
		frac := abs & 0xFF
		interp = int32(ua<<8 + frac*(ub-ua))
		if c != nil {
			c.Add("table", int64(ua), "sigmoid_table_uint16[|v| >> 8] and the next entry (Q0.16)", "table[%d] = %d, table[%d] = %d", index, ua, index+1, ub)
		}
	}
	var res int32
	if v >= 0 {
		res = interp - 1<<23 + 1<<7
	} else {
		res = -interp + 1<<23 + 1<<7 - 1
	}
	res >>= 8
	if c != nil {
		if index >= 255 {
			s := c.Add("saturate", int64(interp), "|v| beyond the table: saturated", "%d >> 8 ≥ 255", abs)
			s.Changed = true
		} else {
			c.Add("interp", int64(interp), "linear interpolation of sigmoid(2|x|), Q0.24", "table[%d]·2^8 + %d·Δ = %d", index, abs&0xFF, interp)
		}
		c.AddReal("result", int64(int16(res)), float64(int16(res))/32768, "2·sigmoid − 1, mirrored for v < 0, rounded to Q0.15", "→ %d", int16(res))
	}
	return int16(res)
}

func (k *tanhKernel) Eval() error { return k.eval(k) }

func (k *tanhKernel) Explain(out, elem int, c *Chain) error { return k.explain(k, out, elem, c) }

func (k *tanhKernel) Describe() Params { return k.describe() }
