package tflite

import (
	"strings"
	"testing"
)

func TestShapeString(t *testing.T) {
	check := func(got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	}
	check(ShapeString([]int32{}), "[]") // a scalar
	check(ShapeString([]int(nil)), "[]")
	check(ShapeString([]int32{1, 96, 96, 1}), "[1,96,96,1]")
	check(ShapeString([]int{1, 1352}), "[1,1352]")
	check(ShapeString([]int32{-1, 28, 28}), "[-1,28,28]") // a shape signature
	check(ShapeString([]int32{2147483647}), "[2147483647]")
}

// TestErrorShapes: the reader's messages write shapes as [1,-1,3], as every
// other output does (they were Go's [1 -1 3]).
func TestErrorShapes(t *testing.T) {
	m := smallModel(t)
	m.SubGraphs[0].Tensors[3].Shape = []int32{1, -1, 3}
	_, err := Read(encode(m))
	if err == nil || !strings.Contains(err.Error(), "negative dimension in [1,-1,3]") {
		t.Fatalf("Read: %v, want the shape written [1,-1,3]", err)
	}
}
