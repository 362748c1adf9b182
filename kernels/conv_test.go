package kernels

import (
	"errors"
	"math"
	"math/rand"
	"testing"

	"github.com/tflq/tflq-trace/internal/oracle"
	"github.com/tflq/tflq-trace/tflite"
)

// ---- test helpers shared by the multiply-accumulate kernel tests ----

// qtensor builds a quantized tensor with the given data.
func qtensor(typ tflite.TensorType, shape []int, scales []float32, zp int64, data []int64) *Tensor {
	t := NewTensor(typ, shape)
	t.Scale = scales
	t.ZeroPoint = make([]int64, len(scales))
	for i := range t.ZeroPoint {
		t.ZeroPoint[i] = zp
	}
	setInts(t, data)
	return t
}

func randInts(r *rand.Rand, n int, lo, hi int64) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = lo + r.Int63n(hi-lo+1)
	}
	return out
}

func randScales(r *rand.Rand, n int, lo, hi float64) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = float32(lo * math.Pow(hi/lo, r.Float64()))
	}
	return out
}

// refWindow is the geometry of a convolution or depthwise convolution case:
// input batches, height, width and channels, filter height and width,
// strides, dilations and padding.
type refWindow struct {
	n, h, w, cin   int
	fh, fw         int
	sh, sw, dh, dw int
	padding        tflite.Padding
}

// window is the geometry in the oracle's terms.
func (g refWindow) window() oracle.Window {
	return oracle.Window{Batches: g.n, InH: g.h, InW: g.w, InC: g.cin, KH: g.fh, KW: g.fw,
		StrideH: g.sh, StrideW: g.sw, DilationH: g.dh, DilationW: g.dw, Padding: g.padding}
}

// refConvCase is a convolution described plainly for the reference.
type refConvCase struct {
	name              string
	typ               tflite.TensorType // int8 or int16 activations
	biasType          tflite.TensorType // int32, int64, or 0 for none
	quantizedBiasType tflite.TensorType // the options' quantized_bias_type
	refWindow
	cout, fc          int
	act               tflite.Activation
	perChannel        bool
	inZP, outZP       int64
	inScale, outScale float32
}

// refConvOut is the oracle's CONV_2D for the case: per-channel (or
// per-tensor) multipliers in double, the 64-bit accumulator for an int64
// bias or, bias-less, quantized_bias_type INT64.
func refConvOut(tc refConvCase, in, w, bias []int64, wScales []float32, rule Rounding) (shape []int, out []int64) {
	wide := tc.biasType == tflite.TypeInt64 || tc.biasType == 0 && tc.quantizedBiasType == tflite.TypeInt64
	return oracle.Conv2D(oracle.Conv{Window: tc.window(), OutC: tc.cout, InputOffset: refInputOffset(tc.typ, tc.inZP),
		Out: refStage(tc.typ, oracle.ConvMultipliers(tc.inScale, wScales, tc.outScale), tc.outScale, tc.outZP, tc.act, wide, rule)}, in, w, bias)
}

// checkMACOutput evaluates k and checks every element of out against want
// (the oracle's), then the explanations (checkExplain).
func checkMACOutput(t *testing.T, k Kernel, out *Tensor, want []int64, wantTerms bool) {
	t.Helper()
	if err := k.Eval(); err != nil {
		t.Fatal(err)
	}
	got := arValues(out)
	if len(got) != len(want) {
		t.Fatalf("%d outputs, want %d", len(got), len(want))
	}
	for e := range want {
		if got[e] != want[e] {
			t.Fatalf("element %d: got %d, want %d", e, got[e], want[e])
		}
	}
	checkExplain(t, k, out, wantTerms)
}

// checkExplain checks, for every output element, that Explain reproduces the
// stored value with the MAC output stage's steps, ending at clamp
// (ewCheckExplain), and that its steps chain: the recorded terms multiply
// out with the offsets and sum to acc, and acc + bias = acc_bias (each up to
// int32 wrap-around).
func checkExplain(t *testing.T, k Kernel, out *Tensor, wantTerms bool) {
	t.Helper()
	chains := ewCheckExplain(t, k, out, "input_offset", "filter_offset", "terms", "acc", "bias", "acc_bias", "M", "zp", "clamp")
	for e, c := range chains {
		steps := map[string]int64{}
		for _, s := range c.Steps {
			steps[s.Name] = s.Value
		}
		if last := c.Steps[len(c.Steps)-1]; last.Name != "clamp" {
			t.Fatalf("element %d: last step %+v, Final %d", e, last, c.Final)
		}
		if steps["terms"] != int64(len(c.Terms)) {
			t.Fatalf("element %d: terms step %d, %d terms recorded", e, steps["terms"], len(c.Terms))
		}
		var sum int64
		for _, term := range c.Terms {
			if term.Product != int64(term.Input+int32(steps["input_offset"]))*int64(term.Weight+int32(steps["filter_offset"])) {
				t.Fatalf("element %d: term %+v does not multiply out", e, term)
			}
			sum += term.Product
		}
		if wantTerms && len(c.Terms) == 0 {
			t.Fatalf("element %d: no terms", e)
		}
		acc := steps["acc"]
		if acc != sum && int64(int32(sum)) != acc {
			t.Fatalf("element %d: acc step %d, terms sum to %d", e, acc, sum)
		}
		accBias := steps["acc_bias"]
		if acc+steps["bias"] != accBias && int64(int32(acc+steps["bias"])) != accBias {
			t.Fatalf("element %d: acc %d + bias %d != acc_bias %d", e, acc, steps["bias"], accBias)
		}
	}
}

// ---- CONV_2D ----

func buildConv(t testing.TB, tc refConvCase, r *rand.Rand, rule Rounding) (k Kernel, out *Tensor, in, w, bias []int64, ws []float32) {
	t.Helper()
	lo, hi := oracle.TypeRange(tc.typ)
	in = randInts(r, tc.n*tc.h*tc.w*tc.cin, lo, hi)
	w = randInts(r, tc.cout*tc.fh*tc.fw*tc.fc, -127, 127)
	nScales := 1
	if tc.perChannel {
		nScales = tc.cout
	}
	ws = randScales(r, nScales, 0.002, 0.02)
	inT := qtensor(tc.typ, []int{tc.n, tc.h, tc.w, tc.cin}, []float32{tc.inScale}, tc.inZP, in)
	wT := qtensor(tflite.TypeInt8, []int{tc.cout, tc.fh, tc.fw, tc.fc}, ws, 0, w)
	var bT *Tensor
	if tc.biasType != 0 {
		bias = randInts(r, tc.cout, -3000, 3000)
		bs := make([]float32, nScales)
		for i := range bs {
			bs[i] = tc.inScale * ws[i]
		}
		bT = qtensor(tc.biasType, []int{tc.cout}, bs, 0, bias)
	}
	out = qtensor(tc.typ, tc.window().OutShape(tc.cout), []float32{tc.outScale}, tc.outZP, nil)
	opt := tflite.Options{Type: tflite.OptionsConv2D, Padding: tc.padding, StrideH: int32(tc.sh), StrideW: int32(tc.sw),
		DilationH: int32(tc.dh), DilationW: int32(tc.dw), Activation: tc.act, QuantizedBiasType: tc.quantizedBiasType}
	n := &Node{Op: tflite.OpConv2D, Inputs: []*Tensor{inT, wT, bT}, Outputs: []*Tensor{out}, Options: opt, Rounding: rule}
	k, err := Prepare(n)
	if err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	return k, out, in, w, bias, ws
}

var convCases = []refConvCase{
	{name: "int8_same_s1_perchannel", typ: tflite.TypeInt8, biasType: tflite.TypeInt32, refWindow: refWindow{n: 1, h: 7, w: 6, cin: 3, fh: 3, fw: 3, sh: 1, sw: 1, dh: 1, dw: 1, padding: tflite.PaddingSame},
		cout: 4, fc: 3, perChannel: true, inZP: -7, outZP: 12, inScale: 0.05, outScale: 0.08},
	{name: "int8_valid_s2_d2_relu", typ: tflite.TypeInt8, biasType: tflite.TypeInt32, refWindow: refWindow{n: 1, h: 11, w: 9, cin: 2, fh: 3, fw: 2, sh: 2, sw: 2, dh: 2, dw: 2, padding: tflite.PaddingValid},
		cout: 3, fc: 2, act: tflite.ActRelu, perChannel: true, inZP: 30, outZP: -20, inScale: 0.04, outScale: 0.03},
	{name: "int8_same_s2x1_pertensor_relu6_nobias", typ: tflite.TypeInt8, refWindow: refWindow{n: 1, h: 8, w: 5, cin: 4, fh: 2, fw: 3, sh: 2, sw: 1, dh: 1, dw: 1, padding: tflite.PaddingSame},
		cout: 2, fc: 4, act: tflite.ActRelu6, inZP: 0, outZP: -128, inScale: 0.1, outScale: 0.025},
	// 6/s_out is 127.5 in float32 (127.4999975 in double): the RELU6 bound is
	// zp + 128 = 0 as TFLite computes it, not −1.
	{name: "int8_relu6_float32_bound", typ: tflite.TypeInt8, biasType: tflite.TypeInt32, refWindow: refWindow{n: 1, h: 5, w: 5, cin: 3, fh: 3, fw: 3, sh: 1, sw: 1, dh: 1, dw: 1, padding: tflite.PaddingSame},
		cout: 3, fc: 3, act: tflite.ActRelu6, perChannel: true, inZP: 3, outZP: -128, inScale: 0.05, outScale: 12.0 / 255},
	{name: "int8_batch2_groups2", typ: tflite.TypeInt8, biasType: tflite.TypeInt32, refWindow: refWindow{n: 2, h: 5, w: 5, cin: 4, fh: 3, fw: 3, sh: 1, sw: 1, dh: 1, dw: 1, padding: tflite.PaddingSame},
		cout: 6, fc: 2, perChannel: true, inZP: 5, outZP: 3, inScale: 0.02, outScale: 0.05},
	{name: "int16_bias64_same_s1", typ: tflite.TypeInt16, biasType: tflite.TypeInt64, refWindow: refWindow{n: 1, h: 6, w: 6, cin: 3, fh: 3, fw: 3, sh: 1, sw: 1, dh: 1, dw: 1, padding: tflite.PaddingSame},
		cout: 3, fc: 3, perChannel: true, inScale: 0.001, outScale: 0.002},
	{name: "int16_bias32_valid_s2_relu", typ: tflite.TypeInt16, biasType: tflite.TypeInt32, refWindow: refWindow{n: 1, h: 7, w: 7, cin: 2, fh: 2, fw: 2, sh: 2, sw: 2, dh: 1, dw: 1, padding: tflite.PaddingValid},
		cout: 2, fc: 2, act: tflite.ActRelu, perChannel: true, inScale: 0.0005, outScale: 0.001},
	{name: "int16_nobias_bias_type_int64", typ: tflite.TypeInt16, quantizedBiasType: tflite.TypeInt64, refWindow: refWindow{n: 1, h: 8, w: 5, cin: 2, fh: 2, fw: 2, sh: 1, sw: 1, dh: 1, dw: 1, padding: tflite.PaddingValid},
		cout: 3, fc: 2, perChannel: true, inScale: 0.0002, outScale: 0.0003},
	{name: "int16_nobias_d2_pertensor", typ: tflite.TypeInt16, refWindow: refWindow{n: 1, h: 8, w: 8, cin: 2, fh: 3, fw: 3, sh: 1, sw: 1, dh: 2, dw: 2, padding: tflite.PaddingSame},
		cout: 2, fc: 2, inScale: 0.0005, outScale: 0.004},
}

func TestConv2DMatchesReference(t *testing.T) {
	for i, tc := range convCases {
		for _, rule := range Roundings() {
			t.Run(tc.name+"/"+rule.String(), func(t *testing.T) {
				r := rand.New(rand.NewSource(int64(100 + i)))
				k, out, in, w, bias, ws := buildConv(t, tc, r, rule)
				_, want := refConvOut(tc, in, w, bias, ws, rule)
				checkMACOutput(t, k, out, want, true)
			})
		}
	}
}

// TestConv2DHandChecked is a 1×1 convolution computed by hand:
// acc = 3·(10−5) + 4·(−20−5) = −85, + bias 88 = 3; M = 0.5·0.25/1 = 0.125 =
// 2^30·2^(−2−31). Double rounding: SRDHM(3, 2^30) = round(1.5) = 2, then
// RDBPOT(2, 2) = round(0.5) = 1 (half away from zero); single rounding:
// (3·2^30 + 2^32) >> 33 = 0. Output zero point −3.
func TestConv2DHandChecked(t *testing.T) {
	for _, tc := range []struct {
		rule Rounding
		want int64
	}{{RoundingDouble, 1 - 3}, {RoundingSingle, 0 - 3}} {
		t.Run(tc.rule.String(), func(t *testing.T) {
			in := qtensor(tflite.TypeInt8, []int{1, 1, 1, 2}, []float32{0.5}, 5, []int64{10, -20})
			w := qtensor(tflite.TypeInt8, []int{1, 1, 1, 2}, []float32{0.25}, 0, []int64{3, 4})
			b := qtensor(tflite.TypeInt32, []int{1}, []float32{0.125}, 0, []int64{88})
			out := qtensor(tflite.TypeInt8, []int{1, 1, 1, 1}, []float32{1}, -3, nil)
			n := &Node{Op: tflite.OpConv2D, Inputs: []*Tensor{in, w, b}, Outputs: []*Tensor{out},
				Options: tflite.Options{Type: tflite.OptionsConv2D, Padding: tflite.PaddingValid, StrideH: 1, StrideW: 1, DilationH: 1, DilationW: 1}, Rounding: tc.rule}
			k := arPrepareEval(t, n)
			if got := out.Int(0); got != tc.want {
				t.Fatalf("got %d, want %d", got, tc.want)
			}
			p := k.(Describer).Describe()
			if len(p.Multipliers) != 1 || p.Multipliers[0].Real != 0.125 ||
				p.Multipliers[0].Quantized != (QuantizedMultiplier{Multiplier: 1 << 30, Shift: -2}) {
				t.Fatalf("multipliers %+v", p.Multipliers)
			}
			c := &Chain{}
			if err := k.Explain(0, 0, c); err != nil {
				t.Fatal(err)
			}
			want := map[string]int64{"input_offset": -5, "terms": 2, "acc": -85, "bias": 88, "acc_bias": 3, "clamp": tc.want}
			for _, s := range c.Steps {
				if v, ok := want[s.Name]; ok && v != s.Value {
					t.Errorf("step %s = %d, want %d (%s)", s.Name, s.Value, v, s.Formula)
				}
			}
			if len(c.Terms) != 2 || c.Terms[0].Product != 15 || c.Terms[1].Product != -100 || c.Terms[1].InputIndex != 1 {
				t.Fatalf("terms %+v", c.Terms)
			}
			// The clamp step carries the stored value's real meaning (out − zp)·s_out.
			last := c.Steps[len(c.Steps)-1]
			if !last.HasReal || last.Real != float64(tc.want+3) {
				t.Fatalf("clamp step %+v, want real %d", last, tc.want+3)
			}
		})
	}
}

// TestComputePaddingMatchesOracle compares the output size and the padding
// before with the oracle's (TFLite's ComputeOutSize and
// ComputePaddingWithOffset) over every small geometry.
func TestComputePaddingMatchesOracle(t *testing.T) {
	for _, p := range []tflite.Padding{tflite.PaddingSame, tflite.PaddingValid} {
		for in := 1; in <= 16; in++ {
			for f := 1; f <= 6; f++ {
				for s := 1; s <= 4; s++ {
					for d := 1; d <= 3; d++ {
						if p == tflite.PaddingValid && (f-1)*d+1 > in {
							continue // no output
						}
						o := ComputeOutSize(p, in, f, s, d)
						if want := oracle.ConvOutSize(p, in, f, s, d); o != want {
							t.Fatalf("%v in %d filter %d stride %d dilation %d: out %d, oracle %d", p, in, f, s, d, o, want)
						}
						ph, pw := ComputePadding(p, s, s, d, d, in, in, f, f, o, o)
						if want := oracle.ConvPadding(in, f, s, d, o); ph != want || pw != want {
							t.Fatalf("%v in %d filter %d stride %d dilation %d: padding %d,%d, oracle %d", p, in, f, s, d, ph, pw, want)
						}
					}
				}
			}
		}
	}
}

func benchConv(b *testing.B, tc refConvCase) {
	r := rand.New(rand.NewSource(1))
	k, _, _, _, _, _ := buildConv(b, tc, r, RoundingDouble)
	benchEval(b, k)
}

// BenchmarkConv2DInt8 is a person_detect-sized pointwise layer:
// [1,48,48,16] → 1×1 conv → [1,48,48,32].
func BenchmarkConv2DInt8(b *testing.B) {
	benchConv(b, refConvCase{typ: tflite.TypeInt8, biasType: tflite.TypeInt32, refWindow: refWindow{n: 1, h: 48, w: 48, cin: 16, fh: 1, fw: 1, sh: 1, sw: 1, dh: 1, dw: 1, padding: tflite.PaddingSame},
		cout: 32, fc: 16, act: tflite.ActRelu6, perChannel: true, inZP: -128, outZP: -128, inScale: 0.02, outScale: 0.02})
}

// BenchmarkConv2DInt8_3x3 is person_detect's first layer: [1,96,96,1] →
// 3×3 stride 2 → [1,48,48,8].
func BenchmarkConv2DInt8_3x3(b *testing.B) {
	benchConv(b, refConvCase{typ: tflite.TypeInt8, biasType: tflite.TypeInt32, refWindow: refWindow{n: 1, h: 96, w: 96, cin: 1, fh: 3, fw: 3, sh: 2, sw: 2, dh: 1, dw: 1, padding: tflite.PaddingSame},
		cout: 8, fc: 1, act: tflite.ActRelu6, perChannel: true, inZP: -128, outZP: -128, inScale: 0.02, outScale: 0.02})
}

// TestConv2DDescribe checks the derived parameters against the formula:
// one multiplier per output channel, M = s_in·s_w[c]/s_out in double.
func TestConv2DDescribe(t *testing.T) {
	tc := convCases[0]
	r := rand.New(rand.NewSource(7))
	k, _, _, _, _, ws := buildConv(t, tc, r, RoundingDouble)
	p := k.(Describer).Describe()
	if len(p.Multipliers) != tc.cout {
		t.Fatalf("%d multipliers, want %d", len(p.Multipliers), tc.cout)
	}
	for c, m := range p.Multipliers {
		real := oracle.ConvMultiplier(tc.inScale, ws[c], tc.outScale)
		q := oracle.QuantizeMultiplier(real, oracle.Double)
		if m.Name != "output" || m.Channel != c || m.Real != real || m.Quantized.Multiplier != q.Mantissa || m.Quantized.Shift != q.Shift {
			t.Errorf("channel %d: %+v, want real %v multiplier %+v", c, m, real, q)
		}
	}
	ints := map[string]int64{}
	for _, n := range p.Ints {
		ints[n.Name] = n.Value
	}
	if ints["input_offset"] != -tc.inZP || ints["output_offset"] != tc.outZP || ints["pad_h"] != 1 || ints["pad_w"] != 1 {
		t.Errorf("ints %v", ints)
	}
	if !p.HasClamp || p.ClampMin != -128 || p.ClampMax != 127 {
		t.Errorf("clamp %v [%d, %d]", p.HasClamp, p.ClampMin, p.ClampMax)
	}
}

// TestConv2DZeroInputDepth: an input of depth 0 is refused at prepare (its
// 0/filter-depth groups divided the output depth: a panic FuzzPipeline
// found), under every runtime.
func TestConv2DZeroInputDepth(t *testing.T) {
	for _, rt := range Runtimes() {
		in := qtensor(tflite.TypeInt8, []int{1, 1, 1, 0}, []float32{0.5}, 0, nil)
		w := qtensor(tflite.TypeInt8, []int{1, 1, 1, 2}, []float32{0.25}, 0, []int64{3, 4})
		b := qtensor(tflite.TypeInt32, []int{1}, []float32{0.125}, 0, []int64{0})
		out := qtensor(tflite.TypeInt8, []int{1, 1, 1, 1}, []float32{1}, 0, nil)
		n := &Node{Op: tflite.OpConv2D, Inputs: []*Tensor{in, w, b}, Outputs: []*Tensor{out}, Runtime: rt, Rounding: rt.Rounding(),
			Options: tflite.Options{Type: tflite.OptionsConv2D, Padding: tflite.PaddingValid, StrideH: 1, StrideW: 1, DilationH: 1, DilationW: 1}}
		if _, _, err := PrepareImpl(n); !errors.Is(err, ErrBadShape) {
			t.Errorf("%v: %v, want ErrBadShape", rt, err)
		}
	}
}
