package trace

// Float reference kernels of the float shadow. Each computes the operator's
// first output in float32 from the shadow values of its inputs (constants
// dequantized per channel), applying the fused activation in float. They
// return false when the node is outside what they model (then the shadow
// falls back to data-movement copying or the dequantized output).

import (
	"math"

	"github.com/tflq/tflq-trace/kernels"
	"github.com/tflq/tflq-trace/tflite"
)

type shadowFunc func(s *Shadow, n *kernels.Node, out []float32) (bool, error)

// shadowRule is how the float shadow treats one operator. Exactly one of
// its fields is set.
type shadowRule struct {
	// eval is the operator's float reference kernel.
	eval shadowFunc
	// moves marks pure data movement: each output element copies the
	// reference value of the input element its explanation declares it was
	// moved from (kernels.Chain.Moved).
	moves bool
	// none says why the operator has no float reference: its shadow is its
	// dequantized output (LayerMetrics.Reference false), so the layers after
	// it still compare.
	none string
}

const (
	noRealOutput = "its output is an index, a bool or a shape: not a quantized real value"
	notModelled  = "no float reference kernel yet: its shadow is its dequantized output"
)

// shadowTable has one row for every operator of the kernels' op table (a
// meta-test checks it): the float shadow never guesses.
var shadowTable = map[tflite.BuiltinOperator]shadowRule{
	tflite.OpQuantize:          {eval: shadowIdentity},
	tflite.OpDequantize:        {eval: shadowIdentity},
	tflite.OpReshape:           {eval: shadowIdentity},
	tflite.OpExpandDims:        {eval: shadowIdentity},
	tflite.OpSqueeze:           {eval: shadowIdentity},
	tflite.OpFullyConnected:    {eval: shadowFullyConnected},
	tflite.OpConv2D:            {eval: shadowConv},
	tflite.OpDepthwiseConv2D:   {eval: shadowConv},
	tflite.OpAveragePool2D:     {eval: shadowPool},
	tflite.OpMaxPool2D:         {eval: shadowPool},
	tflite.OpAdd:               {eval: shadowBinary},
	tflite.OpSub:               {eval: shadowBinary},
	tflite.OpMul:               {eval: shadowBinary},
	tflite.OpDiv:               {eval: shadowBinary},
	tflite.OpSquaredDifference: {eval: shadowBinary},
	tflite.OpMaximum:           {eval: shadowBinary},
	tflite.OpMinimum:           {eval: shadowBinary},
	tflite.OpPrelu:             {eval: shadowBinary},
	tflite.OpSoftmax:           {eval: shadowSoftmax},
	tflite.OpLogistic:          {eval: shadowUnary},
	tflite.OpTanh:              {eval: shadowUnary},
	tflite.OpRelu:              {eval: shadowUnary},
	tflite.OpRelu6:             {eval: shadowUnary},
	tflite.OpLeakyRelu:         {eval: shadowUnary},
	tflite.OpHardSwish:         {eval: shadowUnary},
	tflite.OpAbs:               {eval: shadowUnary},
	tflite.OpElu:               {eval: shadowUnary},
	tflite.OpRsqrt:             {eval: shadowUnary},
	tflite.OpMean:              {eval: shadowReduce},
	tflite.OpSum:               {eval: shadowReduce},
	tflite.OpReduceMax:         {eval: shadowReduce},
	tflite.OpReduceMin:         {eval: shadowReduce},
	tflite.OpPad:               {eval: shadowPad},
	tflite.OpPadv2:             {eval: shadowPad},
	tflite.OpConcatenation:     {eval: shadowConcat},

	tflite.OpTranspose:             {moves: true},
	tflite.OpStridedSlice:          {moves: true},
	tflite.OpSlice:                 {moves: true},
	tflite.OpSplit:                 {moves: true},
	tflite.OpSplitV:                {moves: true},
	tflite.OpPack:                  {moves: true},
	tflite.OpUnpack:                {moves: true},
	tflite.OpGather:                {moves: true},
	tflite.OpGatherNd:              {moves: true},
	tflite.OpSpaceToDepth:          {moves: true},
	tflite.OpDepthToSpace:          {moves: true},
	tflite.OpSpaceToBatchNd:        {moves: true},
	tflite.OpBatchToSpaceNd:        {moves: true},
	tflite.OpMirrorPad:             {moves: true},
	tflite.OpReverseV2:             {moves: true},
	tflite.OpBroadcastTo:           {moves: true},
	tflite.OpFill:                  {moves: true},
	tflite.OpDynamicUpdateSlice:    {moves: true},
	tflite.OpEmbeddingLookup:       {moves: true},
	tflite.OpSelectV2:              {moves: true},
	tflite.OpResizeNearestNeighbor: {moves: true},

	tflite.OpArgMax:       {none: noRealOutput},
	tflite.OpArgMin:       {none: noRealOutput},
	tflite.OpShape:        {none: noRealOutput},
	tflite.OpEqual:        {none: noRealOutput},
	tflite.OpNotEqual:     {none: noRealOutput},
	tflite.OpGreater:      {none: noRealOutput},
	tflite.OpGreaterEqual: {none: noRealOutput},
	tflite.OpLess:         {none: noRealOutput},
	tflite.OpLessEqual:    {none: noRealOutput},
	tflite.OpCast:         {none: "a type conversion: its shadow is its output"},
	tflite.OpZerosLike:    {none: "its output is zero whatever the input"},

	tflite.OpAddN:                       {none: notModelled},
	tflite.OpBatchMatmul:                {none: notModelled},
	tflite.OpCumsum:                     {none: notModelled},
	tflite.OpL2Normalization:            {none: notModelled},
	tflite.OpLogSoftmax:                 {none: notModelled},
	tflite.OpResizeBilinear:             {none: notModelled},
	tflite.OpSvdf:                       {none: notModelled},
	tflite.OpUnidirectionalSequenceLstm: {none: notModelled},
	tflite.OpTransposeConv:              {none: notModelled},
}

func activate(act tflite.Activation, v float32) float32 {
	switch act {
	case tflite.ActRelu:
		return max(v, 0)
	case tflite.ActRelu6:
		return min(max(v, 0), 6)
	case tflite.ActReluN1To1:
		return min(max(v, -1), 1)
	case tflite.ActTanh:
		return float32(math.Tanh(float64(v)))
	}
	return v
}

func shadowIdentity(s *Shadow, n *kernels.Node, out []float32) (bool, error) {
	in := s.in(n, 0)
	if len(in) != len(out) {
		return false, nil
	}
	copy(out, in)
	return true, nil
}

// biasValues is the real bias of a multiply-accumulate node: its shadow
// values, or — for a bias stored without quantization parameters — the raw
// integers in accumulator units, s_in·s_w[c], as the kernels use them.
func biasValues(s *Shadow, n *kernels.Node) []float32 {
	b := n.Input(2)
	if b == nil {
		return nil
	}
	if b.Quantized() || b.Type == tflite.TypeFloat32 {
		return s.Values[b.Index]
	}
	in, w := n.Input(0), n.Input(1)
	out := make([]float32, b.NumElements())
	for c := range out {
		ws := w.Scale0()
		if len(w.Scale) > 1 && c < len(w.Scale) {
			ws = w.Scale[c]
		}
		out[c] = float32(float64(b.Int(c)) * float64(in.Scale0()) * float64(ws))
	}
	return out
}

func shadowFullyConnected(s *Shadow, n *kernels.Node, out []float32) (bool, error) {
	in, w, bias := s.in(n, 0), s.in(n, 1), biasValues(s, n)
	wt := n.Input(1)
	if in == nil || w == nil || wt.Rank() != 2 {
		return false, nil
	}
	units, depth := wt.Shape[0], wt.Shape[1]
	if depth == 0 || len(in)%depth != 0 || len(out) != len(in)/depth*units {
		return false, nil
	}
	for b := 0; b < len(in)/depth; b++ {
		x := in[b*depth : (b+1)*depth]
		for u := 0; u < units; u++ {
			var acc float32
			row := w[u*depth : (u+1)*depth]
			for i, v := range x {
				acc += v * row[i]
			}
			if bias != nil {
				acc += bias[u]
			}
			out[b*units+u] = activate(n.Options.Activation, acc)
		}
	}
	return true, nil
}

// convGeometry is the geometry of a CONV_2D (filter [OC,KH,KW,IC]) or
// DEPTHWISE_CONV_2D (filter [1,KH,KW,IC·DM]) node, NHWC.
type convGeometry struct {
	batches, inH, inW, inC int
	outH, outW, outC       int
	kh, kw                 int // filter size
	dh, dw, sh, sw         int // dilation and stride
	padH, padW             int
	depthwise              bool
	filterC                int // input channels per filter (a group's)
	dm                     int // depth multiplier (depthwise)
	groupOut               int // output channels per group (convolution)
}

// convOperands are the shadow values of a convolution node's input,
// filter and bias (nil without one; biasValues), and its geometry; ok is
// false when the node is outside what the float shadow models (no input or
// filter values, not rank 4, channels that do not divide).
func (s *Shadow) convOperands(n *kernels.Node) (in, w, bias []float32, g convGeometry, ok bool) {
	in, w = s.in(n, 0), s.in(n, 1)
	if in == nil || w == nil {
		return nil, nil, nil, g, false
	}
	g, ok = convGeometryOf(n)
	if !ok {
		return nil, nil, nil, g, false
	}
	return in, w, biasValues(s, n), g, true
}

// convGeometryOf derives n's convolution geometry (ok: as convOperands).
func convGeometryOf(n *kernels.Node) (g convGeometry, ok bool) {
	it, wt, ot := n.Input(0), n.Input(1), n.Outputs[0]
	if it.Rank() != 4 || wt.Rank() != 4 || ot.Rank() != 4 {
		return g, false
	}
	o := n.Options
	g.batches, g.inH, g.inW, g.inC = it.Shape[0], it.Shape[1], it.Shape[2], it.Shape[3]
	g.outH, g.outW, g.outC = ot.Shape[1], ot.Shape[2], ot.Shape[3]
	g.kh, g.kw = wt.Shape[1], wt.Shape[2]
	g.dh, g.dw = max(int(o.DilationH), 1), max(int(o.DilationW), 1)
	g.sh, g.sw = max(int(o.StrideH), 1), max(int(o.StrideW), 1)
	g.padH, g.padW = kernels.ComputePadding(o.Padding, g.sh, g.sw, g.dh, g.dw, g.inH, g.inW, g.kh, g.kw, g.outH, g.outW)
	g.depthwise = n.Op == tflite.OpDepthwiseConv2D
	g.filterC = wt.Shape[3]
	g.dm, g.groupOut = 1, g.outC
	if g.depthwise {
		if g.inC == 0 || g.outC%g.inC != 0 {
			return g, false
		}
		g.dm = g.outC / g.inC
	} else {
		if g.filterC == 0 || g.inC%g.filterC != 0 || g.outC != wt.Shape[0] {
			return g, false
		}
		g.groupOut = g.outC / (g.inC / g.filterC)
	}
	return g, true
}

// shadowConv handles CONV_2D and DEPTHWISE_CONV_2D (convGeometry).
func shadowConv(s *Shadow, n *kernels.Node, out []float32) (bool, error) {
	in, w, bias, g, ok := s.convOperands(n)
	if !ok {
		return false, nil
	}
	act := n.Options.Activation
	batches, inH, inW, inC := g.batches, g.inH, g.inW, g.inC
	outH, outW, outC := g.outH, g.outW, g.outC
	kh, kw, dh, dw, sh, sw, padH, padW := g.kh, g.kw, g.dh, g.dw, g.sh, g.sw, g.padH, g.padW
	depthwise, filterC, dm, groupOut := g.depthwise, g.filterC, g.dm, g.groupOut
	// Each output channel's sum takes its products in the order (ky, kx,
	// ic), then the bias: the channels of a pixel accumulate side by side,
	// each in that order, so that the taps' positions are worked out once
	// per pixel and the inner loops run over contiguous slices.
	acc := make([]float32, outC)
	// An ungrouped convolution reads its weights transposed to [KH, KW,
	// IC, OC], so that each input value multiplies a contiguous row of
	// output channels.
	var wT []float32
	if !depthwise && groupOut == outC && len(w) == outC*kh*kw*filterC {
		wT = make([]float32, len(w))
		for oc := 0; oc < outC; oc++ {
			for t := 0; t < kh*kw*filterC; t++ {
				wT[t*outC+oc] = w[oc*kh*kw*filterC+t]
			}
		}
	}
	for b := 0; b < batches; b++ {
		for y := 0; y < outH; y++ {
			for x := 0; x < outW; x++ {
				clear(acc)
				for ky := 0; ky < kh; ky++ {
					iy := y*sh - padH + ky*dh
					if iy < 0 || iy >= inH {
						continue
					}
					for kx := 0; kx < kw; kx++ {
						ix := x*sw - padW + kx*dw
						if ix < 0 || ix >= inW {
							continue
						}
						base := ((b*inH+iy)*inW + ix) * inC
						if depthwise {
							wt := w[(ky*kw+kx)*outC:][:outC]
							if dm == 1 {
								xs := in[base:][:outC]
								for oc := range acc {
									acc[oc] += xs[oc] * wt[oc]
								}
								continue
							}
							for oc := range acc {
								acc[oc] += in[base+oc/dm] * wt[oc]
							}
							continue
						}
						if wT != nil {
							xs := in[base:][:filterC]
							for ic, v := range xs {
								row := wT[((ky*kw+kx)*filterC+ic)*outC:][:outC]
								for oc := range acc {
									acc[oc] += v * row[oc]
								}
							}
							continue
						}
						for oc := range acc {
							g := oc / groupOut
							xs := in[base+g*filterC:][:filterC]
							wr := w[((oc*kh+ky)*kw+kx)*filterC:][:filterC]
							a := acc[oc]
							for ic, v := range xs {
								a += v * wr[ic]
							}
							acc[oc] = a
						}
					}
				}
				px := out[((b*outH+y)*outW+x)*outC:][:outC]
				for oc, a := range acc {
					if bias != nil {
						a += bias[oc]
					}
					px[oc] = activate(act, a)
				}
			}
		}
	}
	return true, nil
}

// poolGeometry is the geometry of an AVERAGE_POOL_2D or MAX_POOL_2D node,
// NHWC.
type poolGeometry struct {
	batches, inH, inW, c int
	outH, outW           int
	fh, fw               int // filter size
	sh, sw               int // stride
	padH, padW           int
}

// poolOperands are the shadow values of a pooling node's input and its
// geometry; ok is false without input values or when the input or output is
// not rank 4.
func (s *Shadow) poolOperands(n *kernels.Node) (in []float32, g poolGeometry, ok bool) {
	in = s.in(n, 0)
	if in == nil {
		return nil, g, false
	}
	g, ok = poolGeometryOf(n)
	return in, g, ok
}

// poolGeometryOf derives n's pooling geometry (ok: as poolOperands).
func poolGeometryOf(n *kernels.Node) (g poolGeometry, ok bool) {
	it, ot := n.Input(0), n.Outputs[0]
	if it.Rank() != 4 || ot.Rank() != 4 {
		return g, false
	}
	o := n.Options
	g.batches, g.inH, g.inW, g.c = it.Shape[0], it.Shape[1], it.Shape[2], it.Shape[3]
	g.outH, g.outW = ot.Shape[1], ot.Shape[2]
	g.fh, g.fw = int(o.FilterH), int(o.FilterW)
	g.sh, g.sw = max(int(o.StrideH), 1), max(int(o.StrideW), 1)
	g.padH, g.padW = kernels.ComputePadding(o.Padding, g.sh, g.sw, 1, 1, g.inH, g.inW, g.fh, g.fw, g.outH, g.outW)
	return g, true
}

func shadowPool(s *Shadow, n *kernels.Node, out []float32) (bool, error) {
	in, g, ok := s.poolOperands(n)
	if !ok {
		return false, nil
	}
	act := n.Options.Activation
	batches, inH, inW, c := g.batches, g.inH, g.inW, g.c
	outH, outW, fh, fw, sh, sw, padH, padW := g.outH, g.outW, g.fh, g.fw, g.sh, g.sw, g.padH, g.padW
	// Each channel's sum and maximum take the window's values in the order
	// (ky, kx): the channels of a pixel side by side, each in that order.
	sums, best := make([]float32, c), make([]float32, c)
	for b := 0; b < batches; b++ {
		for y := 0; y < outH; y++ {
			for x := 0; x < outW; x++ {
				clear(sums)
				for ch := range best {
					best[ch] = float32(math.Inf(-1))
				}
				count := 0
				// The window clipped to the image (the same taps, in the
				// same order, as testing each one): a filter far larger
				// than the image costs the image, not the filter.
				y0, x0 := y*sh-padH, x*sw-padW
				kyFrom, kyTo := max(0, -y0), min(fh, inH-y0)
				kxFrom, kxTo := max(0, -x0), min(fw, inW-x0)
				for ky := kyFrom; ky < kyTo; ky++ {
					iy := y0 + ky
					for kx := kxFrom; kx < kxTo; kx++ {
						ix := x0 + kx
						xs := in[((b*inH+iy)*inW+ix)*c:][:c]
						for ch, v := range xs {
							sums[ch] += v
							best[ch] = max(best[ch], v)
						}
						count++
					}
				}
				px := out[((b*outH+y)*outW+x)*c:][:c]
				for ch := range px {
					v := best[ch]
					if n.Op == tflite.OpAveragePool2D {
						v = sums[ch] / float32(max(count, 1))
					}
					px[ch] = activate(act, v)
				}
			}
		}
	}
	return true, nil
}

func shadowBinary(s *Shadow, n *kernels.Node, out []float32) (bool, error) {
	a, b := s.in(n, 0), s.in(n, 1)
	if a == nil || b == nil {
		return false, nil
	}
	bc, shape, err := kernels.NewBroadcast(n.Input(0).Shape, n.Input(1).Shape)
	if err != nil || kernels.NumElements(shape) != len(out) {
		return false, nil
	}
	for e := range out {
		i1, i2 := bc.Index(e)
		x, y := a[i1], b[i2]
		var v float32
		switch n.Op {
		case tflite.OpAdd:
			v = x + y
		case tflite.OpSub:
			v = x - y
		case tflite.OpMul:
			v = x * y
		case tflite.OpDiv:
			v = x / y
		case tflite.OpSquaredDifference:
			v = (x - y) * (x - y)
		case tflite.OpMaximum:
			v = max(x, y)
		case tflite.OpMinimum:
			v = min(x, y)
		case tflite.OpPrelu: // y is alpha
			v = x
			if x < 0 {
				v = x * y
			}
		}
		out[e] = activate(n.Options.Activation, v)
	}
	return true, nil
}

func shadowSoftmax(s *Shadow, n *kernels.Node, out []float32) (bool, error) {
	in := s.in(n, 0)
	it := n.Input(0)
	if in == nil || it.Rank() == 0 {
		return false, nil
	}
	depth := it.Dim(-1)
	beta := float64(n.Options.Beta)
	for r := 0; r+depth <= len(in); r += depth {
		row := in[r : r+depth]
		mx := row[0]
		for _, v := range row {
			mx = max(mx, v)
		}
		var sum float64
		for i, v := range row {
			e := math.Exp(beta * float64(v-mx))
			out[r+i] = float32(e)
			sum += e
		}
		for i := range row {
			out[r+i] = float32(float64(out[r+i]) / sum)
		}
	}
	return true, nil
}

func shadowUnary(s *Shadow, n *kernels.Node, out []float32) (bool, error) {
	in := s.in(n, 0)
	if len(in) != len(out) {
		return false, nil
	}
	for i, v := range in {
		x := float64(v)
		switch n.Op {
		case tflite.OpLogistic:
			x = 1 / (1 + math.Exp(-x))
		case tflite.OpTanh:
			x = math.Tanh(x)
		case tflite.OpRelu:
			x = max(x, 0)
		case tflite.OpRelu6:
			x = min(max(x, 0), 6)
		case tflite.OpLeakyRelu:
			if x < 0 {
				x *= float64(n.Options.Alpha)
			}
		case tflite.OpHardSwish:
			x = x * min(max(x+3, 0), 6) / 6
		case tflite.OpAbs:
			x = math.Abs(x)
		case tflite.OpElu:
			if x < 0 {
				x = math.Expm1(x)
			}
		case tflite.OpRsqrt:
			x = 1 / math.Sqrt(x)
		}
		out[i] = float32(x)
	}
	return true, nil
}

// unravelInto sets coord to the row-major coordinates of element e of an
// array of the given shape (non-empty), as kernels.Unravel does without
// allocating.
func unravelInto(coord []int, e int, shape []int) {
	for d := len(shape) - 1; d >= 0; d-- {
		coord[d] = e % shape[d]
		e /= shape[d]
	}
}

// shadowReduce handles MEAN, SUM, REDUCE_MAX and REDUCE_MIN over the
// constant axes.
func shadowReduce(s *Shadow, n *kernels.Node, out []float32) (bool, error) {
	in, axes := s.in(n, 0), n.Input(1)
	it := n.Input(0)
	if in == nil || axes == nil || !axes.Const {
		return false, nil
	}
	rank := it.Rank()
	reduced := make([]bool, rank)
	for i := 0; i < axes.NumElements(); i++ {
		a := int(axes.Int(i))
		if a < 0 {
			a += rank
		}
		if a < 0 || a >= rank {
			return false, nil
		}
		reduced[a] = true
	}
	sums := make([]float64, len(out))
	counts := make([]int, len(out))
	best := make([]float64, len(out))
	coord := make([]int, rank)
	for e, v := range in {
		// Output index: row-major over the kept dimensions.
		unravelInto(coord, e, it.Shape)
		o := 0
		for d := 0; d < rank; d++ {
			if !reduced[d] {
				o = o*it.Shape[d] + coord[d]
			}
		}
		if o >= len(out) {
			return false, nil
		}
		x := float64(v)
		switch {
		case counts[o] == 0:
			best[o] = x
		case n.Op == tflite.OpReduceMax:
			best[o] = max(best[o], x)
		case n.Op == tflite.OpReduceMin:
			best[o] = min(best[o], x)
		}
		sums[o] += x
		counts[o]++
	}
	for i := range out {
		switch n.Op {
		case tflite.OpMean:
			out[i] = float32(sums[i] / float64(max(counts[i], 1)))
		case tflite.OpSum:
			out[i] = float32(sums[i])
		default:
			out[i] = float32(best[i])
		}
	}
	return true, nil
}

func shadowPad(s *Shadow, n *kernels.Node, out []float32) (bool, error) {
	in, pads := s.in(n, 0), n.Input(1)
	it, ot := n.Input(0), n.Outputs[0]
	if in == nil || pads == nil || !pads.Const || pads.NumElements() != 2*it.Rank() {
		return false, nil
	}
	var fill float32
	if v := s.in(n, 2); len(v) == 1 {
		fill = v[0]
	}
	for i := range out {
		out[i] = fill
	}
	rank := it.Rank()
	coord := make([]int, rank)
	for e, v := range in {
		unravelInto(coord, e, it.Shape)
		o := 0
		for d := 0; d < rank; d++ {
			o = o*ot.Shape[d] + coord[d] + int(pads.Int(2*d))
		}
		if o >= len(out) {
			return false, nil
		}
		out[o] = v
	}
	return true, nil
}

func shadowConcat(s *Shadow, n *kernels.Node, out []float32) (bool, error) {
	ot := n.Outputs[0]
	axis := int(n.Options.Axis)
	if axis < 0 {
		axis += ot.Rank()
	}
	if axis < 0 || axis >= ot.Rank() {
		return false, nil
	}
	outer := 1
	for d := 0; d < axis; d++ {
		outer *= ot.Shape[d]
	}
	pos := 0
	for o := 0; o < outer; o++ {
		for k := range n.Inputs {
			in := s.in(n, k)
			if in == nil {
				return false, nil
			}
			chunk := len(in) / outer
			copy(out[pos:pos+chunk], in[o*chunk:(o+1)*chunk])
			pos += chunk
		}
	}
	return pos == len(out), nil
}
