package trace

import (
	"errors"
	"strings"
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

// TestPlanMemory checks the plan of a small model term by term: tensors
// (non-constant buffers), constants (their data), the float shadow (4 bytes
// per element of every tensor; 8 more per non-constant element for the local
// references, counted only when asked for) and the index tables of data movement (5
// bytes per output element), per operator and in total; and that New and
// RunShadow refuse a limit below what they need, before allocating.
func TestPlanMemory(t *testing.T) {
	b := tflite.NewModelBuilder()
	q := tflite.PerTensor(0.5, 0)
	in := b.AddTensor("in", tflite.TypeInt8, []int32{2, 3}, q)
	w := b.AddConstTensor("w", tflite.TypeInt8, []int32{4, 3}, q, tflite.Int8Data(make([]int8, 12)))
	bias := b.AddConstTensor("b", tflite.TypeInt32, []int32{4}, tflite.PerTensor(0.25, 0), tflite.Int32Data(make([]int32, 4)))
	fc := b.AddTensor("fc", tflite.TypeInt8, []int32{2, 4}, q)
	perm := b.AddConstTensor("perm", tflite.TypeInt32, []int32{2}, nil, tflite.Int32Data([]int32{1, 0}))
	out := b.AddTensor("out", tflite.TypeInt8, []int32{4, 2}, q)
	b.AddOperator(tflite.OpFullyConnected, tflite.DefaultOptions(tflite.OptionsFullyConnected), []int32{in, w, bias}, []int32{fc})
	b.AddOperator(tflite.OpTranspose, tflite.DefaultOptions(tflite.OptionsTranspose), []int32{fc, perm}, []int32{out})
	b.SetIO([]int32{in}, []int32{out})
	m := builtModelOf(t, b)
	p := PlanMemory(m)
	// Tensors: in 6 + fc 8 + out 8; constants: w 12 + b 16 + perm 8;
	// shadow: 4·(6+12+4+8+2+8); local references (not in the total):
	// 8·(6+8+8); tables: 5·8 for TRANSPOSE's output.
	want := MemoryPlan{Tensors: 22, Constants: 36, Shadow: 160, LocalShadow: 176, Tables: 40, Total: 258, PerOp: []int64{8 + 32, 8 + 32 + 40}}
	if p.Tensors != want.Tensors || p.Constants != want.Constants || p.Shadow != want.Shadow || p.LocalShadow != want.LocalShadow || p.Tables != want.Tables ||
		p.Total != want.Total || len(p.PerOp) != 2 || p.PerOp[0] != want.PerOp[0] || p.PerOp[1] != want.PerOp[1] {
		t.Fatalf("plan %+v, want %+v", p, want)
	}
	if p.Largest[0].Name != "b" || p.Largest[0].Bytes != 16 {
		t.Fatalf("largest %+v, want the 16-byte bias first", p.Largest)
	}
	if _, err := New(m, Options{MaxMemory: 97}); !errors.Is(err, ErrMemoryLimit) || !strings.Contains(err.Error(), "needs 98 B") {
		t.Fatalf("New under 97 B: %v", err)
	}
	ip, err := New(m, Options{MaxMemory: 98})
	if err != nil {
		t.Fatalf("New under 98 B: %v", err)
	}
	if err := ip.Invoke(); err != nil {
		t.Fatal(err)
	}
	if _, err := RunShadow(ip); !errors.Is(err, ErrMemoryLimit) || !strings.Contains(err.Error(), "needs 258 B") {
		t.Fatalf("RunShadow under 98 B: %v", err)
	}
	ip, _ = New(m, Options{MaxMemory: 258})
	ip.Invoke()
	if _, err := RunShadow(ip); err != nil {
		t.Fatalf("RunShadow under 258 B: %v", err)
	}
	if _, err := RunShadowWith(ip, ShadowOptions{Local: true}); !errors.Is(err, ErrMemoryLimit) || !strings.Contains(err.Error(), "needs 434 B") {
		t.Fatalf("RunShadowWith local under 258 B: %v", err)
	}
}

func TestParseBytes(t *testing.T) {
	for s, want := range map[string]int64{"4096": 4096, "512MiB": 512 << 20, "8GiB": 8 << 30, "1.5G": 3 << 29, "2KB": 2000, "10 M": 10 << 20} {
		if got, err := ParseBytes(s); err != nil || got != want {
			t.Errorf("ParseBytes(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	for _, s := range []string{"", "lots", "-1GiB", "0", "1e30GiB", "GiB"} {
		if _, err := ParseBytes(s); err == nil {
			t.Errorf("ParseBytes(%q) accepted", s)
		}
	}
}
