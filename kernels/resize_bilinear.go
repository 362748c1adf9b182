package kernels

import (
	"fmt"
	"math"

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
//
// LiteRT's reference kernel (ImplTFLiteRef) also takes legacy uint8, through
// reference_ops::ResizeBilinear<uint8_t>, in float32:
//
//	scale = float32(I)/float32(O)  (align_corners and O > 1: float32(I−1)/float32(O−1))
//	v     = o·scale, or (o + 0.5)·scale − 0.5 with half_pixel_centers
//	lo    = max(int32(floor(v)), 0),  hi = min(int32(ceil(v)), I − 1),  d = v − lo
//	y     = uint8(in[y0,x0]·(1−dy)·(1−dx) + in[y1,x0]·dy·(1−dx)
//	            + in[y0,x1]·(1−dy)·dx + in[y1,x1]·dy·dx + 0.5)      (left to right, truncation)
//
// From source (no uint8 golden for full TFLite's kernels; the 2022 optimized
// uint8 kernel is not implemented: the XNNPACK delegate takes uint8
// RESIZE_BILINEAR in that build).
type resizeBilinearKernel struct {
	// float32 selects LiteRT's uint8 reference path.
	float32                   bool
	heightScaleF, widthScaleF float32
	node                      *Node
	in, out                   *Tensor
	batches, depth            int
	inH, inW, outH, outW      int32
	heightScale, widthScale   int32 // Q.10
	halfPixelCenters          bool
	alignCorners              bool
}

// prepareResizeBilinearRef prepares uint8 RESIZE_BILINEAR as LiteRT's
// reference kernel (see resizeBilinearKernel); other dtypes are not taken.
func prepareResizeBilinearRef(n *Node) (Kernel, error) {
	if in := n.Input(0); in == nil || in.Type != tflite.TypeUint8 {
		return nil, fmt.Errorf("%w: LiteRT's int8 RESIZE_BILINEAR is TFLite-Micro's", errNotTaken)
	}
	return newResizeBilinear(n, true)
}

// prepareResizeBilinear prepares a RESIZE_BILINEAR node (see
// resizeBilinearKernel for the formula).
func prepareResizeBilinear(n *Node) (Kernel, error) { return newResizeBilinear(n, false) }

// newResizeBilinear prepares TFLite-Micro's kernel, or with uint8Float
// LiteRT's uint8 float path.
func newResizeBilinear(n *Node, uint8Float bool) (Kernel, error) {
	in, size := n.Input(0), n.Input(1)
	if in == nil || size == nil || len(n.Outputs) < 1 || n.Outputs[0] == nil {
		return nil, fmt.Errorf("%w: RESIZE_BILINEAR needs input, size and output", ErrMissingInput)
	}
	out := n.Outputs[0]
	want := tflite.TypeInt8
	if uint8Float {
		want = tflite.TypeUint8
	}
	if in.Type != want || out.Type != want {
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
	if uint8Float {
		k.float32 = true
		k.heightScaleF = resizeBilinearScaleFloat(k.inH, k.outH, k.alignCorners)
		k.widthScaleF = resizeBilinearScaleFloat(k.inW, k.outW, k.alignCorners)
	}
	if err := k.checkAxis("height", "row", k.inH, k.outH, k.heightScale, k.heightScaleF); err != nil {
		return nil, err
	}
	if err := k.checkAxis("width", "column", k.inW, k.outW, k.widthScale, k.widthScaleF); err != nil {
		return nil, err
	}
	return k, nil
}

// checkAxis refuses an axis where TFLite's arithmetic is undefined: the
// Q.10 scale's numerator 1024·in (1024·(in−1) with align_corners) or the
// last output's Q.10 source coordinate overflowing int32 (an input extent
// of 2^21 or more), or the last
// output's lower source index past the input (the lower bound is clamped
// at 0 only, so an upsampling by about 1024 or more, or a float32
// coordinate rounding up, reads outside the tensor). The source coordinate
// grows with the output position, so the last one decides.
func (k *resizeBilinearKernel) checkAxis(extent, index string, in, out, scale int32, scaleF float32) error {
	last := out - 1
	var lo int64
	if k.float32 {
		_, lo32, _ := k.interpolationValuesFloat(last, scaleF, in)
		lo = int64(lo32)
	} else {
		// resizeBilinearScale's numerator: 1024·(in−1) with align_corners.
		span := int64(in)
		if k.alignCorners && out > 1 {
			span--
		}
		if span<<10 > math.MaxInt32 {
			return fmt.Errorf("%w: RESIZE_BILINEAR input %s %d: its Q.10 scale 1024·%d overflows TFLite's int32 (undefined there)",
				ErrBadShape, extent, in, span)
		}
		v := int64(last) * int64(scale)
		if k.halfPixelCenters {
			v += int64(scale/2) - 1<<9
		}
		if v > math.MaxInt32 {
			return fmt.Errorf("%w: RESIZE_BILINEAR %s %d → %d: the Q.10 source coordinate of output %d, %d·%d, overflows TFLite's int32 (undefined there)",
				ErrBadShape, extent, in, out, last, last, scale)
		}
		lo = max(v/(1<<10), 0)
	}
	if lo > int64(in-1) {
		return fmt.Errorf("%w: RESIZE_BILINEAR %s %d → %d: the source %s of output %d is %d, past the input (TFLite would read outside the tensor)",
			ErrBadShape, extent, in, out, index, last, lo)
	}
	return nil
}

// resizeBilinearScaleFloat is the float32 ratio of input to output extent of
// reference_ops::ResizeBilinear.
func resizeBilinearScaleFloat(in, out int32, alignCorners bool) float32 {
	if alignCorners && out > 1 {
		return float32(in-1) / float32(out-1)
	}
	return float32(in) / float32(out)
}

// interpolationValuesFloat is ComputeInterpolationValues (float32): the
// source coordinate of output position o and its two neighbouring indices.
func (k *resizeBilinearKernel) interpolationValuesFloat(o int32, scale float32, inSize int32) (v float32, lo, hi int32) {
	if k.halfPixelCenters {
		v = float32(float32(float32(o)+0.5)*scale) - 0.5
	} else {
		v = float32(o) * scale
	}
	lo = max(int32(math.Floor(float64(v))), 0)
	hi = min(int32(math.Ceil(float64(v))), inSize-1)
	return v, lo, hi
}

// elementFloat is LiteRT's uint8 output (b, y, x, ch), recording in c when
// non-nil.
func (k *resizeBilinearKernel) elementFloat(b, y, x, ch int32, c *Chain) uint8 {
	vy, y0, y1 := k.interpolationValuesFloat(y, k.heightScaleF, k.inH)
	vx, x0, x1 := k.interpolationValuesFloat(x, k.widthScaleF, k.inW)
	dy, dx := vy-float32(y0), vx-float32(x0)
	in := k.in.Data
	at := func(yy, xx int32) int {
		return ((int(b)*int(k.inH)+int(yy))*int(k.inW)+int(xx))*k.depth + int(ch)
	}
	i00, i10, i01, i11 := at(y0, x0), at(y1, x0), at(y0, x1), at(y1, x1)
	t00 := float32(float32(float32(in[i00])*(1-dy)) * (1 - dx))
	t10 := float32(float32(float32(in[i10])*dy) * (1 - dx))
	t01 := float32(float32(float32(in[i01])*(1-dy)) * dx)
	t11 := float32(float32(float32(in[i11])*dy) * dx)
	sum := float32(float32(float32(float32(t00+t10)+t01)+t11) + 0.5)
	out := uint8(sum)
	if c != nil {
		c.addSources(Source{Input: 0, Element: i00}, Source{Input: 0, Element: i10},
			Source{Input: 0, Element: i01}, Source{Input: 0, Element: i11})
		c.AddReal("src_y", int64(y0), float64(vy), "source row in float32 (rows y0, y1)", "y = %d → %.9g (rows %d, %d)", y, vy, y0, y1)
		c.AddReal("src_x", int64(x0), float64(vx), "source column in float32 (columns x0, x1)", "x = %d → %.9g (columns %d, %d)", x, vx, x0, x1)
		c.AddReal("sum", int64(out), float64(sum), "float32 weighted sum of the four raw corners, left to right, + 0.5",
			"%d·(1−%.6g)·(1−%.6g) + %d·%.6g·(1−%.6g) + %d·(1−%.6g)·%.6g + %d·%.6g·%.6g + 0.5 = %.9g",
			in[i00], dy, dx, in[i10], dy, dx, in[i01], dy, dx, in[i11], dy, dx, sum)
		st := c.Add("truncate", int64(out), "converted to uint8 (truncation)", "uint8(%.9g) = %d", sum, out)
		st.Changed = float32(out) != sum
	}
	return out
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
		c.addSources(Source{Input: 0, Element: i00}, Source{Input: 0, Element: i10},
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
	if k.float32 {
		i := 0
		for b := int32(0); b < int32(k.batches); b++ {
			for y := int32(0); y < k.outH; y++ {
				for x := int32(0); x < k.outW; x++ {
					for ch := int32(0); ch < int32(k.depth); ch++ {
						k.out.Data[i] = k.elementFloat(b, y, x, ch, nil)
						i++
					}
				}
			}
		}
		return nil
	}
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
	if k.float32 {
		c.Final = int64(k.elementFloat(int32(b), int32(y), int32(x), int32(ch), c))
		return nil
	}
	c.Final = int64(k.element(int32(b), int32(y), int32(x), int32(ch), c))
	return nil
}

func (k *resizeBilinearKernel) Describe() Params {
	return Params{Ints: []NamedInt{
		{Name: "height_scale_q10", Value: int64(k.heightScale)},
		{Name: "width_scale_q10", Value: int64(k.widthScale)},
	}}
}
