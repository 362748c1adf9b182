package kernels

import (
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

func TestRelu(t *testing.T) {
	cases := []struct {
		name      string
		op        tflite.BuiltinOperator
		typ       tflite.TensorType
		sIn, sOut float32
		zIn, zOut int64
		in, want  []int64
	}{
		// M = 0.5/0.25 = 2 exactly: y = max(2(x − 10) − 128, −128).
		{"relu int8 M=2", tflite.OpRelu, tflite.TypeInt8, 0.5, 0.25, 10, -128,
			[]int64{10, 20, 0, 127, -128, 11}, []int64{-128, -108, -128, 106, -128, -126}},
		// M = 0.375/0.25 = 1.5: 3·1.5 = 4.5 rounds up to 5 under both rules; −3 → −4.5 → −4.
		{"relu int8 M=1.5", tflite.OpRelu, tflite.TypeInt8, 0.375, 0.25, 0, 0,
			[]int64{3, -3, 100}, []int64{5, 0, 127}},
		// int16, M = 2: negative → 0, large values clamp at 32767.
		{"relu int16", tflite.OpRelu, tflite.TypeInt16, 1.0 / 1024, 1.0 / 2048, 0, 0,
			[]int64{-5, 100, 20000, 0}, []int64{0, 200, 32767, 0}},
		// RELU6 clamps in the input quantization: zero = −10, six = round(6/0.5) − 10 = 2;
		// the output's own scale and zero point are ignored.
		{"relu6 int8", tflite.OpRelu6, tflite.TypeInt8, 0.5, 1, -10, 5,
			[]int64{-128, -11, -10, 0, 2, 3, 127}, []int64{-10, -10, -10, 0, 2, 2, 2}},
		// int16: six = round(6·1024) = 6144.
		{"relu6 int16", tflite.OpRelu6, tflite.TypeInt16, 1.0 / 1024, 1.0 / 4096, 0, 0,
			[]int64{-300, 5, 6143, 6144, 30000}, []int64{0, 5, 6143, 6144, 6144}},
	}
	for _, tc := range cases {
		for _, rule := range Roundings() {
			t.Run(tc.name+"/"+rule.String(), func(t *testing.T) {
				in := arTensor(tc.typ, []int{1, len(tc.in)}, tc.sIn, tc.zIn, tc.in...)
				out := arTensor(tc.typ, []int{1, len(tc.in)}, tc.sOut, tc.zOut)
				k := arRun(t, arNode(tc.op, tflite.Options{}, rule, out, in))
				arEqual(t, arValues(out), tc.want)
				arCheckNoAlloc(t, k)
			})
		}
	}
}

func TestReluRejects(t *testing.T) {
	in := arTensor(tflite.TypeInt16, []int{2}, 1, 3)
	out := arTensor(tflite.TypeInt16, []int{2}, 1, 0)
	if _, err := Prepare(arNode(tflite.OpRelu, tflite.Options{}, RoundingDouble, out, in)); err == nil {
		t.Error("int16 RELU with a nonzero zero point prepared")
	}
	in8 := arTensor(tflite.TypeInt8, []int{2}, 1, 0)
	if _, err := Prepare(arNode(tflite.OpRelu6, tflite.Options{}, RoundingDouble, out, in8)); err == nil {
		t.Error("RELU6 int8 → int16 prepared")
	}
}
