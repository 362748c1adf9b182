package trace

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/tflq/tflq-trace/internal/oracle"
	"github.com/tflq/tflq-trace/internal/sharedtest"
	"github.com/tflq/tflq-trace/kernels"
	"github.com/tflq/tflq-trace/tflite"
)

// storedValue is element i of t as a Chain's Final holds it.
func storedValue(t *kernels.Tensor, i int) int64 {
	if t.Type == tflite.TypeFloat32 {
		return int64(math.Float32bits(t.Float32()[i]))
	}
	return t.Int(i)
}

// checkChain verifies that a chain's steps follow from each other where the
// step is one of the shared requantization stages, and returns a problem.
func checkChain(c *kernels.Chain, out *kernels.Tensor, params *kernels.Params) string {
	step := map[string]int64{}
	var order []string
	for _, s := range c.Steps {
		step[s.Name] = s.Value
		order = append(order, s.Name)
	}
	has := func(n string) bool { _, ok := step[n]; return ok }
	if len(c.Terms) > 0 && has("acc") {
		var sum int64
		for _, tm := range c.Terms {
			sum += tm.Product
		}
		if int64(int32(sum)) != step["acc"] {
			return "Σ terms ≠ acc"
		}
	}
	if has("acc") && has("bias") && has("acc_bias") && step["acc"]+step["bias"] != step["acc_bias"] {
		if out.Type != tflite.TypeInt8 || int64(int32(step["acc"]+step["bias"])) != step["acc_bias"] {
			return "acc + bias ≠ acc_bias"
		}
	}
	if has("srdhm") && has("M") {
		x := step["acc_bias"]
		if has("left_shift") {
			x = step["left_shift"]
		}
		if has("acc_bias") && int64(oracle.SaturatingRoundingDoublingHighMul(int32(x), int32(step["M"]))) != step["srdhm"] {
			return "srdhm ≠ SaturatingRoundingDoublingHighMul(acc_bias, M)"
		}
	}
	if has("srdhm") && has("rdbpot") {
		ok := false
		for k := 0; k <= 31 && !ok; k++ {
			ok = oracle.RoundingDivideByPOT(step["srdhm"], k) == step["rdbpot"]
		}
		if !ok {
			return "rdbpot is no RoundingDivideByPOT of srdhm"
		}
	}
	if has("zp") && has("clamp") && params != nil && params.HasClamp {
		want := min(max(step["zp"], int64(params.ClampMin)), int64(params.ClampMax))
		if want != step["clamp"] {
			return "clamp step ≠ clamp(zp, range)"
		}
	}
	if len(order) > 0 && order[len(order)-1] == "clamp" && step["clamp"] != c.Final {
		return "last clamp step ≠ Final"
	}
	return ""
}

// TestExplainEveryElement explains every element (about 1500 evenly spread
// ones on outputs over 20000 elements) of every operator of the shared conformance models and
// checks that each chain ends at the value Invoke stored and that its
// requantization steps follow from one another.
func TestExplainEveryElement(t *testing.T) {
	shared := sharedtest.Dir(t)
	dirs, _ := os.ReadDir(filepath.Join(shared, "conformance"))
	total := 0
	for _, d := range dirs {
		name := d.Name()
		cases := goldenCases(t, filepath.Join(shared, "conformance", name))
		if len(cases) == 0 {
			continue
		}
		t.Run(name, func(t *testing.T) {
			ip := runSharedCase(t, name, filepath.Base(cases[0]))
			for oi, op := range ip.Ops() {
				n := op.Node
				var params *kernels.Params
				if d, ok := ip.Ops()[oi].Kernel.(kernels.Describer); ok {
					p := d.Describe()
					params = &p
				}
				for k, out := range n.Outputs {
					ne := out.NumElements()
					stride := 1
					if ne > 20000 {
						stride = ne/1500 | 1 // odd, so every channel is visited
					}
					for e := 0; e < ne; e += stride {
						c, err := ip.Explain(oi, k, e)
						if err != nil {
							t.Fatalf("op %d %s element %d: %v", oi, ip.Ops()[oi].Name, e, err)
						}
						if want := storedValue(out, e); c.Final != want {
							t.Fatalf("op %d %s output %d element %d: chain ends at %d, tensor holds %d", oi, ip.Ops()[oi].Name, k, e, c.Final, want)
						}
						if len(c.Steps) == 0 && len(c.Sources) == 0 {
							t.Fatalf("op %d %s element %d: empty explanation", oi, ip.Ops()[oi].Name, e)
						}
						if p := checkChain(c, out, params); p != "" {
							t.Fatalf("op %d %s element %d: %s: %+v", oi, ip.Ops()[oi].Name, e, p, c.Steps)
						}
						total++
					}
				}
			}
		})
	}
	t.Logf("%d elements explained", total)
}
