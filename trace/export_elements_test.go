package trace

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tflq/tflq-trace/kernels"
	"github.com/tflq/tflq-trace/tflite"
)

// sampleRun runs a bundled sample model under runtime rt on a fixed input
// pattern.
func sampleRun(t *testing.T, name string, rt kernels.Runtime) *Interpreter {
	t.Helper()
	ip := newInterpreter(t, sampleModel(t, name), Options{Runtime: rt})
	in := ip.Inputs()[0]
	for i := range in.Data {
		in.Data[i] = byte(i * 37 % 251)
	}
	if in.Type == tflite.TypeFloat32 {
		for i := range in.Float32() {
			in.Float32()[i] = float32(i*37%251) / 251
		}
	}
	mustInvoke(t, ip)
	return ip
}

// TestElementRecordsIdentifyThemselves: every element record names its
// operator, output position and output tensor, so that (op, output,
// element) is unique across the file — element 0 of op 0 and of op 3 are
// different records — and carries the runtime; a multiply-accumulate
// element's channel, rounding rule, multiplier and shift are fields equal
// to the multiplier the op derived for that element's output channel and to
// the chain's own "M" step.
func TestElementRecordsIdentifyThemselves(t *testing.T) {
	for _, rt := range kernels.Runtimes() {
		t.Run(rt.String(), func(t *testing.T) {
			ip := sampleRun(t, "mnist_cnn", rt)
			f := exportAndCheck(t, ip, ExportOptions{Elements: ElementSelection{All: true}})
			seen := map[[3]int]bool{}
			macs := 0
			for _, op := range f.Ops {
				for _, e := range op.Elements {
					key := [3]int{e.Op, e.Output, e.Element}
					if seen[key] {
						t.Fatalf("two records for op %d output %d element %d", e.Op, e.Output, e.Element)
					}
					seen[key] = true
					if e.Op != op.Index || e.Tensor != int(op.Outputs[e.Output].Tensor) || e.Runtime != rt.String() {
						t.Fatalf("op %d element %d says op %d tensor %d runtime %q", op.Index, e.Element, op.Index, e.Tensor, e.Runtime)
					}
					if op.Op != "CONV_2D" && op.Op != "FULLY_CONNECTED" {
						continue
					}
					macs++
					checkMACElement(t, op, e)
				}
			}
			if macs != 26*26*8+10 {
				t.Fatalf("%d multiply-accumulate elements checked, want %d", macs, 26*26*8+10)
			}
		})
	}
}

// ruleOfDescription is the rounding rule an op's requantization
// description (kernels.Params.Requantization) states.
func ruleOfDescription(t *testing.T, d string) string {
	t.Helper()
	switch {
	case strings.HasPrefix(d, "fixed point, 64-bit"):
		return kernels.RuleFixedPoint64
	case strings.HasPrefix(d, "fixed point") && strings.HasSuffix(d, "double rounding"):
		return kernels.RuleDoubleRounding
	case strings.HasPrefix(d, "fixed point") && strings.HasSuffix(d, "single rounding"):
		return kernels.RuleSingleRounding
	case strings.HasPrefix(d, "double:"):
		return kernels.RuleDoublePrecision
	case strings.HasPrefix(d, "float32:"):
		return kernels.RuleFloat32
	}
	t.Fatalf("unknown requantization %q", d)
	return ""
}

// ownSteps are the step names of a requantization rule between "M" and "zp".
var ownSteps = map[string][]string{
	kernels.RuleDoubleRounding:  {"srdhm", "rdbpot"},
	kernels.RuleSingleRounding:  {"product", "round_shift"},
	kernels.RuleDoublePrecision: {"round_double"},
	kernels.RuleFloat32:         {"round_float32"},
	kernels.RuleFixedPoint64:    {"reduced", "product", "round_shift"},
}

func checkMACElement(t *testing.T, op FileOp, e FileElement) {
	t.Helper()
	where := fmt.Sprintf("op %d %s element %d", op.Index, op.Op, e.Element)
	wantRule := ruleOfDescription(t, op.Requantization)
	if e.Rounding != wantRule {
		t.Fatalf("%s: rounding %q, op says %q", where, e.Rounding, op.Requantization)
	}
	// The element's channel is its output channel (the last coordinate):
	// both ops have a bias, so every element has one.
	if e.Channel == nil || *e.Channel != e.Coords[len(e.Coords)-1] {
		t.Fatalf("%s: channel %v, coords %v", where, e.Channel, e.Coords)
	}
	var mu *MultiplierInfo
	for i := range op.Multipliers {
		if m := &op.Multipliers[i]; m.Channel == -1 || m.Channel == *e.Channel {
			mu = m
		}
	}
	if mu == nil || e.AppliedMultiplier == nil {
		t.Fatalf("%s: applied multiplier %v, op's for channel %d: %+v", where, e.AppliedMultiplier, *e.Channel, mu)
	}
	// The "M" step is the output stage's, and the rule's own steps follow it.
	at := slices.IndexFunc(e.Steps, func(s FileStep) bool { return s.Name == "M" })
	if at < 0 || e.Steps[at].Real == nil || *e.Steps[at].Real != *e.AppliedMultiplier {
		t.Fatalf("%s: no M step with real %v", where, *e.AppliedMultiplier)
	}
	for k, name := range ownSteps[wantRule] {
		if e.Steps[at+1+k].Name != name {
			t.Fatalf("%s: step %d is %q, rule %s names it %q", where, at+1+k, e.Steps[at+1+k].Name, wantRule, name)
		}
	}
	fixed := wantRule == kernels.RuleDoubleRounding || wantRule == kernels.RuleSingleRounding
	if fixed != (e.Multiplier != nil) || fixed != (e.Shift != nil) {
		t.Fatalf("%s: rule %s with multiplier %v shift %v", where, wantRule, e.Multiplier, e.Shift)
	}
	if fixed {
		// The stage applies Multiplier·2^(shift−31), the op's Q0.31 form of M.
		if *e.Multiplier != mu.Multiplier || *e.Shift != mu.Shift || int64(*e.Multiplier) != e.Steps[at].Value ||
			*e.AppliedMultiplier != math.Ldexp(float64(mu.Multiplier), mu.Shift-31) {
			t.Fatalf("%s: multiplier %d shift %d real %v, op's %d %d", where, *e.Multiplier, *e.Shift, *e.AppliedMultiplier, mu.Multiplier, mu.Shift)
		}
	} else if *e.AppliedMultiplier != float64(mu.Real) {
		t.Fatalf("%s: applied multiplier %v, op's %v", where, *e.AppliedMultiplier, mu.Real)
	}
	if e.Requantizations != nil {
		t.Fatalf("%s: one requantization listed as several", where)
	}
}

// TestElementRecordRequantizationStages: an ADD element requantizes three
// times (each input, then the output); the record's fields are the output
// stage and requantizations lists all three, each pointing at its M step.
func TestElementRecordRequantizationStages(t *testing.T) {
	var add builtCase
	for _, c := range allBuiltCases() {
		if c.name == "ADD/int8/same-shape/relu6" {
			add = c
			break
		}
	}
	if add.name == "" {
		t.Fatal("no built ADD case")
	}
	ip := runBuilt(t, add)
	f := exportAndCheck(t, ip, ExportOptions{Elements: ElementSelection{All: true}})
	desc := DescribeOp(ip.Model(), ip.Graph(), 0, ip)
	out := slices.IndexFunc(desc.Multipliers, func(m MultiplierInfo) bool { return m.Name == "output" })
	for _, e := range f.Ops[0].Elements {
		if len(e.Requantizations) != 3 || e.Channel != nil {
			t.Fatalf("element %d: %d requantizations, channel %v", e.Element, len(e.Requantizations), e.Channel)
		}
		for k, r := range e.Requantizations {
			st := e.Steps[r.Step]
			if !strings.HasSuffix(st.Name, "M") || st.Value != int64(*r.Multiplier) || r.Rounding != kernels.RuleDoubleRounding {
				t.Fatalf("element %d stage %d: step %d is %q = %d, stage multiplier %d", e.Element, k, r.Step, st.Name, st.Value, *r.Multiplier)
			}
		}
		if *e.Multiplier != desc.Multipliers[out].Multiplier || *e.Shift != desc.Multipliers[out].Shift {
			t.Fatalf("element %d: output stage %d/%d, op's output multiplier %+v", e.Element, *e.Multiplier, *e.Shift, desc.Multipliers[out])
		}
	}
}

// TestStepNamesStableAcrossRuntimes: the stages a multiply-accumulate
// element shares between runtimes keep their names and order under every
// runtime; only the requantization's own stages are named after the rule.
func TestStepNamesStableAcrossRuntimes(t *testing.T) {
	shared := []string{"input_offset", "filter_offset", "terms", "acc", "bias", "acc_bias", "M", "zp", "clamp"}
	rules := map[string]bool{}
	for _, rt := range kernels.Runtimes() {
		ip := sampleRun(t, "mnist_cnn", rt)
		for _, op := range []int{0, 3} { // CONV_2D, FULLY_CONNECTED
			c, err := ip.Explain(op, 0, 7)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, st := range c.Steps {
				names = append(names, st.Name)
			}
			rule := ruleOfDescription(t, DescribeOp(ip.Model(), ip.Graph(), op, ip).Requantization)
			rules[rule] = true
			// The fixed-point rules derive M from the scales in a step of its
			// own before quantizing it; the float rules' M step does both.
			var derive []string
			if rule != kernels.RuleDoublePrecision && rule != kernels.RuleFloat32 {
				derive = []string{"real_multiplier"}
			}
			if want := slices.Concat(shared[:6], derive, shared[6:7], ownSteps[rule], shared[7:]); !slices.Equal(names, want) {
				t.Errorf("%v op %d: steps %v, want %v", rt, op, names, want)
			}
		}
	}
	if len(rules) < 3 {
		t.Errorf("only rules %v seen across the runtimes", rules)
	}
}

// TestDocumentedPandasSnippet: the Python snippet of docs/trace.md keys
// element chains by fields that identify an element across the whole file
// (op, output, element), and every field it reads exists in the records.
func TestDocumentedPandasSnippet(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "trace.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`json_normalize\(\[e for o in t\["ops"\] for e in o\["elements"\]\], "steps", \[([^\]]*)\]\)`).FindSubmatch(doc)
	if m == nil {
		t.Fatal("docs/trace.md has no json_normalize of the element chains")
	}
	var meta []string
	for _, f := range strings.Split(string(m[1]), ",") {
		meta = append(meta, strings.Trim(strings.TrimSpace(f), `"`))
	}
	for _, need := range []string{"op", "output", "element"} {
		if !slices.Contains(meta, need) {
			t.Errorf("the snippet's chains lack %q: %v", need, meta)
		}
	}
	ip := sampleRun(t, "mnist_cnn", kernels.RuntimeTFLM)
	f := exportAndCheck(t, ip, ExportOptions{Elements: ElementSelection{Top: 1}})
	e := f.Ops[0].Elements[0]
	fields := map[string]bool{"op": true, "output": true, "tensor": true, "element": true, "final": true, "error_lsb": e.ErrorLSB != nil,
		"rounding": e.Rounding != "", "applied_multiplier": e.AppliedMultiplier != nil, "multiplier": e.Multiplier != nil, "shift": e.Shift != nil, "channel": e.Channel != nil, "runtime": e.Runtime != ""}
	for _, f := range meta {
		if !fields[f] {
			t.Errorf("the snippet reads %q, which a CONV_2D element record does not have", f)
		}
	}
}

// TestExportConstants: with Constants the selected ops' constant inputs
// carry their values (stored and real, per channel), and the file still
// validates; without it they carry none.
func TestExportConstants(t *testing.T) {
	ip := sampleRun(t, "mnist_cnn", kernels.RuntimeTFLM)
	f := exportAndCheck(t, ip, ExportOptions{Constants: true, Ops: []int{0}, Elements: ElementSelection{Top: 1}})
	w := f.Tensors[5].Values // CONV_2D weights, per channel along axis 0
	if w == nil || len(w.Quantized) != 72 || w.FloatReference != nil {
		t.Fatalf("weights values %+v", w)
	}
	wt := ip.Tensors()[5]
	for i, q := range w.Quantized {
		if want := float64(q) * float64(wt.Scale[i/9]); *w.Dequantized[i] != want {
			t.Fatalf("weight %d: %v, want %d·scale[%d] = %v", i, *w.Dequantized[i], q, i/9, want)
		}
	}
	if f.Tensors[3].Values != nil { // the FC's weights: op 3 is not selected
		t.Fatal("values of a constant of an op outside Ops")
	}
	f = exportAndCheck(t, ip, ExportOptions{Ops: []int{0}})
	if f.Tensors[5].Values != nil {
		t.Fatal("constant values without Constants")
	}
}

// TestRequantizationRecordsMatchSteps: on every built model under every
// runtime, each requantization a chain records points at an M step of the
// same chain whose real value it carries, and the fixed-point ones at the
// step's multiplier. Chains with an M step but no record are logged
// (kernels whose stage has a rule of its own, e.g. XNNPACK's Q8 LEAKY_RELU).
func TestRequantizationRecordsMatchSteps(t *testing.T) {
	recorded := map[string]bool{}
	unrecorded := map[string]bool{}
	for _, rt := range kernels.Runtimes() {
		for _, bc := range allBuiltCases() {
			ip, _, err := tryBuilt(bc, Options{Runtime: rt})
			if err != nil {
				continue // refused under this runtime
			}
			if err := ip.Invoke(); err != nil {
				continue
			}
			c := &kernels.Chain{}
			for oi, op := range ip.Ops() {
				for k, out := range op.Node.Outputs {
					if out == nil {
						continue
					}
					for e := 0; e < out.NumElements(); e++ {
						if err := ip.ExplainInto(c, oi, k, e); err != nil {
							t.Fatalf("%s under %v op %d: %v", bc.name, rt, oi, err)
						}
						hasM := slices.ContainsFunc(c.Steps, func(s kernels.Step) bool { return s.Name == "M" || strings.HasSuffix(s.Name, ".M") })
						key := fmt.Sprintf("%s/%s", op.Name, op.Impl)
						if hasM && len(c.Requantizations) == 0 {
							unrecorded[key] = true
						}
						for _, r := range c.Requantizations {
							recorded[key] = true
							if r.Step < 0 || r.Step >= len(c.Steps) {
								t.Fatalf("%s under %v op %d element %d: step %d of %d", bc.name, rt, oi, e, r.Step, len(c.Steps))
							}
							st := c.Steps[r.Step]
							q8 := r.Rule == kernels.RuleFixedPointQ8 && st.Value != int64(r.Real*256)
							if !strings.HasSuffix(st.Name, "M") || st.Real != r.Real || r.HasQ31() && st.Value != int64(r.Quantized.Multiplier) || q8 {
								t.Fatalf("%s under %v op %d element %d: record %+v, step %+v", bc.name, rt, oi, e, r, st)
							}
						}
					}
				}
			}
		}
	}
	for _, want := range []string{"MUL/XNNPACK delegate", "LEAKY_RELU/XNNPACK delegate", "QUANTIZE/XNNPACK delegate", "FULLY_CONNECTED/TFLite-Micro reference kernel", "ADD/TFLite-Micro reference kernel"} {
		if !recorded[want] {
			t.Errorf("no %s chain recorded its requantization (recorded: %v)", want, recorded)
		}
	}
	t.Logf("chains with an M step but no requantization record: %v", unrecorded)
}
