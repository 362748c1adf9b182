package main

import (
	"fmt"
	"io"
	"math"
	"regexp"
	"sort"
	"strings"

	"github.com/tflq/tflq-trace/kernels"
	"github.com/tflq/tflq-trace/tflite"
	"github.com/tflq/tflq-trace/trace"
)

// inspectReport is what `inspect --json` prints; the text form shows the same.
type inspectReport struct {
	File        string   `json:"file"`
	Bytes       int      `json:"bytes"`
	Version     uint32   `json:"version"`
	Description string   `json:"description"`
	Metadata    []string `json:"metadata,omitempty"`
	Signatures  []string `json:"signatures,omitempty"`
	Warnings    []string `json:"warnings,omitempty"`
	// Notes say how the XNNPACK delegate was applied when not to every node
	// it takes, and whether full TFLite would refuse the model
	// (trace.Interpreter.Notes).
	Notes []string `json:"notes,omitempty"`
	// Memory is what a run of subgraph 0 allocates (the plan the
	// interpreter checks against --max-memory), and Limit that limit.
	Memory trace.MemoryPlan `json:"memory"`
	Limit  int64            `json:"memory_limit"`
	// Note says why derived parameters are missing, if they are.
	Note      string         `json:"note,omitempty"`
	SubGraphs []subGraphInfo `json:"subgraphs"`
}

type subGraphInfo struct {
	memoryPerOp []int64            // subgraph 0: the memory plan's bytes per operator
	Index       int                `json:"index"`
	Name        string             `json:"name"`
	Inputs      []int32            `json:"inputs"`
	Outputs     []int32            `json:"outputs"`
	Tensors     []trace.TensorInfo `json:"tensors"`
	Operators   []trace.OpInfo     `json:"operators"`
}

func runInspect(args []string, env *cliEnv) error {
	fs := newFlagSet("inspect", "[--json] [--op N] [--tensor N [--values]] [--runtime R] MODEL | inspect --ops [--json]", env)
	asJSON := fs.Bool("json", false, "print structured JSON instead of text")
	opIndex := fs.Int("op", -1, "show only operator `N` (subgraph 0), with every per-channel multiplier")
	tensorIndex := fs.Int("tensor", -1, "show only tensor `N` (subgraph 0) in full: every per-channel scale and zero point")
	values := fs.Bool("values", false, "with --tensor N of a constant (weights, bias): print every value, stored and real")
	var runtimeName, roundingName string
	registerRuntimeFlags(fs.FlagSet, &runtimeName, &roundingName)
	sample := fs.String("sample", "", "inspect the bundled model `NAME` (same as MODEL sample:NAME)")
	listOps := fs.Bool("ops", false, "list the operators and data-input dtypes the interpreter supports (no MODEL needed)")
	var maxMemory string
	registerMemoryFlag(fs.FlagSet, &maxMemory)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if fs.isSet("op") && *opIndex < 0 {
		return usageError("inspect: --op %d: an operator index is 0 or more", *opIndex)
	}
	if fs.isSet("tensor") && *tensorIndex < 0 {
		return usageError("inspect: --tensor %d: a tensor index is 0 or more", *tensorIndex)
	}
	if *listOps {
		if len(pos) > 0 {
			return usageError("inspect: --ops takes no MODEL")
		}
		if runtimeName != "" || roundingName != "" {
			return usageError("inspect: --ops lists every runtime's kernels at once; --runtime and --rounding do not apply")
		}
		return printSupportedOps(env.stdout, *asJSON)
	}
	if *values && *tensorIndex < 0 {
		return usageError("inspect: --values needs --tensor N")
	}
	path, err := oneModelArg("inspect", pos, *sample)
	if err != nil {
		return err
	}
	rt, err := parseRuntimeFlags("inspect", runtimeName, roundingName)
	if err != nil {
		return err
	}
	limit, err := parseMemoryFlag("inspect", maxMemory)
	if err != nil {
		return err
	}
	lm, err := loadModel(path)
	if err != nil {
		return err
	}
	rep := buildInspectReport(lm, rt, limit)
	g := &rep.SubGraphs[0]
	if *opIndex >= len(g.Operators) || *opIndex < -1 {
		return usageError("inspect: --op %d: subgraph 0 has operators 0..%d", *opIndex, len(g.Operators)-1)
	}
	if *tensorIndex >= len(g.Tensors) || *tensorIndex < -1 {
		return usageError("inspect: --tensor %d: subgraph 0 has tensors 0..%d", *tensorIndex, len(g.Tensors)-1)
	}
	var vals *trace.TensorValues
	if *values {
		if vals, err = constantValues(lm, rt, *tensorIndex); err != nil {
			return usageError("inspect: --values: tensor %d: %v", *tensorIndex, err)
		}
	}
	if *asJSON {
		var v any = rep
		switch {
		case *opIndex >= 0:
			v = g.Operators[*opIndex]
		case *tensorIndex >= 0:
			v = struct {
				trace.TensorInfo
				Values *trace.TensorValues `json:"values,omitempty"`
			}{g.Tensors[*tensorIndex], vals}
		}
		return printJSON(env.stdout, v)
	}
	w := env.stdout
	switch {
	case *opIndex >= 0:
		printOp(w, g, &g.Operators[*opIndex], true)
	case *tensorIndex >= 0:
		printTensorFull(w, g, &g.Tensors[*tensorIndex])
		if vals != nil {
			printValues(w, &g.Tensors[*tensorIndex], vals)
		}
	default:
		printReport(w, rep)
	}
	return nil
}

// supportedOp is one row of `inspect --ops`.
type supportedOp struct {
	Op     string   `json:"op"`
	Code   int32    `json:"code"`
	DTypes []string `json:"dtypes"`
	// Kernels names the implementations with a kernel of their own for the
	// operator (TFLite-Micro's first); a runtime without one of its own
	// runs TFLite-Micro's.
	Kernels []string `json:"kernels"`
}

// printSupportedOps lists the kernels' op table: every operator with a
// kernel and the data-input dtypes it accepts.
func printSupportedOps(w io.Writer, asJSON bool) error {
	var rows []supportedOp
	for _, info := range kernels.Ops() {
		row := supportedOp{Op: info.Op.String(), Code: int32(info.Op)}
		for _, t := range info.Types {
			row.DTypes = append(row.DTypes, t.String())
		}
		for _, impl := range info.Implementations {
			row.Kernels = append(row.Kernels, impl.String())
		}
		rows = append(rows, row)
	}
	sort.Slice(rows, func(a, b int) bool { return rows[a].Op < rows[b].Op })
	if asJSON {
		return printJSON(w, rows)
	}
	fmt.Fprintf(w, "%d operators have kernels: the data-input dtypes TFLite-Micro's accepts, then the other runtimes' kernels that compute differently (those also take legacy uint8 where full TFLite does):\n", len(rows))
	for _, r := range rows {
		line := fmt.Sprintf("  %-28s %-26s", r.Op, strings.Join(r.DTypes, " "))
		if len(r.Kernels) > 1 {
			line += "  also: " + strings.Join(r.Kernels[1:], ", ")
		}
		fmt.Fprintln(w, strings.TrimRight(line, " "))
	}
	return nil
}

func buildInspectReport(lm *loadedModel, rt kernels.Runtime, limit int64) *inspectReport {
	m := lm.Model
	rep := &inspectReport{File: lm.Path, Bytes: lm.Size, Version: m.Version, Description: m.Description, Warnings: m.Warnings,
		Memory: trace.PlanMemory(m), Limit: limit}
	if limit == 0 {
		rep.Limit = trace.DefaultMemoryLimit()
	}
	for _, md := range m.Metadata {
		rep.Metadata = append(rep.Metadata, md.Name)
	}
	for _, sd := range m.SignatureDefs {
		rep.Signatures = append(rep.Signatures, sd.Key)
	}
	// Prepare subgraph 0 with the real kernels so that the derived
	// parameters are exactly the ones the interpreter uses.
	ip, err := trace.New(m, trace.Options{Runtime: rt, AllowUnsupported: true, MaxMemory: rep.Limit})
	if err != nil {
		rep.Note = fmt.Sprintf("no derived parameters: %v", err)
	}
	if ip != nil {
		rep.Notes = ip.Notes()
	}
	// The other runtimes, to show where their kernels derive differently
	// (when four interpreters fit the memory limit).
	var others []*trace.Interpreter
	for _, other := range kernels.Runtimes() {
		if other == rt || ip == nil || 4*(rep.Memory.Total-rep.Memory.Shadow) > rep.Limit {
			continue
		}
		if oip, err := trace.New(m, trace.Options{Runtime: other, AllowUnsupported: true}); err == nil {
			others = append(others, oip)
		}
	}
	for gi := range m.SubGraphs {
		g := &m.SubGraphs[gi]
		sg := subGraphInfo{Index: gi, Name: g.Name, Inputs: g.Inputs, Outputs: g.Outputs}
		if gi == 0 {
			sg.memoryPerOp = rep.Memory.PerOp
		}
		for ti := range g.Tensors {
			sg.Tensors = append(sg.Tensors, trace.DescribeTensor(m, g, ti))
		}
		for oi := range g.Operators {
			var derived *trace.Interpreter
			if gi == 0 {
				derived = ip
			}
			info := trace.DescribeOp(m, g, oi, derived)
			if derived != nil {
				trace.AddRuntimeDifferences(&info, m, g, others)
			}
			sg.Operators = append(sg.Operators, info)
		}
		rep.SubGraphs = append(rep.SubGraphs, sg)
	}
	return rep
}

func printReport(w io.Writer, rep *inspectReport) {
	fmt.Fprintf(w, "model %s: %d bytes, schema version %d, %d subgraph(s)", rep.File, rep.Bytes, rep.Version, len(rep.SubGraphs))
	if rep.Description != "" {
		fmt.Fprintf(w, ", description %q", rep.Description)
	}
	fmt.Fprintln(w)
	if len(rep.Metadata) > 0 {
		fmt.Fprintf(w, "metadata: %s\n", strings.Join(rep.Metadata, ", "))
	}
	if len(rep.Signatures) > 0 {
		fmt.Fprintf(w, "signatures: %s\n", strings.Join(rep.Signatures, ", "))
	}
	for _, warn := range summarizeWarnings(rep.Warnings) {
		fmt.Fprintf(w, "warning: %s\n", warn)
	}
	for _, note := range rep.Notes {
		fmt.Fprintf(w, "note: %s\n", note)
	}
	for gi := range rep.SubGraphs {
		g := &rep.SubGraphs[gi]
		if g.Index == 0 {
			mp := rep.Memory
			fmt.Fprintf(w, "memory: a run allocates %s (tensors %s, constants %s, index tables %s); explain, trace, ui and eval add the float shadow, %s; limit %s (--max-memory)\n",
				trace.FormatBytes(mp.Total-mp.Shadow), trace.FormatBytes(mp.Tensors), trace.FormatBytes(mp.Constants), trace.FormatBytes(mp.Tables),
				trace.FormatBytes(mp.Shadow), trace.FormatBytes(rep.Limit))
			if rep.Note != "" {
				fmt.Fprintf(w, "note: %s\n", rep.Note)
			}
		}
		fmt.Fprintf(w, "\nsubgraph %d %q: %d tensors, %d operators\n", g.Index, g.Name, len(g.Tensors), len(g.Operators))
		for _, i := range g.Inputs {
			fmt.Fprintf(w, "  input   %s\n", tensorLine(g, i))
		}
		for _, i := range g.Outputs {
			fmt.Fprintf(w, "  output  %s\n", tensorLine(g, i))
		}
		for oi := range g.Operators {
			fmt.Fprintln(w)
			printOp(w, g, &g.Operators[oi], false)
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "tN is tensor index N: the index tf.lite.Interpreter.get_tensor_details() reports (and get_tensor(N) reads).")
	fmt.Fprintln(w, "M is the real multiplier TFLite computes in double precision; it is stored as a Q0.31")
	fmt.Fprintln(w, "multiplier and a shift: M = multiplier · 2^(shift − 31). `--op N` lists every channel.")
}

// tensorLine is a one-line summary of tensor i.
func tensorLine(g *subGraphInfo, i int32) string {
	if i < 0 {
		return "(absent optional input)"
	}
	if int(i) >= len(g.Tensors) {
		return fmt.Sprintf("t%d (out of range)", i)
	}
	t := &g.Tensors[i]
	var b strings.Builder
	fmt.Fprintf(&b, "t%-3d %-8s %-14s %s", t.Index, t.DType, tflite.ShapeString(t.Shape), quantSummary(t.Quantization, len(t.Shape)))
	if t.Const {
		b.WriteString("  const")
	}
	if t.Variable {
		b.WriteString("  variable")
	}
	fmt.Fprintf(&b, "  %q", t.Name)
	return b.String()
}

// quantSummary says a tensor's quantization in a few words; rank is the
// tensor's, to say when a per-channel axis outside it is read as axis 0
// (the reader's warning about rank-1 biases).
func quantSummary(q *trace.Quantization, rank int) string {
	if q == nil || len(q.Scale) == 0 {
		return "not quantized"
	}
	if len(q.Scale) == 1 {
		return fmt.Sprintf("scale=%.9g zp=%d", q.Scale[0], zp(q, 0))
	}
	lo, hi := trace.Float32(math.Inf(1)), trace.Float32(math.Inf(-1))
	for _, s := range q.Scale {
		lo, hi = min(lo, s), max(hi, s)
	}
	allZero := true
	for _, z := range q.ZeroPoint {
		allZero = allZero && z == 0
	}
	zps := "zp=0"
	if !allZero {
		zps = "zp per channel"
	}
	axis := fmt.Sprint(q.QuantizedDimension)
	if int(q.QuantizedDimension) >= rank {
		axis = fmt.Sprintf("0 (the file says %d)", q.QuantizedDimension)
	}
	return fmt.Sprintf("per-channel(axis %s, %d ch) scale=%.6g..%.6g %s", axis, len(q.Scale), lo, hi, zps)
}

func zp(q *trace.Quantization, i int) int64 {
	if i < len(q.ZeroPoint) {
		return q.ZeroPoint[i]
	}
	return 0
}

func printOp(w io.Writer, g *subGraphInfo, op *trace.OpInfo, full bool) {
	fmt.Fprintf(w, "op %d  %s", op.Index, op.Op)
	if op.Version > 1 {
		fmt.Fprintf(w, " (v%d)", op.Version)
	}
	for _, kv := range op.Options {
		fmt.Fprintf(w, "  %s=%v", kv.Name, kv.Value)
	}
	if op.FusedActivation != "" {
		fmt.Fprintf(w, "  activation=%s", op.FusedActivation)
	}
	if op.Clamp != nil {
		fmt.Fprintf(w, "  clamp=[%d, %d]", op.Clamp[0], op.Clamp[1])
	}
	fmt.Fprintln(w)
	roleW := 6
	for _, o := range append(append([]trace.Operand{}, op.Inputs...), op.Outputs...) {
		roleW = max(roleW, len(o.Role))
	}
	for _, in := range op.Inputs {
		fmt.Fprintf(w, "  %-*s %s\n", roleW, in.Role, tensorLine(g, in.Tensor))
	}
	for _, out := range op.Outputs {
		fmt.Fprintf(w, "  %-*s %s\n", roleW, out.Role, tensorLine(g, out.Tensor))
	}
	if op.Unsupported != "" {
		fmt.Fprintf(w, "  (no kernel: %s)\n", op.Unsupported)
	}
	printMultipliers(w, op.Multipliers, full)
	for _, kv := range op.Params {
		fmt.Fprintf(w, "  %s = %v\n", kv.Name, kv.Value)
	}
	if op.Requantization != "" {
		fmt.Fprintf(w, "  requantization: %s\n", op.Requantization)
	}
	if full && g.Index == 0 && op.Index < len(g.memoryPerOp) {
		fmt.Fprintf(w, "  memory: %s (its outputs and their float shadow)\n", trace.FormatBytes(g.memoryPerOp[op.Index]))
	}
	for _, rp := range op.Runtimes {
		printRuntimeParams(w, op, rp, full)
	}
}

// printRuntimeParams shows what another runtime derives differently for an
// operator: only what differs.
func printRuntimeParams(w io.Writer, op *trace.OpInfo, rp trace.RuntimeParams, full bool) {
	fmt.Fprintf(w, "  under --runtime %s", rp.Runtime)
	if rp.Unsupported != "" {
		fmt.Fprintf(w, ": refused (%s)\n", rp.Unsupported)
		return
	}
	fmt.Fprintf(w, " (%s):", rp.Implementation)
	same := true
	if rp.Requantization != op.Requantization {
		fmt.Fprintf(w, " requantization %s;", rp.Requantization)
		same = false
	}
	if rp.Clamp != nil && (op.Clamp == nil || *rp.Clamp != *op.Clamp) {
		fmt.Fprintf(w, " clamp=[%d, %d];", rp.Clamp[0], rp.Clamp[1])
		same = false
	}
	for _, kv := range rp.Params {
		if v, ok := op.Params.Get(kv.Name); !ok || fmt.Sprint(v) != fmt.Sprint(kv.Value) {
			fmt.Fprintf(w, " %s = %v;", kv.Name, kv.Value)
			same = false
		}
	}
	multipliersDiffer := fmt.Sprint(rp.Multipliers) != fmt.Sprint(op.Multipliers)
	if same && !multipliersDiffer {
		fmt.Fprint(w, " the same parameters (another kernel: its steps may differ)")
	}
	fmt.Fprintln(w)
	if multipliersDiffer {
		var b strings.Builder
		printMultipliers(&b, rp.Multipliers, full)
		for _, line := range strings.Split(strings.TrimRight(b.String(), "\n"), "\n") {
			fmt.Fprintf(w, "  %s\n", line)
		}
	}
}

func printMultipliers(w io.Writer, ms []trace.MultiplierInfo, full bool) {
	var perChannel []trace.MultiplierInfo
	for _, m := range ms {
		switch {
		case m.What != "" && m.Multiplier == 0:
			fmt.Fprintf(w, "  %s = %.10g  (%s)\n", m.Name, m.Real, m.What)
		case m.What != "":
			fmt.Fprintf(w, "  %s = %.10g  multiplier=%d  shift=%d  (%s)\n", m.Name, m.Real, m.Multiplier, m.Shift, m.What)
		case m.Channel < 0 && m.Multiplier == 0 && m.Real != 0:
			fmt.Fprintf(w, "  M[%s] = %.10g  (used as a real number: no Q0.31 multiplier)\n", m.Name, m.Real)
		case m.Channel < 0:
			fmt.Fprintf(w, "  M[%s] = %.10g  multiplier=%d  shift=%d\n", m.Name, m.Real, m.Multiplier, m.Shift)
		default:
			perChannel = append(perChannel, m)
		}
	}
	if len(perChannel) == 0 {
		return
	}
	// A runtime that requantizes with M itself (LiteRT's double, XNNPACK's
	// float32) has no Q0.31 multiplier per channel either.
	q31 := func(m trace.MultiplierInfo) string {
		if m.Multiplier == 0 && m.Real != 0 {
			return "(a real number: no Q0.31 multiplier)"
		}
		return fmt.Sprintf("multiplier=%d shift=%d", m.Multiplier, m.Shift)
	}
	if full || len(perChannel) <= 4 {
		for _, m := range perChannel {
			fmt.Fprintf(w, "  M[%s ch %d] = %.10g  %s\n", m.Name, m.Channel, m.Real, q31(m))
		}
		return
	}
	lo, hi := perChannel[0], perChannel[0]
	for _, m := range perChannel {
		if m.Real < lo.Real {
			lo = m
		}
		if m.Real > hi.Real {
			hi = m
		}
	}
	fmt.Fprintf(w, "  M[%s] per channel (%d): min %.10g (ch %d: %s), max %.10g (ch %d: %s)\n",
		lo.Name, len(perChannel), lo.Real, lo.Channel, q31(lo), hi.Real, hi.Channel, q31(hi))
}

func printTensorFull(w io.Writer, g *subGraphInfo, t *trace.TensorInfo) {
	fmt.Fprintf(w, "tensor %d %q\n", t.Index, t.Name)
	fmt.Fprintf(w, "  dtype      %s\n", t.DType)
	fmt.Fprintf(w, "  shape      %s\n", tflite.ShapeString(t.Shape))
	if len(t.ShapeSignature) > 0 {
		fmt.Fprintf(w, "  signature  %s\n", tflite.ShapeString(t.ShapeSignature))
	}
	kind := "activation (computed at run time)"
	if t.Const {
		kind = fmt.Sprintf("constant, buffer %d, %d bytes", t.Buffer, t.Bytes)
	} else if t.Variable {
		kind = "variable (state)"
	}
	fmt.Fprintf(w, "  kind       %s\n", kind)
	for _, op := range g.Operators {
		for k, o := range op.Outputs {
			if int(o.Tensor) == t.Index {
				fmt.Fprintf(w, "  produced   by op %d %s (output %d)\n", op.Index, op.Op, k)
			}
		}
		for k, in := range op.Inputs {
			if int(in.Tensor) == t.Index {
				fmt.Fprintf(w, "  consumed   by op %d %s (input %d)\n", op.Index, op.Op, k)
			}
		}
	}
	q := t.Quantization
	if q == nil {
		fmt.Fprintln(w, "  quantization: none")
		return
	}
	fmt.Fprintf(w, "  quantization: %d scale(s), quantized_dimension %d\n", len(q.Scale), q.QuantizedDimension)
	for i, s := range q.Scale {
		fmt.Fprintf(w, "    [%d] scale=%.9g zero_point=%d\n", i, s, zp(q, i))
	}
	if len(q.Min) > 0 {
		fmt.Fprintf(w, "  min %v max %v\n", q.Min, q.Max)
	}
}

// constantValues reads the values of constant tensor i of subgraph 0 as the
// interpreter holds them.
func constantValues(lm *loadedModel, rt kernels.Runtime, i int) (*trace.TensorValues, error) {
	ip, err := trace.New(lm.Model, trace.Options{Runtime: rt, AllowUnsupported: true})
	if err != nil {
		return nil, err
	}
	t := ip.Tensor(i)
	if !t.Const {
		return nil, fmt.Errorf("%q is not a constant: its values exist only in a run (run --dump DIR, or trace)", t.Name)
	}
	return trace.ValuesOf(t)
}

// printValues lists every value of a tensor, one element per line: its
// coordinates, the stored integer and the real value.
func printValues(w io.Writer, t *trace.TensorInfo, v *trace.TensorValues) {
	shape := make([]int, len(t.Shape))
	for i, d := range t.Shape {
		shape[i] = int(d)
	}
	how := "real = (q − zero_point)·scale"
	if q := t.Quantization; q != nil && len(q.Scale) > 1 {
		how += fmt.Sprintf(", with the scale and zero point of the element's channel along axis %d", q.QuantizedDimension)
	}
	if v.Quantized == nil {
		how = "float32"
	} else if t.Quantization == nil || len(t.Quantization.Scale) == 0 {
		how = "not quantized: real = q"
	}
	fmt.Fprintf(w, "  values (%d, row-major; %s):\n", len(v.Dequantized), how)
	for i, r := range v.Dequantized {
		coords := make([]string, 0, len(shape))
		for _, c := range kernels.Unravel(i, shape) {
			coords = append(coords, fmt.Sprint(c))
		}
		if v.Quantized != nil {
			fmt.Fprintf(w, "    [%s]  q=%d  real=%.9g\n", strings.Join(coords, ","), v.Quantized[i], float64(r))
		} else {
			fmt.Fprintf(w, "    [%s]  real=%.9g\n", strings.Join(coords, ","), float64(r))
		}
	}
}

// tensorWarning splits a reader warning about a tensor into the tensor
// ("tensor 33 \"name\" (offset 0x4043c)") and what is wrong with it.
var tensorWarning = regexp.MustCompile(`^tensor (\d+) "([^"]*)" \(offset 0x[0-9a-f]+\): (.*)$`)

// summarizeWarnings prints a warning that several tensors share once, with
// the list of tensors: person_detect has the same quantized_dimension
// warning on 14 biases.
func summarizeWarnings(warnings []string) []string {
	type group struct {
		what    string
		tensors []string
	}
	var groups []*group
	byWhat := map[string]*group{}
	var out []string
	for _, w := range warnings {
		m := tensorWarning.FindStringSubmatch(w)
		if m == nil {
			out = append(out, w)
			continue
		}
		what := channelCount.ReplaceAllString(m[3], "")
		g, ok := byWhat[what]
		if !ok {
			g = &group{what: what}
			byWhat[what] = g
			groups = append(groups, g)
		}
		g.tensors = append(g.tensors, "t"+m[1])
	}
	for _, g := range groups {
		if len(g.tensors) == 1 {
			out = append(out, fmt.Sprintf("%s: %s", g.tensors[0], g.what))
			continue
		}
		out = append(out, fmt.Sprintf("%d tensors (%s): %s (inspect --tensor N shows one)", len(g.tensors), strings.Join(g.tensors, " "), g.what))
	}
	return out
}

// channelCount is the per-tensor detail of a quantized_dimension warning.
var channelCount = regexp.MustCompile(` \(\d+ channels\)`)
