package kernels

import (
	"fmt"
	"math"

	"github.com/tflq/tflq-trace/tflite"
)

// poolKernel is AVERAGE_POOL_2D or MAX_POOL_2D (int8, int16; NHWC), as TFLite's
// reference_integer_ops pooling. Legacy uint8 (which TFLite-Micro refuses) is
// full TFLite's reference_ops pooling: the same formulas, where the sum is
// never negative. float32 is TFLite's float reference: a float32 sum in window
// order divided by the float count, or the float maximum (a NaN never replaces
// the running maximum), then clamped to the float activation range (RELU [0,
// ∞), RELU6 [0, 6], RELU_N1_TO_1 [−1, 1]; a NaN passes through).
//
// For output (b, y, x, ch) the window is the filter placed at
// (y·stride_h − pad_h, x·stride_w − pad_w), cut to the part inside the input
// (padding cells are skipped, not counted):
//
//	AVERAGE: sum = Σ window (int32), count = number of cells inside,
//	         avg = sum > 0 ? (sum + count/2) / count : (sum − count/2) / count
//	         (C integer division, truncating: round half away from zero)
//	MAX:     max = max(lowest of dtype, window values)
//
// then clamped to the fused activation's range (ActivationRange). Input and
// output must share scale and zero point (TFLite-Micro checks this): values are
// never requantized. Padding is ComputePadding's; the output size must be
// ComputeOutSize's. A window with no cell inside the input makes
// AVERAGE_POOL_2D fail, as TFLite-Micro's Eval does.
type poolKernel struct {
	n                *Node
	in, out          *Tensor
	average          bool
	batches, depth   int
	inH, inW         int
	outH, outW       int
	filterH, filterW int
	strideH, strideW int
	padH, padW       int
	lo, hi           int32
	loF, hiF         float32 // float32 activation range
	act              tflite.Activation
	// xnnClamp says [lo, hi] is XNNPACK's quantization of the activation
	// (ImplXNNPACK), for explanations.
	xnnClamp bool
	// sums and best are evalPoolRows' per-channel scratch.
	sums, best []int32
}

// floatActivationRange is TFLite's CalculateActivationRange for float
// outputs.
func floatActivationRange(act tflite.Activation) (lo, hi float32) {
	switch act {
	case tflite.ActRelu:
		return 0, math.MaxFloat32
	case tflite.ActRelu6:
		return 0, 6
	case tflite.ActReluN1To1:
		return -1, 1
	}
	return -math.MaxFloat32, math.MaxFloat32
}

// preparePool prepares an AVERAGE_POOL_2D or MAX_POOL_2D node (see poolKernel
// for the formula).
func preparePool(n *Node) (Kernel, error) {
	in := n.Input(0)
	if in == nil || len(n.Outputs) == 0 || n.Outputs[0] == nil {
		return nil, fmt.Errorf("%w: %v needs an input and an output", ErrMissingInput, n.Op)
	}
	if err := requireOptions(n); err != nil {
		return nil, err
	}
	out := n.Outputs[0]
	switch in.Type {
	case tflite.TypeInt8, tflite.TypeInt16, tflite.TypeUint8, tflite.TypeFloat32:
	default:
		return nil, fmt.Errorf("%w: %v of %v", ErrUnsupportedType, n.Op, in.Type)
	}
	if out.Type != in.Type {
		return nil, fmt.Errorf("%w: %v input %v, output %v", ErrUnsupportedType, n.Op, in.Type, out.Type)
	}
	if in.Rank() != 4 || out.Rank() != 4 || in.Shape[0] != out.Shape[0] || in.Shape[3] != out.Shape[3] {
		return nil, fmt.Errorf("%w: %v from %v to %v (NHWC, same N and C)", ErrBadShape, n.Op, in.Shape, out.Shape)
	}
	if in.Type != tflite.TypeFloat32 && (!in.Quantized() || !out.Quantized()) {
		return nil, fmt.Errorf("%w: %v needs quantized input and output", ErrBadQuantization, n.Op)
	}
	if in.Type != tflite.TypeFloat32 && (math.Abs(float64(in.Scale0())-float64(out.Scale0())) > 1e-6 || in.ZP0() != out.ZP0()) {
		return nil, fmt.Errorf("%w: %v input (scale %g, zero point %d) and output (%g, %d) must match",
			ErrBadQuantization, n.Op, in.Scale0(), in.ZP0(), out.Scale0(), out.ZP0())
	}
	o := n.Options
	k := &poolKernel{n: n, in: in, out: out, average: n.Op == tflite.OpAveragePool2D,
		batches: in.Shape[0], inH: in.Shape[1], inW: in.Shape[2], depth: in.Shape[3],
		outH: out.Shape[1], outW: out.Shape[2],
		filterH: int(o.FilterH), filterW: int(o.FilterW), strideH: int(o.StrideH), strideW: int(o.StrideW), act: o.Activation}
	if k.filterH < 1 || k.filterW < 1 || k.strideH < 1 || k.strideW < 1 {
		return nil, fmt.Errorf("%w: %v filter %dx%d stride %dx%d", ErrBadShape, n.Op, k.filterH, k.filterW, k.strideH, k.strideW)
	}
	wantH := ComputeOutSize(o.Padding, k.inH, k.filterH, k.strideH, 1)
	wantW := ComputeOutSize(o.Padding, k.inW, k.filterW, k.strideW, 1)
	if wantH != k.outH || wantW != k.outW {
		return nil, fmt.Errorf("%w: %v %v padding of %v gives %dx%d, output is %v", ErrBadShape, n.Op, o.Padding, in.Shape, wantH, wantW, out.Shape)
	}
	k.sums, k.best = make([]int32, k.depth), make([]int32, k.depth)
	k.padH, k.padW = ComputePadding(o.Padding, k.strideH, k.strideW, 1, 1, k.inH, k.inW, k.filterH, k.filterW, k.outH, k.outW)
	if in.Type == tflite.TypeFloat32 {
		k.loF, k.hiF = floatActivationRange(k.act)
	} else {
		k.lo, k.hi = ActivationRange(k.act, out)
	}
	return k, nil
}

// window locates output element elem's window: batch b, channel ch, the
// filter origin in the input, and the filter rows/columns inside the input.
func (k *poolKernel) window(elem int) (b, ch, originY, originX, fyStart, fyEnd, fxStart, fxEnd int) {
	ch = elem % k.depth
	rest := elem / k.depth
	x := rest % k.outW
	rest /= k.outW
	y := rest % k.outH
	b = rest / k.outH
	originX = x*k.strideW - k.padW
	originY = y*k.strideH - k.padH
	fxStart, fxEnd = max(0, -originX), min(k.filterW, k.inW-originX)
	fyStart, fyEnd = max(0, -originY), min(k.filterH, k.inH-originY)
	return
}

// recordWindow records the window's extent.
func (k *poolKernel) recordWindow(c *Chain, b, ch, originY, originX, fyStart, fyEnd, fxStart, fxEnd, count int) {
	c.Add("window", int64(count), "input cells of the window inside the input (padding is skipped)",
		"rows %d..%d × cols %d..%d of the input at batch %d, channel %d: %d cells",
		originY+fyStart, originY+fyEnd-1, originX+fxStart, originX+fxEnd-1, b, ch, count)
}

// element is the per-element code shared by Eval and Explain: the stored
// value (float32 bits for float32). ok is false for an average over an empty
// window.
func (k *poolKernel) element(elem int, c *Chain) (v int64, ok bool) {
	if k.in.Type == tflite.TypeFloat32 {
		return k.elementFloat(elem, c)
	}
	b, ch, originY, originX, fyStart, fyEnd, fxStart, fxEnd := k.window(elem)
	var acc int32
	count := 0
	dtypeLo, _ := Range(k.in.Type)
	best := dtypeLo
	for fy := fyStart; fy < fyEnd; fy++ {
		for fx := fxStart; fx < fxEnd; fx++ {
			idx := ((b*k.inH+originY+fy)*k.inW+originX+fx)*k.depth + ch
			v := int32(k.in.Int(idx))
			acc += v
			count++
			best = max(best, v)
			if c != nil {
				c.addSources(Source{Input: 0, Element: idx})
			}
		}
	}
	if c != nil {
		k.recordWindow(c, b, ch, originY, originX, fyStart, fyEnd, fxStart, fxEnd, count)
	}
	var raw int32
	if k.average {
		if count == 0 {
			return 0, false
		}
		n := int32(count)
		if acc > 0 {
			raw = (acc + n/2) / n
		} else {
			raw = (acc - n/2) / n
		}
		if c != nil {
			c.Add("sum", int64(acc), "sum of the window's raw values", "Σ window = %d", acc)
			sign := "+"
			if acc <= 0 {
				sign = "−"
			}
			s := c.Add("average", int64(raw), "rounded division: (sum ± count/2) / count, truncating (half away from zero)",
				"(%d %s %d) / %d = %d", acc, sign, n/2, n, raw)
			s.Changed = acc%n != 0
		}
	} else {
		raw = best
		if c != nil {
			c.Add("max", int64(raw), "largest raw value in the window", "max(window) = %d", raw)
		}
	}
	out := Clamp32(raw, k.lo, k.hi)
	if c != nil {
		meaning := "clamped to the fused activation's range (" + k.act.String() + ")"
		if k.xnnClamp {
			meaning = "clamped to the fused activation's range (" + k.act.String() + ") as XNNPACK quantizes it: lrintf(bound/s_out + zp_out), ties to even"
		}
		s := c.Add("clamp", int64(out), meaning, "clamp(%d, %d, %d) = %d", raw, k.lo, k.hi, out)
		s.Changed = out != raw
		c.Final = int64(out)
	}
	return int64(out), true
}

// elementFloat is element for float32 tensors.
func (k *poolKernel) elementFloat(elem int, c *Chain) (v int64, ok bool) {
	b, ch, originY, originX, fyStart, fyEnd, fxStart, fxEnd := k.window(elem)
	src := k.in.Float32()
	var total float32
	best := float32(-math.MaxFloat32)
	count := 0
	for fy := fyStart; fy < fyEnd; fy++ {
		for fx := fxStart; fx < fxEnd; fx++ {
			idx := ((b*k.inH+originY+fy)*k.inW+originX+fx)*k.depth + ch
			x := src[idx]
			total += x
			count++
			if x > best {
				best = x
			}
			if c != nil {
				c.addSources(Source{Input: 0, Element: idx})
			}
		}
	}
	if c != nil {
		k.recordWindow(c, b, ch, originY, originX, fyStart, fyEnd, fxStart, fxEnd, count)
	}
	raw := best
	if k.average {
		if count == 0 {
			return 0, false
		}
		raw = total / float32(count)
		if c != nil {
			c.AddReal("sum", int64(math.Float32bits(total)), float64(total), "float32 sum of the window in order", "Σ window = %g", total)
			c.AddReal("average", int64(math.Float32bits(raw)), float64(raw), "sum / count in float32", "%g / %d = %g", total, count, raw)
		}
	} else if c != nil {
		c.AddReal("max", int64(math.Float32bits(raw)), float64(raw), "largest value in the window", "max(window) = %g", raw)
	}
	out := raw
	if out < k.loF {
		out = k.loF
	}
	if out > k.hiF {
		out = k.hiF
	}
	bits := int64(math.Float32bits(out))
	if c != nil {
		s := c.AddReal("clamp", bits, float64(out), "clamped to the fused activation's float range ("+k.act.String()+")",
			"clamp(%g, %g, %g) = %g", raw, k.loF, k.hiF, out)
		s.Changed = out != raw
		c.Final = bits
	}
	return bits, true
}

func (k *poolKernel) Eval() error {
	n := k.out.NumElements()
	switch k.out.Type {
	case tflite.TypeInt8:
		return evalPoolRows(k, k.in.Int8(), k.out.Int8()[:n])
	case tflite.TypeInt16:
		return evalPoolRows(k, k.in.Int16(), k.out.Int16()[:n])
	case tflite.TypeUint8:
		return evalPoolRows(k, k.in.Uint8(), k.out.Uint8()[:n])
	case tflite.TypeFloat32:
		dst := k.out.Float32()[:n]
		for e := range dst {
			v, ok := k.element(e, nil)
			if !ok {
				return k.emptyWindow(e)
			}
			dst[e] = math.Float32frombits(uint32(v))
		}
	}
	return nil
}

// evalPoolRows stores every element of an integer output, what element
// computes, a pixel at a time: the window's bounds once per output pixel,
// its channels' sums and maxima side by side (TestPoolRowsMatchElement).
func evalPoolRows[T int8 | int16 | uint8](k *poolKernel, in, dst []T) error {
	dtypeLo, _ := Range(k.in.Type)
	d := k.depth
	sums, best := k.sums[:d], k.best[:d]
	e := 0
	for b := range k.batches {
		for y := range k.outH {
			originY := y*k.strideH - k.padH
			fyStart, fyEnd := max(0, -originY), min(k.filterH, k.inH-originY)
			for x := range k.outW {
				originX := x*k.strideW - k.padW
				fxStart, fxEnd := max(0, -originX), min(k.filterW, k.inW-originX)
				count := max(fyEnd-fyStart, 0) * max(fxEnd-fxStart, 0)
				if k.average && count == 0 && d > 0 {
					return k.emptyWindow(e)
				}
				clear(sums)
				for ch := range best {
					best[ch] = dtypeLo
				}
				for fy := fyStart; fy < fyEnd; fy++ {
					for fx := fxStart; fx < fxEnd; fx++ {
						idx := ((b*k.inH+originY+fy)*k.inW + originX + fx) * d
						for ch, v := range in[idx : idx+d] {
							sums[ch] += int32(v)
							best[ch] = max(best[ch], int32(v))
						}
					}
				}
				out := dst[e : e+d]
				for ch := range out {
					raw := best[ch]
					if k.average {
						n, acc := int32(count), sums[ch]
						if acc > 0 {
							raw = (acc + n/2) / n
						} else {
							raw = (acc - n/2) / n
						}
					}
					out[ch] = T(Clamp32(raw, k.lo, k.hi))
				}
				e += d
			}
		}
	}
	return nil
}

func (k *poolKernel) emptyWindow(elem int) error {
	return fmt.Errorf("%w: %v output element %d averages an empty window", ErrRuntime, k.n.Op, elem)
}

func (k *poolKernel) Explain(out, elem int, c *Chain) error {
	if err := checkExplainTarget(k.n, out, elem); err != nil {
		return err
	}
	if _, ok := k.element(elem, c); !ok {
		return k.emptyWindow(elem)
	}
	return nil
}

// Describe reports the fused activation's clamp range (integer types) and
// the padding.
func (k *poolKernel) Describe() Params {
	return Params{HasClamp: k.in.Type != tflite.TypeFloat32, ClampMin: k.lo, ClampMax: k.hi, Ints: []NamedInt{
		{Name: "filter_h", Value: int64(k.filterH)}, {Name: "filter_w", Value: int64(k.filterW)},
		{Name: "stride_h", Value: int64(k.strideH)}, {Name: "stride_w", Value: int64(k.strideW)},
		{Name: "pad_h", Value: int64(k.padH)}, {Name: "pad_w", Value: int64(k.padW)},
	}}
}
