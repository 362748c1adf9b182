package ui

import (
	"fmt"
	"strings"

	"github.com/tflq/tflq-trace/kernels"
	"github.com/tflq/tflq-trace/tflite"
	"github.com/tflq/tflq-trace/trace"
)

// elementPane explains the element under the cursor and micro-steps
// through it.
type elementPane struct {
	op, elem int
	ip       *trace.Interpreter // the run the chain is of
	loaded   bool
	chain    *kernels.Chain
	err      error
	// running[k] is the sum of the first k products.
	running []int64
	// accStep is the index of the first step computed from the terms (the
	// accumulator); steps before it (offsets) show from the start.
	accStep int
	// inOff and wOff are the offsets added to every input and weight before
	// multiplying (the chain's input_offset and filter_offset steps);
	// hasOff is false when the chain does not state them.
	inOff, wOff int64
	hasOff      bool

	stepping bool
	term     int // terms accumulated so far (0..len(Terms))
	step     int // steps from accStep revealed so far

	// pair shows the chain next to the base run's (away from the base run);
	// baseChain is the base run's chain of the same element.
	pair      bool
	baseChain *kernels.Chain
	baseErr   error

	// diagnosis shows check's diagnosis of the user's values instead of the
	// chain (y).
	diagnosis bool
}

// load explains (op, elem) under the current run unless it already is; the
// pair view stays on.
func (p *elementPane) load(s *session, op, elem int) {
	if p.loaded && p.op == op && p.elem == elem && p.ip == s.ip {
		if p.pair && p.baseChain == nil && p.baseErr == nil {
			p.baseChain, p.baseErr = s.base.ip.Explain(op, 0, elem)
		}
		return
	}
	*p = elementPane{op: op, elem: elem, ip: s.ip, loaded: true, pair: p.pair && !s.onBase(), diagnosis: p.diagnosis}
	p.chain, p.err = s.ip.Explain(op, 0, elem)
	if p.pair {
		p.baseChain, p.baseErr = s.base.ip.Explain(op, 0, elem)
	}
	if p.chain == nil {
		return
	}
	c := p.chain
	p.running = make([]int64, len(c.Terms)+1)
	for k, t := range c.Terms {
		p.running[k+1] = p.running[k] + t.Product
	}
	if len(c.Terms) > 0 {
		for i, st := range c.Steps {
			if st.Name == "acc" {
				p.accStep = i
				break
			}
		}
		var in, w bool
		for _, st := range c.Steps[:p.accStep] {
			switch st.Name {
			case "input_offset":
				p.inOff, in = st.Value, true
			case "filter_offset":
				p.wOff, w = st.Value, true
			}
		}
		p.hasOff = in && w
	}
}

func (p *elementPane) startStepping() {
	p.stepping, p.term, p.step = true, 0, 0
}

// next accumulates one more term, or once all are in, reveals one more step.
func (p *elementPane) next() {
	if p.chain == nil {
		return
	}
	if p.term < len(p.chain.Terms) {
		p.term++
		return
	}
	p.step = min(p.step+1, len(p.chain.Steps)-p.accStep)
}

// fastForward finishes the accumulation, or when it is finished, reveals
// every step.
func (p *elementPane) fastForward() {
	if p.chain == nil {
		return
	}
	if p.term < len(p.chain.Terms) {
		p.term = len(p.chain.Terms)
		return
	}
	p.step = len(p.chain.Steps) - p.accStep
}

// nextNonZero accumulates up to the next term whose product is not 0 (the
// blank border of an image contributes nothing), and returns a message when
// there is none.
func (p *elementPane) nextNonZero() string {
	if p.chain == nil || len(p.chain.Terms) == 0 {
		return "this element has no multiply-accumulate terms"
	}
	if !p.stepping {
		p.startStepping()
	}
	for k := p.term; k < len(p.chain.Terms); k++ {
		if p.chain.Terms[k].Product != 0 {
			p.term = k + 1
			return ""
		}
	}
	from := p.term
	p.term = len(p.chain.Terms)
	if c := p.chain; c.TermsOmitted > 0 {
		return fmt.Sprintf("no non-zero term after term %d among the %d kept; terms %d–%d, not kept, are summed at once: the sum is complete (n walks the steps)",
			from, len(c.Terms), len(c.Terms)+1, c.TermCount())
	}
	return fmt.Sprintf("no non-zero term after term %d: the sum is complete (n walks the steps)", from)
}

// largestTerm accumulates up to the term with the largest |product| (the
// first of equals), the one b follows back.
func (p *elementPane) largestTerm() string {
	if p.chain == nil || len(p.chain.Terms) == 0 {
		return "this element has no multiply-accumulate terms"
	}
	if !p.stepping {
		p.startStepping()
	}
	best := largest(p.chain.Terms)
	p.term = best + 1
	among := ""
	if p.chain.TermsOmitted > 0 {
		among = fmt.Sprintf(" of the first %d (those kept)", len(p.chain.Terms))
	}
	return fmt.Sprintf("term %d/%d has the largest |product|%s, %d (b follows it back)", best+1, p.chain.TermCount(), among, p.chain.Terms[best].Product)
}

// largest is the index of the first term with the largest |product|.
func largest(terms []kernels.Term) int {
	best := 0
	for i, t := range terms {
		if abs64(t.Product) > abs64(terms[best].Product) {
			best = i
		}
	}
	return best
}

// need is how many lines the pane would like without step meanings.
func (p *elementPane) need(s *session) int {
	if p.diagnosis && s.yours != nil {
		return 4 + 2*len(s.yours.diag) + 2*len(s.yours.rows)
	}
	if p.chain == nil {
		return 3
	}
	if p.pair && p.baseChain != nil {
		return 5 + 2*len(kernels.AlignChains(p.chain, p.baseChain))
	}
	n := 2 + len(p.chain.Steps) + 2
	if len(p.chain.Terms) > 0 {
		n += 2
	}
	if len(p.chain.Sources) > 0 {
		n++
	}
	return n
}

func (p *elementPane) render(s *session, w, h int) []string {
	st := &s.styles
	t := outputOf(s.ip, p.op)
	var lines []string
	title := " element"
	if t != nil {
		title = fmt.Sprintf(" element t%d%s = %s", t.Index, tflite.ShapeString(kernels.Unravel(p.elem, t.Shape)), rawString(t, p.elem))
		if t.Quantized() {
			title += fmt.Sprintf("  (real %.6g)", dequantize(t, p.elem))
		}
	}
	lines = append(lines, st.PaneTitle.Render(fit(title, w)))
	if p.diagnosis && s.yours != nil {
		return block(p.renderDiagnosis(s, lines, w), w, h)
	}
	if p.err != nil {
		return block(append(lines, st.Warn.Render(" "+p.err.Error())), w, h)
	}
	c := p.chain
	if c == nil {
		return block(lines, w, h)
	}
	if p.stepping {
		return block(append(lines, p.renderStepping(s, t, w, h-len(lines))...), w, h)
	}
	if p.pair {
		return block(squeeze(p.renderPair(s, t, lines), h), w, h)
	}
	// Lines carry priorities; when the pane is short the least important
	// go first (the legend, offsets, the largest term), never the final value.
	pl := make([]pline, 0, len(lines)+len(c.Steps)*2+4)
	for _, l := range lines {
		pl = append(pl, pline{l, 9})
	}
	if len(c.Terms) > 0 {
		sum := p.termSummary(s)
		pl = append(pl, pline{sum[0], 5}, pline{sum[1], 4})
	}
	nameW := 4
	for _, sp := range c.Steps {
		nameW = max(nameW, len(sp.Name))
	}
	// Meanings under each step when there is room for them.
	withMeaning := h >= len(pl)+2*len(c.Steps)+3
	for _, sp := range c.Steps {
		prio := 6
		switch {
		case sp.Changed:
			prio = 8
		case isSetupStep(sp.Name):
			prio = 3
		}
		pl = append(pl, pline{stepLine(st, sp, nameW), prio})
		if withMeaning && sp.Meaning != "" {
			pl = append(pl, pline{st.Dim.Render(fmt.Sprintf("   %*s ↳ %s", nameW, "", sp.Meaning)), 0})
		}
	}
	if len(c.Sources) > 0 && len(c.Terms) == 0 {
		pl = append(pl, pline{sourcesLine(s, p.op, c), 5})
	}
	pl = append(pl, pline{p.finalLine(s, t), 9})
	if line, ok := s.yoursElementLine(t, p.elem); ok {
		pl = append(pl, pline{line, 9})
	}
	for _, sp := range c.Steps {
		if sp.Changed {
			pl = append(pl, pline{st.Dim.Render(" * rounding or clamping changed the value · s steps through it"), 1})
			break
		}
	}
	return block(squeeze(pl, h), w, h)
}

// isSetupStep reports whether a step only states a constant of the
// computation (offsets, the number of terms): the first lines to go when
// the pane is short.
func isSetupStep(name string) bool {
	return name == "input_offset" || name == "filter_offset" || name == "terms" || name == "output_offset"
}

// pline is a line with a priority: squeeze drops the lowest first.
type pline struct {
	s    string
	prio int
}

// squeeze keeps at most h lines, dropping the lowest priorities first
// (the later line among equals), and keeps the order.
func squeeze(pl []pline, h int) []string {
	drop := len(pl) - h
	keep := make([]bool, len(pl))
	for i := range keep {
		keep[i] = true
	}
	for prio := 0; drop > 0 && prio <= 9; prio++ {
		for i := len(pl) - 1; i >= 0 && drop > 0; i-- {
			if keep[i] && pl[i].prio == prio {
				keep[i] = false
				drop--
			}
		}
	}
	out := make([]string, 0, min(len(pl), max(h, 0)))
	for i, l := range pl {
		if keep[i] {
			out = append(out, l.s)
		}
	}
	return out
}

func stepLine(st *Styles, sp kernels.Step, nameW int) string {
	line := fmt.Sprintf("%-*s  %s", nameW, sp.Name, sp.Formula)
	if note := sp.RealNote(); note != "" {
		line += "  " + note
	}
	if sp.Changed {
		return st.Changed.Render(" * " + line)
	}
	return "   " + line
}

// termSummary: the number of terms, their sum and the largest products.
func (p *elementPane) termSummary(s *session) []string {
	c := p.chain
	best := largest(c.Terms)
	b := c.Terms[best]
	in, w := termOperands(s, p.op, b)
	return []string{
		fmt.Sprintf(" %d terms (in+in_off)·(w+w_off), Σ = %d", c.TermCount(), c.TermSum()),
		fmt.Sprintf(" largest: term %d %s=%d · %s=%d → %d (b follows it)", best+1, in, b.Input, w, b.Weight, b.Product),
	}
}

// termOperands names a term's two elements by role and coordinates
// (trace.TermOperands), with the input and weights roles shortened to in
// and w: CONV_2D in[y=14,x=8,c=0] and w[oc=3,ky=0,kx=0,ic=0].
func termOperands(s *session, op int, tm kernels.Term) (in, w string) {
	in, w = trace.TermOperands(s.ip.Ops()[op].Node, tm)
	short := func(x string) string {
		for _, r := range [][2]string{{"input[", "in["}, {"weights[", "w["}} {
			if rest, ok := strings.CutPrefix(x, r[0]); ok {
				return r[1] + rest
			}
		}
		return x
	}
	return short(in), short(w)
}

func sourcesLine(s *session, op int, c *kernels.Chain) string {
	n := s.ip.Ops()[op].Node
	var parts []string
	for i, src := range c.Sources {
		if i == 4 {
			parts = append(parts, fmt.Sprintf("… %d more", c.SourceCount()-4))
			break
		}
		if in := n.Input(src.Input); in != nil {
			parts = append(parts, fmt.Sprintf("t%d%s", in.Index, tflite.ShapeString(kernels.Unravel(src.Element, in.Shape))))
		}
	}
	return " from " + strings.Join(parts, " ")
}

func (p *elementPane) finalLine(s *session, t *kernels.Tensor) string {
	c := p.chain
	v := fmt.Sprint(c.Final)
	if t != nil && t.Type == tflite.TypeFloat32 {
		v = rawString(t, p.elem)
	}
	line := " final " + v
	if t != nil && t.Quantized() {
		line += kernels.BracketNegatives(fmt.Sprintf(" → (%s − %d)·%.6g = %.6g", v, t.ZeroPointAt(t.ChannelOf(p.elem)), t.ScaleAt(t.ChannelOf(p.elem)), dequantize(t, p.elem)))
	}
	if t != nil && rawString(t, p.elem) != v {
		line += "  ≠ stored " + rawString(t, p.elem) + "!"
	}
	return s.styles.Final.Render(line)
}

// termString is one product with its operands and the offsets added to
// them: (in[k=202] -44 +128)·(w[o=7,k=202] 25 +0) = 2100.
func (p *elementPane) termString(s *session, tm kernels.Term) string {
	in, w := termOperands(s, p.op, tm)
	if !p.hasOff {
		return fmt.Sprintf("%s=%d · %s=%d → %d", in, tm.Input, w, tm.Weight, tm.Product)
	}
	return fmt.Sprintf("(%s %d %+d)·(%s %d %+d) = %d", in, tm.Input, p.inOff, w, tm.Weight, p.wOff, tm.Product)
}

// renderPair shows the element's chain under the current runtime next to
// the base runtime's, aligned step by step (kernels.AlignChains): a shared
// step with the same formula on one line, otherwise each runtime's line
// labelled with its name; ▶ marks the first step where they part, ≠ every
// step that differs. head is the pane's title.
func (p *elementPane) renderPair(s *session, t *kernels.Tensor, head []string) []pline {
	st := &s.styles
	cur, base := s.runtime().String(), s.baseRuntime().String()
	pl := make([]pline, 0, 32)
	for _, l := range head {
		pl = append(pl, pline{l, 9})
	}
	pl = append(pl, pline{st.Dim.Render(fmt.Sprintf(" %s (current) vs %s (started with), step by step · c: one chain", cur, base)), 7})
	if p.baseErr != nil || p.baseChain == nil {
		return append(pl, pline{st.Warn.Render(fmt.Sprintf(" %s: %v", base, p.baseErr)), 9})
	}
	rows := kernels.AlignChains(p.chain, p.baseChain)
	parted := kernels.FirstParting(rows)
	nameW, labW := 4, max(len(cur), len(base))
	for _, r := range rows {
		nameW = max(nameW, len(r.Name()))
	}
	line := func(mark, name, label, formula string) string {
		return fmt.Sprintf(" %s %-*s  %-*s  %s", mark, nameW, name, labW, label, formula)
	}
	for i, r := range rows {
		mark := r.Mark(i, parted)
		switch {
		case r.A != nil && r.B != nil && r.A.Formula == r.B.Formula && !r.Differs():
			prio := 5
			if isSetupStep(r.Name()) {
				prio = 3
			}
			pl = append(pl, pline{line(mark, r.Name(), "", r.A.Formula), prio})
		case r.A != nil && r.B != nil:
			prio := 6
			if r.Differs() {
				prio = 8
			}
			pl = append(pl, pline{st.Changed.Render(line(mark, r.Name(), cur, r.A.Formula)), prio},
				pline{st.Changed.Render(line(" ", "", base, r.B.Formula)), prio})
		case r.A != nil:
			pl = append(pl, pline{st.Changed.Render(line(mark, r.Name(), cur, r.A.Formula)), 8})
		default:
			pl = append(pl, pline{st.Changed.Render(line(mark, r.Name(), base, r.B.Formula)), 8})
		}
	}
	cf, bf := p.chain.Final, p.baseChain.Final
	final := fmt.Sprintf(" final %s %d", cur, cf)
	if cf == bf {
		final += fmt.Sprintf(" = %s %d", base, bf)
	} else {
		final += fmt.Sprintf(" ≠ %s %d", base, bf)
	}
	if t != nil && t.Type == tflite.TypeFloat32 {
		final = fmt.Sprintf(" final %s %s, %s %s", cur, rawString(t, p.elem), base, rawString(s.base.ip.Tensor(t.Index), p.elem))
	}
	pl = append(pl, pline{st.Final.Render(final), 9})
	switch {
	case parted < 0:
		pl = append(pl, pline{st.Dim.Render(" the two chains agree at every step"), 7})
	case cf == bf:
		pl = append(pl, pline{st.Dim.Render(fmt.Sprintf(" ▶ the chains part at %s but end at the same value; ≠ marks every step that differs", rows[parted].Name())), 7})
	default:
		pl = append(pl, pline{st.Dim.Render(fmt.Sprintf(" ▶ the chains part at %s; ≠ marks every step that differs", rows[parted].Name())), 7})
	}
	return pl
}

// renderStepping shows the setup steps, the terms accumulated so far with
// the running sum (the latest at the bottom), then the revealed steps.
func (p *elementPane) renderStepping(s *session, t *kernels.Tensor, w, h int) []string {
	st := &s.styles
	c := p.chain
	nameW := 4
	for _, sp := range c.Steps {
		nameW = max(nameW, len(sp.Name))
	}
	var head, tail []string
	for _, sp := range c.Steps[:p.accStep] {
		head = append(head, stepLine(st, sp, nameW))
	}
	// N terms are kept; a deeper accumulation (kernels.MaxRecorded) steps
	// through those and adds the rest, counted and summed, at the end.
	N := len(c.Terms)
	if N > 0 {
		shown, sum := p.term, p.running[p.term]
		if p.term == N {
			shown, sum = c.TermCount(), c.TermSum()
		}
		head = append(head, st.Prompt.Render(fmt.Sprintf(" term %d/%d · running sum Σ = %d", shown, c.TermCount(), sum)))
	}
	revealed := c.Steps[p.accStep : p.accStep+p.step]
	for _, sp := range revealed {
		tail = append(tail, stepLine(st, sp, nameW))
	}
	switch {
	case p.step == len(c.Steps)-p.accStep && p.term == N:
		tail = append(tail, p.finalLine(s, t))
	case p.term < N:
		tail = append(tail, st.Dim.Render(" n: next term · f: finish the accumulation"))
	default:
		tail = append(tail, st.Dim.Render(fmt.Sprintf(" n: next step (%d/%d) · f: all steps", p.step, len(c.Steps)-p.accStep)))
	}
	room := h - len(head) - len(tail)
	var terms []string
	if N > 0 && room > 0 && p.term > 0 {
		first := max(1, p.term-room+1)
		for k := first; k <= p.term; k++ {
			terms = append(terms, fmt.Sprintf("   %d/%d %s   Σ %d", k, c.TermCount(), p.termString(s, c.Terms[k-1]), p.running[k]))
		}
		if p.term == N && c.TermsOmitted > 0 {
			terms = append(terms, fmt.Sprintf("   %d–%d: %d more terms, summed but not kept   Σ %d", N+1, c.TermCount(), c.TermsOmitted, c.TermSum()))
			if len(terms) > room {
				terms = terms[len(terms)-room:]
			}
		}
	}
	// Too short: the setup steps go first, then the oldest revealed steps.
	if over := len(head) + len(tail) - h; over > 0 {
		head = head[min(over, len(head)):]
	}
	if over := len(head) + len(tail) - h; over > 0 {
		tail = tail[min(over, len(tail)):]
	}
	out := append(head, terms...)
	return append(out, tail...)
}
