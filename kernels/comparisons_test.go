package kernels

import (
	"fmt"
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

func TestComparisonsRaw(t *testing.T) {
	a, b := []int64{1, 5, -3}, []int64{1, 2, 7}
	want := map[tflite.BuiltinOperator][]int64{
		tflite.OpEqual: {1, 0, 0}, tflite.OpNotEqual: {0, 1, 1}, tflite.OpGreater: {0, 1, 0},
		tflite.OpGreaterEqual: {1, 1, 0}, tflite.OpLess: {0, 0, 1}, tflite.OpLessEqual: {1, 0, 1},
	}
	for op, w := range want {
		for _, typ := range []tflite.TensorType{tflite.TypeInt32, tflite.TypeInt64} {
			t.Run(fmt.Sprintf("%v %v", op, typ), func(t *testing.T) {
				out := NewTensor(tflite.TypeBool, []int{3})
				mtRun(t, op, tflite.Options{}, []*Tensor{out}, mtTensor(typ, []int{3}, a...), mtTensor(typ, []int{3}, b...))
				mtWant(t, out, w...)
			})
		}
	}
	t.Run("GREATER int32 broadcast", func(t *testing.T) {
		out := NewTensor(tflite.TypeBool, []int{2, 2})
		mtRun(t, tflite.OpGreater, tflite.Options{}, []*Tensor{out}, mtTensor(tflite.TypeInt32, []int{2, 2}, 1, 2, 3, 4), mtTensor(tflite.TypeInt32, []int{2}, 2, 2))
		mtWant(t, out, 0, 0, 1, 1)
	})
	t.Run("LESS float32", func(t *testing.T) {
		out := NewTensor(tflite.TypeBool, []int{2})
		mtRun(t, tflite.OpLess, tflite.Options{}, []*Tensor{out}, mtFloats([]int{2}, 0.5, -1), mtFloats([]int{2}, 0.25, 0))
		mtWant(t, out, 0, 1)
	})
	t.Run("EQUAL bool", func(t *testing.T) {
		out := NewTensor(tflite.TypeBool, []int{2})
		mtRun(t, tflite.OpEqual, tflite.Options{}, []*Tensor{out}, mtTensor(tflite.TypeBool, []int{2}, 1, 0), mtTensor(tflite.TypeBool, []int{2}, 1, 1))
		mtWant(t, out, 1, 0)
	})
}

func TestComparisonsInt8Rescaled(t *testing.T) {
	// in1: scale 0.75, zp 0, x = 1 → (1·2^8)·0.75 = 192 exactly.
	// in2: scale 0.15 (float32 0.15000000596, multiplier 1288490240, shift −2),
	// x = 5 → SRDHM(1280, 1288490240) = 768, RDBPOT(768, 2) = 192 (single
	// rounding: round(1280·1288490240 / 2^33) = 192 too).
	// The real values 0.75 and 0.75000003 differ, yet the kernel sees 192 = 192.
	for _, rule := range Roundings() {
		for op, want := range map[tflite.BuiltinOperator]int64{tflite.OpEqual: 1, tflite.OpGreater: 0, tflite.OpLessEqual: 1} {
			t.Run(fmt.Sprintf("%v %v", op, rule), func(t *testing.T) {
				in1 := arQuant(mtTensor(tflite.TypeInt8, []int{1}, 1), 0.75, 0)
				in2 := arQuant(mtTensor(tflite.TypeInt8, []int{1}, 5), 0.15, 0)
				out := NewTensor(tflite.TypeBool, []int{1})
				n := &Node{Op: op, Inputs: []*Tensor{in1, in2}, Outputs: []*Tensor{out}, Rounding: rule}
				k := arPrepareEval(t, n)
				mtWant(t, out, want)
				arCheckExplain(t, k, out)
				var c Chain
				_ = k.Explain(0, 0, &c)
				last := c.Steps[len(c.Steps)-1]
				if last.Name != "compare" || last.Formula != fmt.Sprintf("192 %s 192 = %v", comparisonSymbols[op], want == 1) {
					t.Errorf("last step %+v", last)
				}
				if op == tflite.OpEqual && !last.Changed {
					t.Errorf("EQUAL of different real values not flagged as changed")
				}
				d := k.(Describer).Describe()
				if d.Multipliers[1].Quantized != (QuantizedMultiplier{Multiplier: 1288490240, Shift: -2}) {
					t.Errorf("input2 multiplier %+v", d.Multipliers[1].Quantized)
				}
			})
		}
	}
	t.Run("zero points with a power-of-two scale", func(t *testing.T) {
		// (12 − 10)·256·0.5 = 256 > (−4 + 5)·256·0.5 = 128.
		out := NewTensor(tflite.TypeBool, []int{1})
		mtRun(t, tflite.OpGreater, tflite.Options{}, []*Tensor{out},
			arQuant(mtTensor(tflite.TypeInt8, []int{1}, 12), 0.5, 10), arQuant(mtTensor(tflite.TypeInt8, []int{1}, -4), 0.5, -5))
		mtWant(t, out, 1)
	})
	t.Run("refusals", func(t *testing.T) {
		out := NewTensor(tflite.TypeBool, []int{1})
		_, err := mtPrepare(tflite.OpLess, tflite.Options{}, []*Tensor{out}, arQuant(mtTensor(tflite.TypeInt8, []int{1}, 1), 1.5, 0), arQuant(mtTensor(tflite.TypeInt8, []int{1}, 1), 0.5, 0))
		mtWantErr(t, err, ErrBadQuantization)
		_, err = mtPrepare(tflite.OpLess, tflite.Options{}, []*Tensor{out}, arQuant(mtTensor(tflite.TypeInt16, []int{1}, 1), 0.5, 0), arQuant(mtTensor(tflite.TypeInt16, []int{1}, 1), 0.5, 0))
		mtWantErr(t, err, ErrUnsupportedType)
		_, err = mtPrepare(tflite.OpGreater, tflite.Options{}, []*Tensor{out}, mtTensor(tflite.TypeBool, []int{1}, 1), mtTensor(tflite.TypeBool, []int{1}, 0))
		mtWantErr(t, err, ErrUnsupportedType)
		big := NewTensor(tflite.TypeBool, []int{1, 1, 1, 1, 2})
		_, err = mtPrepare(tflite.OpEqual, tflite.Options{}, []*Tensor{big}, mtTensor(tflite.TypeInt32, []int{1, 1, 1, 1, 2}, 1, 2), mtTensor(tflite.TypeInt32, []int{1}, 1))
		mtWantErr(t, err, ErrBadShape)
	})
}
