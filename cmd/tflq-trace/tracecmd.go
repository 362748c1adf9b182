package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/tflq/tflq-trace/trace"
)

func runTrace(args []string, env *cliEnv) error {
	fs := newFlagSet("trace", "MODEL [--input FILE]... [--random SEED] [--runtime R] -o FILE [--ops LIST] [--elements all|none|top-error:K|OP:I;...] [--format json|csv|model-explorer [--metric M] [--clip P]] [--terms N] [--constants]", env)
	var rf runFlags
	rf.register(fs)
	outPath := fs.String("o", "", "write the trace to `FILE` (required; - for standard output)")
	opsList := fs.String("ops", "", "only these operators: `LIST` of indices and ranges, e.g. 0,3-5 (default all)")
	elements := fs.String("elements", "top-error:5", "`WHICH` element chains to include: all, none, top-error:K (the K largest errors in LSB per op), or a list 'OP:I;OP:d0,d1,...;OP:OUT:I' (flat index or coordinates, output 0 unless OUT is given)")
	format := fs.String("format", "json", "json (docs/trace.md), csv (per-layer metrics) or model-explorer (node data)")
	topTerms := fs.Int("terms", 5, "how many of the largest products each multiply-accumulate element lists")
	metric := fs.String("metric", "accumulated-max", "model-explorer: what colours the graph, `M` = accumulated-max, accumulated-mean, local-max or local-mean (|error| in LSB, real units for outputs without a scale)")
	clip := fs.Float64("clip", 95, "model-explorer: the colour scale saturates (red) at this `PERCENTILE` of the values (100 = the largest), so one outlier does not leave every other node green")
	constants := fs.Bool("constants", false, "also write the values of the constant tensors (weights, biases) of the selected ops (JSON only)")
	path, err := rf.parse(args)
	if err != nil {
		return err
	}
	if *outPath == "" {
		return usageError("trace: -o FILE is required")
	}
	if err := checkOutputFile("-o", *outPath); err != nil {
		return err
	}
	if *topTerms < 0 {
		return usageError("trace: --terms %d: must be 0 or more", *topTerms)
	}
	sel, err := parseElements(*elements)
	if err != nil {
		return usageError("trace: --elements %s: %v", *elements, err)
	}
	if *format != "json" && *format != "csv" && *format != "model-explorer" {
		return usageError("trace: --format %s: want json, csv or model-explorer", *format)
	}
	if (fs.isSet("metric") || fs.isSet("clip")) && *format != "model-explorer" {
		return usageError("trace: --metric and --clip colour the Model Explorer graph: use them with --format model-explorer")
	}
	if !slices.Contains(trace.ExplorerMetrics(), *metric) {
		return usageError("trace: --metric %s: want %s", *metric, strings.Join(trace.ExplorerMetrics(), ", "))
	}
	if !(*clip > 0 && *clip <= 100) {
		return usageError("trace: --clip %g: want a percentile in (0, 100]", *clip)
	}
	if *constants && *format != "json" {
		return usageError("trace: --constants: only the JSON export holds tensor values (--format %s)", *format)
	}
	_, ip, err := rf.prepareModel("trace", path)
	if err != nil {
		return err
	}
	var ops []int
	if *opsList != "" {
		if ops, err = parseOpList(*opsList, len(ip.Ops())); err != nil {
			return usageError("trace: --ops %s: %v", *opsList, err)
		}
	}
	if sel.List != nil {
		if sel.List, err = resolveElements(ip, *elements, ops); err != nil {
			return usageError("trace: --elements %s: %v", *elements, err)
		}
	}
	if err := rf.loadInputs(ip, path); err != nil {
		return err
	}
	if err := ip.Invoke(); err != nil {
		return runError(fmt.Errorf("%s: %w", path, err))
	}
	shadow, err := trace.RunShadowWith(ip, trace.ShadowOptions{FloatInputs: rf.floats, Local: true})
	if err != nil {
		return runError(err)
	}
	opt := trace.ExportOptions{ModelPath: path, Input: rf.describeInput(), Ops: ops, Elements: sel, TopTerms: *topTerms, Constants: *constants,
		Metric: *metric, ClipPercentile: *clip, Context: env.ctx}
	if isTerminal(env.stderr) {
		opt.Progress = func(done, total int) {
			fmt.Fprintf(env.stderr, "\rtflq-trace: %d/%d element chains", done, total)
			if done == total {
				fmt.Fprintln(env.stderr)
			}
		}
	}
	write := func(w io.Writer) error {
		switch *format {
		case "csv":
			return trace.WriteCSV(w, shadow, opt)
		case "model-explorer":
			return trace.WriteModelExplorer(w, shadow, opt)
		}
		return trace.WriteJSON(w, ip, shadow, opt)
	}
	if *outPath == "-" {
		if err := write(env.stdout); err != nil {
			if e := interrupted(env.ctx); e != nil {
				return e
			}
			return runError(err)
		}
		rf.printDefaultNote(env)
		return nil
	}
	if err := writeAtomically(*outPath, write); err != nil {
		if e := interrupted(env.ctx); e != nil {
			return e // writeAtomically removed its temporary file
		}
		return runError(fmt.Errorf("-o %s: %w", *outPath, err))
	}
	rf.printDefaultNote(env)
	fmt.Fprintf(env.stdout, "wrote %s (%s)\n", *outPath, *format)
	return nil
}

// writeAtomically writes to a temporary file next to path and renames it
// into place, so that an error never leaves a partial file. A path that
// exists and is not a regular file (/dev/null, /dev/stdout, a named pipe)
// is written directly: renaming over it would replace the device.
func writeAtomically(path string, write func(io.Writer) error) error {
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		if fi.IsDir() {
			return fmt.Errorf("is a directory")
		}
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		if err := write(f); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// parseElements parses --elements. An explicit list is only checked for
// syntax here; resolveElements checks it against the model.
func parseElements(s string) (trace.ElementSelection, error) {
	switch {
	case s == "all":
		return trace.ElementSelection{All: true}, nil
	case s == "none":
		return trace.ElementSelection{}, nil
	case strings.HasPrefix(s, "top-error:") && strings.ContainsAny(s, "; \t\n"):
		return trace.ElementSelection{}, fmt.Errorf("top-error:K stands alone: it cannot be combined with a list of elements")
	case strings.HasPrefix(s, "top-error:"):
		k, err := strconv.Atoi(strings.TrimPrefix(s, "top-error:"))
		if err != nil || k < 1 {
			return trace.ElementSelection{}, fmt.Errorf("K must be a positive integer")
		}
		return trace.ElementSelection{Top: k}, nil
	case strings.Contains(s, ":"):
		if _, err := parseElementList(s); err != nil {
			return trace.ElementSelection{}, err
		}
		// Resolved once the model is loaded; a placeholder keeps List non-nil.
		return trace.ElementSelection{List: []trace.ElementRef{}}, nil
	}
	return trace.ElementSelection{}, fmt.Errorf("want all, none, top-error:K or a list of OP:I / OP:d0,d1,... entries")
}

// elementEntry is one entry of an --elements list: an operator, an output
// position and either a flat index or coordinates.
type elementEntry struct {
	text   string
	op     int
	output int
	flat   int   // when coords is nil
	coords []int // when given as d0,d1,...
}

// parseElementList parses "OP:I;OP:d0,d1,...;OP:OUT:I" (entries separated
// by semicolons or spaces).
func parseElementList(s string) ([]elementEntry, error) {
	var entries []elementEntry
	for _, text := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ' ' || r == '\t' || r == '\n' }) {
		parts := strings.Split(text, ":")
		e := elementEntry{text: text}
		var err error
		switch len(parts) {
		case 2:
			e.op, err = nonNegative(parts[0])
		case 3:
			e.op, err = nonNegative(parts[0])
			if err == nil {
				e.output, err = nonNegative(parts[1])
			}
		default:
			err = fmt.Errorf("want OP:I, OP:d0,d1,... or OP:OUT:I")
		}
		if err == nil {
			spec := strings.Split(unbracket(parts[len(parts)-1]), ",")
			if len(spec) == 1 {
				e.flat, err = nonNegative(spec[0])
			} else {
				for _, d := range spec {
					v, derr := nonNegative(d)
					if derr != nil {
						err = derr
						break
					}
					e.coords = append(e.coords, v)
				}
			}
		}
		if err != nil {
			return nil, fmt.Errorf("entry %q: %v", text, err)
		}
		entries = append(entries, e)
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("an empty list")
	}
	return entries, nil
}

func nonNegative(s string) (int, error) {
	v, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || v < 0 {
		return 0, fmt.Errorf("%q is not a non-negative integer", s)
	}
	return v, nil
}

// resolveElements turns the --elements list text into element references
// of ip's operators (within ops when --ops is given).
func resolveElements(ip *trace.Interpreter, text string, ops []int) ([]trace.ElementRef, error) {
	entries, err := parseElementList(text)
	if err != nil {
		return nil, err
	}
	refs := []trace.ElementRef{}
	for _, e := range entries {
		if e.op >= len(ip.Ops()) {
			return nil, fmt.Errorf("entry %q: op %d does not exist (the model has ops 0..%d)", e.text, e.op, len(ip.Ops())-1)
		}
		if ops != nil && !slices.Contains(ops, e.op) {
			return nil, fmt.Errorf("entry %q: op %d is not among --ops", e.text, e.op)
		}
		outs := ip.Ops()[e.op].Node.Outputs
		if e.output >= len(outs) || outs[e.output] == nil {
			return nil, fmt.Errorf("entry %q: op %d has no output %d", e.text, e.op, e.output)
		}
		out := outs[e.output]
		flat := e.flat
		if e.coords != nil {
			if len(e.coords) != len(out.Shape) {
				return nil, fmt.Errorf("entry %q: output %d of op %d has shape %v: give %d coordinates", e.text, e.output, e.op, out.Shape, len(out.Shape))
			}
			flat = 0
			for d, v := range e.coords {
				if v >= out.Shape[d] {
					return nil, fmt.Errorf("entry %q: dimension %d has size %d", e.text, d, out.Shape[d])
				}
				flat = flat*out.Shape[d] + v
			}
		} else if flat >= out.NumElements() {
			return nil, fmt.Errorf("entry %q: output %d of op %d has %d elements", e.text, e.output, e.op, out.NumElements())
		}
		refs = append(refs, trace.ElementRef{Op: e.op, Output: e.output, Element: flat})
	}
	return refs, nil
}

// parseOpList parses "0,3-5" into operator indices below n.
func parseOpList(s string, n int) ([]int, error) {
	var ops []int
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(part), "-")
		a, err := strconv.Atoi(lo)
		b := a
		if err == nil && isRange {
			b, err = strconv.Atoi(hi)
		}
		if err != nil || a < 0 || b < a {
			return nil, fmt.Errorf("bad item %q", part)
		}
		if b >= n {
			return nil, fmt.Errorf("op %d does not exist (the model has ops 0..%d)", b, n-1)
		}
		for i := a; i <= b; i++ {
			ops = append(ops, i)
		}
	}
	return ops, nil
}

// isTerminal reports whether v (a reader or writer) is an *os.File on a
// character device, i.e. a terminal.
func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// checkOutputFile checks, before any work, that -o PATH can be written: its
// folder exists and PATH is not a folder ("-" is standard output). Later
// failures (a full disk) are run errors; these are usage errors.
func checkOutputFile(flagName, path string) error {
	if path == "-" {
		return nil
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return usageError("%s %s: is a directory", flagName, path)
	}
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	switch {
	case err != nil:
		return usageError("%s %s: no such folder %s", flagName, path, dir)
	case !fi.IsDir():
		return usageError("%s %s: %s is not a folder", flagName, path, dir)
	}
	return nil
}

// checkOutputDir checks that --dump DIR can be created or written: DIR, or
// the nearest of its parents that exists, is a folder.
func checkOutputDir(flagName, dir string) error {
	for d := dir; ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err == nil {
			if !fi.IsDir() {
				return usageError("%s %s: %s is not a folder", flagName, dir, d)
			}
			return nil
		}
		if filepath.Dir(d) == d {
			return nil
		}
	}
}
