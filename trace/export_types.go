package trace

// Go types for reading a trace JSON file back (WriteJSON writes it by hand,
// streaming; these mirror docs/trace.schema.json for decoders).

// File is a decoded trace export.
type File struct {
	Format  string       `json:"format"`
	Version int          `json:"version"`
	Model   FileModel    `json:"model"`
	Tensors []FileTensor `json:"tensors"`
	Ops     []FileOp     `json:"ops"`
}

// FileModel is the model summary of a trace.
type FileModel struct {
	Path        string `json:"path"`
	Description string `json:"description"`
	Rounding    string `json:"rounding"`
	SubGraph    int    `json:"subgraph"`
	Inputs      []int  `json:"inputs"`
	Outputs     []int  `json:"outputs"`
	NumTensors  int    `json:"num_tensors"`
	NumOps      int    `json:"num_ops"`
}

// FileTensor is one tensor of a trace.
type FileTensor struct {
	Index              int         `json:"index"`
	Name               string      `json:"name"`
	DType              string      `json:"dtype"`
	Shape              []int       `json:"shape"`
	Const              bool        `json:"const"`
	Scale              []*float64  `json:"scale"`
	ZeroPoint          []int64     `json:"zero_point"`
	QuantizedDimension int         `json:"quantized_dimension"`
	Values             *FileValues `json:"values"`
}

// FileValues are a tensor's values.
type FileValues struct {
	Quantized      []int64    `json:"quantized"`
	Dequantized    []*float64 `json:"dequantized"`
	FloatReference []*float64 `json:"float_reference"`
}

// FileOp is one operator of a trace.
type FileOp struct {
	Index           int               `json:"index"`
	Op              string            `json:"op"`
	Inputs          []int             `json:"inputs"`
	Outputs         []int             `json:"outputs"`
	FusedActivation string            `json:"fused_activation"`
	Clamp           []int32           `json:"clamp"`
	Multipliers     []FileMultiplier  `json:"multipliers"`
	Params          map[string]int64  `json:"params"`
	Metrics         *LayerMetrics     `json:"metrics"`
	Elements        []FileElement     `json:"elements"`
	StepMeanings    map[string]string `json:"step_meanings"`
}

// FileMultiplier is one requantization multiplier.
type FileMultiplier struct {
	Name       string   `json:"name"`
	Channel    int      `json:"channel"`
	Real       *float64 `json:"real"`
	Multiplier int32    `json:"multiplier"`
	Shift      int      `json:"shift"`
}

// FileElement is one element chain.
type FileElement struct {
	Output         int          `json:"output"`
	Element        int          `json:"element"`
	Coords         []int        `json:"coords"`
	Final          int64        `json:"final"`
	Dequantized    *float64     `json:"dequantized"`
	FloatReference *float64     `json:"float_reference"`
	Error          *float64     `json:"error"`
	ErrorLSB       *float64     `json:"error_lsb"`
	Steps          []FileStep   `json:"steps"`
	Terms          *FileTerms   `json:"terms"`
	Sources        []FileSource `json:"sources"`
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
	Count int        `json:"count"`
	Sum   int64      `json:"sum"`
	Top   []FileTerm `json:"top"`
}

// FileTerm is one product.
type FileTerm struct {
	Term        int   `json:"term"`
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
