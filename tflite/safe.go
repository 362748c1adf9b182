package tflite

// Bounds-checked access to a FlatBuffer.
//
// The flatbuffers Go runtime reads whatever offsets the buffer contains
// without checking them, so a corrupt file would make it index out of range
// (panic) or read garbage. Every accessor here first proves that the bytes it
// is about to read lie inside the buffer — tables, their vtables, each field
// inside the table's inline size, vectors and strings including their whole
// payload — using 64-bit arithmetic so no sum can wrap, and only then lets the
// flatbuffers Table API read them. Vector lengths are checked against the
// bytes actually remaining in the file before anything is allocated for them,
// and a decode budget (in bytes of decoded Go memory) bounds the total, so
// allocation is at most a fixed multiple of the file size.

import (
	"fmt"
	"math"
	"unsafe"

	flatbuffers "github.com/google/flatbuffers/go"
)

// maxFlatBufferSize is the largest buffer the flatbuffers runtime can address
// (its Table.Pos is documented to stay below 1<<31).
const maxFlatBufferSize = math.MaxInt32

// fbTable is a verified table: its position, vtable and inline data are
// known to lie inside the buffer.
type fbTable struct {
	t      flatbuffers.Table
	vtable uint32 // absolute position of the vtable
	vtSize uint32 // vtable size in bytes (>= 4, even)
	size   uint32 // table inline size in bytes, from the vtable
	budget *decodeBudget
}

// decodeBudget bounds the bytes of Go memory decoded from one file. A
// legitimate file decodes each vector once, but FlatBuffers lets many
// offsets point at the same vector or table, so without a budget a small
// crafted file could make the decoder allocate quadratically — or, through
// table vectors whose 4-byte entries each become a struct of hundreds of
// bytes, far more than the file size.
type decodeBudget struct{ left int64 }

// budgetPerFileByte is how many bytes of decoded memory one file byte may
// cost. A table-vector entry (4 file bytes plus its table of at least 8)
// becomes one struct of at most tableCost bytes, so legitimate files stay
// well below it.
const budgetPerFileByte = 48

// tableCost bounds the size of the struct one decoded table becomes
// (Operator is the largest; a test checks the bound).
const tableCost = 512

func newDecodeBudget(fileSize int) *decodeBudget {
	return &decodeBudget{left: budgetPerFileByte*int64(fileSize) + 1<<20}
}

// charge takes n elements of size bytes each from the budget.
func (b *decodeBudget) charge(n, size uint32, pos uint32) error {
	if b == nil {
		return nil
	}
	b.left -= int64(n) * int64(size)
	if b.left < 0 {
		return fmt.Errorf("vector at 0x%x: decoded data exceeds %d times the file size (vectors shared many times?): %w", pos, budgetPerFileByte, ErrTooLarge)
	}
	return nil
}

// pos is the table's absolute position in the buffer (used in error messages).
func (t *fbTable) pos() uint32 { return uint32(t.t.Pos) }

// openTable verifies the table at absolute position pos of buf.
func openTable(buf []byte, pos uint64, budget *decodeBudget) (fbTable, error) {
	n := uint64(len(buf))
	if pos+4 > n {
		return fbTable{}, fmt.Errorf("table at 0x%x: %w (file is %d bytes)", pos, ErrOutOfBounds, n)
	}
	p := uint32(pos)
	soff := int64(flatbuffers.GetSOffsetT(buf[p:]))
	vt := int64(pos) - soff
	if vt < 0 || uint64(vt)+4 > n {
		return fbTable{}, fmt.Errorf("table at 0x%x: vtable at %d: %w", pos, vt, ErrOutOfBounds)
	}
	v := uint32(vt)
	vtSize := uint32(flatbuffers.GetVOffsetT(buf[v:]))
	tblSize := uint32(flatbuffers.GetVOffsetT(buf[v+2:]))
	if vtSize < 4 || vtSize%2 != 0 {
		return fbTable{}, fmt.Errorf("table at 0x%x: %w: vtable size %d", pos, ErrBadVTable, vtSize)
	}
	if uint64(v)+uint64(vtSize) > n {
		return fbTable{}, fmt.Errorf("table at 0x%x: vtable of %d bytes at 0x%x: %w", pos, vtSize, v, ErrOutOfBounds)
	}
	if tblSize < 4 {
		return fbTable{}, fmt.Errorf("table at 0x%x: %w: table size %d", pos, ErrBadVTable, tblSize)
	}
	if pos+uint64(tblSize) > n {
		return fbTable{}, fmt.Errorf("table at 0x%x: %d inline bytes: %w", pos, tblSize, ErrOutOfBounds)
	}
	return fbTable{
		t:      flatbuffers.Table{Bytes: buf, Pos: flatbuffers.UOffsetT(p)},
		vtable: v,
		vtSize: vtSize,
		size:   tblSize,
		budget: budget,
	}, nil
}

// field returns the absolute position of field slot (0-based field id) if
// present, after checking that size bytes at that position lie inside the
// table's inline data.
func (t *fbTable) field(slot int, size uint32) (uint32, bool, error) {
	vo := uint32(4 + 2*slot)
	if vo+2 > t.vtSize {
		return 0, false, nil
	}
	off := uint32(t.t.Offset(flatbuffers.VOffsetT(vo)))
	if off == 0 {
		return 0, false, nil
	}
	if off < 4 || off+size > t.size {
		return 0, false, fmt.Errorf("table at 0x%x: field %d at offset %d (+%d bytes) outside the table's %d bytes: %w",
			t.t.Pos, slot, off, size, t.size, ErrBadVTable)
	}
	return uint32(t.t.Pos) + off, true, nil
}

// scalarField reads the scalar in field slot with get (one of the
// flatbuffers.GetX functions), or returns def when the field is absent. The
// field's unsafe.Sizeof(def) bytes are checked to lie inside the table first.
func scalarField[T any](t *fbTable, slot int, def T, get func([]byte) T) (T, error) {
	p, ok, err := t.field(slot, uint32(unsafe.Sizeof(def)))
	if !ok || err != nil {
		return def, err
	}
	return get(t.t.Bytes[p:]), nil
}

func (t *fbTable) uint8Field(slot int, def uint8) (uint8, error) {
	return scalarField(t, slot, def, flatbuffers.GetUint8)
}

func (t *fbTable) int8Field(slot int, def int8) (int8, error) {
	return scalarField(t, slot, def, flatbuffers.GetInt8)
}

func (t *fbTable) boolField(slot int, def bool) (bool, error) {
	return scalarField(t, slot, def, flatbuffers.GetBool)
}

func (t *fbTable) int32Field(slot int, def int32) (int32, error) {
	return scalarField(t, slot, def, flatbuffers.GetInt32)
}

func (t *fbTable) uint32Field(slot int, def uint32) (uint32, error) {
	return scalarField(t, slot, def, flatbuffers.GetUint32)
}

func (t *fbTable) uint64Field(slot int, def uint64) (uint64, error) {
	return scalarField(t, slot, def, flatbuffers.GetUint64)
}

func (t *fbTable) float32Field(slot int, def float32) (float32, error) {
	return scalarField(t, slot, def, flatbuffers.GetFloat32)
}

// ref follows the uoffset stored in field slot and returns the absolute
// position it points to, checked to leave at least 4 bytes in the buffer.
func (t *fbTable) ref(slot int) (uint32, bool, error) {
	p, ok, err := t.field(slot, 4)
	if !ok || err != nil {
		return 0, false, err
	}
	target := uint64(t.t.Indirect(flatbuffers.UOffsetT(p)))
	// Indirect adds in 32 bits; redo the sum in 64 bits to catch wrap-around.
	target64 := uint64(p) + uint64(flatbuffers.GetUOffsetT(t.t.Bytes[p:]))
	if target != target64 || target64+4 > uint64(len(t.t.Bytes)) {
		return 0, false, fmt.Errorf("table at 0x%x: field %d points to 0x%x: %w", t.t.Pos, slot, target64, ErrOutOfBounds)
	}
	return uint32(target64), true, nil
}

// vector returns the start (first element) and length of the vector in
// field slot, checked so that n*elemSize bytes fit in the buffer.
func (t *fbTable) vector(slot int, elemSize uint32) (start, n uint32, ok bool, err error) {
	at, ok, err := t.ref(slot)
	if !ok || err != nil {
		return 0, 0, false, err
	}
	n = uint32(flatbuffers.GetUOffsetT(t.t.Bytes[at:]))
	room := uint64(len(t.t.Bytes)) - uint64(at) - 4
	if uint64(n)*uint64(elemSize) > room {
		return 0, 0, false, fmt.Errorf("table at 0x%x: field %d: vector at 0x%x of %d elements x %d bytes exceeds the %d bytes left: %w",
			t.t.Pos, slot, at, n, elemSize, room, ErrOutOfBounds)
	}
	if elemSize != 1 {
		// Byte vectors are sliced, not copied; everything else is decoded.
		if err := t.budget.charge(n, elemSize, at); err != nil {
			return 0, 0, false, err
		}
	}
	return at + 4, n, true, nil
}

// bytesField returns the bytes of a [ubyte] vector field as a sub-slice of
// the buffer (nil when absent or empty).
func (t *fbTable) bytesField(slot int) ([]byte, error) {
	start, n, ok, err := t.vector(slot, 1)
	if !ok || err != nil || n == 0 {
		return nil, err
	}
	return t.t.Bytes[start : start+n : start+n], nil
}

// stringField returns a string field ("" when absent).
func (t *fbTable) stringField(slot int) (string, error) {
	start, n, ok, err := t.vector(slot, 1)
	if !ok || err != nil {
		return "", err
	}
	// Strings are copied, so they count against the budget too.
	if err := t.budget.charge(n, 1, start-4); err != nil {
		return "", err
	}
	return string(t.t.Bytes[start : start+n]), nil
}

// scalarsField decodes the vector of scalars in field slot with get (one
// of the flatbuffers.GetX functions); nil when absent or empty.
func scalarsField[T any](t *fbTable, slot int, get func([]byte) T) ([]T, error) {
	var zero T
	size := uint32(unsafe.Sizeof(zero))
	start, n, ok, err := t.vector(slot, size)
	if !ok || err != nil {
		return nil, err
	}
	out := makeN[T](n)
	for i := range out {
		out[i] = get(t.t.Bytes[start+size*uint32(i):])
	}
	return out, nil
}

func (t *fbTable) int32sField(slot int) ([]int32, error) {
	return scalarsField(t, slot, flatbuffers.GetInt32)
}

func (t *fbTable) float32sField(slot int) ([]float32, error) {
	return scalarsField(t, slot, flatbuffers.GetFloat32)
}

func (t *fbTable) int64sField(slot int) ([]int64, error) {
	return scalarsField(t, slot, flatbuffers.GetInt64)
}

// tableField opens the sub-table in field slot.
func (t *fbTable) tableField(slot int, what string) (fbTable, bool, error) {
	at, ok, err := t.ref(slot)
	if !ok || err != nil {
		return fbTable{}, false, err
	}
	sub, err := openTable(t.t.Bytes, uint64(at), t.budget)
	if err != nil {
		return fbTable{}, false, fmt.Errorf("%s: %w", what, err)
	}
	return sub, true, nil
}

// tableVector is a verified vector of table offsets.
type tableVector struct {
	budget *decodeBudget
	buf    []byte
	start  uint32
	n      uint32
}

// tablesField returns the vector of tables in field slot (empty when absent).
func (t *fbTable) tablesField(slot int) (tableVector, error) {
	start, n, ok, err := t.vector(slot, 4)
	if !ok || err != nil {
		return tableVector{}, err
	}
	// Each entry becomes a decoded struct.
	if err := t.budget.charge(n, tableCost, start-4); err != nil {
		return tableVector{}, err
	}
	return tableVector{budget: t.budget, buf: t.t.Bytes, start: start, n: n}, nil
}

// at opens element i (< n) of the vector.
func (v tableVector) at(i uint32, what string) (fbTable, error) {
	p := v.start + 4*i
	target := uint64(p) + uint64(flatbuffers.GetUOffsetT(v.buf[p:]))
	tbl, err := openTable(v.buf, target, v.budget)
	if err != nil {
		return fbTable{}, fmt.Errorf("%s %d: %w", what, i, err)
	}
	return tbl, nil
}
