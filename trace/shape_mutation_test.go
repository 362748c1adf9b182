package trace

import (
	"errors"
	"fmt"
	"strings"
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

// TestBadGraphWrites: an operator that writes a constant, its own input, or
// a tensor another operator writes is refused with ErrBadGraph naming the
// op and the tensor (FuzzPipeline found a DEPTHWISE_CONV_2D writing into
// its own weights: Eval stored 40 where Explain, reading the overwritten
// weights, said 0).
func TestBadGraphWrites(t *testing.T) {
	build := func(wire func(b *tflite.ModelBuilder, in, out, cst int32)) error {
		b := tflite.NewModelBuilder()
		in := b.AddTensor("in", tflite.TypeInt8, []int32{4}, tflite.PerTensor(0.5, 0))
		out := b.AddTensor("out", tflite.TypeInt8, []int32{4}, tflite.PerTensor(0.5, 0))
		cst := b.AddConstTensor("cst", tflite.TypeInt8, []int32{4}, tflite.PerTensor(0.5, 0), tflite.Int8Data([]int8{1, 2, 3, 4}))
		wire(b, in, out, cst)
		b.SetIO([]int32{in}, []int32{out})
		m, err := b.Model()
		if err != nil {
			t.Fatal(err)
		}
		_, err = New(m, Options{})
		return err
	}
	relu := tflite.DefaultOptions(tflite.DefaultOptionsType(tflite.OpRelu))
	for _, tc := range []struct {
		name string
		wire func(b *tflite.ModelBuilder, in, out, cst int32)
		want string
	}{
		{"writes a constant", func(b *tflite.ModelBuilder, in, out, cst int32) {
			b.AddOperator(tflite.OpRelu, relu, []int32{in}, []int32{cst})
		}, "a constant"},
		{"writes its input", func(b *tflite.ModelBuilder, in, out, cst int32) {
			b.AddOperator(tflite.OpRelu, relu, []int32{in}, []int32{in})
		}, "also its input 0"},
		{"two writers", func(b *tflite.ModelBuilder, in, out, cst int32) {
			b.AddOperator(tflite.OpRelu, relu, []int32{in}, []int32{out})
			b.AddOperator(tflite.OpRelu, relu, []int32{in}, []int32{out})
		}, "which op 0 also writes"},
	} {
		err := build(tc.wire)
		if !errors.Is(err, ErrBadGraph) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want ErrBadGraph saying %q", tc.name, err, tc.want)
		}
	}
	if err := build(func(b *tflite.ModelBuilder, in, out, cst int32) {
		b.AddOperator(tflite.OpRelu, relu, []int32{in}, []int32{out})
	}); err != nil {
		t.Errorf("a well-formed RELU: %v", err)
	}
	// A graph input that is a constant: kernels prepared on its file values
	// (an ARG_MAX axis, FuzzPipeline found) would run on what SetInput
	// writes there.
	b := tflite.NewModelBuilder()
	out := b.AddTensor("out", tflite.TypeInt8, []int32{4}, tflite.PerTensor(0.5, 0))
	cst := b.AddConstTensor("cst", tflite.TypeInt8, []int32{4}, tflite.PerTensor(0.5, 0), tflite.Int8Data([]int8{1, 2, 3, 4}))
	b.AddOperator(tflite.OpRelu, relu, []int32{cst}, []int32{out})
	b.SetIO([]int32{cst}, []int32{out})
	m, err := b.Model()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(m, Options{}); !errors.Is(err, ErrBadGraph) || !strings.Contains(err.Error(), `graph input 0 is tensor 1 "cst", a constant`) {
		t.Errorf("a constant graph input: %v, want ErrBadGraph naming it", err)
	}
}
