package tflite

import (
	"fmt"
	"os"

	flatbuffers "github.com/google/flatbuffers/go"
)

// FileIdentifier is the FlatBuffers file identifier of TFLite models,
// stored at bytes 4..8.
const FileIdentifier = "TFL3"

// SchemaVersion is the Model.version the converter writes.
const SchemaVersion = 3

// ReadFile reads and validates the .tflite file at path. See Read.
func ReadFile(path string) (*Model, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m, err := Read(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// Read decodes a .tflite FlatBuffer and validates the result (see
// Validate). Every offset in data is bounds-checked, so corrupt input yields
// an error wrapping one of the sentinels in errors.go, never a panic.
// Buffer.Data and Operator.CustomOptions alias data; do not modify data
// while the model is in use.
func Read(data []byte) (*Model, error) {
	m, pos, err := decode(data)
	if err != nil {
		return nil, err
	}
	if err := validate(m, pos); err != nil {
		return nil, err
	}
	return m, nil
}

// positions records where decoded tables sit in the file, so validation
// errors can point at them.
type positions struct {
	tensors   [][]uint32 // [subgraph][tensor]
	operators [][]uint32 // [subgraph][operator]
}

// decode walks the FlatBuffer into a Model without semantic validation.
func decode(data []byte) (*Model, *positions, error) {
	if len(data) < 8 {
		return nil, nil, fmt.Errorf("%w: %d bytes", ErrTooShort, len(data))
	}
	if string(data[4:8]) != FileIdentifier {
		return nil, nil, fmt.Errorf("%w: got %q", ErrBadIdentifier, data[4:8])
	}
	fb := data
	if len(fb) > maxFlatBufferSize {
		// Only the first 2 GB can hold the FlatBuffer itself; data beyond
		// it is reachable through Buffer.offset/size.
		fb = fb[:maxFlatBufferSize]
	}
	root := uint64(flatbuffers.GetUOffsetT(fb))
	mt, err := openTable(fb, root, newDecodeBudget(len(fb)))
	if err != nil {
		return nil, nil, fmt.Errorf("root model: %w", err)
	}
	d := decoder{file: data}
	m, err := d.model(&mt)
	if err != nil {
		return nil, nil, err
	}
	return m, &d.pos, nil
}

type decoder struct {
	file []byte
	pos  positions
}

func (d *decoder) model(t *fbTable) (*Model, error) {
	m := &Model{}
	var err error
	if m.Version, err = t.uint32Field(0, 0); err != nil {
		return nil, fmt.Errorf("model version: %w", err)
	}
	if m.Description, err = t.stringField(3); err != nil {
		return nil, fmt.Errorf("model description: %w", err)
	}
	if m.OperatorCodes, _, err = decodeTables(t, 1, "operator_codes", "operator code", true, d.operatorCode); err != nil {
		return nil, err
	}
	if m.Buffers, _, err = decodeTables(t, 4, "buffers", "buffer", true, d.buffer); err != nil {
		return nil, err
	}
	if m.SubGraphs, _, err = decodeTables(t, 2, "subgraphs", "subgraph", false, d.subGraph); err != nil {
		return nil, err
	}
	if m.Metadata, _, err = decodeTables(t, 6, "metadata", "metadata", false, metadata); err != nil {
		return nil, err
	}
	if m.SignatureDefs, _, err = decodeTables(t, 7, "signature_defs", "signature def", false, signatureDef); err != nil {
		return nil, err
	}
	return m, nil
}

// decodeTables decodes the vector of tables in field slot of t with
// decodeEntry, one element per table (nil when absent or empty), and
// returns each table's file position too. Errors about the vector itself
// are prefixed with field; errors decoding element i with "entry i", and
// with the table's offset in the file when withOffset is set.
func decodeTables[T any](t *fbTable, slot int, field, entry string, withOffset bool, decodeEntry func(*fbTable, *T) error) ([]T, []uint32, error) {
	v, err := t.tablesField(slot)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", field, err)
	}
	out := makeN[T](v.n)
	positions := makeN[uint32](v.n)
	for i := range v.n {
		et, err := v.at(i, entry)
		if err != nil {
			return nil, nil, err
		}
		positions[i] = et.pos()
		if err := decodeEntry(&et, &out[i]); err != nil {
			if withOffset {
				return nil, nil, fmt.Errorf("%s %d (offset 0x%x): %w", entry, i, et.pos(), err)
			}
			return nil, nil, fmt.Errorf("%s %d: %w", entry, i, err)
		}
	}
	return out, positions, nil
}

func (d *decoder) operatorCode(t *fbTable, c *OperatorCode) error {
	deprecated, err := t.int8Field(0, 0)
	if err != nil {
		return err
	}
	if c.CustomCode, err = t.stringField(1); err != nil {
		return err
	}
	if c.Version, err = t.int32Field(2, 1); err != nil {
		return err
	}
	code, err := t.int32Field(3, 0)
	if err != nil {
		return err
	}
	c.Builtin = BuiltinOperator(max(code, int32(deprecated)))
	if c.Builtin < 0 {
		return fmt.Errorf("builtin code %d (deprecated %d): %w", code, deprecated, ErrBadOpcode)
	}
	return nil
}

func (d *decoder) buffer(t *fbTable, b *Buffer) error {
	var err error
	if b.Data, err = t.bytesField(0); err != nil {
		return err
	}
	if b.Offset, err = t.uint64Field(1, 0); err != nil {
		return err
	}
	if b.Size, err = t.uint64Field(2, 0); err != nil {
		return err
	}
	// Offsets <= 1 mean "unused" (the schema says offset is valid only if > 1).
	if b.Data == nil && b.Offset > 1 && b.Size > 0 {
		if b.Offset > uint64(len(d.file)) || b.Size > uint64(len(d.file))-b.Offset {
			return fmt.Errorf("external data [0x%x, +%d) beyond the %d-byte file: %w", b.Offset, b.Size, len(d.file), ErrOutOfBounds)
		}
		b.Data = d.file[b.Offset : b.Offset+b.Size : b.Offset+b.Size]
	}
	return nil
}

// subGraph decodes one subgraph and appends the file positions of its
// tensors and operators to d.pos (subgraphs are decoded in order).
func (d *decoder) subGraph(t *fbTable, sg *SubGraph) error {
	var err error
	if sg.Name, err = t.stringField(4); err != nil {
		return fmt.Errorf("name: %w", err)
	}
	if sg.Inputs, err = t.int32sField(1); err != nil {
		return fmt.Errorf("inputs: %w", err)
	}
	if sg.Outputs, err = t.int32sField(2); err != nil {
		return fmt.Errorf("outputs: %w", err)
	}
	var tensorPos, operatorPos []uint32
	if sg.Tensors, tensorPos, err = decodeTables(t, 0, "tensors", "tensor", true, tensor); err != nil {
		return err
	}
	if sg.Operators, operatorPos, err = decodeTables(t, 3, "operators", "operator", true, d.operator); err != nil {
		return err
	}
	d.pos.tensors = append(d.pos.tensors, tensorPos)
	d.pos.operators = append(d.pos.operators, operatorPos)
	return nil
}

func tensor(t *fbTable, tn *Tensor) error {
	var err error
	if tn.Shape, err = t.int32sField(0); err != nil {
		return fmt.Errorf("shape: %w", err)
	}
	typ, err := t.int8Field(1, 0)
	if err != nil {
		return fmt.Errorf("type: %w", err)
	}
	tn.Type = TensorType(typ)
	if tn.Buffer, err = t.uint32Field(2, 0); err != nil {
		return fmt.Errorf("buffer: %w", err)
	}
	if tn.Name, err = t.stringField(3); err != nil {
		return fmt.Errorf("name: %w", err)
	}
	if tn.IsVariable, err = t.boolField(5, false); err != nil {
		return fmt.Errorf("is_variable: %w", err)
	}
	if tn.ShapeSignature, err = t.int32sField(7); err != nil {
		return fmt.Errorf("shape_signature: %w", err)
	}
	qt, ok, err := t.tableField(4, "quantization")
	if err != nil {
		return fmt.Errorf("quantization: %w", err)
	}
	if ok {
		q := &Quantization{}
		if q.Min, err = qt.float32sField(0); err != nil {
			return fmt.Errorf("quantization min: %w", err)
		}
		if q.Max, err = qt.float32sField(1); err != nil {
			return fmt.Errorf("quantization max: %w", err)
		}
		if q.Scale, err = qt.float32sField(2); err != nil {
			return fmt.Errorf("quantization scale: %w", err)
		}
		if q.ZeroPoint, err = qt.int64sField(3); err != nil {
			return fmt.Errorf("quantization zero_point: %w", err)
		}
		if q.QuantizedDimension, err = qt.int32Field(6, 0); err != nil {
			return fmt.Errorf("quantization quantized_dimension: %w", err)
		}
		tn.Quantization = q
	}
	return nil
}

func (d *decoder) operator(t *fbTable, op *Operator) error {
	var err error
	if op.OpcodeIndex, err = t.uint32Field(0, 0); err != nil {
		return fmt.Errorf("opcode_index: %w", err)
	}
	if op.Inputs, err = t.int32sField(1); err != nil {
		return fmt.Errorf("inputs: %w", err)
	}
	if op.Outputs, err = t.int32sField(2); err != nil {
		return fmt.Errorf("outputs: %w", err)
	}
	if op.Intermediates, err = t.int32sField(8); err != nil {
		return fmt.Errorf("intermediates: %w", err)
	}
	if op.CustomOptions, err = t.bytesField(5); err != nil {
		return fmt.Errorf("custom_options: %w", err)
	}
	if op.CustomOptions == nil {
		off, err := t.uint64Field(9, 0)
		if err != nil {
			return fmt.Errorf("large_custom_options_offset: %w", err)
		}
		size, err := t.uint64Field(10, 0)
		if err != nil {
			return fmt.Errorf("large_custom_options_size: %w", err)
		}
		if off > 1 && size > 0 {
			if off > uint64(len(d.file)) || size > uint64(len(d.file))-off {
				return fmt.Errorf("large custom options [0x%x, +%d) beyond the file: %w", off, size, ErrOutOfBounds)
			}
			op.CustomOptions = d.file[off : off+size : off+size]
		}
	}
	typ, err := t.uint8Field(3, 0)
	if err != nil {
		return fmt.Errorf("builtin_options_type: %w", err)
	}
	op.Options = DefaultOptions(BuiltinOptionsType(typ))
	if typ != 0 {
		ot, ok, err := t.tableField(4, "builtin options")
		if err != nil {
			return fmt.Errorf("builtin_options: %w", err)
		}
		if ok {
			if err := decodeOptions(&ot, &op.Options); err != nil {
				return fmt.Errorf("%v (offset 0x%x): %w", op.Options.Type, ot.pos(), err)
			}
		}
	}
	return nil
}

// metadata decodes one Metadata table (name and buffer index).
func metadata(t *fbTable, md *Metadata) error {
	var err error
	if md.Name, err = t.stringField(0); err != nil {
		return err
	}
	md.Buffer, err = t.uint32Field(1, 0)
	return err
}

func signatureDef(t *fbTable, s *SignatureDef) error {
	var err error
	if s.Inputs, err = tensorMaps(t, 0); err != nil {
		return fmt.Errorf("inputs: %w", err)
	}
	if s.Outputs, err = tensorMaps(t, 1); err != nil {
		return fmt.Errorf("outputs: %w", err)
	}
	if s.Key, err = t.stringField(2); err != nil {
		return fmt.Errorf("signature_key: %w", err)
	}
	if s.SubGraphIndex, err = t.uint32Field(4, 0); err != nil {
		return fmt.Errorf("subgraph_index: %w", err)
	}
	return nil
}

func tensorMaps(t *fbTable, slot int) ([]TensorMap, error) {
	v, err := t.tablesField(slot)
	if err != nil || v.n == 0 {
		return nil, err
	}
	out := makeN[TensorMap](v.n)
	for i := range v.n {
		mt, err := v.at(i, "tensor map")
		if err != nil {
			return nil, err
		}
		if out[i].Name, err = mt.stringField(0); err != nil {
			return nil, err
		}
		if out[i].TensorIndex, err = mt.uint32Field(1, 0); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// makeN allocates n elements, or returns nil for n == 0 so that absent and
// empty vectors decode alike. n is always a verified vector length, bounded
// by the file size.
func makeN[T any](n uint32) []T {
	if n == 0 {
		return nil
	}
	return make([]T, n)
}
