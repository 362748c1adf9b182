package tflite

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/tflq/tflq-trace/internal/sharedtest"
)

// allSentinels lists every error Read may wrap.
var allSentinels = []error{
	ErrTooShort, ErrBadIdentifier, ErrOutOfBounds, ErrBadVTable, ErrMissingField,
	ErrIndexOutOfRange, ErrUnknownType, ErrBadOpcode, ErrNegativeDimension, ErrTooLarge, ErrBufferSize, ErrQuantization,
}

// FuzzRead: Read never panics; every error wraps a sentinel; every model it
// accepts can be written and reads back identically.
//
// Seeds: models built by the project (Write) and, when the shared folder
// is present, truncated and bit-flipped copies of the small shared models
// (added here at run time, never committed).
func FuzzRead(f *testing.F) {
	small := mustWrite(f, smallModel(f))
	f.Add(small)
	f.Add(mustWrite(f, allOptionsModel(f)))
	for _, cut := range []int{8, 16, 64, len(small) / 2, len(small) - 1} {
		f.Add(small[:cut])
	}
	if dir, ok := sharedtest.Lookup(); ok {
		paths, _ := filepath.Glob(filepath.Join(dir, "models", "*.tflite"))
		opzoo, _ := filepath.Glob(filepath.Join(dir, "opzoo", "models", "conv_2d_*.tflite"))
		paths = append(paths, opzoo...)
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil || len(data) > 64<<10 {
				continue
			}
			f.Add(data)
			f.Add(data[:len(data)/3])
			for _, at := range []int{0, 5, 12, 40, len(data) / 7, len(data) / 3, len(data) - 9} {
				flipped := append([]byte(nil), data...)
				flipped[at] ^= 0x80
				f.Add(flipped)
			}
		}
	} else {
		f.Logf("shared folder not found: fuzzing with project-built seeds only")
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Read(data)
		if err != nil {
			if m != nil {
				t.Fatalf("model returned with error %v", err)
			}
			for _, s := range allSentinels {
				if errors.Is(err, s) {
					return
				}
			}
			t.Fatalf("error wraps no sentinel: %v", err)
		}
		// Exercise the helpers on the accepted model.
		for _, sg := range m.SubGraphs {
			for _, tn := range sg.Tensors {
				if tn.NumElements() < 0 || tn.ByteSize() > MaxTensorBytes {
					t.Fatalf("accepted tensor %q with shape %v", tn.Name, tn.Shape)
				}
				_ = m.BufferData(tn)
			}
			for _, op := range sg.Operators {
				_ = m.OpName(op)
			}
		}
		out, err := Write(m)
		if err != nil {
			t.Fatalf("Write(Read(data)): %v", err)
		}
		m2, err := Read(out)
		if err != nil {
			t.Fatalf("Read(Write(Read(data))): %v", err)
		}
		out2, err := Write(m2)
		if err != nil {
			t.Fatalf("Write(Read(Write(Read(data)))): %v", err)
		}
		if !bytes.Equal(out, out2) {
			t.Fatalf("Write(Read(out)) != out")
		}
		normalizeForCompare(m)
		normalizeForCompare(m2)
		if !hasNaN(m) && !reflect.DeepEqual(m, m2) {
			t.Fatalf("round trip differs:\n got %+v\nwant %+v", m2, m)
		}
	})
}

// normalizeForCompare clears what Write does not preserve: warnings (they
// quote file offsets) and Offset/Size of buffers whose data was resolved
// (Write stores such data inline).
func normalizeForCompare(m *Model) {
	m.Warnings = nil
	for i := range m.Buffers {
		if m.Buffers[i].Data != nil {
			m.Buffers[i].Offset, m.Buffers[i].Size = 0, 0
		}
	}
}

// hasNaN reports whether m holds a NaN float (which DeepEqual never
// considers equal to itself).
func hasNaN(m *Model) bool {
	isNaN := func(v ...float32) bool {
		for _, x := range v {
			if math.IsNaN(float64(x)) {
				return true
			}
		}
		return false
	}
	for _, sg := range m.SubGraphs {
		for _, tn := range sg.Tensors {
			if q := tn.Quantization; q != nil && (isNaN(q.Min...) || isNaN(q.Max...) || isNaN(q.Scale...)) {
				return true
			}
		}
		for _, op := range sg.Operators {
			o := op.Options
			if isNaN(o.Beta, o.Alpha, o.CellClip, o.ProjClip, o.LRNBias, o.LRNAlpha, o.LRNBeta) {
				return true
			}
		}
	}
	return false
}
