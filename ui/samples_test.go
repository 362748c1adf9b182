package ui

import (
	"fmt"
	"image/color"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/tflq/tflq-trace/kernels"
	"github.com/tflq/tflq-trace/samples"
	"github.com/tflq/tflq-trace/tflite"
	"github.com/tflq/tflq-trace/trace"
)

// sampleRun runs a bundled sample model (package samples) on the bundled
// MNIST image of a digit and runs the float shadow: no shared data needed.
// The input follows the samples' conventions: mnist_dense takes float32
// pixel/255, mnist_cnn int8 with scale 1/255 and zero point −128, so
// q = pixel − 128.
func sampleRun(t testing.TB, name string, digit int) (*trace.Interpreter, *trace.Shadow) {
	t.Helper()
	data, err := samples.Model(name)
	if err != nil {
		t.Fatal(err)
	}
	m, err := tflite.Read(data)
	if err != nil {
		t.Fatal(err)
	}
	ip, err := trace.New(m, trace.Options{})
	if err != nil {
		t.Fatal(err)
	}
	img, _, err := samples.DigitImage(digit)
	if err != nil {
		t.Fatal(err)
	}
	in := ip.Inputs()[0]
	b := img.Bounds()
	if b.Dx() != 28 || b.Dy() != 28 || in.NumElements() != 28*28 {
		t.Fatalf("%s: image %v, input %v: want 28×28 pixels into 784 elements", name, b, in.Shape)
	}
	for y := 0; y < 28; y++ {
		for x := 0; x < 28; x++ {
			px := color.GrayModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.Gray).Y
			i := y*28 + x
			switch in.Type {
			case tflite.TypeFloat32:
				in.Float32()[i] = float32(px) / 255
			case tflite.TypeInt8:
				if in.ZP0() != -128 || math.Abs(float64(in.Scale0())*255-1) > 1e-6 {
					t.Fatalf("%s: int8 input s=%g zp=%d, want s=1/255 zp=-128", name, in.Scale0(), in.ZP0())
				}
				in.Int8()[i] = int8(int(px) - 128)
			default:
				t.Fatalf("%s: input type %v is not float32 or int8", name, in.Type)
			}
		}
	}
	return ip, invokeShadow(t, ip)
}

// chainStep returns the step of c with the given name.
func chainStep(t *testing.T, c *kernels.Chain, name string) kernels.Step {
	t.Helper()
	for _, st := range c.Steps {
		if st.Name == name {
			return st
		}
	}
	t.Fatalf("the chain has no step %q: %+v", name, c.Steps)
	return kernels.Step{}
}

// multiplierFormula finds "M = <mult>·2^(<shift>−31)" in the M step.
var multiplierFormula = regexp.MustCompile(`M = (\d+)·2\^\((-?\d+)−31\)`)

// requantization is what the screen must show of an element's chain,
// taken from ip.Explain independently of the UI.
type requantization struct {
	acc, mult, shift, final int64
}

func explainRequantization(t *testing.T, ip *trace.Interpreter, op, elem int) (*kernels.Chain, requantization) {
	t.Helper()
	c, err := ip.Explain(op, 0, elem)
	if err != nil {
		t.Fatal(err)
	}
	mStep := chainStep(t, c, "M")
	f := multiplierFormula.FindStringSubmatch(mStep.Formula)
	if f == nil {
		t.Fatalf("M step formula %q has no M = <mult>·2^(<shift>−31)", mStep.Formula)
	}
	mult, _ := strconv.ParseInt(f[1], 10, 64)
	shift, _ := strconv.ParseInt(f[2], 10, 64)
	if mult != mStep.Value {
		t.Fatalf("M step value %d, formula multiplier %d", mStep.Value, mult)
	}
	var sum int64
	for _, tm := range c.Terms {
		sum += tm.Product
	}
	acc := chainStep(t, c, "acc").Value
	if acc != sum {
		t.Fatalf("acc step %d is not the sum of the %d products %d", acc, len(c.Terms), sum)
	}
	return c, requantization{acc: acc, mult: mult, shift: shift, final: c.Final}
}

// screenShows checks that scr holds every want.
func screenShows(t *testing.T, scr string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(scr, w) {
			t.Errorf("screen lacks %q:\n%s", w, scr)
		}
	}
}

// TestSampleDenseWalkthrough walks the bundled mnist_dense
// (QUANTIZE → FULLY_CONNECTED → DEQUANTIZE) on the bundled 7: it steps to
// the dense layer, moves to output 7 (the predicted class) and checks that
// the screen shows ip.Explain's accumulator, multiplier, shift and final
// value, then micro-steps through the first terms. Hand-checked on the
// golden screen: acc 239984 + bias 9833 = 249817; SRDHM by 2016187862
// (0.93886…) = 234543; RDBPOT by 2^12 = 57; + zero point 45 = 102; and term
// 203 (the first non-zero) is (−44+128)·25 = 2100.
func TestSampleDenseWalkthrough(t *testing.T) {
	ip, sh := sampleRun(t, "mnist_dense", 7)
	const fc = 1
	out := outputOf(ip, fc)
	predicted := 0
	for i := 0; i < out.NumElements(); i++ {
		if out.Int(i) > out.Int(predicted) {
			predicted = i
		}
	}
	if predicted != 7 {
		t.Fatalf("mnist_dense predicts %d for the bundled 7 (outputs %v)", predicted, out.Int8())
	}
	c, want := explainRequantization(t, ip, fc, 7)
	if len(c.Terms) != 784 || out.Int(7) != want.final {
		t.Fatalf("chain: %d terms, final %d; want 784 terms and the stored %d", len(c.Terms), want.final, out.Int(7))
	}

	m := newSized(ip, FromShadow(sh), Options{Title: "sample:mnist_dense", Mono: true}, 100, 30)
	scr := golden(t, m, "sample_dense_start")
	screenShows(t, scr, "▶ 0 QUANTIZE", "1 FULLY_CONNECT", "2 DEQUANTIZE", "3 ops")

	press(t, m, "j")
	if m.op() != fc || m.focus != paneLayers {
		t.Fatalf("after j: op %d focus %d, want op %d, layers focused", m.op(), m.focus, fc)
	}
	press(t, m, "tab", "l", "l", "l", "l", "l", "l", "l")
	if m.op() != fc || m.elem() != 7 || m.focus != paneTensor {
		t.Fatalf("op %d elem %d focus %d, want op %d elem 7 with the tensor pane focused", m.op(), m.elem(), m.focus, fc)
	}
	if m.element.chain == nil || m.element.chain.Final != want.final {
		t.Fatalf("element pane chain %+v, want final %d", m.element.chain, want.final)
	}
	scr = golden(t, m, "sample_dense_fc_elem7")
	screenShows(t, scr,
		"▶ 1 FULLY_CONNECT",
		fmt.Sprintf("acc = %d", want.acc),
		fmt.Sprintf("mult=%d shift=%d", want.mult, want.shift),
		fmt.Sprintf("M = %d·2^(%d−31)", want.mult, want.shift),
		fmt.Sprintf("final %d", want.final),
		fmt.Sprintf("q=%d  deq=", want.final),
		fmt.Sprintf("[%3d]", want.final),
		fmt.Sprintf("t4[0,7] = %d", want.final),
	)

	// Micro-stepping: s starts at term 0, each n adds one product.
	press(t, m, "s")
	if !m.element.stepping || m.element.term != 0 {
		t.Fatalf("s: stepping=%v term=%d, want stepping at term 0", m.element.stepping, m.element.term)
	}
	// The first products are 0 (the image's blank border: pixel 0 is
	// q = −128, plus input_offset 128); step to three terms past the first
	// non-zero product so that the running sum means something.
	first := -1
	for k, tm := range c.Terms {
		if tm.Product != 0 {
			first = k
			break
		}
	}
	if first < 0 {
		t.Fatal("every product is 0")
	}
	steps := first + 3
	var sum int64
	for k := 1; k <= steps; k++ {
		press(t, m, "n")
		sum += c.Terms[k-1].Product
		if m.element.term != k || m.element.running[k] != sum {
			t.Fatalf("after %d× n: term %d running %d, want term %d running %d", k, m.element.term, m.element.running[m.element.term], k, sum)
		}
	}
	if sum == 0 {
		t.Fatalf("the sum of the first %d products is 0", steps)
	}
	scr = golden(t, m, "sample_dense_fc_stepping")
	screenShows(t, scr, fmt.Sprintf("term %d/784 · running sum Σ = %d", steps, sum))
	// Each listed term shows its operands with the offsets the chain states
	// (input_offset 128 = −(−128), filter_offset 0: symmetric weights).
	inOff, wOff := chainStep(t, c, "input_offset").Value, chainStep(t, c, "filter_offset").Value
	if inOff != 128 || wOff != 0 {
		t.Fatalf("offsets %d, %d; want 128 (input zero point −128) and 0", inOff, wOff)
	}
	var partial int64
	for k := 1; k <= steps; k++ {
		tm := c.Terms[k-1]
		partial += tm.Product
		if (int64(tm.Input)+inOff)*(int64(tm.Weight)+wOff) != tm.Product {
			t.Fatalf("term %d: (%d%+d)·(%d%+d) ≠ product %d", k, tm.Input, inOff, tm.Weight, wOff, tm.Product)
		}
		if k > steps-3 { // the last terms are listed with their running sums
			// FULLY_CONNECTED names input[k] and weights[o,k] (weights [10,784]).
			screenShows(t, scr, fmt.Sprintf("%d/784 (in[k=%d] %d +%d)·(w[o=%d,k=%d] %d +%d) = %d   Σ %d", k, tm.InputIndex, tm.Input, inOff,
				tm.WeightIndex/784, tm.WeightIndex%784, tm.Weight, wOff, tm.Product, partial))
		}
	}
	// s again restarts from term 0; f finishes the sum at the accumulator.
	press(t, m, "s")
	if m.element.term != 0 {
		t.Errorf("s while stepping: term %d, want 0", m.element.term)
	}
	press(t, m, "f")
	if m.element.term != 784 || m.element.running[784] != want.acc {
		t.Errorf("f: term %d sum %d, want 784 and acc %d", m.element.term, m.element.running[784], want.acc)
	}
	press(t, m, "esc")
	if m.element.stepping {
		t.Error("esc did not leave stepping")
	}
}

// TestSampleWindowSizes shows the dense element at 80×24 and 120×40: the
// screen is exactly the window, and the accumulator, multiplier and final
// value stay on it.
func TestSampleWindowSizes(t *testing.T) {
	ip, sh := sampleRun(t, "mnist_dense", 7)
	_, want := explainRequantization(t, ip, 1, 7)
	m := New(ip, FromShadow(sh), Options{Title: "sample:mnist_dense", Mono: true})
	press(t, m, "1", "enter", "tab", "l", "l", "l", "l", "l", "l", "l")
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		w, h := size[0], size[1]
		t.Run(fmt.Sprintf("%dx%d", w, h), func(t *testing.T) {
			m.Update(tea.WindowSizeMsg{Width: w, Height: h})
			if m.op() != 1 || m.elem() != 7 {
				t.Fatalf("resize moved the cursor to op %d elem %d", m.op(), m.elem())
			}
			scr := golden(t, m, fmt.Sprintf("sample_dense_fc_%dx%d", w, h))
			checkSize(t, scr, w, h)
			screenShows(t, scr,
				fmt.Sprintf("acc = %d", want.acc),
				fmt.Sprintf("M = %d·2^(%d−31)", want.mult, want.shift),
				fmt.Sprintf("final %d", want.final))
		})
	}
}

// commaCoords writes coordinates as the whole UI does, [0,15,17,5].
func commaCoords(c []int) string { return strings.ReplaceAll(fmt.Sprint(c), " ", ",") }

// repeat is key k n times.
func repeat(k string, n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = k
	}
	return keys
}

// channelScale is the lowest and highest value of one channel of an NHWC
// tensor in a value mode, computed from the tensor and the shadow.
func channelScale(t *kernels.Tensor, sh *trace.Shadow, ch int, mode valueMode) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	chans := t.Shape[len(t.Shape)-1]
	for i := ch; i < t.NumElements(); i += chans {
		var v float64
		switch mode {
		case modeQuantized:
			v = float64(t.Int(i))
		case modeDequantized:
			v = float64(t.Int(i)-int64(t.ZP0())) * float64(t.Scale0())
		case modeReference:
			v = float64(sh.Values[t.Index][i])
		case modeError:
			v = sh.ErrorLSB(t.Index, i)
		}
		lo, hi = min(lo, v), max(hi, v)
	}
	if mode == modeError { // a symmetric scale, at least ±0.5 LSB
		m := max(math.Abs(lo), math.Abs(hi), 0.5)
		lo, hi = -m, m
	}
	return lo, hi
}

// TestSampleCNNWalk walks the bundled mnist_cnn
// (CONV_2D → MAX_POOL_2D → RESHAPE → FULLY_CONNECTED → SOFTMAX) on the
// bundled 3 in monochrome (what NO_COLOR selects): the CONV_2D heatmap and
// its channels, the four value modes, e (largest error) against a brute
// force search of the shadow, and b from a MAX_POOL_2D element to its
// window's maximum.
func TestSampleCNNWalk(t *testing.T) {
	ip, sh := sampleRun(t, "mnist_cnn", 3)
	m := newSized(ip, FromShadow(sh), Options{Title: "sample:mnist_cnn", Mono: true}, 100, 40)
	if raw := m.View().Content; strings.Contains(raw, "38;2;") || strings.Contains(raw, "48;2;") {
		t.Error("the mono screen uses 24-bit colour")
	}
	conv := outputOf(m.s.ip, 0)
	if ip.Ops()[0].Name != "CONV_2D" || fmt.Sprint(conv.Shape) != "[1,26,26,8]" {
		t.Fatalf("op 0 is %s %v, want CONV_2D [1,26,26,8]", ip.Ops()[0].Name, conv.Shape)
	}

	// The cursor to y=12 x=12, in the middle stroke of the 3, then
	// channel 0 → 5 (a channel that draws the whole digit).
	press(t, m, "tab")
	press(t, m, repeat("j", 12)...)
	press(t, m, repeat("l", 12)...)
	press(t, m, repeat("]", 5)...)
	const y, x, ch = 12, 12, 5
	elem := (y*26+x)*8 + ch
	if m.op() != 0 || m.elem() != elem {
		t.Fatalf("op %d elem %d, want op 0 elem %d (y=%d x=%d ch=%d)", m.op(), m.elem(), elem, y, x, ch)
	}
	_, want := explainRequantization(t, ip, 0, elem)
	scr := golden(t, m, "sample_cnn_conv_mono")
	lo, hi := channelScale(conv, sh, ch, modeQuantized)
	screenShows(t, scr,
		"channel 5/8", fmt.Sprintf("cursor y=%d x=%d", y, x),
		fmt.Sprintf("colours %d … %d", int(lo), int(hi)),
		fmt.Sprintf("M[output ch%d]=", ch), fmt.Sprintf("mult=%d shift=%d", want.mult, want.shift),
		"9 terms", fmt.Sprintf("acc = %d", want.acc), fmt.Sprintf("final %d", want.final),
		fmt.Sprintf("t%d[0,%d,%d,%d] = %d", conv.Index, y, x, ch, want.final))
	if conv.Int(elem) != want.final {
		t.Errorf("stored %d, chain final %d", conv.Int(elem), want.final)
	}
	press(t, m, repeat("[", 6)...)
	if m.elem() != (y*26+x)*8+7 {
		t.Errorf("[ six times from channel 5: elem %d, want channel 7 at the same place (%d, wraps)", m.elem(), (y*26+x)*8+7)
	}
	press(t, m, "]", "]", "]", "]", "]", "]")
	if m.elem() != elem {
		t.Fatalf("] six times from channel 7: elem %d, want back at %d", m.elem(), elem)
	}

	// m cycles quantized → dequantized → float reference → error → quantized;
	// the heatmap's scale is the channel's range in that mode.
	for i, mode := range []valueMode{modeDequantized, modeReference, modeError, modeQuantized} {
		press(t, m, "m")
		if m.tensor.mode != mode {
			t.Fatalf("after %d× m mode %v, want %v", i+1, m.tensor.mode, mode)
		}
		lo, hi := channelScale(conv, sh, ch, mode)
		screenShows(t, screen(m), "values: "+mode.String(),
			fmt.Sprintf("colours %s … %s", formatValue(conv, lo, mode), formatValue(conv, hi, mode)))
		if mode == modeError {
			golden(t, m, "sample_cnn_conv_error_mono")
		}
	}

	// e: the first element with the largest |error| in LSB.
	best, bestErr := -1, -1.0
	for i := 0; i < conv.NumElements(); i++ {
		if e := math.Abs(sh.ErrorLSB(conv.Index, i)); e > bestErr {
			best, bestErr = i, e
		}
	}
	if best == elem {
		t.Fatalf("the largest error is at the cursor already (%v): e would not move", kernels.Unravel(best, conv.Shape))
	}
	press(t, m, "e")
	if m.op() != 0 || m.elem() != best {
		t.Errorf("e moved to op %d elem %d, want op 0 elem %d (|err| %.4f LSB)", m.op(), m.elem(), best, bestErr)
	}
	screenShows(t, screen(m), fmt.Sprintf("largest |error| in this layer: %.3g LSB at %s", bestErr, commaCoords(kernels.Unravel(best, conv.Shape))))

	// b from MAX_POOL_2D (2×2, stride 2) lands on the window's maximum.
	pool := outputOf(m.s.ip, 1)
	if ip.Ops()[1].Name != "MAX_POOL_2D" || fmt.Sprint(pool.Shape) != "[1,13,13,8]" {
		t.Fatalf("op 1 is %s %v, want MAX_POOL_2D [1,13,13,8]", ip.Ops()[1].Name, pool.Shape)
	}
	press(t, m, "tab", "j", "tab")
	const py, px = 7, 8 // window y 14–15, x 16–17: its maximum is the bottom-right
	press(t, m, repeat("j", py)...)
	press(t, m, repeat("l", px)...)
	press(t, m, repeat("]", ch)...)
	pe := (py*13+px)*8 + ch
	if m.op() != 1 || m.elem() != pe {
		t.Fatalf("op %d elem %d, want op 1 elem %d", m.op(), m.elem(), pe)
	}
	winMax, winArg, ties := int64(math.MinInt64), -1, 0
	for dy := 0; dy < 2; dy++ {
		for dx := 0; dx < 2; dx++ {
			i := ((2*py+dy)*26+2*px+dx)*8 + ch
			switch v := conv.Int(i); {
			case v > winMax:
				winMax, winArg, ties = v, i, 1
			case v == winMax:
				ties++
			}
		}
	}
	if ties != 1 || pool.Int(pe) != winMax {
		t.Fatalf("pool [%d,%d,%d] = %d: window max %d held by %d elements; pick a window with one maximum", py, px, ch, pool.Int(pe), winMax, ties)
	}
	press(t, m, "b")
	if m.op() != 0 || m.elem() != winArg {
		t.Errorf("b from MAX_POOL_2D %v went to op %d elem %d %v, want op 0 elem %d %v (the window's maximum %d)",
			kernels.Unravel(pe, pool.Shape), m.op(), m.elem(), kernels.Unravel(m.elem(), conv.Shape), winArg, kernels.Unravel(winArg, conv.Shape), winMax)
	}
	scr = golden(t, m, "sample_cnn_followed_back_mono")
	screenShows(t, scr, fmt.Sprintf("followed back to op 0 t%d%s via source 4 of 4", conv.Index, commaCoords(kernels.Unravel(winArg, conv.Shape))))
	press(t, m, "u")
	if m.op() != 1 || m.elem() != pe {
		t.Errorf("u returned to op %d elem %d, want op 1 elem %d", m.op(), m.elem(), pe)
	}
}

// TestSampleCNNColour: at 120×40 on a colour terminal the CONV_2D channel is
// 26 rows of 24-bit half blocks in 13 lines (the window is 42 rows: the
// element pane below takes what the chain needs), the cursor pixel is the one
// green cell at y=12 x=12, and the screen is exactly the window.
func TestSampleCNNColour(t *testing.T) {
	ip, sh := sampleRun(t, "mnist_cnn", 3)
	m := newSized(ip, FromShadow(sh), Options{Title: "sample:mnist_cnn"}, 120, 42)
	press(t, m, "tab")
	press(t, m, repeat("j", 12)...)
	press(t, m, repeat("l", 12)...)
	press(t, m, repeat("]", 5)...)
	if want := (12*26+12)*8 + 5; m.elem() != want {
		t.Fatalf("elem %d, want %d", m.elem(), want)
	}
	scr := golden(t, m, "sample_cnn_conv_colour_120x42")
	checkSize(t, scr, 120, 42)
	if n := strings.Count(scr, strings.Repeat("▀", 26)); n != 13 {
		t.Errorf("%d lines of 26 half blocks, want 13 (26 rows)", n)
	}
	// The cursor pixel is the top half (row 12 of rows 12–13) of one cell.
	cursor := fmt.Sprintf("\x1b[38;2;%d;%d;%d;48;2;", m.s.styles.CursorColour.r, m.s.styles.CursorColour.g, m.s.styles.CursorColour.b)
	raw := m.View().Content
	if n := strings.Count(raw, cursor); n != 1 {
		t.Fatalf("%d cells with the cursor colour on top, want 1", n)
	}
	lines := strings.Split(raw, "\n")
	for _, l := range lines {
		at := strings.Index(l, cursor)
		if at < 0 {
			continue
		}
		if x := strings.Count(l[:at], "▀"); x != 12 {
			t.Errorf("cursor cell is half block %d of its line, want 12", x)
		}
		if !strings.Contains(ansi.Strip(l), "│▶ ") {
			t.Errorf("cursor line %q lacks the ▶ row marker", ansi.Strip(l))
		}
	}
	if !strings.Contains(raw, "38;2;") || strings.Contains(scr, "\x1b") {
		t.Error("the colour screen has no 24-bit colour, or the stripped screen kept escapes")
	}
}
