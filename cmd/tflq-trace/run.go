package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/tflq/tflq-trace/kernels"
	"github.com/tflq/tflq-trace/tflite"
	"github.com/tflq/tflq-trace/trace"
)

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

type runOutput struct {
	Index       int       `json:"tensor"`
	Name        string    `json:"name"`
	Type        string    `json:"dtype"`
	Shape       []int     `json:"shape"`
	Scale       float32   `json:"scale,omitempty"`
	ZeroPoint   int32     `json:"zero_point"`
	Quantized   []int64   `json:"quantized,omitempty"`
	Dequantized []float64 `json:"dequantized"`
	Top         []topItem `json:"top,omitempty"`
}

type topItem struct {
	Class     int     `json:"class"`
	Quantized int64   `json:"quantized"`
	Real      float64 `json:"real"`
}

type runReport struct {
	Model    string `json:"model"`
	Runtime  string `json:"runtime"`
	Rounding string `json:"rounding"`
	// Notes say how the XNNPACK delegate was applied when not to every node
	// it takes, and whether full TFLite would refuse the model.
	Notes   []string    `json:"notes,omitempty"`
	Outputs []runOutput `json:"outputs"`
	Bench   *benchInfo  `json:"bench,omitempty"`
	Dumped  int         `json:"dumped_tensors,omitempty"`
}

type benchInfo struct {
	Invokes     int     `json:"invokes"`
	NsPerInvoke int64   `json:"ns_per_invoke"`
	MsPerInvoke float64 `json:"ms_per_invoke"`
}

// runFlags are the flags shared by the commands that run a model.
type runFlags struct {
	inputs    stringList
	random    int64
	rounding  string
	runtime   string
	sample    string
	digit     int
	maxMemory string
	fs        *flagSet // to tell a flag given from its default
	// defaultNote, set by prepare, says what input a run got when none was
	// given (the sample digit, or zero points).
	defaultNote string
	// notes, set by prepare, are the one-line notes of input conversions
	// (a float64 .npy converted, float data quantized).
	notes []string
	// floats[k], after prepare, is the real data a quantized graph input k
	// was quantized from (a float .npy or an image), else nil.
	floats [][]float32
}

func (f *runFlags) register(fs *flagSet) {
	f.registerInputs(fs)
	registerRuntimeFlags(fs.FlagSet, &f.runtime, &f.rounding)
}

// registerInputs adds the model and input flags (not the runtime ones).
func (f *runFlags) registerInputs(fs *flagSet) {
	f.fs = fs
	fs.Var(&f.inputs, "input", "graph input `FILE` (.bin raw bytes, .npy, .png/.jpg/.pgm image); repeat in graph-input order")
	fs.Int64Var(&f.random, "random", -1, "fill the inputs with seeded random values (`SEED` ≥ 0) instead of files")
	fs.StringVar(&f.sample, "sample", "", "use the bundled model `NAME` (mnist_dense or mnist_cnn; same as MODEL sample:NAME)")
	fs.IntVar(&f.digit, "digit", -1, "use the bundled MNIST test image of digit `N` (0-9) as the input (same as --input digit:N)")
	registerMemoryFlag(fs.FlagSet, &f.maxMemory)
}

// registerMemoryFlag adds --max-memory.
func registerMemoryFlag(fs *flag.FlagSet, v *string) {
	fs.StringVar(v, "max-memory", "", "refuse a model whose run would allocate more than `SIZE` (e.g. 8GiB; default the smaller of 4GiB and half the machine's memory)")
}

// parseMemoryFlag reads --max-memory (0: the default limit).
func parseMemoryFlag(cmd, v string) (int64, error) {
	if v == "" {
		return 0, nil
	}
	n, err := trace.ParseBytes(v)
	if err != nil {
		return 0, usageError("%s: --max-memory: %v", cmd, err)
	}
	return n, nil
}

// inputFlags checks the input flags and folds --digit into --input.
func (f *runFlags) inputFlags(cmd string) error {
	if f.fs.isSet("random") && f.random < 0 {
		return usageError("%s: --random %d: a seed is 0 or more", cmd, f.random)
	}
	if f.fs.isSet("digit") && (f.digit < 0 || f.digit > 9) {
		return usageError("%s: --digit %d: a digit is 0 to 9", cmd, f.digit)
	}
	if f.digit >= 0 {
		if len(f.inputs) > 0 {
			return usageError("%s: --digit and --input exclude each other", cmd)
		}
		if f.random >= 0 {
			return usageError("%s: --digit and --random exclude each other", cmd)
		}
		f.inputs = stringList{fmt.Sprintf("%s%d", digitPrefix, f.digit)}
	}
	if len(f.inputs) > 0 && f.random >= 0 {
		return usageError("%s: --input and --random exclude each other", cmd)
	}
	return nil
}

// model returns the MODEL argument, honouring --sample.
func (f *runFlags) model(cmd string, pos []string) (string, error) {
	return oneModelArg(cmd, pos, f.sample)
}

// parse parses the command line of a command that runs one MODEL (its
// flags registered on f's flag set) and returns the MODEL argument.
func (f *runFlags) parse(args []string) (string, error) {
	pos, err := parseFlags(f.fs, args)
	if err != nil {
		return "", err
	}
	return f.model(f.fs.Name(), pos)
}

// prepare loads the model, builds the interpreter and loads the inputs.
func (f *runFlags) prepare(cmd, path string) (*loadedModel, *trace.Interpreter, error) {
	lm, ip, err := f.prepareModel(cmd, path)
	if err != nil {
		return nil, nil, err
	}
	return lm, ip, f.loadInputs(ip, path)
}

// prepareModel is prepare without loading the inputs, so that a command
// can check its own flags against the model before reading input files.
func (f *runFlags) prepareModel(cmd, path string) (*loadedModel, *trace.Interpreter, error) {
	rt, err := parseRuntimeFlags(cmd, f.runtime, f.rounding)
	if err != nil {
		return nil, nil, err
	}
	if err := f.inputFlags(cmd); err != nil {
		return nil, nil, err
	}
	limit, err := parseMemoryFlag(cmd, f.maxMemory)
	if err != nil {
		return nil, nil, err
	}
	lm, err := loadModel(path)
	if err != nil {
		return nil, nil, err
	}
	ip, err := trace.New(lm.Model, trace.Options{Runtime: rt, MaxMemory: limit})
	if err != nil {
		return nil, nil, runError(fmt.Errorf("%s: %w", path, err))
	}
	return lm, ip, nil
}

// loadInputs fills ip's graph inputs (of the model at path) as the flags
// say — without input flags, a bundled sample's digit or zero points, with
// a note — and keeps the real data of quantized inputs in f.floats and the
// conversion notes in f.notes.
func (f *runFlags) loadInputs(ip *trace.Interpreter, path string) error {
	f.defaultNote = ""
	if len(f.inputs) == 0 && f.random < 0 {
		if strings.HasPrefix(path, samplePrefix) {
			f.inputs = stringList{fmt.Sprintf("%s%d", digitPrefix, mainDigit)}
			f.defaultNote = fmt.Sprintf("note: input: the bundled MNIST test digit %d (give --digit N or --input FILE for another)", mainDigit)
		} else if len(ip.Inputs()) > 0 {
			f.defaultNote = "note: no --input: every graph input holds its zero point, the real value 0 (give --input FILE or --random SEED)"
		}
	}
	var err error
	f.floats, f.notes, err = loadInputs(ip, f.inputs, f.random, f.random >= 0)
	return err
}

// describeInput says in a few words what the run's input is.
func (f *runFlags) describeInput() string {
	switch {
	case len(f.inputs) > 0:
		return strings.Join(f.inputs, " ")
	case f.random >= 0:
		return fmt.Sprintf("random inputs (seed %d)", f.random)
	}
	return "inputs at their zero point"
}

// printDefaultNote tells on stderr what input a run used when none was
// given, and how input files were converted (after success, so that an
// error stays one line).
func (f *runFlags) printDefaultNote(env *cliEnv) {
	if f.defaultNote != "" {
		fmt.Fprintln(env.stderr, f.defaultNote)
	}
	for _, n := range f.notes {
		fmt.Fprintln(env.stderr, n)
	}
}

func runRun(args []string, env *cliEnv) error {
	fs := newFlagSet("run", "MODEL [--input FILE]... [--random SEED] [--runtime R] [--dump DIR [--format bin|npy] [--dump-constants]] [--json] [--bench N]", env)
	var rf runFlags
	rf.register(fs)
	dump := fs.String("dump", "", "write every non-constant tensor i to `DIR`/t<i>.bin (raw bytes) or t<i>.npy, with DIR/manifest.json")
	dumpFormat := fs.String("format", "bin", "`FORMAT` of the --dump files: bin (raw little-endian bytes, the conformance goldens' layout) or npy")
	dumpConstants := fs.Bool("dump-constants", false, "--dump also writes the constant tensors (weights, biases, shapes)")
	asJSON := fs.Bool("json", false, "print the outputs as JSON")
	bench := fs.Int("bench", 0, "time `N` invokes and print the mean time per invoke")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	switch {
	case *dumpFormat != "bin" && *dumpFormat != "npy":
		return usageError("run: --format %s: want bin or npy", *dumpFormat)
	case *dump == "" && fs.isSet("format"):
		return usageError("run: --format is the format of --dump: give --dump DIR")
	case *dump == "" && *dumpConstants:
		return usageError("run: --dump-constants needs --dump DIR")
	}
	path, err := rf.model("run", pos)
	if err != nil {
		return err
	}
	if *bench < 0 {
		return usageError("run: --bench %d: must be 0 or more", *bench)
	}
	if *dump != "" {
		if err := checkOutputDir("--dump", *dump); err != nil {
			return err
		}
	}
	_, ip, err := rf.prepare("run", path)
	if err != nil {
		return err
	}
	if err := ip.Invoke(); err != nil {
		return runError(fmt.Errorf("%s: %w", path, err))
	}
	rep := newRunReport(path, ip)
	for _, t := range ip.Outputs() {
		rep.Outputs = append(rep.Outputs, describeOutput(t))
	}
	if *bench > 0 {
		start := time.Now()
		for i := 0; i < *bench; i++ {
			if err := interrupted(env.ctx); err != nil {
				return err
			}
			if err := ip.Invoke(); err != nil {
				return runError(err)
			}
		}
		ns := time.Since(start).Nanoseconds() / int64(*bench)
		rep.Bench = &benchInfo{Invokes: *bench, NsPerInvoke: ns, MsPerInvoke: float64(ns) / 1e6}
	}
	// The dump comes last, so that an interrupted run has written nothing.
	if *dump != "" {
		n, err := dumpTensors(env.ctx, ip, *dump, dumpOptions{format: *dumpFormat, constants: *dumpConstants, model: path,
			input: rf.describeInput()})
		if errors.Is(err, errInterrupted) {
			return err
		}
		if err != nil {
			return runError(fmt.Errorf("--dump %s: %w", *dump, err))
		}
		rep.Dumped = n
	}
	rf.printDefaultNote(env)
	if *asJSON {
		return printJSON(env.stdout, rep)
	}
	printRun(env.stdout, &rep)
	return nil
}

func describeOutput(t *kernels.Tensor) runOutput {
	o := runOutput{Index: t.Index, Name: t.Name, Type: t.Type.String(), Shape: t.Shape, Scale: t.Scale0(), ZeroPoint: t.ZP0()}
	n := t.NumElements()
	o.Dequantized = make([]float64, n)
	if t.Type != tflite.TypeFloat32 {
		o.Quantized = make([]int64, n)
	}
	for i := range n {
		o.Dequantized[i] = t.Dequantize(i)
		if o.Quantized != nil {
			o.Quantized[i] = t.Int(i)
		}
	}
	if trace.ClassifierShaped(t.Shape) {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(a, b int) bool { return o.Dequantized[idx[a]] > o.Dequantized[idx[b]] })
		for _, i := range idx[:min(5, n)] {
			it := topItem{Class: i, Real: o.Dequantized[i]}
			if o.Quantized != nil {
				it.Quantized = o.Quantized[i]
			}
			o.Top = append(o.Top, it)
		}
	}
	return o
}

func printRun(w io.Writer, rep *runReport) {
	if rep.Rounding == "per_operator" {
		fmt.Fprintf(w, "model %s, runtime %s (each operator rounds as its TFLite kernel does: explain shows the rule)\n", rep.Model, rep.Runtime)
	} else {
		fmt.Fprintf(w, "model %s, runtime %s (%s rounding)\n", rep.Model, rep.Runtime, rep.Rounding)
	}
	for _, note := range rep.Notes {
		fmt.Fprintf(w, "note: %s\n", note)
	}
	for k, o := range rep.Outputs {
		fmt.Fprintf(w, "\noutput %d: t%d %q %s %s", k, o.Index, o.Name, o.Type, tflite.ShapeString(o.Shape))
		if o.Quantized != nil {
			fmt.Fprintf(w, " scale=%.9g zp=%d", o.Scale, o.ZeroPoint)
		}
		fmt.Fprintln(w)
		const show = 16
		n := len(o.Dequantized)
		if o.Quantized != nil {
			fmt.Fprintf(w, "  quantized:   %s\n", joinInts(o.Quantized, show))
			fmt.Fprintln(w, "  dequantized: (q − zp)·scale")
		}
		fmt.Fprintf(w, "  real:        %s\n", joinFloats(o.Dequantized, show))
		if n > show {
			fmt.Fprintf(w, "  (%d more values; --json prints all)\n", n-show)
		}
		if len(o.Top) > 0 {
			fmt.Fprintf(w, "  top-%d:", len(o.Top))
			for _, it := range o.Top {
				if o.Quantized != nil {
					fmt.Fprintf(w, "  class %d = %d (%.4g)", it.Class, it.Quantized, it.Real)
				} else {
					fmt.Fprintf(w, "  class %d = %.4g", it.Class, it.Real)
				}
			}
			fmt.Fprintf(w, "\n  prediction: class %d\n", o.Top[0].Class)
		}
	}
	if rep.Dumped > 0 {
		fmt.Fprintf(w, "\ndumped %d tensors\n", rep.Dumped)
	}
	if b := rep.Bench; b != nil {
		fmt.Fprintf(w, "\nbench: %d invokes, %.3f ms per invoke\n", b.Invokes, b.MsPerInvoke)
	}
}

func joinInts(v []int64, limit int) string {
	parts := make([]string, 0, min(len(v), limit))
	for _, x := range v[:min(len(v), limit)] {
		parts = append(parts, fmt.Sprint(x))
	}
	return strings.Join(parts, " ")
}

func joinFloats(v []float64, limit int) string {
	parts := make([]string, 0, min(len(v), limit))
	for _, x := range v[:min(len(v), limit)] {
		parts = append(parts, fmt.Sprintf("%.5g", x))
	}
	return strings.Join(parts, " ")
}

// dumpOptions say what run --dump writes.
type dumpOptions struct {
	format       string // "bin" or "npy"
	constants    bool   // also the constant tensors
	model, input string // for the manifest
}

// dumpManifest is DIR/manifest.json: what each dumped file holds.
type dumpManifest struct {
	Model   string       `json:"model"`
	Input   string       `json:"input"`
	Runtime string       `json:"runtime"`
	Format  string       `json:"format"`
	Tensors []dumpedFile `json:"tensors"`
}

// dumpedFile describes one dumped tensor in the vocabulary of inspect --json
// and the trace export (trace.TensorInfo), with its file and its producer.
type dumpedFile struct {
	trace.TensorInfo
	File string `json:"file"`
	// RawBytes marks an .npy holding the raw bytes (uint8, 1-D) of a dtype
	// NumPy has no type for.
	RawBytes bool `json:"raw_bytes,omitempty"`
	// Producer is the operator that computes the tensor (nil for graph
	// inputs, constants and variables never written).
	Producer *tensorProducer `json:"producer"`
}

type tensorProducer struct {
	Op     int    `json:"op"`
	OpName string `json:"op_name"`
	Output int    `json:"output"`
}

// manifestFile is the file run --dump writes beside the tensors to say
// what each holds; check --against skips it.
const manifestFile = "manifest.json"

// dumpTensors writes DIR/t<i>.bin (raw bytes, the layout of the shared
// conformance goldens) or DIR/t<i>.npy for every non-constant tensor (and
// the constants when asked), and DIR/manifest.json. The files are written
// into a temporary folder inside DIR and moved into DIR only when all of
// them are: an error or an interrupt (ctx, checked between files) leaves
// DIR as it was (and no DIR if the dump made it).
func dumpTensors(ctx context.Context, ip *trace.Interpreter, dir string, opt dumpOptions) (n int, err error) {
	created := false
	if _, statErr := os.Stat(dir); os.IsNotExist(statErr) {
		created = true
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	tmp, err := os.MkdirTemp(dir, ".tflq-trace-dump-")
	if err != nil {
		if created {
			os.Remove(dir)
		}
		return 0, err
	}
	defer func() {
		os.RemoveAll(tmp)
		if err != nil && created {
			os.Remove(dir) // only if empty: never a user's files
		}
	}()
	producers := map[int]*tensorProducer{}
	for oi, op := range ip.Ops() {
		for k, o := range op.Node.Outputs {
			if o != nil {
				producers[o.Index] = &tensorProducer{Op: oi, OpName: op.Name, Output: k}
			}
		}
	}
	man := dumpManifest{Model: opt.model, Input: opt.input, Runtime: ip.Options().Runtime.String(), Format: opt.format, Tensors: []dumpedFile{}}
	for i, t := range ip.Tensors() {
		if t.Const && !opt.constants {
			continue
		}
		if err := interrupted(ctx); err != nil {
			return 0, err
		}
		f := dumpedFile{TensorInfo: trace.DescribeTensor(ip.Model(), ip.Graph(), i), Producer: producers[i], File: fmt.Sprintf("t%d.%s", i, opt.format)}
		data := t.Data[:min(len(t.Data), f.Bytes)]
		if opt.format == "npy" {
			descr, shape := npyDescr(t.Type), t.Shape
			if descr == "" || len(data) != t.NumElements()*t.Type.Size() {
				descr, shape, f.RawBytes = "|u1", []int{len(data)}, true
			}
			data = encodeNpy(descr, shape, data)
		}
		if err := os.WriteFile(filepath.Join(tmp, f.File), data, 0o644); err != nil {
			return 0, err
		}
		man.Tensors = append(man.Tensors, f)
	}
	b, err := json.MarshalIndent(man, "", "  ")
	if err != nil {
		return 0, err
	}
	if err := os.WriteFile(filepath.Join(tmp, manifestFile), append(b, '\n'), 0o644); err != nil {
		return 0, err
	}
	if err := interrupted(ctx); err != nil {
		return 0, err
	}
	names := []string{manifestFile}
	for _, f := range man.Tensors {
		names = append(names, f.File)
	}
	for _, name := range names {
		if err := os.Rename(filepath.Join(tmp, name), filepath.Join(dir, name)); err != nil {
			return 0, err
		}
	}
	return len(man.Tensors), nil
}

// newRunReport starts the report of a run of the model at path.
func newRunReport(path string, ip *trace.Interpreter) runReport {
	rt := ip.Options().Runtime
	return runReport{Model: path, Runtime: rt.String(), Rounding: rt.RoundingLabel(), Notes: ip.Notes()}
}

// registerRuntimeFlags adds --runtime and its older spelling --rounding.
func registerRuntimeFlags(fs *flag.FlagSet, runtime, rounding *string) {
	fs.StringVar(runtime, "runtime", "", "whose arithmetic to reproduce, `R`: tflm (default: TFLite-Micro reference kernels), tflm-single (TFLITE_SINGLE_ROUNDING), tflite-ref (full TFLite, BUILTIN_REF), tflite-xnnpack (the Python interpreter's default)")
	fs.StringVar(rounding, "rounding", "", "`RULE`, double or single: the same as --runtime tflm or tflm-single")
}

// parseRuntimeFlags resolves --runtime and --rounding (tflm by default).
func parseRuntimeFlags(cmd, runtime, rounding string) (kernels.Runtime, error) {
	rt := kernels.RuntimeTFLM
	if rounding != "" {
		r, err := kernels.ParseRounding(rounding)
		if err != nil {
			return 0, usageError("%s: --rounding: %v", cmd, err)
		}
		rt = kernels.RuntimeOfRounding(r)
	}
	if runtime != "" {
		r, err := kernels.ParseRuntime(runtime)
		if err != nil {
			return 0, usageError("%s: --runtime: %v", cmd, err)
		}
		if rounding != "" && r != rt {
			return 0, usageError("%s: --rounding %s and --runtime %s disagree (--rounding %s is --runtime %s)", cmd, rounding, runtime, rounding, rt)
		}
		rt = r
	}
	return rt, nil
}
