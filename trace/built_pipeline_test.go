package trace

import (
	"math"
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

// A small classifier the test builds itself, so that Explain, the float
// shadow and the JSON export are tested without shared data:
//
//	float32 [1,6,6,1] → QUANTIZE (s_q) → CONV_2D 3×3 SAME, 4 channels,
//	per-channel weights, ReLU (s_c) → MAX_POOL_2D 2×2/2 → RESHAPE [1,36]
//	→ FULLY_CONNECTED 36→5 (s_f) → SOFTMAX (1/256) → DEQUANTIZE → float32 [1,5]
const (
	pipeSQ = float32(1.0 / 128) // quantized input
	pipeSC = float32(0.02)      // conv output
	pipeSF = float32(0.05)      // logits
)

var (
	pipeConvScales = []float32{0.004, 0.006, 0.005, 0.0045}
	pipeFCScale    = float32(0.01)
)

type pipeline struct {
	input          []float32
	convW, fcW     []int64
	convB, fcB     []int64
	softmax, probs int32 // tensor indices
}

func buildPipeline(m *builtModel) *pipeline {
	p := &pipeline{}
	p.input = make([]float32, 36)
	for i := range p.input {
		p.input[i] = float32(math.Sin(float64(i)*0.7)) * 0.9
	}
	p.convW = pseudo(4*3*3*1, -127, 127, 200)
	p.convB = pseudo(4, -300, 300, 201)
	p.fcW = pseudo(5*36, -30, 30, 202)
	p.fcB = pseudo(5, -500, 500, 203)

	in := m.inF("image", []int{1, 6, 6, 1}, p.input)
	qin := m.tmp("image_q", i8, []int{1, 6, 6, 1}, q(pipeSQ, -1))
	m.op(tflite.OpQuantize, tflite.Options{}, []int32{in}, qin)

	cw := m.cst("conv_w", i8, []int{4, 3, 3, 1}, tflite.PerChannel(pipeConvScales, make([]int64, 4), 0), p.convW)
	// Biases carry the converter's quantization (s_in·s_w): the kernels
	// ignore it, the float shadow dequantizes with it.
	biasScales := make([]float32, 4)
	for i, sw := range pipeConvScales {
		biasScales[i] = pipeSQ * sw
	}
	cb := m.cst("conv_b", i32, []int{4}, tflite.PerChannel(biasScales, make([]int64, 4), 0), p.convB)
	conv := m.tmp("conv", i8, []int{1, 6, 6, 4}, q(pipeSC, -128))
	m.op(tflite.OpConv2D, opts(tflite.OpConv2D, func(o *tflite.Options) {
		o.StrideH, o.StrideW, o.Padding, o.Activation = 1, 1, tflite.PaddingSame, tflite.ActRelu
	}), []int32{qin, cw, cb}, conv)

	pool := m.tmp("pool", i8, []int{1, 3, 3, 4}, q(pipeSC, -128))
	m.op(tflite.OpMaxPool2D, opts(tflite.OpMaxPool2D, func(o *tflite.Options) {
		o.StrideH, o.StrideW, o.FilterH, o.FilterW, o.Padding = 2, 2, 2, 2, tflite.PaddingValid
	}), []int32{conv}, pool)

	flat := m.tmp("flat", i8, []int{1, 36}, q(pipeSC, -128))
	m.op(tflite.OpReshape, tflite.Options{}, []int32{pool, c32(m, "shape", []int64{1, 36})}, flat)

	fw := m.cst("fc_w", i8, []int{5, 36}, q(pipeFCScale, 0), p.fcW)
	fb := m.cst("fc_b", i32, []int{5}, q(pipeSC*pipeFCScale, 0), p.fcB)
	logits := m.tmp("logits", i8, []int{1, 5}, q(pipeSF, 4))
	m.op(tflite.OpFullyConnected, tflite.Options{}, []int32{flat, fw, fb}, logits)

	p.softmax = m.tmp("softmax", i8, []int{1, 5}, q(1.0/256, -128))
	m.op(tflite.OpSoftmax, opts(tflite.OpSoftmax, func(o *tflite.Options) { o.Beta = 1 }), []int32{logits}, p.softmax)

	p.probs = m.b.AddTensor("probs", f32, []int32{1, 5}, nil)
	m.outputs = append(m.outputs, p.probs)
	m.op(tflite.OpDequantize, tflite.Options{}, []int32{p.softmax}, p.probs)
	return p
}

// pipelineErrorBound bounds |probs − float shadow| from the scales and the
// constants. Each stage's error in real units, worst case:
//
//	input:   e_q = s_q/2                                   (QUANTIZE rounding)
//	conv:    e_c = max_oc Σ|w_oc|·s_w[oc]·e_q + s_c/2      (ReLU, MAX_POOL 1-Lipschitz)
//	logits:  e_f = max_u Σ|w_u|·s_fw·e_c + s_f/2
//	softmax: |∂p_i/∂z|₁ = 2·p_i(1−p_i) ≤ ½, so e_p = e_f/2 + 1/256
//
// where the last 1/256 is SOFTMAX's output rounding (½ LSB) plus its
// fixed-point exp/reciprocal error (≤ ½ LSB at 2^-8, see SOFTMAX/int8 in
// built_test.go); each requantization's multiplier error (~2^-31 relative)
// is negligible.
func pipelineErrorBound(p *pipeline) (convBound, outBound float64) {
	eq := float64(pipeSQ) / 2
	var ec float64
	for oc := 0; oc < 4; oc++ {
		var s float64
		for k := 0; k < 9; k++ {
			s += math.Abs(float64(p.convW[oc*9+k])) * float64(pipeConvScales[oc])
		}
		ec = math.Max(ec, s*eq)
	}
	ec += float64(pipeSC) / 2
	convBound = ec
	var ef float64
	for u := 0; u < 5; u++ {
		var s float64
		for d := 0; d < 36; d++ {
			s += math.Abs(float64(p.fcW[u*36+d])) * float64(pipeFCScale)
		}
		ef = math.Max(ef, s*ec)
	}
	ef += float64(pipeSF) / 2
	return convBound, ef/2 + 1.0/256
}

func TestBuiltPipeline(t *testing.T) {
	var p *pipeline
	ip := runBuilt(t, builtCase{name: "pipeline", build: func(m *builtModel) { p = buildPipeline(m) }})
	// runBuilt explained every element of every operator output and checked
	// each chain ends at the stored value; make sure all seven ran.
	if len(ip.Ops()) != 7 {
		t.Fatalf("%d operators, want 7", len(ip.Ops()))
	}

	probs := ip.Tensors()[p.probs].Float32()
	var sum float64
	for _, v := range probs {
		sum += float64(v)
	}
	// Five probabilities, each within 1/256 of its share: the sum is 1 ± 5/256.
	if math.Abs(sum-1) > 5.0/256 {
		t.Errorf("probabilities %v sum to %v", probs, sum)
	}

	s, err := RunShadow(ip)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Metrics) != 7 {
		t.Fatalf("%d layer metrics, want 7", len(s.Metrics))
	}
	for _, lm := range s.Metrics {
		for name, v := range map[string]float64{
			"stddev": lm.Stddev, "mean_error": lm.MeanError, "max_abs_error": lm.MaxAbsError,
			"mean_squared_error": lm.MeanSquaredError, "rmse/scale": lm.RMSEOverScale,
			"max_abs_error_lsb": lm.MaxAbsErrorLSB, "mean_abs_error_lsb": lm.MeanAbsErrorLSB,
		} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Errorf("op %d %s: %s = %v", lm.Op, lm.OpName, name, v)
			}
		}
		if lm.NumElements == 0 {
			t.Errorf("op %d %s: no elements compared", lm.Op, lm.OpName)
		}
	}
	convBound, bound := pipelineErrorBound(p)
	// Per layer: QUANTIZE is one rounding (½ LSB; float32 division can
	// only move a tie), CONV_2D within its stage bound.
	if e := s.Metrics[0].MaxAbsErrorLSB; e > 0.5+1e-6 {
		t.Errorf("QUANTIZE max error %v LSB > ½", e)
	}
	if e := s.Metrics[1].MaxAbsError; e > convBound {
		t.Errorf("CONV_2D max error %v > bound %v", e, convBound)
	}
	if bound > 0.5 {
		t.Fatalf("bound %v too loose to mean anything: retune the model", bound)
	}
	var worst float64
	for i := range probs {
		worst = math.Max(worst, math.Abs(s.Error(int(p.probs), i)))
	}
	if worst > bound {
		t.Errorf("output error %v exceeds the derived bound %v", worst, bound)
	}
	if worst == 0 {
		t.Errorf("output error exactly 0: the shadow is not independent of the integer run")
	}
	t.Logf("output %v, max |error| %.4g (bound %.4g)", probs, worst, bound)

	// Export every element; exportAndCheck validates against
	// docs/trace.schema.json and decodes it back into the Go types.
	f := exportAndCheck(t, ip, ExportOptions{ModelPath: "built/pipeline.tflite", Elements: ElementSelection{All: true}, TopTerms: 3})
	if len(f.Ops) != 7 || f.Ops[1].Op != "CONV_2D" || len(f.Ops[1].Elements) != 6*6*4 {
		t.Fatalf("export: %d ops", len(f.Ops))
	}
}
