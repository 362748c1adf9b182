package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tflq/tflq-trace/internal/sharedtest"
	"github.com/tflq/tflq-trace/tflite"
	"github.com/tflq/tflq-trace/trace"
)

// TestEveryOpOfEverySharedModel opens every shared model the interpreter
// runs, visits every operator and presses the element keys there (move,
// channel, modes, step through, follow back, max error), checking that the
// screen is always exactly the window and the explanation matches the
// stored value.
func TestEveryOpOfEverySharedModel(t *testing.T) {
	dir := filepath.Join(sharedtest.Dir(t), "models")
	files, _ := filepath.Glob(filepath.Join(dir, "*.tflite"))
	ran := 0
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(strings.TrimSuffix(name, ".tflite"), func(t *testing.T) {
			m0, err := tflite.ReadFile(f)
			if err != nil {
				t.Skipf("unreadable: %v", err)
			}
			ip, err := trace.New(m0, trace.Options{})
			if err != nil {
				t.Skipf("not supported by the interpreter yet: %v", err)
			}
			for _, in := range ip.Inputs() {
				for i := range in.Data {
					in.Data[i] = byte(i * 13 % 199)
				}
				if in.Type == tflite.TypeFloat32 {
					for i, v := range in.Float32() {
						_ = v
						in.Float32()[i] = float32(i%17) / 17
					}
				}
			}
			if err := ip.Invoke(); err != nil {
				t.Skipf("invoke: %v", err)
			}
			var ref Reference
			if sh, err := trace.RunShadow(ip); err == nil {
				ref = FromShadow(sh)
			}
			ran++
			m := newSized(ip, ref, Options{Title: name, Mono: os.Getenv("NO_COLOR") != ""}, 90, 26)
			for op := range ip.Nodes {
				if m.op() != op {
					t.Fatalf("expected to be at op %d, at %d", op, m.op())
				}
				press(t, m, "tab", "l", "j", "]", "m", "m", "m", "s", "n", "f", "f", "esc", "m", "e")
				checkSize(t, screen(m), 90, 26)
				if c := m.element.chain; c != nil {
					if out := outputOf(m.s, op); out.Type != tflite.TypeFloat32 && out.Int(m.elem()) != c.Final {
						t.Errorf("op %d elem %d: chain final %d, stored %d", op, m.elem(), c.Final, out.Int(m.elem()))
					}
				}
				press(t, m, "b")
				checkSize(t, screen(m), 90, 26)
				press(t, m, "tab")
				m.goTo(op, m.tensor.elemOf(op))
				m.sync()
				press(t, m, "j")
			}
		})
	}
	if ran == 0 {
		t.Fatal("no shared model ran")
	}
}
