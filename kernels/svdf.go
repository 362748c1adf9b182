package kernels

import (
	"fmt"
	"math"

	"github.com/tflq/tflq-trace/tflite"
)

// svdfKernel is SVDF (int8 input and output, int8 feature weights, int16 or
// int8 time weights and activation state, int32 bias), after TFLite-Micro's
// svdf.cc / svdf_common.cc, EvalIntegerSvdfReference.
//
// Shapes: input [B, I], weights_feature [F, I], weights_time [F, M], bias
// [U] (U = F / rank), activation_state [B, F·M] (a variable tensor: row
// (b, f) holds the last M feature values of filter f, oldest first), output
// [B, U].
//
// Prepare (the scale products and quotients in float32, then widened):
//
//	M1 = double(float32(float32(s_in·s_wf) / s_state))
//	M2 = double(float32(float32(s_state·s_wt) / s_out))
//
// Eval, per invocation:
//
//  1. the whole state buffer moves left by one element (each filter's
//     history drops its oldest value; the freed last slot is rewritten next);
//  2. feature column: state[b, f, M−1] = clamp(MBQM(Σ_i wf[f, i]·(in[b, i] − zp_in), M1) + zp_state)
//     to the state dtype range;
//  3. time: t[b, f] = Σ_m wt[f, m]·(state[b, f, m] − zp_state) (int32, wrapping);
//  4. out[b, u] = clamp(MBQM(bias[u] + Σ_{j<rank} t[b, u·rank + j], M2) + zp_out, −128, 127).
//
// The fused activation is not applied on this integer path (TFLite-Micro
// ignores it too). MBQM is MultiplyByQuantizedMultiplier under the node's
// rounding rule.
type svdfKernel struct {
	node                           *Node
	in, wf, wt, bias, state, out   *Tensor
	rank, batches, inputSize       int
	filters, units, memory         int
	inZP, stateZP, outZP           int32
	stateLo, stateHi               int32
	real1, real2                   float64
	q1, q2                         QuantizedMultiplier
	state16                        bool // int16 time weights and state (else int8)
	inScale, stateScale, featScale float32
}

// prepareSvdf prepares an SVDF node (see svdfKernel for the formula).
func prepareSvdf(n *Node) (Kernel, error) {
	in, wf, wt, bias, state := n.Input(0), n.Input(1), n.Input(2), n.Input(3), n.Input(4)
	if in == nil || wf == nil || wt == nil || state == nil || len(n.Outputs) < 1 || n.Outputs[0] == nil {
		return nil, fmt.Errorf("%w: SVDF needs input, weights_feature, weights_time, activation_state and output", ErrMissingInput)
	}
	out := n.Outputs[0]
	if in.Type != tflite.TypeInt8 || wf.Type != tflite.TypeInt8 || out.Type != tflite.TypeInt8 {
		return nil, fmt.Errorf("%w: SVDF input %v, weights_feature %v, output %v (int8 only)", ErrUnsupportedType, in.Type, wf.Type, out.Type)
	}
	if wt.Type != state.Type || (wt.Type != tflite.TypeInt16 && wt.Type != tflite.TypeInt8) {
		return nil, fmt.Errorf("%w: SVDF weights_time %v and activation_state %v must both be int16 or int8", ErrUnsupportedType, wt.Type, state.Type)
	}
	if bias != nil && bias.Type != tflite.TypeInt32 {
		return nil, fmt.Errorf("%w: SVDF bias %v (int32 only)", ErrUnsupportedType, bias.Type)
	}
	rank := 1
	if n.Options.Rank > 0 {
		rank = int(n.Options.Rank)
	}
	if in.Rank() != 2 || wf.Rank() != 2 || wt.Rank() != 2 || out.Rank() != 2 || state.Rank() != 2 {
		return nil, fmt.Errorf("%w: SVDF wants rank-2 input %v, weights %v %v, state %v, output %v", ErrBadShape, in.Shape, wf.Shape, wt.Shape, state.Shape, out.Shape)
	}
	k := &svdfKernel{node: n, in: in, wf: wf, wt: wt, bias: bias, state: state, out: out, rank: rank,
		batches: in.Shape[0], inputSize: in.Shape[1], filters: wf.Shape[0], memory: wt.Shape[1],
		state16: wt.Type == tflite.TypeInt16}
	if k.filters%rank != 0 {
		return nil, fmt.Errorf("%w: SVDF %d filters not a multiple of rank %d", ErrBadShape, k.filters, rank)
	}
	k.units = k.filters / rank
	switch {
	case wf.Shape[1] != k.inputSize, wt.Shape[0] != k.filters:
		return nil, fmt.Errorf("%w: SVDF weights_feature %v / weights_time %v do not match input %v", ErrBadShape, wf.Shape, wt.Shape, in.Shape)
	case out.Shape[0] != k.batches || out.Shape[1] != k.units:
		return nil, fmt.Errorf("%w: SVDF output %v, want [%d %d]", ErrBadShape, out.Shape, k.batches, k.units)
	case state.Shape[0] != k.batches || state.Shape[1] != k.memory*k.filters:
		return nil, fmt.Errorf("%w: SVDF activation_state %v, want [%d %d]", ErrBadShape, state.Shape, k.batches, k.memory*k.filters)
	case bias != nil && bias.NumElements() != k.units:
		return nil, fmt.Errorf("%w: SVDF bias %v, want [%d]", ErrBadShape, bias.Shape, k.units)
	}
	if !state.Variable {
		return nil, fmt.Errorf("%w: SVDF activation_state must be a variable tensor", ErrBadShape)
	}
	for _, t := range []*Tensor{in, wf, wt, state, out} {
		if !t.Quantized() {
			return nil, fmt.Errorf("%w: SVDF tensor %q is not quantized", ErrBadQuantization, t.Name)
		}
	}
	sIn, sWf, sWt, sState, sOut := in.Scale0(), wf.Scale0(), wt.Scale0(), state.Scale0(), out.Scale0()
	if bias != nil && bias.Quantized() && math.Abs(float64(bias.Scale0())-float64(sState*sWt)) >= 1e-5 {
		return nil, fmt.Errorf("%w: SVDF bias scale %g is not s_state·s_wt = %g", ErrBadQuantization, bias.Scale0(), sState*sWt)
	}
	k.featScale = float32(sIn * sWf)
	k.real1 = float64(float32(k.featScale / sState))
	k.real2 = float64(float32(float32(sState*sWt) / sOut))
	k.q1 = QuantizeMultiplier(k.real1, n.Rounding)
	k.q2 = QuantizeMultiplier(k.real2, n.Rounding)
	k.inZP, k.stateZP, k.outZP = in.ZP0(), state.ZP0(), out.ZP0()
	k.stateLo, k.stateHi = Range(state.Type)
	k.inScale, k.stateScale = sIn, sState
	return k, nil
}

// stateAt reads state element i.
func (k *svdfKernel) stateAt(i int) int32 {
	if k.state16 {
		return int32(k.state.Int16()[i])
	}
	return int32(k.state.Int8()[i])
}

// timeWeightAt reads weights_time element i.
func (k *svdfKernel) timeWeightAt(i int) int32 {
	if k.state16 {
		return int32(k.wt.Int16()[i])
	}
	return int32(k.wt.Int8()[i])
}

// feature computes the new state value of filter f in batch b: step 2.
func (k *svdfKernel) feature(b, f int, c *Chain) int32 {
	x := k.in.Int8()[b*k.inputSize : (b+1)*k.inputSize]
	w := k.wf.Int8()[f*k.inputSize : (f+1)*k.inputSize]
	acc := dot8x8(x, w, -k.inZP)
	var scaled int32
	if c == nil {
		scaled = MultiplyByQuantizedMultiplier(acc, k.q1.Multiplier, k.q1.Shift, k.node.Rounding)
	} else {
		c.AddReal(fmt.Sprintf("feature_acc[%d]", f), int64(acc), float64(acc)*float64(k.featScale),
			"feature matmul of filter f: Σ_i wf[f,i]·(in[b,i] − zp_in)", "Σ_%d wf[%d,i]·(in[%d,i] − (%d)) = %d", k.inputSize, f, b, k.inZP, acc)
		scaled = explainMultiply(acc, k.q1, k.node.Rounding, c)
	}
	v := scaled + k.stateZP
	s := Clamp32(v, k.stateLo, k.stateHi)
	if c != nil {
		st := c.AddReal(fmt.Sprintf("state_new[%d]", f), int64(s), float64(s-k.stateZP)*float64(k.stateScale),
			"newest activation-state value of filter f: + zp_state, clamped to the state dtype",
			"clamp(%d + %d, %d, %d) = %d", scaled, k.stateZP, k.stateLo, k.stateHi, s)
		st.Changed = s != v
	}
	return s
}

// timeDot is step 3 for filter f of batch b, from the (updated) state.
func (k *svdfKernel) timeDot(b, f int, c *Chain) int32 {
	base := (b*k.filters + f) * k.memory
	wbase := f * k.memory
	var acc int32
	for m := 0; m < k.memory; m++ {
		acc += k.timeWeightAt(wbase+m) * (k.stateAt(base+m) - k.stateZP)
	}
	if c != nil {
		c.AddReal(fmt.Sprintf("time_acc[%d]", f), int64(acc), float64(acc)*float64(k.stateScale)*float64(k.wt.Scale0()),
			"time matmul of filter f: Σ_m wt[f,m]·(state[b,f,m] − zp_state) over the last M feature values",
			"Σ_%d wt[%d,m]·(state[%d,%d,m] − (%d)) = %d", k.memory, f, b, f, k.stateZP, acc)
	}
	return acc
}

// element computes output (b, u) from the updated state: step 4.
func (k *svdfKernel) element(b, u int, c *Chain) int32 {
	var acc int32
	if k.bias != nil {
		acc = k.bias.Int32()[u]
	}
	bias := acc
	for j := 0; j < k.rank; j++ {
		acc += k.timeDot(b, u*k.rank+j, c)
	}
	if c != nil {
		c.AddReal("acc", int64(acc), float64(acc)*float64(k.stateScale)*float64(k.wt.Scale0()),
			"bias[u] plus the rank time sums of unit u", "%d + Σ_%d time_acc = %d", bias, k.rank, acc)
	}
	return Requantize(acc, k.q2, k.node.Rounding, k.outZP, math.MinInt8, math.MaxInt8, c)
}

func (k *svdfKernel) Eval() error {
	// 1. Shift the state left by one element.
	if k.state16 {
		s := k.state.Int16()
		copy(s, s[1:])
	} else {
		s := k.state.Int8()
		copy(s, s[1:])
	}
	// 2. Newest feature column.
	for b := 0; b < k.batches; b++ {
		for f := 0; f < k.filters; f++ {
			v := k.feature(b, f, nil)
			i := (b*k.filters+f)*k.memory + k.memory - 1
			if k.state16 {
				k.state.Int16()[i] = int16(v)
			} else {
				k.state.Int8()[i] = int8(v)
			}
		}
	}
	// 3–4. Time sums, reduction, output.
	out := k.out.Int8()
	for b := 0; b < k.batches; b++ {
		for u := 0; u < k.units; u++ {
			out[b*k.units+u] = int8(k.element(b, u, nil))
		}
	}
	return nil
}

// Explain recomputes output (b, u) from the activation state Eval left
// (which already holds this invocation's feature column); the newest
// feature value of each of the unit's filters is recomputed from the input
// and shown first.
func (k *svdfKernel) Explain(out, elem int, c *Chain) error {
	if err := checkExplainTarget(k.node, out, elem); err != nil {
		return err
	}
	b, u := elem/k.units, elem%k.units
	for i := 0; i < k.inputSize; i++ {
		c.addSources(Source{Input: 0, Element: b*k.inputSize + i})
	}
	for j := 0; j < k.rank; j++ {
		f := u*k.rank + j
		v := k.feature(b, f, c)
		if stored := k.stateAt((b*k.filters+f)*k.memory + k.memory - 1); stored != v {
			return fmt.Errorf("%w: SVDF state[%d,%d,%d] holds %d, the input gives %d (the state changed after Eval)", ErrRuntime, b, f, k.memory-1, stored, v)
		}
	}
	c.Final = int64(k.element(b, u, c))
	return nil
}

func (k *svdfKernel) Describe() Params {
	return Params{
		Multipliers: []Multiplier{
			{Name: "feature", Channel: -1, Real: k.real1, Quantized: k.q1},
			{Name: "output", Channel: -1, Real: k.real2, Quantized: k.q2},
		},
		HasClamp: true, ClampMin: math.MinInt8, ClampMax: math.MaxInt8,
		Ints: []NamedInt{
			{Name: "rank", Value: int64(k.rank)}, {Name: "num_filters", Value: int64(k.filters)},
			{Name: "num_units", Value: int64(k.units)}, {Name: "memory_size", Value: int64(k.memory)},
			{Name: "input_zero_point", Value: int64(k.inZP)}, {Name: "activation_state_zero_point", Value: int64(k.stateZP)},
			{Name: "output_zero_point", Value: int64(k.outZP)},
		},
	}
}
