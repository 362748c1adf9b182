package kernels

// prepareSub prepares SUB (int8, int16), after TFLite-Micro's sub.cc /
// sub_common.cc with reference_ops::SubElementwise / BroadcastQuantSubSlow: the
// ADD kernel (addSubKernel) with b_1 − b_2 instead of b_1 + b_2. One difference
// in Prepare: sub_common.cc computes twice_max_input_scale = 2·max(s1, s2) and
// the three quotients in float32, widening to double only for
// QuantizeMultiplier, where ADD works in double throughout; the multipliers can
// differ in the last bit.
func prepareSub(n *Node) (Kernel, error) { return prepareAddSub(n, true, false) }

// prepareSubTFLite prepares SUB as full TFLite's sub.cc does (ImplTFLite,
// reference and optimized alike): PrepareGeneralSubOp derives the three
// multipliers in double, as ADD does (2·max(s1, s2) is exact in float32,
// every quotient is double) — so they can differ from TFLite-Micro's in the
// last bit (opzoo sub_int16_same rand0 shows one element) — and admits
// legacy uint8; int16 needs zero points 0 and takes the power-of-two path
// when pot_scale_int16 is set and every scale is a power of two
// (prepareAddSubPOT).
func prepareSubTFLite(n *Node) (Kernel, error) { return prepareAddSub(n, true, true) }
