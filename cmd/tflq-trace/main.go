// Command tflq-trace lets a person watch a quantized TensorFlow Lite model
// compute, one integer at a time.
//
//	tflq-trace inspect MODEL     operators, tensors, quantization and the derived
//	                             requantization parameters (M, multiplier, shift)
//	tflq-trace run MODEL         run the integer interpreter (bit-exact with the
//	                             TFLite-Micro reference kernels) and print outputs
//	tflq-trace explain MODEL     the arithmetic chain of one output element
//	tflq-trace trace MODEL -o F  export the run as JSON / CSV / Model Explorer data
//	tflq-trace ui MODEL          step through the layers in a terminal UI
//
// With no arguments it runs the bundled MNIST dense model on a handwritten 7:
// in a terminal it opens the UI, otherwise it prints the run and how the
// predicted class's score was computed. Every subcommand has its own flags;
// `tflq-trace CMD -h` lists them; MODEL may be a bundled sample:NAME.
// Exit status: 0 success, 1 failure while running, 2 bad usage or bad input.
// Errors are a single line starting with "tflq-trace:".
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1 // failure while running
	exitUsage   = 2 // bad usage or bad input
)

// cliError carries an exit code with a one-line message.
type cliError struct {
	code int
	err  error
}

func (e *cliError) Error() string { return e.err.Error() }
func (e *cliError) Unwrap() error { return e.err }

// usageError is bad usage or bad input (exit 2).
func usageError(format string, args ...any) error {
	return &cliError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// inputError wraps an error about the user's input (exit 2).
func inputError(err error) error { return &cliError{code: exitUsage, err: err} }

// runError wraps a failure while running (exit 1).
func runError(err error) error { return &cliError{code: exitFailure, err: err} }

type command struct {
	name    string
	summary string
	run     func(args []string, env *cliEnv) error
}

// cliEnv is what a subcommand may use: no global state.
type cliEnv struct {
	// ctx is cancelled on SIGINT/SIGTERM: long work checks it, stops within
	// a fraction of a second and leaves no partial output.
	ctx            context.Context
	stdin          io.Reader
	stdout, stderr io.Writer
}

// exitInterrupted is the status after SIGINT/SIGTERM (128 + SIGINT).
const exitInterrupted = 130

// errInterrupted is what interrupted work returns.
var errInterrupted = errors.New("interrupted")

// interrupted is errInterrupted once ctx is cancelled, else nil.
func interrupted(ctx context.Context) error {
	if ctx.Err() != nil {
		return errInterrupted
	}
	return nil
}

func commands() []command {
	return []command{
		{"inspect", "show operators, tensors, quantization and derived requantization parameters", runInspect},
		{"run", "run the model with the integer interpreter and print its outputs", runRun},
		{"explain", "show the whole arithmetic chain of one output element of one operator", runExplain},
		{"ui", "step through the model in a terminal UI", runUI},
		{"samples", "list the bundled MNIST models and digits", runSamples},
		{"trace", "export the run (tensors, parameters, layer errors, element chains) as JSON, CSV or Model Explorer data", runTrace},
		{"compare", "run the model under several runtimes and show, layer by layer, where their results part", runCompare},
		{"eval", "run a whole data set: accuracy per runtime and per-layer error statistics", runEval},
		{"check", "compare your own numbers for some tensors with TFLite's and name the mistake where they part", runCheck},
	}
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runContext(ctx, args, stdin, stdout, stderr)
}

// runContext is run with the context that interrupts carry (tests cancel
// it themselves).
func runContext(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	env := &cliEnv{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		return report(runMainJob(env), stderr)
	}
	name := args[0]
	if name == "-h" || name == "-help" || name == "--help" || name == "help" {
		printUsage(stdout)
		return exitOK
	}
	for _, c := range commands() {
		if c.name == name {
			return report(c.run(args[1:], env), stderr)
		}
	}
	fmt.Fprintf(stderr, "tflq-trace: unknown command %q (try tflq-trace -h)\n", name)
	return exitUsage
}

// report prints err as one line and returns the exit code.
func report(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if errors.Is(err, errInterrupted) {
		fmt.Fprintln(stderr, "tflq-trace: interrupted: nothing was written")
		return exitInterrupted
	}
	var status checkExit
	if errors.As(err, &status) {
		return int(status) // the command's report said it all
	}
	code := exitFailure
	var ce *cliError
	if errors.As(err, &ce) {
		code = ce.code
	}
	fmt.Fprintf(stderr, "tflq-trace: %s\n", oneLine(err.Error()))
	return code
}

func oneLine(s string) string {
	out := []rune{}
	for _, r := range s {
		if r == '\n' || r == '\r' {
			r = ' '
		}
		out = append(out, r)
	}
	return string(out)
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: tflq-trace COMMAND [flags] MODEL    (MODEL: a .tflite file or sample:NAME)")
	fmt.Fprintln(w, "       tflq-trace                         (the bundled MNIST sample on a handwritten 7)")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'tflq-trace COMMAND -h' for a command's flags.")
}

// flagSet is a subcommand's flag set and the usage it prints for -h.
type flagSet struct {
	*flag.FlagSet
	printUsage func()
}

// printJSON writes v as indented JSON, as every --json report is printed.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// newFlagSet makes a subcommand's flag set. A parse error becomes one
// "tflq-trace:" line (parseFlags); only -h prints the usage, to stdout.
func newFlagSet(name, usage string, env *cliEnv) *flagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {} // the flag package calls it on errors too
	print := func() {
		fs.SetOutput(env.stdout)
		fmt.Fprintf(env.stdout, "usage: tflq-trace %s %s\n\nflags:\n", name, usage)
		// -1 is how an integer flag says "not given" (--digit, --random):
		// not a default worth printing.
		var b strings.Builder
		fs.SetOutput(&b)
		fs.PrintDefaults()
		fmt.Fprint(env.stdout, strings.ReplaceAll(b.String(), " (default -1)", ""))
		fs.SetOutput(io.Discard)
	}
	return &flagSet{FlagSet: fs, printUsage: print}
}

// isSet reports whether flag name was given on the command line.
func (fs *flagSet) isSet(name string) bool {
	if fs == nil {
		return false
	}
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// parseFlags parses flags placed before or after positional arguments.
func parseFlags(fs *flagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.printUsage()
				return nil, err
			}
			return nil, &cliError{code: exitUsage, err: fmt.Errorf("%s: %w (see tflq-trace %s -h)", fs.Name(), err, fs.Name())}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}
