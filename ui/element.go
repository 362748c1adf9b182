package ui

import (
	"fmt"
	"strings"

	"github.com/tflq/tflq-trace/kernels"
	"github.com/tflq/tflq-trace/tflite"
)

// elementPane explains the element under the cursor and micro-steps
// through it.
type elementPane struct {
	op, elem int
	loaded   bool
	chain    *kernels.Chain
	err      error
	// running[k] is the sum of the first k products.
	running []int64
	// accStep is the index of the first step computed from the terms (the
	// accumulator); steps before it (offsets) show from the start.
	accStep int

	stepping bool
	term     int // terms accumulated so far (0..len(Terms))
	step     int // steps from accStep revealed so far
}

// load explains (op, elem) unless it already is.
func (p *elementPane) load(s *session, op, elem int) {
	if p.loaded && p.op == op && p.elem == elem {
		return
	}
	*p = elementPane{op: op, elem: elem, loaded: true}
	p.chain, p.err = s.ip.Explain(op, 0, elem)
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

// need is how many lines the pane would like without step meanings.
func (p *elementPane) need(s *session) int {
	if p.chain == nil {
		return 3
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
	t := outputOf(s, p.op)
	var lines []string
	title := " element"
	if t != nil {
		title = fmt.Sprintf(" element t%d%s = %s", t.Index, shapeString(kernels.Unravel(p.elem, t.Shape)), rawString(t, p.elem))
		if t.Quantized() {
			title += fmt.Sprintf("  (real %.6g)", dequantize(t, p.elem))
		}
	}
	lines = append(lines, st.PaneTitle.Render(fit(title, w)))
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
		case sp.Name == "input_offset" || sp.Name == "filter_offset" || sp.Name == "terms" || sp.Name == "output_offset":
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
	for _, sp := range c.Steps {
		if sp.Changed {
			pl = append(pl, pline{st.Dim.Render(" * rounding or clamping changed the value · s steps through it"), 1})
			break
		}
	}
	return block(squeeze(pl, h), w, h)
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
	if sp.HasReal && !strings.Contains(sp.Formula, "≈") {
		line += fmt.Sprintf("  (real %.6g)", sp.Real)
	}
	if sp.Changed {
		return st.Changed.Render(" * " + line)
	}
	return "   " + line
}

// termSummary: the number of terms, their sum and the largest products.
func (p *elementPane) termSummary(s *session) []string {
	c := p.chain
	best := 0
	for i, t := range c.Terms {
		if abs64(t.Product) > abs64(c.Terms[best].Product) {
			best = i
		}
	}
	b := c.Terms[best]
	return []string{
		fmt.Sprintf(" %d terms (in+in_off)·(w+w_off), Σ = %d", len(c.Terms), p.running[len(c.Terms)]),
		fmt.Sprintf(" largest: term %d in[%d]=%d · w[%d]=%d → %d (b follows it)", best+1, b.InputIndex, b.Input, b.WeightIndex, b.Weight, b.Product),
	}
}

func sourcesLine(s *session, op int, c *kernels.Chain) string {
	n := s.ip.Ops()[op].Node
	var parts []string
	for i, src := range c.Sources {
		if i == 4 {
			parts = append(parts, fmt.Sprintf("… %d more", len(c.Sources)-4))
			break
		}
		if in := n.Input(src.Input); in != nil {
			parts = append(parts, fmt.Sprintf("t%d%s", in.Index, shapeString(kernels.Unravel(src.Element, in.Shape))))
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
		line += fmt.Sprintf(" → (%s − %d)·%.6g = %.6g", v, t.ZeroPointAt(t.ChannelOf(p.elem)), t.ScaleAt(t.ChannelOf(p.elem)), dequantize(t, p.elem))
	}
	if t != nil && rawString(t, p.elem) != v {
		line += "  ≠ stored " + rawString(t, p.elem) + "!"
	}
	return s.styles.Final.Render(line)
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
	N := len(c.Terms)
	if N > 0 {
		head = append(head, st.Prompt.Render(fmt.Sprintf(" term %d/%d · running sum Σ = %d", p.term, N, p.running[p.term])))
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
			tm := c.Terms[k-1]
			wt := fmt.Sprintf("w[%d]=%d", tm.WeightIndex, tm.Weight)
			if tm.WeightIndex < 0 {
				wt = fmt.Sprintf("%d", tm.Weight)
			}
			terms = append(terms, fmt.Sprintf("   %d/%d in[%d]=%d · %s → %d   Σ %d", k, N, tm.InputIndex, tm.Input, wt, tm.Product, p.running[k]))
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
