package trace

// A structure-aware fuzz target: the fuzzer's bytes choose a random but
// valid single-operator model — shapes, strides, paddings, dilations, zero
// points, scales (denormal, huge and zero included), per-channel axes — and
// a runtime. Each model must either be refused at prepare (an error, never
// a panic) or run, with every element's explanation ending at the value the
// run stored.

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/tflq/tflq-trace/kernels"
	"github.com/tflq/tflq-trace/tflite"
)

// choices reads decisions from fuzz bytes (zeros once they run out).
type choices struct {
	data []byte
}

func (c *choices) byte() byte {
	if len(c.data) == 0 {
		return 0
	}
	b := c.data[0]
	c.data = c.data[1:]
	return b
}

// intn is a choice in [0, n).
func (c *choices) intn(n int) int { return int(c.byte()) % n }

// in is a choice in [lo, hi].
func (c *choices) in(lo, hi int) int { return lo + c.intn(hi-lo+1) }

// scale picks a quantization scale: mostly ordinary, sometimes zero,
// denormal, tiny, huge or not finite.
func (c *choices) scale() float32 {
	switch c.intn(16) {
	case 0:
		return 0
	case 1:
		return math.Float32frombits(uint32(c.in(1, 255))) // denormal
	case 2:
		return 1e-30
	case 3:
		return 1e30
	case 4:
		return float32(math.Inf(1))
	}
	return float32(c.in(1, 255)) / float32(int(1)<<c.in(2, 12))
}

// zp picks a zero point for dtype typ (sometimes out of its range).
func (c *choices) zp(typ tflite.TensorType) int64 {
	lo, hi := kernels.Range(typ)
	if typ == tflite.TypeInt16 && c.intn(4) != 0 {
		return 0
	}
	if c.intn(16) == 0 {
		return int64(hi) + 1
	}
	return int64(lo) + int64(c.intn(int(min(hi-lo, 255)))+1)
}

func (c *choices) values(typ tflite.TensorType, n int) []int64 {
	lo, hi := kernels.Range(typ)
	v := make([]int64, n)
	for i := range v {
		x := int64(c.byte())
		if typ == tflite.TypeInt16 {
			x = x<<8 | int64(c.byte())
		}
		v[i] = int64(lo) + x%(int64(hi)-int64(lo)+1)
	}
	return v
}

// genModel builds one random single-operator model; ok is false when the
// bytes chose something the builder itself rejects.
func genModel(c *choices) (*tflite.Model, [][]byte, kernels.Runtime, bool) {
	m := &builtModel{b: tflite.NewModelBuilder()}
	rt := kernels.Runtimes()[c.intn(len(kernels.Runtimes()))]
	typ := []tflite.TensorType{tflite.TypeInt8, tflite.TypeInt8, tflite.TypeInt16, tflite.TypeUint8}[c.intn(4)]
	dim := func() int { return c.in(1, 6) }
	q := func() *tflite.Quantization { return tflite.PerTensor(c.scale(), c.zp(typ)) }
	act := tflite.Activation(c.intn(4))
	switch c.intn(9) {
	case 0, 1, 2: // CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV
		h, w, cin, cout := dim(), dim(), dim(), dim()
		kh, kw := c.in(1, 4), c.in(1, 4)
		op := []tflite.BuiltinOperator{tflite.OpConv2D, tflite.OpDepthwiseConv2D, tflite.OpTransposeConv}[c.intn(3)]
		opt := opts(op, func(o *tflite.Options) {
			o.Padding = tflite.Padding(c.intn(2))
			o.StrideH, o.StrideW = int32(c.in(1, 3)), int32(c.in(1, 3))
			o.DilationH, o.DilationW = int32(c.in(1, 2)), int32(c.in(1, 2))
			o.Activation = act
		})
		wtyp := tflite.TypeInt8
		if typ == tflite.TypeUint8 {
			wtyp = tflite.TypeUint8
		}
		wshape := []int{cout, kh, kw, cin}
		if op == tflite.OpDepthwiseConv2D {
			dm := c.in(1, 2)
			cout = cin * dm
			wshape = []int{1, kh, kw, cout}
			opt.DepthMultiplier = int32(dm)
		}
		wq := tflite.PerTensor(c.scale(), 0)
		if c.intn(2) == 0 && wtyp == tflite.TypeInt8 {
			n := cout
			scales, zps := make([]float32, n), make([]int64, n)
			for i := range scales {
				scales[i] = c.scale()
			}
			axis := int32(0)
			if op == tflite.OpDepthwiseConv2D {
				axis = 3
			}
			wq = tflite.PerChannel(scales, zps, axis)
		} else if wtyp == tflite.TypeUint8 {
			wq = tflite.PerTensor(c.scale(), int64(c.in(0, 255)))
		}
		in := m.in("in", typ, []int{1, h, w, cin}, q(), c.values(typ, h*w*cin))
		wt := m.cst("w", wtyp, wshape, wq, c.values(wtyp, numel(wshape)))
		btyp := tflite.TypeInt32
		if typ == tflite.TypeInt16 {
			btyp = tflite.TypeInt64
		}
		b := m.cst("b", btyp, []int{cout}, tflite.PerTensor(c.scale(), 0), c.values(tflite.TypeInt16, cout))
		oh := kernels.ComputeOutSize(opt.Padding, h, kh, int(opt.StrideH), int(opt.DilationH))
		ow := kernels.ComputeOutSize(opt.Padding, w, kw, int(opt.StrideW), int(opt.DilationW))
		if op == tflite.OpTransposeConv {
			oh, ow = h*int(opt.StrideH), w*int(opt.StrideW)
		}
		if oh <= 0 || ow <= 0 {
			return nil, nil, 0, false
		}
		out := m.tmp("out", typ, []int{1, oh, ow, cout}, q())
		m.outputs = append(m.outputs, out)
		if op == tflite.OpTransposeConv {
			shape := m.cst("shape", tflite.TypeInt32, []int{4}, nil, []int64{1, int64(oh), int64(ow), int64(cout)})
			m.op(op, opt, []int32{shape, wt, in, b}, out)
		} else {
			m.op(op, opt, []int32{in, wt, b}, out)
		}
	case 3: // FULLY_CONNECTED
		batch, depth, units := dim(), c.in(1, 40), dim()
		in := m.in("in", typ, []int{batch, depth}, q(), c.values(typ, batch*depth))
		wtyp := tflite.TypeInt8
		if typ == tflite.TypeUint8 {
			wtyp = tflite.TypeUint8
		}
		wt := m.cst("w", wtyp, []int{units, depth}, tflite.PerTensor(c.scale(), c.zp(wtyp)), c.values(wtyp, units*depth))
		out := m.tmp("out", typ, []int{batch, units}, q())
		m.outputs = append(m.outputs, out)
		m.op(tflite.OpFullyConnected, opts(tflite.OpFullyConnected, func(o *tflite.Options) { o.Activation = act }), []int32{in, wt}, out)
	case 4: // pools
		h, w, ch := dim(), dim(), dim()
		op := []tflite.BuiltinOperator{tflite.OpAveragePool2D, tflite.OpMaxPool2D}[c.intn(2)]
		opt := opts(op, func(o *tflite.Options) {
			o.Padding = tflite.Padding(c.intn(2))
			o.StrideH, o.StrideW = int32(c.in(1, 3)), int32(c.in(1, 3))
			o.FilterH, o.FilterW = int32(c.in(1, 4)), int32(c.in(1, 4))
			o.Activation = act
		})
		oh := kernels.ComputeOutSize(opt.Padding, h, int(opt.FilterH), int(opt.StrideH), 1)
		ow := kernels.ComputeOutSize(opt.Padding, w, int(opt.FilterW), int(opt.StrideW), 1)
		if oh <= 0 || ow <= 0 {
			return nil, nil, 0, false
		}
		qp := q()
		in := m.in("in", typ, []int{1, h, w, ch}, qp, c.values(typ, h*w*ch))
		out := m.tmp("out", typ, []int{1, oh, ow, ch}, qp)
		m.outputs = append(m.outputs, out)
		m.op(op, opt, []int32{in}, out)
	case 5: // ADD, SUB, MUL with broadcasting
		op := []tflite.BuiltinOperator{tflite.OpAdd, tflite.OpSub, tflite.OpMul}[c.intn(3)]
		s1 := []int{dim(), dim(), dim()}
		s2 := append([]int(nil), s1...)
		s2[c.intn(3)] = 1
		out := m.tmp("out", typ, s1, q())
		a := m.in("a", typ, s1, q(), c.values(typ, numel(s1)))
		b := m.in("b", typ, s2, q(), c.values(typ, numel(s2)))
		m.outputs = append(m.outputs, out)
		m.op(op, opts(op, func(o *tflite.Options) { o.Activation = act; o.PotScaleInt16 = c.intn(2) == 0 }), []int32{a, b}, out)
	case 6: // SOFTMAX, LOGISTIC, TANH with any output quantization
		op := []tflite.BuiltinOperator{tflite.OpSoftmax, tflite.OpLogistic, tflite.OpTanh}[c.intn(3)]
		shape := []int{dim(), dim()}
		in := m.in("in", typ, shape, q(), c.values(typ, numel(shape)))
		oq := q()
		if c.intn(2) == 0 {
			oq = tflite.PerTensor(1.0/256, -128) // the usual, valid one
		}
		out := m.tmp("out", typ, shape, oq)
		m.outputs = append(m.outputs, out)
		m.op(op, opts(op, func(o *tflite.Options) { o.Beta = float32(c.in(0, 4)) / 2 }), []int32{in}, out)
	case 7: // QUANTIZE (requantize) and LEAKY_RELU
		op := []tflite.BuiltinOperator{tflite.OpQuantize, tflite.OpLeakyRelu}[c.intn(2)]
		shape := []int{dim(), dim()}
		in := m.in("in", typ, shape, q(), c.values(typ, numel(shape)))
		out := m.tmp("out", typ, shape, q())
		m.outputs = append(m.outputs, out)
		m.op(op, opts(op, func(o *tflite.Options) { o.Alpha = float32(c.in(-8, 8)) / 8 }), []int32{in}, out)
	default: // MEAN over random axes
		shape := []int{dim(), dim(), dim()}
		axis := c.intn(3)
		outShape := append([]int(nil), shape...)
		outShape[axis] = 1
		in := m.in("in", typ, shape, q(), c.values(typ, numel(shape)))
		ax := m.cst("axis", tflite.TypeInt32, []int{1}, nil, []int64{int64(axis)})
		out := m.tmp("out", typ, outShape, q())
		m.outputs = append(m.outputs, out)
		m.op(tflite.OpMean, opts(tflite.OpMean, func(o *tflite.Options) { o.KeepDims = true }), []int32{in, ax}, out)
	}
	m.b.SetIO(m.inputs, m.outputs)
	model, err := m.b.Model()
	if err != nil {
		return nil, nil, 0, false
	}
	return model, m.inputData, rt, true
}

// checkGenerated runs one generated model: a refusal is fine, a panic or a
// chain that does not end at the stored value is not.
func checkGenerated(t *testing.T, data []byte) {
	c := &choices{data: data}
	model, inputs, rt, ok := genModel(c)
	if !ok {
		return
	}
	raw, err := tflite.Write(model)
	if err != nil {
		return
	}
	read, err := tflite.Read(raw)
	if err != nil {
		return // the reader refuses it (e.g. a non-finite scale)
	}
	ip, err := New(read, Options{Runtime: rt})
	if err != nil {
		return // refused at prepare
	}
	for k, d := range inputs {
		if err := ip.SetInput(k, d); err != nil {
			t.Fatal(err)
		}
	}
	if !invokeUntilRuntimeCheck(t, ip, rt) {
		return
	}
	cc := &kernels.Chain{}
	for oi, op := range ip.Ops() {
		for k, out := range op.Node.Outputs {
			for e := 0; e < out.NumElements(); e++ {
				if err := ip.ExplainInto(cc, oi, k, e); err != nil {
					t.Fatalf("%v %v: explain element %d: %v", rt, op.Name, e, err)
				}
				if cc.Final != storedValue(out, e) {
					t.Fatalf("%v %v (%v): element %d explained as %d, stored %d", rt, op.Name, op.Impl, e, cc.Final, storedValue(out, e))
				}
			}
		}
	}
}

// FuzzGeneratedModels is the structure-aware fuzz target (go test ./trace
// -run X -fuzz FuzzGeneratedModels). Its seeds run as a test.
func FuzzGeneratedModels(f *testing.F) {
	for seed := range uint32(64) {
		b := make([]byte, 256)
		x := seed*2654435761 + 1
		for i := range b {
			x = x*1664525 + 1013904223
			b[i] = byte(x >> 24)
		}
		binary.LittleEndian.PutUint32(b, seed)
		f.Add(b)
	}
	f.Fuzz(checkGenerated)
}
