package kernels

import (
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

func TestCumsum(t *testing.T) {
	// s_in = 0.5, zp_in = 4, s_out = 1, zp_out = 0: each term adds (x − 4)/2 and
	// the accumulator starts at −4/2 (TFLite's quirk). Values 6, 8, 10, 12 give
	// terms 1, 2, 3, 4 (in units of s_out).
	cases := []struct {
		name               string
		shape              []int
		axis               int64
		exclusive, reverse bool
		in, want           []int64
	}{
		{"inclusive", []int{1, 4}, 1, false, false, []int64{6, 8, 10, 12}, []int64{-1, 1, 4, 8}},
		{"exclusive", []int{1, 4}, -1, true, false, []int64{6, 8, 10, 12}, []int64{-2, -1, 1, 4}},
		{"reverse", []int{1, 4}, 1, false, true, []int64{6, 8, 10, 12}, []int64{8, 7, 5, 2}},
		{"exclusive reverse", []int{4}, 0, true, true, []int64{6, 8, 10, 12}, []int64{7, 5, 2, -2}},
		// axis 0 of [2, 2]: columns (6, 10) and (8, 12).
		{"axis0", []int{2, 2}, 0, false, false, []int64{6, 8, 10, 12}, []int64{-1, 0, 2, 4}},
	}
	for _, tc := range cases {
		for _, rule := range Roundings() {
			t.Run(tc.name+"/"+rule.String(), func(t *testing.T) {
				in := arTensor(tflite.TypeInt8, tc.shape, 0.5, 4, tc.in...)
				axis := arConst(arTensor(tflite.TypeInt32, []int{1}, 0, 0, tc.axis))
				out := arTensor(tflite.TypeInt8, tc.shape, 1, 0)
				opts := tflite.Options{Exclusive: tc.exclusive, Reverse: tc.reverse}
				k := arRun(t, arNode(tflite.OpCumsum, opts, rule, out, in, axis))
				arEqual(t, arValues(out), tc.want)
				arCheckNoAlloc(t, k)
			})
		}
	}
	t.Run("sources", func(t *testing.T) {
		in := arTensor(tflite.TypeInt8, []int{4}, 0.5, 4, 6, 8, 10, 12)
		axis := arConst(arTensor(tflite.TypeInt32, []int{1}, 0, 0, 0))
		out := arTensor(tflite.TypeInt8, []int{4}, 1, 0)
		k := arRun(t, arNode(tflite.OpCumsum, tflite.Options{Reverse: true}, RoundingDouble, out, in, axis))
		var c Chain
		if err := k.Explain(0, 1, &c); err != nil {
			t.Fatal(err)
		}
		// Reverse inclusive at position 1 sums positions 3, 2, 1.
		if len(c.Sources) != 3 || c.Sources[0].Element != 3 || c.Sources[2].Element != 1 {
			t.Errorf("sources %v, want elements 3, 2, 1", c.Sources)
		}
	})
	t.Run("bad axis", func(t *testing.T) {
		in := arTensor(tflite.TypeInt8, []int{4}, 0.5, 4)
		axis := arConst(arTensor(tflite.TypeInt32, []int{1}, 0, 0, 1))
		out := arTensor(tflite.TypeInt8, []int{4}, 1, 0)
		if _, err := Prepare(arNode(tflite.OpCumsum, tflite.Options{}, RoundingDouble, out, in, axis)); err == nil {
			t.Error("CUMSUM with axis 1 of a rank-1 tensor prepared")
		}
	})
}
