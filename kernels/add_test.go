package kernels

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/tflq/tflq-trace/internal/oracle"
	"github.com/tflq/tflq-trace/tflite"
)

type addSubCase struct {
	name           string
	typ            tflite.TensorType
	shape1, shape2 []int
	outShape       []int
	s1, s2, so     float32
	z1, z2, zo     int64
	act            tflite.Activation
}

// refBinary is the case as the oracle's binary elementwise op.
func refBinary(tc addSubCase, r Rounding) oracle.Binary {
	return oracle.Binary{Type: tc.typ, S1: tc.s1, S2: tc.s2, SOut: tc.so, Z1: tc.z1, Z2: tc.z2, ZOut: tc.zo, Act: tc.act, Rounding: oracleRounding(r)}
}

func buildBinary(op tflite.BuiltinOperator, tc addSubCase, r Rounding, v1, v2 []int64) (*Node, error) {
	in1 := arTensor(tc.typ, tc.shape1, tc.s1, tc.z1, v1...)
	in2 := arTensor(tc.typ, tc.shape2, tc.s2, tc.z2, v2...)
	out := arTensor(tc.typ, tc.outShape, tc.so, tc.zo)
	return &Node{Op: op, Inputs: []*Tensor{in1, in2}, Outputs: []*Tensor{out},
		Options: tflite.Options{Activation: tc.act}, Rounding: r}, nil
}

var addSubCases = []addSubCase{
	{"int8 same", tflite.TypeInt8, []int{2, 3, 4}, []int{2, 3, 4}, []int{2, 3, 4}, 0.05, 0.031, 0.07, 3, -20, -5, tflite.ActNone},
	{"int8 scalar relu", tflite.TypeInt8, []int{1, 4, 4, 3}, []int{1}, []int{1, 4, 4, 3}, 0.1, 0.0123, 0.09, -128, 17, -128, tflite.ActRelu},
	{"int8 4d relu6", tflite.TypeInt8, []int{1, 3, 1, 4}, []int{1, 1, 5, 4}, []int{1, 3, 5, 4}, 0.02, 0.05, 0.04, 10, -3, -100, tflite.ActRelu6},
	{"int8 5d", tflite.TypeInt8, []int{2, 1, 3, 1, 2}, []int{1, 2, 1, 2, 2}, []int{2, 2, 3, 2, 2}, 0.3, 0.3, 0.5, 0, 0, 0, tflite.ActNone},
	{"int16 channel", tflite.TypeInt16, []int{1, 2, 3, 4}, []int{4}, []int{1, 2, 3, 4}, 0.0003, 0.0007, 0.0009, 0, 0, 0, tflite.ActNone},
	{"int16 same relu6", tflite.TypeInt16, []int{3, 5}, []int{3, 5}, []int{3, 5}, 2e-4, 1.5e-4, 2.6e-4, 0, 0, 0, tflite.ActRelu6},
}

func TestAddSubMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for _, op := range []tflite.BuiltinOperator{tflite.OpAdd, tflite.OpSub} {
		for _, tc := range addSubCases {
			for _, r := range Roundings() {
				t.Run(fmt.Sprintf("%v/%s/%v", op, tc.name, r), func(t *testing.T) {
					ref := oracle.Binary.Add
					if op == tflite.OpSub {
						ref = oracle.Binary.Sub
					}
					checkBinaryMatchesReference(t, rng, op, tc, r, ref, "in1.x", "in1.offset", "in1.left_shift", "in2.x", "in2.left_shift", "M", "zp", "clamp")
				})
			}
		}
	}
}

// checkBinaryMatchesReference runs op on tc with random values from rng (the
// type's extremes always take part) and checks every element against the
// oracle's ref, and every element's explanation: the named steps and the
// two broadcast sources. Eval must not allocate.
func checkBinaryMatchesReference(t *testing.T, rng *rand.Rand, op tflite.BuiltinOperator, tc addSubCase, r Rounding, ref func(oracle.Binary, int64, int64) int64, steps ...string) {
	t.Helper()
	lo, hi := Range(tc.typ)
	rand := func(n int) []int64 {
		v := make([]int64, n)
		for i := range v {
			v[i] = int64(lo) + rng.Int64N(int64(hi)-int64(lo)+1)
		}
		// The extremes always take part.
		v[0], v[n-1] = int64(lo), int64(hi)
		return v
	}
	v1, v2 := rand(NumElements(tc.shape1)), rand(NumElements(tc.shape2))
	n, _ := buildBinary(op, tc, r, v1, v2)
	k := arPrepareEval(t, n)
	out := n.Outputs[0]
	got := arValues(out)
	for e := range got {
		i1 := oracle.BroadcastIndex(tc.outShape, tc.shape1, e)
		i2 := oracle.BroadcastIndex(tc.outShape, tc.shape2, e)
		if want := ref(refBinary(tc, r), v1[i1], v2[i2]); got[e] != want {
			t.Fatalf("element %d (x1 %d, x2 %d): got %d, want %d", e, v1[i1], v2[i2], got[e], want)
		}
	}
	chains := ewCheckExplain(t, k, out, steps...)
	for e, c := range chains {
		i1, i2 := oracle.BroadcastIndex(tc.outShape, tc.shape1, e), oracle.BroadcastIndex(tc.outShape, tc.shape2, e)
		if len(c.Sources) != 2 || c.Sources[0] != (Source{0, i1}) || c.Sources[1] != (Source{1, i2}) {
			t.Fatalf("element %d: sources %+v, want inputs %d and %d", e, c.Sources, i1, i2)
		}
	}
	arCheckNoAlloc(t, k)
}

// TestAddHandChecked: s1 = s2 = 1/8, s_out = 1/4, zero points 0, so M1 = M2
// = 1/2 = (2^30, 0) and Mout = 2^−20 = (2^30, −19); y = round((x1 + x2)/2)
// with the rounding rule's tie: 3.5 → 4 under both, −3.5 → −4 under double
// rounding (away from zero) and −3 under single rounding (toward +∞).
func TestAddHandChecked(t *testing.T) {
	tc := addSubCase{typ: tflite.TypeInt8, shape1: []int{4}, shape2: []int{4}, outShape: []int{4}, s1: 0.125, s2: 0.125, so: 0.25}
	x1 := []int64{3, 3, -3, 100}
	x2 := []int64{5, 4, -4, 100}
	for _, tt := range []struct {
		r    Rounding
		want []int64
	}{
		{RoundingDouble, []int64{4, 4, -4, 100}},
		{RoundingSingle, []int64{4, 4, -3, 100}},
	} {
		t.Run(tt.r.String(), func(t *testing.T) {
			n, _ := buildBinary(tflite.OpAdd, tc, tt.r, x1, x2)
			k, err := Prepare(n)
			if err != nil {
				t.Fatal(err)
			}
			p := k.(Describer).Describe()
			wantM := []QuantizedMultiplier{{1 << 30, 0}, {1 << 30, 0}, {1 << 30, -19}}
			for i, m := range p.Multipliers {
				if m.Quantized != wantM[i] {
					t.Fatalf("multiplier %s = %+v, want %+v", m.Name, m.Quantized, wantM[i])
				}
			}
			if err := k.Eval(); err != nil {
				t.Fatal(err)
			}
			if got := arValues(n.Outputs[0]); fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			c := &Chain{}
			if err := k.Explain(0, 1, c); err != nil {
				t.Fatal(err)
			}
			for _, s := range c.Steps {
				if s.Name == "sum" && s.Value != 7<<19 {
					t.Fatalf("sum step %d, want 7·2^19", s.Value)
				}
			}
		})
	}
}

// TestSubMultipliersInFloat checks that SUB derives its multipliers in
// float32 (sub_common.cc) and ADD in double (add_common.cc).
func TestSubMultipliersInFloat(t *testing.T) {
	tc := addSubCase{typ: tflite.TypeInt16, shape1: []int{1}, shape2: []int{1}, outShape: []int{1}, s1: 3.0517578e-05 * 1.7, s2: 3.0517578e-05 * 1.3, so: 3.0517578e-05 * 2.1}
	for _, op := range []tflite.BuiltinOperator{tflite.OpAdd, tflite.OpSub} {
		n, _ := buildBinary(op, tc, RoundingDouble, []int64{0}, []int64{0})
		k, err := Prepare(n)
		if err != nil {
			t.Fatal(err)
		}
		p := k.(Describer).Describe()
		var want [3]float64
		if op == tflite.OpSub {
			want[0], want[1], want[2] = oracle.SubMultipliers(tc.s1, tc.s2, tc.so, 15)
		} else {
			want[0], want[1], want[2] = oracle.AddMultipliers(tc.s1, tc.s2, tc.so, 15)
		}
		if _, add2, _ := oracle.AddMultipliers(tc.s1, tc.s2, tc.so, 15); op == tflite.OpSub && want[1] == add2 {
			t.Fatal("the scales must make the float and double derivations differ")
		}
		for i, m := range p.Multipliers {
			if m.Real != want[i] {
				t.Errorf("%v %s multiplier %.17g, want %.17g", op, m.Name, m.Real, want[i])
			}
		}
		if p.Ints[0].Name != "left_shift" || p.Ints[0].Value != 15 {
			t.Errorf("%v int16 left shift %+v, want 15", op, p.Ints[0])
		}
	}
}

func TestAddSubRejects(t *testing.T) {
	good := addSubCases[0]
	tests := []struct {
		name   string
		mutate func(n *Node)
		want   error
	}{
		{"uint8", func(n *Node) {
			for _, t := range append(n.Inputs, n.Outputs...) {
				t.Type, t.ZeroPoint = tflite.TypeUint8, []int64{128}
			}
		}, ErrUnsupportedType},
		{"mixed types", func(n *Node) { n.Outputs[0].Type = tflite.TypeInt16 }, ErrUnsupportedType},
		{"missing input", func(n *Node) { n.Inputs = n.Inputs[:1] }, ErrMissingInput},
		{"no broadcast", func(n *Node) { n.Inputs[1].Shape = []int{3, 2, 4} }, ErrBadShape},
		{"wrong output shape", func(n *Node) { n.Outputs[0].Shape = []int{2, 3, 5} }, ErrBadShape},
		{"not quantized", func(n *Node) { n.Inputs[0].Scale = nil }, ErrBadQuantization},
	}
	for _, op := range []tflite.BuiltinOperator{tflite.OpAdd, tflite.OpSub, tflite.OpMul} {
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%v/%s", op, tt.name), func(t *testing.T) {
				n, _ := buildBinary(op, good, RoundingDouble, nil, nil)
				tt.mutate(n)
				if _, err := Prepare(n); !errors.Is(err, tt.want) {
					t.Fatalf("Prepare error %v, want %v", err, tt.want)
				}
			})
		}
	}
}
