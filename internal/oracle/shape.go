package oracle

// Index arithmetic of row-major (C-order) tensors, as TFLite lays them out.

// NumElements is the product of the extents of shape (1 for a scalar).
func NumElements(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// Unravel returns the multi-index of flat index i in shape.
func Unravel(i int, shape []int) []int {
	idx := make([]int, len(shape))
	for d := len(shape) - 1; d >= 0; d-- {
		idx[d] = i % shape[d]
		i /= shape[d]
	}
	return idx
}

// Ravel returns the flat index of multi-index idx in shape.
func Ravel(idx, shape []int) int {
	f := 0
	for d := range shape {
		f = f*shape[d] + idx[d]
	}
	return f
}

// BroadcastIndex maps the multi-index outIdx of an output to the flat index
// of an input of shape in broadcast against it numpy-style, as TFLite's
// broadcasting ops do (NdArrayDescsForElementwiseBroadcast): the input shape
// is right-aligned with the output's, and an input extent of 1 repeats.
func BroadcastIndex(outIdx, in []int) int {
	off := len(outIdx) - len(in)
	f := 0
	for d, n := range in {
		c := outIdx[d+off]
		if n == 1 {
			c = 0
		}
		f = f*n + c
	}
	return f
}
