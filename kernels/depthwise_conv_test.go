package kernels

import (
	"math/rand"
	"testing"

	"github.com/tflq/tflq-trace/internal/oracle"
	"github.com/tflq/tflq-trace/tflite"
)

// refDWCase is a depthwise convolution described plainly for the reference.
type refDWCase struct {
	name string
	typ  tflite.TensorType
	refWindow
	dm                int
	act               tflite.Activation
	perChannel        bool
	inZP, outZP       int64
	inScale, outScale float32
}

// refDWOut is the oracle's DEPTHWISE_CONV_2D for the case (int16 cases carry
// an int64 bias: the 64-bit accumulator).
func refDWOut(tc refDWCase, in, w, bias []int64, ws []float32, rule Rounding) []int64 {
	_, out := oracle.DepthwiseConv2D(oracle.DepthwiseConv{Window: tc.window(), DepthMultiplier: tc.dm, InputOffset: refInputOffset(tc.typ, tc.inZP),
		Out: refStage(tc.typ, oracle.ConvMultipliers(tc.inScale, ws, tc.outScale), tc.outScale, tc.outZP, tc.act, tc.typ == tflite.TypeInt16, rule)}, in, w, bias)
	return out
}

func buildDW(t testing.TB, tc refDWCase, r *rand.Rand, rule Rounding) (k Kernel, out *Tensor, in, w, bias []int64, ws []float32) {
	t.Helper()
	lo, hi := oracle.TypeRange(tc.typ)
	biasType := tflite.TypeInt32
	if tc.typ == tflite.TypeInt16 {
		biasType = tflite.TypeInt64
	}
	cout := tc.cin * tc.dm
	in = randInts(r, tc.n*tc.h*tc.w*tc.cin, lo, hi)
	w = randInts(r, tc.fh*tc.fw*cout, -127, 127)
	bias = randInts(r, cout, -3000, 3000)
	nScales := 1
	if tc.perChannel {
		nScales = cout
	}
	ws = randScales(r, nScales, 0.002, 0.05)
	inT := qtensor(tc.typ, []int{tc.n, tc.h, tc.w, tc.cin}, []float32{tc.inScale}, tc.inZP, in)
	wT := qtensor(tflite.TypeInt8, []int{1, tc.fh, tc.fw, cout}, ws, 0, w)
	wT.QuantizedDimension = 3
	bT := qtensor(biasType, []int{cout}, ws, 0, bias)
	out = qtensor(tc.typ, tc.window().OutShape(cout), []float32{tc.outScale}, tc.outZP, nil)
	opt := tflite.Options{Type: tflite.OptionsDepthwiseConv2D, Padding: tc.padding, StrideH: int32(tc.sh), StrideW: int32(tc.sw),
		DilationH: int32(tc.dh), DilationW: int32(tc.dw), DepthMultiplier: int32(tc.dm), Activation: tc.act}
	n := &Node{Op: tflite.OpDepthwiseConv2D, Inputs: []*Tensor{inT, wT, bT}, Outputs: []*Tensor{out}, Options: opt, Rounding: rule}
	k, err := Prepare(n)
	if err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	return k, out, in, w, bias, ws
}

var dwCases = []refDWCase{
	{name: "int8_same_s1_dm1", typ: tflite.TypeInt8, refWindow: refWindow{n: 1, h: 6, w: 7, cin: 3, fh: 3, fw: 3, sh: 1, sw: 1, dh: 1, dw: 1, padding: tflite.PaddingSame},
		dm: 1, perChannel: true, inZP: -9, outZP: 4, inScale: 0.05, outScale: 0.04},
	{name: "int8_valid_s2_dm2_relu", typ: tflite.TypeInt8, refWindow: refWindow{n: 1, h: 9, w: 8, cin: 2, fh: 3, fw: 2, sh: 2, sw: 2, dh: 1, dw: 1, padding: tflite.PaddingValid},
		dm: 2, act: tflite.ActRelu, perChannel: true, inZP: 17, outZP: -30, inScale: 0.03, outScale: 0.02},
	{name: "int8_same_s2x1_dm3_relu6_pertensor", typ: tflite.TypeInt8, refWindow: refWindow{n: 2, h: 7, w: 5, cin: 2, fh: 2, fw: 3, sh: 2, sw: 1, dh: 1, dw: 1, padding: tflite.PaddingSame},
		dm: 3, act: tflite.ActRelu6, inZP: -128, outZP: -128, inScale: 0.05, outScale: 0.03},
	{name: "int8_same_d2", typ: tflite.TypeInt8, refWindow: refWindow{n: 1, h: 8, w: 8, cin: 4, fh: 3, fw: 3, sh: 1, sw: 1, dh: 2, dw: 2, padding: tflite.PaddingSame},
		dm: 1, perChannel: true, inZP: 1, outZP: 0, inScale: 0.05, outScale: 0.06},
	{name: "int16_same_s1_dm1", typ: tflite.TypeInt16, refWindow: refWindow{n: 1, h: 6, w: 6, cin: 3, fh: 3, fw: 3, sh: 1, sw: 1, dh: 1, dw: 1, padding: tflite.PaddingSame},
		dm: 1, perChannel: true, inScale: 0.001, outScale: 0.002},
	{name: "int16_valid_s2_dm2_relu6_d2", typ: tflite.TypeInt16, refWindow: refWindow{n: 1, h: 9, w: 9, cin: 2, fh: 2, fw: 2, sh: 2, sw: 2, dh: 2, dw: 2, padding: tflite.PaddingValid},
		dm: 2, act: tflite.ActRelu6, perChannel: true, inScale: 0.0005, outScale: 0.0003},
}

func TestDepthwiseConv2DMatchesReference(t *testing.T) {
	for i, tc := range dwCases {
		for _, rule := range Roundings() {
			t.Run(tc.name+"/"+rule.String(), func(t *testing.T) {
				r := rand.New(rand.NewSource(int64(200 + i)))
				k, out, in, w, bias, ws := buildDW(t, tc, r, rule)
				want := refDWOut(tc, in, w, bias, ws, rule)
				checkMACOutput(t, k, out, want, true)
			})
		}
	}
}

// TestDepthwiseConv2DHandChecked: one 1×2 tap window, depth multiplier 2.
// Input channel 0 holds {4, 6} (zp 2), so output channel 1 (ic 0, m 1) with
// weights {5, −1} at [0,0,0,1] and [0,0,1,1]: acc = 5·(4−2) + (−1)·(6−2) = 6,
// + bias 10 = 16; M = 0.5·0.5/1 = 0.25 → 4, + zp 1 = 5.
func TestDepthwiseConv2DHandChecked(t *testing.T) {
	in := qtensor(tflite.TypeInt8, []int{1, 1, 2, 1}, []float32{0.5}, 2, []int64{4, 6})
	w := qtensor(tflite.TypeInt8, []int{1, 1, 2, 2}, []float32{0.5, 0.5}, 0, []int64{7, 5, 9, -1})
	b := qtensor(tflite.TypeInt32, []int{2}, []float32{0.25, 0.25}, 0, []int64{0, 10})
	out := qtensor(tflite.TypeInt8, []int{1, 1, 1, 2}, []float32{1}, 1, nil)
	n := &Node{Op: tflite.OpDepthwiseConv2D, Inputs: []*Tensor{in, w, b}, Outputs: []*Tensor{out},
		Options: tflite.Options{Type: tflite.OptionsDepthwiseConv2D, Padding: tflite.PaddingValid, StrideH: 1, StrideW: 1, DilationH: 1, DilationW: 1, DepthMultiplier: 2}}
	k := arPrepareEval(t, n)
	// channel 0: 7·2 + 9·4 = 50, ·0.25 = 12.5 → 13 (half up/away), + 1 = 14.
	if got := arValues(out); got[0] != 14 || got[1] != 5 {
		t.Fatalf("got %v, want [14 5]", got)
	}
	c := &Chain{}
	if err := k.Explain(0, 1, c); err != nil {
		t.Fatal(err)
	}
	if len(c.Terms) != 2 || c.Terms[0].WeightIndex != 1 || c.Terms[1].WeightIndex != 3 || c.Terms[1].InputIndex != 1 || c.Final != 5 {
		t.Fatalf("chain %+v", c)
	}
}

// BenchmarkDepthwiseConv2DInt8 is a person_detect-sized layer: [1,48,48,16],
// 3×3, stride 2.
func BenchmarkDepthwiseConv2DInt8(b *testing.B) {
	r := rand.New(rand.NewSource(1))
	k, _, _, _, _, _ := buildDW(b, refDWCase{typ: tflite.TypeInt8, refWindow: refWindow{n: 1, h: 48, w: 48, cin: 16, fh: 3, fw: 3, sh: 2, sw: 2, dh: 1, dw: 1, padding: tflite.PaddingSame},
		dm: 1, act: tflite.ActRelu6, perChannel: true, inZP: -128, outZP: -128, inScale: 0.02, outScale: 0.02}, r, RoundingDouble)
	benchEval(b, k)
}
