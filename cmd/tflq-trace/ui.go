package main

import (
	"fmt"

	"github.com/tflq/tflq-trace/trace"
	"github.com/tflq/tflq-trace/ui"
)

// runUI is `tflq-trace ui MODEL`: the step-through terminal UI.
func runUI(args []string, env *cliEnv) error {
	fs := newFlagSet("ui", "MODEL [--input FILE]... [--random SEED] [--runtime R]", env)
	var rf runFlags
	rf.register(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	path, err := rf.model("ui", pos)
	if err != nil {
		return err
	}
	if err := needTerminal(env); err != nil {
		return err
	}
	_, ip, err := rf.prepare("ui", path)
	if err != nil {
		return err
	}
	return startUI(ip, path, rf.floats, env)
}

// startUI invokes a prepared interpreter (inputs already set), runs its
// float shadow (from floats, the real data of quantized inputs, when not
// nil) and opens the UI titled title. It refuses with a one-line
// usage error when stdin/stdout are not a terminal.
func startUI(ip *trace.Interpreter, title string, floats [][]float32, env *cliEnv) error {
	if err := needTerminal(env); err != nil {
		return err
	}
	if err := ip.Invoke(); err != nil {
		return runError(fmt.Errorf("%s: %w", title, err))
	}
	var ref ui.Reference
	if sh, err := trace.RunShadowWith(ip, trace.ShadowOptions{FloatInputs: floats}); err == nil {
		ref = ui.FromShadow(sh)
	} else {
		fmt.Fprintf(env.stderr, "tflq-trace: ui: no float reference (%v)\n", err)
	}
	if err := ui.Run(ip, ref, ui.Options{Title: title}, env.stdin, env.stdout); err != nil {
		return runError(fmt.Errorf("ui: %w", err))
	}
	return nil
}

// needTerminal is nil when stdin and stdout are terminals (character
// devices), else the one-line error pointing to the text commands.
func needTerminal(env *cliEnv) error {
	if !isTerminal(env.stdin) || !isTerminal(env.stdout) {
		return usageError("ui: standard input and output must be a terminal; use `tflq-trace run` or `tflq-trace explain` for text output")
	}
	return nil
}
