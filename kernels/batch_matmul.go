package kernels

import (
	"fmt"

	"github.com/tflq/tflq-trace/tflite"
)

// batchMatmul is BATCH_MATMUL (TFLite-Micro batch_matmul.cc,
// reference_ops::BatchMatMul).
//
// LHS [..., M, K] (or [..., K, M] with adj_x), RHS [..., K, N] (or
// [..., N, K] with adj_y), ranks 2..5, batch dimensions broadcast (a
// dimension of 1 repeats). Output [..., M, N]:
//
//	acc = Σ_k (lhs[..., i, k] + lhs_offset) · (rhs[..., k, j] + rhs_offset)
//	out = clamp(MultiplyByQuantizedMultiplier(acc, M) + zp_out, qmin, qmax)
//
// with lhs_offset = −zp_lhs, rhs_offset = −zp_rhs and M computed like the
// per-tensor FULLY_CONNECTED multiplier: double(float32(s_lhs·s_rhs)) /
// double(s_out). No fused activation: the clamp is the dtype's range. int8
// accumulates in int32 with the 32-bit requantization of the rounding rule;
// int16 (all zero points 0) accumulates in int64 with the 64-bit
// requantization.
type batchMatmul struct {
	macResult // [batches, 1, m, n]
	lhs, rhs  *Tensor
	o         *macOutput

	m, k, n int
	// per output batch: offsets of its LHS and RHS matrices.
	lhsBase, rhsBase []int
	// element strides along i, k (LHS) and k, j (RHS).
	lhsStrideI, lhsStrideK int
	rhsStrideK, rhsStrideJ int

	lhs8, rhs8   []int8
	lhs16, rhs16 []int16
}

// prepareBatchMatmulOptimized prepares int8 BATCH_MATMUL as the 2022 TFLite
// optimized kernel (ImplTFLiteOptimized): optimized_ops::BatchMatMul's GEMM
// runs on ruy, single rounding (macOutput.useRuySingleRounding); int16 is
// TFLite-Micro's arithmetic (not taken).
func prepareBatchMatmulOptimized(n *Node) (Kernel, error) {
	if in := n.Input(0); in == nil || in.Type != tflite.TypeInt8 {
		return nil, fmt.Errorf("%w: only int8 BATCH_MATMUL runs through ruy", errNotTaken)
	}
	kr, err := prepareBatchMatmul(n)
	if err != nil {
		return nil, err
	}
	k := kr.(*batchMatmul)
	k.o.useRuySingleRounding()
	return k, nil
}

// prepareBatchMatmul prepares a BATCH_MATMUL node (see batchMatmul for the
// formula).
func prepareBatchMatmul(n *Node) (Kernel, error) {
	lhs, rhs := n.Input(0), n.Input(1)
	if lhs == nil || rhs == nil || len(n.Outputs) < 1 || n.Outputs[0] == nil {
		return nil, fmt.Errorf("%w: BATCH_MATMUL needs lhs, rhs and output", ErrMissingInput)
	}
	out := n.Outputs[0]
	if lhs.Type != rhs.Type || lhs.Type != out.Type || (lhs.Type != tflite.TypeInt8 && lhs.Type != tflite.TypeInt16) {
		return nil, fmt.Errorf("%w: BATCH_MATMUL lhs %v, rhs %v, output %v (want all int8 or all int16)",
			ErrUnsupportedType, lhs.Type, rhs.Type, out.Type)
	}
	lr, rr := lhs.Rank(), rhs.Rank()
	if lr < 2 || lr > 5 || rr < 2 || rr > 5 {
		return nil, fmt.Errorf("%w: BATCH_MATMUL ranks %d and %d (want 2..5)", ErrBadShape, lr, rr)
	}
	var adjX, adjY bool
	adjX, adjY = n.Options.AdjX, n.Options.AdjY
	rank := max(lr, rr)
	ext := func(s []int) []int {
		e := make([]int, rank)
		for i := range e {
			e[i] = 1
		}
		copy(e[rank-len(s):], s)
		return e
	}
	ls, rs := ext(lhs.Shape), ext(rhs.Shape)
	k := &batchMatmul{macResult: macResult{node: n, out: out, int16Data: lhs.Type == tflite.TypeInt16}, lhs: lhs, rhs: rhs}
	lRows, lCols := ls[rank-2], ls[rank-1]
	rRows, rCols := rs[rank-2], rs[rank-1]
	if adjX {
		k.m, k.k = lCols, lRows
		k.lhsStrideI, k.lhsStrideK = 1, lCols
	} else {
		k.m, k.k = lRows, lCols
		k.lhsStrideI, k.lhsStrideK = lCols, 1
	}
	rk := rRows
	if adjY {
		k.n, rk = rRows, rCols
		k.rhsStrideK, k.rhsStrideJ = 1, rCols
	} else {
		k.n = rCols
		k.rhsStrideK, k.rhsStrideJ = rCols, 1
	}
	if rk != k.k {
		return nil, fmt.Errorf("%w: BATCH_MATMUL accumulation depths %d (lhs %v) and %d (rhs %v) differ", ErrBadShape, k.k, lhs.Shape, rk, rhs.Shape)
	}
	// Broadcast the batch dimensions.
	batchShape := make([]int, rank-2)
	for i := range batchShape {
		l, r := ls[i], rs[i]
		if l != r && l != 1 && r != 1 {
			return nil, fmt.Errorf("%w: BATCH_MATMUL batch dimensions %v and %v do not broadcast", ErrBadShape, lhs.Shape, rhs.Shape)
		}
		batchShape[i] = max(l, r)
	}
	batches := NumElements(batchShape)
	if out.NumElements() != batches*k.m*k.n {
		return nil, fmt.Errorf("%w: BATCH_MATMUL output %v, want %d·%d·%d elements", ErrBadShape, out.Shape, batches, k.m, k.n)
	}
	k.outNHWC = outNHWC{batches: batches, outH: 1, outW: k.m, outC: k.n}
	k.lhsBase = make([]int, batches)
	k.rhsBase = make([]int, batches)
	coord := make([]int, len(batchShape))
	for b := range batches {
		lo, ro := 0, 0
		for i := range coord {
			lc, rc := coord[i], coord[i]
			if ls[i] == 1 {
				lc = 0
			}
			if rs[i] == 1 {
				rc = 0
			}
			lo = lo*ls[i] + lc
			ro = ro*rs[i] + rc
		}
		k.lhsBase[b] = lo * lRows * lCols
		k.rhsBase[b] = ro * rRows * rCols
		for i := len(coord) - 1; i >= 0; i-- {
			coord[i]++
			if coord[i] < batchShape[i] {
				break
			}
			coord[i] = 0
		}
	}
	if len(rhs.Scale) > 1 {
		return nil, fmt.Errorf("%w: BATCH_MATMUL rhs must be quantized per tensor", ErrBadQuantization)
	}
	o, err := newMACOutput(n, lhs, rhs, nil, out, 1, tflite.ActNone, true)
	if err != nil {
		return nil, err
	}
	if k.int16Data {
		o.wide = true
	} else {
		o.weighOff = -rhs.ZP0()
	}
	k.o = o
	k.refresh()
	return k, nil
}

func (k *batchMatmul) refresh() {
	if k.int16Data {
		k.lhs16, k.rhs16, k.out16 = k.lhs.Int16(), k.rhs.Int16(), k.out.Int16()
	} else {
		k.lhs8, k.rhs8, k.out8 = k.lhs.Int8(), k.rhs.Int8(), k.out.Int8()
	}
}

// element computes output element (b, i, j) (the NHWC walk's y is always
// 0); Eval and Explain share it.
func (k *batchMatmul) element(b, _, i, j int, c *Chain) int32 {
	li := k.lhsBase[b] + i*k.lhsStrideI
	ri := k.rhsBase[b] + j*k.rhsStrideJ
	var acc int64
	if k.int16Data {
		for d := 0; d < k.k; d++ {
			acc += int64(k.lhs16[li+d*k.lhsStrideK]) * int64(k.rhs16[ri+d*k.rhsStrideK])
		}
	} else {
		loff, roff := k.o.inputOff, k.o.weighOff
		var acc32 int32
		for d := 0; d < k.k; d++ {
			acc32 += (int32(k.lhs8[li+d*k.lhsStrideK]) + loff) * (int32(k.rhs8[ri+d*k.rhsStrideK]) + roff)
		}
		acc = int64(acc32)
	}
	if c != nil {
		for d := 0; d < k.k; d++ {
			lx, rx := li+d*k.lhsStrideK, ri+d*k.rhsStrideK
			var lv, rv int32
			if k.int16Data {
				lv, rv = int32(k.lhs16[lx]), int32(k.rhs16[rx])
			} else {
				lv, rv = int32(k.lhs8[lx]), int32(k.rhs8[rx])
			}
			c.addTerm(Term{InputIndex: lx, WeightIndex: rx, Input: lv, Weight: rv,
				Product: int64(lv+k.o.inputOff) * int64(rv+k.o.weighOff)})
		}
	}
	return k.o.finish(acc, 0, k.k, c)
}

func (k *batchMatmul) Eval() error {
	k.refresh()
	evalNHWC(k, &k.macResult, (*batchMatmul).element)
	return nil
}

func (k *batchMatmul) Explain(out, elem int, c *Chain) error {
	return explainNHWC(k, &k.macResult, (*batchMatmul).element, out, elem, c)
}

func (k *batchMatmul) Describe() Params {
	return k.o.describe(NamedInt{"rows", int64(k.m)}, NamedInt{"cols", int64(k.n)}, NamedInt{"accum_depth", int64(k.k)})
}
