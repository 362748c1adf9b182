package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tflq/tflq-trace/samples"
	"github.com/tflq/tflq-trace/trace"
)

// sampleMNISTTest names the MNIST test set (10 000 images with labels) as
// an input source.
const sampleMNISTTest = samplePrefix + "mnist-test"

// evalReport is what `eval` prints.
type evalReport struct {
	Model  string `json:"model"`
	Inputs int    `json:"inputs"`
	Source string `json:"source"`
	Labels string `json:"labels,omitempty"`
	// Runtimes holds one entry per runtime, the first being the reference
	// for the prediction agreement.
	Runtimes []runtimeEval `json:"runtimes"`
	Seconds  float64       `json:"seconds"`
}

// runtimeEval is one runtime over the data set.
type runtimeEval struct {
	Runtime string `json:"runtime"`
	// Accuracy is the fraction (0..1) of inputs whose top-1 class is the
	// label (null without labels or without a classifier output).
	Accuracy *float64 `json:"accuracy"`
	Correct  int      `json:"correct"`
	// PredictionsDiffer counts the inputs whose top-1 class differs from
	// the first runtime's.
	PredictionsDiffer int                 `json:"predictions_differ"`
	Layers            []*trace.LayerStats `json:"layers"`
}

// evalResult is one input's outcome under every runtime.
type evalResult struct {
	class   []int
	ok      []bool
	metrics [][]trace.LayerMetrics
	err     error
}

func runEval(args []string, env *cliEnv) error {
	fs := newFlagSet("eval", "MODEL --inputs SOURCE [--labels SOURCE] [--runtimes A,B...] [--json|--csv] [-o FILE]", env)
	var sample string
	fs.StringVar(&sample, "sample", "", "use the bundled model `NAME` (same as MODEL sample:NAME)")
	inputs := fs.String("inputs", "", "the data set: a folder of input files, a .npy batch (first axis = sample), an IDX image file (.gz or not), sample:digits, or sample:mnist-test (the MNIST test set, with its labels)")
	labelsPath := fs.String("labels", "", "one class per input: an IDX label file, a .npy or a .txt/.csv of class indices (default: the digit a file name starts with, as in 7_0.png)")
	runtimes := fs.String("runtimes", "tflm", "comma-separated runtimes to evaluate (the first is the reference for prediction agreement)")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "inputs evaluated in parallel (results are the same whatever the number)")
	worst := fs.Int("worst", 3, "how many inputs with the largest error to list per layer")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	asCSV := fs.Bool("csv", false, "print one CSV row per runtime and layer")
	outPath := fs.String("o", "", "write the report to `FILE` instead of standard output")
	var maxMemory string
	registerMemoryFlag(fs.FlagSet, &maxMemory)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	path, err := oneModelArg("eval", pos, sample)
	if err != nil {
		return err
	}
	if *inputs == "" {
		return usageError("eval: --inputs SOURCE is required (a folder, a .npy batch, an IDX file, sample:digits or sample:mnist-test)")
	}
	if *asJSON && *asCSV {
		return usageError("eval: --json and --csv exclude each other")
	}
	if *workers < 1 {
		return usageError("eval: --workers %d: must be ≥ 1", *workers)
	}
	if *worst < 0 {
		return usageError("eval: --worst %d: must be ≥ 0", *worst)
	}
	rts, err := parseRuntimes("eval", *runtimes)
	if err != nil {
		return err
	}
	if *outPath != "" {
		if err := checkOutputFile("-o", *outPath); err != nil {
			return err
		}
	}
	source, labelSource := *inputs, *labelsPath
	if source == sampleMNISTTest {
		images, labels, err := samples.MNISTTestFiles()
		if err != nil {
			return inputError(fmt.Errorf("--inputs %s: %w", source, err))
		}
		source = images
		if labelSource == "" {
			labelSource = labels
		}
	}
	set, err := openInputSet("--inputs", source)
	if err != nil {
		return err
	}
	if *inputs == sampleMNISTTest {
		set.source = sampleMNISTTest // its inputs replay as sample:mnist-test#i
	}
	labels, err := evalLabels(set, labelSource)
	if err != nil {
		return err
	}
	// One interpreter per runtime per worker: its tensors are reused for
	// every input that worker runs, so memory does not grow with the data set.
	pools, err := runtimeInterpreters("eval", path, maxMemory, rts, *workers)
	if err != nil {
		return err
	}
	if len(pools[0][0].Inputs()) != 1 {
		return usageError("eval: --inputs needs a model with one input; %s has %d", path, len(pools[0][0].Inputs()))
	}
	if err := checkLabelRange(pools[0][0], path, labels, labelsName(*inputs, *labelsPath, labelSource), set); err != nil {
		return err
	}
	rep := &evalReport{Model: path, Inputs: set.len(), Source: *inputs, Labels: labelSource}
	for _, rt := range rts {
		rep.Runtimes = append(rep.Runtimes, runtimeEval{Runtime: rt.String()})
	}
	start := time.Now()
	progress := newProgress(env, set.len(), start)
	// Inputs run in batches, a contiguous slice per worker; results are folded
	// in input order, so the report does not depend on the number of workers.
	batch := *workers * 16
	results := make([]evalResult, batch)
	for lo := 0; lo < set.len(); lo += batch {
		if err := interrupted(env.ctx); err != nil {
			progress.clear()
			return err
		}
		hi := min(lo+batch, set.len())
		if set.prefetch != nil {
			if err := set.prefetch(lo, hi); err != nil {
				progress.clear()
				return err
			}
		}
		var wg sync.WaitGroup
		for w := range *workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := lo + w; i < hi; i += *workers {
					results[i-lo] = evalOne(pools[w], set, i)
				}
			}()
		}
		wg.Wait()
		for i := lo; i < hi; i++ {
			r := &results[i-lo]
			if r.err != nil {
				progress.clear()
				return r.err
			}
			rep.fold(i, set.nameOf(i), r, labels, *worst)
		}
		progress.update(hi)
	}
	progress.done()
	rep.Seconds = time.Since(start).Seconds()
	for k := range rep.Runtimes {
		re := &rep.Runtimes[k]
		if labels != nil && pools[0][k] != nil {
			if _, ok := trace.Prediction(pools[0][k]); ok {
				acc := float64(re.Correct) / float64(rep.Inputs)
				re.Accuracy = &acc
			}
		}
	}
	write := func(w io.Writer) error {
		switch {
		case *asJSON:
			return printJSON(w, rep)
		case *asCSV:
			return writeEvalCSV(w, rep)
		}
		printEval(w, rep)
		return nil
	}
	if *outPath == "" || *outPath == "-" {
		return write(env.stdout)
	}
	if err := writeAtomically(*outPath, write); err != nil {
		return runError(fmt.Errorf("-o %s: %w", *outPath, err))
	}
	fmt.Fprintf(env.stdout, "wrote %s\n", *outPath)
	return nil
}

// evalLabels reads --labels, or takes the labels the input names give (all
// or nothing), or none.
func evalLabels(set *inputSet, path string) ([]int, error) {
	if path != "" {
		return openLabels("--labels", path, set.len())
	}
	labels := make([]int, set.len())
	for i := range set.len() {
		l, ok := set.label(i)
		if !ok {
			return nil, nil
		}
		labels[i] = l
	}
	return labels, nil
}

// labelsName names where eval's labels come from, for errors.
func labelsName(inputs, labelsFlag, labelSource string) string {
	switch {
	case labelsFlag != "":
		return "--labels " + labelsFlag
	case inputs == sampleMNISTTest:
		return "the labels of " + sampleMNISTTest + " (" + labelSource + ")"
	}
	return "the labels in the file names of --inputs " + inputs
}

// checkLabelRange refuses labels that are not classes of the model's
// classifier output (none to check without labels or without one).
func checkLabelRange(ip *trace.Interpreter, model string, labels []int, source string, set *inputSet) error {
	outs := ip.Outputs()
	if labels == nil || len(outs) == 0 || outs[0] == nil || !trace.ClassifierShaped(outs[0].Shape) {
		return nil
	}
	classes := outs[0].Shape[len(outs[0].Shape)-1]
	for i, l := range labels {
		if l < 0 || l >= classes {
			return inputError(fmt.Errorf("eval: %s: label %d of input %d (%s) is not a class of %s, which has %d classes (0..%d)",
				source, l, i, set.nameOf(i), model, classes, classes-1))
		}
	}
	return nil
}

// evalOne runs input i under every runtime of one worker and takes the
// float shadow's per-layer metrics of each run.
func evalOne(ips []*trace.Interpreter, set *inputSet, i int) evalResult {
	r := evalResult{class: make([]int, len(ips)), ok: make([]bool, len(ips)), metrics: make([][]trace.LayerMetrics, len(ips))}
	data, err := set.load(ips[0], i)
	if err != nil {
		r.err = err
		return r
	}
	for k, ip := range ips {
		if err := ip.SetInput(0, data); err != nil {
			r.err = inputError(fmt.Errorf("%s: %w", set.nameOf(i), err))
			return r
		}
		if err := ip.Invoke(); err != nil {
			r.err = runError(fmt.Errorf("%s under %v: %w", set.nameOf(i), ip.Options().Runtime, err))
			return r
		}
		r.class[k], r.ok[k] = trace.Prediction(ip)
		sh, err := trace.RunShadow(ip)
		if err != nil {
			r.err = runError(fmt.Errorf("%s: %w", set.nameOf(i), err))
			return r
		}
		r.metrics[k] = sh.Metrics
	}
	return r
}

// fold adds input i's outcome to the report; spec is the --input that
// replays input i.
func (rep *evalReport) fold(i int, spec string, r *evalResult, labels []int, worst int) {
	for k := range rep.Runtimes {
		re := &rep.Runtimes[k]
		if re.Layers == nil {
			for _, m := range r.metrics[k] {
				re.Layers = append(re.Layers, trace.NewLayerStats(m))
			}
		}
		for l, m := range r.metrics[k] {
			re.Layers[l].Add(i, m, worst)
			for w := range re.Layers[l].Worst {
				if wi := &re.Layers[l].Worst[w]; wi.Input == i {
					wi.InputSpec = spec
					if r.ok[k] {
						class := r.class[k]
						wi.Prediction = &class
					}
				}
			}
		}
		if r.ok[k] && labels != nil && r.class[k] == labels[i] {
			re.Correct++
		}
		if r.ok[k] && r.class[k] != r.class[0] {
			re.PredictionsDiffer++
		}
	}
}

func printEval(w io.Writer, rep *evalReport) {
	fmt.Fprintf(w, "eval %s on %d inputs from %s (%.1f s)\n", rep.Model, rep.Inputs, rep.Source, rep.Seconds)
	for k, re := range rep.Runtimes {
		fmt.Fprintf(w, "\n%s:", re.Runtime)
		if re.Accuracy != nil {
			fmt.Fprintf(w, " top-1 accuracy %.4f (%d of %d)", *re.Accuracy, re.Correct, rep.Inputs)
		}
		if k > 0 {
			fmt.Fprintf(w, "; prediction differs from %s on %d inputs", rep.Runtimes[0].Runtime, re.PredictionsDiffer)
		}
		fmt.Fprintln(w)
		fmt.Fprintln(w, "  per layer over every input: error = dequantized − float reference (the float shadow)")
		nameW := 4
		for _, l := range re.Layers {
			nameW = max(nameW, len(l.OpName))
		}
		fmt.Fprintf(w, "  %3s  %-*s  %17s  %14s  %13s  %13s  %16s  %s\n", "op", nameW, "name", "mean error (real)", "mean |e| (LSB)",
			"max |e| (LSB)", "MSE (real²)", "rmse/scale (LSB)", "worst inputs (max |e| in LSB)")
		for _, l := range re.Layers {
			var worst []string
			for _, wi := range l.Worst {
				if wi.MaxAbsErrorLSB != nil {
					worst = append(worst, fmt.Sprintf("%d (%s)", wi.Input, num(float64(*wi.MaxAbsErrorLSB), 3)))
				} else {
					worst = append(worst, fmt.Sprintf("%d (%s real)", wi.Input, num(float64(wi.MaxAbsErrorReal), 3)))
				}
			}
			ref := ""
			if !l.Reference {
				ref = "  (no float reference)"
			}
			fmt.Fprintf(w, "  %3d  %-*s  %17s  %14s  %13s  %13s  %16s  %s%s\n", l.Op, nameW, l.OpName, num(l.MeanError, 4),
				num(l.MeanAbsErrorLSB, 4), num(l.MaxAbsErrorLSB, 4), num(l.MeanSquaredError, 4),
				num(l.RMSEOverScale, 4), strings.Join(worst, " "), ref)
		}
	}
	printReplay(w, rep)
}

// printReplay lists the worst inputs of every layer, in order of first
// appearance, with the --input that runs each again.
func printReplay(w io.Writer, rep *evalReport) {
	seen := map[int]bool{}
	var lines []string
	for _, re := range rep.Runtimes {
		for _, l := range re.Layers {
			for _, wi := range l.Worst {
				if !seen[wi.Input] {
					seen[wi.Input] = true
					lines = append(lines, fmt.Sprintf("  %6d  %s", wi.Input, wi.InputSpec))
				}
			}
		}
	}
	if len(lines) == 0 {
		return
	}
	fmt.Fprintf(w, "\nworst inputs by index, with the --input that replays each (e.g. tflq-trace explain %s --input SPEC --op 0 --element 0):\n", rep.Model)
	for _, l := range lines {
		fmt.Fprintln(w, l)
	}
}

// num formats a statistic plainly ("-" when it has no value).
func num(v float64, digits int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "-"
	}
	return strconv.FormatFloat(v, 'g', digits, 64)
}

// writeEvalCSV writes one row per runtime and layer; the statistics'
// columns are named as in the trace export (trace.StatsColumns).
func writeEvalCSV(w io.Writer, rep *evalReport) error {
	cw := csv.NewWriter(w)
	cw.Write(append([]string{"runtime", "accuracy", "predictions_differ"}, trace.StatsColumns()...))
	for _, re := range rep.Runtimes {
		acc := ""
		if re.Accuracy != nil {
			acc = strconv.FormatFloat(*re.Accuracy, 'g', -1, 64)
		}
		for _, l := range re.Layers {
			cw.Write(append([]string{re.Runtime, acc, strconv.Itoa(re.PredictionsDiffer)}, l.CSVRecord()...))
		}
	}
	cw.Flush()
	return cw.Error()
}

// progress is eval's progress bar on a terminal (count, rate, ETA); it
// prints nothing when standard error is not one.
type progress struct {
	w     io.Writer
	on    bool
	total int
	start time.Time
}

func newProgress(env *cliEnv, total int, start time.Time) *progress {
	return &progress{w: env.stderr, on: isTerminal(env.stderr), total: total, start: start}
}

func (p *progress) update(done int) {
	if !p.on {
		return
	}
	el := time.Since(p.start).Seconds()
	rate := float64(done) / max(el, 1e-9)
	eta := float64(p.total-done) / max(rate, 1e-9)
	const width = 30
	bar := strings.Repeat("█", done*width/p.total) + strings.Repeat("·", width-done*width/p.total)
	fmt.Fprintf(p.w, "\r%s %d/%d inputs  %.0f/s  ETA %.0fs ", bar, done, p.total, rate, eta)
}

func (p *progress) clear() {
	if p.on {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

func (p *progress) done() { p.clear() }
