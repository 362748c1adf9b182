package kernels

import (
	"fmt"

	"github.com/tflq/tflq-trace/tflite"
)

// shapeKernel is a prepared SHAPE node. SHAPE outputs the dimensions of its
// input as an int32 (or int64) vector:
//
//	output[d] = input.shape[d]
//
// The input's values are not read. Dtypes: any input type.
type shapeKernel struct {
	n       *Node
	in, out *Tensor
}

// prepareShape prepares a SHAPE node (see shapeKernel for the formula).
func prepareShape(n *Node) (Kernel, error) {
	in, out := n.Input(0), firstOutput(n)
	if in == nil || out == nil {
		return nil, fmt.Errorf("%w: SHAPE needs an input and an output", ErrMissingInput)
	}
	if out.Type != tflite.TypeInt32 && out.Type != tflite.TypeInt64 {
		return nil, fmt.Errorf("%w: SHAPE output %v (int32 or int64)", ErrUnsupportedType, out.Type)
	}
	if err := checkShape(n, out, []int{in.Rank()}); err != nil {
		return nil, err
	}
	return &shapeKernel{n: n, in: in, out: out}, nil
}

func (k *shapeKernel) Eval() error {
	for d, v := range k.in.Shape {
		if k.out.Type == tflite.TypeInt64 {
			k.out.Int64()[d] = int64(v)
		} else {
			k.out.Int32()[d] = int32(v)
		}
	}
	return nil
}

func (k *shapeKernel) Explain(out, elem int, c *Chain) error {
	if err := checkExplainTarget(k.n, out, elem); err != nil {
		return err
	}
	if c != nil {
		v := int64(k.in.Shape[elem])
		c.Add("shape", v, fmt.Sprintf("dimension %d of the input's shape", elem), "shape(input)[%d] = %d (shape %v)", elem, v, k.in.Shape)
		c.Final = v
	}
	return nil
}
