package trace

// Checking a user's own numbers against a run: which tensors differ, the
// operator where they start to differ, and the known mistake (or other
// runtime, or other tensor) that reproduces them.

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/tflq/tflq-trace/kernels"
	"github.com/tflq/tflq-trace/tflite"
)

// UserValues are a user's numbers for one tensor, in row-major order:
// integers (quantized values, in any range: a computation that forgot the
// clamp holds int32 numbers) or reals (compared with the dequantized values
// to half an LSB). Exactly one of Ints and Reals is set.
type UserValues struct {
	Ints  []int64
	Reals []float64
}

// Len is the number of values.
func (u UserValues) Len() int {
	if u.Reals != nil {
		return len(u.Reals)
	}
	return len(u.Ints)
}

// IsReal reports whether the values are reals.
func (u UserValues) IsReal() bool { return u.Reals != nil }

// At is value i as a float64.
func (u UserValues) At(i int) float64 {
	if u.Reals != nil {
		return u.Reals[i]
	}
	return float64(u.Ints[i])
}

// floatRelTolerance is how closely a user's value must match a float32
// tensor's: a relative 1e-5 (float32 keeps about 7 digits), or 1e-7
// absolutely for values near 0.
const floatRelTolerance = 1e-5

// Matcher says whether a user's value matches a value of a tensor's dtype.
type Matcher struct {
	t *kernels.Tensor
	u UserValues
}

// NewMatcher judges u against values of t's dtype. The values must have
// t's element count.
func NewMatcher(t *kernels.Tensor, u UserValues) *Matcher { return &Matcher{t: t, u: u} }

// Rule says in words how values are compared.
func (m *Matcher) Rule() string {
	switch {
	case m.t.Type == tflite.TypeFloat32:
		return fmt.Sprintf("compared with the float32 values to a relative %g", floatRelTolerance)
	case m.u.IsReal() && m.t.Quantized():
		return "real values: compared with the dequantized values (q − zp)·s to half an LSB (s/2)"
	case m.u.IsReal():
		return "real values: compared with the tensor's integers"
	}
	return "integers: compared with the quantized values exactly"
}

// Match reports whether the user's element i matches v, a raw value of the
// tensor's dtype (the float itself for float32 tensors).
func (m *Matcher) Match(i int, v float64) bool {
	t := m.t
	switch {
	case t.Type == tflite.TypeFloat32:
		return closeFloat(m.u.At(i), v)
	case m.u.IsReal() && t.Quantized():
		c := t.ChannelOf(i)
		s := float64(t.ScaleAt(c))
		real := (v - float64(t.ZeroPointAt(c))) * s
		return math.Abs(m.u.Reals[i]-real) <= s/2*(1+1e-9)
	case m.u.IsReal():
		return m.u.Reals[i] == v
	}
	return float64(m.u.Ints[i]) == v
}

// matchReal reports whether the user's element i matches the real value r
// (for comparing with other tensors): to half an LSB of the matcher's
// tensor, or as floats.
func (m *Matcher) matchReal(i int, r float64) bool {
	t := m.t
	if t.Type == tflite.TypeFloat32 || !t.Quantized() {
		return closeFloat(m.u.At(i), r)
	}
	s := float64(t.ScaleAt(t.ChannelOf(i)))
	return math.Abs(m.u.At(i)-r) <= s/2*(1+1e-9)
}

func closeFloat(a, b float64) bool {
	if a == b {
		return true
	}
	if math.IsNaN(a) || math.IsNaN(b) {
		return false
	}
	return math.Abs(a-b) <= floatRelTolerance*max(math.Abs(a), math.Abs(b)) || math.Abs(a-b) <= 1e-7
}

// userCompareValue is element i of t as Match takes it.
func userCompareValue(t *kernels.Tensor, i int) float64 {
	if t.Type == tflite.TypeFloat32 {
		return float64(t.Float32()[i])
	}
	return float64(t.Int(i))
}

// TensorCheck compares a user's values for one tensor with the run's.
type TensorCheck struct {
	Tensor   int `json:"tensor"`
	Elements int `json:"elements"`
	Differ   int `json:"differ"`
	// First is the flat index of the first differing element (−1 if none).
	First int `json:"first_differing"`
	// MaxAbsDiff is the largest |yours − run's|: in LSB for quantized
	// tensors, in real units for float ones.
	MaxAbsDiff Float `json:"max_abs_diff"`
}

// CheckTensor compares u with tensor t of the run element by element. u
// must have t's element count.
func CheckTensor(t *kernels.Tensor, u UserValues) TensorCheck {
	m := NewMatcher(t, u)
	tc := TensorCheck{Tensor: t.Index, Elements: t.NumElements(), First: -1}
	var worst float64
	for i := range tc.Elements {
		v := userCompareValue(t, i)
		if m.Match(i, v) {
			continue
		}
		tc.Differ++
		if tc.First < 0 {
			tc.First = i
		}
		var d float64
		switch {
		case t.Type == tflite.TypeFloat32 || !t.Quantized():
			d = math.Abs(u.At(i) - v)
		case u.IsReal():
			d = math.Abs(u.Reals[i]-t.Dequantize(i)) / float64(t.ScaleAt(t.ChannelOf(i)))
		default:
			d = math.Abs(float64(u.Ints[i]) - v)
		}
		if math.IsNaN(d) {
			d = math.Inf(1)
		}
		worst = max(worst, d)
	}
	tc.MaxAbsDiff = Float(worst)
	return tc
}

// Localization says where a user's values start to differ from the run's.
type Localization struct {
	// Source is the first operator, in execution order, with an output that
	// differs while every input matches (inputs the user gave no values for
	// count as matching); −1 if none.
	Source int
	// SourceTensor is that differing output's tensor.
	SourceTensor int
	// MoreSources are later operators whose output differs while their
	// inputs match.
	MoreSources []int
	// Propagated are the later operators whose output differs because one
	// of their inputs does.
	Propagated []PropagatedDiff
	// DifferingInputs are tensors no operator produces (graph inputs,
	// constants) whose values differ from the run's.
	DifferingInputs []int
}

// PropagatedDiff is an operator whose output differs because an input does.
type PropagatedDiff struct {
	Op      int   `json:"op"`
	Outputs []int `json:"outputs"`
	// Inputs are the differing input tensors.
	Inputs []int `json:"differing_inputs"`
}

// Localize finds where the user's values start to differ: differs[i] is
// whether tensor i's values differ (a tensor without values is absent).
func Localize(ip *Interpreter, differs map[int]bool) Localization {
	loc := Localization{Source: -1, SourceTensor: -1}
	produced := map[int]bool{}
	for _, op := range ip.ops {
		for _, t := range op.Node.Outputs {
			if t != nil {
				produced[t.Index] = true
			}
		}
	}
	for i := range ip.tensors {
		if differs[i] && !produced[i] {
			loc.DifferingInputs = append(loc.DifferingInputs, i)
		}
	}
	for oi, op := range ip.ops {
		var outs, ins []int
		for _, t := range op.Node.Outputs {
			if t != nil && differs[t.Index] {
				outs = append(outs, t.Index)
			}
		}
		if len(outs) == 0 {
			continue
		}
		for _, t := range op.Node.Inputs {
			if t != nil && differs[t.Index] && !contains(ins, t.Index) {
				ins = append(ins, t.Index)
			}
		}
		switch {
		case len(ins) > 0:
			loc.Propagated = append(loc.Propagated, PropagatedDiff{Op: oi, Outputs: outs, Inputs: ins})
		case loc.Source < 0:
			loc.Source, loc.SourceTensor = oi, outs[0]
		default:
			loc.MoreSources = append(loc.MoreSources, oi)
		}
	}
	return loc
}

func contains(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// maxMistakes is the largest combination of mistakes Diagnose tries.
const maxMistakes = 3

// Diagnosis explains why the user's values for one operator output differ
// from the run's.
type Diagnosis struct {
	Op     int
	OpName string
	Output int // the output's position
	Tensor int
	// FirstDiff is the first element where the user's value differs from
	// the run's.
	FirstDiff int
	Elements  int
	// RuntimeMatches counts the elements where the user's values equal the
	// run's.
	RuntimeMatches int
	// OtherRuntime is set when the user's values are exactly another
	// runtime's for this operator (computed from the same inputs): not a
	// mistake, a different runtime. OtherRuntimes are all the runtimes
	// whose values they are (OtherRuntime the first), in runtime order.
	OtherRuntime    kernels.Runtime
	OtherRuntimes   []kernels.Runtime
	HasOtherRuntime bool
	// WrongTensor is a tensor whose values are exactly the user's (−1 if
	// none).
	WrongTensor int
	// Search is the mistake search (zero when the operator has no model).
	Search kernels.MistakeSearch
	// Model is the operator's mistake model (nil when it has none; ModelErr
	// says why).
	Model    *kernels.MistakeModel
	ModelErr error

	ip    *Interpreter
	other []*Interpreter // of OtherRuntimes
}

// Exact reports whether something (another runtime, another tensor, a set
// of mistakes) reproduces every value.
func (d *Diagnosis) Exact() bool {
	return d.HasOtherRuntime || d.WrongTensor >= 0 || d.Search.Exact
}

// Diagnose explains the user's values u for output out of operator op of a
// run (Invoke has run; the operator's inputs hold the values it was computed
// from): another runtime whose kernel gives exactly u from the same inputs,
// another tensor holding exactly u, or the smallest combination of the
// catalogue's mistakes (up to three) that reproduces u — else the best
// partial one.
func (ip *Interpreter) Diagnose(op, out int, u UserValues) (*Diagnosis, error) {
	if op < 0 || op >= len(ip.ops) {
		return nil, fmt.Errorf("%w: op %d does not exist (the model has %d)", kernels.ErrBadElement, op, len(ip.ops))
	}
	o := &ip.ops[op]
	if out < 0 || out >= len(o.Node.Outputs) || o.Node.Outputs[out] == nil {
		return nil, fmt.Errorf("%w: op %d %s has no output %d", kernels.ErrBadElement, op, o.Name, out)
	}
	t := o.Node.Outputs[out]
	if u.Len() != t.NumElements() {
		return nil, fmt.Errorf("%w: %d values for tensor %d of %d elements", ErrBadInput, u.Len(), t.Index, t.NumElements())
	}
	d := &Diagnosis{Op: op, OpName: o.Name, Output: out, Tensor: t.Index, Elements: t.NumElements(), FirstDiff: -1, WrongTensor: -1, ip: ip}
	match := NewMatcher(t, u)
	for i := range d.Elements {
		if match.Match(i, userCompareValue(t, i)) {
			d.RuntimeMatches++
		} else if d.FirstDiff < 0 {
			d.FirstDiff = i
		}
	}
	if d.RuntimeMatches == d.Elements {
		return d, nil
	}
	if others := ip.otherRuntimesMatching(op, out, match); len(others) > 0 {
		d.OtherRuntime, d.HasOtherRuntime, d.other = others[0].options.Runtime, true, others
		for _, o := range others {
			d.OtherRuntimes = append(d.OtherRuntimes, o.options.Runtime)
		}
		return d, nil
	}
	d.WrongTensor = ip.tensorMatching(t, match)
	if o.Kernel == nil {
		d.ModelErr = o.Err
		return d, nil
	}
	if out != 0 {
		d.ModelErr = fmt.Errorf("%w for output %d of %s", kernels.ErrNoMistakeModel, out, o.Name)
		return d, nil
	}
	d.Model, d.ModelErr = kernels.NewMistakeModel(o.Node, o.Kernel)
	if d.Model != nil {
		d.Search = d.Model.Search(maxMistakes, match.Match)
	}
	return d, nil
}

// otherRuntimesMatching returns the interpreters of the other runtimes
// whose kernel for op, run on this run's inputs of op, gives exactly the
// values match accepts, in runtime order.
func (ip *Interpreter) otherRuntimesMatching(op, out int, match *Matcher) []*Interpreter {
	var matching []*Interpreter
	for _, rt := range kernels.Runtimes() {
		if rt == ip.options.Runtime {
			continue
		}
		other, err := New(ip.model, Options{Runtime: rt, MaxMemory: ip.options.MaxMemory})
		if err != nil {
			continue
		}
		if err := other.EvalOpFrom(ip, op); err != nil {
			continue
		}
		t := other.ops[op].Node.Outputs[out]
		all := true
		for i := range t.NumElements() {
			if !match.Match(i, userCompareValue(t, i)) {
				all = false
				break
			}
		}
		if all {
			matching = append(matching, other)
		}
	}
	return matching
}

// EvalOpFrom runs operator op of ip alone, on the values op's non-constant
// inputs hold in the run src (an interpreter of the same model).
func (ip *Interpreter) EvalOpFrom(src *Interpreter, op int) error {
	if len(src.tensors) != len(ip.tensors) || op < 0 || op >= len(ip.ops) || len(src.ops) != len(ip.ops) {
		return fmt.Errorf("op %d: the two runs are of different models", op)
	}
	o := &ip.ops[op]
	if o.Kernel == nil {
		return o.Err
	}
	for _, t := range src.ops[op].Node.Inputs {
		if t != nil && !t.Const {
			copy(ip.tensors[t.Index].Data, t.Data)
		}
	}
	if err := o.Kernel.Eval(); err != nil {
		return &OpError{Index: op, Op: o.Name, Err: err}
	}
	return nil
}

// tensorMatching returns another tensor of the run whose values are exactly
// the user's (−1 if none): raw integers for integer values, real values to
// half an LSB for reals.
func (ip *Interpreter) tensorMatching(t *kernels.Tensor, match *Matcher) int {
	n := t.NumElements()
	for _, c := range ip.tensors {
		if c == t || c.NumElements() != n || !c.HasRealValue() || c.Type == tflite.TypeBool {
			continue
		}
		if !match.u.IsReal() && c.Type == tflite.TypeFloat32 {
			continue
		}
		all := true
		for i := 0; i < n && all; i++ {
			if match.u.IsReal() || c.Type == tflite.TypeFloat32 {
				all = match.matchReal(i, c.Dequantize(i))
			} else {
				all = match.u.Ints[i] == c.Int(i)
			}
		}
		if all {
			return c.Index
		}
	}
	return -1
}

// RuntimeChain explains element elem of the diagnosed output as the run
// computed it.
func (d *Diagnosis) RuntimeChain(elem int) (*kernels.Chain, error) {
	return d.ip.Explain(d.Op, d.Output, elem)
}

// DiagnosedChain explains element elem as the diagnosis computes it: under
// the other runtime, or with the mistakes of the best hypothesis. It
// returns nil when the diagnosis has no chain (another tensor, no model).
func (d *Diagnosis) DiagnosedChain(elem int) (*kernels.Chain, error) {
	switch {
	case d.HasOtherRuntime:
		return d.other[0].Explain(d.Op, d.Output, elem)
	case d.WrongTensor >= 0:
		return nil, nil
	case d.Model != nil && d.Search.Best.Set != 0:
		c := &kernels.Chain{}
		if err := d.Model.Explain(d.Search.Best, elem, c); err != nil {
			return nil, err
		}
		return c, nil
	}
	return nil, nil
}

// OtherImplementation is the implementation whose kernel computed the
// diagnosed operator under the other runtime (the first of them).
func (d *Diagnosis) OtherImplementation() kernels.Implementation {
	if len(d.other) == 0 {
		return 0
	}
	return d.other[0].ops[d.Op].Impl
}

// Explanation is one sentence of a diagnosis: what TFLite does where the
// mistake ID does otherwise ("runtime" for another runtime's values).
type Explanation struct {
	ID       string `json:"id"`
	Sentence string `json:"sentence"`
}

// Explanations are the diagnosis's sentences: one per mistake of an exact
// diagnosis, or the one saying whose values they are (another runtime,
// another tensor).
func (d *Diagnosis) Explanations() []Explanation {
	var ex []Explanation
	switch {
	case d.HasOtherRuntime && len(d.other) == 1:
		ex = append(ex, Explanation{ID: "runtime",
			Sentence: fmt.Sprintf("your values are exactly what %s computes (%s; %s for this operator): not a mistake, a different runtime. Check against it with --runtime %s.",
				d.OtherRuntime, d.OtherRuntime.Summary(), d.OtherImplementation(), d.OtherRuntime)})
	case d.HasOtherRuntime:
		var names, whats []string
		for _, o := range d.other {
			rt := o.options.Runtime
			names = append(names, rt.String())
			whats = append(whats, fmt.Sprintf("%s: %s (for this operator: %s)", rt, rt.Summary(), o.ops[d.Op].Impl))
		}
		ex = append(ex, Explanation{ID: "runtime",
			Sentence: fmt.Sprintf("your values are exactly what %s compute (%s): not a mistake, a different runtime. Check against one with --runtime %s.",
				andList(names), strings.Join(whats, "; "), d.OtherRuntime)})
	case d.WrongTensor >= 0:
		w, other := d.WrongTensor, d.ip.Tensor(d.WrongTensor)
		ex = append(ex, Explanation{ID: kernels.MistakeWrongTensor.String(),
			Sentence: fmt.Sprintf("your values are exactly tensor %d %q's (%v %s), not tensor %d's: you may have saved get_tensor(%d) instead of get_tensor(%d).",
				w, other.Name, other.Type, shapeList(other.Shape), d.Tensor, w, d.Tensor)})
	case d.Model != nil && d.Search.Exact:
		for _, m := range d.Search.Best.Set.Slice() {
			ex = append(ex, Explanation{ID: m.String(), Sentence: d.Model.Sentence(m, d.Search.Best)})
		}
	}
	return ex
}

// IDs are the mistake ids of the diagnosis (of the best partial match when
// nothing reproduces every value; none for another runtime's values).
func (d *Diagnosis) IDs() []string {
	switch {
	case d.HasOtherRuntime:
		return []string{}
	case d.WrongTensor >= 0:
		return []string{kernels.MistakeWrongTensor.String()}
	case d.Model == nil:
		return []string{}
	}
	ids := d.Search.Best.Set.IDs()
	if ids == nil {
		ids = []string{}
	}
	return ids
}

// Summary is the diagnosis in text lines, as check prints it: the headline
// (`diagnosis: ID[+ID...] reproduces N/M elements of tensor T (op K NAME)`
// for an exact one), then, indented, the sets the values cannot tell apart
// from it, the variant, and one sentence per explanation.
func (d *Diagnosis) Summary() []string {
	where := fmt.Sprintf("tensor %d (op %d %s)", d.Tensor, d.Op, d.OpName)
	of := fmt.Sprintf("tensor %d, op %d %s", d.Tensor, d.Op, d.OpName)
	ids := strings.Join(d.IDs(), "+")
	var lines []string
	switch {
	case d.RuntimeMatches == d.Elements:
		return []string{fmt.Sprintf("every value of %s matches", where)}
	case d.HasOtherRuntime:
		var whose []string
		for _, rt := range d.OtherRuntimes {
			whose = append(whose, rt.String()+"'s")
		}
		lines = append(lines, fmt.Sprintf("diagnosis: not a mistake: your values are exactly %s, %d/%d elements of %s", andList(whose), d.Elements, d.Elements, where))
	case d.WrongTensor >= 0:
		lines = append(lines, fmt.Sprintf("diagnosis: %s reproduces %d/%d elements of %s", ids, d.Elements, d.Elements, where))
		if d.Search.Exact && d.Search.Best.Set.Len() == 1 {
			lines = append(lines, fmt.Sprintf("  (so does %s: the values cannot tell them apart)", d.Search.Best.Set))
		}
	case d.Model == nil:
		lines = append(lines, fmt.Sprintf("diagnosis: the catalogue of known mistakes has no model of %s (%s: %v); TFLite's own values match %d/%d elements",
			d.OpName, of, d.ModelErr, d.RuntimeMatches, d.Elements))
	case d.Search.Exact:
		lines = append(lines, fmt.Sprintf("diagnosis: %s reproduces %d/%d elements of %s", ids, d.Search.Matches, d.Elements, where))
		for _, h := range d.Search.Equivalent {
			lines = append(lines, fmt.Sprintf("  (so does %s: the values cannot tell them apart)", h.Set))
		}
		if v := d.Search.Best.Variant(); v != "" {
			lines = append(lines, "  variant: "+v)
		}
	case d.Search.Matches > d.RuntimeMatches:
		lines = append(lines, fmt.Sprintf("diagnosis: no known mistake reproduces these values (%s); the best partial match, %s, reproduces %d/%d elements (TFLite's own values: %d/%d)",
			of, ids, d.Search.Matches, d.Elements, d.RuntimeMatches, d.Elements))
	default:
		lines = append(lines, fmt.Sprintf("diagnosis: no known mistake reproduces these values (%s); no combination of up to three matches more of them than TFLite's own values (%d/%d)",
			of, d.RuntimeMatches, d.Elements))
	}
	if d.Model != nil && d.Model.ViaTFLM() && !d.HasOtherRuntime && d.WrongTensor < 0 {
		lines = append(lines, "  (the runtime's kernel for this operator has no model of mistakes of its own: they were applied to TFLite-Micro's arithmetic)")
	}
	for _, e := range d.Explanations() {
		lines = append(lines, fmt.Sprintf("  %s: %s", e.ID, e.Sentence))
	}
	return lines
}

// andList joins words as "a", "a and b", "a, b and c".
func andList(words []string) string {
	if len(words) <= 1 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

// TensorList names tensors as "t3, t5".
func TensorList(ts []int) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = fmt.Sprintf("t%d", t)
	}
	return strings.Join(parts, ", ")
}

// shapeList writes a shape as [1,10].
func shapeList(shape []int) string {
	parts := make([]string, len(shape))
	for i, d := range shape {
		parts[i] = strconv.Itoa(d)
	}
	return "[" + strings.Join(parts, ",") + "]"
}
