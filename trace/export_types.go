package trace

// Go types for reading a trace JSON file back (WriteJSON writes it by hand,
// streaming; these mirror docs/trace.schema.json for decoders).

// File is a decoded trace export.
type File struct {
	Format  string       `json:"format"`
	Version int          `json:"version"`
	Model   ModelSummary `json:"model"`
	Tensors []FileTensor `json:"tensors"`
	Ops     []FileOp     `json:"ops"`
}

// FileTensor is one tensor of a trace.
type FileTensor struct {
	TensorInfo
	Values *FileValues `json:"values"`
}

// FileValues are a tensor's values.
type FileValues struct {
	Quantized      []int64    `json:"quantized"`
	Dequantized    []*float64 `json:"dequantized"`
	FloatReference []*float64 `json:"float_reference"`
}

// FileOp is one operator of a trace.
type FileOp struct {
	OpInfo
	Metrics      []LayerMetrics    `json:"metrics"`
	Elements     []FileElement     `json:"elements"`
	StepMeanings map[string]string `json:"step_meanings"`
}

// FileElement is one element chain. Op, Output and Element identify it
// in the whole file; Tensor is the output tensor's index.
type FileElement struct {
	Op      int    `json:"op"`
	Output  int    `json:"output"`
	Tensor  int    `json:"tensor"`
	Element int    `json:"element"`
	Coords  []int  `json:"coords"`
	Channel *int   `json:"channel"`
	Runtime string `json:"runtime"`
	// The output stage's requantization (absent when the chain has none).
	FileRequantization
	// Requantizations lists every stage when there are several.
	Requantizations []FileRequantizationStep `json:"requantizations"`
	Final           int64                    `json:"final"`
	Dequantized     *float64                 `json:"dequantized"`
	FloatReference  *float64                 `json:"float_reference"`
	Error           *float64                 `json:"error"`
	ErrorLSB        *float64                 `json:"error_lsb"`
	Steps           []FileStep               `json:"steps"`
	Terms           *FileTerms               `json:"terms"`
	Sources         []FileSource             `json:"sources"`
	// SourcesOmitted counts the sources after the first kernels.MaxRecorded
	// (absent, 0, when sources[] lists them all).
	SourcesOmitted int `json:"sources_omitted"`
}

// FileRequantization is one requantization stage of a chain: its rounding
// rule (kernels.Rule*), its real multiplier and, for the fixed-point
// rules, its Q0.31 multiplier and shift.
type FileRequantization struct {
	Rounding          string   `json:"rounding,omitempty"`
	AppliedMultiplier *float64 `json:"applied_multiplier,omitempty"`
	Multiplier        *int32   `json:"multiplier,omitempty"`
	Shift             *int     `json:"shift,omitempty"`
}

// FileRequantizationStep is a requantization stage with the index of its
// "M" step.
type FileRequantizationStep struct {
	Step int `json:"step"`
	FileRequantization
}

// FileStep is one step of a chain.
type FileStep struct {
	Name    string   `json:"name"`
	Formula string   `json:"formula"`
	Value   int64    `json:"value"`
	Real    *float64 `json:"real"`
	Meaning string   `json:"meaning"`
	Changed bool     `json:"changed"`
}

// FileTerms summarises a multiply-accumulate's products.
type FileTerms struct {
	Count int `json:"count"`
	// Kept is how many terms the chain kept (kernels.MaxRecorded) when the
	// accumulation had more; absent (0) when it kept them all.
	Kept int        `json:"kept"`
	Sum  int64      `json:"sum"`
	Top  []FileTerm `json:"top"`
}

// FileTerm is one product.
type FileTerm struct {
	Term        int   `json:"term"` // numbered from 1, as explain and the UI print it
	InputIndex  int   `json:"input_index"`
	WeightIndex int   `json:"weight_index"`
	Input       int32 `json:"input"`
	Weight      int32 `json:"weight"`
	Product     int64 `json:"product"`
}

// FileSource is the input element a value came from.
type FileSource struct {
	Input   int `json:"input"`
	Element int `json:"element"`
}
