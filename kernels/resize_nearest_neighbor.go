package kernels

import (
	"fmt"
	"math"

	"github.com/tflq/tflq-trace/tflite"
)

// resizeNearestKernel is a prepared RESIZE_NEAREST_NEIGHBOR node.
// RESIZE_NEAREST_NEIGHBOR copies, for every output pixel (b, y, x), the input
// pixel (b, in_y, in_x) with all its channels. Each source coordinate is
// TFLite-Micro's GetNearestNeighbor, evaluated in float32 exactly as the C++
// does:
//
//	scale = (in−1)/(out−1)   if align_corners and out > 1
//	        in/out           otherwise
//	p     = (v + offset)·scale,  offset = 0.5 with half_pixel_centers, else 0
//	src   = min(align_corners ? round(p) : floor(p), in−1)   (round = half away from zero)
//	src   = max(src, 0)                                       with half_pixel_centers
//
// Shapes of rank < 4 are extended with leading 1s to [N, H, W, C]; the size
// operand (a constant int32 [2]) must equal the output's H and W. Dtypes:
// int8, int16, uint8, float32 (values are copied unchanged).
type resizeNearestKernel struct {
	n                *Node
	in, out          *Tensor
	batches, depth   int
	inH, inW         int
	outH, outW       int
	alignCorners     bool
	halfPixelCenters bool
	size             int
}

// extendTo4D returns shape with leading 1s to rank 4 (ok false above rank 4).
func extendTo4D(shape []int) (s [4]int, ok bool) {
	if len(shape) > 4 {
		return s, false
	}
	s = [4]int{1, 1, 1, 1}
	copy(s[4-len(shape):], shape)
	return s, true
}

// prepareResizeNearestNeighbor prepares a RESIZE_NEAREST_NEIGHBOR node (see
// resizeNearestKernel for the formula).
func prepareResizeNearestNeighbor(n *Node) (Kernel, error) {
	in, size := n.Input(0), n.Input(1)
	if len(n.Outputs) == 0 || size == nil {
		return nil, fmt.Errorf("%w: RESIZE_NEAREST_NEIGHBOR needs input, size and output", ErrMissingInput)
	}
	out := n.Outputs[0]
	if err := checkMovable(n, in, out); err != nil {
		return nil, err
	}
	switch in.Type {
	case tflite.TypeInt8, tflite.TypeInt16, tflite.TypeUint8, tflite.TypeFloat32:
	default:
		return nil, fmt.Errorf("%w: RESIZE_NEAREST_NEIGHBOR of %v", ErrUnsupportedType, in.Type)
	}
	is, ok1 := extendTo4D(in.Shape)
	os, ok2 := extendTo4D(out.Shape)
	if !ok1 || !ok2 || is[0] != os[0] || is[3] != os[3] {
		return nil, fmt.Errorf("%w: RESIZE_NEAREST_NEIGHBOR from %v to %v", ErrBadShape, in.Shape, out.Shape)
	}
	if size.Type != tflite.TypeInt32 || size.NumElements() != 2 {
		return nil, fmt.Errorf("%w: RESIZE_NEAREST_NEIGHBOR size must be int32[2], is %v%v", ErrBadShape, size.Type, size.Shape)
	}
	if !size.Const {
		return nil, fmt.Errorf("%w: RESIZE_NEAREST_NEIGHBOR size", ErrNotConstant)
	}
	if int(size.Int(0)) != os[1] || int(size.Int(1)) != os[2] {
		return nil, fmt.Errorf("%w: RESIZE_NEAREST_NEIGHBOR size [%d %d] but output %v", ErrBadShape, size.Int(0), size.Int(1), out.Shape)
	}
	k := &resizeNearestKernel{n: n, in: in, out: out, batches: is[0], depth: is[3],
		inH: is[1], inW: is[2], outH: os[1], outW: os[2], size: in.Type.Size()}
	k.alignCorners, k.halfPixelCenters = n.Options.AlignCorners, n.Options.HalfPixelCenters
	return k, nil
}

// nearestNeighbor is TFLite-Micro's GetNearestNeighbor: the source
// coordinate of output coordinate v along an axis of inSize → outSize. With c
// non-nil it records the computation under the name axis.
func nearestNeighbor(v, inSize, outSize int, alignCorners, halfPixelCenters bool, axis string, c *Chain) int {
	var scale float32
	if alignCorners && outSize > 1 {
		scale = float32(inSize-1) / float32(outSize-1)
	} else {
		scale = float32(inSize) / float32(outSize)
	}
	var offset float32
	if halfPixelCenters {
		offset = 0.5
	}
	p := float32(float32(v)+offset) * scale
	var src int
	if alignCorners {
		src = int(int32(math.Round(float64(p))))
	} else {
		src = int(int32(math.Floor(float64(p))))
	}
	raw := src
	src = min(src, inSize-1)
	if halfPixelCenters {
		src = max(src, 0)
	}
	if c != nil {
		op := "floor"
		if alignCorners {
			op = "round"
		}
		s := c.AddReal(axis, int64(src), float64(p),
			fmt.Sprintf("source %s coordinate of output %s = %d", axis, axis, v),
			"%s((%d + %g) · %g) = %s(%g) = %d, limited to [0, %d] → %d", op, v, offset, scale, op, p, raw, inSize-1, src)
		s.Changed = src != raw
	}
	return src
}

// source is the per-element rule shared by Eval and Explain: the flat input
// index output element elem copies.
func (k *resizeNearestKernel) source(elem int, c *Chain) int {
	ch := elem % k.depth
	rest := elem / k.depth
	x := rest % k.outW
	rest /= k.outW
	y := rest % k.outH
	b := rest / k.outH
	inY := nearestNeighbor(y, k.inH, k.outH, k.alignCorners, k.halfPixelCenters, "y", c)
	inX := nearestNeighbor(x, k.inW, k.outW, k.alignCorners, k.halfPixelCenters, "x", c)
	return ((b*k.inH+inY)*k.inW+inX)*k.depth + ch
}

func (k *resizeNearestKernel) Eval() error {
	for e := range k.out.NumElements() {
		copyElement(k.out, e, k.in, k.source(e, nil), k.size)
	}
	return nil
}

func (k *resizeNearestKernel) Explain(out, elem int, c *Chain) error {
	if err := checkExplainTarget(k.n, out, elem); err != nil {
		return err
	}
	src := k.source(elem, c)
	if c != nil {
		recordMove(c, 0, k.in, src, "output[%d] = input[%d] (align_corners=%v, half_pixel_centers=%v)", elem, src, k.alignCorners, k.halfPixelCenters)
	}
	return nil
}
