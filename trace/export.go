package trace

// Trace export: the whole run as JSON (schema docs/trace.schema.json,
// described in docs/trace.md), the per-layer metrics as CSV, and node data
// for Google's AI Edge Model Explorer.
//
// The JSON is streamed: tensors are written straight from the interpreter's
// buffers and every element chain is recomputed (Explain), written and
// dropped, so memory stays flat whatever the model size. Chains are
// produced by a small pool of workers in fixed-size batches and written in
// element order, so the output is deterministic.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/tflq/tflq-trace/kernels"
	"github.com/tflq/tflq-trace/tflite"
)

// SchemaVersion is the version of the trace JSON format.
const SchemaVersion = 2

// ElementSelection says which element chains an export includes.
type ElementSelection struct {
	All bool // every element of every selected op
	Top int  // else, the Top elements with the largest |error| in LSB per op (0 = none)
	// List, when non-nil, names the elements instead (those of the
	// selected ops; duplicates are written once).
	List []ElementRef
}

// ElementRef names one element of one output of one operator.
type ElementRef struct {
	Op, Output, Element int
}

// ExportOptions configure WriteJSON, WriteCSV and WriteModelExplorer.
type ExportOptions struct {
	ModelPath string
	// Input says what the graph inputs were fed (files, random seed...).
	Input string
	// Ops selects operators (nil = all).
	Ops      []int
	Elements ElementSelection
	// Constants adds the values of the selected ops' constant inputs
	// (weights, biases...) to the tensors.
	Constants bool
	// TopTerms is how many of the largest products each MAC element lists
	// (all of them are counted and summed).
	TopTerms int
	// Metric is what colours the Model Explorer graph: "accumulated-max"
	// (the default), "accumulated-mean", "local-max" or "local-mean" — the
	// largest or mean |error| of each output, in LSB (real units for outputs
	// without a scale), accumulated or local.
	Metric string
	// ClipPercentile is the percentile of the values at which the Model
	// Explorer colour scale saturates (default 95; 100 = the largest value),
	// so that one outlier does not leave every other node green.
	ClipPercentile float64
	// Progress, if set, is called with (elements written, elements to write).
	Progress func(done, total int)
	// Context, if set, stops an export when it is cancelled (checked
	// between batches of element chains): the writer returns ctx.Err().
	Context context.Context
}

func (o *ExportOptions) selected(op int) bool { return opSelected(o.Ops, op) }

// opSelected reports whether op is in ops (nil selects every op).
func opSelected(ops []int, op int) bool {
	return ops == nil || slices.Contains(ops, op)
}

// jw is a minimal streaming JSON writer.
type jw struct {
	w   *bufio.Writer
	buf []byte
	err error
}

func (j *jw) raw(s string) { j.w.WriteString(s) }
func (j *jw) str(s string) { j.buf = strconv.AppendQuote(j.buf[:0], s); j.w.Write(j.buf) }
func (j *jw) int(v int64)  { j.buf = strconv.AppendInt(j.buf[:0], v, 10); j.w.Write(j.buf) }
func (j *jw) float(v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		j.raw("null")
		return
	}
	j.buf = strconv.AppendFloat(j.buf[:0], v, 'g', -1, 64)
	j.w.Write(j.buf)
}
func (j *jw) float32(v float32) {
	if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
		j.raw("null")
		return
	}
	j.buf = strconv.AppendFloat(j.buf[:0], float64(v), 'g', -1, 32)
	j.w.Write(j.buf)
}
func (j *jw) key(k string) { j.str(k); j.raw(":") }

// array writes the JSON array [elem(0),…,elem(n−1)], elem writing each
// value.
func (j *jw) array(n int, elem func(i int)) {
	j.raw("[")
	for i := 0; i < n; i++ {
		if i > 0 {
			j.raw(",")
		}
		elem(i)
	}
	j.raw("]")
}

// WriteJSON streams the trace of a finished run (Invoke and RunShadow done).
func WriteJSON(w io.Writer, ip *Interpreter, s *Shadow, opt ExportOptions) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	j := &jw{w: bw}
	if opt.TopTerms == 0 {
		opt.TopTerms = 5
	}
	j.raw("{")
	j.key("format")
	j.str("tflq-trace")
	j.raw(",")
	j.key("version")
	j.int(SchemaVersion)
	j.raw(",\n")
	j.key("model")
	writeModelSummary(j, ip, opt)
	j.raw(",\n")
	j.key("tensors")
	j.raw("[\n")
	needValues := map[int]bool{}
	for oi, op := range ip.Ops() {
		n := op.Node
		if !opt.selected(oi) {
			continue
		}
		for _, t := range append(append([]*kernels.Tensor{}, n.Inputs...), n.Outputs...) {
			if t != nil {
				needValues[t.Index] = true
			}
		}
	}
	for i, t := range ip.Tensors() {
		if i > 0 {
			j.raw(",\n")
		}
		writeTensor(j, ip, t, s, needValues[i] && (!t.Const || opt.Constants && t.HasRealValue()))
	}
	j.raw("\n],\n")
	j.key("ops")
	j.raw("[\n")
	total := 0
	perOp := make([][]elementRef, len(ip.Ops()))
	for oi := range ip.Ops() {
		if opt.selected(oi) {
			perOp[oi] = selectElements(ip, s, oi, opt.Elements)
			total += len(perOp[oi])
		}
	}
	done := 0
	first := true
	for oi := range ip.Ops() {
		if !opt.selected(oi) {
			continue
		}
		if !first {
			j.raw(",\n")
		}
		first = false
		if err := writeOp(j, ip, s, oi, perOp[oi], &opt, &done, total); err != nil {
			return err
		}
	}
	j.raw("\n]}\n")
	if j.err != nil {
		return j.err
	}
	return bw.Flush()
}

// ModelSummary is the "model" object of a trace export.
type ModelSummary struct {
	Path        string  `json:"path"`
	Input       string  `json:"input,omitempty"`
	Description string  `json:"description"`
	Runtime     string  `json:"runtime"`
	Rounding    string  `json:"rounding"`
	SubGraph    int     `json:"subgraph"`
	Inputs      []int32 `json:"inputs"`
	Outputs     []int32 `json:"outputs"`
	NumTensors  int     `json:"num_tensors"`
	NumOps      int     `json:"num_ops"`
}

func writeModelSummary(j *jw, ip *Interpreter, opt ExportOptions) {
	j.value(ModelSummary{Path: opt.ModelPath, Input: opt.Input, Description: ip.Model().Description, Runtime: ip.Options().Runtime.String(), Rounding: ip.Options().Runtime.RoundingLabel(),
		Inputs: ip.Graph().Inputs, Outputs: ip.Graph().Outputs, NumTensors: len(ip.Tensors()), NumOps: len(ip.Ops())})
}

// value writes v with encoding/json (no trailing newline).
func (j *jw) value(v any) {
	b, err := json.Marshal(v)
	if err != nil && j.err == nil {
		j.err = err
	}
	j.w.Write(b)
}

// openValue writes v's JSON object without its closing brace, so that
// streamed fields can follow; the caller closes it.
func (j *jw) openValue(v any) {
	b, err := json.Marshal(v)
	if err != nil && j.err == nil {
		j.err = err
	}
	j.w.Write(bytes.TrimSuffix(b, []byte("}")))
}

func writeTensor(j *jw, ip *Interpreter, t *kernels.Tensor, s *Shadow, values bool) {
	j.openValue(DescribeTensor(ip.Model(), ip.Graph(), t.Index))
	if values {
		n := t.NumElements()
		j.raw(",")
		j.key("values")
		j.raw("{")
		if t.Type != tflite.TypeFloat32 && isInteger(t.Type) {
			j.key("quantized")
			j.array(n, func(i int) { j.int(t.Int(i)) })
			j.raw(",")
		}
		j.key("dequantized")
		j.array(n, func(i int) { j.float(t.Dequantize(i)) })
		if ref := s.Values[t.Index]; ref != nil && !t.Const {
			j.raw(",")
			j.key("float_reference")
			j.array(len(ref), func(i int) { j.float32(ref[i]) })
		}
		j.raw("}")
	}
	j.raw("}")
}

func isInteger(t tflite.TensorType) bool {
	switch t {
	case tflite.TypeInt8, tflite.TypeUint8, tflite.TypeInt16, tflite.TypeInt32, tflite.TypeInt64, tflite.TypeBool:
		return true
	}
	return false
}

// elementRef names one element of one output of an operator.
type elementRef struct{ output, element int }

// selectElements lists the output elements of op oi to explain, output by
// output, in element order.
func selectElements(ip *Interpreter, s *Shadow, oi int, sel ElementSelection) []elementRef {
	var refs []elementRef
	if sel.List != nil {
		for _, r := range sel.List {
			if r.Op == oi {
				refs = append(refs, elementRef{r.Output, r.Element})
			}
		}
		slices.SortFunc(refs, func(a, b elementRef) int {
			if a.output != b.output {
				return a.output - b.output
			}
			return a.element - b.element
		})
		return slices.Compact(refs)
	}
	for k, out := range ip.Ops()[oi].Node.Outputs {
		if out == nil || (!sel.All && sel.Top <= 0) {
			continue
		}
		n := out.NumElements()
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		if !sel.All {
			errAt := func(i int) float64 { return math.Abs(s.ErrorLSB(out.Index, i)) }
			sort.SliceStable(idx, func(a, b int) bool { return errAt(idx[a]) > errAt(idx[b]) })
			idx = idx[:min(sel.Top, n)]
			sort.Ints(idx)
		}
		for _, e := range idx {
			refs = append(refs, elementRef{k, e})
		}
	}
	return refs
}

// opHeader is an op of the trace export before its streamed elements.
type opHeader struct {
	OpInfo
	Metrics []LayerMetrics `json:"metrics,omitempty"`
}

// opMetrics are the metric rows of operator oi: every output, accumulated
// then local.
func (s *Shadow) opMetrics(oi int) []LayerMetrics {
	var rows []LayerMetrics
	for _, m := range s.OutputMetrics {
		if m.Op == oi {
			rows = append(rows, m)
		}
	}
	return rows
}

func writeOp(j *jw, ip *Interpreter, s *Shadow, oi int, elems []elementRef, opt *ExportOptions, done *int, total int) error {
	h := opHeader{OpInfo: DescribeOp(ip.Model(), ip.Graph(), oi, ip), Metrics: s.opMetrics(oi)}
	j.openValue(h)
	j.raw(",")
	j.key("elements")
	j.raw("[")
	meanings := map[string]string{}
	if err := writeElements(j, ip, s, oi, elems, opt, done, total, meanings); err != nil {
		return err
	}
	j.raw("]")
	// What each step name means, once per op; a step whose meaning differs
	// from this carries its own.
	j.raw(",")
	j.key("step_meanings")
	j.value(meanings) // encoding/json sorts the keys
	j.raw("}")
	return j.err
}

// writeElements explains elems with a pool of workers, batch by batch, and
// writes them in order.
func writeElements(j *jw, ip *Interpreter, s *Shadow, oi int, elems []elementRef, opt *ExportOptions, done *int, total int, meanings map[string]string) error {
	const batch = 256
	workers := max(1, min(runtime.GOMAXPROCS(0), 4))
	type result struct {
		buf []byte
		err error
	}
	outs := ip.Ops()[oi].Node.Outputs
	runtimeName := ip.Options().Runtime.String()
	if len(elems) > 0 {
		// Seed the op's step meanings from its first element, so that the
		// workers only read the map.
		c, err := ip.Explain(oi, elems[0].output, elems[0].element)
		if err != nil {
			return err
		}
		for _, st := range c.Steps {
			if _, ok := meanings[st.Name]; !ok {
				meanings[st.Name] = st.Meaning
			}
		}
	}
	for start := 0; start < len(elems); start += batch * workers {
		if opt.Context != nil && opt.Context.Err() != nil {
			return opt.Context.Err()
		}
		results := make([]result, workers)
		finished := make(chan struct{}, workers)
		for w := 0; w < workers; w++ {
			lo := start + w*batch
			hi := min(lo+batch, len(elems))
			go func(w, lo, hi int) {
				defer func() { finished <- struct{}{} }()
				if lo >= hi {
					return
				}
				var b []byte
				c := &kernels.Chain{}
				for _, ref := range elems[lo:hi] {
					if err := ip.ExplainInto(c, oi, ref.output, ref.element); err != nil {
						results[w].err = err
						return
					}
					if len(b) > 0 || lo > 0 || start > 0 {
						b = append(b, ",\n"...)
					}
					b = appendElement(b, elementContext{op: oi, output: ref.output, out: outs[ref.output], runtime: runtimeName}, s, ref.element, c, opt.TopTerms, meanings)
				}
				results[w].buf = b
			}(w, lo, hi)
		}
		for w := 0; w < workers; w++ {
			<-finished
		}
		for _, r := range results {
			if r.err != nil {
				return r.err
			}
			j.w.Write(r.buf)
		}
		*done += min(batch*workers, len(elems)-start)
		if opt.Progress != nil {
			opt.Progress(*done, total)
		}
	}
	return nil
}

// elementContext is what an element record says about where it belongs:
// its operator, which output (position and tensor) and the runtime.
type elementContext struct {
	op, output int
	out        *kernels.Tensor
	runtime    string
}

// appendElement appends one element's JSON object.
func appendElement(b []byte, ctx elementContext, s *Shadow, e int, c *kernels.Chain, topTerms int, meanings map[string]string) []byte {
	out := ctx.out
	b = append(b, `{"op":`...)
	b = strconv.AppendInt(b, int64(ctx.op), 10)
	b = append(b, `,"output":`...)
	b = strconv.AppendInt(b, int64(ctx.output), 10)
	b = append(b, `,"tensor":`...)
	b = strconv.AppendInt(b, int64(out.Index), 10)
	b = append(b, `,"element":`...)
	b = strconv.AppendInt(b, int64(e), 10)
	b = append(b, `,"coords":[`...)
	for d, v := range kernels.Unravel(e, out.Shape) {
		if d > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(v), 10)
	}
	b = append(b, ']')
	if c.HasChannel {
		b = append(b, `,"channel":`...)
		b = strconv.AppendInt(b, int64(c.Channel), 10)
	}
	b = append(b, `,"runtime":`...)
	b = strconv.AppendQuote(b, ctx.runtime)
	if n := len(c.Requantizations); n > 0 {
		// The output stage (the last requantization) as fields of the
		// record; every stage in requantizations when there are several.
		b = appendRequantization(b, c.Requantizations[n-1])
		if n > 1 {
			b = append(b, `,"requantizations":[`...)
			for k, r := range c.Requantizations {
				if k > 0 {
					b = append(b, ',')
				}
				b = append(b, `{"step":`...)
				b = strconv.AppendInt(b, int64(r.Step), 10)
				b = appendRequantization(b, r)
				b = append(b, '}')
			}
			b = append(b, ']')
		}
	}
	b = append(b, `,"final":`...)
	b = strconv.AppendInt(b, c.Final, 10)
	b = append(b, `,"dequantized":`...)
	b = appendFloat(b, out.Dequantize(e))
	if ref := s.Values[out.Index]; ref != nil {
		b = append(b, `,"float_reference":`...)
		b = appendFloat(b, float64(ref[e]))
		b = append(b, `,"error":`...)
		b = appendFloat(b, s.Error(out.Index, e))
		b = append(b, `,"error_lsb":`...)
		b = appendFloat(b, s.ErrorLSB(out.Index, e))
	}
	b = append(b, `,"steps":[`...)
	for k, st := range c.Steps {
		if k > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"name":`...)
		b = strconv.AppendQuote(b, st.Name)
		b = append(b, `,"formula":`...)
		b = strconv.AppendQuote(b, st.Formula)
		b = append(b, `,"value":`...)
		b = strconv.AppendInt(b, st.Value, 10)
		if st.HasReal {
			b = append(b, `,"real":`...)
			b = appendFloat(b, st.Real)
		}
		if m, ok := meanings[st.Name]; !ok || m != st.Meaning {
			b = append(b, `,"meaning":`...)
			b = strconv.AppendQuote(b, st.Meaning)
		}
		if st.Changed {
			b = append(b, `,"changed":true`...)
		}
		b = append(b, '}')
	}
	b = append(b, ']')
	if len(c.Terms) > 0 {
		b = append(b, `,"terms":{"count":`...)
		b = strconv.AppendInt(b, int64(c.TermCount()), 10)
		if c.TermsOmitted > 0 {
			// A deeper accumulation than kernels.MaxRecorded: top[] is the
			// largest of the first "kept"; count and sum cover them all.
			b = append(b, `,"kept":`...)
			b = strconv.AppendInt(b, int64(len(c.Terms)), 10)
		}
		b = append(b, `,"sum":`...)
		b = strconv.AppendInt(b, c.TermSum(), 10)
		b = append(b, `,"top":[`...)
		for k, t := range topTermsOf(c.Terms, topTerms) {
			if k > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"term":`...)
			b = strconv.AppendInt(b, int64(t)+1, 10) // numbered from 1, as explain and the UI print it
			tm := c.Terms[t]
			b = append(b, `,"input_index":`...)
			b = strconv.AppendInt(b, int64(tm.InputIndex), 10)
			b = append(b, `,"weight_index":`...)
			b = strconv.AppendInt(b, int64(tm.WeightIndex), 10)
			b = append(b, `,"input":`...)
			b = strconv.AppendInt(b, int64(tm.Input), 10)
			b = append(b, `,"weight":`...)
			b = strconv.AppendInt(b, int64(tm.Weight), 10)
			b = append(b, `,"product":`...)
			b = strconv.AppendInt(b, tm.Product, 10)
			b = append(b, '}')
		}
		b = append(b, "]}"...)
	}
	if len(c.Sources) > 0 {
		b = append(b, `,"sources":[`...)
		for k, src := range c.Sources {
			if k > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"input":`...)
			b = strconv.AppendInt(b, int64(src.Input), 10)
			b = append(b, `,"element":`...)
			b = strconv.AppendInt(b, int64(src.Element), 10)
			b = append(b, '}')
		}
		b = append(b, ']')
		if c.SourcesOmitted > 0 {
			b = append(b, `,"sources_omitted":`...)
			b = strconv.AppendInt(b, int64(c.SourcesOmitted), 10)
		}
	}
	return append(b, '}')
}

// appendRequantization appends the fields of one requantization stage:
// its rounding rule, the real multiplier it applied and — for the
// fixed-point rules — its Q0.31 multiplier and shift. Each starts with a
// comma.
func appendRequantization(b []byte, r kernels.Requantization) []byte {
	b = append(b, `,"rounding":`...)
	b = strconv.AppendQuote(b, r.Rule)
	b = append(b, `,"applied_multiplier":`...)
	b = appendFloat(b, r.Real)
	if r.HasQ31() {
		b = append(b, `,"multiplier":`...)
		b = strconv.AppendInt(b, int64(r.Quantized.Multiplier), 10)
		b = append(b, `,"shift":`...)
		b = strconv.AppendInt(b, int64(r.Quantized.Shift), 10)
	}
	return b
}

func appendFloat(b []byte, v float64) []byte {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return append(b, "null"...)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}

// topTermsOf returns the indices of the k products with the largest
// magnitude, largest first (ties: earlier term first).
func topTermsOf(terms []kernels.Term, k int) []int {
	var top []int
	for i := range terms {
		a := abs64(terms[i].Product)
		pos := len(top)
		for pos > 0 && abs64(terms[top[pos-1]].Product) < a {
			pos--
		}
		if pos >= k {
			continue
		}
		top = append(top, 0)
		copy(top[pos+1:], top[pos:])
		top[pos] = i
		if len(top) > k {
			top = top[:k]
		}
	}
	return top
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// csvHeader are the columns of WriteCSV: the model, the input and the
// runtime (so that files of several runs concatenate), then the metric
// fields as the JSON names them.
func csvHeader() []string {
	return append([]string{"model", "input", "runtime"}, MetricColumns()...)
}

// WriteCSV writes one row per operator output and metric mode (accumulated
// then local) with its layer metrics; empty cells are nulls (no scale, or
// not a number).
func WriteCSV(w io.Writer, s *Shadow, opt ExportOptions) error {
	cw := csv.NewWriter(w)
	cw.Write(csvHeader())
	rt := s.ip.Options().Runtime.String()
	for _, m := range s.OutputMetrics {
		if !opSelected(opt.Ops, m.Op) {
			continue
		}
		cw.Write(append([]string{opt.ModelPath, opt.Input, rt}, m.csvRecord()...))
	}
	cw.Flush()
	return cw.Error()
}

// ExplorerMetrics are the values ExportOptions.Metric takes.
func ExplorerMetrics() []string {
	return []string{"accumulated-max", "accumulated-mean", "local-max", "local-mean"}
}

// explorerValue is the figure a metric colours by: the row's largest or
// mean |error|, in LSB when the output has a scale, else in real units.
func explorerValue(m *LayerMetrics, stat string) float64 {
	switch {
	case stat == "mean" && m.HasScale():
		return m.MeanAbsErrorLSB
	case stat == "mean":
		return m.MeanAbsError
	case m.HasScale():
		return m.MaxAbsErrorLSB
	}
	return m.MaxAbsError
}

// explorerStops are the colours of the scale: green (no error), yellow,
// red (at the clip value and above).
var explorerStops = [3][3]float64{{0x2e, 0x7d, 0x32}, {0xfb, 0xc0, 0x2d}, {0xc6, 0x28, 0x28}}

// explorerColour is the colour of value v on a scale from 0 to clip.
func explorerColour(v, clip float64) string {
	f := 1.0
	if clip > 0 {
		f = min(max(v/clip, 0), 1)
	}
	lo, hi, t := explorerStops[0], explorerStops[1], f*2
	if f > 0.5 {
		lo, hi, t = explorerStops[1], explorerStops[2], f*2-1
	}
	var rgb [3]int
	for i := range rgb {
		rgb[i] = int(math.Round(lo[i] + (hi[i]-lo[i])*t))
	}
	return "#" + strconv.FormatInt(int64(rgb[0]<<16|rgb[1]<<8|rgb[2])|1<<24, 16)[1:]
}

// percentile is the nearest-rank p-th percentile of vs (p in (0, 100]).
func percentile(vs []float64, p float64) float64 {
	if len(vs) == 0 {
		return 0
	}
	sorted := slices.Clone(vs)
	slices.Sort(sorted)
	k := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[min(max(k, 0), len(sorted)-1)]
}

// WriteModelExplorer writes Model Explorer node data (a GraphNodeData
// object): for each output of each selected operator, keyed by its tensor
// name, the figure opt.Metric names as "value", and a "bgColor" on a green →
// yellow → red scale from 0 to the opt.ClipPercentile-th percentile of the
// values (values above it are red), so the graph shows where the
// quantization error concentrates without one outlier flattening the rest.
// The gradient (Model Explorer maps it from the smallest to the largest
// value) only colours nodes without a colour of their own, e.g. NaN ones.
func WriteModelExplorer(w io.Writer, s *Shadow, opt ExportOptions) error {
	metric := opt.Metric
	if metric == "" {
		metric = "accumulated-max"
	}
	mode, stat, _ := strings.Cut(metric, "-")
	if !slices.Contains(ExplorerMetrics(), metric) {
		return fmt.Errorf("unknown metric %q (want one of %s)", metric, strings.Join(ExplorerMetrics(), ", "))
	}
	clipAt := opt.ClipPercentile
	if clipAt == 0 {
		clipAt = 95
	}
	if clipAt <= 0 || clipAt > 100 {
		return fmt.Errorf("clip percentile %g is not in (0, 100]", clipAt)
	}
	type node struct {
		name  string
		value float64
	}
	var nodes []node
	var values []float64
	for i := range s.OutputMetrics {
		m := &s.OutputMetrics[i]
		if m.Tensor < 0 || m.Mode != mode || !opSelected(opt.Ops, m.Op) {
			continue
		}
		v := explorerValue(m, stat)
		nodes = append(nodes, node{m.TensorName, v})
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			values = append(values, v)
		}
	}
	clip := percentile(values, clipAt)
	bw := bufio.NewWriter(w)
	j := &jw{w: bw}
	j.raw("{")
	j.key("results")
	j.raw("{")
	for k, n := range nodes {
		if k > 0 {
			j.raw(",")
		}
		j.raw("\n  ")
		j.key(n.name)
		j.raw("{")
		j.key("value")
		j.float(n.value)
		if !math.IsNaN(n.value) && !math.IsInf(n.value, 0) {
			j.raw(",")
			j.key("bgColor")
			j.str(explorerColour(n.value, clip))
		}
		j.raw("}")
	}
	j.raw("\n},")
	j.key("gradient")
	j.raw(`[{"stop":0,"bgColor":"#2e7d32"},{"stop":0.5,"bgColor":"#fbc02d"},{"stop":1,"bgColor":"#c62828"}]`)
	j.raw("}\n")
	return bw.Flush()
}
