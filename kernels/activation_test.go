package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tflq/tflq-trace/internal/oracle"
	"github.com/tflq/tflq-trace/tflite"
)

// TestActivationRangeMatchesOracle compares the fused-activation clamp range
// with the oracle's (CalculateActivationRangeQuantized, float32 division) on
// random scales and zero points, and on scales where the float32 quotient
// rounds differently from the double one: 6/float32(12/255) is 127.5 in
// float32, 127.4999975 in double, so RELU6 with zero point −128 ends at 0.
func TestActivationRangeMatchesOracle(t *testing.T) {
	acts := []tflite.Activation{tflite.ActNone, tflite.ActRelu, tflite.ActReluN1To1, tflite.ActRelu6, tflite.ActTanh, tflite.ActSignBit}
	check := func(typ tflite.TensorType, scale float32, zp int64, act tflite.Activation) {
		t.Helper()
		out := arTensor(typ, []int{1}, scale, zp)
		lo, hi := ActivationRange(act, out)
		wlo, whi := oracle.ActivationRange(act, typ, scale, zp)
		if int64(lo) != wlo || int64(hi) != whi {
			t.Fatalf("%v %v scale %v (%#x) zp %d: [%d, %d], oracle [%d, %d]", act, typ, scale, math.Float32bits(scale), zp, lo, hi, wlo, whi)
		}
	}
	check(tflite.TypeInt8, float32(12.0/255), -128, tflite.ActRelu6)
	if lo, hi := ActivationRange(tflite.ActRelu6, arTensor(tflite.TypeInt8, []int{1}, float32(12.0/255), -128)); lo != -128 || hi != 0 {
		t.Fatalf("RELU6 at scale 12/255, zp −128: [%d, %d], want [−128, 0]", lo, hi)
	}
	rng := rand.New(rand.NewPCG(21, 22))
	for range 20000 {
		typ := []tflite.TensorType{tflite.TypeInt8, tflite.TypeInt16, tflite.TypeUint8}[rng.IntN(3)]
		lo, hi := oracle.TypeRange(typ)
		if typ == tflite.TypeInt16 {
			lo, hi = 0, 0 // TFLite's int16 tensors are symmetric
		}
		scale := float32(math.Exp2(rng.Float64()*16 - 16))
		check(typ, scale, lo+rng.Int64N(hi-lo+1), acts[rng.IntN(len(acts))])
	}
}
