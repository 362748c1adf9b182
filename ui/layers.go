package ui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/tflq/tflq-trace/tflite"
)

// layerRow is one operator's line in the layers pane, computed once.
type layerRow struct {
	index   int
	name    string
	shape   string
	dtype   string
	err     string // largest |error| in LSB, "·" without a reference
	errHigh bool   // ≥ 1 LSB
	differ  bool   // the output differs from the base run's
	search  string // lower-case op and output tensor names, for the filter
}

// layersPane lists every operator; its cursor is the current operator.
type layersPane struct {
	rows      []layerRow
	visible   []int // operators passing the filter, in order
	cursor    int   // current operator
	filter    string
	filtering bool   // the user is typing a filter
	jump      string // digits typed so far
}

func newLayersPane(s *session) layersPane {
	p := layersPane{}
	for i, op := range s.ip.Ops() {
		n := op.Node
		r := layerRow{index: i, name: s.ip.Ops()[i].Name, err: "·"}
		var names []string
		names = append(names, strings.ToLower(r.name))
		for k, t := range n.Outputs {
			if t == nil {
				continue
			}
			names = append(names, strings.ToLower(t.Name))
			if k == 0 {
				r.shape, r.dtype = tflite.ShapeString(t.Shape), dtypeShort(t.Type)
			}
		}
		if s.ref != nil {
			if e, ok := s.ref.LayerMaxErrorLSB(i); ok {
				r.err = fmt.Sprintf("%.2f", e)
				r.errHigh = e >= 1
			}
		}
		r.differ = s.differ[i] > 0
		r.search = strings.Join(names, "\n")
		p.rows = append(p.rows, r)
	}
	p.setFilter("")
	return p
}

// refresh rebuilds the rows from the current run (a runtime switch: other
// errors and differences), keeping the cursor and the filter.
func (p *layersPane) refresh(s *session) {
	q := newLayersPane(s)
	q.cursor, q.filtering, q.jump = p.cursor, p.filtering, p.jump
	q.setFilter(p.filter)
	*p = q
}

// setFilter keeps the operators whose op name or output tensor name contains
// f (case-insensitive), and moves the cursor onto a visible operator.
func (p *layersPane) setFilter(f string) {
	p.filter = f
	p.visible = p.visible[:0]
	needle := strings.ToLower(f)
	for i, r := range p.rows {
		if needle == "" || strings.Contains(r.search, needle) {
			p.visible = append(p.visible, i)
		}
	}
	if len(p.visible) > 0 && !p.isVisible(p.cursor) {
		// The first visible operator after the cursor, else the last one.
		next := p.visible[len(p.visible)-1]
		for _, v := range p.visible {
			if v > p.cursor {
				next = v
				break
			}
		}
		p.cursor = next
	}
}

func (p *layersPane) isVisible(op int) bool {
	for _, v := range p.visible {
		if v == op {
			return true
		}
	}
	return false
}

// filterKey edits the filter while the user types it.
func (p *layersPane) filterKey(msg tea.KeyPressMsg) {
	switch msg.String() {
	case "enter":
		p.filtering = false
		return
	case "esc":
		p.filtering = false
		p.setFilter("")
		return
	case "backspace":
		if r := []rune(p.filter); len(r) > 0 {
			p.setFilter(string(r[:len(r)-1]))
		}
		return
	}
	if msg.Text != "" {
		p.setFilter(p.filter + msg.Text)
	}
}

func (p *layersPane) pos() int {
	for i, v := range p.visible {
		if v == p.cursor {
			return i
		}
	}
	return -1
}

func (p *layersPane) step(d int) {
	if len(p.visible) == 0 {
		return
	}
	i := p.pos()
	if i < 0 {
		p.cursor = p.visible[0]
		return
	}
	p.cursor = p.visible[min(max(i+d, 0), len(p.visible)-1)]
}

func (p *layersPane) first() {
	if len(p.visible) > 0 {
		p.cursor = p.visible[0]
	}
}

func (p *layersPane) last() {
	if len(p.visible) > 0 {
		p.cursor = p.visible[len(p.visible)-1]
	}
}

// need is the pane's height with every visible row shown.
func (p *layersPane) need() int { return 2 + max(len(p.visible), 1) }

func (p *layersPane) render(s *session, w, h int, focused bool) []string {
	st := &s.styles
	lines := make([]string, 0, h)
	title := fmt.Sprintf(" layers %d", len(p.rows))
	if !s.onBase() {
		title += fmt.Sprintf(" · %d ≠ %s", s.layersDiffering(), s.baseRuntime())
	}
	if p.filter != "" {
		title += fmt.Sprintf(" · /%s: %d shown", p.filter, len(p.visible))
	}
	if focused {
		lines = append(lines, st.PaneFocused.Render(fit(title, w)))
	} else {
		lines = append(lines, st.PaneTitle.Render(fit(title, w)))
	}
	// Column widths: marker, index, name, shape, dtype, error.
	idxW := len(fmt.Sprint(len(p.rows) - 1))
	shapeW, errW := 0, 4
	for _, r := range p.rows {
		shapeW = max(shapeW, len(r.shape))
		errW = max(errW, len(r.err))
	}
	fixed := 2 + idxW + 1 + 1 + 4 + 1 + errW
	nameW := w - fixed - shapeW - 1
	if nameW < 8 { // narrow: drop the shape column
		shapeW = 0
		nameW = w - fixed
	}
	nameW = max(nameW, 4)
	header := fmt.Sprintf("  %*s %-*s", idxW, "#", nameW, "op")
	if shapeW > 0 {
		header += fmt.Sprintf(" %-*s", shapeW, "output")
	}
	header += fmt.Sprintf(" %-4s %*s", "type", errW, "LSB")
	lines = append(lines, st.Dim.Render(fit(header, w)))
	rowsH := h - len(lines)
	if len(p.visible) == 0 {
		lines = append(lines, st.Warn.Render(fit(" no op matches /"+p.filter, w)))
		return block(lines, w, h)
	}
	start := 0
	if cur := p.pos(); cur >= 0 && len(p.visible) > rowsH {
		start = min(max(cur-rowsH/2, 0), len(p.visible)-rowsH)
	}
	for k := start; k < len(p.visible) && len(lines) < h; k++ {
		r := &p.rows[p.visible[k]]
		marker := "  "
		if r.index == p.cursor {
			marker = "▶ "
		}
		name := r.name
		if len(name) > nameW {
			name = name[:nameW-1] + "…"
		}
		gap := " "
		if r.differ {
			gap = "≠"
		}
		line := fmt.Sprintf("%s%*d%s%-*s", marker, idxW, r.index, gap, nameW, name)
		if shapeW > 0 {
			line += fmt.Sprintf(" %-*s", shapeW, r.shape)
		}
		line += fmt.Sprintf(" %-4s ", r.dtype)
		errCell := fmt.Sprintf("%*s", errW, r.err)
		switch {
		case r.index == p.cursor:
			line = st.Selected.Render(fit(line+errCell, w))
		case r.errHigh:
			line = fit(line+st.ErrorHigh.Render(errCell), w)
		default:
			line = fit(line+errCell, w)
		}
		lines = append(lines, line)
	}
	return block(lines, w, h)
}
