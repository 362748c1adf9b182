// Package ui is tflq-trace's step-through terminal UI: walk a quantized model
// layer by layer, put a cursor on any output element and watch its integer
// arithmetic, term by term, down to the stored value.
//
// Architecture. Model is the Bubble Tea root model. It owns one sub-model per
// pane and routes keys to them:
//
//   - layersPane (layers.go): every operator with its output shape, dtype and
//     largest error in LSB; stepping, jump-by-index and a name filter.
//
//   - tensorPane (tensor.go): the current operator's tensors, quantization and
//     derived multipliers, and the output's values as a table (rank ≤ 2) or a
//     heatmap of one channel (rank 3/4), with a cursor on one element and four
//     value modes (quantized, dequantized, float reference, error in LSB; a
//     fifth, Δ from the base run, under another runtime).
//
//   - elementPane (element.go): the kernels.Chain of the element under the
//     cursor (trace.Interpreter.Explain), and micro-stepping through its
//     multiply-accumulate terms (with their offsets; jumps to the next
//     non-zero and to the largest term) and requantization steps.
//
//   - runtime.go: r re-runs the model under the next runtime (a new
//     interpreter on the same model and input bytes, built in the
//     background as a tea.Cmd) and compares every layer with the run the UI
//     started with (the base run): the panes mark what differs with ≠, the
//     tensor pane adds a Δ value mode, d jumps to the next difference, and
//     the element pane shows both chains aligned (kernels.AlignChains).
//
// The panes read a shared session (the current run: interpreter, float
// reference and differences; the base run; styles) that only the root
// changes; all mutable state lives in the models, none is global.
// Keys are in keys.go (a bubbles KeyMap with help), every style in styles.go.
// Rendering is plain string building sized to the window: each pane returns
// exactly the lines it was given room for, and the root joins them.
package ui

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/tflq/tflq-trace/kernels"
	"github.com/tflq/tflq-trace/tflite"
	"github.com/tflq/tflq-trace/trace"
)

// Options configure the UI.
type Options struct {
	// Title names the model in the top bar (usually its file name).
	Title string
	// Input names the input the model ran on, for the top bar (e.g.
	// "digit 7_0.png", "input.bin", "inputs at zero point"); empty shows
	// nothing.
	Input string
	// Mono forces the monochrome rendering (NO_COLOR does the same).
	Mono bool
	// Yours are the user's own values for some tensors (nil: none), shown
	// next to the run's (see Yours).
	Yours *Yours
}

// session is what every pane reads. Panes never write it; the root replaces
// the current run (a runtime switch) and the styles (a colour profile).
type session struct {
	*run          // the current run: interpreter, reference, differences
	base     *run // the run under the runtime the UI started with
	styles   Styles
	producer map[int]int // tensor index → operator that writes it
	title    string
	input    string
	yours    *yours // the user's own values (nil: none)
}

type pane int

const (
	paneLayers pane = iota
	paneTensor
)

// place is an (operator, output element) pair, for the follow-back history.
type place struct{ op, elem int }

// Model is the root Bubble Tea model.
type Model struct {
	s      *session
	keys   KeyMap
	help   help.Model
	width  int // the layout's width: the window's, at least minWidth
	height int // the layout's height: the window's, at least minHeight
	// winW, winH are the window's own size; below minWidth×minHeight the
	// screen says so instead of drawing a layout that would not fit.
	winW, winH int
	focus      pane
	showHelp   bool
	helpTop    int // first line of the help screen shown (it scrolls)
	message    string
	history    []place

	// Runtimes: the input bytes every run starts from, the runs built so
	// far and the runtimes that refused the model, the last runtime tried
	// (r tries the one after it) and the one running in the background (-1:
	// none).
	inputs  [][]byte
	runs    map[kernels.Runtime]*run
	refused map[kernels.Runtime]error
	tried   kernels.Runtime
	pending int

	layers  layersPane
	tensor  tensorPane
	element elementPane
}

// New builds the UI for an interpreter that has already run (Invoke). ref
// may be nil (no float reference: the reference and error modes say so).
//
// Its runtime is the base the other runtimes (r cycles them) are compared
// with; they run on the same model and copies of the same input bytes.
func New(ip *trace.Interpreter, ref Reference, opt Options) *Model {
	base := &run{ip: ip, ref: ref, differ: make([]int, len(ip.Ops()))}
	s := &session{run: base, base: base, producer: map[int]int{}, title: opt.Title, input: opt.Input, yours: newYours(opt.Yours)}
	for i, op := range ip.Ops() {
		n := op.Node
		for _, o := range n.Outputs {
			if o != nil {
				s.producer[o.Index] = i
			}
		}
	}
	m := &Model{s: s, keys: DefaultKeyMap(), help: help.New(), width: 80, height: 24, winW: 80, winH: 24,
		runs: map[kernels.Runtime]*run{base.runtime(): base}, refused: map[kernels.Runtime]error{},
		tried: base.runtime(), pending: -1}
	for _, in := range ip.Inputs() {
		m.inputs = append(m.inputs, append([]byte(nil), in.Data...))
	}
	// What the run's notes say (the XNNPACK delegate dropped, a model full
	// TFLite would refuse to load) shows until the first key.
	if notes := ip.Notes(); len(notes) > 0 {
		m.message = fmt.Sprintf("runtime %s: %s", base.runtime(), strings.Join(notes, "; "))
	}
	m.setStyles(opt.Mono)
	m.layers = newLayersPane(s)
	m.tensor = newTensorPane()
	m.sync()
	return m
}

// setStyles switches between colour and monochrome rendering.
func (m *Model) setStyles(mono bool) {
	m.s.styles = NewStyles(mono)
	m.help.Styles = m.s.styles.Help
}

// Init implements tea.Model.
func (m *Model) Init() tea.Cmd { return nil }

// op is the current operator.
func (m *Model) op() int { return m.layers.cursor }

// elem is the cursor element of the current operator's output.
func (m *Model) elem() int { return m.tensor.elemOf(m.op()) }

// Update implements tea.Model.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.winW, m.winH = max(msg.Width, 0), max(msg.Height, 0)
		m.width, m.height = max(msg.Width, minWidth), max(msg.Height, minHeight)
		m.help.SetWidth(m.width)
	case tea.ColorProfileMsg:
		if msg.Profile <= colorprofile.ASCII && !m.s.styles.Mono {
			m.setStyles(true)
		}
	case tea.KeyPressMsg:
		return m, m.handleKey(msg)
	case runtimeRunMsg:
		m.runDone(msg)
	}
	return m, nil
}

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	var cmd tea.Cmd
	m.message = ""
	if m.layers.filtering {
		if msg.String() == "ctrl+c" {
			return tea.Quit
		}
		m.layers.filterKey(msg)
		m.sync()
		return nil
	}
	if m.showHelp {
		switch {
		case keyIs(msg, k.Down):
			// The last top line that still fills the screen (see helpScreen).
			m.helpTop = min(m.helpTop+1, max(len(m.helpBody(m.width))-max(m.height-4, 1), 0))
		case keyIs(msg, k.Up):
			m.helpTop = max(m.helpTop-1, 0)
		case keyIs(msg, k.Quit):
			return tea.Quit
		default:
			m.showHelp = false
		}
		return nil
	}
	if m.layers.jump != "" {
		switch {
		case keyIs(msg, k.Jump):
			m.layers.jump += msg.String()
			return nil
		case msg.String() == "enter":
			m.jumpTo(m.layers.jump)
			m.layers.jump = ""
			m.sync()
			return nil
		case msg.String() == "backspace":
			m.layers.jump = m.layers.jump[:len(m.layers.jump)-1]
			return nil
		}
		m.layers.jump = ""
		if keyIs(msg, k.Cancel) {
			return nil
		}
	}
	switch {
	case keyIs(msg, k.Quit):
		return tea.Quit
	case keyIs(msg, k.Help):
		m.showHelp, m.helpTop = true, 0
	case keyIs(msg, k.Cancel):
		switch {
		case m.element.stepping:
			m.element.stepping = false
		case m.layers.filter != "":
			m.layers.setFilter("")
		}
	case keyIs(msg, k.Jump):
		m.layers.jump = msg.String()
	case keyIs(msg, k.Filter):
		m.layers.filtering = true
	case keyIs(msg, k.Focus):
		m.focus = 1 - m.focus
	case keyIs(msg, k.Up), keyIs(msg, k.Down):
		d := 1
		if keyIs(msg, k.Up) {
			d = -1
		}
		if m.focus == paneLayers {
			m.layers.step(d)
		} else {
			m.tensor.moveRow(m.s, m.op(), d, m.vectorPerRow())
		}
	case keyIs(msg, k.Left), keyIs(msg, k.Right):
		d := 1
		if keyIs(msg, k.Left) {
			d = -1
		}
		m.tensor.moveCol(m.s, m.op(), d)
	case keyIs(msg, k.First):
		m.layers.first()
	case keyIs(msg, k.Last):
		m.layers.last()
	case keyIs(msg, k.PrevChannel):
		m.tensor.moveChannel(m.s, m.op(), -1)
	case keyIs(msg, k.NextChannel):
		m.tensor.moveChannel(m.s, m.op(), 1)
	case keyIs(msg, k.Mode):
		m.tensor.nextMode(m.s)
		if (m.tensor.mode == modeReference || m.tensor.mode == modeError) && m.s.ref == nil {
			m.message = "no float reference for this run: showing " + m.tensor.mode.String() + " as —"
		}
	case keyIs(msg, k.StepInto):
		m.element.startStepping()
	case keyIs(msg, k.NextTerm):
		if !m.element.stepping {
			m.element.startStepping()
		}
		m.element.next()
	case keyIs(msg, k.FastForward):
		if !m.element.stepping {
			m.element.startStepping()
		}
		m.element.fastForward()
	case keyIs(msg, k.NextNonZero):
		m.message = m.element.nextNonZero()
	case keyIs(msg, k.LargestTerm):
		m.message = m.element.largestTerm()
	case keyIs(msg, k.Runtime):
		cmd = m.cycleRuntime()
	case keyIs(msg, k.NextDiff):
		m.nextDiff()
	case keyIs(msg, k.Chains):
		switch {
		case m.element.pair:
			m.element.pair = false
		case m.s.onBase():
			m.message = fmt.Sprintf("c compares this element's chain with %s's: switch the runtime first (r)", m.s.baseRuntime())
		default:
			m.element.pair, m.element.stepping = true, false
		}
	case keyIs(msg, k.Yours):
		m.showDiagnosis()
	case keyIs(msg, k.FollowBack):
		m.followBack()
	case keyIs(msg, k.Return):
		if n := len(m.history); n > 0 {
			p := m.history[n-1]
			m.history = m.history[:n-1]
			m.goTo(p.op, p.elem)
		} else {
			m.message = "nothing to return to (b follows back, u returns)"
		}
	case keyIs(msg, k.MaxError):
		m.maxError()
	}
	m.sync()
	return cmd
}

func keyIs(msg tea.KeyPressMsg, b interface{ Keys() []string }) bool {
	s := msg.String()
	for _, k := range b.Keys() {
		if s == k {
			return true
		}
	}
	return false
}

// sync recomputes the element explanation when the operator or element
// changed.
func (m *Model) sync() {
	m.element.load(m.s, m.op(), m.elem())
}

// goTo makes (op, elem) current, clearing a filter that would hide op.
func (m *Model) goTo(op, elem int) {
	if !m.layers.isVisible(op) {
		m.layers.setFilter("")
	}
	m.layers.cursor = op
	m.tensor.setElem(op, elem)
}

func (m *Model) jumpTo(digits string) {
	var op int
	if _, err := fmt.Sscan(digits, &op); err != nil || op < 0 || op >= len(m.s.ip.Ops()) {
		m.message = fmt.Sprintf("no op %s: the model has ops 0..%d", digits, len(m.s.ip.Ops())-1)
		return
	}
	m.goTo(op, m.tensor.elemOf(op))
}

// followBack moves to the input element that contributed most to the
// current element: the term with the largest |product|, or the source
// element of a data-movement / pooling op.
func (m *Model) followBack() {
	c := m.element.chain
	if c == nil {
		m.message = "no explanation to follow back from"
		return
	}
	n := m.s.ip.Ops()[m.op()].Node
	input, elem, why := -1, -1, ""
	switch {
	case len(c.Terms) > 0:
		best := 0
		for i, t := range c.Terms {
			if abs64(t.Product) > abs64(c.Terms[best].Product) {
				best = i
			}
		}
		input, elem = 0, c.Terms[best].InputIndex
		why = fmt.Sprintf("term %d/%d, product %d", best+1, c.TermCount(), c.Terms[best].Product)
	case len(c.Sources) > 0:
		k := 0
		// A max-style reduction: the source holding the winning value.
		for i, s := range c.Sources {
			if t := n.Input(s.Input); t != nil && t.Type == m.outTensor().Type && s.Element < t.NumElements() && rawValue(t, s.Element) == float64(c.Final) {
				k = i
				break
			}
		}
		input, elem = c.Sources[k].Input, c.Sources[k].Element
		why = fmt.Sprintf("source %d of %d", k+1, c.SourceCount())
	default:
		m.message = "this element names no input to follow back to"
		return
	}
	t := n.Input(input)
	if t == nil {
		m.message = "the input is absent"
		return
	}
	prod, ok := m.s.producer[t.Index]
	if !ok {
		kind := "a constant"
		if !t.Const {
			kind = "a graph input"
		}
		m.message = fmt.Sprintf("input %d t%d%s is %s: no layer produced it (%s)", input, t.Index, tflite.ShapeString(kernels.Unravel(elem, t.Shape)), kind, why)
		return
	}
	m.history = append(m.history, place{m.op(), m.elem()})
	m.goTo(prod, elem)
	m.message = fmt.Sprintf("followed back to op %d t%d%s via %s (u returns)", prod, t.Index, tflite.ShapeString(kernels.Unravel(elem, t.Shape)), why)
}

func (m *Model) maxError() {
	t := m.outTensor()
	if t == nil || m.s.ref == nil || m.s.ref.Float(t.Index) == nil {
		m.message = "no float reference for this layer"
		return
	}
	best, bestErr := 0, -1.0
	for i := 0; i < t.NumElements(); i++ {
		if e := abs(m.s.ref.ErrorLSB(t.Index, i)); e > bestErr {
			best, bestErr = i, e
		}
	}
	m.tensor.setElem(m.op(), best)
	m.message = fmt.Sprintf("largest |error| in this layer: %.3g LSB at %s", bestErr, tflite.ShapeString(kernels.Unravel(best, t.Shape)))
}

func (m *Model) outTensor() *kernels.Tensor { return outputOf(m.s.ip, m.op()) }

// View implements tea.Model.
func (m *Model) View() tea.View {
	v := tea.NewView(m.Render())
	v.AltScreen = true
	v.WindowTitle = "tflq-trace " + m.s.title
	return v
}

// minWidth and minHeight are the smallest window the layout fits: the
// layers pane (22 columns) beside a tensor pane that shows a few values, and
// the title, a body of a few lines, the status and the key line.
const (
	minWidth  = 40
	minHeight = 10
)

// Render draws the whole screen as text (View's content).
func (m *Model) Render() string {
	if m.winW < minWidth || m.winH < minHeight {
		return m.tooSmall()
	}
	st := &m.s.styles
	W, H := m.width, m.height
	out := make([]string, 0, H)
	out = append(out, st.Title.Render(fit(m.titleLine(W), W)))
	bodyH := H - 3
	if m.showHelp {
		out = append(out, m.helpScreen(W, bodyH)...)
	} else {
		out = append(out, m.body(W, bodyH)...)
	}
	out = append(out, st.Status.Render(fit(m.statusLine(), W)))
	out = append(out, fit(m.bottomLine(), W))
	return strings.Join(out, "\n")
}

// tooSmall is the screen of a window below minWidth×minHeight: what is
// needed, cut to the window (keys still work: q quits, a resize redraws).
func (m *Model) tooSmall() string {
	if m.winW == 0 || m.winH == 0 {
		return ""
	}
	lines := []string{
		fmt.Sprintf("window %d×%d", m.winW, m.winH),
		"too small:",
		fmt.Sprintf("tflq-trace needs %d×%d", minWidth, minHeight),
		"q quits",
	}
	if m.winH < len(lines) {
		lines = []string{fmt.Sprintf("%d×%d: too small, need %d×%d, q quits", m.winW, m.winH, minWidth, minHeight)}
	}
	return strings.Join(block(lines, m.winW, m.winH), "\n")
}

// titleLine names the model, its input, and the runtime (with the base it
// is compared with, or the one running in the background); in a narrow
// window it leaves out the program's name, then the number of ops.
func (m *Model) titleLine(w int) string {
	rt := "runtime " + m.s.runtime().String()
	switch {
	case m.pending >= 0:
		rt += fmt.Sprintf(" → %s…", kernels.Runtime(m.pending))
	case !m.s.onBase():
		rt += " vs " + m.s.baseRuntime().String()
	}
	model := m.s.title
	if m.s.input != "" {
		model += " · " + m.s.input
	}
	ops := fmt.Sprintf("%d ops", len(m.s.ip.Ops()))
	var title string
	for _, parts := range [][]string{{"tflq-trace", model, ops, rt}, {model, ops, rt}, {model, rt}} {
		title = " " + strings.Join(parts, " · ")
		if ansi.StringWidth(title) <= w {
			break
		}
	}
	return title
}

// wide is the three-column layout (layers | tensor | element); narrower
// windows stack the tensor pane above the element pane.
const wideLayout = 150

// paneWidths returns the widths of the layers, tensor and element panes.
func (m *Model) paneWidths() (lw, tw, ew int) {
	W := m.width
	if W >= wideLayout {
		lw = 40
		ew = (W - lw - 2) / 2
		return lw, W - lw - ew - 2, ew
	}
	lw = min(max(W*2/5, 22), 40)
	return lw, W - lw - 1, W
}

// vectorPerRow is how many values a wrapped vector shows per line, which
// is what ↑/↓ move by.
func (m *Model) vectorPerRow() int {
	t := m.outTensor()
	if t == nil {
		return 1
	}
	_, tw, _ := m.paneWidths()
	_, perRow, _ := m.tensor.vectorLayout(m.s, t, tw)
	return perRow
}

// body lays the panes out: three columns when wide, else layers and tensor
// side by side above a full-width element pane. The element pane gets the
// lines it needs (at least half the body when it needs that many), the
// tensor pane the rest.
func (m *Model) body(W, H int) []string {
	st := &m.s.styles
	sep := st.Separator.Render("│")
	op := m.op()
	lw, tw, ew := m.paneWidths()
	if W >= wideLayout {
		left := m.layers.render(m.s, lw, H, m.focus == paneLayers)
		mid := m.tensor.render(m.s, op, tw, H, m.focus == paneTensor)
		right := m.element.render(m.s, ew, H)
		return joinColumns(sep, left, mid, right)
	}
	topNeed := max(m.tensor.need(m.s, op, tw, st.Mono), m.layers.need())
	eMin := min(m.element.need(m.s), H/2)
	th := max(min(topNeed, H-eMin), min(6, H))
	top := joinColumns(sep, m.layers.render(m.s, lw, th, m.focus == paneLayers), m.tensor.render(m.s, op, tw, th, m.focus == paneTensor))
	return append(top, m.element.render(m.s, ew, H-th)...)
}

func (m *Model) statusLine() string {
	t := m.outTensor()
	if t == nil {
		return " op has no output tensor"
	}
	i := m.elem()
	var sb strings.Builder
	fmt.Fprintf(&sb, " t%d%s  q=%s  deq=%.6g", t.Index, tflite.ShapeString(kernels.Unravel(i, t.Shape)), rawString(t, i), dequantize(t, i))
	if m.s.ref != nil {
		if f := m.s.ref.Float(t.Index); i < len(f) {
			unit := " LSB"
			if !t.Quantized() || t.Type == tflite.TypeFloat32 {
				unit = " (real)"
			}
			fmt.Fprintf(&sb, "  ref=%.6g  err=%+.3f%s", f[i], m.s.ref.ErrorLSB(t.Index, i), unit)
		}
	}
	if m.s.differs(t, i) {
		fmt.Fprintf(&sb, "  ≠ %s q=%s", m.s.baseRuntime(), rawString(m.s.base.ip.Tensor(t.Index), i))
	}
	return sb.String()
}

func (m *Model) bottomLine() string {
	st := &m.s.styles
	switch {
	case m.layers.filtering:
		return st.Prompt.Render("/"+m.layers.filter+"▏") + st.Dim.Render("  filter by op or tensor name · enter keep · esc clear")
	case m.layers.jump != "":
		return st.Prompt.Render("go to op "+m.layers.jump+"▏") + st.Dim.Render("  enter jump · esc cancel")
	case m.message != "":
		return st.Warn.Render(" " + m.message)
	case m.element.stepping:
		return st.Prompt.Render("stepping:") + " n next · z next term ≠ 0 · t largest term · f fast-forward · s restart · esc leave"
	}
	return m.help.ShortHelpView(m.keys.ShortHelp())
}

// helpText follows the key list on the help screen, one paragraph a string
// (wrapped to the window).
var helpText = []string{
	"j/k move through the layers when the layers pane has focus, through the tensor when it has (tab).",
	"Values (m): quantized integers · dequantized (q − zero point)·scale · float reference (the same " +
		"graph in float32) · error = (dequantized − reference)/scale in LSB. The status line always shows " +
		"the element under the cursor quantized and dequantized side by side.",
	"Markers: ▶ current op and cursor row, ▲/▼ cursor column, [v] cursor cell, * a step where " +
		"rounding or clamping changed the value, ≠ a layer or value that differs from the runtime the UI " +
		"started with.",
	"s steps into the element: n adds one multiply-accumulate term, shown with the offsets added to " +
		"its input and weight, (in[coordinates] q +in_off)·(w[coordinates] q +w_off) = product, and the running sum; z jumps " +
		"to the next non-zero term, t to the largest; f finishes the accumulation, then n / f walk the " +
		"requantization steps. b jumps to the input element with the largest |product| (or the source " +
		"of a pool / copy) in the layer that produced it; u returns.",
	"r re-runs the model under the next runtime (tflm, tflm-single, tflite-ref, tflite-xnnpack) and " +
		"compares it with the one the UI started with: ≠ marks the layers and values that differ and the " +
		"tensor pane counts them; m adds a Δ mode (the difference in LSB; − . + in mono), d jumps to the " +
		"next element that differs, c shows the element's chain under both runtimes aligned step by step " +
		"(▶ where they part, ≠ on every step that differs). The tensor pane's first line names the " +
		"implementation whose kernel runs the op.",
}

// helpScreen is the key list and helpText in a w×h block; when it is taller
// it scrolls (j/k) and its last line says which lines are shown.
func (m *Model) helpScreen(w, h int) []string {
	body := m.helpBody(w)
	if len(body) <= h {
		return block(body, w, h)
	}
	view := max(h-1, 1)
	top := min(m.helpTop, len(body)-view)
	lines := append([]string(nil), body[top:top+view]...)
	lines = append(lines, m.s.styles.Dim.Render(fmt.Sprintf(" lines %d–%d of %d · j/k scroll · any other key closes", top+1, top+view, len(body))))
	return block(lines, w, h)
}

// helpBody is every line of the help screen for width w.
func (m *Model) helpBody(w int) []string {
	hm := m.help
	hm.ShowAll = true
	body := []string{"", " keys (j/k scroll, any other key closes this help)", ""}
	for _, l := range strings.Split(hm.View(m.keys), "\n") {
		body = append(body, " "+l)
	}
	for _, para := range helpText {
		body = append(body, "")
		for _, l := range wrap(para, w-2) {
			body = append(body, " "+l)
		}
	}
	return body
}

// wrap breaks text into lines of at most w cells at spaces (a longer word
// gets a line of its own).
func wrap(text string, w int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		switch {
		case line == "":
			line = word
		case ansi.StringWidth(line)+1+ansi.StringWidth(word) <= w:
			line += " " + word
		default:
			lines = append(lines, line)
			line = word
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

// fit truncates or pads s (which may hold ANSI styles) to exactly w cells.
func fit(s string, w int) string {
	n := ansi.StringWidth(s)
	if n > w {
		s = ansi.Truncate(s, w, "…")
		n = ansi.StringWidth(s)
	}
	if n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}

// block fits lines into a w×h block.
func block(lines []string, w, h int) []string {
	out := make([]string, h)
	for i := range out {
		if i < len(lines) {
			out[i] = fit(lines[i], w)
		} else {
			out[i] = strings.Repeat(" ", w)
		}
	}
	return out
}

// joinColumns joins equally tall columns with a separator.
func joinColumns(sep string, cols ...[]string) []string {
	h := len(cols[0])
	out := make([]string, h)
	var sb strings.Builder
	for i := 0; i < h; i++ {
		sb.Reset()
		for j, c := range cols {
			if j > 0 {
				sb.WriteString(sep)
			}
			if i < len(c) {
				sb.WriteString(c[i])
			}
		}
		out[i] = sb.String()
	}
	return out
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// Run starts the UI full screen on in/out and returns when the user quits
// or ctx is cancelled (then with an error wrapping tea.ErrProgramKilled);
// either way the terminal is restored first. NO_COLOR (any non-empty value)
// selects the monochrome rendering.
//
// Signals are the caller's: bubbletea's own SIGINT/SIGTERM handler is off,
// so a caller that wants them to end the UI cancels ctx on them (the
// command does, with signal.NotifyContext). With both handlers on, a
// signal reached bubbletea and the caller's context in either order, and
// the command sometimes saw bubbletea's "program was interrupted" before
// its context was cancelled (exit 1 instead of 130).
func Run(ctx context.Context, ip *trace.Interpreter, ref Reference, opt Options, in io.Reader, out io.Writer) error {
	if os.Getenv("NO_COLOR") != "" {
		opt.Mono = true
	}
	if opt.Title == "" {
		opt.Title = "model"
	}
	opt.Title = filepath.Base(opt.Title)
	opts := []tea.ProgramOption{tea.WithContext(ctx), tea.WithInput(in), tea.WithOutput(out), tea.WithoutSignalHandler()}
	if opt.Mono {
		opts = append(opts, tea.WithColorProfile(colorprofile.ASCII))
	}
	_, err := tea.NewProgram(New(ip, ref, opt), opts...).Run()
	return err
}
