package kernels

import (
	"fmt"
	"math"

	"github.com/tflq/tflq-trace/tflite"
)

// castInputTypes are the input dtypes CAST accepts.
var castInputTypes = []tflite.TensorType{tflite.TypeInt8, tflite.TypeInt16, tflite.TypeInt32, tflite.TypeUint32, tflite.TypeFloat32, tflite.TypeBool}

// castKernel is a prepared CAST node. CAST converts each element to the output
// dtype with C++'s static_cast, as TFLite-Micro's cast.cc does (quantization
// parameters are ignored):
//
//	integer → narrower integer: two's-complement truncation (keep the low
//	    bits: int16 300 → int8 44, int32 −129 → int8 127), not saturation
//	integer → wider integer: sign extension (uint32 and bool zero-extend)
//	integer → float32: rounded to the nearest float32 (ties to even)
//	float32 → integer: truncated toward zero; a value that does not fit
//	    (or NaN) gives what the x86 conversion instruction gives: INT32_MIN
//	    for int8/int16/int32 targets before the truncation to the target's
//	    width, and for uint32 the 64-bit conversion's low 32 bits
//
// Inputs: int8, int16, int32, uint32, float32, bool. Outputs: int8, int16,
// int32, uint32, float32 (TFLite-Micro writes nothing for other outputs;
// this kernel refuses them). Explanations of float32 outputs record the
// stored float's bits in Final.
type castKernel struct {
	n       *Node
	in, out *Tensor
}

// prepareCast prepares a CAST node (see castKernel for the formula).
func prepareCast(n *Node) (Kernel, error) {
	in, out := n.Input(0), firstOutput(n)
	if in == nil || out == nil {
		return nil, fmt.Errorf("%w: CAST needs an input and an output", ErrMissingInput)
	}
	ok := false
	for _, t := range castInputTypes {
		ok = ok || in.Type == t
	}
	if !ok {
		return nil, fmt.Errorf("%w: CAST from %v", ErrUnsupportedType, in.Type)
	}
	switch out.Type {
	case tflite.TypeInt8, tflite.TypeInt16, tflite.TypeInt32, tflite.TypeUint32, tflite.TypeFloat32:
	default:
		return nil, fmt.Errorf("%w: CAST to %v", ErrUnsupportedType, out.Type)
	}
	if in.NumElements() != out.NumElements() || len(in.Data) != in.NumElements()*in.Type.Size() || len(out.Data) != out.NumElements()*out.Type.Size() {
		return nil, fmt.Errorf("%w: CAST from %v to %v", ErrBadShape, in.Shape, out.Shape)
	}
	return &castKernel{n: n, in: in, out: out}, nil
}

// floatToInt32x86 is cvttss2si: truncation toward zero, INT32_MIN when the
// result does not fit (or for NaN).
func floatToInt32x86(f float32) int32 {
	t := math.Trunc(float64(f))
	if t != t || t < math.MinInt32 || t > math.MaxInt32 {
		return math.MinInt32
	}
	return int32(t)
}

// floatToInt64x86 is the 64-bit cvttss2si.
func floatToInt64x86(f float32) int64 {
	t := math.Trunc(float64(f))
	if t != t || t < -(1<<63) || t >= 1<<63 {
		return math.MinInt64
	}
	return int64(t)
}

// element converts input element i and stores it as output element i,
// returning the stored value as a Chain records it.
func (k *castKernel) element(i int, c *Chain) int64 {
	var iv int64 // integer input value
	var fv float32
	isFloat := k.in.Type == tflite.TypeFloat32
	switch k.in.Type {
	case tflite.TypeFloat32:
		fv = k.in.Float32()[i]
	case tflite.TypeUint32:
		iv = int64(view[uint32](k.in.Data)[i])
	default:
		iv = k.in.Int(i)
	}
	var stored int64
	var how string
	switch k.out.Type {
	case tflite.TypeFloat32:
		y := fv
		if !isFloat {
			y = float32(iv)
			how = "converted to the nearest float32"
		}
		k.out.Float32()[i] = y
		stored = int64(math.Float32bits(y))
	case tflite.TypeUint32:
		if isFloat {
			iv = floatToInt64x86(fv)
			how = "truncated toward zero (64-bit x86 conversion)"
		}
		v := uint32(iv)
		view[uint32](k.out.Data)[i] = v
		stored = int64(v)
		if how == "" {
			how = "low 32 bits"
		}
	default:
		if isFloat {
			iv = int64(floatToInt32x86(fv))
			how = "truncated toward zero (x86 conversion)"
		}
		var v int64
		switch k.out.Type {
		case tflite.TypeInt8:
			v = int64(int8(iv))
			k.out.Data[i] = byte(int8(iv))
		case tflite.TypeInt16:
			v = int64(int16(iv))
			k.out.Int16()[i] = int16(iv)
		case tflite.TypeInt32:
			v = int64(int32(iv))
			k.out.Int32()[i] = int32(iv)
		}
		stored = v
		if how == "" {
			how = "kept the low bits (two's-complement truncation)"
		}
	}
	if c != nil {
		c.addSources(Source{Input: 0, Element: i})
		if isFloat {
			c.AddReal("input", int64(math.Float32bits(fv)), float64(fv), "the float32 input", "x = %g", fv)
		} else {
			c.Add("input", iv, "the "+k.in.Type.String()+" input", "x = %d", iv)
		}
		var s *Step
		if k.out.Type == tflite.TypeFloat32 {
			y := math.Float32frombits(uint32(stored))
			s = c.AddReal("cast", stored, float64(y), "static_cast to float32: "+how+"", "float32(%d) = %g", iv, y)
		} else if isFloat {
			s = c.Add("cast", stored, "static_cast to "+k.out.Type.String()+": "+how, "%s(%g) = %d", k.out.Type, fv, stored)
		} else {
			s = c.Add("cast", stored, "static_cast to "+k.out.Type.String()+": "+how, "%s(%d) = %d", k.out.Type, iv, stored)
		}
		s.Changed = !isFloat && k.out.Type != tflite.TypeFloat32 && stored != iv
		c.Final = stored
	}
	return stored
}

func (k *castKernel) Eval() error {
	for i := range k.out.NumElements() {
		k.element(i, nil)
	}
	return nil
}

func (k *castKernel) Explain(out, elem int, c *Chain) error {
	if err := checkExplainTarget(k.n, out, elem); err != nil {
		return err
	}
	k.element(elem, c)
	return nil
}
