package kernels

import (
	"errors"
	"reflect"
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

// mtTensor builds a tensor of an integer (or bool) dtype holding vals.
func mtTensor(typ tflite.TensorType, shape []int, vals ...int64) *Tensor {
	t := NewTensor(typ, shape)
	if len(vals) != t.NumElements() && len(vals) != 0 {
		panic("mtTensor: wrong number of values")
	}
	setInts(t, vals)
	return t
}

// mtFloats builds a float32 tensor.
func mtFloats(shape []int, vals ...float32) *Tensor {
	t := NewTensor(tflite.TypeFloat32, shape)
	copy(t.Float32(), vals)
	return t
}

// mtSeq returns 0, 1, …, n−1 (plus offset).
func mtSeq(n int, offset int64) []int64 {
	v := make([]int64, n)
	for i := range v {
		v[i] = int64(i) + offset
	}
	return v
}

// mtValues reads every element of t as a Chain stores it.
func mtValues(t *Tensor) []int64 {
	v := make([]int64, t.NumElements())
	for i := range v {
		if t.Type == tflite.TypeUint32 {
			v[i] = int64(view[uint32](t.Data)[i])
			continue
		}
		v[i] = chainValue(t, i)
	}
	return v
}

// mtPrepare builds and prepares a node.
func mtPrepare(op tflite.BuiltinOperator, opts tflite.Options, outs []*Tensor, ins ...*Tensor) (Kernel, error) {
	n := &Node{Op: op, Inputs: ins, Outputs: outs, Options: opts, Rounding: RoundingDouble}
	return Prepare(n)
}

// mtRun is dmRun under double rounding (prepare, evaluate, check every
// output element's explanation), then checks that Eval does not allocate.
func mtRun(t *testing.T, op tflite.BuiltinOperator, opts tflite.Options, outs []*Tensor, ins ...*Tensor) Kernel {
	t.Helper()
	k := dmRun(t, op, opts, RoundingDouble, outs, ins...)
	arCheckNoAlloc(t, k)
	return k
}

func mtWant(t *testing.T, out *Tensor, want ...int64) {
	t.Helper()
	if got := mtValues(out); !reflect.DeepEqual(got, want) {
		t.Errorf("output %v, want %v", got, want)
	}
}

func mtWantErr(t *testing.T, err, sentinel error) {
	t.Helper()
	if !errors.Is(err, sentinel) {
		t.Errorf("error %v, want %v", err, sentinel)
	}
}

func TestMoveKernelSourcesAndFill(t *testing.T) {
	// SPACE_TO_BATCH_ND with padding: element 0 is fill, element 2 a copy.
	in := arQuant(mtTensor(tflite.TypeInt8, []int{1, 1, 2, 1}, 5, 6), 0.1, 7)
	out := arQuant(NewTensor(tflite.TypeInt8, []int{4, 1, 1, 1}), 0.1, 7)
	k := mtRun(t, tflite.OpSpaceToBatchNd, tflite.Options{}, []*Tensor{out}, in,
		arConst(mtTensor(tflite.TypeInt32, []int{2}, 2, 2)), arConst(mtTensor(tflite.TypeInt32, []int{2, 2}, 1, 0, 0, 0)))
	var c Chain
	if err := k.Explain(0, 0, &c); err != nil {
		t.Fatal(err)
	}
	if len(c.Sources) != 0 || c.Steps[0].Name != "fill" || c.Final != 0 {
		t.Errorf("padding element explained as %+v", c)
	}
	c = Chain{}
	if err := k.Explain(0, 3, &c); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.Sources, []Source{{Input: 0, Element: 1}}) || c.Final != 6 {
		t.Errorf("element 3 explained as %+v", c)
	}
}
