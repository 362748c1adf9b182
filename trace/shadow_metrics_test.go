package trace

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"testing"

	"github.com/tflq/tflq-trace/kernels"
	"github.com/tflq/tflq-trace/tflite"
)

// fcSplitModel is FULLY_CONNECTED [1,4]→[1,4] (int8, lossy requantization)
// followed by SPLIT into two [1,2] outputs in the FC's quantization.
func fcSplitModel(t *testing.T) *Interpreter {
	t.Helper()
	b := tflite.NewModelBuilder()
	in := b.AddTensor("in", tflite.TypeInt8, []int32{1, 4}, tflite.PerTensor(0.5, 0))
	w := b.AddConstTensor("w", tflite.TypeInt8, []int32{4, 4}, tflite.PerTensor(0.3, 0),
		tflite.Int8Data([]int8{3, -1, 2, 5, -4, 2, 1, 1, 7, 0, -3, 2, 1, 1, 1, -6}))
	fc := b.AddTensor("fc", tflite.TypeInt8, []int32{1, 4}, tflite.PerTensor(0.7, 0))
	axis := b.AddConstTensor("axis", tflite.TypeInt32, []int32{}, nil, tflite.Int32Data([]int32{1}))
	s0 := b.AddTensor("s0", tflite.TypeInt8, []int32{1, 2}, tflite.PerTensor(0.7, 0))
	s1 := b.AddTensor("s1", tflite.TypeInt8, []int32{1, 2}, tflite.PerTensor(0.7, 0))
	b.AddOperator(tflite.OpFullyConnected, tflite.DefaultOptions(tflite.DefaultOptionsType(tflite.OpFullyConnected)), []int32{in, w, -1}, []int32{fc})
	opts := tflite.DefaultOptions(tflite.DefaultOptionsType(tflite.OpSplit))
	opts.NumSplits = 2
	b.AddOperator(tflite.OpSplit, opts, []int32{axis, fc}, []int32{s0, s1})
	b.SetIO([]int32{in}, []int32{s0, s1})
	ip := newInterpreter(t, builtModelOf(t, b), Options{})
	if err := ip.SetInput(0, []byte{3, 0xfd, 7, 1}); err != nil { // 3, −3, 7, 1
		t.Fatal(err)
	}
	if err := ip.Invoke(); err != nil {
		t.Fatal(err)
	}
	return ip
}

// TestMetricsEveryOutput: SPLIT has two outputs; each gets its own
// accumulated and local rows, and each output's accumulated error is the
// error of the FC elements it copied (elements 0,1 and 2,3).
func TestMetricsEveryOutput(t *testing.T) {
	ip := fcSplitModel(t)
	s, err := RunShadowWith(ip, ShadowOptions{Local: true})
	if err != nil {
		t.Fatal(err)
	}
	fc := ip.Tensors()[2]
	var fcErr [4]float64
	for i := range fcErr {
		fcErr[i] = fc.Dequantize(i) - float64(s.Values[fc.Index][i])
	}
	if fcErr == [4]float64{} {
		t.Fatal("the FC layer should round: no error to follow")
	}
	rows := s.opMetrics(1)
	if len(rows) != 4 {
		t.Fatalf("SPLIT has %d metric rows, want 2 outputs × 2 modes", len(rows))
	}
	for k := range 2 {
		acc, local := rows[2*k], rows[2*k+1]
		out := ip.Ops()[1].Node.Outputs[k]
		if acc.Output != k || acc.Tensor != out.Index || acc.Mode != MetricsAccumulated || local.Mode != MetricsLocal || local.Tensor != out.Index {
			t.Fatalf("output %d rows: %+v / %+v", k, acc, local)
		}
		e0, e1 := fcErr[2*k], fcErr[2*k+1]
		if want := max(math.Abs(e0), math.Abs(e1)); math.Abs(acc.MaxAbsError-want) > 1e-7 || math.Abs(acc.MeanError-(e0+e1)/2) > 1e-7 {
			t.Errorf("output %d: accumulated max %g mean %g, the FC elements it copied have %g, %g", k, acc.MaxAbsError, acc.MeanError, e0, e1)
		}
		if want := max(math.Abs(e0), math.Abs(e1)) / 0.7; math.Abs(acc.MaxAbsErrorLSB-want) > 1e-6 {
			t.Errorf("output %d: %g LSB, want %g", k, acc.MaxAbsErrorLSB, want)
		}
		// SPLIT only moves values: it adds no error of its own (beyond the
		// float32 storage of the reference, 2^-24 relative).
		if local.MaxAbsError > 3*math.Ldexp(1, -24) || !local.Reference {
			t.Errorf("output %d: local error %g (reference %v), want 0", k, local.MaxAbsError, local.Reference)
		}
	}
}

// TestMetricsLocalMode: the local reference of a layer is its float kernel
// on the dequantized inputs it got. On sample:mnist_cnn the CONV_2D's error
// reaches MAX_POOL_2D and RESHAPE (accumulated) though they add none
// (local: 0 up to the float32 storage of the reference), and the FULLY_CONNECTED's local reference is
// Σ deq(x)·deq(w) + deq(b) over its actual int8 inputs, so its local error
// is its own requantization's (≤ ½ LSB + the multiplier's rounding).
func TestMetricsLocalMode(t *testing.T) {
	ip := sampleRun(t, "mnist_cnn", kernels.RuntimeTFLM)
	s, err := RunShadowWith(ip, ShadowOptions{Local: true})
	if err != nil {
		t.Fatal(err)
	}
	row := func(op int, mode string) LayerMetrics {
		for _, m := range s.opMetrics(op) {
			if m.Mode == mode && m.Output == 0 {
				return m
			}
		}
		t.Fatalf("op %d has no %s row", op, mode)
		return LayerMetrics{}
	}
	for _, op := range []int{1, 2} {
		acc, local := row(op, MetricsAccumulated), row(op, MetricsLocal)
		if acc.MaxAbsError < 1e-4 || local.MaxAbsError > 3*math.Ldexp(1, -24) {
			t.Errorf("op %d %s: accumulated %g, local %g", op, acc.OpName, acc.MaxAbsError, local.MaxAbsError)
		}
		if acc != s.Metrics[op] {
			t.Errorf("op %d: Metrics is not the accumulated first output", op)
		}
	}
	n := ip.Ops()[3].Node
	x, w, bias, out := n.Input(0), n.Input(1), n.Input(2), n.Outputs[0]
	depth := w.Shape[1]
	for u := 0; u < out.NumElements(); u++ {
		ref := bias.Dequantize(u)
		for i := 0; i < depth; i++ {
			ref += x.Dequantize(i) * w.Dequantize(u*depth+i)
		}
		if got := float64(s.Local[out.Index][u]); math.Abs(got-ref) > 1e-5*math.Max(1, math.Abs(ref)) {
			t.Fatalf("FC unit %d: local reference %g, Σ deq(x)·deq(w) + deq(b) = %g", u, got, ref)
		}
	}
	acc, local := row(3, MetricsAccumulated), row(3, MetricsLocal)
	if local.MaxAbsErrorLSB > 0.5+1e-3 || acc.MeanError == local.MeanError {
		t.Errorf("FC: local %g LSB (want ≤ ½), accumulated mean error %g, local %g", local.MaxAbsErrorLSB, acc.MeanError, local.MeanError)
	}
}

// TestMetricsFloatOutputs: a float32 output has no scale, so its LSB
// figures are null (not 0) in the JSON and empty in the CSV, and the
// real-unit figures carry its error.
func TestMetricsFloatOutputs(t *testing.T) {
	ip := sampleRun(t, "mnist_dense", kernels.RuntimeTFLM)
	s, err := RunShadow(ip)
	if err != nil {
		t.Fatal(err)
	}
	deq := s.opMetrics(2)[0] // DEQUANTIZE's float32 output, accumulated
	if deq.OpName != "DEQUANTIZE" || deq.HasScale() || deq.MaxAbsError == 0 || deq.RMSE == 0 {
		t.Fatalf("DEQUANTIZE metrics %+v", deq)
	}
	b, err := json.Marshal(deq)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	json.Unmarshal(b, &raw)
	for _, k := range []string{"scale", "zero_point", "rmse_over_scale", "max_abs_error_lsb", "mean_abs_error_lsb"} {
		if v, ok := raw[k]; !ok || v != nil {
			t.Errorf("%s = %v, want null", k, v)
		}
	}
	if v, _ := raw["max_abs_error_real"].(float64); v != deq.MaxAbsError {
		t.Errorf("max_abs_error_real = %v, want %v", raw["max_abs_error_real"], deq.MaxAbsError)
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, s, ExportOptions{Ops: []int{2}}); err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n"))
	header, first := bytes.Split(lines[0], []byte(",")), bytes.Split(lines[1], []byte(","))
	for i, h := range header {
		switch string(h) {
		case "scale", "zero_point", "rmse_over_scale", "max_abs_error_lsb", "mean_abs_error_lsb":
			if len(first[i]) != 0 {
				t.Errorf("CSV %s = %q, want empty", h, first[i])
			}
		case "max_abs_error_real", "rmse_real":
			if len(first[i]) == 0 || string(first[i]) == "0" {
				t.Errorf("CSV %s = %q, want the error", h, first[i])
			}
		}
	}
	// A quantized output keeps its LSB figures.
	fc := s.opMetrics(1)[0]
	if !fc.HasScale() || fc.MaxAbsErrorLSB == 0 {
		t.Fatalf("FULLY_CONNECTED metrics %+v", fc)
	}
}

// TestShadowFloatInputs: RunShadowWith starts the float reference from the
// real data a quantized input was quantized from, and refuses data of the
// wrong size.
func TestShadowFloatInputs(t *testing.T) {
	ip := fcSplitModel(t)
	user := []float32{1.4, -1.6, 3.3, 0.6} // quantized at scale 0.5: 3, −3, 7, 1 (the run's input)
	s, err := RunShadowWith(ip, ShadowOptions{FloatInputs: [][]float32{user}, Local: true})
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := RunShadowWith(ip, ShadowOptions{Local: true})
	in := ip.Inputs()[0].Index
	for i, v := range user {
		if s.Values[in][i] != v || plain.Values[in][i] != float32(ip.Inputs()[0].Dequantize(i)) {
			t.Fatalf("input %d: reference %v / %v, want the user's %v / dequantized", i, s.Values[in][i], plain.Values[in][i], v)
		}
	}
	// FC unit 0 from the user's data: 0.3·(3·1.4 − 1·(−1.6) + 2·3.3 + 5·0.6) = 4.62.
	if got := s.Values[2][0]; math.Abs(float64(got)-4.62) > 1e-5 {
		t.Fatalf("FC unit 0 reference %v, want 4.62", got)
	}
	// The local reference ignores it: the FC's inputs as they were.
	if s.Local[2][0] != plain.Local[2][0] {
		t.Fatalf("local reference %v changed to %v", plain.Local[2][0], s.Local[2][0])
	}
	if _, err := RunShadowWith(ip, ShadowOptions{FloatInputs: [][]float32{{1, 2}}}); err == nil {
		t.Fatal("accepted float data of the wrong size")
	}
}

// TestModelExplorerMetricAndScale: the metric chooses the figure (local
// mean here) and the colour scale saturates at the clip percentile, so one
// outlier (1000 LSB among 1..19) is red while the others spread from green
// to red instead of all being green; values stay the true figures.
func TestModelExplorerMetricAndScale(t *testing.T) {
	s := &Shadow{}
	for i := 1; i <= 20; i++ {
		v := float64(i)
		if i == 20 {
			v = 1000
		}
		acc := LayerMetrics{Op: i, Output: 0, Tensor: i, TensorName: fmt.Sprintf("t%d", i), Mode: MetricsAccumulated, Scale: 0.1,
			MaxAbsErrorLSB: 2 * v, MeanAbsErrorLSB: 3 * v}
		local := acc
		local.Mode, local.MaxAbsErrorLSB, local.MeanAbsErrorLSB = MetricsLocal, 5*v, v
		s.OutputMetrics = append(s.OutputMetrics, acc, local)
	}
	type nodeData struct {
		Results map[string]struct {
			Value   float64 `json:"value"`
			BgColor string  `json:"bgColor"`
		} `json:"results"`
	}
	write := func(opt ExportOptions) nodeData {
		var buf bytes.Buffer
		if err := WriteModelExplorer(&buf, s, opt); err != nil {
			t.Fatal(err)
		}
		var nd nodeData
		if err := json.Unmarshal(buf.Bytes(), &nd); err != nil {
			t.Fatal(err)
		}
		return nd
	}
	robust := write(ExportOptions{Metric: "local-mean"})
	linear := write(ExportOptions{Metric: "local-mean", ClipPercentile: 100})
	if robust.Results["t10"].Value != 10 || robust.Results["t20"].Value != 1000 || write(ExportOptions{}).Results["t10"].Value != 20 {
		t.Fatalf("values: local-mean t10 %v t20 %v, accumulated-max t10 %v", robust.Results["t10"].Value, robust.Results["t20"].Value,
			write(ExportOptions{}).Results["t10"].Value)
	}
	// The 95th percentile of 1..19, 1000 is 19: t10 is half-way (yellow),
	// t19 and the outlier red; on the linear scale t10 is 1% of the way:
	// #2e7d32 + 0.02·(#fbc02d − #2e7d32) = (50.1, 126.3, 49.9) → #327e32.
	const green, yellow, red = "#2e7d32", "#fbc02d", "#c62828"
	if got := robust.Results["t1"].BgColor; got == green || got == robust.Results["t10"].BgColor {
		t.Errorf("robust scale: t1 %s, t10 %s", got, robust.Results["t10"].BgColor)
	}
	if robust.Results["t19"].BgColor != red || robust.Results["t20"].BgColor != red {
		t.Errorf("robust scale: t19 %s, t20 %s, want red", robust.Results["t19"].BgColor, robust.Results["t20"].BgColor)
	}
	if got := explorerColour(9.5, 19); got != yellow {
		t.Errorf("half-way colour %s, want %s", got, yellow)
	}
	if got := linear.Results["t10"].BgColor; got != explorerColour(10, 1000) || got != "#327e32" {
		t.Errorf("linear scale: t10 %s", got)
	}
	if err := WriteModelExplorer(io.Discard, s, ExportOptions{Metric: "median"}); err == nil {
		t.Error("accepted an unknown metric")
	}
}

// TestShadowLocalOptIn: RunShadow computes the accumulated references
// only; with Local the accumulated figures are the same and every output
// gains its local row.
func TestShadowLocalOptIn(t *testing.T) {
	ip := sampleRun(t, "mnist_cnn", kernels.RuntimeTFLM)
	acc, err := RunShadow(ip)
	if err != nil {
		t.Fatal(err)
	}
	full, err := RunShadowWith(ip, ShadowOptions{Local: true})
	if err != nil {
		t.Fatal(err)
	}
	if acc.Local != nil || full.Local == nil || len(acc.OutputMetrics) != len(full.OutputMetrics)/2 {
		t.Fatalf("local %v/%v, %d rows of %d", acc.Local != nil, full.Local != nil, len(acc.OutputMetrics), len(full.OutputMetrics))
	}
	for i, m := range acc.Metrics {
		if m != full.Metrics[i] || acc.OutputMetrics[i] != full.OutputMetrics[2*i] || full.OutputMetrics[2*i+1].Mode != MetricsLocal {
			t.Fatalf("op %d: %+v vs %+v", i, m, full.Metrics[i])
		}
	}
}

// TestMetricsArithmetic checks the metric formulas on numbers worked out by
// hand, through both of metricsThrough's loops (the per-tensor fast one and
// the per-element one every per-channel tensor takes), so that the
// aggregation they share is checked against values, not against itself.
// INT8 q = [2, -2, 4, 0] at scale 0.5, zero point 0, dequantizes to
// [1, -1, 2, 0]; against the reference [0.5, -1, 1, 0.25] the errors are
// [0.5, 0, 1, -0.25]: mean 1.25/4, mean |e| 1.75/4, MSE 1.3125/4, max |e| 1,
// in LSB [1, 0, 2, 0.5]: max 2, mean 3.5/4.
func TestMetricsArithmetic(t *testing.T) {
	ip := patternSampleRun(t, "mnist_dense")
	sh, err := RunShadow(ip)
	if err != nil {
		t.Fatal(err)
	}
	q := kernels.NewTensor(tflite.TypeInt8, []int{4})
	for i, v := range []int8{2, -2, 4, 0} {
		q.Data[i] = byte(v)
	}
	q.Scale, q.ZeroPoint = []float32{0.5}, []int64{0}
	ref := []float32{0.5, -1, 1, 0.25}
	mse := 1.3125 / 4
	mean := 1.25 / 4
	want := map[string]float64{
		"mean": mean, "mean_abs": 1.75 / 4, "mse": mse, "rmse": math.Sqrt(mse),
		"stddev": math.Sqrt(mse - mean*mean), "max_abs": 1, "max_lsb": 2, "mean_lsb": 3.5 / 4,
		"rmse_over_scale": math.Sqrt(mse) / 0.5,
	}
	for _, perElement := range []bool{false, true} {
		m := sh.metricsThrough(0, 0, q, ref, true, MetricsAccumulated, perElement)
		got := map[string]float64{
			"mean": m.MeanError, "mean_abs": m.MeanAbsError, "mse": m.MeanSquaredError, "rmse": m.RMSE,
			"stddev": m.Stddev, "max_abs": m.MaxAbsError, "max_lsb": m.MaxAbsErrorLSB, "mean_lsb": m.MeanAbsErrorLSB,
			"rmse_over_scale": m.RMSEOverScale,
		}
		for name, w := range want {
			if got[name] != w {
				t.Errorf("per element %v: %s = %v, want %v", perElement, name, got[name], w)
			}
		}
		if m.NumElements != 4 || m.Scale != 0.5 || m.ZeroPoint != 0 {
			t.Errorf("per element %v: %d elements, scale %v, zero point %d", perElement, m.NumElements, m.Scale, m.ZeroPoint)
		}
	}
}
