package trace

import (
	"math"
	"slices"
)

// LayerStats accumulates one operator output's float-shadow error over many
// inputs (QuantizationDebugger's layer statistics, over a data set), and
// remembers the inputs with the largest error.
type LayerStats struct {
	Op         int    `json:"op"`
	OpName     string `json:"op_name"`
	Tensor     int    `json:"tensor_idx"`
	TensorName string `json:"tensor_name"`
	// Scale is the output scale (0 for float outputs: then the LSB figures
	// are null and the real-unit ones carry the error).
	Scale     float64 `json:"scale"`
	Reference bool    `json:"reference"`
	Inputs    int     `json:"inputs"`
	Elements  int64   `json:"num_elements"`
	// MeanError is the mean of dequantized − float reference over every
	// element of every input; MeanSquaredError likewise; RMSEOverScale is
	// sqrt(mean_squared_error)/scale.
	MeanError        Float `json:"mean_error"`
	MeanSquaredError Float `json:"mean_squared_error"`
	MaxAbsError      Float `json:"max_abs_error"`
	RMSEOverScale    Float `json:"rmse_over_scale"`
	MeanAbsErrorLSB  Float `json:"mean_abs_error_lsb"`
	MaxAbsErrorLSB   Float `json:"max_abs_error_lsb"`
	// Worst are the inputs with the largest max |error| (in LSB, or real
	// units for float outputs), largest first.
	Worst []WorstInput `json:"worst_inputs"`

	sumError, sumSquared, sumAbsLSB float64
}

// WorstInput is one input and its largest error in a layer.
type WorstInput struct {
	Input       int   `json:"input"`
	MaxAbsError Float `json:"max_abs_error"`
	// InputSpec names the input so that it can be run again (the caller
	// sets it: e.g. the --input that replays it).
	InputSpec string `json:"input_spec,omitempty"`
	// Prediction is the top-1 class of the run of this input (the caller
	// sets it; nil without a classifier output).
	Prediction *int `json:"prediction,omitempty"`
}

// NewLayerStats starts the statistics of the layer a metrics row describes.
func NewLayerStats(m LayerMetrics) *LayerStats {
	return &LayerStats{Op: m.Op, OpName: m.OpName, Tensor: m.Tensor, TensorName: m.TensorName, Scale: m.Scale, Reference: m.Reference}
}

// Add folds one input's metrics in, keeping the keepWorst inputs with the
// largest error. Inputs must be added in input order for the sums to be
// reproducible bit for bit.
func (s *LayerStats) Add(input int, m LayerMetrics, keepWorst int) {
	n := float64(m.NumElements)
	s.Inputs++
	s.Elements += int64(m.NumElements)
	s.sumError += m.MeanError * n
	s.sumSquared += m.MeanSquaredError * n
	s.sumAbsLSB += m.MeanAbsErrorLSB * n
	s.MaxAbsError = Float(max(float64(s.MaxAbsError), m.MaxAbsError))
	s.MaxAbsErrorLSB = Float(max(float64(s.MaxAbsErrorLSB), m.MaxAbsErrorLSB))
	worst := m.MaxAbsErrorLSB
	if s.Scale == 0 {
		worst = m.MaxAbsError
	}
	if keepWorst > 0 && (len(s.Worst) < keepWorst || worst > float64(s.Worst[len(s.Worst)-1].MaxAbsError)) {
		s.Worst = append(s.Worst, WorstInput{Input: input, MaxAbsError: Float(worst)})
		// Stable: an earlier input stays ahead of a later one with the same error.
		slices.SortStableFunc(s.Worst, func(a, b WorstInput) int {
			switch {
			case a.MaxAbsError > b.MaxAbsError:
				return -1
			case a.MaxAbsError < b.MaxAbsError:
				return 1
			}
			return 0
		})
		s.Worst = s.Worst[:min(len(s.Worst), keepWorst)]
	}
	if s.Elements > 0 {
		total := float64(s.Elements)
		s.MeanError = Float(s.sumError / total)
		s.MeanSquaredError = Float(s.sumSquared / total)
		if s.Scale > 0 {
			s.RMSEOverScale = Float(math.Sqrt(s.sumSquared/total) / s.Scale)
			s.MeanAbsErrorLSB = Float(s.sumAbsLSB / total)
		} else {
			s.RMSEOverScale, s.MeanAbsErrorLSB, s.MaxAbsErrorLSB = Float(math.NaN()), Float(math.NaN()), Float(math.NaN())
		}
	}
}
