package trace

// Tests of the tflite-xnnpack runtime that need no shared data: the probe
// models of testdata/xnnpack (oracle outputs, byte for byte, and which
// implementation ran each node), and built models for the delegate's
// acceptance decisions and whole-graph behaviour.

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tflq/tflq-trace/kernels"
	"github.com/tflq/tflq-trace/tflite"
)

// TestXNNPACKProbes runs every probe of testdata/xnnpack under
// tflite-xnnpack and compares each graph output with the oracle's bytes;
// it also checks which implementation ran the nodes (probes.tsv: every node
// on the delegate, the node left to TFLite, or the whole delegate dropped)
// and that Explain ends at every stored output value.
func TestXNNPACKProbes(t *testing.T) {
	dir := filepath.Join("testdata", "xnnpack")
	f, err := os.Open(filepath.Join(dir, "probes.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(line, "\t")
		if len(fields) < 3 {
			t.Fatalf("probes.tsv: bad line %q", line)
		}
		name, oracle, want := fields[0], fields[1], fields[2]
		n++
		t.Run(name, func(t *testing.T) {
			if (oracle == "delegated") != (want == "xnnpack") || (oracle == "refused") != (want == "refused") {
				t.Fatalf("probes.tsv: oracle %s but expected %s", oracle, want)
			}
			runXNNPACKProbe(t, filepath.Join(dir, name), want)
		})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n < 50 {
		t.Fatalf("only %d probes listed", n)
	}
}

func runXNNPACKProbe(t *testing.T, dir, want string) {
	m, err := tflite.ReadFile(filepath.Join(dir, "model.tflite"))
	if err != nil {
		t.Fatal(err)
	}
	ip, err := New(m, Options{Runtime: kernels.RuntimeTFLiteXNNPACK})
	if want == "refused" {
		if !errors.Is(err, kernels.ErrRefusedByBuild) {
			t.Fatalf("want the build's refusal, got %v", err)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	setCaseInputs(t, ip, dir)
	mustInvoke(t, ip)
	for k, out := range ip.Outputs() {
		golden, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("out%d.bin", k)))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out.Data, golden) {
			t.Errorf("output %d: %s", k, describeDiff(out, golden))
		}
	}
	note := strings.Join(ip.Notes(), "; ")
	for _, op := range ip.Ops() {
		onDelegate := op.Impl == kernels.ImplXNNPACK
		switch want {
		case "xnnpack":
			if !onDelegate {
				t.Errorf("op %d %s ran on %v, want the XNNPACK delegate", op.Node.Index, op.Name, op.Impl)
			}
		case "not-taken", "dropped":
			if onDelegate {
				t.Errorf("op %d %s ran on the XNNPACK delegate, want TFLite's builtin kernels", op.Node.Index, op.Name)
			}
		}
	}
	if dropped := strings.HasPrefix(note, "XNNPACK delegate dropped: "); dropped != (want == "dropped") {
		t.Errorf("delegate note %q for an expected %s", note, want)
	}
	checkExplainEndsAtStored(t, ip)
}

// checkExplainEndsAtStored explains every element of every integer output
// of every op and compares the chain's Final with the stored value.
func checkExplainEndsAtStored(t *testing.T, ip *Interpreter) {
	t.Helper()
	c := &kernels.Chain{}
	for i, op := range ip.Ops() {
		for o, out := range op.Node.Outputs {
			if out.Type == tflite.TypeFloat32 {
				continue
			}
			for e := range out.NumElements() {
				if err := ip.ExplainInto(c, i, o, e); err != nil {
					t.Fatalf("explain op %d output %d element %d: %v", i, o, e, err)
				}
				if c.Final != out.Int(e) {
					t.Fatalf("explain op %d %s output %d element %d: Final %d, stored %d", i, op.Name, o, e, c.Final, out.Int(e))
				}
			}
		}
	}
}

// xnnAcceptanceCase is a built model and what the tflite-xnnpack runtime
// must do with it: whether each op runs on the XNNPACK delegate (onDelegate,
// in op order; otherwise on one of TFLite's builtin implementations), and
// the start of its Notes ("" when the delegate applies normally).
type xnnAcceptanceCase struct {
	name       string
	build      func(m *builtModel)
	onDelegate []bool
	note       string
}

// TestXNNPACKAcceptance checks the delegate's decisions on built models:
// which implementation runs each node (trace.Op.Impl) and the graph-level
// behaviour (the whole graph on builtin kernels when one node fails to
// build; no delegation at all for a graph with dynamic tensors).
func TestXNNPACKAcceptance(t *testing.T) {
	const xnn, tflm = true, false
	i8 := tflite.TypeInt8
	add := func(m *builtModel, s1, s2, so float32) {
		a := m.in("a", i8, []int{1, 4}, q(s1, 1), []int64{-5, 0, 7, 100})
		b := m.in("b", i8, []int{1, 4}, q(s2, -2), []int64{3, -9, 12, -100})
		o := m.outTol("o", i8, []int{1, 4}, q(so, 0), make([]float64, 4), 1000)
		m.op(tflite.OpAdd, opts(tflite.OpAdd, nil), []int32{a, b}, o)
	}
	fc := func(m *builtModel, biasScales int) {
		x := m.in("x", i8, []int{1, 3}, q(0.5, 0), []int64{1, -2, 3})
		w := m.cst("w", i8, []int{2, 3}, q(0.25, 0), []int64{1, 2, 3, -4, 5, -6})
		var bq *tflite.Quantization = q(0.125, 0)
		if biasScales > 1 {
			bq = tflite.PerChannel([]float32{0.125, 0.125}, []int64{0, 0}, 0)
		}
		b := m.cst("b", tflite.TypeInt32, []int{2}, bq, []int64{8, -8})
		o := m.outTol("o", i8, []int{1, 2}, q(10, 0), make([]float64, 2), 1000)
		m.op(tflite.OpFullyConnected, opts(tflite.OpFullyConnected, nil), []int32{x, w, b}, o)
	}
	mean := func(m *builtModel, axes []int64) {
		x := m.in("x", i8, []int{1, 2, 2, 1}, q(0.5, 0), []int64{1, 2, 3, 4})
		a := m.cst("axes", tflite.TypeInt32, []int{len(axes)}, nil, axes)
		o := m.outTol("o", i8, []int{1, 1, 1, 1}, q(0.5, 0), []float64{2}, 1)
		m.op(tflite.OpMean, opts(tflite.OpMean, func(o *tflite.Options) { o.KeepDims = true }), []int32{x, a}, o)
	}
	cases := []xnnAcceptanceCase{
		{"add_taken", func(m *builtModel) { add(m, 0.5, 0.25, 1) }, []bool{xnn}, ""},
		{"add_ratio_256_left_to_tflite", func(m *builtModel) { add(m, 256, 0.25, 1) }, []bool{tflm}, ""},
		{"add_ratio_2^-10_taken", func(m *builtModel) { add(m, 0x1p-10, 0.25, 1) }, []bool{xnn}, ""},
		{"add_ratio_below_2^-10_left", func(m *builtModel) { add(m, 0x1p-11, 0.25, 1) }, []bool{tflm}, ""},
		{"fc_one_scale_bias_taken", func(m *builtModel) { fc(m, 1) }, []bool{xnn}, ""},
		{"fc_two_scale_bias_left", func(m *builtModel) { fc(m, 2) }, []bool{tflm}, ""},
		{"mean_hw_taken", func(m *builtModel) { mean(m, []int64{1, 2}) }, []bool{xnn}, ""},
		{"mean_negative_axes_left", func(m *builtModel) { mean(m, []int64{-3, -2}) }, []bool{tflm}, ""},
		{"maxpool_stride_above_filter_left", func(m *builtModel) {
			x := m.in("x", i8, []int{1, 4, 4, 1}, q(0.5, 0), pseudo(16, -128, 127, 3))
			o := m.outTol("o", i8, []int{1, 2, 2, 1}, q(0.5, 0), make([]float64, 4), 1000)
			m.op(tflite.OpMaxPool2D, opts(tflite.OpMaxPool2D, func(o *tflite.Options) {
				o.FilterH, o.FilterW, o.StrideH, o.StrideW, o.Padding = 1, 2, 2, 2, tflite.PaddingValid
			}), []int32{x}, o)
		}, []bool{tflm}, ""},
		{"add_then_requantizing_pad_drops_delegate", func(m *builtModel) {
			a := m.in("a", i8, []int{1, 2}, q(0.5, 0), []int64{1, 2})
			b := m.in("b", i8, []int{1, 2}, q(0.5, 0), []int64{3, 4})
			s := m.tmp("s", i8, []int{1, 2}, q(0.5, 0))
			m.op(tflite.OpAdd, opts(tflite.OpAdd, nil), []int32{a, b}, s)
			p := m.cst("p", tflite.TypeInt32, []int{2, 2}, nil, []int64{0, 0, 1, 1})
			o := m.outTol("o", i8, []int{1, 4}, q(0.25, 0), make([]float64, 4), 1000)
			m.op(tflite.OpPad, opts(tflite.OpPad, nil), []int32{s, p}, o)
		}, []bool{tflm, tflm}, "XNNPACK delegate dropped: op 1 PAD"},
		{"fill_with_computed_dims_no_delegation", func(m *builtModel) {
			dims := m.in("dims", tflite.TypeInt32, []int{2}, nil, []int64{1, 4})
			v := m.cst("v", i8, nil, q(0.5, 0), []int64{3})
			f := m.tmp("f", i8, []int{1, 4}, q(0.5, 0))
			m.op(tflite.OpFill, opts(tflite.OpFill, nil), []int32{dims, v}, f)
			o := m.outTol("o", i8, []int{1, 4}, q(0.5, 0), []float64{6, 6, 6, 6}, 0)
			m.op(tflite.OpAdd, opts(tflite.OpAdd, nil), []int32{f, f}, o)
		}, []bool{tflm, tflm}, "XNNPACK delegate not applied: the graph has dynamic tensors (op 0 FILL"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ip, _, err := tryBuilt(builtCase{name: c.name, build: c.build}, Options{Runtime: kernels.RuntimeTFLiteXNNPACK})
			if err != nil {
				t.Fatal(err)
			}
			if len(ip.Ops()) != len(c.onDelegate) {
				t.Fatalf("%d ops, want %d", len(ip.Ops()), len(c.onDelegate))
			}
			for i, op := range ip.Ops() {
				if (op.Impl == kernels.ImplXNNPACK) != c.onDelegate[i] {
					t.Errorf("op %d %s runs on %v, want on the delegate: %v", i, op.Name, op.Impl, c.onDelegate[i])
				}
			}
			if note := strings.Join(ip.Notes(), "; "); (c.note == "") != (note == "") || !strings.HasPrefix(note, c.note) {
				t.Errorf("delegate note %q, want it to start with %q", note, c.note)
			}
			if err := ip.Invoke(); err != nil {
				t.Fatal(err)
			}
			checkExplainEndsAtStored(t, ip)
		})
	}
}
