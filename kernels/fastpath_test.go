package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

// The tests of this file check the fast Eval paths (tables, row copies,
// hoisted offsets, blocked accumulation) against the per-element code that
// Explain runs, on shapes, zero points and scales chosen to reach every
// branch of the fast code: Explain is the single source of truth, and a
// stored value that differs from its chain's Final is a fast-path bug.

// TestUnaryTableMatchesElement runs the 8-bit unary kernels (every input
// value, four times) under every runtime, twice with different inputs (the
// second Eval reuses the table the first filled), and checks each stored
// value against Explain.
func TestUnaryTableMatchesElement(t *testing.T) {
	taken := map[tflite.TensorType]int{}
	ops := []tflite.BuiltinOperator{tflite.OpAbs, tflite.OpRelu, tflite.OpRelu6, tflite.OpHardSwish, tflite.OpLeakyRelu}
	for _, rt := range Runtimes() {
		for _, typ := range []tflite.TensorType{tflite.TypeInt8, tflite.TypeUint8} {
			for _, op := range ops {
				n := 4 * 256
				zp := int64(-7)
				if typ == tflite.TypeUint8 {
					zp = 121
				}
				in := NewTensor(typ, []int{1, n})
				in.Scale, in.ZeroPoint = []float32{0.037}, []int64{zp}
				for i := range n {
					in.Data[i] = byte(i*37 + i/256)
				}
				out := NewTensor(typ, []int{1, n})
				out.Scale, out.ZeroPoint = []float32{0.021}, []int64{zp + 5}
				node := &Node{Op: op, Inputs: []*Tensor{in}, Outputs: []*Tensor{out},
					Options: tflite.Options{Alpha: 0.17}, Runtime: rt, Rounding: rt.Rounding()}
				k, err := Prepare(node)
				if err != nil {
					continue // this runtime does not run it (uint8 under TFLite-Micro, say)
				}
				if err := k.Eval(); err != nil {
					t.Fatalf("%v %v %v: %v", rt, op, typ, err)
				}
				arCheckExplain(t, k, out)
				// The table the first Eval filled serves the next ones.
				for i := range in.Data {
					in.Data[i] = byte(i*91 + 5)
				}
				if err := k.Eval(); err != nil {
					t.Fatal(err)
				}
				arCheckExplain(t, k, out)
				taken[typ]++
			}
		}
	}
	// Every runtime runs the five int8 ops; full TFLite's and XNNPACK's
	// take RELU and RELU6 on uint8, XNNPACK also LEAKY_RELU.
	if taken[tflite.TypeInt8] != 5*len(Runtimes()) || taken[tflite.TypeUint8] != 5 {
		t.Errorf("kernels prepared per dtype: %v", taken)
	}
}

// macCase is a random CONV_2D, DEPTHWISE_CONV_2D or FULLY_CONNECTED node.
type macCase struct {
	op   tflite.BuiltinOperator
	typ  tflite.TensorType // int8 or uint8 data (uint8 weights too)
	node *Node
}

// fpRandTensor fills a tensor of typ with random raw values, some at the
// extremes of the type.
func fpRandTensor(rng *rand.Rand, typ tflite.TensorType, shape []int) *Tensor {
	t := NewTensor(typ, shape)
	if typ == tflite.TypeInt16 {
		for i := range t.Int16() {
			v := int16(rng.IntN(1<<16) - 1<<15)
			switch rng.IntN(8) {
			case 0:
				v = math.MinInt16
			case 1:
				v = math.MaxInt16
			}
			t.Int16()[i] = v
		}
		return t
	}
	for i := range t.Data {
		v := byte(rng.IntN(256))
		switch rng.IntN(8) {
		case 0:
			v = 0x80 // −128 for int8, 128 for uint8
		case 1:
			v = 0x7F
		case 2:
			v = 0xFF // −1 for int8, 255 for uint8
		}
		t.Data[i] = v
	}
	return t
}

// fpRandZP is a random zero point of typ, extremes included.
func fpRandZP(rng *rand.Rand, typ tflite.TensorType) int64 {
	lo, hi := int64(-128), int64(127)
	if typ == tflite.TypeUint8 {
		lo, hi = 0, 255
	}
	switch rng.IntN(6) {
	case 0:
		return lo
	case 1:
		return hi
	}
	return lo + rng.Int64N(hi-lo+1)
}

// newMACCase builds a random node of op over typ data (int8, uint8, or
// int16 with int8 weights); depth forces the accumulation depth of a
// FULLY_CONNECTED node (0: random).
func newMACCase(rng *rand.Rand, op tflite.BuiltinOperator, typ tflite.TensorType, depth int) macCase {
	perChannel := typ != tflite.TypeUint8 && rng.IntN(3) > 0
	wtyp := typ
	if typ == tflite.TypeInt16 {
		wtyp = tflite.TypeInt8
	}
	acts := []tflite.Activation{tflite.ActNone, tflite.ActRelu, tflite.ActRelu6, tflite.ActReluN1To1}
	opt := tflite.Options{Type: tflite.DefaultOptionsType(op), Activation: acts[rng.IntN(len(acts))]}
	var in, filter *Tensor
	var outShape []int
	var nch int
	qdim := 0
	switch op {
	case tflite.OpFullyConnected:
		b, d := 1+rng.IntN(6), 1+rng.IntN(40)
		if depth > 0 {
			d = depth
		}
		nch = 1 + rng.IntN(19)
		in = fpRandTensor(rng, typ, []int{b, d})
		filter = fpRandTensor(rng, wtyp, []int{nch, d})
		outShape = []int{b, nch}
	default:
		n, h, w := 1+rng.IntN(2), 1+rng.IntN(12), 1+rng.IntN(12)
		fh, fw := 1+rng.IntN(4), 1+rng.IntN(4)
		if rng.IntN(3) == 0 {
			fh, fw = 3, 3 // the common case, specialized for depthwise
		}
		opt.StrideH, opt.StrideW = int32(1+rng.IntN(3)), int32(1+rng.IntN(3))
		opt.DilationH, opt.DilationW = int32(1+rng.IntN(2)), int32(1+rng.IntN(2))
		opt.Padding = tflite.PaddingSame
		oh := ComputeOutSize(opt.Padding, h, fh, int(opt.StrideH), int(opt.DilationH))
		ow := ComputeOutSize(opt.Padding, w, fw, int(opt.StrideW), int(opt.DilationW))
		if valid := tflite.PaddingValid; rng.IntN(2) == 0 &&
			ComputeOutSize(valid, h, fh, int(opt.StrideH), int(opt.DilationH)) > 0 &&
			ComputeOutSize(valid, w, fw, int(opt.StrideW), int(opt.DilationW)) > 0 {
			opt.Padding = valid
			oh = ComputeOutSize(valid, h, fh, int(opt.StrideH), int(opt.DilationH))
			ow = ComputeOutSize(valid, w, fw, int(opt.StrideW), int(opt.DilationW))
		}
		cin := 1 + rng.IntN(6)
		in = fpRandTensor(rng, typ, []int{n, h, w, cin})
		if op == tflite.OpConv2D {
			nch = 1 + rng.IntN(19)
			filter = fpRandTensor(rng, wtyp, []int{nch, fh, fw, cin})
		} else {
			dm := 1 + rng.IntN(3)
			if rng.IntN(2) == 0 || fh*fw == 9 {
				dm = 1
			}
			nch = cin * dm
			opt.DepthMultiplier = int32(dm)
			filter = fpRandTensor(rng, wtyp, []int{1, fh, fw, nch})
			qdim = 3
		}
		outShape = []int{n, oh, ow, nch}
	}
	in.Scale, in.ZeroPoint = []float32{float32(0.01 + rng.Float64())}, []int64{fpRandZP(rng, typ)}
	filter.Const = rng.IntN(5) > 0
	nScales := 1
	if perChannel {
		nScales = nch
		filter.QuantizedDimension = qdim
	}
	filter.Scale, filter.ZeroPoint = make([]float32, nScales), make([]int64, nScales)
	for i := range filter.Scale {
		filter.Scale[i] = float32(0.001 + 0.05*rng.Float64())
	}
	if typ == tflite.TypeUint8 || (typ == tflite.TypeInt8 && op == tflite.OpFullyConnected && !perChannel && rng.IntN(2) == 0) {
		filter.ZeroPoint[0] = fpRandZP(rng, typ)
	} else if wtyp == tflite.TypeInt8 {
		// Symmetric int8 weights never reach −128 except in the XNNPACK
		// pair-wrap cases, which some filters keep.
		if rng.IntN(3) > 0 {
			for i, v := range filter.Data {
				if v == 0x80 {
					filter.Data[i] = 0x81
				}
			}
		}
	}
	out := NewTensor(typ, outShape)
	// Output scales that put M = s_in·s_w/s_out on both sides of 1.
	out.Scale = []float32{in.Scale[0] * filter.Scale[0] * float32(math.Pow(2, -10+14*rng.Float64()))}
	out.ZeroPoint = []int64{fpRandZP(rng, typ)}
	if typ == tflite.TypeInt16 {
		in.ZeroPoint[0], out.ZeroPoint[0] = 0, 0
		if rng.IntN(2) == 0 {
			opt.QuantizedBiasType = tflite.TypeInt64 // a bias-less int16 node with the 64-bit accumulator
		}
	}
	inputs := []*Tensor{in, filter}
	// int16 DEPTHWISE_CONV_2D requires an int64 bias; other int16 nodes
	// take an int64 (64-bit accumulator) or an int32 one.
	wideBias := typ == tflite.TypeInt16 && (op == tflite.OpDepthwiseConv2D || rng.IntN(2) == 0)
	if rng.IntN(5) > 0 || (typ == tflite.TypeInt16 && op == tflite.OpDepthwiseConv2D) {
		bias := NewTensor(tflite.TypeInt32, []int{nch})
		if wideBias {
			bias = NewTensor(tflite.TypeInt64, []int{nch})
		}
		bias.Const = true
		for i := range nch {
			v := rng.IntN(1<<21) - 1<<20
			if wideBias {
				bias.Int64()[i] = int64(v) << rng.IntN(20)
			} else {
				bias.Int32()[i] = int32(v)
			}
		}
		bias.Scale, bias.ZeroPoint = make([]float32, nScales), make([]int64, nScales)
		for i := range bias.Scale {
			bias.Scale[i] = in.Scale[0] * filter.Scale[i]
		}
		bias.QuantizedDimension = 0
		inputs = append(inputs, bias)
	}
	return macCase{op: op, typ: typ, node: &Node{Op: op, Inputs: inputs, Outputs: []*Tensor{out}, Options: opt}}
}

// TestMACFastMatchesElement runs random CONV_2D, DEPTHWISE_CONV_2D and
// FULLY_CONNECTED nodes (shapes, paddings, strides, dilations, zero points,
// per-channel and per-tensor scales, multipliers above and below 1, biases
// or none, constant filters or not) under every runtime, and checks every
// stored element against Explain's per-element recomputation. It counts
// which implementations and fast paths ran, so that a change that quietly
// stops exercising one fails.
func TestMACFastMatchesElement(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 42))
	type key struct {
		op   tflite.BuiltinOperator
		impl Implementation
		typ  tflite.TensorType
	}
	ran := map[key]int{}
	fast := map[tflite.BuiltinOperator]int{}
	fast16 := map[tflite.BuiltinOperator]int{}
	wide16 := 0
	fcRows := 0
	for i := range 2000 {
		op := []tflite.BuiltinOperator{tflite.OpConv2D, tflite.OpDepthwiseConv2D, tflite.OpFullyConnected}[i%3]
		typ := []tflite.TensorType{tflite.TypeInt8, tflite.TypeInt8, tflite.TypeUint8, tflite.TypeInt16}[rng.IntN(4)]
		rt := Runtimes()[rng.IntN(len(Runtimes()))]
		c := newMACCase(rng, op, typ, 0)
		c.node.Runtime, c.node.Rounding = rt, rt.Rounding()
		k, impl, err := PrepareImpl(c.node)
		if err != nil {
			continue // refused (uint8 under TFLite-Micro, XNNPACK scale limits, ...)
		}
		if err := k.Eval(); err != nil {
			t.Fatalf("case %d %v %v under %v: %v", i, op, typ, rt, err)
		}
		ran[key{op, impl, typ}]++
		if macFastTaken(k) {
			fast[op]++
			if typ == tflite.TypeInt16 {
				fast16[op]++
				if macOutputOf(k).wide {
					wide16++
				}
			}
			if fc, ok := k.(*fullyConnected); ok && fc.rows {
				fcRows++
			}
		}
		arCheckExplain(t, k, c.node.Outputs...)
	}
	for _, want := range []key{
		{tflite.OpConv2D, ImplTFLM, tflite.TypeInt8}, {tflite.OpConv2D, ImplTFLiteOptimized, tflite.TypeInt8},
		{tflite.OpConv2D, ImplXNNPACK, tflite.TypeInt8}, {tflite.OpConv2D, ImplXNNPACK, tflite.TypeUint8},
		{tflite.OpConv2D, ImplTFLite, tflite.TypeUint8},
		{tflite.OpDepthwiseConv2D, ImplTFLM, tflite.TypeInt8}, {tflite.OpDepthwiseConv2D, ImplXNNPACK, tflite.TypeInt8},
		{tflite.OpDepthwiseConv2D, ImplTFLite, tflite.TypeUint8}, {tflite.OpDepthwiseConv2D, ImplXNNPACK, tflite.TypeUint8},
		{tflite.OpFullyConnected, ImplTFLM, tflite.TypeInt8}, {tflite.OpFullyConnected, ImplTFLiteRef, tflite.TypeInt8},
		{tflite.OpFullyConnected, ImplTFLiteRef, tflite.TypeUint8}, {tflite.OpFullyConnected, ImplXNNPACK, tflite.TypeInt8},
		{tflite.OpFullyConnected, ImplXNNPACK, tflite.TypeUint8},
		{tflite.OpConv2D, ImplTFLM, tflite.TypeInt16}, {tflite.OpDepthwiseConv2D, ImplTFLM, tflite.TypeInt16},
		{tflite.OpFullyConnected, ImplTFLM, tflite.TypeInt16}, {tflite.OpFullyConnected, ImplTFLiteRef, tflite.TypeInt16},
	} {
		if ran[want] < 5 {
			t.Errorf("%v %v under %v ran %d times, want ≥ 5 (ran: %v)", want.op, want.typ, want.impl, ran[want], ran)
		}
	}
	for _, op := range []tflite.BuiltinOperator{tflite.OpConv2D, tflite.OpDepthwiseConv2D, tflite.OpFullyConnected} {
		if fast[op] < 100 {
			t.Errorf("%v took the fast path %d times, want ≥ 100", op, fast[op])
		}
	}
	for _, op := range []tflite.BuiltinOperator{tflite.OpConv2D, tflite.OpDepthwiseConv2D, tflite.OpFullyConnected} {
		if fast16[op] < 30 {
			t.Errorf("int16 %v took the fast path %d times, want ≥ 30", op, fast16[op])
		}
	}
	if n := fast16[tflite.OpConv2D] + fast16[tflite.OpDepthwiseConv2D] + fast16[tflite.OpFullyConnected]; wide16 < 30 || n-wide16 < 30 {
		t.Errorf("int16 fast paths with the 64-bit accumulator %d, with the 32-bit one %d: want ≥ 30 each", wide16, n-wide16)
	}
	if fcRows < 50 || fast[tflite.OpFullyConnected]-fcRows < 50 {
		t.Errorf("FULLY_CONNECTED took the unpacked rows %d times and the packed filter %d times, want ≥ 50 each", fcRows, fast[tflite.OpFullyConnected]-fcRows)
	}
}

// macOutputOf is k's output stage.
func macOutputOf(k Kernel) *macOutput {
	switch k := k.(type) {
	case *conv2D:
		return k.o
	case *depthwiseConv2D:
		return k.o
	case *fullyConnected:
		return k.o
	}
	return nil
}

// macFastTaken says whether k's Eval takes the fast path.
func macFastTaken(k Kernel) bool {
	switch k := k.(type) {
	case *conv2D:
		return k.fast != nil && k.pairs == nil
	case *depthwiseConv2D:
		return k.fast != nil && k.pairs == nil
	case *fullyConnected:
		return k.packed != nil
	}
	return false
}

// TestMACFastWrapsLikeTFLite: a FULLY_CONNECTED whose true accumulator
// leaves the int32 range (depth 100 000, every product 127·255 with the
// input offset), where TFLite's int32 accumulator wraps: the hoisted
// offsets (a ring identity modulo 2^32) and the two-lane raw sums (each
// inside int32) must give the wrapped value too.
func TestMACFastWrapsLikeTFLite(t *testing.T) {
	const depth = 100000
	for _, batches := range []int{1, fcPackedMinBatches} { // unpacked rows, packed filter
		in := NewTensor(tflite.TypeInt8, []int{batches, depth})
		in.Scale, in.ZeroPoint = []float32{0.5}, []int64{-128}
		filter := NewTensor(tflite.TypeInt8, []int{3, depth})
		filter.Scale, filter.ZeroPoint, filter.Const = []float32{0.25}, []int64{0}, true
		for i := range in.Data {
			in.Data[i] = 0x7F // 127: 127 + 128 = 255
		}
		for i := range filter.Data {
			filter.Data[i] = []byte{0x7F, 0x81, 0x05}[i/depth] // 127, −127, 5
		}
		out := NewTensor(tflite.TypeInt8, []int{batches, 3})
		out.Scale, out.ZeroPoint = []float32{1 << 20}, []int64{3}
		for _, rt := range Runtimes() {
			n := &Node{Op: tflite.OpFullyConnected, Inputs: []*Tensor{in, filter}, Outputs: []*Tensor{out}, Runtime: rt, Rounding: rt.Rounding()}
			k, err := Prepare(n)
			if err != nil {
				t.Fatalf("%v: %v", rt, err)
			}
			if !macFastTaken(k) || k.(*fullyConnected).rows != (batches < fcPackedMinBatches) {
				t.Fatalf("%v, %d rows: not the fast path expected", rt, batches)
			}
			if err := k.Eval(); err != nil {
				t.Fatal(err)
			}
			arCheckExplain(t, k, out)
			var c Chain
			if err := k.Explain(0, 0, &c); err != nil {
				t.Fatal(err)
			}
			// 100000·127·255 = 3 238 500 000 wraps to −1 056 467 296.
			if acc := c.Steps[3]; acc.Name != "acc" || acc.Value != -1056467296 {
				t.Errorf("%v: step %+v, want acc = −1056467296", rt, acc)
			}
		}
	}
}

// TestMACRowMatchesFinish compares the row output stage with
// macOutput.finish on random and extreme accumulators, for every output
// stage: fixed point with double and single rounding, XNNPACK's float32,
// LiteRT's double; multipliers above and below 1, biases near the int32
// limits.
func TestMACRowMatchesFinish(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	extremes := []int32{0, 1, -1, math.MaxInt32, math.MinInt32, math.MaxInt32 - 1, math.MinInt32 + 1, 1 << 30, -1 << 30}
	stages := map[string]int{}
	for i := range 400 {
		rt := Runtimes()[i/2%len(Runtimes())]
		op := tflite.OpConv2D
		if i%2 == 1 {
			op = tflite.OpFullyConnected
		}
		c := newMACCase(rng, op, tflite.TypeInt8, 0)
		if len(c.node.Inputs) == 3 && i%5 == 0 {
			b := c.node.Inputs[2].Int32()
			for j := range b {
				b[j] = extremes[rng.IntN(len(extremes))]
			}
		}
		if i%3 == 0 {
			// Power-of-two scales: multipliers of exactly 2^30 put the
			// products on the rounding ties.
			in, filter, out := c.node.Inputs[0], c.node.Inputs[1], c.node.Outputs[0]
			in.Scale[0] = float32(math.Ldexp(1, -rng.IntN(8)))
			for j := range filter.Scale {
				filter.Scale[j] = float32(math.Ldexp(1, -rng.IntN(8)))
			}
			out.Scale[0] = float32(math.Ldexp(1, 4-rng.IntN(14)))
		}
		c.node.Runtime, c.node.Rounding = rt, rt.Rounding()
		k, err := Prepare(c.node)
		if err != nil {
			continue
		}
		var o *macOutput
		switch k := k.(type) {
		case *conv2D:
			k.refresh()
			o = k.o
		case *fullyConnected:
			k.refresh()
			o = k.o
		default:
			t.Fatalf("unexpected kernel %T", k)
		}
		if !o.eval.ok {
			t.Fatalf("%v: no row stage", rt)
		}
		stages[fmt.Sprint(o.requant, o.rule)]++
		acc := make([]int32, len(o.q))
		got := make([]int8, len(o.q))
		for range 50 {
			for j := range acc {
				if rng.IntN(4) == 0 {
					acc[j] = extremes[rng.IntN(len(extremes))]
				} else {
					acc[j] = int32(rng.Uint32()) >> rng.IntN(32)
				}
			}
			storeMACRow(o, acc, 0, got)
			for j, a := range acc {
				if want := o.finish(int64(a), j, 0, nil); int32(got[j]) != want {
					t.Fatalf("%v requant %d rule %v channel %d acc %d: row %d, finish %d", rt, o.requant, o.rule, j, a, got[j], want)
				}
			}
		}
	}
	if len(stages) != 4 {
		t.Errorf("output stages exercised: %v, want fixed point double and single, float32, double", stages)
	}
}

// TestPoolRowsMatchElement runs AVERAGE_POOL_2D and MAX_POOL_2D on random
// shapes, filters, strides, paddings, activations and integer dtypes under
// every runtime; arCheckExplain compares each stored value with element.
func TestPoolRowsMatchElement(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 9))
	ran := map[tflite.TensorType]int{}
	for i := range 400 {
		typ := []tflite.TensorType{tflite.TypeInt8, tflite.TypeInt16, tflite.TypeUint8}[rng.IntN(3)]
		op := tflite.OpAveragePool2D
		if rng.IntN(2) == 0 {
			op = tflite.OpMaxPool2D
		}
		n, h, w, c := 1+rng.IntN(2), 1+rng.IntN(9), 1+rng.IntN(9), 1+rng.IntN(5)
		opt := tflite.Options{Type: tflite.DefaultOptionsType(op), FilterH: int32(1 + rng.IntN(4)), FilterW: int32(1 + rng.IntN(4)),
			StrideH: int32(1 + rng.IntN(3)), StrideW: int32(1 + rng.IntN(3)), Padding: tflite.PaddingSame,
			Activation: []tflite.Activation{tflite.ActNone, tflite.ActRelu, tflite.ActRelu6}[rng.IntN(3)]}
		if rng.IntN(2) == 0 {
			opt.Padding = tflite.PaddingValid
		}
		oh := ComputeOutSize(opt.Padding, h, int(opt.FilterH), int(opt.StrideH), 1)
		ow := ComputeOutSize(opt.Padding, w, int(opt.FilterW), int(opt.StrideW), 1)
		if oh <= 0 || ow <= 0 {
			continue
		}
		in := fpRandTensor(rng, typ, []int{n, h, w, c})
		scale, zp := float32(0.05), fpRandZP(rng, typ)
		if typ == tflite.TypeInt16 {
			for j := range in.Int16() {
				in.Int16()[j] = int16(rng.IntN(1<<16) - 1<<15)
			}
			zp = 0
		}
		in.Scale, in.ZeroPoint = []float32{scale}, []int64{zp}
		out := NewTensor(typ, []int{n, oh, ow, c})
		out.Scale, out.ZeroPoint = []float32{scale}, []int64{zp}
		rt := Runtimes()[i%len(Runtimes())]
		node := &Node{Op: op, Inputs: []*Tensor{in}, Outputs: []*Tensor{out}, Options: opt, Runtime: rt, Rounding: rt.Rounding()}
		k, err := Prepare(node)
		if err != nil {
			continue
		}
		if err := k.Eval(); err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		arCheckExplain(t, k, out)
		ran[typ]++
	}
	if ran[tflite.TypeInt8] < 50 || ran[tflite.TypeInt16] < 50 || ran[tflite.TypeUint8] < 10 {
		t.Errorf("cases run per dtype: %v", ran)
	}
}

// TestAddSubTablesMatchElement runs 8-bit ADD and SUB large enough for the
// input-stage tables, same-shape and broadcast, with random scales, zero
// points and activations, under every runtime; arCheckExplain compares each
// stored value with element.
func TestAddSubTablesMatchElement(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 8))
	ran := map[string]int{}
	for i := range 120 {
		op := tflite.OpAdd
		if i%2 == 1 {
			op = tflite.OpSub
		}
		typ := tflite.TypeInt8
		if rng.IntN(3) == 0 {
			typ = tflite.TypeUint8
		}
		shape1, shape2 := []int{2, 16, 24}, []int{2, 16, 24}
		switch rng.IntN(3) {
		case 1:
			shape2 = []int{1, 1, 24}
		case 2:
			shape1, shape2 = []int{2, 1, 24}, []int{1, 16, 1}
		}
		in1, in2 := fpRandTensor(rng, typ, shape1), fpRandTensor(rng, typ, shape2)
		in1.Scale, in1.ZeroPoint = []float32{float32(0.01 + rng.Float64())}, []int64{fpRandZP(rng, typ)}
		in2.Scale, in2.ZeroPoint = []float32{float32(0.01 + rng.Float64())}, []int64{fpRandZP(rng, typ)}
		out := NewTensor(typ, []int{2, 16, 24})
		out.Scale, out.ZeroPoint = []float32{float32(0.02 + 2*rng.Float64())}, []int64{fpRandZP(rng, typ)}
		opt := tflite.Options{Type: tflite.DefaultOptionsType(op), Activation: []tflite.Activation{tflite.ActNone, tflite.ActRelu, tflite.ActRelu6}[rng.IntN(3)]}
		rt := Runtimes()[i%len(Runtimes())]
		node := &Node{Op: op, Inputs: []*Tensor{in1, in2}, Outputs: []*Tensor{out}, Options: opt, Runtime: rt, Rounding: rt.Rounding()}
		k, err := Prepare(node)
		if err != nil {
			continue
		}
		if _, ok := k.(*addSubKernel); !ok {
			continue // another implementation's kernel (XNNPACK's)
		}
		if err := k.Eval(); err != nil {
			t.Fatal(err)
		}
		arCheckExplain(t, k, out)
		ran[fmt.Sprint(op, typ)]++
	}
	if ran["ADD INT8"] < 10 || ran["SUB INT8"] < 10 || ran["ADD UINT8"] < 3 { // no runtime runs SUB on uint8 through addSubKernel
		t.Errorf("cases run: %v", ran)
	}
}

// TestMACFastLeavesMinInt32Multiplier: a negative weight scale can make the
// Q0.31 multiplier exactly −2^31, where SaturatingRoundingDoublingHighMul
// saturates and the row stage's product would wrap; the fast path must
// leave such a kernel to the per-element Eval, so that the stored value is
// the explained one. (Found in review: Eval stored −128, Explain said 127.)
func TestMACFastLeavesMinInt32Multiplier(t *testing.T) {
	in := NewTensor(tflite.TypeInt8, []int{1, 1, 1, 1})
	in.Scale, in.ZeroPoint = []float32{float32(1 + math.Ldexp(1, -12))}, []int64{0}
	filter := NewTensor(tflite.TypeInt8, []int{1, 1, 1, 1})
	filter.Scale, filter.ZeroPoint, filter.Const = []float32{-float32(1 - math.Ldexp(1, -12) - math.Ldexp(1, -23))}, []int64{0}, true
	bias := NewTensor(tflite.TypeInt32, []int{1})
	bias.Const = true
	bias.Int32()[0] = math.MinInt32
	out := NewTensor(tflite.TypeInt8, []int{1, 1, 1, 1})
	out.Scale, out.ZeroPoint = []float32{float32(1 - 3*math.Ldexp(1, -24))}, []int64{0}
	opts := tflite.DefaultOptions(tflite.OptionsConv2D)
	opts.StrideW, opts.StrideH, opts.Padding = 1, 1, tflite.PaddingValid
	n := &Node{Op: tflite.OpConv2D, Options: opts, Inputs: []*Tensor{in, filter, bias}, Outputs: []*Tensor{out}}
	k, err := Prepare(n)
	if err != nil {
		t.Fatal(err)
	}
	k.(*conv2D).refresh()
	if q := k.(*conv2D).o.q[0]; q.Multiplier != math.MinInt32 {
		t.Fatalf("the case does not reach the multiplier −2^31: %+v", q)
	}
	if err := k.Eval(); err != nil {
		t.Fatal(err)
	}
	arCheckExplain(t, k, out)
}
