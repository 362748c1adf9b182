package kernels

import (
	"fmt"
	"testing"

	"github.com/tflq/tflq-trace/internal/oracle"
	"github.com/tflq/tflq-trace/tflite"
)

func buildLeakyRelu(typ tflite.TensorType, sIn, sOut float32, zIn, zOut int64, alpha float32, r Rounding, values []int64) *Node {
	in := arTensor(typ, []int{len(values)}, sIn, zIn, values...)
	out := arTensor(typ, []int{len(values)}, sOut, zOut)
	return &Node{Op: tflite.OpLeakyRelu, Inputs: []*Tensor{in}, Outputs: []*Tensor{out},
		Options: tflite.Options{Alpha: alpha}, Rounding: r}
}

// TestLeakyReluHandChecked: s_in = 1/2, s_out = 1/4 gives M_identity = 2 =
// (2^30, 2); α = 1/4 gives M_alpha = 1/2 = (2^30, 0). So y = 2d for d ≥ 0
// and round(d/2) (ties toward +∞) for d < 0, plus zp_out, clamped.
func TestLeakyReluHandChecked(t *testing.T) {
	for _, r := range Roundings() {
		n := buildLeakyRelu(tflite.TypeInt8, 0.5, 0.25, 2, -3, 0.25, r, []int64{5, 2, -1, -2, -126, 127})
		k, err := Prepare(n)
		if err != nil {
			t.Fatal(err)
		}
		p := k.(Describer).Describe()
		if p.Multipliers[0].Quantized != (QuantizedMultiplier{1 << 30, 2}) || p.Multipliers[1].Quantized != (QuantizedMultiplier{1 << 30, 0}) {
			t.Fatalf("multipliers %+v", p.Multipliers)
		}
		if err := k.Eval(); err != nil {
			t.Fatal(err)
		}
		// d = 3, 0, −3, −4, −128, 125 → 6, 0, −1 (−1.5 → −1), −2, −64, 250 → +(−3), clamp.
		if got, want := arValues(n.Outputs[0]), []int64{3, -3, -4, -5, -67, 127}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%v: got %v, want %v", r, got, want)
		}
		ewCheckExplain(t, k, n.Outputs[0], "x", "offset", "branch", "M", "zp", "clamp")
	}
}

// TestLeakyReluMatchesReference runs every int8 and a spread of int16 inputs
// against the formula, with multipliers computed in float32 as
// leaky_relu_common.cc does.
func TestLeakyReluMatchesReference(t *testing.T) {
	tests := []struct {
		typ        tflite.TensorType
		sIn, sOut  float32
		zIn, zOut  int64
		alpha      float32
		start, inc int64
	}{
		{tflite.TypeInt8, 0.0371, 0.0302, 17, -40, 0.2, -128, 1},
		{tflite.TypeInt8, 0.11, 0.09, -128, -120, 0.01, -128, 1},
		{tflite.TypeInt16, 3.1e-4, 2.7e-4, 0, 0, 0.3, -32768, 257},
	}
	for _, tc := range tests {
		for _, r := range Roundings() {
			t.Run(fmt.Sprintf("%v/alpha%g/%v", tc.typ, tc.alpha, r), func(t *testing.T) {
				lo, hi := oracle.TypeRange(tc.typ)
				var values []int64
				for v := tc.start; v <= hi; v += tc.inc {
					values = append(values, v)
				}
				n := buildLeakyRelu(tc.typ, tc.sIn, tc.sOut, tc.zIn, tc.zOut, tc.alpha, r, values)
				k := arPrepareEval(t, n)
				mID, mAlpha := oracle.LeakyReluMultipliers(tc.sIn, tc.sOut, tc.alpha)
				got := arValues(n.Outputs[0])
				for i, x := range values {
					d := x - tc.zIn
					m := mID
					if d < 0 {
						m = mAlpha
					}
					want := oracle.Clamp(oracle.Requantize(d, m, oracleRounding(r))+tc.zOut, lo, hi)
					if got[i] != want {
						t.Fatalf("x = %d: got %d, want %d", x, got[i], want)
					}
				}
				ewCheckExplain(t, k, n.Outputs[0], "offset", "branch", "clamp")
				arCheckNoAlloc(t, k)
			})
		}
	}
}
