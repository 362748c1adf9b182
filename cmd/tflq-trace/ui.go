package main

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/tflq/tflq-trace/samples"
	"github.com/tflq/tflq-trace/trace"
	"github.com/tflq/tflq-trace/ui"
)

// runUI is `tflq-trace ui MODEL`: the step-through terminal UI.
func runUI(args []string, env *cliEnv) error {
	fs := newFlagSet("ui", "MODEL [--input FILE]... [--random SEED] [--runtime R] [(--tensor I=FILE)... | --against DIR]", env)
	var rf runFlags
	rf.register(fs)
	var tensorFlags stringList
	fs.Var(&tensorFlags, "tensor", "your values `I=FILE` for tensor I, shown next to the run's and diagnosed with y (files as check reads them); repeat")
	against := fs.String("against", "", "a folder `DIR` of your values, one file per tensor (as check reads it)")
	path, err := rf.parse(args)
	if err != nil {
		return err
	}
	if err := needTerminal(env); err != nil {
		return err
	}
	given := len(rf.inputs) > 0 || rf.random >= 0 || rf.digit >= 0
	_, ip, err := rf.prepare("ui", path)
	if err != nil {
		return err
	}
	opt := ui.Options{Title: path, Input: rf.inputName()}
	if len(tensorFlags) > 0 || *against != "" {
		files, values, err := readUserFiles("ui", ip, tensorFlags, *against)
		if err != nil {
			return err
		}
		if !given {
			if _, ok, err := userGraphInputs(ip, values, files); err != nil {
				return err
			} else if ok {
				opt.Input = "your graph input values"
			}
		}
		opt.Yours = &ui.Yours{Values: values, Files: map[int]string{}}
		for _, f := range files {
			opt.Yours.Files[f.tensor] = filepath.Base(f.path)
		}
	}
	return startUI(ip, opt, rf.floats, env)
}

// inputName names the input of a run for the UI's title (after prepare,
// which folds --digit into --input): the bundled digit's image, the input
// files' names, the random seed, or the zero points.
func (f *runFlags) inputName() string {
	switch {
	case len(f.inputs) > 0:
		names := make([]string, len(f.inputs))
		for k, in := range f.inputs {
			names[k] = filepath.Base(in)
			if label, ok := strings.CutPrefix(in, digitPrefix); ok {
				if n, err := strconv.Atoi(label); err == nil {
					if _, file, err := samples.Digit(n); err == nil {
						names[k] = "digit " + file
					}
				}
			}
		}
		return strings.Join(names, ", ")
	case f.random >= 0:
		return fmt.Sprintf("random inputs (seed %d)", f.random)
	}
	return "inputs at zero point"
}

// startUI invokes a prepared interpreter (inputs already set), runs its
// float shadow (from floats, the real data of quantized inputs, when not
// nil) and opens the UI with opt (its title and input). It refuses with a
// one-line usage error when stdin/stdout are not a terminal.
func startUI(ip *trace.Interpreter, opt ui.Options, floats [][]float32, env *cliEnv) error {
	if err := needTerminal(env); err != nil {
		return err
	}
	if err := ip.Invoke(); err != nil {
		return runError(fmt.Errorf("%s: %w", opt.Title, err))
	}
	var ref ui.Reference
	if sh, err := trace.RunShadowWith(ip, trace.ShadowOptions{FloatInputs: floats}); err == nil {
		ref = ui.FromShadow(sh)
	} else {
		fmt.Fprintf(env.stderr, "tflq-trace: ui: no float reference (%v)\n", err)
	}
	err := ui.Run(env.ctx, ip, ref, opt, env.stdin, env.stdout)
	// SIGINT/SIGTERM cancel ctx, which ends the UI (ui.Run restores the
	// terminal first); the command then ends like every interrupted one (130).
	if e := interrupted(env.ctx); e != nil {
		return e
	}
	if err != nil {
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
