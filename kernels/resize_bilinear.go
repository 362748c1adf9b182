package kernels

import (
	"fmt"

	"github.com/tflq/tflq-trace/tflite"
)

// resizeBilinearKernel is RESIZE_BILINEAR (int8), after TFLite-Micro's
// resize_bilinear.cc with reference_ops::ResizeBilinearInteger: all index math
// in Q.10 integers, no float. The size operand is a constant int32 [2] equal to
// the output's H, W; align_corners and half_pixel_centers are exclusive.
// Scales, per axis with input extent I and output extent O (integer division
// truncates):
//
//	scale = (2^10·I + O/2) / O,  or with align_corners and O > 1:
//	        (2^10·(I−1) + (O−1)/2) / (O−1)
//	v     = o·scale  (+ scale/2 − 2^9 with half_pixel_centers)        source coordinate, Q.10
//	lo    = max(v / 2^10, 0),   hi = min((v + 2^10 − 1) / 2^10, I − 1)
//
// Per output element, with fy = v_y − 2^10·y0 and fx = v_x − 2^10·x0:
//
//	acc = in[y0,x0]·(2^10−fy)(2^10−fx) + in[y1,x0]·fy(2^10−fx)
//	    + in[y0,x1]·(2^10−fy)·fx       + in[y1,x1]·fy·fx            (int64, Q.20)
//	y   = (acc + (acc > 0 ? 2^19 : −2^19)) / 2^20       double rounding (truncating division)
//	y   = (acc + 2^19) >> 20                             TFLITE_SINGLE_ROUNDING
//
// stored as int8 without clamping (a convex combination stays in range). The
// values are raw: input and output share their quantization.
type resizeBilinearKernel struct {
	node                    *Node
	in, out                 *Tensor
	batches, depth          int
	inH, inW, outH, outW    int32
	heightScale, widthScale int32 // Q.10
	halfPixelCenters        bool
	alignCorners            bool
}

// prepareResizeBilinear prepares a RESIZE_BILINEAR node (see
// resizeBilinearKernel for the formula).
func prepareResizeBilinear(n *Node) (Kernel, error) {
	in, size := n.Input(0), n.Input(1)
	if in == nil || size == nil || len(n.Outputs) < 1 || n.Outputs[0] == nil {
		return nil, fmt.Errorf("%w: RESIZE_BILINEAR needs input, size and output", ErrMissingInput)
	}
	out := n.Outputs[0]
	if in.Type != tflite.TypeInt8 || out.Type != tflite.TypeInt8 {
		return nil, fmt.Errorf("%w: RESIZE_BILINEAR %v → %v", ErrUnsupportedType, in.Type, out.Type)
	}
	if in.Rank() != 4 || out.Rank() != 4 || in.Shape[0] != out.Shape[0] || in.Shape[3] != out.Shape[3] {
		return nil, fmt.Errorf("%w: RESIZE_BILINEAR from %v to %v (rank 4 with equal batch and depth)", ErrBadShape, in.Shape, out.Shape)
	}
	if size.Type != tflite.TypeInt32 || size.Rank() != 1 || size.NumElements() != 2 {
		return nil, fmt.Errorf("%w: RESIZE_BILINEAR size must be int32[2], is %v%v", ErrBadShape, size.Type, size.Shape)
	}
	if !size.Const {
		return nil, fmt.Errorf("%w: RESIZE_BILINEAR size", ErrNotConstant)
	}
	if int(size.Int(0)) != out.Shape[1] || int(size.Int(1)) != out.Shape[2] || size.Int(0) < 1 || size.Int(1) < 1 {
		return nil, fmt.Errorf("%w: RESIZE_BILINEAR size [%d %d] but output %v", ErrBadShape, size.Int(0), size.Int(1), out.Shape)
	}
	k := &resizeBilinearKernel{node: n, in: in, out: out, batches: in.Shape[0], depth: in.Shape[3],
		inH: int32(in.Shape[1]), inW: int32(in.Shape[2]), outH: int32(out.Shape[1]), outW: int32(out.Shape[2])}
	k.alignCorners, k.halfPixelCenters = n.Options.AlignCorners, n.Options.HalfPixelCenters
	if k.alignCorners && k.halfPixelCenters {
		return nil, fmt.Errorf("%w: RESIZE_BILINEAR: if half_pixel_centers is true, align_corners must be false", ErrBadShape)
	}
	k.heightScale = resizeBilinearScale(k.inH, k.outH, k.alignCorners)
	k.widthScale = resizeBilinearScale(k.inW, k.outW, k.alignCorners)
	return k, nil
}

// resizeBilinearScale is the Q.10 ratio of input to output extent, rounded.
func resizeBilinearScale(in, out int32, alignCorners bool) int32 {
	if alignCorners && out > 1 {
		return ((1<<10)*(in-1) + (out-1)/2) / (out - 1)
	}
	return ((1<<10)*in + out/2) / out
}

// interpolationValues is ComputeInterpolationValuesInteger: the Q.10 source
// coordinate of output position o and the two neighbouring input indices.
func (k *resizeBilinearKernel) interpolationValues(o, scale, inSize int32) (v, lo, hi int32) {
	if k.halfPixelCenters {
		v = o*scale + scale/2 - (1 << 9)
	} else {
		v = o * scale
	}
	lo = max(v/(1<<10), 0)
	hi = min((v+(1<<10)-1)/(1<<10), inSize-1)
	return v, lo, hi
}

// element computes output (b, y, x, ch), recording in c when non-nil.
func (k *resizeBilinearKernel) element(b, y, x, ch int32, c *Chain) int8 {
	vy, y0, y1 := k.interpolationValues(y, k.heightScale, k.inH)
	vx, x0, x1 := k.interpolationValues(x, k.widthScale, k.inW)
	fy, fx := int64(vy-(1<<10)*y0), int64(vx-(1<<10)*x0)
	in := k.in.Int8()
	at := func(yy, xx int32) int {
		return ((int(b)*int(k.inH)+int(yy))*int(k.inW)+int(xx))*k.depth + int(ch)
	}
	i00, i10, i01, i11 := at(y0, x0), at(y1, x0), at(y0, x1), at(y1, x1)
	p00 := int64(in[i00]) * ((1 << 10) - fy) * ((1 << 10) - fx)
	p10 := int64(in[i10]) * fy * ((1 << 10) - fx)
	p01 := int64(in[i01]) * ((1 << 10) - fy) * fx
	p11 := int64(in[i11]) * fy * fx
	acc := p00 + p10 + p01 + p11
	var out int8
	if k.node.Rounding == RoundingSingle {
		out = int8((acc + 1<<19) >> 20)
	} else {
		round := int64(1 << 19)
		if acc <= 0 {
			round = -(1 << 19)
		}
		out = int8((acc + round) / (1 << 20))
	}
	if c != nil {
		c.Sources = append(c.Sources, Source{Input: 0, Element: i00}, Source{Input: 0, Element: i10},
			Source{Input: 0, Element: i01}, Source{Input: 0, Element: i11})
		c.Add("scale_y", int64(k.heightScale), "input/output height ratio in Q.10", "scale_y = %d", k.heightScale)
		c.Add("scale_x", int64(k.widthScale), "input/output width ratio in Q.10", "scale_x = %d", k.widthScale)
		c.AddReal("src_y", int64(vy), float64(vy)/1024, "source row in Q.10", "y = %d → %d (rows %d, %d)", y, vy, y0, y1)
		c.AddReal("src_x", int64(vx), float64(vx)/1024, "source column in Q.10", "x = %d → %d (columns %d, %d)", x, vx, x0, x1)
		c.Add("p00", p00, "in[y0,x0]·(1024−fy)·(1024−fx)", "%d·%d·%d = %d", in[i00], 1024-fy, 1024-fx, p00)
		c.Add("p10", p10, "in[y1,x0]·fy·(1024−fx)", "%d·%d·%d = %d", in[i10], fy, 1024-fx, p10)
		c.Add("p01", p01, "in[y0,x1]·(1024−fy)·fx", "%d·%d·%d = %d", in[i01], 1024-fy, fx, p01)
		c.Add("p11", p11, "in[y1,x1]·fy·fx", "%d·%d·%d = %d", in[i11], fy, fx, p11)
		c.AddReal("acc", acc, (float64(acc)/(1<<20)-float64(k.in.ZP0()))*float64(k.in.Scale0()),
			"weighted sum of the raw corner values in Q.20", "%d + %d + %d + %d = %d", p00, p10, p01, p11, acc)
		var s *Step
		if k.node.Rounding == RoundingSingle {
			s = c.Add("round", int64(out), "single rounding: (acc + 2^19) >> 20", "(%d + 2^19) >> 20 = %d", acc, out)
		} else {
			sign := "+"
			if acc <= 0 {
				sign = "−"
			}
			s = c.Add("round", int64(out), "double-rounding build: (acc ± 2^19) / 2^20 with the sign of acc (− for 0), division truncating",
				"(%d %s 2^19) / 2^20 = %d", acc, sign, out)
		}
		s.Changed = acc&(1<<20-1) != 0
	}
	return out
}

func (k *resizeBilinearKernel) Eval() error {
	o := k.out.Int8()
	i := 0
	for b := int32(0); b < int32(k.batches); b++ {
		for y := int32(0); y < k.outH; y++ {
			for x := int32(0); x < k.outW; x++ {
				for ch := int32(0); ch < int32(k.depth); ch++ {
					o[i] = k.element(b, y, x, ch, nil)
					i++
				}
			}
		}
	}
	return nil
}

func (k *resizeBilinearKernel) Explain(out, elem int, c *Chain) error {
	if err := checkExplainTarget(k.node, out, elem); err != nil {
		return err
	}
	ch := elem % k.depth
	rest := elem / k.depth
	x := rest % int(k.outW)
	rest /= int(k.outW)
	y := rest % int(k.outH)
	b := rest / int(k.outH)
	c.Final = int64(k.element(int32(b), int32(y), int32(x), int32(ch), c))
	return nil
}

func (k *resizeBilinearKernel) Describe() Params {
	return Params{Ints: []NamedInt{
		{Name: "height_scale_q10", Value: int64(k.heightScale)},
		{Name: "width_scale_q10", Value: int64(k.widthScale)},
	}}
}
