package ui

import (
	"fmt"
	"testing"

	"github.com/tflq/tflq-trace/kernels"
	"github.com/tflq/tflq-trace/tflite"
)

// TestDeepAccumulation: a FULLY_CONNECTED deeper than an explanation keeps
// (kernels.MaxRecorded) shows every term's count and sum in the summary,
// steps through the kept terms, and on finishing adds the rest at once:
// "term 70000/70000" with the full sum, and a line for terms 65537–70000.
func TestDeepAccumulation(t *testing.T) {
	const depth = 70000
	b := tflite.NewModelBuilder()
	in := b.AddTensor("in", tflite.TypeInt8, []int32{1, depth}, tflite.PerTensor(0.5, 0))
	w := make([]int8, depth)
	input := make([]byte, depth)
	var sum int64
	for i := range w {
		w[i] = int8(i%3 - 1)
		input[i] = byte(int8(i%5 - 2))
		sum += int64(int8(input[i])) * int64(w[i])
	}
	wt := b.AddConstTensor("w", tflite.TypeInt8, []int32{1, depth}, tflite.PerTensor(0.5, 0), tflite.Int8Data(w))
	out := b.AddTensor("out", tflite.TypeInt8, []int32{1, 1}, tflite.PerTensor(1000, 0))
	b.AddOperator(tflite.OpFullyConnected, tflite.DefaultOptions(tflite.DefaultOptionsType(tflite.OpFullyConnected)), []int32{in, wt, -1}, []int32{out})
	b.SetIO([]int32{in}, []int32{out})
	model, err := b.Model()
	if err != nil {
		t.Fatal(err)
	}
	m := openModel(t, model, input, "deep", 120, 30)
	screenShows(t, screen(m), fmt.Sprintf(" %d terms (in+in_off)·(w+w_off), Σ = %d", depth, sum))

	press(t, m, "s", "f")
	if m.element.term != kernels.MaxRecorded {
		t.Fatalf("after f: term %d, want the %d kept", m.element.term, kernels.MaxRecorded)
	}
	var kept int64
	for i := range kernels.MaxRecorded {
		kept += int64(int8(input[i])) * int64(w[i])
	}
	if m.element.running[kernels.MaxRecorded] != kept {
		t.Errorf("running sum of the kept terms %d, want %d", m.element.running[kernels.MaxRecorded], kept)
	}
	screenShows(t, screen(m), fmt.Sprintf("term %d/%d · running sum Σ = %d", depth, depth, sum),
		fmt.Sprintf("65537–70000: 4464 more terms, summed but not kept   Σ %d", sum))

	press(t, m, "t")
	c := m.element.chain
	best := 0
	for i, tm := range c.Terms {
		if abs64(tm.Product) > abs64(c.Terms[best].Product) {
			best = i
		}
	}
	if m.message != fmt.Sprintf("term %d/%d has the largest |product| of the first %d (those kept), %d (b follows it back)", best+1, depth, kernels.MaxRecorded, c.Terms[best].Product) {
		t.Errorf("t: %q", m.message)
	}
}
