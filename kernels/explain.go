package kernels

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Step is one named stage of an element's arithmetic.
type Step struct {
	Name    string  // short identifier, e.g. "acc", "srdhm", "clamp"
	Formula string  // the formula with the actual numbers substituted
	Value   int64   // the integer value this step produced
	Real    float64 // its real-number meaning, when HasReal
	HasReal bool
	Meaning string // one line saying what the number is
	// Changed marks a step where rounding or clamping altered the value
	// (the UI highlights it).
	Changed bool
}

// RealNote is the "(real x)" a view prints after the step's formula, or ""
// when the step has no real meaning or its formula already shows it (an
// "≈", the word "real", or the value itself to 4 digits).
func (s Step) RealNote() string {
	if !s.HasReal || strings.Contains(s.Formula, "≈") || strings.Contains(s.Formula, "real") ||
		strings.Contains(s.Formula, strconv.FormatFloat(s.Real, 'g', 4, 64)) {
		return ""
	}
	return fmt.Sprintf("(real %.6g)", s.Real)
}

// Term is one product of a multiply-accumulate.
type Term struct {
	InputIndex  int   // flat index into the data input
	WeightIndex int   // flat index into the weights (-1 if none)
	Input       int32 // raw input value
	Weight      int32 // raw weight value
	Product     int64 // (input + input offset) · (weight + weight offset)
}

// Source names the input element a data-movement output element came from.
type Source struct {
	Input   int // input position in the node
	Element int // flat index in that input
}

// Chain is the explanation of one output element.
type Chain struct {
	Steps []Step
	// Terms holds the products of a multiply-accumulate element, in
	// accumulation order (nil for other ops): all of them, or the first
	// MaxRecorded of a deeper accumulation.
	Terms []Term
	// TermsOmitted counts the products accumulated after the first
	// MaxRecorded, which Terms does not keep, and TermsOmittedSum is their
	// sum: TermCount and TermSum cover every product whatever the depth.
	TermsOmitted    int
	TermsOmittedSum int64
	// Sources lists the input elements the value was taken or reduced from:
	// all of them, or the first MaxRecorded; SourcesOmitted counts the rest
	// (a MEAN over millions of elements names the first 65536).
	Sources        []Source
	SourcesOmitted int
	// Moved declares pure data movement: the output element is input
	// element Move, copied unchanged (same bits). Only recordMove sets it;
	// the float shadow copies that element's reference value. A value
	// computed from its sources (even one that happens to equal a source)
	// is never Moved.
	Moved bool
	Move  Source
	// Requantizations lists the requantization stages of the chain in the
	// order they ran (the last one produced the output): the multiplier
	// each applied and the rule it rounded by. The shared output stages
	// (Requantize, Requantize64, the MAC output stage) record them.
	Requantizations []Requantization
	// Channel is the output channel whose bias or per-channel multiplier
	// the element used (HasChannel false when the kernel has none).
	Channel    int
	HasChannel bool
	// Final is the stored output value.
	Final int64
	// Alternatives are, for comparison, what other ways of requantizing
	// the same accumulator give (the float shortcut round(acc·M) + zp, the
	// other rounding rule): not part of the computation, but what a hand
	// computation that takes them would get.
	Alternatives []Alternative
}

// MaxRecorded is the most terms, and the most sources, one Chain keeps:
// explaining an element of a reduction or a multiply-accumulate over more
// inputs than this records the first MaxRecorded and counts the rest, so
// that an explanation holds at most a few MiB (a Term is 32 bytes, a
// Source 16) however large the model. Real models stay far below it: the
// deepest accumulation in the shared models has 4000 terms, the longest
// source list 1001 (a SOFTMAX row).
const MaxRecorded = 1 << 16

// addTerm records one product of the accumulation, or counts it once
// MaxRecorded are kept.
func (c *Chain) addTerm(t Term) {
	if len(c.Terms) < MaxRecorded {
		if len(c.Terms) == cap(c.Terms) {
			c.Terms = grown(c.Terms, 1)
		}
		c.Terms = append(c.Terms, t)
		return
	}
	c.TermsOmitted++
	c.TermsOmittedSum += t.Product
}

// reserveTerms makes room for the n terms about to be added (as many as
// will be kept), so that a deep accumulation allocates its terms once.
func (c *Chain) reserveTerms(n int) {
	if cap(c.Terms)-len(c.Terms) < n {
		c.Terms = grown(c.Terms, n)
	}
}

// addSources records input elements the value was read from, counting
// those past MaxRecorded instead.
func (c *Chain) addSources(s ...Source) {
	for _, src := range s {
		if len(c.Sources) < MaxRecorded {
			if len(c.Sources) == cap(c.Sources) {
				c.Sources = grown(c.Sources, 1)
			}
			c.Sources = append(c.Sources, src)
		} else {
			c.SourcesOmitted++
		}
	}
}

// reserveSources makes room for the n sources about to be added (as many
// as will be kept).
func (c *Chain) reserveSources(n int) {
	if cap(c.Sources)-len(c.Sources) < n {
		c.Sources = grown(c.Sources, n)
	}
}

// grown is s with room for n more elements, never more than MaxRecorded in
// all: at least twice its capacity (append grows large slices by a
// quarter, which for a slice of MaxRecorded terms allocates five times its
// final size along the way).
func grown[E any](s []E, n int) []E {
	size := min(max(len(s)+n, 2*cap(s), 16), MaxRecorded)
	if size <= cap(s) {
		return s
	}
	out := make([]E, len(s), size)
	copy(out, s)
	return out
}

// TermCount is how many products the element accumulated, kept or not.
func (c *Chain) TermCount() int { return len(c.Terms) + c.TermsOmitted }

// TermSum is the sum of every product the element accumulated, kept or
// not (what a hand computation of Σ over all the terms gives).
func (c *Chain) TermSum() int64 {
	sum := c.TermsOmittedSum
	for _, t := range c.Terms {
		sum += t.Product
	}
	return sum
}

// SourceCount is how many input elements the value was read from, named
// in Sources or not.
func (c *Chain) SourceCount() int { return len(c.Sources) + c.SourcesOmitted }

// Alternative is another way to requantize an element, for comparison.
type Alternative struct {
	Name    string // e.g. "float_shortcut", "single_rounding"
	Formula string // with the numbers
	Value   int64  // the output value it gives
}

// Requantization is one requantization stage of a chain.
type Requantization struct {
	// Rule is how it rounds: one of the Rule* names.
	Rule string
	// Real is the real multiplier M it applied.
	Real float64
	// Quantized is its Q0.31 multiplier and shift (zero for the float rules,
	// which use Real directly).
	Quantized QuantizedMultiplier
	// Step is the index in Chain.Steps of its "M" step.
	Step int
}

// Requantization rules, as Requantization.Rule names them.
const (
	// RuleDoubleRounding is MultiplyByQuantizedMultiplier with gemmlowp's
	// two roundings (SaturatingRoundingDoublingHighMul, RoundingDivideByPOT).
	RuleDoubleRounding = "double_rounding"
	// RuleSingleRounding is TFLITE_SINGLE_ROUNDING's one 64-bit rounding.
	RuleSingleRounding = "single_rounding"
	// RuleFixedPoint64 is the 64-bit requantization of int16x8 kernels
	// (MultiplyByQuantizedMultiplier64: Q0.15 reduced multiplier, one
	// rounding).
	RuleFixedPoint64 = "fixed_point_64"
	// RuleDoublePrecision is LiteRT's reference FULLY_CONNECTED:
	// round_half_away(double(acc)·M).
	RuleDoublePrecision = "double_precision"
	// RuleFloat32 is XNNPACK's fp32 requantization:
	// round_half_even(float32(acc)·scale).
	RuleFloat32 = "float32"
	// RuleFixedPointQ8 is XNNPACK's 8-bit rescaling (same-type QUANTIZE,
	// LEAKY_RELU): a multiplier with 8 fractional bits,
	// m = round_half_even(256·float32(r)), applied as (x·m + 128) >> 8.
	RuleFixedPointQ8 = "fixed_point_q8"
)

// RuleWords says a rule in a few words for headers: "double rounding",
// "single rounding", "requantized in float32", ...
func RuleWords(rule string) string {
	switch rule {
	case RuleDoubleRounding:
		return "double rounding"
	case RuleSingleRounding:
		return "single rounding"
	case RuleFixedPoint64:
		return "64-bit fixed point, one rounding"
	case RuleDoublePrecision:
		return "requantized in double precision"
	case RuleFloat32:
		return "requantized in float32"
	case RuleFixedPointQ8:
		return "8-bit fixed-point multiplier"
	}
	return rule
}

// HasQ31 reports whether the stage's rule applies a Q0.31 multiplier and
// shift (Quantized): the gemmlowp-style fixed-point rules. The float rules
// apply Real itself, RuleFixedPointQ8 an 8-fractional-bit multiplier
// (Real·256).
func (r Requantization) HasQ31() bool {
	switch r.Rule {
	case RuleDoubleRounding, RuleSingleRounding, RuleFixedPoint64:
		return true
	}
	return false
}

// ruleOf names the fixed-point rule of rounding r.
func ruleOf(r Rounding) string {
	if r == RoundingSingle {
		return RuleSingleRounding
	}
	return RuleDoubleRounding
}

// addRequantization records a requantization whose "M" step is the last step.
func (c *Chain) addRequantization(rule string, real float64, q QuantizedMultiplier) {
	c.Requantizations = append(c.Requantizations, Requantization{Rule: rule, Real: real, Quantized: q, Step: len(c.Steps) - 1})
}

// setChannel records the output channel the element used.
func (c *Chain) setChannel(ch int) { c.Channel, c.HasChannel = ch, true }

// Reset empties the chain, keeping the capacity of its slices, so that one
// Chain can explain many elements without allocating each time.
func (c *Chain) Reset() {
	*c = Chain{Steps: c.Steps[:0], Terms: c.Terms[:0], Sources: c.Sources[:0], Requantizations: c.Requantizations[:0],
		Alternatives: c.Alternatives[:0]}
}

// Add appends a step. Callers guard it with `if c != nil` so that building
// the formula costs nothing when explanation is off.
func (c *Chain) Add(name string, value int64, meaning, format string, args ...any) *Step {
	c.Steps = append(c.Steps, Step{Name: name, Value: value, Meaning: meaning, Formula: BracketNegatives(fmt.Sprintf(format, args...))})
	return &c.Steps[len(c.Steps)-1]
}

// BracketNegatives writes a negative number that follows an operator in
// brackets, as a student would: "5 − -128" becomes "5 − (-128)", "x·-3"
// becomes "x·(-3)" (after −, +, ·, × and /, with or without a space). A
// formula without such a number is returned as it is, at the cost of a
// scan.
func BracketNegatives(f string) string {
	if !strings.Contains(f, "-") {
		return f
	}
	var b strings.Builder
	rest := f
	changed := false
	for {
		i := strings.IndexByte(rest, '-')
		if i < 0 {
			break
		}
		end := i + 1
		for end < len(rest) && (rest[end] >= '0' && rest[end] <= '9' || rest[end] == '.') {
			end++
		}
		if end < len(rest) && (rest[end] == 'e' || rest[end] == 'E') && end+1 < len(rest) && (rest[end+1] == '-' || rest[end+1] == '+') {
			end += 2
			for end < len(rest) && rest[end] >= '0' && rest[end] <= '9' {
				end++
			}
		}
		if end > i+1 && followsOperator(rest[:i]) && !(end < len(rest) && rest[end] == ')' && strings.HasSuffix(rest[:i], "(")) {
			b.WriteString(rest[:i])
			b.WriteByte('(')
			b.WriteString(rest[i:end])
			b.WriteByte(')')
			rest = rest[end:]
			changed = true
			continue
		}
		b.WriteString(rest[:end])
		rest = rest[end:]
	}
	if !changed {
		return f
	}
	b.WriteString(rest)
	return b.String()
}

// followsOperator reports whether s ends with a binary operator (−, +, ·,
// ×, /), possibly followed by one space.
func followsOperator(s string) bool {
	s = strings.TrimSuffix(s, " ")
	for _, op := range []string{"−", "+", "·", "×", "/"} {
		if strings.HasSuffix(s, op) {
			return true
		}
	}
	return false
}

// AddReal appends a step that has a real-number meaning.
func (c *Chain) AddReal(name string, value int64, real float64, meaning, format string, args ...any) *Step {
	s := c.Add(name, value, meaning, format, args...)
	s.Real, s.HasReal = real, true
	return s
}

// Requantize is the shared output stage of the multiply-accumulate kernels:
// MultiplyByQuantizedMultiplier(acc, q) under rule r, + outputZP, clamped to
// [lo, hi]. With c non-nil it records each stage.
func Requantize(acc int32, q QuantizedMultiplier, r Rounding, outputZP, lo, hi int32, c *Chain) int32 {
	var scaled int32
	if c == nil {
		scaled = MultiplyByQuantizedMultiplier(acc, q.Multiplier, q.Shift, r)
	} else {
		scaled = explainMultiply(acc, q, r, c)
	}
	v := scaled + outputZP
	out := Clamp32(v, lo, hi)
	if c != nil {
		c.addZPClamp(int64(scaled), int64(outputZP), int64(v), int64(lo), int64(hi), int64(out))
		addAlternatives(c, acc, q, r, outputZP, lo, hi)
	}
	return out
}

// addZPClamp records the last two stages of an output stage: v, the scaled
// value plus the output zero point (as the kernel's arithmetic wrapped it),
// then out, v clamped to [lo, hi].
func (c *Chain) addZPClamp(scaled, outputZP, v, lo, hi, out int64) {
	c.Add("zp", v, "scaled value plus the output zero point", "%d %s = %d", scaled, plus(outputZP), v)
	s := c.Add("clamp", out, "clamped to the activation range", "clamp(%d, %d, %d) = %d", v, lo, hi, out)
	s.Changed = out != v
}

// addAlternatives records what the usual float shortcut and the other
// rounding rule give for the same accumulator.
func addAlternatives(c *Chain, acc int32, q QuantizedMultiplier, r Rounding, zp, lo, hi int32) {
	m := q.Real()
	prod := float64(acc) * m
	shortcut := int64(math.Round(prod)) + int64(zp)
	shortcut = min(max(shortcut, int64(lo)), int64(hi))
	c.Alternatives = append(c.Alternatives, Alternative{Name: "float_shortcut", Value: shortcut,
		Formula: fmt.Sprintf("clamp(round(%d · %.10g) %s) = clamp(round(%.6f) %s) = %d", acc, m, plus(int64(zp)), prod, plus(int64(zp)), shortcut)})
	other := RoundingSingle
	if r == RoundingSingle {
		other = RoundingDouble
	}
	if other == RoundingSingle && q.Shift > 30 {
		return // the single-rounding build saturates such multipliers: not the same M
	}
	v := int64(MultiplyByQuantizedMultiplier(acc, q.Multiplier, q.Shift, other)) + int64(zp)
	v = min(max(v, int64(lo)), int64(hi))
	c.Alternatives = append(c.Alternatives, Alternative{Name: other.String() + "_rounding", Value: v,
		Formula: fmt.Sprintf("clamp(MultiplyByQuantizedMultiplier(%d) with %s rounding %s) = %d", acc, other, plus(int64(zp)), v)})
}

// explainMultiply records the stages of MultiplyByQuantizedMultiplier and
// returns the same value it does.
func explainMultiply(x int32, q QuantizedMultiplier, r Rounding, c *Chain) int32 {
	c.AddReal("M", int64(q.Multiplier), q.Real(), "real multiplier M = Multiplier·2^(Shift−31)",
		"M = %d·2^(%d−31) = %.10g", q.Multiplier, q.Shift, q.Real())
	c.addRequantization(ruleOf(r), q.Real(), q)
	if r == RoundingSingle {
		total := 31 - q.Shift
		prod := int64(x) * int64(q.Multiplier)
		c.Add("product", prod, "64-bit product x·Multiplier", "%d · %d = %d", x, q.Multiplier, prod)
		res := MultiplyByQuantizedMultiplier(x, q.Multiplier, q.Shift, r)
		s := c.Add("round_shift", int64(res), "single rounding: add 2^(total−1), shift right by total = 31−Shift",
			"(%d + 2^%d) >> %d = %d", prod, total-1, total, res)
		s.Changed = (prod>>uint(total))<<uint(total) != prod
		return res
	}
	left, right := 0, 0
	if q.Shift > 0 {
		left = q.Shift
	} else {
		right = -q.Shift
	}
	shifted := x * (1 << uint(left))
	if left > 0 {
		c.Add("left_shift", int64(shifted), "left shift by max(Shift, 0)", "%d << %d = %d", x, left, shifted)
	}
	hi := SaturatingRoundingDoublingHighMul(shifted, q.Multiplier)
	ab := int64(shifted) * int64(q.Multiplier)
	var s *Step
	if shifted == math.MinInt32 && q.Multiplier == math.MinInt32 {
		s = c.Add("srdhm", int64(hi), "SaturatingRoundingDoublingHighMul: INT32_MIN·INT32_MIN saturates to INT32_MAX",
			"SRDHM(%d, %d) = %d (the saturating case)", shifted, q.Multiplier, hi)
	} else {
		nudge, sign := int64(1<<30), "+ 2^30"
		if ab < 0 {
			nudge, sign = 1-(1<<30), "+ (1−2^30)"
		}
		s = c.Add("srdhm", int64(hi),
			"SaturatingRoundingDoublingHighMul: (x·Multiplier + nudge) / 2^31, truncated; nudge 2^30 (1−2^30 for a negative product)",
			"SRDHM(%d, %d) = (%d·%d %s) / 2^31 = (%d %s) / 2147483648 = %d   (unrounded %.6f)",
			shifted, q.Multiplier, shifted, q.Multiplier, sign, ab, plus(nudge), hi, float64(ab)/(1<<31))
	}
	s.Changed = ab%(1<<31) != 0
	res := RoundingDivideByPOT(hi, right)
	if right == 0 {
		c.Add("rdbpot", int64(res), "RoundingDivideByPOT by 2^0: nothing to divide", "RDBPOT(%d, 0) = %d", hi, res)
		return res
	}
	mask := int32(uint32(1)<<uint(right) - 1)
	remainder, threshold := hi&mask, mask>>1
	if hi < 0 {
		threshold++
	}
	up := ""
	if remainder > threshold {
		up = " + 1"
	}
	s = c.Add("rdbpot", int64(res),
		"RoundingDivideByPOT: x >> exponent, plus 1 when the remainder x & (2^exponent−1) exceeds the threshold (2^exponent−1)>>1, +1 for negative x: round half away from zero",
		"RDBPOT(%d, %d): remainder %d & %d = %d, threshold %d → (%d >> %d)%s = %d   (unrounded %.6f)",
		hi, right, hi, mask, remainder, threshold, hi, right, up, res, float64(hi)/float64(int64(1)<<uint(right)))
	s.Changed = remainder != 0
	return res
}

// checkExplainTarget checks that (out, elem) names an element of one of the
// node's outputs.
func checkExplainTarget(n *Node, out, elem int) error {
	if out < 0 || out >= len(n.Outputs) || n.Outputs[out] == nil {
		return fmt.Errorf("%w: %v has no output %d", ErrBadElement, n.Op, out)
	}
	if elem < 0 || elem >= n.Outputs[out].NumElements() {
		return fmt.Errorf("%w: output %d of %v has %d elements, not %d", ErrBadElement, out, n.Op, n.Outputs[out].NumElements(), elem)
	}
	return nil
}

// plus writes "+ b" or "− |b|", so that formulas read "−281 − 128", not
// "-281 + -128".
func plus(b int64) string {
	if b < 0 {
		return fmt.Sprintf("− %d", uint64(-b))
	}
	return fmt.Sprintf("+ %d", b)
}
