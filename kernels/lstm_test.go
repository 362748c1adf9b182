package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tflq/tflq-trace/internal/oracle"
	"github.com/tflq/tflq-trace/tflite"
)

// lstmSpec describes a test LSTM: sizes, scales and the data the weights,
// biases and input are drawn from.
type lstmSpec struct {
	batches, steps, inDim, dim int
	timeMajor                  bool
	sIn                        float32
	zpIn                       int64
	sW                         float32
	sHidden                    float32
	zpHidden                   int64
	sCell                      float32
	cellClip                   float32
	seed                       uint64
}

// lstmNode builds the node of spec with random weights in [−127, 127],
// biases of about ±0.5 (in the input-layer scale s_in·s_w) and random
// inputs; the hidden state starts at its zero point, as TFLite-Micro resets
// int8 variable tensors.
func lstmNode(sp lstmSpec, r Rounding) *Node {
	rng := rand.New(rand.NewPCG(sp.seed, 7))
	inShape := []int{sp.batches, sp.steps, sp.inDim}
	outShape := []int{sp.batches, sp.steps, sp.dim}
	if sp.timeMajor {
		inShape = []int{sp.steps, sp.batches, sp.inDim}
		outShape = []int{sp.steps, sp.batches, sp.dim}
	}
	inputs := make([]*Tensor, 24)
	in := arTensor(tflite.TypeInt8, inShape, sp.sIn, sp.zpIn)
	for i := range in.Int8() {
		in.Int8()[i] = int8(rng.IntN(256) - 128)
	}
	inputs[lstmInput] = in
	randomWeights := func(rows, cols int) *Tensor {
		w := arTensor(tflite.TypeInt8, []int{rows, cols}, sp.sW, 0)
		for i := range w.Int8() {
			w.Int8()[i] = int8(rng.IntN(255) - 127)
		}
		return w
	}
	biasScale := sp.sIn * sp.sW
	for g := 0; g < lstmGates; g++ {
		inputs[lstmInputWeights+g] = randomWeights(sp.dim, sp.inDim)
		inputs[lstmRecurrentWeights+g] = randomWeights(sp.dim, sp.dim)
		b := arTensor(tflite.TypeInt32, []int{sp.dim}, biasScale, 0)
		for i := range b.Int32() {
			b.Int32()[i] = int32(math.Round((rng.Float64() - 0.5) / float64(biasScale)))
		}
		inputs[lstmGateBias+g] = b
	}
	hidden := arTensor(tflite.TypeInt8, []int{sp.batches, sp.dim}, sp.sHidden, sp.zpHidden)
	for i := range hidden.Int8() {
		hidden.Int8()[i] = int8(sp.zpHidden)
	}
	hidden.Variable = true
	cell := arTensor(tflite.TypeInt16, []int{sp.batches, sp.dim}, sp.sCell, 0)
	cell.Variable = true
	inputs[lstmOutputState], inputs[lstmCellState] = hidden, cell
	out := arTensor(tflite.TypeInt8, outShape, sp.sHidden, sp.zpHidden)
	return &Node{Op: tflite.OpUnidirectionalSequenceLstm, Inputs: inputs, Outputs: []*Tensor{out}, Rounding: r,
		Options: tflite.Options{Activation: tflite.ActTanh, CellClip: sp.cellClip, TimeMajor: sp.timeMajor}}
}

var lstmSpecs = []lstmSpec{
	{batches: 1, steps: 3, inDim: 8, dim: 7, sIn: 0.02, zpIn: 10, sW: 0.004, sHidden: 1.0 / 128, sCell: 1.0 / 2048, cellClip: 10, seed: 1},
	{batches: 2, steps: 5, inDim: 6, dim: 5, sIn: 0.015, zpIn: -20, sW: 0.005, sHidden: 0.0078, zpHidden: -3, sCell: 1.0 / 4096, seed: 2},
	{batches: 3, steps: 4, inDim: 5, dim: 4, timeMajor: true, sIn: 0.03, zpIn: 0, sW: 0.004, sHidden: 1.0 / 128, zpHidden: 5, sCell: 1.0 / 2048, cellClip: 0.5, seed: 3},
}

func (sp lstmSpec) String() string {
	return fmt.Sprintf("B%d_T%d_I%d_S%d_tm%v_clip%g", sp.batches, sp.steps, sp.inDim, sp.dim, sp.timeMajor, sp.cellClip)
}

// TestLstmExplainMatchesEval checks, for every output element, that the
// explanation ends at the stored value, that it records the gate
// pre-activations, gate values, cell update and hidden requantization, and
// that explaining leaves the live tensors untouched.
func TestLstmExplainMatchesEval(t *testing.T) {
	for _, sp := range lstmSpecs {
		for _, r := range Roundings() {
			t.Run(fmt.Sprintf("%v/%v", sp, r), func(t *testing.T) {
				n := lstmNode(sp, r)
				k := arPrepareEval(t, n)
				out := n.Outputs[0]
				hiddenAfter := fmt.Sprint(arValues(n.Inputs[lstmOutputState]))
				cellAfter := fmt.Sprint(arValues(n.Inputs[lstmCellState]))
				for e := 0; e < out.NumElements(); e++ {
					c := &Chain{}
					if err := k.Explain(0, e, c); err != nil {
						t.Fatal(err)
					}
					if c.Final != out.Int(e) {
						t.Fatalf("element %d: chain ends at %d, stored %d", e, c.Final, out.Int(e))
					}
					for _, name := range []string{"forget_gate.pre", "forget_gate.result", "input_gate.pre", "input_gate.result",
						"cell_gate.pre", "cell_gate.result", "cell.sum", "output_gate.pre", "output_gate.result",
						"cell_tanh.result", "hidden.product", "hidden.clamp"} {
						if findStep(c, name) == nil {
							t.Fatalf("element %d: no %q step", e, name)
						}
					}
					if s := findStep(c, "hidden.clamp"); s.Value != c.Final {
						t.Fatalf("element %d: hidden.clamp %d, final %d", e, s.Value, c.Final)
					}
				}
				if got := fmt.Sprint(arValues(n.Inputs[lstmOutputState])); got != hiddenAfter {
					t.Errorf("Explain changed the hidden state: %s → %s", hiddenAfter, got)
				}
				if got := fmt.Sprint(arValues(n.Inputs[lstmCellState])); got != cellAfter {
					t.Errorf("Explain changed the cell state: %s → %s", cellAfter, got)
				}
				// The last step's hidden row is the final hidden state.
				last := out.NumElements() - sp.dim
				if sp.timeMajor {
					last = (sp.steps - 1) * sp.batches * sp.dim
				}
				for i := 0; i < sp.batches*sp.dim; i++ {
					if got, want := n.Inputs[lstmOutputState].Int(i), out.Int(lastRowElement(sp, i, last)); got != want {
						t.Errorf("hidden state[%d] = %d, last output %d", i, got, want)
					}
				}
				if a := testing.AllocsPerRun(5, func() { _ = k.Eval() }); a != 0 {
					t.Errorf("Eval allocates %v times", a)
				}
			})
		}
	}
}

// lastRowElement maps hidden-state element i (b·S + s) to its element in the
// output's last time step.
func lastRowElement(sp lstmSpec, i, last int) int {
	if sp.timeMajor {
		return last + i
	}
	b, s := i/sp.dim, i%sp.dim
	return (b*sp.steps+sp.steps-1)*sp.dim + s
}

// TestLstmNearFloat re-simulates the LSTM in float64 from the dequantized
// tensors (sigmoid and tanh from math, the hidden state requantized to int8
// each step as the model stores it) and checks every output within 2 LSB and
// the final cell state within 0.01.
func TestLstmNearFloat(t *testing.T) {
	for _, sp := range lstmSpecs {
		for _, r := range Roundings() {
			t.Run(fmt.Sprintf("%v/%v", sp, r), func(t *testing.T) {
				n := lstmNode(sp, r)
				arPrepareEval(t, n)
				deq := func(t *Tensor, i int) float64 {
					return float64(t.Scale0()) * float64(t.Int(i)-int64(t.ZP0()))
				}
				in, out := n.Inputs[lstmInput], n.Outputs[0]
				biasScale := float64(sp.sIn * sp.sW)
				worstOut, worstCell := 0.0, 0.0
				for b := 0; b < sp.batches; b++ {
					h := make([]float64, sp.dim)
					c := make([]float64, sp.dim)
					for t := 0; t < sp.steps; t++ {
						row := b*sp.steps + t
						if sp.timeMajor {
							row = t*sp.batches + b
						}
						var gates [lstmGates][]float64
						for g := range gates {
							gates[g] = make([]float64, sp.dim)
							inW, recW, bias := n.Inputs[lstmInputWeights+g], n.Inputs[lstmRecurrentWeights+g], n.Inputs[lstmGateBias+g]
							for s := 0; s < sp.dim; s++ {
								v := float64(bias.Int32()[s]) * biasScale
								for i := 0; i < sp.inDim; i++ {
									v += deq(inW, s*sp.inDim+i) * deq(in, row*sp.inDim+i)
								}
								for j := 0; j < sp.dim; j++ {
									v += deq(recW, s*sp.dim+j) * h[j]
								}
								if g == gateCell {
									gates[g][s] = math.Tanh(v)
								} else {
									gates[g][s] = oracle.Logistic(v)
								}
							}
						}
						for s := 0; s < sp.dim; s++ {
							c[s] = gates[gateForget][s]*c[s] + gates[gateInput][s]*gates[gateCell][s]
							if sp.cellClip > 0 {
								c[s] = math.Max(math.Min(c[s], float64(sp.cellClip)), -float64(sp.cellClip))
							}
							hq := float64(oracle.Quantize(gates[gateOutput][s]*math.Tanh(c[s]), sp.sHidden, sp.zpHidden, tflite.TypeInt8))
							got := float64(out.Int(row*sp.dim + s))
							worstOut = math.Max(worstOut, math.Abs(got-hq))
							h[s] = float64(sp.sHidden) * (hq - float64(sp.zpHidden))
						}
					}
					for s := 0; s < sp.dim; s++ {
						worstCell = math.Max(worstCell, math.Abs(deq(n.Inputs[lstmCellState], b*sp.dim+s)-c[s]))
					}
				}
				if worstOut > 2 {
					t.Errorf("output differs from the float LSTM by %v LSB", worstOut)
				}
				if worstCell > 0.01 {
					t.Errorf("final cell state differs from the float LSTM by %v", worstCell)
				}
				t.Logf("worst output difference %v LSB, worst cell difference %.5f", worstOut, worstCell)
			})
		}
	}
}

// TestLstmTimeMajorSameAsBatchMajor lays the same data out both ways: the
// outputs and final states are identical.
func TestLstmTimeMajorSameAsBatchMajor(t *testing.T) {
	sp := lstmSpecs[1]
	batchMajor := lstmNode(sp, RoundingDouble)
	sp.timeMajor = true
	timeMajor := lstmNode(sp, RoundingDouble)
	for b := 0; b < sp.batches; b++ {
		for tt := 0; tt < sp.steps; tt++ {
			copy(timeMajor.Inputs[0].Int8()[(tt*sp.batches+b)*sp.inDim:][:sp.inDim], batchMajor.Inputs[0].Int8()[(b*sp.steps+tt)*sp.inDim:][:sp.inDim])
		}
	}
	for _, n := range []*Node{batchMajor, timeMajor} {
		arPrepareEval(t, n)
	}
	for b := 0; b < sp.batches; b++ {
		for tt := 0; tt < sp.steps; tt++ {
			for s := 0; s < sp.dim; s++ {
				bm := batchMajor.Outputs[0].Int((b*sp.steps+tt)*sp.dim + s)
				tm := timeMajor.Outputs[0].Int((tt*sp.batches+b)*sp.dim + s)
				if bm != tm {
					t.Errorf("b %d t %d s %d: batch-major %d, time-major %d", b, tt, s, bm, tm)
				}
			}
		}
	}
	for _, i := range []int{lstmOutputState, lstmCellState} {
		if a, b := fmt.Sprint(arValues(batchMajor.Inputs[i])), fmt.Sprint(arValues(timeMajor.Inputs[i])); a != b {
			t.Errorf("state %d: batch-major %s, time-major %s", i, a, b)
		}
	}
}

// tinyLstm is a one-unit LSTM with all weights 0 and s_in·s_w = 2^−12, so
// each gate pre-activation is its bias (M_in = 1): input, forget and output
// gates get bias 0 → sigmoid(0) = 16384 (0.5), the cell gate 40000 →
// saturates to 32767 → tanh = 32767 (≈ 1). Cell scale 2^−11, hidden 1/128.
func tinyLstm(cellClip float32, r Rounding) *Node {
	sp := lstmSpec{batches: 1, steps: 3, inDim: 1, dim: 1, sIn: 1.0 / 64, sW: 1.0 / 64, sHidden: 1.0 / 128, sCell: 1.0 / 2048, cellClip: cellClip}
	n := lstmNode(sp, r)
	for g := 0; g < lstmGates; g++ {
		clear(n.Inputs[lstmInputWeights+g].Data)
		clear(n.Inputs[lstmRecurrentWeights+g].Data)
		n.Inputs[lstmGateBias+g].Int32()[0] = 0
	}
	n.Inputs[lstmGateBias+gateCell].Int32()[0] = 40000
	return n
}

// TestLstmByHand follows tinyLstm over three steps. Cell: i·g = 16384·32767
// at M_ig = 2^−30/2^−11 = 2^−19 → 1023.97 → 1024; f·c at 2^−15 halves c:
// c = 1024, 512 + 1024 = 1536, 768 + 1024 = 1792 (0.5, 0.75, 0.875). The cell
// tanh input multiplier is 3·2^(15 − 11 − 3) = 6, so tanh(c) reads the
// sigmoid table at 6c/256 = 24, 36, 42 exactly: tanh = table − 32768; the
// hidden value is tanh·16384 at M_h = 2^−30/2^−7 = 2^−23, i.e. tanh/512
// rounded. With cell_clip 1500·2^−11 the cell stops at 1500 (1536 and
// 750 + 1024 = 1774 are clipped), tanh at 6·1500/256 = 35.16.
func TestLstmByHand(t *testing.T) {
	tanhAt := func(v int) int64 { // the int16 TANH table reading at |v| ≥ 0
		idx, frac := v>>8, v&0xFF
		ua, ub := int(sigmoidTableUint16[idx]), int(sigmoidTableUint16[idx+1])
		return int64((ua<<8 + frac*(ub-ua) - 1<<23 + 1<<7) >> 8)
	}
	hiddenOf := func(th int64) int64 { return int64(math.Round(float64(th) / 512)) }
	tests := []struct {
		clip  float32
		cells []int64
	}{
		{0, []int64{1024, 1536, 1792}},
		{1500.0 / 2048, []int64{1024, 1500, 1500}},
	}
	for _, tc := range tests {
		for _, r := range Roundings() {
			t.Run(fmt.Sprintf("clip%g/%v", tc.clip, r), func(t *testing.T) {
				n := tinyLstm(tc.clip, r)
				k := arPrepareEval(t, n)
				for step, cell := range tc.cells {
					c := &Chain{}
					if err := k.Explain(0, step, c); err != nil {
						t.Fatal(err)
					}
					for _, want := range []struct {
						name  string
						value int64
					}{
						{"forget_gate.result", 16384}, {"input_gate.result", 16384}, {"output_gate.result", 16384},
						{"cell_gate.pre", 32767}, {"cell_gate.result", 32767}, {"cell.input", 1024},
					} {
						if s := findStep(c, want.name); s == nil || s.Value != want.value {
							t.Errorf("step %d: %s = %+v, want %d", step, want.name, s, want.value)
						}
					}
					last := c.Steps[len(c.Steps)-1]
					if s := findStep(c, "cell_tanh.result"); s == nil || s.Value != tanhAt(6*int(cell)) {
						t.Errorf("step %d: cell tanh %+v, want %d", step, s, tanhAt(6*int(cell)))
					}
					if s := findStep(c, "cell.clip"); (s != nil) != (tc.clip > 0) || (s != nil && s.Value != cell) {
						t.Errorf("step %d: cell.clip step %+v, want %d", step, s, cell)
					}
					if got, want := n.Outputs[0].Int(step), hiddenOf(tanhAt(6*int(cell))); got != want || c.Final != want || last.Value != want {
						t.Errorf("step %d: hidden %d (chain %d), want round(tanh/512) = %d", step, got, c.Final, want)
					}
				}
				if got := n.Inputs[lstmCellState].Int(0); got != tc.cells[2] {
					t.Errorf("final cell %d, want %d", got, tc.cells[2])
				}
				p := k.(Describer).Describe()
				for _, m := range p.Multipliers {
					if m.Name == "forget_gate.input_fc" && (m.Quantized.Multiplier != 1<<30 || m.Quantized.Shift != 1) {
						t.Errorf("forget input multiplier %+v, want 1 = 2^30·2^(1−31)", m.Quantized)
					}
					if m.Name == "input×cell_gate" && m.Real != math.Ldexp(1, -19) {
						t.Errorf("input×cell multiplier %g, want 2^−19", m.Real)
					}
				}
			})
		}
	}
}

func TestLstmRefuses(t *testing.T) {
	tests := []struct {
		name   string
		modify func(n *Node)
	}{
		{"projection", func(n *Node) { n.Inputs[16] = arTensor(tflite.TypeInt8, []int{7, 7}, 0.01, 0) }},
		{"peephole", func(n *Node) { n.Inputs[10] = arTensor(tflite.TypeInt16, []int{7}, 0.01, 0) }},
		{"CIFG", func(n *Node) { n.Inputs[1], n.Inputs[5] = nil, nil }},
		{"state not variable", func(n *Node) { n.Inputs[lstmCellState].Variable = false }},
		{"relu cell activation", func(n *Node) { n.Options.Activation = tflite.ActRelu }},
		{"per-channel weights", func(n *Node) { n.Inputs[2].Scale = []float32{0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1} }},
		{"int8 cell state", func(n *Node) { n.Inputs[lstmCellState].Type = tflite.TypeInt8 }},
		{"bad output shape", func(n *Node) { n.Outputs[0].Shape = []int{1, 3, 6} }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := lstmNode(lstmSpecs[0], RoundingDouble)
			tc.modify(n)
			if _, err := Prepare(n); err == nil {
				t.Error("Prepare accepted it")
			}
		})
	}
}
