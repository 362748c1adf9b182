// Package trace runs a TFLite model with tflq-trace's integer kernels and
// keeps every tensor, so that any element of any operator can be explained
// afterwards.
//
// Architecture. New turns a decoded tflite.Model into run-time tensors
// (kernels.Tensor, constants copied into aligned buffers, every other tensor
// allocated once from its model shape, like TFLite's preserve_all_tensors)
// and one kernels.Node per operator of subgraph 0, then prepares each node
// through the kernels op table. Invoke evaluates the nodes in order without
// allocating. Explain recomputes one output element of one node on demand
// with the kernel's own per-element code, so a run stores only tensors and
// explanations cost nothing until asked for.
package trace

import (
	"errors"
	"fmt"

	"github.com/tflq/tflq-trace/kernels"
	"github.com/tflq/tflq-trace/tflite"
)

// Options configure an Interpreter.
type Options struct {
	// Rounding is the requantization rounding rule (default RoundingDouble,
	// TFLite-Micro's default build).
	Rounding kernels.Rounding
	// AllowUnsupported keeps going when an operator cannot be prepared: its
	// kernel is nil, the error is kept in PrepareErrors, and Invoke refuses
	// to run. `inspect` uses it to show what it can of any model.
	AllowUnsupported bool
}

// Interpreter holds a prepared model and all of its tensors.
type Interpreter struct {
	Model   *tflite.Model
	Graph   *tflite.SubGraph
	Tensors []*kernels.Tensor
	Nodes   []*kernels.Node
	Kernels []kernels.Kernel
	Options Options
	// PrepareErrors[i] is operator i's prepare error (AllowUnsupported only).
	PrepareErrors []error
}

// OpError is an error tied to one operator.
type OpError struct {
	Index int
	Op    string
	Err   error
}

func (e *OpError) Error() string { return fmt.Sprintf("op %d %s: %v", e.Index, e.Op, e.Err) }
func (e *OpError) Unwrap() error { return e.Err }

// ErrBadInput reports graph input data of the wrong size or index.
var ErrBadInput = errors.New("bad input")

// New builds an interpreter for subgraph 0 of m and prepares every operator.
// An operator without a kernel, or one whose dtypes or parameters the kernel
// refuses, is an *OpError naming the operator.
func New(m *tflite.Model, opt Options) (*Interpreter, error) {
	if len(m.SubGraphs) == 0 {
		return nil, errors.New("model has no subgraphs")
	}
	g := &m.SubGraphs[0]
	ip := &Interpreter{Model: m, Graph: g, Options: opt}
	ip.Tensors = make([]*kernels.Tensor, len(g.Tensors))
	for i := range g.Tensors {
		ip.Tensors[i] = runtimeTensor(m, i, &g.Tensors[i])
	}
	for i := range g.Operators {
		op := &g.Operators[i]
		n := &kernels.Node{Index: i, Op: m.OpCode(*op), Options: op.Options, Rounding: opt.Rounding}
		n.Inputs = ip.tensorList(op.Inputs)
		n.Outputs = ip.tensorList(op.Outputs)
		n.Intermediates = ip.tensorList(op.Intermediates)
		ip.Nodes = append(ip.Nodes, n)
		k, err := kernels.Prepare(n)
		if err != nil {
			err = &OpError{Index: i, Op: m.OpName(*op), Err: err}
			if !opt.AllowUnsupported {
				return nil, err
			}
		}
		ip.Kernels = append(ip.Kernels, k)
		ip.PrepareErrors = append(ip.PrepareErrors, err)
	}
	ip.ResetVariables()
	return ip, nil
}

func (ip *Interpreter) tensorList(idx []int32) []*kernels.Tensor {
	ts := make([]*kernels.Tensor, len(idx))
	for j, t := range idx {
		if t >= 0 && int(t) < len(ip.Tensors) {
			ts[j] = ip.Tensors[t]
		}
	}
	return ts
}

func runtimeTensor(m *tflite.Model, index int, t *tflite.Tensor) *kernels.Tensor {
	shape := make([]int, len(t.Shape))
	for i, d := range t.Shape {
		shape[i] = int(d)
	}
	rt := &kernels.Tensor{Index: index, Name: t.Name, Type: t.Type, Shape: shape, Variable: t.IsVariable}
	if q := t.Quantization; q != nil {
		rt.Scale = q.Scale
		rt.ZeroPoint = q.ZeroPoint
		rt.QuantizedDimension = int(q.QuantizedDimension)
	}
	size := rt.NumElements() * t.Type.Size()
	if data := m.BufferData(*t); len(data) > 0 {
		rt.Const = true
		size = len(data)
		rt.Data = kernels.AlignedBytes(size)
		copy(rt.Data, data)
		return rt
	}
	rt.Data = kernels.AlignedBytes(size)
	return rt
}

// Inputs returns the graph input tensors in graph-input order.
func (ip *Interpreter) Inputs() []*kernels.Tensor { return ip.tensorList(ip.Graph.Inputs) }

// Outputs returns the graph output tensors in graph-output order.
func (ip *Interpreter) Outputs() []*kernels.Tensor { return ip.tensorList(ip.Graph.Outputs) }

// Tensor returns tensor i, or nil when out of range.
func (ip *Interpreter) Tensor(i int) *kernels.Tensor {
	if i < 0 || i >= len(ip.Tensors) {
		return nil
	}
	return ip.Tensors[i]
}

// SetInput copies raw little-endian bytes into graph input k.
func (ip *Interpreter) SetInput(k int, data []byte) error {
	ins := ip.Graph.Inputs
	if k < 0 || k >= len(ins) {
		return fmt.Errorf("%w: input %d does not exist (the model has %d)", ErrBadInput, k, len(ins))
	}
	t := ip.Tensors[ins[k]]
	if len(data) != len(t.Data) {
		return fmt.Errorf("%w: input %d %q is %v %v = %d bytes, got %d bytes", ErrBadInput, k, t.Name, t.Type, t.Shape, len(t.Data), len(data))
	}
	copy(t.Data, data)
	return nil
}

// ResetVariables resets every variable (state) tensor as TFLite-Micro's
// ResetVariableTensors does (also after allocation, so a new interpreter
// starts this way): int8 state is filled with its zero-point byte — the real
// value 0 — and every other type with zero bytes.
func (ip *Interpreter) ResetVariables() {
	for _, t := range ip.Tensors {
		if !t.Variable {
			continue
		}
		fill := byte(0)
		if t.Type == tflite.TypeInt8 {
			fill = byte(int8(t.ZP0()))
		}
		for i := range t.Data {
			t.Data[i] = fill
		}
	}
}

// Invoke runs every operator in order.
func (ip *Interpreter) Invoke() error {
	for i, k := range ip.Kernels {
		if k == nil {
			return ip.PrepareErrors[i]
		}
		if err := k.Eval(); err != nil {
			return &OpError{Index: i, Op: ip.OpName(i), Err: err}
		}
	}
	return nil
}

// OpName is the name of operator i (builtin name, or the custom code).
func (ip *Interpreter) OpName(i int) string { return ip.Model.OpName(ip.Graph.Operators[i]) }

// Explain recomputes element elem of output out of operator op and returns
// its arithmetic chain. Invoke must have run.
func (ip *Interpreter) Explain(op, out, elem int) (*kernels.Chain, error) {
	if op < 0 || op >= len(ip.Kernels) {
		return nil, fmt.Errorf("%w: op %d does not exist (the model has %d)", kernels.ErrBadElement, op, len(ip.Kernels))
	}
	n := ip.Nodes[op]
	if out < 0 || out >= len(n.Outputs) || n.Outputs[out] == nil {
		return nil, fmt.Errorf("%w: op %d has no output %d", kernels.ErrBadElement, op, out)
	}
	if elem < 0 || elem >= n.Outputs[out].NumElements() {
		return nil, fmt.Errorf("%w: element %d of %v", kernels.ErrBadElement, elem, n.Outputs[out].Shape)
	}
	if ip.Kernels[op] == nil {
		return nil, ip.PrepareErrors[op]
	}
	c := &kernels.Chain{}
	if err := ip.Kernels[op].Explain(out, elem, c); err != nil {
		return nil, &OpError{Index: op, Op: ip.OpName(op), Err: err}
	}
	return c, nil
}
