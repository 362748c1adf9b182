package trace

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/tflq/tflq-trace/internal/oracle"
	"github.com/tflq/tflq-trace/internal/sharedtest"
	"github.com/tflq/tflq-trace/kernels"
	"github.com/tflq/tflq-trace/tflite"
)

func runSharedCase(t *testing.T, model, caseName string) *Interpreter {
	t.Helper()
	shared := sharedtest.Dir(t)
	ip := newInterpreter(t, sharedModel(t, shared, model), Options{})
	setCaseInputs(t, ip, filepath.Join(shared, "conformance", model, caseName))
	mustInvoke(t, ip)
	return ip
}

// representable clamps a real value to the range the tensor can hold.
func representable(t *kernels.Tensor, v float64) float64 {
	if !t.Quantized() || t.Type == tflite.TypeFloat32 {
		return v
	}
	lo, hi := oracle.TypeRange(t.Type)
	s, zp := float64(t.Scale0()), float64(t.ZP0())
	return math.Min(math.Max(v, (float64(lo)-zp)*s), (float64(hi)-zp)*s)
}

// TestShadowErrorBounds checks the float shadow of the float-in/float-out
// models against error bounds derived from the scales, layer by layer:
//
//   - QUANTIZE of a float input: |dequantized − x| ≤ s_out/2 (one rounding);
//   - FULLY_CONNECTED / CONV_2D element o (the reference uses the same
//     dequantized weights, so only the activations' error propagates):
//     |dequantized_o − clamp(ref_o)| ≤ s_out/2 + Σ_i |w_oi| · E_in + δ,
//     where E_in is the input tensor's largest error, clamp(ref_o) is the
//     reference limited to what the output can represent, and δ = s_out/2
//     allows for the multiplier's own rounding (one more LSB at most);
//   - MAX_POOL_2D, RESHAPE, DEQUANTIZE: |error| ≤ E_in (1-Lipschitz), plus
//     float32 storage rounding.
func TestShadowErrorBounds(t *testing.T) {
	for _, model := range []string{"ad_toycar_floatio_int8", "mnist_lenet_floatio_int8"} {
		t.Run(model, func(t *testing.T) {
			ip := runSharedCase(t, model, "rand0")
			s, err := RunShadow(ip)
			if err != nil {
				t.Fatal(err)
			}
			maxErr := func(ti int) float64 {
				out := ip.Tensors()[ti]
				e := 0.0
				for i := range out.NumElements() {
					e = math.Max(e, math.Abs(out.Dequantize(i)-representable(out, float64(s.Values[ti][i]))))
				}
				return e
			}
			checked := 0
			for oi, op := range ip.Ops() {
				n := op.Node
				out := n.Outputs[0]
				sOut := float64(out.Scale0())
				switch n.Op {
				case tflite.OpQuantize:
					if got := maxErr(out.Index); got > sOut/2*(1+1e-6) {
						t.Errorf("op %d QUANTIZE: max error %g > s_out/2 = %g", oi, got, sOut/2)
					}
				case tflite.OpFullyConnected, tflite.OpConv2D:
					eIn := maxErr(n.Input(0).Index)
					w := s.Values[n.Input(1).Index]
					outC := out.Dim(-1)
					perChannel := len(w) / outC
					for e := range out.NumElements() {
						oc := e % outC
						var sumW float64
						for _, v := range w[oc*perChannel : (oc+1)*perChannel] {
							sumW += math.Abs(float64(v))
						}
						bound := sOut + sumW*eIn
						got := math.Abs(out.Dequantize(e) - representable(out, float64(s.Values[out.Index][e])))
						if got > bound {
							t.Fatalf("op %d %v element %d: error %g > bound %g (s_out %g, Σ|w| %g, E_in %g)", oi, n.Op, e, got, bound, sOut, sumW, eIn)
						}
					}
				case tflite.OpMaxPool2D, tflite.OpReshape, tflite.OpDequantize:
					// float32 storage of the values adds at most one float32
					// rounding (2^-24 relative) of the largest magnitude.
					var mag float64
					for _, v := range s.Values[out.Index] {
						mag = math.Max(mag, math.Abs(float64(v)))
					}
					if got, eIn := maxErr(out.Index), maxErr(n.Input(0).Index); got > eIn+2*mag*math.Ldexp(1, -24) {
						t.Errorf("op %d %v: max error %g > input's %g", oi, n.Op, got, eIn)
					}
				default:
					continue
				}
				checked++
			}
			if checked < 3 {
				t.Fatalf("only %d layers checked", checked)
			}
			// The layer metrics agree with the element errors.
			for _, m := range s.Metrics {
				if m.Scale > 0 && math.Abs(m.MaxAbsErrorLSB-m.MaxAbsError/m.Scale) > 1e-9*(1+m.MaxAbsErrorLSB) {
					t.Errorf("op %d: max_abs_error_lsb %g ≠ max_abs_error/scale %g", m.Op, m.MaxAbsErrorLSB, m.MaxAbsError/m.Scale)
				}
				if m.Stddev < 0 || m.MeanSquaredError < m.MeanError*m.MeanError-1e-12 {
					t.Errorf("op %d: inconsistent stddev %g / mse %g / mean %g", m.Op, m.Stddev, m.MeanSquaredError, m.MeanError)
				}
			}
		})
	}
}

// TestShadowUnquantizedBias: a bias stored without quantization parameters
// is in accumulator units (s_in·s_w), as the kernels read it, so the float
// reference must scale it the same way.
func TestShadowUnquantizedBias(t *testing.T) {
	b := tflite.NewModelBuilder()
	in := b.AddTensor("in", tflite.TypeInt8, []int32{1, 2}, tflite.PerTensor(0.5, -1))
	w := b.AddConstTensor("w", tflite.TypeInt8, []int32{1, 2}, tflite.PerTensor(0.25, 0), tflite.Int8Data([]int8{4, -2}))
	bias := b.AddConstTensor("b", tflite.TypeInt32, []int32{1}, nil, tflite.Int32Data([]int32{8}))
	out := b.AddTensor("out", tflite.TypeInt8, []int32{1, 1}, tflite.PerTensor(0.125, 0))
	b.AddOperator(tflite.OpFullyConnected, tflite.Options{}, []int32{in, w, bias}, []int32{out})
	b.SetIO([]int32{in}, []int32{out})
	ip := newInterpreter(t, builtModelOf(t, b), Options{})
	// inputs q = [3, 1] → real [2, 1]; weights real [1, −0.5];
	// Σ = 2·1 + 1·(−0.5) = 1.5; bias 8·0.5·0.25 = 1 → 2.5 = q 20 at scale 0.125.
	ip.SetInput(0, []byte{3, 1})
	if err := ip.Invoke(); err != nil {
		t.Fatal(err)
	}
	if got := ip.Outputs()[0].Int(0); got != 20 {
		t.Fatalf("integer output %d, want 20", got)
	}
	s, err := RunShadow(ip)
	if err != nil {
		t.Fatal(err)
	}
	if ref := s.Values[out][0]; ref != 2.5 {
		t.Fatalf("float reference %v, want 2.5", ref)
	}
}

// TestShadowReferenceKernels checks every float reference kernel of the
// shadow table against the integer kernels on the built models: their inputs
// are exactly representable, so the quantized output may differ from the
// float reference (limited to what the output can represent) only by the
// output rounding (½ LSB) plus the fixed-point approximation of
// transcendental ops — at most 2.5 LSB here (int16 TANH's table reaches
// 2.06), or what a case states (builtCase.shadowTolLSB, shadowSkip: full
// TFLite's own approximations and bugs). A wrong formula (DIV as a product, PRELU without alpha, ...) is off
// by far more. Outputs without a scale (int32/int64) are skipped: float32
// cannot hold their values exactly; float32 outputs (DEQUANTIZE) must match
// to float32 storage rounding.
func TestShadowReferenceKernels(t *testing.T) {
	checked := map[tflite.BuiltinOperator]bool{}
	for _, c := range allBuiltCases() {
		t.Run(c.name, func(t *testing.T) {
			if c.shadowSkip != "" {
				t.Skip("the float reference does not apply: " + c.shadowSkip)
			}
			tolLSB := 2.5
			if c.shadowTolLSB > 0 {
				tolLSB = c.shadowTolLSB
			}
			ip := runBuilt(t, c)
			s, err := RunShadow(ip)
			if err != nil {
				t.Fatal(err)
			}
			for oi, op := range ip.Ops() {
				out := op.Node.Outputs[0]
				if shadowTable[op.Node.Op].eval == nil || !(out.Quantized() || out.Type == tflite.TypeFloat32) {
					continue
				}
				if !s.Metrics[oi].Reference {
					t.Errorf("op %d %s: the reference kernel gave up", oi, op.Name)
					continue
				}
				checked[op.Node.Op] = true
				for e := 0; e < out.NumElements(); e++ {
					ref := representable(out, float64(s.Values[out.Index][e]))
					unit := 1e-6 * math.Max(math.Abs(ref), 1) // float32 outputs: storage rounding
					if out.Type != tflite.TypeFloat32 {
						unit = float64(out.ScaleAt(out.ChannelOf(e)))
					}
					if d := math.Abs(out.Dequantize(e)-ref) / unit; d > tolLSB {
						t.Fatalf("op %d %s element %d: quantized %g, float reference %g: %.2f LSB apart", oi, op.Name, e, out.Dequantize(e), ref, d)
					}
				}
			}
		})
	}
	for op, rule := range shadowTable {
		if rule.eval != nil && !checked[op] {
			t.Errorf("%v has a float reference kernel but no built model with a quantized or float output checks it", op)
		}
	}
}
