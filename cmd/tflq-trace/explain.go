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

func runExplain(args []string, env *cliEnv) error {
	fs := newFlagSet("explain", "MODEL [--input FILE]... --op N (--element I | --at d0,d1,...) [--output K] [--runtime R | --runtimes A,B]", env)
	var rf runFlags
	rf.register(fs)
	pair := fs.String("runtimes", "", "explain the element under two runtimes `A,B` side by side, marking the first step where they part")
	op := fs.Int("op", -1, "operator index `N` (see inspect)")
	out := fs.Int("output", 0, "which output `K` of the operator")
	element := fs.Int("element", -1, "flat (row-major) element index `I` of the output")
	at := fs.String("at", "", "element coordinates `d0,d1,...` of the output")
	path, err := rf.parse(args)
	if err != nil {
		return err
	}
	switch {
	case fs.isSet("op") && *op < 0:
		return usageError("explain: --op %d: an operator index is 0 or more", *op)
	case *op < 0:
		return usageError("explain: --op N is required")
	case fs.isSet("element") && *element < 0:
		return usageError("explain: --element %d: an element index is 0 or more", *element)
	}
	if (*element >= 0) == (*at != "") {
		return usageError("explain: give exactly one of --element I or --at d0,d1,...")
	}
	var pairRuntimes []kernels.Runtime
	if *pair != "" {
		if rf.runtime != "" || rf.rounding != "" {
			return usageError("explain: --runtimes excludes --runtime and --rounding")
		}
		if pairRuntimes, err = parseRuntimeList("explain", *pair); err != nil {
			return err
		}
		if len(pairRuntimes) != 2 {
			return usageError("explain: --runtimes takes exactly two runtimes, got %s", *pair)
		}
		rf.runtime = pairRuntimes[0].String()
	}
	_, ip, err := rf.prepare("explain", path)
	if err != nil {
		return err
	}
	if *op >= len(ip.Ops()) {
		return usageError("explain: --op %d: the model has operators 0..%d", *op, len(ip.Ops())-1)
	}
	n := ip.Ops()[*op].Node
	if *out < 0 || *out >= len(n.Outputs) {
		return usageError("explain: --output %d: op %d has %d output(s)", *out, *op, len(n.Outputs))
	}
	t := n.Outputs[*out]
	idx := *element
	if *at != "" {
		idx, err = flatIndex(*at, t.Shape)
		if err != nil {
			return usageError("explain: --at %s: %v", *at, err)
		}
	} else if idx >= t.NumElements() {
		return usageError("explain: --element %d: output %v has %d elements", idx, t.Shape, t.NumElements())
	}
	if err := ip.Invoke(); err != nil {
		return runError(fmt.Errorf("%s: %w", path, err))
	}
	c, err := ip.Explain(*op, *out, idx)
	if err != nil {
		return runError(err)
	}
	if pairRuntimes != nil {
		ip2, err := trace.New(ip.Model(), trace.Options{Runtime: pairRuntimes[1], MaxMemory: ip.Options().MaxMemory})
		if err != nil {
			return runError(fmt.Errorf("%s under %v: %w", path, pairRuntimes[1], err))
		}
		for k, in := range ip.Inputs() {
			if err := ip2.SetInput(k, in.Data); err != nil {
				return runError(err)
			}
		}
		if err := ip2.Invoke(); err != nil {
			return runError(fmt.Errorf("%s under %v: %w", path, pairRuntimes[1], err))
		}
		c2, err := ip2.Explain(*op, *out, idx)
		if err != nil {
			return runError(err)
		}
		rf.printDefaultNote(env)
		printExplanationPair(env.stdout, [2]*trace.Interpreter{ip, ip2}, *op, *out, idx, [2]*kernels.Chain{c, c2})
		return nil
	}
	shadow, err := trace.RunShadowWith(ip, trace.ShadowOptions{FloatInputs: rf.floats, Local: true})
	if err != nil {
		return runError(err)
	}
	rf.printDefaultNote(env)
	printExplanation(env.stdout, ip, *op, *out, idx, c)
	printReference(env.stdout, shadow, t, idx)
	return nil
}

// flatIndex converts "d0,d1,..." (or "[d0,d1,...]", as the tool prints
// coordinates) to a row-major flat index.
func flatIndex(s string, shape []int) (int, error) {
	parts := strings.Split(unbracket(s), ",")
	if len(parts) != len(shape) {
		return 0, fmt.Errorf("the output has shape %s: give %d coordinates", tflite.ShapeString(shape), len(shape))
	}
	idx := 0
	for d, p := range parts {
		v, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || v < 0 || v >= shape[d] {
			return 0, fmt.Errorf("coordinate %d is %q; dimension %d has size %d", d, p, d, shape[d])
		}
		idx = idx*shape[d] + v
	}
	return idx, nil
}

func printExplanation(w io.Writer, ip *trace.Interpreter, op, out, idx int, c *kernels.Chain) {
	n := ip.Ops()[op].Node
	t := n.Outputs[out]
	fmt.Fprintf(w, "op %d %s, output %d: tensor %d %q %v %s, element %d at %s\n", op, ip.Ops()[op].Name, out, t.Index, t.Name, t.Type, tflite.ShapeString(t.Shape), idx, tflite.ShapeString(kernels.Unravel(idx, t.Shape)))
	if t.Quantized() {
		fmt.Fprintf(w, "output quantization: scale=%.9g zero_point=%d\n", t.Scale0(), t.ZP0())
	}
	fmt.Fprintf(w, "runtime: %s\n", runtimeLine(ip.Options().Runtime, ip.Ops()[op].Impl, c))
	for _, note := range ip.Notes() {
		fmt.Fprintf(w, "note: %s\n", note)
	}
	fmt.Fprintln(w)
	if len(c.Terms) > 0 {
		printTerms(w, n, c)
	}
	nameW := 4
	for _, s := range c.Steps {
		nameW = max(nameW, len(s.Name))
	}
	for _, s := range c.Steps {
		mark := " "
		if s.Changed {
			mark = "*"
		}
		fmt.Fprintf(w, "%s %-*s  %s", mark, nameW, s.Name, s.Formula)
		if note := s.RealNote(); note != "" {
			fmt.Fprintf(w, "   %s", note)
		}
		fmt.Fprintln(w)
		if s.Meaning != "" {
			fmt.Fprintf(w, "  %-*s  ↳ %s\n", nameW, "", s.Meaning)
		}
	}
	if len(c.Sources) > 0 && len(c.Terms) == 0 {
		fmt.Fprintf(w, "\nfrom: %s\n", sourcesText(n, c))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "final value: %s", finalString(t, c.Final))
	stored := elementString(t, idx)
	fmt.Fprintf(w, "  (stored in the tensor: %s)\n", stored)
	if marked(c) {
		fmt.Fprintln(w, "steps marked * changed the value by rounding or clamping")
	}
	printAlternatives(w, c)
}

// marked reports whether a step of the chain is marked as changed.
func marked(c *kernels.Chain) bool {
	for _, s := range c.Steps {
		if s.Changed {
			return true
		}
	}
	return false
}

// printAlternatives shows what other ways of requantizing the same
// accumulator would store, and says when they differ.
func printAlternatives(w io.Writer, c *kernels.Chain) {
	if len(c.Alternatives) == 0 {
		return
	}
	fmt.Fprintln(w, "for comparison, the same accumulator requantized another way:")
	for _, a := range c.Alternatives {
		verdict := "the same"
		if a.Value != c.Final {
			verdict = fmt.Sprintf("DIFFERENT: %d, not %d", a.Value, c.Final)
		}
		fmt.Fprintf(w, "  %-16s %s   (%s)\n", strings.ReplaceAll(a.Name, "_", " "), a.Formula, verdict)
	}
}

// unbracket drops the brackets around coordinates written as the tool
// prints them, "[0,14,8,3]".
func unbracket(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		return s[1 : len(s)-1]
	}
	return s
}

// sourcesText lists the input elements an element was computed from: each
// run of consecutive elements of one input (a SOFTMAX row, say) as its
// first and last coordinates and its length, other elements one by one,
// eight entries at most.
func sourcesText(n *kernels.Node, c *kernels.Chain) string {
	sources := c.Sources
	var parts []string
	for i := 0; i < len(sources); {
		s := sources[i]
		j := i + 1
		for j < len(sources) && sources[j].Input == s.Input && sources[j].Element == sources[j-1].Element+1 {
			j++
		}
		if len(parts) == 8 {
			// The rest, including those the chain counted but did not keep.
			return strings.Join(append(parts, fmt.Sprintf("… %d more", c.SourceCount()-i)), "; ")
		}
		in := n.Input(s.Input)
		if in == nil {
			i++
			continue
		}
		if run := j - i; run >= 3 {
			parts = append(parts, fmt.Sprintf("input %d t%d %v … %v (%d elements)", s.Input, in.Index,
				tflite.ShapeString(kernels.Unravel(s.Element, in.Shape)), tflite.ShapeString(kernels.Unravel(sources[j-1].Element, in.Shape)), run))
			i = j
			continue
		}
		parts = append(parts, fmt.Sprintf("input %d t%d %v", s.Input, in.Index, tflite.ShapeString(kernels.Unravel(s.Element, in.Shape))))
		i++
	}
	if c.SourcesOmitted > 0 {
		// The chain kept the first kernels.MaxRecorded sources only.
		parts = append(parts, fmt.Sprintf("… %d more", c.SourcesOmitted))
	}
	return strings.Join(parts, "; ")
}

// printReference shows the element's dequantized value (the final line's
// real) next to the float computations: the
// accumulated reference (the whole graph in float32 from the same input,
// so its error carries every earlier layer's) and, when the shadow has it,
// the local one (this operator alone on the inputs it actually got: the
// error it adds itself).
func printReference(w io.Writer, s *trace.Shadow, t *kernels.Tensor, idx int) {
	ref := s.Values[t.Index]
	if ref == nil {
		return
	}
	deq := t.Dequantize(idx)
	lsb := func(err float64) string {
		if !t.Quantized() || t.Type == tflite.TypeFloat32 {
			return ""
		}
		return " = " + fixed(err/float64(t.ScaleAt(t.ChannelOf(idx))), 2) + " LSB"
	}
	fmt.Fprintf(w, "float reference, accumulated: %.6g (the whole graph in float32 from the same input, constants dequantized); error %.3g%s\n",
		ref[idx], deq-float64(ref[idx]), lsb(deq-float64(ref[idx])))
	if s.Local != nil && s.Local[t.Index] != nil {
		local := s.Local[t.Index][idx]
		fmt.Fprintf(w, "float reference, local:       %.6g (this operator alone in float32 on the dequantized inputs it got); error %.3g%s: the error it adds\n",
			local, deq-float64(local), lsb(deq-float64(local)))
	}
}

// fixed formats v with prec decimals, without the sign of a value that
// rounds to zero (0.00, never -0.00).
func fixed(v float64, prec int) string {
	text := strconv.FormatFloat(v, 'f', prec, 64)
	if z, err := strconv.ParseFloat(text, 64); err == nil && z == 0 {
		return strings.TrimPrefix(text, "-")
	}
	return text
}

func printTerms(w io.Writer, n *kernels.Node, c *kernels.Chain) {
	terms := c.Terms
	count := c.TermCount()
	fmt.Fprintf(w, "%d terms (input + input_offset)·(weights + filter_offset), sum %d; largest |product|", count, c.TermSum())
	if c.TermsOmitted > 0 {
		fmt.Fprintf(w, " among the first %d (the other %d are counted and summed, not kept)", len(terms), c.TermsOmitted)
	}
	fmt.Fprintln(w, ":")
	order := make([]int, len(terms))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		return abs64(terms[order[a]].Product) > abs64(terms[order[b]].Product)
	})
	for _, i := range order[:min(5, len(order))] {
		tm := terms[i]
		in, wt := trace.TermOperands(n, tm)
		fmt.Fprintf(w, "    term %d/%d: %s = %d, %s = %d, product %d\n", i+1, count, in, tm.Input, wt, tm.Weight, tm.Product)
	}
	fmt.Fprintln(w)
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// finalString renders a chain's final value: the integer and its real
// meaning, or the float for float outputs (stored as float32 bits).
func finalString(t *kernels.Tensor, v int64) string {
	if t.Type == tflite.TypeFloat32 {
		return fmt.Sprintf("%g", math.Float32frombits(uint32(v)))
	}
	if t.Quantized() {
		return kernels.BracketNegatives(fmt.Sprintf("%d → real (%d − %d)·%.9g = %.6g", v, v, t.ZP0(), t.Scale0(), float64(v-int64(t.ZP0()))*float64(t.Scale0())))
	}
	return fmt.Sprint(v)
}

func elementString(t *kernels.Tensor, i int) string {
	if t.Type == tflite.TypeFloat32 {
		return fmt.Sprintf("%g", t.Float32()[i])
	}
	return fmt.Sprint(t.Int(i))
}

// runtimeLine names the runtime and whose kernel computed the element, with
// the rounding rule of the fixed-point kernels.
func runtimeLine(rt kernels.Runtime, impl kernels.Implementation, c *kernels.Chain) string {
	// The rule the element's output stage used (the last requantization),
	// not the runtime's default: full TFLite's kernels round in several ways.
	if n := len(c.Requantizations); n > 0 {
		return fmt.Sprintf("%s, %s (%s)", rt, impl, kernels.RuleWords(c.Requantizations[n-1].Rule))
	}
	return fmt.Sprintf("%s, %s", rt, impl)
}

// printExplanationPair prints one element's chains under two runtimes side
// by side and marks the first step where they part: a stage only one
// runtime has, or a shared stage with a different value.
func printExplanationPair(w io.Writer, ips [2]*trace.Interpreter, op, out, idx int, cs [2]*kernels.Chain) {
	n := ips[0].Ops()[op].Node
	t := n.Outputs[out]
	fmt.Fprintf(w, "op %d %s, output %d: tensor %d %q %v %s, element %d at %s\n", op, ips[0].Ops()[op].Name, out, t.Index, t.Name, t.Type, tflite.ShapeString(t.Shape), idx, tflite.ShapeString(kernels.Unravel(idx, t.Shape)))
	for k, ip := range ips {
		fmt.Fprintf(w, "%c: %s\n", 'A'+k, runtimeLine(ip.Options().Runtime, ip.Ops()[op].Impl, cs[k]))
	}
	fmt.Fprintln(w)
	rows := kernels.AlignChains(cs[0], cs[1])
	nameW, leftW := 4, 1
	for _, r := range rows {
		nameW = max(nameW, len(r.Name()))
		if r.A != nil {
			leftW = max(leftW, len([]rune(r.A.Formula)))
		}
	}
	fmt.Fprintf(w, "  %-*s  %-*s  %s\n", nameW, "step", leftW, "A "+ips[0].Options().Runtime.String(), "B "+ips[1].Options().Runtime.String())
	parted := kernels.FirstParting(rows)
	for i, r := range rows {
		left, right := "—", "—"
		if r.A != nil {
			left = r.A.Formula
		}
		if r.B != nil {
			right = r.B.Formula
		}
		mark := r.Mark(i, parted)
		fmt.Fprintf(w, "%s %-*s  %-*s  %s\n", mark, nameW, r.Name(), leftW, left, right)
	}
	fmt.Fprintln(w)
	for k, c := range cs {
		fmt.Fprintf(w, "%c final: %s\n", 'A'+k, finalString(t, c.Final))
	}
	switch {
	case parted < 0:
		fmt.Fprintln(w, "the two chains agree at every step")
	case cs[0].Final == cs[1].Final:
		fmt.Fprintf(w, "▶ the chains part at step %q (row %d) but end at the same value; ≠ marks every row that differs\n", rows[parted].Name(), parted+1)
	default:
		fmt.Fprintf(w, "▶ the chains part at step %q (row %d); ≠ marks every row that differs\n", rows[parted].Name(), parted+1)
	}
}
