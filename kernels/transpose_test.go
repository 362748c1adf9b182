package kernels

import (
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

func TestTranspose(t *testing.T) {
	tests := []struct {
		name      string
		typ       tflite.TensorType
		in, out   []int
		perm      []int64
		constPerm bool
		want      []int64
	}{
		{"2d int8", tflite.TypeInt8, []int{2, 3}, []int{3, 2}, []int64{1, 0}, true, []int64{0, 3, 1, 4, 2, 5}},
		// out[i,j,k] = in[j,k,i] = 4j + 2k + i.
		{"3d int16 runtime perm", tflite.TypeInt16, []int{2, 2, 2}, []int{2, 2, 2}, []int64{2, 0, 1}, false, []int64{0, 2, 4, 6, 1, 3, 5, 7}},
		{"identity int32", tflite.TypeInt32, []int{3}, []int{3}, []int64{0}, true, []int64{0, 1, 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := mtTensor(tc.typ, tc.in, mtSeq(NumElements(tc.in), 0)...)
			perm := mtTensor(tflite.TypeInt32, []int{len(tc.perm)}, tc.perm...)
			perm.Const = tc.constPerm
			out := NewTensor(tc.typ, tc.out)
			mtRun(t, tflite.OpTranspose, tflite.Options{}, []*Tensor{out}, in, perm)
			mtWant(t, out, tc.want...)
		})
	}
	t.Run("bad perm", func(t *testing.T) {
		in := mtTensor(tflite.TypeInt8, []int{2, 3}, mtSeq(6, 0)...)
		_, err := mtPrepare(tflite.OpTranspose, tflite.Options{}, []*Tensor{NewTensor(tflite.TypeInt8, []int{3, 2})}, in,
			arConst(mtTensor(tflite.TypeInt32, []int{2}, 1, 1)))
		mtWantErr(t, err, ErrRuntime)
		k, err := mtPrepare(tflite.OpTranspose, tflite.Options{}, []*Tensor{NewTensor(tflite.TypeInt8, []int{3, 2})}, in,
			mtTensor(tflite.TypeInt32, []int{2}, 0, 1)) // runtime perm giving the wrong shape
		if err != nil {
			t.Fatal(err)
		}
		err = k.Eval()
		mtWantErr(t, err, ErrBadShape)
		mtWantErr(t, err, ErrRuntime) // decided by run-time values (FuzzPipeline found it untyped)
		_, err = mtPrepare(tflite.OpTranspose, tflite.Options{}, []*Tensor{NewTensor(tflite.TypeInt8, []int{3, 2})}, in,
			arConst(mtTensor(tflite.TypeInt32, []int{3}, 0, 1, 2)))
		mtWantErr(t, err, ErrBadShape)
	})
}
