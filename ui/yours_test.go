package ui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tflq/tflq-trace/trace"
)

// TestYoursDenseMistake: the bundled mnist_dense on the bundled 7 with the
// user's t3 (right) and t4 without the output zero point (every value 45
// below the run's). The tensor pane marks ✗ each of t4's ten cells and says
// how many differ, the element pane gives the user's value next to the
// run's, and y shows check's diagnosis (no-output-zp) with the cursor on
// the first differing element; y again returns to the chain.
func TestYoursDenseMistake(t *testing.T) {
	ip, sh := sampleRun(t, "mnist_dense", 7)
	t3, t4 := ip.Tensor(3), ip.Tensor(4)
	right := trace.UserValues{Ints: make([]int64, t3.NumElements())}
	for i := range right.Ints {
		right.Ints[i] = t3.Int(i)
	}
	wrong := trace.UserValues{Ints: make([]int64, t4.NumElements())}
	for i := range wrong.Ints {
		wrong.Ints[i] = t4.Int(i) - 45
	}
	yours := &Yours{Values: map[int]trace.UserValues{3: right, 4: wrong}, Files: map[int]string{3: "t3.npy", 4: "t4.txt"}}
	m := newSized(ip, FromShadow(sh), Options{Title: "sample:mnist_dense", Mono: true, Yours: yours}, 120, 40)
	scr := screen(m)
	screenShows(t, scr, "yours (t3.npy): all 784 equal")
	if strings.Contains(scr, "✗") {
		t.Errorf("op 0's output matches the user's values, yet something is marked ✗:\n%s", scr)
	}

	press(t, m, "j")
	scr = golden(t, m, "sample_dense_yours_fc")
	screenShows(t, scr, "✗ yours (t4.txt): 10 of 10 differ",
		fmt.Sprintf("✗ yours %d ≠ %d (tflm)", t4.Int(0)-45, t4.Int(0)))
	if n := strings.Count(scr, "✗"); n < 10+2 {
		t.Errorf("%d ✗ marks, want one per cell of t4 and the two lines:\n%s", n, scr)
	}

	press(t, m, "tab", "l", "l")
	if m.elem() != 2 {
		t.Fatalf("element %d, want 2", m.elem())
	}
	press(t, m, "y")
	if !m.element.diagnosis || m.op() != 1 || m.elem() != 0 {
		t.Fatalf("after y: diagnosis %v at op %d element %d, want the diagnosis at op 1 element 0 (the first that differs)", m.element.diagnosis, m.op(), m.elem())
	}
	want := "diagnosis: no-output-zp reproduces 10/10 elements of tensor 4 (op 1 FULLY_CONNECTED)"
	if len(m.s.yours.diag) < 2 || m.s.yours.diag[1] != want {
		t.Fatalf("diagnosis lines %q, want %q second", m.s.yours.diag, want)
	}
	scr = golden(t, m, "sample_dense_yours_diagnosis")
	screenShows(t, scr, "check's diagnosis of your values", "no-output-zp", "TFLite adds the output zero point zp_out = 45",
		"▶ zp", "tflm   -22 + 45 = 23", "yours  -22 + 0 = -22")

	press(t, m, "u")
	if m.elem() != 2 || !m.element.diagnosis {
		t.Fatalf("u: element %d (want 2), diagnosis %v (want still shown)", m.elem(), m.element.diagnosis)
	}
	press(t, m, "y")
	if m.element.diagnosis || m.element.chain == nil {
		t.Fatalf("y again: diagnosis %v, chain %v: want the chain back", m.element.diagnosis, m.element.chain)
	}

	// Without values of the user's, y says how to give them.
	plain := newSized(ip, FromShadow(sh), Options{Title: "sample:mnist_dense", Mono: true}, 120, 40)
	press(t, plain, "y")
	if !strings.Contains(plain.message, "--tensor I=FILE or --against DIR") {
		t.Errorf("y without values: message %q", plain.message)
	}
}
