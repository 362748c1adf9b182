package kernels

import (
	"fmt"
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

// svdfCase is a small SVDF node: input [1, 2] (s 0.5, zp 1), weights_feature
// [[1, 2], [3, −1]] (s 0.25), int16 weights_time [[1, 2, 3], [4, 5, −6]]
// (s 0.5), int16 state [1, 6] (s 0.125, memory 3), output s 0.25 zp −3.
// M1 = 0.5·0.25/0.125 = 1 (exact), M2 = 0.125·0.5/0.25 = 0.25.
func svdfCase(rank int, bias []int64, r Rounding) *Node {
	units := 2 / rank
	in := arTensor(tflite.TypeInt8, []int{1, 2}, 0.5, 1)
	wf := arTensor(tflite.TypeInt8, []int{2, 2}, 0.25, 0, 1, 2, 3, -1)
	wt := arTensor(tflite.TypeInt16, []int{2, 3}, 0.5, 0, 1, 2, 3, 4, 5, -6)
	b := arTensor(tflite.TypeInt32, []int{units}, 0.0625, 0, bias...)
	state := arTensor(tflite.TypeInt16, []int{1, 6}, 0.125, 0)
	state.Variable = true
	out := arTensor(tflite.TypeInt8, []int{1, units}, 0.25, -3)
	return &Node{Op: tflite.OpSvdf, Inputs: []*Tensor{in, wf, wt, b, state}, Outputs: []*Tensor{out},
		Options: tflite.Options{Rank: int32(rank)}, Rounding: r}
}

// TestSvdfByHand runs two invocations and checks output and state against
// hand arithmetic.
//
// Invocation 1, input [3, −1] → centred [2, −2]: features f0 = 2 − 4 = −2,
// f1 = 6 + 2 = 8; state rows [0 0 −2], [0 0 8]; time sums t0 = 3·(−2) = −6,
// t1 = −6·8 = −48. Rank 1, bias [0, 10]: acc −6 → −6/4 = −1.5 (double
// rounding −2, single −1) → −5 / −4; acc −38 → −9.5 (−10 / −9) → −13 / −12.
// Rank 2, bias [2]: acc 2 − 6 − 48 = −52 → −13 → −16.
//
// Invocation 2, input [1, 5] → [0, 4]: f0 = 8, f1 = −4; the state shifts
// left to [0 −2 8], [0 8 −4]; t0 = −4 + 24 = 20, t1 = 40 + 24 = 64. Rank 1:
// 20 → 5 → 2; 74 → 18.5 → 19 (both rules) → 16. Rank 2: 2 + 84 = 86 → 21.5
// → 22 → 19 (both rules).
func TestSvdfByHand(t *testing.T) {
	tests := []struct {
		rank       int
		bias       []int64
		r          Rounding
		out1, out2 []int64
	}{
		{1, []int64{0, 10}, RoundingDouble, []int64{-5, -13}, []int64{2, 16}},
		{1, []int64{0, 10}, RoundingSingle, []int64{-4, -12}, []int64{2, 16}},
		{2, []int64{2}, RoundingDouble, []int64{-16}, []int64{19}},
		{2, []int64{2}, RoundingSingle, []int64{-16}, []int64{19}},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("rank%d/%v", tc.rank, tc.r), func(t *testing.T) {
			n := svdfCase(tc.rank, tc.bias, tc.r)
			k, err := Prepare(n)
			if err != nil {
				t.Fatal(err)
			}
			p := k.(Describer).Describe()
			if q := p.Multipliers[0].Quantized; q.Multiplier != 1<<30 || q.Shift != 1 {
				t.Errorf("M1 = %+v, want 2^30·2^(1−31) = 1", q)
			}
			if q := p.Multipliers[1].Quantized; q.Multiplier != 1<<30 || q.Shift != -1 {
				t.Errorf("M2 = %+v, want 2^30·2^(−1−31) = 0.25", q)
			}
			in, state, out := n.Inputs[0], n.Inputs[4], n.Outputs[0]
			steps := []struct {
				input     []int8
				state     []int64
				wantOut   []int64
				newestCol []int64
			}{
				{[]int8{3, -1}, []int64{0, 0, -2, 0, 0, 8}, tc.out1, []int64{-2, 8}},
				{[]int8{1, 5}, []int64{0, -2, 8, 0, 8, -4}, tc.out2, []int64{8, -4}},
			}
			for i, st := range steps {
				copy(in.Int8(), st.input)
				if err := k.Eval(); err != nil {
					t.Fatal(err)
				}
				if got := arValues(state); fmt.Sprint(got) != fmt.Sprint(st.state) {
					t.Errorf("invocation %d: state %v, want %v", i+1, got, st.state)
				}
				if got := arValues(out); fmt.Sprint(got) != fmt.Sprint(st.wantOut) {
					t.Errorf("invocation %d: output %v, want %v", i+1, got, st.wantOut)
				}
				for e := range out.NumElements() {
					c := &Chain{}
					if err := k.Explain(0, e, c); err != nil {
						t.Fatal(err)
					}
					if c.Final != out.Int(e) {
						t.Errorf("invocation %d element %d: chain ends at %d, stored %d", i+1, e, c.Final, out.Int(e))
					}
					for j := 0; j < tc.rank; j++ {
						f := e*tc.rank + j
						if s := findStep(c, fmt.Sprintf("state_new[%d]", f)); s == nil || s.Value != st.newestCol[f] {
							t.Errorf("invocation %d element %d: state_new[%d] step %+v, want %d", i+1, e, f, s, st.newestCol[f])
						}
					}
				}
			}
			if a := testing.AllocsPerRun(10, func() { _ = k.Eval() }); a != 0 {
				t.Errorf("Eval allocates %v times", a)
			}
		})
	}
}

// TestSvdfInt8StateSaturates checks the int8 state variant and the clamp of
// the feature value to the state dtype: acc = 2·127·127 = 32258 at M1 = 1
// saturates to 127; the time sum 1·0 + 1·127 = 127 at M2 = 0.25 → 31.75 → 32.
func TestSvdfInt8StateSaturates(t *testing.T) {
	for _, r := range Roundings() {
		t.Run(r.String(), func(t *testing.T) {
			in := arTensor(tflite.TypeInt8, []int{1, 2}, 0.5, 0, 127, 127)
			wf := arTensor(tflite.TypeInt8, []int{1, 2}, 0.25, 0, 127, 127)
			wt := arTensor(tflite.TypeInt8, []int{1, 2}, 0.5, 0, 1, 1)
			b := arTensor(tflite.TypeInt32, []int{1}, 0.0625, 0, 0)
			state := arTensor(tflite.TypeInt8, []int{1, 2}, 0.125, 0)
			state.Variable = true
			out := arTensor(tflite.TypeInt8, []int{1, 1}, 0.25, 0)
			n := &Node{Op: tflite.OpSvdf, Inputs: []*Tensor{in, wf, wt, b, state}, Outputs: []*Tensor{out},
				Options: tflite.Options{Rank: 1}, Rounding: r}
			k := arPrepareEval(t, n)
			if got := arValues(state); got[0] != 0 || got[1] != 127 {
				t.Errorf("state %v, want [0 127]", got)
			}
			if got := out.Int(0); got != 32 {
				t.Errorf("output %d, want 32", got)
			}
			c := &Chain{}
			if err := k.Explain(0, 0, c); err != nil {
				t.Fatal(err)
			}
			if s := findStep(c, "state_new[0]"); s == nil || !s.Changed || s.Value != 127 {
				t.Errorf("state_new step %+v, want 127 marked changed (clamped)", s)
			}
			if c.Final != 32 {
				t.Errorf("chain ends at %d, want 32", c.Final)
			}
		})
	}
}

func TestSvdfRefuses(t *testing.T) {
	tests := []struct {
		name   string
		modify func(n *Node)
	}{
		{"rank not dividing filters", func(n *Node) { n.Options.Rank = 3 }},
		{"state not variable", func(n *Node) { n.Inputs[4].Variable = false }},
		{"float input", func(n *Node) { n.Inputs[0].Type = tflite.TypeFloat32 }},
		{"bias scale", func(n *Node) { n.Inputs[3].Scale = []float32{0.5} }},
		{"missing state", func(n *Node) { n.Inputs = n.Inputs[:4] }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := svdfCase(1, []int64{0, 0}, RoundingDouble)
			tc.modify(n)
			if _, err := Prepare(n); err == nil {
				t.Error("Prepare accepted it")
			}
		})
	}
}

// findStep returns the first step of c named name.
func findStep(c *Chain, name string) *Step {
	for i := range c.Steps {
		if c.Steps[i].Name == name {
			return &c.Steps[i]
		}
	}
	return nil
}
