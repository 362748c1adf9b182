package trace

// Tests of the Kernel contract stated in the kernels package doc, over every
// operator and dtype of the built-model suite (no shared data needed):
// Eval does not allocate, Explain only reads (safe from several goroutines;
// run with -race, as .ci/run does) and a chain declares data movement only
// where the output element is its source's value, unchanged.

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/tflq/tflq-trace/kernels"
)

// TestEvalDoesNotAllocate runs every built model under every runtime on a
// fresh interpreter (so the correctness runs of stateful SVDF/LSTM are not
// disturbed) and checks that a whole Invoke allocates nothing.
func TestEvalDoesNotAllocate(t *testing.T) {
	forEachRuntime(t, func(t *testing.T, c builtCase, opt Options) {
		ip, ok := runBuiltUnder(t, c, opt)
		if !ok {
			return
		}
		if n := testing.AllocsPerRun(5, func() { _ = ip.Invoke() }); n != 0 {
			t.Errorf("Invoke of %s allocates %v times per run", c.name, n)
		}
	})
}

// forEachRuntime runs f on every built case under every runtime.
func forEachRuntime(t *testing.T, f func(t *testing.T, c builtCase, opt Options)) {
	for _, rt := range kernels.Runtimes() {
		for _, c := range allBuiltCases() {
			t.Run(rt.String()+"/"+c.name, func(t *testing.T) { f(t, c, Options{Runtime: rt}) })
		}
	}
}

// invokeUnder runs the model c.invokes times. A run-time check that fails
// under a runtime other than the default one is that runtime's behaviour
// (TFLITE_SINGLE_ROUNDING's DIV aborts on a zero numerator, say): logged,
// and ok is false.
func invokeUnder(t *testing.T, ip *Interpreter, c builtCase, opt Options) bool {
	t.Helper()
	for range max(c.invokes, 1) {
		err := ip.Invoke()
		if err == nil {
			continue
		}
		if opt.Runtime != kernels.RuntimeTFLM && errors.Is(err, kernels.ErrRuntime) {
			t.Logf("%v stops %s: %v", opt.Runtime, c.name, err)
			return false
		}
		t.Fatalf("invoke: %v", err)
	}
	return true
}

// runBuiltUnder prepares (newBuiltUnder) and invokes (invokeUnder) c under
// opt's runtime; ok is false when that runtime refuses or stops it.
func runBuiltUnder(t *testing.T, c builtCase, opt Options) (*Interpreter, bool) {
	t.Helper()
	ip, _, ok := newBuiltUnder(t, c, opt)
	return ip, ok && invokeUnder(t, ip, c, opt)
}

// newBuiltUnder is newBuilt under opt's runtime; ok is false (and the
// refusal logged) when a runtime other than TFLite-Micro refuses the model,
// as the real runtime may (LiteRT's LSTM wants intermediates, say), or when
// TFLite-Micro refuses a case written for full TFLite.
func newBuiltUnder(t *testing.T, c builtCase, opt Options) (*Interpreter, *builtModel, bool) {
	t.Helper()
	if opt.Runtime.IsTFLM() && c.runtime.IsTFLM() {
		ip, m := newBuilt(t, c, opt)
		return ip, m, true
	}
	ip, m, err := tryBuilt(c, opt)
	if err != nil {
		t.Logf("%v refuses %s: %v", opt.Runtime, c.name, err)
		return nil, nil, false
	}
	return ip, m, true
}

// TestExplainConcurrently explains every element of every operator output
// of every built model, under every runtime, from four goroutines at once, each checking that the
// chain ends at the stored value and that a chain declaring data movement
// (Chain.Moved) ends at its source element's value. Under -race it also
// proves that Explain writes no shared state.
func TestExplainConcurrently(t *testing.T) {
	forEachRuntime(t, func(t *testing.T, c builtCase, opt Options) {
		{
			ip, ok := runBuiltUnder(t, c, opt)
			if !ok {
				return
			}
			const workers = 4
			var wg sync.WaitGroup
			errs := make(chan string, workers)
			for w := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if msg := explainAll(ip, w, workers); msg != "" {
						errs <- msg
					}
				}()
			}
			wg.Wait()
			close(errs)
			for msg := range errs {
				t.Error(msg)
			}
		}
	})
}

// explainAll explains the elements e ≡ w (mod stride) of every op output,
// each worker starting at a different op so that they overlap in time.
func explainAll(ip *Interpreter, w, stride int) string {
	ops := ip.Ops()
	c := &kernels.Chain{}
	for i := range ops {
		oi := (i + w) % len(ops)
		n := ops[oi].Node
		for k, out := range n.Outputs {
			for e := w % stride; e < out.NumElements(); e += stride {
				if err := ip.ExplainInto(c, oi, k, e); err != nil {
					return err.Error()
				}
				if c.Final != storedValue(out, e) {
					return fmt.Sprintf("op %d %v output %d element %d: chain ends at %d, tensor holds %d", oi, n.Op, k, e, c.Final, storedValue(out, e))
				}
				if c.Moved {
					src := n.Input(c.Move.Input)
					if src == nil || c.Move.Element >= src.NumElements() || storedValue(src, c.Move.Element) != c.Final {
						return fmt.Sprintf("op %d %v output %d element %d declares a move from input %d element %d, which does not hold %d", oi, n.Op, k, e, c.Move.Input, c.Move.Element, c.Final)
					}
				}
			}
		}
	}
	return ""
}
