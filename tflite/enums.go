package tflite

import "fmt"

// TensorType is TFLite's element type enumeration.
type TensorType int8

// Tensor element types, with the values the schema gives them.
const (
	TypeFloat32      TensorType = 0
	TypeFloat16      TensorType = 1
	TypeInt32        TensorType = 2
	TypeUint8        TensorType = 3
	TypeInt64        TensorType = 4
	TypeString       TensorType = 5
	TypeBool         TensorType = 6
	TypeInt16        TensorType = 7
	TypeComplex64    TensorType = 8
	TypeInt8         TensorType = 9
	TypeFloat64      TensorType = 10
	TypeComplex128   TensorType = 11
	TypeUint64       TensorType = 12
	TypeResource     TensorType = 13
	TypeVariant      TensorType = 14
	TypeUint32       TensorType = 15
	TypeUint16       TensorType = 16
	TypeInt4         TensorType = 17
	TypeBfloat16     TensorType = 18
	TypeInt2         TensorType = 19
	TypeUint4        TensorType = 20
	TypeFloat8E4M3FN TensorType = 21
	TypeFloat8E5M2   TensorType = 22
)

var tensorTypeInfo = [...]struct {
	name string
	size int // bytes per element; 0 = variable/unknown (STRING, RESOURCE, VARIANT, sub-byte)
}{
	TypeFloat32:      {"FLOAT32", 4},
	TypeFloat16:      {"FLOAT16", 2},
	TypeInt32:        {"INT32", 4},
	TypeUint8:        {"UINT8", 1},
	TypeInt64:        {"INT64", 8},
	TypeString:       {"STRING", 0},
	TypeBool:         {"BOOL", 1},
	TypeInt16:        {"INT16", 2},
	TypeComplex64:    {"COMPLEX64", 8},
	TypeInt8:         {"INT8", 1},
	TypeFloat64:      {"FLOAT64", 8},
	TypeComplex128:   {"COMPLEX128", 16},
	TypeUint64:       {"UINT64", 8},
	TypeResource:     {"RESOURCE", 0},
	TypeVariant:      {"VARIANT", 0},
	TypeUint32:       {"UINT32", 4},
	TypeUint16:       {"UINT16", 2},
	TypeInt4:         {"INT4", 0},
	TypeBfloat16:     {"BFLOAT16", 2},
	TypeInt2:         {"INT2", 0},
	TypeUint4:        {"UINT4", 0},
	TypeFloat8E4M3FN: {"FLOAT8_E4M3FN", 1},
	TypeFloat8E5M2:   {"FLOAT8_E5M2", 1},
}

// Known reports whether t is a type the schema defines.
func (t TensorType) Known() bool { return t >= 0 && int(t) < len(tensorTypeInfo) }

func (t TensorType) String() string {
	if t.Known() {
		return tensorTypeInfo[t].name
	}
	return fmt.Sprintf("TensorType(%d)", int8(t))
}

// Size is the number of bytes per element, or 0 for types without a fixed
// byte size (STRING, RESOURCE, VARIANT, and the packed INT4/UINT4/INT2).
func (t TensorType) Size() int {
	if t.Known() {
		return tensorTypeInfo[t].size
	}
	return 0
}

// String returns the schema name of the operator, e.g. "FULLY_CONNECTED".
func (op BuiltinOperator) String() string {
	if op >= 0 && int(op) < len(builtinOperatorNames) && builtinOperatorNames[op] != "" {
		return builtinOperatorNames[op]
	}
	return fmt.Sprintf("BUILTIN_%d", int32(op))
}

// BuiltinOperatorByName returns the operator with the schema name s.
func BuiltinOperatorByName(s string) (BuiltinOperator, bool) {
	for i, n := range builtinOperatorNames {
		if n == s {
			return BuiltinOperator(i), true
		}
	}
	return 0, false
}
