package kernels

import (
	"errors"
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

func TestQuantizeFromFloat(t *testing.T) {
	tests := []struct {
		name  string
		typ   tflite.TensorType
		scale float32
		zp    int64
		x     []float64
		want  []float64
	}{
		// x/0.5: 2.5 → 3, −2.5 → −3 (half away from zero), 200 → clamp, −0.48 → 0.
		{"int8", tflite.TypeInt8, 0.5, -3, []float64{1.25, -1.25, 100, -0.24, -64}, []float64{0, -6, 127, -3, -128}},
		// x/0.25 + 10: 2+10, −40+10 → clamp 0, 1020+10 → clamp 255.
		{"uint8", tflite.TypeUint8, 0.25, 10, []float64{0.5, -10, 255}, []float64{12, 0, 255}},
		// x/0.25: 2.5 → 3, −2.5 → −3, 40000 → clamp.
		{"int16", tflite.TypeInt16, 0.25, 0, []float64{0.625, -0.625, 10000, -10000}, []float64{3, -3, 32767, -32768}},
		// A quotient beyond int32 converts to INT32_MIN (x86), plus zp −3
		// wraps to 2^31 − 4, clamped to 127.
		{"int8 overflowing quotient", tflite.TypeInt8, 0.5, -3, []float64{1e10}, []float64{127}},
	}
	for _, tc := range tests {
		for _, rule := range Roundings() {
			t.Run(tc.name+"/"+rule.String(), func(t *testing.T) {
				in := dmTensor(tflite.TypeFloat32, []int{len(tc.x)}, tc.x...)
				out := arQuant(NewTensor(tc.typ, []int{len(tc.x)}), tc.scale, tc.zp)
				dmRun(t, tflite.OpQuantize, tflite.Options{}, rule, []*Tensor{out}, in)
				dmWant(t, out, tc.want)
			})
		}
	}
}

func TestQuantizeRequantize(t *testing.T) {
	tests := []struct {
		name             string
		from, to         tflite.TensorType
		sIn, sOut        float32
		zpIn, zpOut      int64
		x                []float64
		want             map[Rounding][]float64
		wantXor          bool
		wantMult, wantSh int
	}{
		{
			// M = 1/3 = 1431655765·2^(−1−31), plus zp 4. Single rounding gives
			// round(x/3): 7/3 → 2, −8/3 → −3, 5/3 → 2. Double rounding
			// rounds twice: SRDHM(7, m) = round(4.67) = 5, then
			// RoundingDivideByPOT(5, 1) = round(2.5) = 3.
			name: "int16 to int8 by a third", from: tflite.TypeInt16, to: tflite.TypeInt8, sIn: 1, sOut: 3, zpOut: 4,
			x:        []float64{7, -8, 5, 30000},
			want:     map[Rounding][]float64{RoundingDouble: {7, 1, 6, 127}, RoundingSingle: {6, 1, 6, 127}},
			wantMult: 1431655765, wantSh: -1,
		},
		{
			// M = 1/4 exactly: −6/4 = −1.5 is a tie. Double rounding
			// (RoundingDivideByPOT) rounds it away from zero to −2, single
			// rounding rounds half up to −1; −0.5 likewise −1 versus 0.
			name: "int8 to int8 ties", from: tflite.TypeInt8, to: tflite.TypeInt8, sIn: 0.25, sOut: 1,
			x:        []float64{-6, 6, -2, 2},
			want:     map[Rounding][]float64{RoundingDouble: {-2, 2, -1, 1}, RoundingSingle: {-1, 2, 0, 1}},
			wantMult: 1 << 30, wantSh: -1,
		},
		{
			name: "int8 to uint8 flips the top bit", from: tflite.TypeInt8, to: tflite.TypeUint8, sIn: 0.5, sOut: 0.5, zpIn: -3, zpOut: 125,
			x:       []float64{-128, -1, 0, 127},
			want:    map[Rounding][]float64{RoundingDouble: {0, 127, 128, 255}, RoundingSingle: {0, 127, 128, 255}},
			wantXor: true, wantMult: 1 << 30, wantSh: 1,
		},
		{
			name: "uint8 to int8 flips the top bit", from: tflite.TypeUint8, to: tflite.TypeInt8, sIn: 0.5, sOut: 0.5, zpIn: 128, zpOut: 0,
			x:       []float64{0, 127, 128, 255},
			want:    map[Rounding][]float64{RoundingDouble: {-128, -1, 0, 127}, RoundingSingle: {-128, -1, 0, 127}},
			wantXor: true, wantMult: 1 << 30, wantSh: 1,
		},
		{
			// Same scale but zero points 100 apart: the formula, not the flip.
			name: "uint8 to int8 rescale by zero point", from: tflite.TypeUint8, to: tflite.TypeInt8, sIn: 0.5, sOut: 0.5, zpIn: 100, zpOut: 0,
			x:        []float64{0, 100, 255},
			want:     map[Rounding][]float64{RoundingDouble: {-100, 0, 127}, RoundingSingle: {-100, 0, 127}},
			wantMult: 1 << 30, wantSh: 1,
		},
		{
			name: "int32 to int8 doubles", from: tflite.TypeInt32, to: tflite.TypeInt8, sIn: 1, sOut: 0.5, zpOut: -10,
			x:        []float64{50, -1000},
			want:     map[Rounding][]float64{RoundingDouble: {90, -128}, RoundingSingle: {90, -128}},
			wantMult: 1 << 30, wantSh: 2,
		},
		{
			name: "int8 to int16", from: tflite.TypeInt8, to: tflite.TypeInt16, sIn: 0.5, sOut: 0.5, zpIn: 5,
			x:        []float64{-128, 127},
			want:     map[Rounding][]float64{RoundingDouble: {-133, 122}, RoundingSingle: {-133, 122}},
			wantMult: 1 << 30, wantSh: 1,
		},
		{
			name: "int16 to int32 by four", from: tflite.TypeInt16, to: tflite.TypeInt32, sIn: 1, sOut: 0.25,
			x:        []float64{32767, -32768},
			want:     map[Rounding][]float64{RoundingDouble: {131068, -131072}, RoundingSingle: {131068, -131072}},
			wantMult: 1 << 30, wantSh: 3,
		},
	}
	for _, tc := range tests {
		for _, rule := range Roundings() {
			t.Run(tc.name+"/"+rule.String(), func(t *testing.T) {
				in := arQuant(dmTensor(tc.from, []int{len(tc.x)}, tc.x...), tc.sIn, tc.zpIn)
				out := arQuant(NewTensor(tc.to, []int{len(tc.x)}), tc.sOut, tc.zpOut)
				k := dmRun(t, tflite.OpQuantize, tflite.Options{}, rule, []*Tensor{out}, in)
				dmWant(t, out, tc.want[rule])
				p := k.(Describer).Describe()
				if len(p.Multipliers) != 1 || int(p.Multipliers[0].Quantized.Multiplier) != tc.wantMult || p.Multipliers[0].Quantized.Shift != tc.wantSh {
					t.Errorf("multipliers %+v, want (%d, %d)", p.Multipliers, tc.wantMult, tc.wantSh)
				}
				var c Chain
				if err := k.Explain(0, 0, &c); err != nil {
					t.Fatal(err)
				}
				flipped := false
				for _, s := range c.Steps {
					flipped = flipped || s.Name == "flip"
				}
				if flipped != tc.wantXor {
					t.Errorf("explanation took the XOR path: %v, want %v", flipped, tc.wantXor)
				}
			})
		}
	}
}

func TestQuantizeRejects(t *testing.T) {
	q := func(typ tflite.TensorType) *Tensor { return arQuant(NewTensor(typ, []int{2}), 0.5, 0) }
	tests := []struct {
		name    string
		in, out *Tensor
		want    error
	}{
		{"uint8 to int16", q(tflite.TypeUint8), q(tflite.TypeInt16), ErrUnsupportedType},
		{"float to int32", NewTensor(tflite.TypeFloat32, []int{2}), q(tflite.TypeInt32), ErrUnsupportedType},
		{"per-channel output", q(tflite.TypeInt8), &Tensor{Type: tflite.TypeInt8, Shape: []int{2}, Data: make([]byte, 2), Scale: []float32{1, 2}}, ErrBadQuantization},
		{"element count", q(tflite.TypeInt8), arQuant(NewTensor(tflite.TypeInt8, []int{3}), 1, 0), ErrBadShape},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := dmPrepareErr(tflite.OpQuantize, tflite.Options{}, []*Tensor{tc.out}, tc.in); !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
}
