package kernels

import (
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

func TestSpaceToDepthAndBack(t *testing.T) {
	// Input [1,2,4,1], value h·4 + w. Output [1,1,2,4]: out[0,0,w,d] takes
	// the tile d = (dh·2 + dw) at (dh, 2w + dw).
	in := mtTensor(tflite.TypeInt8, []int{1, 2, 4, 1}, mtSeq(8, 0)...)
	mid := NewTensor(tflite.TypeInt8, []int{1, 1, 2, 4})
	mtRun(t, tflite.OpSpaceToDepth, tflite.Options{BlockSize: 2}, []*Tensor{mid}, in)
	mtWant(t, mid, 0, 1, 4, 5, 2, 3, 6, 7)
	back := NewTensor(tflite.TypeInt8, []int{1, 2, 4, 1})
	mtRun(t, tflite.OpDepthToSpace, tflite.Options{BlockSize: 2}, []*Tensor{back}, mid)
	mtWant(t, back, mtSeq(8, 0)...)

	// DEPTH_TO_SPACE with 2 output channels: depth index ((h%2)·2 + w%2)·2 + c.
	in2 := mtTensor(tflite.TypeInt8, []int{1, 1, 1, 8}, mtSeq(8, 0)...)
	out2 := NewTensor(tflite.TypeInt8, []int{1, 2, 2, 2})
	mtRun(t, tflite.OpDepthToSpace, tflite.Options{BlockSize: 2}, []*Tensor{out2}, in2)
	mtWant(t, out2, mtSeq(8, 0)...)

	_, err := mtPrepare(tflite.OpSpaceToDepth, tflite.Options{BlockSize: 3}, []*Tensor{mid}, in)
	mtWantErr(t, err, ErrBadShape)
}
