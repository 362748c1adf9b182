// Package tflite reads and writes TensorFlow Lite model files (.tflite).
//
// A .tflite file is a FlatBuffers buffer whose root table is a Model. The
// reader in this package walks that buffer with the flatbuffers Go runtime's
// Table API, but never trusts it: the runtime does no bounds checking, so
// every table, vtable, vector and string is verified to lie inside the file
// before it is touched (see safe.go). Decoding produces plain Go structs
// (Model, SubGraph, Tensor, Buffer, Operator, OperatorCode, Options) that the
// rest of tflq-trace uses without knowing anything about FlatBuffers.
//
// Files: model.go (the structs), enums*.go (TensorType, BuiltinOperator,
// BuiltinOptionsType and their schema names), safe.go (the bounds-checked
// FlatBuffer access layer), read.go (Read/ReadFile), options.go (the builtin
// options tables, shared by reader and writer, with schema defaults),
// validate.go (Validate), errors.go (sentinel errors), write.go (Write),
// builder.go (ModelBuilder, for building test models) and helpers.go
// (NumElements, ByteSize, OpName, BufferData).
package tflite

// Model is the decoded root table of a .tflite file.
type Model struct {
	Version       uint32
	Description   string
	OperatorCodes []OperatorCode
	SubGraphs     []SubGraph
	Buffers       []Buffer
	Metadata      []Metadata
	SignatureDefs []SignatureDef
	// Warnings lists tolerated irregularities found while reading (for
	// example a rank-1 bias whose quantized_dimension is out of range, which
	// TFLite-Micro accepts). They are not errors.
	Warnings []string
}

// OperatorCode identifies the operator used by Operator.OpcodeIndex.
type OperatorCode struct {
	// Builtin is the effective builtin code: max(builtin_code, deprecated_builtin_code).
	Builtin    BuiltinOperator
	CustomCode string
	Version    int32
}

// Metadata is a named pointer to a buffer.
type Metadata struct {
	Name   string
	Buffer uint32
}

// TensorMap maps a signature's name to a tensor index.
type TensorMap struct {
	Name        string
	TensorIndex uint32
}

// SignatureDef is a named entry point of the model.
type SignatureDef struct {
	Key           string
	Inputs        []TensorMap
	Outputs       []TensorMap
	SubGraphIndex uint32
}

// SubGraph is one computation graph. Subgraph 0 is the main graph.
type SubGraph struct {
	Name      string
	Tensors   []Tensor
	Inputs    []int32
	Outputs   []int32
	Operators []Operator
}

// Tensor describes one tensor of a subgraph.
type Tensor struct {
	Name           string
	Type           TensorType
	Shape          []int32
	ShapeSignature []int32
	// Buffer indexes Model.Buffers; buffer 0 is the empty sentinel buffer.
	Buffer       uint32
	IsVariable   bool
	Quantization *Quantization // nil when the tensor has no quantization table
}

// Quantization holds a tensor's quantization parameters. Scale and ZeroPoint
// have one entry per tensor, or one per channel along QuantizedDimension.
type Quantization struct {
	Min                []float32
	Max                []float32
	Scale              []float32
	ZeroPoint          []int64
	QuantizedDimension int32
}

// PerChannel reports whether the parameters are per channel (more than one scale).
func (q *Quantization) PerChannel() bool { return q != nil && len(q.Scale) > 1 }

// Buffer is raw constant data. Data is a sub-slice of the file's bytes for
// inline buffers; Offset/Size describe data stored after the FlatBuffer
// (models larger than 2 GB), in which case the reader resolves Data from the
// file when the range is inside it.
type Buffer struct {
	Data   []byte
	Offset uint64
	Size   uint64
}

// Operator is one node of a subgraph.
type Operator struct {
	OpcodeIndex uint32
	// Inputs are tensor indices; -1 marks an absent optional input.
	Inputs        []int32
	Outputs       []int32
	Intermediates []int32
	Options       Options
	CustomOptions []byte
}

// Padding is the padding scheme of convolutions and pools.
type Padding int8

const (
	PaddingSame  Padding = 0
	PaddingValid Padding = 1
)

func (p Padding) String() string {
	switch p {
	case PaddingSame:
		return "SAME"
	case PaddingValid:
		return "VALID"
	}
	return "PADDING?"
}

// Activation is a fused activation function.
type Activation int8

const (
	ActNone      Activation = 0
	ActRelu      Activation = 1
	ActReluN1To1 Activation = 2
	ActRelu6     Activation = 3
	ActTanh      Activation = 4
	ActSignBit   Activation = 5
)

func (a Activation) String() string {
	switch a {
	case ActNone:
		return "NONE"
	case ActRelu:
		return "RELU"
	case ActReluN1To1:
		return "RELU_N1_TO_1"
	case ActRelu6:
		return "RELU6"
	case ActTanh:
		return "TANH"
	case ActSignBit:
		return "SIGN_BIT"
	}
	return "ACTIVATION?"
}

// MirrorPadMode is MIRROR_PAD's mode.
type MirrorPadMode int8

const (
	MirrorPadReflect   MirrorPadMode = 0
	MirrorPadSymmetric MirrorPadMode = 1
)

func (m MirrorPadMode) String() string {
	switch m {
	case MirrorPadReflect:
		return "REFLECT"
	case MirrorPadSymmetric:
		return "SYMMETRIC"
	}
	return "MIRROR_PAD_MODE?"
}

// Options is the decoded builtin options table of an operator, flattened:
// one struct holds the fields of every options table, and Type says which
// table was present (OptionsNone when the operator has none). Fields that the
// present table does not have keep their schema defaults, which the reader
// fills in (e.g. DilationW/H = 1, PotScaleInt16 = true).
type Options struct {
	Type BuiltinOptionsType

	// Conv2D, DepthwiseConv2D, TransposeConv, Pool2D.
	Padding         Padding
	StrideW         int32
	StrideH         int32
	DilationW       int32 // default 1
	DilationH       int32 // default 1
	DepthMultiplier int32
	FilterW         int32
	FilterH         int32

	// Fused activation of every op that has one.
	Activation Activation

	// FullyConnected.
	WeightsFormat            int8
	KeepNumDims              bool
	AsymmetricQuantizeInputs bool // also BatchMatMul, SVDF, LSTM
	QuantizedBiasType        TensorType

	// Softmax.
	Beta float32

	// Concatenation, Gather, Pack, Unpack, Cumsum? (Cumsum uses an axis tensor).
	Axis      int32
	BatchDims int32 // Gather

	// Add, Sub.
	PotScaleInt16 bool // default true

	// Reducers (Mean, Sum, ReduceMax, ...).
	KeepDims bool

	// Reshape.
	NewShape []int32

	// ResizeBilinear, ResizeNearestNeighbor.
	AlignCorners     bool
	HalfPixelCenters bool

	// LeakyRelu.
	Alpha float32

	// Squeeze.
	SqueezeDims []int32

	// StridedSlice.
	BeginMask      int32
	EndMask        int32
	EllipsisMask   int32
	NewAxisMask    int32
	ShrinkAxisMask int32
	Offset         bool

	// Split, SplitV.
	NumSplits int32

	// Pack (ValuesCount) and Unpack (Num).
	ValuesCount int32
	Num         int32

	// BatchMatMul.
	AdjX bool
	AdjY bool

	// LSTM, UnidirectionalSequenceLSTM.
	CellClip                 float32
	ProjClip                 float32
	TimeMajor                bool
	DiagonalRecurrentTensors bool

	// SVDF.
	Rank int32

	// Cumsum.
	Exclusive bool
	Reverse   bool

	// ArgMax, ArgMin (OutputType), Shape (OutputType = out_type).
	OutputType TensorType

	// MirrorPad.
	MirrorPadMode MirrorPadMode

	// SpaceToDepth, DepthToSpace.
	BlockSize int32

	// Cast.
	InDataType  TensorType
	OutDataType TensorType

	// LocalResponseNormalization.
	Radius   int32
	LRNBias  float32
	LRNAlpha float32
	LRNBeta  float32

	// Gelu.
	Approximate bool

	// LSTM kernel type (0 = FULL, 1 = BASIC).
	LSTMKernelType int8

	// Control flow: Call (Subgraph), CallOnce (Subgraph = init subgraph),
	// If (ThenSubgraph, ElseSubgraph), While (CondSubgraph, BodySubgraph).
	Subgraph     int32
	ThenSubgraph int32
	ElseSubgraph int32
	CondSubgraph int32
	BodySubgraph int32

	// VarHandle.
	Container  string
	SharedName string
}
