package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tflq/tflq-trace/internal/oracle"
	"github.com/tflq/tflq-trace/tflite"
)

func buildSoftmax(inType, outType tflite.TensorType, shape []int, sIn float32, zIn int64, beta float32, r Rounding, values []int64) *Node {
	in := arTensor(inType, shape, sIn, zIn, values...)
	var out *Tensor
	switch {
	case inType == tflite.TypeInt16:
		out = arTensor(outType, shape, 1.0/32768, 0)
	case outType == tflite.TypeInt16:
		out = arTensor(outType, shape, 1.0/65536, -32768)
	default:
		out = arTensor(outType, shape, 1.0/256, -128)
	}
	return &Node{Op: tflite.OpSoftmax, Inputs: []*Tensor{in}, Outputs: []*Tensor{out}, Options: tflite.Options{Beta: beta}, Rounding: r}
}

// refSoftmax is the oracle's float softmax of each row of the dequantized
// values, in output units (p/s_out + zp_out), unrounded.
func refSoftmax(values []int64, depth int, sIn float64, beta float64, outScale float64, outZP int64) []float64 {
	out := make([]float64, 0, len(values))
	for lo := 0; lo < len(values); lo += depth {
		row := make([]float64, depth)
		for j, v := range values[lo : lo+depth] {
			row[j] = sIn * float64(v)
		}
		for _, p := range oracle.Softmax(row, beta) {
			out = append(out, p/outScale+float64(outZP))
		}
	}
	return out
}

// TestSoftmaxHandChecked: a row of four equal inputs has exp = 1 (Q0.31
// maximum) everywhere, sum 4 = 2^21 in Q12.19, reciprocal ≈ 1 with 2 bits over
// unit, so each output is 1/4: −128 + 64 = −64 for int8, −32768 + 16384 =
// −16384 for int16 output. A one-hot row gives the maximum and minimums.
func TestSoftmaxHandChecked(t *testing.T) {
	tests := []struct {
		out    tflite.TensorType
		values []int64
		want   []int64
	}{
		{tflite.TypeInt8, []int64{7, 7, 7, 7}, []int64{-64, -64, -64, -64}},
		{tflite.TypeInt16, []int64{-50, -50, -50, -50}, []int64{-16384, -16384, -16384, -16384}},
		{tflite.TypeInt8, []int64{127, -128, -128, -128}, []int64{127, -128, -128, -128}},
	}
	for _, tc := range tests {
		for _, r := range Roundings() {
			t.Run(fmt.Sprintf("%v/%v/%v", tc.out, tc.values, r), func(t *testing.T) {
				n := buildSoftmax(tflite.TypeInt8, tc.out, []int{1, 4}, 0.1, 0, 1, r, tc.values)
				k := arPrepareEval(t, n)
				if got := arValues(n.Outputs[0]); fmt.Sprint(got) != fmt.Sprint(tc.want) {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
				c := &Chain{}
				if err := k.Explain(0, 0, c); err != nil {
					t.Fatal(err)
				}
				for _, s := range c.Steps {
					if s.Name == "exponent" && tc.values[1] == tc.values[0] && s.Value != int64(2+31-8*tc.out.Size()) {
						t.Fatalf("exponent %d, want 2 + 31 − %d", s.Value, 8*tc.out.Size())
					}
				}
			})
		}
	}
}

// TestSoftmaxDiffMin: with s_in = 1 and β = 1 the input multiplier is 2^26 =
// (2^30, 27), so diff_min = −floor(31·2^26 / 2^27) = −15; an input 16 below
// the row maximum is skipped and gets the output minimum.
func TestSoftmaxDiffMin(t *testing.T) {
	n := buildSoftmax(tflite.TypeInt8, tflite.TypeInt8, []int{3}, 1, 0, 1, RoundingDouble, []int64{10, -6, 9})
	k, err := Prepare(n)
	if err != nil {
		t.Fatal(err)
	}
	p := k.(Describer).Describe()
	if p.Multipliers[0].Quantized != (QuantizedMultiplier{1 << 30, 27}) || p.Ints[1].Name != "diff_min" || p.Ints[1].Value != -15 {
		t.Fatalf("params %+v", p)
	}
	if err := k.Eval(); err != nil {
		t.Fatal(err)
	}
	got := arValues(n.Outputs[0])
	// softmax(0, −16, −1) = 0.7311, 8e-8, 0.2689 → 187 − 128, −128, 69 − 128.
	if want := []int64{59, -128, -59}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	c := &Chain{}
	if err := k.Explain(0, 1, c); err != nil {
		t.Fatal(err)
	}
	if last := c.Steps[len(c.Steps)-1]; last.Name != "below_diff_min" || !last.Changed {
		t.Fatalf("last step %+v, want below_diff_min", last)
	}
}

// TestSoftmaxMultiplierCap: β·s·2^26 above the cap is clamped to 2^31 − 1
// under double rounding and to 2^30 − 1 under single rounding
// (PreprocessSoftmaxScaling).
func TestSoftmaxMultiplierCap(t *testing.T) {
	for _, tt := range []struct {
		r    Rounding
		want float64
	}{{RoundingDouble, 1<<31 - 1}, {RoundingSingle, 1<<30 - 1}} {
		n := buildSoftmax(tflite.TypeInt8, tflite.TypeInt8, []int{2}, 4, 0, 64, tt.r, []int64{1, 0})
		k, err := Prepare(n)
		if err != nil {
			t.Fatal(err)
		}
		if got := k.(Describer).Describe().Multipliers[0].Real; got != tt.want {
			t.Fatalf("%v: real multiplier %g, want %g", tt.r, got, tt.want)
		}
	}
}

// TestSoftmaxNearFloat compares random rows with the float softmax: the
// fixed-point paths stay within 1 LSB for int8 output, 2 for int16 output,
// and the int16 table path (512-entry interpolated tables) within 8.
func TestSoftmaxNearFloat(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	tests := []struct {
		in, out tflite.TensorType
		shape   []int
		sIn     float32
		zIn     int64
		beta    float32
		tol     float64
	}{
		{tflite.TypeInt8, tflite.TypeInt8, []int{5, 10}, 0.1, -12, 1, 1},
		{tflite.TypeInt8, tflite.TypeInt8, []int{2, 3, 7}, 0.05, 30, 0.5, 1},
		{tflite.TypeInt8, tflite.TypeInt16, []int{4, 12}, 0.08, 0, 0.7, 2},
		{tflite.TypeInt16, tflite.TypeInt16, []int{6, 9}, 2.5e-4, 0, 1, 8},
		{tflite.TypeInt16, tflite.TypeInt16, []int{3, 2, 16}, 1e-4, 0, 0.5, 8},
	}
	for _, tc := range tests {
		for _, r := range Roundings() {
			t.Run(fmt.Sprintf("%v_%v_%v_beta%g/%v", tc.in, tc.out, tc.shape, tc.beta, r), func(t *testing.T) {
				lo, hi := Range(tc.in)
				values := make([]int64, NumElements(tc.shape))
				for i := range values {
					values[i] = int64(lo) + rng.Int64N(int64(hi)-int64(lo)+1)
				}
				n := buildSoftmax(tc.in, tc.out, tc.shape, tc.sIn, tc.zIn, tc.beta, r, values)
				k := arPrepareEval(t, n)
				out := n.Outputs[0]
				ref := refSoftmax(values, tc.shape[len(tc.shape)-1], float64(tc.sIn), float64(tc.beta), float64(out.Scale0()), int64(out.ZP0()))
				olo, ohi := oracle.TypeRange(tc.out)
				for i, g := range arValues(out) {
					want := min(max(ref[i], float64(olo)), float64(ohi))
					if math.Abs(float64(g)-want) > tc.tol {
						t.Fatalf("element %d: got %d, float softmax %.3f", i, g, want)
					}
				}
				chains := ewCheckExplain(t, k, out, "max", "sum_exp", "reciprocal", "diff")
				depth := tc.shape[len(tc.shape)-1]
				for e, c := range chains {
					row := e / depth
					for _, s := range c.Sources {
						if s.Element/depth != row {
							t.Fatalf("element %d: source %d outside its row", e, s.Element)
						}
					}
				}
				arCheckNoAlloc(t, k)
			})
		}
	}
}

func TestSoftmaxRejectsOutputQuantization(t *testing.T) {
	n := buildSoftmax(tflite.TypeInt8, tflite.TypeInt8, []int{4}, 0.1, 0, 1, RoundingDouble, nil)
	n.Outputs[0].ZeroPoint = []int64{0}
	if _, err := Prepare(n); err == nil {
		t.Fatal("int8 SOFTMAX with output zero point 0 prepared")
	}
	n = buildSoftmax(tflite.TypeInt16, tflite.TypeInt16, []int{4}, 0.1, 0, 1, RoundingDouble, nil)
	n.Outputs[0].Scale = []float32{1.0 / 256}
	if _, err := Prepare(n); err == nil {
		t.Fatal("int16 SOFTMAX with output scale 1/256 prepared")
	}
}
