package kernels

import (
	"fmt"
	"unsafe"

	"github.com/tflq/tflq-trace/tflite"
)

// Tensor is a tensor at run time: its description from the model plus its
// data. Data is little-endian, row-major, 8-byte aligned, and exactly
// NumElements()·Type.Size() bytes long.
type Tensor struct {
	Index              int
	Name               string
	Type               tflite.TensorType
	Shape              Shape
	Data               []byte
	Scale              []float32 // one per tensor or per channel; nil if not quantized
	ZeroPoint          []int64
	QuantizedDimension int
	Const              bool // data comes from the model
	Variable           bool // is_variable state tensor
}

// Shape is a tensor's dimensions, outermost first. It prints as the rest of
// the tool writes shapes, [1,96,96,1] (Go's default would be [1 96 96 1]),
// so error messages that format a shape with %v read like every other
// output.
type Shape []int

// String is the shape as [d0,d1,...]; a scalar's is [].
func (s Shape) String() string { return tflite.ShapeString(s) }

// NewTensor allocates an 8-byte-aligned, zeroed tensor of the given type and shape.
func NewTensor(typ tflite.TensorType, shape []int) *Tensor {
	t := &Tensor{Type: typ, Shape: append([]int(nil), shape...)}
	t.Data = AlignedBytes(t.NumElements() * typ.Size())
	return t
}

// AlignedBytes returns n zeroed bytes whose start is 8-byte aligned.
func AlignedBytes(n int) []byte {
	if n == 0 {
		return []byte{}
	}
	words := make([]uint64, (n+7)/8)
	return unsafe.Slice((*byte)(unsafe.Pointer(&words[0])), n)
}

// NumElements is the product of the shape (1 for a scalar).
func (t *Tensor) NumElements() int { return NumElements(t.Shape) }

// NumElements is the product of a shape's dimensions.
func NumElements(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// Unravel returns the row-major coordinates of flat index i in shape.
func Unravel(i int, shape []int) []int {
	c := make([]int, len(shape))
	for d := len(shape) - 1; d >= 0; d-- {
		if shape[d] > 0 {
			c[d] = i % shape[d]
			i /= shape[d]
		}
	}
	return c
}

// Dim returns dimension i, counting from the end when i < 0.
func (t *Tensor) Dim(i int) int {
	if i < 0 {
		i += len(t.Shape)
	}
	return t.Shape[i]
}

// Rank is the number of dimensions.
func (t *Tensor) Rank() int { return len(t.Shape) }

// Quantized reports whether the tensor has quantization parameters.
func (t *Tensor) Quantized() bool { return len(t.Scale) > 0 }

// ScaleAt returns the scale of channel c (the only scale when per-tensor).
func (t *Tensor) ScaleAt(c int) float32 {
	if len(t.Scale) == 1 {
		return t.Scale[0]
	}
	return t.Scale[c]
}

// ZeroPointAt returns the zero point of channel c (the only one when per-tensor).
func (t *Tensor) ZeroPointAt(c int) int32 {
	if len(t.ZeroPoint) == 0 {
		return 0
	}
	if len(t.ZeroPoint) == 1 {
		return int32(t.ZeroPoint[0])
	}
	return int32(t.ZeroPoint[c])
}

// Scale0 is the per-tensor (first) scale, 0 when the tensor has none.
func (t *Tensor) Scale0() float32 {
	if len(t.Scale) == 0 {
		return 0
	}
	return t.Scale[0]
}

// ZP0 is the per-tensor (first) zero point, 0 when the tensor has none.
func (t *Tensor) ZP0() int32 { return t.ZeroPointAt(0) }

// view reinterprets b as a []T of len(b)/sizeof(T) elements (nil when that is
// 0), aliasing b; b must be aligned for T (AlignedBytes is).
func view[T any](b []byte) []T {
	var zero T
	n := len(b) / int(unsafe.Sizeof(zero))
	if n == 0 {
		return nil
	}
	return unsafe.Slice((*T)(unsafe.Pointer(&b[0])), n)
}

// Int8 returns Data viewed as []int8. Like the other typed views (Uint8, Int16,
// Int32, Int64, Float32, Bool) it aliases Data; no copy is made.
func (t *Tensor) Int8() []int8 { return view[int8](t.Data) }

// Uint8 returns Data itself.
func (t *Tensor) Uint8() []uint8 { return t.Data }

// Int16 returns Data viewed as []int16 (an alias, not a copy).
func (t *Tensor) Int16() []int16 { return view[int16](t.Data) }

// Int32 returns Data viewed as []int32 (an alias, not a copy).
func (t *Tensor) Int32() []int32 { return view[int32](t.Data) }

// Int64 returns Data viewed as []int64 (an alias, not a copy).
func (t *Tensor) Int64() []int64 { return view[int64](t.Data) }

// Float32 returns Data viewed as []float32 (an alias, not a copy).
func (t *Tensor) Float32() []float32 { return view[float32](t.Data) }

// Bool returns Data viewed as []bool (an alias, not a copy).
func (t *Tensor) Bool() []bool { return view[bool](t.Data) }

// Int reads element i of an integer or bool tensor as an int64.
func (t *Tensor) Int(i int) int64 {
	switch t.Type {
	case tflite.TypeInt8:
		return int64(int8(t.Data[i]))
	case tflite.TypeUint8, tflite.TypeBool:
		return int64(t.Data[i])
	case tflite.TypeInt16:
		return int64(t.Int16()[i])
	case tflite.TypeInt32:
		return int64(t.Int32()[i])
	case tflite.TypeInt64:
		return t.Int64()[i]
	}
	panic(fmt.Sprintf("kernels: Int on %v tensor", t.Type))
}

// HasRealValue reports whether Dequantize gives the tensor's elements a
// real value: float32 and the integer and bool types.
func (t *Tensor) HasRealValue() bool {
	switch t.Type {
	case tflite.TypeFloat32, tflite.TypeInt8, tflite.TypeUint8, tflite.TypeInt16, tflite.TypeInt32, tflite.TypeInt64, tflite.TypeBool:
		return true
	}
	return false
}

// Dequantize returns element i as a real number: (q − zp[c])·s[c] with c
// its quantization channel, the value itself for float32 and unquantized
// integer tensors, and 0 for types without a real value (HasRealValue).
func (t *Tensor) Dequantize(i int) float64 {
	switch {
	case t.Type == tflite.TypeFloat32:
		return float64(t.Float32()[i])
	case !t.HasRealValue():
		return 0
	}
	q := t.Int(i)
	if !t.Quantized() {
		return float64(q)
	}
	c := t.ChannelOf(i)
	return float64(q-int64(t.ZeroPointAt(c))) * float64(t.ScaleAt(c))
}

// ChannelOf returns the quantization channel of flat element i: the index
// into Scale and ZeroPoint along QuantizedDimension (0 when per-tensor).
func (t *Tensor) ChannelOf(i int) int {
	if len(t.Scale) <= 1 {
		return 0
	}
	qd := t.QuantizedDimension
	if qd < 0 || qd >= len(t.Shape) {
		// A rank-1 per-channel tensor with an out-of-range axis (TFLite-Micro
		// tolerates it): element i is channel i.
		return i % len(t.Scale)
	}
	inner := 1
	for d := qd + 1; d < len(t.Shape); d++ {
		inner *= t.Shape[d]
	}
	return (i / inner) % t.Shape[qd]
}

// Node is one operator instance, wired to its tensors.
type Node struct {
	Index         int
	Op            tflite.BuiltinOperator
	Inputs        []*Tensor // nil entries are absent optional inputs
	Outputs       []*Tensor
	Intermediates []*Tensor
	// Options is the operator's builtin options table (Type is
	// tflite.OptionsNone, every field zero, when the model has none).
	Options tflite.Options
	// Runtime is whose arithmetic the node reproduces (Prepare picks the
	// kernel by it) and Rounding its requantization rule; the interpreter
	// sets Rounding to Runtime.Rounding().
	Runtime  Runtime
	Rounding Rounding
	// WithoutDelegate prepares the node without the XNNPACK delegate
	// (ImplXNNPACK is skipped): the interpreter sets it on every node when
	// the delegate failed to build one of them (ErrDelegateFallback) or the
	// graph has dynamic tensors, as TFLite then runs the whole graph on its
	// builtin kernels.
	WithoutDelegate bool
}

// Input returns input i, or nil when it is absent or out of range.
func (n *Node) Input(i int) *Tensor {
	if i < len(n.Inputs) {
		return n.Inputs[i]
	}
	return nil
}

// Kernel is a prepared operator.
type Kernel interface {
	// Eval computes every output tensor. It must not allocate.
	Eval() error
	// Explain recomputes element elem (flat, row-major index) of output
	// tensor out with the same code Eval runs, recording every step in c.
	// The chain's Final must equal the value Eval stored.
	Explain(out, elem int, c *Chain) error
}

// PrepareFunc validates a node and derives its parameters.
type PrepareFunc func(n *Node) (Kernel, error)

// Multiplier is one derived requantization multiplier of a prepared node,
// as `inspect` shows it: the real value TFLite computes in double precision
// and its QuantizedMultiplier.
type Multiplier struct {
	Name      string // "output", "input1", "input2", ...
	Channel   int    // output channel for per-channel multipliers, -1 otherwise
	Real      float64
	Quantized QuantizedMultiplier
	// What, when set, says what a multiplier is that is not a
	// requantization M (s_in·s_w/s_out or the like): SOFTMAX's β·s_in·2^26
	// input scaling, say. Views then show it by its name, not as M.
	What string
}

// Params are the derived parameters of a prepared node, for display.
type Params struct {
	Multipliers []Multiplier
	// ClampMin/ClampMax is the integer output range after fused activation
	// (HasClamp false when the op has no such range).
	HasClamp           bool
	ClampMin, ClampMax int32
	// Ints are other named integer parameters (e.g. "left_shift": 20,
	// "input_offset": 128).
	Ints []NamedInt
	// Requantization says in words how the output is requantized, when the
	// kernel has a requantization stage whose form depends on the runtime.
	Requantization string
}

// NamedInt is one named integer parameter.
type NamedInt struct {
	Name  string
	Value int64
}

// Describer is implemented by kernels that derive requantization parameters.
type Describer interface {
	Describe() Params
}

// requireOptions refuses a node whose model carries no builtin options
// table, for operators that cannot run on defaults (strides, filter size,
// padding mode...).
func requireOptions(n *Node) error {
	if n.Options.Type == tflite.OptionsNone {
		return fmt.Errorf("%w: %v has no %v table", ErrMissingOptions, n.Op, tflite.DefaultOptionsType(n.Op))
	}
	return nil
}
