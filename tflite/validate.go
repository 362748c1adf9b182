package tflite

import (
	"fmt"
	"math"
)

// MaxTensorBytes is the largest tensor (in bytes, or elements for types
// without a fixed size) a model may declare. Larger or overflowing shapes are
// refused before anything is allocated for them.
const MaxTensorBytes = 1 << 31

// Validate checks the model's internal consistency, as Read does after
// decoding: every tensor, buffer, opcode, subgraph and metadata index in
// range (operator inputs, outputs and intermediates may be -1 = absent);
// tensor types known; shapes non-negative and at most MaxTensorBytes;
// constant buffers exactly product(shape) elements of the tensor's type
// (empty buffers mean "not constant"); quantization scale and zero-point
// counts equal and, when per channel, equal to the size of the quantized
// dimension. The first violation is returned, wrapping one of the sentinel
// errors. Irregularities that TFLite-Micro tolerates are recorded in
// m.Warnings instead (Validate replaces m.Warnings).
func (m *Model) Validate() error { return validate(m, nil) }

type validator struct {
	m        *Model
	pos      *positions
	warnings []string
}

func validate(m *Model, pos *positions) error {
	v := validator{m: m, pos: pos}
	if err := v.model(); err != nil {
		return err
	}
	m.Warnings = v.warnings
	return nil
}

func (v *validator) warnf(format string, args ...any) {
	v.warnings = append(v.warnings, fmt.Sprintf(format, args...))
}

// tensorContext names a tensor in errors: `tensor 12 "conv/bias" (offset 0x1a2c)`.
func (v *validator) tensorContext(sg, i int) string {
	s := fmt.Sprintf("tensor %d %q", i, v.m.SubGraphs[sg].Tensors[i].Name)
	if v.pos != nil && sg < len(v.pos.tensors) && i < len(v.pos.tensors[sg]) {
		s += fmt.Sprintf(" (offset 0x%x)", v.pos.tensors[sg][i])
	}
	if sg != 0 {
		s = fmt.Sprintf("subgraph %d: %s", sg, s)
	}
	return s
}

func (v *validator) operatorContext(sg, i int) string {
	op := v.m.SubGraphs[sg].Operators[i]
	s := fmt.Sprintf("operator %d (%s)", i, v.m.OpName(op))
	if v.pos != nil && sg < len(v.pos.operators) && i < len(v.pos.operators[sg]) {
		s += fmt.Sprintf(" (offset 0x%x)", v.pos.operators[sg][i])
	}
	if sg != 0 {
		s = fmt.Sprintf("subgraph %d: %s", sg, s)
	}
	return s
}

func (v *validator) model() error {
	m := v.m
	if m.Version != SchemaVersion {
		v.warnf("schema version %d (expected %d)", m.Version, SchemaVersion)
	}
	if len(m.SubGraphs) == 0 {
		return fmt.Errorf("model: %w: no subgraphs", ErrMissingField)
	}
	for i := range m.SubGraphs {
		if err := v.subGraph(i); err != nil {
			return err
		}
	}
	for i, md := range m.Metadata {
		if int64(md.Buffer) >= int64(len(m.Buffers)) {
			return fmt.Errorf("metadata %d %q: %w: buffer %d of %d", i, md.Name, ErrIndexOutOfRange, md.Buffer, len(m.Buffers))
		}
	}
	for i, sd := range m.SignatureDefs {
		if int64(sd.SubGraphIndex) >= int64(len(m.SubGraphs)) {
			return fmt.Errorf("signature %d %q: %w: subgraph %d of %d", i, sd.Key, ErrIndexOutOfRange, sd.SubGraphIndex, len(m.SubGraphs))
		}
		n := int64(len(m.SubGraphs[sd.SubGraphIndex].Tensors))
		for _, tm := range append(append([]TensorMap(nil), sd.Inputs...), sd.Outputs...) {
			if int64(tm.TensorIndex) >= n {
				return fmt.Errorf("signature %d %q: %q: %w: tensor %d of %d", i, sd.Key, tm.Name, ErrIndexOutOfRange, tm.TensorIndex, n)
			}
		}
	}
	return nil
}

func (v *validator) subGraph(si int) error {
	sg := &v.m.SubGraphs[si]
	for i := range sg.Tensors {
		if err := v.tensor(si, i); err != nil {
			return err
		}
	}
	n := int64(len(sg.Tensors))
	for k, idx := range sg.Inputs {
		if idx < 0 || int64(idx) >= n {
			return fmt.Errorf("subgraph %d: input %d: %w: tensor %d of %d", si, k, ErrIndexOutOfRange, idx, n)
		}
	}
	for k, idx := range sg.Outputs {
		if idx < 0 || int64(idx) >= n {
			return fmt.Errorf("subgraph %d: output %d: %w: tensor %d of %d", si, k, ErrIndexOutOfRange, idx, n)
		}
	}
	for i := range sg.Operators {
		if err := v.operator(si, i); err != nil {
			return err
		}
	}
	return nil
}

func (v *validator) tensor(si, ti int) error {
	m := v.m
	t := &m.SubGraphs[si].Tensors[ti]
	if !t.Type.Known() {
		return fmt.Errorf("%s: %w: %v", v.tensorContext(si, ti), ErrUnknownType, t.Type)
	}
	for _, d := range t.Shape {
		if d < 0 {
			return fmt.Errorf("%s: %w: negative dimension in %s", v.tensorContext(si, ti), ErrNegativeDimension, ShapeString(t.Shape))
		}
	}
	n, ok := shapeElements(t.Shape)
	if !ok || n > MaxTensorBytes {
		return fmt.Errorf("%s: %w: shape %s overflows or exceeds %d elements", v.tensorContext(si, ti), ErrTooLarge, ShapeString(t.Shape), int64(MaxTensorBytes))
	}
	size := tensorBytes(t.Type, n)
	if size > MaxTensorBytes {
		return fmt.Errorf("%s: %w: %v %s needs %d bytes (limit %d)", v.tensorContext(si, ti), ErrTooLarge, t.Type, ShapeString(t.Shape), size, int64(MaxTensorBytes))
	}
	if int64(t.Buffer) >= int64(len(m.Buffers)) && !(t.Buffer == 0 && len(m.Buffers) == 0) {
		return fmt.Errorf("%s: %w: buffer %d of %d", v.tensorContext(si, ti), ErrIndexOutOfRange, t.Buffer, len(m.Buffers))
	}
	if data := m.BufferData(*t); data != nil && size >= 0 && int64(len(data)) != size {
		if (t.Type == TypeInt4 || t.Type == TypeUint4) && int64(len(data)) == n {
			v.warnf("%s: %v data stored one element per byte (unpacked)", v.tensorContext(si, ti), t.Type)
		} else {
			return fmt.Errorf("%s: %w: buffer %d holds %d bytes, %v %v needs %d",
				v.tensorContext(si, ti), ErrBufferSize, t.Buffer, len(data), t.Type, t.Shape, size)
		}
	}
	return v.quantization(si, ti)
}

func (v *validator) quantization(si, ti int) error {
	t := &v.m.SubGraphs[si].Tensors[ti]
	q := t.Quantization
	if q == nil {
		return nil
	}
	ns, nz := len(q.Scale), len(q.ZeroPoint)
	if ns == 0 || nz == 0 {
		if ns != nz {
			// TFLite treats such a tensor as not quantized.
			v.warnf("%s: %d scales but %d zero points: treated as not quantized", v.tensorContext(si, ti), ns, nz)
		}
		return nil
	}
	if ns != nz {
		return fmt.Errorf("%s: %w: %d scales but %d zero points", v.tensorContext(si, ti), ErrQuantization, ns, nz)
	}
	for k, s := range q.Scale {
		if math.IsNaN(float64(s)) || math.IsInf(float64(s), 0) {
			return fmt.Errorf("%s: %w: scale %d is %v", v.tensorContext(si, ti), ErrQuantization, k, s)
		}
	}
	if ns == 1 {
		return nil
	}
	qd := q.QuantizedDimension
	rank := int32(len(t.Shape))
	if qd < 0 || qd >= rank {
		// TFLite-Micro never checks quantized_dimension against a bias's
		// rank; converters have written rank-1 biases with the filter's
		// quantized dimension (e.g. 3 for depthwise). Accept that one form.
		if qd >= 0 && rank == 1 && int(t.Shape[0]) == ns {
			v.warnf("%s: quantized_dimension %d out of range for rank %d; using dimension 0 (%d channels)",
				v.tensorContext(si, ti), qd, rank, ns)
			return nil
		}
		return fmt.Errorf("%s: %w: quantized_dimension %d out of range for shape %s", v.tensorContext(si, ti), ErrQuantization, qd, ShapeString(t.Shape))
	}
	if int(t.Shape[qd]) != ns {
		return fmt.Errorf("%s: %w: %d scales but dimension %d of shape %s has %d entries",
			v.tensorContext(si, ti), ErrQuantization, ns, qd, ShapeString(t.Shape), t.Shape[qd])
	}
	return nil
}

func (v *validator) operator(si, oi int) error {
	m := v.m
	sg := &m.SubGraphs[si]
	op := &sg.Operators[oi]
	if int64(op.OpcodeIndex) >= int64(len(m.OperatorCodes)) {
		return fmt.Errorf("%s: %w: opcode index %d of %d", v.operatorContext(si, oi), ErrIndexOutOfRange, op.OpcodeIndex, len(m.OperatorCodes))
	}
	n := int64(len(sg.Tensors))
	for _, list := range []struct {
		name string
		idx  []int32
	}{{"input", op.Inputs}, {"output", op.Outputs}, {"intermediate", op.Intermediates}} {
		for k, idx := range list.idx {
			if idx < -1 || int64(idx) >= n {
				return fmt.Errorf("%s: %s %d: %w: tensor %d of %d", v.operatorContext(si, oi), list.name, k, ErrIndexOutOfRange, idx, n)
			}
		}
	}
	o := &op.Options
	var subgraphs []int32
	switch o.Type {
	case OptionsCall, OptionsCallOnce:
		subgraphs = []int32{o.Subgraph}
	case OptionsIf:
		subgraphs = []int32{o.ThenSubgraph, o.ElseSubgraph}
	case OptionsWhile:
		subgraphs = []int32{o.CondSubgraph, o.BodySubgraph}
	}
	for _, s := range subgraphs {
		if s < 0 || int64(s) >= int64(len(m.SubGraphs)) {
			return fmt.Errorf("%s: %w: subgraph %d of %d", v.operatorContext(si, oi), ErrIndexOutOfRange, s, len(m.SubGraphs))
		}
	}
	return nil
}
