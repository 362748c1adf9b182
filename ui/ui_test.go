package ui

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/tflq/tflq-trace/internal/sharedtest"
	"github.com/tflq/tflq-trace/tflite"
	"github.com/tflq/tflq-trace/trace"
)

var update = flag.Bool("update", false, "rewrite the golden screens under testdata/")

// sharedRun loads a shared model, feeds input (a file under models/, or
// nothing for zeros... no: a seeded pattern), invokes it and runs the shadow.
func sharedRun(t testing.TB, model, input string) (*trace.Interpreter, Reference) {
	t.Helper()
	dir := filepath.Join(sharedtest.Dir(t), "models")
	m, err := tflite.ReadFile(filepath.Join(dir, model))
	if err != nil {
		t.Fatal(err)
	}
	ip, err := trace.New(m, trace.Options{})
	if err != nil {
		t.Fatal(err)
	}
	in := ip.Inputs()[0]
	if input != "" {
		data, err := os.ReadFile(filepath.Join(dir, input))
		if err != nil {
			t.Fatal(err)
		}
		if err := ip.SetInput(0, data); err != nil {
			t.Fatal(err)
		}
	} else {
		// A deterministic ramp so that every channel has structure.
		for i := range in.Data {
			in.Data[i] = byte(i * 7 % 251)
		}
	}
	return ip, FromShadow(invokeShadow(t, ip))
}

// invokeShadow invokes ip and runs its float shadow.
func invokeShadow(t testing.TB, ip *trace.Interpreter) *trace.Shadow {
	t.Helper()
	if err := ip.Invoke(); err != nil {
		t.Fatal(err)
	}
	sh, err := trace.RunShadow(ip)
	if err != nil {
		t.Fatal(err)
	}
	return sh
}

// keyMsg turns "j", "enter", "ctrl+c"… into the key press Bubble Tea sends.
func keyMsg(k string) tea.KeyPressMsg {
	special := map[string]rune{
		"enter": tea.KeyEnter, "esc": tea.KeyEscape, "tab": tea.KeyTab, "up": tea.KeyUp,
		"down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight, "backspace": tea.KeyBackspace,
	}
	if c, ok := special[k]; ok {
		return tea.KeyPressMsg{Code: c}
	}
	if k == "ctrl+c" {
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

// press sends keys; a multi-character string that is not a key name is
// typed rune by rune.
func press(t testing.TB, m *Model, keys ...string) tea.Cmd {
	t.Helper()
	var cmd tea.Cmd
	for _, k := range keys {
		names := []string{k}
		if len([]rune(k)) > 1 && keyMsg(k).Text != "" {
			names = strings.Split(k, "")
		}
		for _, n := range names {
			_, cmd = m.Update(keyMsg(n))
		}
	}
	return cmd
}

func newSized(ip *trace.Interpreter, ref Reference, opt Options, w, h int) *Model {
	m := New(ip, ref, opt)
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return m
}

func screen(m *Model) string { return ansi.Strip(m.View().Content) }

// golden compares the ANSI-stripped screen with testdata/name.txt.
func golden(t *testing.T, m *Model, name string) string {
	t.Helper()
	got := screen(m)
	path := filepath.Join("testdata", name+".txt")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return got
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./ui -update)", err)
	}
	if got != string(want) {
		t.Errorf("screen %s differs from %s (go test ./ui -update rewrites it):\n%s", name, path, got)
	}
	return got
}

// checkSize asserts the screen is exactly w×h cells.
func checkSize(t *testing.T, scr string, w, h int) {
	t.Helper()
	lines := strings.Split(scr, "\n")
	if len(lines) != h {
		t.Errorf("screen has %d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if n := ansi.StringWidth(l); n != w {
			t.Errorf("line %d is %d cells wide, want %d: %q", i, n, w, l)
		}
	}
}
