package kernels

import (
	"fmt"

	"github.com/tflq/tflq-trace/tflite"
)

// argMinMaxKernel is a prepared ARG_MAX or ARG_MIN node. ARG_MAX and ARG_MIN
// return, along one axis (input 1, one int32 value, negatives count from the
// end; read when the operator runs), the position of the largest (smallest) raw
// input value, as TFLite's reference ArgMinMax:
//
//	outer = product of the dimensions before the axis, inner = after it
//	output[o·inner + r] = first i in [0, N) with input[(o·N + i)·inner + r]
//	                      strictly greater (less) than every earlier candidate
//
// so ties keep the lowest index. Quantized inputs compare their raw values
// (one scale, so the order is the real values' order). Output int32 (the only
// one TFLite-Micro writes). Dtypes: float32, int8.
type argMinMaxKernel struct {
	n             *Node
	in, axis, out *Tensor
	isMax         bool
}

// prepareArgMinMax prepares an ARG_MAX or ARG_MIN node (see argMinMaxKernel for
// the formula).
func prepareArgMinMax(n *Node) (Kernel, error) { return newArgMinMax(n, false) }

// prepareArgMinMaxTFLite prepares ARG_MAX or ARG_MIN as full TFLite's
// arg_min_max.cc does (ImplTFLite, reference and optimized alike): the same
// rule, also for legacy uint8 inputs and an int64 output. From source; no
// uint8 golden for full TFLite's kernels.
func prepareArgMinMaxTFLite(n *Node) (Kernel, error) { return newArgMinMax(n, true) }

// newArgMinMax prepares TFLite-Micro's kernel, or full TFLite's with
// fullTFLite (uint8 input, int64 output).
func newArgMinMax(n *Node, fullTFLite bool) (Kernel, error) {
	in, axis, out := n.Input(0), n.Input(1), firstOutput(n)
	types := []tflite.TensorType{tflite.TypeFloat32, tflite.TypeInt8}
	if fullTFLite {
		types = append(types, tflite.TypeUint8)
	}
	if err := checkDataType(n, in, nil, types...); err != nil {
		return nil, err
	}
	if err := checkIndexType(n, axis, "axis", false); err != nil {
		return nil, err
	}
	if out == nil || (out.Type != tflite.TypeInt32 && !(fullTFLite && out.Type == tflite.TypeInt64)) {
		return nil, fmt.Errorf("%w: %v output must be int32", ErrUnsupportedType, n.Op)
	}
	if axis.NumElements() != 1 {
		return nil, fmt.Errorf("%w: %v axis has %d values, needs 1", ErrBadShape, n.Op, axis.NumElements())
	}
	k := &argMinMaxKernel{n: n, in: in, axis: axis, out: out, isMax: n.Op == tflite.OpArgMax}
	if axis.Const {
		if _, _, _, err := k.geometry(); err != nil {
			return nil, err
		}
	}
	return k, nil
}

// geometry resolves the axis and returns N, outer and inner.
func (k *argMinMaxKernel) geometry() (axisSize, outer, inner int, err error) {
	rank := k.in.Rank()
	a := int(k.axis.Int(0))
	if a < 0 {
		a += rank
	}
	if a < 0 || a >= rank {
		return 0, 0, 0, fmt.Errorf("%w: %v axis %d of a rank-%d input", ErrBadShape, k.n.Op, k.axis.Int(0), rank)
	}
	outer, inner = NumElements(k.in.Shape[:a]), NumElements(k.in.Shape[a+1:])
	if k.out.NumElements() != outer*inner {
		return 0, 0, 0, fmt.Errorf("%w: %v of %v along axis %d into %v", ErrBadShape, k.n.Op, k.in.Shape, a, k.out.Shape)
	}
	return k.in.Shape[a], outer, inner, nil
}

// value returns input element i as a float64 (exact for int8 and float32).
func (k *argMinMaxKernel) value(i int) float64 {
	switch k.in.Type {
	case tflite.TypeFloat32:
		return float64(k.in.Float32()[i])
	case tflite.TypeUint8:
		return float64(k.in.Data[i])
	}
	return float64(int8(k.in.Data[i]))
}

// element computes output element e.
func (k *argMinMaxKernel) element(e, axisSize, inner int, c *Chain) int32 {
	o, r := e/inner, e%inner
	base := o*axisSize*inner + r
	best, bestV := 0, k.value(base)
	word := "smallest"
	if k.isMax {
		word = "largest"
	}
	if c != nil {
		c.addSources(Source{Input: 0, Element: base})
		c.Add("candidate", 0, "first candidate", "index 0: input[%d] = %v", base, bestV)
	}
	for i := 1; i < axisSize; i++ {
		at := base + i*inner
		v := k.value(at)
		better := v < bestV
		if k.isMax {
			better = v > bestV
		}
		if c != nil {
			c.addSources(Source{Input: 0, Element: at})
		}
		if better {
			best, bestV = i, v
			if c != nil {
				s := c.Add("candidate", int64(i), "new "+word+" value (strictly; ties keep the earlier index)", "index %d: input[%d] = %v", i, at, v)
				s.Changed = true
			}
		}
	}
	if c != nil {
		c.Add("index", int64(best), "position of the "+word+" value along the axis", "arg = %d (value %v)", best, bestV)
		c.Final = int64(best)
	}
	return int32(best)
}

func (k *argMinMaxKernel) Eval() error {
	axisSize, _, inner, err := k.geometry()
	if err != nil {
		// A constant axis was checked at prepare: this one is computed by
		// the graph, so its refusal is a run-time check.
		return fmt.Errorf("%w: %w", ErrRuntime, err)
	}
	if k.out.Type == tflite.TypeInt64 {
		dst := k.out.Int64()
		for e := range dst {
			dst[e] = int64(k.element(e, axisSize, inner, nil))
		}
		return nil
	}
	dst := k.out.Int32()
	for e := range dst {
		dst[e] = k.element(e, axisSize, inner, nil)
	}
	return nil
}

func (k *argMinMaxKernel) Explain(out, elem int, c *Chain) error {
	if err := checkExplainTarget(k.n, out, elem); err != nil {
		return err
	}
	axisSize, _, inner, err := k.geometry()
	if err != nil {
		return err
	}
	k.element(elem, axisSize, inner, c)
	return nil
}
