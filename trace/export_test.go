package trace

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/tflq/tflq-trace/samples"
)

func compileSchema(t testing.TB) *jsonschema.Schema {
	t.Helper()
	path, err := filepath.Abs(filepath.Join("..", "docs", "trace.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	sch, err := c.Compile(path)
	if err != nil {
		t.Fatalf("compile schema: %v", err)
	}
	return sch
}

// exportAndCheck exports a run, validates it against the schema, decodes it
// into the Go types and checks its content against the interpreter.
func exportAndCheck(t *testing.T, ip *Interpreter, opt ExportOptions) *File {
	t.Helper()
	s, err := RunShadowWith(ip, ShadowOptions{Local: true})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteJSON(&buf, ip, s, opt); err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if err := compileSchema(t).Validate(inst); err != nil {
		t.Fatalf("export does not match docs/trace.schema.json: %v", err)
	}
	var f File
	dec := json.NewDecoder(bytes.NewReader(buf.Bytes()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("decode into trace.File: %v", err)
	}
	if f.Version != SchemaVersion || f.Model.NumOps != len(ip.Ops()) || len(f.Tensors) != len(ip.Tensors()) {
		t.Fatalf("summary: %+v", f.Model)
	}
	for _, ft := range f.Tensors {
		tt := ip.Tensors()[ft.Index]
		if ft.Values == nil {
			continue
		}
		for i, q := range ft.Values.Quantized {
			if q != tt.Int(i) {
				t.Fatalf("tensor %d element %d: exported %d, tensor holds %d", ft.Index, i, q, tt.Int(i))
			}
		}
		for i, r := range ft.Values.FloatReference {
			if r != nil && float32(*r) != s.Values[ft.Index][i] {
				t.Fatalf("tensor %d float reference %d: %v vs %v", ft.Index, i, *r, s.Values[ft.Index][i])
			}
		}
	}
	for _, op := range f.Ops {
		want := s.opMetrics(op.Index)
		if len(op.Metrics) != len(want) || len(want) != 2*len(op.Outputs) {
			t.Fatalf("op %d: %d metric rows, shadow %d, %d outputs", op.Index, len(op.Metrics), len(want), len(op.Outputs))
		}
		for k := range want {
			if !sameMetrics(op.Metrics[k], want[k]) {
				t.Fatalf("op %d metrics %+v, shadow %+v", op.Index, op.Metrics[k], want[k])
			}
		}
		out := ip.Ops()[op.Index].Node.Outputs
		for _, e := range op.Elements {
			if want := storedValue(out[e.Output], e.Element); e.Final != want {
				t.Fatalf("op %d element %d: final %d, stored %d", op.Index, e.Element, e.Final, want)
			}
			if e.Terms != nil {
				var sum int64
				// The top terms are the largest |products|, in order.
				for k, tm := range e.Terms.Top {
					if k > 0 && math.Abs(float64(tm.Product)) > math.Abs(float64(e.Terms.Top[k-1].Product)) {
						t.Fatalf("op %d element %d: top terms out of order", op.Index, e.Element)
					}
					sum += tm.Product
				}
				if len(e.Terms.Top) > e.Terms.Count {
					t.Fatalf("more top terms than terms")
				}
			}
			for _, st := range e.Steps {
				if st.Meaning == "" && op.StepMeanings[st.Name] == "" {
					t.Fatalf("op %d step %q has no meaning", op.Index, st.Name)
				}
			}
		}
	}
	return &f
}

func sameMetrics(a, b LayerMetrics) bool {
	near := func(x, y float64) bool { return x == y || math.Abs(x-y) <= 1e-12*math.Max(math.Abs(x), math.Abs(y)) }
	same := a.Op == b.Op && a.Output == b.Output && a.Tensor == b.Tensor && a.Mode == b.Mode && a.NumElements == b.NumElements &&
		near(a.Stddev, b.Stddev) && near(a.MeanError, b.MeanError) && near(a.MaxAbsError, b.MaxAbsError) &&
		near(a.MeanAbsError, b.MeanAbsError) && near(a.MeanSquaredError, b.MeanSquaredError) && near(a.RMSE, b.RMSE) &&
		a.Reference == b.Reference && a.Scale == b.Scale
	if b.HasScale() {
		same = same && near(a.MaxAbsErrorLSB, b.MaxAbsErrorLSB) && near(a.MeanAbsErrorLSB, b.MeanAbsErrorLSB) && near(a.RMSEOverScale, b.RMSEOverScale)
	}
	return same
}

func TestExportJSONShared(t *testing.T) {
	t.Run("mnist_dense10 all elements", func(t *testing.T) {
		ip := runSharedCase(t, "mnist_dense10_uint8io", "doc0")
		f := exportAndCheck(t, ip, ExportOptions{Elements: ElementSelection{All: true}})
		fc := f.Ops[2]
		if fc.Op != "FULLY_CONNECTED" || len(fc.Elements) != 10 || fc.Multipliers[0].Multiplier != 1363200814 || fc.Multipliers[0].Shift != -11 {
			t.Fatalf("FC op: %+v", fc.Multipliers)
		}
		if e := fc.Elements[9]; e.Final != 68 || e.Terms.Count != 784 {
			t.Fatalf("FC element 9: final %d, %d terms", e.Final, e.Terms.Count)
		}
	})
	t.Run("person_detect top errors, some ops", func(t *testing.T) {
		ip := runSharedCase(t, "person_detect_int8", "rand0")
		f := exportAndCheck(t, ip, ExportOptions{Ops: []int{0, 1, 27, 30}, Elements: ElementSelection{Top: 3}})
		if len(f.Ops) != 4 || len(f.Ops[0].Elements) != 3 {
			t.Fatalf("%d ops, %d elements", len(f.Ops), len(f.Ops[0].Elements))
		}
		// The selected elements are the largest errors of the layer.
		s, _ := RunShadow(ip)
		for _, e := range f.Ops[1].Elements {
			if math.Abs(*e.ErrorLSB) < s.Metrics[1].MaxAbsErrorLSB-1 {
				t.Errorf("element %d error %g is not among the largest (max %g)", e.Element, *e.ErrorLSB, s.Metrics[1].MaxAbsErrorLSB)
			}
		}
	})
}

func TestExportCSVAndModelExplorer(t *testing.T) {
	ip := runSharedCase(t, "mnist_lenet_floatio_int8", "rand0")
	s, err := RunShadowWith(ip, ShadowOptions{Local: true})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, s, ExportOptions{ModelPath: "lenet.tflite", Input: "random seed 0"}); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2*len(ip.Ops())+1 || rows[0][0] != "model" || rows[0][3] != "op" || rows[0][7] != "tensor_name" {
		t.Fatalf("csv: %d rows, header %v", len(rows), rows[0])
	}
	col := func(name string) int { return slices.Index(rows[0], name) }
	for i, r := range rows[1:] {
		m := s.OutputMetrics[i]
		maxAbs, _ := strconv.ParseFloat(r[col("max_abs_error_real")], 64)
		if r[0] != "lenet.tflite" || r[1] != "random seed 0" || r[2] != "tflm" || r[col("op_name")] != m.OpName ||
			r[col("tensor_idx")] != strconv.Itoa(m.Tensor) || maxAbs != m.MaxAbsError || r[col("mode")] != m.Mode {
			t.Fatalf("row %d = %v, metrics %+v", i, r, m)
		}
	}

	buf.Reset()
	if err := WriteModelExplorer(&buf, s, ExportOptions{}); err != nil {
		t.Fatal(err)
	}
	var nd struct {
		Results map[string]struct {
			Value float64 `json:"value"`
		} `json:"results"`
		Gradient []struct {
			Stop    float64 `json:"stop"`
			BgColor string  `json:"bgColor"`
		} `json:"gradient"`
	}
	if err := json.Unmarshal(buf.Bytes(), &nd); err != nil {
		t.Fatal(err)
	}
	if len(nd.Results) != len(ip.Ops()) || len(nd.Gradient) < 2 || nd.Gradient[0].Stop != 0 || nd.Gradient[len(nd.Gradient)-1].Stop != 1 {
		t.Fatalf("node data: %d results, gradient %v", len(nd.Results), nd.Gradient)
	}
	for _, m := range s.Metrics {
		want := m.MaxAbsErrorLSB
		if m.Scale == 0 {
			want = m.MaxAbsError
		}
		if got, ok := nd.Results[m.TensorName]; !ok || got.Value != want {
			t.Errorf("node data for %q = %v, want %v", m.TensorName, got, want)
		}
	}
}

// BenchmarkExportPersonDetectAll exports every element chain of
// person_detect (about 300 000) to io.Discard and reports the bytes.
func BenchmarkExportPersonDetectAll(b *testing.B) {
	shared, ok := lookupShared()
	if !ok {
		b.Skip("SKIPPED: no shared data (TFLQ_SHARED)")
	}
	ip := loadForBench(b, filepath.Join(shared, "models", "person_detect_int8.tflite"))
	s, err := RunShadow(ip)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		cw := &countingWriter{}
		if err := WriteJSON(cw, ip, s, ExportOptions{Elements: ElementSelection{All: true}}); err != nil {
			b.Fatal(err)
		}
		b.SetBytes(cw.n)
	}
}

type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

var _ io.Writer = (*countingWriter)(nil)

func loadForBench(b *testing.B, path string) *Interpreter {
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	ip := mustInterpreter(b, data)
	if err := ip.Invoke(); err != nil {
		b.Fatal(err)
	}
	return ip
}

// TestSchemaRejects makes sure the schema check can fail.
func TestSchemaRejects(t *testing.T) {
	sch := compileSchema(t)
	for name, doc := range map[string]string{
		"missing ops":                       `{"format":"tflq-trace","version":2,"model":{"path":"","description":"","rounding":"double","subgraph":0,"inputs":[],"outputs":[],"num_tensors":0,"num_ops":0},"tensors":[]}`,
		"wrong version":                     `{"format":"tflq-trace","version":1,"model":{"path":"","description":"","rounding":"double","subgraph":0,"inputs":[],"outputs":[],"num_tensors":0,"num_ops":0},"tensors":[],"ops":[]}`,
		"unknown field":                     `{"format":"tflq-trace","version":2,"extra":1,"model":{"path":"","description":"","rounding":"double","subgraph":0,"inputs":[],"outputs":[],"num_tensors":0,"num_ops":0},"tensors":[],"ops":[]}`,
		"element without its op":            `{"format":"tflq-trace","version":2,"model":{"path":"","description":"","runtime":"tflm","rounding":"double","subgraph":0,"inputs":[],"outputs":[],"num_tensors":0,"num_ops":1},"tensors":[],"ops":[{"index":0,"op":"ABS","version":1,"inputs":[],"outputs":[],"elements":[{"output":0,"tensor":1,"element":0,"coords":[0],"runtime":"tflm","final":1,"dequantized":1,"steps":[]}],"step_meanings":{}}]}`,
		"metrics as one object":             `{"format":"tflq-trace","version":2,"model":{"path":"","description":"","runtime":"tflm","rounding":"double","subgraph":0,"inputs":[],"outputs":[],"num_tensors":0,"num_ops":1},"tensors":[],"ops":[{"index":0,"op":"ABS","version":1,"inputs":[],"outputs":[],"metrics":{"op":0},"elements":[],"step_meanings":{}}]}`,
		"zero LSB of a float output":        `{"format":"tflq-trace","version":2,"model":{"path":"","description":"","runtime":"tflm","rounding":"double","subgraph":0,"inputs":[],"outputs":[],"num_tensors":0,"num_ops":1},"tensors":[],"ops":[{"index":0,"op":"ABS","version":1,"inputs":[],"outputs":[],"metrics":[{"op":0,"op_name":"ABS","output":0,"tensor_idx":1,"tensor_name":"x","mode":"local","reference":true,"num_elements":1,"scale":null,"zero_point":null,"mean_error_real":0,"stddev_real":0,"max_abs_error_real":0,"mean_abs_error_real":0,"mean_squared_error_real_sq":0,"rmse_real":0,"rmse_over_scale":null,"max_abs_error_lsb":0,"mean_abs_error_lsb":null}],"elements":[],"step_meanings":{}}]}`,
		"QuantizationDebugger's rmse/scale": `{"format":"tflq-trace","version":2,"model":{"path":"","description":"","runtime":"tflm","rounding":"double","subgraph":0,"inputs":[],"outputs":[],"num_tensors":0,"num_ops":1},"tensors":[],"ops":[{"index":0,"op":"ABS","version":1,"inputs":[],"outputs":[],"metrics":[{"op":0,"op_name":"ABS","output":0,"tensor_idx":1,"tensor_name":"x","mode":"local","reference":true,"num_elements":1,"scale":null,"zero_point":null,"mean_error_real":0,"stddev_real":0,"max_abs_error_real":0,"mean_abs_error_real":0,"mean_squared_error_real_sq":0,"rmse_real":0,"rmse_over_scale":null,"max_abs_error_lsb":null,"mean_abs_error_lsb":null,"rmse/scale":0}],"elements":[],"step_meanings":{}}]}`,
		"operand as an index":               `{"format":"tflq-trace","version":2,"model":{"path":"","description":"","rounding":"double","subgraph":0,"inputs":[],"outputs":[],"num_tensors":0,"num_ops":1},"tensors":[],"ops":[{"index":0,"op":"ABS","version":1,"inputs":[0],"outputs":[{"tensor":1,"role":"output"}],"elements":[],"step_meanings":{}}]}`,
	} {
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(doc)))
		if err != nil {
			t.Fatal(err)
		}
		if sch.Validate(inst) == nil {
			t.Errorf("%s: schema accepted an invalid document", name)
		}
	}
}

// TestExportJSONSamples exports every element chain of the bundled sample
// models (no shared data needed) and checks the file against the schema
// and the run.
func TestExportJSONSamples(t *testing.T) {
	for _, name := range samples.Names() {
		t.Run(name, func(t *testing.T) {
			ip := patternSampleRun(t, name)
			f := exportAndCheck(t, ip, ExportOptions{ModelPath: "sample:" + name, Elements: ElementSelection{All: true}})
			n := 0
			for _, op := range f.Ops {
				n += len(op.Elements)
				if len(op.Elements) != ip.Ops()[op.Index].Node.Outputs[0].NumElements() {
					t.Errorf("op %d: %d chains for %d elements", op.Index, len(op.Elements), ip.Ops()[op.Index].Node.Outputs[0].NumElements())
				}
			}
			t.Logf("%s: %d chains", name, n)
		})
	}
}
