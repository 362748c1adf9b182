package oracle

// Index arithmetic of row-major (C-order) tensors, as TFLite lays them out,
// stated through strides: element idx of shape lives at Σ idx[d]·stride[d]
// with stride[d] = Π_{e>d} shape[e].

// strides returns the row-major strides of shape, and the element count.
func strides(shape []int) (st []int, count int) {
	st = make([]int, len(shape))
	count = 1
	for d := len(shape) - 1; d >= 0; d-- {
		st[d] = count
		count *= shape[d]
	}
	return st, count
}

// Unravel returns the multi-index of flat index i in shape.
func Unravel(i int, shape []int) []int {
	st, _ := strides(shape)
	idx := make([]int, len(shape))
	for d, s := range st {
		idx[d], i = i/s, i%s
	}
	return idx
}

// Ravel returns the flat index of multi-index idx in shape.
func Ravel(idx, shape []int) int {
	st, _ := strides(shape)
	f := 0
	for d, s := range st {
		f += idx[d] * s
	}
	return f
}

// BroadcastIndex is the flat index, in an input of shape in, of output
// element elem of an op whose output shape out broadcasts the input
// numpy-style, as TFLite's broadcasting ops do: the input shape is
// right-aligned with the output's and an input extent of 1 repeats
// (coordinate 0).
func BroadcastIndex(out, in []int, elem int) int {
	outIdx := Unravel(elem, out)
	st, _ := strides(in)
	off := len(out) - len(in)
	f := 0
	for d, s := range st {
		if in[d] != 1 {
			f += outIdx[d+off] * s
		}
	}
	return f
}
