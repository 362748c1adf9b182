package kernels

import (
	"errors"
	"reflect"
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

func TestResizeNearestNeighbor(t *testing.T) {
	// Rows of a 1×3×1×1 input are 10, 20, 30, resized to height 2 (width 1):
	// each case's expected source rows are worked out by hand below.
	tests := []struct {
		name        string
		align, half bool
		want        []float64
	}{
		// scale 3/2: floor(0·1.5)=0, floor(1·1.5)=1.
		{"plain", false, false, []float64{10, 20}},
		// scale (3−1)/(2−1)=2: round(0)=0, round(2)=2.
		{"align_corners", true, false, []float64{10, 30}},
		// scale 1.5: floor(0.5·1.5)=floor(0.75)=0, floor(1.5·1.5)=floor(2.25)=2.
		{"half_pixel_centers", false, true, []float64{10, 30}},
		// scale 2: round(0.5·2)=1, round(1.5·2)=3 → min(3, 2)=2.
		{"both", true, true, []float64{20, 30}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := dmTensor(tflite.TypeInt8, []int{1, 3, 1, 1}, 10, 20, 30)
			size := arConst(dmTensor(tflite.TypeInt32, []int{2}, 2, 1))
			out := NewTensor(tflite.TypeInt8, []int{1, 2, 1, 1})
			opts := tflite.Options{AlignCorners: tc.align, HalfPixelCenters: tc.half}
			dmRun(t, tflite.OpResizeNearestNeighbor, opts, RoundingDouble, []*Tensor{out}, in, size)
			dmWant(t, out, tc.want)
		})
	}
}

func TestResizeNearestNeighborUpscaleChannels(t *testing.T) {
	// int16 1×1×2×2 (two pixels, two channels) to width 4: floor(x·0.5) = 0,0,1,1.
	in := dmTensor(tflite.TypeInt16, []int{1, 1, 2, 2}, 1, -1, 2, -2)
	size := arConst(dmTensor(tflite.TypeInt32, []int{2}, 1, 4))
	out := NewTensor(tflite.TypeInt16, []int{1, 1, 4, 2})
	k := dmRun(t, tflite.OpResizeNearestNeighbor, tflite.Options{}, RoundingDouble, []*Tensor{out}, in, size)
	if got, want := dmValues(out), []float64{1, -1, 1, -1, 2, -2, 2, -2}; !reflect.DeepEqual(got, want) {
		t.Errorf("output %v, want %v", got, want)
	}
	var c Chain
	if err := k.Explain(0, 5, &c); err != nil { // x = 2, channel 1 → input pixel 1, channel 1
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.Sources, []Source{{Input: 0, Element: 3}}) {
		t.Errorf("sources %v, want input element 3", c.Sources)
	}
}

func TestResizeNearestNeighborRejects(t *testing.T) {
	in := NewTensor(tflite.TypeInt8, []int{1, 2, 2, 1})
	out := NewTensor(tflite.TypeInt8, []int{1, 4, 4, 1})
	if err := dmPrepareErr(tflite.OpResizeNearestNeighbor, tflite.Options{}, []*Tensor{out}, in, arConst(dmTensor(tflite.TypeInt32, []int{2}, 4, 3))); !errors.Is(err, ErrBadShape) {
		t.Errorf("size/output mismatch: %v", err)
	}
	if err := dmPrepareErr(tflite.OpResizeNearestNeighbor, tflite.Options{}, []*Tensor{out}, in, dmTensor(tflite.TypeInt32, []int{2}, 4, 4)); !errors.Is(err, ErrNotConstant) {
		t.Errorf("non-constant size: %v", err)
	}
}
