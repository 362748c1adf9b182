package oracle

import (
	"math"
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

// TestActivationRangeFloat32 pins the float32 division of TFLite's Quantize
// in CalculateActivationRangeQuantizedImpl: with scale = float32(12/255) =
// 0.047058824, 6/scale is 127.5 in float32 but 127.49999750… in double, so
// q(6) is 128, not 127; likewise 1/float32(0.04878049) rounds to ±21, not
// ±20, and a float32 int16 scale for RELU6.
func TestActivationRangeFloat32(t *testing.T) {
	s12 := float32(12.0 / 255)
	if q64 := math.Round(6 / float64(s12)); q64 != 127 {
		t.Fatalf("test scale does not separate float32 from double (double gives %v)", q64)
	}
	for _, tc := range []struct {
		name   string
		act    tflite.Activation
		typ    tflite.TensorType
		scale  float32
		zp     int64
		lo, hi int64
	}{
		{"relu6 float32 tie", tflite.ActRelu6, tflite.TypeInt8, s12, -128, -128, 0},
		{"relu6 clamped by the type", tflite.ActRelu6, tflite.TypeInt8, s12, 0, 0, 127},
		{"relu_n1_to_1 float32", tflite.ActReluN1To1, tflite.TypeInt8, math.Float32frombits(0x3d47ce0d), 3, -18, 24},
		{"relu6 int16", tflite.ActRelu6, tflite.TypeInt16, math.Float32frombits(0x3a118fba), 0, 0, 10806},
		{"relu", tflite.ActRelu, tflite.TypeInt8, 0.1, -20, -20, 127},
		{"relu zp below the range", tflite.ActRelu, tflite.TypeInt8, 0.1, -200, -128, 127},
		{"none", tflite.ActNone, tflite.TypeInt16, 0.1, 5, -32768, 32767},
		{"tanh is not clamped", tflite.ActTanh, tflite.TypeInt8, 0.1, 5, -128, 127},
		{"uint8 relu6", tflite.ActRelu6, tflite.TypeUint8, 0.05, 10, 10, 130},
		{"int32 none", tflite.ActNone, tflite.TypeInt32, 1, 0, math.MinInt32, math.MaxInt32},
	} {
		if lo, hi := ActivationRange(tc.act, tc.typ, tc.scale, tc.zp); lo != tc.lo || hi != tc.hi {
			t.Errorf("%s: [%d, %d], want [%d, %d]", tc.name, lo, hi, tc.lo, tc.hi)
		}
	}
}

func TestQuantize(t *testing.T) {
	for _, tc := range []struct {
		r     float64
		scale float32
		zp    int64
		typ   tflite.TensorType
		want  int64
	}{
		{0.25, 0.1, 0, tflite.TypeInt8, 2},     // 0.25/float32(0.1) = 2.49999996 in double
		{0.25, 0.125, 0, tflite.TypeInt8, 2},   // 2
		{0.3125, 0.125, 0, tflite.TypeInt8, 3}, // 2.5 away from zero
		{-0.3125, 0.125, 0, tflite.TypeInt8, -3},
		{100, 0.5, 0, tflite.TypeInt8, 127},
		{-100, 0.5, 10, tflite.TypeInt8, -128},
		{math.Inf(1), 0.5, 0, tflite.TypeInt16, 32767},
		{math.Inf(-1), 0.5, 0, tflite.TypeUint8, 0},
		{1, 1.0 / 256, -128, tflite.TypeInt8, 127},
		{0.5, 1.0 / 256, -128, tflite.TypeInt8, 0},
	} {
		if got := Quantize(tc.r, tc.scale, tc.zp, tc.typ); got != tc.want {
			t.Errorf("Quantize(%v, %v, %d, %v) = %d, want %d", tc.r, tc.scale, tc.zp, tc.typ, got, tc.want)
		}
	}
}

// TestQuantizeFloat32 pins AffineQuantize's float32 division: x/s is 20.5
// in float32 (rounds to 21) but 20.4999… in double.
func TestQuantizeFloat32(t *testing.T) {
	x, s := math.Float32frombits(0x3c2eaf14), math.Float32frombits(0x3a0856b2)
	if got := QuantizeFloat32(x, s, 0, tflite.TypeInt8); got != 21 {
		t.Errorf("QuantizeFloat32 float32 tie: got %d, want 21", got)
	}
	if got := Quantize(float64(x), s, 0, tflite.TypeInt8); got != 20 {
		t.Errorf("Quantize of the same value in double: got %d, want 20", got)
	}
	for _, tc := range []struct {
		f, s float32
		zp   int64
		typ  tflite.TensorType
		want int64
	}{
		{2.5, 1, 0, tflite.TypeInt8, 3}, {-2.5, 1, 0, tflite.TypeInt8, -3}, {-2.4, 1, 0, tflite.TypeInt8, -2},
		{1000, 1, 0, tflite.TypeInt8, 127}, {1000, 1, 0, tflite.TypeInt16, 1000}, {-1, 0.5, 5, tflite.TypeInt8, 3},
	} {
		if got := QuantizeFloat32(tc.f, tc.s, tc.zp, tc.typ); got != tc.want {
			t.Errorf("QuantizeFloat32(%v, %v, %d, %v) = %d, want %d", tc.f, tc.s, tc.zp, tc.typ, got, tc.want)
		}
	}
}

// TestMultipliers pins where each op forms its multiplier in float32.
func TestMultipliers(t *testing.T) {
	// FULLY_CONNECTED per tensor / BATCH_MATMUL: float32 product
	// 0.1f·0.3f = 0.030000001 (0x3CF5C290), not the double product.
	p := ProductMultiplier(0.1, 0.3, 0.7)
	if want := float64(math.Float32frombits(0x3CF5C290)) / float64(float32(0.7)); p != want {
		t.Errorf("ProductMultiplier = %.17g, want %.17g", p, want)
	}
	if c := ConvMultiplier(0.1, 0.3, 0.7); c == p {
		t.Errorf("ConvMultiplier equals ProductMultiplier (%.17g): the scales must separate them", c)
	} else if c != float64(float32(0.1))*float64(float32(0.3))/float64(float32(0.7)) {
		t.Errorf("ConvMultiplier = %.17g", c)
	}
	if got := ConvMultipliers(0.5, []float32{0.25, 0.125}, 1); len(got) != 2 || got[0] != 0.125 || got[1] != 0.0625 {
		t.Errorf("ConvMultipliers = %v", got)
	}
	if got := MulMultiplier(0.5, 0.25, 0.25); got != 0.5 {
		t.Errorf("MulMultiplier = %v", got)
	}
	// ADD in double, SUB in float32: scales that separate the two.
	s1, s2, so := float32(3.0517578e-05*1.7), float32(3.0517578e-05*1.3), float32(3.0517578e-05*2.1)
	a1, a2, ao := AddMultipliers(s1, s2, so, 15)
	b1, b2, bo := SubMultipliers(s1, s2, so, 15)
	twice := 2 * float64(s1)
	if a1 != float64(s1)/twice || a2 != float64(s2)/twice || ao != twice/(32768*float64(so)) {
		t.Errorf("AddMultipliers = %v %v %v", a1, a2, ao)
	}
	t32 := 2 * s1
	if b1 != float64(s1/t32) || b2 != float64(s2/t32) || bo != float64(t32/(32768*so)) {
		t.Errorf("SubMultipliers = %v %v %v", b1, b2, bo)
	}
	if a2 == b2 {
		t.Errorf("ADD and SUB input-2 multipliers agree (%v): the scales must separate float32 from double", a2)
	}
	if AddSubLeftShift(tflite.TypeInt8) != 20 || AddSubLeftShift(tflite.TypeInt16) != 15 {
		t.Error("AddSubLeftShift")
	}
	id, al := LeakyReluMultipliers(0.0371, 0.0302, 0.2)
	if id != float64(float32(0.0371)/float32(0.0302)) || al != float64(float32(float32(0.0371)*float32(0.2))/float32(0.0302)) {
		t.Errorf("LeakyReluMultipliers = %v %v", id, al)
	}
	if double := float64(float32(0.0371)) / float64(float32(0.0302)); double == id {
		t.Errorf("LEAKY_RELU scales do not separate float32 from double")
	}
}

// TestBinaryHandChecked: s1 = s2 = 1/8, s_out = 1/4, zero points 0: the
// multipliers are 1/2, 1/2 and 2^−20, so ADD is round((x1 + x2)/2) with the
// rule's tie: −3.5 → −4 under double rounding (away from zero), −3 under
// single (toward +∞). MUL with s = 1/2, 1/4, 1/4 is round(p/2), ties up.
func TestBinaryHandChecked(t *testing.T) {
	for _, tc := range []struct {
		r          Rounding
		x1, x2     int64
		add, sub   int64
		mul        int64
		relu6Clamp int64
	}{
		{Double, 3, 4, 4, -1, 6, 4},
		{Single, 3, 4, 4, 0, 6, 4},
		{Double, -3, -4, -4, 1, 6, 0},
		{Single, -3, -4, -3, 1, 6, 0},
		{Double, 100, 100, 100, 0, 5000, 24},
	} {
		p := Binary{Type: tflite.TypeInt8, S1: 0.125, S2: 0.125, SOut: 0.25, Rounding: tc.r}
		if got := p.Add(tc.x1, tc.x2); got != tc.add {
			t.Errorf("%v ADD(%d, %d) = %d, want %d", tc.r, tc.x1, tc.x2, got, tc.add)
		}
		if got := p.Sub(tc.x1, tc.x2); got != tc.sub {
			t.Errorf("%v SUB(%d, %d) = %d, want %d", tc.r, tc.x1, tc.x2, got, tc.sub)
		}
		p.Act = tflite.ActRelu6 // [0, round(6/0.25) = 24]
		if got := p.Add(tc.x1, tc.x2); got != tc.relu6Clamp {
			t.Errorf("%v ADD relu6(%d, %d) = %d, want %d", tc.r, tc.x1, tc.x2, got, tc.relu6Clamp)
		}
		m := Binary{Type: tflite.TypeInt16, S1: 0.5, S2: 0.25, SOut: 0.25, Rounding: tc.r}
		if got := m.Mul(tc.x1, tc.x2); got != tc.mul {
			t.Errorf("%v MUL(%d, %d) = %d, want %d", tc.r, tc.x1, tc.x2, got, tc.mul)
		}
	}
	// MUL ties toward +∞ under both rules: p = −15 → −7.5 → −7; zero points.
	m := Binary{Type: tflite.TypeInt8, S1: 0.5, S2: 0.25, SOut: 0.25, Z1: 1, Z2: -1, ZOut: 10}
	if got := m.Mul(4, -6); got != 3 {
		t.Errorf("MUL(4, −6) = %d, want 3", got)
	}
	if got := m.Mul(127, 126); got != 127 {
		t.Errorf("MUL(127, 126) = %d, want the clamp 127", got)
	}
}
