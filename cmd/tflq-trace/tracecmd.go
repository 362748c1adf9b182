package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/tflq/tflq-trace/trace"
)

func runTrace(args []string, env *cliEnv) error {
	fs := newFlagSet("trace", "MODEL [--input FILE]... -o FILE [--ops LIST] [--elements all|none|top-error:K] [--format json|csv|model-explorer]", env)
	var rf runFlags
	rf.register(fs)
	outPath := fs.String("o", "", "write the trace to `FILE` (required; - for standard output)")
	opsList := fs.String("ops", "", "only these operators: `LIST` of indices and ranges, e.g. 0,3-5 (default all)")
	elements := fs.String("elements", "top-error:5", "element chains to include: all, none, or top-error:`K` (the K largest errors in LSB per op)")
	format := fs.String("format", "json", "json (docs/trace.md), csv (per-layer metrics) or model-explorer (node data)")
	topTerms := fs.Int("terms", 5, "how many of the largest products each multiply-accumulate element lists")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	path, err := rf.model("trace", pos)
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
	_, ip, err := rf.prepare("trace", path)
	if err != nil {
		return err
	}
	var ops []int
	if *opsList != "" {
		if ops, err = parseOpList(*opsList, len(ip.Ops())); err != nil {
			return usageError("trace: --ops %s: %v", *opsList, err)
		}
	}
	if err := ip.Invoke(); err != nil {
		return runError(fmt.Errorf("%s: %w", path, err))
	}
	shadow, err := trace.RunShadow(ip)
	if err != nil {
		return runError(err)
	}
	opt := trace.ExportOptions{ModelPath: path, Ops: ops, Elements: sel, TopTerms: *topTerms}
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
			return trace.WriteCSV(w, shadow, ops)
		case "model-explorer":
			return trace.WriteModelExplorer(w, shadow, ops)
		}
		return trace.WriteJSON(w, ip, shadow, opt)
	}
	if *outPath == "-" {
		if err := write(env.stdout); err != nil {
			return runError(err)
		}
		rf.printDefaultNote(env)
		return nil
	}
	if err := writeAtomically(*outPath, write); err != nil {
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

func parseElements(s string) (trace.ElementSelection, error) {
	switch {
	case s == "all":
		return trace.ElementSelection{All: true}, nil
	case s == "none":
		return trace.ElementSelection{}, nil
	case strings.HasPrefix(s, "top-error:"):
		k, err := strconv.Atoi(strings.TrimPrefix(s, "top-error:"))
		if err != nil || k < 1 {
			return trace.ElementSelection{}, fmt.Errorf("K must be a positive integer")
		}
		return trace.ElementSelection{Top: k}, nil
	}
	return trace.ElementSelection{}, fmt.Errorf("want all, none or top-error:K")
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
