package tflite

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"unsafe"
)

// allOptionsModel builds a model with one operator per decoded options
// table, every field set to a non-default value, plus the less common
// model features (custom op, intermediates, variable tensor, min/max, shape
// signature, metadata, signature def).
func allOptionsModel(t testing.TB) *Model {
	b := NewModelBuilder()
	in := b.AddTensor("in", TypeInt8, []int32{1, 2, 2, 3}, &Quantization{
		Min: []float32{-1}, Max: []float32{1}, Scale: []float32{0.5}, ZeroPoint: []int64{-3},
	})
	b.Tensor(in).ShapeSignature = []int32{-1, 2, 2, 3}
	w := b.AddConstTensor("w", TypeInt8, []int32{3, 1, 1, 3},
		PerChannel([]float32{0.1, 0.2, 0.3}, []int64{0, 0, 0}, 0), Int8Data([]int8{1, -2, 3, -4, 5, -6, 7, -8, 9}))
	bias := b.AddConstTensor("bias", TypeInt32, []int32{3}, nil, Int32Data([]int32{-100, 0, 100000}))
	state := b.AddVariableTensor("state", TypeInt16, []int32{1, 3}, PerTensor(1.0/32768, 0))
	out := b.AddTensor("out", TypeInt8, []int32{1, 2, 2, 3}, PerTensor(0.25, 5))
	types := make([]BuiltinOptionsType, 0, len(optionsTables))
	for typ := range optionsTables {
		types = append(types, typ)
	}
	slices.Sort(types)
	for _, typ := range types {
		o := DefaultOptions(typ)
		for _, f := range optionsTables[typ] {
			switch p := f.ptr(&o).(type) {
			case *Padding:
				*p = PaddingValid
			case *Activation:
				*p = ActRelu6
			case *TensorType:
				*p = TypeInt16
			case *MirrorPadMode:
				*p = MirrorPadSymmetric
			case *int8:
				*p = 1
			case *bool:
				*p = f.def == 0
			case *int32:
				*p = int32(f.slot) + 7
			case *float32:
				*p = 1.5 + float32(f.slot)
			case *[]int32:
				*p = []int32{int32(f.slot), -1}
			case *string:
				*p = "s" + string(rune('0'+f.slot))
			}
		}
		o.Subgraph, o.ThenSubgraph, o.ElseSubgraph, o.CondSubgraph, o.BodySubgraph = 0, 0, 0, 0, 0
		b.AddOperator(OpAdd, o, []int32{in, w, -1, bias}, []int32{out})
	}
	b.AddOperator(OpGelu, Options{}, []int32{in}, []int32{out})
	b.AddOperator(OpLogistic, Options{}, []int32{in}, []int32{out})
	b.AddOperator(OpAdd, Options{Type: OptionsHashtableFind}, []int32{in}, []int32{out}) // empty table
	lstm := b.AddOperator(OpUnidirectionalSequenceLstm, Options{}, []int32{in, state}, []int32{out})
	b.Operator(lstm).Intermediates = []int32{state, out}
	b.AddCustomOperator("MyCustomOp", []byte{1, 2, 3}, []int32{in}, []int32{out})
	b.SetIO([]int32{in}, []int32{out})
	m := mustModel(t, b)
	m.Buffers = append(m.Buffers, Buffer{Data: []byte("metadata!")})
	m.Metadata = []Metadata{{Name: "min_runtime_version", Buffer: uint32(len(m.Buffers) - 1)}}
	m.SignatureDefs = []SignatureDef{{
		Key:     "serving_default",
		Inputs:  []TensorMap{{Name: "x", TensorIndex: uint32(in)}},
		Outputs: []TensorMap{{Name: "y", TensorIndex: uint32(out)}},
	}}
	return m
}

func TestWriteReadRoundTripBuilt(t *testing.T) {
	m := allOptionsModel(t)
	data := mustWrite(t, m)
	got := mustRead(t, data)
	if !reflect.DeepEqual(got, m) {
		for i := range m.SubGraphs[0].Operators {
			if g, w := got.SubGraphs[0].Operators[i], m.SubGraphs[0].Operators[i]; !reflect.DeepEqual(g, w) {
				t.Errorf("operator %d:\n got %+v\nwant %+v", i, g, w)
			}
		}
		t.Fatalf("Read(Write(m)) differs from m:\n got %+v\nwant %+v", got, m)
	}
	if got.OpName(got.SubGraphs[0].Operators[len(got.SubGraphs[0].Operators)-1]) != "MyCustomOp" {
		t.Errorf("custom op name lost")
	}
	// Writing again gives the same bytes (deterministic writer).
	if again := mustWrite(t, got); !bytes.Equal(again, data) {
		t.Errorf("Write is not deterministic: %d vs %d bytes", len(again), len(data))
	}
}

// TestWriteLayout checks the converter conventions of the written bytes.
func TestWriteLayout(t *testing.T) {
	m := allOptionsModel(t)
	data := mustWrite(t, m)
	if string(data[4:8]) != "TFL3" {
		t.Errorf("identifier %q", data[4:8])
	}
	got := mustRead(t, data)
	if got.Version != 3 || len(got.Buffers[0].Data) != 0 {
		t.Errorf("version %d, buffer 0 has %d bytes", got.Version, len(got.Buffers[0].Data))
	}
	for i, b := range got.Buffers {
		if len(b.Data) == 0 {
			continue
		}
		off := uintptr(unsafe.Pointer(&b.Data[0])) - uintptr(unsafe.Pointer(&data[0]))
		if off%16 != 0 {
			t.Errorf("buffer %d data at offset %d, not 16-byte aligned", i, off)
		}
	}
	// Operator codes: builtin_code and deprecated_builtin_code = min(code, 127).
	root := newLocate(t, data).root
	codes, err := root.tablesField(1)
	if err != nil {
		t.Fatal(err)
	}
	for i := range codes.n {
		ct, err := codes.at(i, "code")
		if err != nil {
			t.Fatal(err)
		}
		dep, _ := ct.int8Field(0, 0)
		code, _ := ct.int32Field(3, 0)
		version, _ := ct.int32Field(2, 1)
		want := m.OperatorCodes[i].Builtin
		if code != int32(want) || int32(dep) != min(int32(want), 127) || version != 1 {
			t.Errorf("opcode %d: builtin_code %d deprecated %d version %d, want %d %d 1", i, code, dep, version, want, min(want, 127))
		}
	}
}

// TestDefaultOptionsFilled: fields absent from an options table read back
// as their schema defaults.
func TestDefaultOptionsFilled(t *testing.T) {
	tests := []struct {
		typ  BuiltinOptionsType
		want func(o Options) bool
	}{
		{OptionsConv2D, func(o Options) bool { return o.DilationW == 1 && o.DilationH == 1 }},
		{OptionsDepthwiseConv2D, func(o Options) bool { return o.DilationW == 1 && o.DilationH == 1 }},
		{OptionsAdd, func(o Options) bool { return o.PotScaleInt16 }},
		{OptionsSub, func(o Options) bool { return o.PotScaleInt16 }},
		{OptionsMul, func(o Options) bool { return !o.PotScaleInt16 && o.DilationW == 0 }},
	}
	for _, tc := range tests {
		t.Run(tc.typ.String(), func(t *testing.T) {
			b := NewModelBuilder()
			x := b.AddTensor("x", TypeInt8, []int32{1}, nil)
			// The writer omits fields equal to their schema default, so the
			// table in the file lacks them and the reader must fill them in.
			b.AddOperator(OpAdd, DefaultOptions(tc.typ), []int32{x}, []int32{x})
			b.SetIO([]int32{x}, []int32{x})
			o := mustRead(t, mustWrite(t, mustModel(t, b))).SubGraphs[0].Operators[0].Options
			if o.Type != tc.typ || !tc.want(o) {
				t.Errorf("got %+v", o)
			}
		})
	}
}

// TestRoundTripShared: Read -> Write -> Read gives the same structs for
// every shared model.
func TestRoundTripShared(t *testing.T) {
	paths, _ := sharedModels(t)
	n := 0
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		m1, err := Read(data)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		out, err := Write(m1)
		if err != nil {
			t.Errorf("%s: Write: %v", path, err)
			continue
		}
		m2, err := Read(out)
		if err != nil {
			t.Errorf("%s: re-Read: %v", path, err)
			continue
		}
		// Warnings quote file offsets, which differ; compare their count.
		if len(m1.Warnings) != len(m2.Warnings) {
			t.Errorf("%s: %d warnings, then %d", filepath.Base(path), len(m1.Warnings), len(m2.Warnings))
		}
		m1.Warnings, m2.Warnings = nil, nil
		if !reflect.DeepEqual(m1, m2) {
			t.Errorf("%s: Read(Write(m)) != m", filepath.Base(path))
			continue
		}
		n++
	}
	t.Logf("round-tripped %d/%d shared models", n, len(paths))
}

func TestWriteRefusesInvalid(t *testing.T) {
	m := allOptionsModel(t)
	m.SubGraphs[0].Operators[0].Inputs[0] = 99
	if _, err := Write(m); !errors.Is(err, ErrWrite) || !errors.Is(err, ErrIndexOutOfRange) {
		t.Errorf("Write(invalid) = %v, want ErrWrite wrapping ErrIndexOutOfRange", err)
	}
}
