package trace

// Helpers for the built-model tests (built_test.go): a small wrapper around
// tflite.ModelBuilder that records graph input data and expected outputs,
// the runner that takes a model through Write → Read → New → Invoke, and
// reference arithmetic written here from the definitions (never the
// kernels' own functions), so that the tests check the kernels against an
// independent implementation without any shared data.

import (
	"fmt"
	"math"
	"math/big"
	"testing"

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
		v := make([]int8, len(vals))
		for i, x := range vals {
			v[i] = int8(x)
		}
		return tflite.Int8Data(v)
	case tflite.TypeUint8, tflite.TypeBool:
		v := make([]byte, len(vals))
		for i, x := range vals {
			v[i] = byte(x)
		}
		return v
	case tflite.TypeInt16:
		v := make([]int16, len(vals))
		for i, x := range vals {
			v[i] = int16(x)
		}
		return tflite.Int16Data(v)
	case tflite.TypeInt32, tflite.TypeUint32:
		v := make([]int32, len(vals))
		for i, x := range vals {
			v[i] = int32(x)
		}
		return tflite.Int32Data(v)
	case tflite.TypeInt64:
		return tflite.Int64Data(vals)
	case tflite.TypeFloat32:
		v := make([]float32, len(vals))
		for i, x := range vals {
			v[i] = float32(x)
		}
		return tflite.Float32Data(v)
	}
	panic(fmt.Sprintf("encode: %v", typ))
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

func (m *builtModel) op(op tflite.BuiltinOperator, opts tflite.Options, ins []int32, outs ...int32) {
	m.b.AddOperator(op, opts, ins, outs)
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
	ip, m := newBuilt(t, c, Options{})
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

// unravel returns the multi-index of flat index i in shape.
func unravel(i int, shape []int) []int {
	idx := make([]int, len(shape))
	for d := len(shape) - 1; d >= 0; d-- {
		idx[d] = i % shape[d]
		i /= shape[d]
	}
	return idx
}

// ravel returns the flat index of idx in shape.
func ravel(idx, shape []int) int {
	f := 0
	for d := range shape {
		f = f*shape[d] + idx[d]
	}
	return f
}

// bcastIndex maps an output multi-index to the flat index of an input of
// shape in, broadcast numpy-style against the output (right-aligned, size-1
// dimensions repeat).
func bcastIndex(outIdx, in []int) int {
	off := len(outIdx) - len(in)
	idx := make([]int, len(in))
	for d := range in {
		if in[d] != 1 {
			idx[d] = outIdx[d+off]
		}
	}
	return ravel(idx, in)
}

// mapOut builds an output of shape by calling f for each multi-index.
func mapOut(shape []int, f func(idx []int) int64) []int64 {
	out := make([]int64, numel(shape))
	for i := range out {
		out[i] = f(unravel(i, shape))
	}
	return out
}

// ---- fixed-point reference, from the definitions ----

// quantizeMultiplier splits real > 0 into a Q31 mantissa in [2^30, 2^31) and
// a power of two: real ≈ m·2^(shift−31), with m = round(frac·2^31) for
// real = frac·2^shift, frac in [0.5, 1). Computed exactly with big.Float.
func quantizeMultiplier(real float64) (int64, int) {
	if real == 0 {
		return 0, 0
	}
	frac, exp := math.Frexp(real)
	bf := new(big.Float).SetFloat64(frac)
	bf.SetMantExp(bf, 31)
	// round half away from zero (frac > 0)
	bf.Add(bf, big.NewFloat(0.5))
	m, _ := bf.Int64()
	if m == 1<<31 {
		m /= 2
		exp++
	}
	if exp < -31 {
		return 0, 0
	}
	return m, exp
}

// srdhm is SaturatingRoundingDoublingHighMul: a·b / 2^31 rounded to
// nearest with ties toward +∞ (TFLite adds 2^30 for a non-negative product
// and 1 − 2^30 for a negative one, then truncates: both are
// floor((a·b + 2^30) / 2^31)), with the one overflow case saturated.
func srdhm(a, b int64) int64 {
	if a == math.MinInt32 && b == math.MinInt32 {
		return math.MaxInt32
	}
	return floorDiv(a*b+1<<30, 1<<31)
}

func floorDiv(a, b int64) int64 {
	d := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		d--
	}
	return d
}

// rdbpot is RoundingDivideByPOT: x / 2^e rounded to nearest, ties away from zero.
func rdbpot(x int64, e int) int64 {
	if e == 0 {
		return x
	}
	r := new(big.Rat).SetFrac(big.NewInt(x), new(big.Int).Lsh(big.NewInt(1), uint(e)))
	return roundHalfAway(r)
}

func roundHalfAway(r *big.Rat) int64 {
	neg := r.Sign() < 0
	a := new(big.Rat).Abs(r)
	a.Add(a, big.NewRat(1, 2))
	n := new(big.Int).Quo(a.Num(), a.Denom())
	if neg {
		n.Neg(n)
	}
	return n.Int64()
}

// mbqm is MultiplyByQuantizedMultiplier (double rounding, TFLite-Micro's
// default): left shift, SRDHM, then RDBPOT for a negative shift.
func mbqm(x, mult int64, shift int) int64 {
	left, right := 0, 0
	if shift > 0 {
		left = shift
	} else {
		right = -shift
	}
	return rdbpot(srdhm(x<<left, mult), right)
}

// mbqm64 is the int64-accumulator form used by the int16x8 kernels: the
// multiplier rounded to 15 bits, then one rounding shift.
func mbqm64(x, mult int64, shift int) int64 {
	reduced := int64(0x7FFF)
	if mult < 0x7FFF0000 {
		reduced = (mult + 1<<15) >> 16
	}
	total := 15 - shift
	return (x*reduced + 1<<(total-1)) >> total
}

// requant multiplies x by real with QuantizeMultiplier + mbqm.
func requant(x int64, real float64) int64 {
	m, s := quantizeMultiplier(real)
	return mbqm(x, m, s)
}

func clampI(x, lo, hi int64) int64 { return max(lo, min(hi, x)) }

func typeRange(typ tflite.TensorType) (int64, int64) {
	switch typ {
	case tflite.TypeInt8:
		return -128, 127
	case tflite.TypeUint8:
		return 0, 255
	case tflite.TypeInt16:
		return -32768, 32767
	case tflite.TypeInt32:
		return math.MinInt32, math.MaxInt32
	}
	panic(typ)
}

// actRange is the quantized clamp range of a fused activation: the real
// bounds 0, 6, ±1 mapped with round(r / scale) + zp (float32), intersected
// with the type range.
func actRange(act tflite.Activation, scale float32, zp int64, typ tflite.TensorType) (int64, int64) {
	lo, hi := typeRange(typ)
	qf := func(r float32) int64 { return zp + int64(math.Round(float64(r/scale))) }
	switch act {
	case tflite.ActRelu:
		lo = max(lo, qf(0))
	case tflite.ActRelu6:
		lo, hi = max(lo, qf(0)), min(hi, qf(6))
	case tflite.ActReluN1To1:
		lo, hi = max(lo, qf(-1)), min(hi, qf(1))
	}
	return lo, hi
}

// quantizeF is the float reference quantization: round(r / scale) + zp,
// clamped to the type, as a float64 for tolerance checks.
func quantizeF(r float64, scale float32, zp int64, typ tflite.TensorType) float64 {
	lo, hi := typeRange(typ)
	return float64(clampI(int64(math.Round(r/float64(scale)))+zp, lo, hi))
}
