package kernels

import (
	"fmt"
	"math"
	"sync"

	"github.com/tflq/tflq-trace/tflite"
)

// Input positions of the LSTM node (lstm_shared.h).
const (
	lstmInput             = 0
	lstmInputWeights      = 1  // + gate
	lstmRecurrentWeights  = 5  // + gate
	lstmGateBias          = 12 // + gate
	lstmOutputState       = 18
	lstmCellState         = 19
	lstmGates             = 4
	lstmGateScale         = 1.0 / 4096  // Q3.12 gate pre-activations
	lstmActivationScale   = 1.0 / 32768 // Q0.15 gate outputs
	gateInput, gateForget = 0, 1
	gateCell, gateOutput  = 2, 3
)

// lstmGateNames names the gates, in gate-index order, for explanations.
var lstmGateNames = [lstmGates]string{"input_gate", "forget_gate", "cell_gate", "output_gate"}

// lstmGate holds the two fully-connected layers of one gate.
type lstmGate struct {
	name             string
	inW, recW        []int8
	bias             []int32
	inWOff, recWOff  int32 // −zp of the weights
	inReal, recReal  float64
	inQ, recQ        QuantizedMultiplier
	inScale, recScal float64 // real value of one accumulator unit
}

// lstmKernel is UNIDIRECTIONAL_SEQUENCE_LSTM (int8 activations, int8 weights,
// int32 gate biases, int16 cell state: the "8x8→16" integer LSTM), after
// TFLite-Micro's unidirectional_sequence_lstm.cc with lstm_eval.h /
// lstm_eval.cc / lstm_eval_common.cc (the general LstmStep / CalculateLstmGate
// / UpdateLstmCell / UpdateLstmHidden code, not the older
// EvalInteger8x8_16Lstm).
//
// Inputs (lstm_shared.h): 0 input [B, T, I] (time_major: [T, B, I]); 1–4
// input→{input, forget, cell, output} weights [S, I]; 5–8 recurrent→gate
// weights [S, S]; 12–15 gate biases [S]; 18 hidden (output) state and 19 cell
// state, variable tensors of B·S elements. Peephole (9–11), projection
// (16–17) and layer-norm (20–23) tensors must be absent, as TFLite-Micro
// requires. Output [B, T, S] (time_major: [T, B, S]).
//
// Prepare. The gate fully-connected layers write int16 in Q3.12 (scale 2^−12,
// zero point 0); the model's intermediate tensors are not used. For gate g:
//
//	M_g,in  = double(float32(s_in·s_w_in,g)) / 2^−12
//	M_g,rec = double(float32(s_h·s_w_rec,g)) / 2^−12
//	M_fc = 2^−15·s_c/s_c = 2^−15, M_ig = 2^−15·2^−15/s_c, M_h = 2^−15·2^−15/s_h (in double)
//	p = round(log2 s_c) (cell_state_scale_power); tanh of the cell takes the
//	int16 TANH input stage with left shift 15 + p − 3 (multiplier 3·2^shift
//	when ≥ 0, else multiplier 3 and a rounding right shift)
//	clip_q = trunc(clamp(cell_clip / s_c, −32768, 32767)) when cell_clip > 0
//
// Eval, for each batch row b and time step t (each row is independent), for
// every unit s, with x the input row, h the hidden row of the previous step:
//
//	fc_in  = clamp16(MBQM(Σ_i (w_in[s,i] − zp_w)·(x[i] − zp_in) + bias[s], M_g,in))
//	fc_rec = clamp16(MBQM(Σ_j (w_rec[s,j] − zp_w)·(h[j] − zp_h), M_g,rec))
//	pre_g  = clamp16(fc_in + fc_rec)                                   (Q3.12)
//	f, i, o = sigmoid(pre) (int16 LOGISTIC, multiplier 3);  g = tanh(pre) (Q0.15)
//	c' = clamp16(clamp16(MBQM(f·c, M_fc)) + clamp16(MBQM(i·g, M_ig))), then ±clip_q
//	h'[s] = clamp8(MBQM(tanh_c(c')·o, M_h) + zp_h)
//
// and the new hidden row is copied to the output at (b, t). MBQM is
// MultiplyByQuantizedMultiplier under the node's rounding rule; sigmoid and
// tanh are the int16 LOGISTIC / TANH table kernels (logisticKernel,
// tanhKernel); the unit method computes one unit of one time step.
//
// Full TFLite (ImplTFLiteRef and ImplTFLiteOptimized: both resolvers register
// the same kernel, unidirectional_sequence_lstm.cc with lstm_eval.cc
// EvalInteger8x8_16 and the portable tensor_utils, which x86 and WASM builds
// run) computes the same step differently (the litert form):
//
//   - Prepare refuses an int8 LSTM without exactly 5 intermediate tensors
//     (TF_LITE_ENSURE num_intermediate_tensors == 5): the opzoo LSTM models
//     carry none, so full TFLite refuses them. intermediates[4] gives the
//     hidden scale s_hint and zero point zp_hint; the other four are not read
//     without layer normalization. Weight zero points are ignored (the
//     effective biases are bias + (−zp_in)·Σ_c w[s,c] and (−zp_h)·Σ_c w_rec[s,c]).
//   - pre = clamp16(MBQM(Σ_j w_rec[s,j]·(h[j] − zp_h), M_g,rec) + fc_in): one clamp
//     of the sum, the recurrent layer is not clamped first.
//   - sigmoid and tanh are gemmlowp's int16 fixed point (FixedPointLogistic16,
//     FixedPointTanh16 with 3 integer bits), tanh of the cell with 15 + p
//     integer bits (Prepare refuses 15 + p outside [0, 6], where ApplyTanh
//     writes nothing).
//   - c' = clamp16(int16(RDBPOT(f·c, 15)) + int16(RDBPOT(i·g, 30 + p))), then
//     ±clip_q with clip_q = int16(clamp(float32(cell_clip/s_c), −32768, 32767)).
//   - h' = clamp8(MBQM(o·tanh(c'), M_h) ± zp_hint), M_h = QM(float32(2^−15 /
//     double(s_hint) · 2^−15)). The sign of zp_hint is + in LiteRT 2026 (the
//     reference runtime; mnist_lstm_uint8io tflite/ goldens, 13 tensors) and −
//     in the 2022 TFLite of the tfjs build (tensor_utils::CwiseMul subtracted
//     its output zero point then; an oracle probe of the same model, 3/3
//     runs).
type lstmKernel struct {
	node                       *Node
	in, hidden, cell, out      *Tensor
	gates                      [lstmGates]lstmGate
	batches, steps, inDim, dim int
	timeMajor                  bool
	inOff, hiddenOff, hiddenZP int32
	cellScale, hiddenScale     float64
	cellPower                  int
	clip                       bool
	clipQ                      int16
	forgetReal, inputReal      float64
	hiddenReal                 float64
	forgetQ, inputQ, hiddenQ   QuantizedMultiplier
	sigmoid                    logisticKernel // Q3.12 → Q0.15
	gateTanh                   tanhKernel     // Q3.12 → Q0.15
	cellTanh                   tanhKernel     // cell scale → Q0.15

	// litert selects full TFLite's EvalInteger8x8_16 (see above);
	// hiddenZPSign is the sign zp_hint is added with, cellTanhBits the
	// integer bits of the cell tanh (15 + p).
	litert       bool
	hiddenZPSign int32
	cellTanhBits int

	newHidden []int8  // the step's new hidden row, [S]
	h0        []int8  // hidden state at the start of the last Eval, [B·S]
	c0        []int16 // cell state at the start of the last Eval, [B·S]

	explainMu       sync.Mutex
	exHidden, exNew []int8
	exCell          []int16
}

// prepareLstm prepares a UNIDIRECTIONAL_SEQUENCE_LSTM node (see lstmKernel for
// the formula).
func prepareLstm(n *Node) (Kernel, error) { return newLstm(n, false, 0) }

// prepareLstmRef prepares UNIDIRECTIONAL_SEQUENCE_LSTM as LiteRT 2026 does
// (ImplTFLiteRef): the litert form of lstmKernel, zp_hint added.
func prepareLstmRef(n *Node) (Kernel, error) { return newLstm(n, true, 1) }

// prepareLstmOptimized prepares UNIDIRECTIONAL_SEQUENCE_LSTM as the 2022
// TFLite of the tfjs build does (ImplTFLiteOptimized): the litert form,
// zp_hint subtracted.
func prepareLstmOptimized(n *Node) (Kernel, error) { return newLstm(n, true, -1) }

// newLstm prepares TFLite-Micro's form, or full TFLite's (litert) with the
// hidden zero point added with sign hiddenZPSign.
func newLstm(n *Node, litert bool, hiddenZPSign int32) (Kernel, error) {
	if len(n.Outputs) < 1 || n.Outputs[0] == nil {
		return nil, fmt.Errorf("%w: UNIDIRECTIONAL_SEQUENCE_LSTM needs an output", ErrMissingInput)
	}
	in, hidden, cell, out := n.Input(lstmInput), n.Input(lstmOutputState), n.Input(lstmCellState), n.Outputs[0]
	if in == nil || hidden == nil || cell == nil {
		return nil, fmt.Errorf("%w: UNIDIRECTIONAL_SEQUENCE_LSTM needs input, output state and cell state", ErrMissingInput)
	}
	for _, i := range []int{9, 10, 11, 16, 17, 20, 21, 22, 23} {
		if n.Input(i) != nil {
			return nil, fmt.Errorf("%w: UNIDIRECTIONAL_SEQUENCE_LSTM with input %d (peephole, projection or layer norm; TFLite-Micro refuses them)", ErrUnsupportedOp, i)
		}
	}
	if in.Type != tflite.TypeInt8 || hidden.Type != tflite.TypeInt8 || out.Type != tflite.TypeInt8 || cell.Type != tflite.TypeInt16 {
		return nil, fmt.Errorf("%w: UNIDIRECTIONAL_SEQUENCE_LSTM input %v, output state %v, cell state %v, output %v (int8 with an int16 cell only)",
			ErrUnsupportedType, in.Type, hidden.Type, cell.Type, out.Type)
	}
	if !hidden.Variable || !cell.Variable {
		return nil, fmt.Errorf("%w: UNIDIRECTIONAL_SEQUENCE_LSTM output and cell states must be variable tensors", ErrBadShape)
	}
	opts := n.Options
	if opts.Activation != tflite.ActTanh {
		return nil, fmt.Errorf("%w: UNIDIRECTIONAL_SEQUENCE_LSTM cell activation %v (TFLite-Micro computes TANH only)", ErrUnsupportedOp, opts.Activation)
	}
	if opts.CellClip < 0 {
		return nil, fmt.Errorf("%w: UNIDIRECTIONAL_SEQUENCE_LSTM cell_clip %g < 0", ErrBadQuantization, opts.CellClip)
	}
	if in.Rank() != 3 || out.Rank() != 3 {
		return nil, fmt.Errorf("%w: UNIDIRECTIONAL_SEQUENCE_LSTM input %v and output %v must be rank 3", ErrBadShape, in.Shape, out.Shape)
	}
	if litert {
		if len(n.Inputs) != 20 && len(n.Inputs) != 24 {
			return nil, fmt.Errorf("%w: UNIDIRECTIONAL_SEQUENCE_LSTM with %d inputs (full TFLite wants 20 or 24)", ErrMissingInput, len(n.Inputs))
		}
		if len(n.Intermediates) != 5 {
			return nil, fmt.Errorf("%w: integer UNIDIRECTIONAL_SEQUENCE_LSTM with %d intermediate tensors: full TFLite's Prepare requires 5 (unidirectional_sequence_lstm.cc: num_intermediate_tensors == 5); TFLite-Micro ignores them",
				ErrBadQuantization, len(n.Intermediates))
		}
		if hint := n.Intermediates[4]; hint == nil || !hint.Quantized() || hint.Scale0() <= 0 {
			return nil, fmt.Errorf("%w: UNIDIRECTIONAL_SEQUENCE_LSTM intermediate 4 (the hidden scale) must be quantized", ErrBadQuantization)
		}
	}
	k := &lstmKernel{node: n, in: in, hidden: hidden, cell: cell, out: out, timeMajor: opts.TimeMajor, litert: litert, hiddenZPSign: hiddenZPSign}
	k.batches, k.steps = in.Shape[0], in.Shape[1]
	if k.timeMajor {
		k.batches, k.steps = in.Shape[1], in.Shape[0]
	}
	k.inDim = in.Shape[2]
	k.dim = hidden.Dim(-1)
	if hidden.NumElements() != k.batches*k.dim || cell.NumElements() != k.batches*k.dim {
		return nil, fmt.Errorf("%w: UNIDIRECTIONAL_SEQUENCE_LSTM states %v %v, want %d·%d elements", ErrBadShape, hidden.Shape, cell.Shape, k.batches, k.dim)
	}
	if out.Shape[0] != in.Shape[0] || out.Shape[1] != in.Shape[1] || out.Shape[2] != k.dim {
		return nil, fmt.Errorf("%w: UNIDIRECTIONAL_SEQUENCE_LSTM output %v for input %v and %d units", ErrBadShape, out.Shape, in.Shape, k.dim)
	}
	for _, t := range []*Tensor{in, hidden, cell, out} {
		if !t.Quantized() {
			return nil, fmt.Errorf("%w: UNIDIRECTIONAL_SEQUENCE_LSTM tensor %q is not quantized", ErrBadQuantization, t.Name)
		}
	}
	sIn, sHidden, sCell := in.Scale0(), hidden.Scale0(), cell.Scale0()
	for g := range k.gates {
		if err := k.prepareGate(g, sIn, sHidden); err != nil {
			return nil, err
		}
	}
	k.inOff, k.hiddenOff, k.hiddenZP = -in.ZP0(), -hidden.ZP0(), hidden.ZP0()
	k.cellScale, k.hiddenScale = float64(sCell), float64(sHidden)

	// Inter-gate multiplications (CreateInterGateMulParams, in double).
	const act = float64(float32(lstmActivationScale))
	k.forgetReal = act * float64(sCell) / float64(sCell)
	k.inputReal = act * act / float64(sCell)
	k.hiddenReal = act * act / float64(sHidden)
	k.forgetQ = QuantizeMultiplier(k.forgetReal, n.Rounding)
	k.inputQ = QuantizeMultiplier(k.inputReal, n.Rounding)
	k.hiddenQ = QuantizeMultiplier(k.hiddenReal, n.Rounding)

	// Cell state information (CreateLstmCellStateInfo).
	k.cellPower, _ = CheckedLog2(sCell)
	if opts.CellClip > 0 {
		k.clip = true
		k.clipQ = int16(math.Min(math.Max(float64(opts.CellClip)/float64(sCell), math.MinInt16), math.MaxInt16))
	}
	if litert {
		if err := k.prepareLiteRT(); err != nil {
			return nil, err
		}
	}

	// Nonlinearities: the int16 LOGISTIC and TANH kernels' element code with
	// the parameters lstm_eval.cc passes them.
	gateIn := &Tensor{Name: "gate pre-activation (Q3.12)", Type: tflite.TypeInt16, Scale: []float32{lstmGateScale}}
	cellIn := &Tensor{Name: "cell state", Type: tflite.TypeInt16, Scale: []float32{sCell}}
	k.sigmoid = logisticKernel{sigmoidFamily{node: n, in: gateIn, mult16: 3}}
	k.gateTanh = tanhKernel{sigmoidFamily{node: n, in: gateIn, mult16: 3}}
	k.cellTanh = tanhKernel{sigmoidFamily{node: n, in: cellIn}}
	if shift := 15 + k.cellPower - 3; shift >= 0 {
		k.cellTanh.mult16 = 3 << uint(shift)
	} else {
		k.cellTanh.mult16, k.cellTanh.shift16 = 3, -shift
	}

	k.newHidden = make([]int8, k.dim)
	k.h0 = make([]int8, k.batches*k.dim)
	k.c0 = make([]int16, k.batches*k.dim)
	k.exHidden = make([]int8, k.dim)
	k.exNew = make([]int8, k.dim)
	k.exCell = make([]int16, k.dim)
	return k, nil
}

// prepareLiteRT derives what full TFLite's integer LSTM computes
// differently (see lstmKernel): the hidden multiplier and zero point from
// intermediates[4], the cell tanh's integer bits, the float32 cell clip, and
// no weight offsets.
func (k *lstmKernel) prepareLiteRT() error {
	n := k.node
	sCell := k.cell.Scale0()
	p, ok := CheckedLog2(sCell)
	if !ok {
		return fmt.Errorf("%w: UNIDIRECTIONAL_SEQUENCE_LSTM cell scale %g is not a power of two (full TFLite's CheckedLog2)", ErrBadQuantization, sCell)
	}
	k.cellTanhBits = 15 + p
	if k.cellTanhBits < 0 || k.cellTanhBits > 6 {
		return fmt.Errorf("%w: UNIDIRECTIONAL_SEQUENCE_LSTM cell scale 2^%d: full TFLite's ApplyTanh takes 0..6 integer bits, not %d", ErrBadQuantization, p, k.cellTanhBits)
	}
	hint := n.Intermediates[4]
	k.hiddenReal = float64(float32(math.Ldexp(1, -15) / float64(hint.Scale0()) * math.Ldexp(1, -15)))
	k.hiddenQ = QuantizeMultiplier(k.hiddenReal, n.Rounding)
	k.hiddenZP = k.hiddenZPSign * hint.ZP0()
	if k.clip {
		k.clipQ = int16(min(max(n.Options.CellClip/sCell, -32768), 32767))
	}
	for g := range k.gates {
		k.gates[g].inWOff, k.gates[g].recWOff = 0, 0
	}
	return nil
}

// prepareGate checks gate g's weights and bias and derives its two
// fully-connected multipliers (GetQuantizedConvolutionMultipler with a Q3.12
// int16 output).
func (k *lstmKernel) prepareGate(g int, sIn, sHidden float32) error {
	n := k.node
	inW, recW, bias := n.Input(lstmInputWeights+g), n.Input(lstmRecurrentWeights+g), n.Input(lstmGateBias+g)
	name := lstmGateNames[g]
	if inW == nil || recW == nil || bias == nil {
		return fmt.Errorf("%w: UNIDIRECTIONAL_SEQUENCE_LSTM %s needs input and recurrent weights and a bias (CIFG is not supported by TFLite-Micro)", ErrMissingInput, name)
	}
	if inW.Type != tflite.TypeInt8 || recW.Type != tflite.TypeInt8 || bias.Type != tflite.TypeInt32 {
		return fmt.Errorf("%w: UNIDIRECTIONAL_SEQUENCE_LSTM %s weights %v/%v, bias %v (int8 weights, int32 bias only)", ErrUnsupportedType, name, inW.Type, recW.Type, bias.Type)
	}
	if inW.Rank() != 2 || inW.Shape[0] != k.dim || inW.Shape[1] != k.inDim || recW.Rank() != 2 || recW.Shape[0] != k.dim || recW.Shape[1] != k.dim ||
		bias.Rank() != 1 || bias.Shape[0] != k.dim {
		return fmt.Errorf("%w: UNIDIRECTIONAL_SEQUENCE_LSTM %s weights %v %v, bias %v for %d inputs and %d units", ErrBadShape, name, inW.Shape, recW.Shape, bias.Shape, k.inDim, k.dim)
	}
	if len(inW.Scale) != 1 || len(recW.Scale) != 1 {
		return fmt.Errorf("%w: UNIDIRECTIONAL_SEQUENCE_LSTM %s weights must be quantized per tensor", ErrBadQuantization, name)
	}
	gate := &k.gates[g]
	*gate = lstmGate{name: name, inW: inW.Int8(), recW: recW.Int8(), bias: bias.Int32(), inWOff: -inW.ZP0(), recWOff: -recW.ZP0()}
	gate.inReal = fcMultiplierReal(sIn, inW.Scale0(), lstmGateScale)
	gate.recReal = fcMultiplierReal(sHidden, recW.Scale0(), lstmGateScale)
	gate.inQ = QuantizeMultiplier(gate.inReal, n.Rounding)
	gate.recQ = QuantizeMultiplier(gate.recReal, n.Rounding)
	gate.inScale = float64(sIn) * float64(inW.Scale0())
	gate.recScal = float64(sHidden) * float64(recW.Scale0())
	return nil
}

// inputRow is the flat offset of row (b, t) of the input.
func (k *lstmKernel) inputRow(b, t int) int { return k.rowIndex(b, t) * k.inDim }

// outputRow is the flat offset of row (b, t) of the output.
func (k *lstmKernel) outputRow(b, t int) int { return k.rowIndex(b, t) * k.dim }

// rowIndex is the position of row (b, t) among the input's (and the output's)
// rows, batch-major or, with time_major, time-major.
func (k *lstmKernel) rowIndex(b, t int) int {
	if k.timeMajor {
		return t*k.batches + b
	}
	return b*k.steps + t
}

// step runs one time step of one batch row: x the input row, hidden and cell
// the row's states (updated in place), scratch a [S] buffer; the new hidden
// row is also copied to out when out is not nil.
func (k *lstmKernel) step(x, hidden []int8, cell []int16, out, scratch []int8) {
	for s := range scratch {
		scratch[s] = k.unit(x, hidden, &cell[s], s, nil)
	}
	copy(hidden, scratch)
	if out != nil {
		copy(out, scratch)
	}
}

func (k *lstmKernel) Eval() error {
	hidden, cell := k.hidden.Int8(), k.cell.Int16()
	copy(k.h0, hidden)
	copy(k.c0, cell)
	x, out := k.in.Int8(), k.out.Int8()
	for b := 0; b < k.batches; b++ {
		h, c := hidden[b*k.dim:(b+1)*k.dim], cell[b*k.dim:(b+1)*k.dim]
		for t := 0; t < k.steps; t++ {
			i, o := k.inputRow(b, t), k.outputRow(b, t)
			k.step(x[i:i+k.inDim], h, c, out[o:o+k.dim], k.newHidden)
		}
	}
	return nil
}

// Explain re-runs batch row b from the states Eval started from, into
// buffers of its own, up to the time step that wrote the element, and
// records that step's arithmetic for the element's unit.
func (k *lstmKernel) Explain(out, elem int, c *Chain) error {
	if err := checkExplainTarget(k.node, out, elem); err != nil {
		return err
	}
	row, s := elem/k.dim, elem%k.dim
	b, t := row/k.steps, row%k.steps
	if k.timeMajor {
		b, t = row%k.batches, row/k.batches
	}
	k.explainMu.Lock()
	defer k.explainMu.Unlock()
	copy(k.exHidden, k.h0[b*k.dim:(b+1)*k.dim])
	copy(k.exCell, k.c0[b*k.dim:(b+1)*k.dim])
	x := k.in.Int8()
	for tt := 0; tt < t; tt++ {
		i := k.inputRow(b, tt)
		k.step(x[i:i+k.inDim], k.exHidden, k.exCell, nil, k.exNew)
	}
	i := k.inputRow(b, t)
	for d := 0; d < k.inDim; d++ {
		c.addSources(Source{Input: lstmInput, Element: i + d})
	}
	if t == 0 {
		for d := 0; d < k.dim; d++ {
			c.addSources(Source{Input: lstmOutputState, Element: b*k.dim + d})
		}
		c.addSources(Source{Input: lstmCellState, Element: b*k.dim + s})
	}
	c.Add("position", int64(t), "batch row b, time step t and unit s of this element (the steps before t re-run from the states Eval started from)",
		"b = %d, t = %d, s = %d", b, t, s)
	cellValue := k.exCell[s]
	c.Final = int64(k.unit(x[i:i+k.inDim], k.exHidden, &cellValue, s, c))
	return nil
}

func (k *lstmKernel) Describe() Params {
	p := Params{HasClamp: true, ClampMin: math.MinInt8, ClampMax: math.MaxInt8}
	for _, g := range k.gates {
		p.Multipliers = append(p.Multipliers,
			Multiplier{Name: g.name + ".input_fc", Channel: -1, Real: g.inReal, Quantized: g.inQ},
			Multiplier{Name: g.name + ".recurrent_fc", Channel: -1, Real: g.recReal, Quantized: g.recQ})
	}
	p.Multipliers = append(p.Multipliers,
		Multiplier{Name: "forget×cell", Channel: -1, Real: k.forgetReal, Quantized: k.forgetQ},
		Multiplier{Name: "input×cell_gate", Channel: -1, Real: k.inputReal, Quantized: k.inputQ},
		Multiplier{Name: "hidden", Channel: -1, Real: k.hiddenReal, Quantized: k.hiddenQ})
	timeMajor, clip := int64(0), int64(0)
	if k.timeMajor {
		timeMajor = 1
	}
	if k.clip {
		clip = int64(k.clipQ)
	}
	p.Ints = []NamedInt{
		{"batches", int64(k.batches)}, {"time_steps", int64(k.steps)}, {"input_dimension", int64(k.inDim)},
		{"state_dimension", int64(k.dim)}, {"time_major", timeMajor},
		{"input_zero_point", int64(-k.inOff)}, {"hidden_zero_point", int64(k.hiddenZP)}, {"output_state_zero_point", int64(-k.hiddenOff)},
		{"cell_state_scale_power", int64(k.cellPower)}, {"quantized_cell_clip", clip},
	}
	if k.litert {
		p.Ints = append(p.Ints, NamedInt{"cell_tanh_integer_bits", int64(k.cellTanhBits)}, NamedInt{"hidden_zero_point_sign", int64(k.hiddenZPSign)})
	} else {
		p.Ints = append(p.Ints, NamedInt{"cell_tanh_input_multiplier", int64(k.cellTanh.mult16)}, NamedInt{"cell_tanh_input_right_shift", int64(k.cellTanh.shift16)})
	}
	return p
}
