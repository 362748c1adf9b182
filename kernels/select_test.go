package kernels

import (
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

func TestSelectV2(t *testing.T) {
	tests := []struct {
		name           string
		cond           []int64
		condShape      []int
		x, y           []int64
		xShape, yShape []int
		out            []int
		want           []int64
	}{
		{"same shapes", []int64{1, 0, 0, 1}, []int{4}, []int64{1, 2, 3, 4}, []int64{5, 6, 7, 8}, []int{4}, []int{4}, []int{4}, []int64{1, 6, 7, 4}},
		// cond per column, x full, y scalar-like.
		{"broadcast all", []int64{1, 0}, []int{2}, []int64{1, 2, 3, 4}, []int64{9}, []int{2, 2}, []int{1}, []int{2, 2}, []int64{1, 9, 3, 9}},
		// cond [2,1] per row, x [1,2], y [2,1].
		{"broadcast to a bigger shape", []int64{0, 1}, []int{2, 1}, []int64{1, 2}, []int64{7, 8}, []int{1, 2}, []int{2, 1}, []int{2, 2}, []int64{7, 7, 1, 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cond := arConst(mtTensor(tflite.TypeBool, tc.condShape, tc.cond...))
			x := arQuant(mtTensor(tflite.TypeInt16, tc.xShape, tc.x...), 0.1, 0)
			y := arQuant(mtTensor(tflite.TypeInt16, tc.yShape, tc.y...), 0.1, 0)
			out := arQuant(NewTensor(tflite.TypeInt16, tc.out), 0.1, 0)
			k := mtRun(t, tflite.OpSelectV2, tflite.Options{}, []*Tensor{out}, cond, x, y)
			mtWant(t, out, tc.want...)
			var c Chain
			if err := k.Explain(0, 1, &c); err != nil {
				t.Fatal(err)
			}
			if c.Steps[0].Name != "condition" || c.Sources[0].Input != 0 || len(c.Sources) != 2 {
				t.Errorf("explanation %+v", c)
			}
		})
	}
	t.Run("run-time condition", func(t *testing.T) {
		cond := mtTensor(tflite.TypeBool, []int{2}, 0, 1)
		out := NewTensor(tflite.TypeInt8, []int{2})
		k := mtRun(t, tflite.OpSelectV2, tflite.Options{}, []*Tensor{out}, cond, mtTensor(tflite.TypeInt8, []int{2}, 1, 2), mtTensor(tflite.TypeInt8, []int{2}, 3, 4))
		mtWant(t, out, 3, 2)
		cond.Data[0] = 1
		if err := k.Eval(); err != nil {
			t.Fatal(err)
		}
		mtWant(t, out, 1, 2)
	})
	_, err := mtPrepare(tflite.OpSelectV2, tflite.Options{}, []*Tensor{NewTensor(tflite.TypeInt8, []int{2})}, mtTensor(tflite.TypeBool, []int{3}, 0, 1, 1), mtTensor(tflite.TypeInt8, []int{2}, 1, 2), mtTensor(tflite.TypeInt8, []int{2}, 3, 4))
	mtWantErr(t, err, ErrBadShape)
	_, err = mtPrepare(tflite.OpSelectV2, tflite.Options{}, []*Tensor{NewTensor(tflite.TypeInt8, []int{2})}, mtTensor(tflite.TypeInt8, []int{2}, 0, 1), mtTensor(tflite.TypeInt8, []int{2}, 1, 2), mtTensor(tflite.TypeInt8, []int{2}, 3, 4))
	mtWantErr(t, err, ErrUnsupportedType)
}
