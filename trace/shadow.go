package trace

// The float shadow: the same graph run in float32 on dequantized constants,
// starting from the float graph inputs (or the dequantized integer inputs),
// so that every tensor gets a float reference next to its quantized value.
// Per layer it computes TFLite's QuantizationDebugger metrics on the
// operator's output, plus the same in units of the output scale (LSB).
//
// Every operator has a row in shadowTable (shadow_ops.go) saying how: a
// float reference kernel computes it in float; a pure data-movement operator
// copies the shadow value of the element its kernel's explanation declares
// it moved (kernels.Chain.Moved); any other operator is declared to have no
// independent reference, with the reason: its shadow is its dequantized
// integer output (Metrics.Reference is false) so that the layers after it
// still compare.

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"sync"

	"github.com/tflq/tflq-trace/kernels"
	"github.com/tflq/tflq-trace/tflite"
)

// Shadow is the float reference of every tensor of a run.
type Shadow struct {
	// Values[i] is tensor i's float reference (nil only for tensors the graph
	// never reaches): the graph run in float from the float graph inputs, so
	// that the error of a layer accumulates the error of every layer before
	// it.
	Values [][]float32
	// Local[i] is the local (layer-wise) float reference of operator output
	// i (ShadowOptions.Local; nil otherwise): the operator's float kernel
	// applied to the dequantized integer inputs it actually got, as
	// QuantizationDebugger's layer-wise metrics do, so that a layer's error
	// is only the error it adds.
	Local [][]float32
	// Metrics[op] compares operator op's first output with its accumulated
	// reference (the views that show one figure per layer use it).
	Metrics []LayerMetrics
	// OutputMetrics has, for every operator in order, every output's
	// accumulated metrics then (ShadowOptions.Local) its local ones.
	OutputMetrics []LayerMetrics
	ip            *Interpreter
}

// Metric modes (LayerMetrics.Mode).
const (
	// MetricsAccumulated compares with the float graph run from the inputs:
	// the error of everything before the layer is included.
	MetricsAccumulated = "accumulated"
	// MetricsLocal compares with the layer's float kernel run on the
	// dequantized inputs the layer actually got: only the layer's own error.
	MetricsLocal = "local"
)

// LayerMetrics are QuantizationDebugger's layer statistics of one output of
// an operator (error = dequantized − float reference), plus figures in
// units of the output scale (LSB). The error fields are in the tensor's real
// units; the LSB fields are meaningful only when the output has a scale
// (Scale > 0: quantized integer outputs) and are then 0 here and null in the
// exports.
type LayerMetrics struct {
	Op         int
	OpName     string
	Output     int // which output of the operator
	Tensor     int // its tensor index (−1 when absent)
	TensorName string
	// Mode is MetricsAccumulated or MetricsLocal.
	Mode string
	// Reference is false when the operator has no float reference kernel and
	// its reference is just its dequantized output.
	Reference   bool
	NumElements int
	// Scale and ZeroPoint are the output's (0 when it has no scale).
	Scale     float64
	ZeroPoint int32
	// In real units.
	MeanError        float64
	Stddev           float64
	MaxAbsError      float64
	MeanAbsError     float64
	MeanSquaredError float64
	RMSE             float64
	// In LSB (units of the output scale).
	RMSEOverScale   float64
	MaxAbsErrorLSB  float64
	MeanAbsErrorLSB float64
}

// HasScale reports whether the output has a scale, so that the LSB figures
// mean something.
func (m *LayerMetrics) HasScale() bool { return m.Scale > 0 }

// layerMetricsJSON is LayerMetrics as the exports write it: units in the
// names, NaN and infinities as null, and null for the scale, zero point
// and LSB figures of an output without a scale.
type layerMetricsJSON struct {
	Op               int    `json:"op"`
	OpName           string `json:"op_name"`
	Output           int    `json:"output"`
	Tensor           int    `json:"tensor_idx"`
	TensorName       string `json:"tensor_name"`
	Mode             string `json:"mode"`
	Reference        bool   `json:"reference"`
	NumElements      int    `json:"num_elements"`
	Scale            *Float `json:"scale"`
	ZeroPoint        *int32 `json:"zero_point"`
	MeanError        Float  `json:"mean_error_real"`
	Stddev           Float  `json:"stddev_real"`
	MaxAbsError      Float  `json:"max_abs_error_real"`
	MeanAbsError     Float  `json:"mean_abs_error_real"`
	MeanSquaredError Float  `json:"mean_squared_error_real_sq"`
	RMSE             Float  `json:"rmse_real"`
	RMSEOverScale    *Float `json:"rmse_over_scale"`
	MaxAbsErrorLSB   *Float `json:"max_abs_error_lsb"`
	MeanAbsErrorLSB  *Float `json:"mean_abs_error_lsb"`
}

// MetricColumns are the exports' names of the metric fields, in order (the
// CSV columns after model, input and runtime).
func MetricColumns() []string {
	return []string{"op", "op_name", "output", "tensor_idx", "tensor_name", "mode", "reference", "num_elements", "scale", "zero_point",
		"mean_error_real", "stddev_real", "max_abs_error_real", "mean_abs_error_real", "mean_squared_error_real_sq", "rmse_real",
		"rmse_over_scale", "max_abs_error_lsb", "mean_abs_error_lsb"}
}

func (m LayerMetrics) toJSON() layerMetricsJSON {
	j := layerMetricsJSON{Op: m.Op, OpName: m.OpName, Output: m.Output, Tensor: m.Tensor, TensorName: m.TensorName, Mode: m.Mode,
		Reference: m.Reference, NumElements: m.NumElements, MeanError: Float(m.MeanError), Stddev: Float(m.Stddev),
		MaxAbsError: Float(m.MaxAbsError), MeanAbsError: Float(m.MeanAbsError), MeanSquaredError: Float(m.MeanSquaredError), RMSE: Float(m.RMSE)}
	if m.HasScale() {
		zp := m.ZeroPoint
		j.Scale, j.ZeroPoint = floatPtr(m.Scale), &zp
		j.RMSEOverScale, j.MaxAbsErrorLSB, j.MeanAbsErrorLSB = floatPtr(m.RMSEOverScale), floatPtr(m.MaxAbsErrorLSB), floatPtr(m.MeanAbsErrorLSB)
	}
	return j
}

// MarshalJSON encodes the metrics as the exports write them.
func (m LayerMetrics) MarshalJSON() ([]byte, error) { return json.Marshal(m.toJSON()) }

// UnmarshalJSON decodes what MarshalJSON writes (null as NaN; a null scale
// as an output without a scale).
func (m *LayerMetrics) UnmarshalJSON(b []byte) error {
	var j layerMetricsJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*m = LayerMetrics{Op: j.Op, OpName: j.OpName, Output: j.Output, Tensor: j.Tensor, TensorName: j.TensorName, Mode: j.Mode,
		Reference: j.Reference, NumElements: j.NumElements, MeanError: float64(j.MeanError), Stddev: float64(j.Stddev),
		MaxAbsError: float64(j.MaxAbsError), MeanAbsError: float64(j.MeanAbsError), MeanSquaredError: float64(j.MeanSquaredError), RMSE: float64(j.RMSE)}
	if j.Scale != nil {
		m.Scale = float64(*j.Scale)
		m.RMSEOverScale, m.MaxAbsErrorLSB, m.MeanAbsErrorLSB = floatOrNaN(j.RMSEOverScale), floatOrNaN(j.MaxAbsErrorLSB), floatOrNaN(j.MeanAbsErrorLSB)
	}
	if j.ZeroPoint != nil {
		m.ZeroPoint = *j.ZeroPoint
	}
	return nil
}

// csvRecord is the metric fields as CSV cells, in MetricColumns order:
// shortest round-trip numbers, empty cells for null.
func (m LayerMetrics) csvRecord() []string {
	j := m.toJSON()
	return []string{strconv.Itoa(j.Op), j.OpName, strconv.Itoa(j.Output), strconv.Itoa(j.Tensor), j.TensorName, j.Mode,
		strconv.FormatBool(j.Reference), strconv.Itoa(j.NumElements), csvFloatPtr(j.Scale), csvZeroPoint(j.ZeroPoint),
		csvFloat(j.MeanError), csvFloat(j.Stddev), csvFloat(j.MaxAbsError), csvFloat(j.MeanAbsError), csvFloat(j.MeanSquaredError), csvFloat(j.RMSE),
		csvFloatPtr(j.RMSEOverScale), csvFloatPtr(j.MaxAbsErrorLSB), csvFloatPtr(j.MeanAbsErrorLSB)}
}

func dequantizeAll(t *kernels.Tensor) []float32 {
	out := make([]float32, t.NumElements())
	for i := range out {
		out[i] = float32(t.Dequantize(i))
	}
	return out
}

// perTensorInts is t's raw data when it is per-tensor quantized int8, uint8
// or int16, whose Dequantize(i) is float64(raw[i] − zp)·float64(scale):
// exactly one of the three views is non-nil.
type perTensorInts struct {
	i8    []int8
	u8    []uint8
	i16   []int16
	zp    int64
	scale float64
}

// perTensorView returns t's per-tensor view, ok false when t is not one.
func perTensorView(t *kernels.Tensor) (v perTensorInts, ok bool) {
	if len(t.Scale) != 1 {
		return v, false
	}
	v.zp, v.scale = int64(t.ZeroPointAt(0)), float64(t.ScaleAt(0))
	n := t.NumElements()
	switch t.Type {
	case tflite.TypeInt8:
		v.i8 = t.Int8()[:n]
	case tflite.TypeUint8:
		v.u8 = t.Uint8()[:n]
	case tflite.TypeInt16:
		v.i16 = t.Int16()[:n]
	default:
		return v, false
	}
	return v, true
}

// at is Dequantize(i).
func (v *perTensorInts) at(i int) float64 {
	var q int64
	switch {
	case v.i8 != nil:
		q = int64(v.i8[i])
	case v.u8 != nil:
		q = int64(v.u8[i])
	default:
		q = int64(v.i16[i])
	}
	return float64(q-v.zp) * v.scale
}

// dequantizeRun is dequantizeAll for the tensors a run changes (graph
// inputs, outputs without a reference): a loop on the raw values for a
// per-tensor int8, uint8 or int16 tensor, Dequantize's arithmetic without
// its per-element dispatch.
func dequantizeRun(t *kernels.Tensor) []float32 {
	v, ok := perTensorView(t)
	if !ok {
		return dequantizeAll(t)
	}
	out := make([]float32, t.NumElements())
	for i, q := range v.i8 {
		out[i] = float32(float64(int64(q)-v.zp) * v.scale)
	}
	for i, q := range v.u8 {
		out[i] = float32(float64(int64(q)-v.zp) * v.scale)
	}
	for i, q := range v.i16 {
		out[i] = float32(float64(int64(q)-v.zp) * v.scale)
	}
	return out
}

// shadowShared is what every float shadow of one interpreter shares, made
// by its first RunShadow: the memory plan and limit (they do not change
// between runs) and the float values of the constants (which do not either;
// the Shadows share them, read-only).
type shadowShared struct {
	once   sync.Once
	plan   MemoryPlan
	limit  int64
	consts [][]float32 // by tensor index, nil but for constants
}

// sharedShadow returns ip's shadowShared, making it on first use.
func (ip *Interpreter) sharedShadow() *shadowShared {
	c := &ip.shadow
	c.once.Do(func() {
		c.plan, c.limit = PlanMemory(ip.model), ip.options.memoryLimit()
		if c.plan.check(c.limit, true) != nil {
			return // every run is refused: no constants to dequantize
		}
		c.consts = make([][]float32, len(ip.tensors))
		for i, t := range ip.tensors {
			if t.Const {
				c.consts[i] = dequantizeAll(t)
			}
		}
	})
	return c
}

// constValues is the float values of constant tensor i.
func (c *shadowShared) constValues(t *kernels.Tensor) []float32 {
	if c.consts != nil {
		return c.consts[t.Index]
	}
	return dequantizeAll(t)
}

// RunShadow computes the float reference of every tensor, accumulated from
// the graph inputs, and the metrics of every operator output. Invoke must
// have run (the graph inputs are read from the interpreter).
func RunShadow(ip *Interpreter) (*Shadow, error) { return RunShadowWith(ip, ShadowOptions{}) }

// ShadowOptions configure RunShadowWith.
type ShadowOptions struct {
	// FloatInputs[k], when not nil, is the real data graph input k was
	// quantized from (e.g. a float .npy fed to an int8 input): the float
	// reference starts from it instead of the dequantized input, so that
	// the input's quantization error shows in the layers after it. It must
	// have the input's number of elements.
	FloatInputs [][]float32
	// Local also computes the local (layer-wise) references and metrics
	// (the exports ask for them; the views that show one figure per layer
	// do not, and skip the second pass and its memory).
	Local bool
}

// RunShadowWith is RunShadow with options: the real data quantized inputs
// came from, and the local references and metrics. A model whose shadow
// would exceed the interpreter's memory limit is refused before anything is
// allocated. The constants' values are shared by every Shadow of ip:
// callers only read Values.
func RunShadowWith(ip *Interpreter, opt ShadowOptions) (*Shadow, error) {
	shared := ip.sharedShadow()
	plan := shared.plan
	if opt.Local {
		plan = plan.withLocal()
	}
	if err := plan.check(shared.limit, true); err != nil {
		return nil, err
	}
	s := &Shadow{Values: make([][]float32, len(ip.Tensors())), ip: ip}
	if opt.Local {
		s.Local = make([][]float32, len(ip.Tensors()))
	}
	for i, t := range ip.Tensors() {
		switch {
		case t.Const:
			s.Values[i] = shared.constValues(t)
		case isGraphInput(ip, i):
			s.Values[i] = dequantizeRun(t)
		}
	}
	for k, f := range opt.FloatInputs {
		if f == nil {
			continue
		}
		if k >= len(ip.Inputs()) || len(f) != ip.Inputs()[k].NumElements() {
			return nil, fmt.Errorf("%w: float data for graph input %d does not match the input", ErrBadInput, k)
		}
		s.Values[ip.Inputs()[k].Index] = slices.Clone(f)
	}
	refs := make([]bool, len(ip.Ops()))
	for oi, op := range ip.Ops() {
		n := op.Node
		ref, err := s.evalNode(oi, n)
		if err != nil {
			return nil, &OpError{Index: oi, Op: ip.Ops()[oi].Name, Err: fmt.Errorf("float shadow: %w", err)}
		}
		refs[oi] = ref
		for _, o := range n.Outputs {
			if o != nil && s.Values[o.Index] == nil {
				s.Values[o.Index] = dequantizeRun(o)
			}
		}
	}
	if opt.Local {
		if err := s.runLocal(); err != nil {
			return nil, err
		}
	}
	for oi, op := range ip.Ops() {
		n := op.Node
		first := true
		for k, o := range n.Outputs {
			if o == nil {
				continue
			}
			// A float reference kernel computes the first output; data
			// movement covers every output.
			ref := refs[oi] && (k == 0 || shadowTable[n.Op].moves)
			acc := s.metricsOf(oi, k, o, s.Values[o.Index], ref, MetricsAccumulated)
			if first {
				s.Metrics = append(s.Metrics, acc)
				first = false
			}
			s.OutputMetrics = append(s.OutputMetrics, acc)
			if opt.Local {
				s.OutputMetrics = append(s.OutputMetrics, s.metricsOf(oi, k, o, s.Local[o.Index], ref, MetricsLocal))
			}
		}
		if first {
			s.Metrics = append(s.Metrics, LayerMetrics{Op: oi, OpName: op.Name, Tensor: -1, Mode: MetricsAccumulated, Reference: refs[oi]})
		}
	}
	return s, nil
}

// runLocal computes the local reference of every operator output: the
// operator's shadow row run on the dequantized values its non-constant
// inputs actually held (constants as in the accumulated shadow). An output
// the row does not compute is its own dequantized value.
func (s *Shadow) runLocal() error {
	ip := s.ip
	deq := make([][]float32, len(ip.Tensors()))
	dequantized := func(t *kernels.Tensor) []float32 {
		if deq[t.Index] == nil {
			deq[t.Index] = dequantizeRun(t)
		}
		return deq[t.Index]
	}
	view := &Shadow{Values: make([][]float32, len(ip.Tensors())), ip: ip}
	for i, t := range ip.Tensors() {
		if t.Const {
			view.Values[i] = s.Values[i]
		}
	}
	for oi, op := range ip.Ops() {
		n := op.Node
		for _, in := range n.Inputs {
			if in != nil && !in.Const {
				view.Values[in.Index] = dequantized(in)
			}
		}
		for _, o := range n.Outputs {
			if o != nil {
				view.Values[o.Index] = nil
			}
		}
		if _, err := view.evalNode(oi, n); err != nil {
			return &OpError{Index: oi, Op: op.Name, Err: fmt.Errorf("float shadow (local): %w", err)}
		}
		for _, o := range n.Outputs {
			if o == nil {
				continue
			}
			if s.Local[o.Index] = view.Values[o.Index]; s.Local[o.Index] == nil {
				s.Local[o.Index] = dequantized(o)
			}
		}
	}
	return nil
}

func isGraphInput(ip *Interpreter, i int) bool {
	for _, k := range ip.Graph().Inputs {
		if int(k) == i {
			return true
		}
	}
	return false
}

// ErrorLSB is (dequantized − reference)/scale for element elem of tensor t
// (the error in real units when the tensor has no scale).
func (s *Shadow) ErrorLSB(tensor, elem int) float64 {
	t := s.ip.Tensors()[tensor]
	ref := s.Values[tensor]
	if ref == nil || elem >= len(ref) {
		return 0
	}
	e := t.Dequantize(elem) - float64(ref[elem])
	if t.Quantized() && t.Type != tflite.TypeFloat32 {
		return e / float64(t.ScaleAt(t.ChannelOf(elem)))
	}
	return e
}

// Error is dequantized − reference in real units.
func (s *Shadow) Error(tensor, elem int) float64 {
	ref := s.Values[tensor]
	if ref == nil || elem >= len(ref) {
		return 0
	}
	return s.ip.Tensors()[tensor].Dequantize(elem) - float64(ref[elem])
}

// metricsOf compares output k (tensor t) of operator oi with the float
// reference ref.
func (s *Shadow) metricsOf(oi, k int, t *kernels.Tensor, ref []float32, reference bool, mode string) LayerMetrics {
	return s.metricsThrough(oi, k, t, ref, reference, mode, false)
}

// metricsThrough is metricsOf; perElement makes it dequantize every element
// through Dequantize even where a per-tensor view would skip its dispatch
// (a test checks that both give the same bits).
func (s *Shadow) metricsThrough(oi, k int, t *kernels.Tensor, ref []float32, reference bool, mode string, perElement bool) LayerMetrics {
	m := LayerMetrics{Op: oi, OpName: s.ip.Ops()[oi].Name, Output: k, Tensor: t.Index, TensorName: t.Name, Mode: mode,
		Reference: reference, NumElements: t.NumElements()}
	if t.Quantized() && t.Type != tflite.TypeFloat32 {
		m.Scale, m.ZeroPoint = float64(t.Scale0()), t.ZP0()
	}
	if m.NumElements == 0 || len(ref) < m.NumElements {
		return m
	}
	var sum, sumSq, sumAbs, sumAbsLSB float64
	if v, ok := perTensorView(t); ok && m.HasScale() && !perElement {
		// The loop below without Dequantize's per-element dispatch: the
		// same values, summed in the same order.
		lsb := float64(t.ScaleAt(0))
		var maxAbs, maxLSB float64 // in registers, not m's fields
		for i, r := range ref[:m.NumElements] {
			e := v.at(i) - float64(r)
			a := math.Abs(e)
			sum += e
			sumSq += e * e
			sumAbs += a
			maxAbs = max(maxAbs, a)
			l := math.Abs(e / lsb)
			sumAbsLSB += l
			maxLSB = max(maxLSB, l)
		}
		m.MaxAbsError, m.MaxAbsErrorLSB = maxAbs, maxLSB
	} else {
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

// in returns the shadow values of node input k (nil when absent).
func (s *Shadow) in(n *kernels.Node, k int) []float32 {
	t := n.Input(k)
	if t == nil {
		return nil
	}
	return s.Values[t.Index]
}

// evalNode computes the node's outputs in float as its shadowTable row
// says. It reports whether a float reference kernel (or an exact
// data-movement copy) produced them.
func (s *Shadow) evalNode(oi int, n *kernels.Node) (bool, error) {
	rule := shadowTable[n.Op]
	switch {
	case rule.eval != nil && len(n.Outputs) > 0 && n.Outputs[0] != nil:
		out := make([]float32, n.Outputs[0].NumElements())
		done, err := rule.eval(s, n, out)
		if err != nil || !done {
			return false, err
		}
		s.Values[n.Outputs[0].Index] = out
		return true, nil
	case rule.moves:
		return s.copyFromSources(oi, n), nil
	}
	return false, nil
}

// copyFromSources handles pure data movement: when every output element's
// explanation declares it a copy of one input element (Chain.Moved) in the
// same quantization, the element copies that source's shadow value.
func (s *Shadow) copyFromSources(oi int, n *kernels.Node) bool {
	outs := make([][]float32, len(n.Outputs))
	c := &kernels.Chain{}
	for k, o := range n.Outputs {
		if o == nil {
			continue
		}
		vals := make([]float32, o.NumElements())
		for e := range vals {
			if err := s.ip.ExplainInto(c, oi, k, e); err != nil || !c.Moved {
				return false
			}
			src := c.Move
			it := n.Input(src.Input)
			in := s.in(n, src.Input)
			if it == nil || in == nil || src.Element >= len(in) || !sameQuantization(it, o) {
				return false
			}
			vals[e] = in[src.Element]
		}
		outs[k] = vals
	}
	for k, o := range n.Outputs {
		if o != nil {
			s.Values[o.Index] = outs[k]
		}
	}
	return true
}

func sameQuantization(a, b *kernels.Tensor) bool {
	if a.Type != b.Type || len(a.Scale) != len(b.Scale) {
		return false
	}
	for i := range a.Scale {
		if a.Scale[i] != b.Scale[i] || a.ZeroPointAt(i) != b.ZeroPointAt(i) {
			return false
		}
	}
	return true
}
