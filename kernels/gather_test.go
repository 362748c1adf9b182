package kernels

import (
	"errors"
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

func TestGather(t *testing.T) {
	tests := []struct {
		name            string
		in, idxShape    []int
		idx             []int64
		axis, batchDims int32
		out             []int
		want            []int64
	}{
		{"axis 0", []int{3, 2}, []int{2}, []int64{2, 0}, 0, 0, []int{2, 2}, []int64{4, 5, 0, 1}},
		{"axis 1", []int{2, 3}, []int{2}, []int64{2, 0}, 1, 0, []int{2, 2}, []int64{2, 0, 5, 3}},
		{"axis -1 with 2-d indices", []int{2, 3}, []int{2, 1}, []int64{1, 1}, -1, 0, []int{2, 2, 1}, []int64{1, 1, 4, 4}},
		// batch 0 picks column 1 of row 0, batch 1 column 2 of row 1.
		{"batch_dims 1", []int{2, 3}, []int{2, 1}, []int64{1, 2}, 1, 1, []int{2, 1}, []int64{1, 5}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := mtTensor(tflite.TypeInt8, tc.in, mtSeq(NumElements(tc.in), 0)...)
			idx := mtTensor(tflite.TypeInt32, tc.idxShape, tc.idx...)
			out := NewTensor(tflite.TypeInt8, tc.out)
			k := mtRun(t, tflite.OpGather, tflite.Options{Axis: tc.axis, BatchDims: tc.batchDims}, []*Tensor{out}, in, idx)
			mtWant(t, out, tc.want...)
			var c Chain
			if err := k.Explain(0, 0, &c); err != nil {
				t.Fatal(err)
			}
			if c.Sources[0].Input != 1 || c.Steps[0].Name != "index" {
				t.Errorf("explanation does not start with the index: %+v", c)
			}
		})
	}
	t.Run("index out of range", func(t *testing.T) {
		in := mtTensor(tflite.TypeInt8, []int{3}, 1, 2, 3)
		k, err := mtPrepare(tflite.OpGather, tflite.Options{}, []*Tensor{NewTensor(tflite.TypeInt8, []int{1})}, in, mtTensor(tflite.TypeInt32, []int{1}, 3))
		if err != nil {
			t.Fatal(err)
		}
		mtWantErr(t, k.Eval(), ErrRuntime)
		_, err = mtPrepare(tflite.OpGather, tflite.Options{}, []*Tensor{NewTensor(tflite.TypeInt8, []int{1})}, in, arConst(mtTensor(tflite.TypeInt32, []int{1}, -1)))
		mtWantErr(t, err, ErrRuntime)
		_, err = mtPrepare(tflite.OpGather, tflite.Options{}, []*Tensor{NewTensor(tflite.TypeInt16, []int{1})}, mtTensor(tflite.TypeInt16, []int{3}, 1, 2, 3), mtTensor(tflite.TypeInt32, []int{1}, 0))
		mtWantErr(t, err, ErrUnsupportedType)
	})
}

// TestExplainBeforeEvalLeavesStateAlone: with run-time indices the source
// table exists only after Eval; Explain before it is an error, not a build.
func TestExplainBeforeEvalLeavesStateAlone(t *testing.T) {
	in := mtTensor(tflite.TypeInt8, []int{3}, 10, 11, 12)
	idx := mtTensor(tflite.TypeInt32, []int{1}, 2)
	out := NewTensor(tflite.TypeInt8, []int{1})
	k, err := mtPrepare(tflite.OpGather, tflite.Options{}, []*Tensor{out}, in, idx)
	if err != nil {
		t.Fatal(err)
	}
	var c Chain
	if err := k.Explain(0, 0, &c); !errors.Is(err, ErrBadElement) {
		t.Fatalf("Explain before Eval: %v, want ErrBadElement", err)
	}
	if err := k.Eval(); err != nil {
		t.Fatal(err)
	}
	if err := k.Explain(0, 0, &c); err != nil || c.Final != 12 {
		t.Fatalf("after Eval: final %d, err %v", c.Final, err)
	}
}
