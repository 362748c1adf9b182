package tflite

import "errors"

// Sentinel errors returned (wrapped, with context) by Read and Validate.
// Test for them with errors.Is.
var (
	// ErrTooShort: the data is too short to hold a FlatBuffer header.
	ErrTooShort = errors.New("file too short for a TFLite model")
	// ErrBadIdentifier: bytes 4..8 are not the "TFL3" file identifier.
	ErrBadIdentifier = errors.New(`not a TFLite model (file identifier is not "TFL3")`)
	// ErrOutOfBounds: an offset, table, vtable, vector or string reaches
	// outside the file.
	ErrOutOfBounds = errors.New("reference outside the file")
	// ErrBadVTable: a vtable is malformed (bad size, or a field lies outside
	// its table).
	ErrBadVTable = errors.New("malformed vtable")
	// ErrMissingField: a required table or field is absent.
	ErrMissingField = errors.New("required field missing")
	// ErrIndexOutOfRange: a tensor, buffer, opcode, subgraph or metadata
	// index does not name an existing entry.
	ErrIndexOutOfRange = errors.New("index out of range")
	// ErrUnknownType: a tensor has a TensorType the schema does not define.
	ErrUnknownType = errors.New("unknown tensor type")
	// ErrBadOpcode: an operator code outside the schema's range.
	ErrBadOpcode = errors.New("invalid operator code")
	// ErrNegativeDimension: a tensor shape has a negative dimension.
	ErrNegativeDimension = errors.New("invalid tensor shape")
	// ErrTooLarge: a tensor's element count overflows or exceeds the size
	// limit (MaxTensorBytes).
	ErrTooLarge = errors.New("tensor too large")
	// ErrBufferSize: a constant tensor's buffer does not hold exactly
	// product(shape) elements of its type.
	ErrBufferSize = errors.New("constant buffer size does not match tensor shape")
	// ErrQuantization: quantization parameters are inconsistent (scale and
	// zero-point counts differ, or do not match the quantized dimension).
	ErrQuantization = errors.New("inconsistent quantization parameters")
	// ErrWrite: the model cannot be serialised (Write).
	ErrWrite = errors.New("cannot write model")
)
