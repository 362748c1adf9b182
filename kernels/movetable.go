package kernels

import (
	"errors"
	"fmt"

	"github.com/tflq/tflq-trace/tflite"
)

// moveMaxRank bounds the rank the per-element coordinate arrays handle.
const moveMaxRank = 8

// moveKernel is a prepared table-driven data-movement operator: the index-table
// kernel shared by the data-movement operators of the op-set work (TRANSPOSE,
// STRIDED_SLICE, SLICE, SPLIT, SPLIT_V, PACK, UNPACK, GATHER, GATHER_ND,
// SPACE_TO_DEPTH, DEPTH_TO_SPACE, BATCH_TO_SPACE_ND, SPACE_TO_BATCH_ND,
// MIRROR_PAD, REVERSE_V2, BROADCAST_TO, FILL, ZEROS_LIKE, DYNAMIC_UPDATE_SLICE,
// EMBEDDING_LOOKUP, SELECT_V2): every output element is one input element
// copied unchanged (or, for SPACE_TO_BATCH_ND padding and ZEROS_LIKE, the
// value 0), so each operator only has to say, for output element e of output
// o, which element of which input it copies:
//
//	output_o[e] = input_{from[o][e]}[src[o][e]]     (from = −1: the fill value 0)
//
// The operator's build function fills that table. When every operand that
// decides it (axes, begin/end, indices, conditions, ...) is constant, Prepare
// builds it once; otherwise Eval rebuilds it from the current operand values
// into the same preallocated slices, so Eval never allocates. Explain reads
// the same table, so its Final is the value Eval stored by construction.
type moveKernel struct {
	n    *Node
	outs []*Tensor
	size int       // bytes per element
	src  [][]int32 // src[o][e]: flat index in the input it copies
	from [][]int8  // from[o][e]: node input position, or −1 for the fill value 0
	// rule is the operator's rule in words, for explanations.
	rule string
	// build fills src and from; it must not allocate (it may run in Eval).
	build   func(k *moveKernel) error
	dynamic bool // rebuild in every Eval (some deciding operand is not constant)
	built   bool
	// explainDecision, when set, records in c the deciding operand elements
	// (index, condition, ...) behind output element elem of output out.
	explainDecision func(out, elem int, c *Chain)
}

// newMoveKernel allocates the table for n's outputs outs and builds it now
// when every tensor in deciding is constant (nil entries are ignored).
func newMoveKernel(n *Node, outs []*Tensor, rule string, build func(k *moveKernel) error, deciding ...*Tensor) (*moveKernel, error) {
	if len(outs) == 0 {
		return nil, fmt.Errorf("%w: %v has no output", ErrMissingInput, n.Op)
	}
	k := &moveKernel{n: n, outs: outs, size: outs[0].Type.Size(), rule: rule, build: build}
	for _, out := range outs {
		if out == nil {
			return nil, fmt.Errorf("%w: %v output missing", ErrMissingInput, n.Op)
		}
		if out.Type.Size() != k.size || len(out.Data) != out.NumElements()*k.size {
			return nil, fmt.Errorf("%w: %v output %v buffer does not match its shape %v", ErrBadShape, n.Op, out.Type, out.Shape)
		}
		if out.Rank() > moveMaxRank {
			return nil, fmt.Errorf("%w: %v output rank %d above %d", ErrBadShape, n.Op, out.Rank(), moveMaxRank)
		}
		k.src = append(k.src, make([]int32, out.NumElements()))
		k.from = append(k.from, make([]int8, out.NumElements()))
	}
	for _, t := range deciding {
		if t != nil && !t.Const {
			k.dynamic = true
		}
	}
	if !k.dynamic {
		if err := k.build(k); err != nil {
			return nil, err
		}
		k.built = true
	}
	return k, nil
}

func (k *moveKernel) Eval() error {
	if k.dynamic {
		if err := k.build(k); err != nil {
			if !errors.Is(err, ErrRuntime) {
				// The values that decide the table come from the graph:
				// whatever the builder refuses now (a perm giving another
				// shape, ...) is a check on this run's values.
				err = fmt.Errorf("%w: %w", ErrRuntime, err)
			}
			return err
		}
		k.built = true
	}
	size := k.size
	for o, out := range k.outs {
		src, from := k.src[o], k.from[o]
		for e := range src {
			dst := out.Data[e*size : (e+1)*size]
			if from[e] < 0 {
				clear(dst)
				continue
			}
			i := int(src[e])
			copy(dst, k.n.Inputs[from[e]].Data[i*size:(i+1)*size])
		}
	}
	return nil
}

func (k *moveKernel) Explain(out, elem int, c *Chain) error {
	if err := checkExplainTarget(k.n, out, elem); err != nil {
		return err
	}
	if out >= len(k.outs) {
		return fmt.Errorf("%w: %v output %d is not computed by this kernel", ErrBadElement, k.n.Op, out)
	}
	if !k.built {
		// A table decided by run-time operands exists only after Eval;
		// Explain only reads kernel state.
		return fmt.Errorf("%w: %v element %d: its source depends on run-time operands; run the model first", ErrBadElement, k.n.Op, elem)
	}
	if c == nil {
		return nil
	}
	if k.explainDecision != nil {
		k.explainDecision(out, elem, c)
	}
	pos, idx := int(k.from[out][elem]), int(k.src[out][elem])
	o := k.outs[out]
	if pos < 0 {
		c.Add("fill", 0, "no input element: the fill value 0", "%s: output%d%s = 0", k.rule, out, tflite.ShapeString(Unravel(elem, o.Shape)))
		c.Final = 0
		return nil
	}
	in := k.n.Inputs[pos]
	recordMove(c, pos, in, idx, "%s: output%d%s = input%d%s", k.rule, out, tflite.ShapeString(Unravel(elem, o.Shape)), pos, tflite.ShapeString(Unravel(idx, in.Shape)))
	return nil
}

// stridesOf returns the row-major strides of shape in a fixed-size array.
func stridesOf(shape []int) (s [moveMaxRank]int) {
	stride := 1
	for d := len(shape) - 1; d >= 0; d-- {
		s[d] = stride
		stride *= shape[d]
	}
	return s
}

// nextCoord advances coord (row-major) within shape.
func nextCoord(coord *[moveMaxRank]int, shape []int) {
	for d := len(shape) - 1; d >= 0; d-- {
		coord[d]++
		if coord[d] < shape[d] {
			return
		}
		coord[d] = 0
	}
}

// constInts reads every element of an integer tensor (for Prepare-time
// operands: axes, shapes, perm...).
func constInts(t *Tensor) []int {
	v := make([]int, t.NumElements())
	for i := range v {
		v[i] = int(t.Int(i))
	}
	return v
}

// checkIndexType checks that t is an int32 (or, when int64OK, int64) tensor.
func checkIndexType(n *Node, t *Tensor, what string, int64OK bool) error {
	if t == nil {
		return fmt.Errorf("%w: %v %s", ErrMissingInput, n.Op, what)
	}
	if t.Type == tflite.TypeInt32 || (int64OK && t.Type == tflite.TypeInt64) {
		return nil
	}
	return fmt.Errorf("%w: %v %s is %v", ErrUnsupportedType, n.Op, what, t.Type)
}

// checkDataType checks that in and every output share one of the listed dtypes.
func checkDataType(n *Node, in *Tensor, outs []*Tensor, types ...tflite.TensorType) error {
	if in == nil {
		return fmt.Errorf("%w: %v data input", ErrMissingInput, n.Op)
	}
	ok := false
	for _, t := range types {
		ok = ok || in.Type == t
	}
	if !ok {
		return fmt.Errorf("%w: %v of %v (accepts %v)", ErrUnsupportedType, n.Op, in.Type, types)
	}
	for i, out := range outs {
		if out == nil {
			return fmt.Errorf("%w: %v output %d", ErrMissingInput, n.Op, i)
		}
		if out.Type != in.Type {
			return fmt.Errorf("%w: %v input is %v, output %d is %v", ErrUnsupportedType, n.Op, in.Type, i, out.Type)
		}
	}
	if len(in.Data) != in.NumElements()*in.Type.Size() {
		return fmt.Errorf("%w: %v input buffer does not match its shape %v", ErrBadShape, n.Op, in.Shape)
	}
	if in.Rank() > moveMaxRank {
		return fmt.Errorf("%w: %v input rank %d above %d", ErrBadShape, n.Op, in.Rank(), moveMaxRank)
	}
	return nil
}

// firstOutput returns n's output 0 (nil if absent).
func firstOutput(n *Node) *Tensor {
	if len(n.Outputs) == 0 {
		return nil
	}
	return n.Outputs[0]
}

// normAxis resolves a possibly negative axis against rank.
func normAxis(n *Node, axis, rank int) (int, error) {
	if axis < 0 {
		axis += rank
	}
	if axis < 0 || axis >= rank {
		return 0, fmt.Errorf("%w: %v axis %d of a rank-%d tensor", ErrBadShape, n.Op, axis, rank)
	}
	return axis, nil
}

// checkShape checks that out has shape want.
func checkShape(n *Node, out *Tensor, want []int) error {
	if !sameShape(out.Shape, want) {
		return fmt.Errorf("%w: %v output shape %v, expected %v", ErrBadShape, n.Op, out.Shape, Shape(want))
	}
	return nil
}
