package trace

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/tflq/tflq-trace/internal/sharedtest"
	"github.com/tflq/tflq-trace/kernels"
	"github.com/tflq/tflq-trace/samples"
	"github.com/tflq/tflq-trace/tflite"
)

// TestShadowMatchesPerElement checks the float shadow's loop structure
// against its per-element form, bit for bit: the convolution and pool
// reference kernels (channels side by side, each summed in the same order),
// the dequantization of inputs and outputs through their raw values, the
// per-layer metrics without per-element dispatch, and the constants
// dequantized once per interpreter. Models: every built case, the bundled
// samples and, with shared data, the real models of the conformance suite.
func TestShadowMatchesPerElement(t *testing.T) {
	checked := map[tflite.BuiltinOperator]int{}
	check := func(t *testing.T, ip *Interpreter) {
		t.Helper()
		s, err := RunShadow(ip)
		if err != nil {
			t.Fatal(err)
		}
		again, err := RunShadow(ip)
		if err != nil {
			t.Fatal(err)
		}
		for i, tt := range ip.Tensors() {
			if tt.Const {
				if want := dequantizeAll(tt); !sameFloats(s.Values[i], want) || !sameFloats(again.Values[i], want) {
					t.Fatalf("constant t%d: shared shadow values differ from its dequantized values", i)
				}
			}
		}
		for oi, op := range ip.Ops() {
			n := op.Node
			if len(n.Outputs) == 0 || n.Outputs[0] == nil {
				continue
			}
			out := n.Outputs[0]
			var per func(*Shadow, *kernels.Node, []float32) (bool, error)
			switch n.Op {
			case tflite.OpConv2D, tflite.OpDepthwiseConv2D:
				per = shadowConvPerElement
			case tflite.OpAveragePool2D, tflite.OpMaxPool2D:
				per = shadowPoolPerElement
			}
			if per != nil && s.Metrics[oi].Reference {
				want := make([]float32, out.NumElements())
				if ok, err := per(s, n, want); !ok || err != nil {
					t.Fatalf("op %d %s: the per-element form gave up (%v)", oi, op.Name, err)
				}
				if !sameFloats(s.Values[out.Index], want) {
					t.Fatalf("op %d %s: shadow values differ from the per-element form", oi, op.Name)
				}
				checked[n.Op]++
			}
			if !s.Metrics[oi].Reference {
				if want := dequantizeAll(out); !sameFloats(s.Values[out.Index], want) {
					t.Fatalf("op %d %s: dequantized output differs from Dequantize", oi, op.Name)
				}
			}
			checked[0]++
		}
		local, err := RunShadowWith(ip, ShadowOptions{Local: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, sh := range []*Shadow{s, local} {
			for _, m := range sh.OutputMetrics {
				ref := sh.Values[m.Tensor]
				if m.Mode == MetricsLocal {
					ref = sh.Local[m.Tensor]
				}
				want := sh.metricsThrough(m.Op, m.Output, ip.Tensors()[m.Tensor], ref, m.Reference, m.Mode, true)
				if !identicalMetrics(m, want) {
					t.Fatalf("op %d output %d %s metrics %+v, per element %+v", m.Op, m.Output, m.Mode, m, want)
				}
				checked[1]++
			}
		}
	}
	for _, c := range allBuiltCases() {
		if c.shadowSkip != "" {
			continue
		}
		t.Run(c.name, func(t *testing.T) { check(t, runBuilt(t, c)) })
	}
	for _, name := range samples.Names() {
		t.Run(name, func(t *testing.T) { check(t, patternSampleRun(t, name)) })
	}
	if _, ok := sharedtest.Lookup(); ok {
		for _, model := range []string{"person_detect_int8", "id_model_int8", "kws_dscnn_int8", "kws_dscnn_int16x8", "ic_resnet_cifar10_int8"} {
			t.Run(model, func(t *testing.T) {
				cases, _ := filepath.Glob(filepath.Join(sharedtest.Dir(t), "conformance", model, "*", "input0.bin"))
				if len(cases) == 0 {
					t.Skip("no conformance case")
				}
				check(t, runSharedCase(t, model, filepath.Base(filepath.Dir(cases[0]))))
			})
		}
	}
	for _, op := range []tflite.BuiltinOperator{tflite.OpConv2D, tflite.OpDepthwiseConv2D, tflite.OpAveragePool2D, tflite.OpMaxPool2D} {
		if checked[op] == 0 {
			t.Errorf("no %v compared with its per-element form", op)
		}
	}
	if checked[0] < 100 || checked[1] < 200 {
		t.Errorf("%d layers and %d metrics compared, want ≥ 100 and ≥ 200", checked[0], checked[1])
	}
}

// sameFloats reports whether a and b hold the same float32 bits.
func sameFloats(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

// identicalMetrics compares two LayerMetrics field by field, bit for bit
// (NaN equal to NaN).
func identicalMetrics(a, b LayerMetrics) bool {
	same := func(x, y float64) bool {
		return math.Float64bits(x) == math.Float64bits(y) || (math.IsNaN(x) && math.IsNaN(y))
	}
	return a.Op == b.Op && a.OpName == b.OpName && a.Output == b.Output && a.Tensor == b.Tensor && a.TensorName == b.TensorName &&
		a.Mode == b.Mode && a.Reference == b.Reference && a.NumElements == b.NumElements && same(a.Scale, b.Scale) &&
		a.ZeroPoint == b.ZeroPoint && same(a.MeanError, b.MeanError) && same(a.Stddev, b.Stddev) &&
		same(a.MaxAbsError, b.MaxAbsError) && same(a.MeanAbsError, b.MeanAbsError) && same(a.MeanSquaredError, b.MeanSquaredError) &&
		same(a.RMSE, b.RMSE) && same(a.RMSEOverScale, b.RMSEOverScale) && same(a.MaxAbsErrorLSB, b.MaxAbsErrorLSB) &&
		same(a.MeanAbsErrorLSB, b.MeanAbsErrorLSB)
}

// shadowConvPerElement is shadowConv one output element at a time, each
// summing its window in the order (ky, kx, ic): the form the float shadow
// had before it took the channels of a pixel side by side.
func shadowConvPerElement(s *Shadow, n *kernels.Node, out []float32) (bool, error) {
	in, w, bias, g, ok := s.convOperands(n)
	if !ok {
		return false, nil
	}
	for b := 0; b < g.batches; b++ {
		for y := 0; y < g.outH; y++ {
			for x := 0; x < g.outW; x++ {
				for oc := 0; oc < g.outC; oc++ {
					var acc float32
					for ky := 0; ky < g.kh; ky++ {
						iy := y*g.sh - g.padH + ky*g.dh
						if iy < 0 || iy >= g.inH {
							continue
						}
						for kx := 0; kx < g.kw; kx++ {
							ix := x*g.sw - g.padW + kx*g.dw
							if ix < 0 || ix >= g.inW {
								continue
							}
							base := ((b*g.inH+iy)*g.inW + ix) * g.inC
							if g.depthwise {
								acc += in[base+oc/g.dm] * w[(ky*g.kw+kx)*g.outC+oc]
								continue
							}
							grp := oc / g.groupOut
							for ic := 0; ic < g.filterC; ic++ {
								acc += in[base+grp*g.filterC+ic] * w[((oc*g.kh+ky)*g.kw+kx)*g.filterC+ic]
							}
						}
					}
					if bias != nil {
						acc += bias[oc]
					}
					out[((b*g.outH+y)*g.outW+x)*g.outC+oc] = activate(n.Options.Activation, acc)
				}
			}
		}
	}
	return true, nil
}

// shadowPoolPerElement is shadowPool one output element at a time, testing
// each tap of the window against the image.
func shadowPoolPerElement(s *Shadow, n *kernels.Node, out []float32) (bool, error) {
	in, g, ok := s.poolOperands(n)
	if !ok {
		return false, nil
	}
	for b := 0; b < g.batches; b++ {
		for y := 0; y < g.outH; y++ {
			for x := 0; x < g.outW; x++ {
				for ch := 0; ch < g.c; ch++ {
					var sum float32
					best := float32(math.Inf(-1))
					count := 0
					for ky := 0; ky < g.fh; ky++ {
						iy := y*g.sh - g.padH + ky
						if iy < 0 || iy >= g.inH {
							continue
						}
						for kx := 0; kx < g.fw; kx++ {
							ix := x*g.sw - g.padW + kx
							if ix < 0 || ix >= g.inW {
								continue
							}
							v := in[((b*g.inH+iy)*g.inW+ix)*g.c+ch]
							sum += v
							best = max(best, v)
							count++
						}
					}
					v := best
					if n.Op == tflite.OpAveragePool2D {
						v = sum / float32(max(count, 1))
					}
					out[((b*g.outH+y)*g.outW+x)*g.c+ch] = activate(n.Options.Activation, v)
				}
			}
		}
	}
	return true, nil
}
