package kernels

// Helpers shared by the kernels' tests: building tensors and nodes, reading
// values, running a kernel and checking its explanations. They began with
// the arithmetic / activation kernels' tests (hence "ar"); the elementwise,
// multiply-accumulate, data-movement and SVDF tests use them too.

import (
	"errors"
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

// arTensor builds a tensor of the given dtype and shape holding values;
// scale 0 leaves it unquantized.
func arTensor(typ tflite.TensorType, shape []int, scale float32, zp int64, values ...int64) *Tensor {
	t := NewTensor(typ, shape)
	if scale != 0 {
		t.Scale, t.ZeroPoint = []float32{scale}, []int64{zp}
	}
	setInts(t, values)
	return t
}

// setInts stores values into t's first elements, whatever t's integer (or
// bool) dtype.
func setInts(t *Tensor, values []int64) {
	for i, v := range values {
		switch t.Type {
		case tflite.TypeInt8, tflite.TypeUint8, tflite.TypeBool:
			t.Data[i] = byte(v)
		case tflite.TypeInt16:
			t.Int16()[i] = int16(v)
		case tflite.TypeInt32:
			t.Int32()[i] = int32(v)
		case tflite.TypeInt64:
			t.Int64()[i] = v
		case tflite.TypeUint32:
			view[uint32](t.Data)[i] = uint32(v)
		default:
			panic("setInts: dtype " + t.Type.String())
		}
	}
}

// arConst marks a tensor as constant model data.
func arConst(t *Tensor) *Tensor {
	t.Const = true
	return t
}

// arQuant gives t a per-tensor scale and zero point.
func arQuant(t *Tensor, scale float32, zp int64) *Tensor {
	t.Scale, t.ZeroPoint = []float32{scale}, []int64{zp}
	return t
}

// arValues reads every element of an integer tensor.
func arValues(t *Tensor) []int64 {
	out := make([]int64, t.NumElements())
	for i := range out {
		out[i] = t.Int(i)
	}
	return out
}

// arNode wires op to its tensors.
func arNode(op tflite.BuiltinOperator, opts tflite.Options, rule Rounding, out *Tensor, ins ...*Tensor) *Node {
	return &Node{Op: op, Inputs: ins, Outputs: []*Tensor{out}, Options: opts, Rounding: rule}
}

// arRun prepares and evaluates a node, failing the test on any error, and
// checks every element's explanation against the stored output.
func arRun(t *testing.T, n *Node) Kernel {
	t.Helper()
	k := arPrepareEval(t, n)
	arCheckExplain(t, k, n.Outputs[0])
	return k
}

// arPrepareEval prepares and evaluates a node, failing the test on any
// error.
func arPrepareEval(t *testing.T, n *Node) Kernel {
	t.Helper()
	k, err := Prepare(n)
	if err != nil {
		t.Fatalf("prepare %v: %v", n.Op, err)
	}
	if err := k.Eval(); err != nil {
		t.Fatalf("eval %v: %v", n.Op, err)
	}
	return k
}

// arCheckExplain explains every element of every output (all of k's
// outputs, in order) and checks that the chain's Final equals the stored
// value (as a Chain stores it: mtValues), that it recorded steps, that
// Explain changed no output, and that explaining past the end of an output
// or an output past the last fails with ErrBadElement.
func arCheckExplain(t *testing.T, k Kernel, outs ...*Tensor) {
	t.Helper()
	before := make([]string, len(outs))
	for o, out := range outs {
		before[o] = string(out.Data)
	}
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
				t.Fatalf("explain output %d element %d recorded no step", o, e)
			}
		}
		if err := k.Explain(o, len(stored), &Chain{}); !errors.Is(err, ErrBadElement) {
			t.Fatalf("explain past the end of output %d: %v, want ErrBadElement", o, err)
		}
	}
	for o, out := range outs {
		if string(out.Data) != before[o] {
			t.Errorf("Explain modified output %d", o)
		}
	}
	if err := k.Explain(len(outs), 0, &Chain{}); !errors.Is(err, ErrBadElement) {
		t.Errorf("explain of a missing output: %v, want ErrBadElement", err)
	}
}

// arCheckNoAlloc checks that Eval succeeds and allocates nothing.
func arCheckNoAlloc(t *testing.T, k Kernel) {
	t.Helper()
	if n := testing.AllocsPerRun(5, func() {
		if err := k.Eval(); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Fatalf("Eval allocates %v times per run", n)
	}
}

// arEqual compares two integer slices.
func arEqual(t *testing.T, got, want []int64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d values %v, want %d %v", len(got), got, len(want), want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("got %v\nwant %v", got, want)
			return
		}
	}
}
