package kernels

import (
	"math"
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

func TestFill(t *testing.T) {
	t.Run("int8", func(t *testing.T) {
		out := arQuant(NewTensor(tflite.TypeInt8, []int{2, 2}), 0.1, -56)
		value := arQuant(mtTensor(tflite.TypeInt8, []int{}, -77), 0.1, -56)
		mtRun(t, tflite.OpFill, tflite.Options{}, []*Tensor{out}, arConst(mtTensor(tflite.TypeInt32, []int{2}, 2, 2)), value)
		mtWant(t, out, -77, -77, -77, -77)
		value.Data[0] = 9 // the value is read at every Eval
		k, _ := mtPrepare(tflite.OpFill, tflite.Options{}, []*Tensor{out}, arConst(mtTensor(tflite.TypeInt32, []int{2}, 2, 2)), value)
		_ = k.Eval()
		mtWant(t, out, 9, 9, 9, 9)
	})
	t.Run("float32, run-time dims", func(t *testing.T) {
		out := NewTensor(tflite.TypeFloat32, []int{3})
		mtRun(t, tflite.OpFill, tflite.Options{}, []*Tensor{out}, mtTensor(tflite.TypeInt64, []int{1}, 3), mtFloats([]int{}, -1.5))
		mtWant(t, out, int64(math.Float32bits(-1.5)), int64(math.Float32bits(-1.5)), int64(math.Float32bits(-1.5)))
	})
	t.Run("refusals", func(t *testing.T) {
		out := NewTensor(tflite.TypeInt32, []int{2, 2})
		_, err := mtPrepare(tflite.OpFill, tflite.Options{}, []*Tensor{out}, arConst(mtTensor(tflite.TypeInt32, []int{2}, 2, 3)), mtTensor(tflite.TypeInt32, []int{}, 1))
		mtWantErr(t, err, ErrBadShape)
		_, err = mtPrepare(tflite.OpFill, tflite.Options{}, []*Tensor{out}, arConst(mtTensor(tflite.TypeInt32, []int{2}, 2, 2)), mtTensor(tflite.TypeInt32, []int{1}, 1))
		mtWantErr(t, err, ErrBadShape)
		_, err = mtPrepare(tflite.OpFill, tflite.Options{}, []*Tensor{out}, arConst(mtTensor(tflite.TypeInt32, []int{2}, 2, 2)), mtTensor(tflite.TypeInt8, []int{}, 1))
		mtWantErr(t, err, ErrUnsupportedType)
	})
}

func TestZerosLike(t *testing.T) {
	// int8 gets the raw 0, not its zero point 28.
	in := arQuant(mtTensor(tflite.TypeInt8, []int{3}, 1, -2, 3), 0.25, 28)
	out := arQuant(mtTensor(tflite.TypeInt8, []int{3}, 5, 5, 5), 0.25, 28)
	mtRun(t, tflite.OpZerosLike, tflite.Options{}, []*Tensor{out}, in)
	mtWant(t, out, 0, 0, 0)
	out32 := mtTensor(tflite.TypeInt32, []int{2}, 7, 7)
	mtRun(t, tflite.OpZerosLike, tflite.Options{}, []*Tensor{out32}, mtTensor(tflite.TypeInt32, []int{2}, 1, 2))
	mtWant(t, out32, 0, 0)
}
