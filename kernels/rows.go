package kernels

// int8Rows is the layout of the int8 kernels that compute each output row
// from the whole input row along the last axis (L2_NORMALIZATION,
// LOG_SOFTMAX): rows × depth elements, the same shape in and out.
type int8Rows struct {
	node        *Node
	in, out     *Tensor
	depth, rows int
}

func newInt8Rows(n *Node, in, out *Tensor) int8Rows {
	r := int8Rows{node: n, in: in, out: out, depth: in.Dim(-1)}
	if r.depth > 0 {
		r.rows = in.NumElements() / r.depth
	}
	return r
}

// rowFunc computes one row of kernel k into out (when non-nil); with c
// non-nil it records the row steps and those of element want, and returns
// that element.
type rowFunc[K any] func(k K, in, out []int8, want int, c *Chain) int32

// evalRows computes every row. row is the kernel's method expression, e.g.
// (*logSoftmaxKernel).row: one call per row.
func evalRows[K any](k K, r *int8Rows, row rowFunc[K]) {
	in, out := r.in.Int8(), r.out.Int8()
	for i := 0; i < r.rows; i++ {
		row(k, in[i*r.depth:(i+1)*r.depth], out[i*r.depth:(i+1)*r.depth], -1, nil)
	}
}

// explainRows records output element elem: its whole input row is the
// source.
func explainRows[K any](k K, r *int8Rows, row rowFunc[K], out, elem int, c *Chain) error {
	if err := checkExplainTarget(r.node, out, elem); err != nil {
		return err
	}
	i := elem / r.depth
	for j := 0; j < r.depth; j++ {
		c.addSources(Source{Input: 0, Element: i*r.depth + j})
	}
	c.Final = int64(row(k, r.in.Int8()[i*r.depth:(i+1)*r.depth], nil, elem-i*r.depth, c))
	return nil
}
