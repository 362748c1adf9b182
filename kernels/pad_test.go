package kernels

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

func TestPad(t *testing.T) {
	tests := []struct {
		name     string
		op       tflite.BuiltinOperator
		typ      tflite.TensorType
		zp       int64
		in       []int
		vals     []float64
		paddings []float64 // [rank, 2]
		padsType tflite.TensorType
		constant []float64 // PADV2 value, nil for PAD
		out      []int
		want     []float64
	}{
		{
			name: "PAD int8 uses the output zero point", op: tflite.OpPad, typ: tflite.TypeInt8, zp: -5,
			in: []int{2, 2}, vals: []float64{1, 2, 3, 4}, paddings: []float64{1, 0, 0, 1}, padsType: tflite.TypeInt32,
			out:  []int{3, 3},
			want: []float64{-5, -5, -5, 1, 2, -5, 3, 4, -5},
		},
		{
			name: "PADV2 int8 uses the constant", op: tflite.OpPadv2, typ: tflite.TypeInt8, zp: -5,
			in: []int{1, 2}, vals: []float64{7, 8}, paddings: []float64{0, 0, 2, 1}, padsType: tflite.TypeInt64,
			constant: []float64{-128},
			out:      []int{1, 5},
			want:     []float64{-128, -128, 7, 8, -128},
		},
		{
			name: "PAD int16 pads with 0", op: tflite.OpPad, typ: tflite.TypeInt16,
			in: []int{1, 1, 2, 1}, vals: []float64{-300, 300}, paddings: []float64{0, 0, 1, 1, 0, 0, 0, 1}, padsType: tflite.TypeInt32,
			out:  []int{1, 3, 2, 2},
			want: []float64{0, 0, 0, 0, -300, 0, 300, 0, 0, 0, 0, 0},
		},
		{
			name: "PADV2 int32 constant", op: tflite.OpPadv2, typ: tflite.TypeInt32,
			in: []int{2}, vals: []float64{-1 << 31, 1<<31 - 1}, paddings: []float64{1, 1}, padsType: tflite.TypeInt32,
			constant: []float64{42},
			out:      []int{4},
			want:     []float64{42, -1 << 31, 1<<31 - 1, 42},
		},
		{
			name: "PAD float32 pads with 0", op: tflite.OpPad, typ: tflite.TypeFloat32,
			in: []int{1, 2}, vals: []float64{-1.5, 2.5}, paddings: []float64{1, 0, 0, 0}, padsType: tflite.TypeInt32,
			out:  []int{2, 2},
			want: []float64{0, 0, -1.5, 2.5},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := arQuant(dmTensor(tc.typ, tc.in, tc.vals...), 0.5, tc.zp)
			ins := []*Tensor{in, arConst(dmTensor(tc.padsType, []int{len(tc.in), 2}, tc.paddings...))}
			if tc.constant != nil {
				ins = append(ins, arConst(arQuant(dmTensor(tc.typ, []int{}, tc.constant...), 0.5, tc.zp)))
			}
			out := arQuant(NewTensor(tc.typ, tc.out), 0.5, tc.zp)
			k := dmRun(t, tc.op, tflite.Options{}, RoundingDouble, []*Tensor{out}, ins...)
			dmWant(t, out, tc.want)
			// Element 0 is padding in every case: no source.
			var c Chain
			if err := k.Explain(0, 0, &c); err != nil {
				t.Fatal(err)
			}
			if len(c.Sources) != 0 || c.Steps[0].Name != "pad" {
				t.Errorf("padding element explained as %+v", c)
			}
		})
	}
}

func TestPadFloatPadValueBits(t *testing.T) {
	in := dmTensor(tflite.TypeFloat32, []int{1}, 3)
	pads := arConst(dmTensor(tflite.TypeInt32, []int{1, 2}, 1, 0))
	cv := arConst(dmTensor(tflite.TypeFloat32, []int{1}, -0.25))
	out := NewTensor(tflite.TypeFloat32, []int{2})
	k := dmRun(t, tflite.OpPadv2, tflite.Options{}, RoundingDouble, []*Tensor{out}, in, pads, cv)
	var c Chain
	if err := k.Explain(0, 0, &c); err != nil {
		t.Fatal(err)
	}
	if c.Final != int64(math.Float32bits(-0.25)) || c.Steps[0].Real != -0.25 {
		t.Errorf("pad element Final %#x Real %g, want bits of -0.25", c.Final, c.Steps[0].Real)
	}
}

func TestPadRejects(t *testing.T) {
	in := func() *Tensor { return NewTensor(tflite.TypeInt8, []int{2}) }
	tests := []struct {
		name string
		pads *Tensor
		out  *Tensor
		want error
	}{
		{"paddings not constant", dmTensor(tflite.TypeInt32, []int{1, 2}, 1, 1), NewTensor(tflite.TypeInt8, []int{4}), ErrNotConstant},
		{"output size", arConst(dmTensor(tflite.TypeInt32, []int{1, 2}, 1, 1)), NewTensor(tflite.TypeInt8, []int{5}), ErrBadShape},
		{"negative padding", arConst(dmTensor(tflite.TypeInt32, []int{1, 2}, -1, 1)), NewTensor(tflite.TypeInt8, []int{2}), ErrBadShape},
		{"paddings dtype", arConst(dmTensor(tflite.TypeInt8, []int{1, 2}, 1, 1)), NewTensor(tflite.TypeInt8, []int{4}), ErrUnsupportedType},
		// 2 + 2·(2^63 − 1) wraps to 0 in int64: the sum must not be what is checked.
		{"int64 paddings that wrap", arConst(hugePaddings()), NewTensor(tflite.TypeInt8, []int{0}), ErrBadShape},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := dmPrepareErr(tflite.OpPad, tflite.Options{}, []*Tensor{tc.out}, in(), tc.pads); !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
}

// TestPadRowsMatchSource runs PAD's row-copying Eval on random shapes,
// paddings and dtypes; dmRun checks every stored element against Explain,
// which maps each output element through source one at a time.
func TestPadRowsMatchSource(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 2))
	types := []tflite.TensorType{tflite.TypeInt8, tflite.TypeInt16, tflite.TypeInt32, tflite.TypeFloat32}
	for i := range 200 {
		typ := types[i%len(types)]
		rank := 1 + rng.IntN(5)
		in, out := make([]int, rank), make([]int, rank)
		var pads []float64
		for d := range rank {
			in[d] = rng.IntN(4) // 0 sometimes: an empty input
			if i%7 != 0 && in[d] == 0 {
				in[d] = 1
			}
			b, a := rng.IntN(3), rng.IntN(3)
			if rng.IntN(2) == 0 {
				b, a = 0, 0 // unpadded dimensions join the contiguous runs
			}
			pads = append(pads, float64(b), float64(a))
			out[d] = b + in[d] + a
		}
		x := dmTensor(typ, in)
		for j := range x.NumElements() {
			switch typ {
			case tflite.TypeFloat32:
				x.Float32()[j] = float32(rng.NormFloat64())
			default:
				lo, hi := Range(typ)
				if typ == tflite.TypeInt32 {
					lo, hi = -1000, 1000
				}
				v := int64(lo) + rng.Int64N(int64(hi)-int64(lo)+1)
				switch typ {
				case tflite.TypeInt8:
					x.Int8()[j] = int8(v)
				case tflite.TypeInt16:
					x.Int16()[j] = int16(v)
				default:
					x.Int32()[j] = int32(v)
				}
			}
		}
		x = arQuant(x, 0.5, 0)
		y := arQuant(NewTensor(typ, out), 0.5, 0)
		if typ == tflite.TypeInt8 {
			x.ZeroPoint, y.ZeroPoint = []int64{-3}, []int64{-3}
		}
		dmRun(t, tflite.OpPad, tflite.Options{}, RoundingDouble, []*Tensor{y},
			x, arConst(dmTensor(tflite.TypeInt32, []int{rank, 2}, pads...)))
	}
}

// hugePaddings is a [1,2] int64 paddings tensor of MaxInt64 twice.
func hugePaddings() *Tensor {
	t := NewTensor(tflite.TypeInt64, []int{1, 2})
	t.Int64()[0], t.Int64()[1] = math.MaxInt64, math.MaxInt64
	return t
}
