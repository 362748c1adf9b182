package tflite

import (
	"encoding/binary"
	"errors"
	"runtime"
	"strings"
	"testing"
	"unsafe"
)

// smallModel is a valid two-operator model used as the base for corrupt
// inputs: in -> CONV_2D(w, bias) -> mid -> SOFTMAX -> out.
func smallModel(t testing.TB) *Model {
	b := NewModelBuilder()
	in := b.AddTensor("input", TypeInt8, []int32{1, 3, 3, 2}, PerTensor(0.5, -1))
	w := b.AddConstTensor("conv/weights", TypeInt8, []int32{4, 1, 1, 2},
		PerChannel([]float32{0.1, 0.2, 0.3, 0.4}, []int64{0, 0, 0, 0}, 0), Int8Data([]int8{1, 2, 3, 4, 5, 6, 7, 8}))
	bias := b.AddConstTensor("conv/bias", TypeInt32, []int32{4}, PerChannel([]float32{0.05, 0.1, 0.15, 0.2}, []int64{0, 0, 0, 0}, 0),
		Int32Data([]int32{10, -20, 30, -40}))
	mid := b.AddTensor("mid", TypeInt8, []int32{1, 3, 3, 4}, PerTensor(0.25, 2))
	out := b.AddTensor("output", TypeInt8, []int32{1, 3, 3, 4}, PerTensor(1.0/256, -128))
	conv := DefaultOptions(OptionsConv2D)
	conv.StrideW, conv.StrideH = 1, 1
	b.AddOperator(OpConv2D, conv, []int32{in, w, bias}, []int32{mid})
	sm := DefaultOptions(OptionsSoftmax)
	sm.Beta = 1
	b.AddOperator(OpSoftmax, sm, []int32{mid}, []int32{out})
	b.SetIO([]int32{in}, []int32{out})
	return mustModel(t, b)
}

func TestReadCorrupt(t *testing.T) {
	valid := mustWrite(t, smallModel(t))
	clone := func() []byte { return append([]byte(nil), valid...) }
	put32 := func(b []byte, at uint32, v uint32) []byte { binary.LittleEndian.PutUint32(b[at:], v); return b }

	// Semantic corruptions are encoded without validation.
	semantic := func(edit func(m *Model)) func(t *testing.T) []byte {
		return func(t *testing.T) []byte {
			m := smallModel(t)
			edit(m)
			return encode(m)
		}
	}
	tests := []struct {
		name  string
		input func(t *testing.T) []byte
		want  error
	}{
		{"empty", func(*testing.T) []byte { return nil }, ErrTooShort},
		{"seven bytes", func(*testing.T) []byte { return valid[:7] }, ErrTooShort},
		{"bad identifier", func(*testing.T) []byte { b := clone(); copy(b[4:8], "TFL2"); return b }, ErrBadIdentifier},
		{"truncated to header", func(*testing.T) []byte { return valid[:8] }, ErrOutOfBounds},
		{"root offset past end", func(*testing.T) []byte { return put32(clone(), 0, uint32(len(valid))+100) }, ErrOutOfBounds},
		{"root offset wraps", func(*testing.T) []byte { return put32(clone(), 0, 0xfffffffe) }, ErrOutOfBounds},
		{"vtable past end", func(t *testing.T) []byte {
			b := clone()
			l := newLocate(t, b)
			// soffset such that vtable = root - soffset lies beyond the file.
			return put32(b, l.root.pos(), uint32(int32(l.root.pos())-int32(len(b)+8)))
		}, ErrOutOfBounds},
		{"vtable before start", func(t *testing.T) []byte {
			b := clone()
			l := newLocate(t, b)
			return put32(b, l.root.pos(), uint32(l.root.pos())+64)
		}, ErrOutOfBounds},
		{"vtable odd size", func(t *testing.T) []byte {
			b := clone()
			l := newLocate(t, b)
			binary.LittleEndian.PutUint16(b[l.root.vtable:], 7)
			return b
		}, ErrBadVTable},
		{"vtable field outside table", func(t *testing.T) []byte {
			b := clone()
			l := newLocate(t, b)
			binary.LittleEndian.PutUint16(b[l.root.vtable+4+2*2:], 0xfff0) // subgraphs slot
			return b
		}, ErrBadVTable},
		{"vector length huge", func(t *testing.T) []byte {
			b := clone()
			return put32(b, mustRef(t, newLocate(t, b).tensor0(t), 0), 0x7ffffff0) // shape
		}, ErrOutOfBounds},
		{"string past end", func(t *testing.T) []byte {
			b := clone()
			return put32(b, mustRef(t, newLocate(t, b).tensor0(t), 3), uint32(len(b))) // name
		}, ErrOutOfBounds},
		{"string offset past end", func(t *testing.T) []byte {
			b := clone()
			tn := newLocate(t, b).tensor0(t)
			p, _, err := tn.field(3, 4)
			if err != nil {
				t.Fatal(err)
			}
			return put32(b, p, uint32(len(b)))
		}, ErrOutOfBounds},
		{"no subgraphs", semantic(func(m *Model) { m.SubGraphs = nil }), ErrMissingField},
		{"operator input out of range", semantic(func(m *Model) { m.SubGraphs[0].Operators[1].Inputs[0] = 5 }), ErrIndexOutOfRange},
		{"operator input below -1", semantic(func(m *Model) { m.SubGraphs[0].Operators[1].Inputs[0] = -2 }), ErrIndexOutOfRange},
		{"operator output out of range", semantic(func(m *Model) { m.SubGraphs[0].Operators[0].Outputs[0] = 99 }), ErrIndexOutOfRange},
		{"graph input out of range", semantic(func(m *Model) { m.SubGraphs[0].Inputs[0] = 7 }), ErrIndexOutOfRange},
		{"opcode index out of range", semantic(func(m *Model) { m.SubGraphs[0].Operators[0].OpcodeIndex = 2 }), ErrIndexOutOfRange},
		{"tensor buffer out of range", semantic(func(m *Model) { m.SubGraphs[0].Tensors[1].Buffer = 9 }), ErrIndexOutOfRange},
		{"unknown tensor type", semantic(func(m *Model) { m.SubGraphs[0].Tensors[3].Type = 77 }), ErrUnknownType},
		{"negative dimension", semantic(func(m *Model) { m.SubGraphs[0].Tensors[3].Shape[1] = -1 }), ErrNegativeDimension},
		{"buffer size mismatch", semantic(func(m *Model) { m.SubGraphs[0].Tensors[2].Shape[0] = 5 }), ErrBufferSize},
		{"buffer size mismatch by type", semantic(func(m *Model) { m.SubGraphs[0].Tensors[1].Type = TypeInt16 }), ErrBufferSize},
		{"per-channel scale/zero-point counts differ", semantic(func(m *Model) {
			q := m.SubGraphs[0].Tensors[1].Quantization
			q.ZeroPoint = q.ZeroPoint[:3]
		}), ErrQuantization},
		{"per-channel count != channel dimension", semantic(func(m *Model) {
			q := m.SubGraphs[0].Tensors[1].Quantization
			q.Scale, q.ZeroPoint = q.Scale[:3], q.ZeroPoint[:3]
		}), ErrQuantization},
		{"quantized dimension out of range", semantic(func(m *Model) {
			m.SubGraphs[0].Tensors[1].Quantization.QuantizedDimension = 4
		}), ErrQuantization},
		{"2^40 elements", semantic(func(m *Model) { m.SubGraphs[0].Tensors[3].Shape = []int32{1 << 20, 1 << 20} }), ErrTooLarge},
		{"element count overflows int64", semantic(func(m *Model) {
			m.SubGraphs[0].Tensors[3].Shape = []int32{1 << 30, 1 << 30, 1 << 30, 1 << 30}
		}), ErrTooLarge},
		{"int32 tensor over 2^31 bytes", semantic(func(m *Model) {
			m.SubGraphs[0].Tensors[3].Shape = []int32{1 << 30}
			m.SubGraphs[0].Tensors[3].Type = TypeInt32
		}), ErrTooLarge},
		{"metadata buffer out of range", semantic(func(m *Model) { m.Metadata = []Metadata{{Name: "x", Buffer: 42}} }), ErrIndexOutOfRange},
		{"signature tensor out of range", semantic(func(m *Model) {
			m.SignatureDefs = []SignatureDef{{Key: "k", Inputs: []TensorMap{{Name: "x", TensorIndex: 100}}}}
		}), ErrIndexOutOfRange},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := tc.input(t)
			m, err := Read(data)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Read = %v, %v; want error wrapping %v", m, err, tc.want)
			}
			if m != nil {
				t.Errorf("Read returned a model with error %v", err)
			}
			t.Logf("%v", err)
		})
	}
}

// TestReadErrorContext: validation errors name the tensor and its offset.
func TestReadErrorContext(t *testing.T) {
	m := smallModel(t)
	m.SubGraphs[0].Tensors[2].Shape[0] = 5
	_, err := Read(encode(m))
	want := `tensor 2 "conv/bias" (offset 0x`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error %q does not contain %q", err, want)
	}
}

// TestHugeTensorNotAllocated: a tensor claiming 2^40 elements is refused
// without allocating anything of its size.
func TestHugeTensorNotAllocated(t *testing.T) {
	m := smallModel(t)
	m.SubGraphs[0].Tensors[3].Shape = []int32{1 << 20, 1 << 20}
	data := encode(m)
	baseline := mustWrite(t, smallModel(t))
	allocsHuge := testing.AllocsPerRun(20, func() { _, _ = Read(data) })
	allocsOK := testing.AllocsPerRun(20, func() { _, _ = Read(baseline) })
	// Refusal may format an error but must not allocate per element.
	if allocsHuge > allocsOK+20 {
		t.Errorf("Read(huge) made %.0f allocations, valid model %.0f", allocsHuge, allocsOK)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := Read(data)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 64<<10 {
		t.Errorf("Read(huge) allocated %d bytes", got)
	}
}

// TestSharedVectorBudget: a file whose many table entries all point at the
// same large vector is refused instead of decoded quadratically.
func TestSharedVectorBudget(t *testing.T) {
	b := NewModelBuilder()
	const n = 2000
	idx := make([]int32, n)
	for i := range idx {
		idx[i] = 0
	}
	x := b.AddTensor("x", TypeInt8, []int32{1}, nil)
	b.AddOperator(OpAdd, Options{}, idx, []int32{x}) // inputs: 2000 entries
	for range n - 1 {
		b.AddOperator(OpAdd, Options{}, []int32{x}, []int32{x})
	}
	b.SetIO([]int32{x}, []int32{x})
	data := mustWrite(t, mustModel(t, b))
	// Point every operator table entry at operator 0 (which has the big
	// inputs vector): n*n int32s decoded from a file of ~n*40 bytes.
	sg := tableAt(t, newLocate(t, data).root, 2, 0, "subgraph")
	ops, err := sg.tablesField(3)
	if err != nil {
		t.Fatal(err)
	}
	first := ops.start + binary.LittleEndian.Uint32(data[ops.start:])
	for i := range ops.n {
		p := ops.start + 4*i
		binary.LittleEndian.PutUint32(data[p:], first-p)
	}
	if _, err := Read(data); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Read = %v, want ErrTooLarge (decode budget)", err)
	}
}

// TestTableCostBound: the decode budget charges tableCost bytes per decoded
// table; that must bound every struct a table becomes.
func TestTableCostBound(t *testing.T) {
	for name, size := range map[string]uintptr{
		"Operator": unsafe.Sizeof(Operator{}), "Tensor": unsafe.Sizeof(Tensor{}), "SubGraph": unsafe.Sizeof(SubGraph{}),
		"Buffer": unsafe.Sizeof(Buffer{}), "OperatorCode": unsafe.Sizeof(OperatorCode{}), "Metadata": unsafe.Sizeof(Metadata{}),
		"SignatureDef": unsafe.Sizeof(SignatureDef{}), "TensorMap": unsafe.Sizeof(TensorMap{}), "Quantization": unsafe.Sizeof(Quantization{}),
	} {
		if size > tableCost {
			t.Errorf("%s is %d bytes > tableCost %d", name, size, tableCost)
		}
	}
}

// TestSharedTablesHitBudget: a table vector's 4-byte entries each become a
// struct of hundreds of bytes; a file with a huge operator vector is refused
// by the decode budget before those structs are allocated.
func TestSharedTablesHitBudget(t *testing.T) {
	b := NewModelBuilder()
	in := b.AddTensor("in", TypeInt8, []int32{1}, PerTensor(1, 0))
	out := b.AddTensor("out", TypeInt8, []int32{1}, PerTensor(1, 0))
	b.AddOperator(OpRelu, Options{}, []int32{in}, []int32{out})
	b.SetIO([]int32{in}, []int32{out})
	data := mustWrite(t, mustModel(t, b))
	// Append a vector of n table offsets and point the subgraph's operators
	// field (slot 3) at it. The budget is charged for the n structs before
	// any entry is opened, so the entries' content does not matter.
	sg := tableAt(t, newLocate(t, data).root, 2, 0, "subgraph")
	field, ok, err := sg.field(3, 4)
	if !ok || err != nil {
		t.Fatalf("operators field: %v %v", ok, err)
	}
	const n = 1 << 16
	vec := (len(data) + 3) &^ 3
	grown := append(append([]byte{}, data...), make([]byte, vec-len(data)+4+4*n)...)
	binary.LittleEndian.PutUint32(grown[vec:], n)
	binary.LittleEndian.PutUint32(grown[field:], uint32(vec-int(field)))
	if _, err := Read(grown); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Read of %d bytes with %d shared operator entries: %v, want ErrTooLarge", len(grown), n, err)
	}
}

// TestNegativeOpcodeRefused: a negative builtin code (found by FuzzRead) was
// accepted and then written back as ADD; Read now refuses it.
func TestNegativeOpcodeRefused(t *testing.T) {
	b := NewModelBuilder()
	in := b.AddTensor("in", TypeInt8, []int32{1, 2, 2, 1}, PerTensor(1, 0))
	out := b.AddTensor("out", TypeInt8, []int32{1, 1, 1, 1}, PerTensor(1, 0))
	opts := DefaultOptions(DefaultOptionsType(OpAveragePool2D))
	opts.FilterW, opts.FilterH, opts.StrideW, opts.StrideH = 2, 2, 2, 2
	b.AddOperator(OpAveragePool2D, opts, []int32{in}, []int32{out})
	b.SetIO([]int32{in}, []int32{out})
	data := mustWrite(t, mustModel(t, b))
	code := tableAt(t, newLocate(t, data).root, 1, 0, "operator code")
	dep, ok1, _ := code.field(0, 1)
	builtin, ok3, _ := code.field(3, 4)
	if !ok1 || !ok3 {
		t.Fatal("operator code fields not written")
	}
	data[dep] = 0xf5 // int8 −11
	binary.LittleEndian.PutUint32(data[builtin:], uint32(0xfffffff5))
	if _, err := Read(data); !errors.Is(err, ErrBadOpcode) {
		t.Fatalf("Read: %v, want ErrBadOpcode", err)
	}
}
