package trace

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/tflq/tflq-trace/internal/sharedtest"
	"github.com/tflq/tflq-trace/kernels"
	"github.com/tflq/tflq-trace/tflite"
)

// TestOpTableCoverage asserts that every operator in the kernels' op table
// has a kernel that prepares, an explanation that ends at the stored value,
// and at least one byte-exact conformance case in the shared goldens (the
// conformance tests compare the tensors; this test checks the op is among
// the cases they run). It lists (op, dtype) pairs the table accepts but no
// golden exercises.
func TestOpTableCoverage(t *testing.T) {
	shared := sharedtest.Dir(t)
	type pair struct {
		op tflite.BuiltinOperator
		dt tflite.TensorType
	}
	covered := map[tflite.BuiltinOperator]bool{}
	pairs := map[pair]bool{}
	for _, suite := range []struct{ conf, models string }{
		{filepath.Join(shared, "conformance"), filepath.Join(shared, "models")},
		{filepath.Join(shared, "opzoo", "conformance"), filepath.Join(shared, "opzoo", "models")},
	} {
		dirs, err := os.ReadDir(suite.conf)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range dirs {
			cases := goldenCases(t, filepath.Join(suite.conf, d.Name()))
			if len(cases) == 0 {
				continue
			}
			m, err := tflite.ReadFile(filepath.Join(suite.models, d.Name()+".tflite"))
			if err != nil {
				t.Fatal(err)
			}
			ip, err := New(m, Options{})
			if err != nil {
				continue // reported by the conformance tests
			}
			setCaseInputs(t, ip, cases[0])
			if err := ip.Invoke(); err != nil {
				t.Fatalf("%s: %v", d.Name(), err)
			}
			for oi, op := range ip.Ops() {
				n := op.Node
				for k, out := range n.Outputs {
					ne := out.NumElements()
					for _, e := range []int{0, ne / 2, ne - 1} {
						if ne == 0 {
							break
						}
						c, err := ip.Explain(oi, k, e)
						if err != nil {
							t.Fatalf("%s op %d %v: explain: %v", d.Name(), oi, n.Op, err)
						}
						if c.Final != storedValue(out, e) {
							t.Fatalf("%s op %d %v element %d: chain ends at %d, tensor holds %d", d.Name(), oi, n.Op, e, c.Final, storedValue(out, e))
						}
					}
				}
				covered[n.Op] = true
				if in := n.Input(0); in != nil {
					pairs[pair{n.Op, in.Type}] = true
				}
			}
		}
	}
	ops := kernels.Ops()
	var untested []string
	for _, info := range ops {
		op := info.Op
		if !covered[op] {
			t.Errorf("%v is in the op table but no shared golden case exercises it", op)
		}
		for _, dt := range info.Types {
			if !pairs[pair{op, dt}] {
				untested = append(untested, fmt.Sprintf("%v/%v", op, dt))
			}
		}
	}
	t.Logf("%d operators in the op table, all with goldens; dtypes accepted without a golden: %v", len(ops), untested)
}
