package tflite

import "strconv"

// NumElements returns the product of the tensor's shape (1 for a scalar),
// or -1 if a dimension is negative or the product overflows int64.
// Read guarantees NumElements()*Type.Size() <= MaxTensorBytes for every
// tensor of a model it returns.
func (t Tensor) NumElements() int64 {
	n, ok := shapeElements(t.Shape)
	if !ok {
		return -1
	}
	return n
}

// shapeElements multiplies dims, refusing negative dims and overflow.
func shapeElements(shape []int32) (int64, bool) {
	n := int64(1)
	for _, d := range shape {
		if d < 0 {
			return 0, false
		}
		if d != 0 && n > (1<<62)/int64(d) {
			return 0, false
		}
		n *= int64(d)
	}
	return n, true
}

// ByteSize returns the number of bytes the tensor's data occupies:
// NumElements * Type.Size(), with packed sub-byte types (INT4, UINT4, INT2)
// rounded up to whole bytes. It returns -1 for types without a fixed size
// (STRING, RESOURCE, VARIANT) or an invalid shape.
func (t Tensor) ByteSize() int64 {
	return tensorBytes(t.Type, t.NumElements())
}

func tensorBytes(typ TensorType, n int64) int64 {
	if n < 0 {
		return -1
	}
	switch typ {
	case TypeInt4, TypeUint4:
		return (n + 1) / 2
	case TypeInt2:
		return (n + 3) / 4
	}
	size := int64(typ.Size())
	if size == 0 {
		return -1
	}
	return n * size
}

// OpName returns the operator's name: the builtin name (e.g. "CONV_2D"),
// or the custom code for CUSTOM operators. An invalid opcode index gives
// "OPCODE_<index>?".
func (m *Model) OpName(op Operator) string {
	if int64(op.OpcodeIndex) >= int64(len(m.OperatorCodes)) {
		return "OPCODE_" + strconv.FormatUint(uint64(op.OpcodeIndex), 10) + "?"
	}
	c := m.OperatorCodes[op.OpcodeIndex]
	if c.Builtin == OpCustom && c.CustomCode != "" {
		return c.CustomCode
	}
	return c.Builtin.String()
}

// OpCode returns the effective builtin code of op (OpCustom for custom
// operators), or -1 for an invalid opcode index.
func (m *Model) OpCode(op Operator) BuiltinOperator {
	if int64(op.OpcodeIndex) >= int64(len(m.OperatorCodes)) {
		return -1
	}
	return m.OperatorCodes[op.OpcodeIndex].Builtin
}

// BufferData returns the constant data of tensor t, or nil when the tensor
// is not constant (buffer 0, an empty buffer, or an out-of-range index).
func (m *Model) BufferData(t Tensor) []byte {
	if t.Buffer == 0 || int64(t.Buffer) >= int64(len(m.Buffers)) {
		return nil
	}
	d := m.Buffers[t.Buffer].Data
	if len(d) == 0 {
		return nil
	}
	return d
}

// IsConstant reports whether tensor t has constant data in the model.
func (m *Model) IsConstant(t Tensor) bool { return m.BufferData(t) != nil }
