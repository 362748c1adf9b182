package kernels

import (
	"fmt"

	"github.com/tflq/tflq-trace/tflite"
)

// reverseTypes are the dtypes REVERSE_V2 accepts.
var reverseTypes = []tflite.TensorType{tflite.TypeFloat32, tflite.TypeInt8, tflite.TypeUint8, tflite.TypeInt16,
	tflite.TypeInt32, tflite.TypeInt64, tflite.TypeBool}

// prepareReverse prepares a REVERSE_V2 node. REVERSE_V2 reverses its input
// along each axis listed in input 1 (int32, negatives count from the end; read
// when the operator runs):
//
//	output[c_0, …] = input[x_0, …],  x_d = N_d − 1 − c_d on a listed axis, c_d otherwise
//
// Values are copied unchanged. Dtypes: float32, int8, uint8, int16, int32,
// int64, bool.
func prepareReverse(n *Node) (Kernel, error) {
	in, axes, out := n.Input(0), n.Input(1), firstOutput(n)
	if err := checkDataType(n, in, []*Tensor{out}, reverseTypes...); err != nil {
		return nil, err
	}
	if err := checkIndexType(n, axes, "axis", false); err != nil {
		return nil, err
	}
	if err := checkShape(n, out, in.Shape); err != nil {
		return nil, err
	}
	rank := in.Rank()
	if axes.NumElements() > rank {
		return nil, fmt.Errorf("%w: REVERSE_V2 of %d axes of a rank-%d input", ErrBadShape, axes.NumElements(), rank)
	}
	inStrides := stridesOf(in.Shape)
	build := func(k *moveKernel) error {
		var flip [moveMaxRank]bool
		for i := range axes.NumElements() {
			a := int(axes.Int(i))
			if a < 0 {
				a += rank
			}
			if a < 0 || a >= rank {
				return fmt.Errorf("%w: REVERSE_V2 axis %d of a rank-%d input", ErrBadShape, axes.Int(i), rank)
			}
			flip[a] = true
		}
		var coord [moveMaxRank]int
		src, from := k.src[0], k.from[0]
		for e := range src {
			x := 0
			for d := range rank {
				c := coord[d]
				if flip[d] {
					c = in.Shape[d] - 1 - c
				}
				x += c * inStrides[d]
			}
			src[e], from[e] = int32(x), 0
			nextCoord(&coord, out.Shape)
		}
		return nil
	}
	return newMoveKernel(n, []*Tensor{out}, "reverse", build, axes)
}
