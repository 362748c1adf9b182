package kernels

import (
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

// The tests of this file check the fast Eval paths (tables, row copies,
// hoisted offsets, blocked accumulation) against the per-element code that
// Explain runs, on shapes, zero points and scales chosen to reach every
// branch of the fast code: Explain is the single source of truth, and a
// stored value that differs from its chain's Final is a fast-path bug.

// TestUnaryTableMatchesElement runs the 8-bit unary kernels on tensors
// large enough for the lookup table (every input value, four times) under
// every runtime, and checks each stored value against Explain.
func TestUnaryTableMatchesElement(t *testing.T) {
	taken := map[tflite.TensorType]int{}
	ops := []tflite.BuiltinOperator{tflite.OpAbs, tflite.OpRelu, tflite.OpRelu6, tflite.OpHardSwish, tflite.OpLeakyRelu}
	for _, rt := range Runtimes() {
		for _, typ := range []tflite.TensorType{tflite.TypeInt8, tflite.TypeUint8} {
			for _, op := range ops {
				n := 4 * 256
				if n < unaryTableMinElements {
					t.Fatal("the test tensor is too small to take the table")
				}
				zp := int64(-7)
				if typ == tflite.TypeUint8 {
					zp = 121
				}
				in := NewTensor(typ, []int{1, n})
				in.Scale, in.ZeroPoint = []float32{0.037}, []int64{zp}
				for i := range n {
					in.Data[i] = byte(i*37 + i/256)
				}
				out := NewTensor(typ, []int{1, n})
				out.Scale, out.ZeroPoint = []float32{0.021}, []int64{zp + 5}
				node := &Node{Op: op, Inputs: []*Tensor{in}, Outputs: []*Tensor{out},
					Options: tflite.Options{Alpha: 0.17}, Runtime: rt, Rounding: rt.Rounding()}
				k, err := Prepare(node)
				if err != nil {
					continue // this runtime does not run it (uint8 under TFLite-Micro, say)
				}
				if err := k.Eval(); err != nil {
					t.Fatalf("%v %v %v: %v", rt, op, typ, err)
				}
				dmCheckExplain(t, k, []*Tensor{out})
				taken[typ]++
			}
		}
	}
	// Every runtime runs the five int8 ops; full TFLite's and XNNPACK's
	// take RELU and RELU6 on uint8, XNNPACK also LEAKY_RELU.
	if taken[tflite.TypeInt8] != 5*len(Runtimes()) || taken[tflite.TypeUint8] != 5 {
		t.Errorf("kernels prepared per dtype: %v", taken)
	}
}
