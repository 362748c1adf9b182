package ui

// Yours: a user's own numbers for some tensors (tflq-trace ui --tensor
// I=FILE / --against DIR, read as check reads them), shown next to the
// run's: the tensor pane marks ✗ the cells where they differ, the element
// pane says the user's value under the chain, and y shows check's
// diagnosis of the first operator where they part.

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/tflq/tflq-trace/kernels"
	"github.com/tflq/tflq-trace/tflite"
	"github.com/tflq/tflq-trace/trace"
)

// Yours are a user's own values, by tensor index, and the file each came
// from.
type Yours struct {
	Values map[int]trace.UserValues
	Files  map[int]string
}

// yours is the session's copy of the user's values, with a matcher per
// tensor and the diagnosis once y asked for it.
type yours struct {
	values  map[int]trace.UserValues
	files   map[int]string
	diag    []string           // check's diagnosis lines (nil until computed)
	rows    []kernels.StepPair // the first differing element's chains, aligned
	labels  [2]string          // whose chains rows pairs
	source  int                // the diagnosed operator (−1: none)
	first   int                // its first differing element
	checked bool
}

func newYours(y *Yours) *yours {
	if y == nil || len(y.Values) == 0 {
		return nil
	}
	return &yours{values: y.Values, files: y.Files, source: -1, first: -1}
}

// yoursOf returns the user's values for t (ok false when none, or when
// their count does not fit the tensor).
func (s *session) yoursOf(t *kernels.Tensor) (trace.UserValues, bool) {
	if s.yours == nil || t == nil {
		return trace.UserValues{}, false
	}
	u, ok := s.yours.values[t.Index]
	return u, ok && u.Len() == t.NumElements()
}

// yoursDiffers reports whether the user's element i of t differs from the
// current run's.
func (s *session) yoursDiffers(t *kernels.Tensor, i int) bool {
	u, ok := s.yoursOf(t)
	if !ok {
		return false
	}
	return !trace.NewMatcher(t, u).Match(i, storedNumber(t, i))
}

// storedNumber is element i as a Matcher takes it: the raw value, the
// float itself for float32.
func storedNumber(t *kernels.Tensor, i int) float64 { return rawValue(t, i) }

// yoursLine says how the user's values for t compare with the current run.
func (s *session) yoursLine(t *kernels.Tensor, w int) string {
	u, _ := s.yoursOf(t)
	tc := trace.CheckTensor(t, u)
	file := s.yours.files[t.Index]
	if tc.Differ == 0 {
		return s.styles.Dim.Render(fit(fmt.Sprintf(" yours (%s): all %d equal", file, tc.Elements), w))
	}
	line := fmt.Sprintf(" ✗ yours (%s): %d of %d differ", file, tc.Differ, tc.Elements)
	if ansi.StringWidth(line)+len(" · y: diagnosis") <= w {
		line += " · y: diagnosis"
	}
	return s.styles.Changed.Render(fit(line, w))
}

// yoursElementLine is the element pane's line with the user's value.
func (s *session) yoursElementLine(t *kernels.Tensor, elem int) (string, bool) {
	u, ok := s.yoursOf(t)
	if !ok {
		return "", false
	}
	var txt string
	if u.IsReal() {
		txt = fmt.Sprintf("%.7g (real)", u.Reals[elem])
	} else {
		txt = fmt.Sprint(u.Ints[elem])
	}
	if s.yoursDiffers(t, elem) {
		return s.styles.Changed.Render(fmt.Sprintf(" ✗ yours %s ≠ %s (%s) · y: diagnosis", txt, rawString(t, elem), s.runtime())), true
	}
	return s.styles.Dim.Render(fmt.Sprintf(" yours %s = %s", txt, rawString(t, elem))), true
}

// diagnose compares the user's values with the base run, finds the first
// operator whose output differs while its inputs match, and diagnoses it
// (trace.Diagnose), once; the lines are check's.
func (s *session) diagnose() error {
	y := s.yours
	if y.checked {
		return nil
	}
	y.checked = true
	ip := s.base.ip
	differs := map[int]bool{}
	for i, u := range y.values {
		t := ip.Tensor(i)
		if t == nil || u.Len() != t.NumElements() {
			continue
		}
		differs[i] = trace.CheckTensor(t, u).Differ > 0
	}
	loc := trace.Localize(ip, differs)
	if loc.Source < 0 {
		if len(loc.DifferingInputs) == 0 && len(loc.Propagated) == 0 {
			y.diag = []string{fmt.Sprintf("every value of yours matches %s's", s.baseRuntime())}
		} else {
			y.diag = []string{"no operator to blame: every operator output that differs has an input that differs"}
			for _, i := range loc.DifferingInputs {
				y.diag = append(y.diag, fmt.Sprintf("  t%d differs and no operator computes it (a graph input or a constant)", i))
			}
		}
		return nil
	}
	out := 0
	for k, t := range ip.Ops()[loc.Source].Node.Outputs {
		if t != nil && t.Index == loc.SourceTensor {
			out = k
		}
	}
	d, err := ip.Diagnose(loc.Source, out, y.values[loc.SourceTensor])
	if err != nil {
		return err
	}
	y.source, y.first = loc.Source, d.FirstDiff
	y.diag = append([]string{fmt.Sprintf("source: op %d %s — its output t%d differs while its inputs match (%s)",
		loc.Source, d.OpName, loc.SourceTensor, s.baseRuntime())}, d.Summary()...)
	if d.FirstDiff >= 0 {
		t := ip.Tensor(loc.SourceTensor)
		u := y.values[loc.SourceTensor]
		yv := fmt.Sprint(u.At(d.FirstDiff))
		if !u.IsReal() {
			yv = fmt.Sprint(u.Ints[d.FirstDiff])
		}
		y.diag = append(y.diag, fmt.Sprintf("first differing element %s (the cursor is on it): yours %s, %s %s",
			tflite.ShapeString(kernels.Unravel(d.FirstDiff, t.Shape)), yv, s.baseRuntime(), rawString(t, d.FirstDiff)))
		rc, err := d.RuntimeChain(d.FirstDiff)
		if err != nil {
			return err
		}
		if dc, err := d.DiagnosedChain(d.FirstDiff); err == nil && dc != nil && d.Exact() {
			y.rows = kernels.AlignChains(rc, dc)
			y.labels = [2]string{s.baseRuntime().String(), "yours"}
			if d.HasOtherRuntime {
				y.labels[1] = d.OtherRuntime.String()
			}
		}
	}
	for _, p := range loc.Propagated {
		y.diag = append(y.diag, fmt.Sprintf("later: op %d %s differs because its input(s) %s do", p.Op, ip.Ops()[p.Op].Name, trace.TensorList(p.Inputs)))
	}
	return nil
}

// showDiagnosis is the y key: the diagnosis in the element pane, the
// cursor on the diagnosed operator's first differing element (u returns);
// y again goes back to the chain.
func (m *Model) showDiagnosis() {
	if m.s.yours == nil {
		m.message = "no values of yours: start with ui --tensor I=FILE or --against DIR"
		return
	}
	if m.element.diagnosis {
		m.element.diagnosis = false
		return
	}
	if err := m.s.diagnose(); err != nil {
		m.message = "diagnosis: " + err.Error()
		return
	}
	if y := m.s.yours; y.source >= 0 && y.first >= 0 && (m.op() != y.source || m.elem() != y.first) {
		m.history = append(m.history, place{m.op(), m.elem()})
		m.goTo(y.source, y.first)
		m.message = fmt.Sprintf("op %d: the first operator where your values part (u returns; y closes the diagnosis)", y.source)
	}
	m.element.diagnosis, m.element.stepping, m.element.pair = true, false, false
}

// renderDiagnosis is the element pane showing the diagnosis, each line
// wrapped to the pane's width.
func (p *elementPane) renderDiagnosis(s *session, head []string, w int) []string {
	lines := head
	lines = append(lines, s.styles.Dim.Render(" check's diagnosis of your values · y: back to the chain"))
	for _, l := range s.yours.diag {
		indent := ""
		if strings.HasPrefix(l, "  ") {
			indent = "   "
		}
		parts := wrap(strings.TrimSpace(l), max(w-2-len(indent), 10))
		if len(parts) == 0 {
			parts = []string{""} // a blank line stays
		}
		for _, part := range parts {
			lines = append(lines, " "+indent+part)
			indent = strings.Repeat(" ", len(indent)+2)
		}
	}
	if rows := s.yours.rows; len(rows) > 0 {
		lines = append(lines, s.styles.Dim.Render(fmt.Sprintf(" its chains step by step (%s, then %s, where they part; ▶ the first step that differs):", s.yours.labels[0], s.yours.labels[1])))
		nameW, labW := 4, max(len(s.yours.labels[0]), len(s.yours.labels[1]))
		for _, r := range rows {
			nameW = max(nameW, len(r.Name()))
		}
		parted := kernels.FirstParting(rows)
		for i, r := range rows {
			mark := r.Mark(i, parted)
			formula := func(st *kernels.Step) string {
				if st == nil {
					return "—"
				}
				return st.Formula
			}
			if !r.Differs() && formula(r.A) == formula(r.B) {
				lines = append(lines, fit(fmt.Sprintf(" %s %-*s  %s", mark, nameW, r.Name(), formula(r.A)), w))
				continue
			}
			lines = append(lines, s.styles.Changed.Render(fit(fmt.Sprintf(" %s %-*s  %-*s  %s", mark, nameW, r.Name(), labW, s.yours.labels[0], formula(r.A)), w)))
			lines = append(lines, s.styles.Changed.Render(fit(fmt.Sprintf("   %-*s  %-*s  %s", nameW, "", labW, s.yours.labels[1], formula(r.B)), w)))
		}
	}
	return lines
}
