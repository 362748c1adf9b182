package tflite

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tflq/tflq-trace/internal/sharedtest"
)

// sharedModels lists every shared .tflite file, each with its conformance
// folder (which may not exist).
func sharedModels(t testing.TB) (paths, conformance []string) {
	dir := sharedtest.Dir(t)
	for _, sub := range []struct{ models, conf string }{
		{"models", "conformance"},
		{filepath.Join("opzoo", "models"), filepath.Join("opzoo", "conformance")},
	} {
		files, err := filepath.Glob(filepath.Join(dir, sub.models, "*.tflite"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			paths = append(paths, f)
			name := strings.TrimSuffix(filepath.Base(f), ".tflite")
			conformance = append(conformance, filepath.Join(dir, sub.conf, name))
		}
	}
	if len(paths) == 0 {
		t.Skipf("SKIPPING: no .tflite files under %q", dir)
	}
	return paths, conformance
}

type goldenModel struct {
	Inputs    []int32 `json:"inputs"`
	Outputs   []int32 `json:"outputs"`
	Operators []struct {
		Index   int     `json:"index"`
		Op      string  `json:"op"`
		Inputs  []int32 `json:"inputs"`
		Outputs []int32 `json:"outputs"`
	} `json:"operators"`
}

type goldenTensor struct {
	Index              int       `json:"index"`
	Name               string    `json:"name"`
	DType              string    `json:"dtype"`
	Shape              []int32   `json:"shape"`
	Scale              []float64 `json:"scale"`
	ZeroPoint          []int64   `json:"zero_point"`
	QuantizedDimension int32     `json:"quantized_dimension"`
	Bytes              int64     `json:"bytes"`
	Const              bool      `json:"const"`
}

func readJSON(t *testing.T, path string, v any) bool {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return true
}

// TestSharedModels reads every shared model and compares operators and
// tensors with the conformance descriptions produced by TFLite-Micro.
func TestSharedModels(t *testing.T) {
	paths, confs := sharedModels(t)
	var read, compared, ops, tensors int
	for i, path := range paths {
		m, err := ReadFile(path)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		read++
		var gm goldenModel
		var gts []goldenTensor
		if !readJSON(t, filepath.Join(confs[i], "model.json"), &gm) ||
			!readJSON(t, filepath.Join(confs[i], "tensors.json"), &gts) {
			continue
		}
		compared++
		name := filepath.Base(path)
		sg := m.SubGraphs[0]
		if !slices.Equal(sg.Inputs, gm.Inputs) || !slices.Equal(sg.Outputs, gm.Outputs) {
			t.Errorf("%s: graph io %v -> %v, want %v -> %v", name, sg.Inputs, sg.Outputs, gm.Inputs, gm.Outputs)
		}
		if len(sg.Operators) != len(gm.Operators) {
			t.Errorf("%s: %d operators, want %d", name, len(sg.Operators), len(gm.Operators))
			continue
		}
		for k, g := range gm.Operators {
			op := sg.Operators[k]
			if got := m.OpName(op); got != g.Op || !slices.Equal(op.Inputs, g.Inputs) || !slices.Equal(op.Outputs, g.Outputs) {
				t.Errorf("%s: operator %d = %s %v -> %v, want %s %v -> %v", name, k, got, op.Inputs, op.Outputs, g.Op, g.Inputs, g.Outputs)
			}
			ops++
		}
		if len(sg.Tensors) != len(gts) {
			t.Errorf("%s: %d tensors, want %d", name, len(sg.Tensors), len(gts))
			continue
		}
		for _, g := range gts {
			tn := sg.Tensors[g.Index]
			var scale []float64
			var zp []int64
			var qd int32
			if q := tn.Quantization; q != nil {
				for _, s := range q.Scale {
					scale = append(scale, float64(s))
				}
				zp, qd = q.ZeroPoint, q.QuantizedDimension
			}
			wantScale := make([]float64, len(g.Scale))
			for j, s := range g.Scale {
				wantScale[j] = float64(float32(s)) // goldens print float32 values
			}
			if tn.Name != g.Name || strings.ToLower(tn.Type.String()) != g.DType || !slices.Equal(tn.Shape, g.Shape) ||
				!slices.Equal(scale, wantScale) && !(len(scale) == 0 && len(wantScale) == 0) ||
				!slices.Equal(zp, g.ZeroPoint) && !(len(zp) == 0 && len(g.ZeroPoint) == 0) ||
				qd != g.QuantizedDimension || tn.ByteSize() != g.Bytes || m.IsConstant(tn) != g.Const {
				t.Errorf("%s: tensor %d = %q %v %v scale %v zp %v qd %d bytes %d const %v, want %+v",
					name, g.Index, tn.Name, tn.Type, tn.Shape, scale, zp, qd, tn.ByteSize(), m.IsConstant(tn), g)
			}
			if m.IsConstant(tn) && int64(len(m.BufferData(tn))) != tn.ByteSize() {
				t.Errorf("%s: tensor %d: %d data bytes, want %d", name, g.Index, len(m.BufferData(tn)), tn.ByteSize())
			}
			tensors++
		}
	}
	t.Logf("read %d/%d shared models; compared %d with conformance: %d operators, %d tensors matched",
		read, len(paths), compared, ops, tensors)
}

// TestSharedOptions compares the decoded builtin options of every opzoo
// model with the options column of opzoo/MODELS.md (schema field names and
// values as the model generator printed them).
func TestSharedOptions(t *testing.T) {
	dir := sharedtest.Dir(t)
	doc, err := os.ReadFile(filepath.Join(dir, "opzoo", "MODELS.md"))
	if err != nil {
		t.Skipf("SKIPPING: %v", err)
	}
	pair := regexp.MustCompile(`(\w+)=(\[[^\]]*\]|[^,]+)`)
	matchedNames := map[string]int{}
	models, fields := 0, 0
	for _, line := range strings.Split(string(doc), "\n") {
		cols := strings.Split(line, "|")
		if len(cols) < 7 || !strings.HasPrefix(line, "| ") || strings.TrimSpace(cols[1]) == "model" || strings.HasPrefix(strings.TrimSpace(cols[1]), "-") {
			continue
		}
		name, opName, optText := strings.TrimSpace(cols[1]), strings.TrimSpace(cols[2]), cols[5]
		m, err := ReadFile(filepath.Join(dir, "opzoo", "models", name+".tflite"))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		var op *Operator
		for i, o := range m.SubGraphs[0].Operators {
			if m.OpName(o) == opName {
				op = &m.SubGraphs[0].Operators[i]
			}
		}
		if op == nil {
			t.Errorf("%s: no %s operator", name, opName)
			continue
		}
		models++
		for _, kv := range pair.FindAllStringSubmatch(optText, -1) {
			key, want := kv[1], strings.TrimSpace(kv[2])
			for _, f := range optionsTables[op.Options.Type] {
				if f.name != key {
					continue
				}
				var got string
				switch p := f.ptr(&op.Options).(type) {
				case *bool:
					got = map[bool]string{true: "True", false: "False"}[*p]
				case *float32:
					w, err := strconv.ParseFloat(want, 64)
					if err == nil && math.Abs(float64(*p)-w) <= 1e-6*math.Abs(w) {
						got = want
					} else {
						got = strconv.FormatFloat(float64(*p), 'g', -1, 32)
					}
				case *int32:
					got = strconv.Itoa(int(*p))
				case *int8:
					got = strconv.Itoa(int(*p))
				case *[]int32:
					s := make([]string, len(*p))
					for i, d := range *p {
						s[i] = strconv.Itoa(int(d))
					}
					got = "[" + strings.Join(s, ", ") + "]"
				case fmt.Stringer:
					got = p.String()
				}
				if got != want {
					t.Errorf("%s: %s %s = %s, want %s", name, opName, key, got, want)
				}
				matchedNames[key]++
				fields++
			}
		}
	}
	t.Logf("opzoo options: %d models, %d option fields matched (%d distinct names)", models, fields, len(matchedNames))
	if models < 300 || fields < 500 {
		t.Errorf("too few options compared: %d models, %d fields", models, fields)
	}
}
