package trace

// Built-model cases for full TFLite's kernels (the tflite-ref and
// tflite-xnnpack runtimes' ImplTFLite, ImplTFLiteRef and ImplTFLiteOptimized
// kernels) where the shared goldens do not pin them: legacy uint8 ops
// (no full-TFLite golden uses them, except the mobilenet's convolutions,
// average pool and softmax), the variants that differ from TFLite-Micro only
// on rare inputs (LUT LOGISTIC/TANH, double-table int16 SOFTMAX, float-table
// SOFTMAX), and the ones a golden pins on few elements (ruy's single
// rounding, int32 TRANSPOSE_CONV, the reduce forms, full TFLite's LSTM).
// Each is checked against reference arithmetic written here or in
// internal/oracle from the LiteRT / TFLite 2.11 sources named in the kernels'
// comments, never the kernels' own functions. Cases under tflite-xnnpack use
// nodes the XNNPACK delegate of that build never takes (per-channel
// FULLY_CONNECTED, BATCH_MATMUL, int16 ops, SOFTMAX, MEAN over a non-H,W
// axis, SUM), so they stay TFLite builtins once ImplXNNPACK is in.

import (
	"math"
	"testing"

	"github.com/tflq/tflq-trace/internal/oracle"
	"github.com/tflq/tflq-trace/kernels"
	"github.com/tflq/tflq-trace/tflite"
)

const (
	tfliteRef     = kernels.RuntimeTFLiteRef
	tfliteXNNPACK = kernels.RuntimeTFLiteXNNPACK
)

// under returns c expected under runtime rt, its name prefixed by rt.
func under(rt kernels.Runtime, c builtCase) builtCase {
	c.runtime = rt
	c.name = rt.String() + "/" + c.name
	return c
}

// shadowTol sets the float shadow's tolerance of c (in LSB).
func shadowTol(tol float64, c builtCase) builtCase {
	c.shadowTolLSB = tol
	return c
}

// noShadow exempts c from the float-shadow comparison, saying why.
func noShadow(why string, c builtCase) builtCase {
	c.shadowSkip = why
	return c
}

// every8u is every uint8 value once, as [4, 64].
func every8u() ([]int, []int64) {
	v := make([]int64, 256)
	for i := range v {
		v[i] = int64(i)
	}
	return []int{4, 64}, v
}

// lut8Entry is LiteRT's LUTPopulateInt8 entry of raw input v (common.h): in
// float32, d = s_in·float(v − zp_in), r = roundf(f(d)·(1/s_out)), q =
// int32(r + float(zp_out)), clamped to the output type.
func lut8Entry(v int64, sIn float32, zIn int64, sOut float32, zOut int64, typ tflite.TensorType, f func(float32) float32) int64 {
	inv := 1 / sOut
	d := sIn * float32(v-zIn)
	r := float32(math.Round(float64(float32(f(d) * inv))))
	lo, hi := oracle.TypeRange(typ)
	return oracle.Clamp(int64(int32(float32(r+float32(zOut)))), lo, hi)
}

// sigmoid32 is 1/(1+expf(−x)) in float32 (expf the correctly rounded exp).
func sigmoid32(x float32) float32 { return 1 / (1 + float32(math.Exp(float64(-x)))) }

func tanh32(x float32) float32 { return float32(math.Tanh(float64(x))) }

func lut8Case(name string, op tflite.BuiltinOperator, typ tflite.TensorType, sIn float32, zIn int64, sOut float32, zOut int64, f func(float32) float32) builtCase {
	shape, data := every8()
	if typ == u8 {
		shape, data = every8u()
	}
	return unCase(unSpec{name: name, op: op, typ: typ, shape: shape, data: data, sIn: sIn, sOut: sOut, zIn: zIn, zOut: zOut,
		f: func(x int64) float64 { return float64(lut8Entry(x, sIn, zIn, sOut, zOut, typ, f)) }})
}

// floatSoftmaxRow is the 2022 optimized float-table SOFTMAX of one row of
// raw 8-bit values (optimized_ops::Softmax, PopulateSoftmaxLookupTable):
// table[255 − v] = expf(float32(−s_in·β)·v); per row T_j = table[255 −
// max + x_j], sum in float32 in row order, inv = 1/(sum·s_out); int8/int16
// outputs roundf(T_j·inv) + zp_out, uint8 int32(T_j·inv + 0.5f).
func floatSoftmaxRow(row []int64, sIn, beta, sOut float32, zOut int64, outTyp tflite.TensorType) []int64 {
	c := -sIn * beta
	mx := row[0]
	for _, v := range row {
		mx = max(mx, v)
	}
	t := make([]float32, len(row))
	var sum float32
	for j, v := range row {
		t[j] = float32(math.Exp(float64(c * float32(mx-v))))
		sum += t[j]
	}
	inv := 1 / float32(sum*sOut)
	lo, hi := oracle.TypeRange(outTyp)
	out := make([]int64, len(row))
	for j := range row {
		p := float32(t[j] * inv)
		var q int64
		if outTyp == u8 {
			q = int64(int32(float32(p + 0.5)))
		} else {
			q = int64(math.Round(float64(p))) + zOut
		}
		out[j] = oracle.Clamp(q, lo, hi)
	}
	return out
}

func floatSoftmaxCase(name string, typ, outTyp tflite.TensorType, sIn float32, zIn int64, sOut float32, zOut int64, beta float32) builtCase {
	const rows, n = 4, 16
	lo, hi := oracle.TypeRange(typ)
	data := pseudo(rows*n, lo, hi, 62)
	for j := 0; j < n; j++ { // one row of equal values
		data[j] = lo + 40
	}
	var want []int64
	for r := 0; r < rows; r++ {
		want = append(want, floatSoftmaxRow(data[r*n:(r+1)*n], sIn, beta, sOut, zOut, outTyp)...)
	}
	return builtCase{name: name, op: tflite.OpSoftmax, build: func(m *builtModel) {
		x := m.in("x", typ, []int{rows, n}, q(sIn, zIn), data)
		out := m.out("out", outTyp, []int{rows, n}, q(sOut, zOut), want)
		m.op(tflite.OpSoftmax, opts(tflite.OpSoftmax, func(o *tflite.Options) { o.Beta = beta }), []int32{x}, out)
	}}
}

// reluXCase is full TFLite's QuantizedReluX: zp_out + MBQM(x − zp_in,
// float32(s_in/s_out)), clamped to the activation's quantized range.
func reluXCase(name string, op tflite.BuiltinOperator, typ tflite.TensorType, sIn float32, zIn int64, sOut float32, zOut int64) builtCase {
	shape, data := every8()
	switch typ {
	case u8:
		shape, data = every8u()
	case i16:
		shape, data = spread16()
	}
	act := tflite.ActRelu
	if op == tflite.OpRelu6 {
		act = tflite.ActRelu6
	}
	lo, hi := oracle.ActivationRange(act, typ, sOut, zOut)
	m := oracle.QuantizedReluXMultiplier(sIn, sOut)
	return unCase(unSpec{name: name, op: op, typ: typ, shape: shape, data: data, sIn: sIn, sOut: sOut, zIn: zIn, zOut: zOut,
		f: fexact(func(x int64) int64 { return oracle.Clamp(zOut+oracle.Requantize(x-zIn, m, oracle.Double), lo, hi) })})
}

// sumRefBytesCase is LiteRT's reference SUM on int8/int16 tensors: the
// buffers read and written as uint8 (reduce.cc EvalSum hands every quantized
// type to QuantizedMeanOrSum<uint8_t>): byte o of the output = clamp(MBQM(Σ
// byte[i] − zp_in·count, s_in/s_out) + zp_out, 0, 255) for o < outputs, the
// rest of the buffer zero.
func sumRefBytesCase(name string, typ tflite.TensorType) builtCase {
	inShape, axis, outShape := []int{2, 3, 4}, int64(1), []int{2, 4}
	sIn, zIn, sOut, zOut := float32(0.05), int64(-3), float32(0.11), int64(4)
	lo, hi := oracle.TypeRange(typ)
	if typ == i16 {
		sIn, zIn, sOut, zOut = 0.0004, 0, 0.001, 0
	}
	x := pseudo(numel(inShape), lo, hi, 70)
	raw := encode(typ, x)
	outBytes := make([]byte, numel(outShape)*int(typ.Size()))
	count := int64(inShape[1])
	for o := 0; o < numel(outShape); o++ {
		b, r := o/inShape[2], o%inShape[2]
		var sum int64
		for k := 0; k < inShape[1]; k++ {
			sum += int64(raw[(b*inShape[1]+k)*inShape[2]+r]) // the flat index read as a byte index
		}
		v := oracle.Requantize(sum-zIn*count, float64(sIn)/float64(sOut), oracle.Double) + zOut
		outBytes[o] = byte(oracle.Clamp(v, 0, 255))
	}
	want := make([]int64, numel(outShape))
	for i := range want {
		if typ == i16 {
			want[i] = int64(int16(uint16(outBytes[2*i]) | uint16(outBytes[2*i+1])<<8))
		} else {
			want[i] = int64(int8(outBytes[i]))
		}
	}
	return builtCase{name: name, op: tflite.OpSum, build: func(m *builtModel) {
		in := m.in("x", typ, inShape, q(sIn, zIn), x)
		ax := m.cst("axis", i32, []int{1}, nil, []int64{axis})
		out := m.out("out", typ, outShape, q(sOut, zOut), want)
		m.op(tflite.OpSum, opts(tflite.OpSum, nil), []int32{in, ax}, out)
	}}
}

// reduceFloatCase is the 2022 optimized MEAN/SUM over axis 1 of [2, 5, 3]:
// MEAN with equal quantization truncates sum/count; otherwise float32
// rescaling (MEAN clamped, SUM wrapped to the type).
func reduceFloatCase(name string, op tflite.BuiltinOperator, typ tflite.TensorType, sIn float32, zIn int64, sOut float32, zOut int64) builtCase {
	inShape, outShape := []int{2, 5, 3}, []int{2, 3}
	lo, hi := oracle.TypeRange(typ)
	x := pseudo(numel(inShape), lo, hi, 71)
	count := inShape[1]
	want := make([]int64, numel(outShape))
	scale := sIn / sOut
	for o := range want {
		b, r := o/3, o%3
		var sum int32
		for k := 0; k < count; k++ {
			sum += int32(x[(b*count+k)*3+r])
		}
		switch {
		case op == tflite.OpMean && sIn == sOut && zIn == zOut:
			want[o] = int64(sum / int32(count))
		case op == tflite.OpMean:
			bias := float32(-zIn) * scale
			mean := float32(sum) / float32(count)
			v := float32(float32(math.Round(float64(float32(float32(mean*scale)+bias)))) + float32(zOut))
			want[o] = int64(int32(max(min(v, float32(hi)), float32(lo))))
		default:
			bias := float32(float32(-zIn)*scale) * float32(count)
			v := int32(math.Round(float64(float32(float32(float32(sum)*scale)+bias)))) + int32(zOut)
			if typ == i8 {
				want[o] = int64(int8(v))
			} else {
				want[o] = int64(int16(v))
			}
		}
	}
	return builtCase{name: name, op: op, build: func(m *builtModel) {
		in := m.in("x", typ, inShape, q(sIn, zIn), x)
		ax := m.cst("axis", i32, []int{1}, nil, []int64{1})
		out := m.out("out", typ, outShape, q(sOut, zOut), want)
		m.op(op, opts(op, nil), []int32{in, ax}, out)
	}}
}

// concatUint8Case is full TFLite's ConcatenationWithScaling on axis 1: the
// first input shares the output's quantization (copied), the second is
// requantized in float32: clamp(int32(roundf(float32(x·scale) + bias)) +
// zp_out, 0, 255), scale = s_in·(1/s_out), bias = float32(−zp_in)·scale.
func concatUint8Case() builtCase {
	s1, z1, s2, z2, so, zo := float32(0.06), int64(128), float32(0.05), int64(120), float32(0.06), int64(128)
	a := pseudo(2*3, 0, 255, 72)
	b := pseudo(2*2, 0, 255, 73)
	scale := s2 * (1 / so)
	bias := float32(-z2) * scale
	want := make([]int64, 0, 10)
	for r := 0; r < 2; r++ {
		want = append(want, a[r*3:(r+1)*3]...)
		for _, x := range b[r*2 : (r+1)*2] {
			v := int64(int32(math.Round(float64(float32(float32(float32(x)*scale)+bias))))) + zo
			want = append(want, oracle.Clamp(v, 0, 255))
		}
	}
	return builtCase{name: "CONCATENATION/uint8/rescale", op: tflite.OpConcatenation, build: func(m *builtModel) {
		x := m.in("a", u8, []int{2, 3}, q(s1, z1), a)
		y := m.in("b", u8, []int{2, 2}, q(s2, z2), b)
		out := m.out("out", u8, []int{2, 5}, q(so, zo), want)
		m.op(tflite.OpConcatenation, opts(tflite.OpConcatenation, func(o *tflite.Options) { o.Axis = 1 }), []int32{x, y}, out)
	}}
}

// resizeBilinearUint8Case is reference_ops::ResizeBilinear<uint8_t> in
// float32 (half-pixel or legacy coordinates), 3×4 → 5×7, 2 channels.
func resizeBilinearUint8Case(name string, half bool) builtCase {
	inH, inW, outH, outW, ch := 3, 4, 5, 7, 2
	x := pseudo(inH*inW*ch, 0, 255, 74)
	hs, ws := float32(inH)/float32(outH), float32(inW)/float32(outW)
	coord := func(o int, s float32, n int) (v float32, lo, hi int) {
		if half {
			v = float32(float32(float32(o)+0.5)*s) - 0.5
		} else {
			v = float32(o) * s
		}
		lo = max(int(math.Floor(float64(v))), 0)
		hi = min(int(math.Ceil(float64(v))), n-1)
		return
	}
	want := mapOut([]int{1, outH, outW, ch}, func(idx []int) int64 {
		vy, y0, y1 := coord(idx[1], hs, inH)
		vx, x0, x1 := coord(idx[2], ws, inW)
		dy, dx := vy-float32(y0), vx-float32(x0)
		at := func(y, xx int) float32 { return float32(x[(y*inW+xx)*ch+idx[3]]) }
		s := float32(float32(at(y0, x0)*(1-dy)) * (1 - dx))
		s = float32(s + float32(float32(at(y1, x0)*dy)*(1-dx)))
		s = float32(s + float32(float32(at(y0, x1)*(1-dy))*dx))
		s = float32(s + float32(float32(at(y1, x1)*dy)*dx))
		return int64(uint8(float32(s + 0.5)))
	})
	return builtCase{name: name, op: tflite.OpResizeBilinear, build: func(m *builtModel) {
		in := m.in("x", u8, []int{1, inH, inW, ch}, q(0.02, 7), x)
		size := m.cst("size", i32, []int{2}, nil, []int64{int64(outH), int64(outW)})
		out := m.out("out", u8, []int{1, outH, outW, ch}, q(0.02, 7), want)
		m.op(tflite.OpResizeBilinear, opts(tflite.OpResizeBilinear, func(o *tflite.Options) { o.HalfPixelCenters = half }), []int32{in, size}, out)
	}}
}

// mulGridCase is int8 MUL on every pair of raw values in [−64, 64) with
// scales whose float32 multiplier (full TFLite's) and double multiplier
// (TFLite-Micro's) differ in the last bit, which changes 8 of the 16,384
// products.
func mulGridCase() builtCase {
	s1, s2, so := float32(0.030130379), float32(0.04167731), float32(0.16982037)
	a, b := make([]int64, 128), make([]int64, 128)
	for i := range a {
		a[i], b[i] = int64(i)-64, int64(i)-64
	}
	p := oracle.Binary{Type: i8, S1: s1, S2: s2, SOut: so}
	want := mapOut([]int{128, 128}, func(idx []int) int64 { return p.MulTFLite(a[idx[0]], b[idx[1]]) })
	return builtCase{name: "MUL/int8/float32-multiplier", op: tflite.OpMul, build: func(m *builtModel) {
		x := m.in("x1", i8, []int{128, 1}, q(s1, 0), a)
		y := m.in("x2", i8, []int{1, 128}, q(s2, 0), b)
		out := m.out("out", i8, []int{128, 128}, q(so, 0), want)
		m.op(tflite.OpMul, opts(tflite.OpMul, nil), []int32{x, y}, out)
	}}
}

// ruyFCCase is a per-channel int8 FULLY_CONNECTED under ruy's single
// rounding. The multipliers are 1/2 and 1/4 (s_in·s_w/s_out), so acc·M
// often ends in exactly .5 and single rounding (ties up) and the double
// rounding of TFLite-Micro, or LiteRT's round half away, disagree on every
// negative tie.
func ruyFCCase() builtCase {
	return builtCase{name: "FC/int8/per-channel/ruy-single-rounding", op: tflite.OpFullyConnected, build: func(m *builtModel) {
		batches, depth, units := 8, 3, 2
		inS, outS := float32(0.5), float32(1.0/64)
		wS := []float32{1.0 / 64, 1.0 / 128}
		x := pseudo(batches*depth, -13, 3, 75)
		w := pseudo(units*depth, -9, 9, 76)
		bias := pseudo(units, -7, 7, 77)
		stage := macStage(i8, oracle.ConvMultipliers(inS, wS, outS), outS, 2, tflite.ActNone)
		stage.Rounding = oracle.Single
		want := oracle.FullyConnected(oracle.FC{Batches: batches, Depth: depth, Units: units, InputOffset: 5, Out: stage}, x, w, bias)
		in := m.in("in", i8, []int{batches, depth}, q(inS, -5), x)
		wt := m.cst("w", i8, []int{units, depth}, tflite.PerChannel(wS, make([]int64, units), 0), w)
		bt := m.cst("bias", i32, []int{units}, nil, bias)
		out := m.out("out", i8, []int{batches, units}, q(outS, 2), want)
		m.op(tflite.OpFullyConnected, opts(tflite.OpFullyConnected, nil), []int32{in, wt, bt}, out)
	}}
}

// ruyBatchMatmulCase is int8 BATCH_MATMUL under ruy's single rounding, with
// the multiplier 1/4, so that every accumulator ≡ 2 (mod 4) is a tie (with
// M ≥ 1/2 the double rounding's SaturatingRoundingDoublingHighMul rounds
// ties up too, and the rules agree).
func ruyBatchMatmulCase() builtCase {
	return builtCase{name: "BATCH_MATMUL/int8/ruy-single-rounding", op: tflite.OpBatchMatmul, build: func(m *builtModel) {
		ls, rs, os := []int{2, 3, 4}, []int{1, 4, 5}, []int{2, 3, 5}
		s1, s2, so := float32(0.25), float32(0.125), float32(0.125)
		a := pseudo(numel(ls), -8, 4, 78)
		b := pseudo(numel(rs), -6, 6, 79)
		stage := macStage(i8, []float64{oracle.ProductMultiplier(s1, s2, so)}, so, -1, tflite.ActNone)
		stage.Rounding = oracle.Single
		_, want := oracle.BatchMatmul(oracle.BatchMatmulOp{LHSShape: ls, RHSShape: rs, LHSOffset: -2, RHSOffset: 0, Out: stage}, a, b)
		x := m.in("lhs", i8, ls, q(s1, 2), a)
		y := m.in("rhs", i8, rs, q(s2, 0), b)
		out := m.out("out", i8, os, q(so, -1), want)
		m.op(tflite.OpBatchMatmul, opts(tflite.OpBatchMatmul, nil), []int32{x, y}, out)
	}}
}

// transposeConvInt32Case is int16 TRANSPOSE_CONV without bias in the 2022
// optimized kernel: a 32-bit accumulator and 32-bit requantization
// (OutputStage.Wide false), where TFLite-Micro uses 64 bits.
func transposeConvInt32Case() builtCase {
	return builtCase{name: "TRANSPOSE_CONV/int16/no-bias/int32-accumulator", op: tflite.OpTransposeConv, build: func(m *builtModel) {
		inShape := []int{1, 3, 2, 2}
		kh, kw, cout, stride := 3, 3, 3, 2
		oh, ow := (inShape[1]-1)*stride+kh, (inShape[2]-1)*stride+kw
		wShape := []int{cout, kh, kw, inShape[3]}
		inS, outS := float32(0.000732421875), float32(0.0013)
		wS := []float32{0.0078125, 0.01171875, 0.009765625}
		x := pseudo(numel(inShape), -32768, 32767, 80)
		w := pseudo(numel(wShape), -127, 127, 81)
		stage := macStage(i16, oracle.ConvMultipliers(inS, wS, outS), outS, 0, tflite.ActNone)
		stage.Wide = false
		want := oracle.TransposeConv(oracle.TransposeConvolution{Batches: 1, InH: inShape[1], InW: inShape[2], InC: inShape[3],
			OutH: oh, OutW: ow, OutC: cout, KH: kh, KW: kw, StrideH: stride, StrideW: stride, Padding: tflite.PaddingValid, Out: stage}, x, w, nil)
		osh := m.cst("output_shape", i32, []int{4}, nil, []int64{1, int64(oh), int64(ow), int64(cout)})
		wt := m.cst("w", i8, wShape, tflite.PerChannel(wS, make([]int64, cout), 0), w)
		in := m.in("in", i16, inShape, q(inS, 0), x)
		out := m.out("out", i16, []int{1, oh, ow, cout}, q(outS, 0), want)
		m.op(tflite.OpTransposeConv, opts(tflite.OpTransposeConv, func(o *tflite.Options) {
			o.Padding, o.StrideH, o.StrideW = tflite.PaddingValid, int32(stride), int32(stride)
		}), []int32{osh, wt, in, -1}, out)
	}}
}

func tfliteCases() []builtCase {
	ru8, r16 := [2]int64{0, 255}, [2]int64{-32768, 32767}
	same, big := []int{2, 3, 4}, []int{16, 16, 16}
	beta := func(b float32) func(o *tflite.Options) { return func(o *tflite.Options) { o.Beta = b } }
	shU8, allU8 := every8u()
	return []builtCase{
		// RELU / RELU6 requantize in full TFLite (float32 s_in/s_out).
		under(tfliteRef, reluXCase("RELU6/int8/requantize", tflite.OpRelu6, i8, 0.05, -10, 0.03, -100)),
		under(tfliteRef, reluXCase("RELU6/int16/requantize", tflite.OpRelu6, i16, 0.0004, 0, 0.0003, 0)),
		under(tfliteRef, reluXCase("RELU/uint8", tflite.OpRelu, u8, 0.02, 128, 0.011, 3)),
		under(tfliteXNNPACK, reluXCase("RELU6/int8/requantize", tflite.OpRelu6, i8, 0.05, -10, 0.03, -100)),
		// SUB with ADD's double multipliers; legacy uint8 ADD/SUB/MUL; MUL's
		// float32 multiplier.
		// These scales give double and float32 multipliers that differ in the
		// last bit, which changes 8 of these 4096 elements.
		under(tfliteRef, binCase(binSpec{name: "SUB/int16/double-multipliers", op: tflite.OpSub, typ: i16, sh1: big, sh2: big, shO: big,
			s1: 0.0008199098, s2: 0.00097455125, so: 0.0018544499, r1: r16, r2: r16, arith: oracle.Binary.SubTFLite, set: func(o *tflite.Options) { o.PotScaleInt16 = false }})),
		// int16 power-of-two ADD/SUB: the input with the finer scale shifted
		// right (RoundingDivideByPOT) to the output's scale, no multipliers.
		under(tfliteRef, binCase(binSpec{name: "ADD/int16/power-of-two", op: tflite.OpAdd, typ: i16, sh1: same, sh2: same, shO: same,
			s1: 1.0 / 4096, s2: 1.0 / 1024, so: 1.0 / 1024, r1: r16, r2: r16, act: tflite.ActRelu6,
			f: func(a, b int64) int64 { return oracle.RoundingDivideByPOT(a, 2) + b }})),
		under(tfliteRef, binCase(binSpec{name: "SUB/int16/power-of-two/broadcast", op: tflite.OpSub, typ: i16, sh1: same, sh2: []int{4}, shO: same,
			s1: 1.0 / 2048, s2: 1.0 / 8192, so: 1.0 / 2048, r1: r16, r2: r16,
			f: func(a, b int64) int64 { return a - oracle.RoundingDivideByPOT(b, 2) }})),
		under(tfliteRef, binCase(binSpec{name: "ADD/uint8/relu", op: tflite.OpAdd, typ: u8, sh1: same, sh2: []int{4}, shO: same,
			s1: 0.05, s2: 0.03, so: 0.06, z1: 128, z2: 100, zo: 120, r1: ru8, r2: ru8, act: tflite.ActRelu, arith: oracle.Binary.Add})),
		under(tfliteRef, binCase(binSpec{name: "SUB/uint8", op: tflite.OpSub, typ: u8, sh1: same, sh2: same, shO: same,
			s1: 0.05, s2: 0.03, so: 0.06, z1: 128, z2: 100, zo: 120, r1: ru8, r2: ru8, arith: oracle.Binary.SubTFLite})),
		under(tfliteRef, binCase(binSpec{name: "MUL/uint8", op: tflite.OpMul, typ: u8, sh1: same, sh2: []int{3, 1}, shO: same,
			s1: 0.05, s2: 0.03, so: 0.1, z1: 128, z2: 100, zo: 7, r1: ru8, r2: ru8, arith: oracle.Binary.MulTFLite})),
		under(tfliteRef, mulGridCase()),
		under(tfliteRef, binCase(binSpec{name: "MAXIMUM/uint8", op: tflite.OpMaximum, typ: u8, sh1: same, sh2: same, shO: same,
			s1: 0.05, s2: 0.05, so: 0.05, z1: 128, z2: 128, zo: 128, r1: ru8, r2: ru8, f: func(a, b int64) int64 { return max(a, b) }})),
		// SUM: LiteRT's byte bug; the 2022 float forms of MEAN and SUM.
		noShadow("LiteRT's reference SUM reads and writes raw bytes (a bug)", under(tfliteRef, sumRefBytesCase("SUM/int8/litert-bytes", i8))),
		noShadow("LiteRT's reference SUM reads and writes raw bytes (a bug)", under(tfliteRef, sumRefBytesCase("SUM/int16/litert-bytes", i16))),
		under(tfliteXNNPACK, reduceFloatCase("MEAN/int8/axis1/float", tflite.OpMean, i8, 0.05, -3, 0.04, 6)),
		under(tfliteXNNPACK, reduceFloatCase("MEAN/int16/axis1/same-quantization", tflite.OpMean, i16, 0.0004, 0, 0.0004, 0)),
		noShadow("the 2022 optimized SUM wraps out-of-range sums to the type (static_cast, no clamp)",
			under(tfliteXNNPACK, reduceFloatCase("SUM/int8/axis1/float-wrapping", tflite.OpSum, i8, 0.05, -3, 0.06, 6))),
		noShadow("the 2022 optimized SUM wraps out-of-range sums to the type (static_cast, no clamp)",
			under(tfliteXNNPACK, reduceFloatCase("SUM/int16/axis1/same-scale", tflite.OpSum, i16, 0.0004, 0, 0.0004, 0))),
		// Lookup tables: LOGISTIC/TANH of int8 and uint8 inputs (exact
		// LUTPopulate reference).
		under(tfliteRef, lut8Case("LOGISTIC/int8/lut", tflite.OpLogistic, i8, 0.06, 5, 1.0/256, -128, sigmoid32)),
		under(tfliteRef, lut8Case("LOGISTIC/uint8/lut", tflite.OpLogistic, u8, 0.04, 130, 1.0/256, 0, sigmoid32)),
		under(tfliteRef, lut8Case("TANH/int8/lut", tflite.OpTanh, i8, 0.03, -2, 1.0/128, 0, tanh32)),
		under(tfliteRef, lut8Case("TANH/uint8/lut", tflite.OpTanh, u8, 0.03, 128, 1.0/128, 128, tanh32)),
		// int16 LOGISTIC/TANH with a power-of-two input scale in the 2022
		// optimized kernel: gemmlowp int16 fixed point, whose Q2.13
		// Newton-Raphson reciprocal limits it to ~6 LSB (logistic) and ~12
		// LSB (tanh) of Q0.15 (kernels' TestFixedPoint16Functions): tolerance
		// 7 and 12.
		shadowTol(7, under(tfliteXNNPACK, lutCase("LOGISTIC/int16/pot-gemmlowp", tflite.OpLogistic, i16, 1.0/4096, 0, 1.0/32768, 0, nil, oracle.Logistic, 7))),
		shadowTol(12, under(tfliteXNNPACK, lutCase("TANH/int16/pot2^-11-gemmlowp", tflite.OpTanh, i16, 1.0/2048, 0, 1.0/32768, 0, nil, math.Tanh, 12))),
		// RSQRT int16 through LiteRT's float table: 512 linear segments
		// over the input range [0, 32767·s_in] (s_in = 0.001); inputs from
		// raw 2048 up, where the interpolation error h²/8·|f''| ≤ (0.064)²/8
		// · 0.75·2.048^−2.5 ≈ 6.4e-5 is far below s_out = 0.002: tolerance 1
		// LSB for the table's and the final roundings.
		under(tfliteRef, unCase(unSpec{name: "RSQRT/int16/lut", op: tflite.OpRsqrt, typ: i16, shape: []int{4, 64}, data: pseudo(256, 2048, 32767, 63),
			sIn: 0.001, sOut: 0.002, tol: 1, f: func(x int64) float64 {
				return float64(oracle.Quantize(1/math.Sqrt(0.001*float64(x)), 0.002, 0, i16))
			}})),
		// SOFTMAX int16 with double tables (as TFLite-Micro's int16 case:
		// interpolated exp and reciprocal tables, tolerance 3 LSB), and the
		// 2022 float-table SOFTMAX of 8-bit inputs (exact float32 reference).
		under(tfliteRef, rowCase("SOFTMAX/int16/litert-tables", tflite.OpSoftmax, i16, 4, 16, 0.0002, 0, 1.0/32768, 0, beta(1), softmaxRow(1), 3)),
		under(tfliteXNNPACK, rowCase("SOFTMAX/int16/gen_lut-double", tflite.OpSoftmax, i16, 4, 16, 0.0002, 0, 1.0/32768, 0, beta(1), softmaxRow(1), 3)),
		under(tfliteXNNPACK, floatSoftmaxCase("SOFTMAX/int8/float-table", i8, i8, 0.1, 3, 1.0/256, -128, 1)),
		under(tfliteXNNPACK, floatSoftmaxCase("SOFTMAX/int8-to-int16/float-table", i8, i16, 0.07, -9, 1.0/65536, -32768, 0.7)),
		noShadow("the 2022 optimized uint8 SOFTMAX ignores the output zero point",
			under(tfliteXNNPACK, floatSoftmaxCase("SOFTMAX/uint8/float-table/zp-ignored", u8, u8, 0.05, 128, 1.0/256, 5, 1))),
		// ruy single rounding; int32 TRANSPOSE_CONV.
		under(tfliteXNNPACK, ruyFCCase()),
		under(tfliteXNNPACK, ruyBatchMatmulCase()),
		under(tfliteXNNPACK, transposeConvInt32Case()),
		// Legacy uint8 moves and conversions.
		under(tfliteRef, concatUint8Case()),
		under(tfliteRef, resizeBilinearUint8Case("RESIZE_BILINEAR/uint8/legacy", false)),
		under(tfliteRef, resizeBilinearUint8Case("RESIZE_BILINEAR/uint8/half-pixel", true)),
		under(tfliteRef, builtCase{name: "ARG_MAX/uint8/int64-output", op: tflite.OpArgMax, build: func(m *builtModel) {
			x := pseudo(3*5, 0, 255, 82)
			x[1] = x[3] // a tie keeps the first index
			want := make([]int64, 3)
			for r := range want {
				for j := 1; j < 5; j++ {
					if x[r*5+j] > x[r*5+int(want[r])] {
						want[r] = int64(j)
					}
				}
			}
			in := m.in("x", u8, []int{3, 5}, q(0.1, 0), x)
			ax := m.cst("axis", i32, []int{1}, nil, []int64{1})
			out := m.out("out", i64, []int{3}, nil, want)
			m.op(tflite.OpArgMax, opts(tflite.OpArgMax, func(o *tflite.Options) { o.OutputType = i64 }), []int32{in, ax}, out)
		}}),
		under(tfliteRef, unCase(unSpec{name: "QUANTIZE/uint8-to-uint8", op: tflite.OpQuantize, typ: u8, shape: shU8, data: allU8,
			sIn: 0.05, zIn: 128, sOut: 0.07, zOut: 120, f: fexact(func(x int64) int64 {
				return oracle.Clamp(120+oracle.Requantize(x-128, float64(float32(0.05))/float64(float32(0.07)), oracle.Double), 0, 255)
			})})),
		// Full TFLite's integer LSTM (5 intermediates): the float reference
		// of the TFLite-Micro case holds (its gemmlowp int16 activations err
		// by ≤ 12·2^−15, far below the hidden step 1/128).
		under(tfliteRef, lstmCaseWith("UNIDIRECTIONAL_SEQUENCE_LSTM/int8/litert", false, true)),
	}
}

// TestFullTFLiteRefusesLSTMWithoutIntermediates: full TFLite's Prepare
// requires 5 intermediate tensors for an integer LSTM, which TFLite-Micro
// ignores (the opzoo LSTM models have none).
func TestFullTFLiteRefusesLSTMWithoutIntermediates(t *testing.T) {
	c := lstmCase("lstm", false)
	for _, rt := range []kernels.Runtime{tfliteRef, tfliteXNNPACK} {
		if _, _, err := tryBuilt(c, Options{Runtime: rt}); err == nil || !containsAll(err.Error(), "intermediate", "5") {
			t.Errorf("%v: want a refusal naming the 5 intermediate tensors, got %v", rt, err)
		}
	}
	for _, rt := range []kernels.Runtime{kernels.RuntimeTFLM, kernels.RuntimeTFLMSingle} {
		if _, _, err := tryBuilt(c, Options{Runtime: rt}); err != nil {
			t.Errorf("%v refuses an LSTM without intermediates: %v", rt, err)
		}
	}
}
