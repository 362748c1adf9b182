package trace

// The vocabulary shared by every JSON output: `inspect --json` and the
// trace export describe tensors, quantization, operators and derived
// parameters with these types, so the same thing has the same structure and
// field names everywhere.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"github.com/tflq/tflq-trace/kernels"
	"github.com/tflq/tflq-trace/tflite"
)

// Float is a float64 that encodes NaN and ±Inf as JSON null (encoding/json
// refuses them), and decodes null as NaN.
type Float float64

// MarshalJSON writes the shortest representation, or null when not finite.
func (f Float) MarshalJSON() ([]byte, error) {
	v := float64(f)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return []byte("null"), nil
	}
	return json.Marshal(v)
}

// UnmarshalJSON reads a number, or null as NaN.
func (f *Float) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*f = Float(math.NaN())
		return nil
	}
	var v float64
	err := json.Unmarshal(b, &v)
	*f = Float(v)
	return err
}

// Float32 is a float32 that encodes NaN and ±Inf as JSON null, with the
// shortest decimal that reads back as the same float32.
type Float32 float32

// MarshalJSON writes the shortest float32 representation, or null.
func (f Float32) MarshalJSON() ([]byte, error) { return json.Marshal(Float(f).orNull32()) }

func (f Float) orNull32() any {
	if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
		return nil
	}
	return float32(f)
}

// UnmarshalJSON reads a number, or null as NaN.
func (f *Float32) UnmarshalJSON(b []byte) error {
	var v Float
	err := v.UnmarshalJSON(b)
	*f = Float32(v)
	return err
}

func float32s(v []float32) []Float32 {
	if v == nil {
		return nil
	}
	out := make([]Float32, len(v))
	for i, x := range v {
		out[i] = Float32(x)
	}
	return out
}

// Named is one named value of an ordered set (NamedValues).
type Named struct {
	Name  string
	Value any
}

// NamedValues is an ordered set of named values, encoded as one JSON object
// whose keys keep their order (operator options, derived parameters).
type NamedValues []Named

// Get returns the value named name.
func (nv NamedValues) Get(name string) (any, bool) {
	for _, n := range nv {
		if n.Name == name {
			return n.Value, true
		}
	}
	return nil, false
}

// MarshalJSON writes {"name": value, ...} in order.
func (nv NamedValues) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, n := range nv {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Quote(n.Name))
		b.WriteByte(':')
		v, err := json.Marshal(n.Value)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", n.Name, err)
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads an object, keeping the order of its keys; numbers
// decode as json.Number.
func (nv *NamedValues) UnmarshalJSON(b []byte) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if tok, err := d.Token(); err != nil || tok != json.Delim('{') {
		return fmt.Errorf("named values: want an object")
	}
	*nv = (*nv)[:0]
	for d.More() {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		var v any
		if err := d.Decode(&v); err != nil {
			return err
		}
		*nv = append(*nv, Named{Name: tok.(string), Value: v})
	}
	_, err := d.Token()
	return err
}

// Quantization is a tensor's quantization parameters.
type Quantization struct {
	// Scale and ZeroPoint have one entry per tensor, or one per channel
	// along QuantizedDimension.
	Scale              []Float32 `json:"scale"`
	ZeroPoint          []int64   `json:"zero_point"`
	QuantizedDimension int32     `json:"quantized_dimension"`
	// Min and Max are the calibration range some converters record.
	Min []Float32 `json:"min,omitempty"`
	Max []Float32 `json:"max,omitempty"`
}

// TensorInfo describes one tensor of a subgraph. Index is the tensor index
// tf.lite.Interpreter.get_tensor_details() reports.
type TensorInfo struct {
	Index          int           `json:"index"`
	Name           string        `json:"name"`
	DType          string        `json:"dtype"`
	Shape          []int32       `json:"shape"`
	ShapeSignature []int32       `json:"shape_signature,omitempty"`
	Buffer         uint32        `json:"buffer"`
	Const          bool          `json:"const"`
	Variable       bool          `json:"variable,omitempty"`
	Bytes          int           `json:"bytes"`
	Quantization   *Quantization `json:"quantization,omitempty"`
}

// DescribeTensor describes tensor index of subgraph g of m.
func DescribeTensor(m *tflite.Model, g *tflite.SubGraph, index int) TensorInfo {
	t := &g.Tensors[index]
	ti := TensorInfo{Index: index, Name: t.Name, DType: t.Type.String(), Shape: t.Shape, ShapeSignature: t.ShapeSignature,
		Buffer: t.Buffer, Variable: t.IsVariable}
	if data := m.BufferData(*t); len(data) > 0 {
		ti.Const = true
		ti.Bytes = len(data)
	} else {
		n := 1
		for _, d := range t.Shape {
			n *= int(d)
		}
		ti.Bytes = n * t.Type.Size()
	}
	if q := t.Quantization; q != nil && (len(q.Scale) > 0 || len(q.Min) > 0) {
		ti.Quantization = &Quantization{Scale: float32s(q.Scale), ZeroPoint: q.ZeroPoint, QuantizedDimension: q.QuantizedDimension,
			Min: float32s(q.Min), Max: float32s(q.Max)}
	}
	return ti
}

// TensorValues are a tensor's values in row-major order: the stored
// integers (integer and bool types) and their real values, (q − zp)·scale
// with the element's channel's scale and zero point (the stored value for
// float32 and unquantized tensors).
type TensorValues struct {
	Quantized   []int64 `json:"quantized,omitempty"`
	Dequantized []Float `json:"dequantized"`
}

// ValuesOf reads every value of t; an error for dtypes without readable
// values (strings, float16, packed int4, ...).
func ValuesOf(t *kernels.Tensor) (*TensorValues, error) {
	if !t.HasRealValue() {
		return nil, fmt.Errorf("%w: %v values cannot be read", kernels.ErrUnsupportedType, t.Type)
	}
	n := t.NumElements()
	if len(t.Data) < n*t.Type.Size() {
		return nil, fmt.Errorf("%w: %v %v holds %d bytes, not %d", kernels.ErrBadShape, t.Type, t.Shape, len(t.Data), n*t.Type.Size())
	}
	v := &TensorValues{Dequantized: make([]Float, n)}
	if t.Type != tflite.TypeFloat32 {
		v.Quantized = make([]int64, n)
	}
	for i := range n {
		v.Dequantized[i] = Float(t.Dequantize(i))
		if v.Quantized != nil {
			v.Quantized[i] = t.Int(i)
		}
	}
	return v, nil
}

// Operand is one input or output of an operator: its tensor index (−1 for
// an absent optional input) and its role ("input", "weights", "bias", ...).
type Operand struct {
	Tensor int32  `json:"tensor"`
	Role   string `json:"role"`
}

// MultiplierInfo is one derived requantization multiplier: the real M,
// its Q0.31 multiplier and shift (M = multiplier·2^(shift−31)), for one
// output channel or for all (Channel −1).
type MultiplierInfo struct {
	Name       string `json:"name"`
	Channel    int    `json:"channel"`
	Real       Float  `json:"real"`
	Multiplier int32  `json:"multiplier"`
	Shift      int    `json:"shift"`
	// What, when present, says what a multiplier is that is not a
	// requantization M (SOFTMAX's β·s_in·2^26 input scaling, say).
	What string `json:"what,omitempty"`
}

// OpInfo describes one operator: its operands with their roles, the
// options that matter, and — once prepared — the parameters its kernel
// derived (clamp range, multipliers, offsets...).
type OpInfo struct {
	Index           int              `json:"index"`
	Op              string           `json:"op"`
	Version         int32            `json:"version"`
	Inputs          []Operand        `json:"inputs"`
	Outputs         []Operand        `json:"outputs"`
	Options         NamedValues      `json:"options,omitempty"`
	FusedActivation string           `json:"fused_activation,omitempty"`
	Clamp           *[2]int32        `json:"clamp,omitempty"`
	Multipliers     []MultiplierInfo `json:"multipliers,omitempty"`
	Params          NamedValues      `json:"params,omitempty"`
	// Requantization says how the output is requantized where that depends
	// on the runtime (MAC kernels).
	Requantization string `json:"requantization,omitempty"`
	// Implementation is whose kernel runs the operator under the
	// interpreter's runtime (e.g. "XNNPACK delegate").
	Implementation string `json:"implementation,omitempty"`
	// Runtimes lists, for `inspect`, the other runtimes whose kernel for
	// this operator derives different parameters (or refuses it).
	Runtimes []RuntimeParams `json:"runtimes,omitempty"`
	// Unsupported is why the operator could not be prepared.
	Unsupported string `json:"unsupported,omitempty"`
}

// DescribeOp describes operator oi of subgraph g of m. With ip (the
// interpreter of that subgraph; nil for other subgraphs) it adds the
// parameters the kernel derived, or why it has no kernel.
func DescribeOp(m *tflite.Model, g *tflite.SubGraph, oi int, ip *Interpreter) OpInfo {
	op := &g.Operators[oi]
	code := m.OpCode(*op)
	info := OpInfo{Index: oi, Op: m.OpName(*op), Options: optionValues(code, &op.Options)}
	if int(op.OpcodeIndex) < len(m.OperatorCodes) {
		info.Version = m.OperatorCodes[op.OpcodeIndex].Version
	}
	for k, t := range op.Inputs {
		info.Inputs = append(info.Inputs, Operand{Tensor: t, Role: kernels.InputRole(code, k)})
	}
	for k, t := range op.Outputs {
		info.Outputs = append(info.Outputs, Operand{Tensor: t, Role: kernels.OutputRole(code, k)})
	}
	if tflite.HasFusedActivation(code) {
		info.FusedActivation = op.Options.Activation.String()
	}
	if ip == nil || oi >= len(ip.ops) {
		return info
	}
	o := &ip.ops[oi]
	if o.Err != nil {
		info.Unsupported = o.Err.Error()
		return info
	}
	info.Implementation = o.Impl.String()
	d, ok := o.Kernel.(kernels.Describer)
	if !ok {
		return info
	}
	p := d.Describe()
	if p.HasClamp {
		info.Clamp = &[2]int32{p.ClampMin, p.ClampMax}
	}
	for _, mu := range p.Multipliers {
		info.Multipliers = append(info.Multipliers, MultiplierInfo{Name: mu.Name, Channel: mu.Channel, Real: Float(mu.Real),
			Multiplier: mu.Quantized.Multiplier, Shift: mu.Quantized.Shift, What: mu.What})
	}
	for _, kv := range p.Ints {
		info.Params = append(info.Params, Named{kv.Name, kv.Value})
	}
	info.Requantization = p.Requantization
	return info
}

// RuntimeParams is what another runtime's kernel derives for an operator
// (OpInfo.Runtimes).
type RuntimeParams struct {
	Runtime        string           `json:"runtime"`
	Implementation string           `json:"implementation,omitempty"`
	Requantization string           `json:"requantization,omitempty"`
	Clamp          *[2]int32        `json:"clamp,omitempty"`
	Multipliers    []MultiplierInfo `json:"multipliers,omitempty"`
	Params         NamedValues      `json:"params,omitempty"`
	Unsupported    string           `json:"unsupported,omitempty"`
}

// AddRuntimeDifferences fills info.Runtimes from interpreters of the same
// model under other runtimes: each one whose description of operator
// info.Index differs from info's (implementation, requantization, clamp,
// multipliers, params or refusal).
func AddRuntimeDifferences(info *OpInfo, m *tflite.Model, g *tflite.SubGraph, others []*Interpreter) {
	for _, ip := range others {
		d := DescribeOp(m, g, info.Index, ip)
		rp := RuntimeParams{Runtime: ip.Options().Runtime.String(), Implementation: d.Implementation, Requantization: d.Requantization,
			Clamp: d.Clamp, Multipliers: d.Multipliers, Params: d.Params, Unsupported: d.Unsupported}
		derived := func(clamp *[2]int32, ms []MultiplierInfo, params NamedValues) string {
			b, _ := json.Marshal(struct {
				C *[2]int32
				M []MultiplierInfo
				P NamedValues
			}{clamp, ms, params})
			return string(b)
		}
		same := rp.Implementation == info.Implementation && rp.Requantization == info.Requantization && rp.Unsupported == info.Unsupported &&
			derived(rp.Clamp, rp.Multipliers, rp.Params) == derived(info.Clamp, info.Multipliers, info.Params)
		if !same {
			info.Runtimes = append(info.Runtimes, rp)
		}
	}
}

// optionValues names the options that matter for each operator.
func optionValues(op tflite.BuiltinOperator, o *tflite.Options) NamedValues {
	var kv NamedValues
	add := func(name string, v any) { kv = append(kv, Named{name, v}) }
	switch op {
	case tflite.OpConv2D, tflite.OpDepthwiseConv2D, tflite.OpTransposeConv:
		add("padding", o.Padding.String())
		add("stride", fmt.Sprintf("%dx%d", o.StrideH, o.StrideW))
		if op != tflite.OpTransposeConv {
			add("dilation", fmt.Sprintf("%dx%d", o.DilationH, o.DilationW))
		}
		if op == tflite.OpDepthwiseConv2D {
			add("depth_multiplier", o.DepthMultiplier)
		}
	case tflite.OpAveragePool2D, tflite.OpMaxPool2D, tflite.OpL2Pool2D:
		add("padding", o.Padding.String())
		add("stride", fmt.Sprintf("%dx%d", o.StrideH, o.StrideW))
		add("filter", fmt.Sprintf("%dx%d", o.FilterH, o.FilterW))
	case tflite.OpFullyConnected:
		add("keep_num_dims", o.KeepNumDims)
	case tflite.OpAdd, tflite.OpSub:
		add("pot_scale_int16", o.PotScaleInt16)
	case tflite.OpSoftmax:
		add("beta", Float32(o.Beta))
	case tflite.OpConcatenation, tflite.OpPack, tflite.OpUnpack:
		add("axis", o.Axis)
		if op == tflite.OpPack {
			add("values_count", o.ValuesCount)
		}
		if op == tflite.OpUnpack {
			add("num", o.Num)
		}
	case tflite.OpGather:
		add("axis", o.Axis)
		add("batch_dims", o.BatchDims)
	case tflite.OpReshape:
		if len(o.NewShape) > 0 {
			add("new_shape", o.NewShape)
		}
	case tflite.OpMean, tflite.OpSum, tflite.OpReduceMax, tflite.OpReduceMin, tflite.OpReduceProd, tflite.OpReduceAny:
		add("keep_dims", o.KeepDims)
	case tflite.OpStridedSlice:
		add("begin_mask", o.BeginMask)
		add("end_mask", o.EndMask)
		add("ellipsis_mask", o.EllipsisMask)
		add("new_axis_mask", o.NewAxisMask)
		add("shrink_axis_mask", o.ShrinkAxisMask)
	case tflite.OpLeakyRelu:
		add("alpha", Float32(o.Alpha))
	case tflite.OpResizeBilinear, tflite.OpResizeNearestNeighbor:
		add("align_corners", o.AlignCorners)
		add("half_pixel_centers", o.HalfPixelCenters)
	case tflite.OpSqueeze:
		add("squeeze_dims", o.SqueezeDims)
	case tflite.OpSplit, tflite.OpSplitV:
		add("num_splits", o.NumSplits)
	case tflite.OpBatchMatmul:
		add("adj_x", o.AdjX)
		add("adj_y", o.AdjY)
	case tflite.OpSpaceToDepth, tflite.OpDepthToSpace:
		add("block_size", o.BlockSize)
	case tflite.OpCumsum:
		add("exclusive", o.Exclusive)
		add("reverse", o.Reverse)
	case tflite.OpSvdf:
		add("rank", o.Rank)
	case tflite.OpUnidirectionalSequenceLstm:
		add("time_major", o.TimeMajor)
		add("cell_clip", Float32(o.CellClip))
		add("proj_clip", Float32(o.ProjClip))
	case tflite.OpMirrorPad:
		mode := "REFLECT"
		if o.MirrorPadMode == tflite.MirrorPadSymmetric {
			mode = "SYMMETRIC"
		}
		add("mode", mode)
	case tflite.OpArgMax, tflite.OpArgMin, tflite.OpShape:
		add("output_type", o.OutputType.String())
	case tflite.OpCast:
		add("in_data_type", o.InDataType.String())
		add("out_data_type", o.OutDataType.String())
	}
	return kv
}
