package kernels

import (
	"errors"
	"reflect"
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

func TestConcatenation(t *testing.T) {
	tests := []struct {
		name    string
		typ     tflite.TensorType
		axis    int32
		ins     [][]int
		vals    [][]float64
		out     []int
		want    []float64
		sources []Source // of every output element
	}{
		{
			name: "int8 axis 1", typ: tflite.TypeInt8, axis: 1,
			ins:     [][]int{{2, 2}, {2, 1}},
			vals:    [][]float64{{1, 2, 3, 4}, {-5, -6}},
			out:     []int{2, 3},
			want:    []float64{1, 2, -5, 3, 4, -6},
			sources: []Source{{0, 0}, {0, 1}, {1, 0}, {0, 2}, {0, 3}, {1, 1}},
		},
		{
			name: "int16 axis 0", typ: tflite.TypeInt16, axis: 0,
			ins:  [][]int{{1, 2}, {2, 2}},
			vals: [][]float64{{-32768, 32767}, {1, 2, 3, 4}},
			out:  []int{3, 2},
			want: []float64{-32768, 32767, 1, 2, 3, 4},
		},
		{
			name: "float32 negative axis, three inputs", typ: tflite.TypeFloat32, axis: -1,
			ins:  [][]int{{2, 1}, {2, 1}, {2, 2}},
			vals: [][]float64{{0.5, 1.5}, {-1, -2}, {10, 11, 12, 13}},
			out:  []int{2, 4},
			want: []float64{0.5, -1, 10, 11, 1.5, -2, 12, 13},
		},
		{
			name: "int32 middle axis of rank 3", typ: tflite.TypeInt32, axis: -2,
			ins:  [][]int{{1, 1, 2}, {1, 2, 2}},
			vals: [][]float64{{100, 200}, {-1, -2, -3, -4}},
			out:  []int{1, 3, 2},
			want: []float64{100, 200, -1, -2, -3, -4},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var ins []*Tensor
			for i, s := range tc.ins {
				ins = append(ins, arQuant(dmTensor(tc.typ, s, tc.vals[i]...), 0.5, 3))
			}
			out := arQuant(NewTensor(tc.typ, tc.out), 0.5, 3)
			k := dmRun(t, tflite.OpConcatenation, tflite.Options{Axis: tc.axis}, RoundingDouble, []*Tensor{out}, ins...)
			dmWant(t, out, tc.want)
			for e, want := range tc.sources {
				var c Chain
				if err := k.Explain(0, e, &c); err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(c.Sources, []Source{want}) {
					t.Errorf("element %d sources %v, want %v", e, c.Sources, want)
				}
			}
		})
	}
}

func TestConcatenationRejects(t *testing.T) {
	a := func() *Tensor { return arQuant(NewTensor(tflite.TypeInt8, []int{1, 2}), 0.5, 0) }
	tests := []struct {
		name string
		opts tflite.Options
		ins  []*Tensor
		out  *Tensor
		want error
	}{
		{"int8 input scale differs", tflite.Options{Axis: 0}, []*Tensor{a(), arQuant(NewTensor(tflite.TypeInt8, []int{1, 2}), 0.25, 0)},
			arQuant(NewTensor(tflite.TypeInt8, []int{2, 2}), 0.5, 0), ErrBadQuantization},
		{"fused activation", tflite.Options{Axis: 0, Activation: tflite.ActRelu}, []*Tensor{a(), a()},
			arQuant(NewTensor(tflite.TypeInt8, []int{2, 2}), 0.5, 0), ErrUnsupportedOp},
		{"axis sizes do not add up", tflite.Options{Axis: 0}, []*Tensor{a(), a()},
			arQuant(NewTensor(tflite.TypeInt8, []int{3, 2}), 0.5, 0), ErrBadShape},
		{"other dimension differs", tflite.Options{Axis: 0}, []*Tensor{a(), arQuant(NewTensor(tflite.TypeInt8, []int{1, 3}), 0.5, 0)},
			arQuant(NewTensor(tflite.TypeInt8, []int{2, 2}), 0.5, 0), ErrBadShape},
		{"uint8", tflite.Options{Axis: 0}, []*Tensor{NewTensor(tflite.TypeUint8, []int{1}), NewTensor(tflite.TypeUint8, []int{1})},
			NewTensor(tflite.TypeUint8, []int{2}), ErrUnsupportedType},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := dmPrepareErr(tflite.OpConcatenation, tc.opts, []*Tensor{tc.out}, tc.ins...); !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
}
