package kernels

import (
	"fmt"
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

// TestTanhHandChecked: with s_in = 2^−4 the int8 input is rescaled by
// (2^30, 24) to Q4.27 and saturates at |x − zp| ≥ 120 (7.5): tanh(±1) =
// ±0.7616, ·128 = ±97.48 → ±97 after RoundingDivideByPOT by 24; tanh(0) = 0.
func TestTanhHandChecked(t *testing.T) {
	for _, r := range Roundings() {
		values := []int64{5, 5 + 16, 5 - 16, 5 + 120, 5 - 120, 5 + 119, 5 - 119}
		n := buildUnary(tflite.OpTanh, tflite.TypeInt8, 0.0625, 5, 1.0/128, 0, r, values)
		k := arPrepareEval(t, n)
		// tanh(119/16 = 7.44) = 0.9999993 → 127.99991 → 128 → clamp 127.
		if got, want := arValues(n.Outputs[0]), []int64{0, 97, -97, 127, -128, 127, -128}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%v: got %v, want %v", r, got, want)
		}
		chains := ewCheckExplain(t, k, n.Outputs[0], "x", "offset")
		if last := chains[3].Steps[len(chains[3].Steps)-1]; last.Name != "output" || !last.Changed {
			t.Fatalf("saturated element's last step %+v", last)
		}
	}
}

// TestTanhInt16Odd: the int16 table path is odd up to the one-LSB asymmetry
// of its rounding (−result + 2^23 + 2^7 − 1 for negative inputs), and
// saturates to ±32767 beyond the table.
func TestTanhInt16Odd(t *testing.T) {
	values := []int64{0, 1, -1, 1000, -1000, 20000, -20000, 32767, -32767}
	n := buildUnary(tflite.OpTanh, tflite.TypeInt16, 1.0/4096, 0, 1.0/32768, 0, RoundingDouble, values)
	arPrepareEval(t, n)
	got := arValues(n.Outputs[0])
	for i := 1; i < len(values); i += 2 {
		if d := got[i] + got[i+1]; d < -1 || d > 1 {
			t.Errorf("tanh(%d) = %d, tanh(%d) = %d: not odd", values[i], got[i], values[i+1], got[i+1])
		}
	}
	if got[7] != 32767 || got[8] != -32767 {
		t.Errorf("saturation: tanh(±32767) = %d, %d, want ±32767", got[7], got[8])
	}
}
