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
	"strings"

	"github.com/tflq/tflq-trace/kernels"
	"github.com/tflq/tflq-trace/tflite"
)

// Options configure an Interpreter.
type Options struct {
	// Runtime is whose arithmetic the kernels reproduce (default
	// RuntimeTFLM: TFLite-Micro's reference kernels, double rounding).
	Runtime kernels.Runtime
	// MaxMemory is the most the run may allocate (tensors, constants, float
	// shadow, index tables), checked before anything is allocated; 0 means
	// DefaultMemoryLimit, a negative value no limit.
	MaxMemory int64
	// AllowUnsupported keeps going when an operator cannot be prepared: its
	// kernel is nil, the error is kept in PrepareErrors, and Invoke refuses
	// to run. `inspect` uses it to show what it can of any model.
	AllowUnsupported bool
}

// Interpreter holds a prepared model and all of its tensors. Its state is
// read through accessors; only SetInput, ResetVariables and Invoke change it.
type Interpreter struct {
	model   *tflite.Model
	graph   *tflite.SubGraph
	tensors []*kernels.Tensor
	ops     []Op
	options Options
	// notes: see Notes.
	notes []string
	// shadow is what every RunShadow of the interpreter shares.
	shadow shadowShared
}

// Op is one operator of the run, in execution order: its node (wired to
// the run-time tensors), its prepared kernel and its name.
type Op struct {
	Node *kernels.Node
	// Kernel is nil when the operator could not be prepared
	// (Options.AllowUnsupported); Err then says why.
	Kernel kernels.Kernel
	Err    error
	// Name is the builtin operator's name, or the custom code.
	Name string
	// Impl is the implementation whose kernel runs the operator under the
	// interpreter's runtime (XNNPACK delegate, TFLite-Micro reference, ...).
	Impl kernels.Implementation
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

// ErrBadGraph: an operator writes a tensor it may not — a constant, its own
// input, or one another operator (or another of its outputs) also writes —
// or a graph input is a constant (SetInput would write it). TFLite refuses
// such graphs; a kernel writing over what it reads would make explanations
// disagree with stored values.
var ErrBadGraph = errors.New("bad graph")

// New builds an interpreter for subgraph 0 of m and prepares every operator.
// An operator without a kernel, or one whose dtypes or parameters the kernel
// refuses, is an *OpError naming the operator.
//
// Under a runtime with the XNNPACK delegate (tflite-xnnpack) New applies
// the delegate as TFLite does: not at all when the graph has dynamic
// tensors, and when the delegate fails to build one of the nodes it took
// (kernels.ErrDelegateFallback) every node is prepared again without it.
// Notes says which happened.
func New(m *tflite.Model, opt Options) (*Interpreter, error) {
	if len(m.SubGraphs) == 0 {
		return nil, errors.New("model has no subgraphs")
	}
	if err := PlanMemory(m).check(opt.memoryLimit(), false); err != nil {
		return nil, err
	}
	g := &m.SubGraphs[0]
	ip := &Interpreter{model: m, graph: g, options: opt}
	ip.tensors = make([]*kernels.Tensor, len(g.Tensors))
	for i := range g.Tensors {
		ip.tensors[i] = runtimeTensor(m, i, &g.Tensors[i])
	}
	for k, ti := range g.Inputs {
		// SetInput writes graph inputs: one that is a constant would have
		// kernels prepared on its file values and run on others.
		if ti >= 0 && ip.tensors[ti].Const {
			t := ip.tensors[ti]
			return nil, fmt.Errorf("%w: graph input %d is tensor %d %q, a constant (its values are in the file)", ErrBadGraph, k, t.Index, t.Name)
		}
	}
	if !opt.Runtime.IsTFLM() {
		if note := ip.loadRefusal(); note != "" {
			ip.notes = append(ip.notes, note)
		}
	}
	withoutDelegate := false
	if opt.Runtime.Delegates() {
		if why := ip.dynamicTensors(); why != "" {
			withoutDelegate = true
			ip.notes = append(ip.notes, "XNNPACK delegate not applied: the graph has dynamic tensors ("+why+")")
		}
	}
	ip.prepareOps(withoutDelegate)
	if !withoutDelegate {
		for i := range ip.ops {
			if err := ip.ops[i].Err; errors.Is(err, kernels.ErrDelegateFallback) {
				ip.notes = append(ip.notes, "XNNPACK delegate dropped: "+err.Error())
				ip.prepareOps(true)
				break
			}
		}
	}
	if !opt.AllowUnsupported {
		for i := range ip.ops {
			if err := ip.ops[i].Err; err != nil {
				return nil, err
			}
		}
	}
	ip.ResetVariables()
	return ip, nil
}

// prepareOps builds a node for every operator and prepares it, keeping
// each failure in its Op.
func (ip *Interpreter) prepareOps(withoutDelegate bool) {
	m, g, opt := ip.model, ip.graph, ip.options
	ip.ops = make([]Op, len(g.Operators))
	writer := map[int]int{} // tensor index → the operator that writes it
	for i := range g.Operators {
		op := &g.Operators[i]
		n := &kernels.Node{Index: i, Op: m.OpCode(*op), Options: op.Options, Runtime: opt.Runtime,
			Rounding: opt.Runtime.Rounding(), WithoutDelegate: withoutDelegate}
		n.Inputs = ip.tensorList(op.Inputs)
		n.Outputs = ip.tensorList(op.Outputs)
		n.Intermediates = ip.tensorList(op.Intermediates)
		o := Op{Node: n, Name: m.OpName(*op)}
		if o.Err = checkWrites(n, i, writer); o.Err == nil {
			o.Kernel, o.Impl, o.Err = kernels.PrepareImpl(n)
		}
		if o.Err != nil {
			o.Kernel = nil
			o.Err = &OpError{Index: i, Op: o.Name, Err: o.Err}
		}
		ip.ops[i] = o
	}
}

// checkWrites refuses an operator whose outputs are tensors it may not
// write (ErrBadGraph), and records them in writer.
func checkWrites(n *kernels.Node, op int, writer map[int]int) error {
	for k, t := range n.Outputs {
		if t == nil {
			continue
		}
		if t.Const {
			return fmt.Errorf("%w: output %d is tensor %d %q, a constant (its values are in the file)", ErrBadGraph, k, t.Index, t.Name)
		}
		for j, in := range n.Inputs {
			if in == t {
				return fmt.Errorf("%w: output %d is tensor %d, also its input %d: it would overwrite what it reads", ErrBadGraph, k, t.Index, j)
			}
		}
		if prev, ok := writer[t.Index]; ok {
			return fmt.Errorf("%w: output %d is tensor %d, which op %d also writes", ErrBadGraph, k, t.Index, prev)
		}
		writer[t.Index] = op
	}
	return nil
}

// dynamicShapeOperands lists, per operator, the inputs whose values decide
// the output's shape: when one of them is not a constant, TFLite's builtin
// Prepare marks the output dynamic (its shape is known only at Invoke).
var dynamicShapeOperands = map[tflite.BuiltinOperator][]int{
	tflite.OpFill:        {0},
	tflite.OpReshape:     {1},
	tflite.OpBroadcastTo: {1},
}

// dynamicTensors names the first operator that makes a tensor of the graph
// dynamic-sized, or returns "" when every shape is static. TFLite's XNNPACK
// delegate (this build) does not support dynamic tensors: it is not applied
// to such a graph at all (kws_basic_lstm's FILL with computed dims runs
// entirely on builtin kernels).
func (ip *Interpreter) dynamicTensors() string {
	m := ip.model
	for i, op := range ip.graph.Operators {
		code := m.OpCode(op)
		for _, k := range dynamicShapeOperands[code] {
			if k < len(op.Inputs) && op.Inputs[k] >= 0 {
				if t := ip.Tensor(int(op.Inputs[k])); t != nil && !t.Const {
					return fmt.Sprintf("op %d %s: %s is computed at run time", i, m.OpName(op), kernels.InputRole(code, k))
				}
			}
		}
	}
	return ""
}

// loadRefusal says why full TFLite refuses to create an interpreter for the
// model although its kernels are defined: a per-channel tensor quantized
// along a dimension it does not have (person_detect's rank-1 biases say
// dimension 3; interpreter_builder.cc checks it, TFLite-Micro does not). The
// full-TFLite runtimes still run such a model, as its kernels would compute
// it, and say so.
func (ip *Interpreter) loadRefusal() string {
	var bad []string
	var first *kernels.Tensor
	for _, t := range ip.tensors {
		if len(t.Scale) > 1 && (t.QuantizedDimension < 0 || t.QuantizedDimension >= t.Rank()) {
			bad = append(bad, fmt.Sprintf("t%d", t.Index))
			if first == nil {
				first = t
			}
		}
	}
	if first == nil {
		return ""
	}
	return fmt.Sprintf("full TFLite refuses to load this model: %d tensor(s) (%s) quantized along a dimension they do not have (t%d: dimension %d of a rank-%d tensor; interpreter_builder.cc); the results are what its kernels compute, taking the only dimension as TFLite-Micro does",
		len(bad), strings.Join(bad, " "), first.Index, first.QuantizedDimension, first.Rank())
}

// Notes are the lines to show with a run: how the XNNPACK delegate was
// applied and whether full TFLite would refuse the model.
func (ip *Interpreter) Notes() []string { return ip.notes }

func (ip *Interpreter) tensorList(idx []int32) []*kernels.Tensor {
	ts := make([]*kernels.Tensor, len(idx))
	for j, t := range idx {
		if t >= 0 && int(t) < len(ip.tensors) {
			ts[j] = ip.tensors[t]
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
	// As TFLite and TFLite-Micro do, a tensor without both scales and zero
	// points is not quantized (the reader warns about it).
	if q := t.Quantization; q != nil && len(q.Scale) > 0 && len(q.ZeroPoint) > 0 {
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

// Model is the model the interpreter runs.
func (ip *Interpreter) Model() *tflite.Model { return ip.model }

// Graph is the subgraph it runs (subgraph 0).
func (ip *Interpreter) Graph() *tflite.SubGraph { return ip.graph }

// Options are the options it was built with.
func (ip *Interpreter) Options() Options { return ip.options }

// Ops lists the operators in execution order. The slice is the
// interpreter's own: read it, do not modify it.
func (ip *Interpreter) Ops() []Op { return ip.ops }

// Tensors lists every tensor of the graph, indexed like the model's tensors
// (the indices tf.lite.Interpreter.get_tensor_details() reports). The slice
// is the interpreter's own: read it, do not modify it.
func (ip *Interpreter) Tensors() []*kernels.Tensor { return ip.tensors }

// Inputs returns the graph input tensors in graph-input order.
func (ip *Interpreter) Inputs() []*kernels.Tensor { return ip.tensorList(ip.graph.Inputs) }

// Outputs returns the graph output tensors in graph-output order.
func (ip *Interpreter) Outputs() []*kernels.Tensor { return ip.tensorList(ip.graph.Outputs) }

// Tensor returns tensor i, or nil when out of range.
func (ip *Interpreter) Tensor(i int) *kernels.Tensor {
	if i < 0 || i >= len(ip.tensors) {
		return nil
	}
	return ip.tensors[i]
}

// SetInput copies raw little-endian bytes into graph input k.
func (ip *Interpreter) SetInput(k int, data []byte) error {
	ins := ip.graph.Inputs
	if k < 0 || k >= len(ins) {
		return fmt.Errorf("%w: input %d does not exist (the model has %d)", ErrBadInput, k, len(ins))
	}
	t := ip.tensors[ins[k]]
	if len(data) != len(t.Data) {
		return fmt.Errorf("%w: input %d %q is %v %v = %d bytes, got %d bytes", ErrBadInput, k, t.Name, t.Type, t.Shape, len(t.Data), len(data))
	}
	copy(t.Data, data)
	return nil
}

// ResetVariables resets every variable (state) tensor as TFLite-Micro's
// ResetVariableTensors does (also after allocation, so a new interpreter
// starts this way): int8 state is filled with its zero-point byte — the real
// value 0 — and every other type with zero bytes. Full TFLite (LiteRT's
// ResetVariableTensor, the tflite-ref and tflite-xnnpack runtimes) resets the
// same way, so the rule does not depend on the runtime: the
// mnist_lstm_uint8io tflite/ goldens of both LSTM states (int8 hidden state
// with zero point −1, int16 cell) match from this reset in all 3 cases, and
// miss (11 tensors) when the int8 state starts at zero bytes instead.
func (ip *Interpreter) ResetVariables() {
	for _, t := range ip.tensors {
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
	for i := range ip.ops {
		o := &ip.ops[i]
		if o.Kernel == nil {
			return o.Err
		}
		if err := o.Kernel.Eval(); err != nil {
			return &OpError{Index: i, Op: o.Name, Err: err}
		}
	}
	return nil
}

// Explain recomputes element elem (flat, row-major) of output out of
// operator op and returns its arithmetic chain. Invoke must have run. The
// kernel checks out and elem; errors name the operator.
func (ip *Interpreter) Explain(op, out, elem int) (*kernels.Chain, error) {
	c := &kernels.Chain{}
	if err := ip.ExplainInto(c, op, out, elem); err != nil {
		return nil, err
	}
	return c, nil
}

// ExplainInto is Explain into a chain the caller reuses: c is reset first
// (keeping its capacity). It is safe to call from several goroutines with
// different chains once Invoke has returned (kernels' Explain only reads).
func (ip *Interpreter) ExplainInto(c *kernels.Chain, op, out, elem int) error {
	if op < 0 || op >= len(ip.ops) {
		return fmt.Errorf("%w: op %d does not exist (the model has %d)", kernels.ErrBadElement, op, len(ip.ops))
	}
	o := &ip.ops[op]
	if o.Kernel == nil {
		return o.Err
	}
	c.Reset()
	if err := o.Kernel.Explain(out, elem, c); err != nil {
		return &OpError{Index: op, Op: o.Name, Err: err}
	}
	return nil
}
