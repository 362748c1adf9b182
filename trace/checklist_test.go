package trace

import (
	"testing"

	"github.com/tflq/tflq-trace/kernels"
	"github.com/tflq/tflq-trace/tflite"
)

// TestAddOperatorChecklist enforces the "adding an operator" checklist of
// the kernels package doc for every operator of the op table, without shared
// data: (1) a kernel in the op table; (2) its builtin options table decoded
// by the reader; (3) a row in the float shadow's table, saying exactly one of
// reference kernel / data movement / no reference and why; (4) at least one
// built-model case (an independent reference, every element explained, Eval
// allocation-free, Explain race-free: contract_test.go). The fifth item, a
// byte-exact case in the shared goldens, is TestOpTableCoverage's (it needs
// $TFLQ_SHARED).
func TestAddOperatorChecklist(t *testing.T) {
	built := map[tflite.BuiltinOperator]int{}
	for _, c := range allBuiltCases() {
		built[c.op]++
	}
	inTable := map[tflite.BuiltinOperator]bool{}
	for _, info := range kernels.Ops() {
		op := info.Op
		inTable[op] = true
		if len(info.Types) == 0 {
			t.Errorf("%v: the op table lists no data-input dtype", op)
		}
		if ot := tflite.DefaultOptionsType(op); ot != tflite.OptionsNone && !ot.Decoded() {
			t.Errorf("%v: the reader does not decode its %v (tflite/options.go)", op, ot)
		}
		rule, ok := shadowTable[op]
		set := 0
		for _, b := range []bool{rule.eval != nil, rule.moves, rule.none != ""} {
			if b {
				set++
			}
		}
		switch {
		case !ok:
			t.Errorf("%v: no row in the float shadow's table (trace/shadow_ops.go)", op)
		case set != 1:
			t.Errorf("%v: its shadow row must set exactly one of eval, moves, none (has %d)", op, set)
		}
		if built[op] == 0 {
			t.Errorf("%v: no built-model case in trace/built_test.go", op)
		}
	}
	for op := range shadowTable {
		if !inTable[op] {
			t.Errorf("float shadow row for %v, which has no kernel", op)
		}
	}
	for op := range built {
		if !inTable[op] {
			t.Errorf("built-model case for %v, which has no kernel", op)
		}
	}
	t.Logf("%d operators: each has its kernel, options, shadow row and built-model cases", len(inTable))
}
