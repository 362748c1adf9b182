package kernels

import (
	"math/rand"
	"testing"

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

// refBMMOut materialises each (possibly transposed, broadcast) matrix and
// multiplies it plainly. Batch shapes here have rank ≤ 3 after extension.
func refBMMOut(tc refBMMCase, lhs, rhs []int64, single bool) []int64 {
	rank := max(len(tc.lhsShape), len(tc.rhsShape))
	ext := func(s []int) []int {
		e := append(make([]int, rank-len(s)), s...)
		for i := 0; i < rank-len(s); i++ {
			e[i] = 1
		}
		return e
	}
	ls, rs := ext(tc.lhsShape), ext(tc.rhsShape)
	matrix := func(data []int64, shape []int, batch []int, transpose bool) [][]int64 {
		// flat offset of the broadcast batch
		off := 0
		for i := 0; i < rank-2; i++ {
			c := batch[i]
			if shape[i] == 1 {
				c = 0
			}
			off = off*shape[i] + c
		}
		rows, cols := shape[rank-2], shape[rank-1]
		off *= rows * cols
		m := make([][]int64, rows)
		for r := range m {
			m[r] = data[off+r*cols : off+(r+1)*cols]
		}
		if !transpose {
			return m
		}
		t := make([][]int64, cols)
		for c := range t {
			t[c] = make([]int64, rows)
			for r := range rows {
				t[c][r] = m[r][c]
			}
		}
		return t
	}
	batchShape := make([]int, rank-2)
	for i := range batchShape {
		batchShape[i] = max(ls[i], rs[i])
	}
	prod := tc.lhsScale * tc.rhsScale
	q, s := refQuantize(float64(prod)/float64(tc.outScale), single)
	lo, hi := refActRange(tflite.ActNone, tc.typ, tc.outScale, tc.outZP)
	var out []int64
	batch := make([]int, len(batchShape))
	for range NumElements(batchShape) {
		a := matrix(lhs, ls, batch, tc.adjX)
		b := matrix(rhs, rs, batch, tc.adjY)
		for i := range a {
			for j := range b[0] {
				var acc int64
				for k := range b {
					acc += (a[i][k] - tc.lhsZP) * (b[k][j] - tc.rhsZP)
				}
				var v int64
				if tc.typ == tflite.TypeInt16 {
					v = refScale64(acc, q, s)
				} else {
					v = refScale32(int32(acc), q, s, single) + tc.outZP
				}
				out = append(out, refClamp(v, lo, hi))
			}
		}
		for i := len(batch) - 1; i >= 0; i-- {
			batch[i]++
			if batch[i] < batchShape[i] {
				break
			}
			batch[i] = 0
		}
	}
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
				lo, hi := int64(-128), int64(127)
				if tc.typ == tflite.TypeInt16 {
					lo, hi = -32768, 32767
				}
				lhs := randInts(r, NumElements(tc.lhsShape), lo, hi)
				rhs := randInts(r, NumElements(tc.rhsShape), lo, hi)
				lT := qtensor(tc.typ, tc.lhsShape, []float32{tc.lhsScale}, tc.lhsZP, lhs)
				rT := qtensor(tc.typ, tc.rhsShape, []float32{tc.rhsScale}, tc.rhsZP, rhs)
				out := qtensor[int64](tc.typ, tc.wantOutShape, []float32{tc.outScale}, tc.outZP, nil)
				k, err := Prepare(&Node{Op: tflite.OpBatchMatmul, Inputs: []*Tensor{lT, rT}, Outputs: []*Tensor{out}, Rounding: rule,
					Options: tflite.Options{AdjX: tc.adjX, AdjY: tc.adjY}})
				if err != nil {
					t.Fatal(err)
				}
				if err := k.Eval(); err != nil {
					t.Fatal(err)
				}
				want := refBMMOut(tc, lhs, rhs, rule == RoundingSingle)
				got := tensorInts(out)
				if len(got) != len(want) {
					t.Fatalf("%d outputs, want %d", len(got), len(want))
				}
				for e := range want {
					if got[e] != want[e] {
						t.Fatalf("element %d: got %d, want %d", e, got[e], want[e])
					}
				}
				checkExplain(t, k, out, true)
			})
		}
	}
}

// TestBatchMatmulHandChecked: [1,2]·[2,1] with zero points 1 and −1:
// (3−1)·(2+1) + (5−1)·(−4+1) = 6 − 12 = −6; M = 0.5·0.5/0.25 = 1 → −6, + zp 2 = −4.
func TestBatchMatmulHandChecked(t *testing.T) {
	l := qtensor(tflite.TypeInt8, []int{1, 2}, []float32{0.5}, 1, []int64{3, 5})
	r := qtensor(tflite.TypeInt8, []int{2, 1}, []float32{0.5}, -1, []int64{2, -4})
	out := qtensor[int64](tflite.TypeInt8, []int{1, 1}, []float32{0.25}, 2, nil)
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
