package kernels

import (
	"errors"
	"math"
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

func TestPool(t *testing.T) {
	seq := func(from, to float64) []float64 {
		var v []float64
		for x := from; x <= to; x++ {
			v = append(v, x)
		}
		return v
	}
	neg := func(v []float64) []float64 {
		out := make([]float64, len(v))
		for i, x := range v {
			out[i] = -x
		}
		return out
	}
	tests := []struct {
		name      string
		op        tflite.BuiltinOperator
		typ       tflite.TensorType
		scale     float32
		zp        int64
		opts      tflite.Options
		in, out   []int
		vals      []float64
		want      []float64
		wantCount []int // window cells of each output element (nil: skip)
	}{
		{
			name: "average rounds 2.75 up", op: tflite.OpAveragePool2D, typ: tflite.TypeInt8, scale: 1,
			opts: tflite.Options{Type: tflite.OptionsPool2D, Padding: tflite.PaddingValid, FilterH: 2, FilterW: 2, StrideH: 1, StrideW: 1},
			in:   []int{1, 2, 2, 1}, out: []int{1, 1, 1, 1}, vals: []float64{1, 2, 3, 5}, want: []float64{3},
		},
		{
			name: "average of negatives truncates (−11−2)/4", op: tflite.OpAveragePool2D, typ: tflite.TypeInt8, scale: 1,
			opts: tflite.Options{Type: tflite.OptionsPool2D, Padding: tflite.PaddingValid, FilterH: 2, FilterW: 2, StrideH: 1, StrideW: 1},
			in:   []int{1, 2, 2, 1}, out: []int{1, 1, 1, 1}, vals: []float64{-1, -2, -3, -5}, want: []float64{-3},
		},
		{
			name: "average −0.5 rounds away from zero", op: tflite.OpAveragePool2D, typ: tflite.TypeInt8, scale: 1,
			opts: tflite.Options{Type: tflite.OptionsPool2D, Padding: tflite.PaddingValid, FilterH: 2, FilterW: 2, StrideH: 1, StrideW: 1},
			in:   []int{1, 2, 2, 1}, out: []int{1, 1, 1, 1}, vals: []float64{-1, -1, 0, 0}, want: []float64{-1},
		},
		{
			// SAME 3×3 on 1..9: corners average 4 cells, edges 6, the centre 9,
			// e.g. (21+3)/6 = 4 and (33+3)/6 = 6.
			name: "average SAME skips padding", op: tflite.OpAveragePool2D, typ: tflite.TypeInt16, scale: 1,
			opts: tflite.Options{Type: tflite.OptionsPool2D, Padding: tflite.PaddingSame, FilterH: 3, FilterW: 3, StrideH: 1, StrideW: 1},
			in:   []int{1, 3, 3, 1}, out: []int{1, 3, 3, 1}, vals: seq(1, 9),
			want:      []float64{3, 4, 4, 5, 5, 6, 6, 7, 7},
			wantCount: []int{4, 6, 4, 6, 9, 6, 4, 6, 4},
		},
		{
			// RELU6 at scale 0.1, zp 0 clamps to [0, 60]; two channels.
			name: "average RELU6 clamp", op: tflite.OpAveragePool2D, typ: tflite.TypeInt8, scale: 0.1,
			opts: tflite.Options{Type: tflite.OptionsPool2D, Padding: tflite.PaddingValid, FilterH: 2, FilterW: 2, StrideH: 2, StrideW: 2, Activation: tflite.ActRelu6},
			in:   []int{1, 2, 2, 2}, out: []int{1, 1, 1, 2}, vals: []float64{100, -50, 100, -50, 100, -50, 100, -50},
			want: []float64{60, 0},
		},
		{
			name: "average uint8", op: tflite.OpAveragePool2D, typ: tflite.TypeUint8, scale: 1, zp: 128,
			opts: tflite.Options{Type: tflite.OptionsPool2D, Padding: tflite.PaddingValid, FilterH: 1, FilterW: 2, StrideH: 1, StrideW: 1},
			in:   []int{1, 1, 2, 1}, out: []int{1, 1, 1, 1}, vals: []float64{1, 2}, want: []float64{2},
		},
		{
			// RELU at zp −10 clamps below −10.
			name: "max int16 RELU", op: tflite.OpMaxPool2D, typ: tflite.TypeInt16, scale: 1, zp: -10,
			opts: tflite.Options{Type: tflite.OptionsPool2D, Padding: tflite.PaddingValid, FilterH: 2, FilterW: 2, StrideH: 2, StrideW: 2, Activation: tflite.ActRelu},
			in:   []int{1, 2, 4, 1}, out: []int{1, 1, 2, 1}, vals: []float64{-5, 3, -70, -90, 1, 2, -11, -20},
			want: []float64{3, -10}, wantCount: []int{4, 4},
		},
		{
			// SAME 3×3 stride 2 on −1..−9: padding 1, each window keeps 2×2 cells.
			name: "max int8 SAME stride 2", op: tflite.OpMaxPool2D, typ: tflite.TypeInt8, scale: 1,
			opts: tflite.Options{Type: tflite.OptionsPool2D, Padding: tflite.PaddingSame, FilterH: 3, FilterW: 3, StrideH: 2, StrideW: 2},
			in:   []int{1, 3, 3, 1}, out: []int{1, 2, 2, 1}, vals: neg(seq(1, 9)),
			want: []float64{-1, -2, -4, -5}, wantCount: []int{4, 4, 4, 4},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := arQuant(dmTensor(tc.typ, tc.in, tc.vals...), tc.scale, tc.zp)
			out := arQuant(NewTensor(tc.typ, tc.out), tc.scale, tc.zp)
			k := dmRun(t, tc.op, tc.opts, RoundingDouble, []*Tensor{out}, in)
			dmWant(t, out, tc.want)
			for e, want := range tc.wantCount {
				var c Chain
				if err := k.Explain(0, e, &c); err != nil {
					t.Fatal(err)
				}
				if len(c.Sources) != want {
					t.Errorf("element %d window has %d sources, want %d", e, len(c.Sources), want)
				}
			}
		})
	}
}

func TestPoolRejects(t *testing.T) {
	opts := tflite.Options{Type: tflite.OptionsPool2D, Padding: tflite.PaddingValid, FilterH: 2, FilterW: 2, StrideH: 1, StrideW: 1}
	in := arQuant(NewTensor(tflite.TypeInt8, []int{1, 3, 3, 1}), 0.5, 1)
	tests := []struct {
		name string
		out  *Tensor
		want error
	}{
		{"output scale differs", arQuant(NewTensor(tflite.TypeInt8, []int{1, 2, 2, 1}), 0.25, 1), ErrBadQuantization},
		{"output zero point differs", arQuant(NewTensor(tflite.TypeInt8, []int{1, 2, 2, 1}), 0.5, 2), ErrBadQuantization},
		{"output size", arQuant(NewTensor(tflite.TypeInt8, []int{1, 3, 3, 1}), 0.5, 1), ErrBadShape},
		{"dtype", arQuant(NewTensor(tflite.TypeInt16, []int{1, 2, 2, 1}), 0.5, 1), ErrUnsupportedType},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := dmPrepareErr(tflite.OpAveragePool2D, opts, []*Tensor{tc.out}, in); !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestPoolFloat(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name string
		op   tflite.BuiltinOperator
		act  tflite.Activation
		vals []float64
		want float32
	}{
		{"average", tflite.OpAveragePool2D, tflite.ActNone, []float64{1, 2, 3, 5}, 2.75},
		{"average RELU6", tflite.OpAveragePool2D, tflite.ActRelu6, []float64{10, 10, 10, 10}, 6},
		{"average RELU", tflite.OpAveragePool2D, tflite.ActRelu, []float64{-1, -2, 1, 0}, 0},
		{"max skips NaN", tflite.OpMaxPool2D, tflite.ActNone, []float64{nan, 1, 2, -3}, 2},
		{"max RELU_N1_TO_1", tflite.OpMaxPool2D, tflite.ActReluN1To1, []float64{-7, -8, -9, -10}, -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := tflite.Options{Type: tflite.OptionsPool2D, Padding: tflite.PaddingValid, FilterH: 2, FilterW: 2, StrideH: 1, StrideW: 1, Activation: tc.act}
			in := dmTensor(tflite.TypeFloat32, []int{1, 2, 2, 1}, tc.vals...)
			out := NewTensor(tflite.TypeFloat32, []int{1, 1, 1, 1})
			dmRun(t, tc.op, opts, RoundingDouble, []*Tensor{out}, in)
			if got := out.Float32()[0]; got != tc.want {
				t.Errorf("output %v, want %v", got, tc.want)
			}
		})
	}
}
