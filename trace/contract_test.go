package trace

// Tests of the Kernel contract stated in the kernels package doc, over every
// operator and dtype of the built-model suite (no shared data needed):
// Eval does not allocate, Explain only reads (safe from several goroutines;
// run with -race, as .ci/run does) and a chain declares data movement only
// where the output element is its source's value, unchanged.

import (
	"fmt"
	"sync"
	"testing"

	"github.com/tflq/tflq-trace/kernels"
)

// TestEvalDoesNotAllocate runs every built model on a fresh interpreter (so
// the correctness runs of stateful SVDF/LSTM are not disturbed) and checks
// that a whole Invoke allocates nothing.
func TestEvalDoesNotAllocate(t *testing.T) {
	for _, c := range allBuiltCases() {
		t.Run(c.name, func(t *testing.T) {
			ip, _ := newBuilt(t, c, Options{})
			if err := ip.Invoke(); err != nil {
				t.Fatal(err)
			}
			if n := testing.AllocsPerRun(5, func() { _ = ip.Invoke() }); n != 0 {
				t.Errorf("Invoke of %s allocates %v times per run", c.name, n)
			}
		})
	}
}

// TestExplainConcurrently explains every element of every operator output
// of every built model from four goroutines at once, each checking that the
// chain ends at the stored value and that a chain declaring data movement
// (Chain.Moved) ends at its source element's value. Under -race it also
// proves that Explain writes no shared state.
func TestExplainConcurrently(t *testing.T) {
	for _, c := range allBuiltCases() {
		t.Run(c.name, func(t *testing.T) {
			ip := runBuilt(t, c)
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
		})
	}
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
