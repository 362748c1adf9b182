package ui

import (
	"math"
	"regexp"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

const (
	denseModel = "mnist_dense10_uint8io.tflite"
	denseInput = "mnist_dense10_uint8io.input0.bin"
	cnnModel   = "mnist_cnn_int8.tflite"
)

// TestDenseWalkthrough steps to the dense layer of the classic
// Flatten→Dense(10) MNIST model, puts the cursor on output 7 and checks the
// numbers against `tflq-trace explain --op 2 --element 7` (acc −21675, bias
// 10096, multiplier 1363200814, shift −11, final 43), then micro-steps and
// follows the largest product back through RESHAPE to QUANTIZE.
func TestDenseWalkthrough(t *testing.T) {
	ip, ref := sharedRun(t, denseModel, denseInput)
	m := newSized(ip, ref, Options{Title: denseModel}, 100, 30)
	golden(t, m, "dense_start")

	press(t, m, "j", "j", "tab", "l", "l", "l", "l", "l", "l", "l")
	if m.op() != 2 || m.elem() != 7 {
		t.Fatalf("op %d elem %d, want op 2 elem 7", m.op(), m.elem())
	}
	c := m.element.chain
	if c == nil || c.Final != 43 || len(c.Terms) != 784 {
		t.Fatalf("chain %+v, want final 43 with 784 terms", c)
	}
	scr := golden(t, m, "dense_fc_elem7")
	for _, want := range []string{"acc = -21675", "bias = 10096", "mult=1363200814 shift=-11", "SRDHM(-11579, 1363200814) = (-11579·1363200814", "RDBPOT(-7350, 11): remainder", "final 43", "q=43  deq=-0.629384", "[ 43]", "▶ 2 FULLY_CONNECTED"} {
		if !strings.Contains(scr, want) {
			t.Errorf("screen lacks %q", want)
		}
	}

	// Micro-stepping: three terms, then the whole accumulation, then all steps.
	press(t, m, "s", "n", "n", "n")
	if !m.element.stepping || m.element.term != 3 {
		t.Fatalf("stepping=%v term=%d, want 3 terms in", m.element.stepping, m.element.term)
	}
	var sum3 int64
	for _, tm := range c.Terms[:3] {
		sum3 += tm.Product
	}
	if got := m.element.running[3]; got != sum3 {
		t.Errorf("running sum after 3 terms %d, want %d", got, sum3)
	}
	golden(t, m, "dense_fc_stepping3")
	press(t, m, "f")
	if m.element.term != 784 || m.element.running[784] != -21675 {
		t.Errorf("after f: term %d sum %d, want 784 and -21675", m.element.term, m.element.running[784])
	}
	press(t, m, "n", "n")
	if scr := screen(m); !strings.Contains(scr, "bias = 10096") || strings.Contains(scr, "acc_bias") {
		t.Errorf("after two more steps the screen should show acc and bias but not yet acc_bias:\n%s", scr)
	}
	press(t, m, "f")
	scr = golden(t, m, "dense_fc_stepped")
	if !strings.Contains(scr, "term 784/784 · running sum Σ = -21675") || !strings.Contains(scr, "final 43") {
		t.Errorf("fast-forwarded screen lacks the full sum or the final value")
	}
	press(t, m, "esc")
	if m.element.stepping {
		t.Error("esc did not leave stepping")
	}

	// Follow back: term 431 (input 100, weight −44, product −10032) is the
	// largest; its input is element 431 of RESHAPE's output, which copies
	// element 431 = [0,15,11] of QUANTIZE's output.
	press(t, m, "b")
	if m.op() != 1 || m.elem() != 431 {
		t.Fatalf("after b: op %d elem %d, want op 1 elem 431", m.op(), m.elem())
	}
	press(t, m, "b")
	if m.op() != 0 || m.elem() != 431 {
		t.Fatalf("after b b: op %d elem %d, want op 0 elem 431", m.op(), m.elem())
	}
	if !strings.Contains(screen(m), "cursor y=15 x=11") {
		t.Errorf("QUANTIZE heatmap cursor not at y=15 x=11:\n%s", screen(m))
	}
	if !strings.Contains(m.message, "[0,15,11] via source") {
		t.Errorf("follow-back message %q does not name [0,15,11] (comma-separated, as every coordinate on screen)", m.message)
	}
	press(t, m, "b") // QUANTIZE's input is the graph input
	if m.op() != 0 || !strings.Contains(m.message, "[0,15,11] is a graph input") {
		t.Errorf("b on a graph-input source: op %d message %q", m.op(), m.message)
	}
	press(t, m, "u", "u")
	if m.op() != 2 || m.elem() != 7 {
		t.Errorf("u u: op %d elem %d, want back at op 2 elem 7", m.op(), m.elem())
	}
}

// TestSmallAndLargeWindows: the screen is exactly the window, at 80×24 the
// dense element still shows its accumulator, multiplier and final value,
// and a resize re-lays out.
func TestSmallAndLargeWindows(t *testing.T) {
	ip, ref := sharedRun(t, denseModel, denseInput)
	m := newSized(ip, ref, Options{Title: denseModel}, 80, 24)
	press(t, m, "2", "enter", "tab", "l", "l", "l", "l", "l", "l", "l")
	scr := golden(t, m, "dense_fc_80x24")
	checkSize(t, scr, 80, 24)
	for _, want := range []string{"acc = -21675", "M = 1363200814·2^(-11−31)", "final 43"} {
		if !strings.Contains(scr, want) {
			t.Errorf("80×24 screen lacks %q", want)
		}
	}
	for _, size := range [][2]int{{160, 50}, {100, 30}, {60, 16}, {200, 60}} {
		m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		checkSize(t, screen(m), size[0], size[1])
	}
	m.Update(tea.WindowSizeMsg{Width: 160, Height: 40})
	golden(t, m, "dense_fc_160x40")
}

// TestCNNMono walks the CNN in monochrome (NO_COLOR): shade-character
// heatmap, channel switching, the error modes, max-error and follow-back
// through MAX_POOL_2D to the window's winning element.
func TestCNNMono(t *testing.T) {
	ip, ref := sharedRun(t, cnnModel, "")
	m := newSized(ip, ref, Options{Title: cnnModel, Mono: true}, 100, 30)
	if raw := m.View().Content; strings.Contains(raw, "38;2;") {
		t.Error("mono screen uses 24-bit colour")
	}
	press(t, m, "tab", "j", "j", "j", "l", "l", "]", "]")
	// op 0 output [1,26,26,32]: y=3 x=2 channel 2 → ((3·26)+2)·32+2.
	if want := (3*26+2)*32 + 2; m.elem() != want {
		t.Fatalf("elem %d, want %d", m.elem(), want)
	}
	scr := golden(t, m, "cnn_conv_mono")
	for _, want := range []string{"channel 2/32", "cursor y=3 x=2", "M[output ch2]=", "9 terms"} {
		if !strings.Contains(scr, want) {
			t.Errorf("screen lacks %q", want)
		}
	}
	press(t, m, "[", "[", "[")
	if _, _, _, ch := gridOf([]int{1, 26, 26, 32}).pos(m.elem()); ch != 31 {
		t.Errorf("[ three times from channel 2 gives channel %d, want 31 (wraps)", ch)
	}
	for i, want := range []string{"dequantized", "float reference", "error (LSB)", "quantized"} {
		press(t, m, "m")
		if !strings.Contains(screen(m), "values: "+want) {
			t.Errorf("after %d× m the pane does not say values: %s", i+1, want)
		}
	}

	// e: the element with the largest |error| of the layer.
	press(t, m, "e")
	out := outputOf(m.s.ip, 0)
	best, bestErr := -1, -1.0
	for i := 0; i < out.NumElements(); i++ {
		if e := math.Abs(ref.ErrorLSB(out.Index, i)); e > bestErr {
			best, bestErr = i, e
		}
	}
	if m.elem() != best {
		t.Errorf("e moved to %d, want %d (|err| %.3f LSB)", m.elem(), best, bestErr)
	}

	// Follow back from the pool: the source holding the window's maximum.
	press(t, m, "tab", "j", "tab", "l", "j")
	pool := outputOf(m.s.ip, 1)
	final := m.element.chain.Final
	press(t, m, "b")
	if m.op() != 0 {
		t.Fatalf("b from MAX_POOL_2D went to op %d", m.op())
	}
	if got := outputOf(m.s.ip, 0).Int(m.elem()); got != final {
		t.Errorf("followed back to a window element holding %d, want the max %d (pool %v)", got, final, pool.Shape)
	}
	golden(t, m, "cnn_followed_back_mono")
}

// TestFilterJumpHelpQuit covers the layer filter, jump by index, help and
// quitting.
func TestFilterJumpHelpQuit(t *testing.T) {
	ip, ref := sharedRun(t, cnnModel, "")
	m := newSized(ip, ref, Options{Title: cnnModel}, 100, 30)
	press(t, m, "/", "pool")
	if got := m.layers.visible; len(got) != 2 || got[0] != 1 || got[1] != 3 {
		t.Errorf("filter pool shows ops %v, want [1 3]", got)
	}
	press(t, m, "enter", "j")
	if m.op() != 3 {
		t.Errorf("j in the filtered list went to op %d, want 3", m.op())
	}
	press(t, m, "esc")
	if len(m.layers.visible) != 6 {
		t.Errorf("esc left %d ops visible, want 6", len(m.layers.visible))
	}
	press(t, m, "/", "conv2d_5", "enter") // a tensor name
	if got := m.layers.visible; len(got) != 1 || got[0] != 2 {
		t.Errorf("filter by tensor name conv2d_5 shows %v, want [2]", got)
	}
	press(t, m, "esc", "5", "enter")
	if m.op() != 5 {
		t.Errorf("5⏎ went to op %d", m.op())
	}
	press(t, m, "9", "9", "enter")
	if m.op() != 5 || !strings.Contains(m.message, "no op 99") {
		t.Errorf("99⏎: op %d, message %q", m.op(), m.message)
	}
	press(t, m, "g")
	if m.op() != 0 {
		t.Errorf("g went to op %d", m.op())
	}
	press(t, m, "G")
	if m.op() != 5 {
		t.Errorf("G went to op %d", m.op())
	}
	press(t, m, "?")
	scr := screen(m)
	if !strings.Contains(scr, "follow back") || !strings.Contains(scr, "any other key closes") {
		t.Errorf("help screen:\n%s", scr)
	}
	// Every binding is listed with its help text.
	for _, b := range m.keys.FullHelp() {
		for _, k := range b {
			if !strings.Contains(scr, k.Help().Key+" ") || !strings.Contains(scr, k.Help().Desc) {
				t.Errorf("help screen lacks %s %s", k.Help().Key, k.Help().Desc)
			}
		}
	}
	// At 100×30 the text does not fit: j scrolls down to its end (and no
	// further), k back up; the last paragraph explains the runtime keys.
	if !strings.Contains(scr, "lines 1–26 of ") || strings.Contains(scr, "r re-runs the model") {
		t.Errorf("the help screen should start at line 1 and not yet show the runtimes paragraph:\n%s", scr)
	}
	press(t, m, repeat("j", 40)...)
	scr = screen(m)
	flat := strings.Join(strings.Fields(scr), " ") // the paragraphs are wrapped to the window
	screenShows(t, flat, "r re-runs the model under the next runtime", "z jumps to the next non-zero term",
		"d jumps to the next element that differs", "implementation whose kernel runs the op.")
	// The body's last line (above the status and key lines) says the end
	// is shown.
	lines := strings.Split(scr, "\n")
	if f := regexp.MustCompile(`lines (\d+)–(\d+) of (\d+)`).FindStringSubmatch(lines[len(lines)-3]); f == nil || f[2] != f[3] {
		t.Errorf("after 40× j the help's last line %q does not say its last line is shown", lines[len(lines)-3])
	}
	top := m.helpTop
	press(t, m, "j")
	if m.helpTop != top {
		t.Errorf("j past the end moved the help from line %d to %d", top, m.helpTop)
	}
	press(t, m, "k")
	if m.helpTop != top-1 || !m.showHelp {
		t.Errorf("k: help top %d (want %d), shown %v", m.helpTop, top-1, m.showHelp)
	}
	if cmd := press(t, m, "x"); cmd != nil || m.showHelp {
		t.Error("a key did not close the help")
	}
	for _, k := range []string{"q", "ctrl+c"} {
		cmd := press(t, m, k)
		if cmd == nil {
			t.Fatalf("%s returned no command", k)
		}
		if _, ok := cmd().(tea.QuitMsg); !ok {
			t.Errorf("%s did not quit", k)
		}
	}
}

// TestColourHeatmap: a colour terminal gets 24-bit half blocks.
func TestColourHeatmap(t *testing.T) {
	ip, ref := sharedRun(t, cnnModel, "")
	m := newSized(ip, ref, Options{Title: cnnModel}, 100, 42)
	raw := m.View().Content
	if !strings.Contains(raw, "38;2;") || !strings.Contains(raw, "▀") {
		t.Error("colour screen has no 24-bit half-block heatmap")
	}
	// 26 rows of pixels fit in 13 lines of half blocks.
	if n := strings.Count(screen(m), "▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀"); n != 13 {
		t.Errorf("%d heatmap lines, want 13", n)
	}
	m.Update(tea.ColorProfileMsg{})
	if !m.s.styles.Mono {
		t.Error("a no-colour terminal profile did not switch to mono")
	}
}
