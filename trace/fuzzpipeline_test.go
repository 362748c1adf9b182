package trace

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/tflq/tflq-trace/internal/sharedtest"
	"github.com/tflq/tflq-trace/kernels"
	"github.com/tflq/tflq-trace/samples"
	"github.com/tflq/tflq-trace/tflite"
)

// The whole-pipeline fuzz target (issue 14): any bytes go through what a
// user's command does with a model file: read → prepare (with a memory
// limit) → set inputs → invoke → float shadow → explain of several elements
// per operator → JSON, CSV and Model Explorer exports to a discarding
// writer. Failures are: a panic; an explained value other than the stored
// one; an error from invoke that is not a run-time check (kernels.ErrRuntime);
// more allocation than the memory limit allows; and a hang, judged against a
// per-input work budget (below).
//
//	go test ./trace -run X -fuzz FuzzPipeline -fuzztime 1h
//
// Seeds (they run as a test): the bundled samples, every built model of
// built_test.go, a MEAN deeper than an explanation keeps and, when the
// shared folder is present, its small models and a spread of opzoo models
// (read at run time, never committed).

// pipelineMemoryLimit is the interpreter's memory limit under fuzzing: the
// plan refuses anything above it before allocating.
const pipelineMemoryLimit = 64 << 20

// pipelineWorkBudget is the most work (estimateWork's units: elements read or
// multiply-accumulated) an input may ask for; a model above it is skipped,
// not run, so that what runs must finish quickly: a run under the budget
// taking longer than pipelineTimeBudget is reported as a hang.
const (
	pipelineWorkBudget = 20_000_000
	pipelineTimeBudget = 20 * time.Second
)

func FuzzPipeline(f *testing.F) {
	seed := 0
	add := func(data []byte) {
		f.Add(data, uint8(seed), uint32(seed)*2654435761)
		seed++
	}
	for _, name := range samples.Names() {
		data, err := samples.Model(name)
		if err != nil {
			f.Fatal(err)
		}
		add(data)
	}
	for _, c := range allBuiltCases() {
		m := &builtModel{b: tflite.NewModelBuilder()}
		c.build(m)
		m.b.SetIO(m.inputs, m.outputs)
		model, err := m.b.Model()
		if err != nil {
			f.Fatalf("%s: %v", c.name, err)
		}
		data, err := tflite.Write(model)
		if err != nil {
			f.Fatalf("%s: %v", c.name, err)
		}
		add(data)
	}
	add(deepMeanSeed(f))
	if shared, ok := sharedtest.Lookup(); ok {
		paths, _ := filepath.Glob(filepath.Join(shared, "models", "*.tflite"))
		opzoo, _ := filepath.Glob(filepath.Join(shared, "opzoo", "models", "*.tflite"))
		slices.Sort(opzoo)
		for i := 0; i < len(opzoo); i += 7 {
			paths = append(paths, opzoo[i])
		}
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil || len(data) > 64<<10 {
				continue
			}
			add(data)
		}
	} else {
		f.Logf("SKIPPED seeds: no shared data (TFLQ_SHARED): fuzzing with the samples and built models only")
	}
	f.Fuzz(checkPipeline)
}

// checkPipeline takes data through the whole pipeline under the runtime
// runtimeChoice selects, with inputs from inputSeed.
func checkPipeline(t *testing.T, data []byte, runtimeChoice uint8, inputSeed uint32) {
	m, err := tflite.Read(data)
	if err != nil {
		return // the reader's own fuzz target checks its errors
	}
	rts := kernels.Runtimes()
	rt := rts[int(runtimeChoice)%len(rts)]
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	ip, err := New(m, Options{Runtime: rt, MaxMemory: pipelineMemoryLimit})
	if err != nil {
		return // refused at prepare (or by the memory plan)
	}
	if work := estimateWork(ip); work > pipelineWorkBudget {
		t.Skipf("%d units of work: over the fuzzing budget", work)
	}
	start := time.Now()
	x := inputSeed | 1
	for k, in := range ip.Inputs() {
		b := make([]byte, len(in.Data))
		for i := range b {
			x ^= x << 13
			x ^= x >> 17
			x ^= x << 5
			b[i] = byte(x)
		}
		if in.Type == tflite.TypeFloat32 {
			// Finite floats in [-2, 2): random bits would be NaN or huge.
			for i := 0; i+4 <= len(b); i += 4 {
				b[i+3] = 0x3f | b[i+3]&0x80
				b[i+2] &= 0x7f
			}
		}
		if err := ip.SetInput(k, b); err != nil {
			t.Fatalf("input %d (%v %v): %v", k, in.Type, in.Shape, err)
		}
	}
	if !invokeUntilRuntimeCheck(t, ip, rt) {
		return
	}
	c := &kernels.Chain{}
	for oi, op := range ip.Ops() {
		for k, out := range op.Node.Outputs {
			n := out.NumElements()
			for _, e := range []int{0, n / 2, n - 1} {
				if n == 0 {
					break // an empty output (a zero dimension) has nothing to explain
				}
				if err := ip.ExplainInto(c, oi, k, e); err != nil {
					t.Fatalf("%v op %d %s: explain element %d: %v", rt, oi, op.Name, e, err)
				}
				if c.Final != storedValue(out, e) {
					t.Fatalf("%v op %d %s (%v): element %d explained as %d, stored %d", rt, oi, op.Name, op.Impl, e, c.Final, storedValue(out, e))
				}
			}
		}
	}
	s, err := RunShadowWith(ip, ShadowOptions{Local: true})
	if err == nil {
		if err := WriteJSON(io.Discard, ip, s, ExportOptions{Elements: ElementSelection{Top: 2}, TopTerms: 4}); err != nil {
			t.Fatalf("export: %v", err)
		}
		if err := WriteCSV(io.Discard, s, ExportOptions{}); err != nil {
			t.Fatalf("csv: %v", err)
		}
		if err := WriteModelExplorer(io.Discard, s, ExportOptions{Metric: "local-mean"}); err != nil {
			t.Fatalf("model explorer: %v", err)
		}
	} else if !errors.Is(err, ErrMemoryLimit) && !errors.Is(err, kernels.ErrRuntime) {
		t.Fatalf("shadow: %v", err)
	}
	if d := time.Since(start); d > pipelineTimeBudget {
		t.Fatalf("%v for %d units of work: a hang", d, estimateWork(ip))
	}
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	// Everything allocated, garbage included: the plan covers tensors and
	// the shadow; explanations and exports add little. Four times the
	// limit is far above anything a run below the limit needs.
	if got := after.TotalAlloc - before.TotalAlloc; got > 4*pipelineMemoryLimit {
		t.Fatalf("allocated %s under a %s limit", FormatBytes(int64(got)), FormatBytes(pipelineMemoryLimit))
	}
}

// estimateWork bounds what an Invoke (and the shadow, which does the same
// work in float) costs, in elements touched: every operator reads its
// inputs and writes its outputs, and an operator with weights (a non-first
// input of rank 2 or more: convolutions, FULLY_CONNECTED, BATCH_MATMUL, LSTM
// gates) does at most one pass over a weight row per output element — the
// row being the weights' elements over their first dimension, an
// overestimate for depthwise and batched weights, which only makes the
// budget stricter.
func estimateWork(ip *Interpreter) int64 {
	var work int64
	for _, op := range ip.Ops() {
		var outs int64
		for _, t := range op.Node.Outputs {
			if t != nil {
				outs += int64(t.NumElements())
			}
		}
		work += outs
		for i, t := range op.Node.Inputs {
			if t == nil {
				continue
			}
			n := int64(t.NumElements())
			work += n
			if i > 0 && t.Rank() >= 2 && t.Shape[0] > 0 {
				work += outs * (n / int64(t.Shape[0]))
			}
		}
		if work < 0 || work > 1<<60 {
			return 1 << 60
		}
	}
	return work
}
