package kernels

import (
	"fmt"

	"github.com/tflq/tflq-trace/tflite"
)

// xnnResizeBilinear is RESIZE_BILINEAR as the XNNPACK delegate runs it
// (Resize Bilinear NHWC S8/U8): Q11 weights and one rounding, no
// requantization. Per axis (in → out pixels), in float32:
//
//	adj   = align_corners && out ≠ 1 ? 1 : 0
//	scale = float32(in − adj) / float32(out − adj)
//	pos   = float32(o)·scale                         (legacy, align_corners)
//	pos   = clamp(float32(o)·scale + (0.5·scale − 0.5), 0, in − 1)   (half_pixel_centers)
//	i0 = trunc(pos), i1 = min(i0 + 1, in − 1), α = round_half_even((pos − i0)·2048)
//
// and per output element, with the four input codes tl, tr, bl, br:
//
//	t   = (tl << 11) + (tr − tl)·αx
//	b   = (bl << 11) + (br − bl)·αx
//	out = ((t << 11) + (b − t)·αy + 2^21) >> 22      (round half up)
//
// Source: XNNPACK xnn_indirection_init_resize_bilinear2d_hwc_q11,
// s8-ibilinear wasmsimd-dot16x2-c8 (u8 likewise); the delegate's
// VisitResizeBilinearNode.
type xnnResizeBilinear struct {
	n                  *Node
	in, out            *Tensor
	batch, inH, inW, c int
	outH, outW         int
	y0, y1, x0, x1     []int
	ay, ax             []int32
}

// prepareResizeBilinearXNNPACK prepares a RESIZE_BILINEAR node the XNNPACK
// delegate takes: 4-D per-tensor 8-bit input and output, a constant int32
// size vector of positive values. The output must have the input's
// quantization (else the delegate fails to build).
func prepareResizeBilinearXNNPACK(n *Node) (Kernel, error) {
	if len(n.Inputs) != 2 || len(n.Outputs) != 1 {
		return nil, xnnNotTaken(n, "%d inputs and %d outputs", len(n.Inputs), len(n.Outputs))
	}
	in, size, out := n.Inputs[0], n.Inputs[1], n.Outputs[0]
	switch {
	case !xnnQ8(in) || !xnnShape(in, 4, 4):
		return nil, xnnNotTaken(n, "input is not a 4-D per-tensor int8/uint8 tensor")
	case size == nil || size.Type != tflite.TypeInt32 || size.Rank() != 1 || !size.Const:
		return nil, xnnNotTaken(n, "size is not a constant int32 vector")
	case !xnnQ8(out) || !xnnShape(out, 4, 4):
		return nil, xnnNotTaken(n, "output is not a 4-D per-tensor int8/uint8 tensor")
	}
	for _, d := range size.Int32() {
		if d <= 0 {
			return nil, xnnNotTaken(n, "size %v", size.Int32())
		}
	}
	if err := xnnUnrequantizedDefine(n, in, out); err != nil {
		return nil, err
	}
	k := &xnnResizeBilinear{n: n, in: in, out: out, batch: in.Shape[0], inH: in.Shape[1], inW: in.Shape[2], c: in.Shape[3],
		outH: out.Shape[1], outW: out.Shape[2]}
	if out.Shape[0] != k.batch || out.Shape[3] != k.c {
		return nil, xnnFallback(n, "output %v for input %v", out.Shape, in.Shape)
	}
	align, half := n.Options.AlignCorners, n.Options.HalfPixelCenters
	k.y0, k.y1, k.ay = xnnBilinearAxis(k.inH, k.outH, align, half)
	k.x0, k.x1, k.ax = xnnBilinearAxis(k.inW, k.outW, align, half)
	// The float32 source position grows with the output position; past
	// 2^24 it can round up to the input's extent, where XNNPACK's index
	// leaves the tensor and what it computes is not known.
	for _, axis := range []struct {
		extent string
		in     int
		i0     []int
	}{{"height", k.inH, k.y0}, {"width", k.inW, k.x0}} {
		if n := len(axis.i0); n > 0 && axis.i0[n-1] > axis.in-1 {
			return nil, fmt.Errorf("%w: RESIZE_BILINEAR %s %d → %d: XNNPACK's float32 source index of output %d rounds to %d, past the input",
				ErrBadShape, axis.extent, axis.in, n, n-1, axis.i0[n-1])
		}
	}
	return k, nil
}

// xnnBilinearAxis computes, for each output position along one axis, the
// two input indices and the Q11 weight of the second.
func xnnBilinearAxis(in, out int, align, half bool) (i0, i1 []int, alpha []int32) {
	adj := 0
	if align && out != 1 {
		adj = 1
	}
	scale := float32(in-adj) / float32(out-adj)
	offset := float32(float32(0.5*scale) - 0.5)
	i0, i1, alpha = make([]int, out), make([]int, out), make([]int32, out)
	for o := range out {
		pos := float32(float32(o) * scale)
		if half && !align {
			pos = float32(pos + offset)
			pos = min(max(pos, 0), float32(in-1))
		}
		t := int(pos)
		i0[o], i1[o] = t, min(t+1, in-1)
		alpha[o] = int32(roundHalfEven32(float32(float32(pos-float32(t)) * 2048)))
	}
	return i0, i1, alpha
}

// element computes output element elem; Eval and Explain share it.
func (k *xnnResizeBilinear) element(elem int, c *Chain) int32 {
	ch := elem % k.c
	rest := elem / k.c
	ox := rest % k.outW
	rest /= k.outW
	oy := rest % k.outH
	b := rest / k.outH
	at := func(y, x int) int { return ((b*k.inH+y)*k.inW+x)*k.c + ch }
	itl, itr, ibl, ibr := at(k.y0[oy], k.x0[ox]), at(k.y0[oy], k.x1[ox]), at(k.y1[oy], k.x0[ox]), at(k.y1[oy], k.x1[ox])
	tl, tr, bl, br := int32(k.in.Int(itl)), int32(k.in.Int(itr)), int32(k.in.Int(ibl)), int32(k.in.Int(ibr))
	ax, ay := k.ax[ox], k.ay[oy]
	top := tl<<11 + (tr-tl)*ax
	bottom := bl<<11 + (br-bl)*ax
	acc := top<<11 + (bottom-top)*ay
	out := (acc + 1<<21) >> 22
	if c != nil {
		c.addSources(Source{Input: 0, Element: itl}, Source{Input: 0, Element: itr}, Source{Input: 0, Element: ibl}, Source{Input: 0, Element: ibr})
		c.Add("taps", int64(tl), "the four input codes: top-left, top-right, bottom-left, bottom-right",
			"rows %d,%d × cols %d,%d: %d %d %d %d", k.y0[oy], k.y1[oy], k.x0[ox], k.x1[ox], tl, tr, bl, br)
		c.Add("alpha_x", int64(ax), "XNNPACK's Q11 horizontal weight round_half_even(frac(pos_x)·2048)", "αx = %d/2048", ax)
		c.Add("alpha_y", int64(ay), "XNNPACK's Q11 vertical weight round_half_even(frac(pos_y)·2048)", "αy = %d/2048", ay)
		c.Add("top", int64(top), "(tl << 11) + (tr − tl)·αx", "(%d << 11) + (%d)·%d = %d", tl, tr-tl, ax, top)
		c.Add("bottom", int64(bottom), "(bl << 11) + (br − bl)·αx", "(%d << 11) + (%d)·%d = %d", bl, br-bl, ax, bottom)
		c.Add("acc", int64(acc), "(top << 11) + (bottom − top)·αy (Q22)", "(%d << 11) + (%d)·%d = %d", top, bottom-top, ay, acc)
		s := c.AddReal("round_shift", int64(out), float64(out-k.out.ZP0())*float64(k.out.Scale0()), "(acc + 2^21) >> 22: round half up (no requantization)",
			"(%d + 2^21) >> 22 = %d", acc, out)
		s.Changed = acc&(1<<22-1) != 0
	}
	return out
}

func (k *xnnResizeBilinear) Eval() error {
	for e := range k.out.NumElements() {
		storeIntElement(k.out, e, k.element(e, nil))
	}
	return nil
}

func (k *xnnResizeBilinear) Explain(out, elem int, c *Chain) error {
	if err := checkExplainTarget(k.n, out, elem); err != nil {
		return err
	}
	c.Final = int64(k.element(elem, c))
	return nil
}
