package kernels

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/tflq/tflq-trace/tflite"
)

// padMaxRank bounds the rank the per-element code handles with a fixed-size
// coordinate array (TFLite-Micro itself stops at 5).
const padMaxRank = 8

// padKernel is a prepared PAD or PADV2 node. PAD and PADV2 surround the input
// with a constant value. With before_d and after_d the paddings of dimension d
// (a constant int32 or int64 tensor of shape [rank, 2]), output element
// (c_0, …, c_{n−1}) is
//
//	input[c_0 − before_0, …, c_{n−1} − before_{n−1}]  when every index is inside the input,
//	pad value                                          otherwise.
//
// The pad value is what TFLite-Micro's PadEval uses: for PADV2 the constant
// tensor's raw value (input 2, copied unchanged); for PAD the output zero
// point for int8, and 0 for int16, int32 and float32 (int16 tensors are
// symmetric, so 0 is their zero point too). Dtypes: int8, int16, int32,
// float32.
type padKernel struct {
	n         *Node
	in, out   *Tensor
	before    []int
	inStrides []int
	size      int
	padBytes  []byte // the pad value's little-endian bytes
	padValue  int64  // the pad value as a Chain stores it (float32 bits for float32)
	padSource string // where the pad value comes from, for explanations
}

// preparePad prepares a PAD or PADV2 node (see padKernel for the formula).
func preparePad(n *Node) (Kernel, error) { return newPad(n, false) }

// newPad prepares the kernel; allowUint8 admits uint8 data (padded with the
// output zero point, as int8), for the XNNPACK delegate's constant pad.
func newPad(n *Node, allowUint8 bool) (*padKernel, error) {
	in, paddings := n.Input(0), n.Input(1)
	if len(n.Outputs) == 0 || paddings == nil {
		return nil, fmt.Errorf("%w: %v needs input, paddings and output", ErrMissingInput, n.Op)
	}
	out := n.Outputs[0]
	if err := checkMovable(n, in, out); err != nil {
		return nil, err
	}
	switch in.Type {
	case tflite.TypeInt8, tflite.TypeInt16, tflite.TypeInt32, tflite.TypeFloat32:
	case tflite.TypeUint8:
		if !allowUint8 {
			return nil, fmt.Errorf("%w: %v of %v", ErrUnsupportedType, n.Op, in.Type)
		}
	default:
		return nil, fmt.Errorf("%w: %v of %v", ErrUnsupportedType, n.Op, in.Type)
	}
	rank := in.Rank()
	if rank > padMaxRank || out.Rank() != rank {
		return nil, fmt.Errorf("%w: %v from rank %d to rank %d", ErrBadShape, n.Op, rank, out.Rank())
	}
	if !paddings.Const {
		return nil, fmt.Errorf("%w: %v paddings", ErrNotConstant, n.Op)
	}
	if paddings.Type != tflite.TypeInt32 && paddings.Type != tflite.TypeInt64 {
		return nil, fmt.Errorf("%w: %v paddings are %v", ErrUnsupportedType, n.Op, paddings.Type)
	}
	if paddings.NumElements() != 2*rank {
		return nil, fmt.Errorf("%w: %v paddings %v for a rank-%d input", ErrBadShape, n.Op, paddings.Shape, rank)
	}
	k := &padKernel{n: n, in: in, out: out, size: in.Type.Size(),
		before: make([]int, rank), inStrides: make([]int, rank), padBytes: make([]byte, in.Type.Size())}
	stride := 1
	for d := rank - 1; d >= 0; d-- {
		k.inStrides[d] = stride
		stride *= in.Shape[d]
		b, a := int(paddings.Int(2*d)), int(paddings.Int(2*d+1))
		// Checked without overflow: int64 paddings near 2^63 must not wrap
		// into a sum that matches.
		if b < 0 || a < 0 || b > out.Shape[d] || a != out.Shape[d]-in.Shape[d]-b {
			return nil, fmt.Errorf("%w: %v pads dimension %d of %v by (%d, %d) but the output is %v", ErrBadShape, n.Op, d, in.Shape, b, a, out.Shape)
		}
		k.before[d] = b
	}

	if cv := n.Input(2); cv != nil {
		if cv.Type != in.Type || cv.NumElements() < 1 || len(cv.Data) < k.size {
			return nil, fmt.Errorf("%w: %v constant value must be one %v", ErrUnsupportedType, n.Op, in.Type)
		}
		copy(k.padBytes, cv.Data[:k.size])
		k.padValue = chainValue(cv, 0)
		k.padSource = "the constant_values input"
	} else if in.Type == tflite.TypeInt8 || in.Type == tflite.TypeUint8 {
		zp := out.ZP0()
		k.padBytes[0] = byte(zp)
		k.padValue = int64(int8(zp))
		if in.Type == tflite.TypeUint8 {
			k.padValue = int64(uint8(zp))
		}
		k.padSource = "the output zero point"
	} else {
		// Zero bytes: 0, or +0.0 for float32 (whose bits are 0 too).
		k.padSource = "0 (TFLite-Micro pads " + in.Type.String() + " with 0)"
	}
	return k, nil
}

// source is the per-element rule shared by Eval and Explain: the flat input
// index output element elem copies, or −1 when it is padding.
func (k *padKernel) source(elem int) int {
	var coord [padMaxRank]int
	rank := len(k.before)
	for d := rank - 1; d >= 0; d-- {
		dim := k.out.Shape[d]
		coord[d] = elem % dim
		elem /= dim
	}
	idx := 0
	for d := range rank {
		c := coord[d] - k.before[d]
		if c < 0 || c >= k.in.Shape[d] {
			return -1
		}
		idx += c * k.inStrides[d]
	}
	return idx
}

// Eval computes what source says for every element, a run at a time: the
// output is filled with the pad value, then each run of the input that
// stays contiguous in the output — the innermost dimensions without
// padding and the last padded one — is copied to where source puts it
// (TestPadRowsMatchSource checks the two agree element by element).
func (k *padKernel) Eval() error {
	rank := len(k.before)
	out := k.out.Data[:k.out.NumElements()*k.size]
	if rank == 0 {
		copy(out, k.in.Data[:k.size])
		return nil
	}
	fillPattern(out, k.padBytes)
	if k.in.NumElements() == 0 {
		return nil
	}
	var outStrides [padMaxRank]int
	stride := 1
	for d := rank - 1; d >= 0; d-- {
		outStrides[d] = stride
		stride *= k.out.Shape[d]
	}
	// Dimensions inner..rank−1 form one contiguous run of the input and of
	// the output: those after inner are not padded.
	inner := rank - 1
	for inner > 0 && k.in.Shape[inner] == k.out.Shape[inner] {
		inner--
	}
	runLen := 1
	for d := inner; d < rank; d++ {
		runLen *= k.in.Shape[d]
	}
	runBytes := runLen * k.size
	in := k.in.Data[:k.in.NumElements()*k.size]
	var coord [padMaxRank]int // input coordinates of dimensions 0..inner−1
	for r := 0; r*runBytes < len(in); r++ {
		o := k.before[inner] * outStrides[inner]
		for d := range inner {
			o += (coord[d] + k.before[d]) * outStrides[d]
		}
		copy(out[o*k.size:o*k.size+runBytes], in[r*runBytes:(r+1)*runBytes])
		for d := inner - 1; d >= 0; d-- {
			if coord[d]++; coord[d] < k.in.Shape[d] {
				break
			}
			coord[d] = 0
		}
	}
	return nil
}

// fillPattern fills b with copies of pattern (len(b) a multiple of its
// length), doubling the filled prefix at each step.
func fillPattern(b, pattern []byte) {
	if len(b) == 0 {
		return
	}
	n := copy(b, pattern)
	for n < len(b) {
		n += copy(b[n:], b[:n])
	}
}

func (k *padKernel) Explain(out, elem int, c *Chain) error {
	if err := checkExplainTarget(k.n, out, elem); err != nil {
		return err
	}
	src := k.source(elem)
	if c == nil {
		return nil
	}
	if src >= 0 {
		recordMove(c, 0, k.in, src, "output[%d] = input[%d] (inside the padding)", elem, src)
		return nil
	}
	s := c.Add("pad", k.padValue, "padding: the pad value, "+k.padSource, "output[%d] = pad value %s", elem, k.padText())
	if k.in.Type == tflite.TypeFloat32 {
		s.Real, s.HasReal = float64(math.Float32frombits(binary.LittleEndian.Uint32(k.padBytes))), true
	}
	c.Final = k.padValue
	return nil
}

func (k *padKernel) padText() string {
	if k.in.Type == tflite.TypeFloat32 {
		return fmt.Sprint(math.Float32frombits(binary.LittleEndian.Uint32(k.padBytes)))
	}
	return fmt.Sprint(k.padValue)
}
