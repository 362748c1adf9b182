package ui

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// TestTinyWindows resizes the UI down to nothing and back (10×5, 1×1, 0×0,
// 2×1, ...) and presses every key at each size, in every pane, on the CNN
// sample: no panic, and at every size the screen is exactly the window —
// below 40×10 a message saying the window is too small, the layout from
// there up.
func TestTinyWindows(t *testing.T) {
	ip, sh := sampleRun(t, "mnist_cnn", 0)
	m := New(ip, FromShadow(sh), Options{Title: "sample:mnist_cnn", Input: "digit 0_3.png"})
	keys := []string{"tab", "l", "j", "]", "m", "s", "n", "z", "t", "f", "esc", "c", "c", "b", "u", "e", "d", "[",
		"?", "j", "?", "G", "g", "/", "x", "esc", "1", "enter", "tab", "m", "m", "m", "r", "k", "h", "tab"}
	sizes := [][2]int{{10, 5}, {1, 1}, {0, 0}, {2, 1}, {3, 2}, {20, 3}, {40, 6}, {40, 10}, {41, 11}, {60, 12}, {80, 24}, {10, 5}, {200, 2}, {5, 60}, {200, 10}, {40, 60}}
	for _, size := range sizes {
		w, h := size[0], size[1]
		t.Run(fmt.Sprintf("%dx%d", w, h), func(t *testing.T) {
			m.Update(tea.WindowSizeMsg{Width: w, Height: h})
			for _, k := range keys {
				settle(t, m, press(t, m, k))
				scr := screen(m)
				if w > 0 && h > 0 {
					checkSize(t, scr, w, h)
				}
				if small := w < minWidth || h < minHeight; small && w >= 12 && h >= 1 && !strings.Contains(scr, "too small") {
					t.Errorf("a %d×%d window does not say it is too small", w, h)
				} else if !small && !strings.Contains(scr, "sample:mnist_cnn") {
					t.Errorf("a %d×%d window does not show the layout", w, h)
				}
				if t.Failed() {
					t.Fatalf("after %q at %d×%d:\n%s", k, w, h, scr)
				}
			}
		})
	}
}
