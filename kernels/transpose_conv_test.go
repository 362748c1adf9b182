package kernels

import (
	"math/rand"
	"testing"

	"github.com/tflq/tflq-trace/internal/oracle"
	"github.com/tflq/tflq-trace/tflite"
)

type refTCCase struct {
	name              string
	typ               tflite.TensorType
	biasType          tflite.TensorType // 0: none
	n, h, w, cin      int
	cout, fh, fw      int
	oh, ow            int
	sh, sw            int
	padding           tflite.Padding
	act               tflite.Activation
	inZP, outZP       int64
	inScale, outScale float32
}

// refTCOut is the oracle's TRANSPOSE_CONV for the case: per-channel
// multipliers, the 64-bit accumulator for int16 unless the bias is int32.
func refTCOut(tc refTCCase, in, w, bias []int64, ws []float32, rule Rounding) []int64 {
	wide := tc.typ == tflite.TypeInt16 && tc.biasType != tflite.TypeInt32
	return oracle.TransposeConv(oracle.TransposeConvolution{Batches: tc.n, InH: tc.h, InW: tc.w, InC: tc.cin, OutH: tc.oh, OutW: tc.ow, OutC: tc.cout,
		KH: tc.fh, KW: tc.fw, StrideH: tc.sh, StrideW: tc.sw, Padding: tc.padding, InputOffset: refInputOffset(tc.typ, tc.inZP),
		Out: refStage(tc.typ, oracle.ConvMultipliers(tc.inScale, ws, tc.outScale), tc.outScale, tc.outZP, tc.act, wide, rule)}, in, w, bias)
}

func TestTransposeConvMatchesReference(t *testing.T) {
	cases := []refTCCase{
		{name: "int8_same_s2", typ: tflite.TypeInt8, biasType: tflite.TypeInt32, n: 1, h: 3, w: 4, cin: 3, cout: 2, fh: 3, fw: 3, oh: 6, ow: 8,
			sh: 2, sw: 2, padding: tflite.PaddingSame, inZP: -10, outZP: 5, inScale: 0.05, outScale: 0.05},
		{name: "int8_valid_s2x1_k2x3_relu", typ: tflite.TypeInt8, biasType: tflite.TypeInt32, n: 2, h: 3, w: 3, cin: 2, cout: 3, fh: 2, fw: 3, oh: 6, ow: 5,
			sh: 2, sw: 1, padding: tflite.PaddingValid, act: tflite.ActRelu, inZP: 20, outZP: -3, inScale: 0.05, outScale: 0.04},
		{name: "int8_same_s1_nobias", typ: tflite.TypeInt8, n: 1, h: 4, w: 4, cin: 2, cout: 2, fh: 3, fw: 3, oh: 4, ow: 4,
			sh: 1, sw: 1, padding: tflite.PaddingSame, inZP: 0, outZP: 0, inScale: 0.05, outScale: 0.1},
		{name: "int16_same_s2_nobias", typ: tflite.TypeInt16, n: 1, h: 3, w: 3, cin: 2, cout: 2, fh: 3, fw: 3, oh: 6, ow: 6,
			sh: 2, sw: 2, padding: tflite.PaddingSame, inScale: 0.0005, outScale: 0.001},
		{name: "int16_valid_s2_bias64", typ: tflite.TypeInt16, biasType: tflite.TypeInt64, n: 1, h: 3, w: 3, cin: 2, cout: 2, fh: 2, fw: 2, oh: 6, ow: 6,
			sh: 2, sw: 2, padding: tflite.PaddingValid, inScale: 0.0005, outScale: 0.001},
	}
	for i, tc := range cases {
		for _, rule := range Roundings() {
			t.Run(tc.name+"/"+rule.String(), func(t *testing.T) {
				r := rand.New(rand.NewSource(int64(400 + i)))
				lo, hi := oracle.TypeRange(tc.typ)
				in := randInts(r, tc.n*tc.h*tc.w*tc.cin, lo, hi)
				w := randInts(r, tc.cout*tc.fh*tc.fw*tc.cin, -127, 127)
				ws := randScales(r, tc.cout, 0.002, 0.02)
				var bias []int64
				var bT *Tensor
				if tc.biasType != 0 {
					bias = randInts(r, tc.cout, -3000, 3000)
					bT = qtensor(tc.biasType, []int{tc.cout}, ws, 0, bias)
				}
				shapeT := qtensor(tflite.TypeInt32, []int{4}, nil, 0, []int64{int64(tc.n), int64(tc.oh), int64(tc.ow), int64(tc.cout)})
				inT := qtensor(tc.typ, []int{tc.n, tc.h, tc.w, tc.cin}, []float32{tc.inScale}, tc.inZP, in)
				wT := qtensor(tflite.TypeInt8, []int{tc.cout, tc.fh, tc.fw, tc.cin}, ws, 0, w)
				out := qtensor(tc.typ, []int{tc.n, tc.oh, tc.ow, tc.cout}, []float32{tc.outScale}, tc.outZP, nil)
				inputs := []*Tensor{shapeT, wT, inT}
				if bT != nil {
					inputs = append(inputs, bT)
				}
				k, err := Prepare(&Node{Op: tflite.OpTransposeConv, Inputs: inputs, Outputs: []*Tensor{out}, Rounding: rule,
					Options: tflite.Options{Type: tflite.OptionsTransposeConv, Padding: tc.padding, StrideH: int32(tc.sh), StrideW: int32(tc.sw), Activation: tc.act}})
				if err != nil {
					t.Fatal(err)
				}
				want := refTCOut(tc, in, w, bias, ws, rule)
				checkMACOutput(t, k, out, want, false)
			})
		}
	}
}
