package ui

import (
	"math"
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/tflq/tflq-trace/tflite"
	"github.com/tflq/tflq-trace/trace"
)

// nonFiniteRun runs a float32 RESHAPE [1,16] → [1,4,4,1] whose input holds
// NaN (element 0), +Inf (5) and −Inf (10); the other elements are i.
func nonFiniteRun(t *testing.T) *trace.Interpreter {
	t.Helper()
	b := tflite.NewModelBuilder()
	in := b.AddTensor("in", tflite.TypeFloat32, []int32{1, 16}, nil)
	shape := b.AddConstTensor("shape", tflite.TypeInt32, []int32{4}, nil, tflite.Int32Data([]int32{1, 4, 4, 1}))
	out := b.AddTensor("out", tflite.TypeFloat32, []int32{1, 4, 4, 1}, nil)
	b.AddOperator(tflite.OpReshape, tflite.DefaultOptions(tflite.DefaultOptionsType(tflite.OpReshape)), []int32{in, shape}, []int32{out})
	b.SetIO([]int32{in}, []int32{out})
	model, err := b.Model()
	if err != nil {
		t.Fatal(err)
	}
	ip, err := trace.New(model, trace.Options{})
	if err != nil {
		t.Fatal(err)
	}
	x := ip.Inputs()[0].Float32()
	for i := range x {
		x[i] = float32(i)
	}
	x[0], x[5], x[10] = float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))
	if err := ip.Invoke(); err != nil {
		t.Fatal(err)
	}
	return ip
}

// TestHeatmapNonFinite: NaN and ±Inf in a float heatmap neither panic
// (mono used to index the shade characters with int(NaN)) nor flatten the
// plane: the scale covers the finite values, which still vary; the
// non-finite pixels are "?" in mono and the mid colour in colour.
func TestHeatmapNonFinite(t *testing.T) {
	ip := nonFiniteRun(t)
	for _, mono := range []bool{true, false} {
		m := newSized(ip, nil, Options{Title: "nonfinite", Mono: mono}, 90, 26)
		for range m.s.modes() { // the four modes of the base run (no Δ)
			checkSize(t, screen(m), 90, 26) // every mode, also without a reference
			press(t, m, "m")
		}
		if m.tensor.mode != modeQuantized {
			t.Fatalf("mode %v after cycling", m.tensor.mode)
		}
		out := outputOf(m.s.ip, m.op())
		g := gridOf(out.Shape)
		if !g.heatmap || g.rows != 4 || g.cols != 4 {
			t.Fatalf("output %v is not a 4×4 heatmap", out.Shape)
		}
		lines := m.tensor.heatmap(m.s, out, g, 15, 40, 10) // cursor at the last pixel
		if info := ansi.Strip(lines[0]); !strings.Contains(info, "colours 1 … 15") {
			t.Errorf("mono=%v: scale not over the finite values: %q", mono, info)
		}
		if mono {
			var rows []string
			for _, l := range lines[1:5] {
				rows = append(rows, ansi.Strip(l)[2:])
			}
			for _, rc := range [][2]int{{0, 0}, {1, 1}, {2, 2}} {
				if g := rows[rc[0]][rc[1]]; g != '?' {
					t.Errorf("non-finite pixel y=%d x=%d is %q, want '?'", rc[0], rc[1], g)
				}
			}
			shades := map[byte]bool{}
			for r, row := range rows {
				for c := range 4 {
					if r != c || r == 3 {
						shades[row[c]] = true
					}
				}
			}
			if len(shades) < 5 || shades['?'] {
				t.Errorf("finite pixels do not vary (%d shades):\n%s", len(shades), strings.Join(rows, "\n"))
			}
			continue
		}
		colours := map[string]bool{}
		sgr := regexp.MustCompile(`[34]8;2;(\d+;\d+;\d+)`)
		for _, l := range lines[1:3] {
			for _, c := range sgr.FindAllStringSubmatch(l, -1) {
				colours[c[1]] = true
			}
		}
		delete(colours, "0;255;0") // the cursor
		if len(colours) < 5 {
			t.Errorf("colour heatmap has %d colours, the finite pixels should vary: %q", len(colours), lines[1:3])
		}
	}
}
