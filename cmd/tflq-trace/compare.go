package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/tflq/tflq-trace/kernels"
	"github.com/tflq/tflq-trace/tflite"
	"github.com/tflq/tflq-trace/trace"
)

// compareReport is what `compare` prints: every runtime against the first,
// layer by layer, over one input or a set of inputs.
type compareReport struct {
	Model     string   `json:"model"`
	Inputs    []string `json:"inputs"`
	Reference string   `json:"reference"`
	// ReferenceNotes are the reference runtime's notes on the model.
	ReferenceNotes []string            `json:"reference_notes,omitempty"`
	Comparisons    []runtimeComparison `json:"comparisons"`
}

// runtimeComparison is one runtime against the reference runtime.
type runtimeComparison struct {
	Runtime string `json:"runtime"`
	// Notes are the runtime's notes on the model (delegate dropped, a
	// model full TFLite refuses to load...).
	Notes  []string     `json:"notes,omitempty"`
	Layers []layerTotal `json:"layers"`
	// Predictions counts the inputs whose top-1 class differs (classifier
	// outputs only; Classified is how many inputs had one).
	Classified         int   `json:"classified"`
	PredictionsDiffer  int   `json:"predictions_differ"`
	ReferencePredicted []int `json:"reference_predictions,omitempty"`
	RuntimePredicted   []int `json:"runtime_predictions,omitempty"`
}

// layerTotal is one operator output over every input.
type layerTotal struct {
	Op       int    `json:"op"`
	OpName   string `json:"op_name"`
	Output   int    `json:"output"`
	Tensor   int    `json:"tensor"`
	Shape    []int  `json:"shape"`
	Elements int    `json:"elements"` // over every input
	Differ   int    `json:"differ"`
	// DifferPercent is 100·Differ/Elements.
	DifferPercent float64     `json:"differ_percent"`
	MaxAbsDiff    trace.Float `json:"max_abs_diff"`
	Unit          string      `json:"unit"`
	// InputsDiffer counts the inputs on which the layer differs.
	InputsDiffer int `json:"inputs_differ"`
	// First are the first differing coordinates (of the first input where
	// the layer differs).
	First [][]int `json:"first,omitempty"`
}

func runCompare(args []string, env *cliEnv) error {
	fs := newFlagSet("compare", "MODEL [--input FILE]... [--inputs DIR] --runtimes A,B[,C...] [--json|--csv]", env)
	var rf runFlags
	rf.registerInputs(fs)
	runtimes := fs.String("runtimes", "", "comma-separated `RUNTIMES` to compare, the first being the reference: tflm, tflm-single, tflite-ref, tflite-xnnpack")
	inputsDir := fs.String("inputs", "", "run every input file of `DIR` (.bin, .npy, .png, .jpg, .pgm; sample:digits for the bundled digits) instead of one input")
	firstN := fs.Int("first", 3, "how many differing coordinates to list per layer")
	asJSON := fs.Bool("json", false, "print the comparison as JSON")
	asCSV := fs.Bool("csv", false, "print one CSV row per runtime and layer")
	path, err := rf.parse(args)
	if err != nil {
		return err
	}
	rts, err := parseRuntimeList("compare", *runtimes)
	if err != nil {
		return err
	}
	if *asJSON && *asCSV {
		return usageError("compare: --json and --csv exclude each other")
	}
	if *firstN < 0 {
		return usageError("compare: --first %d: must be ≥ 0", *firstN)
	}
	if err := rf.inputFlags("compare"); err != nil {
		return err
	}
	var set *inputSet
	if *inputsDir != "" {
		if len(rf.inputs) > 0 || rf.random >= 0 {
			return usageError("compare: --inputs excludes --input, --digit and --random")
		}
		if set, err = openInputSet("--inputs", *inputsDir); err != nil {
			return err
		}
	}
	sets, err := runtimeInterpreters("compare", path, rf.maxMemory, rts, 1)
	if err != nil {
		return err
	}
	ips := sets[0]
	if set != nil && len(ips[0].Inputs()) != 1 {
		return usageError("compare: --inputs needs a model with one input; %s has %d", path, len(ips[0].Inputs()))
	}
	rep := &compareReport{Model: path, Reference: rts[0].String(), ReferenceNotes: ips[0].Notes()}
	for i, rt := range rts[1:] {
		rep.Comparisons = append(rep.Comparisons, runtimeComparison{Runtime: rt.String(), Notes: ips[i+1].Notes()})
	}
	count := 1
	if set != nil {
		count = set.len()
	}
	for n := range count {
		if err := interrupted(env.ctx); err != nil {
			return err
		}
		if set == nil {
			if _, _, err := loadInputs(ips[0], rf.inputs, rf.random, rf.random >= 0); err != nil {
				return err
			}
			rep.Inputs = append(rep.Inputs, describeInputs(rf.inputs, rf.random))
		} else {
			data, err := set.load(ips[0], n)
			if err != nil {
				return err
			}
			if err := ips[0].SetInput(0, data); err != nil {
				return inputError(err)
			}
			rep.Inputs = append(rep.Inputs, set.nameOf(n))
		}
		for _, ip := range ips[1:] {
			for k, t := range ips[0].Inputs() {
				if err := ip.SetInput(k, t.Data); err != nil {
					return runError(err)
				}
			}
		}
		if err := invokeAll(ips); err != nil {
			return runError(fmt.Errorf("%s, input %s: %w", path, rep.Inputs[n], err))
		}
		if err := rep.add(ips, *firstN); err != nil {
			return runError(err)
		}
	}
	switch {
	case *asJSON:
		return printJSON(env.stdout, rep)
	case *asCSV:
		return writeCompareCSV(env.stdout, rep)
	}
	printCompare(env.stdout, rep, set)
	return nil
}

// parseRuntimeList parses --runtimes: at least two, no repeats.
func parseRuntimeList(cmd, list string) ([]kernels.Runtime, error) {
	if list == "" {
		return nil, usageError("%s: --runtimes A,B[,...] is required (e.g. --runtimes tflm,tflite-xnnpack)", cmd)
	}
	rts, err := parseRuntimes(cmd, list)
	if err != nil {
		return nil, err
	}
	if len(rts) < 2 {
		return nil, usageError("%s: --runtimes needs at least two runtimes, got %s", cmd, list)
	}
	return rts, nil
}

// runtimeInterpreters loads the model at path and builds count sets of
// interpreters, sets[k][i] running runtime rts[i], each under the
// --max-memory limit (compare runs one set, eval one per worker).
func runtimeInterpreters(cmd, path, maxMemory string, rts []kernels.Runtime, count int) ([][]*trace.Interpreter, error) {
	limit, err := parseMemoryFlag(cmd, maxMemory)
	if err != nil {
		return nil, err
	}
	lm, err := loadModel(path)
	if err != nil {
		return nil, err
	}
	sets := make([][]*trace.Interpreter, count)
	for k := range sets {
		for _, rt := range rts {
			ip, err := trace.New(lm.Model, trace.Options{Runtime: rt, MaxMemory: limit})
			if err != nil {
				return nil, runError(fmt.Errorf("%s under %v: %w", path, rt, err))
			}
			sets[k] = append(sets[k], ip)
		}
	}
	return sets, nil
}

// parseRuntimes parses --runtimes: one or more, no repeats.
func parseRuntimes(cmd, list string) ([]kernels.Runtime, error) {
	var rts []kernels.Runtime
	for _, name := range strings.Split(list, ",") {
		rt, err := kernels.ParseRuntime(strings.TrimSpace(name))
		if err != nil {
			return nil, usageError("%s: --runtimes: %v", cmd, err)
		}
		for _, seen := range rts {
			if seen == rt {
				return nil, usageError("%s: --runtimes names %v twice", cmd, rt)
			}
		}
		rts = append(rts, rt)
	}
	return rts, nil
}

// describeInputs names the single input of a compare run.
func describeInputs(files []string, random int64) string {
	switch {
	case len(files) > 0:
		return strings.Join(files, " ")
	case random >= 0:
		return fmt.Sprintf("random seed %d", random)
	}
	return "zero point"
}

// invokeAll runs the interpreters concurrently; each runtime runs the whole
// graph on its own, so differences propagate as they would.
func invokeAll(ips []*trace.Interpreter) error {
	errs := make([]error, len(ips))
	var wg sync.WaitGroup
	for i, ip := range ips {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = ip.Invoke()
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return fmt.Errorf("under %v: %w", ips[i].Options().Runtime, err)
		}
	}
	return nil
}

// add accumulates one input's runs into the report.
func (rep *compareReport) add(ips []*trace.Interpreter, firstN int) error {
	refClass, refOK := trace.Prediction(ips[0])
	for c := range rep.Comparisons {
		cmp := &rep.Comparisons[c]
		diffs, err := trace.DiffRuns(ips[0], ips[c+1], firstN)
		if err != nil {
			return err
		}
		if cmp.Layers == nil {
			for _, d := range diffs {
				cmp.Layers = append(cmp.Layers, layerTotal{Op: d.Op, OpName: d.OpName, Output: d.Output, Tensor: d.Tensor,
					Shape: ips[0].Tensor(d.Tensor).Shape, Unit: d.Unit})
			}
		}
		for i, d := range diffs {
			l := &cmp.Layers[i]
			l.Elements += d.Elements
			l.Differ += d.Differ
			if d.Differ > 0 {
				l.InputsDiffer++
				if l.First == nil {
					l.First = d.First
				}
			}
			l.MaxAbsDiff = trace.Float(max(float64(l.MaxAbsDiff), float64(d.MaxAbsDiff)))
			if l.Elements > 0 {
				l.DifferPercent = 100 * float64(l.Differ) / float64(l.Elements)
			}
		}
		if class, ok := trace.Prediction(ips[c+1]); ok && refOK {
			cmp.Classified++
			cmp.ReferencePredicted = append(cmp.ReferencePredicted, refClass)
			cmp.RuntimePredicted = append(cmp.RuntimePredicted, class)
			if class != refClass {
				cmp.PredictionsDiffer++
			}
		}
	}
	return nil
}

func printCompare(w io.Writer, rep *compareReport, set *inputSet) {
	var others []string
	for _, c := range rep.Comparisons {
		others = append(others, c.Runtime)
	}
	on := "input " + rep.Inputs[0]
	if set != nil {
		on = fmt.Sprintf("%d inputs from %s", len(rep.Inputs), set.source)
	}
	fmt.Fprintf(w, "compare %s on %s: %s against %s\n", rep.Model, on, strings.Join(others, ", "), rep.Reference)
	fmt.Fprintln(w, "each runtime runs the whole graph on its own, so differences propagate; Δ is in LSB of the output (real units for float outputs)")
	for _, note := range rep.ReferenceNotes {
		fmt.Fprintf(w, "note (%s): %s\n", rep.Reference, note)
	}
	for _, c := range rep.Comparisons {
		fmt.Fprintf(w, "\n%s vs %s\n", c.Runtime, rep.Reference)
		for _, note := range c.Notes {
			fmt.Fprintf(w, "  note: %s\n", note)
		}
		nameW := 4
		for _, l := range c.Layers {
			nameW = max(nameW, len(l.OpName))
		}
		header := fmt.Sprintf("  %3s  %-*s  %-6s  %-14s  %9s  %9s  %7s  %8s", "op", nameW, "name", "tensor", "shape", "elements", "differ", "%", "max|Δ|")
		if set != nil {
			header += fmt.Sprintf("  %6s", "inputs")
		}
		fmt.Fprintln(w, header+"  first differing coordinates")
		for _, l := range c.Layers {
			line := fmt.Sprintf("  %3d  %-*s  %-6s  %-14s  %9d  %9d  %7.3f  %8s", l.Op, nameW, l.OpName, fmt.Sprintf("t%d", l.Tensor),
				tflite.ShapeString(l.Shape), l.Elements, l.Differ, l.DifferPercent, diffText(l))
			if set != nil {
				line += fmt.Sprintf("  %6d", l.InputsDiffer)
			}
			fmt.Fprintln(w, line+"  "+coordsText(l.First))
		}
		switch {
		case c.Classified == 0:
		case set == nil:
			verdict := "unchanged"
			if c.PredictionsDiffer > 0 {
				verdict = "CHANGED"
			}
			fmt.Fprintf(w, "  top-1 class: %d under %s, %d under %s: %s\n", c.ReferencePredicted[0], rep.Reference, c.RuntimePredicted[0], c.Runtime, verdict)
		default:
			fmt.Fprintf(w, "  top-1 class differs on %d of %d inputs\n", c.PredictionsDiffer, c.Classified)
		}
	}
}

func coordsText(cs [][]int) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = tflite.ShapeString(c)
	}
	return strings.Join(parts, " ")
}

// diffText is the largest difference with its unit ("" when none).
func diffText(l layerTotal) string {
	v := float64(l.MaxAbsDiff)
	switch {
	case l.Differ == 0:
		return "0"
	case math.IsInf(v, 0) || math.IsNaN(v):
		return "n/a"
	case l.Unit == trace.UnitLSB:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return strconv.FormatFloat(v, 'g', 4, 64) + " real"
}

func writeCompareCSV(w io.Writer, rep *compareReport) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"runtime", "reference", "op", "op_name", "output", "tensor", "elements", "differ", "differ_percent",
		"max_abs_diff", "unit", "inputs", "inputs_differ", "predictions_differ"})
	for _, c := range rep.Comparisons {
		for _, l := range c.Layers {
			maxDiff := ""
			if v := float64(l.MaxAbsDiff); !math.IsInf(v, 0) && !math.IsNaN(v) {
				maxDiff = strconv.FormatFloat(v, 'g', -1, 64)
			}
			cw.Write([]string{c.Runtime, rep.Reference, strconv.Itoa(l.Op), l.OpName, strconv.Itoa(l.Output), strconv.Itoa(l.Tensor),
				strconv.Itoa(l.Elements), strconv.Itoa(l.Differ), strconv.FormatFloat(l.DifferPercent, 'f', -1, 64), maxDiff, l.Unit,
				strconv.Itoa(len(rep.Inputs)), strconv.Itoa(l.InputsDiffer), strconv.Itoa(c.PredictionsDiffer)})
		}
	}
	cw.Flush()
	return cw.Error()
}
