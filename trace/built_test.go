package trace

// Built-model tests: every kernel in the op table is exercised through a
// real model file the test builds itself (tflite.ModelBuilder → Write →
// Read → New → SetInput → Invoke), with no shared data, and its outputs are
// checked against a reference written here:
//
//   - requantizing integer ops (MAC ops, ADD/SUB/MUL, QUANTIZE, pools, ...):
//     the exact integer reference of internal/oracle (QuantizeMultiplier,
//     MultiplyByQuantizedMultiplier, the MAC references, ...);
//   - data movement ops: an exact index-based reference;
//   - fixed-point / lookup-table ops (SOFTMAX, LOGISTIC, TANH, ...): a float
//     reference with a tolerance in LSB stated and justified per case.
//
// Every element of every operator output is also explained, and the chain
// must end at the stored value. TestBuiltCoverage fails for an operator in
// the kernels op table without a case here.
//
// The oracle forms each op's multiplier as TFLite does (s_in·s_w in double
// for the convolutions, as a float32 product for per-tensor FULLY_CONNECTED
// and BATCH_MATMUL). Scales of MAC inputs and weights here have short
// mantissas, so that float32 products of them are exact and the two rules
// agree: these cases do not tell them apart (the kernels' own tests do).

import (
	"math"
	"testing"

	"github.com/tflq/tflq-trace/internal/oracle"
	"github.com/tflq/tflq-trace/tflite"
)

const (
	i8  = tflite.TypeInt8
	u8  = tflite.TypeUint8
	i16 = tflite.TypeInt16
	i32 = tflite.TypeInt32
	i64 = tflite.TypeInt64
	f32 = tflite.TypeFloat32
	bl  = tflite.TypeBool
)

// ---- MAC references ----

type convGeom struct {
	strideH, strideW, dilH, dilW int
	pad                          tflite.Padding
}

// macStage is the oracle output stage of a MAC case: reals per output
// channel (one: per tensor), the fused activation's clamp range; int16 cases
// carry an int64 bias, so the 64-bit accumulator (and have output zero
// point 0).
func macStage(typ tflite.TensorType, reals []float64, outS float32, outZp int64, act tflite.Activation) oracle.OutputStage {
	lo, hi := oracle.ActivationRange(act, typ, outS, outZp)
	return oracle.OutputStage{Reals: reals, ZeroPoint: outZp, Min: lo, Max: hi, Wide: typ == i16}
}

func zeros64(n int) []int64 { return make([]int64, n) }

type convVariant struct {
	name         string
	typ          tflite.TensorType
	inShape      []int
	kh, kw, cout int
	depthMul     int // 0: CONV_2D
	g            convGeom
	perChannel   bool
	act          tflite.Activation
	inZp         int64
}

func convCase(v convVariant) builtCase {
	op := tflite.OpConv2D
	if v.depthMul > 0 {
		op = tflite.OpDepthwiseConv2D
	}
	return builtCase{name: v.name, op: op, build: func(m *builtModel) {
		cin := v.inShape[3]
		wShape := []int{v.cout, v.kh, v.kw, cin}
		if v.depthMul > 0 {
			wShape = []int{1, v.kh, v.kw, v.cout}
		}
		inS, outS := float32(0.046875), float32(0.37)
		wS := []float32{0.0078125, 0.01171875, 0.009765625, 0.015625, 0.0068359375, 0.013671875}[:v.cout]
		if !v.perChannel {
			wS = []float32{0.01171875}
		}
		lo, hi := int64(-128), int64(127)
		biasT := i32
		outZp := int64(5)
		if v.typ == i16 {
			inS, outS = 0.000732421875, 0.0045
			lo, hi = -32768, 32767
			biasT = i64
			outZp = 0
		}
		x := pseudo(numel(v.inShape), lo, hi, 1)
		w := pseudo(numel(wShape), -127, 127, 2)
		bias := pseudo(v.cout, -3000, 3000, 3)
		var wq *tflite.Quantization
		if v.perChannel {
			qd := int32(0)
			if v.depthMul > 0 {
				qd = 3
			}
			wq = tflite.PerChannel(wS, make([]int64, len(wS)), qd)
		} else {
			wq = q(wS[0], 0)
		}
		g := oracle.Window{Batches: v.inShape[0], InH: v.inShape[1], InW: v.inShape[2], InC: cin, KH: v.kh, KW: v.kw,
			StrideH: v.g.strideH, StrideW: v.g.strideW, DilationH: v.g.dilH, DilationW: v.g.dilW, Padding: v.g.pad}
		stage := macStage(v.typ, oracle.ConvMultipliers(inS, wS, outS), outS, outZp, v.act)
		var want []int64
		var outShape []int
		if v.depthMul > 0 {
			outShape, want = oracle.DepthwiseConv2D(oracle.DepthwiseConv{Window: g, DepthMultiplier: v.depthMul, InputOffset: -v.inZp, Out: stage}, x, w, bias)
		} else {
			outShape, want = oracle.Conv2D(oracle.Conv{Window: g, OutC: v.cout, InputOffset: -v.inZp, Out: stage}, x, w, bias)
		}
		in := m.in("in", v.typ, v.inShape, q(inS, v.inZp), x)
		wt := m.cst("w", i8, wShape, wq, w)
		bt := m.cst("bias", biasT, []int{v.cout}, nil, bias)
		out := m.out("out", v.typ, outShape, q(outS, outZp), want)
		o := opts(op, func(o *tflite.Options) {
			o.StrideH, o.StrideW = int32(v.g.strideH), int32(v.g.strideW)
			o.DilationH, o.DilationW = int32(v.g.dilH), int32(v.g.dilW)
			o.Padding, o.Activation = v.g.pad, v.act
			o.DepthMultiplier = int32(v.depthMul)
		})
		m.op(op, o, []int32{in, wt, bt}, out)
	}}
}

func fcCase(name string, typ tflite.TensorType, perChannel bool, act tflite.Activation) builtCase {
	return builtCase{name: name, op: tflite.OpFullyConnected, build: func(m *builtModel) {
		batches, depth, units := 3, 7, 4
		inS, outS := float32(0.046875), float32(0.29)
		inZp, outZp := int64(-3), int64(-7)
		lo, hi := int64(-128), int64(127)
		biasT := i32
		if typ == i16 {
			inS, outS, inZp, outZp = 0.000732421875, 0.002, 0, 0
			lo, hi, biasT = -32768, 32767, i64
		}
		wS := []float32{0.01171875, 0.0078125, 0.009765625, 0.015625}
		var wq *tflite.Quantization
		if perChannel {
			wq = tflite.PerChannel(wS, make([]int64, units), 0)
		} else {
			wS = wS[:1]
			wq = q(wS[0], 0)
		}
		x := pseudo(batches*depth, lo, hi, 4)
		w := pseudo(units*depth, -127, 127, 5)
		bias := pseudo(units, -2000, 2000, 6)
		reals := []float64{oracle.ProductMultiplier(inS, wS[0], outS)}
		if perChannel {
			reals = oracle.ConvMultipliers(inS, wS, outS)
		}
		want := oracle.FullyConnected(oracle.FC{Batches: batches, Depth: depth, Units: units, InputOffset: -inZp,
			Out: macStage(typ, reals, outS, outZp, act)}, x, w, bias)
		in := m.in("in", typ, []int{batches, depth}, q(inS, inZp), x)
		wt := m.cst("w", i8, []int{units, depth}, wq, w)
		bt := m.cst("bias", biasT, []int{units}, nil, bias)
		out := m.out("out", typ, []int{batches, units}, q(outS, outZp), want)
		m.op(tflite.OpFullyConnected, opts(tflite.OpFullyConnected, func(o *tflite.Options) { o.Activation = act }), []int32{in, wt, bt}, out)
	}}
}

func transposeConvCase(name string, typ tflite.TensorType) builtCase {
	return builtCase{name: name, op: tflite.OpTransposeConv, build: func(m *builtModel) {
		inShape := []int{1, 3, 2, 2}
		kh, kw, cout, stride := 3, 3, 3, 2
		oh, ow := (inShape[1]-1)*stride+kh, (inShape[2]-1)*stride+kw // VALID
		wShape := []int{cout, kh, kw, inShape[3]}
		inS, outS := float32(0.046875), float32(0.21)
		inZp, outZp := int64(4), int64(-2)
		lo, hi := int64(-128), int64(127)
		biasT := i32
		if typ == i16 {
			inS, outS, inZp, outZp = 0.000732421875, 0.0013, 0, 0
			lo, hi, biasT = -32768, 32767, i64
		}
		wS := []float32{0.0078125, 0.01171875, 0.009765625}
		x := pseudo(numel(inShape), lo, hi, 7)
		w := pseudo(numel(wShape), -127, 127, 8)
		bias := pseudo(cout, -1000, 1000, 9)
		outShape := []int{1, oh, ow, cout}
		want := oracle.TransposeConv(oracle.TransposeConvolution{Batches: 1, InH: inShape[1], InW: inShape[2], InC: inShape[3],
			OutH: oh, OutW: ow, OutC: cout, KH: kh, KW: kw, StrideH: stride, StrideW: stride, Padding: tflite.PaddingValid,
			InputOffset: -inZp, Out: macStage(typ, oracle.ConvMultipliers(inS, wS, outS), outS, outZp, tflite.ActNone)}, x, w, bias)
		osh := m.cst("output_shape", i32, []int{4}, nil, []int64{1, int64(oh), int64(ow), int64(cout)})
		wt := m.cst("w", i8, wShape, tflite.PerChannel(wS, make([]int64, cout), 0), w)
		in := m.in("in", typ, inShape, q(inS, inZp), x)
		bt := m.cst("bias", biasT, []int{cout}, nil, bias)
		out := m.out("out", typ, outShape, q(outS, outZp), want)
		m.op(tflite.OpTransposeConv, opts(tflite.OpTransposeConv, func(o *tflite.Options) {
			o.Padding, o.StrideH, o.StrideW = tflite.PaddingValid, int32(stride), int32(stride)
		}), []int32{osh, wt, in, bt}, out)
	}}
}

func batchMatmulCase(name string, typ tflite.TensorType) builtCase {
	return builtCase{name: name, op: tflite.OpBatchMatmul, build: func(m *builtModel) {
		// LHS [2, 3, 4] @ RHS [1, 4, 5] (RHS batch broadcast) → [2, 3, 5].
		ls, rs, os := []int{2, 3, 4}, []int{1, 4, 5}, []int{2, 3, 5}
		s1, s2, so := float32(0.046875), float32(0.01171875), float32(0.083)
		z1, z2, zo := int64(3), int64(-2), int64(1)
		lo, hi := int64(-128), int64(127)
		if typ == i16 {
			s1, s2, so = 0.000732421875, 0.0009765625, 0.04
			z1, z2, zo, lo, hi = 0, 0, 0, -32768, 32767
		}
		a := pseudo(numel(ls), lo, hi, 10)
		b := pseudo(numel(rs), lo, hi, 11)
		_, want := oracle.BatchMatmul(oracle.BatchMatmulOp{LHSShape: ls, RHSShape: rs, LHSOffset: -z1, RHSOffset: -z2,
			Out: macStage(typ, []float64{oracle.ProductMultiplier(s1, s2, so)}, so, zo, tflite.ActNone)}, a, b)
		x := m.in("lhs", typ, ls, q(s1, z1), a)
		y := m.in("rhs", typ, rs, q(s2, z2), b)
		out := m.out("out", typ, os, q(so, zo), want)
		m.op(tflite.OpBatchMatmul, opts(tflite.OpBatchMatmul, nil), []int32{x, y}, out)
	}}
}

func macCases() []builtCase {
	same1 := convGeom{1, 1, 1, 1, tflite.PaddingSame}
	return []builtCase{
		fcCase("FC/int8/per-tensor/relu", i8, false, tflite.ActRelu),
		fcCase("FC/int8/per-channel/none", i8, true, tflite.ActNone),
		fcCase("FC/int16/per-tensor/relu", i16, false, tflite.ActRelu),
		convCase(convVariant{name: "CONV/int8/per-channel/same/relu", typ: i8, inShape: []int{1, 5, 4, 3}, kh: 3, kw: 3, cout: 4, g: same1, perChannel: true, act: tflite.ActRelu, inZp: -5}),
		convCase(convVariant{name: "CONV/int8/per-tensor/valid-stride2-dil/relu6", typ: i8, inShape: []int{2, 7, 6, 2}, kh: 2, kw: 3, cout: 3, g: convGeom{2, 1, 2, 1, tflite.PaddingValid}, act: tflite.ActRelu6, inZp: 7}),
		convCase(convVariant{name: "CONV/int8/same-stride2/n1to1", typ: i8, inShape: []int{1, 6, 5, 2}, kh: 3, kw: 2, cout: 2, g: convGeom{2, 2, 1, 1, tflite.PaddingSame}, perChannel: true, act: tflite.ActReluN1To1, inZp: 0}),
		convCase(convVariant{name: "CONV/int16/per-channel/same", typ: i16, inShape: []int{1, 4, 4, 3}, kh: 3, kw: 3, cout: 5, g: same1, perChannel: true}),
		convCase(convVariant{name: "DWCONV/int8/per-channel/dm2/same/relu", typ: i8, inShape: []int{1, 5, 5, 3}, kh: 3, kw: 3, cout: 6, depthMul: 2, g: same1, perChannel: true, act: tflite.ActRelu, inZp: 9}),
		convCase(convVariant{name: "DWCONV/int8/per-tensor/valid-stride2-dil", typ: i8, inShape: []int{2, 7, 7, 2}, kh: 2, kw: 2, cout: 2, depthMul: 1, g: convGeom{2, 2, 2, 1, tflite.PaddingValid}, inZp: -1}),
		convCase(convVariant{name: "DWCONV/int16/per-channel/dm1", typ: i16, inShape: []int{1, 4, 5, 4}, kh: 3, kw: 3, cout: 4, depthMul: 1, g: same1, perChannel: true, act: tflite.ActRelu}),
		transposeConvCase("TRANSPOSE_CONV/int8/per-channel/valid-stride2", i8),
		transposeConvCase("TRANSPOSE_CONV/int16/per-channel/valid-stride2", i16),
		batchMatmulCase("BATCH_MATMUL/int8/broadcast", i8),
		batchMatmulCase("BATCH_MATMUL/int16/broadcast", i16),
	}
}

// allBuiltCases is the table every built-model test runs.
func allBuiltCases() []builtCase {
	var cs []builtCase
	cs = append(cs, macCases()...)
	cs = append(cs, arithCases()...)
	cs = append(cs, unaryCases()...)
	cs = append(cs, poolReduceCases()...)
	cs = append(cs, lutCases()...)
	cs = append(cs, moveCases()...)
	cs = append(cs, resizeCases()...)
	cs = append(cs, statefulCases()...)
	cs = append(cs, tfliteCases()...)
	return cs
}

func TestBuiltModels(t *testing.T) {
	for _, c := range allBuiltCases() {
		t.Run(c.name, func(t *testing.T) { runBuilt(t, c) })
	}
}

var _ = math.Abs

// ---- elementwise arithmetic ----

// binSpec is a quantized binary elementwise op with numpy broadcasting:
// f maps the raw input values to the output value before the clamp to
// [lo, hi] (the fused activation's range within the dtype).
type binSpec struct {
	name          string
	op            tflite.BuiltinOperator
	typ, outTyp   tflite.TensorType
	sh1, sh2, shO []int
	s1, s2, so    float32
	z1, z2, zo    int64
	r1, r2        [2]int64 // input value ranges
	act           tflite.Activation
	set           func(o *tflite.Options)
	f             func(x1, x2 int64) int64
	// arith, when set, is the oracle's op (oracle.Binary.Add, .Sub, .Mul)
	// on the spec's scales, zero points and activation, in place of f.
	arith          func(oracle.Binary, int64, int64) int64
	noQuantization bool
}

func binCase(s binSpec) builtCase {
	return builtCase{name: s.name, op: s.op, build: func(m *builtModel) {
		outTyp := s.outTyp
		if outTyp == 0 {
			outTyp = s.typ
		}
		a := pseudo(numel(s.sh1), s.r1[0], s.r1[1], 21)
		b := pseudo(numel(s.sh2), s.r2[0], s.r2[1], 22)
		f := s.f
		if s.arith != nil {
			p := oracle.Binary{Type: s.typ, S1: s.s1, S2: s.s2, SOut: s.so, Z1: s.z1, Z2: s.z2, ZOut: s.zo, Act: s.act}
			f = func(x1, x2 int64) int64 { return s.arith(p, x1, x2) }
		}
		var lo, hi int64 = math.MinInt64, math.MaxInt64
		if outTyp != bl && outTyp != i64 {
			lo, hi = oracle.ActivationRange(s.act, outTyp, s.so, s.zo)
		}
		want := make([]int64, numel(s.shO))
		for e := range want {
			want[e] = oracle.Clamp(f(a[oracle.BroadcastIndex(s.shO, s.sh1, e)], b[oracle.BroadcastIndex(s.shO, s.sh2, e)]), lo, hi)
		}
		q1, q2, qo := q(s.s1, s.z1), q(s.s2, s.z2), q(s.so, s.zo)
		if s.noQuantization {
			q1, q2, qo = nil, nil, nil
		}
		x := m.in("x1", s.typ, s.sh1, q1, a)
		y := m.in("x2", s.typ, s.sh2, q2, b)
		out := m.out("out", outTyp, s.shO, qo, want)
		o := opts(s.op, s.set)
		if s.act != tflite.ActNone {
			o.Activation = s.act
		}
		m.op(s.op, o, []int32{x, y}, out)
	}}
}

// rescale8 is the comparisons' common-scale value of an int8 input:
// (x − zp)·2^8 times the scale (QuantizeMultiplier, scale < 1).
func rescale8(scale float32, zp int64) func(x int64) int64 {
	return func(x int64) int64 { return oracle.Requantize((x-zp)<<8, float64(scale), oracle.Double) }
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func arithCases() []builtCase {
	r8, r16 := [2]int64{-128, 127}, [2]int64{-32768, 32767}
	s4 := []int{2, 3, 4}
	var cs []builtCase
	// ADD / SUB / MUL: the oracle's elements (SUB's multipliers are float32
	// quotients, as in TFLite-Micro; its scales here are powers of two apart,
	// so float32 and double agree anyway).
	cs = append(cs,
		binCase(binSpec{name: "ADD/int8/broadcast/relu", op: tflite.OpAdd, typ: i8, sh1: s4, sh2: []int{3, 1}, shO: s4,
			s1: 0.071, s2: 0.043, so: 0.093, z1: -3, z2: 11, zo: -20, r1: r8, r2: r8, act: tflite.ActRelu,
			arith: oracle.Binary.Add}),
		binCase(binSpec{name: "ADD/int8/same-shape/relu6", op: tflite.OpAdd, typ: i8, sh1: s4, sh2: s4, shO: s4,
			s1: 0.031, s2: 0.052, so: 0.05, z1: 0, z2: -7, zo: -100, r1: r8, r2: r8, act: tflite.ActRelu6,
			arith: oracle.Binary.Add}),
		binCase(binSpec{name: "ADD/int16/broadcast", op: tflite.OpAdd, typ: i16, sh1: []int{4}, sh2: s4, shO: s4,
			s1: 0.00031, s2: 0.00017, so: 0.00047, r1: r16, r2: r16,
			arith: oracle.Binary.Add}),
		binCase(binSpec{name: "SUB/int8/broadcast/relu", op: tflite.OpSub, typ: i8, sh1: s4, sh2: []int{1, 4}, shO: s4,
			s1: 0.0625, s2: 0.03125, so: 0.125, z1: 5, z2: -9, zo: -30, r1: r8, r2: r8, act: tflite.ActRelu,
			arith: oracle.Binary.Sub}),
		binCase(binSpec{name: "SUB/int16", op: tflite.OpSub, typ: i16, sh1: s4, sh2: s4, shO: s4,
			s1: 0.00048828125, s2: 0.000244140625, so: 0.0009765625, r1: r16, r2: r16,
			arith: oracle.Binary.Sub}),
		binCase(binSpec{name: "MUL/int8/broadcast/relu", op: tflite.OpMul, typ: i8, sh1: s4, sh2: []int{2, 1, 4}, shO: s4,
			s1: 0.07, s2: 0.05, so: 0.5, z1: 4, z2: -6, zo: -50, r1: r8, r2: r8, act: tflite.ActRelu,
			arith: oracle.Binary.Mul}),
		binCase(binSpec{name: "MUL/int8/scalar/none", op: tflite.OpMul, typ: i8, sh1: s4, sh2: []int{1}, shO: s4,
			s1: 0.02, s2: 0.9, so: 2.5, z1: -1, z2: 0, zo: 3, r1: r8, r2: r8,
			arith: oracle.Binary.Mul}),
		binCase(binSpec{name: "MUL/int16", op: tflite.OpMul, typ: i16, sh1: s4, sh2: s4, shO: s4,
			s1: 0.0003, s2: 0.0002, so: 0.0021, r1: r16, r2: r16,
			arith: oracle.Binary.Mul}),
	)
	// MAXIMUM / MINIMUM compare raw values (shared quantization).
	cs = append(cs,
		binCase(binSpec{name: "MAXIMUM/int8/broadcast", op: tflite.OpMaximum, typ: i8, sh1: s4, sh2: []int{4}, shO: s4,
			s1: 0.1, s2: 0.1, so: 0.1, z1: 2, z2: 2, zo: 2, r1: r8, r2: r8, f: func(a, b int64) int64 { return max(a, b) }}),
		binCase(binSpec{name: "MINIMUM/int16", op: tflite.OpMinimum, typ: i16, sh1: s4, sh2: s4, shO: s4,
			s1: 0.001, s2: 0.001, so: 0.001, r1: r16, r2: r16, f: func(a, b int64) int64 { return min(a, b) }}),
		binCase(binSpec{name: "MINIMUM/int8/broadcast", op: tflite.OpMinimum, typ: i8, sh1: []int{3, 1}, sh2: s4, shO: s4,
			s1: 0.1, s2: 0.1, so: 0.1, z1: -4, z2: -4, zo: -4, r1: r8, r2: r8, f: func(a, b int64) int64 { return min(a, b) }}),
		binCase(binSpec{name: "MAXIMUM/int16", op: tflite.OpMaximum, typ: i16, sh1: s4, sh2: s4, shO: s4,
			s1: 0.001, s2: 0.001, so: 0.001, r1: r16, r2: r16, f: func(a, b int64) int64 { return max(a, b) }}),
		binCase(binSpec{name: "MAXIMUM/int32", op: tflite.OpMaximum, typ: i32, sh1: s4, sh2: []int{3, 1}, shO: s4, noQuantization: true,
			r1: [2]int64{-1 << 30, 1 << 30}, r2: [2]int64{-1 << 30, 1 << 30}, f: func(a, b int64) int64 { return max(a, b) }}),
	)
	// SQUARED_DIFFERENCE: scales a power of two apart, float32-exact denominator.
	sqd := func(s1, s2, so float32, z1, z2, zo int64, ls int) func(a, b int64) int64 {
		sm := 2 * math.Max(float64(s1), float64(s2))
		return func(a, b int64) int64 {
			d := oracle.Requantize((a-z1)<<ls, float64(s1)/sm, oracle.Double) - oracle.Requantize((b-z2)<<ls, float64(s2)/sm, oracle.Double)
			return oracle.Requantize(d*d, sm*sm/(math.Ldexp(1, 2*ls)*float64(so)), oracle.Double) + zo
		}
	}
	cs = append(cs,
		binCase(binSpec{name: "SQUARED_DIFFERENCE/int8/broadcast", op: tflite.OpSquaredDifference, typ: i8, sh1: s4, sh2: []int{3, 4}, shO: s4,
			s1: 0.046875, s2: 0.0234375, so: 0.1171875, z1: 3, z2: -4, zo: -128, r1: r8, r2: r8, f: sqd(0.046875, 0.0234375, 0.1171875, 3, -4, -128, 7)}),
		binCase(binSpec{name: "SQUARED_DIFFERENCE/int16", op: tflite.OpSquaredDifference, typ: i16, sh1: s4, sh2: s4, shO: s4,
			s1: 0.0001220703125, s2: 0.0001220703125, so: 0.0234375, r1: r16, r2: r16, f: sqd(0.0001220703125, 0.0001220703125, 0.0234375, 0, 0, 0, 0)}),
	)
	// DIV: float reference. TFLite-Micro divides through a 31-bit
	// fixed-point reciprocal, so the real quotient is exact to ~2^-29
	// relative before the final rounding: the result can differ from
	// round(q / s_out) by 1 only where that rounding is within a hair of a
	// tie. Tolerance 1 LSB.
	{
		s1, s2, so := float32(0.05), float32(0.02), float32(0.07)
		divF := func(a, b int64) float64 {
			return float64(s1) * float64(a-1) / (float64(s2) * float64(b+3)) / float64(so)
		}
		cs = append(cs, builtCase{name: "DIV/int8/broadcast/relu", op: tflite.OpDiv, build: func(m *builtModel) {
			a := pseudo(24, -128, 127, 31)
			b := pseudo(4, 10, 127, 32) // divisor x2 − zp2 ∈ [13, 130], never 0
			want := make([]float64, 24)
			for i := range want {
				want[i] = max(-9, math.Min(127, math.Round(divF(a[i], b[i%4])))-9)
			}
			x := m.in("x1", i8, s4, q(s1, 1), a)
			y := m.in("x2", i8, []int{4}, q(s2, -3), b)
			out := m.outTol("out", i8, s4, q(so, -9), want, 1)
			m.op(tflite.OpDiv, opts(tflite.OpDiv, func(o *tflite.Options) { o.Activation = tflite.ActRelu }), []int32{x, y}, out)
		}})
	}
	// Comparisons: int8 by TFLite-Micro's common-scale rescaling, others raw.
	cmp := func(name string, op tflite.BuiltinOperator, typ tflite.TensorType, sh2 []int, s1, s2 float32, z1, z2 int64, r [2]int64, rel func(a, b int64) bool) builtCase {
		f := func(a, b int64) int64 { return b2i(rel(a, b)) }
		if typ == i8 {
			v1, v2 := rescale8(s1, z1), rescale8(s2, z2)
			f = func(a, b int64) int64 { return b2i(rel(v1(a), v2(b))) }
		}
		return binCase(binSpec{name: name, op: op, typ: typ, outTyp: bl, sh1: s4, sh2: sh2, shO: s4, s1: s1, s2: s2, z1: z1, z2: z2,
			r1: r, r2: r, f: f, noQuantization: typ != i8})
	}
	small := [2]int64{-3, 3} // many equal pairs
	cs = append(cs,
		cmp("EQUAL/int8/broadcast", tflite.OpEqual, i8, []int{4}, 0.5, 0.25, 1, 3, small, func(a, b int64) bool { return a == b }),
		cmp("EQUAL/bool", tflite.OpEqual, bl, s4, 0, 0, 0, 0, [2]int64{0, 1}, func(a, b int64) bool { return a == b }),
		cmp("NOT_EQUAL/int32", tflite.OpNotEqual, i32, s4, 0, 0, 0, 0, small, func(a, b int64) bool { return a != b }),
		cmp("GREATER/int8/differing-scales", tflite.OpGreater, i8, s4, 0.03, 0.05, -2, 4, [2]int64{-128, 127}, func(a, b int64) bool { return a > b }),
		cmp("NOT_EQUAL/int8/broadcast", tflite.OpNotEqual, i8, []int{3, 1}, 0.25, 0.125, 0, 2, small, func(a, b int64) bool { return a != b }),
		cmp("GREATER_EQUAL/int8/differing-scales", tflite.OpGreaterEqual, i8, s4, 0.05, 0.1, 0, -1, small, func(a, b int64) bool { return a >= b }),
		cmp("LESS_EQUAL/int8/broadcast", tflite.OpLessEqual, i8, []int{4}, 0.07, 0.07, 1, 1, [2]int64{-128, 127}, func(a, b int64) bool { return a <= b }),
		cmp("GREATER_EQUAL/int64/broadcast", tflite.OpGreaterEqual, i64, []int{3, 1}, 0, 0, 0, 0, small, func(a, b int64) bool { return a >= b }),
		cmp("LESS/int8", tflite.OpLess, i8, s4, 0.125, 0.0625, 0, 1, small, func(a, b int64) bool { return a < b }),
		cmp("LESS_EQUAL/int32/broadcast", tflite.OpLessEqual, i32, []int{1}, 0, 0, 0, 0, small, func(a, b int64) bool { return a <= b }),
	)
	return cs
}

// ---- unary ops ----

// unSpec is a unary op on one quantized input; f gives each output value
// from the raw input (exact when tol is 0, else within tol LSB). consts
// adds further (constant) inputs after the data input.
type unSpec struct {
	name        string
	op          tflite.BuiltinOperator
	typ, outTyp tflite.TensorType
	shape       []int
	sIn, sOut   float32
	zIn, zOut   int64
	data        []int64
	set         func(o *tflite.Options)
	consts      func(m *builtModel) []int32
	f           func(x int64) float64
	tol         float64
}

func unCase(s unSpec) builtCase {
	return builtCase{name: s.name, op: s.op, build: func(m *builtModel) {
		outTyp := s.outTyp
		if outTyp == 0 {
			outTyp = s.typ
		}
		want := make([]float64, len(s.data))
		for i, x := range s.data {
			want[i] = s.f(x)
		}
		x := m.in("x", s.typ, s.shape, q(s.sIn, s.zIn), s.data)
		ins := []int32{x}
		if s.consts != nil {
			ins = append(ins, s.consts(m)...)
		}
		out := m.outTol("out", outTyp, s.shape, q(s.sOut, s.zOut), want, s.tol)
		m.op(s.op, opts(s.op, s.set), ins, out)
	}}
}

// every8 is every int8 value once, as [4, 64].
func every8() ([]int, []int64) {
	v := make([]int64, 256)
	for i := range v {
		v[i] = int64(i) - 128
	}
	return []int{4, 64}, v
}

// spread16 is 256 int16 values spread over the whole range, both ends included.
func spread16() ([]int, []int64) {
	v := make([]int64, 256)
	for i := range v {
		v[i] = -32768 + int64(i)*65535/255
	}
	return []int{4, 64}, v
}

func fexact(f func(x int64) int64) func(x int64) float64 {
	return func(x int64) float64 { return float64(f(x)) }
}

func unaryCases() []builtCase {
	sh8, all8 := every8()
	sh16, all16 := spread16()
	var cs []builtCase
	// RELU requantizes: y = clamp(zp_out + M·(x − zp_in)), M = s_in/s_out in double.
	relu := func(sIn, sOut float32, zIn, zOut int64, typ tflite.TensorType) func(x int64) float64 {
		lo, hi := oracle.TypeRange(typ)
		return fexact(func(x int64) int64 {
			return oracle.Clamp(zOut+oracle.Requantize(x-zIn, float64(sIn)/float64(sOut), oracle.Double), max(lo, zOut), hi)
		})
	}
	// RELU6 clamps raw values to [zp, zp + round(6/s)] in the input
	// quantization, 6/s in float32: the fused RELU6 activation range.
	relu6 := func(s float32, zp int64, typ tflite.TensorType) func(x int64) float64 {
		lo, hi := oracle.ActivationRange(tflite.ActRelu6, typ, s, zp)
		return fexact(func(x int64) int64 { return oracle.Clamp(x, lo, hi) })
	}
	cs = append(cs,
		unCase(unSpec{name: "RELU/int8/rescale", op: tflite.OpRelu, typ: i8, shape: sh8, data: all8, sIn: 0.05, sOut: 0.031, zIn: 10, zOut: -100, f: relu(0.05, 0.031, 10, -100, i8)}),
		unCase(unSpec{name: "RELU/int16/rescale", op: tflite.OpRelu, typ: i16, shape: sh16, data: all16, sIn: 0.0004, sOut: 0.0007, f: relu(0.0004, 0.0007, 0, 0, i16)}),
		unCase(unSpec{name: "RELU6/int8", op: tflite.OpRelu6, typ: i8, shape: sh8, data: all8, sIn: 0.03, sOut: 0.03, zIn: -20, zOut: -20,
			f: relu6(0.03, -20, i8)}),
		unCase(unSpec{name: "RELU6/int16", op: tflite.OpRelu6, typ: i16, shape: sh16, data: all16, sIn: 0.0003, sOut: 0.0003,
			f: relu6(0.0003, 0, i16)}),
	)
	absF := func(sIn, sOut float32, zIn, zOut int64, typ tflite.TensorType) func(x int64) float64 {
		lo, hi := oracle.TypeRange(typ)
		return fexact(func(x int64) int64 {
			d := x - zIn
			if d < 0 {
				d = -d
			}
			if sIn == sOut {
				return oracle.Clamp(d+zOut, lo, hi)
			}
			return oracle.Clamp(oracle.Requantize(d, float64(sIn)/float64(sOut), oracle.Double)+zOut, lo, hi)
		})
	}
	cs = append(cs,
		unCase(unSpec{name: "ABS/int8/rescale", op: tflite.OpAbs, typ: i8, shape: sh8, data: all8, sIn: 0.02, sOut: 0.013, zIn: 7, zOut: -128, f: absF(0.02, 0.013, 7, -128, i8)}),
		unCase(unSpec{name: "ABS/int8/same-scale", op: tflite.OpAbs, typ: i8, shape: sh8, data: all8, sIn: 0.02, sOut: 0.02, zIn: -3, zOut: -128, f: absF(0.02, 0.02, -3, -128, i8)}),
		unCase(unSpec{name: "ABS/int16/rescale", op: tflite.OpAbs, typ: i16, shape: sh16, data: all16, sIn: 0.0002, sOut: 0.00021, f: absF(0.0002, 0.00021, 0, 0, i16)}),
	)
	// LEAKY_RELU: both multipliers are float32 quotients in TFLite-Micro
	// (oracle.LeakyReluMultipliers).
	leaky := func(sIn, sOut, alpha float32, zIn, zOut int64, typ tflite.TensorType) func(x int64) float64 {
		mID, mAlpha := oracle.LeakyReluMultipliers(sIn, sOut, alpha)
		lo, hi := oracle.TypeRange(typ)
		return fexact(func(x int64) int64 {
			d, m := x-zIn, mID
			if d < 0 {
				m = mAlpha
			}
			return oracle.Clamp(zOut+oracle.Requantize(d, m, oracle.Double), lo, hi)
		})
	}
	cs = append(cs,
		unCase(unSpec{name: "LEAKY_RELU/int8", op: tflite.OpLeakyRelu, typ: i8, shape: sh8, data: all8, sIn: 0.04, sOut: 0.03, zIn: 5, zOut: -30,
			set: func(o *tflite.Options) { o.Alpha = 0.2 }, f: leaky(0.04, 0.03, 0.2, 5, -30, i8)}),
		unCase(unSpec{name: "LEAKY_RELU/int16", op: tflite.OpLeakyRelu, typ: i16, shape: sh16, data: all16, sIn: 0.0004, sOut: 0.0003,
			set: func(o *tflite.Options) { o.Alpha = 0.15 }, f: leaky(0.0004, 0.0003, 0.15, 0, 0, i16)}),
	)
	// QUANTIZE between integer types: M = s_in/s_out in double.
	requantF := func(sIn, sOut float32, zIn, zOut int64, typ tflite.TensorType) func(x int64) float64 {
		lo, hi := oracle.TypeRange(typ)
		return fexact(func(x int64) int64 {
			return oracle.Clamp(oracle.Requantize(x-zIn, float64(sIn)/float64(sOut), oracle.Double)+zOut, lo, hi)
		})
	}
	cs = append(cs,
		unCase(unSpec{name: "QUANTIZE/int8-to-int8", op: tflite.OpQuantize, typ: i8, shape: sh8, data: all8, sIn: 0.05, sOut: 0.07, zIn: 3, zOut: -11, f: requantF(0.05, 0.07, 3, -11, i8)}),
		unCase(unSpec{name: "QUANTIZE/int16-to-int8", op: tflite.OpQuantize, typ: i16, outTyp: i8, shape: sh16, data: all16, sIn: 0.0005, sOut: 0.11, zOut: 9, f: requantF(0.0005, 0.11, 0, 9, i8)}),
		unCase(unSpec{name: "QUANTIZE/int8-to-int16", op: tflite.OpQuantize, typ: i8, outTyp: i16, shape: sh8, data: all8, sIn: 0.05, sOut: 0.0003, zIn: -2, f: requantF(0.05, 0.0003, -2, 0, i16)}),
	)
	// QUANTIZE from float32: round(x / s) in float32, half away from zero.
	// DEQUANTIZE: s·(q − zp), correctly rounded to float32.
	for _, v := range []struct {
		typ    tflite.TensorType
		s      float32
		zp     int64
		spread float32 // about the quantized step between neighbours
	}{{i8, 0.043, -5, 1.07}, {i16, 0.00041, 0, 270.3}} {
		floats := make([]float32, 256)
		for i := range floats {
			floats[i] = float32(i-128) * v.spread * v.s
		}
		floats[7] = 2.5 * v.s // an exact tie: rounds away from zero
		floats[8] = -2.5 * v.s
		want := make([]int64, 256)
		for i, f := range floats {
			want[i] = oracle.QuantizeFloat32(f, v.s, v.zp, v.typ)
		}
		cs = append(cs, builtCase{name: "QUANTIZE/float32-to-" + v.typ.String(), op: tflite.OpQuantize, build: func(m *builtModel) {
			x := m.inF("x", []int{16, 16}, floats)
			out := m.out("out", v.typ, []int{16, 16}, q(v.s, v.zp), want)
			m.op(tflite.OpQuantize, tflite.Options{}, []int32{x}, out)
		}})
	}
	for _, v := range []struct {
		typ  tflite.TensorType
		s    float32
		zp   int64
		data []int64
	}{{i8, 0.043, -5, all8}, {i16, 0.00041, 0, all16}, {u8, 0.1, 128, pseudo(256, 0, 255, 40)}} {
		want := make([]float64, len(v.data))
		for i, x := range v.data {
			want[i] = float64(float32(float64(v.s) * float64(x-v.zp)))
		}
		cs = append(cs, builtCase{name: "DEQUANTIZE/" + v.typ.String(), op: tflite.OpDequantize, build: func(m *builtModel) {
			x := m.in("x", v.typ, []int{4, 64}, q(v.s, v.zp), v.data)
			out := m.outTol("out", f32, []int{4, 64}, nil, want, 0)
			m.op(tflite.OpDequantize, tflite.Options{}, []int32{x}, out)
		}})
	}
	// PRELU: alpha [1, 1, 64] per channel (int8), broadcast; multipliers in double.
	for _, v := range []struct {
		typ           tflite.TensorType
		data          []int64
		sIn, sA, sOut float32
		zIn, zA, zOut int64
	}{{i8, all8, 0.03, 0.004, 0.025, 4, -10, -7}, {i16, all16, 0.0003, 0.004, 0.00025, 0, 3, 0}} {
		alpha := pseudo(64, -128, 127, 41)
		m1 := float64(v.sIn) / float64(v.sOut)
		m2 := float64(v.sIn) * float64(v.sA) / float64(v.sOut)
		lo, hi := oracle.TypeRange(v.typ)
		want := make([]int64, 256)
		for i, x := range v.data {
			d := x - v.zIn
			if d >= 0 {
				want[i] = oracle.Clamp(oracle.Requantize(d, m1, oracle.Double)+v.zOut, lo, hi)
			} else {
				want[i] = oracle.Clamp(oracle.Requantize(d*(alpha[i%64]-v.zA), m2, oracle.Double)+v.zOut, lo, hi)
			}
		}
		cs = append(cs, builtCase{name: "PRELU/" + v.typ.String() + "/per-channel-alpha", op: tflite.OpPrelu, build: func(m *builtModel) {
			x := m.in("x", v.typ, []int{4, 1, 64}, q(v.sIn, v.zIn), v.data)
			a := m.cst("alpha", i8, []int{1, 1, 64}, q(v.sA, v.zA), alpha)
			out := m.out("out", v.typ, []int{4, 1, 64}, q(v.sOut, v.zOut), want)
			m.op(tflite.OpPrelu, tflite.Options{}, []int32{x, a}, out)
		}})
	}
	// ADD_N and CUMSUM (TFLite's AddN/CumSum quantized reference): every
	// value brought to scale 2s with 20 bits of headroom, summed, scaled to
	// the output. TFLite starts the sum at scale(−zp_in), not 0.
	addNScale := func(sIn, sOut float32) (func(v int64) int64, func(acc int64) int64) {
		mo := 2 * float64(sIn) / (math.Ldexp(1, 20) * float64(sOut))
		return func(v int64) int64 { return oracle.Requantize(v<<20, 0.5, oracle.Double) },
			func(acc int64) int64 { return oracle.Requantize(acc, mo, oracle.Double) }
	}
	{
		sIn, sOut, zIn, zOut := float32(0.02), float32(0.05), int64(6), int64(-4)
		sc, fin := addNScale(sIn, sOut)
		xs := [][]int64{pseudo(24, -128, 127, 42), pseudo(24, -128, 127, 43), pseudo(24, -128, 127, 44)}
		want := make([]int64, 24)
		for i := range want {
			acc := sc(-zIn)
			for _, x := range xs {
				acc += sc(x[i] - zIn)
			}
			want[i] = oracle.Clamp(fin(acc)+zOut, -128, 127)
		}
		cs = append(cs, builtCase{name: "ADD_N/int8/3-inputs", op: tflite.OpAddN, build: func(m *builtModel) {
			var ins []int32
			for k, x := range xs {
				ins = append(ins, m.in("x"+string(rune('0'+k)), i8, []int{2, 3, 4}, q(sIn, zIn), x))
			}
			out := m.out("out", i8, []int{2, 3, 4}, q(sOut, zOut), want)
			m.op(tflite.OpAddN, tflite.Options{}, ins, out)
		}})
	}
	for _, v := range []struct {
		name               string
		axis               int64
		exclusive, reverse bool
	}{{"CUMSUM/int8/axis1", 1, false, false}, {"CUMSUM/int8/axis-1/exclusive-reverse", -1, true, true}} {
		sh := []int{2, 3, 4}
		sIn, sOut, zIn, zOut := float32(0.02), float32(0.04), int64(-3), int64(5)
		sc, fin := addNScale(sIn, sOut)
		x := pseudo(24, -128, 127, 45)
		ax := int(v.axis+3) % 3
		want := mapOut(sh, func(idx []int) int64 {
			acc := sc(-zIn)
			j := append([]int(nil), idx...)
			for k := 0; k < sh[ax]; k++ {
				j[ax] = k
				before := k < idx[ax] || (!v.exclusive && k == idx[ax])
				if v.reverse {
					before = k > idx[ax] || (!v.exclusive && k == idx[ax])
				}
				if before {
					acc += sc(x[oracle.Ravel(j, sh)] - zIn)
				}
			}
			return oracle.Clamp(fin(acc)+zOut, -128, 127)
		})
		cs = append(cs, builtCase{name: v.name, op: tflite.OpCumsum, build: func(m *builtModel) {
			in := m.in("x", i8, sh, q(sIn, zIn), x)
			a := m.cst("axis", i32, []int{1}, nil, []int64{v.axis})
			out := m.out("out", i8, sh, q(sOut, zOut), want)
			m.op(tflite.OpCumsum, opts(tflite.OpCumsum, func(o *tflite.Options) { o.Exclusive, o.Reverse = v.exclusive, v.reverse }), []int32{in, a}, out)
		}})
	}
	return cs
}

// ---- pools, reductions, resizing ----

func poolCase(name string, op tflite.BuiltinOperator, typ tflite.TensorType, inShape []int, fh, fw int, g convGeom, act tflite.Activation) builtCase {
	return builtCase{name: name, op: op, build: func(m *builtModel) {
		s, zp := float32(0.05), int64(-6)
		if typ == i16 {
			s, zp = 0.0004, 0
		}
		lo, hi := oracle.TypeRange(typ)
		x := pseudo(numel(inShape), lo, hi, 50)
		h, w := inShape[1], inShape[2]
		oh, ow := oracle.ConvOutSize(g.pad, h, fh, g.strideH, 1), oracle.ConvOutSize(g.pad, w, fw, g.strideW, 1)
		padT, padL := oracle.ConvPadding(h, fh, g.strideH, 1, oh), oracle.ConvPadding(w, fw, g.strideW, 1, ow)
		outShape := []int{inShape[0], oh, ow, inShape[3]}
		alo, ahi := oracle.ActivationRange(act, typ, s, zp)
		want := mapOut(outShape, func(idx []int) int64 {
			var sum, count int64
			best := lo
			for fy := 0; fy < fh; fy++ {
				for fx := 0; fx < fw; fx++ {
					iy, ix := idx[1]*g.strideH-padT+fy, idx[2]*g.strideW-padL+fx
					if iy < 0 || iy >= h || ix < 0 || ix >= w {
						continue
					}
					v := x[oracle.Ravel([]int{idx[0], iy, ix, idx[3]}, inShape)]
					sum += v
					count++
					best = max(best, v)
				}
			}
			if op == tflite.OpMaxPool2D {
				return oracle.Clamp(best, alo, ahi)
			}
			// average rounded half away from zero
			return oracle.Clamp(oracle.DivRoundHalfAway(sum, count), alo, ahi)
		})
		in := m.in("x", typ, inShape, q(s, zp), x)
		out := m.out("out", typ, outShape, q(s, zp), want)
		m.op(op, opts(op, func(o *tflite.Options) {
			o.Padding, o.StrideH, o.StrideW = g.pad, int32(g.strideH), int32(g.strideW)
			o.FilterH, o.FilterW, o.Activation = int32(fh), int32(fw), act
		}), []int32{in}, out)
	}}
}

// reduceCase reduces x [2, 3, 4, 5] over axes. MEAN/SUM requantize with
// M = s_in/s_out (double); MEAN folds 1/count into the multiplier as
// TFLite's QuantizedMeanOrSum does: k = min(⌊log2 count⌋, 32, 31 + shift),
// mult = mult·2^k / count (truncating), shift −= k.
func reduceCase(name string, op tflite.BuiltinOperator, typ tflite.TensorType, axes []int64, keep bool) builtCase {
	return builtCase{name: name, op: op, build: func(m *builtModel) {
		sh := []int{2, 3, 4, 5}
		sIn, sOut, zIn, zOut := float32(0.02), float32(0.03), int64(-7), int64(4)
		if op == tflite.OpSum {
			sOut = 0.19
		}
		if typ == i16 {
			sIn, sOut, zIn, zOut = 0.0003, 0.0004, 0, 0
			if op == tflite.OpSum {
				sOut = 0.0031
			}
		}
		if op == tflite.OpReduceMax || op == tflite.OpReduceMin {
			sOut, zOut = sIn, zIn
		}
		lo, hi := oracle.TypeRange(typ)
		x := pseudo(numel(sh), lo, hi, 51)
		reduced := map[int]bool{}
		for _, a := range axes {
			reduced[int((a+4)%4)] = true
		}
		var outShape, kept []int
		for d := range sh {
			if !reduced[d] {
				outShape = append(outShape, sh[d])
				kept = append(kept, d)
			} else if keep {
				outShape = append(outShape, 1)
			}
		}
		count := int64(1)
		for d := range reduced {
			count *= int64(sh[d])
		}
		qm := oracle.QuantizeMultiplier(float64(sIn)/float64(sOut), oracle.Double)
		if op == tflite.OpMean {
			k := min(63-leadingZeros64(uint64(count)), 32, 31+qm.Shift)
			qm.Mantissa = int32((int64(qm.Mantissa) << k) / count)
			qm.Shift -= k
		}
		want := make([]int64, 0)
		for o := 0; o < numel(sh); o++ {
			idx := oracle.Unravel(o, sh)
			first := true
			for d := range reduced {
				if idx[d] != 0 {
					first = false
				}
			}
			if !first {
				continue
			}
			var sum int64
			best := x[o]
			for i := 0; i < numel(sh); i++ {
				j := oracle.Unravel(i, sh)
				same := true
				for _, d := range kept {
					if j[d] != idx[d] {
						same = false
					}
				}
				if !same {
					continue
				}
				sum += x[i]
				if op == tflite.OpReduceMax {
					best = max(best, x[i])
				} else {
					best = min(best, x[i])
				}
			}
			switch op {
			case tflite.OpReduceMax, tflite.OpReduceMin:
				want = append(want, best)
			default:
				want = append(want, oracle.Clamp(oracle.MultiplyByQuantizedMultiplier(sum-zIn*count, qm, oracle.Double)+zOut, lo, hi))
			}
		}
		in := m.in("x", typ, sh, q(sIn, zIn), x)
		ax := m.cst("axes", i32, []int{len(axes)}, nil, axes)
		out := m.out("out", typ, outShape, q(sOut, zOut), want)
		m.op(op, opts(op, func(o *tflite.Options) { o.KeepDims = keep }), []int32{in, ax}, out)
	}}
}

func leadingZeros64(x uint64) int {
	n := 0
	for i := 63; i >= 0 && x&(1<<uint(i)) == 0; i-- {
		n++
	}
	return n
}

func poolReduceCases() []builtCase {
	return []builtCase{
		poolCase("AVERAGE_POOL_2D/int8/same-stride2/relu", tflite.OpAveragePool2D, i8, []int{1, 7, 6, 3}, 3, 3, convGeom{2, 2, 1, 1, tflite.PaddingSame}, tflite.ActRelu),
		poolCase("AVERAGE_POOL_2D/int16/valid", tflite.OpAveragePool2D, i16, []int{2, 4, 5, 2}, 2, 3, convGeom{1, 2, 1, 1, tflite.PaddingValid}, tflite.ActNone),
		poolCase("MAX_POOL_2D/int8/same/relu6", tflite.OpMaxPool2D, i8, []int{1, 5, 5, 2}, 3, 3, convGeom{1, 1, 1, 1, tflite.PaddingSame}, tflite.ActRelu6),
		poolCase("MAX_POOL_2D/int16/valid-stride2", tflite.OpMaxPool2D, i16, []int{1, 6, 6, 3}, 2, 2, convGeom{2, 2, 1, 1, tflite.PaddingValid}, tflite.ActNone),
		reduceCase("MEAN/int8/axes12/keep", tflite.OpMean, i8, []int64{1, 2}, true),
		reduceCase("MEAN/int16/axis-1", tflite.OpMean, i16, []int64{-1}, false),
		reduceCase("SUM/int8/axes03", tflite.OpSum, i8, []int64{0, 3}, false),
		reduceCase("SUM/int16/axis1/keep", tflite.OpSum, i16, []int64{1}, true),
		reduceCase("REDUCE_MAX/int8/axes02", tflite.OpReduceMax, i8, []int64{0, 2}, false),
		reduceCase("REDUCE_MIN/int16/axis-1/keep", tflite.OpReduceMin, i16, []int64{-1}, true),
		reduceCase("REDUCE_MAX/int16/axis1", tflite.OpReduceMax, i16, []int64{1}, false),
		reduceCase("REDUCE_MIN/int8/axes-1-3/keep", tflite.OpReduceMin, i8, []int64{-1, -3}, true),
	}
}

// ---- fixed-point and lookup-table ops: float references ----

// lutCase checks a unary op against f applied to the dequantized input,
// quantized to the output (round half away from zero), within tol LSB.
func lutCase(name string, op tflite.BuiltinOperator, typ tflite.TensorType, sIn float32, zIn int64, sOut float32, zOut int64, set func(o *tflite.Options), f func(r float64) float64, tol float64) builtCase {
	var shape []int
	var data []int64
	if typ == i8 {
		shape, data = every8()
	} else {
		shape, data = spread16()
	}
	return unCase(unSpec{name: name, op: op, typ: typ, shape: shape, data: data, sIn: sIn, sOut: sOut, zIn: zIn, zOut: zOut, set: set, tol: tol,
		f: func(x int64) float64 {
			return float64(oracle.Quantize(f(float64(sIn)*float64(x-zIn)), sOut, zOut, typ))
		}})
}

// rowCase checks an op that normalises each row of the last axis of x
// [rows, n] against f(row of reals) → row of reals, within tol LSB.
func rowCase(name string, op tflite.BuiltinOperator, typ tflite.TensorType, rows, n int, sIn float32, zIn int64, sOut float32, zOut int64, set func(o *tflite.Options), f func(row []float64) []float64, tol float64) builtCase {
	lo, hi := oracle.TypeRange(typ)
	data := pseudo(rows*n, lo, hi, 60)
	if typ == i8 { // one row of equal values, one with a single large value
		for j := 0; j < n; j++ {
			data[j] = 17
			data[n+j] = -100
		}
		data[n+3] = 120
	}
	want := make([]float64, 0, rows*n)
	for r := 0; r < rows; r++ {
		row := make([]float64, n)
		for j := range row {
			row[j] = float64(sIn) * float64(data[r*n+j]-zIn)
		}
		for _, v := range f(row) {
			want = append(want, float64(oracle.Quantize(v, sOut, zOut, typ)))
		}
	}
	return builtCase{name: name, op: op, build: func(m *builtModel) {
		x := m.in("x", typ, []int{rows, n}, q(sIn, zIn), data)
		out := m.outTol("out", typ, []int{rows, n}, q(sOut, zOut), want, tol)
		m.op(op, opts(op, set), []int32{x}, out)
	}}
}

func softmaxRow(beta float64) func(row []float64) []float64 {
	return func(row []float64) []float64 { return oracle.Softmax(row, beta) }
}

func l2NormRow(row []float64) []float64 {
	var ss float64
	for _, v := range row {
		ss += v * v
	}
	out := make([]float64, len(row))
	for i, v := range row {
		out[i] = v / math.Sqrt(ss)
	}
	return out
}

func lutCases() []builtCase {
	beta := func(b float32) func(o *tflite.Options) { return func(o *tflite.Options) { o.Beta = b } }
	return []builtCase{
		// int8 LOGISTIC/TANH: gemmlowp fixed point on a Q4.27 input with a
		// Q0.31 result, accurate to ~2^-24 before the final rounding to
		// 2^-8 / 2^-7, so only values within a hair of a rounding tie can
		// land one step off: tolerance 1 LSB.
		lutCase("LOGISTIC/int8", tflite.OpLogistic, i8, 0.06, 5, 1.0/256, -128, nil, oracle.Logistic, 1),
		lutCase("TANH/int8", tflite.OpTanh, i8, 0.03, -2, 1.0/128, 0, nil, math.Tanh, 1),
		// int16 LOGISTIC/TANH interpolate linearly in a 256-entry Q0.16
		// sigmoid table (step 1/24 in x); the interpolation error of a
		// sigmoid at that step is below h²/8·max|σ''| ≈ 2.1e-5, ~0.7 LSB at
		// 2^-15 (×2 for tanh = 2σ(2x) − 1), plus the table's and the final
		// rounding: tolerance 2 LSB (LOGISTIC), 3 LSB (TANH).
		lutCase("LOGISTIC/int16/pot-scale", tflite.OpLogistic, i16, 1.0/4096, 0, 1.0/32768, 0, nil, oracle.Logistic, 2),
		lutCase("LOGISTIC/int16/general-scale", tflite.OpLogistic, i16, 0.0003, 0, 1.0/32768, 0, nil, oracle.Logistic, 2),
		lutCase("TANH/int16/general-scale", tflite.OpTanh, i16, 0.00025, 0, 1.0/32768, 0, nil, math.Tanh, 3),
		// ELU: a table computed in float32 (expf): float32 rounding can only
		// move a value sitting on a rounding tie: tolerance 1 LSB.
		lutCase("ELU/int8", tflite.OpElu, i8, 0.05, 0, 0.04, -30, nil, func(r float64) float64 {
			if r < 0 {
				return math.Expm1(r)
			}
			return r
		}, 1),
		// HARD_SWISH: int16 fixed point (Q0.15 multipliers, 2^-7 input
		// resolution): a few roundings of 2^-15 relative each: 1 LSB.
		lutCase("HARD_SWISH/int8", tflite.OpHardSwish, i8, 0.05, -10, 0.03, -40, nil, func(r float64) float64 {
			return r * math.Min(6, math.Max(0, r+3)) / 6
		}, 1),
		// RSQRT: 1/√d from a 31-bit inverse square root, then one
		// requantization: 1 LSB.
		lutCase("RSQRT/int8", tflite.OpRsqrt, i8, 0.05, -128, 0.04, -128, nil, func(r float64) float64 {
			if r == 0 {
				return math.Inf(1)
			}
			return 1 / math.Sqrt(r)
		}, 1),
		unCase(unSpec{name: "RSQRT/int16", op: tflite.OpRsqrt, typ: i16, shape: []int{4, 64}, data: pseudo(256, 0, 32767, 61),
			sIn: 0.001, sOut: 0.002, tol: 1, f: func(x int64) float64 {
				if x == 0 {
					return 32767
				}
				return float64(oracle.Quantize(1/math.Sqrt(0.001*float64(x)), 0.002, 0, i16))
			}}),
		// SOFTMAX int8: exp and the reciprocal of the sum in gemmlowp fixed
		// point (Q0.31 results), one rounding to 2^-8: 1 LSB.
		rowCase("SOFTMAX/int8/beta1", tflite.OpSoftmax, i8, 4, 16, 0.1, 3, 1.0/256, -128, beta(1), softmaxRow(1), 1),
		rowCase("SOFTMAX/int8/beta0.7", tflite.OpSoftmax, i8, 3, 20, 0.07, -9, 1.0/256, -128, beta(0.7), softmaxRow(0.7), 1),
		// SOFTMAX int16: exp from a 513-entry table on [−10, 0] and 1/(1+x)
		// from another, each linearly interpolated in Q0.15 (errors of a few
		// 2^-15 each, scaled by the normaliser): tolerance 3 LSB at 2^-15.
		rowCase("SOFTMAX/int16", tflite.OpSoftmax, i16, 4, 16, 0.0002, 0, 1.0/32768, 0, beta(1), softmaxRow(1), 3),
		// LOG_SOFTMAX: fixed-point exp, sum and log (Q5.26), one rounding to
		// 1/16: 1 LSB.
		rowCase("LOG_SOFTMAX/int8", tflite.OpLogSoftmax, i8, 4, 16, 0.1, 3, 16.0/256, 127, nil, oracle.LogSoftmax, 1),
		// L2_NORMALIZATION: a 31-bit inverse square root of Σd², one
		// requantization to 1/128: 1 LSB.
		rowCase("L2_NORMALIZATION/int8", tflite.OpL2Normalization, i8, 4, 16, 0.1, 3, 1.0/128, 0, nil, l2NormRow, 1),
	}
}

// ---- data movement: exact index-based references ----

// moveSpec is an op that only moves (or selects) values: ref computes every
// output from the input values x. wire returns the operator's inputs given
// the data input (default: just it); quantized types get the same scale and
// zero point on input and outputs.
type moveSpec struct {
	name      string
	op        tflite.BuiltinOperator
	typ       tflite.TensorType
	outTyp    tflite.TensorType
	inShape   []int
	outShapes [][]int
	set       func(o *tflite.Options)
	wire      func(m *builtModel, x int32) []int32
	ref       func(x []int64) [][]int64
	data      []int64
}

const moveZP = 3

func qFor(typ tflite.TensorType) *tflite.Quantization {
	if typ == i8 || typ == i16 || typ == u8 {
		return q(0.1, moveZP)
	}
	return nil
}

func dataFor(typ tflite.TensorType, n int, seed uint32) []int64 {
	switch typ {
	case bl:
		return pseudo(n, 0, 1, seed)
	case i8:
		return pseudo(n, -128, 127, seed)
	case u8:
		return pseudo(n, 0, 255, seed)
	case i16:
		return pseudo(n, -32768, 32767, seed)
	case f32:
		return pseudo(n, -1000, 1000, seed) // whole numbers: exact in float32
	}
	if typ == i32 {
		return pseudo(n, -1<<30, 1<<30, seed)
	}
	return pseudo(n, -1<<40, 1<<40, seed)
}

func moveCase(s moveSpec) builtCase {
	return builtCase{name: s.name, op: s.op, build: func(m *builtModel) {
		data := s.data
		if data == nil {
			data = dataFor(s.typ, numel(s.inShape), 70)
		}
		outTyp := s.outTyp
		if outTyp == 0 {
			outTyp = s.typ
		}
		x := m.in("x", s.typ, s.inShape, qFor(s.typ), data)
		ins := []int32{x}
		if s.wire != nil {
			ins = s.wire(m, x)
		}
		var outs []int32
		for k, w := range s.ref(data) {
			outs = append(outs, m.out("out"+string(rune('0'+k)), outTyp, s.outShapes[k], qFor(outTyp), w))
		}
		m.op(s.op, opts(s.op, s.set), ins, outs...)
	}}
}

// c32 adds a constant int32 tensor (shape [len(v)], or shape when given).
func c32(m *builtModel, name string, v []int64, shape ...int) int32 {
	if shape == nil {
		shape = []int{len(v)}
	}
	return m.cst(name, i32, shape, nil, v)
}

func with(consts func(m *builtModel) []int32) func(m *builtModel, x int32) []int32 {
	return func(m *builtModel, x int32) []int32 { return append([]int32{x}, consts(m)...) }
}

// gatherOut maps each output index of shape through src to an input index.
func gatherOut(x []int64, inShape, outShape []int, src func(o []int) []int) []int64 {
	return mapOut(outShape, func(o []int) int64 {
		i := src(o)
		if i == nil {
			return moveZP
		}
		return x[oracle.Ravel(i, inShape)]
	})
}

func one(v []int64) [][]int64 { return [][]int64{v} }

func moveCases() []builtCase {
	s234 := []int{2, 3, 4}
	ident := func(x []int64) [][]int64 { return one(x) }
	var cs []builtCase
	cs = append(cs,
		moveCase(moveSpec{name: "RESHAPE/int8/shape-tensor", op: tflite.OpReshape, typ: i8, inShape: s234, outShapes: [][]int{{4, 6}},
			wire: with(func(m *builtModel) []int32 { return []int32{c32(m, "shape", []int64{4, -1})} }), ref: ident}),
		moveCase(moveSpec{name: "RESHAPE/float32/options", op: tflite.OpReshape, typ: f32, inShape: s234, outShapes: [][]int{{24}},
			set: func(o *tflite.Options) { o.NewShape = []int32{24} }, ref: ident}),
		moveCase(moveSpec{name: "SQUEEZE/int16", op: tflite.OpSqueeze, typ: i16, inShape: []int{1, 3, 1, 4}, outShapes: [][]int{{3, 4}},
			set: func(o *tflite.Options) { o.SqueezeDims = []int32{0, 2} }, ref: ident}),
		moveCase(moveSpec{name: "EXPAND_DIMS/bool", op: tflite.OpExpandDims, typ: bl, inShape: s234, outShapes: [][]int{{2, 3, 4, 1}},
			wire: with(func(m *builtModel) []int32 { return []int32{c32(m, "axis", []int64{-1})} }), ref: ident}),
		moveCase(moveSpec{name: "EXPAND_DIMS/int8", op: tflite.OpExpandDims, typ: i8, inShape: s234, outShapes: [][]int{{1, 2, 3, 4}},
			wire: with(func(m *builtModel) []int32 { return []int32{c32(m, "axis", []int64{0})} }), ref: ident}),
	)
	// TRANSPOSE perm [2, 0, 1]: out[o0, o1, o2] = x[o1, o2, o0].
	for _, typ := range []tflite.TensorType{i8, i16, i32, f32} {
		cs = append(cs, moveCase(moveSpec{name: "TRANSPOSE/" + typ.String(), op: tflite.OpTranspose, typ: typ, inShape: s234, outShapes: [][]int{{4, 2, 3}},
			wire: with(func(m *builtModel) []int32 { return []int32{c32(m, "perm", []int64{2, 0, 1})} }),
			ref: func(x []int64) [][]int64 {
				return one(gatherOut(x, s234, []int{4, 2, 3}, func(o []int) []int { return []int{o[1], o[2], o[0]} }))
			}}))
	}
	// PAD / PADV2: pads [[0,1],[1,2],[2,0]], filled with the zero point (PAD)
	// or the given constant (PADV2).
	padRef := func(fill int64) func(x []int64) [][]int64 {
		return func(x []int64) [][]int64 {
			return one(mapOut([]int{3, 6, 6}, func(o []int) int64 {
				i, j, k := o[0], o[1]-1, o[2]-2
				if i >= 2 || j < 0 || j >= 3 || k < 0 {
					return fill
				}
				return x[oracle.Ravel([]int{i, j, k}, s234)]
			}))
		}
	}
	pads := func(m *builtModel) int32 { return c32(m, "pads", []int64{0, 1, 1, 2, 2, 0}, 3, 2) }
	cs = append(cs,
		moveCase(moveSpec{name: "PAD/int8/zero-point", op: tflite.OpPad, typ: i8, inShape: s234, outShapes: [][]int{{3, 6, 6}},
			wire: with(func(m *builtModel) []int32 { return []int32{pads(m)} }), ref: padRef(moveZP)}),
		moveCase(moveSpec{name: "PAD/int32", op: tflite.OpPad, typ: i32, inShape: s234, outShapes: [][]int{{3, 6, 6}},
			wire: with(func(m *builtModel) []int32 { return []int32{pads(m)} }), ref: padRef(0)}),
		moveCase(moveSpec{name: "PADV2/int8/constant", op: tflite.OpPadv2, typ: i8, inShape: s234, outShapes: [][]int{{3, 6, 6}},
			wire: with(func(m *builtModel) []int32 {
				return []int32{pads(m), m.cst("cv", i8, []int{1}, qFor(i8), []int64{-77})}
			}), ref: padRef(-77)}),
		moveCase(moveSpec{name: "PADV2/int16/constant", op: tflite.OpPadv2, typ: i16, inShape: s234, outShapes: [][]int{{3, 6, 6}},
			wire: with(func(m *builtModel) []int32 {
				return []int32{pads(m), m.cst("cv", i16, []int{1}, qFor(i16), []int64{1234})}
			}), ref: padRef(1234)}),
	)
	// MIRROR_PAD on [3, 4] with pads [[1, 2], [2, 1]].
	for _, v := range []struct {
		mode tflite.MirrorPadMode
		name string
		typ  tflite.TensorType
	}{{tflite.MirrorPadReflect, "REFLECT/int8", i8}, {tflite.MirrorPadSymmetric, "SYMMETRIC/float32", f32}} {
		mirror := func(i, n int) int {
			if v.mode == tflite.MirrorPadReflect {
				if i < 0 {
					return -i
				}
				if i >= n {
					return 2*(n-1) - i
				}
				return i
			}
			if i < 0 {
				return -i - 1
			}
			if i >= n {
				return 2*n - 1 - i
			}
			return i
		}
		cs = append(cs, moveCase(moveSpec{name: "MIRROR_PAD/" + v.name, op: tflite.OpMirrorPad, typ: v.typ, inShape: []int{3, 4}, outShapes: [][]int{{6, 7}},
			set:  func(o *tflite.Options) { o.MirrorPadMode = v.mode },
			wire: with(func(m *builtModel) []int32 { return []int32{c32(m, "pads", []int64{1, 2, 2, 1}, 2, 2)} }),
			ref: func(x []int64) [][]int64 {
				return one(gatherOut(x, []int{3, 4}, []int{6, 7}, func(o []int) []int { return []int{mirror(o[0]-1, 3), mirror(o[1]-2, 4)} }))
			}}))
	}
	// CONCATENATION of [2,1,3], [2,2,3] (data input), [2,3,3] on axis 1.
	for _, typ := range []tflite.TensorType{i8, i16, f32, i64} {
		a := dataFor(typ, 6, 71)
		c := dataFor(typ, 18, 72)
		cs = append(cs, moveCase(moveSpec{name: "CONCATENATION/" + typ.String() + "/axis1", op: tflite.OpConcatenation, typ: typ, inShape: []int{2, 2, 3}, outShapes: [][]int{{2, 6, 3}},
			set: func(o *tflite.Options) { o.Axis = 1 },
			wire: func(m *builtModel, x int32) []int32 {
				return []int32{m.cst("a", typ, []int{2, 1, 3}, qFor(typ), a), x, m.cst("c", typ, []int{2, 3, 3}, qFor(typ), c)}
			},
			ref: func(x []int64) [][]int64 {
				return one(mapOut([]int{2, 6, 3}, func(o []int) int64 {
					switch {
					case o[1] < 1:
						return a[oracle.Ravel(o, []int{2, 1, 3})]
					case o[1] < 3:
						return x[oracle.Ravel([]int{o[0], o[1] - 1, o[2]}, []int{2, 2, 3})]
					}
					return c[oracle.Ravel([]int{o[0], o[1] - 3, o[2]}, []int{2, 3, 3})]
				}))
			}}))
	}
	// SLICE begin [0, 1, 1] size [2, −1, 2].
	for _, typ := range []tflite.TensorType{i8, i16, bl} {
		cs = append(cs, moveCase(moveSpec{name: "SLICE/" + typ.String(), op: tflite.OpSlice, typ: typ, inShape: s234, outShapes: [][]int{{2, 2, 2}},
			wire: with(func(m *builtModel) []int32 {
				return []int32{c32(m, "begin", []int64{0, 1, 1}), c32(m, "size", []int64{2, -1, 2})}
			}),
			ref: func(x []int64) [][]int64 {
				return one(gatherOut(x, s234, []int{2, 2, 2}, func(o []int) []int { return []int{o[0], o[1] + 1, o[2] + 1} }))
			}}))
	}
	// STRIDED_SLICE on [4, 5, 6].
	s456 := []int{4, 5, 6}
	cs = append(cs,
		// begin [1, 4, 0] end [4, 0, 6] strides [2, −2, 3]: rows 1, 3; 4, 2; 0, 3.
		moveCase(moveSpec{name: "STRIDED_SLICE/int8/negative-stride", op: tflite.OpStridedSlice, typ: i8, inShape: s456, outShapes: [][]int{{2, 2, 2}},
			wire: with(func(m *builtModel) []int32 {
				return []int32{c32(m, "begin", []int64{1, 4, 0}), c32(m, "end", []int64{4, 0, 6}), c32(m, "strides", []int64{2, -2, 3})}
			}),
			ref: func(x []int64) [][]int64 {
				return one(gatherOut(x, s456, []int{2, 2, 2}, func(o []int) []int { return []int{1 + 2*o[0], 4 - 2*o[1], 3 * o[2]} }))
			}}),
		// begin [2, 9, 1] end [3, 0, −1] strides [1, 1, 2], end_mask 2 (axis 1 to
		// the end, begin clamped to 4... begin_mask 2 starts it at 0),
		// shrink_axis_mask 1 drops axis 0: x[2, 0:5, 1:5:2].
		moveCase(moveSpec{name: "STRIDED_SLICE/int16/masks-shrink", op: tflite.OpStridedSlice, typ: i16, inShape: s456, outShapes: [][]int{{5, 2}},
			set: func(o *tflite.Options) { o.BeginMask, o.EndMask, o.ShrinkAxisMask = 2, 2, 1 },
			wire: with(func(m *builtModel) []int32 {
				return []int32{c32(m, "begin", []int64{2, 9, 1}), c32(m, "end", []int64{3, 0, -1}), c32(m, "strides", []int64{1, 1, 2})}
			}),
			ref: func(x []int64) [][]int64 {
				return one(gatherOut(x, s456, []int{5, 2}, func(o []int) []int { return []int{2, o[0], 1 + 2*o[1]} }))
			}}),
	)
	// GATHER axis 1 with indices [2, 3]; GATHER_ND with index pairs; EMBEDDING_LOOKUP.
	idx := []int64{3, 0, 2, 2, 1, 3}
	ndIdx := []int64{2, 0, 2, 3, 1, 1} // (row, column) pairs into [3, 4, 2]
	cs = append(cs,
		moveCase(moveSpec{name: "GATHER/int8/axis1", op: tflite.OpGather, typ: i8, inShape: []int{3, 4, 2}, outShapes: [][]int{{3, 2, 3, 2}},
			set:  func(o *tflite.Options) { o.Axis = 1 },
			wire: with(func(m *builtModel) []int32 { return []int32{c32(m, "indices", idx, 2, 3)} }),
			ref: func(x []int64) [][]int64 {
				return one(gatherOut(x, []int{3, 4, 2}, []int{3, 2, 3, 2}, func(o []int) []int { return []int{o[0], int(idx[o[1]*3+o[2]]), o[3]} }))
			}}),
		moveCase(moveSpec{name: "GATHER/float32/axis0", op: tflite.OpGather, typ: f32, inShape: []int{4, 3}, outShapes: [][]int{{6, 3}},
			wire: with(func(m *builtModel) []int32 { return []int32{c32(m, "indices", idx)} }),
			ref: func(x []int64) [][]int64 {
				return one(gatherOut(x, []int{4, 3}, []int{6, 3}, func(o []int) []int { return []int{int(idx[o[0]]), o[1]} }))
			}}),
		moveCase(moveSpec{name: "GATHER_ND/int8", op: tflite.OpGatherNd, typ: i8, inShape: []int{3, 4, 2}, outShapes: [][]int{{3, 2}},
			wire: with(func(m *builtModel) []int32 { return []int32{c32(m, "indices", ndIdx, 3, 2)} }),
			ref: func(x []int64) [][]int64 {
				return one(gatherOut(x, []int{3, 4, 2}, []int{3, 2}, func(o []int) []int { return []int{int(ndIdx[2*o[0]]), int(ndIdx[2*o[0]+1]), o[1]} }))
			}}),
		moveCase(moveSpec{name: "EMBEDDING_LOOKUP/int8", op: tflite.OpEmbeddingLookup, typ: i8, inShape: []int{4, 5}, outShapes: [][]int{{6, 5}},
			wire: func(m *builtModel, x int32) []int32 { return []int32{c32(m, "ids", idx), x} },
			ref: func(x []int64) [][]int64 {
				return one(gatherOut(x, []int{4, 5}, []int{6, 5}, func(o []int) []int { return []int{int(idx[o[0]]), o[1]} }))
			}}),
	)
	// SPLIT into 3 along axis 1 of [2, 6, 3]; SPLIT_V sizes [1, −1, 2].
	s263 := []int{2, 6, 3}
	splitRef := func(sizes []int) func(x []int64) [][]int64 {
		return func(x []int64) [][]int64 {
			var outs [][]int64
			at := 0
			for _, n := range sizes {
				a := at
				outs = append(outs, gatherOut(x, s263, []int{2, n, 3}, func(o []int) []int { return []int{o[0], o[1] + a, o[2]} }))
				at += n
			}
			return outs
		}
	}
	cs = append(cs,
		moveCase(moveSpec{name: "SPLIT/int8/axis1", op: tflite.OpSplit, typ: i8, inShape: s263, outShapes: [][]int{{2, 2, 3}, {2, 2, 3}, {2, 2, 3}},
			set:  func(o *tflite.Options) { o.NumSplits = 3 },
			wire: func(m *builtModel, x int32) []int32 { return []int32{c32(m, "axis", []int64{1}), x} },
			ref:  splitRef([]int{2, 2, 2})}),
		moveCase(moveSpec{name: "SPLIT_V/int16/axis-2", op: tflite.OpSplitV, typ: i16, inShape: s263, outShapes: [][]int{{2, 1, 3}, {2, 3, 3}, {2, 2, 3}},
			set: func(o *tflite.Options) { o.NumSplits = 3 },
			wire: with(func(m *builtModel) []int32 {
				return []int32{c32(m, "sizes", []int64{1, -1, 2}), c32(m, "axis", []int64{-2})}
			}),
			ref: splitRef([]int{1, 3, 2})}),
	)
	// PACK three [2, 3] along axis 1; UNPACK [2, 3, 4] along axis 1.
	for _, typ := range []tflite.TensorType{i8, i16, i32} {
		b := dataFor(typ, 6, 73)
		c := dataFor(typ, 6, 74)
		cs = append(cs, moveCase(moveSpec{name: "PACK/" + typ.String() + "/axis1", op: tflite.OpPack, typ: typ, inShape: []int{2, 3}, outShapes: [][]int{{2, 3, 3}},
			set: func(o *tflite.Options) { o.ValuesCount, o.Axis = 3, 1 },
			wire: func(m *builtModel, x int32) []int32 {
				return []int32{x, m.cst("b", typ, []int{2, 3}, qFor(typ), b), m.cst("c", typ, []int{2, 3}, qFor(typ), c)}
			},
			ref: func(x []int64) [][]int64 {
				return one(mapOut([]int{2, 3, 3}, func(o []int) int64 { return [][]int64{x, b, c}[o[1]][o[0]*3+o[2]] }))
			}}))
	}
	for _, typ := range []tflite.TensorType{f32, i8} {
		cs = append(cs, moveCase(moveSpec{name: "UNPACK/" + typ.String() + "/axis1", op: tflite.OpUnpack, typ: typ, inShape: s234, outShapes: [][]int{{2, 4}, {2, 4}, {2, 4}},
			set: func(o *tflite.Options) { o.Num, o.Axis = 3, 1 },
			ref: func(x []int64) [][]int64 {
				var outs [][]int64
				for k := 0; k < 3; k++ {
					outs = append(outs, gatherOut(x, s234, []int{2, 4}, func(o []int) []int { return []int{o[0], k, o[1]} }))
				}
				return outs
			}}))
	}
	// REVERSE_V2 axes [0, 2]; BROADCAST_TO [3, 1] → [2, 3, 4].
	cs = append(cs,
		moveCase(moveSpec{name: "REVERSE_V2/int8/axes02", op: tflite.OpReverseV2, typ: i8, inShape: s234, outShapes: [][]int{s234},
			wire: with(func(m *builtModel) []int32 { return []int32{c32(m, "axes", []int64{0, 2})} }),
			ref: func(x []int64) [][]int64 {
				return one(gatherOut(x, s234, s234, func(o []int) []int { return []int{1 - o[0], o[1], 3 - o[2]} }))
			}}),
		moveCase(moveSpec{name: "BROADCAST_TO/int16", op: tflite.OpBroadcastTo, typ: i16, inShape: []int{3, 1}, outShapes: [][]int{s234},
			wire: with(func(m *builtModel) []int32 { return []int32{c32(m, "shape", []int64{2, 3, 4})} }),
			ref: func(x []int64) [][]int64 {
				return one(gatherOut(x, []int{3, 1}, s234, func(o []int) []int { return []int{o[1], 0} }))
			}}),
	)
	// SPACE_TO_DEPTH / DEPTH_TO_SPACE, block 2: depth index (dy·2 + dx)·C + c.
	cs = append(cs,
		moveCase(moveSpec{name: "SPACE_TO_DEPTH/int8", op: tflite.OpSpaceToDepth, typ: i8, inShape: []int{1, 4, 6, 2}, outShapes: [][]int{{1, 2, 3, 8}},
			set: func(o *tflite.Options) { o.BlockSize = 2 },
			ref: func(x []int64) [][]int64 {
				return one(gatherOut(x, []int{1, 4, 6, 2}, []int{1, 2, 3, 8}, func(o []int) []int {
					d := o[3] / 2
					return []int{o[0], o[1]*2 + d/2, o[2]*2 + d%2, o[3] % 2}
				}))
			}}),
		moveCase(moveSpec{name: "DEPTH_TO_SPACE/float32", op: tflite.OpDepthToSpace, typ: f32, inShape: []int{1, 2, 3, 8}, outShapes: [][]int{{1, 4, 6, 2}},
			set: func(o *tflite.Options) { o.BlockSize = 2 },
			ref: func(x []int64) [][]int64 {
				return one(gatherOut(x, []int{1, 2, 3, 8}, []int{1, 4, 6, 2}, func(o []int) []int {
					return []int{o[0], o[1] / 2, o[2] / 2, ((o[1]%2)*2+o[2]%2)*2 + o[3]}
				}))
			}}),
	)
	// SPACE_TO_BATCH_ND block [2, 2] pads [[0, 0], [1, 1]] on [1, 4, 4, 2]
	// → padded [1, 4, 6, 2] → [4, 2, 3, 2], batch (dy·2 + dx)·N + b. Padding
	// cells hold raw 0, not the zero point: TFLite-Micro never sets
	// SpaceToBatchParams.output_offset (its Init allocates the params and
	// nothing fills them). BATCH_TO_SPACE_ND undoes it with crops.
	cs = append(cs,
		moveCase(moveSpec{name: "SPACE_TO_BATCH_ND/int8", op: tflite.OpSpaceToBatchNd, typ: i8, inShape: []int{1, 4, 4, 2}, outShapes: [][]int{{4, 2, 3, 2}},
			wire: with(func(m *builtModel) []int32 {
				return []int32{c32(m, "block", []int64{2, 2}), c32(m, "pads", []int64{0, 0, 1, 1}, 2, 2)}
			}),
			ref: func(x []int64) [][]int64 {
				return one(mapOut([]int{4, 2, 3, 2}, func(o []int) int64 {
					dy, dx := o[0]/2, o[0]%2
					y, xx := o[1]*2+dy, o[2]*2+dx-1
					if xx < 0 || xx >= 4 {
						return 0
					}
					return x[oracle.Ravel([]int{0, y, xx, o[3]}, []int{1, 4, 4, 2})]
				}))
			}}),
		moveCase(moveSpec{name: "BATCH_TO_SPACE_ND/float32", op: tflite.OpBatchToSpaceNd, typ: f32, inShape: []int{4, 2, 3, 2}, outShapes: [][]int{{1, 4, 4, 2}},
			wire: with(func(m *builtModel) []int32 {
				return []int32{c32(m, "block", []int64{2, 2}), c32(m, "crops", []int64{0, 0, 1, 1}, 2, 2)}
			}),
			ref: func(x []int64) [][]int64 {
				return one(gatherOut(x, []int{4, 2, 3, 2}, []int{1, 4, 4, 2}, func(o []int) []int {
					y, xx := o[1], o[2]+1
					return []int{(y%2)*2 + xx%2, y / 2, xx / 2, o[3]}
				}))
			}}),
	)
	// DYNAMIC_UPDATE_SLICE: a [2, 2] update at start [2, 3] of [3, 4], the
	// start clamped so the update fits: rows 1..2, columns 2..3.
	upd := []int64{-5, 6, -7, 8}
	cs = append(cs, moveCase(moveSpec{name: "DYNAMIC_UPDATE_SLICE/int8/clamped-start", op: tflite.OpDynamicUpdateSlice, typ: i8, inShape: []int{3, 4}, outShapes: [][]int{{3, 4}},
		wire: with(func(m *builtModel) []int32 {
			return []int32{m.cst("update", i8, []int{2, 2}, qFor(i8), upd), c32(m, "start", []int64{2, 3})}
		}),
		ref: func(x []int64) [][]int64 {
			return one(mapOut([]int{3, 4}, func(o []int) int64 {
				if o[0] >= 1 && o[1] >= 2 {
					return upd[(o[0]-1)*2+o[1]-2]
				}
				return x[o[0]*4+o[1]]
			}))
		}}))
	// SELECT_V2: cond [3, 1], x [2, 3, 4] (data input), y [4].
	cond := []int64{1, 0, 1}
	yv := dataFor(i8, 4, 75)
	cs = append(cs, moveCase(moveSpec{name: "SELECT_V2/int8/broadcast", op: tflite.OpSelectV2, typ: i8, inShape: s234, outShapes: [][]int{s234},
		wire: func(m *builtModel, x int32) []int32 {
			return []int32{m.cst("cond", bl, []int{3, 1}, nil, cond), x, m.cst("y", i8, []int{4}, qFor(i8), yv)}
		},
		ref: func(x []int64) [][]int64 {
			return one(mapOut(s234, func(o []int) int64 {
				if cond[o[1]] != 0 {
					return x[oracle.Ravel(o, s234)]
				}
				return yv[o[2]]
			}))
		}}))
	// CAST: static_cast semantics.
	castRef := func(conv func(v int64) int64) func(x []int64) [][]int64 {
		return func(x []int64) [][]int64 {
			out := make([]int64, len(x))
			for i, v := range x {
				out[i] = conv(v)
			}
			return one(out)
		}
	}
	castSet := func(in, out tflite.TensorType) func(o *tflite.Options) {
		return func(o *tflite.Options) { o.InDataType, o.OutDataType = in, out }
	}
	cs = append(cs,
		moveCase(moveSpec{name: "CAST/int32-to-int8/truncates", op: tflite.OpCast, typ: i32, outTyp: i8, inShape: s234, outShapes: [][]int{s234},
			data: pseudo(24, -100000, 100000, 76), set: castSet(i32, i8), ref: castRef(func(v int64) int64 { return int64(int8(v)) })}),
		moveCase(moveSpec{name: "CAST/int16-to-float32", op: tflite.OpCast, typ: i16, outTyp: f32, inShape: s234, outShapes: [][]int{s234},
			set: castSet(i16, f32), ref: castRef(func(v int64) int64 { return v })}),
		moveCase(moveSpec{name: "CAST/bool-to-int32", op: tflite.OpCast, typ: bl, outTyp: i32, inShape: s234, outShapes: [][]int{s234},
			set: castSet(bl, i32), ref: castRef(func(v int64) int64 { return v })}),
	)
	// FILL dims [2, 3] with a scalar; ZEROS_LIKE; SHAPE.
	cs = append(cs,
		moveCase(moveSpec{name: "FILL/int8", op: tflite.OpFill, typ: i8, inShape: []int{}, outShapes: [][]int{{2, 3}}, data: []int64{-42},
			wire: func(m *builtModel, x int32) []int32 { return []int32{c32(m, "dims", []int64{2, 3}), x} },
			ref:  func(x []int64) [][]int64 { return one([]int64{-42, -42, -42, -42, -42, -42}) }}),
		moveCase(moveSpec{name: "ZEROS_LIKE/int32", op: tflite.OpZerosLike, typ: i32, inShape: s234, outShapes: [][]int{s234},
			ref: func(x []int64) [][]int64 { return one(zeros64(24)) }}),
		moveCase(moveSpec{name: "SHAPE/int8-to-int32", op: tflite.OpShape, typ: i8, outTyp: i32, inShape: s234, outShapes: [][]int{{3}},
			set: func(o *tflite.Options) { o.OutputType = i32 },
			ref: func(x []int64) [][]int64 { return one([]int64{2, 3, 4}) }}),
	)
	// ARG_MAX / ARG_MIN along axis 1 of [2, 3, 4]; ties keep the first index
	// (small values make ties common).
	argRef := func(better func(a, b int64) bool) func(x []int64) [][]int64 {
		return func(x []int64) [][]int64 {
			return one(mapOut([]int{2, 4}, func(o []int) int64 {
				best := 0
				for k := 1; k < 3; k++ {
					if better(x[oracle.Ravel([]int{o[0], k, o[1]}, s234)], x[oracle.Ravel([]int{o[0], best, o[1]}, s234)]) {
						best = k
					}
				}
				return int64(best)
			}))
		}
	}
	axis1 := with(func(m *builtModel) []int32 { return []int32{c32(m, "axis", []int64{1})} })
	cs = append(cs,
		moveCase(moveSpec{name: "ARG_MAX/int8/int32-out", op: tflite.OpArgMax, typ: i8, outTyp: i32, inShape: s234, outShapes: [][]int{{2, 4}},
			data: pseudo(24, -2, 2, 77), set: func(o *tflite.Options) { o.OutputType = i32 }, wire: axis1,
			ref: argRef(func(a, b int64) bool { return a > b })}),
		moveCase(moveSpec{name: "ARG_MIN/float32", op: tflite.OpArgMin, typ: f32, outTyp: i32, inShape: s234, outShapes: [][]int{{2, 4}},
			data: pseudo(24, -2, 2, 78), set: func(o *tflite.Options) { o.OutputType = i32 }, wire: axis1,
			ref: argRef(func(a, b int64) bool { return a < b })}),
	)
	return cs
}

// ---- resizing ----

// nearestSrc is GetNearestNeighbor in float32: p = (v + offset)·scale,
// floor (or round half away with align_corners), clamped to [0, in−1].
func nearestSrc(v, in, out int, align, half bool) int {
	scale := float32(in) / float32(out)
	if align && out > 1 {
		scale = float32(in-1) / float32(out-1)
	}
	var offset float32
	if half {
		offset = 0.5
	}
	p := (float32(v) + offset) * scale
	var s int
	if align {
		s = int(math.Round(float64(p)))
	} else {
		s = int(math.Floor(float64(p)))
	}
	return max(0, min(s, in-1))
}

// bilinearF is the float bilinear sample of a raw int8 input at output
// (y, x): source coordinate o·in/out, (o + ½)·in/out − ½ with half-pixel
// centres, or o·(in−1)/(out−1) with align_corners.
func bilinearF(x []int64, sh []int, b, oy, ox, c, oh, ow int, align, half bool) float64 {
	src := func(o, in, out int) (int, int, float64) {
		var p float64
		switch {
		case align && out > 1:
			p = float64(o) * float64(in-1) / float64(out-1)
		case half:
			p = (float64(o)+0.5)*float64(in)/float64(out) - 0.5
		default:
			p = float64(o) * float64(in) / float64(out)
		}
		lo := max(int(math.Floor(p)), 0)
		hi := min(int(math.Ceil(p)), in-1)
		return lo, hi, p - float64(lo)
	}
	y0, y1, fy := src(oy, sh[1], oh)
	x0, x1, fx := src(ox, sh[2], ow)
	at := func(y, xx int) float64 { return float64(x[oracle.Ravel([]int{b, y, xx, c}, sh)]) }
	return at(y0, x0)*(1-fy)*(1-fx) + at(y1, x0)*fy*(1-fx) + at(y0, x1)*(1-fy)*fx + at(y1, x1)*fy*fx
}

func resizeCases() []builtCase {
	var cs []builtCase
	inSh := []int{1, 3, 4, 2}
	for _, v := range []struct {
		name        string
		typ         tflite.TensorType
		oh, ow      int
		align, half bool
	}{
		{"RESIZE_NEAREST_NEIGHBOR/int8/up", i8, 7, 6, false, false},
		{"RESIZE_NEAREST_NEIGHBOR/int16/half-pixel", i16, 5, 9, false, true},
		{"RESIZE_NEAREST_NEIGHBOR/float32/align-corners-down", f32, 2, 3, true, false},
	} {
		outSh := []int{1, v.oh, v.ow, 2}
		cs = append(cs, moveCase(moveSpec{name: v.name, op: tflite.OpResizeNearestNeighbor, typ: v.typ, inShape: inSh, outShapes: [][]int{outSh},
			set:  func(o *tflite.Options) { o.AlignCorners, o.HalfPixelCenters = v.align, v.half },
			wire: with(func(m *builtModel) []int32 { return []int32{c32(m, "size", []int64{int64(v.oh), int64(v.ow)})} }),
			ref: func(x []int64) [][]int64 {
				return one(gatherOut(x, inSh, outSh, func(o []int) []int {
					return []int{0, nearestSrc(o[1], 3, v.oh, v.align, v.half), nearestSrc(o[2], 4, v.ow, v.align, v.half), o[3]}
				}))
			}}))
	}
	// RESIZE_BILINEAR works in Q.10 source coordinates: for these extents
	// (in/out = 1/2, 3/4, 2/5, 3/5 ...) the Q.10 scale and the fractions are
	// within 2^-10 of the real ones, moving the weighted sum by at most
	// 255·2^-10·2 ≈ 0.5 step before rounding: tolerance 1 LSB.
	for _, v := range []struct {
		name        string
		oh, ow      int
		align, half bool
	}{
		{"RESIZE_BILINEAR/int8/up2x", 6, 8, false, false},
		{"RESIZE_BILINEAR/int8/half-pixel", 5, 7, false, true},
		{"RESIZE_BILINEAR/int8/align-corners", 5, 6, true, false},
	} {
		outSh := []int{1, v.oh, v.ow, 2}
		cs = append(cs, builtCase{name: v.name, op: tflite.OpResizeBilinear, build: func(m *builtModel) {
			data := dataFor(i8, numel(inSh), 80)
			want := make([]float64, numel(outSh))
			for i := range want {
				o := oracle.Unravel(i, outSh)
				want[i] = math.Round(bilinearF(data, inSh, 0, o[1], o[2], o[3], v.oh, v.ow, v.align, v.half))
			}
			x := m.in("x", i8, inSh, qFor(i8), data)
			size := c32(m, "size", []int64{int64(v.oh), int64(v.ow)})
			out := m.outTol("out", i8, outSh, qFor(i8), want, 1)
			m.op(tflite.OpResizeBilinear, opts(tflite.OpResizeBilinear, func(o *tflite.Options) { o.AlignCorners, o.HalfPixelCenters = v.align, v.half }), []int32{x, size}, out)
		}})
	}
	return cs
}

// ---- stateful ops ----

// svdfCase runs SVDF (TFLite-Micro's EvalIntegerSvdfReference) invokes
// times on one input and checks the last output exactly: each invocation
// shifts every filter's history left by one, appends the requantized
// feature Σ wf·(x − zp_in) (M1), and sums the time-weighted history per
// unit with the bias (M2). The multipliers are float32 products and
// quotients in TFLite-Micro (the definition), widened for QuantizeMultiplier.
func svdfCase(name string, invokes int) builtCase {
	const batches, inDim, filters, rank, memory = 2, 5, 6, 2, 4
	units := filters / rank
	sIn, sWf, sState, sWt, sOut := float32(0.05), float32(0.01), float32(0.002), float32(0.0005), float32(0.3)
	zIn, zOut := int64(-3), int64(2)
	x := pseudo(batches*inDim, -128, 127, 90)
	wf := pseudo(filters*inDim, -127, 127, 91)
	wt := pseudo(filters*memory, -2000, 2000, 92)
	bias := pseudo(units, -5000, 5000, 93)
	m1, m2 := float64(sIn*sWf/sState), float64(sState*sWt/sOut)
	st := make([]int64, batches*filters*memory)
	var want []int64
	for range invokes {
		copy(st, st[1:])
		for b := 0; b < batches; b++ {
			for f := 0; f < filters; f++ {
				var acc int64
				for i := 0; i < inDim; i++ {
					acc += wf[f*inDim+i] * (x[b*inDim+i] - zIn)
				}
				st[(b*filters+f)*memory+memory-1] = oracle.Clamp(oracle.Requantize(acc, m1, oracle.Double), -32768, 32767)
			}
		}
		want = make([]int64, batches*units)
		for b := 0; b < batches; b++ {
			for u := 0; u < units; u++ {
				acc := bias[u]
				for j := 0; j < rank; j++ {
					f := u*rank + j
					for k := 0; k < memory; k++ {
						acc += wt[f*memory+k] * st[(b*filters+f)*memory+k]
					}
				}
				want[b*units+u] = oracle.Clamp(oracle.Requantize(acc, m2, oracle.Double)+zOut, -128, 127)
			}
		}
	}
	return builtCase{name: name, op: tflite.OpSvdf, invokes: invokes, build: func(m *builtModel) {
		in := m.in("x", i8, []int{batches, inDim}, q(sIn, zIn), x)
		wfT := m.cst("weights_feature", i8, []int{filters, inDim}, q(sWf, 0), wf)
		wtT := m.cst("weights_time", i16, []int{filters, memory}, q(sWt, 0), wt)
		bT := m.cst("bias", i32, []int{units}, q(sState*sWt, 0), bias)
		state := m.state("activation_state", i16, []int{batches, filters * memory}, q(sState, 0))
		out := m.out("out", i8, []int{batches, units}, q(sOut, zOut), want)
		m.op(tflite.OpSvdf, opts(tflite.OpSvdf, func(o *tflite.Options) { o.Rank = rank }), []int32{in, wfT, wtT, bT, state}, out)
	}}
}

// lstmCase is an int8 UNIDIRECTIONAL_SEQUENCE_LSTM (no peephole,
// projection or layer norm) against a float LSTM on the dequantized
// weights, with the hidden state rounded to its int8 grid after every step
// as the model stores it. The integer kernel computes the gates in Q3.12
// with int16 sigmoid/tanh tables (errors ~1e-4), the cell at 2^-11: all far
// below the hidden step 1/128, so outputs agree except next to a rounding
// tie — and a hidden value one step off feeds back through recurrent
// weights of |w|·S ≤ 0.4·3 times one step, below a step: tolerance 1 LSB.
// The hidden state's zero point is not 0: TFLite-Micro starts an int8
// variable tensor at its zero point.
func lstmCase(name string, timeMajor bool) builtCase { return lstmCaseWith(name, timeMajor, false) }

// lstmCaseWith is lstmCase, with the 5 intermediate tensors full TFLite
// requires when intermediates is set (the last one carries the hidden
// state's scale and zero point; without layer normalization the first four
// are not read).
func lstmCaseWith(name string, timeMajor, intermediates bool) builtCase {
	const batches, steps, inDim, dim = 2, 3, 4, 3
	sIn, sW, sH, sC := float32(0.03), float32(0.004), float32(1.0/128), float32(1.0/2048)
	zIn, zH := int64(5), int64(-60)
	x := pseudo(batches*steps*inDim, -128, 127, 100)
	var wIn, wRec, bias [4][]int64
	for g := range 4 {
		wIn[g] = pseudo(dim*inDim, -127, 127, uint32(101+g))
		wRec[g] = pseudo(dim*dim, -127, 127, uint32(111+g))
		bias[g] = pseudo(dim, -4000, 4000, uint32(121+g))
	}
	inShape, outShape := []int{batches, steps, inDim}, []int{batches, steps, dim}
	at := func(b, t int) int { return b*steps + t }
	if timeMajor {
		inShape, outShape = []int{steps, batches, inDim}, []int{steps, batches, dim}
		at = func(b, t int) int { return t*batches + b }
	}
	want := make([]float64, batches*steps*dim)
	for b := 0; b < batches; b++ {
		h := make([]float64, dim)
		c := make([]float64, dim)
		for t := 0; t < steps; t++ {
			row := at(b, t)
			var gate [4][]float64
			for g := range 4 {
				gate[g] = make([]float64, dim)
				for s := 0; s < dim; s++ {
					v := float64(bias[g][s]) * float64(sIn) * float64(sW)
					for i := 0; i < inDim; i++ {
						v += float64(sW) * float64(wIn[g][s*inDim+i]) * float64(sIn) * float64(x[row*inDim+i]-zIn)
					}
					for j := 0; j < dim; j++ {
						v += float64(sW) * float64(wRec[g][s*dim+j]) * h[j]
					}
					v = math.Max(-8, math.Min(v, 8)) // Q3.12 saturation
					if g == 2 {
						gate[g][s] = math.Tanh(v)
					} else {
						gate[g][s] = oracle.Logistic(v)
					}
				}
			}
			for s := 0; s < dim; s++ {
				c[s] = gate[1][s]*c[s] + gate[0][s]*gate[2][s]
				hq := float64(oracle.Quantize(gate[3][s]*math.Tanh(c[s]), sH, zH, i8))
				want[row*dim+s] = hq
				h[s] = float64(sH) * (hq - float64(zH))
			}
		}
	}
	return builtCase{name: name, op: tflite.OpUnidirectionalSequenceLstm, build: func(m *builtModel) {
		ins := make([]int32, 24)
		for i := range ins {
			ins[i] = -1
		}
		ins[0] = m.in("x", i8, inShape, q(sIn, zIn), x)
		for g := range 4 {
			ins[1+g] = m.cst("w_in"+string(rune('0'+g)), i8, []int{dim, inDim}, q(sW, 0), wIn[g])
			ins[5+g] = m.cst("w_rec"+string(rune('0'+g)), i8, []int{dim, dim}, q(sW, 0), wRec[g])
			ins[12+g] = m.cst("bias"+string(rune('0'+g)), i32, []int{dim}, q(sIn*sW, 0), bias[g])
		}
		ins[18] = m.state("hidden", i8, []int{batches, dim}, q(sH, zH))
		ins[19] = m.state("cell", i16, []int{batches, dim}, q(sC, 0))
		out := m.outTol("out", i8, outShape, q(sH, zH), want, 1)
		op := m.op(tflite.OpUnidirectionalSequenceLstm, opts(tflite.OpUnidirectionalSequenceLstm, func(o *tflite.Options) {
			o.Activation, o.TimeMajor = tflite.ActTanh, timeMajor
		}), ins, out)
		if intermediates {
			var inter []int32
			for g := range 4 {
				inter = append(inter, m.tmp("gate_intermediate"+string(rune('0'+g)), i16, []int{batches, dim}, q(1.0/4096, 0)))
			}
			inter = append(inter, m.tmp("effective_hidden_scale_intermediate", i8, []int{batches, dim}, q(sH, zH)))
			m.b.Operator(op).Intermediates = inter
		}
	}}
}

func statefulCases() []builtCase {
	return []builtCase{
		svdfCase("SVDF/int8/rank2/one-invoke", 1),
		svdfCase("SVDF/int8/rank2/three-invokes", 3),
		lstmCase("UNIDIRECTIONAL_SEQUENCE_LSTM/int8/batch-major", false),
		lstmCase("UNIDIRECTIONAL_SEQUENCE_LSTM/int8/time-major", true),
	}
}
