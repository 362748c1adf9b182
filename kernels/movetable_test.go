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

// mtRun prepares and evaluates a node, then checks that Eval does not
// allocate and that every element of every output explains to the value Eval
// stored.
func mtRun(t *testing.T, op tflite.BuiltinOperator, opts tflite.Options, outs []*Tensor, ins ...*Tensor) Kernel {
	t.Helper()
	k, err := mtPrepare(op, opts, outs, ins...)
	if err != nil {
		t.Fatalf("prepare: %v", err)
	}
	if err := k.Eval(); err != nil {
		t.Fatalf("eval: %v", err)
	}
	if allocs := testing.AllocsPerRun(5, func() { _ = k.Eval() }); allocs != 0 {
		t.Errorf("Eval allocates %v times", allocs)
	}
	mtCheckExplain(t, k, outs)
	return k
}

// mtCheckExplain checks Final == stored value for every output element.
func mtCheckExplain(t *testing.T, k Kernel, outs []*Tensor) {
	t.Helper()
	for o, out := range outs {
		stored := mtValues(out)
		for e := range stored {
			var c Chain
			if err := k.Explain(o, e, &c); err != nil {
				t.Fatalf("explain output %d element %d: %v", o, e, err)
			}
			if c.Final != stored[e] {
				t.Fatalf("explain output %d element %d: Final %d, stored %d (%+v)", o, e, c.Final, stored[e], c)
			}
			if len(c.Steps) == 0 {
				t.Fatalf("explain output %d element %d: no steps", o, e)
			}
		}
	}
	var c Chain
	if err := k.Explain(len(outs), 0, &c); !errors.Is(err, ErrBadElement) {
		t.Errorf("explain of a missing output: %v, want ErrBadElement", err)
	}
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
