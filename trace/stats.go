package trace

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
)

// LayerStats accumulates one operator output's float-shadow error over many
// inputs (QuantizationDebugger's layer statistics, over a data set), and
// remembers the inputs with the largest error. Its JSON uses the trace
// export's names and conventions (units in the names; null for the scale,
// zero point and LSB figures of an output without a scale, and for values
// that are not finite).
type LayerStats struct {
	Op         int
	OpName     string
	Tensor     int
	TensorName string
	// Mode is the metrics' mode (MetricsAccumulated for eval).
	Mode string
	// Scale and ZeroPoint are the output's (0 when it has no scale: then
	// the LSB figures are NaN and the real-unit ones carry the error).
	Scale     float64
	ZeroPoint int32
	Reference bool
	Inputs    int
	Elements  int64
	// In real units, over every element of every input: MeanError is the
	// mean of dequantized − float reference, MeanSquaredError the mean of
	// its square (real units squared), RMSE its root.
	MeanError        float64
	MaxAbsError      float64
	MeanAbsError     float64
	MeanSquaredError float64
	RMSE             float64
	// In LSB (units of the output scale): RMSEOverScale is RMSE/scale.
	RMSEOverScale   float64
	MeanAbsErrorLSB float64
	MaxAbsErrorLSB  float64
	// Worst are the inputs with the largest max |error| (in LSB, or in
	// real units for outputs without a scale), largest first.
	Worst []WorstInput

	sumError, sumSquared, sumAbs, sumAbsLSB float64
}

// WorstInput is one input and its largest error in a layer.
type WorstInput struct {
	Input int `json:"input"`
	// InputSpec names the input so that it can be run again (the caller
	// sets it: e.g. the --input that replays it).
	InputSpec string `json:"input_spec,omitempty"`
	// Prediction is the top-1 class of the run of this input (the caller
	// sets it; nil without a classifier output).
	Prediction *int `json:"prediction,omitempty"`
	// MaxAbsErrorLSB is the input's largest |error| in LSB (nil for an
	// output without a scale); MaxAbsErrorReal in real units.
	MaxAbsErrorLSB  *Float `json:"max_abs_error_lsb"`
	MaxAbsErrorReal Float  `json:"max_abs_error_real"`
}

// rank is the figure the worst inputs are ordered by.
func (w WorstInput) rank() float64 {
	if w.MaxAbsErrorLSB != nil {
		return float64(*w.MaxAbsErrorLSB)
	}
	return float64(w.MaxAbsErrorReal)
}

// NewLayerStats starts the statistics of the layer a metrics row describes.
func NewLayerStats(m LayerMetrics) *LayerStats {
	return &LayerStats{Op: m.Op, OpName: m.OpName, Tensor: m.Tensor, TensorName: m.TensorName, Mode: m.Mode, Scale: m.Scale,
		ZeroPoint: m.ZeroPoint, Reference: m.Reference}
}

// HasScale reports whether the output has a scale, so that the LSB figures
// mean something.
func (s *LayerStats) HasScale() bool { return s.Scale > 0 }

// Add folds one input's metrics in, keeping the keepWorst inputs with the
// largest error. Inputs must be added in input order for the sums to be
// reproducible bit for bit.
func (s *LayerStats) Add(input int, m LayerMetrics, keepWorst int) {
	n := float64(m.NumElements)
	s.Inputs++
	s.Elements += int64(m.NumElements)
	s.sumError += m.MeanError * n
	s.sumSquared += m.MeanSquaredError * n
	s.sumAbs += m.MeanAbsError * n
	s.sumAbsLSB += m.MeanAbsErrorLSB * n
	s.MaxAbsError = max(s.MaxAbsError, m.MaxAbsError)
	s.MaxAbsErrorLSB = max(s.MaxAbsErrorLSB, m.MaxAbsErrorLSB)
	wi := WorstInput{Input: input, MaxAbsErrorReal: Float(m.MaxAbsError)}
	if s.HasScale() {
		lsb := Float(m.MaxAbsErrorLSB)
		wi.MaxAbsErrorLSB = &lsb
	}
	if keepWorst > 0 && (len(s.Worst) < keepWorst || wi.rank() > s.Worst[len(s.Worst)-1].rank()) {
		s.Worst = append(s.Worst, wi)
		// Stable: an earlier input stays ahead of a later one with the same error.
		slices.SortStableFunc(s.Worst, func(a, b WorstInput) int {
			switch {
			case a.rank() > b.rank():
				return -1
			case a.rank() < b.rank():
				return 1
			}
			return 0
		})
		s.Worst = s.Worst[:min(len(s.Worst), keepWorst)]
	}
	if s.Elements > 0 {
		total := float64(s.Elements)
		s.MeanError = s.sumError / total
		s.MeanSquaredError = s.sumSquared / total
		s.MeanAbsError = s.sumAbs / total
		s.RMSE = math.Sqrt(s.MeanSquaredError)
		if s.HasScale() {
			s.RMSEOverScale = s.RMSE / s.Scale
			s.MeanAbsErrorLSB = s.sumAbsLSB / total
		} else {
			s.RMSEOverScale, s.MeanAbsErrorLSB, s.MaxAbsErrorLSB = math.NaN(), math.NaN(), math.NaN()
		}
	}
}

// layerStatsJSON is LayerStats as eval writes it, named as the trace
// export names the same figures (LayerMetrics' JSON).
type layerStatsJSON struct {
	Op               int          `json:"op"`
	OpName           string       `json:"op_name"`
	Tensor           int          `json:"tensor_idx"`
	TensorName       string       `json:"tensor_name"`
	Mode             string       `json:"mode"`
	Reference        bool         `json:"reference"`
	Inputs           int          `json:"inputs"`
	Elements         int64        `json:"num_elements"`
	Scale            *Float       `json:"scale"`
	ZeroPoint        *int32       `json:"zero_point"`
	MeanError        Float        `json:"mean_error_real"`
	MaxAbsError      Float        `json:"max_abs_error_real"`
	MeanAbsError     Float        `json:"mean_abs_error_real"`
	MeanSquaredError Float        `json:"mean_squared_error_real_sq"`
	RMSE             Float        `json:"rmse_real"`
	RMSEOverScale    *Float       `json:"rmse_over_scale"`
	MaxAbsErrorLSB   *Float       `json:"max_abs_error_lsb"`
	MeanAbsErrorLSB  *Float       `json:"mean_abs_error_lsb"`
	Worst            []WorstInput `json:"worst_inputs"`
}

func (s *LayerStats) toJSON() layerStatsJSON {
	j := layerStatsJSON{Op: s.Op, OpName: s.OpName, Tensor: s.Tensor, TensorName: s.TensorName, Mode: s.Mode, Reference: s.Reference,
		Inputs: s.Inputs, Elements: s.Elements, MeanError: Float(s.MeanError), MaxAbsError: Float(s.MaxAbsError),
		MeanAbsError: Float(s.MeanAbsError), MeanSquaredError: Float(s.MeanSquaredError), RMSE: Float(s.RMSE), Worst: s.Worst}
	if j.Worst == nil {
		j.Worst = []WorstInput{}
	}
	if s.HasScale() {
		zp := s.ZeroPoint
		j.Scale, j.ZeroPoint = floatPtr(s.Scale), &zp
		j.RMSEOverScale, j.MaxAbsErrorLSB, j.MeanAbsErrorLSB = floatPtr(s.RMSEOverScale), floatPtr(s.MaxAbsErrorLSB), floatPtr(s.MeanAbsErrorLSB)
	}
	return j
}

// MarshalJSON writes the statistics with the trace export's names.
func (s *LayerStats) MarshalJSON() ([]byte, error) { return json.Marshal(s.toJSON()) }

// UnmarshalJSON reads what MarshalJSON writes (null as NaN; a null scale as
// an output without a scale). The sums are not restored: Add cannot go on.
func (s *LayerStats) UnmarshalJSON(b []byte) error {
	var j layerStatsJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*s = LayerStats{Op: j.Op, OpName: j.OpName, Tensor: j.Tensor, TensorName: j.TensorName, Mode: j.Mode, Reference: j.Reference,
		Inputs: j.Inputs, Elements: j.Elements, MeanError: float64(j.MeanError), MaxAbsError: float64(j.MaxAbsError),
		MeanAbsError: float64(j.MeanAbsError), MeanSquaredError: float64(j.MeanSquaredError), RMSE: float64(j.RMSE),
		RMSEOverScale: floatOrNaN(j.RMSEOverScale), MaxAbsErrorLSB: floatOrNaN(j.MaxAbsErrorLSB), MeanAbsErrorLSB: floatOrNaN(j.MeanAbsErrorLSB), Worst: j.Worst}
	if j.Scale != nil {
		s.Scale = float64(*j.Scale)
	}
	if j.ZeroPoint != nil {
		s.ZeroPoint = *j.ZeroPoint
	}
	return nil
}

// StatsColumns are the CSV names of the statistics, in CSVRecord's order.
func StatsColumns() []string {
	return []string{"op", "op_name", "tensor_idx", "tensor_name", "mode", "reference", "inputs", "num_elements", "scale", "zero_point",
		"mean_error_real", "max_abs_error_real", "mean_abs_error_real", "mean_squared_error_real_sq", "rmse_real",
		"rmse_over_scale", "max_abs_error_lsb", "mean_abs_error_lsb"}
}

// CSVRecord is the statistics as CSV cells, in StatsColumns order: shortest
// round-trip numbers, empty cells for null.
func (s *LayerStats) CSVRecord() []string {
	j := s.toJSON()
	return []string{strconv.Itoa(j.Op), j.OpName, strconv.Itoa(j.Tensor), j.TensorName, j.Mode, strconv.FormatBool(j.Reference),
		strconv.Itoa(j.Inputs), strconv.FormatInt(j.Elements, 10), csvFloatPtr(j.Scale), csvZeroPoint(j.ZeroPoint),
		csvFloat(j.MeanError), csvFloat(j.MaxAbsError), csvFloat(j.MeanAbsError), csvFloat(j.MeanSquaredError), csvFloat(j.RMSE),
		csvFloatPtr(j.RMSEOverScale), csvFloatPtr(j.MaxAbsErrorLSB), csvFloatPtr(j.MeanAbsErrorLSB)}
}

// csvFloat is a CSV cell: the shortest round-trip number, empty when not
// finite.
func csvFloat(v Float) string {
	if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
		return ""
	}
	return strconv.FormatFloat(float64(v), 'g', -1, 64)
}

// csvFloatPtr is csvFloat of *p, empty for nil.
func csvFloatPtr(p *Float) string {
	if p == nil {
		return ""
	}
	return csvFloat(*p)
}

// csvZeroPoint is a zero point's CSV cell, empty for nil (no scale).
func csvZeroPoint(zp *int32) string {
	if zp == nil {
		return ""
	}
	return strconv.Itoa(int(*zp))
}

// floatPtr is v as the *Float of an optional JSON figure.
func floatPtr(v float64) *Float {
	f := Float(v)
	return &f
}

// floatOrNaN reads an optional JSON figure: NaN for null.
func floatOrNaN(p *Float) float64 {
	if p == nil {
		return math.NaN()
	}
	return float64(*p)
}
