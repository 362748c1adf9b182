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
	for k := range ip.Graph().Inputs {
		data, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("input%d.bin", k)))
		if err != nil {
			t.Fatal(err)
		}
		if err := ip.SetInput(k, data); err != nil {
			t.Fatal(err)
		}
	}
	if err := ip.Invoke(); err != nil {
		t.Fatal(err)
	}
	for k, out := range ip.Outputs() {
		golden, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("out%d.bin", k)))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out.Data, golden) {
			t.Errorf("output %d: %s", k, describeDiff(out, golden))
		}
	}
	note := ip.DelegateNote()
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
