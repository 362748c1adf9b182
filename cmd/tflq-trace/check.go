package main

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/tflq/tflq-trace/kernels"
	"github.com/tflq/tflq-trace/tflite"
	"github.com/tflq/tflq-trace/trace"
)

// checkReport is what `check` prints: the user's tensors compared with the
// run's, where they start to differ, and the diagnosis of that operator.
type checkReport struct {
	Model   string `json:"model"`
	Runtime string `json:"runtime"`
	Input   string `json:"input"`
	// Notes say how the runtime loaded the model (delegate dropped, ...).
	Notes   []string        `json:"notes,omitempty"`
	Tensors []checkedTensor `json:"tensors"`
	// Match is true when every value matches.
	Match bool `json:"match"`
	// DifferingInputs are tensors no operator computes (graph inputs,
	// constants) whose values differ.
	DifferingInputs []int           `json:"differing_inputs,omitempty"`
	Source          *opRef          `json:"source,omitempty"`
	MoreSources     []opRef         `json:"more_sources,omitempty"`
	Propagated      []propagatedOp  `json:"propagated,omitempty"`
	Diagnosis       *checkDiagnosis `json:"diagnosis,omitempty"`
}

// checkedTensor is one tensor the user gave values for.
type checkedTensor struct {
	Tensor   int    `json:"tensor"`
	Name     string `json:"name"`
	Dtype    string `json:"dtype"`
	Shape    []int  `json:"shape"`
	File     string `json:"file"`
	Values   string `json:"values"` // "integers" or "reals"
	Rule     string `json:"rule"`
	Elements int    `json:"elements"`
	Differ   int    `json:"differ"`
	// MaxAbsDiff is in LSB for quantized tensors, in real units otherwise.
	MaxAbsDiff     trace.Float `json:"max_abs_diff"`
	FirstDiffering []int       `json:"first_differing,omitempty"`
	// Note warns when whole numbers written as reals (np.savetxt's
	// default) would match as quantized integers.
	Note string `json:"note,omitempty"`
	// Op is the operator that computes the tensor (−1 for graph inputs and
	// constants).
	Op     int    `json:"op"`
	OpName string `json:"op_name,omitempty"`
}

// opRef names an operator and its differing output.
type opRef struct {
	Op     int    `json:"op"`
	OpName string `json:"op_name"`
	Tensor int    `json:"tensor"`
}

// propagatedOp differs because an input does.
type propagatedOp struct {
	Op              int    `json:"op"`
	OpName          string `json:"op_name"`
	Outputs         []int  `json:"outputs"`
	DifferingInputs []int  `json:"differing_inputs"`
}

// checkDiagnosis is the diagnosis of the source operator.
type checkDiagnosis struct {
	Op       int    `json:"op"`
	OpName   string `json:"op_name"`
	Tensor   int    `json:"tensor"`
	Elements int    `json:"elements"`
	// Exact: a runtime, a tensor or a set of mistakes reproduces every value.
	Exact bool `json:"exact"`
	// IDs are the mistakes of the diagnosis (or of the best partial match).
	IDs        []string `json:"ids"`
	Reproduces int      `json:"reproduces"`
	Variant    string   `json:"variant,omitempty"`
	// Equivalent are other sets of the same size that reproduce every value.
	Equivalent [][]string `json:"equivalent,omitempty"`
	// Runtime is another runtime whose values are exactly the user's (the
	// first of Runtimes, all those whose values they are).
	Runtime     string   `json:"runtime,omitempty"`
	Runtimes    []string `json:"runtimes,omitempty"`
	WrongTensor *int     `json:"wrong_tensor,omitempty"`
	// RuntimeMatches counts the elements where the user's values equal the
	// run's.
	RuntimeMatches int `json:"runtime_matches"`
	// ViaTFLM: the runtime's kernel has no mistake model; the mistakes were
	// applied to TFLite-Micro's arithmetic.
	ViaTFLM      bool                `json:"via_tflm,omitempty"`
	Explanations []trace.Explanation `json:"explanations,omitempty"`
	// Summary is the diagnosis as the text report prints it.
	Summary []string      `json:"summary"`
	NoModel string        `json:"no_model,omitempty"`
	Tried   int           `json:"hypotheses_tried"`
	Element *checkElement `json:"element,omitempty"`
}

// checkElement is the first differing element with both chains.
type checkElement struct {
	Index     int                `json:"index"`
	Coords    []int              `json:"coords"`
	Yours     float64            `json:"yours"`
	YoursReal bool               `json:"yours_real"`
	Runtime   float64            `json:"runtime"`
	Diagnosed *float64           `json:"diagnosed,omitempty"`
	Rows      []kernels.StepPair `json:"-"`
	Steps     []stepPair         `json:"steps,omitempty"`
	// Parted is the row where the chains first part (−1 when they agree).
	Parted int `json:"parted"`
	// RuntimeLabel and DiagnosedLabel head the two columns.
	RuntimeLabel   string `json:"runtime_label"`
	DiagnosedLabel string `json:"diagnosed_label,omitempty"`
}

// stepPair is one row of the side-by-side chains.
type stepPair struct {
	Step      string `json:"step"`
	Runtime   string `json:"runtime,omitempty"`
	Diagnosed string `json:"diagnosed,omitempty"`
	Differs   bool   `json:"differs"`
}

// checkExit is the exit status of a check whose values differ: the report
// is the output, so nothing more is printed.
type checkExit int

func (e checkExit) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

func runCheck(args []string, env *cliEnv) error {
	fs := newFlagSet("check", "MODEL [--input FILE]... [--runtime R] (--tensor I=FILE)... [--against DIR] [--json]", env)
	var rf runFlags
	rf.register(fs)
	var tensorFlags stringList
	fs.Var(&tensorFlags, "tensor", "your values `I=FILE` for tensor I (.npy, .bin, .txt, .csv or .json); repeat for more tensors")
	against := fs.String("against", "", "a folder `DIR` of your values, one file per tensor: t<i>.<ext> (i the tensor index) or the tensor's name")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	path, err := rf.parse(args)
	if err != nil {
		return err
	}
	if len(tensorFlags) == 0 && *against == "" {
		return usageError("check: give your values with --tensor I=FILE or --against DIR")
	}
	_, ip, err := rf.prepareModel("check", path)
	if err != nil {
		return err
	}
	files, values, err := readUserFiles("check", ip, tensorFlags, *against)
	if err != nil {
		return err
	}
	inputDesc, err := checkInputs(ip, &rf, path, values, files)
	if err != nil {
		return err
	}
	if err := ip.Invoke(); err != nil {
		return runError(fmt.Errorf("%s: %w", path, err))
	}
	rep, err := buildCheckReport(ip, path, inputDesc, files, values)
	if err != nil {
		return err
	}
	if *asJSON {
		if err := printJSON(env.stdout, rep); err != nil {
			return err
		}
	} else {
		printCheck(env.stdout, ip, rep)
	}
	for _, n := range rf.notes { // how input files were converted
		fmt.Fprintln(env.stderr, n)
	}
	if !rep.Match {
		return checkExit(exitFailure)
	}
	return nil
}

// checkFiles lists the user's files: --tensor I=FILE and the --against
// folder. A tensor may be given once.
func checkFiles(cmd string, ip *trace.Interpreter, tensorFlags []string, against string) ([]userFile, error) {
	var files []userFile
	n := len(ip.Tensors())
	for _, spec := range tensorFlags {
		idx, file, ok := strings.Cut(spec, "=")
		if !ok || file == "" {
			return nil, usageError("%s: --tensor %q: want I=FILE (I the tensor index, see inspect)", cmd, spec)
		}
		i, err := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(idx), "t"))
		if err != nil {
			return nil, usageError("%s: --tensor %q: %q is not a tensor index", cmd, spec, idx)
		}
		if i < 0 || i >= n {
			return nil, usageError("%s: --tensor %s: tensor index %d is out of range (the model has tensors 0..%d)", cmd, spec, i, n-1)
		}
		files = append(files, userFile{tensor: i, path: file})
	}
	if against != "" {
		more, err := listDumpFolder(against, ip.Tensors())
		if err != nil {
			return nil, err
		}
		files = append(files, more...)
	}
	seen := map[int]string{}
	for _, f := range files {
		if other, ok := seen[f.tensor]; ok {
			return nil, usageError("%s: %s and %s both give tensor %d", cmd, other, f.path, f.tensor)
		}
		seen[f.tensor] = f.path
	}
	sort.SliceStable(files, func(a, b int) bool { return files[a].tensor < files[b].tensor })
	return files, nil
}

// readUserFiles lists the user's files (checkFiles) and reads every file's
// values for its tensor.
func readUserFiles(cmd string, ip *trace.Interpreter, tensorFlags []string, against string) ([]userFile, map[int]trace.UserValues, error) {
	files, err := checkFiles(cmd, ip, tensorFlags, against)
	if err != nil {
		return nil, nil, err
	}
	values := map[int]trace.UserValues{}
	for _, f := range files {
		u, err := readUserValues(f.path, ip.Tensor(f.tensor))
		if err != nil {
			return nil, nil, inputError(fmt.Errorf("%s: %w", f.path, err))
		}
		values[f.tensor] = u
	}
	return files, values, nil
}

// userGraphInputs sets every graph input from the user's values when they
// hold them all (ok false, nothing set, otherwise).
func userGraphInputs(ip *trace.Interpreter, values map[int]trace.UserValues, files []userFile) (desc string, ok bool, err error) {
	ins := ip.Inputs()
	if len(ins) == 0 {
		return "", false, nil
	}
	for _, t := range ins {
		if _, ok := values[t.Index]; !ok {
			return "", false, nil
		}
	}
	var names []string
	for k, t := range ins {
		data, err := userInputBytes(t, values[t.Index])
		if err != nil {
			return "", false, inputError(fmt.Errorf("%s: graph input %d: %w", fileOf(files, t.Index), k, err))
		}
		if err := ip.SetInput(k, data); err != nil {
			return "", false, inputError(err)
		}
		names = append(names, fileOf(files, t.Index))
	}
	return "your graph input values (" + strings.Join(names, ", ") + ")", true, nil
}

// checkInputs sets the graph inputs: --input/--random/--digit if given,
// else the user's own values for every graph input when the files hold
// them, else the bundled digit for a sample and zero points otherwise.
func checkInputs(ip *trace.Interpreter, rf *runFlags, path string, values map[int]trace.UserValues, files []userFile) (string, error) {
	given := len(rf.inputs) > 0 || rf.random >= 0
	ins := ip.Inputs()
	if !given {
		if desc, ok, err := userGraphInputs(ip, values, files); ok || err != nil {
			return desc, err
		}
	}
	desc := rf.describeInput()
	if !given {
		if strings.HasPrefix(path, samplePrefix) {
			rf.inputs = stringList{fmt.Sprintf("%s%d", digitPrefix, mainDigit)}
			desc = fmt.Sprintf("the bundled MNIST test digit %d (no --input given)", mainDigit)
		} else if len(ins) > 0 {
			desc = "every graph input at its zero point (no --input given)"
		}
	}
	var err error
	if rf.floats, rf.notes, err = loadInputs(ip, rf.inputs, rf.random, rf.random >= 0); err != nil {
		return "", err
	}
	return desc, nil
}

func fileOf(files []userFile, tensor int) string {
	for _, f := range files {
		if f.tensor == tensor {
			return f.path
		}
	}
	return ""
}

// buildCheckReport compares, locates and diagnoses.
func buildCheckReport(ip *trace.Interpreter, path, inputDesc string, files []userFile, values map[int]trace.UserValues) (*checkReport, error) {
	rt := ip.Options().Runtime
	rep := &checkReport{Model: path, Runtime: rt.String(), Input: inputDesc, Match: true, Notes: ip.Notes()}
	producer := map[int]int{}
	for oi, op := range ip.Ops() {
		for _, t := range op.Node.Outputs {
			if t != nil {
				producer[t.Index] = oi
			}
		}
	}
	differs := map[int]bool{}
	for _, f := range files {
		t := ip.Tensor(f.tensor)
		u := values[f.tensor]
		tc := trace.CheckTensor(t, u)
		ct := checkedTensor{Tensor: t.Index, Name: t.Name, Dtype: t.Type.String(), Shape: t.Shape, File: f.path,
			Values: "integers", Rule: trace.NewMatcher(t, u).Rule(), Elements: tc.Elements, Differ: tc.Differ, MaxAbsDiff: tc.MaxAbsDiff, Op: -1}
		if u.IsReal() {
			ct.Values = "reals"
		}
		if tc.First >= 0 {
			ct.FirstDiffering = kernels.Unravel(tc.First, t.Shape)
		}
		if asInts, ok := wholeNumbers(u); ok && tc.Differ > 0 && t.Type != tflite.TypeFloat32 && t.Quantized() {
			if ic := trace.CheckTensor(t, asInts); ic.Differ < tc.Differ {
				ct.Note = fmt.Sprintf("every value in the file is a whole number written as a real (with a decimal point or exponent, as np.savetxt writes by default), so they were read as real values; read as quantized integers, %d of %d would match: write them as integers (np.savetxt(f, a, fmt='%%d'), or an integer .npy)",
					ic.Elements-ic.Differ, ic.Elements)
			}
		}
		if oi, ok := producer[t.Index]; ok {
			ct.Op, ct.OpName = oi, ip.Ops()[oi].Name
		}
		rep.Tensors = append(rep.Tensors, ct)
		differs[t.Index] = tc.Differ > 0
		rep.Match = rep.Match && tc.Differ == 0
	}
	if rep.Match {
		return rep, nil
	}
	loc := trace.Localize(ip, differs)
	rep.DifferingInputs = loc.DifferingInputs
	for _, p := range loc.Propagated {
		rep.Propagated = append(rep.Propagated, propagatedOp{Op: p.Op, OpName: ip.Ops()[p.Op].Name, Outputs: p.Outputs, DifferingInputs: p.Inputs})
	}
	for _, oi := range loc.MoreSources {
		ref := opRef{Op: oi, OpName: ip.Ops()[oi].Name, Tensor: -1}
		for _, t := range ip.Ops()[oi].Node.Outputs {
			if t != nil && differs[t.Index] {
				ref.Tensor = t.Index
				break
			}
		}
		rep.MoreSources = append(rep.MoreSources, ref)
	}
	if loc.Source < 0 {
		return rep, nil
	}
	rep.Source = &opRef{Op: loc.Source, OpName: ip.Ops()[loc.Source].Name, Tensor: loc.SourceTensor}
	out := 0
	for k, t := range ip.Ops()[loc.Source].Node.Outputs {
		if t != nil && t.Index == loc.SourceTensor {
			out = k
		}
	}
	d, err := ip.Diagnose(loc.Source, out, values[loc.SourceTensor])
	if err != nil {
		return nil, runError(err)
	}
	rep.Diagnosis, err = describeDiagnosis(ip, d, values[loc.SourceTensor])
	if err != nil {
		return nil, runError(err)
	}
	return rep, nil
}

// describeDiagnosis turns a diagnosis into the report's form, with the
// chains of the first differing element.
func describeDiagnosis(ip *trace.Interpreter, d *trace.Diagnosis, u trace.UserValues) (*checkDiagnosis, error) {
	t := ip.Tensor(d.Tensor)
	cd := &checkDiagnosis{Op: d.Op, OpName: d.OpName, Tensor: d.Tensor, Elements: d.Elements, RuntimeMatches: d.RuntimeMatches,
		Exact: d.Exact(), Tried: d.Search.Tried, IDs: d.IDs(), Explanations: d.Explanations(), Summary: d.Summary()}
	switch {
	case d.HasOtherRuntime:
		cd.Runtime = d.OtherRuntime.String()
		for _, rt := range d.OtherRuntimes {
			cd.Runtimes = append(cd.Runtimes, rt.String())
		}
		cd.Reproduces = d.Elements
	case d.WrongTensor >= 0:
		w := d.WrongTensor
		cd.WrongTensor = &w
		cd.Reproduces = d.Elements
		if d.Search.Exact && d.Search.Best.Set.Len() == 1 {
			cd.Equivalent = append(cd.Equivalent, d.Search.Best.Set.IDs())
		}
	case d.Model == nil:
		cd.NoModel = fmt.Sprint(d.ModelErr)
	default:
		cd.Reproduces = d.Search.Matches
		cd.ViaTFLM = d.Model.ViaTFLM()
		if d.Search.Exact {
			cd.Variant = d.Search.Best.Variant()
		}
		for _, h := range d.Search.Equivalent {
			cd.Equivalent = append(cd.Equivalent, h.Set.IDs())
		}
	}
	if d.FirstDiff < 0 {
		return cd, nil
	}
	el := &checkElement{Index: d.FirstDiff, Coords: kernels.Unravel(d.FirstDiff, t.Shape), Yours: u.At(d.FirstDiff), YoursReal: u.IsReal(), Parted: -1,
		RuntimeLabel: "TFLite " + ip.Options().Runtime.String()}
	rc, err := d.RuntimeChain(d.FirstDiff)
	if err != nil {
		return nil, err
	}
	el.Runtime = chainValue(t, rc.Final)
	if d.WrongTensor >= 0 {
		cd.Element = el // another tensor's values: no chain computes them
		return cd, nil
	}
	dc, err := d.DiagnosedChain(d.FirstDiff)
	if err != nil {
		return nil, err
	}
	if dc != nil && d.Exact() {
		v := chainValue(t, dc.Final)
		el.Diagnosed = &v
		if d.HasOtherRuntime {
			el.DiagnosedLabel = "TFLite " + d.OtherRuntime.String()
		} else {
			el.DiagnosedLabel = "yours (" + strings.Join(cd.IDs, "+") + ")"
		}
		el.Rows = kernels.AlignChains(rc, dc)
		el.Parted = kernels.FirstParting(el.Rows)
	} else {
		for i := range rc.Steps {
			el.Rows = append(el.Rows, kernels.StepPair{A: &rc.Steps[i]})
		}
	}
	for _, r := range el.Rows {
		sp := stepPair{Step: r.Name()}
		if r.A != nil {
			sp.Runtime = r.A.Formula
		}
		if r.B != nil {
			sp.Diagnosed = r.B.Formula
		}
		sp.Differs = el.Diagnosed != nil && r.Differs()
		el.Steps = append(el.Steps, sp)
	}
	cd.Element = el
	return cd, nil
}

// wholeNumbers returns real values that are all whole numbers as integers.
func wholeNumbers(u trace.UserValues) (trace.UserValues, bool) {
	if !u.IsReal() {
		return u, false
	}
	ints := make([]int64, len(u.Reals))
	for i, v := range u.Reals {
		if v != math.Trunc(v) || math.Abs(v) > 1<<53 {
			return u, false
		}
		ints[i] = int64(v)
	}
	return trace.UserValues{Ints: ints}, true
}

// chainValue is a chain's final value as a number (the float for float32
// outputs, whose chains hold the bits).
func chainValue(t *kernels.Tensor, final int64) float64 {
	if t.Type == tflite.TypeFloat32 {
		return float64(math.Float32frombits(uint32(final)))
	}
	return float64(final)
}

func printCheck(w io.Writer, ip *trace.Interpreter, rep *checkReport) {
	rt := ip.Options().Runtime
	fmt.Fprintf(w, "check %s under %s (%s)\n", rep.Model, rt, rt.Summary())
	for _, n := range rep.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	fmt.Fprintf(w, "input: %s\n\n", rep.Input)
	for _, ct := range rep.Tensors {
		from := "graph input or constant"
		if ct.Op >= 0 {
			from = fmt.Sprintf("output of op %d %s", ct.Op, ct.OpName)
		}
		fmt.Fprintf(w, "t%d %q %s %s (%s), from %s: %s\n", ct.Tensor, ct.Name, ct.Dtype, tflite.ShapeString(ct.Shape), from, ct.File, ct.Rule)
		if ct.Differ == 0 {
			fmt.Fprintf(w, "  all %d elements match\n", ct.Elements)
			continue
		}
		unit := " LSB"
		if t := ip.Tensor(ct.Tensor); t.Type == tflite.TypeFloat32 || !t.Quantized() {
			unit = ""
		}
		fmt.Fprintf(w, "  %d of %d elements differ (largest |yours − TFLite| %s%s), the first at %s\n",
			ct.Differ, ct.Elements, strconv.FormatFloat(float64(ct.MaxAbsDiff), 'g', 4, 64), unit, tflite.ShapeString(ct.FirstDiffering))
		if ct.Note != "" {
			fmt.Fprintf(w, "  note: %s\n", ct.Note)
		}
	}
	fmt.Fprintln(w)
	if rep.Match {
		fmt.Fprintln(w, "every value matches")
		return
	}
	for _, i := range rep.DifferingInputs {
		t := ip.Tensor(i)
		what := "a graph input: the run used " + rep.Input
		if t.Const {
			what = "a constant of the model: your copy is not the model's"
		}
		fmt.Fprintf(w, "t%d differs and no operator computes it (%s)\n", i, what)
	}
	if rep.Source != nil {
		fmt.Fprintf(w, "source: op %d %s — its output t%d differs while every input matches (inputs you gave no values for are the run's)\n", rep.Source.Op, rep.Source.OpName, rep.Source.Tensor)
	} else {
		fmt.Fprintln(w, "no operator to blame: every operator output that differs has an input that differs")
	}
	if len(rep.Propagated) > 0 {
		fmt.Fprintln(w, "later operators that differ only because their inputs did:")
		for _, p := range rep.Propagated {
			fmt.Fprintf(w, "  op %d %s: %s differ(s), because of its input(s) %s\n", p.Op, p.OpName, trace.TensorList(p.Outputs), trace.TensorList(p.DifferingInputs))
		}
	}
	if len(rep.MoreSources) > 0 {
		fmt.Fprintln(w, "these also differ while their inputs match (check them next):")
		for _, s := range rep.MoreSources {
			fmt.Fprintf(w, "  op %d %s: t%d\n", s.Op, s.OpName, s.Tensor)
		}
	}
	if d := rep.Diagnosis; d != nil {
		fmt.Fprintln(w)
		printDiagnosis(w, ip, d)
	}
}

func printDiagnosis(w io.Writer, ip *trace.Interpreter, d *checkDiagnosis) {
	for _, l := range d.Summary {
		fmt.Fprintln(w, l)
	}
	el := d.Element
	if el == nil {
		return
	}
	t := ip.Tensor(d.Tensor)
	fmt.Fprintf(w, "\nfirst differing element %s (flat %d): yours %s, TFLite %s\n", tflite.ShapeString(el.Coords), el.Index, yoursText(t, el.Yours, el.YoursReal), fmtValue(t, el.Runtime))
	if len(el.Steps) == 0 {
		return
	}
	if el.Diagnosed == nil {
		fmt.Fprintf(w, "%s's chain:\n", el.RuntimeLabel)
	} else {
		fmt.Fprintf(w, "the two chains step by step (one line where they agree; %s, then %s, where they do not):\n", el.RuntimeLabel, el.DiagnosedLabel)
	}
	nameW, labelW := 4, max(len([]rune(el.RuntimeLabel)), len([]rune(el.DiagnosedLabel)))
	for _, s := range el.Steps {
		nameW = max(nameW, len([]rune(s.Step)))
	}
	for i, s := range el.Steps {
		mark := " "
		if s.Differs {
			mark = "≠"
			if i == el.Parted {
				mark = "▶"
			}
		}
		if el.Diagnosed == nil || s.Runtime == s.Diagnosed {
			fmt.Fprintf(w, "%s %-*s  %s\n", mark, nameW, s.Step, s.Runtime)
			continue
		}
		left, right := s.Runtime, s.Diagnosed
		if left == "" {
			left = "— (no such step)"
		}
		if right == "" {
			right = "— (no such step)"
		}
		fmt.Fprintf(w, "%s %-*s  %s  %s\n", mark, nameW, s.Step, padRunes(el.RuntimeLabel+":", labelW+1), left)
		fmt.Fprintf(w, "  %-*s  %s  %s\n", nameW, "", padRunes(el.DiagnosedLabel+":", labelW+1), right)
	}
	if el.Diagnosed != nil && el.Parted >= 0 {
		fmt.Fprintf(w, "▶ the chains part at step %q; ≠ marks every step that differs\n", el.Steps[el.Parted].Step)
	}
}

// padRunes pads s with spaces to n runes.
func padRunes(s string, n int) string {
	if k := len([]rune(s)); k < n {
		return s + strings.Repeat(" ", n-k)
	}
	return s
}

// fmtValue writes a value of t: an integer with its real value, or a float.
func fmtValue(t *kernels.Tensor, v float64) string {
	if t.Type == tflite.TypeFloat32 {
		return strconv.FormatFloat(v, 'g', 7, 64)
	}
	if t.Quantized() && len(t.Scale) == 1 {
		return fmt.Sprintf("%s (real %.6g)", fmtNumber(v), (v-float64(t.ZP0()))*float64(t.Scale0()))
	}
	return fmtNumber(v)
}

// yoursText writes the user's value.
func yoursText(t *kernels.Tensor, v float64, real bool) string {
	if !real && t.Type != tflite.TypeFloat32 {
		return fmtValue(t, v)
	}
	return strconv.FormatFloat(v, 'g', 7, 64)
}

func fmtNumber(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'g', 7, 64)
}
