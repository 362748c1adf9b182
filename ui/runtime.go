package ui

// Runtimes: the UI re-runs the model under another runtime (a new
// interpreter on the same model and input bytes) and compares every layer
// with the run it started with, the base run.

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/tflq/tflq-trace/kernels"
	"github.com/tflq/tflq-trace/tflite"
	"github.com/tflq/tflq-trace/trace"
)

// run is the model invoked under one runtime, with its float reference and
// its differences from the base run. It is not changed once built.
type run struct {
	ip  *trace.Interpreter
	ref Reference
	// differ[op] is how many elements of operator op's first output differ
	// (byte for byte) from the base run's; all 0 for the base run itself.
	differ []int
}

// runtime is the runtime the run's kernels reproduce.
func (r *run) runtime() kernels.Runtime { return r.ip.Options().Runtime }

// layersDiffering counts the operators whose first output differs.
func (r *run) layersDiffering() int {
	n := 0
	for _, d := range r.differ {
		if d > 0 {
			n++
		}
	}
	return n
}

// runtimeRunMsg delivers a run built in the background (or why the runtime
// could not run the model).
type runtimeRunMsg struct {
	rt  kernels.Runtime
	run *run
	err error
}

// runUnder builds the run of model on inputs under rt (base's other options,
// such as its memory limit, kept) and compares it with base; withRef runs
// the float shadow too. It only reads base, so it may run while the UI
// explains base's elements.
func runUnder(model *tflite.Model, inputs [][]byte, rt kernels.Runtime, withRef bool, base *trace.Interpreter) (*run, error) {
	opt := base.Options()
	opt.Runtime = rt
	ip, err := trace.New(model, opt)
	if err != nil {
		return nil, err
	}
	for k, data := range inputs {
		if err := ip.SetInput(k, data); err != nil {
			return nil, err
		}
	}
	if err := ip.Invoke(); err != nil {
		return nil, err
	}
	r := &run{ip: ip}
	if withRef {
		if sh, err := trace.RunShadow(ip); err == nil {
			r.ref = FromShadow(sh)
		}
	}
	r.differ = make([]int, len(ip.Ops()))
	for op := range ip.Ops() {
		t := outputOf(ip, op)
		if t == nil {
			continue
		}
		b := base.Tensor(t.Index)
		for i := 0; i < t.NumElements(); i++ {
			if elementDiffers(t, b, i) {
				r.differ[op]++
			}
		}
	}
	return r, nil
}

// elementDiffers reports whether element i is stored differently in a and b
// (the same tensor of two runs).
func elementDiffers(a, b *kernels.Tensor, i int) bool {
	size := a.Type.Size()
	if size == 0 || b == nil || len(b.Data) != len(a.Data) {
		return false
	}
	return string(a.Data[i*size:(i+1)*size]) != string(b.Data[i*size:(i+1)*size])
}

// differs reports whether element i of t (a tensor of the current run)
// differs from the base run's.
func (s *session) differs(t *kernels.Tensor, i int) bool {
	if s.run == s.base {
		return false
	}
	return elementDiffers(t, s.base.ip.Tensor(t.Index), i)
}

// baseRuntime is the runtime the UI started with.
func (s *session) baseRuntime() kernels.Runtime { return s.base.runtime() }

// onBase reports whether the current run is the base run.
func (s *session) onBase() bool { return s.run == s.base }

// cycleRuntime re-runs the model under the runtime after the last one tried
// (kernels.Runtimes order, wrapping): at once from the cache, else in the
// background (the returned command).
func (m *Model) cycleRuntime() tea.Cmd {
	if m.pending >= 0 {
		m.message = fmt.Sprintf("still running the model under %s…", kernels.Runtime(m.pending))
		return nil
	}
	rts := kernels.Runtimes()
	next := rts[(int(m.tried)+1)%len(rts)]
	m.tried = next
	if r, ok := m.runs[next]; ok {
		m.switchRun(r)
		return nil
	}
	if err, ok := m.refused[next]; ok {
		m.refuse(next, err)
		return nil
	}
	m.pending = int(next)
	model, inputs, withRef, base := m.s.ip.Model(), m.inputs, m.s.base.ref != nil, m.s.base.ip
	return func() tea.Msg {
		r, err := runUnder(model, inputs, next, withRef, base)
		return runtimeRunMsg{rt: next, run: r, err: err}
	}
}

// runDone takes a background run.
func (m *Model) runDone(msg runtimeRunMsg) {
	m.pending = -1
	if msg.err != nil {
		m.refused[msg.rt] = msg.err
		m.refuse(msg.rt, msg.err)
		return
	}
	m.runs[msg.rt] = msg.run
	m.switchRun(msg.run)
}

func (m *Model) refuse(rt kernels.Runtime, err error) {
	m.message = fmt.Sprintf("%s cannot run this model, staying on %s (r tries the next): %v", rt, m.s.runtime(), err)
}

// switchRun makes r the current run, keeping the operator, the cursors,
// the filter and the value mode (Δ only away from the base run).
func (m *Model) switchRun(r *run) {
	m.s.run = r
	m.layers.refresh(m.s)
	if m.s.onBase() {
		if m.tensor.mode == modeDelta {
			m.tensor.mode = modeQuantized
		}
		m.element.pair = false
		m.message = fmt.Sprintf("runtime %s, the one the UI started with", r.runtime())
	} else {
		m.message = fmt.Sprintf("runtime %s: %d of %d layers differ from %s (≠) · d next difference · c chain pair",
			r.runtime(), r.layersDiffering(), len(r.differ), m.s.baseRuntime())
	}
	if notes := r.ip.Notes(); len(notes) > 0 {
		m.message = fmt.Sprintf("runtime %s: %s", r.runtime(), strings.Join(notes, "; "))
	}
	m.sync()
}

// nextDiff moves the cursor to the next element of the current layer (in
// row-major order, wrapping) that differs from the base run.
func (m *Model) nextDiff() {
	if m.s.onBase() {
		m.message = fmt.Sprintf("nothing differs under the runtime the UI started with (%s): r switches the runtime", m.s.runtime())
		return
	}
	t := m.outTensor()
	if t == nil {
		return
	}
	n := m.s.differ[m.op()]
	if n == 0 {
		m.message = fmt.Sprintf("every element of this layer equals %s's", m.s.baseRuntime())
		return
	}
	cur := m.elem()
	N := t.NumElements()
	for k := 1; k <= N; k++ {
		i := (cur + k) % N
		if !m.s.differs(t, i) {
			continue
		}
		// Its rank among the differing elements, for the message.
		rank := 1
		for j := 0; j < i; j++ {
			if m.s.differs(t, j) {
				rank++
			}
		}
		m.tensor.setElem(m.op(), i)
		base := m.s.base.ip.Tensor(t.Index)
		m.message = fmt.Sprintf("≠ %d of %d at %s: %s %s, %s %s (d: next)", rank, n, tflite.ShapeString(kernels.Unravel(i, t.Shape)),
			m.s.runtime(), rawString(t, i), m.s.baseRuntime(), rawString(base, i))
		return
	}
}
