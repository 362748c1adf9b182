package tflite

import (
	"encoding/binary"
	"testing"
)

// mustModel returns b's validated model, failing the test on error.
func mustModel(t testing.TB, b *ModelBuilder) *Model {
	m, err := b.Model()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func mustWrite(t testing.TB, m *Model) []byte {
	data, err := Write(m)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func mustRead(t testing.TB, data []byte) *Model {
	m, err := Read(data)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// locate gives byte positions inside a written model.
type locate struct {
	data []byte
	root fbTable
}

func newLocate(t testing.TB, data []byte) locate {
	root, err := openTable(data, uint64(binary.LittleEndian.Uint32(data)), nil)
	if err != nil {
		t.Fatal(err)
	}
	return locate{data, root}
}

// tableAt opens table i of the vector of tables in field slot of tbl.
func tableAt(t testing.TB, tbl fbTable, slot int, i uint32, what string) fbTable {
	v, err := tbl.tablesField(slot)
	if err != nil {
		t.Fatal(err)
	}
	e, err := v.at(i, what)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// tensor0 opens tensor 0 of subgraph 0.
func (l locate) tensor0(t testing.TB) fbTable {
	return tableAt(t, tableAt(t, l.root, 2, 0, "subgraph"), 0, 0, "tensor")
}

// mustRef returns the position field slot of tbl points to.
func mustRef(t testing.TB, tbl fbTable, slot int) uint32 {
	at, _, err := tbl.ref(slot)
	if err != nil {
		t.Fatal(err)
	}
	return at
}
