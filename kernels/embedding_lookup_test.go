package kernels

import (
	"math"
	"reflect"
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

func TestEmbeddingLookup(t *testing.T) {
	table := func() *Tensor { return arQuant(mtTensor(tflite.TypeInt8, []int{3, 2}, 1, 2, 3, 4, 5, -6), 0.5, 0) }
	lookup := func() *Tensor { return arConst(mtTensor(tflite.TypeInt32, []int{2}, 2, 0)) }
	t.Run("int8", func(t *testing.T) {
		out := arQuant(NewTensor(tflite.TypeInt8, []int{2, 2}), 0.5, 0)
		mtRun(t, tflite.OpEmbeddingLookup, tflite.Options{}, []*Tensor{out}, lookup(), table())
		mtWant(t, out, 5, -6, 1, 2)
	})
	t.Run("hybrid int8 to float32", func(t *testing.T) {
		out := NewTensor(tflite.TypeFloat32, []int{2, 2})
		mtRun(t, tflite.OpEmbeddingLookup, tflite.Options{}, []*Tensor{out}, lookup(), table())
		if got, want := out.Float32(), []float32{2.5, -3, 0.5, 1}; !reflect.DeepEqual(got, want) {
			t.Errorf("output %v, want %v", got, want)
		}
		// A scale whose products round in float32: 0.1·3 = 0.3 (float32 product, not the double one).
		tb := arQuant(mtTensor(tflite.TypeInt8, []int{1, 1}, 3), 0.1, 0)
		o := NewTensor(tflite.TypeFloat32, []int{1, 1})
		mtRun(t, tflite.OpEmbeddingLookup, tflite.Options{}, []*Tensor{o}, arConst(mtTensor(tflite.TypeInt32, []int{1}, 0)), tb)
		if got, want := o.Float32()[0], float32(0.1)*float32(3); math.Float32bits(got) != math.Float32bits(want) {
			t.Errorf("0.1·3 = %v, want %v", got, want)
		}
	})
	t.Run("refusals", func(t *testing.T) {
		_, err := mtPrepare(tflite.OpEmbeddingLookup, tflite.Options{}, []*Tensor{NewTensor(tflite.TypeFloat32, []int{2, 2})}, lookup(), arQuant(mtTensor(tflite.TypeInt8, []int{3, 2}, mtSeq(6, 0)...), 0.5, 1))
		mtWantErr(t, err, ErrBadQuantization)
		k, err := mtPrepare(tflite.OpEmbeddingLookup, tflite.Options{}, []*Tensor{NewTensor(tflite.TypeInt8, []int{1, 2})}, mtTensor(tflite.TypeInt32, []int{1}, 3), table())
		if err != nil {
			t.Fatal(err)
		}
		mtWantErr(t, k.Eval(), ErrRuntime)
		k, err = mtPrepare(tflite.OpEmbeddingLookup, tflite.Options{}, []*Tensor{NewTensor(tflite.TypeFloat32, []int{1, 2})}, mtTensor(tflite.TypeInt32, []int{1}, -1), table())
		if err != nil {
			t.Fatal(err)
		}
		mtWantErr(t, k.Eval(), ErrRuntime)
	})
}
