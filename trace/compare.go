package trace

// Comparing runs of one model under different runtimes: which elements of
// which layer differ, by how much, and whether the prediction changes.

import (
	"bytes"
	"fmt"
	"math"

	"github.com/tflq/tflq-trace/kernels"
	"github.com/tflq/tflq-trace/tflite"
)

// LayerDiff compares one output tensor of one operator between two runs of
// the same model.
type LayerDiff struct {
	Op     int    `json:"op"`
	OpName string `json:"op_name"`
	// Output is the operator's output position, Tensor its tensor index.
	Output   int `json:"output"`
	Tensor   int `json:"tensor"`
	Elements int `json:"elements"`
	Differ   int `json:"differ"`
	// MaxAbsDiff is the largest |a − b|: in LSB (quantized steps) for
	// integer tensors, in real units for float32 ones (Unit says which).
	MaxAbsDiff Float  `json:"max_abs_diff"`
	Unit       string `json:"unit"`
	// First holds the coordinates of the first differing elements (at most
	// the number asked for).
	First [][]int `json:"first,omitempty"`
}

// Diff unit names.
const (
	UnitLSB  = "lsb"
	UnitReal = "real"
)

// DiffRuns compares every operator output of two interpreters of the same
// model after Invoke, element by element on the stored values, listing up to
// maxFirst differing coordinates per tensor.
func DiffRuns(ref, other *Interpreter, maxFirst int) ([]LayerDiff, error) {
	if len(ref.ops) != len(other.ops) || len(ref.tensors) != len(other.tensors) {
		return nil, fmt.Errorf("the two runs are of different models")
	}
	var diffs []LayerDiff
	for oi, op := range ref.ops {
		for k, t := range op.Node.Outputs {
			if t == nil {
				continue
			}
			d := diffTensor(t, other.tensors[t.Index], maxFirst)
			d.Op, d.OpName, d.Output, d.Tensor = oi, op.Name, k, t.Index
			diffs = append(diffs, d)
		}
	}
	return diffs, nil
}

// diffTensor compares two tensors of the same type and shape.
func diffTensor(a, b *kernels.Tensor, maxFirst int) LayerDiff {
	n := a.NumElements()
	d := LayerDiff{Elements: n, Unit: UnitLSB}
	float := a.Type == tflite.TypeFloat32
	if float {
		d.Unit = UnitReal
	}
	if bytes.Equal(a.Data, b.Data) {
		return d // the common case, at memory speed
	}
	size := a.Type.Size()
	var worst float64
	for i := 0; i < n; i++ {
		x, y := a.Data[i*size:(i+1)*size], b.Data[i*size:(i+1)*size]
		if string(x) == string(y) {
			continue
		}
		d.Differ++
		if len(d.First) < maxFirst {
			d.First = append(d.First, kernels.Unravel(i, a.Shape))
		}
		switch {
		case float:
			u, v := float64(a.Float32()[i]), float64(b.Float32()[i])
			if math.IsNaN(u) || math.IsNaN(v) {
				worst = math.Inf(1)
			} else {
				worst = max(worst, math.Abs(u-v))
			}
		case a.HasRealValue():
			worst = max(worst, math.Abs(float64(a.Int(i)-b.Int(i))))
		default:
			worst = math.Inf(1)
		}
	}
	d.MaxAbsDiff = Float(worst)
	return d
}

// Prediction is the top-1 class of a classifier: the index of the largest
// (dequantized) value of the first graph output, the first on ties. ok is
// false when that output is not classifier-shaped ([N] or [1,…,1,N] with
// N ≥ 2).
func Prediction(ip *Interpreter) (class int, ok bool) {
	outs := ip.Outputs()
	if len(outs) == 0 || outs[0] == nil || !ClassifierShaped(outs[0].Shape) {
		return 0, false
	}
	t := outs[0]
	best := math.Inf(-1)
	for i := 0; i < t.NumElements(); i++ {
		if v := t.Dequantize(i); v > best {
			best, class = v, i
		}
	}
	return class, true
}

// ClassifierShaped reports whether a shape is [N] or [1,…,1,N] with N ≥ 2.
func ClassifierShaped(shape []int) bool {
	if len(shape) == 0 {
		return false
	}
	for _, d := range shape[:len(shape)-1] {
		if d != 1 {
			return false
		}
	}
	return shape[len(shape)-1] >= 2
}
