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
				want := sh.metricsPerElement(m.Op, m.Output, ip.Tensors()[m.Tensor], ref, m.Reference, m.Mode)
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
		t.Run(name, func(t *testing.T) {
			data, err := samples.Model(name)
			if err != nil {
				t.Fatal(err)
			}
			ip := mustInterpreter(t, data)
			in := ip.Inputs()[0]
			for i := range in.Data {
				in.Data[i] = byte(i * 13 % 256)
			}
			if in.Type == tflite.TypeFloat32 {
				for i := range in.Float32() {
					in.Float32()[i] = float32(i%256) / 255
				}
			}
			if err := ip.Invoke(); err != nil {
				t.Fatal(err)
			}
			check(t, ip)
		})
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

// metricsPerElement is metricsOf through Dequantize, one element at a
// time.
func (s *Shadow) metricsPerElement(oi, k int, t *kernels.Tensor, ref []float32, reference bool, mode string) LayerMetrics {
	m := LayerMetrics{Op: oi, OpName: s.ip.Ops()[oi].Name, Output: k, Tensor: t.Index, TensorName: t.Name, Mode: mode,
		Reference: reference, NumElements: t.NumElements()}
	if t.Quantized() && t.Type != tflite.TypeFloat32 {
		m.Scale, m.ZeroPoint = float64(t.Scale0()), t.ZP0()
	}
	if m.NumElements == 0 || len(ref) < m.NumElements {
		return m
	}
	var sum, sumSq, sumAbs, sumAbsLSB float64
	for i := 0; i < m.NumElements; i++ {
		e := t.Dequantize(i) - float64(ref[i])
		sum += e
		sumSq += e * e
		sumAbs += math.Abs(e)
		m.MaxAbsError = max(m.MaxAbsError, math.Abs(e))
		if m.HasScale() {
			l := math.Abs(e / float64(t.ScaleAt(t.ChannelOf(i))))
			sumAbsLSB += l
			m.MaxAbsErrorLSB = max(m.MaxAbsErrorLSB, l)
		}
	}
	n64 := float64(m.NumElements)
	m.MeanError = sum / n64
	m.MeanAbsError = sumAbs / n64
	m.MeanSquaredError = sumSq / n64
	m.RMSE = math.Sqrt(m.MeanSquaredError)
	m.Stddev = math.Sqrt(max(0, m.MeanSquaredError-m.MeanError*m.MeanError))
	if m.HasScale() {
		m.RMSEOverScale = m.RMSE / m.Scale
		m.MeanAbsErrorLSB = sumAbsLSB / n64
	}
	return m
}

// shadowConvPerElement is shadowConv one output element at a time, each
// summing its window in the order (ky, kx, ic): the form the float shadow
// had before it took the channels of a pixel side by side.
func shadowConvPerElement(s *Shadow, n *kernels.Node, out []float32) (bool, error) {
	in, w, bias := s.in(n, 0), s.in(n, 1), biasValues(s, n)
	it, wt, ot := n.Input(0), n.Input(1), n.Outputs[0]
	if in == nil || w == nil || it.Rank() != 4 || wt.Rank() != 4 || ot.Rank() != 4 {
		return false, nil
	}
	o := n.Options
	batches, inH, inW, inC := it.Shape[0], it.Shape[1], it.Shape[2], it.Shape[3]
	outH, outW, outC := ot.Shape[1], ot.Shape[2], ot.Shape[3]
	kh, kw := wt.Shape[1], wt.Shape[2]
	dh, dw := max(int(o.DilationH), 1), max(int(o.DilationW), 1)
	sh, sw := max(int(o.StrideH), 1), max(int(o.StrideW), 1)
	padH, padW := kernels.ComputePadding(o.Padding, sh, sw, dh, dw, inH, inW, kh, kw, outH, outW)
	depthwise := n.Op == tflite.OpDepthwiseConv2D
	filterC := wt.Shape[3]
	if !depthwise && (filterC == 0 || inC%filterC != 0 || outC != wt.Shape[0]) {
		return false, nil
	}
	dm := 1
	if depthwise {
		if inC == 0 || outC%inC != 0 {
			return false, nil
		}
		dm = outC / inC
	}
	groupOut := outC
	if !depthwise {
		groupOut = outC / (inC / filterC)
	}
	for b := 0; b < batches; b++ {
		for y := 0; y < outH; y++ {
			for x := 0; x < outW; x++ {
				for oc := 0; oc < outC; oc++ {
					var acc float32
					for ky := 0; ky < kh; ky++ {
						iy := y*sh - padH + ky*dh
						if iy < 0 || iy >= inH {
							continue
						}
						for kx := 0; kx < kw; kx++ {
							ix := x*sw - padW + kx*dw
							if ix < 0 || ix >= inW {
								continue
							}
							base := ((b*inH+iy)*inW + ix) * inC
							if depthwise {
								acc += in[base+oc/dm] * w[(ky*kw+kx)*outC+oc]
								continue
							}
							g := oc / groupOut
							for ic := 0; ic < filterC; ic++ {
								acc += in[base+g*filterC+ic] * w[((oc*kh+ky)*kw+kx)*filterC+ic]
							}
						}
					}
					if bias != nil {
						acc += bias[oc]
					}
					out[((b*outH+y)*outW+x)*outC+oc] = activate(o.Activation, acc)
				}
			}
		}
	}
	return true, nil
}

// shadowPoolPerElement is shadowPool one output element at a time.
func shadowPoolPerElement(s *Shadow, n *kernels.Node, out []float32) (bool, error) {
	in := s.in(n, 0)
	it, ot := n.Input(0), n.Outputs[0]
	if in == nil || it.Rank() != 4 || ot.Rank() != 4 {
		return false, nil
	}
	o := n.Options
	batches, inH, inW, c := it.Shape[0], it.Shape[1], it.Shape[2], it.Shape[3]
	outH, outW := ot.Shape[1], ot.Shape[2]
	fh, fw := int(o.FilterH), int(o.FilterW)
	sh, sw := max(int(o.StrideH), 1), max(int(o.StrideW), 1)
	padH, padW := kernels.ComputePadding(o.Padding, sh, sw, 1, 1, inH, inW, fh, fw, outH, outW)
	for b := 0; b < batches; b++ {
		for y := 0; y < outH; y++ {
			for x := 0; x < outW; x++ {
				for ch := 0; ch < c; ch++ {
					var sum float32
					best := float32(math.Inf(-1))
					count := 0
					for ky := 0; ky < fh; ky++ {
						iy := y*sh - padH + ky
						if iy < 0 || iy >= inH {
							continue
						}
						for kx := 0; kx < fw; kx++ {
							ix := x*sw - padW + kx
							if ix < 0 || ix >= inW {
								continue
							}
							v := in[((b*inH+iy)*inW+ix)*c+ch]
							sum += v
							best = max(best, v)
							count++
						}
					}
					v := best
					if n.Op == tflite.OpAveragePool2D {
						v = sum / float32(max(count, 1))
					}
					out[((b*outH+y)*outW+x)*c+ch] = activate(o.Activation, v)
				}
			}
		}
	}
	return true, nil
}
