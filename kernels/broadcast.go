package kernels

import "fmt"

// MaxBroadcastRank is the largest rank TFLite-Micro's broadcasting binary
// kernels handle (BroadcastBinaryFunction6DSlow / NdArrayDesc<6>).
const MaxBroadcastRank = 6

// Broadcast maps each element of a binary operator's output to the element
// of each input it reads under numpy-style broadcasting, as TFLite's
// NdArrayDescsForElementwiseBroadcast does: both shapes are right-aligned and
// extended with leading 1s to MaxBroadcastRank dimensions, and an input
// dimension of extent 1 facing a larger one gets stride 0.
type Broadcast struct {
	// Out is the output shape, extended to MaxBroadcastRank dimensions.
	Out [MaxBroadcastRank]int
	// Strides[k][d] is the step in input k's flat index per step of output
	// dimension d (0 where input k is broadcast along d).
	Strides [2][MaxBroadcastRank]int
	// Same reports identical input shapes: output element i reads element
	// i of both inputs.
	Same bool
}

// NewBroadcast derives the broadcast of shapes a and b. It returns the
// output shape (rank max(len(a), len(b))) and fails with ErrBadShape when a
// rank exceeds MaxBroadcastRank or two dimensions differ with neither 1.
func NewBroadcast(a, b []int) (Broadcast, []int, error) {
	var bc Broadcast
	if len(a) > MaxBroadcastRank || len(b) > MaxBroadcastRank {
		return bc, nil, fmt.Errorf("%w: broadcast of %v and %v: rank above %d", ErrBadShape, Shape(a), Shape(b), MaxBroadcastRank)
	}
	rank := max(len(a), len(b))
	outShape := make([]int, rank)
	var ext [2][MaxBroadcastRank]int
	for k, s := range [2][]int{a, b} {
		for d := range MaxBroadcastRank {
			ext[k][d] = 1
		}
		copy(ext[k][MaxBroadcastRank-len(s):], s)
	}
	for d := range MaxBroadcastRank {
		ea, eb := ext[0][d], ext[1][d]
		switch {
		case ea == eb, eb == 1:
			bc.Out[d] = ea
		case ea == 1:
			bc.Out[d] = eb
		default:
			return bc, nil, fmt.Errorf("%w: shapes %v and %v do not broadcast", ErrBadShape, Shape(a), Shape(b))
		}
	}
	for k := range 2 {
		stride := 1
		for d := MaxBroadcastRank - 1; d >= 0; d-- {
			if ext[k][d] == bc.Out[d] {
				bc.Strides[k][d] = stride
			}
			stride *= ext[k][d]
		}
	}
	copy(outShape, bc.Out[MaxBroadcastRank-rank:])
	bc.Same = sameShape(a, b)
	return bc, outShape, nil
}

func sameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Index returns the flat indices into input 1 and input 2 that output
// element elem reads.
func (bc *Broadcast) Index(elem int) (i1, i2 int) {
	if bc.Same {
		return elem, elem
	}
	for d := MaxBroadcastRank - 1; d >= 0; d-- {
		pos := elem % bc.Out[d]
		elem /= bc.Out[d]
		i1 += pos * bc.Strides[0][d]
		i2 += pos * bc.Strides[1][d]
	}
	return i1, i2
}

// BroadcastCursor walks the output of a Broadcast in row-major order,
// keeping the input indices I1 and I2 of the current element without
// divisions. Start it with Broadcast.Cursor and call Next after each element.
type BroadcastCursor struct {
	bc     *Broadcast
	pos    [MaxBroadcastRank]int
	I1, I2 int
}

// Cursor returns a cursor on output element 0.
func (bc *Broadcast) Cursor() BroadcastCursor { return BroadcastCursor{bc: bc} }

// Next advances to the following output element.
func (c *BroadcastCursor) Next() {
	bc := c.bc
	for d := MaxBroadcastRank - 1; d >= 0; d-- {
		c.pos[d]++
		c.I1 += bc.Strides[0][d]
		c.I2 += bc.Strides[1][d]
		if c.pos[d] < bc.Out[d] {
			return
		}
		c.I1 -= bc.Strides[0][d] * bc.Out[d]
		c.I2 -= bc.Strides[1][d] * bc.Out[d]
		c.pos[d] = 0
	}
}
