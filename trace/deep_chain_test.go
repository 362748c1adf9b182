package trace

import (
	"bytes"
	"encoding/json"
	"runtime"
	"testing"

	"github.com/tflq/tflq-trace/kernels"
	"github.com/tflq/tflq-trace/tflite"
)

// deepChain sizes deepChainModel: a MEAN over side² values and a
// FULLY_CONNECTED of the given depth, both past kernels.MaxRecorded.
type deepChain struct{ side, depth int }

// bigChains would each hold tens of MiB if every source or term were kept:
// MEAN of an int8 [1,2048,2048,1] (4 194 304 sources), FULLY_CONNECTED of
// depth 1 048 576. smallChains just pass the limit, for the export (whose
// tensor values would otherwise take 54 MB of JSON).
var (
	bigChains   = deepChain{side: 2048, depth: 1 << 20}
	smallChains = deepChain{side: 300, depth: 70000}
)

// addDeepMean adds a MEAN of an int8 [1,side,side,1] graph input over axes
// 1 and 2 to b and returns the input and output tensors.
func addDeepMean(b *tflite.ModelBuilder, side int32) (x, mean int32) {
	x = b.AddTensor("x", tflite.TypeInt8, []int32{1, side, side, 1}, tflite.PerTensor(0.5, 1))
	axes := b.AddConstTensor("axes", tflite.TypeInt32, []int32{2}, nil, tflite.Int32Data([]int32{1, 2}))
	mean = b.AddTensor("mean", tflite.TypeInt8, []int32{1, 1, 1, 1}, tflite.PerTensor(0.25, -3))
	opts := tflite.DefaultOptions(tflite.DefaultOptionsType(tflite.OpMean))
	opts.KeepDims = true
	b.AddOperator(tflite.OpMean, opts, []int32{x, axes}, []int32{mean})
	return x, mean
}

// deepChainModel is two independent operators: op 0, MEAN of an int8
// [1,side,side,1] over axes 1 and 2; op 1, FULLY_CONNECTED of an int8
// [1,depth] with weights [2,depth]. Inputs and weights are small (|x| ≤ 2,
// |w| ≤ 1) so that the int32 accumulator cannot wrap.
func (d deepChain) model(tb testing.TB) *tflite.Model {
	tb.Helper()
	fcDepth := d.depth
	b := tflite.NewModelBuilder()
	x, mean := addDeepMean(b, int32(d.side))

	in := b.AddTensor("in", tflite.TypeInt8, []int32{1, int32(fcDepth)}, tflite.PerTensor(0.5, 1))
	weights := make([]int8, 2*fcDepth)
	for i := range weights {
		weights[i] = int8(i%3 - 1)
	}
	w := b.AddConstTensor("w", tflite.TypeInt8, []int32{2, int32(fcDepth)}, tflite.PerTensor(0.5, 0), tflite.Int8Data(weights))
	fc := b.AddTensor("fc", tflite.TypeInt8, []int32{1, 2}, tflite.PerTensor(1000, 0))
	b.AddOperator(tflite.OpFullyConnected, tflite.DefaultOptions(tflite.DefaultOptionsType(tflite.OpFullyConnected)), []int32{in, w, -1}, []int32{fc})
	b.SetIO([]int32{x, in}, []int32{mean, fc})
	return builtModelOf(tb, b)
}

// deepInput is the value of element i of both inputs: −2…2 in a pattern
// that does not line up with the weights'.
func deepInput(i int) int8 { return int8((i*7)%5 - 2) }

// run prepares and runs the model under rt.
func (d deepChain) run(tb testing.TB, rt kernels.Runtime) *Interpreter {
	tb.Helper()
	ip := newInterpreter(tb, d.model(tb), Options{Runtime: rt})
	for k, n := range []int{d.side * d.side, d.depth} {
		data := make([]byte, n)
		for i := range data {
			data[i] = byte(deepInput(i))
		}
		if err := ip.SetInput(k, data); err != nil {
			tb.Fatal(err)
		}
	}
	if err := ip.Invoke(); err != nil {
		tb.Fatal(err)
	}
	return ip
}

// allocatedBy is how many bytes f allocates (the process's cumulative
// allocation count before and after; the test runs nothing in parallel).
func allocatedBy(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestDeepChainsKeepMaxRecorded: explaining an element of a reduction or
// a multiply-accumulate deeper than kernels.MaxRecorded keeps the first
// MaxRecorded sources or terms and counts the rest — the count and the
// sum of the products still cover every one, the final value is still the
// stored one — and allocates a few MiB instead of the 128 MiB (MEAN) and
// 64 MiB (FC) that keeping everything took (FuzzPipeline found a MEAN
// whose explanation allocated 355 MiB under a 64 MiB memory plan).
func TestDeepChainsKeepMaxRecorded(t *testing.T) {
	const limit = 8 << 20
	meanSide, fcDepth := bigChains.side, bigChains.depth
	for _, rt := range []kernels.Runtime{kernels.RuntimeTFLM, kernels.RuntimeTFLiteRef, kernels.RuntimeTFLiteXNNPACK} {
		t.Run(rt.String(), func(t *testing.T) {
			ip := bigChains.run(t, rt)

			t.Run("MEAN", func(t *testing.T) {
				var c *kernels.Chain
				var err error
				if n := allocatedBy(func() { c, err = ip.Explain(0, 0, 0) }); err != nil {
					t.Fatal(err)
				} else if n > limit {
					t.Errorf("explaining the MEAN allocated %d bytes, want at most %d", n, limit)
				}
				if stored := ip.Tensors()[2].Int(0); c.Final != stored {
					t.Errorf("final %d, stored %d", c.Final, stored)
				}
				all := meanSide * meanSide
				if len(c.Sources) != kernels.MaxRecorded || c.SourcesOmitted != all-kernels.MaxRecorded || c.SourceCount() != all {
					t.Fatalf("sources: kept %d, omitted %d, count %d; want %d, %d, %d",
						len(c.Sources), c.SourcesOmitted, c.SourceCount(), kernels.MaxRecorded, all-kernels.MaxRecorded, all)
				}
				for i, s := range c.Sources {
					if s.Input != 0 || s.Element != i {
						t.Fatalf("source %d is %+v, want input 0 element %d (the first ones, in order)", i, s, i)
					}
				}
			})

			t.Run("FULLY_CONNECTED", func(t *testing.T) {
				c := &kernels.Chain{}
				for out := range 2 {
					var err error
					if n := allocatedBy(func() { err = ip.ExplainInto(c, 1, 0, out) }); err != nil {
						t.Fatal(err)
					} else if n > limit {
						t.Errorf("explaining FC element %d allocated %d bytes, want at most %d", out, n, limit)
					}
					if stored := ip.Tensors()[5].Int(out); c.Final != stored {
						t.Errorf("element %d: final %d, stored %d", out, c.Final, stored)
					}
					if len(c.Terms) != kernels.MaxRecorded || c.TermsOmitted != fcDepth-kernels.MaxRecorded || c.TermCount() != fcDepth {
						t.Fatalf("terms: kept %d, omitted %d, count %d; want %d, %d, %d",
							len(c.Terms), c.TermsOmitted, c.TermCount(), kernels.MaxRecorded, fcDepth-kernels.MaxRecorded, fcDepth)
					}
					// Σ (x − zp)·w over all fcDepth products, from the inputs.
					var want, kept int64
					for i := range fcDepth {
						p := int64(deepInput(i)-1) * int64((out*fcDepth+i)%3-1)
						want += p
						if i < kernels.MaxRecorded {
							kept += p
							if tm := c.Terms[i]; tm.InputIndex != i || tm.WeightIndex != out*fcDepth+i || tm.Product != p {
								t.Fatalf("element %d term %d: %+v, want input %d weight %d product %d", out, i, tm, i, out*fcDepth+i, p)
							}
						}
					}
					if c.TermSum() != want || c.TermsOmittedSum != want-kept {
						t.Errorf("element %d: term sum %d (omitted %d), want %d (omitted %d)", out, c.TermSum(), c.TermsOmittedSum, want, want-kept)
					}
					if acc, ok := stepValue(c, "acc"); !ok || acc != want {
						t.Errorf("element %d: acc step %d (found %v), want Σ %d", out, acc, ok, want)
					}
				}
			})
		})
	}
}

// stepValue is the value of c's step called name.
func stepValue(c *kernels.Chain, name string) (int64, bool) {
	for _, s := range c.Steps {
		if s.Name == name {
			return s.Value, true
		}
	}
	return 0, false
}

// TestDeepChainsExport: the trace export of those elements validates
// against the schema and carries the totals: terms.count and terms.sum
// over every product, terms.kept = MaxRecorded, top[] among those kept;
// sources[] the first MaxRecorded and sources_omitted the rest.
func TestDeepChainsExport(t *testing.T) {
	ip := smallChains.run(t, kernels.RuntimeTFLM)
	meanSide, fcDepth := smallChains.side, smallChains.depth
	f := exportAndCheck(t, ip, ExportOptions{Elements: ElementSelection{List: []ElementRef{{Op: 0}, {Op: 1, Element: 1}}}})
	if len(f.Ops) != 2 || len(f.Ops[0].Elements) != 1 || len(f.Ops[1].Elements) != 1 {
		t.Fatalf("export lacks MEAN element 0 or FC element 1: %+v", f.Ops)
	}
	mean, fc := &f.Ops[0].Elements[0], &f.Ops[1].Elements[0]
	if len(mean.Sources) != kernels.MaxRecorded || mean.SourcesOmitted != meanSide*meanSide-kernels.MaxRecorded {
		t.Errorf("MEAN: %d sources, %d omitted", len(mean.Sources), mean.SourcesOmitted)
	}
	c, err := ip.Explain(1, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	if fc.Terms == nil || fc.Terms.Count != fcDepth || fc.Terms.Kept != kernels.MaxRecorded || fc.Terms.Sum != c.TermSum() || len(fc.Terms.Top) == 0 {
		t.Fatalf("FC terms %+v, want count %d kept %d sum %d", fc.Terms, fcDepth, kernels.MaxRecorded, c.TermSum())
	}
	for _, tm := range fc.Terms.Top {
		if tm.Term < 1 || tm.Term > kernels.MaxRecorded || c.Terms[tm.Term-1].Product != tm.Product {
			t.Errorf("top term %+v is not one of those kept", tm)
		}
	}
	// A small model's records keep the version-2 shape: no kept, no
	// sources_omitted.
	var buf bytes.Buffer
	small := fcSplitModel(t)
	s, err := RunShadow(small)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteJSON(&buf, small, s, ExportOptions{}); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(buf.Bytes(), []byte(`"kept"`)) || bytes.Contains(buf.Bytes(), []byte(`"sources_omitted"`)) || !json.Valid(buf.Bytes()) {
		t.Errorf("a shallow model's export names kept or sources_omitted")
	}
}

// deepMeanSeed is a FuzzPipeline seed whose explanations pass
// kernels.MaxRecorded: a MEAN over an int8 [1,300,300,1] (a few hundred
// bytes of file, no weights).
func deepMeanSeed(tb testing.TB) []byte {
	tb.Helper()
	b := tflite.NewModelBuilder()
	x, mean := addDeepMean(b, 300)
	b.SetIO([]int32{x}, []int32{mean})
	data, err := tflite.Write(builtModelOf(tb, b))
	if err != nil {
		tb.Fatal(err)
	}
	return data
}
