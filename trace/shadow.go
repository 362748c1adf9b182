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
	"sync"

	"github.com/tflq/tflq-trace/kernels"
	"github.com/tflq/tflq-trace/tflite"
)

// Shadow is the float reference of every tensor of a run.
type Shadow struct {
	// Values[i] is tensor i's float reference (nil only for tensors the graph
	// never reaches).
	Values [][]float32
	// Metrics[op] compares operator op's first output with its reference.
	Metrics []LayerMetrics
	ip      *Interpreter
}

// LayerMetrics are QuantizationDebugger's layer statistics of an operator's
// output (error = dequantized − float reference), plus LSB figures.
type LayerMetrics struct {
	Op               int     `json:"op"`
	OpName           string  `json:"op_name"`
	Tensor           int     `json:"tensor_idx"`
	TensorName       string  `json:"tensor_name"`
	NumElements      int     `json:"num_elements"`
	Stddev           float64 `json:"stddev"`
	MeanError        float64 `json:"mean_error"`
	MaxAbsError      float64 `json:"max_abs_error"`
	MeanSquaredError float64 `json:"mean_squared_error"`
	Scale            float64 `json:"scale"`
	ZeroPoint        int32   `json:"zero_point"`
	// RMSEOverScale is sqrt(mean_squared_error)/scale (0 without a scale).
	RMSEOverScale float64 `json:"rmse/scale"`
	// MaxAbsErrorLSB and MeanAbsErrorLSB are in units of the output scale.
	MaxAbsErrorLSB  float64 `json:"max_abs_error_lsb"`
	MeanAbsErrorLSB float64 `json:"mean_abs_error_lsb"`
	// Reference is false when the operator has no float reference kernel and
	// its shadow is just its dequantized output.
	Reference bool `json:"reference"`
}

// layerMetricsJSON is LayerMetrics with its floats as Float, so that NaN
// and infinities encode as null.
type layerMetricsJSON struct {
	Op               int    `json:"op"`
	OpName           string `json:"op_name"`
	Tensor           int    `json:"tensor_idx"`
	TensorName       string `json:"tensor_name"`
	NumElements      int    `json:"num_elements"`
	Stddev           Float  `json:"stddev"`
	MeanError        Float  `json:"mean_error"`
	MaxAbsError      Float  `json:"max_abs_error"`
	MeanSquaredError Float  `json:"mean_squared_error"`
	Scale            Float  `json:"scale"`
	ZeroPoint        int32  `json:"zero_point"`
	RMSEOverScale    Float  `json:"rmse/scale"`
	MaxAbsErrorLSB   Float  `json:"max_abs_error_lsb"`
	MeanAbsErrorLSB  Float  `json:"mean_abs_error_lsb"`
	Reference        bool   `json:"reference"`
}

// MarshalJSON encodes the metrics with NaN and infinities as null.
func (m LayerMetrics) MarshalJSON() ([]byte, error) {
	return json.Marshal(layerMetricsJSON{m.Op, m.OpName, m.Tensor, m.TensorName, m.NumElements, Float(m.Stddev), Float(m.MeanError),
		Float(m.MaxAbsError), Float(m.MeanSquaredError), Float(m.Scale), m.ZeroPoint, Float(m.RMSEOverScale),
		Float(m.MaxAbsErrorLSB), Float(m.MeanAbsErrorLSB), m.Reference})
}

// UnmarshalJSON decodes what MarshalJSON writes (null as NaN).
func (m *LayerMetrics) UnmarshalJSON(b []byte) error {
	var j layerMetricsJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*m = LayerMetrics{j.Op, j.OpName, j.Tensor, j.TensorName, j.NumElements, float64(j.Stddev), float64(j.MeanError),
		float64(j.MaxAbsError), float64(j.MeanSquaredError), float64(j.Scale), j.ZeroPoint, float64(j.RMSEOverScale),
		float64(j.MaxAbsErrorLSB), float64(j.MeanAbsErrorLSB), j.Reference}
	return nil
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

// dequantizeInputs is dequantizeAll, a loop on the raw values for a
// per-tensor int8, uint8 or int16 tensor (the same values: Dequantize's
// arithmetic without its per-element dispatch).
func dequantizeInputs(t *kernels.Tensor) []float32 {
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
// by its first RunShadow: the memory check (the plan and the limit do not
// change between runs) and the float values of the constants (which do not
// either; the Shadows share them, read-only).
type shadowShared struct {
	once   sync.Once
	err    error
	consts [][]float32 // by tensor index, nil but for constants
}

// sharedShadow returns ip's shadowShared, making it on first use.
func (ip *Interpreter) sharedShadow() *shadowShared {
	c := &ip.shadow
	c.once.Do(func() {
		if err := PlanMemory(ip.model).check(ip.options.memoryLimit(), true); err != nil {
			c.err = err
			return
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

// RunShadow computes the float reference of every tensor. Invoke must have
// run (the graph inputs are read from the interpreter). The constants'
// values are shared by every Shadow of ip: callers only read Values.
func RunShadow(ip *Interpreter) (*Shadow, error) {
	shared := ip.sharedShadow()
	if shared.err != nil {
		return nil, shared.err
	}
	s := &Shadow{Values: make([][]float32, len(ip.Tensors())), ip: ip}
	for i, t := range ip.Tensors() {
		switch {
		case t.Const:
			s.Values[i] = shared.consts[i]
		case isGraphInput(ip, i):
			s.Values[i] = dequantizeInputs(t)
		}
	}
	for oi, op := range ip.Ops() {
		n := op.Node
		ref, err := s.evalNode(oi, n)
		if err != nil {
			return nil, &OpError{Index: oi, Op: ip.Ops()[oi].Name, Err: fmt.Errorf("float shadow: %w", err)}
		}
		for _, o := range n.Outputs {
			if o != nil && s.Values[o.Index] == nil {
				s.Values[o.Index] = dequantizeInputs(o)
			}
		}
		s.Metrics = append(s.Metrics, s.metrics(oi, n, ref))
	}
	return s, nil
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

func (s *Shadow) metrics(oi int, n *kernels.Node, ref bool) LayerMetrics {
	m := LayerMetrics{Op: oi, OpName: s.ip.Ops()[oi].Name, Tensor: -1, Reference: ref}
	if len(n.Outputs) == 0 || n.Outputs[0] == nil {
		return m
	}
	t := n.Outputs[0]
	m.Tensor, m.TensorName, m.NumElements = t.Index, t.Name, t.NumElements()
	if t.Quantized() && t.Type != tflite.TypeFloat32 {
		m.Scale, m.ZeroPoint = float64(t.Scale0()), t.ZP0()
	}
	if m.NumElements == 0 {
		return m
	}
	var sum, sumSq, sumAbsLSB float64
	if v, ok := perTensorView(t); ok && m.Scale > 0 {
		// Error and ErrorLSB without their per-element dispatch: the same
		// values, summed in the same order.
		ref := s.Values[t.Index]
		lsb := float64(t.ScaleAt(0))
		for i := 0; i < m.NumElements; i++ {
			var e float64
			if i < len(ref) {
				var q int64
				switch {
				case v.i8 != nil:
					q = int64(v.i8[i])
				case v.u8 != nil:
					q = int64(v.u8[i])
				default:
					q = int64(v.i16[i])
				}
				e = float64(q-v.zp)*v.scale - float64(ref[i])
			}
			sum += e
			sumSq += e * e
			m.MaxAbsError = max(m.MaxAbsError, math.Abs(e))
			l := math.Abs(e / lsb)
			sumAbsLSB += l
			m.MaxAbsErrorLSB = max(m.MaxAbsErrorLSB, l)
		}
	} else {
		for i := 0; i < m.NumElements; i++ {
			e := s.Error(t.Index, i)
			sum += e
			sumSq += e * e
			m.MaxAbsError = max(m.MaxAbsError, math.Abs(e))
			if m.Scale > 0 {
				l := math.Abs(s.ErrorLSB(t.Index, i))
				sumAbsLSB += l
				m.MaxAbsErrorLSB = max(m.MaxAbsErrorLSB, l)
			}
		}
	}
	n64 := float64(m.NumElements)
	m.MeanError = sum / n64
	m.MeanSquaredError = sumSq / n64
	m.Stddev = math.Sqrt(max(0, m.MeanSquaredError-m.MeanError*m.MeanError))
	if m.Scale > 0 {
		m.RMSEOverScale = math.Sqrt(m.MeanSquaredError) / m.Scale
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
