package kernels

import (
	"fmt"
	"math"

	"github.com/tflq/tflq-trace/tflite"
)

// concatMaxInputs is TFLite-Micro's kMaxInputNum.
const concatMaxInputs = 10

// concatKernel is a prepared CONCATENATION node. CONCATENATION joins its inputs
// along one axis (negative axes count from the end of the output's rank):
//
//	outer  = product of the output dimensions before the axis
//	inner  = product of the dimensions after it
//	chunk_k = axis_dim_k · inner        (elements of input k per outer step)
//	output[o·Σchunk + off_k + r] = input_k[o·chunk_k + r],  0 ≤ r < chunk_k
//
// with off_k the sum of the chunks of the inputs before k. Values are copied
// unchanged: TFLite-Micro requires an int8 concatenation's inputs to share the
// output's scale and zero point (Prepare refuses others) and no fused
// activation. Dtypes: float32, int8, int16, int32, int64.
//
// Full TFLite (ImplTFLite: reference and optimized ConcatenationWithScaling
// alike) also takes legacy uint8, whose inputs may be quantized differently
// from the output: an input with the output's scale and zero point is
// copied, any other is requantized element by element in float32,
//
//	scale = s_in·float32(1/s_out);  bias = float32(−zp_in)·scale
//	y = clamp(int32(roundf(float32(x·scale) + bias)) + zp_out, 0, 255)
//
// (roundf half away from zero); int8 inputs must match the output's
// quantization and int16 zero points be 0, as in TFLite-Micro. From source:
// there is no uint8 CONCATENATION golden for full TFLite's kernels (the
// XNNPACK delegate of the 2022 build takes uint8 CONCATENATION and does not
// rescale at all; that is ImplXNNPACK's).
type concatKernel struct {
	n      *Node
	out    *Tensor
	ins    []*Tensor
	axis   int
	chunks []int // chunk_k
	total  int   // Σ chunk_k
	size   int   // bytes per element
	// rescale[k] is non-nil for a uint8 input k that full TFLite requantizes.
	rescale []*concatRescale
}

// concatRescale is the float32 requantization of one uint8 input.
type concatRescale struct {
	scale, bias float32
	inScale     float32
	inZP        int32
}

// prepareConcatenation prepares a CONCATENATION node (see concatKernel for the
// formula).
func prepareConcatenation(n *Node) (Kernel, error) { return newConcatenation(n, concatTFLM) }

// prepareConcatenationTFLite prepares CONCATENATION as full TFLite does (see
// concatKernel): uint8 inputs requantized where their quantization differs.
func prepareConcatenationTFLite(n *Node) (Kernel, error) { return newConcatenation(n, concatTFLite) }

// concatForm is whose CONCATENATION a kernel is.
type concatForm uint8

const (
	// concatTFLM is TFLite-Micro's: no uint8, int8 quantization must match.
	concatTFLM concatForm = iota
	// concatTFLite is full TFLite's: uint8 inputs rescaled
	// (ConcatenationWithScaling).
	concatTFLite
	// concatRawCopy is the XNNPACK delegate's form: uint8 data too, and no
	// quantization check at all — its Copy operators move the bytes even
	// when an input's scale or zero point differs from the output's (a bug
	// of this XNNPACK build: the result of its quantization-equality check
	// is ignored), where TFLite would requantize.
	concatRawCopy
)

// newConcatenation prepares the kernel of the given form.
func newConcatenation(n *Node, form concatForm) (Kernel, error) {
	if len(n.Outputs) == 0 || n.Outputs[0] == nil || len(n.Inputs) == 0 {
		return nil, fmt.Errorf("%w: CONCATENATION needs inputs and an output", ErrMissingInput)
	}
	out := n.Outputs[0]
	if len(n.Inputs) > concatMaxInputs {
		return nil, fmt.Errorf("%w: CONCATENATION of %d inputs (TFLite-Micro takes at most %d)", ErrBadShape, len(n.Inputs), concatMaxInputs)
	}
	switch out.Type {
	case tflite.TypeFloat32, tflite.TypeInt8, tflite.TypeInt16, tflite.TypeInt32, tflite.TypeInt64:
	case tflite.TypeUint8:
		if form == concatTFLM {
			return nil, fmt.Errorf("%w: CONCATENATION of %v", ErrUnsupportedType, out.Type)
		}
	default:
		return nil, fmt.Errorf("%w: CONCATENATION of %v", ErrUnsupportedType, out.Type)
	}
	if n.Options.Activation != tflite.ActNone {
		return nil, fmt.Errorf("%w: CONCATENATION with fused activation %v (TFLite-Micro requires NONE)", ErrUnsupportedOp, n.Options.Activation)
	}
	axis := int(n.Options.Axis)
	rank := out.Rank()
	if axis < 0 {
		axis += rank
	}
	if axis < 0 || axis >= rank {
		return nil, fmt.Errorf("%w: CONCATENATION axis %d of a rank-%d output", ErrBadShape, axis, rank)
	}
	k := &concatKernel{n: n, out: out, ins: n.Inputs, axis: axis, size: out.Type.Size()}
	inner := 1
	for _, d := range out.Shape[axis+1:] {
		inner *= d
	}
	axisSum := 0
	for i, in := range n.Inputs {
		if in == nil {
			return nil, fmt.Errorf("%w: CONCATENATION input %d", ErrMissingInput, i)
		}
		if err := checkMovable(n, in, out); err != nil {
			return nil, err
		}
		if in.Rank() != rank {
			return nil, fmt.Errorf("%w: CONCATENATION input %d has rank %d, output %d", ErrBadShape, i, in.Rank(), rank)
		}
		for d := range rank {
			if d != axis && in.Shape[d] != out.Shape[d] {
				return nil, fmt.Errorf("%w: CONCATENATION input %d shape %v does not fit output %v", ErrBadShape, i, in.Shape, out.Shape)
			}
		}
		if form != concatRawCopy && out.Type == tflite.TypeInt8 && (in.Scale0() != out.Scale0() || in.ZP0() != out.ZP0()) {
			return nil, fmt.Errorf("%w: CONCATENATION int8 input %d (scale %g, zero point %d) differs from the output (%g, %d); TFLite-Micro does not rescale",
				ErrBadQuantization, i, in.Scale0(), in.ZP0(), out.Scale0(), out.ZP0())
		}
		if form == concatTFLite && out.Type == tflite.TypeInt16 && (in.ZP0() != 0 || out.ZP0() != 0) {
			return nil, fmt.Errorf("%w: int16 CONCATENATION input %d zero point %d, output %d (full TFLite needs 0)", ErrBadQuantization, i, in.ZP0(), out.ZP0())
		}
		var rs *concatRescale
		if form == concatTFLite && out.Type == tflite.TypeUint8 && (in.ZP0() != out.ZP0() || in.Scale0() != out.Scale0()) {
			scale := in.Scale0() * (1 / out.Scale0())
			rs = &concatRescale{scale: scale, bias: float32(-in.ZP0()) * scale, inScale: in.Scale0(), inZP: in.ZP0()}
		}
		k.rescale = append(k.rescale, rs)
		axisSum += in.Shape[axis]
		k.chunks = append(k.chunks, in.Shape[axis]*inner)
	}
	if axisSum != out.Shape[axis] {
		return nil, fmt.Errorf("%w: CONCATENATION inputs sum to %d along axis %d, output has %d", ErrBadShape, axisSum, axis, out.Shape[axis])
	}
	k.total = out.Shape[axis] * inner
	return k, nil
}

// source is the per-element rule shared by Eval and Explain: the input
// position and flat element index output element elem is copied from.
func (k *concatKernel) source(elem int) (input, index int) {
	if k.total == 0 {
		return 0, 0
	}
	o, r := elem/k.total, elem%k.total
	for i, chunk := range k.chunks {
		if r < chunk {
			return i, o*chunk + r
		}
		r -= chunk
	}
	return len(k.chunks) - 1, 0 // unreachable: the chunks sum to total
}

func (k *concatKernel) Eval() error {
	for e := range k.out.NumElements() {
		i, idx := k.source(e)
		if rs := k.rescale[i]; rs != nil {
			k.out.Data[e] = byte(k.requantize(rs, k.ins[i].Data[idx], nil))
			continue
		}
		copyElement(k.out, e, k.ins[i], idx, k.size)
	}
	return nil
}

// requantize is full TFLite's uint8 rescaling of one input value.
func (k *concatKernel) requantize(rs *concatRescale, x byte, c *Chain) int32 {
	scaled := float32(float32(x) * rs.scale)
	r := math.Round(float64(float32(scaled + rs.bias)))
	v := int32(r) + k.out.ZP0()
	y := Clamp32(v, 0, 255)
	if c != nil {
		c.AddReal("x", int64(x), float64(rs.inScale)*float64(int32(x)-rs.inZP), "raw input value (uint8, quantized unlike the output)", "x = %d", x)
		c.AddReal("rescale", 0, float64(rs.scale), "float32 s_in·(1/s_out); bias = float32(−zp_in)·scale", "scale = %.9g, bias = %.9g", rs.scale, rs.bias)
		st := c.Add("round", int64(r), "roundf(float32(x·scale) + bias) (half away from zero)", "roundf(%.9g + %.9g) = %g", scaled, rs.bias, r)
		st.Changed = float32(r) != scaled+rs.bias
		c.Add("zp", int64(v), "plus the output zero point", "%g + %d = %d", r, k.out.ZP0(), v)
		st = c.Add("clamp", int64(y), "clamped to [0, 255]", "clamp(%d, 0, 255) = %d", v, y)
		st.Changed = y != v
	}
	return y
}

func (k *concatKernel) Explain(out, elem int, c *Chain) error {
	if err := checkExplainTarget(k.n, out, elem); err != nil {
		return err
	}
	i, idx := k.source(elem)
	if rs := k.rescale[i]; rs != nil {
		c.addSources(Source{Input: i, Element: idx})
		c.Final = int64(k.requantize(rs, k.ins[i].Data[idx], c))
		return nil
	}
	if c != nil {
		recordMove(c, i, k.ins[i], idx, "axis %d: output[%d] = input%d[%d]", k.axis, elem, i, idx)
	}
	return nil
}
