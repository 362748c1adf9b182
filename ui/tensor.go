package ui

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/tflq/tflq-trace/kernels"
	"github.com/tflq/tflq-trace/tflite"
	"github.com/tflq/tflq-trace/trace"
)

// tensorPane shows the current operator's tensors and the values of its
// first output, with a cursor on one element (remembered per operator).
type tensorPane struct {
	elems map[int]int // operator → cursor element (flat index into output 0)
	mode  valueMode
}

func newTensorPane() tensorPane { return tensorPane{elems: map[int]int{}} }

// outputOf is operator op's first output tensor (nil when absent).
func outputOf(ip *trace.Interpreter, op int) *kernels.Tensor {
	if op < 0 || op >= len(ip.Ops()) {
		return nil
	}
	n := ip.Ops()[op].Node
	if len(n.Outputs) == 0 {
		return nil
	}
	return n.Outputs[0]
}

func (p *tensorPane) elemOf(op int) int { return p.elems[op] }

// nextMode cycles the value modes (Δ only away from the base run).
func (p *tensorPane) nextMode(s *session) {
	p.mode = (p.mode + 1) % s.modes()
}

func (p *tensorPane) setElem(op, elem int) { p.elems[op] = elem }

// outputGrid is the grid of op's first output; ok is false when op has
// none.
func outputGrid(s *session, op int) (g grid, ok bool) {
	t := outputOf(s.ip, op)
	if t == nil {
		return g, false
	}
	return gridOf(t.Shape), true
}

// moveRow moves the cursor one row of the current view: one table row, one
// heatmap row, or one wrapped line of a vector (perRow elements).
func (p *tensorPane) moveRow(s *session, op, d, perRow int) {
	g, ok := outputGrid(s, op)
	if !ok || g.n == 0 {
		return
	}
	i := p.elemOf(op)
	if g.vector {
		if j := i + d*max(perRow, 1); j >= 0 && j < g.n {
			p.setElem(op, j)
		}
		return
	}
	plane, r, c, ch := g.pos(i)
	r = min(max(r+d, 0), g.rows-1)
	p.setElem(op, g.index(plane, r, c, ch))
}

func (p *tensorPane) moveCol(s *session, op, d int) {
	g, ok := outputGrid(s, op)
	if !ok || g.n == 0 {
		return
	}
	i := p.elemOf(op)
	if g.vector {
		p.setElem(op, min(max(i+d, 0), g.n-1))
		return
	}
	plane, r, c, ch := g.pos(i)
	c = min(max(c+d, 0), g.cols-1)
	p.setElem(op, g.index(plane, r, c, ch))
}

// moveChannel changes the heatmap channel, keeping the position (wraps).
func (p *tensorPane) moveChannel(s *session, op, d int) {
	g, ok := outputGrid(s, op)
	if !ok || !g.heatmap || g.chans < 2 {
		return
	}
	plane, r, c, ch := g.pos(p.elemOf(op))
	ch = ((ch+d)%g.chans + g.chans) % g.chans
	p.setElem(op, g.index(plane, r, c, ch))
}

// outputChannel is the channel (last dimension) of an element, which picks
// the per-channel multiplier and scales.
func outputChannel(t *kernels.Tensor, elem int) int {
	if len(t.Shape) == 0 || t.Shape[len(t.Shape)-1] == 0 {
		return 0
	}
	return elem % t.Shape[len(t.Shape)-1]
}

// Header sizes: the full header, a compact one (the inputs on one line
// without quantization) and a minimal one (also without the multipliers,
// which the element pane's M step shows for the cursor's channel).
const (
	headerFull = iota
	headerCompact
	headerMinimal
)

// header is the lines above the values: op, multipliers, inputs, output.
func (p *tensorPane) header(s *session, op int, focused bool, w int, size int) []string {
	st := &s.styles
	n := s.ip.Ops()[op].Node
	t := outputOf(s.ip, op)
	elem := p.elemOf(op)
	title := opTitle(s, op, w)
	var lines []string
	if focused {
		lines = append(lines, st.PaneFocused.Render(fit(title, w)))
	} else {
		lines = append(lines, st.PaneTitle.Render(fit(title, w)))
	}
	ch := 0
	if t != nil {
		ch = outputChannel(t, elem)
	}
	if size < headerMinimal {
		lines = append(lines, multiplierLines(s, op, ch)...)
	}
	shown := 0
	if size > headerFull {
		var parts []string
		for k, in := range n.Inputs {
			if in != nil {
				parts = append(parts, fmt.Sprintf("in%d t%d %s", k, in.Index, tflite.ShapeString(in.Shape)))
			}
		}
		lines = append(lines, " "+strings.Join(parts, " · "))
		shown = len(n.Inputs) + 1
	}
	for k, in := range n.Inputs {
		if shown > len(n.Inputs) {
			break
		}
		if in == nil {
			continue
		}
		if shown == 4 {
			lines = append(lines, fmt.Sprintf(" … %d more inputs", len(n.Inputs)-k))
			break
		}
		c := ""
		if in.Const {
			c = " const"
		}
		lines = append(lines, fmt.Sprintf(" in%d t%d %s %s%s%s", k, in.Index, dtypeShort(in.Type), tflite.ShapeString(in.Shape), quantString(in, ch), c))
		shown++
	}
	if t != nil {
		lines = append(lines, fmt.Sprintf(" out t%d %s %s%s", t.Index, dtypeShort(t.Type), tflite.ShapeString(t.Shape), quantString(t, ch)))
	}
	return lines
}

// opTitle is the pane's first line: the operator, its output tensor and the
// implementation whose kernel runs it under the current runtime, shortened
// (output first, then the implementation's name) to fit w.
func opTitle(s *session, op, w int) string {
	o := s.ip.Ops()[op]
	head := fmt.Sprintf(" op %d %s", op, o.Name)
	out := ""
	if t := outputOf(s.ip, op); t != nil {
		out = fmt.Sprintf(" · output t%d", t.Index)
	}
	if o.Kernel == nil {
		return head + out
	}
	short := head + " · " + implShort(o.Impl)
	for _, c := range []string{head + out + " · " + o.Impl.String(), head + " · " + o.Impl.String()} {
		if ansi.StringWidth(c) <= w {
			return c
		}
	}
	return short
}

// implShort names an implementation in a few characters for narrow panes.
func implShort(i kernels.Implementation) string {
	switch i {
	case kernels.ImplTFLM:
		return "TFLM ref"
	case kernels.ImplTFLite:
		return "TFLite"
	case kernels.ImplTFLiteRef:
		return "TFLite ref"
	case kernels.ImplTFLiteOptimized:
		return "TFLite opt"
	case kernels.ImplXNNPACK:
		return "XNNPACK"
	}
	return i.String()
}

// multiplierLines shows the operator's derived requantization parameters
// (kernels.Describer): per-tensor multipliers, or the cursor channel's.
func multiplierLines(s *session, op, ch int) []string {
	k := s.ip.Ops()[op].Kernel
	if k == nil {
		if err := s.ip.Ops()[op].Err; err != nil {
			return []string{" " + err.Error()}
		}
		return nil
	}
	d, ok := k.(kernels.Describer)
	if !ok {
		return nil
	}
	par := d.Describe()
	var parts []string
	perChannel := 0
	for _, m := range par.Multipliers {
		if m.Channel >= 0 {
			perChannel++
			if m.Channel != ch {
				continue
			}
		}
		name := m.Name
		if m.Channel >= 0 {
			name = fmt.Sprintf("%s ch%d", m.Name, m.Channel)
		}
		if m.What != "" { // not a requantization M (SOFTMAX's β·s_in·2^26, say): by its name
			parts = append(parts, fmt.Sprintf("%s=%.6g", name, m.Real))
			continue
		}
		if m.Quantized.Multiplier == 0 && m.Real != 0 { // requantized with M as a real number (LiteRT's double, XNNPACK's float32)
			parts = append(parts, fmt.Sprintf("M[%s]=%.10g (real, no Q0.31)", name, m.Real))
			continue
		}
		parts = append(parts, fmt.Sprintf("M[%s]=%.6g mult=%d shift=%d", name, m.Real, m.Quantized.Multiplier, m.Quantized.Shift))
	}
	if perChannel > 0 {
		parts = append(parts, fmt.Sprintf("(%d per-channel)", perChannel))
	}
	if par.HasClamp {
		parts = append(parts, fmt.Sprintf("clamp [%d,%d]", par.ClampMin, par.ClampMax))
	}
	if len(parts) == 0 {
		return nil
	}
	// Up to two lines: the first multiplier, then the rest.
	if len(parts) > 2 && len(par.Multipliers) > 1 && perChannel == 0 {
		return []string{" " + strings.Join(parts[:2], "  "), " " + strings.Join(parts[2:], "  ")}
	}
	return []string{" " + strings.Join(parts, "  ")}
}

// need is how many lines the pane would like.
func (p *tensorPane) need(s *session, op int, w int, mono bool) int {
	h := len(p.header(s, op, false, w, headerFull)) + 1 // + mode line
	if !s.onBase() {
		h++ // the differences line
	}
	t := outputOf(s.ip, op)
	if _, ok := s.yoursOf(t); ok {
		h++ // the line comparing the user's values
	}
	if t == nil {
		return h
	}
	g := gridOf(t.Shape)
	switch {
	case g.heatmap:
		rows := g.rows
		if !mono {
			rows = (rows + 1) / 2
		}
		return h + rows + 2 // + info line and column marker
	case g.vector:
		_, perRow, _ := p.vectorLayout(s, t, w)
		return h + (g.n+perRow-1)/perRow
	}
	return h + g.rows + 1
}

func (p *tensorPane) render(s *session, op, w, h int, focused bool) []string {
	t := outputOf(s.ip, op)
	lines := p.header(s, op, focused, w, headerFull)
	if h < p.need(s, op, w, s.styles.Mono) {
		lines = p.header(s, op, focused, w, headerCompact)
		// A heatmap keeps room for at least three lines of pixels (with its
		// info, cut and ▲ lines) under the mode and differences lines.
		if t != nil && gridOf(t.Shape).heatmap && h-len(lines)-2 < 6 {
			lines = p.header(s, op, focused, w, headerMinimal)
		}
	}
	if t == nil {
		return block(append(lines, " this operator has no output"), w, h)
	}
	g := gridOf(t.Shape)
	elem := p.elemOf(op)
	mode := fmt.Sprintf(" values: %s (m cycles)", p.mode.label(s, t))
	if g.heatmap && g.chans > 1 {
		_, _, _, ch := g.pos(elem)
		mode += fmt.Sprintf(" · channel %d/%d ([ ])", ch, g.chans)
	}
	lines = append(lines, s.styles.Dim.Render(mode))
	if !s.onBase() {
		lines = append(lines, p.diffLine(s, op, t, g, w))
	}
	if _, ok := s.yoursOf(t); ok {
		lines = append(lines, s.yoursLine(t, w))
	}
	avail := h - len(lines)
	if avail < 1 {
		// Too short: keep the values, drop header lines from the top.
		lines = lines[:max(1, h-1)]
		avail = h - len(lines)
	}
	if (p.mode == modeReference || p.mode == modeError) && (s.ref == nil || s.ref.Float(t.Index) == nil) {
		lines = append(lines, s.styles.Warn.Render(" no float reference for this tensor"))
		return block(lines, w, h)
	}
	switch {
	case g.heatmap:
		lines = append(lines, p.heatmap(s, t, g, elem, w, avail)...)
	case g.vector:
		lines = append(lines, p.vectorTable(s, t, elem, w, avail)...)
	default:
		lines = append(lines, p.matrixTable(s, t, g, elem, w, avail)...)
	}
	return block(lines, w, h)
}

// diffLine counts the elements of op's output that differ from the base
// run (and of them, those in the heatmap's channel).
func (p *tensorPane) diffLine(s *session, op int, t *kernels.Tensor, g grid, w int) string {
	n, N := s.differ[op], t.NumElements()
	if n == 0 {
		return fmt.Sprintf(" = all %d equal to %s", N, s.baseRuntime())
	}
	line := fmt.Sprintf(" ≠ %d of %d differ from %s", n, N, s.baseRuntime())
	if g.heatmap && g.chans > 1 {
		plane, _, _, ch := g.pos(p.elemOf(op))
		inChannel := 0
		for r := 0; r < g.rows; r++ {
			for c := 0; c < g.cols; c++ {
				if s.differs(t, g.index(plane, r, c, ch)) {
					inChannel++
				}
			}
		}
		line += fmt.Sprintf(" · %d in ch %d", inChannel, ch)
	}
	if ansi.StringWidth(line)+len(" · d: next") <= w {
		line += " · d: next"
	}
	return s.styles.Changed.Render(line)
}

// markWidth is 1 when t's cells carry a ≠ mark column (t differs from the
// base run somewhere), else 0.
func (p *tensorPane) markWidth(s *session, t *kernels.Tensor) int {
	if op, ok := s.producer[t.Index]; ok && !s.onBase() && s.differ[op] > 0 {
		return 1
	}
	if u, ok := s.yoursOf(t); ok && trace.CheckTensor(t, u).Differ > 0 {
		return 1
	}
	return 0
}

// cellWidth is the widest formatted value of t in the current mode.
func (p *tensorPane) cellWidth(s *session, t *kernels.Tensor) int {
	cw := 1
	n := t.NumElements()
	step := max(1, n/4096) // sample huge tensors
	for i := 0; i < n; i += step {
		v, ok := valueOf(s, t, i, p.mode)
		if ok {
			cw = max(cw, len(formatValue(t, v, p.mode)))
		}
	}
	return cw
}

// vectorLayout: cell width (without the mark column), values per line,
// label width.
func (p *tensorPane) vectorLayout(s *session, t *kernels.Tensor, w int) (cw, perRow, lw int) {
	cw = p.cellWidth(s, t)
	lw = len(strconv.Itoa(max(t.NumElements()-1, 0))) + 1
	perRow = max(1, (w-lw-1)/(cw+2+p.markWidth(s, t)))
	return
}

// cell renders one value, bracketed and highlighted under the cursor; with
// a mark column (mw = 1), ≠ after the values that differ from the base run.
func (p *tensorPane) cell(s *session, t *kernels.Tensor, i, cw, mw int, cursor bool) string {
	txt := "—"
	if v, ok := valueOf(s, t, i, p.mode); ok {
		txt = formatValue(t, v, p.mode)
	}
	body := strings.Repeat(" ", max(cw-len([]rune(txt)), 0)) + txt
	if mw > 0 {
		switch {
		case s.yoursDiffers(t, i):
			body += "✗"
		case s.differs(t, i):
			body += "≠"
		default:
			body += " "
		}
	}
	if cursor {
		return s.styles.Cursor.Render("[" + body + "]")
	}
	return " " + body + " "
}

func (p *tensorPane) vectorTable(s *session, t *kernels.Tensor, elem, w, h int) []string {
	cw, perRow, lw := p.vectorLayout(s, t, w)
	mw := p.markWidth(s, t)
	n := t.NumElements()
	rows := (n + perRow - 1) / perRow
	curRow := elem / perRow
	start := 0
	if rows > h {
		start = min(max(curRow-h/2, 0), rows-h)
	}
	var lines []string
	var sb strings.Builder
	for r := start; r < rows && len(lines) < h; r++ {
		sb.Reset()
		fmt.Fprintf(&sb, "%*d:", lw-1, r*perRow)
		for i := r * perRow; i < min(n, (r+1)*perRow); i++ {
			sb.WriteString(p.cell(s, t, i, cw, mw, i == elem))
		}
		lines = append(lines, sb.String())
	}
	return lines
}

func (p *tensorPane) matrixTable(s *session, t *kernels.Tensor, g grid, elem, w, h int) []string {
	cw := max(p.cellWidth(s, t), len(strconv.Itoa(g.cols-1)))
	mw := p.markWidth(s, t)
	lw := len(strconv.Itoa(g.rows-1)) + 1
	_, cr, cc, _ := g.pos(elem)
	visC := max(1, (w-lw)/(cw+2+mw))
	c0 := 0
	if g.cols > visC {
		c0 = min(max(cc-visC/2, 0), g.cols-visC)
	}
	visR := max(h-1, 1)
	r0 := 0
	if g.rows > visR {
		r0 = min(max(cr-visR/2, 0), g.rows-visR)
	}
	var sb strings.Builder
	sb.WriteString(strings.Repeat(" ", lw))
	for c := c0; c < min(g.cols, c0+visC); c++ {
		mark := " "
		if c == cc {
			mark = "▼"
		}
		fmt.Fprintf(&sb, "%s%*d%s ", mark, cw, c, strings.Repeat(" ", mw))
	}
	lines := []string{s.styles.Dim.Render(sb.String())}
	for r := r0; r < min(g.rows, r0+visR); r++ {
		sb.Reset()
		fmt.Fprintf(&sb, "%*d:", lw-1, r)
		for c := c0; c < min(g.cols, c0+visC); c++ {
			i := g.index(0, r, c, 0)
			sb.WriteString(p.cell(s, t, i, cw, mw, i == elem))
		}
		lines = append(lines, sb.String())
	}
	return lines
}

// finite reports whether x is neither NaN nor ±Inf.
func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// heatmap draws one channel of a [N,]H,W[,C] tensor: colour half blocks
// (two pixel rows per line), or one shade character per pixel in mono.
// Arrows in the margins point at the cursor's row and column.
func (p *tensorPane) heatmap(s *session, t *kernels.Tensor, g grid, elem, w, h int) []string {
	st := &s.styles
	plane, cr, cc, ch := g.pos(elem)
	// The colour scale covers this channel's plane: its finite values only,
	// so that one NaN or ±Inf (float tensors) neither breaks the scale nor
	// flattens the plane to one colour.
	lo, hi := math.Inf(1), math.Inf(-1)
	vals := make([]float64, g.rows*g.cols)
	for r := 0; r < g.rows; r++ {
		for c := 0; c < g.cols; c++ {
			v, ok := valueOf(s, t, g.index(plane, r, c, ch), p.mode)
			if !ok {
				v = math.NaN()
			} else if finite(v) {
				lo, hi = min(lo, v), max(hi, v)
			}
			vals[r*g.cols+c] = v
		}
	}
	switch p.mode {
	case modeError: // symmetric, at least ±0.5 LSB
		m := max(abs(lo), abs(hi), 0.5)
		lo, hi = -m, m
	case modeDelta: // symmetric, at least ±1 LSB, 0 in the middle
		m := max(abs(lo), abs(hi), 1)
		lo, hi = -m, m
	}
	// level is v's place on the scale in [0, 1]; 0.5 when v is not finite or
	// the plane has no finite range.
	level := func(v float64) float64 {
		if !finite(v) || !finite(lo) || !finite(hi) || hi <= lo {
			return 0.5
		}
		return min(max((v-lo)/(hi-lo), 0), 1)
	}
	stops := st.HeatStops
	if p.mode == modeError || p.mode == modeDelta {
		stops = st.DivergeStops
	}
	info := fmt.Sprintf(" %d×%d · colours %s … %s · cursor y=%d x=%d", g.rows, g.cols, formatValue(t, lo, p.mode), formatValue(t, hi, p.mode), cr, cc)
	lines := []string{st.Dim.Render(info)}
	mapLines := max(h-2, 1)
	perLine := 2
	if st.Mono {
		perLine = 1
	}
	visC := max(w-2, 1)
	cutR, cutC := g.rows > mapLines*perLine, g.cols > visC
	if (cutR || cutC) && mapLines > 1 {
		mapLines-- // for the line that says what is shown
	}
	visR := mapLines * perLine
	r0, c0 := 0, 0
	if cutR {
		r0 = min(max(cr-visR/2, 0), g.rows-visR)
		r0 -= r0 % perLine // keep the half-block pairs of rows stable
		if cr >= r0+visR {
			r0 += perLine
		}
	}
	if cutC {
		c0 = min(max(cc-visC/2, 0), g.cols-visC)
	}
	c1 := min(g.cols, c0+visC)
	if (cutR || cutC) && len(lines)+mapLines+2 <= h {
		lines = append(lines, st.Dim.Render(cutLine(g, cutR, cutC, r0, min(g.rows, r0+visR), c0, c1)))
	}
	var sb strings.Builder
	for r := r0; r < min(g.rows, r0+visR); r += perLine {
		sb.Reset()
		if cr >= r && cr < r+perLine {
			sb.WriteString("▶ ")
		} else {
			sb.WriteString("  ")
		}
		for c := c0; c < c1; c++ {
			v := vals[r*g.cols+c]
			if st.Mono {
				chars := st.ShadeChars
				k := min(max(int(level(v)*float64(len(chars)-1)), 0), len(chars)-1)
				glyph := string(chars[k])
				switch {
				case !finite(v):
					glyph = "?" // NaN, ±Inf or no value in this mode
				case p.mode == modeDelta: // the sign of the difference
					switch {
					case v < 0:
						glyph = st.DeltaChars[0]
					case v > 0:
						glyph = st.DeltaChars[2]
					default:
						glyph = st.DeltaChars[1]
					}
				}
				if r == cr && c == cc {
					sb.WriteString(st.Cursor.Render(glyph))
				} else {
					sb.WriteString(glyph)
				}
				continue
			}
			top := ramp(stops, level(v))
			if r == cr && c == cc {
				top = st.CursorColour
			}
			if r+1 < g.rows {
				bottom := ramp(stops, level(vals[(r+1)*g.cols+c]))
				if r+1 == cr && c == cc {
					bottom = st.CursorColour
				}
				writeHalfBlock(&sb, top, bottom)
			} else {
				writeFullBlock(&sb, top)
			}
		}
		if !st.Mono {
			sb.WriteString(sgrReset)
		}
		lines = append(lines, sb.String())
	}
	sb.Reset()
	sb.WriteString("  ")
	sb.WriteString(strings.Repeat(" ", cc-c0))
	sb.WriteString("▲")
	lines = append(lines, sb.String())
	return lines
}

// cutLine says which part of a heatmap too large for the pane is shown
// (rows r0..r1−1, columns c0..c1−1) and that moving the cursor scrolls it.
func cutLine(g grid, cutR, cutC bool, r0, r1, c0, c1 int) string {
	var parts []string
	keys := ""
	if cutR {
		parts = append(parts, fmt.Sprintf("rows %d–%d of %d", r0, r1-1, g.rows))
		keys = "↑/↓"
	}
	if cutC {
		parts = append(parts, fmt.Sprintf("columns %d–%d of %d", c0, c1-1, g.cols))
		keys += "←/→"
		if cutR {
			keys = "↑↓←→"
		}
	}
	return " showing " + strings.Join(parts, ", ") + " · " + keys + " scroll"
}
