package trace

// Helpers for the built-model tests (built_test.go): a small wrapper around
// tflite.ModelBuilder that records graph input data and expected outputs,
// the runner that takes a model through Write → Read → New → Invoke, and
// index helpers. The reference arithmetic the expected outputs come from is
// internal/oracle's (never the kernels' own functions), so that the tests
// check the kernels against an independent implementation without any
// shared data.

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/tflq/tflq-trace/internal/oracle"
	"github.com/tflq/tflq-trace/kernels"
	"github.com/tflq/tflq-trace/tflite"
)

// builtCase is one model built by a test: op is the operator it exercises
// (for the op-table coverage test), build adds its tensors and operators.
type builtCase struct {
	name  string
	op    tflite.BuiltinOperator
	build func(m *builtModel)
	// invokes is how many times the model runs on the same input before
	// the check (0 means 1), for ops with state.
	invokes int
	// runtime is the runtime whose arithmetic the expected outputs are
	// (TFLite-Micro's by default); the contract tests run every case under
	// every runtime, and a TFLite-Micro runtime may refuse a case written
	// for full TFLite (a legacy uint8 op, say).
	runtime kernels.Runtime
	// shadowTolLSB, when set, widens TestShadowReferenceKernels' tolerance
	// for this case; shadowSkip, when set, says why the float reference
	// cannot be compared at all (a runtime's own bug, say).
	shadowTolLSB float64
	shadowSkip   string
}

// builtModel is a model under construction with its input data and the
// checks to run on its outputs.
type builtModel struct {
	b         *tflite.ModelBuilder
	inputs    []int32
	inputData [][]byte
	outputs   []int32
	checks    []outputCheck
}

// outputCheck compares graph output tensor against want: exactly when tol is
// 0, else within tol (in LSB for integer tensors, absolute for float32).
type outputCheck struct {
	tensor int32
	want   []float64
	tol    float64
}

func q(scale float32, zp int64) *tflite.Quantization { return tflite.PerTensor(scale, zp) }

func shape32(shape []int) []int32 {
	s := make([]int32, len(shape))
	for i, d := range shape {
		s[i] = int32(d)
	}
	return s
}

// encode stores integer values as little-endian data of type typ.
func encode(typ tflite.TensorType, vals []int64) []byte {
	switch typ {
	case tflite.TypeInt8:
		return tflite.Int8Data(convertAll[int8](vals))
	case tflite.TypeUint8, tflite.TypeBool:
		return convertAll[byte](vals)
	case tflite.TypeInt16:
		return tflite.Int16Data(convertAll[int16](vals))
	case tflite.TypeInt32, tflite.TypeUint32:
		return tflite.Int32Data(convertAll[int32](vals))
	case tflite.TypeInt64:
		return tflite.Int64Data(vals)
	case tflite.TypeFloat32:
		return tflite.Float32Data(convertAll[float32](vals))
	}
	panic(fmt.Sprintf("encode: %v", typ))
}

// convertAll converts every value to T (Go's conversion: integers wrap).
func convertAll[T int8 | byte | int16 | int32 | float32](vals []int64) []T {
	v := make([]T, len(vals))
	for i, x := range vals {
		v[i] = T(x)
	}
	return v
}

// in adds a graph input holding vals.
func (m *builtModel) in(name string, typ tflite.TensorType, shape []int, qp *tflite.Quantization, vals []int64) int32 {
	i := m.b.AddTensor(name, typ, shape32(shape), qp)
	m.inputs = append(m.inputs, i)
	m.inputData = append(m.inputData, encode(typ, vals))
	return i
}

// inF adds a float32 graph input holding vals.
func (m *builtModel) inF(name string, shape []int, vals []float32) int32 {
	i := m.b.AddTensor(name, tflite.TypeFloat32, shape32(shape), nil)
	m.inputs = append(m.inputs, i)
	m.inputData = append(m.inputData, tflite.Float32Data(vals))
	return i
}

// cst adds a constant tensor holding vals.
func (m *builtModel) cst(name string, typ tflite.TensorType, shape []int, qp *tflite.Quantization, vals []int64) int32 {
	return m.b.AddConstTensor(name, typ, shape32(shape), qp, encode(typ, vals))
}

// state adds a variable (state) tensor.
func (m *builtModel) state(name string, typ tflite.TensorType, shape []int, qp *tflite.Quantization) int32 {
	return m.b.AddVariableTensor(name, typ, shape32(shape), qp)
}

// tmp adds an intermediate (non-constant, non-IO) tensor.
func (m *builtModel) tmp(name string, typ tflite.TensorType, shape []int, qp *tflite.Quantization) int32 {
	return m.b.AddTensor(name, typ, shape32(shape), qp)
}

// out adds a graph output whose values must equal want exactly.
func (m *builtModel) out(name string, typ tflite.TensorType, shape []int, qp *tflite.Quantization, want []int64) int32 {
	return m.outTol(name, typ, shape, qp, ints2f(want), 0)
}

// outTol adds a graph output whose values must be within tol of want.
func (m *builtModel) outTol(name string, typ tflite.TensorType, shape []int, qp *tflite.Quantization, want []float64, tol float64) int32 {
	i := m.b.AddTensor(name, typ, shape32(shape), qp)
	if len(want) != kernels.NumElements(shape) {
		panic(fmt.Sprintf("output %s: %d expected values for shape %v", name, len(want), shape))
	}
	m.outputs = append(m.outputs, i)
	m.checks = append(m.checks, outputCheck{tensor: i, want: want, tol: tol})
	return i
}

func (m *builtModel) op(op tflite.BuiltinOperator, opts tflite.Options, ins []int32, outs ...int32) int32 {
	return m.b.AddOperator(op, opts, ins, outs)
}

// containsAll reports whether s contains every one of subs.
func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

func ints2f(v []int64) []float64 {
	f := make([]float64, len(v))
	for i, x := range v {
		f[i] = float64(x)
	}
	return f
}

// opts returns op's default options with set applied.
func opts(op tflite.BuiltinOperator, set func(o *tflite.Options)) tflite.Options {
	o := tflite.DefaultOptions(tflite.DefaultOptionsType(op))
	if set != nil {
		set(&o)
	}
	return o
}

// newBuilt builds c's model, writes it to bytes, reads it back and returns
// a fresh interpreter for it, with the graph inputs set (not yet invoked).
func newBuilt(t *testing.T, c builtCase, opt Options) (*Interpreter, *builtModel) {
	t.Helper()
	ip, m, err := tryBuilt(c, opt)
	if err != nil {
		t.Fatal(err)
	}
	return ip, m
}

// buildModel builds c's model (not yet written to bytes).
func buildModel(c builtCase) (*tflite.Model, error) {
	m := &builtModel{b: tflite.NewModelBuilder()}
	c.build(m)
	m.b.SetIO(m.inputs, m.outputs)
	return m.b.Model()
}

// tryBuilt is newBuilt returning its error.
func tryBuilt(c builtCase, opt Options) (*Interpreter, *builtModel, error) {
	m := &builtModel{b: tflite.NewModelBuilder()}
	c.build(m)
	m.b.SetIO(m.inputs, m.outputs)
	model, err := m.b.Model()
	if err != nil {
		return nil, nil, fmt.Errorf("build: %w", err)
	}
	data, err := tflite.Write(model)
	if err != nil {
		return nil, nil, fmt.Errorf("write: %w", err)
	}
	read, err := tflite.Read(data)
	if err != nil {
		return nil, nil, fmt.Errorf("read back: %w", err)
	}
	ip, err := New(read, opt)
	if err != nil {
		return nil, nil, fmt.Errorf("prepare: %w", err)
	}
	for k, d := range m.inputData {
		if err := ip.SetInput(k, d); err != nil {
			return nil, nil, err
		}
	}
	return ip, m, nil
}

// runBuilt builds c's model, writes it to bytes, reads it back, runs it and
// checks every graph output; then explains every element of every operator
// output and checks the chain ends at the stored value. It returns the
// interpreter for further checks.
func runBuilt(t *testing.T, c builtCase) *Interpreter {
	t.Helper()
	ip, m := newBuilt(t, c, Options{Runtime: c.runtime})
	for range max(c.invokes, 1) {
		if err := ip.Invoke(); err != nil {
			t.Fatalf("invoke: %v", err)
		}
	}
	for _, chk := range m.checks {
		out := ip.Tensors()[chk.tensor]
		bad := 0
		for i, want := range chk.want {
			var got float64
			if out.Type == tflite.TypeFloat32 {
				got = float64(out.Float32()[i])
			} else {
				got = float64(out.Int(i))
			}
			if math.Abs(got-want) > chk.tol || math.IsNaN(got) {
				if bad < 8 {
					t.Errorf("%s element %d (of %v): got %v, want %v (tolerance %v)", out.Name, i, out.Shape, got, want, chk.tol)
				}
				bad++
			}
		}
		if bad > 0 {
			t.Errorf("%s: %d of %d elements wrong", out.Name, bad, len(chk.want))
		}
	}
	for oi, op := range ip.Ops() {
		n := op.Node
		for k, out := range n.Outputs {
			for e := 0; e < out.NumElements(); e++ {
				ch, err := ip.Explain(oi, k, e)
				if err != nil {
					t.Fatalf("explain op %d %v output %d element %d: %v", oi, n.Op, k, e, err)
				}
				if ch.Final != storedValue(out, e) {
					t.Fatalf("explain op %d %v output %d element %d ends at %d, tensor holds %d", oi, n.Op, k, e, ch.Final, storedValue(out, e))
				}
			}
		}
	}
	return ip
}

// ---- data ----

// pseudo returns n deterministic pseudo-random integers in [lo, hi].
func pseudo(n int, lo, hi int64, seed uint32) []int64 {
	v := make([]int64, n)
	s := seed*2654435761 + 12345
	for i := range v {
		s = s*1664525 + 1013904223
		v[i] = lo + int64(s>>8)%(hi-lo+1)
	}
	return v
}

// ---- index arithmetic ----

func numel(shape []int) int { return kernels.NumElements(shape) }

// mapOut builds an output of shape by calling f for each multi-index.
func mapOut(shape []int, f func(idx []int) int64) []int64 {
	out := make([]int64, numel(shape))
	for i := range out {
		out[i] = f(oracle.Unravel(i, shape))
	}
	return out
}
