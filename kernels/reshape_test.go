package kernels

import (
	"errors"
	"math"
	"reflect"
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

// Test helpers shared by the data-movement, quantize, pool and reduce tests.

// dmTensor builds a tensor holding vals: integers for integer and bool
// dtypes, float32 values for float32.
func dmTensor(typ tflite.TensorType, shape []int, vals ...float64) *Tensor {
	t := NewTensor(typ, shape)
	if len(vals) != t.NumElements() && len(vals) != 0 {
		panic("dmTensor: wrong number of values")
	}
	for i, v := range vals {
		switch typ {
		case tflite.TypeFloat32:
			t.Float32()[i] = float32(v)
		case tflite.TypeInt64:
			t.Int64()[i] = int64(v)
		case tflite.TypeBool:
			t.Data[i] = byte(int(v))
		default:
			storeIntElement(t, i, int32(v))
		}
	}
	return t
}

// dmValues reads every element as a float64 (exact for these dtypes).
func dmValues(t *Tensor) []float64 {
	vals := make([]float64, t.NumElements())
	for i := range vals {
		if t.Type == tflite.TypeFloat32 {
			vals[i] = float64(t.Float32()[i])
		} else {
			vals[i] = float64(t.Int(i))
		}
	}
	return vals
}

// dmWant checks out's values (dmValues) against want.
func dmWant(t *testing.T, out *Tensor, want []float64) {
	t.Helper()
	if got := dmValues(out); !reflect.DeepEqual(got, want) {
		t.Errorf("output %v, want %v", got, want)
	}
}

// dmRun prepares op on the given tensors, evaluates it, checks that every
// output element's explanation ends on the stored value, and returns the
// kernel.
func dmRun(t *testing.T, op tflite.BuiltinOperator, opts tflite.Options, rule Rounding, outs []*Tensor, ins ...*Tensor) Kernel {
	t.Helper()
	k := arPrepareEval(t, &Node{Op: op, Inputs: ins, Outputs: outs, Options: opts, Rounding: rule})
	arCheckExplain(t, k, outs...)
	return k
}

// dmPrepareErr prepares op and returns the error.
func dmPrepareErr(op tflite.BuiltinOperator, opts tflite.Options, outs []*Tensor, ins ...*Tensor) error {
	_, err := Prepare(&Node{Op: op, Inputs: ins, Outputs: outs, Options: opts})
	return err
}

func TestReshapeFamilyCopiesInOrder(t *testing.T) {
	tests := []struct {
		name     string
		op       tflite.BuiltinOperator
		typ      tflite.TensorType
		in, out  []int
		vals     []float64
		extraIns []*Tensor
	}{
		{"reshape int8", tflite.OpReshape, tflite.TypeInt8, []int{2, 3}, []int{3, 2}, []float64{-128, -1, 0, 1, 2, 127},
			[]*Tensor{arConst(dmTensor(tflite.TypeInt32, []int{2}, 3, 2))}},
		{"reshape float32 no shape", tflite.OpReshape, tflite.TypeFloat32, []int{1, 4}, []int{4}, []float64{1.5, -2.25, 0, 0.0078125}, nil},
		{"expand_dims int16", tflite.OpExpandDims, tflite.TypeInt16, []int{3}, []int{1, 3}, []float64{-32768, 7, 32767},
			[]*Tensor{arConst(dmTensor(tflite.TypeInt32, []int{1}, 0))}},
		{"squeeze uint8", tflite.OpSqueeze, tflite.TypeUint8, []int{1, 2, 1}, []int{2}, []float64{0, 255}, nil},
		{"reshape int64", tflite.OpReshape, tflite.TypeInt64, []int{2}, []int{1, 2}, []float64{-1 << 40, 1 << 40}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := dmTensor(tc.typ, tc.in, tc.vals...)
			out := NewTensor(tc.typ, tc.out)
			k := dmRun(t, tc.op, tflite.Options{}, RoundingDouble, []*Tensor{out}, append([]*Tensor{in}, tc.extraIns...)...)
			dmWant(t, out, tc.vals)
			var c Chain
			if err := k.Explain(0, 1, &c); err != nil {
				t.Fatal(err)
			}
			if want := []Source{{Input: 0, Element: 1}}; !reflect.DeepEqual(c.Sources, want) {
				t.Errorf("sources %v, want %v", c.Sources, want)
			}
		})
	}
}

func TestReshapeRejects(t *testing.T) {
	tests := []struct {
		name    string
		in, out *Tensor
		want    error
	}{
		{"element count", NewTensor(tflite.TypeInt8, []int{2, 3}), NewTensor(tflite.TypeInt8, []int{5}), ErrBadShape},
		{"dtype change", NewTensor(tflite.TypeInt8, []int{2}), NewTensor(tflite.TypeInt16, []int{2}), ErrUnsupportedType},
		{"string", NewTensor(tflite.TypeString, []int{2}), NewTensor(tflite.TypeString, []int{2}), ErrUnsupportedType},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := dmPrepareErr(tflite.OpReshape, tflite.Options{}, []*Tensor{tc.out}, tc.in); !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestChainValueOfFloatIsBits(t *testing.T) {
	f := dmTensor(tflite.TypeFloat32, []int{2}, -0.5, 3)
	if got, want := chainValue(f, 0), int64(math.Float32bits(-0.5)); got != want {
		t.Errorf("chainValue(-0.5) = %#x, want %#x", got, want)
	}
	i := dmTensor(tflite.TypeInt8, []int{1}, -7)
	if got := chainValue(i, 0); got != -7 {
		t.Errorf("chainValue(int8 -7) = %d", got)
	}
}

func TestMovementAndReduceEvalDoNotAllocate(t *testing.T) {
	q := func(typ tflite.TensorType, shape []int) *Tensor { return arQuant(NewTensor(typ, shape), 0.5, 1) }
	poolOpts := tflite.Options{Type: tflite.OptionsPool2D, Padding: tflite.PaddingSame, FilterH: 3, FilterW: 3, StrideH: 2, StrideW: 2}
	tests := []struct {
		name string
		op   tflite.BuiltinOperator
		opts tflite.Options
		ins  []*Tensor
		out  *Tensor
	}{
		{"reshape", tflite.OpReshape, tflite.Options{}, []*Tensor{q(tflite.TypeInt8, []int{4, 4})}, q(tflite.TypeInt8, []int{16})},
		{"concatenation", tflite.OpConcatenation, tflite.Options{Axis: 1}, []*Tensor{q(tflite.TypeInt8, []int{2, 3}), q(tflite.TypeInt8, []int{2, 1})}, q(tflite.TypeInt8, []int{2, 4})},
		{"pad", tflite.OpPad, tflite.Options{}, []*Tensor{q(tflite.TypeInt8, []int{2, 2}), arConst(dmTensor(tflite.TypeInt32, []int{2, 2}, 1, 1, 1, 1))}, q(tflite.TypeInt8, []int{4, 4})},
		{"resize", tflite.OpResizeNearestNeighbor, tflite.Options{}, []*Tensor{q(tflite.TypeInt8, []int{1, 2, 2, 1}), arConst(dmTensor(tflite.TypeInt32, []int{2}, 4, 4))}, q(tflite.TypeInt8, []int{1, 4, 4, 1})},
		{"quantize", tflite.OpQuantize, tflite.Options{}, []*Tensor{dmTensor(tflite.TypeFloat32, []int{8})}, q(tflite.TypeInt8, []int{8})},
		{"requantize", tflite.OpQuantize, tflite.Options{}, []*Tensor{q(tflite.TypeInt16, []int{8})}, arQuant(NewTensor(tflite.TypeInt8, []int{8}), 0.3, 2)},
		{"dequantize", tflite.OpDequantize, tflite.Options{}, []*Tensor{q(tflite.TypeInt8, []int{8})}, NewTensor(tflite.TypeFloat32, []int{8})},
		{"average pool", tflite.OpAveragePool2D, poolOpts, []*Tensor{q(tflite.TypeInt8, []int{1, 5, 5, 2})}, q(tflite.TypeInt8, []int{1, 3, 3, 2})},
		{"max pool", tflite.OpMaxPool2D, poolOpts, []*Tensor{q(tflite.TypeInt16, []int{1, 5, 5, 2})}, q(tflite.TypeInt16, []int{1, 3, 3, 2})},
		{"mean", tflite.OpMean, tflite.Options{}, []*Tensor{q(tflite.TypeInt8, []int{1, 3, 3, 2}), arConst(dmTensor(tflite.TypeInt32, []int{2}, 1, 2))}, arQuant(NewTensor(tflite.TypeInt8, []int{1, 2}), 0.7, -3)},
		{"reduce max", tflite.OpReduceMax, tflite.Options{}, []*Tensor{q(tflite.TypeInt8, []int{3, 3}), arConst(dmTensor(tflite.TypeInt32, []int{1}, 0))}, q(tflite.TypeInt8, []int{3})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, err := Prepare(&Node{Op: tc.op, Inputs: tc.ins, Outputs: []*Tensor{tc.out}, Options: tc.opts})
			if err != nil {
				t.Fatal(err)
			}
			if allocs := testing.AllocsPerRun(10, func() { _ = k.Eval() }); allocs != 0 {
				t.Errorf("Eval allocates %v times", allocs)
			}
		})
	}
}
