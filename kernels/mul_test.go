package kernels

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/tflq/tflq-trace/internal/oracle"
	"github.com/tflq/tflq-trace/tflite"
)

var mulCases = []addSubCase{
	{"int8 same", tflite.TypeInt8, []int{2, 3, 4}, []int{2, 3, 4}, []int{2, 3, 4}, 0.05, 0.031, 0.07, 3, -20, -5, tflite.ActNone},
	{"int8 channel relu", tflite.TypeInt8, []int{1, 4, 4, 3}, []int{3}, []int{1, 4, 4, 3}, 0.1, 0.0123, 0.09, -128, 17, -128, tflite.ActRelu},
	{"int8 multiplier above one", tflite.TypeInt8, []int{1, 3, 1, 4}, []int{1, 1, 5, 4}, []int{1, 3, 5, 4}, 0.5, 0.4, 0.01, 10, -3, -100, tflite.ActRelu6},
	{"int8 5d", tflite.TypeInt8, []int{2, 1, 3, 1, 2}, []int{1, 2, 1, 2, 2}, []int{2, 2, 3, 2, 2}, 0.3, 0.3, 0.5, 0, 0, 0, tflite.ActNone},
	{"int16 channel", tflite.TypeInt16, []int{1, 2, 3, 4}, []int{4}, []int{1, 2, 3, 4}, 0.0003, 0.0007, 0.0009, 0, 0, 0, tflite.ActNone},
	{"int16 same relu6", tflite.TypeInt16, []int{3, 5}, []int{3, 5}, []int{3, 5}, 2e-4, 1.5e-4, 2.6e-4, 0, 0, 0, tflite.ActRelu6},
}

func TestMulMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	for _, tc := range mulCases {
		for _, r := range Roundings() {
			t.Run(fmt.Sprintf("%s/%v", tc.name, r), func(t *testing.T) {
				checkBinaryMatchesReference(t, rng, tflite.OpMul, tc, r, oracle.Binary.Mul, "in1.offset", "in2.offset", "product", "M", "zp", "clamp")
			})
		}
	}
}

// TestMulHandChecked: s1 = 1/2, s2 = 1/4, s_out = 1/4 gives M = 1/2 =
// (2^30, 0), so y = round(p/2) + zp_out with ties toward +∞ under both rules
// (SaturatingRoundingDoublingHighMul's nudge; single rounding adds half):
// p = 3·(−5) = −15 → −7, p = 15 → 8; with zp_out = 10: 3, 18.
func TestMulHandChecked(t *testing.T) {
	tc := addSubCase{typ: tflite.TypeInt8, shape1: []int{3}, shape2: []int{3}, outShape: []int{3}, s1: 0.5, s2: 0.25, so: 0.25, z1: 1, z2: -1, zo: 10}
	x1 := []int64{4, -2, 127}
	x2 := []int64{-6, -6, 126}
	for _, r := range Roundings() {
		n, _ := buildBinary(tflite.OpMul, tc, r, x1, x2)
		k, err := Prepare(n)
		if err != nil {
			t.Fatal(err)
		}
		if q := k.(Describer).Describe().Multipliers[0].Quantized; q != (QuantizedMultiplier{1 << 30, 0}) {
			t.Fatalf("multiplier %+v, want (2^30, 0)", q)
		}
		if err := k.Eval(); err != nil {
			t.Fatal(err)
		}
		if got, want := arValues(n.Outputs[0]), []int64{3, 18, 127}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%v: got %v, want %v", r, got, want)
		}
	}
}

func TestMulInt16NeedsZeroPoints(t *testing.T) {
	tc := mulCases[4]
	tc.z1 = 1
	n, _ := buildBinary(tflite.OpMul, tc, RoundingDouble, nil, nil)
	if _, err := Prepare(n); !errors.Is(err, ErrBadQuantization) {
		t.Fatalf("Prepare error %v, want ErrBadQuantization", err)
	}
}
