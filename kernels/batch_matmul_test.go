package kernels

import (
	"math/rand"
	"testing"

	"github.com/tflq/tflq-trace/internal/oracle"
	"github.com/tflq/tflq-trace/tflite"
)

type refBMMCase struct {
	name                string
	typ                 tflite.TensorType
	lhsShape, rhsShape  []int
	adjX, adjY          bool
	lhsZP, rhsZP, outZP int64
	lhsScale, rhsScale  float32
	outScale            float32
	wantOutShape        []int
}

// refBMMOut is the oracle's BATCH_MATMUL for the case: one multiplier from
// the float32 product s_lhs·s_rhs, no activation, the 64-bit accumulator for
// int16.
func refBMMOut(tc refBMMCase, lhs, rhs []int64, rule Rounding) []int64 {
	_, out := oracle.BatchMatmul(oracle.BatchMatmulOp{LHSShape: tc.lhsShape, RHSShape: tc.rhsShape, AdjX: tc.adjX, AdjY: tc.adjY,
		LHSOffset: -tc.lhsZP, RHSOffset: -tc.rhsZP,
		Out: refStage(tc.typ, []float64{oracle.ProductMultiplier(tc.lhsScale, tc.rhsScale, tc.outScale)}, tc.outScale, tc.outZP, tflite.ActNone, tc.typ == tflite.TypeInt16, rule)},
		lhs, rhs)
	return out
}

func TestBatchMatmulMatchesReference(t *testing.T) {
	cases := []refBMMCase{
		{name: "int8_3d", typ: tflite.TypeInt8, lhsShape: []int{2, 3, 4}, rhsShape: []int{2, 4, 5}, lhsZP: -3, rhsZP: 7, outZP: 10,
			lhsScale: 0.05, rhsScale: 0.04, outScale: 0.3, wantOutShape: []int{2, 3, 5}},
		{name: "int8_adj_y_bcast_rhs", typ: tflite.TypeInt8, lhsShape: []int{3, 2, 4}, rhsShape: []int{5, 4}, adjY: true, lhsZP: 12, rhsZP: 0, outZP: -20,
			lhsScale: 0.05, rhsScale: 0.04, outScale: 0.2, wantOutShape: []int{3, 2, 5}},
		{name: "int8_4d_adj_xy_bcast", typ: tflite.TypeInt8, lhsShape: []int{2, 1, 4, 3}, rhsShape: []int{1, 3, 2, 4}, adjX: true, adjY: true,
			lhsZP: 1, rhsZP: -1, outZP: 0, lhsScale: 0.05, rhsScale: 0.05, outScale: 0.25, wantOutShape: []int{2, 3, 3, 2}},
		{name: "int16_3d_adj_x", typ: tflite.TypeInt16, lhsShape: []int{2, 4, 3}, rhsShape: []int{2, 4, 2}, adjX: true,
			lhsScale: 0.001, rhsScale: 0.001, outScale: 0.05, wantOutShape: []int{2, 3, 2}},
	}
	for i, tc := range cases {
		for _, rule := range Roundings() {
			t.Run(tc.name+"/"+rule.String(), func(t *testing.T) {
				r := rand.New(rand.NewSource(int64(500 + i)))
				lo, hi := oracle.TypeRange(tc.typ)
				lhs := randInts(r, NumElements(tc.lhsShape), lo, hi)
				rhs := randInts(r, NumElements(tc.rhsShape), lo, hi)
				lT := qtensor(tc.typ, tc.lhsShape, []float32{tc.lhsScale}, tc.lhsZP, lhs)
				rT := qtensor(tc.typ, tc.rhsShape, []float32{tc.rhsScale}, tc.rhsZP, rhs)
				out := qtensor(tc.typ, tc.wantOutShape, []float32{tc.outScale}, tc.outZP, nil)
				k, err := Prepare(&Node{Op: tflite.OpBatchMatmul, Inputs: []*Tensor{lT, rT}, Outputs: []*Tensor{out}, Rounding: rule,
					Options: tflite.Options{AdjX: tc.adjX, AdjY: tc.adjY}})
				if err != nil {
					t.Fatal(err)
				}
				want := refBMMOut(tc, lhs, rhs, rule)
				checkMACOutput(t, k, out, want, true)
			})
		}
	}
}

// TestBatchMatmulHandChecked: [1,2]·[2,1] with zero points 1 and −1:
// (3−1)·(2+1) + (5−1)·(−4+1) = 6 − 12 = −6; M = 0.5·0.5/0.25 = 1 → −6, + zp 2 = −4.
func TestBatchMatmulHandChecked(t *testing.T) {
	l := qtensor(tflite.TypeInt8, []int{1, 2}, []float32{0.5}, 1, []int64{3, 5})
	r := qtensor(tflite.TypeInt8, []int{2, 1}, []float32{0.5}, -1, []int64{2, -4})
	out := qtensor(tflite.TypeInt8, []int{1, 1}, []float32{0.25}, 2, nil)
	k, err := Prepare(&Node{Op: tflite.OpBatchMatmul, Inputs: []*Tensor{l, r}, Outputs: []*Tensor{out}, Options: tflite.Options{}})
	if err != nil {
		t.Fatal(err)
	}
	if err := k.Eval(); err != nil {
		t.Fatal(err)
	}
	if got := out.Int(0); got != -4 {
		t.Fatalf("got %d, want -4", got)
	}
}
