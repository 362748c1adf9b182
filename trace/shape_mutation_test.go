package trace

import (
	"fmt"
	"testing"

	"github.com/tflq/tflq-trace/kernels"
	"github.com/tflq/tflq-trace/tflite"
)

// TestMismatchedOutputShapes: every built model, under every runtime, with
// its first operator's output tensor given a shape the operator cannot
// produce (one element more, one less, or an extra dimension) is refused
// when it is prepared or runs and explains without a panic — a model file
// cannot make a kernel index past a tensor. (A reviewer found XNNPACK's
// unary kernels preparing LEAKY_RELU [4] → [8] and panicking in Eval.)
func TestMismatchedOutputShapes(t *testing.T) {
	mutations := []struct {
		name  string
		shape func([]int32) []int32
	}{
		{"one more", func(s []int32) []int32 { return grow(s, 1) }},
		{"one less", func(s []int32) []int32 { return grow(s, -1) }},
		{"extra dim", func(s []int32) []int32 { return append(append([]int32(nil), s...), 2) }},
	}
	prepared, refused := 0, 0
	for _, c := range allBuiltCases() {
		model, err := buildModel(c)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		g := &model.SubGraphs[0]
		if len(g.Operators) == 0 || len(g.Operators[0].Outputs) == 0 {
			continue
		}
		outIdx := g.Operators[0].Outputs[0]
		orig := g.Tensors[outIdx].Shape
		for _, mu := range mutations {
			shape := mu.shape(orig)
			if shape == nil {
				continue
			}
			g.Tensors[outIdx].Shape = shape
			g.Tensors[outIdx].ShapeSignature = nil
			raw, err := tflite.Write(model)
			g.Tensors[outIdx].Shape = orig
			if err != nil {
				continue
			}
			read, err := tflite.Read(raw)
			if err != nil {
				continue
			}
			for _, rt := range kernels.Runtimes() {
				name := fmt.Sprintf("%s/%s/%v", c.name, mu.name, rt)
				func() {
					defer func() {
						if r := recover(); r != nil {
							t.Errorf("%s: panic: %v", name, r)
						}
					}()
					ip, err := New(read, Options{Runtime: rt})
					if err != nil {
						refused++
						return
					}
					prepared++
					if err := ip.Invoke(); err != nil {
						return
					}
					cc := &kernels.Chain{}
					for oi, op := range ip.Ops() {
						for k, out := range op.Node.Outputs {
							if n := out.NumElements(); n > 0 {
								_ = ip.ExplainInto(cc, oi, k, n-1)
							}
						}
					}
				}()
			}
		}
	}
	t.Logf("mutated models: %d refused at prepare, %d prepared and ran", refused, prepared)
	if refused == 0 {
		t.Error("no mutated model was refused: the mutations did not reach the shape checks")
	}
}

// grow changes the last dimension of shape by d (nil when it would not be
// positive).
func grow(shape []int32, d int32) []int32 {
	if len(shape) == 0 || shape[len(shape)-1]+d < 1 {
		return nil
	}
	s := append([]int32(nil), shape...)
	s[len(s)-1] += d
	return s
}
