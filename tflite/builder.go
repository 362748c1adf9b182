package tflite

import (
	"encoding/binary"
	"fmt"
	"reflect"
)

// ModelBuilder assembles a single-subgraph Model in memory, laid out as the
// converter would (schema version 3, buffer 0 empty, one buffer per
// constant tensor, operator codes deduplicated, version 1). It is meant for
// tests that need small models, typically one operator:
//
//	b := tflite.NewModelBuilder()
//	in := b.AddTensor("in", tflite.TypeInt8, []int32{1, 4, 4, 2}, tflite.PerTensor(0.5, -1))
//	w := b.AddConstTensor("w", tflite.TypeInt8, []int32{3, 1, 1, 2},
//		tflite.PerChannel([]float32{0.1, 0.2, 0.3}, []int64{0, 0, 0}, 0), tflite.Int8Data(weights))
//	bias := b.AddConstTensor("b", tflite.TypeInt32, []int32{3}, nil, tflite.Int32Data(biases))
//	out := b.AddTensor("out", tflite.TypeInt8, []int32{1, 4, 4, 3}, tflite.PerTensor(0.25, 3))
//	opts := tflite.DefaultOptions(tflite.OptionsConv2D) // dilation 1
//	opts.StrideW, opts.StrideH, opts.Padding = 1, 1, tflite.PaddingSame
//	b.AddOperator(tflite.OpConv2D, opts, []int32{in, w, bias}, []int32{out})
//	b.SetIO([]int32{in}, []int32{out})
//	m, err := b.Model()      // validated *Model
//	data, err := tflite.Write(m) // .tflite bytes, if a file is needed
//
// Methods return tensor indices (int32, as operators use them). Mistakes
// (bad data length, unknown options type...) are reported by Model().
type ModelBuilder struct {
	m       Model
	opcodes map[opcodeKey]uint32
	err     error
}

type opcodeKey struct {
	op     BuiltinOperator
	custom string
}

// NewModelBuilder returns a builder holding an empty model with one
// subgraph named "main" and the empty buffer 0.
func NewModelBuilder() *ModelBuilder {
	return &ModelBuilder{
		m: Model{
			Version:     SchemaVersion,
			Description: "tflq-trace ModelBuilder",
			Buffers:     []Buffer{{}},
			SubGraphs:   []SubGraph{{Name: "main"}},
		},
		opcodes: map[opcodeKey]uint32{},
	}
}

func (b *ModelBuilder) sg() *SubGraph { return &b.m.SubGraphs[0] }

func (b *ModelBuilder) fail(format string, args ...any) {
	if b.err == nil {
		b.err = fmt.Errorf(format, args...)
	}
}

// AddTensor adds a non-constant tensor (activation, graph input or output)
// and returns its index. q may be nil (not quantized). shape is copied.
func (b *ModelBuilder) AddTensor(name string, typ TensorType, shape []int32, q *Quantization) int32 {
	sg := b.sg()
	sg.Tensors = append(sg.Tensors, Tensor{
		Name:         name,
		Type:         typ,
		Shape:        cloneInt32s(shape),
		Quantization: q,
	})
	return int32(len(sg.Tensors) - 1)
}

// AddVariableTensor adds a variable tensor (is_variable, no buffer), such
// as the state of SVDF or LSTM, which the runtime zero-initialises.
func (b *ModelBuilder) AddVariableTensor(name string, typ TensorType, shape []int32, q *Quantization) int32 {
	i := b.AddTensor(name, typ, shape, q)
	b.sg().Tensors[i].IsVariable = true
	return i
}

// AddConstTensor adds a constant tensor whose little-endian data (see
// Int8Data, Int32Data, ...) gets its own buffer, and returns its index.
// len(data) must equal product(shape) * typ.Size(); Model() reports a
// mismatch. data is copied.
func (b *ModelBuilder) AddConstTensor(name string, typ TensorType, shape []int32, q *Quantization, data []byte) int32 {
	i := b.AddTensor(name, typ, shape, q)
	if len(data) == 0 {
		b.fail("constant tensor %d %q: no data", i, name)
		return i
	}
	b.m.Buffers = append(b.m.Buffers, Buffer{Data: append([]byte(nil), data...)})
	b.sg().Tensors[i].Buffer = uint32(len(b.m.Buffers) - 1)
	return i
}

func (b *ModelBuilder) opcode(op BuiltinOperator, custom string) uint32 {
	k := opcodeKey{op, custom}
	if i, ok := b.opcodes[k]; ok {
		return i
	}
	b.m.OperatorCodes = append(b.m.OperatorCodes, OperatorCode{Builtin: op, CustomCode: custom, Version: 1})
	i := uint32(len(b.m.OperatorCodes) - 1)
	b.opcodes[k] = i
	return i
}

// AddOperator appends a builtin operator (executed in the order added) and
// returns its index in the subgraph. Inputs may contain -1 for absent
// optional inputs. If opts is the zero Options{}, the operator gets the
// converter's options table for op with schema defaults
// (DefaultOptions(DefaultOptionsType(op))); otherwise opts is used as
// given, so start from DefaultOptions(t) when setting fields.
func (b *ModelBuilder) AddOperator(op BuiltinOperator, opts Options, inputs, outputs []int32) int32 {
	if opts.Type == OptionsNone && isZeroOptions(&opts) {
		opts = DefaultOptions(DefaultOptionsType(op))
	}
	if !opts.Type.Known() {
		b.fail("operator %v: unknown options type %d", op, opts.Type)
	}
	sg := b.sg()
	sg.Operators = append(sg.Operators, Operator{
		OpcodeIndex: b.opcode(op, ""),
		Inputs:      cloneInt32s(inputs),
		Outputs:     cloneInt32s(outputs),
		Options:     opts,
	})
	return int32(len(sg.Operators) - 1)
}

// AddCustomOperator appends a CUSTOM operator with the given custom code
// and (FlexBuffer) custom options, and returns its index.
func (b *ModelBuilder) AddCustomOperator(code string, customOptions []byte, inputs, outputs []int32) int32 {
	sg := b.sg()
	sg.Operators = append(sg.Operators, Operator{
		OpcodeIndex:   b.opcode(OpCustom, code),
		Inputs:        cloneInt32s(inputs),
		Outputs:       cloneInt32s(outputs),
		CustomOptions: append([]byte(nil), customOptions...),
	})
	return int32(len(sg.Operators) - 1)
}

// Operator returns a pointer to operator i, to adjust fields (e.g.
// Intermediates) after AddOperator.
func (b *ModelBuilder) Operator(i int32) *Operator { return &b.sg().Operators[i] }

// Tensor returns a pointer to tensor i, to adjust fields after adding it.
func (b *ModelBuilder) Tensor(i int32) *Tensor { return &b.sg().Tensors[i] }

// SetIO sets the graph's input and output tensor indices.
func (b *ModelBuilder) SetIO(inputs, outputs []int32) {
	sg := b.sg()
	sg.Inputs = cloneInt32s(inputs)
	sg.Outputs = cloneInt32s(outputs)
}

// Model validates and returns the model built so far. The builder must
// not be used afterwards.
func (b *ModelBuilder) Model() (*Model, error) {
	if b.err != nil {
		return nil, b.err
	}
	m := b.m
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return &m, nil
}

func isZeroOptions(o *Options) bool { return reflect.DeepEqual(*o, Options{}) }

func cloneInt32s(v []int32) []int32 {
	if len(v) == 0 {
		return nil
	}
	return append([]int32(nil), v...)
}

// PerTensor returns per-tensor quantization parameters.
func PerTensor(scale float32, zeroPoint int64) *Quantization {
	return &Quantization{Scale: []float32{scale}, ZeroPoint: []int64{zeroPoint}}
}

// PerChannel returns per-channel quantization parameters along dimension
// dim (one scale and zero point per channel).
func PerChannel(scales []float32, zeroPoints []int64, dim int32) *Quantization {
	return &Quantization{
		Scale:              append([]float32(nil), scales...),
		ZeroPoint:          append([]int64(nil), zeroPoints...),
		QuantizedDimension: dim,
	}
}

// Int8Data encodes int8 values as tensor data.
func Int8Data(v []int8) []byte { return littleEndian(v) }

// Int16Data encodes int16 values as little-endian tensor data.
func Int16Data(v []int16) []byte { return littleEndian(v) }

// Int32Data encodes int32 values as little-endian tensor data.
func Int32Data(v []int32) []byte { return littleEndian(v) }

// Int64Data encodes int64 values as little-endian tensor data.
func Int64Data(v []int64) []byte { return littleEndian(v) }

// Float32Data encodes float32 values as little-endian tensor data.
func Float32Data(v []float32) []byte { return littleEndian(v) }

// littleEndian encodes v as little-endian tensor data (empty, not nil, for
// an empty v).
func littleEndian[T int8 | int16 | int32 | int64 | float32](v []T) []byte {
	out, err := binary.Append(make([]byte, 0, binary.Size(v)), binary.LittleEndian, v)
	if err != nil {
		panic(fmt.Sprintf("tflite: encoding %T: %v", v, err)) // unreachable: T has a fixed size
	}
	return out
}
