package kernels

import (
	"fmt"

	"github.com/tflq/tflq-trace/tflite"
)

// prepareFill prepares a FILL node. FILL sets every output element to the
// scalar value (input 1, rank 0, copied unchanged; its dtype is the output's):
//
//	output[e] = value
//
// The output shape is the model's; when the dims tensor (input 0) is constant
// it must equal that shape, as TFLite-Micro checks. Dtypes: float32, int8,
// int32.
func prepareFill(n *Node) (Kernel, error) {
	dims, value, out := n.Input(0), n.Input(1), firstOutput(n)
	if err := checkDataType(n, value, []*Tensor{out}, tflite.TypeFloat32, tflite.TypeInt8, tflite.TypeInt32); err != nil {
		return nil, err
	}
	if value.Rank() != 0 {
		return nil, fmt.Errorf("%w: FILL value has shape %v, must be a scalar", ErrBadShape, value.Shape)
	}
	if dims == nil {
		return nil, fmt.Errorf("%w: FILL dims", ErrMissingInput)
	}
	if dims.Const {
		switch dims.Type {
		case tflite.TypeInt8, tflite.TypeInt16, tflite.TypeInt32, tflite.TypeInt64:
		default:
			return nil, fmt.Errorf("%w: FILL dims are %v", ErrUnsupportedType, dims.Type)
		}
		if dims.Rank() != 1 {
			return nil, fmt.Errorf("%w: FILL dims has shape %v, must be a vector", ErrBadShape, dims.Shape)
		}
		if err := checkShape(n, out, constInts(dims)); err != nil {
			return nil, err
		}
	}
	build := func(k *moveKernel) error {
		src, from := k.src[0], k.from[0]
		for e := range src {
			src[e], from[e] = 0, 1
		}
		return nil
	}
	return newMoveKernel(n, []*Tensor{out}, "fill", build)
}

// prepareZerosLike prepares a ZEROS_LIKE node. ZEROS_LIKE sets every element of
// an output shaped like its input to 0 — the raw value 0, not the zero point,
// as TFLite-Micro does. Dtypes: float32, int8, int32, int64.
func prepareZerosLike(n *Node) (Kernel, error) {
	in, out := n.Input(0), firstOutput(n)
	if err := checkDataType(n, in, []*Tensor{out}, tflite.TypeFloat32, tflite.TypeInt8, tflite.TypeInt32, tflite.TypeInt64); err != nil {
		return nil, err
	}
	if in.NumElements() != out.NumElements() {
		return nil, fmt.Errorf("%w: ZEROS_LIKE of %v into %v", ErrBadShape, in.Shape, out.Shape)
	}
	build := func(k *moveKernel) error {
		for e := range k.from[0] {
			k.src[0][e], k.from[0][e] = 0, -1
		}
		return nil
	}
	return newMoveKernel(n, []*Tensor{out}, "zeros_like (raw 0, not the zero point)", build)
}
