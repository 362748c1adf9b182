package tflite

import (
	"fmt"
	"unsafe"

	flatbuffers "github.com/google/flatbuffers/go"
)

// Write serialises m as a .tflite FlatBuffer the way the TFLite converter
// lays it out: file identifier "TFL3", Model.version as given (use
// SchemaVersion = 3), constant data 16-byte aligned, and each operator code
// with both builtin_code and deprecated_builtin_code = min(code, 127).
// Builtin options are written from Options by Options.Type: the tables
// listed in options.go with all their fields (fields equal to the schema
// default are omitted, as FlatBuffers does), any other type (including
// tags this package does not know) as an empty table. m is validated first (as Validate does, without touching
// m.Warnings); Read(Write(m)) reproduces m.
//
// Buffers with Data are written inline; Buffer.Offset/Size are written only
// for buffers without Data.
func Write(m *Model) ([]byte, error) {
	if m == nil {
		return nil, fmt.Errorf("%w: nil model", ErrWrite)
	}
	v := validator{m: m}
	if err := v.model(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrWrite, err)
	}
	return encode(m), nil
}

// encode serialises m without validating it (tests use it to produce
// corrupt models).
func encode(m *Model) []byte {
	size := 1024
	for _, b := range m.Buffers {
		size += len(b.Data) + 16
	}
	w := writer{b: flatbuffers.NewBuilder(size)}
	root := w.model(m)
	w.b.FinishWithFileIdentifier(root, []byte(FileIdentifier))
	return w.b.FinishedBytes()
}

// writer builds the FlatBuffer. An absent string, vector or sub-table is
// kept as offset 0, which PrependUOffsetTSlot(slot, 0, 0) leaves out of the
// table like any field equal to its default.
type writer struct {
	b *flatbuffers.Builder
}

// vector writes v as a FlatBuffers vector, each element with prepend (one
// of the Builder's PrependX methods for T); elements are aligned to their
// size.
func vector[T any](b *flatbuffers.Builder, v []T, prepend func(T)) flatbuffers.UOffsetT {
	var zero T
	size := int(unsafe.Sizeof(zero))
	b.StartVector(size, len(v), size)
	for i := len(v) - 1; i >= 0; i-- {
		prepend(v[i])
	}
	return b.EndVector(len(v))
}

// offsets writes a vector of table offsets.
func (w *writer) offsets(offs []flatbuffers.UOffsetT) flatbuffers.UOffsetT {
	return vector(w.b, offs, w.b.PrependUOffsetT)
}

func (w *writer) int32s(v []int32) flatbuffers.UOffsetT {
	return vector(w.b, v, w.b.PrependInt32)
}

func (w *writer) float32s(v []float32) flatbuffers.UOffsetT {
	return vector(w.b, v, w.b.PrependFloat32)
}

func (w *writer) int64s(v []int64) flatbuffers.UOffsetT {
	return vector(w.b, v, w.b.PrependInt64)
}

// alignedBytes writes a [ubyte] vector whose first byte is 16-byte aligned
// in the finished file (the schema's force_align: 16 on Buffer.data).
func (w *writer) alignedBytes(data []byte) flatbuffers.UOffsetT {
	w.b.Prep(16, len(data))
	return w.b.CreateByteVector(data)
}

func (w *writer) model(m *Model) flatbuffers.UOffsetT {
	b := w.b
	// Buffers first, so that the large constant data sits at the end of
	// the file, as the converter places it.
	bufs := make([]flatbuffers.UOffsetT, len(m.Buffers))
	for i := len(m.Buffers) - 1; i >= 0; i-- {
		bufs[i] = w.buffer(&m.Buffers[i])
	}
	codes := make([]flatbuffers.UOffsetT, len(m.OperatorCodes))
	for i := range m.OperatorCodes {
		codes[i] = w.operatorCode(&m.OperatorCodes[i])
	}
	subs := make([]flatbuffers.UOffsetT, len(m.SubGraphs))
	for i := range m.SubGraphs {
		subs[i] = w.subGraph(&m.SubGraphs[i])
	}
	var metas []flatbuffers.UOffsetT
	for _, md := range m.Metadata {
		name := b.CreateString(md.Name)
		b.StartObject(2)
		b.PrependUOffsetTSlot(0, name, 0)
		b.PrependUint32Slot(1, md.Buffer, 0)
		metas = append(metas, b.EndObject())
	}
	var sigs []flatbuffers.UOffsetT
	for i := range m.SignatureDefs {
		sigs = append(sigs, w.signatureDef(&m.SignatureDefs[i]))
	}

	codesVec := w.offsets(codes)
	subsVec := w.offsets(subs)
	bufsVec := w.offsets(bufs)
	var desc, metaVec, sigVec flatbuffers.UOffsetT
	if m.Description != "" {
		desc = b.CreateString(m.Description)
	}
	if len(metas) > 0 {
		metaVec = w.offsets(metas)
	}
	if len(sigs) > 0 {
		sigVec = w.offsets(sigs)
	}
	b.StartObject(8)
	b.PrependUint32Slot(0, m.Version, 0)
	b.PrependUOffsetTSlot(1, codesVec, 0)
	b.PrependUOffsetTSlot(2, subsVec, 0)
	b.PrependUOffsetTSlot(3, desc, 0)
	b.PrependUOffsetTSlot(4, bufsVec, 0)
	b.PrependUOffsetTSlot(6, metaVec, 0)
	b.PrependUOffsetTSlot(7, sigVec, 0)
	return b.EndObject()
}

func (w *writer) buffer(buf *Buffer) flatbuffers.UOffsetT {
	b := w.b
	var data flatbuffers.UOffsetT
	if len(buf.Data) > 0 {
		data = w.alignedBytes(buf.Data)
	}
	b.StartObject(3)
	if data != 0 {
		b.PrependUOffsetTSlot(0, data, 0)
	} else {
		b.PrependUint64Slot(1, buf.Offset, 0)
		b.PrependUint64Slot(2, buf.Size, 0)
	}
	return b.EndObject()
}

func (w *writer) operatorCode(c *OperatorCode) flatbuffers.UOffsetT {
	b := w.b
	var custom flatbuffers.UOffsetT
	if c.CustomCode != "" {
		custom = b.CreateString(c.CustomCode)
	}
	b.StartObject(4)
	b.PrependInt8Slot(0, int8(min(max(c.Builtin, 0), OpPlaceholderForGreaterOpCodes)), 0)
	b.PrependUOffsetTSlot(1, custom, 0)
	b.PrependInt32Slot(2, c.Version, 1)
	b.PrependInt32Slot(3, int32(c.Builtin), 0)
	return b.EndObject()
}

func (w *writer) subGraph(sg *SubGraph) flatbuffers.UOffsetT {
	b := w.b
	tensors := make([]flatbuffers.UOffsetT, len(sg.Tensors))
	for i := range sg.Tensors {
		tensors[i] = w.tensor(&sg.Tensors[i])
	}
	ops := make([]flatbuffers.UOffsetT, len(sg.Operators))
	for i := range sg.Operators {
		ops[i] = w.operator(&sg.Operators[i])
	}
	tensorsVec := w.offsets(tensors)
	inputs := w.int32s(sg.Inputs)
	outputs := w.int32s(sg.Outputs)
	opsVec := w.offsets(ops)
	var name flatbuffers.UOffsetT
	if sg.Name != "" {
		name = b.CreateString(sg.Name)
	}
	b.StartObject(5)
	b.PrependUOffsetTSlot(0, tensorsVec, 0)
	b.PrependUOffsetTSlot(1, inputs, 0)
	b.PrependUOffsetTSlot(2, outputs, 0)
	b.PrependUOffsetTSlot(3, opsVec, 0)
	b.PrependUOffsetTSlot(4, name, 0)
	return b.EndObject()
}

func (w *writer) tensor(t *Tensor) flatbuffers.UOffsetT {
	b := w.b
	var quant flatbuffers.UOffsetT
	if q := t.Quantization; q != nil {
		var mn, mx, sc, zp flatbuffers.UOffsetT
		if q.Min != nil {
			mn = w.float32s(q.Min)
		}
		if q.Max != nil {
			mx = w.float32s(q.Max)
		}
		if q.Scale != nil {
			sc = w.float32s(q.Scale)
		}
		if q.ZeroPoint != nil {
			zp = w.int64s(q.ZeroPoint)
		}
		b.StartObject(7)
		for slot, off := range []flatbuffers.UOffsetT{mn, mx, sc, zp} {
			b.PrependUOffsetTSlot(slot, off, 0)
		}
		b.PrependInt32Slot(6, q.QuantizedDimension, 0)
		quant = b.EndObject()
	}
	shape := w.int32s(t.Shape)
	var sig, name flatbuffers.UOffsetT
	if t.ShapeSignature != nil {
		sig = w.int32s(t.ShapeSignature)
	}
	if t.Name != "" {
		name = b.CreateString(t.Name)
	}
	b.StartObject(8)
	b.PrependUOffsetTSlot(0, shape, 0)
	b.PrependInt8Slot(1, int8(t.Type), 0)
	b.PrependUint32Slot(2, t.Buffer, 0)
	b.PrependUOffsetTSlot(3, name, 0)
	b.PrependUOffsetTSlot(4, quant, 0)
	b.PrependBoolSlot(5, t.IsVariable, false)
	b.PrependUOffsetTSlot(7, sig, 0)
	return b.EndObject()
}

func (w *writer) operator(op *Operator) flatbuffers.UOffsetT {
	b := w.b
	var opts flatbuffers.UOffsetT
	if op.Options.Type != OptionsNone {
		opts = w.options(&op.Options)
	}
	inputs := w.int32s(op.Inputs)
	outputs := w.int32s(op.Outputs)
	var inter, custom flatbuffers.UOffsetT
	if op.Intermediates != nil {
		inter = w.int32s(op.Intermediates)
	}
	if len(op.CustomOptions) > 0 {
		custom = b.CreateByteVector(op.CustomOptions)
	}
	b.StartObject(9)
	b.PrependUint32Slot(0, op.OpcodeIndex, 0)
	b.PrependUOffsetTSlot(1, inputs, 0)
	b.PrependUOffsetTSlot(2, outputs, 0)
	if opts != 0 {
		b.PrependUint8Slot(3, uint8(op.Options.Type), 0)
		b.PrependUOffsetTSlot(4, opts, 0)
	}
	b.PrependUOffsetTSlot(5, custom, 0)
	b.PrependUOffsetTSlot(8, inter, 0)
	return b.EndObject()
}

// options writes the options table of o.Type from the field list in
// options.go.
func (w *writer) options(o *Options) flatbuffers.UOffsetT {
	b := w.b
	fields := optionsTables[o.Type]
	// Vectors and strings must be created before the table is started.
	refs := make([]flatbuffers.UOffsetT, len(fields))
	numFields := 0
	for i, f := range fields {
		numFields = max(numFields, f.slot+1)
		switch p := f.ptr(o).(type) {
		case *[]int32:
			if *p != nil {
				refs[i] = w.int32s(*p)
			}
		case *string:
			if *p != "" {
				refs[i] = b.CreateString(*p)
			}
		}
	}
	b.StartObject(numFields)
	for i, f := range fields {
		switch p := f.ptr(o).(type) {
		case *Padding:
			b.PrependInt8Slot(f.slot, int8(*p), int8(f.def))
		case *Activation:
			b.PrependInt8Slot(f.slot, int8(*p), int8(f.def))
		case *TensorType:
			b.PrependInt8Slot(f.slot, int8(*p), int8(f.def))
		case *MirrorPadMode:
			b.PrependInt8Slot(f.slot, int8(*p), int8(f.def))
		case *int8:
			b.PrependInt8Slot(f.slot, *p, int8(f.def))
		case *bool:
			b.PrependBoolSlot(f.slot, *p, f.def != 0)
		case *int32:
			b.PrependInt32Slot(f.slot, *p, f.def)
		case *float32:
			b.PrependFloat32Slot(f.slot, *p, float32(f.def))
		case *[]int32, *string:
			b.PrependUOffsetTSlot(f.slot, refs[i], 0)
		default:
			panic(fmt.Sprintf("tflite: options field of unsupported type %T", p))
		}
	}
	return b.EndObject()
}

func (w *writer) signatureDef(s *SignatureDef) flatbuffers.UOffsetT {
	b := w.b
	maps := func(ms []TensorMap) flatbuffers.UOffsetT {
		offs := make([]flatbuffers.UOffsetT, len(ms))
		for i, tm := range ms {
			name := b.CreateString(tm.Name)
			b.StartObject(2)
			b.PrependUOffsetTSlot(0, name, 0)
			b.PrependUint32Slot(1, tm.TensorIndex, 0)
			offs[i] = b.EndObject()
		}
		return w.offsets(offs)
	}
	in := maps(s.Inputs)
	out := maps(s.Outputs)
	key := b.CreateString(s.Key)
	b.StartObject(5)
	b.PrependUOffsetTSlot(0, in, 0)
	b.PrependUOffsetTSlot(1, out, 0)
	b.PrependUOffsetTSlot(2, key, 0)
	b.PrependUint32Slot(4, s.SubGraphIndex, 0)
	return b.EndObject()
}
