package kernels

import (
	"fmt"
	"math"
	"testing"

	"github.com/tflq/tflq-trace/internal/oracle"
	"github.com/tflq/tflq-trace/tflite"
)

func buildUnary(op tflite.BuiltinOperator, typ tflite.TensorType, sIn float32, zIn int64, sOut float32, zOut int64, r Rounding, values []int64) *Node {
	in := arTensor(typ, []int{len(values)}, sIn, zIn, values...)
	out := arTensor(typ, []int{len(values)}, sOut, zOut)
	return &Node{Op: op, Inputs: []*Tensor{in}, Outputs: []*Tensor{out}, Rounding: r}
}

// allValues is every int8 value, or every 61st int16 value plus the extremes.
func allValues(typ tflite.TensorType) []int64 {
	if typ == tflite.TypeInt8 {
		v := make([]int64, 256)
		for i := range v {
			v[i] = int64(i) - 128
		}
		return v
	}
	var v []int64
	for x := int64(math.MinInt16); x <= math.MaxInt16; x += 61 {
		v = append(v, x)
	}
	return append(v, 0, math.MaxInt16, -1, 1)
}

// int16Multiplier is trunc(s·3·4096·2^shift), the non-power-of-two int16
// input multiplier.
func int16Multiplier(s float32, shift int) int64 {
	return int64(float64(s) * 12288 * math.Ldexp(1, shift))
}

// TestSigmoidFamilyNearFloat compares every int8 input (and a spread of int16
// inputs) of LOGISTIC and TANH with the float function: within 1 LSB for
// int8 and 3 for the int16 table interpolation.
func TestSigmoidFamilyNearFloat(t *testing.T) {
	sigmoid := oracle.Logistic
	tests := []struct {
		op         tflite.BuiltinOperator
		typ        tflite.TensorType
		sIn        float32
		zIn        int64
		sOut       float32
		zOut       int64
		f          func(float64) float64
		tol        float64
		wantPOT    bool
		wantMult16 int64
	}{
		{tflite.OpLogistic, tflite.TypeInt8, 0.0625, -5, 1.0 / 256, -128, sigmoid, 1, false, 0},
		{tflite.OpLogistic, tflite.TypeInt8, 0.011, 40, 1.0 / 256, -128, sigmoid, 1, false, 0},
		{tflite.OpTanh, tflite.TypeInt8, 0.03, 7, 1.0 / 128, 0, math.Tanh, 1, false, 0},
		{tflite.OpTanh, tflite.TypeInt8, 0.2, -100, 1.0 / 128, 0, math.Tanh, 1, false, 0},
		// 2^−12 is the power-of-two case of both: multiplier 3, no shift.
		{tflite.OpLogistic, tflite.TypeInt16, 1.0 / 4096, 0, 1.0 / 32768, 0, sigmoid, 3, true, 3},
		{tflite.OpTanh, tflite.TypeInt16, 1.0 / 4096, 0, 1.0 / 32768, 0, math.Tanh, 3, true, 3},
		// 2^−11: TANH still takes it as power of two (multiplier 3 << 1);
		// LOGISTIC rescales: 2^−11·12288 = 6, doubled 12 times to 24576.
		{tflite.OpTanh, tflite.TypeInt16, 1.0 / 2048, 0, 1.0 / 32768, 0, math.Tanh, 3, true, 6},
		{tflite.OpLogistic, tflite.TypeInt16, 1.0 / 2048, 0, 1.0 / 32768, 0, sigmoid, 3, false, 24576},
		{tflite.OpLogistic, tflite.TypeInt16, 3.1e-4, 0, 1.0 / 32768, 0, sigmoid, 3, false, int16Multiplier(3.1e-4, 13)},
		{tflite.OpTanh, tflite.TypeInt16, 1.7e-4, 0, 1.0 / 32768, 0, math.Tanh, 3, false, int16Multiplier(1.7e-4, 13)},
	}
	for _, tc := range tests {
		for _, r := range Roundings() {
			t.Run(fmt.Sprintf("%v/%v/s%g/%v", tc.op, tc.typ, tc.sIn, r), func(t *testing.T) {
				values := allValues(tc.typ)
				n := buildUnary(tc.op, tc.typ, tc.sIn, tc.zIn, tc.sOut, tc.zOut, r, values)
				k := arPrepareEval(t, n)
				lo, hi := Range(tc.typ)
				for i, g := range arValues(n.Outputs[0]) {
					want := tc.f(float64(tc.sIn)*float64(values[i]-tc.zIn))/float64(tc.sOut) + float64(tc.zOut)
					want = min(max(want, float64(lo)), float64(hi))
					if math.Abs(float64(g)-want) > tc.tol {
						t.Fatalf("x = %d: got %d, float %.3f", values[i], g, want)
					}
				}
				p := k.(Describer).Describe()
				if tc.typ == tflite.TypeInt16 {
					if p.Ints[0].Value != tc.wantMult16 || (p.Ints[2].Value == 1) != tc.wantPOT {
						t.Fatalf("int16 params %+v, want multiplier %d, power of two %v", p.Ints, tc.wantMult16, tc.wantPOT)
					}
					ewCheckExplain(t, k, n.Outputs[0], "x", "scaled_input", "result")
				} else {
					ewCheckExplain(t, k, n.Outputs[0], "x", "offset")
				}
				arCheckNoAlloc(t, k)
			})
		}
	}
}

// TestSigmoidFamilyHandChecked: at the zero point LOGISTIC int8 gives
// 2^30 (1/2) >> 23 = 128 − 128 = 0 and int16 gives 2^24 (table[0] = 32768,
// shifted by 9) rounded >> 10 = 16384; TANH gives 0. Inputs at the radius
// saturate. For s_in = 2^−4, m = 2^−4·2^27 = 2^23 = 0.5·2^24, so the
// multiplier is (2^30, 24) and the radius floor(15·2^27 / 2^24) = 120.
func TestSigmoidFamilyHandChecked(t *testing.T) {
	for _, r := range Roundings() {
		n := buildUnary(tflite.OpLogistic, tflite.TypeInt8, 0.0625, 3, 1.0/256, -128, r, []int64{3, 3 + 120, 3 - 120, 3 + 119})
		k, err := Prepare(n)
		if err != nil {
			t.Fatal(err)
		}
		p := k.(Describer).Describe()
		if p.Multipliers[0].Quantized != (QuantizedMultiplier{1 << 30, 24}) || p.Ints[1].Value != 120 {
			t.Fatalf("params %+v", p)
		}
		if err := k.Eval(); err != nil {
			t.Fatal(err)
		}
		// sigmoid(119/16 = 7.4375) = 0.99941 → 255.85 → 256 − 128 → clamp 127.
		if got, want := arValues(n.Outputs[0]), []int64{0, 127, -128, 127}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%v LOGISTIC int8: got %v, want %v", r, got, want)
		}
		for _, tc := range []struct {
			op   tflite.BuiltinOperator
			typ  tflite.TensorType
			want int64
		}{
			{tflite.OpLogistic, tflite.TypeInt16, 16384},
			{tflite.OpTanh, tflite.TypeInt16, 0},
			{tflite.OpTanh, tflite.TypeInt8, 0},
		} {
			sOut := float32(1.0 / 32768)
			if tc.typ == tflite.TypeInt8 {
				sOut = 1.0 / 128
			}
			n := buildUnary(tc.op, tc.typ, 1.0/4096, 0, sOut, 0, r, []int64{0})
			arPrepareEval(t, n)
			if got := arValues(n.Outputs[0])[0]; got != tc.want {
				t.Fatalf("%v %v at 0: got %d, want %d", tc.op, tc.typ, got, tc.want)
			}
		}
	}
}

func TestSigmoidFamilyRejects(t *testing.T) {
	n := buildUnary(tflite.OpLogistic, tflite.TypeInt8, 0.1, 0, 1.0/256, 0, RoundingDouble, []int64{0})
	if _, err := Prepare(n); err == nil {
		t.Error("int8 LOGISTIC with output zero point 0 prepared")
	}
	n = buildUnary(tflite.OpTanh, tflite.TypeInt16, 1.0/4096, 3, 1.0/32768, 0, RoundingDouble, []int64{0})
	if _, err := Prepare(n); err == nil {
		t.Error("int16 TANH with input zero point 3 prepared")
	}
	n = buildUnary(tflite.OpLogistic, tflite.TypeInt16, 1.0/4096, 0, 1.0/16384, 0, RoundingDouble, []int64{0})
	if _, err := Prepare(n); err == nil {
		t.Error("int16 LOGISTIC with output scale 2^−14 prepared")
	}
}
