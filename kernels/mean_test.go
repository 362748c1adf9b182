package kernels

import (
	"errors"
	"math"
	"reflect"
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

func TestReduceQuantized(t *testing.T) {
	tests := []struct {
		name        string
		op          tflite.BuiltinOperator
		typ         tflite.TensorType
		sIn, sOut   float32
		zpIn, zpOut int64
		in, out     []int
		axis        []float64
		keepDims    bool
		vals        []float64
		want        map[Rounding][]float64
		wantMean    QuantizedMultiplier // MEAN's folded multiplier
	}{
		{
			// count 4 folds into M = 1/4 exactly (2^30, shift −1). Single
			// rounding: 101/4 = 25.25 → 25. Double rounding rounds twice:
			// SRDHM(101, 2^30) = round(50.5) = 51, RDBPOT(51, 1) = round(25.5) = 26.
			name: "MEAN hw keep_dims", op: tflite.OpMean, typ: tflite.TypeInt8, sIn: 1, sOut: 1,
			in: []int{1, 2, 2, 1}, out: []int{1, 1, 1, 1}, axis: []float64{1, 2}, keepDims: true,
			vals:     []float64{10, 20, 30, 41},
			want:     map[Rounding][]float64{RoundingDouble: {26}, RoundingSingle: {25}},
			wantMean: QuantizedMultiplier{Multiplier: 1 << 30, Shift: -1},
		},
		{
			// (101 − 5·4)/4 = 20.25 → 20 (single); double: SRDHM(81, 2^30) =
			// round(40.5) = 41, RDBPOT(41, 1) = 21; then + zp −3.
			name: "MEAN with zero points", op: tflite.OpMean, typ: tflite.TypeInt8, sIn: 1, sOut: 1, zpIn: 5, zpOut: -3,
			in: []int{1, 2, 2, 1}, out: []int{1, 1}, axis: []float64{2, 1},
			vals:     []float64{10, 20, 30, 41},
			want:     map[Rounding][]float64{RoundingDouble: {18}, RoundingSingle: {17}},
			wantMean: QuantizedMultiplier{Multiplier: 1 << 30, Shift: -1},
		},
		{
			// count 3: multiplier (2^30·2^1)/3 = 715827882, shift 1−1 = 0;
			// 7/3 → 2 and −16/3 → −5.
			name: "MEAN last axis count 3", op: tflite.OpMean, typ: tflite.TypeInt16, sIn: 1, sOut: 1,
			in: []int{2, 3}, out: []int{2}, axis: []float64{-1},
			vals:     []float64{1, 2, 4, -5, -5, -6},
			want:     map[Rounding][]float64{RoundingDouble: {2, -5}, RoundingSingle: {2, -5}},
			wantMean: QuantizedMultiplier{Multiplier: 715827882, Shift: 0},
		},
		{
			// [2,3,2] over axis 1: out[b][c] = Σ_j in[b][j][c]:
			// 0+2+4, 1+3+5, 6+8+10, 7+9+11.
			name: "SUM middle axis", op: tflite.OpSum, typ: tflite.TypeInt8, sIn: 1, sOut: 1,
			in: []int{2, 3, 2}, out: []int{2, 2}, axis: []float64{1},
			vals: []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11},
			want: map[Rounding][]float64{RoundingDouble: {6, 9, 24, 27}, RoundingSingle: {6, 9, 24, 27}},
		},
		{
			name: "SUM clamps", op: tflite.OpSum, typ: tflite.TypeInt8, sIn: 1, sOut: 1,
			in: []int{2}, out: []int{1}, axis: []float64{0}, keepDims: true,
			vals: []float64{100, 100},
			want: map[Rounding][]float64{RoundingDouble: {127}, RoundingSingle: {127}},
		},
		{
			// M = 1/2: 7/2 = 3.5 → 4 and −7/2 = −3.5 → −3 under both rules
			// (the tie is in the high multiply, which rounds half up).
			name: "SUM int16 halves", op: tflite.OpSum, typ: tflite.TypeInt16, sIn: 0.5, sOut: 1,
			in: []int{2, 2}, out: []int{2}, axis: []float64{0},
			vals: []float64{3, -3, 4, -4},
			want: map[Rounding][]float64{RoundingDouble: {4, -3}, RoundingSingle: {4, -3}},
		},
		{
			name: "REDUCE_MAX last axis", op: tflite.OpReduceMax, typ: tflite.TypeInt8, sIn: 0.5, sOut: 0.5, zpIn: 3, zpOut: 3,
			in: []int{2, 3}, out: []int{2, 1}, axis: []float64{-1}, keepDims: true,
			vals: []float64{1, 5, -3, -7, -2, -9},
			want: map[Rounding][]float64{RoundingDouble: {5, -2}, RoundingSingle: {5, -2}},
		},
		{
			name: "REDUCE_MIN both axes", op: tflite.OpReduceMin, typ: tflite.TypeInt16, sIn: 0.5, sOut: 0.5,
			in: []int{2, 3}, out: []int{}, axis: []float64{0, 1},
			vals: []float64{1, 5, -3, -7, -2, -9},
			want: map[Rounding][]float64{RoundingDouble: {-9}, RoundingSingle: {-9}},
		},
	}
	for _, tc := range tests {
		for _, rule := range Roundings() {
			t.Run(tc.name+"/"+rule.String(), func(t *testing.T) {
				in := arQuant(dmTensor(tc.typ, tc.in, tc.vals...), tc.sIn, tc.zpIn)
				axis := arConst(dmTensor(tflite.TypeInt32, []int{len(tc.axis)}, tc.axis...))
				out := arQuant(NewTensor(tc.typ, tc.out), tc.sOut, tc.zpOut)
				k := dmRun(t, tc.op, tflite.Options{KeepDims: tc.keepDims}, rule, []*Tensor{out}, in, axis)
				dmWant(t, out, tc.want[rule])
				if tc.op == tflite.OpMean {
					p := k.(Describer).Describe()
					if len(p.Multipliers) != 2 || p.Multipliers[1].Quantized != tc.wantMean {
						t.Errorf("multipliers %+v, want mean %+v", p.Multipliers, tc.wantMean)
					}
				}
				var c Chain
				if err := k.Explain(0, 0, &c); err != nil {
					t.Fatal(err)
				}
				if want := NumElements(tc.in) / max(1, out.NumElements()); len(c.Sources) != want {
					t.Errorf("explanation lists %d sources, want %d", len(c.Sources), want)
				}
			})
		}
	}
}

func TestReduceFloatMinMaxSkipNaN(t *testing.T) {
	nan := math.NaN()
	vals := []float64{nan, 1, 2, 1, nan, -1}
	for _, tc := range []struct {
		op   tflite.BuiltinOperator
		want []float32
	}{
		{tflite.OpReduceMax, []float32{2, 1}},
		{tflite.OpReduceMin, []float32{1, -1}},
	} {
		t.Run(tc.op.String(), func(t *testing.T) {
			in := dmTensor(tflite.TypeFloat32, []int{2, 3}, vals...)
			axis := arConst(dmTensor(tflite.TypeInt32, []int{1}, 1))
			out := NewTensor(tflite.TypeFloat32, []int{2})
			dmRun(t, tc.op, tflite.Options{}, RoundingDouble, []*Tensor{out}, in, axis)
			if got := out.Float32(); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("output %v, want %v", got, tc.want)
			}
		})
	}
}

func TestReduceRejects(t *testing.T) {
	in := func() *Tensor { return arQuant(NewTensor(tflite.TypeInt8, []int{2, 3}), 0.5, 0) }
	axis := func(a ...float64) *Tensor { return arConst(dmTensor(tflite.TypeInt32, []int{len(a)}, a...)) }
	tests := []struct {
		name string
		op   tflite.BuiltinOperator
		in   *Tensor
		axis *Tensor
		out  *Tensor
		want error
	}{
		{"max rescale", tflite.OpReduceMax, in(), axis(1), arQuant(NewTensor(tflite.TypeInt8, []int{2}), 0.25, 0), ErrBadQuantization},
		{"int32 mean", tflite.OpMean, NewTensor(tflite.TypeInt32, []int{2, 3}), axis(1), NewTensor(tflite.TypeInt32, []int{2}), ErrUnsupportedType},
		{"axis not constant", tflite.OpMean, in(), dmTensor(tflite.TypeInt32, []int{1}, 1), arQuant(NewTensor(tflite.TypeInt8, []int{2}), 0.5, 0), ErrNotConstant},
		{"axis out of range", tflite.OpMean, in(), axis(2), arQuant(NewTensor(tflite.TypeInt8, []int{2}), 0.5, 0), ErrBadShape},
		{"output size", tflite.OpSum, in(), axis(0), arQuant(NewTensor(tflite.TypeInt8, []int{2}), 0.5, 0), ErrBadShape},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := dmPrepareErr(tc.op, tflite.Options{}, []*Tensor{tc.out}, tc.in, tc.axis); !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestReduceFloatMeanSum(t *testing.T) {
	// Rows: [1, 2, 3]; [−1, 0.5, 3.5]; [1e8, 1, −1e8]. The last row shows the
	// row-major float32 order: 1e8 + 1 rounds back to 1e8, so the sum is 0
	// (any other order would give 1).
	vals := []float64{1, 2, 3, -1, 0.5, 3.5, 1e8, 1, -1e8}
	for _, tc := range []struct {
		op   tflite.BuiltinOperator
		want []float32
	}{
		{tflite.OpMean, []float32{2, 1, 0}},
		{tflite.OpSum, []float32{6, 3, 0}},
	} {
		t.Run(tc.op.String(), func(t *testing.T) {
			in := dmTensor(tflite.TypeFloat32, []int{3, 3}, vals...)
			axis := arConst(dmTensor(tflite.TypeInt32, []int{1}, -1))
			out := NewTensor(tflite.TypeFloat32, []int{3, 1})
			dmRun(t, tc.op, tflite.Options{KeepDims: true}, RoundingDouble, []*Tensor{out}, in, axis)
			if got := out.Float32(); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("output %v, want %v", got, tc.want)
			}
		})
	}
}
