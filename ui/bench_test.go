package ui

import (
	"fmt"
	"testing"

	tea "charm.land/bubbletea/v2"
)

const personModel = "person_detect_int8.tflite"

// BenchmarkKeystroke is one keystroke (Update + View) on person_detect with
// the cursor in the largest heatmap (op 0, 48×48×8): moving right and left
// re-explains the element and redraws the whole screen. Target ≤ 30 ms.
func BenchmarkKeystroke(b *testing.B) {
	ip, ref := sharedRun(b, personModel, "person_detect_int8.input0.bin")
	for _, size := range [][2]int{{100, 30}, {200, 60}} {
		b.Run(sizeName(size), func(b *testing.B) {
			m := newSized(ip, ref, Options{Title: personModel}, size[0], size[1])
			press(b, m, "tab")
			benchKeystrokes(b, m, "l", "j", "h", "k")
		})
	}
	// The same under tflm-single, compared with tflm: every cell and the
	// channel's count check the base run, the chain pair explains twice.
	b.Run("vs-base-pair", func(b *testing.B) {
		m := newSized(ip, ref, Options{Title: personModel}, 100, 30)
		settle(b, m, press(b, m, "r"))
		press(b, m, "tab", "c")
		benchKeystrokes(b, m, "l", "j", "h", "k")
	})
	b.Run("layer-steps", func(b *testing.B) {
		m := newSized(ip, ref, Options{Title: personModel}, 200, 60)
		benchKeystrokes(b, m, "j", "k")
	})
}

// BenchmarkFirstFrame is start-up on person_detect: prepare, invoke, float
// shadow, the UI model and its first frame. Target ≤ 300 ms.
func BenchmarkFirstFrame(b *testing.B) {
	ip0, _ := sharedRun(b, personModel, "person_detect_int8.input0.bin")
	input := append([]byte(nil), ip0.Inputs()[0].Data...)
	for i := 0; i < b.N; i++ {
		m := openModel(b, ip0.Model(), input, personModel, 100, 30)
		_ = m.View()
	}
}

// benchKeystrokes times one keystroke (Update + View) on m, cycling through
// keys.
func benchKeystrokes(b *testing.B, m *Model, keys ...string) {
	msgs := make([]tea.KeyPressMsg, len(keys))
	for i, k := range keys {
		msgs[i] = keyMsg(k)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.Update(msgs[i%len(msgs)])
		_ = m.View()
	}
}

func sizeName(s [2]int) string {
	return fmt.Sprintf("%dx%d", s[0], s[1])
}

// BenchmarkRuntimeSwitch is r on person_detect: a new interpreter under
// tflm-single, its invoke and float shadow, the comparison of every layer
// with the base run, and the next frame. Target ≤ 300 ms (as a first frame).
func BenchmarkRuntimeSwitch(b *testing.B) {
	ip, ref := sharedRun(b, personModel, "person_detect_int8.input0.bin")
	for i := 0; i < b.N; i++ {
		m := newSized(ip, ref, Options{Title: personModel}, 100, 30)
		settle(b, m, press(b, m, "r"))
		_ = m.View()
	}
}
