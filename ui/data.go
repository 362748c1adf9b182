package ui

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/tflq/tflq-trace/kernels"
	"github.com/tflq/tflq-trace/tflite"
	"github.com/tflq/tflq-trace/trace"
)

// Reference is the float reference of a run: what the UI shows in the
// "float reference" and "error" value modes and in the layers pane's error
// column. FromShadow adapts a trace.Shadow; nil means no reference.
type Reference interface {
	// Float returns tensor i's float reference, nil when it has none.
	Float(tensor int) []float32
	// ErrorLSB is (dequantized − reference) of one element in units of
	// the tensor's scale.
	ErrorLSB(tensor, elem int) float64
	// LayerMaxErrorLSB is operator op's largest |error| in LSB; ok is false
	// when the operator has no independent float reference.
	LayerMaxErrorLSB(op int) (lsb float64, ok bool)
}

// valueMode is what the tensor pane shows for each element.
type valueMode int

const (
	modeQuantized valueMode = iota
	modeDequantized
	modeReference
	modeError
	// modeDelta is the current run's value minus the base run's: in LSB
	// (quantized steps) for integer tensors, in real units for float32
	// ones. Only away from the base run.
	modeDelta
	numModes
)

func (v valueMode) String() string {
	return [...]string{"quantized", "dequantized", "float reference", "error (LSB)", "Δ (LSB)"}[v]
}

// label names the mode on screen for tensor t: Δ says against which
// runtime, and in which unit.
func (v valueMode) label(s *session, t *kernels.Tensor) string {
	if v != modeDelta {
		return v.String()
	}
	unit := "LSB"
	if t.Type == tflite.TypeFloat32 || !t.Quantized() {
		unit = "real"
	}
	return fmt.Sprintf("Δ vs %s (%s)", s.baseRuntime(), unit)
}

// modes is how many value modes m cycles through: Δ only away from the
// base run.
func (s *session) modes() valueMode {
	if s.onBase() {
		return modeDelta
	}
	return numModes
}

// dequantize is trace.Dequantize, NaN for element types without a real
// value.
func dequantize(t *kernels.Tensor, i int) float64 {
	if !t.HasRealValue() {
		return math.NaN()
	}
	return t.Dequantize(i)
}

// rawString is element i as stored: the integer, or the float ("?" for
// element types without a real value).
func rawString(t *kernels.Tensor, i int) string {
	switch {
	case !t.HasRealValue():
		return "?"
	case t.Type == tflite.TypeFloat32:
		return strconv.FormatFloat(float64(t.Float32()[i]), 'g', 6, 32)
	}
	return strconv.FormatInt(t.Int(i), 10)
}

// rawValue is element i as stored, as a float64 (for colour scaling); NaN
// for element types without a real value.
func rawValue(t *kernels.Tensor, i int) float64 {
	switch {
	case !t.HasRealValue():
		return math.NaN()
	case t.Type == tflite.TypeFloat32:
		return float64(t.Float32()[i])
	}
	return float64(t.Int(i))
}

// valueOf returns element i of t (a tensor of the current run) in the given
// mode; ok is false when the mode has no value (no float reference).
func valueOf(s *session, t *kernels.Tensor, i int, mode valueMode) (float64, bool) {
	ref := s.ref
	switch mode {
	case modeQuantized:
		return rawValue(t, i), true
	case modeDequantized:
		return dequantize(t, i), true
	case modeReference:
		if ref == nil {
			return 0, false
		}
		f := ref.Float(t.Index)
		if i >= len(f) {
			return 0, false
		}
		return float64(f[i]), true
	case modeError:
		if ref == nil || ref.Float(t.Index) == nil {
			return 0, false
		}
		return ref.ErrorLSB(t.Index, i), true
	case modeDelta:
		b := s.base.ip.Tensor(t.Index)
		if b == nil || !t.HasRealValue() {
			return 0, false
		}
		return rawValue(t, i) - rawValue(b, i), true
	}
	return 0, false
}

// formatValue renders v for a table cell of the given mode.
func formatValue(t *kernels.Tensor, v float64, mode valueMode) string {
	switch mode {
	case modeQuantized:
		if t.Type == tflite.TypeFloat32 {
			return strconv.FormatFloat(v, 'g', 4, 64)
		}
		return strconv.FormatInt(int64(v), 10)
	case modeError:
		return strconv.FormatFloat(v, 'f', 2, 64)
	case modeDelta:
		if t.Type == tflite.TypeFloat32 {
			return strconv.FormatFloat(v, 'g', 4, 64)
		}
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

// dtypeShort names a dtype in a few letters for the layers pane.
func dtypeShort(t tflite.TensorType) string {
	switch t {
	case tflite.TypeInt8:
		return "i8"
	case tflite.TypeUint8:
		return "u8"
	case tflite.TypeInt16:
		return "i16"
	case tflite.TypeInt32:
		return "i32"
	case tflite.TypeInt64:
		return "i64"
	case tflite.TypeFloat32:
		return "f32"
	case tflite.TypeBool:
		return "bool"
	}
	return strings.ToLower(t.String())
}

// quantString is " s=… zp=…" (per-tensor) or " per-channel(N)" + the
// channel's values.
func quantString(t *kernels.Tensor, channel int) string {
	switch {
	case !t.Quantized():
		return " not quantized"
	case len(t.Scale) == 1:
		return fmt.Sprintf(" s=%.4g zp=%d", t.Scale[0], t.ZP0())
	}
	c := min(max(channel, 0), len(t.Scale)-1)
	return fmt.Sprintf(" per-channel(%d) s[%d]=%.4g zp=%d", len(t.Scale), c, t.ScaleAt(c), t.ZeroPointAt(c))
}

// grid is how the tensor pane lays out a tensor: a table (rank ≤ 2 and
// anything it cannot read as an image) or a heatmap of one channel (rank
// 3/4 read as [N,]H,W[,C]).
type grid struct {
	heatmap bool
	// vector: a 1-D table wrapped over as many columns as fit.
	vector            bool
	rows, cols, chans int
	n                 int // total elements
}

func gridOf(shape []int) grid {
	n := kernels.NumElements(shape)
	g := grid{n: n, chans: 1}
	switch len(shape) {
	case 4: // NHWC, batch 0 unless the cursor says otherwise
		g.heatmap, g.rows, g.cols, g.chans = true, shape[1], shape[2], shape[3]
	case 3:
		if shape[0] == 1 { // [1,H,W]
			g.heatmap, g.rows, g.cols = true, shape[1], shape[2]
		} else { // [H,W,C]
			g.heatmap, g.rows, g.cols, g.chans = true, shape[0], shape[1], shape[2]
		}
	case 2:
		if shape[0] == 1 {
			g.vector, g.rows, g.cols = true, 1, shape[1]
		} else {
			g.rows, g.cols = shape[0], shape[1]
		}
	default:
		g.vector, g.rows, g.cols = true, 1, n
	}
	if g.heatmap && (g.rows*g.cols*g.chans == 0 || n%(g.rows*g.cols*g.chans) != 0) {
		g = grid{vector: true, rows: 1, cols: n, chans: 1, n: n}
	}
	return g
}

// pos splits a flat index into (plane, row, col, channel): plane counts the
// batches of a heatmap (0 for tables).
func (g grid) pos(i int) (plane, r, c, ch int) {
	if g.vector {
		return 0, 0, i, 0
	}
	ch = i % g.chans
	i /= g.chans
	c = i % g.cols
	i /= g.cols
	r = i % g.rows
	plane = i / g.rows
	return
}

func (g grid) index(plane, r, c, ch int) int {
	if g.vector {
		return c
	}
	return ((plane*g.rows+r)*g.cols+c)*g.chans + ch
}

// shadowReference adapts a trace.Shadow to Reference.
type shadowReference struct{ s *trace.Shadow }

// FromShadow returns the Reference of a float shadow run (nil for nil).
func FromShadow(s *trace.Shadow) Reference {
	if s == nil {
		return nil
	}
	return shadowReference{s}
}

func (r shadowReference) Float(tensor int) []float32 {
	if tensor < 0 || tensor >= len(r.s.Values) {
		return nil
	}
	return r.s.Values[tensor]
}

func (r shadowReference) ErrorLSB(tensor, elem int) float64 { return r.s.ErrorLSB(tensor, elem) }

func (r shadowReference) LayerMaxErrorLSB(op int) (float64, bool) {
	if op < 0 || op >= len(r.s.Metrics) || !r.s.Metrics[op].Reference || r.s.Metrics[op].Scale == 0 {
		return 0, false // no reference, or a float output: no LSB to count in
	}
	return r.s.Metrics[op].MaxAbsErrorLSB, true
}
