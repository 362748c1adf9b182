package trace

import (
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

// modelMACs counts the multiply-accumulates one invoke of subgraph 0 of m
// performs in CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED (the operators
// that dominate the benchmarked models), from the model's shapes: every
// output element costs one MAC per filter tap it reads — kh·kw·(input
// channels per group) for CONV_2D (filter [outC, kh, kw, inC/groups]),
// kh·kw for DEPTHWISE_CONV_2D (filter [1, kh, kw, outC]), and the input
// depth for FULLY_CONNECTED (weights [units, depth]). Padding taps count as
// MACs, as the reference kernels skip them but optimized ones usually do not;
// docs/performance.md derives G MAC/s from this figure.
func modelMACs(m *tflite.Model) int64 {
	g := &m.SubGraphs[0]
	var total int64
	for _, op := range g.Operators {
		if len(op.Inputs) < 2 || len(op.Outputs) < 1 || op.Inputs[1] < 0 {
			continue
		}
		out := g.Tensors[op.Outputs[0]]
		filter := g.Tensors[op.Inputs[1]].Shape
		var perOutput int64
		switch m.OpCode(op) {
		case tflite.OpConv2D:
			if len(filter) == 4 {
				perOutput = int64(filter[1]) * int64(filter[2]) * int64(filter[3])
			}
		case tflite.OpDepthwiseConv2D:
			if len(filter) == 4 {
				perOutput = int64(filter[1]) * int64(filter[2])
			}
		case tflite.OpFullyConnected:
			if len(filter) == 2 {
				perOutput = int64(filter[1])
			}
		}
		total += out.NumElements() * perOutput
	}
	return total
}

func TestModelMACs(t *testing.T) {
	b := tflite.NewModelBuilder()
	pt := tflite.PerTensor(0.5, 0)
	in := b.AddTensor("in", tflite.TypeInt8, []int32{1, 5, 5, 2}, pt)
	// CONV_2D 3×3, 2 → 3 channels, VALID, stride 1: 3·3·3 outputs × 3·3·2 taps.
	cw := b.AddConstTensor("cw", tflite.TypeInt8, []int32{3, 3, 3, 2}, pt, make([]byte, 54))
	conv := b.AddTensor("conv", tflite.TypeInt8, []int32{1, 3, 3, 3}, pt)
	copts := tflite.DefaultOptions(tflite.OptionsConv2D)
	copts.StrideW, copts.StrideH, copts.Padding = 1, 1, tflite.PaddingValid
	b.AddOperator(tflite.OpConv2D, copts, []int32{in, cw, -1}, []int32{conv})
	// DEPTHWISE_CONV_2D 2×2, multiplier 2 (3 → 6 channels), VALID: 2·2·6 outputs × 4 taps.
	dw := b.AddConstTensor("dw", tflite.TypeInt8, []int32{1, 2, 2, 6}, pt, make([]byte, 24))
	dconv := b.AddTensor("dconv", tflite.TypeInt8, []int32{1, 2, 2, 6}, pt)
	dopts := tflite.DefaultOptions(tflite.OptionsDepthwiseConv2D)
	dopts.StrideW, dopts.StrideH, dopts.Padding, dopts.DepthMultiplier = 1, 1, tflite.PaddingValid, 2
	b.AddOperator(tflite.OpDepthwiseConv2D, dopts, []int32{conv, dw, -1}, []int32{dconv})
	// FULLY_CONNECTED 24 → 7: 7 outputs × 24.
	fw := b.AddConstTensor("fw", tflite.TypeInt8, []int32{7, 24}, pt, make([]byte, 168))
	fc := b.AddTensor("fc", tflite.TypeInt8, []int32{1, 7}, pt)
	b.AddOperator(tflite.OpFullyConnected, tflite.DefaultOptions(tflite.OptionsFullyConnected), []int32{dconv, fw, -1}, []int32{fc})
	b.SetIO([]int32{in}, []int32{fc})
	m := builtModelOf(t, b)
	const want = 27*18 + 24*4 + 7*24
	if got := modelMACs(m); got != want {
		t.Fatalf("modelMACs = %d, want %d", got, want)
	}
}
