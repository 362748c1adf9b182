package ui

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/tflq/tflq-trace/internal/sharedtest"
	"github.com/tflq/tflq-trace/kernels"
	"github.com/tflq/tflq-trace/tflite"
	"github.com/tflq/tflq-trace/trace"
)

// settle runs the command a key returned (a background run) and feeds its
// message back, as Bubble Tea does.
func settle(t testing.TB, m *Model, cmd tea.Cmd) {
	t.Helper()
	for cmd != nil {
		_, cmd = m.Update(cmd())
	}
}

// rerun runs ip's model on ip's input bytes under rt, independently of the
// UI: the reference the UI's differences are checked against.
func rerun(t testing.TB, ip *trace.Interpreter, rt kernels.Runtime) *trace.Interpreter {
	t.Helper()
	other, err := trace.New(ip.Model(), trace.Options{Runtime: rt})
	if err != nil {
		t.Fatal(err)
	}
	for k, in := range ip.Inputs() {
		if err := other.SetInput(k, in.Data); err != nil {
			t.Fatal(err)
		}
	}
	if err := other.Invoke(); err != nil {
		t.Fatal(err)
	}
	return other
}

// differing lists the flat indices of op's first output whose stored bytes
// differ between two runs.
func differing(a, b *trace.Interpreter, op int) []int {
	ta := a.Ops()[op].Node.Outputs[0]
	tb := b.Tensor(ta.Index)
	size := ta.Type.Size()
	var out []int
	for i := 0; i < ta.NumElements(); i++ {
		if string(ta.Data[i*size:(i+1)*size]) != string(tb.Data[i*size:(i+1)*size]) {
			out = append(out, i)
		}
	}
	return out
}

// pairRowShows checks that scr has a chain-pair row: the mark, the step
// name, the runtime label (empty for a shared row) and the start of the
// formula (long formulas are cut at the pane's edge), apart by spaces.
func pairRowShows(t *testing.T, scr, mark, name, label, formula string) {
	t.Helper()
	formula = string([]rune(formula)[:min(len([]rune(formula)), 30)])
	pat := `(?m)^ ` + regexp.QuoteMeta(mark) + ` +`
	if name != "" {
		pat += regexp.QuoteMeta(name) + ` +`
	}
	if label != "" {
		pat += regexp.QuoteMeta(label) + ` +`
	}
	if !regexp.MustCompile(pat + regexp.QuoteMeta(formula)).MatchString(scr) {
		t.Errorf("screen lacks the row %q %q %q %q…:\n%s", mark, name, label, formula, scr)
	}
}

// TestSampleRuntimeCycling runs the bundled mnist_cnn on the bundled 0
// under tflm (TFLite-Micro, double rounding), then r re-runs it under
// tflm-single: CONV_2D [0,14,8,3] rounds to −44 instead of −43 (its acc_bias
// 50361 times M lands near a half: double rounding gives 85, single 84,
// before the zero point −128), and the difference carries through
// MAX_POOL_2D and RESHAPE. The screen must show the runtime, the layers and
// elements that differ (≠, counts from comparing two independent runs), d
// on the differing element, the Δ mode and the two chains side by side;
// r then goes on to tflite-ref, tflite-xnnpack and back to tflm.
func TestSampleRuntimeCycling(t *testing.T) {
	ip, sh := sampleRun(t, "mnist_cnn", 0)
	single := rerun(t, ip, kernels.RuntimeTFLMSingle)
	diff := make([][]int, len(ip.Ops()))
	layers := 0
	for op := range ip.Ops() {
		diff[op] = differing(single, ip, op)
		if len(diff[op]) > 0 {
			layers++
		}
	}
	conv := ip.Ops()[0].Node.Outputs[0]
	const want = 2979 // [0,14,8,3] = ((14·26)+8)·8+3
	if len(diff[0]) != 1 || diff[0][0] != want || single.Tensor(conv.Index).Int(want) != -44 || conv.Int(want) != -43 {
		t.Fatalf("conv differs at %v (want only %d, −44 under tflm-single, −43 under tflm)", diff[0], want)
	}
	if layers != 3 || len(diff[1]) != 1 || len(diff[2]) != 1 {
		t.Fatalf("%d layers differ (%v); want CONV_2D, MAX_POOL_2D and RESHAPE with one element each", layers, diff)
	}

	m := newSized(ip, FromShadow(sh), Options{Title: "sample:mnist_cnn", Input: "digit 0_3.png", Mono: true}, 100, 40)
	screenShows(t, screen(m), " tflq-trace · sample:mnist_cnn · digit 0_3.png · 5 ops · runtime tflm ")
	press(t, m, "tab")
	if cmd := press(t, m, "d"); cmd != nil || !strings.Contains(m.message, "nothing differs") || m.elem() != 0 {
		t.Errorf("d on the base run: message %q, elem %d", m.message, m.elem())
	}
	if press(t, m, "c"); m.element.pair || !strings.Contains(m.message, "switch the runtime first") {
		t.Errorf("c on the base run: pair %v, message %q", m.element.pair, m.message)
	}
	cmd := press(t, m, "r")
	if cmd == nil || m.pending != int(kernels.RuntimeTFLMSingle) {
		t.Fatalf("r returned no background run (pending %d)", m.pending)
	}
	screenShows(t, screen(m), "runtime tflm → tflm-single…")
	settle(t, m, cmd)
	if rt := m.s.ip.Options().Runtime; rt != kernels.RuntimeTFLMSingle || m.pending >= 0 {
		t.Fatalf("after r the runtime is %v (pending %d), want tflm-single", rt, m.pending)
	}
	scr := screen(m)
	screenShows(t, scr, "runtime tflm-single vs tflm", fmt.Sprintf("layers 5 · %d ≠ tflm", layers),
		fmt.Sprintf("runtime tflm-single: %d of 5 layers differ from tflm", layers),
		fmt.Sprintf("≠ %d of %d differ from tflm · 0 in ch 0", len(diff[0]), conv.NumElements()))
	for op, d := range diff {
		row := fmt.Sprintf("%d %s", op, ip.Ops()[op].Name)
		if len(d) > 0 {
			row = fmt.Sprintf("%d≠%s", op, ip.Ops()[op].Name)
		}
		screenShows(t, scr, row[:min(len(row), 13)])
	}
	if m.op() != 0 || m.elem() != 0 || m.focus != paneTensor {
		t.Errorf("the switch moved the cursor: op %d elem %d focus %d", m.op(), m.elem(), m.focus)
	}

	// d: the differing element, with both values.
	press(t, m, "d")
	if m.elem() != want {
		t.Fatalf("d went to %d %v, want %d [0,14,8,3]", m.elem(), kernels.Unravel(m.elem(), conv.Shape), want)
	}
	scr = golden(t, m, "sample_cnn_tflm_single_diff_mono")
	screenShows(t, scr, "≠ 1 of 1 at [0,14,8,3]: tflm-single -44, tflm -43 (d: next)",
		"≠ 1 of 5408 differ from tflm · 1 in ch 3 · d: next", "t6[0,14,8,3]  q=-44", "≠ tflm q=-43",
		"element t6[0,14,8,3] = -44", "final -44")
	// The largest term names its operands by coordinates: input [1,28,28,1]
	// at y, x and weights [8,3,3,1] at oc, ky, kx, ic.
	cs0, err := single.Explain(0, 0, want)
	if err != nil {
		t.Fatal(err)
	}
	big := 0
	for k, tm := range cs0.Terms {
		if abs64(tm.Product) > abs64(cs0.Terms[big].Product) {
			big = k
		}
	}
	tb := cs0.Terms[big]
	ic, wc := kernels.Unravel(tb.InputIndex, []int{1, 28, 28, 1}), kernels.Unravel(tb.WeightIndex, []int{8, 3, 3, 1})
	screenShows(t, scr, fmt.Sprintf("largest: term %d in[y=%d,x=%d,c=%d]=%d · w[oc=%d,ky=%d,kx=%d,ic=%d]=%d → %d (b follows it)",
		big+1, ic[1], ic[2], ic[3], tb.Input, wc[0], wc[1], wc[2], wc[3], tb.Weight, tb.Product))
	press(t, m, "d") // the only one: d wraps onto it again
	if m.elem() != want || !strings.Contains(m.message, "≠ 1 of 1") {
		t.Errorf("d again: elem %d, message %q", m.elem(), m.message)
	}

	// m cycles five modes away from the base run; Δ is −1 at the element
	// and 0 elsewhere: one "-" among "." in the mono heatmap.
	for i, mode := range []valueMode{modeDequantized, modeReference, modeError, modeDelta} {
		press(t, m, "m")
		if m.tensor.mode != mode {
			t.Fatalf("after %d× m mode %v, want %v", i+1, m.tensor.mode, mode)
		}
	}
	scr = screen(m)
	screenShows(t, scr, "values: Δ vs tflm (LSB) (m cycles)", "colours -1 … 1")
	minus, dots := 0, 0
	for _, l := range strings.Split(scr, "\n") {
		if _, right, ok := strings.Cut(l, "│"); ok && (strings.HasPrefix(right, "  .") || strings.HasPrefix(right, "▶ ")) {
			minus += strings.Count(right, "-")
			dots += strings.Count(right, ".")
		}
	}
	if minus != 1 || dots < 26*5 {
		t.Errorf("Δ heatmap: %d '-' and %d '.', want one '-' among the dots", minus, dots)
	}

	// c: the element's chain under both runtimes, step by step.
	press(t, m, "c")
	if !m.element.pair {
		t.Fatal("c did not show the chain pair")
	}
	scr = golden(t, m, "sample_cnn_tflm_single_pair_mono")
	cs, err := single.Explain(0, 0, want)
	if err != nil {
		t.Fatal(err)
	}
	cd, err := ip.Explain(0, 0, want)
	if err != nil {
		t.Fatal(err)
	}
	screenShows(t, scr, "tflm-single (current) vs tflm (started with)",
		"final tflm-single -44 ≠ tflm -43", "▶ the chains part at product; ≠ marks every step that differs")
	pairRowShows(t, scr, "▶", "product", "tflm-single", chainStep(t, cs, "product").Formula)
	pairRowShows(t, scr, "≠", "round_shift", "tflm-single", chainStep(t, cs, "round_shift").Formula)
	pairRowShows(t, scr, "≠", "srdhm", "tflm", chainStep(t, cd, "srdhm").Formula)
	pairRowShows(t, scr, "≠", "rdbpot", "tflm", chainStep(t, cd, "rdbpot").Formula)
	pairRowShows(t, scr, "≠", "zp", "tflm-single", chainStep(t, cs, "zp").Formula)
	pairRowShows(t, scr, " ", "", "tflm", chainStep(t, cd, "zp").Formula)
	pairRowShows(t, scr, " ", "acc", "", chainStep(t, cd, "acc").Formula)
	pairRowShows(t, scr, " ", "M", "", chainStep(t, cd, "M").Formula)
	// The pair stays on while the cursor moves, to the pool's element that
	// differs (the window's maximum is the conv element).
	press(t, m, "tab", "j", "tab", "d")
	if m.op() != 1 || m.elem() != diff[1][0] || !m.element.pair {
		t.Fatalf("pool: op %d elem %d pair %v, want op 1 elem %d with the pair", m.op(), m.elem(), m.element.pair, diff[1][0])
	}
	scr = screen(m)
	pairRowShows(t, scr, "▶", "max", "tflm-single", "max(window) = -44")
	pairRowShows(t, scr, " ", "", "tflm", "max(window) = -43")
	press(t, m, "c")

	// RESHAPE's vector table: the differing value carries ≠ (the cursor is
	// on it), the others a blank mark column.
	press(t, m, "tab", "j", "tab", "d")
	if m.op() != 2 || m.elem() != diff[2][0] {
		t.Fatalf("reshape: op %d elem %d, want op 2 elem %d", m.op(), m.elem(), diff[2][0])
	}
	scr = golden(t, m, "sample_cnn_tflm_single_reshape_delta_mono")
	screenShows(t, scr, "values: Δ vs tflm (LSB)", "≠ 1 of 1352 differ from tflm")
	cursorCell := regexp.MustCompile(`\[ *(-?\d+)≠\]`)
	if f := cursorCell.FindStringSubmatch(scr); f == nil || f[1] != "-1" {
		t.Errorf("the cursor cell is not Δ −1 marked ≠: %v", f)
	}
	press(t, m, "m") // back to quantized values
	scr = screen(m)
	if f := cursorCell.FindStringSubmatch(scr); f == nil || f[1] != "-44" {
		t.Errorf("the cursor cell is not −44 marked ≠: %v", f)
	}
	if c := regexp.MustCompile(`-?\d+≠`).FindAllString(tableLines(scr), -1); len(c) != 1 {
		t.Errorf("table marks %v, want only the one differing value", c)
	}
	if tableLines(scr) == "" || strings.Count(tableLines(scr), "\n") < 5 {
		t.Errorf("no table lines found:\n%s", scr)
	}

	// r: tflite-ref, then tflite-xnnpack, each compared with tflm as an
	// independent run of that runtime says (TFLite's optimized kernels round
	// CONV_2D once, as ruy does), each op's title naming the implementation
	// that runs it.
	for _, rt := range []kernels.Runtime{kernels.RuntimeTFLiteRef, kernels.RuntimeTFLiteXNNPACK} {
		settle(t, m, press(t, m, "r"))
		if m.s.ip.Options().Runtime != rt {
			t.Fatalf("r: runtime %v, want %v", m.s.ip.Options().Runtime, rt)
		}
		other := rerun(t, ip, rt)
		layers := 0
		for op := range ip.Ops() {
			if len(differing(other, ip, op)) > 0 {
				layers++
			}
		}
		reshape := differing(other, ip, 2)
		cursorDiffers := false
		for _, i := range reshape {
			cursorDiffers = cursorDiffers || i == m.elem()
		}
		scr := screen(m)
		counts := "= all 1352 equal to tflm"
		if len(reshape) > 0 {
			counts = fmt.Sprintf("≠ %d of 1352 differ from tflm", len(reshape))
		}
		screenShows(t, scr, "runtime "+rt.String()+" vs tflm", fmt.Sprintf("layers 5 · %d ≠ tflm", layers), counts,
			"op 2 RESHAPE · output t8 · "+other.Ops()[2].Impl.String())
		if strings.Contains(scr, "≠ tflm q=") != cursorDiffers || m.tensor.mode != modeQuantized {
			t.Errorf("%v: the status line's base value shown %v, the cursor element differs %v; mode %v", rt, strings.Contains(scr, "≠ tflm q="), cursorDiffers, m.tensor.mode)
		}
		t.Logf("%v: %d layers differ from tflm, RESHAPE %d elements", rt, layers, len(reshape))
	}
	// Under tflite-xnnpack the delegate runs CONV_2D: its title says so.
	press(t, m, "g")
	if m.s.ip.Ops()[0].Impl != kernels.ImplXNNPACK {
		t.Fatalf("CONV_2D under tflite-xnnpack runs on %v", m.s.ip.Ops()[0].Impl)
	}
	screenShows(t, screen(m), "op 0 CONV_2D · output t6 · XNNPACK delegate")
	press(t, m, "2", "enter")
	// Back to tflm: from the cache, no background run; nothing differs, Δ
	// leaves the m cycle.
	press(t, m, "m", "m", "m", "m")
	if m.tensor.mode != modeDelta {
		t.Fatalf("mode %v, want Δ", m.tensor.mode)
	}
	if cmd := press(t, m, "r"); cmd != nil || m.s.ip != ip {
		t.Fatalf("r back to tflm: cmd %v, interpreter %p (want the one the UI started with)", cmd != nil, m.s.ip)
	}
	scr = screen(m)
	if strings.Contains(scr, "≠") || strings.Contains(scr, " vs ") || m.tensor.mode != modeQuantized {
		t.Errorf("back on tflm the screen still marks differences or mode is %v:\n%s", m.tensor.mode, scr)
	}
	screenShows(t, scr, "runtime tflm, the one the UI started with")
}

// tableLines is the tensor pane's value lines of a stacked screen (the
// lines that start with an index label after the layers pane).
func tableLines(scr string) string {
	var out []string
	for _, l := range strings.Split(scr, "\n") {
		if _, right, ok := strings.Cut(l, "│"); ok && regexp.MustCompile(`^ *\d+:`).MatchString(right) {
			out = append(out, right)
		}
	}
	return strings.Join(out, "\n")
}

// TestSampleDenseTFLiteRef: under tflite-ref the dense layer runs on
// LiteRT's reference FULLY_CONNECTED (the pane's title says so), which
// requantizes in double with an M computed in double: the two chains part
// at M, then round_double against srdhm/rdbpot, and end at the same value.
func TestSampleDenseTFLiteRef(t *testing.T) {
	ip, sh := sampleRun(t, "mnist_dense", 7)
	m := newSized(ip, FromShadow(sh), Options{Title: "sample:mnist_dense", Input: "digit 7_0.png", Mono: true}, 100, 30)
	press(t, m, "j", "tab", "l", "l", "l", "l", "l", "l", "l")
	settle(t, m, press(t, m, "r")) // tflm-single
	settle(t, m, press(t, m, "r")) // tflite-ref
	if m.s.ip.Ops()[1].Impl != kernels.ImplTFLiteRef {
		t.Fatalf("FULLY_CONNECTED under tflite-ref runs on %v", m.s.ip.Ops()[1].Impl)
	}
	press(t, m, "c")
	scr := golden(t, m, "sample_dense_tflite_ref_pair_mono")
	ref := rerun(t, ip, kernels.RuntimeTFLiteRef)
	cr, err := ref.Explain(1, 0, 7)
	if err != nil {
		t.Fatal(err)
	}
	cd, err := ip.Explain(1, 0, 7)
	if err != nil {
		t.Fatal(err)
	}
	screenShows(t, scr, "op 1 FULLY_CONNECTED · full TFLite reference kernel", "runtime tflite-ref vs tflm",
		// LiteRT's FULLY_CONNECTED keeps M in double: no multiplier and shift.
		"M[output]=0.0002292140131 (real, no Q0.31)",
		fmt.Sprintf("final tflite-ref %d = tflm %d", cr.Final, cd.Final),
		"= all 10 equal to tflm")
	rows := kernels.AlignChains(cr, cd)
	parted := kernels.FirstParting(rows)
	if parted < 0 {
		t.Fatal("the tflite-ref and tflm chains agree at every step")
	}
	screenShows(t, scr, "▶ the chains part at "+rows[parted].Name()+" but end at the same value")
	for i, r := range rows {
		mark := "≠"
		if i == parted {
			mark = "▶"
		}
		switch {
		case !r.Differs() && r.A.Formula == r.B.Formula:
			if r.Name() != "input_offset" && r.Name() != "filter_offset" && r.Name() != "terms" {
				pairRowShows(t, scr, " ", r.Name(), "", r.A.Formula)
			}
		case r.A != nil && r.B != nil:
			if !r.Differs() {
				mark = " "
			}
			pairRowShows(t, scr, mark, r.Name(), "tflite-ref", r.A.Formula)
			pairRowShows(t, scr, " ", "", "tflm", r.B.Formula)
		case r.A != nil:
			pairRowShows(t, scr, mark, r.Name(), "tflite-ref", r.A.Formula)
		default:
			pairRowShows(t, scr, mark, r.Name(), "tflm", r.B.Formula)
		}
	}
	if !strings.HasPrefix(chainStep(t, cr, "round_double").Formula, "round_half_away(") {
		t.Errorf("tflite-ref's chain has no round_half_away step: %+v", cr.Steps)
	}
}

// TestRuntimeRefused: a runtime that refuses the model says so in one line
// and the UI stays on its run; r then tries the next runtime. The legacy
// uint8 MobileNet runs under full TFLite (tflite-ref) but TFLite-Micro has
// no uint8 convolution.
func TestRuntimeRefused(t *testing.T) {
	dir := filepath.Join(sharedtest.Dir(t), "models")
	model, err := tflite.ReadFile(filepath.Join(dir, "mobilenet_v1_0.25_128_quant_uint8.tflite"))
	if err != nil {
		t.Fatal(err)
	}
	ip, err := trace.New(model, trace.Options{Runtime: kernels.RuntimeTFLiteRef})
	if err != nil {
		t.Fatal(err)
	}
	for i := range ip.Inputs()[0].Data {
		ip.Inputs()[0].Data[i] = byte(i * 7 % 251)
	}
	if err := ip.Invoke(); err != nil {
		t.Fatal(err)
	}
	m := newSized(ip, nil, Options{Title: "mobilenet_v1_0.25_128_quant_uint8.tflite", Mono: true}, 100, 30)
	// r walks tflite-xnnpack, tflm, tflm-single: each either runs the model
	// (as trace.New + Invoke says, independently) and becomes the current
	// runtime, or refuses it and the UI stays where it was.
	current, refusals := kernels.RuntimeTFLiteRef, 0
	for _, rt := range []kernels.Runtime{kernels.RuntimeTFLiteXNNPACK, kernels.RuntimeTFLM, kernels.RuntimeTFLMSingle} {
		_, refErr := trace.New(model, trace.Options{Runtime: rt})
		settle(t, m, press(t, m, "r"))
		scr := screen(m)
		checkSize(t, scr, 100, 30)
		if refErr == nil {
			current = rt
			if m.s.runtime() != rt {
				t.Fatalf("r to %v, which runs the model: runtime %v (%s)", rt, m.s.runtime(), m.message)
			}
			continue
		}
		refusals++
		if m.s.runtime() != current {
			t.Fatalf("r to %v, which refuses the model (%v): runtime %v, want to stay on %v", rt, refErr, m.s.runtime(), current)
		}
		want := fmt.Sprintf("%s cannot run this model, staying on %s (r tries the next): %v", rt, current, refErr)
		if _, ok := m.refused[rt]; !ok || m.message != want {
			t.Errorf("refusal message %q, want %q", m.message, want)
		}
		if lines := strings.Split(scr, "\n"); !strings.HasPrefix(lines[len(lines)-1], " "+rt.String()+" cannot run") {
			t.Errorf("the refusal is not the bottom line:\n%s", scr)
		}
		screenShows(t, scr, "runtime "+current.String())
	}
	if _, tflmRefuses := m.refused[kernels.RuntimeTFLM]; !tflmRefuses || refusals == 0 {
		t.Fatalf("TFLite-Micro did not refuse the uint8 model (refused: %v)", m.refused)
	}
	if cmd := press(t, m, "r"); cmd != nil || m.s.ip != ip {
		t.Errorf("r after the refusals: back to the tflite-ref run from the cache? cmd %v, runtime %v", cmd != nil, m.s.runtime())
	}
	// A second round: the refusal is remembered, no second run.
	for m.tried != kernels.RuntimeTFLiteXNNPACK {
		settle(t, m, press(t, m, "r"))
	}
	if cmd := press(t, m, "r"); cmd != nil || !strings.HasPrefix(m.message, "tflm cannot run") {
		t.Errorf("the remembered refusal: cmd %v, message %q", cmd != nil, m.message)
	}
}

// TestMicroStepJumps: on the dense sample's output 7, z accumulates up to
// the next term whose product is not 0 (the image's blank border gives 202
// zeros first), t up to the term with the largest |product|, each listed
// with its offsets; on an element without terms both say so.
func TestMicroStepJumps(t *testing.T) {
	ip, sh := sampleRun(t, "mnist_dense", 7)
	c, _ := explainRequantization(t, ip, 1, 7)
	inOff, wOff := chainStep(t, c, "input_offset").Value, chainStep(t, c, "filter_offset").Value
	var nonZero []int // 1-based term numbers of the non-zero products
	best := 0
	for k, tm := range c.Terms {
		if tm.Product != 0 {
			nonZero = append(nonZero, k+1)
		}
		if abs64(tm.Product) > abs64(c.Terms[best].Product) {
			best = k
		}
	}
	if len(nonZero) < 2 || nonZero[0] != 203 || best+1 != 269 {
		t.Fatalf("non-zero terms start at %v, largest %d: the walkthrough below expects 203 and 269", nonZero[:min(2, len(nonZero))], best+1)
	}
	termLine := func(k int, sum int64) string {
		tm := c.Terms[k-1]
		// FULLY_CONNECTED names input[k] and weights[o,k] (weights [10,784]).
		return fmt.Sprintf("%d/784 (in[k=%d] %d +%d)·(w[o=%d,k=%d] %d +%d) = %d   Σ %d", k, tm.InputIndex, tm.Input, inOff,
			tm.WeightIndex/784, tm.WeightIndex%784, tm.Weight, wOff, tm.Product, sum)
	}
	sumTo := func(k int) (s int64) {
		for _, tm := range c.Terms[:k] {
			s += tm.Product
		}
		return s
	}

	m := newSized(ip, FromShadow(sh), Options{Title: "sample:mnist_dense", Input: "digit 7_0.png", Mono: true}, 100, 30)
	press(t, m, "z") // QUANTIZE: no terms
	if m.element.stepping || m.message != "this element has no multiply-accumulate terms" {
		t.Errorf("z on QUANTIZE: stepping %v, message %q", m.element.stepping, m.message)
	}
	press(t, m, "j", "tab", "l", "l", "l", "l", "l", "l", "l", "z")
	if !m.element.stepping || m.element.term != nonZero[0] {
		t.Fatalf("z: stepping %v at term %d, want term %d", m.element.stepping, m.element.term, nonZero[0])
	}
	scr := screen(m)
	screenShows(t, scr, termLine(nonZero[0], sumTo(nonZero[0])), fmt.Sprintf("term %d/784 · running sum Σ = %d", nonZero[0], sumTo(nonZero[0])))
	press(t, m, "z")
	if m.element.term != nonZero[1] {
		t.Errorf("z again: term %d, want %d", m.element.term, nonZero[1])
	}
	press(t, m, "t")
	if m.element.term != best+1 {
		t.Fatalf("t: term %d, want %d", m.element.term, best+1)
	}
	scr = golden(t, m, "sample_dense_fc_largest_term")
	screenShows(t, scr, termLine(best+1, sumTo(best+1)),
		fmt.Sprintf("term %d/784 has the largest |product|, %d (b follows it back)", best+1, c.Terms[best].Product),
	)
	// z past the last non-zero term completes the sum.
	press(t, m, repeat("z", len(nonZero))...)
	if m.element.term != 784 || m.message != "no non-zero term after term 784: the sum is complete (n walks the steps)" {
		t.Errorf("z at the end: term %d, message %q", m.element.term, m.message)
	}
	screenShows(t, screen(m), fmt.Sprintf("running sum Σ = %d", chainStep(t, c, "acc").Value))
}

// TestCutHeatmap80x24: at 80×24 the CONV_2D channel (26 rows) does not fit:
// the pane says which rows it shows and they follow the cursor, in mono
// (one row a line) and colour (two).
func TestCutHeatmap80x24(t *testing.T) {
	ip, sh := sampleRun(t, "mnist_cnn", 3)
	showing := regexp.MustCompile(`showing rows (\d+)–(\d+) of 26 · ↑/↓ scroll`)
	for _, mono := range []bool{true, false} {
		m := newSized(ip, FromShadow(sh), Options{Title: "sample:mnist_cnn", Input: "digit 3_30.png", Mono: mono}, 80, 24)
		press(t, m, "tab")
		perLine := 2
		if mono {
			perLine = 1
		}
		for _, y := range []int{12, 25, 0} {
			for m.tensor.elemOf(0)/(26*8) != y {
				if m.tensor.elemOf(0)/(26*8) < y {
					press(t, m, "j")
				} else {
					press(t, m, "k")
				}
			}
			scr := screen(m)
			checkSize(t, scr, 80, 24)
			f := showing.FindStringSubmatch(scr)
			if f == nil {
				t.Fatalf("mono=%v y=%d: no 'showing rows' line:\n%s", mono, y, scr)
			}
			r0, _ := strconv.Atoi(f[1])
			r1, _ := strconv.Atoi(f[2])
			if y < r0 || y > r1 {
				t.Errorf("mono=%v: cursor row %d outside the rows shown %d–%d", mono, y, r0, r1)
			}
			// The map lines between the cut line and the ▲ line hold
			// exactly the rows it names, the ▶ one the cursor's.
			lines := strings.Split(scr, "\n")
			first, arrow := -1, -1
			for i, l := range lines {
				switch {
				case strings.Contains(l, "showing rows"):
					first = i + 1
				case first > 0 && arrow < 0 && strings.Contains(l, "▲"):
					arrow = i
				}
			}
			if n := arrow - first; n*perLine < r1-r0+1 || (n-1)*perLine >= r1-r0+1 {
				t.Errorf("mono=%v y=%d: %d map lines for rows %d–%d", mono, y, n, r0, r1)
			}
			if mark := (y - r0) / perLine; !strings.Contains(lines[first+mark], "│▶ ") {
				t.Errorf("mono=%v y=%d: ▶ not on map line %d:\n%s", mono, y, mark, scr)
			}
			if mono && y == 12 {
				golden(t, m, "sample_cnn_conv_80x24_mono")
			}
		}
		// The title names the input; too narrow for everything, it drops
		// the program's name first, then the number of ops.
		for _, tc := range []struct {
			w     int
			title string
		}{
			{80, " tflq-trace · sample:mnist_cnn · digit 3_30.png · 5 ops · runtime tflm"},
			{60, " sample:mnist_cnn · digit 3_30.png · 5 ops · runtime tflm"},
			{50, " sample:mnist_cnn · digit 3_30.png · runtime tflm"},
		} {
			m.Update(tea.WindowSizeMsg{Width: tc.w, Height: 24})
			if got := strings.TrimRight(strings.SplitN(screen(m), "\n", 2)[0], " "); got != tc.title {
				t.Errorf("title at width %d: %q, want %q", tc.w, got, tc.title)
			}
		}
	}
}

// TestRuntimeSwitchInBackground runs the background run the way Bubble Tea
// does, on another goroutine, while keys keep moving the cursor and
// explaining elements of the base run (go test -race checks that the two
// only share read-only state); r meanwhile says the run is still going.
func TestRuntimeSwitchInBackground(t *testing.T) {
	ip, sh := sampleRun(t, "mnist_cnn", 1)
	m := newSized(ip, FromShadow(sh), Options{Title: "sample:mnist_cnn", Mono: true}, 100, 40)
	cmd := press(t, m, "r")
	done := make(chan tea.Msg)
	go func() { done <- cmd() }()
	for i := 0; i < 50; i++ {
		press(t, m, "tab", "l", "j", "]", "m", "tab", "j")
		_ = screen(m)
	}
	if c := press(t, m, "r"); c != nil || !strings.HasPrefix(m.message, "still running the model under tflm-single") {
		t.Errorf("r while running: cmd %v, message %q", c != nil, m.message)
	}
	m.Update(<-done)
	if m.s.runtime() != kernels.RuntimeTFLMSingle || m.pending >= 0 {
		t.Fatalf("runtime %v, pending %d after the run arrived", m.s.runtime(), m.pending)
	}
	single := rerun(t, ip, kernels.RuntimeTFLMSingle)
	for op := range ip.Ops() {
		if want := len(differing(single, ip, op)); m.s.differ[op] != want {
			t.Errorf("op %d: %d differ, want %d", op, m.s.differ[op], want)
		}
	}
}

// TestRuntimeKeepsOptions: a run under another runtime keeps the base
// interpreter's other options (the memory limit the command was given).
func TestRuntimeKeepsOptions(t *testing.T) {
	base, _ := sampleRun(t, "mnist_dense", 7)
	const limit = 64 << 20
	ip, err := trace.New(base.Model(), trace.Options{MaxMemory: limit})
	if err != nil {
		t.Fatal(err)
	}
	if err := ip.SetInput(0, base.Inputs()[0].Data); err != nil {
		t.Fatal(err)
	}
	if err := ip.Invoke(); err != nil {
		t.Fatal(err)
	}
	m := newSized(ip, nil, Options{Title: "sample:mnist_dense"}, 100, 30)
	settle(t, m, press(t, m, "r"))
	if o := m.s.ip.Options(); o.Runtime != kernels.RuntimeTFLMSingle || o.MaxMemory != limit {
		t.Errorf("the tflm-single run has options %+v, want MaxMemory %d", o, limit)
	}
}

// TestDelegateNote: when the XNNPACK delegate is not applied to every node
// it takes, switching to tflite-xnnpack says why (trace's Notes): the
// keyword-spotting LSTM computes a FILL's dims at run time, so the delegate
// is not applied at all.
func TestDelegateNote(t *testing.T) {
	ip, ref := sharedRun(t, "kws_basic_lstm_floatio_int8.tflite", "")
	xnn := rerun(t, ip, kernels.RuntimeTFLiteXNNPACK)
	if len(xnn.Notes()) != 1 || !strings.Contains(xnn.Notes()[0], "XNNPACK delegate not applied") {
		t.Fatalf("notes for the kws LSTM under tflite-xnnpack: %q", xnn.Notes())
	}
	m := newSized(ip, ref, Options{Title: "kws_basic_lstm_floatio_int8.tflite", Mono: true}, 100, 30)
	for m.tried != kernels.RuntimeTFLiteXNNPACK {
		settle(t, m, press(t, m, "r"))
	}
	if m.s.runtime() != kernels.RuntimeTFLiteXNNPACK {
		t.Fatalf("runtime %v (%s), want tflite-xnnpack", m.s.runtime(), m.message)
	}
	if want := "runtime tflite-xnnpack: " + xnn.Notes()[0]; m.message != want {
		t.Errorf("message %q, want %q", m.message, want)
	}
	for op := range ip.Ops() {
		if m.s.ip.Ops()[op].Impl == kernels.ImplXNNPACK {
			t.Errorf("op %d runs on the delegate, which was not applied", op)
		}
	}
}

// TestStartupNotes: the notes of the run the UI starts with (person_detect
// under tflite-ref: full TFLite would refuse to load it) are the first
// screen's message line, until a key.
func TestStartupNotes(t *testing.T) {
	tflm, _ := sharedRun(t, personModel, "person_detect_int8.input0.bin")
	ip := rerun(t, tflm, kernels.RuntimeTFLiteRef)
	notes := ip.Notes()
	if len(notes) == 0 {
		t.Fatal("person_detect under tflite-ref has no notes")
	}
	m := newSized(ip, nil, Options{Title: personModel, Mono: true}, 100, 30)
	want := "runtime tflite-ref: " + strings.Join(notes, "; ")
	if m.message != want {
		t.Errorf("first message %q, want %q", m.message, want)
	}
	lines := strings.Split(screen(m), "\n")
	if last := lines[len(lines)-1]; !strings.HasPrefix(want, strings.TrimSuffix(strings.TrimSpace(last), "…")) {
		t.Errorf("the bottom line %q is not the notes", last)
	}
	press(t, m, "j")
	if m.message != "" {
		t.Errorf("the notes stayed after a key: %q", m.message)
	}
}
