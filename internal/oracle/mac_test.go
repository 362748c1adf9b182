package oracle

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

func randVals(rng *rand.Rand, n int, lo, hi int64) []int64 {
	v := make([]int64, n)
	for i := range v {
		v[i] = lo + rng.Int64N(hi-lo+1)
	}
	return v
}

func TestConvGeometry(t *testing.T) {
	for _, tc := range []struct {
		name                      string
		p                         tflite.Padding
		in, f, stride, dil, o, pd int
	}{
		{"same k3 s1", tflite.PaddingSame, 10, 3, 1, 1, 10, 1},
		{"same k3 s2: total 1, the odd unit after", tflite.PaddingSame, 10, 3, 2, 1, 5, 0},
		{"same k4 s1: total 3", tflite.PaddingSame, 10, 4, 1, 1, 10, 1},
		{"same k3 d2", tflite.PaddingSame, 8, 3, 1, 2, 8, 2},
		{"same k1 s2: no padding", tflite.PaddingSame, 7, 1, 2, 1, 4, 0},
		{"valid", tflite.PaddingValid, 10, 3, 2, 1, 4, 0},
		{"valid d2", tflite.PaddingValid, 11, 3, 2, 2, 4, 0},
	} {
		o := ConvOutSize(tc.p, tc.in, tc.f, tc.stride, tc.dil)
		if pd := ConvPadding(tc.in, tc.f, tc.stride, tc.dil, o); o != tc.o || pd != tc.pd {
			t.Errorf("%s: out %d pad %d, want %d %d", tc.name, o, pd, tc.o, tc.pd)
		}
	}
}

// TestOutputStage: the int32 accumulator wraps, the 64-bit one does not;
// per-tensor multipliers apply to every channel.
func TestOutputStage(t *testing.T) {
	o := OutputStage{Reals: []float64{0.5}, ZeroPoint: 3, Min: -128, Max: 127}
	if got := o.Apply(1<<32+10, 7); got != 8 {
		t.Errorf("int32 accumulator 2^32 + 10: got %d, want 5 + 3", got)
	}
	o.Wide, o.Min, o.Max = true, -32768, 32767
	if got := o.Apply(1<<32+10, 0); got != 32767 {
		t.Errorf("64-bit accumulator: got %d, want the clamp", got)
	}
	if got := o.Apply(-21, 0); got != -10+3 { // −10.5 rounds half up
		t.Errorf("64-bit −21·½: got %d, want −7", got)
	}
	pc := OutputStage{Reals: []float64{1, 0.25}, Min: -100, Max: 100}
	if a, b := pc.Apply(8, 0), pc.Apply(8, 1); a != 8 || b != 2 {
		t.Errorf("per-channel: %d %d, want 8 2", a, b)
	}
}

// TestConv2DHandChecked is a 1×1 convolution by hand: acc = 3·(10 − 5) +
// 4·(−20 − 5) = −85, + bias 88 = 3; M = 0.125 = 2^30·2^(−2−31): double
// rounding SRDHM(3, 2^30) = round(1.5) = 2, RDBPOT(2, 2) = round(0.5) = 1;
// single rounding round(0.375) = 0; zero point −3.
func TestConv2DHandChecked(t *testing.T) {
	for r, want := range map[Rounding]int64{Double: -2, Single: -3} {
		c := Conv{Window: Window{Batches: 1, InH: 1, InW: 1, InC: 2, KH: 1, KW: 1, StrideH: 1, StrideW: 1, DilationH: 1, DilationW: 1, Padding: tflite.PaddingValid},
			OutC: 1, InputOffset: -5, Out: OutputStage{Reals: []float64{0.125}, ZeroPoint: -3, Min: -128, Max: 127, Rounding: r}}
		shape, out := Conv2D(c, []int64{10, -20}, []int64{3, 4}, []int64{88})
		if !slices.Equal(shape, []int{1, 1, 1, 1}) || len(out) != 1 || out[0] != want {
			t.Errorf("%v: shape %v out %v, want [%d]", r, shape, out, want)
		}
	}
}

// TestConv2DSamePadding: a 3×3 all-ones filter over a 3×3 input of ones
// with SAME padding counts the taps inside the input: 4 at corners, 6 on
// edges, 9 in the centre.
func TestConv2DSamePadding(t *testing.T) {
	ones := []int64{1, 1, 1, 1, 1, 1, 1, 1, 1}
	c := Conv{Window: Window{Batches: 1, InH: 3, InW: 3, InC: 1, KH: 3, KW: 3, StrideH: 1, StrideW: 1, DilationH: 1, DilationW: 1, Padding: tflite.PaddingSame},
		OutC: 1, Out: OutputStage{Reals: []float64{1}, Min: -128, Max: 127}}
	_, out := Conv2D(c, ones, ones, nil)
	if want := []int64{4, 6, 4, 6, 9, 6, 4, 6, 4}; !slices.Equal(out, want) {
		t.Errorf("got %v, want %v", out, want)
	}
	c.StrideH, c.StrideW = 2, 2 // out 2×2, total padding 2: one row/column before and after, 2×2 taps each
	shape, out := Conv2D(c, ones, ones, nil)
	if want := []int64{4, 4, 4, 4}; !slices.Equal(shape, []int{1, 2, 2, 1}) || !slices.Equal(out, want) {
		t.Errorf("stride 2: shape %v got %v, want %v", shape, out, want)
	}
}

// TestConv2DPointwiseIsFullyConnected: a 1×1 convolution is a fully
// connected layer applied to every pixel.
func TestConv2DPointwiseIsFullyConnected(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n, h, w, cin, cout = 2, 3, 4, 5, 3
	in := randVals(rng, n*h*w*cin, -128, 127)
	filter := randVals(rng, cout*cin, -127, 127)
	bias := randVals(rng, cout, -3000, 3000)
	for _, r := range []Rounding{Double, Single} {
		stage := OutputStage{Reals: []float64{0.003, 0.0021, 0.0047}, ZeroPoint: 7, Min: -128, Max: 127, Rounding: r}
		_, conv := Conv2D(Conv{Window: Window{Batches: n, InH: h, InW: w, InC: cin, KH: 1, KW: 1, StrideH: 1, StrideW: 1, DilationH: 1, DilationW: 1},
			OutC: cout, InputOffset: 9, Out: stage}, in, filter, bias)
		fc := FullyConnected(FC{Batches: n * h * w, Depth: cin, Units: cout, InputOffset: 9, Out: stage}, in, filter, bias)
		if !slices.Equal(conv, fc) {
			t.Fatalf("%v: 1×1 CONV_2D %v\nFULLY_CONNECTED %v", r, conv, fc)
		}
	}
}

// TestDepthwiseIsGroupedConv: depthwise with multiplier 1 is a convolution
// with one group per channel (filter [1, kh, kw, C] → [C, kh, kw, 1]).
func TestDepthwiseIsGroupedConv(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	win := Window{Batches: 1, InH: 6, InW: 5, InC: 3, KH: 3, KW: 2, StrideH: 2, StrideW: 1, DilationH: 1, DilationW: 2, Padding: tflite.PaddingSame}
	in := randVals(rng, 6*5*3, -128, 127)
	dw := randVals(rng, 3*2*3, -127, 127)
	grouped := make([]int64, len(dw))
	for k := range 3 * 2 {
		for c := range 3 {
			grouped[c*6+k] = dw[k*3+c]
		}
	}
	stage := OutputStage{Reals: []float64{0.01, 0.02, 0.015}, ZeroPoint: -4, Min: -128, Max: 127}
	s1, a := DepthwiseConv2D(DepthwiseConv{Window: win, DepthMultiplier: 1, InputOffset: 3, Out: stage}, in, dw, []int64{5, -5, 50})
	s2, b := Conv2D(Conv{Window: win, OutC: 3, InputOffset: 3, Out: stage}, in, grouped, []int64{5, -5, 50})
	if !slices.Equal(s1, s2) || !slices.Equal(a, b) {
		t.Fatalf("depthwise %v %v\ngrouped conv %v %v", s1, a, s2, b)
	}
}

// TestDepthwiseHandChecked: input channel 0 holds {4, 6} (zp 2); output
// channel 1 (input channel 0, multiplier 2) has weights {5, −1}: acc =
// 5·2 − 4 = 6, + 10 = 16, ·0.25 = 4, + 1 = 5; channel 0: 7·2 + 9·4 = 50,
// ·0.25 = 12.5 → 13, + 1 = 14.
func TestDepthwiseHandChecked(t *testing.T) {
	d := DepthwiseConv{Window: Window{Batches: 1, InH: 1, InW: 2, InC: 1, KH: 1, KW: 2, StrideH: 1, StrideW: 1, DilationH: 1, DilationW: 1, Padding: tflite.PaddingValid},
		DepthMultiplier: 2, InputOffset: -2, Out: OutputStage{Reals: []float64{0.25}, ZeroPoint: 1, Min: -128, Max: 127}}
	if _, out := DepthwiseConv2D(d, []int64{4, 6}, []int64{7, 5, 9, -1}, []int64{0, 10}); !slices.Equal(out, []int64{14, 5}) {
		t.Errorf("got %v, want [14 5]", out)
	}
}

// TestTransposeConvIsFullConvolution: with stride 1 and VALID padding a
// transpose convolution is a convolution of the input padded by k − 1 on
// every side with the filter rotated 180° (and its channel axes swapped).
func TestTransposeConvIsFullConvolution(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const h, w, cin, cout, kh, kw = 3, 4, 2, 3, 3, 2
	oh, ow := h+kh-1, w+kw-1
	in := randVals(rng, h*w*cin, -128, 127)
	filter := randVals(rng, cout*kh*kw*cin, -127, 127) // [cout, kh, kw, cin]
	bias := randVals(rng, cout, -500, 500)
	stage := OutputStage{Reals: []float64{0.004, 0.003, 0.005}, ZeroPoint: 2, Min: -128, Max: 127}
	tc := TransposeConv(TransposeConvolution{Batches: 1, InH: h, InW: w, InC: cin, OutH: oh, OutW: ow, OutC: cout, KH: kh, KW: kw,
		StrideH: 1, StrideW: 1, Padding: tflite.PaddingValid, InputOffset: -6, Out: stage}, in, filter, bias)
	// Pad with the value whose offset input is 0, rotate the filter.
	ph, pw := h+2*(kh-1), w+2*(kw-1)
	padded := make([]int64, ph*pw*cin)
	for i := range padded {
		padded[i] = 6
	}
	for y := range h {
		for x := range w {
			copy(padded[((y+kh-1)*pw+x+kw-1)*cin:], in[(y*w+x)*cin:(y*w+x+1)*cin])
		}
	}
	rot := make([]int64, len(filter))
	for oc := range cout {
		for fy := range kh {
			for fx := range kw {
				for ic := range cin {
					rot[((oc*kh+fy)*kw+fx)*cin+ic] = filter[((oc*kh+kh-1-fy)*kw+kw-1-fx)*cin+ic]
				}
			}
		}
	}
	shape, conv := Conv2D(Conv{Window: Window{Batches: 1, InH: ph, InW: pw, InC: cin, KH: kh, KW: kw, StrideH: 1, StrideW: 1, DilationH: 1, DilationW: 1, Padding: tflite.PaddingValid},
		OutC: cout, InputOffset: -6, Out: stage}, padded, rot, bias)
	if !slices.Equal(shape, []int{1, oh, ow, cout}) || !slices.Equal(tc, conv) {
		t.Fatalf("transpose conv %v\nfull conv %v %v", tc, shape, conv)
	}
}

// TestTransposeConvHandChecked: one input value 2 (zp 0) through a 2×2
// filter {1, 2, 3, 4} at stride 2 writes 2, 4, 6, 8 into a 2×2 output.
func TestTransposeConvHandChecked(t *testing.T) {
	out := TransposeConv(TransposeConvolution{Batches: 1, InH: 1, InW: 1, InC: 1, OutH: 2, OutW: 2, OutC: 1, KH: 2, KW: 2, StrideH: 2, StrideW: 2,
		Padding: tflite.PaddingSame, Out: OutputStage{Reals: []float64{1}, Min: -128, Max: 127}}, []int64{2}, []int64{1, 2, 3, 4}, nil)
	if !slices.Equal(out, []int64{2, 4, 6, 8}) {
		t.Errorf("got %v", out)
	}
}

// TestFullyConnectedHandChecked: acc = 2·(3 + 1) + (−1)·(5 + 1) = 2, +
// bias −10 = −8; M = 0.25 → −2, + zp 7 = 5; a weight offset of 1 adds
// (3 + 1) + (5 + 1) = 10 to the accumulator: 2 → ·0.25 = 0.5 → 1 (double).
func TestFullyConnectedHandChecked(t *testing.T) {
	f := FC{Batches: 1, Depth: 2, Units: 1, InputOffset: 1, Out: OutputStage{Reals: []float64{0.25}, ZeroPoint: 7, Min: -128, Max: 127}}
	if got := FullyConnected(f, []int64{3, 5}, []int64{2, -1}, []int64{-10}); !slices.Equal(got, []int64{5}) {
		t.Errorf("got %v, want [5]", got)
	}
	f.WeightOffset = 1
	if got := FullyConnected(f, []int64{3, 5}, []int64{2, -1}, []int64{-10}); !slices.Equal(got, []int64{8}) {
		t.Errorf("weight offset: got %v, want [8]", got)
	}
}

// TestBatchMatmul: a hand-checked product, and broadcast/adjoint cases
// against FULLY_CONNECTED on the explicitly transposed matrices.
func TestBatchMatmul(t *testing.T) {
	// (3 − 1)·(2 + 1) + (5 − 1)·(−4 + 1) = −6; M = 1; + zp 2 = −4.
	_, out := BatchMatmul(BatchMatmulOp{LHSShape: []int{1, 2}, RHSShape: []int{2, 1}, LHSOffset: -1, RHSOffset: 1,
		Out: OutputStage{Reals: []float64{1}, ZeroPoint: 2, Min: -128, Max: 127}}, []int64{3, 5}, []int64{2, -4})
	if !slices.Equal(out, []int64{-4}) {
		t.Errorf("hand-checked: got %v, want [-4]", out)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	const b, m, k, n = 3, 2, 4, 5
	stage := OutputStage{Reals: []float64{0.013}, ZeroPoint: -3, Min: -128, Max: 127}
	lhs := randVals(rng, b*m*k, -128, 127)
	rhs := randVals(rng, k*n, -128, 127) // [k, n], broadcast over the batch
	rhsT := make([]int64, n*k)
	for i := range k {
		for j := range n {
			rhsT[j*k+i] = rhs[i*n+j]
		}
	}
	lhsT := make([]int64, len(lhs)) // [b, k, m]
	for bb := range b {
		for i := range m {
			for j := range k {
				lhsT[(bb*k+j)*m+i] = lhs[(bb*m+i)*k+j]
			}
		}
	}
	want := FullyConnected(FC{Batches: b * m, Depth: k, Units: n, InputOffset: 4, WeightOffset: -2, Out: stage}, lhs, rhsT, nil)
	for _, v := range []struct {
		adjX, adjY bool
		l, r       []int64
		ls, rs     []int
	}{
		{false, false, lhs, rhs, []int{b, m, k}, []int{k, n}},
		{false, true, lhs, rhsT, []int{b, m, k}, []int{1, n, k}},
		{true, false, lhsT, rhs, []int{b, k, m}, []int{1, 1, k, n}},
	} {
		name := fmt.Sprintf("adj %v %v", v.adjX, v.adjY)
		shape, got := BatchMatmul(BatchMatmulOp{LHSShape: v.ls, RHSShape: v.rs, AdjX: v.adjX, AdjY: v.adjY, LHSOffset: 4, RHSOffset: -2, Out: stage}, v.l, v.r)
		wantShape := []int{b, m, n}
		if len(v.rs) == 4 {
			wantShape = []int{1, b, m, n}
		}
		if !slices.Equal(shape, wantShape) {
			t.Errorf("%s: shape %v, want %v", name, shape, wantShape)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: got %v\nwant %v", name, got, want)
		}
	}
}

func TestShapes(t *testing.T) {
	shape := []int{2, 3, 4}
	for i := range 24 {
		if Ravel(Unravel(i, shape), shape) != i {
			t.Fatalf("Ravel(Unravel(%d)) != %d", i, i)
		}
	}
	if got := Unravel(23, shape); !slices.Equal(got, []int{1, 2, 3}) {
		t.Errorf("Unravel(23) = %v", got)
	}
	if Ravel(nil, nil) != 0 || len(Unravel(0, nil)) != 0 {
		t.Error("a scalar is element 0")
	}
	for _, tc := range []struct {
		in   []int
		want int // for element 23 = (1, 2, 3) of a [2, 3, 4] output
	}{
		{[]int{4}, 3},
		{[]int{3, 1}, 2},
		{[]int{1}, 0},
		{[]int{}, 0},
		{[]int{2, 3, 4}, 23},
		{[]int{2, 1, 4}, 7},
		{[]int{1, 3, 1}, 2},
	} {
		if got := BroadcastIndex(shape, tc.in, 23); got != tc.want {
			t.Errorf("BroadcastIndex(%v, %v, 23) = %d, want %d", shape, tc.in, got, tc.want)
		}
	}
	// Each element of a [2, 1, 4] input is read by 3 elements of a [2, 3, 4] output.
	count := map[int]int{}
	for e := range 24 {
		count[BroadcastIndex(shape, []int{2, 1, 4}, e)]++
	}
	for i := range 8 {
		if count[i] != 3 {
			t.Errorf("input element %d read %d times, want 3", i, count[i])
		}
	}
}
