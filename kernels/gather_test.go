package kernels

import (
	"math"
	"reflect"
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
			k := mtRun(t, tflite.OpGather, &tflite.Options{Axis: tc.axis, BatchDims: tc.batchDims}, []*Tensor{out}, in, idx)
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
		k, err := mtPrepare(tflite.OpGather, &tflite.Options{}, []*Tensor{NewTensor(tflite.TypeInt8, []int{1})}, in, mtTensor(tflite.TypeInt32, []int{1}, 3))
		if err != nil {
			t.Fatal(err)
		}
		mtWantErr(t, k.Eval(), ErrRuntime)
		_, err = mtPrepare(tflite.OpGather, &tflite.Options{}, []*Tensor{NewTensor(tflite.TypeInt8, []int{1})}, in, mtConst(mtTensor(tflite.TypeInt32, []int{1}, -1)))
		mtWantErr(t, err, ErrRuntime)
		_, err = mtPrepare(tflite.OpGather, &tflite.Options{}, []*Tensor{NewTensor(tflite.TypeInt16, []int{1})}, mtTensor(tflite.TypeInt16, []int{3}, 1, 2, 3), mtTensor(tflite.TypeInt32, []int{1}, 0))
		mtWantErr(t, err, ErrUnsupportedType)
	})
}

func TestGatherNd(t *testing.T) {
	tests := []struct {
		name          string
		params, shape []int
		idx           []int64
		out           []int
		want          []int64
	}{
		{"elements", []int{2, 2}, []int{2, 2}, []int64{1, 0, 0, 1}, []int{2}, []int64{2, 1}},
		{"rows", []int{3, 2}, []int{2, 1}, []int64{2, 0}, []int{2, 2}, []int64{4, 5, 0, 1}},
		{"one element of 3-d", []int{2, 2, 2}, []int{3}, []int64{1, 0, 1}, []int{}, []int64{5}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := mtTensor(tflite.TypeInt8, tc.params, mtSeq(NumElements(tc.params), 0)...)
			out := NewTensor(tflite.TypeInt8, tc.out)
			mtRun(t, tflite.OpGatherNd, nil, []*Tensor{out}, p, mtConst(mtTensor(tflite.TypeInt32, tc.shape, tc.idx...)))
			mtWant(t, out, tc.want...)
		})
	}
	t.Run("outside params", func(t *testing.T) {
		p := mtTensor(tflite.TypeInt8, []int{2, 2}, 1, 2, 3, 4)
		k, err := mtPrepare(tflite.OpGatherNd, nil, []*Tensor{NewTensor(tflite.TypeInt8, []int{1, 2})}, p, mtTensor(tflite.TypeInt32, []int{1, 1}, 2))
		if err != nil {
			t.Fatal(err)
		}
		mtWantErr(t, k.Eval(), ErrRuntime)
	})
}

func TestEmbeddingLookup(t *testing.T) {
	table := func() *Tensor { return mtQuant(mtTensor(tflite.TypeInt8, []int{3, 2}, 1, 2, 3, 4, 5, -6), 0.5, 0) }
	lookup := func() *Tensor { return mtConst(mtTensor(tflite.TypeInt32, []int{2}, 2, 0)) }
	t.Run("int8", func(t *testing.T) {
		out := mtQuant(NewTensor(tflite.TypeInt8, []int{2, 2}), 0.5, 0)
		mtRun(t, tflite.OpEmbeddingLookup, nil, []*Tensor{out}, lookup(), table())
		mtWant(t, out, 5, -6, 1, 2)
	})
	t.Run("hybrid int8 to float32", func(t *testing.T) {
		out := NewTensor(tflite.TypeFloat32, []int{2, 2})
		mtRun(t, tflite.OpEmbeddingLookup, nil, []*Tensor{out}, lookup(), table())
		if got, want := out.Float32(), []float32{2.5, -3, 0.5, 1}; !reflect.DeepEqual(got, want) {
			t.Errorf("output %v, want %v", got, want)
		}
		// A scale whose products round in float32: 0.1·3 = 0.3 (float32 product, not the double one).
		tb := mtQuant(mtTensor(tflite.TypeInt8, []int{1, 1}, 3), 0.1, 0)
		o := NewTensor(tflite.TypeFloat32, []int{1, 1})
		mtRun(t, tflite.OpEmbeddingLookup, nil, []*Tensor{o}, mtConst(mtTensor(tflite.TypeInt32, []int{1}, 0)), tb)
		if got, want := o.Float32()[0], float32(0.1)*float32(3); math.Float32bits(got) != math.Float32bits(want) {
			t.Errorf("0.1·3 = %v, want %v", got, want)
		}
	})
	t.Run("refusals", func(t *testing.T) {
		_, err := mtPrepare(tflite.OpEmbeddingLookup, nil, []*Tensor{NewTensor(tflite.TypeFloat32, []int{2, 2})}, lookup(), mtQuant(mtTensor(tflite.TypeInt8, []int{3, 2}, mtSeq(6, 0)...), 0.5, 1))
		mtWantErr(t, err, ErrBadQuantization)
		k, err := mtPrepare(tflite.OpEmbeddingLookup, nil, []*Tensor{NewTensor(tflite.TypeInt8, []int{1, 2})}, mtTensor(tflite.TypeInt32, []int{1}, 3), table())
		if err != nil {
			t.Fatal(err)
		}
		mtWantErr(t, k.Eval(), ErrRuntime)
		k, err = mtPrepare(tflite.OpEmbeddingLookup, nil, []*Tensor{NewTensor(tflite.TypeFloat32, []int{1, 2})}, mtTensor(tflite.TypeInt32, []int{1}, -1), table())
		if err != nil {
			t.Fatal(err)
		}
		mtWantErr(t, k.Eval(), ErrRuntime)
	})
}
