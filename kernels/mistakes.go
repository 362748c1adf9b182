package kernels

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// Mistakes: the catalogue of known ways a hand computation of a quantized
// operator parts from TFLite's, and the models that recompute an operator's
// output under any combination of them (used by `tflq-trace check` to name
// the mistake behind a student's numbers).
//
// A MistakeModel is built from a kernel that has run (its input tensors
// hold the values the operator was computed from). Each operator that has
// one adds a mistakeModel method beside its kernel (mistakes_mac.go,
// mistakes_quantize.go, ...): the model says which mistakes can change the
// operator's output (Applicable), computes every output element under a
// Hypothesis (Values), explains one element under it with the step names of
// the kernel's own chain (Explain), and says in a sentence, with the
// operator's numbers, what TFLite does where the mistake does otherwise
// (Sentence). Search tries the combinations.

// Mistake is one entry of the catalogue. Its String is the id, part of
// check's interface (text and JSON output).
type Mistake uint8

// The catalogue, in the order the ids are listed.
const (
	// MistakeInputOffsetSign: (x + zp_in) instead of (x − zp_in).
	MistakeInputOffsetSign Mistake = iota
	// MistakeFilterOffset: a non-zero weight zero point ignored, or one
	// subtracted where the runtime ignores it.
	MistakeFilterOffset
	// MistakeNoOutputScale: M = s_in·s_w, not divided by s_out.
	MistakeNoOutputScale
	// MistakeFloatRequant: round_half_away(acc·M) in double instead of the
	// runtime's requantization.
	MistakeFloatRequant
	// MistakeHalfEven: ties rounded to even (np.round, rint).
	MistakeHalfEven
	// MistakeTruncate: trunc(acc·M) (toward zero), or floor as a variant.
	MistakeTruncate
	// MistakeSingleRounding: TFLITE_SINGLE_ROUNDING's requantization instead
	// of double rounding.
	MistakeSingleRounding
	// MistakeNoBias: the bias left out.
	MistakeNoBias
	// MistakeNoOutputZP: the output zero point not added.
	MistakeNoOutputZP
	// MistakeNoClamp: no clamp to the activation range (or only to the
	// dtype's, as a variant).
	MistakeNoClamp
	// MistakeTransposedWeights: the [out, in] weight matrix read as [in, out].
	MistakeTransposedWeights
	// MistakePerTensorScale: the first channel's scale used for every
	// channel of per-channel weights.
	MistakePerTensorScale
	// MistakeWrongTensor: the values are exactly another tensor's (checked
	// by the caller, which knows the other tensors; no model applies it).
	MistakeWrongTensor
	numMistakes
)

var mistakeTable = [numMistakes]struct{ id, summary string }{
	MistakeInputOffsetSign:   {"input-offset-sign", "(x + zp_in) instead of (x − zp_in)"},
	MistakeFilterOffset:      {"filter-offset", "a non-zero weight zero point ignored, or one subtracted where the runtime ignores it"},
	MistakeNoOutputScale:     {"no-output-scale", "M = s_in·s_w (not divided by s_out), the requantization otherwise the runtime's"},
	MistakeFloatRequant:      {"float-requant", "round_half_away(acc·M) in double instead of the runtime's requantization"},
	MistakeHalfEven:          {"half-even", "ties rounded to even (np.round, rint) instead of away from zero"},
	MistakeTruncate:          {"truncate", "trunc(acc·M) toward zero (floor as a variant) instead of rounding"},
	MistakeSingleRounding:    {"single-rounding", "TFLITE_SINGLE_ROUNDING's requantization instead of double rounding"},
	MistakeNoBias:            {"no-bias", "bias left out"},
	MistakeNoOutputZP:        {"no-output-zp", "output zero point not added"},
	MistakeNoClamp:           {"no-clamp", "no clamp to the activation / dtype range"},
	MistakeTransposedWeights: {"transposed-weights", "the [out, in] weight matrix read as [in, out] (row-major reinterpretation)"},
	MistakePerTensorScale:    {"per-tensor-scale", "the first channel's scale used for every channel of per-channel weights"},
	MistakeWrongTensor:       {"wrong-tensor", "the values are exactly another tensor's"},
}

// String is the mistake's id, e.g. "input-offset-sign".
func (m Mistake) String() string {
	if m < numMistakes {
		return mistakeTable[m].id
	}
	return fmt.Sprintf("Mistake(%d)", uint8(m))
}

// Summary says in a line what the mistake is.
func (m Mistake) Summary() string {
	if m < numMistakes {
		return mistakeTable[m].summary
	}
	return ""
}

// Mistakes lists the catalogue in order (a new slice each call).
func Mistakes() []Mistake {
	ms := make([]Mistake, numMistakes)
	for i := range ms {
		ms[i] = Mistake(i)
	}
	return ms
}

// ParseMistake reads a mistake id.
func ParseMistake(id string) (Mistake, error) {
	for _, m := range Mistakes() {
		if m.String() == id {
			return m, nil
		}
	}
	return 0, fmt.Errorf("unknown mistake %q", id)
}

// MistakeSet is a set of catalogue mistakes.
type MistakeSet uint16

// SetOf makes a set of the mistakes given.
func SetOf(ms ...Mistake) MistakeSet {
	var s MistakeSet
	for _, m := range ms {
		s |= 1 << m
	}
	return s
}

// Has reports whether m is in the set.
func (s MistakeSet) Has(m Mistake) bool { return s&(1<<m) != 0 }

// Len is the number of mistakes in the set.
func (s MistakeSet) Len() int {
	n := 0
	for ; s != 0; s &= s - 1 {
		n++
	}
	return n
}

// Slice lists the set's mistakes in catalogue order.
func (s MistakeSet) Slice() []Mistake {
	var ms []Mistake
	for m := range numMistakes {
		if s.Has(m) {
			ms = append(ms, m)
		}
	}
	return ms
}

// IDs lists the set's ids in catalogue order.
func (s MistakeSet) IDs() []string {
	var ids []string
	for _, m := range s.Slice() {
		ids = append(ids, m.String())
	}
	return ids
}

// String joins the ids with "+" ("none" for the empty set).
func (s MistakeSet) String() string {
	if s == 0 {
		return "none"
	}
	return strings.Join(s.IDs(), "+")
}

// roundingMistakes replace the runtime's requantization: at most one of
// them at a time.
const roundingMistakes = MistakeSet(1<<MistakeFloatRequant | 1<<MistakeHalfEven | 1<<MistakeTruncate | 1<<MistakeSingleRounding)

// Hypothesis is a set of mistakes with the variant of each that has one.
type Hypothesis struct {
	Set MistakeSet
	// Floor is truncate's variant: floor (Python's //, an arithmetic right
	// shift) instead of truncation toward zero.
	Floor bool
	// DtypeClamp is no-clamp's variant: clamped to the dtype's range, not to
	// the fused activation's.
	DtypeClamp bool
}

// String is the set's ids joined by "+".
func (h Hypothesis) String() string { return h.Set.String() }

// Variant says which variant of a mistake the hypothesis takes ("" when
// none).
func (h Hypothesis) Variant() string {
	var parts []string
	if h.Set.Has(MistakeTruncate) && h.Floor {
		parts = append(parts, "truncate as floor (rounded down, as Python's // or >>)")
	}
	if h.Set.Has(MistakeNoClamp) && h.DtypeClamp {
		parts = append(parts, "no-clamp as a clamp to the dtype's range only (the fused activation's range ignored)")
	}
	return strings.Join(parts, "; ")
}

// floatRounding is the rounding of a float requantization mistake in h, if
// it has one.
func (h Hypothesis) floatRounding() (roundKind, bool) {
	switch {
	case h.Set.Has(MistakeFloatRequant):
		return roundHalfAway, true
	case h.Set.Has(MistakeHalfEven):
		return roundHalfEven, true
	case h.Set.Has(MistakeTruncate) && h.Floor:
		return roundFloor, true
	case h.Set.Has(MistakeTruncate):
		return roundTrunc, true
	}
	return 0, false
}

// roundKind is how a float requantization mistake rounds.
type roundKind uint8

const (
	roundHalfAway roundKind = iota
	roundHalfEven
	roundTrunc
	roundFloor
)

// round applies the rounding.
func (k roundKind) round(x float64) float64 {
	switch k {
	case roundHalfEven:
		return math.RoundToEven(x)
	case roundTrunc:
		return math.Trunc(x)
	case roundFloor:
		return math.Floor(x)
	}
	return math.Round(x)
}

// step is the name of the chain step that rounds this way.
func (k roundKind) step() string {
	switch k {
	case roundHalfEven:
		return "round_half_even"
	case roundTrunc:
		return "truncate"
	case roundFloor:
		return "floor"
	}
	return "round_double"
}

// formula writes the rounding applied to an expression.
func (k roundKind) formula(expr string) string {
	switch k {
	case roundHalfEven:
		return "round_half_even(" + expr + ")"
	case roundTrunc:
		return "trunc(" + expr + ")"
	case roundFloor:
		return "floor(" + expr + ")"
	}
	return "round_half_away(" + expr + ")"
}

// meaning says what the rounding does.
func (k roundKind) meaning() string {
	switch k {
	case roundHalfEven:
		return "rounded in double, ties to even (np.round, rint)"
	case roundTrunc:
		return "truncated toward zero in double (int(), astype(int))"
	case roundFloor:
		return "rounded down in double (floor, Python's //)"
	}
	return "rounded in double, ties away from zero (math round)"
}

// ErrNoMistakeModel reports an operator (or a dtype of it) without a model
// of the catalogue's mistakes.
var ErrNoMistakeModel = errors.New("no model of known mistakes")

// MistakeModel recomputes one operator's output (output 0) under
// hypotheses. It reads the kernel's tensors when called, so the operator's
// inputs must hold the values it was computed from; it is not safe for
// concurrent use (it caches accumulators).
type MistakeModel struct {
	node       *Node
	elements   int
	applicable MistakeSet
	// activationClamp: the kernel clamps to a range narrower than the
	// dtype's, so no-clamp has the variant DtypeClamp.
	activationClamp bool
	// viaTFLM: the runtime's kernel has no model; this one applies the
	// mistakes to TFLite-Micro's arithmetic.
	viaTFLM  bool
	values   func(h Hypothesis, dst []float64)
	explain  func(h Hypothesis, elem int, c *Chain)
	sentence func(m Mistake, h Hypothesis) string
}

// mistakeModeler is implemented by kernels that have a mistake model.
type mistakeModeler interface {
	mistakeModel() (*MistakeModel, error)
}

// NewMistakeModel returns the mistake model of node n whose kernel k has
// run. A runtime's kernel without a model of its own (another
// implementation's, or a form of it the model does not cover) gets
// TFLite-Micro's kernel's model, which applies the mistakes to
// TFLite-Micro's arithmetic (ViaTFLM says so).
func NewMistakeModel(n *Node, k Kernel) (*MistakeModel, error) {
	if mm, ok := k.(mistakeModeler); ok {
		model, err := mm.mistakeModel()
		if !errors.Is(err, ErrNoMistakeModel) || n.Runtime.IsTFLM() {
			return model, err
		}
	}
	row, ok := opTable[n.Op]
	if ok {
		m := *n
		m.Runtime, m.Rounding = RuntimeTFLM, RuntimeTFLM.Rounding()
		if tk, err := row.prepare(&m); err == nil {
			if mm, ok := tk.(mistakeModeler); ok {
				model, err := mm.mistakeModel()
				if model != nil {
					model.viaTFLM = true
				}
				return model, err
			}
		}
	}
	return nil, fmt.Errorf("%w for %v", ErrNoMistakeModel, n.Op)
}

// Node is the operator the model recomputes.
func (m *MistakeModel) Node() *Node { return m.node }

// Elements is the number of output elements.
func (m *MistakeModel) Elements() int { return m.elements }

// Applicable is the set of mistakes that can change this operator's output
// (the others are pruned: a zero zero point has no sign, per-tensor weights
// have no per-channel scale, ...).
func (m *MistakeModel) Applicable() MistakeSet { return m.applicable }

// ViaTFLM reports whether the mistakes are applied to TFLite-Micro's
// arithmetic because the runtime's kernel has no model of its own.
func (m *MistakeModel) ViaTFLM() bool { return m.viaTFLM }

// Values computes every output element under h into dst (len Elements()):
// raw values in the output's dtype (not clamped when h has no-clamp), the
// float32 value for float outputs.
func (m *MistakeModel) Values(h Hypothesis, dst []float64) { m.values(h, dst[:m.elements]) }

// Explain records the arithmetic of element elem under h, with the step
// names of the kernel's own chain where the stage is the same; c.Final is
// the value Values gives (for float outputs, the float32 bits).
func (m *MistakeModel) Explain(h Hypothesis, elem int, c *Chain) error {
	if elem < 0 || elem >= m.elements {
		return fmt.Errorf("%w: %v output has %d elements, not %d", ErrBadElement, m.node.Op, m.elements, elem)
	}
	c.Reset()
	m.explain(h, elem, c)
	return nil
}

// Sentence says, with this operator's numbers, what TFLite does where
// mistake mk (taken with the variants of h) does otherwise.
func (m *MistakeModel) Sentence(mk Mistake, h Hypothesis) string {
	if s := m.sentence(mk, h); s != "" {
		return s
	}
	return mk.Summary()
}

// MistakeSearch is the result of Search.
type MistakeSearch struct {
	// Best is the smallest hypothesis that reproduces every element, or,
	// when none does, the one that reproduces the most (the smaller first on
	// ties).
	Best     Hypothesis
	Matches  int
	Elements int
	// Exact reports that Best reproduces every element.
	Exact bool
	// Equivalent lists the other hypotheses of Best's size that also
	// reproduce every element.
	Equivalent []Hypothesis
	// Tried is the number of hypotheses computed.
	Tried int
}

// Search tries the applicable mistakes alone and in combinations of up to
// maxSize (at most one requantization mistake at a time: float-requant,
// half-even, truncate, single-rounding), with every variant, and returns
// the smallest that reproduces every element as match judges it, or the
// best partial one.
func (m *MistakeModel) Search(maxSize int, match func(i int, v float64) bool) MistakeSearch {
	res := MistakeSearch{Elements: m.elements, Matches: -1}
	ids := m.applicable.Slice()
	dst := make([]float64, m.elements)
	for size := 1; size <= maxSize && size <= len(ids); size++ {
		forEachCombination(ids, size, func(set MistakeSet) {
			if (set & roundingMistakes).Len() > 1 {
				return
			}
			for _, h := range m.variants(set) {
				m.values(h, dst)
				res.Tried++
				n := 0
				for i, v := range dst {
					if match(i, v) {
						n++
					}
				}
				switch {
				case n == m.elements && res.Exact:
					if h.Set != res.Best.Set && !hasSet(res.Equivalent, h.Set) {
						res.Equivalent = append(res.Equivalent, h)
					}
				case n == m.elements:
					res.Best, res.Matches, res.Exact = h, n, true
				case !res.Exact && n > res.Matches:
					res.Best, res.Matches = h, n
				}
			}
		})
		if res.Exact {
			break
		}
	}
	if res.Matches < 0 {
		res.Matches = 0
	}
	return res
}

// hasSet reports whether a hypothesis of hs has set s.
func hasSet(hs []Hypothesis, s MistakeSet) bool {
	for _, h := range hs {
		if h.Set == s {
			return true
		}
	}
	return false
}

// variants lists the hypotheses of a set: truncate toward zero or floor,
// no clamp at all or only to the dtype's range.
func (m *MistakeModel) variants(set MistakeSet) []Hypothesis {
	hs := []Hypothesis{{Set: set}}
	if set.Has(MistakeTruncate) {
		hs = append(hs, Hypothesis{Set: set, Floor: true})
	}
	if set.Has(MistakeNoClamp) && m.activationClamp {
		for _, h := range hs[:len(hs):len(hs)] {
			h.DtypeClamp = true
			hs = append(hs, h)
		}
	}
	return hs
}

// forEachCombination calls f with every size-k subset of ids, in
// lexicographic order of positions.
func forEachCombination(ids []Mistake, k int, f func(MistakeSet)) {
	var rec func(start int, set MistakeSet, left int)
	rec = func(start int, set MistakeSet, left int) {
		if left == 0 {
			f(set)
			return
		}
		for i := start; i <= len(ids)-left; i++ {
			rec(i+1, set|1<<ids[i], left-1)
		}
	}
	rec(0, 0, k)
}

// clampOutput is the output clamp of a hypothesis: the kernel's [lo, hi],
// none (no-clamp), or the dtype's range (no-clamp's variant).
func clampOutput(v float64, h Hypothesis, lo, hi, typeLo, typeHi int32) float64 {
	switch {
	case !h.Set.Has(MistakeNoClamp):
		return min(max(v, float64(lo)), float64(hi))
	case h.DtypeClamp:
		return min(max(v, float64(typeLo)), float64(typeHi))
	}
	return v
}

// clampBounds are the bounds clampOutput applies under h (infinite for no
// clamp).
func clampBounds(h Hypothesis, lo, hi, typeLo, typeHi int32) (float64, float64) {
	switch {
	case !h.Set.Has(MistakeNoClamp):
		return float64(lo), float64(hi)
	case h.DtypeClamp:
		return float64(typeLo), float64(typeHi)
	}
	return math.Inf(-1), math.Inf(1)
}

// hypothesisZP is the output zero point zp as h adds it: 0 under
// no-output-zp.
func hypothesisZP(h Hypothesis, zp int32) float64 {
	if h.Set.Has(MistakeNoOutputZP) {
		return 0
	}
	return float64(zp)
}

// recordZP records the zero-point step of a hypothesis: v is scaled plus
// the output zero point zp (meaning says how the kernel adds it), or scaled
// itself under no-output-zp.
func recordZP(c *Chain, h Hypothesis, scaled, v float64, zp int32, meaning string) {
	if h.Set.Has(MistakeNoOutputZP) {
		c.Add("zp", int64(v), "output zero point not added (no-output-zp)", "%s + 0 = %s", fmtNum(scaled), fmtNum(v))
	} else {
		c.Add("zp", int64(v), meaning, "%s %s = %s", fmtNum(scaled), plus(int64(zp)), fmtNum(v))
	}
}

// recordClamp records the clamp step of a hypothesis and returns the value.
func recordClamp(c *Chain, v float64, h Hypothesis, lo, hi, typeLo, typeHi int32, what string) float64 {
	out := clampOutput(v, h, lo, hi, typeLo, typeHi)
	switch {
	case !h.Set.Has(MistakeNoClamp):
		s := c.Add("clamp", int64(out), "clamped to "+what, "clamp(%s, %d, %d) = %s", fmtNum(v), lo, hi, fmtNum(out))
		s.Changed = out != v
	case h.DtypeClamp:
		s := c.Add("clamp", int64(out), "clamped to the dtype's range only (no-clamp: the fused activation's range ignored)",
			"clamp(%s, %d, %d) = %s", fmtNum(v), typeLo, typeHi, fmtNum(out))
		s.Changed = out != v
	default:
		c.Add("clamp", int64(out), "not clamped (no-clamp)", "no clamp: %s", fmtNum(out))
	}
	return out
}

// fmtNum writes an integral float64 as an integer, others with %g.
func fmtNum(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1<<62 {
		return fmt.Sprint(int64(v))
	}
	return fmt.Sprintf("%g", v)
}

// clampSentence says what the kernel's clamp is.
func clampSentence(h Hypothesis, lo, hi, typeLo, typeHi int32, activation string) string {
	if h.DtypeClamp {
		return fmt.Sprintf("TFLite clamps to the fused activation's range [%d, %d] (%s); your numbers clamp only to the dtype's range [%d, %d].",
			lo, hi, activation, typeLo, typeHi)
	}
	if lo == typeLo && hi == typeHi {
		return fmt.Sprintf("TFLite clamps every value to the output dtype's range [%d, %d]; your numbers are not clamped (some lie outside it).", lo, hi)
	}
	return fmt.Sprintf("TFLite clamps to [%d, %d] (the fused activation %s within the dtype's range); your numbers are not clamped.", lo, hi, activation)
}
