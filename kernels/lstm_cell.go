package kernels

import (
	"fmt"
	"math"
	"strings"
)

// gateValue computes gate g of unit s from the input row x and the previous
// hidden row h: the pre-activation in Q3.12 and the gate output in Q0.15.
func (k *lstmKernel) gateValue(g int, x, h []int8, s int, c *Chain) int16 {
	gate := &k.gates[g]
	r := k.node.Rounding
	inW := gate.inW[s*k.inDim : (s+1)*k.inDim]
	recW := gate.recW[s*k.dim : (s+1)*k.dim]

	var accIn, accRec int32
	if gate.inWOff == 0 {
		accIn = dot8x8(x, inW, k.inOff)
	} else {
		accIn = dot8x8Off(x, inW, k.inOff, gate.inWOff)
	}
	dotIn := accIn
	accIn += gate.bias[s]
	fcIn := Clamp32(MultiplyByQuantizedMultiplier(accIn, gate.inQ.Multiplier, gate.inQ.Shift, r), math.MinInt16, math.MaxInt16)
	if gate.recWOff == 0 {
		accRec = dot8x8(h, recW, k.hiddenOff)
	} else {
		accRec = dot8x8Off(h, recW, k.hiddenOff, gate.recWOff)
	}
	recScaled := MultiplyByQuantizedMultiplier(accRec, gate.recQ.Multiplier, gate.recQ.Shift, r)
	fcRec := recScaled
	if !k.litert {
		fcRec = Clamp32(recScaled, math.MinInt16, math.MaxInt16)
	}
	sum := fcIn + fcRec
	pre := int16(Clamp32(sum, math.MinInt16, math.MaxInt16))

	if c != nil {
		n := gate.name
		c.AddReal(n+".input_acc", int64(accIn), float64(accIn)*gate.inScale,
			"input fully-connected accumulator plus the gate bias: Σ_i (w[s,i] − zp_w)·(x[i] − zp_in) + bias[s]",
			"Σ_%d (w + %d)·(x + %d) + bias = %d + %d = %d", k.inDim, gate.inWOff, k.inOff, dotIn, gate.bias[s], accIn)
		k.recordFC(c, n+".input_fc", accIn, gate.inQ, fcIn, "input fully-connected output in Q3.12")
		c.AddReal(n+".recurrent_acc", int64(accRec), float64(accRec)*gate.recScal,
			"recurrent fully-connected accumulator: Σ_j (w[s,j] − zp_w)·(h[j] − zp_h) over the previous hidden row",
			"Σ_%d (w + %d)·(h + %d) = %d", k.dim, gate.recWOff, k.hiddenOff, accRec)
		if k.litert {
			c.AddReal(n+".recurrent_scaled", int64(recScaled), float64(recScaled)*lstmGateScale,
				"recurrent fully-connected layer requantized to Q3.12, not clamped (full TFLite accumulates it onto the input layer's int16 output)",
				"MBQM(%d, %d·2^(%d−31) = %.8g) = %d", accRec, gate.recQ.Multiplier, gate.recQ.Shift, gate.recQ.Real(), recScaled)
		} else {
			k.recordFC(c, n+".recurrent_fc", accRec, gate.recQ, fcRec, "recurrent fully-connected output in Q3.12")
		}
		st := c.AddReal(n+".pre", int64(pre), float64(pre)*lstmGateScale, "gate pre-activation (Q3.12): saturating int16 sum of the two layers",
			"clamp16(%d + %d) = %d", fcIn, fcRec, pre)
		st.Changed = int32(pre) != sum
	}
	if k.litert {
		return k.gateActivationLiteRT(g, pre, c)
	}

	from := 0
	if c != nil {
		from = len(c.Steps)
	}
	var v int16
	switch g {
	case gateCell:
		v = k.gateTanh.elementInt16(pre, c)
	default:
		v = k.sigmoid.elementInt16(pre, c)
	}
	if c != nil {
		prefixSteps(c, from, gate.name+".")
	}
	return v
}

// gateActivationLiteRT is full TFLite's gate nonlinearity: gemmlowp's int16
// logistic (input, forget, output gates) or tanh (cell gate) of the Q3.12
// pre-activation, to Q0.15.
func (k *lstmKernel) gateActivationLiteRT(g int, pre int16, c *Chain) int16 {
	var v int16
	if g == gateCell {
		v = FixedPointTanh16(pre, 3)
	} else {
		v = FixedPointLogistic16(pre, 3)
	}
	if c != nil {
		name, what := "sigmoid", "gemmlowp logistic on FixedPoint<int16, 3> (tensor_utils ApplySigmoid), Q0.15"
		if g == gateCell {
			name, what = "tanh", "gemmlowp tanh on FixedPoint<int16, 3> (tensor_utils ApplyTanh(3)), Q0.15"
		}
		c.AddReal(k.gates[g].name+"."+name, int64(v), float64(v)*lstmActivationScale, what, "%s(%d) = %d", name, pre, v)
	}
	return v
}

// unitLiteRT is unit for full TFLite's form (lstmKernel): UpdateLstmCellInteger
// and CalculateLstmOutputInteger8x8_16 on one unit.
func (k *lstmKernel) unitLiteRT(x, h []int8, cell *int16, s int, c *Chain) int8 {
	f := k.gateValue(gateForget, x, h, s, c)
	i := k.gateValue(gateInput, x, h, s, c)
	g := k.gateValue(gateCell, x, h, s, c)

	prev := *cell
	fcProd := int32(f) * int32(prev)
	fc := int16(RoundingDivideByPOT(fcProd, 15))
	igShift := 30 + k.cellPower
	igProd := int32(i) * int32(g)
	ig := int16(RoundingDivideByPOT(igProd, igShift))
	sum := Clamp32(int32(fc)+int32(ig), math.MinInt16, math.MaxInt16)
	next := int16(sum)
	if k.clip {
		next = max(min(k.clipQ, next), -k.clipQ)
	}
	*cell = next
	if c != nil {
		c.AddReal("cell.prev", int64(prev), float64(prev)*k.cellScale, "cell state before this step", "c = %d", prev)
		c.AddReal("cell.forget", int64(fc), float64(fc)*k.cellScale, "forget gate × previous cell state: int16(RoundingDivideByPOT(f·c, 15)) (tensor_utils CwiseMul)",
			"int16(RDBPOT(%d·%d = %d, 15)) = %d", f, prev, fcProd, fc)
		c.AddReal("cell.input", int64(ig), float64(ig)*k.cellScale, "input gate × cell gate to the cell scale: int16(RoundingDivideByPOT(i·g, 30 + p))",
			"int16(RDBPOT(%d·%d = %d, %d)) = %d", i, g, igProd, igShift, ig)
		st := c.AddReal("cell.sum", int64(sum), float64(sum)*k.cellScale, "new cell state: saturating int16 sum (CwiseAdd)", "clamp16(%d + %d) = %d", fc, ig, sum)
		st.Changed = sum != int32(fc)+int32(ig)
		if k.clip {
			st = c.AddReal("cell.clip", int64(next), float64(next)*k.cellScale, "cell clipping to ±quantized cell_clip",
				"clamp(%d, −%d, %d) = %d", sum, k.clipQ, k.clipQ, next)
			st.Changed = int32(next) != sum
		}
	}

	o := k.gateValue(gateOutput, x, h, s, c)
	th := FixedPointTanh16(next, k.cellTanhBits)
	prod := int32(o) * int32(th)
	if c != nil {
		c.AddReal("cell_tanh", int64(th), float64(th)*lstmActivationScale,
			fmt.Sprintf("gemmlowp tanh of the cell state on FixedPoint<int16, %d> (15 + p integer bits), Q0.15", k.cellTanhBits),
			"tanh(%d) = %d", next, th)
		c.AddReal("hidden.product", int64(prod), float64(prod)*lstmActivationScale*lstmActivationScale,
			"output gate × tanh(cell) (Q0.30)", "%d · %d = %d", o, th, prod)
	}
	from := 0
	if c != nil {
		from = len(c.Steps)
	}
	hNew := int8(Requantize(prod, k.hiddenQ, k.node.Rounding, k.hiddenZP, math.MinInt8, math.MaxInt8, c))
	if c != nil {
		prefixSteps(c, from, "hidden.")
	}
	return hNew
}

// recordFC records a gate layer's requantization to int16.
func (k *lstmKernel) recordFC(c *Chain, name string, acc int32, q QuantizedMultiplier, v int32, meaning string) {
	scaled := MultiplyByQuantizedMultiplier(acc, q.Multiplier, q.Shift, k.node.Rounding)
	st := c.AddReal(name, int64(v), float64(v)*lstmGateScale, meaning+": clamp16(MBQM(acc, M)), M = Multiplier·2^(Shift−31)",
		"clamp16(MBQM(%d, %d·2^(%d−31) = %.8g)) = clamp16(%d) = %d", acc, q.Multiplier, q.Shift, q.Real(), scaled, v)
	st.Changed = v != scaled
}

// unit computes unit s of one time step: it updates *cell and returns the
// new hidden value. x is the input row, h the previous hidden row.
//
// This is the per-unit arithmetic of one UNIDIRECTIONAL_SEQUENCE_LSTM time step
// (lstmKernel has the formulas), shared by Eval and Explain: four gates
// (gateValue), each the sum of two fully-connected layers saturated to int16
// (Q3.12) and a sigmoid or tanh to Q0.15; the cell update f·c + i·g; the hidden
// value tanh(c)·o requantized to int8.
func (k *lstmKernel) unit(x, h []int8, cell *int16, s int, c *Chain) int8 {
	if k.litert {
		return k.unitLiteRT(x, h, cell, s, c)
	}
	r := k.node.Rounding
	f := k.gateValue(gateForget, x, h, s, c)
	i := k.gateValue(gateInput, x, h, s, c)
	g := k.gateValue(gateCell, x, h, s, c)

	// Cell update (UpdateLstmCell).
	prev := *cell
	fc := Clamp32(MultiplyByQuantizedMultiplier(int32(f)*int32(prev), k.forgetQ.Multiplier, k.forgetQ.Shift, r), math.MinInt16, math.MaxInt16)
	ig := Clamp32(MultiplyByQuantizedMultiplier(int32(i)*int32(g), k.inputQ.Multiplier, k.inputQ.Shift, r), math.MinInt16, math.MaxInt16)
	sum := Clamp32(fc+ig, math.MinInt16, math.MaxInt16)
	next := int16(sum)
	if k.clip {
		next = max(min(k.clipQ, next), -k.clipQ)
	}
	*cell = next
	if c != nil {
		c.AddReal("cell.prev", int64(prev), float64(prev)*k.cellScale, "cell state before this step", "c = %d", prev)
		k.recordMul(c, "cell.forget", int32(f), int32(prev), k.forgetQ, fc, "forget gate × previous cell state, to the cell scale", k.cellScale)
		k.recordMul(c, "cell.input", int32(i), int32(g), k.inputQ, ig, "input gate × cell gate, to the cell scale", k.cellScale)
		st := c.AddReal("cell.sum", int64(sum), float64(sum)*k.cellScale, "new cell state: saturating int16 sum", "clamp16(%d + %d) = %d", fc, ig, sum)
		st.Changed = sum != fc+ig
		if k.clip {
			st = c.AddReal("cell.clip", int64(next), float64(next)*k.cellScale, "cell clipping to ±quantized cell_clip",
				"clamp(%d, −%d, %d) = %d", sum, k.clipQ, k.clipQ, next)
			st.Changed = int32(next) != sum
		}
	}

	o := k.gateValue(gateOutput, x, h, s, c)

	// Hidden state (UpdateLstmHidden): tanh of the cell times the output gate.
	from := 0
	if c != nil {
		from = len(c.Steps)
	}
	th := k.cellTanh.elementInt16(next, c)
	if c != nil {
		prefixSteps(c, from, "cell_tanh.")
	}
	prod := int32(th) * int32(o)
	if c != nil {
		c.AddReal("hidden.product", int64(prod), float64(prod)*lstmActivationScale*lstmActivationScale,
			"tanh(cell) × output gate (Q0.30)", "%d · %d = %d", th, o, prod)
	}
	from = 0
	if c != nil {
		from = len(c.Steps)
	}
	hNew := int8(Requantize(prod, k.hiddenQ, r, k.hiddenZP, math.MinInt8, math.MaxInt8, c))
	if c != nil {
		prefixSteps(c, from, "hidden.")
	}
	return hNew
}

// recordMul records an inter-gate multiplication requantized to int16.
func (k *lstmKernel) recordMul(c *Chain, name string, a, b int32, q QuantizedMultiplier, v int32, meaning string, scale float64) {
	scaled := MultiplyByQuantizedMultiplier(a*b, q.Multiplier, q.Shift, k.node.Rounding)
	st := c.AddReal(name, int64(v), float64(v)*scale, meaning+": clamp16(MBQM(a·b, M))",
		"clamp16(MBQM(%d·%d = %d, %d·2^(%d−31) = %.8g)) = clamp16(%d) = %d", a, b, a*b, q.Multiplier, q.Shift, q.Real(), scaled, v)
	st.Changed = v != scaled
}

// prefixSteps prefixes the names of the steps from index from on (the steps
// a shared element function recorded) with the stage they belong to.
func prefixSteps(c *Chain, from int, prefix string) {
	for i := from; i < len(c.Steps); i++ {
		if !strings.HasPrefix(c.Steps[i].Name, prefix) {
			c.Steps[i].Name = prefix + c.Steps[i].Name
		}
	}
}
