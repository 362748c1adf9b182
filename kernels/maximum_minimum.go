package kernels

import (
	"fmt"

	"github.com/tflq/tflq-trace/tflite"
)

// maximumMinimumKernel is MAXIMUM or MINIMUM (int8, int16, int32), after
// TFLite-Micro's maximum_minimum.cc with
// reference_ops::MaximumMinimumBroadcastSlow. No Prepare parameters and no
// requantization: the raw values are compared, so the output must share the
// inputs' quantization (the converter keeps them equal). Per output element,
// reading the inputs through broadcasting:
//
//	MAXIMUM: y = x1 > x2 ? x1 : x2
//	MINIMUM: y = x1 < x2 ? x1 : x2
type maximumMinimumKernel struct {
	binaryOperands
	maximum bool
}

// prepareMaximumMinimum prepares a MAXIMUM or MINIMUM node (see
// maximumMinimumKernel for the formula).
func prepareMaximumMinimum(n *Node) (Kernel, error) { return newMaximumMinimum(n, false) }

// prepareMaximumMinimumTFLite prepares MAXIMUM or MINIMUM as full TFLite's
// maximum_minimum.cc does (ImplTFLite): the same raw comparison, legacy uint8
// too (no quantization check). uint8 MAXIMUM ran as a TFLite builtin in the
// oracle's uint8 probes (research notes uint8.md); no shared golden.
func prepareMaximumMinimumTFLite(n *Node) (Kernel, error) { return newMaximumMinimum(n, true) }

// newMaximumMinimum prepares the kernel; allowUint8 admits uint8.
func newMaximumMinimum(n *Node, allowUint8 bool) (Kernel, error) {
	in1, in2 := n.Input(0), n.Input(1)
	if in1 == nil || in2 == nil || len(n.Outputs) < 1 || n.Outputs[0] == nil {
		return nil, fmt.Errorf("%w: %v needs two inputs and one output", ErrMissingInput, n.Op)
	}
	out := n.Outputs[0]
	switch out.Type {
	case tflite.TypeInt8, tflite.TypeInt16, tflite.TypeInt32:
	case tflite.TypeUint8:
		if !allowUint8 {
			return nil, fmt.Errorf("%w: %v of %v", ErrUnsupportedType, n.Op, out.Type)
		}
	default:
		return nil, fmt.Errorf("%w: %v of %v", ErrUnsupportedType, n.Op, out.Type)
	}
	if in1.Type != out.Type || in2.Type != out.Type {
		return nil, fmt.Errorf("%w: %v with inputs %v, %v and output %v", ErrUnsupportedType, n.Op, in1.Type, in2.Type, out.Type)
	}
	k := &maximumMinimumKernel{maximum: n.Op == tflite.OpMaximum}
	var err error
	if k.binaryOperands, err = newBinaryOperands(n, in1, in2, out); err != nil {
		return nil, err
	}
	return k, nil
}

// element picks one output value from the raw inputs, recording in c when non-nil.
func (k *maximumMinimumKernel) element(x1, x2 int32, c *Chain) int32 {
	first := x1 < x2
	if k.maximum {
		first = x1 > x2
	}
	y := x2
	if first {
		y = x1
	}
	if c != nil {
		c.Add("x1", int64(x1), "raw value of input 1", "x1 = %d", x1)
		c.Add("x2", int64(x2), "raw value of input 2", "x2 = %d", x2)
		if k.maximum {
			c.Add("max", int64(y), "the larger raw value (x1 > x2 ? x1 : x2); no requantization", "max(%d, %d) = %d", x1, x2, y)
		} else {
			c.Add("min", int64(y), "the smaller raw value (x1 < x2 ? x1 : x2); no requantization", "min(%d, %d) = %d", x1, x2, y)
		}
	}
	return y
}

func (k *maximumMinimumKernel) Eval() error {
	return evalBinary(k, &k.binaryOperands, (*maximumMinimumKernel).element)
}

func (k *maximumMinimumKernel) Explain(out, elem int, c *Chain) error {
	return explainBinary(k, &k.binaryOperands, (*maximumMinimumKernel).element, out, elem, c)
}
