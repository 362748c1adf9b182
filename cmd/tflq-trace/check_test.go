package main

// Tests of `check`: mistaken layers built from every catalogue id (and every
// pair of them) by reference arithmetic independent of the kernels' mistake
// models (internal/oracle, or the definition of the mistake written out
// here), on built models and on the bundled samples; check must name exactly
// the ids that made them.

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tflq/tflq-trace/internal/oracle"
	"github.com/tflq/tflq-trace/kernels"
	"github.com/tflq/tflq-trace/tflite"
	"github.com/tflq/tflq-trace/trace"
)

// mistakeVariant is an injected mistake set with its variants.
type mistakeVariant struct {
	set        kernels.MistakeSet
	floor      bool // truncate as floor
	dtypeClamp bool // no-clamp clamping to the dtype's range only
}

func (v mistakeVariant) String() string {
	s := v.set.String()
	if v.floor {
		s += "(floor)"
	}
	if v.dtypeClamp {
		s += "(dtype clamp)"
	}
	return s
}

// layerRef computes the output of operator op of the run ip (whose inputs
// hold the values it was computed from) with the mistakes of v, from
// reference arithmetic: raw values of the output's dtype (floats for float
// outputs), or nil when it has no reference for v.
type layerRef func(t *testing.T, ip *trace.Interpreter, op int, v mistakeVariant) []float64

// has reports whether v's set has mistake m.
func (v mistakeVariant) has(m kernels.Mistake) bool { return v.set.Has(m) }

// refRound rounds as the variant's float mistake says: ok is false when v
// has none.
func (v mistakeVariant) refRound(x float64) (float64, bool) {
	switch {
	case v.has(kernels.MistakeFloatRequant):
		return math.Round(x), true
	case v.has(kernels.MistakeHalfEven):
		return math.RoundToEven(x), true
	case v.has(kernels.MistakeTruncate) && v.floor:
		return math.Floor(x), true
	case v.has(kernels.MistakeTruncate):
		return math.Trunc(x), true
	}
	return 0, false
}

// refClamp is the output clamp under v: the kernel's range, none, or the
// dtype's.
func (v mistakeVariant) refClamp(x float64, lo, hi int64, typ tflite.TensorType) float64 {
	switch {
	case !v.has(kernels.MistakeNoClamp):
		return min(max(x, float64(lo)), float64(hi))
	case v.dtypeClamp:
		tlo, thi := oracle.TypeRange(typ)
		return min(max(x, float64(tlo)), float64(thi))
	}
	return x
}

func (v mistakeVariant) rounding() oracle.Rounding {
	if v.has(kernels.MistakeSingleRounding) {
		return oracle.Single
	}
	return oracle.Double
}

func tensorInts(t *kernels.Tensor) []int64 {
	v := make([]int64, t.NumElements())
	for i := range v {
		v[i] = t.Int(i)
	}
	return v
}

// refMAC is FULLY_CONNECTED, CONV_2D or DEPTHWISE_CONV_2D under v, through
// the oracle's convolutions with the mistaken parameters.
func refMAC(t *testing.T, ip *trace.Interpreter, op int, v mistakeVariant) []float64 {
	n := ip.Ops()[op].Node
	in, filter, bias, out := n.Inputs[0], n.Inputs[1], n.Inputs[2], n.Outputs[0]
	outC := out.Dim(-1)
	x, w := tensorInts(in), tensorInts(filter)
	var b []int64
	if bias != nil && !v.has(kernels.MistakeNoBias) {
		b = tensorInts(bias)
	}
	perTensorFC := n.Op == tflite.OpFullyConnected && len(filter.Scale) == 1
	inputOffset := -int64(in.ZP0())
	if v.has(kernels.MistakeInputOffsetSign) {
		inputOffset = -inputOffset
	}
	// TFLite subtracts the weights' zero point only for per-tensor
	// FULLY_CONNECTED; filter-offset does the other thing.
	channel := func(i int) int {
		if n.Op == tflite.OpDepthwiseConv2D {
			return i % outC
		}
		return i / (len(w) / filter.Shape[0])
	}
	for i := range w {
		zp := int64(filter.ZeroPointAt(min(channel(i), max(len(filter.ZeroPoint), 1)-1)))
		subtract := perTensorFC
		if v.has(kernels.MistakeFilterOffset) {
			subtract = !subtract
		}
		if subtract {
			w[i] -= zp
		}
	}
	if v.has(kernels.MistakeTransposedWeights) {
		units, depth := filter.Shape[0], filter.Shape[1]
		tw := make([]int64, len(w))
		for o := range units {
			for k := range depth {
				tw[o*depth+k] = w[k*units+o]
			}
		}
		w = tw
	}
	sIn, sOut := in.Scale0(), out.Scale0()
	if v.has(kernels.MistakeNoOutputScale) {
		sOut = 1
	}
	reals := make([]float64, outC)
	texts := make([]float64, outC)
	for ch := range outC {
		sW := filter.ScaleAt(min(ch, len(filter.Scale)-1))
		if v.has(kernels.MistakePerTensorScale) {
			sW = filter.Scale[0]
		}
		if perTensorFC {
			reals[ch] = oracle.ProductMultiplier(sIn, sW, sOut)
		} else {
			reals[ch] = oracle.ConvMultiplier(sIn, sW, sOut)
		}
		texts[ch] = float64(sIn) * float64(sW) / float64(sOut)
	}
	zp := int64(out.ZP0())
	if v.has(kernels.MistakeNoOutputZP) {
		zp = 0
	}
	lo, hi := oracle.ActivationRange(n.Options.Activation, out.Type, out.Scale0(), int64(out.ZP0()))
	_, float := v.refRound(0)
	stage := oracle.OutputStage{Reals: reals, ZeroPoint: zp, Min: -1 << 40, Max: 1 << 40, Rounding: v.rounding()}
	if float {
		stage = oracle.OutputStage{Reals: []float64{1}, Min: -1 << 40, Max: 1 << 40}
	}
	var raw []int64
	switch n.Op {
	case tflite.OpFullyConnected:
		depth := filter.Shape[1]
		raw = oracle.FullyConnected(oracle.FC{Batches: out.NumElements() / outC, Depth: depth, Units: outC, InputOffset: inputOffset, Out: stage}, x, w, b)
	case tflite.OpConv2D:
		g := oracle.Window{Batches: in.Shape[0], InH: in.Shape[1], InW: in.Shape[2], InC: in.Shape[3], KH: filter.Shape[1], KW: filter.Shape[2],
			StrideH: int(n.Options.StrideH), StrideW: int(n.Options.StrideW), DilationH: max(int(n.Options.DilationH), 1), DilationW: max(int(n.Options.DilationW), 1), Padding: n.Options.Padding}
		_, raw = oracle.Conv2D(oracle.Conv{Window: g, OutC: outC, InputOffset: inputOffset, Out: stage}, x, w, b)
	case tflite.OpDepthwiseConv2D:
		g := oracle.Window{Batches: in.Shape[0], InH: in.Shape[1], InW: in.Shape[2], InC: in.Shape[3], KH: filter.Shape[1], KW: filter.Shape[2],
			StrideH: int(n.Options.StrideH), StrideW: int(n.Options.StrideW), DilationH: max(int(n.Options.DilationH), 1), DilationW: max(int(n.Options.DilationW), 1), Padding: n.Options.Padding}
		_, raw = oracle.DepthwiseConv2D(oracle.DepthwiseConv{Window: g, DepthMultiplier: outC / in.Shape[3], InputOffset: inputOffset, Out: stage}, x, w, b)
	default:
		t.Fatalf("refMAC: %v", n.Op)
	}
	res := make([]float64, len(raw))
	for i, r := range raw {
		val := float64(r)
		if float {
			val, _ = v.refRound(float64(r) * texts[i%outC])
			val += float64(zp)
		}
		res[i] = v.refClamp(val, lo, hi, out.Type)
	}
	return res
}

// refQuantize is QUANTIZE under v.
func refQuantize(t *testing.T, ip *trace.Interpreter, op int, v mistakeVariant) []float64 {
	n := ip.Ops()[op].Node
	in, out := n.Inputs[0], n.Outputs[0]
	lo, hi := oracle.TypeRange(out.Type)
	zp := float64(out.ZP0())
	if v.has(kernels.MistakeNoOutputZP) {
		zp = 0
	}
	res := make([]float64, out.NumElements())
	for i := range res {
		var r float64
		if in.Type == tflite.TypeFloat32 {
			s := out.Scale0()
			if v.has(kernels.MistakeNoOutputScale) {
				s = 1
			}
			q := float64(in.Float32()[i] / s) // TFLite divides in float32
			var ok bool
			if r, ok = v.refRound(q); !ok {
				r = math.Round(q)
			}
		} else {
			off := in.Int(i) - int64(in.ZP0())
			if v.has(kernels.MistakeInputOffsetSign) {
				off = in.Int(i) + int64(in.ZP0())
			}
			m := float64(in.Scale0()) / float64(out.Scale0())
			if v.has(kernels.MistakeNoOutputScale) {
				m = float64(in.Scale0())
			}
			var ok bool
			if r, ok = v.refRound(float64(off) * m); !ok {
				r = float64(oracle.Requantize(off, m, v.rounding()))
			}
		}
		res[i] = v.refClamp(r+zp, lo, hi, out.Type)
	}
	return res
}

// refDequantize is DEQUANTIZE under v (float32 results).
func refDequantize(t *testing.T, ip *trace.Interpreter, op int, v mistakeVariant) []float64 {
	n := ip.Ops()[op].Node
	in := n.Inputs[0]
	res := make([]float64, in.NumElements())
	for i := range res {
		off := in.Int(i) - int64(in.ZP0())
		if v.has(kernels.MistakeInputOffsetSign) {
			off = in.Int(i) + int64(in.ZP0())
		}
		res[i] = float64(in.Scale0() * float32(off))
	}
	return res
}

// refAdd is ADD (same-shape inputs) under v.
func refAdd(t *testing.T, ip *trace.Interpreter, op int, v mistakeVariant) []float64 {
	n := ip.Ops()[op].Node
	in1, in2, out := n.Inputs[0], n.Inputs[1], n.Outputs[0]
	s1, s2, sOut := in1.Scale0(), in2.Scale0(), out.Scale0()
	ls := oracle.AddSubLeftShift(out.Type)
	m1, m2, mOut := oracle.AddMultipliers(s1, s2, sOut, ls)
	if v.has(kernels.MistakeNoOutputScale) {
		mOut = 2 * float64(max(s1, s2)) / math.Ldexp(1, ls)
	}
	r := v.rounding()
	q1, q2, qOut := oracle.QuantizeMultiplier(m1, r), oracle.QuantizeMultiplier(m2, r), oracle.QuantizeMultiplier(mOut, r)
	zp1, zp2 := int64(in1.ZP0()), int64(in2.ZP0())
	if v.has(kernels.MistakeInputOffsetSign) {
		zp1, zp2 = -zp1, -zp2
	}
	zp := float64(out.ZP0())
	if v.has(kernels.MistakeNoOutputZP) {
		zp = 0
	}
	lo, hi := oracle.ActivationRange(n.Options.Activation, out.Type, sOut, int64(out.ZP0()))
	res := make([]float64, out.NumElements())
	for i := range res {
		x1, x2 := in1.Int(i), in2.Int(i)
		real := float64(s1)*float64(x1-zp1) + float64(s2)*float64(x2-zp2)
		div := float64(sOut)
		if v.has(kernels.MistakeNoOutputScale) {
			div = 1
		}
		scaled, ok := v.refRound(real / div)
		if !ok {
			b1 := oracle.MultiplyByQuantizedMultiplier((x1-zp1)<<ls, q1, r)
			b2 := oracle.MultiplyByQuantizedMultiplier((x2-zp2)<<ls, q2, r)
			scaled = float64(oracle.MultiplyByQuantizedMultiplier(b1+b2, qOut, r))
		}
		res[i] = v.refClamp(scaled+zp, lo, hi, out.Type)
	}
	return res
}

// refAvgPool is AVERAGE_POOL_2D under v.
func refAvgPool(t *testing.T, ip *trace.Interpreter, op int, v mistakeVariant) []float64 {
	n := ip.Ops()[op].Node
	in, out := n.Inputs[0], n.Outputs[0]
	o := n.Options
	inH, inW, c := in.Shape[1], in.Shape[2], in.Shape[3]
	outH, outW := out.Shape[1], out.Shape[2]
	fh, fw, sh, sw := int(o.FilterH), int(o.FilterW), int(o.StrideH), int(o.StrideW)
	padH, padW := oracle.ConvPadding(inH, fh, sh, 1, outH), oracle.ConvPadding(inW, fw, sw, 1, outW)
	lo, hi := oracle.ActivationRange(o.Activation, out.Type, out.Scale0(), int64(out.ZP0()))
	var res []float64
	for y := range outH {
		for x := range outW {
			for ch := range c {
				var sum, count int64
				for fy := range fh {
					for fx := range fw {
						iy, ix := y*sh-padH+fy, x*sw-padW+fx
						if iy >= 0 && iy < inH && ix >= 0 && ix < inW {
							sum += in.Int((iy*inW+ix)*c + ch)
							count++
						}
					}
				}
				var avg float64
				switch {
				case v.has(kernels.MistakeHalfEven):
					avg = math.RoundToEven(float64(sum) / float64(count))
				case v.has(kernels.MistakeTruncate) && v.floor:
					avg = math.Floor(float64(sum) / float64(count))
				case v.has(kernels.MistakeTruncate):
					avg = float64(sum / count)
				default:
					avg = float64(oracle.DivRoundHalfAway(sum, count))
				}
				res = append(res, v.refClamp(avg, lo, hi, out.Type))
			}
		}
	}
	return res
}

// refSoftmax is int8 SOFTMAX under v: the float mistakes from their
// definition (exp in double, p·256 rounded), the fixed-point ones from the
// TFLite-Micro runs' outputs (the kernels' conformance suites pin those):
// the stored value minus the zero point is p·256 as the fixed point rounds
// it.
func refSoftmax(t *testing.T, ip *trace.Interpreter, op int, v mistakeVariant) []float64 {
	n := ip.Ops()[op].Node
	in, out := n.Inputs[0], n.Outputs[0]
	depth := in.Dim(-1)
	beta := float64(n.Options.Beta)
	outMin, outMax := oracle.TypeRange(out.Type)
	zp := float64(outMin)
	if v.has(kernels.MistakeNoOutputZP) {
		zp = 0
	}
	fixed := out
	if v.has(kernels.MistakeSingleRounding) {
		other, err := trace.New(ip.Model(), trace.Options{Runtime: kernels.RuntimeTFLMSingle})
		if err != nil {
			t.Fatal(err)
		}
		if err := other.EvalOpFrom(ip, op); err != nil {
			t.Fatal(err)
		}
		fixed = other.Ops()[op].Node.Outputs[0]
	}
	res := make([]float64, out.NumElements())
	for r := 0; r < len(res)/depth; r++ {
		row := make([]float64, depth)
		for j := range row {
			row[j] = float64(in.Scale0()) * float64(in.Int(r*depth+j))
		}
		p := oracle.Softmax(row, beta)
		for j := range row {
			i := r*depth + j
			u, ok := v.refRound(p[j] * math.Ldexp(1, 8*out.Type.Size()))
			if !ok {
				if fixed.Int(i) == outMax && v.has(kernels.MistakeNoClamp) {
					return nil // the clamp hid p·2^bits (2^bits − 1 or 2^bits): no reference
				}
				u = float64(fixed.Int(i) - outMin) // p·2^bits as the fixed point rounded it
			}
			res[i] = v.refClamp(u+zp, outMin, outMax, out.Type)
		}
	}
	return res
}

// npyBody encodes values as int32 (or float32 for float outputs) .npy data.
func writeValuesNpy(t *testing.T, path string, vals []float64, float bool) {
	t.Helper()
	var buf bytes.Buffer
	for _, v := range vals {
		if float {
			binary.Write(&buf, binary.LittleEndian, float32(v))
		} else {
			binary.Write(&buf, binary.LittleEndian, int32(v))
		}
	}
	descr := "<i4"
	if float {
		descr = "<f4"
	}
	npyFile(t, path, descr, false, fmt.Sprintf("(%d,)", len(vals)), buf.Bytes())
}

var (
	diagnosisLine        = regexp.MustCompile(`(?m)^diagnosis: ([a-z+-]+) reproduces (\d+)/(\d+) elements of tensor (\d+) \(op (\d+) ([A-Z0-9_]+)\)$`)
	equivalentLine       = regexp.MustCompile(`(?m)^  \(so does ([a-z+-]+):`)
	runtimeDiagnosisLine = regexp.MustCompile(`(?m)^diagnosis: not a mistake: your values are exactly ([a-z-]+)'s`)
	noMistakeLine        = regexp.MustCompile(`(?m)^diagnosis: no known mistake reproduces these values`)
)

// mistakeLayer is one operator of a model whose mistakes the test injects.
type mistakeLayer struct {
	name   string
	model  string
	inputs []string // --input files, or none for the default
	op     int
	ids    []kernels.Mistake // the mistakes that apply to it
	ref    layerRef
	// variants adds the floor and dtype-clamp variants.
	dtypeClamp bool
}

// runLayer runs the layer's model as check does.
func (l mistakeLayer) run(t *testing.T) *trace.Interpreter {
	t.Helper()
	lm, err := loadModel(l.model)
	if err != nil {
		t.Fatal(err)
	}
	ip, err := trace.New(lm.Model, trace.Options{})
	if err != nil {
		t.Fatal(err)
	}
	inputs := stringList(l.inputs)
	if len(inputs) == 0 && strings.HasPrefix(l.model, samplePrefix) {
		inputs = stringList{fmt.Sprintf("%s%d", digitPrefix, mainDigit)}
	}
	if _, _, err := loadInputs(ip, inputs, -1, false); err != nil {
		t.Fatal(err)
	}
	if err := ip.Invoke(); err != nil {
		t.Fatal(err)
	}
	return ip
}

// injected lists the mistake sets the test injects into a layer: every id
// alone and every pair (not two requantization mistakes), with truncate's
// floor variant and no-clamp's dtype variant.
func (l mistakeLayer) injected() []mistakeVariant {
	rounding := kernels.SetOf(kernels.MistakeFloatRequant, kernels.MistakeHalfEven, kernels.MistakeTruncate, kernels.MistakeSingleRounding)
	var sets []kernels.MistakeSet
	for i, a := range l.ids {
		sets = append(sets, kernels.SetOf(a))
		for _, b := range l.ids[i+1:] {
			s := kernels.SetOf(a, b)
			if (s & rounding).Len() < 2 {
				sets = append(sets, s)
			}
		}
	}
	var vs []mistakeVariant
	for _, s := range sets {
		vs = append(vs, mistakeVariant{set: s})
		if s.Has(kernels.MistakeTruncate) {
			vs = append(vs, mistakeVariant{set: s, floor: true})
		}
		if s.Has(kernels.MistakeNoClamp) && l.dtypeClamp {
			vs = append(vs, mistakeVariant{set: s, dtypeClamp: true})
		}
	}
	return vs
}

// TestCheckNamesInjectedMistakes builds every mistake alone and in pairs on
// each layer and checks that `check` names exactly the ids that made them:
// the diagnosis line names the set (or lists it as one the values cannot
// tell apart from the named one), or, where the mistaken values are exactly
// another runtime's for that operator, says so instead. A set whose values
// equal those of a smaller set (no clamp where nothing exceeds the range)
// cannot be told from it and is skipped; every id must be recognised on
// some layer.
func TestCheckNamesInjectedMistakes(t *testing.T) {
	layers := mistakeLayers(t)
	recognised := map[kernels.Mistake]int{}
	asRuntime := map[string]int{}
	total, skipped := 0, 0
	for _, l := range layers {
		t.Run(l.name, func(t *testing.T) {
			ip := l.run(t)
			n := ip.Ops()[l.op].Node
			out := n.Outputs[0]
			base := l.ref(t, ip, l.op, mistakeVariant{})
			for i, v := range base {
				if want := checkStored(out, i); v != want {
					t.Fatalf("reference without mistakes: element %d is %v, the run stored %v", i, v, want)
				}
			}
			others := otherRuntimeOutputs(t, ip, l.op)
			dir := t.TempDir()
			variants := l.injected()
			values := make([][]float64, len(variants))
			var singles [][]float64
			for k, v := range variants {
				values[k] = l.ref(t, ip, l.op, v)
				if v.set.Len() == 1 && values[k] != nil {
					singles = append(singles, values[k])
				}
			}
			for k, v := range variants {
				vals := values[k]
				switch {
				case vals == nil, slices.Equal(vals, base):
					skipped++
					continue
				case v.set.Len() == 2 && equalsAny(vals, singles):
					skipped++
					continue
				case v.set.Len() == 2 && singleWithoutReference(t, l, ip, v):
					skipped++ // a single mistake of it has no reference: it cannot be ruled out
					continue
				}
				total++
				file := filepath.Join(dir, fmt.Sprintf("v%d.npy", k))
				writeValuesNpy(t, file, vals, out.Type == tflite.TypeFloat32)
				args := []string{"check", l.model, "--tensor", fmt.Sprintf("%d=%s", out.Index, file)}
				for _, in := range l.inputs {
					args = append(args, "--input", in)
				}
				code, stdout, stderr := runCLI(t, args...)
				if code != exitFailure {
					t.Fatalf("%v: exit %d, want 1 (stderr %q)\n%s", v, code, stderr, stdout)
				}
				if rt := runtimeWithValues(others, vals); rt != "" {
					m := runtimeDiagnosisLine.FindStringSubmatch(stdout)
					if m == nil || m[1] != rt {
						t.Errorf("%v: the values are exactly %s's; check says:\n%s", v, rt, stdout)
					}
					asRuntime[rt]++
					continue
				}
				m := diagnosisLine.FindStringSubmatch(stdout)
				if m == nil {
					t.Errorf("%v: no diagnosis line:\n%s", v, stdout)
					continue
				}
				named := []string{m[1]}
				for _, e := range equivalentLine.FindAllStringSubmatch(stdout, -1) {
					named = append(named, e[1])
				}
				if !slices.Contains(named, v.set.String()) {
					t.Errorf("%v: check names %v:\n%s", v, named, stdout)
					continue
				}
				if named[0] != v.set.String() {
					continue // named as a set the values cannot tell from the first
				}
				if want := fmt.Sprintf("%d/%d", out.NumElements(), out.NumElements()); m[2]+"/"+m[3] != want || m[4] != fmt.Sprint(out.Index) || m[5] != fmt.Sprint(l.op) {
					t.Errorf("%v: diagnosis line %q, want %s elements of tensor %d (op %d)", v, m[0], want, out.Index, l.op)
				}
				for _, id := range v.set.Slice() {
					if !strings.Contains(stdout, "  "+id.String()+": ") {
						t.Errorf("%v: no sentence for %s:\n%s", v, id, stdout)
					}
					recognised[id]++
				}
			}
		})
	}
	t.Logf("%d mistaken layers checked, %d skipped (values equal to a smaller set's); named as another runtime: %v; ids recognised: %v", total, skipped, asRuntime, recognised)
	for _, rt := range []string{"tflm-single", "tflite-ref"} {
		if asRuntime[rt] == 0 {
			t.Errorf("no mistaken layer was recognised as %s's values (single-rounding alone is tflm-single; float-requant alone on FULLY_CONNECTED is tflite-ref)", rt)
		}
	}
	for _, id := range kernels.Mistakes() {
		if id != kernels.MistakeWrongTensor && recognised[id] == 0 {
			t.Errorf("%s was never recognised on any layer", id)
		}
	}
}

// singleWithoutReference reports whether one of the pair v's mistakes, alone
// with v's variants, has no reference values.
func singleWithoutReference(t *testing.T, l mistakeLayer, ip *trace.Interpreter, v mistakeVariant) bool {
	for _, m := range v.set.Slice() {
		single := mistakeVariant{set: kernels.SetOf(m)}
		single.floor = v.floor && m == kernels.MistakeTruncate
		single.dtypeClamp = v.dtypeClamp && m == kernels.MistakeNoClamp
		if l.ref(t, ip, l.op, single) == nil {
			return true
		}
	}
	return false
}

func checkStored(t *kernels.Tensor, i int) float64 {
	if t.Type == tflite.TypeFloat32 {
		return float64(t.Float32()[i])
	}
	return float64(t.Int(i))
}

func equalsAny(vals []float64, sets [][]float64) bool {
	for _, s := range sets {
		if slices.Equal(vals, s) {
			return true
		}
	}
	return false
}

// otherRuntimeOutputs computes op under every other runtime from the run's
// inputs of op.
func otherRuntimeOutputs(t *testing.T, ip *trace.Interpreter, op int) map[string][]float64 {
	res := map[string][]float64{}
	for _, rt := range kernels.Runtimes() {
		if rt == ip.Options().Runtime {
			continue
		}
		other, err := trace.New(ip.Model(), trace.Options{Runtime: rt})
		if err != nil {
			continue
		}
		if err := other.EvalOpFrom(ip, op); err != nil {
			continue
		}
		out := other.Ops()[op].Node.Outputs[0]
		vals := make([]float64, out.NumElements())
		for i := range vals {
			vals[i] = checkStored(out, i)
		}
		res[rt.String()] = vals
	}
	return res
}

// runtimeWithValues is the first runtime (in runtime order) whose values
// are vals.
func runtimeWithValues(others map[string][]float64, vals []float64) string {
	for _, rt := range kernels.Runtimes() {
		if o, ok := others[rt.String()]; ok && slices.Equal(o, vals) {
			return rt.String()
		}
	}
	return ""
}

// ids is shorthand for a list of mistakes.
func ids(ms ...kernels.Mistake) []kernels.Mistake { return ms }

// mistakeLayers are the layers of TestCheckNamesInjectedMistakes.
func mistakeLayers(t *testing.T) []mistakeLayer {
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(5, 11))
	int8s := func(n int, lo, hi int) []int8 {
		v := make([]int8, n)
		for i := range v {
			v[i] = int8(lo + r.IntN(hi-lo+1))
		}
		return v
	}
	int32s := func(n int, lo, hi int) []int32 {
		v := make([]int32, n)
		for i := range v {
			v[i] = int32(lo + r.IntN(hi-lo+1))
		}
		return v
	}
	rawInput := func(name string, v []int8) string {
		path := filepath.Join(dir, name+".bin")
		b := make([]byte, len(v))
		for i, x := range v {
			b[i] = byte(x)
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	withOpts := func(op tflite.BuiltinOperator, set func(o *tflite.Options)) tflite.Options {
		o := tflite.DefaultOptions(tflite.DefaultOptionsType(op))
		set(&o)
		return o
	}
	M := func(m kernels.Mistake) kernels.Mistake { return m }
	fc := writeModel(t, func(b *tflite.ModelBuilder) {
		in := b.AddTensor("in", tflite.TypeInt8, []int32{2, 6}, tflite.PerTensor(0.05, -3))
		w := b.AddConstTensor("w", tflite.TypeInt8, []int32{4, 6}, tflite.PerTensor(0.02, 2), tflite.Int8Data(int8s(24, -127, 127)))
		bias := b.AddConstTensor("b", tflite.TypeInt32, []int32{4}, tflite.PerTensor(0.001, 0), tflite.Int32Data(int32s(4, -3000, 3000)))
		out := b.AddTensor("out", tflite.TypeInt8, []int32{2, 4}, tflite.PerTensor(0.07, 5))
		b.AddOperator(tflite.OpFullyConnected, withOpts(tflite.OpFullyConnected, func(o *tflite.Options) { o.Activation = tflite.ActRelu6 }), []int32{in, w, bias}, []int32{out})
		b.SetIO([]int32{in}, []int32{out})
	})
	// M = s_in·s_w/s_out = 0.375 exactly (a right shift of 1): double
	// rounding parts from one exact rounding on many elements (TFLite-Micro
	// against LiteRT's double requantization), and accumulators ≡ 4 mod 8
	// are exact ties, which single rounding takes up and LiteRT away from
	// zero.
	fcShift1 := writeModel(t, func(b *tflite.ModelBuilder) {
		in := b.AddTensor("in", tflite.TypeInt8, []int32{8, 6}, tflite.PerTensor(0.25, -3))
		w := b.AddConstTensor("w", tflite.TypeInt8, []int32{4, 6}, tflite.PerTensor(0.75, 0), tflite.Int8Data(int8s(24, -4, 4)))
		bias := b.AddConstTensor("b", tflite.TypeInt32, []int32{4}, tflite.PerTensor(0.1875, 0), tflite.Int32Data(int32s(4, -20, 20)))
		out := b.AddTensor("out", tflite.TypeInt8, []int32{8, 4}, tflite.PerTensor(0.5, 2))
		b.AddOperator(tflite.OpFullyConnected, tflite.DefaultOptions(tflite.DefaultOptionsType(tflite.OpFullyConnected)), []int32{in, w, bias}, []int32{out})
		b.SetIO([]int32{in}, []int32{out})
	})
	conv := writeModel(t, func(b *tflite.ModelBuilder) {
		in := b.AddTensor("in", tflite.TypeInt8, []int32{1, 5, 5, 2}, tflite.PerTensor(0.1, 4))
		w := b.AddConstTensor("w", tflite.TypeInt8, []int32{3, 3, 3, 2}, tflite.PerChannel([]float32{0.01, 0.03, 0.02}, []int64{0, 3, -2}, 0), tflite.Int8Data(int8s(54, -127, 127)))
		bias := b.AddConstTensor("b", tflite.TypeInt32, []int32{3}, tflite.PerChannel([]float32{0.001, 0.003, 0.002}, []int64{0, 0, 0}, 0), tflite.Int32Data(int32s(3, -800, 800)))
		out := b.AddTensor("out", tflite.TypeInt8, []int32{1, 3, 3, 3}, tflite.PerTensor(0.05, -10))
		b.AddOperator(tflite.OpConv2D, withOpts(tflite.OpConv2D, func(o *tflite.Options) {
			o.Padding, o.StrideH, o.StrideW, o.Activation = tflite.PaddingSame, 2, 2, tflite.ActRelu
		}), []int32{in, w, bias}, []int32{out})
		b.SetIO([]int32{in}, []int32{out})
	})
	dw := writeModel(t, func(b *tflite.ModelBuilder) {
		in := b.AddTensor("in", tflite.TypeInt8, []int32{1, 4, 4, 2}, tflite.PerTensor(0.08, -5))
		w := b.AddConstTensor("w", tflite.TypeInt8, []int32{1, 3, 3, 4}, tflite.PerChannel([]float32{0.01, 0.02, 0.015, 0.03}, []int64{0, 0, 0, 0}, 3), tflite.Int8Data(int8s(36, -127, 127)))
		bias := b.AddConstTensor("b", tflite.TypeInt32, []int32{4}, tflite.PerChannel([]float32{0.0008, 0.0016, 0.0012, 0.0024}, []int64{0, 0, 0, 0}, 0), tflite.Int32Data(int32s(4, -500, 500)))
		out := b.AddTensor("out", tflite.TypeInt8, []int32{1, 2, 2, 4}, tflite.PerTensor(0.04, 3))
		b.AddOperator(tflite.OpDepthwiseConv2D, withOpts(tflite.OpDepthwiseConv2D, func(o *tflite.Options) {
			o.Padding, o.StrideH, o.StrideW, o.DepthMultiplier = tflite.PaddingSame, 2, 2, 2
		}), []int32{in, w, bias}, []int32{out})
		b.SetIO([]int32{in}, []int32{out})
	})
	quant := writeModel(t, func(b *tflite.ModelBuilder) {
		in := b.AddTensor("x", tflite.TypeFloat32, []int32{1, 16}, nil)
		out := b.AddTensor("q", tflite.TypeInt8, []int32{1, 16}, tflite.PerTensor(0.25, -7))
		b.AddOperator(tflite.OpQuantize, tflite.Options{}, []int32{in}, []int32{out})
		b.SetIO([]int32{in}, []int32{out})
	})
	quantInput := filepath.Join(dir, "x.bin")
	{
		xs := []float32{0.125, -0.125, 0.375, -0.375, 0.625, 1.1, -2.9, 40, -40, 3.3, -0.2, 7.875, 0.06, -1.625, 2.7, 31.9}
		var buf bytes.Buffer
		binary.Write(&buf, binary.LittleEndian, xs)
		os.WriteFile(quantInput, buf.Bytes(), 0o644)
	}
	requant := writeModel(t, func(b *tflite.ModelBuilder) {
		in := b.AddTensor("in", tflite.TypeInt8, []int32{1, 32}, tflite.PerTensor(0.03, 10))
		out := b.AddTensor("out", tflite.TypeInt8, []int32{1, 32}, tflite.PerTensor(0.07, -20))
		b.AddOperator(tflite.OpQuantize, tflite.Options{}, []int32{in}, []int32{out})
		b.SetIO([]int32{in}, []int32{out})
	})
	// s_in/s_out = 1/4 exactly: requantized values fall on ties of both
	// signs, where double rounding (away from zero), single rounding (up)
	// and half-even part.
	ties := writeModel(t, func(b *tflite.ModelBuilder) {
		in := b.AddTensor("in", tflite.TypeInt8, []int32{1, 64}, tflite.PerTensor(0.02, 1))
		out := b.AddTensor("out", tflite.TypeInt8, []int32{1, 64}, tflite.PerTensor(0.08, 3))
		b.AddOperator(tflite.OpQuantize, tflite.Options{}, []int32{in}, []int32{out})
		b.SetIO([]int32{in}, []int32{out})
	})
	deq := writeModel(t, func(b *tflite.ModelBuilder) {
		in := b.AddTensor("in", tflite.TypeInt8, []int32{1, 12}, tflite.PerTensor(0.1, 6))
		out := b.AddTensor("out", tflite.TypeFloat32, []int32{1, 12}, nil)
		b.AddOperator(tflite.OpDequantize, tflite.Options{}, []int32{in}, []int32{out})
		b.SetIO([]int32{in}, []int32{out})
	})
	add := writeModel(t, func(b *tflite.ModelBuilder) {
		in1 := b.AddTensor("a", tflite.TypeInt8, []int32{1, 16}, tflite.PerTensor(0.05, 3))
		in2 := b.AddTensor("b", tflite.TypeInt8, []int32{1, 16}, tflite.PerTensor(0.08, -2))
		out := b.AddTensor("out", tflite.TypeInt8, []int32{1, 16}, tflite.PerTensor(0.1, 1))
		b.AddOperator(tflite.OpAdd, withOpts(tflite.OpAdd, func(o *tflite.Options) { o.Activation = tflite.ActRelu }), []int32{in1, in2}, []int32{out})
		b.SetIO([]int32{in1, in2}, []int32{out})
	})
	pool := writeModel(t, func(b *tflite.ModelBuilder) {
		in := b.AddTensor("in", tflite.TypeInt8, []int32{1, 4, 4, 2}, tflite.PerTensor(0.02, -100))
		out := b.AddTensor("out", tflite.TypeInt8, []int32{1, 4, 4, 2}, tflite.PerTensor(0.02, -100))
		b.AddOperator(tflite.OpAveragePool2D, withOpts(tflite.OpAveragePool2D, func(o *tflite.Options) {
			o.Padding, o.StrideH, o.StrideW, o.FilterH, o.FilterW, o.Activation = tflite.PaddingSame, 1, 1, 3, 3, tflite.ActRelu6
		}), []int32{in}, []int32{out})
		b.SetIO([]int32{in}, []int32{out})
	})
	softmax := writeModel(t, func(b *tflite.ModelBuilder) {
		in := b.AddTensor("in", tflite.TypeInt8, []int32{3, 6}, tflite.PerTensor(0.1, 0))
		out := b.AddTensor("out", tflite.TypeInt8, []int32{3, 6}, tflite.PerTensor(1.0/256, -128))
		b.AddOperator(tflite.OpSoftmax, withOpts(tflite.OpSoftmax, func(o *tflite.Options) { o.Beta = 1 }), []int32{in}, []int32{out})
		b.SetIO([]int32{in}, []int32{out})
	})
	softmaxIn := int8s(18, -128, 127)
	softmaxIn[0], softmaxIn[1] = 127, -128 // a row with a probability near 1
	for j := 2; j < 6; j++ {
		softmaxIn[j] = -128
	}
	macIDs := ids(M(kernels.MistakeInputOffsetSign), M(kernels.MistakeNoOutputScale), M(kernels.MistakeFloatRequant), M(kernels.MistakeHalfEven),
		M(kernels.MistakeTruncate), M(kernels.MistakeSingleRounding), M(kernels.MistakeNoBias), M(kernels.MistakeNoOutputZP), M(kernels.MistakeNoClamp))
	return []mistakeLayer{
		{name: "built FULLY_CONNECTED", model: fc, inputs: []string{rawInput("fc", int8s(12, -128, 127))}, op: 0, ref: refMAC, dtypeClamp: true,
			ids: append(slices.Clone(macIDs), kernels.MistakeFilterOffset, kernels.MistakeTransposedWeights)},
		{name: "built FULLY_CONNECTED M=0.375", model: fcShift1, inputs: []string{rawInput("fc1", int8s(48, -10, 10))}, op: 0, ref: refMAC,
			ids: append(slices.Clone(macIDs), kernels.MistakeTransposedWeights)},
		{name: "built CONV_2D", model: conv, inputs: []string{rawInput("conv", int8s(50, -128, 127))}, op: 0, ref: refMAC, dtypeClamp: true,
			ids: append(slices.Clone(macIDs), kernels.MistakeFilterOffset, kernels.MistakePerTensorScale)},
		{name: "built DEPTHWISE_CONV_2D", model: dw, inputs: []string{rawInput("dw", int8s(32, -128, 127))}, op: 0, ref: refMAC,
			ids: append(slices.Clone(macIDs), kernels.MistakePerTensorScale)},
		{name: "built QUANTIZE float32", model: quant, inputs: []string{quantInput}, op: 0, ref: refQuantize,
			ids: ids(kernels.MistakeNoOutputScale, kernels.MistakeHalfEven, kernels.MistakeTruncate, kernels.MistakeNoOutputZP, kernels.MistakeNoClamp)},
		{name: "built QUANTIZE int8", model: requant, inputs: []string{rawInput("rq", int8s(32, -128, 127))}, op: 0, ref: refQuantize,
			ids: ids(kernels.MistakeInputOffsetSign, kernels.MistakeNoOutputScale, kernels.MistakeFloatRequant, kernels.MistakeHalfEven, kernels.MistakeTruncate,
				kernels.MistakeSingleRounding, kernels.MistakeNoOutputZP, kernels.MistakeNoClamp)},
		{name: "built QUANTIZE int8 ties", model: ties, inputs: []string{rawInput("ties", int8s(64, -128, 127))}, op: 0, ref: refQuantize,
			ids: ids(kernels.MistakeInputOffsetSign, kernels.MistakeNoOutputScale, kernels.MistakeFloatRequant, kernels.MistakeHalfEven, kernels.MistakeTruncate,
				kernels.MistakeSingleRounding, kernels.MistakeNoOutputZP, kernels.MistakeNoClamp)},
		{name: "built DEQUANTIZE", model: deq, inputs: []string{rawInput("deq", int8s(12, -128, 127))}, op: 0, ref: refDequantize,
			ids: ids(kernels.MistakeInputOffsetSign)},
		{name: "built ADD", model: add, inputs: []string{rawInput("add1", int8s(16, -128, 127)), rawInput("add2", int8s(16, -128, 127))}, op: 0, ref: refAdd,
			ids: ids(kernels.MistakeInputOffsetSign, kernels.MistakeNoOutputScale, kernels.MistakeFloatRequant, kernels.MistakeHalfEven, kernels.MistakeTruncate,
				kernels.MistakeSingleRounding, kernels.MistakeNoOutputZP, kernels.MistakeNoClamp)},
		{name: "built AVERAGE_POOL_2D", model: pool, inputs: []string{rawInput("pool", int8s(32, -128, 127))}, op: 0, ref: refAvgPool,
			ids: ids(kernels.MistakeHalfEven, kernels.MistakeTruncate, kernels.MistakeNoClamp)},
		{name: "built SOFTMAX", model: softmax, inputs: []string{rawInput("softmax", softmaxIn)}, op: 0, ref: refSoftmax,
			ids: ids(kernels.MistakeFloatRequant, kernels.MistakeHalfEven, kernels.MistakeTruncate, kernels.MistakeSingleRounding, kernels.MistakeNoOutputZP, kernels.MistakeNoClamp)},
		{name: "sample mnist_dense QUANTIZE", model: "sample:mnist_dense", op: 0, ref: refQuantize,
			ids: ids(kernels.MistakeNoOutputScale, kernels.MistakeHalfEven, kernels.MistakeTruncate, kernels.MistakeNoOutputZP, kernels.MistakeNoClamp)},
		{name: "sample mnist_dense FULLY_CONNECTED", model: "sample:mnist_dense", op: 1, ref: refMAC,
			ids: append(slices.Clone(macIDs), kernels.MistakeTransposedWeights)},
		{name: "sample mnist_dense DEQUANTIZE", model: "sample:mnist_dense", op: 2, ref: refDequantize,
			ids: ids(kernels.MistakeInputOffsetSign)},
		{name: "sample mnist_cnn CONV_2D", model: "sample:mnist_cnn", op: 0, ref: refMAC,
			ids: append(slices.Clone(macIDs), kernels.MistakePerTensorScale)},
		{name: "sample mnist_cnn FULLY_CONNECTED", model: "sample:mnist_cnn", op: 3, ref: refMAC,
			ids: append(slices.Clone(macIDs), kernels.MistakeTransposedWeights)},
		{name: "sample mnist_cnn SOFTMAX", model: "sample:mnist_cnn", op: 4, ref: refSoftmax,
			ids: ids(kernels.MistakeFloatRequant, kernels.MistakeHalfEven, kernels.MistakeTruncate, kernels.MistakeSingleRounding, kernels.MistakeNoOutputZP, kernels.MistakeNoClamp)},
	}
}

// TestCheckTrueValues: the run's own dump, as integers, as reals and in
// every file format, gives exit 0, "every value matches" and no diagnosis.
func TestCheckTrueValues(t *testing.T) {
	dir := t.TempDir()
	dump := filepath.Join(dir, "dump")
	runOK(t, "run", "sample:mnist_cnn", "--dump", dump)
	code, out, errs := runCLI(t, "check", "sample:mnist_cnn", "--against", dump)
	if code != exitOK || !strings.Contains(out, "every value matches") || strings.Contains(out, "diagnosis") || errs != "" {
		t.Fatalf("exit %d, stderr %q:\n%s", code, errs, out)
	}
	if n := strings.Count(out, "elements match"); n != 6 {
		t.Errorf("%d tensors compared, want the 6 non-constant ones:\n%s", n, out)
	}
	// The FULLY_CONNECTED output t9 in each format: integers, and reals
	// within half an LSB of the dequantized values.
	lm, _ := loadModel("sample:mnist_cnn")
	ip, _ := trace.New(lm.Model, trace.Options{})
	loadInputs(ip, stringList{"digit:7"}, -1, false)
	ip.Invoke()
	t9 := ip.Tensor(9)
	var ints, reals, nearHalf []string
	var intBody, bigEndian bytes.Buffer
	for i := range t9.NumElements() {
		q := t9.Int(i)
		ints = append(ints, fmt.Sprint(q))
		reals = append(reals, fmt.Sprint(t9.Dequantize(i)))
		// 0.49 LSB off the dequantized value still matches.
		nearHalf = append(nearHalf, fmt.Sprint(t9.Dequantize(i)+0.49*float64(t9.Scale0())))
		binary.Write(&intBody, binary.LittleEndian, int64(q))
		binary.Write(&bigEndian, binary.BigEndian, int16(q))
	}
	files := map[string]string{
		"t9.txt":       strings.Join(ints, "\n") + "\n",
		"t9.csv":       "# my FC output\n" + strings.Join(ints, ",") + "\n",
		"t9.json":      "[[" + strings.Join(ints, ", ") + "]]",
		"reals.txt":    strings.Join(reals, " "),
		"half.json":    "[" + strings.Join(nearHalf, ",") + "]",
		"t9.bin":       string(t9.Data),
		"spaces.csv":   strings.Join(ints, ", ") + "\n",
		"nested.json":  "[[[" + strings.Join(ints[:5], ",") + "]], [[" + strings.Join(ints[5:], ",") + "]]]",
		"fortran2.txt": strings.Join(ints, "\t"),
	}
	for name, body := range files {
		path := filepath.Join(dir, name)
		os.WriteFile(path, []byte(body), 0o644)
		code, out, errs := runCLI(t, "check", "sample:mnist_cnn", "--tensor", "9="+path)
		if code != exitOK || !strings.Contains(out, "all 10 elements match") {
			t.Errorf("%s: exit %d, stderr %q:\n%s", name, code, errs, out)
		}
	}
	npy := filepath.Join(dir, "t9.npy")
	npyFile(t, npy, "<i8", false, "(1, 10)", intBody.Bytes())
	be := filepath.Join(dir, "be.npy")
	npyFile(t, be, ">i2", false, "(10,)", bigEndian.Bytes())
	for _, path := range []string{npy, be} {
		if code, out, errs := runCLI(t, "check", "sample:mnist_cnn", "--tensor", "t9="+path, "--json"); code != exitOK ||
			!strings.Contains(out, `"match": true`) || strings.Contains(out, `"diagnosis"`) {
			t.Errorf("%s: exit %d, stderr %q:\n%s", path, code, errs, out)
		}
	}
	// np.savetxt's default writes integers as reals: read as reals, with a
	// note saying they would match as integers.
	savetxt := filepath.Join(dir, "savetxt.txt")
	os.WriteFile(savetxt, []byte(strings.Join(ints, ".000000000000000000e+00\n")+".000000000000000000e+00\n"), 0o644)
	if code, out, _ := runCLI(t, "check", "sample:mnist_cnn", "--tensor", "9="+savetxt); code != exitFailure ||
		!strings.Contains(out, "read as quantized integers, 10 of 10 would match") {
		t.Errorf("savetxt: exit %d:\n%s", code, out)
	}
	// A real value 0.51 LSB away no longer matches.
	off := strings.Split(files["reals.txt"], " ")
	off[3] = fmt.Sprint(t9.Dequantize(3) + 0.51*float64(t9.Scale0()))
	path := filepath.Join(dir, "off.txt")
	os.WriteFile(path, []byte(strings.Join(off, " ")), 0o644)
	if code, out, _ := runCLI(t, "check", "sample:mnist_cnn", "--tensor", "9="+path); code != exitFailure || !strings.Contains(out, "1 of 10 elements differ") ||
		!strings.Contains(out, "half an LSB") {
		t.Errorf("0.51 LSB off: exit %d:\n%s", code, out)
	}
}

// TestCheckFortranNpy: a Fortran-ordered .npy is read in C order.
func TestCheckFortranNpy(t *testing.T) {
	dir := t.TempDir()
	dump := filepath.Join(dir, "dump")
	runOK(t, "run", "sample:mnist_cnn", "--dump", dump)
	raw, err := os.ReadFile(filepath.Join(dump, "t6.bin")) // CONV_2D output [1,26,26,8]
	if err != nil {
		t.Fatal(err)
	}
	// Column-major [26·26, 8]: element (r, c) at c·676 + r.
	body := make([]byte, len(raw))
	for r := range 676 {
		for c := range 8 {
			body[c*676+r] = raw[r*8+c]
		}
	}
	path := npyFile(t, filepath.Join(dir, "f.npy"), "|i1", true, "(676, 8)", body)
	if code, out, errs := runCLI(t, "check", "sample:mnist_cnn", "--tensor", "6="+path); code != exitOK || !strings.Contains(out, "all 5408 elements match") {
		t.Errorf("exit %d, stderr %q:\n%s", code, errs, out)
	}
}

// TestCheckNoWrongClaim: shuffled or noisy values get "no known mistake
// reproduces these values" with the best partial match, never a diagnosis
// line naming ids.
func TestCheckNoWrongClaim(t *testing.T) {
	dir := t.TempDir()
	dump := filepath.Join(dir, "dump")
	runOK(t, "run", "sample:mnist_cnn", "--dump", dump)
	raw, _ := os.ReadFile(filepath.Join(dump, "t6.bin")) // CONV_2D output, 5408 elements
	r := rand.New(rand.NewPCG(3, 4))
	shuffled := slices.Clone(raw)
	r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	noisy := slices.Clone(raw)
	for i := range noisy {
		if r.IntN(10) < 3 {
			noisy[i] = byte(int8(noisy[i]) + int8(1-2*r.IntN(2)))
		}
	}
	for name, data := range map[string][]byte{"shuffled.bin": shuffled, "noisy.bin": noisy} {
		path := filepath.Join(dir, name)
		os.WriteFile(path, data, 0o644)
		code, out, errs := runCLI(t, "check", "sample:mnist_cnn", "--tensor", "6="+path)
		if code != exitFailure || errs != "" {
			t.Fatalf("%s: exit %d, stderr %q", name, code, errs)
		}
		if !noMistakeLine.MatchString(out) || diagnosisLine.MatchString(out) || runtimeDiagnosisLine.MatchString(out) {
			t.Errorf("%s: want no known mistake:\n%s", name, out)
		}
		if !strings.Contains(out, "best partial match") && !strings.Contains(out, "than TFLite's own values") {
			t.Errorf("%s: no partial match reported:\n%s", name, out)
		}
	}
}

// TestCheckAgainstFolder: a folder of dumps named by index and by tensor
// name; the mistaken FULLY_CONNECTED is the source, the DEQUANTIZE after it
// differs only because of it; a file holding another tensor's values is
// named as such.
func TestCheckAgainstFolder(t *testing.T) {
	dir := t.TempDir()
	dump := filepath.Join(dir, "dump")
	runOK(t, "run", "sample:mnist_dense", "--dump", dump)
	mine := filepath.Join(dir, "mine")
	os.MkdirAll(mine, 0o755)
	// t3 (QUANTIZE output) correct, by its name "tfl.quantize".
	t3, _ := os.ReadFile(filepath.Join(dump, "t3.bin"))
	os.WriteFile(filepath.Join(mine, "tfl.quantize.bin"), t3, 0o644)
	// t4 (FULLY_CONNECTED) without the output zero point 45, t5 dequantized
	// from it: (q − 45)·s.
	t4, _ := os.ReadFile(filepath.Join(dump, "t4.bin"))
	var q4, r5 []string
	for _, b := range t4 {
		q4 = append(q4, fmt.Sprint(int(int8(b))-45))
		r5 = append(r5, fmt.Sprint(float64(float32(0.138268322)*float32(int(int8(b))-90))))
	}
	os.WriteFile(filepath.Join(mine, "t4.txt"), []byte(strings.Join(q4, " ")), 0o644)
	os.WriteFile(filepath.Join(mine, "StatefulPartitionedCall_0.json"), []byte("["+strings.Join(r5, ",")+"]"), 0o644)
	os.WriteFile(filepath.Join(mine, "notes.md"), []byte("ignored"), 0o644)
	code, out, errs := runCLI(t, "check", "sample:mnist_dense", "--against", mine)
	if code != exitFailure || errs != "" {
		t.Fatalf("exit %d, stderr %q:\n%s", code, errs, out)
	}
	assertContains(t, "check", out,
		"source: op 1 FULLY_CONNECTED — its output t4 differs while every input matches",
		"op 2 DEQUANTIZE: t5 differ(s), because of its input(s) t4",
		"diagnosis: no-output-zp reproduces 10/10 elements of tensor 4 (op 1 FULLY_CONNECTED)",
		"TFLite adds the output zero point zp_out = 45 after scaling; your numbers don't.",
		"▶ zp",
		"all 784 elements match",
	)
	code, js, _ := runCLI(t, "check", "sample:mnist_dense", "--against", mine, "--json")
	for _, want := range []string{`"ids": [
      "no-output-zp"
    ]`, `"source": {
    "op": 1,`, `"reproduces": 10`, `"exact": true`, `"parted": `} {
		if code != exitFailure || !strings.Contains(js, want) {
			t.Errorf("JSON lacks %q:\n%s", want, js)
		}
	}
	// mnist_cnn: the SOFTMAX output file holds the FULLY_CONNECTED output.
	cnn := filepath.Join(dir, "cnn")
	runOK(t, "run", "sample:mnist_cnn", "--dump", cnn)
	t9, _ := os.ReadFile(filepath.Join(cnn, "t9.bin"))
	wrong := filepath.Join(dir, "t10.bin")
	os.WriteFile(wrong, t9, 0o644)
	code, out, _ = runCLI(t, "check", "sample:mnist_cnn", "--tensor", "10="+wrong)
	if code != exitFailure || !strings.Contains(out, "diagnosis: wrong-tensor reproduces 10/10 elements of tensor 10 (op 4 SOFTMAX)") ||
		!strings.Contains(out, `exactly tensor 9 "sequential/dense/MatMul;sequential/dense/BiasAdd"'s`) {
		t.Errorf("wrong tensor: exit %d:\n%s", code, out)
	}
}

// TestCheckBadInput: each bad input is one line naming the file and the
// cause, exit 2.
func TestCheckBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o644)
		return p
	}
	count := write("count.txt", "1 2 3")
	ext := write("values.xlsx", "1")
	word := write("word.csv", "1,2,three,4")
	nan := write("nan.txt", "1 2 nan 4 5 6 7 8 9 10")
	jsonNaN := write("bad.json", `[1, 2, "NaN", 4, 5, 6, 7, 8, 9, 10]`)
	var nanBody bytes.Buffer
	for i := range 10 {
		v := float32(i)
		if i == 4 {
			v = float32(math.NaN())
		}
		binary.Write(&nanBody, binary.LittleEndian, v)
	}
	npyNaN := filepath.Join(dir, "nan.npy")
	npyFile(t, npyNaN, "<f4", false, "(10,)", nanBody.Bytes())
	bin := write("short.bin", "123")
	emptyDir := filepath.Join(dir, "empty")
	os.MkdirAll(emptyDir, 0o755)
	badName := filepath.Join(dir, "badname")
	os.MkdirAll(badName, 0o755)
	os.WriteFile(filepath.Join(badName, "layer4.npy"), []byte("x"), 0o644)
	outOfRange := filepath.Join(dir, "oor")
	os.MkdirAll(outOfRange, 0o755)
	os.WriteFile(filepath.Join(outOfRange, "t99.txt"), []byte("1"), 0o644)
	for _, tc := range []struct {
		name  string
		args  []string
		frags []string
	}{
		{"wrong count", []string{"--tensor", "4=" + count}, []string{count, "3 values", "10 elements"}},
		{"unknown extension", []string{"--tensor", "4=" + ext}, []string{ext, "unknown format", ".xlsx"}},
		{"index out of range", []string{"--tensor", "42=" + count}, []string{"42", "out of range", "0..5"}},
		{"not an index", []string{"--tensor", "x=" + count}, []string{"not a tensor index"}},
		{"no file", []string{"--tensor", "4"}, []string{"want I=FILE"}},
		{"non-numeric", []string{"--tensor", "4=" + word}, []string{word, `"three" is not a number`}},
		{"NaN text", []string{"--tensor", "4=" + nan}, []string{nan, "not a finite number"}},
		{"NaN json", []string{"--tensor", "4=" + jsonNaN}, []string{jsonNaN, "not a number"}},
		{"NaN npy", []string{"--tensor", "5=" + npyNaN}, []string{npyNaN, "NaN"}},
		{"short bin", []string{"--tensor", "4=" + bin}, []string{bin, "3 bytes"}},
		{"missing file", []string{"--tensor", "4=" + filepath.Join(dir, "none.txt")}, []string{"none.txt", "no such file"}},
		{"no values", nil, []string{"--tensor I=FILE or --against DIR"}},
		{"empty folder", []string{"--against", emptyDir}, []string{emptyDir, "no value files"}},
		{"unnamed file", []string{"--against", badName}, []string{"layer4.npy", "names no tensor"}},
		{"folder index out of range", []string{"--against", outOfRange}, []string{"t99.txt", "names tensor 99"}},
		{"twice", []string{"--tensor", "4=" + count, "--tensor", "t4=" + word}, []string{"both give tensor 4"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runCLI(t, append([]string{"check", "sample:mnist_dense"}, tc.args...)...)
			if code != exitUsage || out != "" {
				t.Fatalf("exit %d, want 2; stdout %q, stderr %q", code, out, errs)
			}
			assertOneLineError(t, errs, tc.frags...)
		})
	}
}

// TestCheckRealValuesDiagnosed: a mistake in real values (dequantized with
// the tensor's scale and zero point) is diagnosed like one in integers.
func TestCheckRealValuesDiagnosed(t *testing.T) {
	dir := t.TempDir()
	dump := filepath.Join(dir, "dump")
	runOK(t, "run", "sample:mnist_dense", "--dump", dump)
	t4, _ := os.ReadFile(filepath.Join(dump, "t4.bin"))
	var reals []string
	for _, b := range t4 {
		q := int(int8(b)) - 45 // no output zero point
		reals = append(reals, fmt.Sprintf("%.6f", float64(q-45)*0.138268322))
	}
	path := filepath.Join(dir, "reals.csv")
	os.WriteFile(path, []byte(strings.Join(reals, ",")), 0o644)
	code, out, _ := runCLI(t, "check", "sample:mnist_dense", "--tensor", "4="+path)
	if code != exitFailure || !strings.Contains(out, "real values: compared with the dequantized values (q − zp)·s to half an LSB") ||
		!strings.Contains(out, "diagnosis: no-output-zp reproduces 10/10 elements of tensor 4 (op 1 FULLY_CONNECTED)") {
		t.Errorf("exit %d:\n%s", code, out)
	}
	// An operator without a model: the runtime's values are counted, no claim.
	cnn := filepath.Join(dir, "cnn")
	runOK(t, "run", "sample:mnist_cnn", "--dump", cnn)
	t7, _ := os.ReadFile(filepath.Join(cnn, "t7.bin"))
	t7[5]++
	pool := filepath.Join(dir, "t7.bin")
	os.WriteFile(pool, t7, 0o644)
	code, out, _ = runCLI(t, "check", "sample:mnist_cnn", "--tensor", "7="+pool)
	if code != exitFailure || !strings.Contains(out, "has no model of MAX_POOL_2D") || !strings.Contains(out, "match 1351/1352 elements") {
		t.Errorf("MAX_POOL_2D: exit %d:\n%s", code, out)
	}
}

// TestCheckNamesEveryMatchingRuntime: when several runtimes compute
// exactly the user's values (kws_dscnn's first CONV_2D on --random 3:
// tflm-single and tflite-xnnpack agree), check names all of them, in text
// and in JSON's runtimes (runtime keeps the first).
func TestCheckNamesEveryMatchingRuntime(t *testing.T) {
	shared := os.Getenv("TFLQ_SHARED")
	model := filepath.Join(shared, "models", "kws_dscnn_int8.tflite")
	if _, err := os.Stat(model); shared == "" || err != nil {
		t.Skip("SKIPPED: no shared data (TFLQ_SHARED): needs models/kws_dscnn_int8.tflite")
	}
	dump := filepath.Join(t.TempDir(), "dump")
	runOK(t, "run", model, "--random", "3", "--runtime", "tflm-single", "--dump", dump)
	args := []string{"check", model, "--random", "3", "--tensor", "22=" + filepath.Join(dump, "t22.bin")}
	code, out, errs := runCLI(t, args...)
	if code != exitFailure {
		t.Fatalf("exit %d, want 1: %s%s", code, out, errs)
	}
	assertContains(t, "check", out,
		"diagnosis: not a mistake: your values are exactly tflm-single's and tflite-xnnpack's, 8000/8000 elements of tensor 22 (op 0 CONV_2D)",
		"your values are exactly what tflm-single and tflite-xnnpack compute (tflm-single: ",
		"; tflite-xnnpack: ",
	)
	code, out, errs = runCLI(t, append(args, "--json")...)
	if code != exitFailure {
		t.Fatalf("--json: exit %d: %s", code, errs)
	}
	var rep struct {
		Diagnosis struct {
			Runtime  string   `json:"runtime"`
			Runtimes []string `json:"runtimes"`
		} `json:"diagnosis"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Diagnosis.Runtime != "tflm-single" || !slices.Equal(rep.Diagnosis.Runtimes, []string{"tflm-single", "tflite-xnnpack"}) {
		t.Fatalf("JSON diagnosis runtime %q, runtimes %v; want tflm-single and [tflm-single tflite-xnnpack]", rep.Diagnosis.Runtime, rep.Diagnosis.Runtimes)
	}
}
