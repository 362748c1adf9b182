package kernels

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/tflq/tflq-trace/internal/oracle"
	"github.com/tflq/tflq-trace/tflite"
)

type refFCCase struct {
	name              string
	typ               tflite.TensorType
	biasType          tflite.TensorType // 0: none
	quantizedBiasType tflite.TensorType // the options' quantized_bias_type
	inShape, outShape []int
	depth, units      int
	act               tflite.Activation
	perChannel        bool
	inZP, outZP, wZP  int64
	inScale, outScale float32
}

// refFCOut is the oracle's FULLY_CONNECTED for the case: per-channel
// multipliers in double, a per-tensor one from the float32 product s_in·s_w
// (GetQuantizedConvolutionMultipler); the weight offset only for per-tensor
// weights.
func refFCOut(tc refFCCase, in, w, bias []int64, ws []float32, rule Rounding) []int64 {
	reals := []float64{oracle.ProductMultiplier(tc.inScale, ws[0], tc.outScale)}
	wOff := -tc.wZP
	if tc.perChannel {
		reals, wOff = oracle.ConvMultipliers(tc.inScale, ws, tc.outScale), 0
	}
	wide := tc.biasType == tflite.TypeInt64 || tc.biasType == 0 && tc.quantizedBiasType == tflite.TypeInt64
	return oracle.FullyConnected(oracle.FC{Batches: NumElements(tc.outShape) / tc.units, Depth: tc.depth, Units: tc.units,
		InputOffset: refInputOffset(tc.typ, tc.inZP), WeightOffset: wOff,
		Out: refStage(tc.typ, reals, tc.outScale, tc.outZP, tc.act, wide, rule)}, in, w, bias)
}

func buildFC(t testing.TB, tc refFCCase, r *rand.Rand, rule Rounding) (k Kernel, out *Tensor, in, w, bias []int64, ws []float32) {
	t.Helper()
	lo, hi := oracle.TypeRange(tc.typ)
	in = randInts(r, NumElements(tc.inShape), lo, hi)
	w = randInts(r, tc.units*tc.depth, -127, 127)
	nScales := 1
	if tc.perChannel {
		nScales = tc.units
	}
	ws = randScales(r, nScales, 0.002, 0.02)
	inT := qtensor(tc.typ, tc.inShape, []float32{tc.inScale}, tc.inZP, in)
	wT := qtensor(tflite.TypeInt8, []int{tc.units, tc.depth}, ws, tc.wZP, w)
	var bT *Tensor
	if tc.biasType != 0 {
		bias = randInts(r, tc.units, -5000, 5000)
		bT = qtensor(tc.biasType, []int{tc.units}, ws, 0, bias)
	}
	out = qtensor(tc.typ, tc.outShape, []float32{tc.outScale}, tc.outZP, nil)
	n := &Node{Op: tflite.OpFullyConnected, Inputs: []*Tensor{inT, wT, bT}, Outputs: []*Tensor{out},
		Options: tflite.Options{Activation: tc.act, QuantizedBiasType: tc.quantizedBiasType}, Rounding: rule}
	k, err := Prepare(n)
	if err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	return k, out, in, w, bias, ws
}

var fcCases = []refFCCase{
	{name: "int8_bias", typ: tflite.TypeInt8, biasType: tflite.TypeInt32, inShape: []int{1, 20}, outShape: []int{1, 6}, depth: 20, units: 6,
		inZP: -3, outZP: 10, inScale: 0.05, outScale: 0.1},
	{name: "int8_nobias_relu6_batch3", typ: tflite.TypeInt8, inShape: []int{3, 16}, outShape: []int{3, 5}, depth: 16, units: 5,
		act: tflite.ActRelu6, inZP: 40, outZP: -128, inScale: 0.03, outScale: 0.03},
	{name: "int8_perchannel_relu", typ: tflite.TypeInt8, biasType: tflite.TypeInt32, inShape: []int{2, 12}, outShape: []int{2, 4}, depth: 12, units: 4,
		act: tflite.ActRelu, perChannel: true, inZP: 0, outZP: -5, inScale: 0.05, outScale: 0.05},
	{name: "int8_input4d_keep_num_dims", typ: tflite.TypeInt8, biasType: tflite.TypeInt32, inShape: []int{1, 2, 3, 8}, outShape: []int{1, 2, 3, 4}, depth: 8, units: 4,
		inZP: 7, outZP: 0, inScale: 0.05, outScale: 0.04},
	{name: "int8_filter_zero_point", typ: tflite.TypeInt8, biasType: tflite.TypeInt32, inShape: []int{1, 10}, outShape: []int{1, 3}, depth: 10, units: 3,
		inZP: -1, outZP: 2, wZP: 3, inScale: 0.05, outScale: 0.05},
	{name: "int16_bias64", typ: tflite.TypeInt16, biasType: tflite.TypeInt64, inShape: []int{2, 24}, outShape: []int{2, 5}, depth: 24, units: 5,
		inScale: 0.001, outScale: 0.003},
	{name: "int16_bias32_relu", typ: tflite.TypeInt16, biasType: tflite.TypeInt32, inShape: []int{1, 24}, outShape: []int{1, 5}, depth: 24, units: 5,
		act: tflite.ActRelu, inScale: 0.001, outScale: 0.003},
	{name: "int16_nobias_perchannel", typ: tflite.TypeInt16, inShape: []int{1, 3, 10}, outShape: []int{1, 3, 4}, depth: 10, units: 4,
		perChannel: true, inScale: 0.001, outScale: 0.001},
	{name: "int16_nobias_bias_type_int64", typ: tflite.TypeInt16, quantizedBiasType: tflite.TypeInt64, inShape: []int{2, 16}, outShape: []int{2, 6}, depth: 16, units: 6,
		inScale: 0.0003, outScale: 0.0005},
	{name: "int16_bias64_perchannel", typ: tflite.TypeInt16, biasType: tflite.TypeInt64, inShape: []int{1, 10}, outShape: []int{1, 4}, depth: 10, units: 4,
		perChannel: true, inScale: 0.001, outScale: 0.001},
}

func TestFullyConnectedMatchesReference(t *testing.T) {
	for i, tc := range fcCases {
		for _, rule := range Roundings() {
			t.Run(tc.name+"/"+rule.String(), func(t *testing.T) {
				r := rand.New(rand.NewSource(int64(300 + i)))
				k, out, in, w, bias, ws := buildFC(t, tc, r, rule)
				want := refFCOut(tc, in, w, bias, ws, rule)
				checkMACOutput(t, k, out, want, true)
			})
		}
	}
}

// TestFullyConnectedMultiplierFloatProduct pins the per-tensor FC rule: the
// product s_in·s_w is rounded to float32 before the division in double.
// With s_in = 0.1, s_w = 0.3, s_out = 0.7 the float32 product is
// 0.030000001 (0x3CF5C290), not the double product 0.030000000745...
func TestFullyConnectedMultiplierFloatProduct(t *testing.T) {
	in := qtensor(tflite.TypeInt8, []int{1, 1}, []float32{0.1}, 0, []int64{1})
	w := qtensor(tflite.TypeInt8, []int{1, 1}, []float32{0.3}, 0, []int64{1})
	out := qtensor(tflite.TypeInt8, []int{1, 1}, []float32{0.7}, 0, nil)
	k, err := Prepare(&Node{Op: tflite.OpFullyConnected, Inputs: []*Tensor{in, w}, Outputs: []*Tensor{out}, Options: tflite.Options{}})
	if err != nil {
		t.Fatal(err)
	}
	m := k.(Describer).Describe().Multipliers
	want := oracle.ProductMultiplier(0.1, 0.3, 0.7)
	if len(m) != 1 || m[0].Real != want || m[0].Channel != -1 {
		t.Fatalf("multipliers %+v, want real %v", m, want)
	}
	if double := oracle.ConvMultiplier(0.1, 0.3, 0.7); double == want {
		t.Fatalf("test scales do not distinguish the float32 product (both %v)", want)
	}
}

// TestFullyConnectedHandChecked: acc = 2·(3+1) + (−1)·(5+1) = 2 (input zp
// −1), + bias −10 = −8; M = 0.5·0.25/0.5 = 0.25 → −2, + zp 7 = 5.
func TestFullyConnectedHandChecked(t *testing.T) {
	in := qtensor(tflite.TypeInt8, []int{1, 2}, []float32{0.5}, -1, []int64{3, 5})
	w := qtensor(tflite.TypeInt8, []int{1, 2}, []float32{0.25}, 0, []int64{2, -1})
	b := qtensor(tflite.TypeInt32, []int{1}, []float32{0.125}, 0, []int64{-10})
	out := qtensor(tflite.TypeInt8, []int{1, 1}, []float32{0.5}, 7, nil)
	k, err := Prepare(&Node{Op: tflite.OpFullyConnected, Inputs: []*Tensor{in, w, b}, Outputs: []*Tensor{out}, Options: tflite.Options{}})
	if err != nil {
		t.Fatal(err)
	}
	if err := k.Eval(); err != nil {
		t.Fatal(err)
	}
	if got := out.Int(0); got != 5 {
		t.Fatalf("got %d, want 5", got)
	}
}

// BenchmarkFullyConnectedInt8 is a kws-sized layer: 1×1024 → 128.
func BenchmarkFullyConnectedInt8(b *testing.B) {
	r := rand.New(rand.NewSource(1))
	k, _, _, _, _, _ := buildFC(b, refFCCase{typ: tflite.TypeInt8, biasType: tflite.TypeInt32, inShape: []int{1, 1024}, outShape: []int{1, 128},
		depth: 1024, units: 128, inZP: -128, outZP: 3, inScale: 0.02, outScale: 0.05}, r, RoundingDouble)
	benchEval(b, k)
}

// BenchmarkFullyConnectedInt8Const is BenchmarkFullyConnectedInt8 with
// constant weights, as in a model (the fast Eval's unpacked rows), on 1
// row and on 8 rows (the packed filter).
func BenchmarkFullyConnectedInt8Const(b *testing.B) {
	for _, rows := range []int{1, 8} {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			r := rand.New(rand.NewSource(1))
			k, _, _, _, _, _ := buildFC(b, refFCCase{typ: tflite.TypeInt8, biasType: tflite.TypeInt32, inShape: []int{rows, 1024}, outShape: []int{rows, 128},
				depth: 1024, units: 128, inZP: -128, outZP: 3, inScale: 0.02, outScale: 0.05}, r, RoundingDouble)
			n := k.(*fullyConnected).node
			n.Inputs[1].Const = true
			k, err := Prepare(n)
			if err != nil {
				b.Fatal(err)
			}
			benchEval(b, k)
		})
	}
}
