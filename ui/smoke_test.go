package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tflq/tflq-trace/internal/sharedtest"
	"github.com/tflq/tflq-trace/kernels"
	"github.com/tflq/tflq-trace/tflite"
	"github.com/tflq/tflq-trace/trace"
)

// TestEveryOpOfEverySharedModel opens every shared model the interpreter
// runs, switches to tflm-single, visits every operator and presses the
// element keys there (move, channel, modes with Δ, step through and its
// jumps, next difference, chain pair, follow back, max error), checking that
// the screen is always exactly the window and the explanation matches the
// stored value.
// unsupportedSharedModels are the shared models trace.New is known to refuse,
// as TFLite-Micro does; any other refusal fails the test.
var unsupportedSharedModels = map[string]bool{
	// uint8 (legacy asymmetric) CONV_2D: TFLite-Micro only has int8/int16 kernels.
	"mobilenet_v1_0.25_128_quant_uint8": true,
}

func TestEveryOpOfEverySharedModel(t *testing.T) {
	dir := filepath.Join(sharedtest.Dir(t), "models")
	files, _ := filepath.Glob(filepath.Join(dir, "*.tflite"))
	ran := 0
	for _, f := range files {
		name := filepath.Base(f)
		base := strings.TrimSuffix(name, ".tflite")
		t.Run(base, func(t *testing.T) {
			m0, err := tflite.ReadFile(f)
			if err != nil {
				t.Fatalf("unreadable: %v", err)
			}
			ip, err := trace.New(m0, trace.Options{})
			switch {
			case err != nil && unsupportedSharedModels[base]:
				t.Skipf("known unsupported (as in TFLite-Micro): %v", err)
			case err != nil:
				t.Fatalf("trace.New: %v", err)
			case unsupportedSharedModels[base]:
				t.Errorf("%s is now supported: remove it from unsupportedSharedModels", base)
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
				t.Fatalf("invoke: %v", err)
			}
			var ref Reference
			if sh, err := trace.RunShadow(ip); err == nil {
				ref = FromShadow(sh)
			}
			ran++
			m := newSized(ip, ref, Options{Title: name, Mono: os.Getenv("NO_COLOR") != ""}, 90, 26)
			// Under tflm-single, compared with tflm: the differences and the
			// chain pair on every op too.
			settle(t, m, press(t, m, "r"))
			if rt := m.s.runtime(); rt != kernels.RuntimeTFLMSingle {
				t.Fatalf("r: runtime %v (%s), want tflm-single", rt, m.message)
			}
			single, layers := rerun(t, ip, kernels.RuntimeTFLMSingle), 0
			for op := range ip.Ops() {
				if want := len(differing(single, ip, op)); m.s.differ[op] != want {
					t.Errorf("op %d: the UI counts %d elements differing from tflm, an independent run %d", op, m.s.differ[op], want)
				}
				if m.s.differ[op] > 0 {
					layers++
				}
			}
			t.Logf("%d of %d layers differ under tflm-single", layers, len(ip.Ops()))
			for op := range ip.Ops() {
				if m.op() != op {
					t.Fatalf("expected to be at op %d, at %d", op, m.op())
				}
				press(t, m, "tab", "l", "j", "]", "m", "m", "m", "s", "n", "z", "t", "f", "f", "esc", "m", "m", "e", "d", "c")
				checkSize(t, screen(m), 90, 26)
				press(t, m, "c")
				if c := m.element.chain; c != nil {
					if out := outputOf(m.s.ip, op); out.Type != tflite.TypeFloat32 && out.Int(m.elem()) != c.Final {
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
