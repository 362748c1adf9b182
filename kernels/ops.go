package kernels

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/tflq/tflq-trace/tflite"
)

// opRow is one row of the op table: how to prepare the operator's kernel
// and which data-input dtypes that kernel accepts.
type opRow struct {
	// prepare is TFLite-Micro's reference kernel (ImplTFLM), the fallback of
	// every runtime.
	prepare PrepareFunc
	// impls are the kernels of the other implementations that compute the
	// operator differently (Runtime says which runtime tries which).
	impls map[Implementation]PrepareFunc
	// types lists the data-input dtypes the kernel accepts (`inspect --ops`,
	// the coverage tests). Prepare still checks every tensor itself.
	types []tflite.TensorType
	// inputs and outputs name the operands by role, in position order, as
	// TFLite's kernels name them; a last name ending in "..." repeats with
	// an index (input0, input1, ...). outputs nil means one "output".
	inputs, outputs []string
}

func types(t ...tflite.TensorType) []tflite.TensorType { return t }

type impls = map[Implementation]PrepareFunc

func roles(r ...string) []string { return r }

// opTable is the op table, indexed by operator: the one place that says
// which operators tflq-trace runs. It is never modified; read it through
// Lookup and Ops.
var opTable = map[tflite.BuiltinOperator]opRow{
	tflite.OpAbs:                        {prepare: prepareAbs, types: types(tflite.TypeInt8, tflite.TypeInt16), inputs: roles("input")},
	tflite.OpAdd:                        {prepare: prepareAdd, impls: impls{ImplTFLite: prepareAddTFLite, ImplXNNPACK: prepareAddXNNPACK}, types: types(tflite.TypeInt8, tflite.TypeInt16), inputs: roles("input1", "input2")},
	tflite.OpAddN:                       {prepare: prepareAddN, types: types(tflite.TypeInt8), inputs: roles("input...")},
	tflite.OpArgMax:                     {prepare: prepareArgMinMax, impls: impls{ImplTFLite: prepareArgMinMaxTFLite}, types: types(tflite.TypeFloat32, tflite.TypeInt8), inputs: roles("input", "axis")},
	tflite.OpArgMin:                     {prepare: prepareArgMinMax, impls: impls{ImplTFLite: prepareArgMinMaxTFLite}, types: types(tflite.TypeFloat32, tflite.TypeInt8), inputs: roles("input", "axis")},
	tflite.OpAveragePool2D:              {prepare: preparePool, types: types(tflite.TypeInt8, tflite.TypeInt16, tflite.TypeUint8, tflite.TypeFloat32), inputs: roles("input")},
	tflite.OpBatchMatmul:                {prepare: prepareBatchMatmul, impls: impls{ImplTFLiteOptimized: prepareBatchMatmulOptimized}, types: types(tflite.TypeInt8, tflite.TypeInt16), inputs: roles("lhs", "rhs")},
	tflite.OpBatchToSpaceNd:             {prepare: prepareBatchSpace, types: types(tflite.TypeFloat32, tflite.TypeInt8), inputs: roles("input", "block_shape", "crops")},
	tflite.OpBroadcastTo:                {prepare: prepareBroadcastTo, types: types(tflite.TypeFloat32, tflite.TypeInt8, tflite.TypeUint8, tflite.TypeInt16, tflite.TypeInt32, tflite.TypeInt64, tflite.TypeBool), inputs: roles("input", "shape")},
	tflite.OpCast:                       {prepare: prepareCast, types: types(tflite.TypeInt8, tflite.TypeInt16, tflite.TypeInt32, tflite.TypeUint32, tflite.TypeFloat32, tflite.TypeBool), inputs: roles("input")},
	tflite.OpConcatenation:              {prepare: prepareConcatenation, impls: impls{ImplTFLite: prepareConcatenationTFLite, ImplXNNPACK: prepareConcatenationXNNPACK}, types: types(tflite.TypeFloat32, tflite.TypeInt8, tflite.TypeInt16, tflite.TypeInt32, tflite.TypeInt64), inputs: roles("input...")},
	tflite.OpConv2D:                     {prepare: prepareConv2D, impls: impls{ImplTFLite: prepareConv2DTFLite, ImplTFLiteOptimized: prepareConv2DOptimized, ImplXNNPACK: prepareConv2DXNNPACK}, types: types(tflite.TypeInt8, tflite.TypeInt16), inputs: roles("input", "weights", "bias")},
	tflite.OpCumsum:                     {prepare: prepareCumsum, types: types(tflite.TypeInt8), inputs: roles("input", "axis")},
	tflite.OpDepthwiseConv2D:            {prepare: prepareDepthwiseConv2D, impls: impls{ImplTFLite: prepareDepthwiseConv2DTFLite, ImplXNNPACK: prepareDepthwiseConv2DXNNPACK}, types: types(tflite.TypeInt8, tflite.TypeInt16), inputs: roles("input", "weights", "bias")},
	tflite.OpDepthToSpace:               {prepare: prepareSpaceDepth, impls: impls{ImplXNNPACK: prepareDepthToSpaceXNNPACK}, types: types(tflite.TypeFloat32, tflite.TypeInt8), inputs: roles("input")},
	tflite.OpDequantize:                 {prepare: prepareDequantize, impls: impls{ImplXNNPACK: prepareDequantizeXNNPACK}, types: types(tflite.TypeInt8, tflite.TypeUint8, tflite.TypeInt16), inputs: roles("input")},
	tflite.OpDiv:                        {prepare: prepareDiv, types: types(tflite.TypeInt8), inputs: roles("input1", "input2")},
	tflite.OpDynamicUpdateSlice:         {prepare: prepareDynamicUpdateSlice, types: types(tflite.TypeFloat32, tflite.TypeInt8, tflite.TypeInt16, tflite.TypeInt32), inputs: roles("operand", "update", "start_indices")},
	tflite.OpElu:                        {prepare: prepareElu, impls: impls{ImplXNNPACK: prepareEluXNNPACK}, types: types(tflite.TypeInt8), inputs: roles("input")},
	tflite.OpEmbeddingLookup:            {prepare: prepareEmbeddingLookup, types: types(tflite.TypeFloat32, tflite.TypeInt8), inputs: roles("ids", "params")},
	tflite.OpEqual:                      {prepare: prepareComparison, types: types(tflite.TypeInt8, tflite.TypeInt32, tflite.TypeInt64, tflite.TypeFloat32, tflite.TypeBool), inputs: roles("input1", "input2")},
	tflite.OpExpandDims:                 {prepare: prepareReshape, types: types(tflite.TypeFloat32, tflite.TypeInt8, tflite.TypeUint8, tflite.TypeInt16, tflite.TypeInt32, tflite.TypeInt64, tflite.TypeBool), inputs: roles("input", "axis")},
	tflite.OpFill:                       {prepare: prepareFill, types: types(tflite.TypeFloat32, tflite.TypeInt8, tflite.TypeInt32), inputs: roles("dims", "value")},
	tflite.OpFullyConnected:             {prepare: prepareFullyConnected, impls: impls{ImplTFLiteRef: prepareFullyConnectedRef, ImplTFLiteOptimized: prepareFullyConnectedOptimized, ImplXNNPACK: prepareFullyConnectedXNNPACK}, types: types(tflite.TypeInt8, tflite.TypeInt16), inputs: roles("input", "weights", "bias")},
	tflite.OpGather:                     {prepare: prepareGather, types: types(tflite.TypeFloat32, tflite.TypeInt8), inputs: roles("params", "indices")},
	tflite.OpGatherNd:                   {prepare: prepareGatherNd, types: types(tflite.TypeFloat32, tflite.TypeInt8), inputs: roles("params", "indices")},
	tflite.OpGreater:                    {prepare: prepareComparison, types: types(tflite.TypeInt8, tflite.TypeInt32, tflite.TypeInt64, tflite.TypeFloat32), inputs: roles("input1", "input2")},
	tflite.OpGreaterEqual:               {prepare: prepareComparison, types: types(tflite.TypeInt8, tflite.TypeInt32, tflite.TypeInt64, tflite.TypeFloat32), inputs: roles("input1", "input2")},
	tflite.OpHardSwish:                  {prepare: prepareHardSwish, types: types(tflite.TypeInt8), inputs: roles("input")},
	tflite.OpL2Normalization:            {prepare: prepareL2Normalization, types: types(tflite.TypeInt8), inputs: roles("input")},
	tflite.OpLeakyRelu:                  {prepare: prepareLeakyRelu, impls: impls{ImplXNNPACK: prepareLeakyReluXNNPACK}, types: types(tflite.TypeInt8, tflite.TypeInt16), inputs: roles("input")},
	tflite.OpLess:                       {prepare: prepareComparison, types: types(tflite.TypeInt8, tflite.TypeInt32, tflite.TypeInt64, tflite.TypeFloat32), inputs: roles("input1", "input2")},
	tflite.OpLessEqual:                  {prepare: prepareComparison, types: types(tflite.TypeInt8, tflite.TypeInt32, tflite.TypeInt64, tflite.TypeFloat32), inputs: roles("input1", "input2")},
	tflite.OpLogistic:                   {prepare: prepareLogistic, impls: impls{ImplTFLite: prepareLogisticTFLite, ImplTFLiteOptimized: prepareLogisticOptimized, ImplXNNPACK: prepareLogisticXNNPACK}, types: types(tflite.TypeInt8, tflite.TypeInt16), inputs: roles("input")},
	tflite.OpLogSoftmax:                 {prepare: prepareLogSoftmax, types: types(tflite.TypeInt8), inputs: roles("input")},
	tflite.OpMaximum:                    {prepare: prepareMaximumMinimum, impls: impls{ImplTFLite: prepareMaximumMinimumTFLite}, types: types(tflite.TypeInt8, tflite.TypeInt16, tflite.TypeInt32), inputs: roles("input1", "input2")},
	tflite.OpMaxPool2D:                  {prepare: preparePool, impls: impls{ImplXNNPACK: prepareMaxPool2DXNNPACK}, types: types(tflite.TypeInt8, tflite.TypeInt16, tflite.TypeUint8, tflite.TypeFloat32), inputs: roles("input")},
	tflite.OpMean:                       {prepare: prepareReduce, impls: impls{ImplTFLiteOptimized: prepareReduceOptimized, ImplXNNPACK: prepareMeanXNNPACK}, types: types(tflite.TypeInt8, tflite.TypeInt16, tflite.TypeFloat32), inputs: roles("input", "axis")},
	tflite.OpMinimum:                    {prepare: prepareMaximumMinimum, impls: impls{ImplTFLite: prepareMaximumMinimumTFLite}, types: types(tflite.TypeInt8, tflite.TypeInt16, tflite.TypeInt32), inputs: roles("input1", "input2")},
	tflite.OpMirrorPad:                  {prepare: prepareMirrorPad, types: types(tflite.TypeFloat32, tflite.TypeInt8), inputs: roles("input", "paddings")},
	tflite.OpMul:                        {prepare: prepareMul, impls: impls{ImplTFLite: prepareMulTFLite, ImplXNNPACK: prepareMulXNNPACK}, types: types(tflite.TypeInt8, tflite.TypeInt16), inputs: roles("input1", "input2")},
	tflite.OpNotEqual:                   {prepare: prepareComparison, types: types(tflite.TypeInt8, tflite.TypeInt32, tflite.TypeInt64, tflite.TypeFloat32, tflite.TypeBool), inputs: roles("input1", "input2")},
	tflite.OpPack:                       {prepare: preparePack, types: types(tflite.TypeFloat32, tflite.TypeInt8, tflite.TypeInt16, tflite.TypeInt32, tflite.TypeInt64), inputs: roles("input...")},
	tflite.OpPad:                        {prepare: preparePad, impls: impls{ImplXNNPACK: preparePadXNNPACK}, types: types(tflite.TypeInt8, tflite.TypeInt16, tflite.TypeInt32, tflite.TypeFloat32), inputs: roles("input", "paddings")},
	tflite.OpPadv2:                      {prepare: preparePad, types: types(tflite.TypeInt8, tflite.TypeInt16, tflite.TypeInt32, tflite.TypeFloat32), inputs: roles("input", "paddings", "constant_values")},
	tflite.OpPrelu:                      {prepare: preparePrelu, types: types(tflite.TypeInt8, tflite.TypeInt16), inputs: roles("input", "alpha")},
	tflite.OpQuantize:                   {prepare: prepareQuantize, impls: impls{ImplTFLite: prepareQuantizeTFLite, ImplXNNPACK: prepareQuantizeXNNPACK}, types: types(tflite.TypeFloat32, tflite.TypeInt8, tflite.TypeUint8, tflite.TypeInt16, tflite.TypeInt32), inputs: roles("input")},
	tflite.OpReduceMax:                  {prepare: prepareReduce, types: types(tflite.TypeInt8, tflite.TypeInt16, tflite.TypeFloat32), inputs: roles("input", "axis")},
	tflite.OpReduceMin:                  {prepare: prepareReduce, types: types(tflite.TypeInt8, tflite.TypeInt16, tflite.TypeFloat32), inputs: roles("input", "axis")},
	tflite.OpRelu:                       {prepare: prepareRelu, impls: impls{ImplTFLite: prepareReluTFLite}, types: types(tflite.TypeInt8, tflite.TypeInt16), inputs: roles("input")},
	tflite.OpRelu6:                      {prepare: prepareRelu6, impls: impls{ImplTFLite: prepareRelu6TFLite}, types: types(tflite.TypeInt8, tflite.TypeInt16), inputs: roles("input")},
	tflite.OpReshape:                    {prepare: prepareReshape, types: types(tflite.TypeFloat32, tflite.TypeInt8, tflite.TypeUint8, tflite.TypeInt16, tflite.TypeInt32, tflite.TypeInt64, tflite.TypeBool), inputs: roles("input", "shape")},
	tflite.OpResizeBilinear:             {prepare: prepareResizeBilinear, impls: impls{ImplTFLiteRef: prepareResizeBilinearRef, ImplXNNPACK: prepareResizeBilinearXNNPACK}, types: types(tflite.TypeInt8), inputs: roles("input", "size")},
	tflite.OpResizeNearestNeighbor:      {prepare: prepareResizeNearestNeighbor, types: types(tflite.TypeInt8, tflite.TypeInt16, tflite.TypeUint8, tflite.TypeFloat32), inputs: roles("input", "size")},
	tflite.OpReverseV2:                  {prepare: prepareReverse, types: types(tflite.TypeFloat32, tflite.TypeInt8, tflite.TypeUint8, tflite.TypeInt16, tflite.TypeInt32, tflite.TypeInt64, tflite.TypeBool), inputs: roles("input", "axis")},
	tflite.OpRsqrt:                      {prepare: prepareRsqrt, impls: impls{ImplTFLiteRef: prepareRsqrtRef, ImplTFLiteOptimized: prepareRsqrtOptimized}, types: types(tflite.TypeInt8, tflite.TypeInt16), inputs: roles("input")},
	tflite.OpSelectV2:                   {prepare: prepareSelect, types: types(tflite.TypeFloat32, tflite.TypeInt8, tflite.TypeInt16), inputs: roles("condition", "x", "y")},
	tflite.OpShape:                      {prepare: prepareShape, types: types(tflite.TypeFloat32, tflite.TypeInt8, tflite.TypeUint8, tflite.TypeInt16, tflite.TypeInt32, tflite.TypeInt64, tflite.TypeBool), inputs: roles("input")},
	tflite.OpSlice:                      {prepare: prepareSlice, types: types(tflite.TypeFloat32, tflite.TypeInt8, tflite.TypeInt16, tflite.TypeInt32, tflite.TypeBool), inputs: roles("input", "begin", "size")},
	tflite.OpSoftmax:                    {prepare: prepareSoftmax, impls: impls{ImplTFLiteRef: prepareSoftmaxRef, ImplTFLiteOptimized: prepareSoftmaxOptimized}, types: types(tflite.TypeInt8, tflite.TypeInt16), inputs: roles("input")},
	tflite.OpSpaceToBatchNd:             {prepare: prepareBatchSpace, types: types(tflite.TypeFloat32, tflite.TypeInt8), inputs: roles("input", "block_shape", "paddings")},
	tflite.OpSpaceToDepth:               {prepare: prepareSpaceDepth, types: types(tflite.TypeFloat32, tflite.TypeInt8), inputs: roles("input")},
	tflite.OpSplit:                      {prepare: prepareSplit, impls: impls{ImplXNNPACK: prepareSplitXNNPACK}, types: types(tflite.TypeFloat32, tflite.TypeInt8, tflite.TypeInt16, tflite.TypeInt32), inputs: roles("axis", "input"), outputs: roles("output...")},
	tflite.OpSplitV:                     {prepare: prepareSplit, types: types(tflite.TypeFloat32, tflite.TypeInt8, tflite.TypeInt16, tflite.TypeInt32), inputs: roles("input", "size_splits", "axis"), outputs: roles("output...")},
	tflite.OpSquaredDifference:          {prepare: prepareSquaredDifference, types: types(tflite.TypeInt8, tflite.TypeInt16), inputs: roles("input1", "input2")},
	tflite.OpSqueeze:                    {prepare: prepareReshape, types: types(tflite.TypeFloat32, tflite.TypeInt8, tflite.TypeUint8, tflite.TypeInt16, tflite.TypeInt32, tflite.TypeInt64, tflite.TypeBool), inputs: roles("input")},
	tflite.OpStridedSlice:               {prepare: prepareStridedSlice, types: types(tflite.TypeFloat32, tflite.TypeInt8, tflite.TypeInt16, tflite.TypeInt32, tflite.TypeBool), inputs: roles("input", "begin", "end", "strides")},
	tflite.OpSub:                        {prepare: prepareSub, impls: impls{ImplTFLite: prepareSubTFLite, ImplXNNPACK: prepareSubXNNPACK}, types: types(tflite.TypeInt8, tflite.TypeInt16), inputs: roles("input1", "input2")},
	tflite.OpSum:                        {prepare: prepareReduce, impls: impls{ImplTFLiteRef: prepareSumRef, ImplTFLiteOptimized: prepareReduceOptimized}, types: types(tflite.TypeInt8, tflite.TypeInt16, tflite.TypeFloat32), inputs: roles("input", "axis")},
	tflite.OpSvdf:                       {prepare: prepareSvdf, types: types(tflite.TypeInt8), inputs: roles("input", "weights_feature", "weights_time", "bias", "activation_state")},
	tflite.OpTanh:                       {prepare: prepareTanh, impls: impls{ImplTFLite: prepareTanhTFLite, ImplTFLiteOptimized: prepareTanhOptimized}, types: types(tflite.TypeInt8, tflite.TypeInt16), inputs: roles("input")},
	tflite.OpTranspose:                  {prepare: prepareTranspose, impls: impls{ImplXNNPACK: prepareTransposeXNNPACK}, types: types(tflite.TypeFloat32, tflite.TypeInt8, tflite.TypeInt16, tflite.TypeInt32), inputs: roles("input", "perm")},
	tflite.OpTransposeConv:              {prepare: prepareTransposeConv, impls: impls{ImplTFLiteOptimized: prepareTransposeConvOptimized, ImplXNNPACK: prepareTransposeConvXNNPACK}, types: types(tflite.TypeInt8, tflite.TypeInt16), inputs: roles("output_shape", "weights", "input", "bias")},
	tflite.OpUnidirectionalSequenceLstm: {prepare: prepareLstm, impls: impls{ImplTFLiteRef: prepareLstmRef, ImplTFLiteOptimized: prepareLstmOptimized}, types: types(tflite.TypeInt8), inputs: roles("input", "input_to_input_weights", "input_to_forget_weights", "input_to_cell_weights", "input_to_output_weights", "recurrent_to_input_weights", "recurrent_to_forget_weights", "recurrent_to_cell_weights", "recurrent_to_output_weights", "cell_to_input_weights", "cell_to_forget_weights", "cell_to_output_weights", "input_gate_bias", "forget_gate_bias", "cell_gate_bias", "output_gate_bias", "projection_weights", "projection_bias", "output_state", "cell_state", "input_layer_norm_coefficients", "forget_layer_norm_coefficients", "cell_layer_norm_coefficients", "output_layer_norm_coefficients")},
	tflite.OpUnpack:                     {prepare: prepareUnpack, types: types(tflite.TypeFloat32, tflite.TypeInt8, tflite.TypeInt16, tflite.TypeInt32, tflite.TypeInt64), inputs: roles("input"), outputs: roles("output...")},
	tflite.OpZerosLike:                  {prepare: prepareZerosLike, types: types(tflite.TypeFloat32, tflite.TypeInt8, tflite.TypeInt32, tflite.TypeInt64), inputs: roles("input")},
}

// OpInfo describes one operator of the op table.
type OpInfo struct {
	Op tflite.BuiltinOperator
	// Types are the data-input dtypes its TFLite-Micro kernel accepts.
	Types []tflite.TensorType
	// Implementations lists the implementations with a kernel of their own
	// for the operator, ImplTFLM first.
	Implementations []Implementation
}

// InputRole names input k of operator op by its role ("input", "weights",
// "bias", "axis", "alpha", ...), as TFLite's kernels name it; operators
// without a kernel get "input<k>".
func InputRole(op tflite.BuiltinOperator, k int) string {
	row, ok := opTable[op]
	if !ok {
		return fmt.Sprintf("input%d", k)
	}
	return roleAt(row.inputs, k, "input")
}

// OutputRole names output k of operator op by its role ("output", or
// "output<k>" for operators with several).
func OutputRole(op tflite.BuiltinOperator, k int) string {
	row, ok := opTable[op]
	if !ok || row.outputs == nil {
		if k == 0 {
			return "output"
		}
		return fmt.Sprintf("output%d", k)
	}
	return roleAt(row.outputs, k, "output")
}

// roleAt is name k of a role list whose last name may repeat ("input...").
func roleAt(names []string, k int, fallback string) string {
	if len(names) > 0 {
		last := names[len(names)-1]
		if base, ok := strings.CutSuffix(last, "..."); ok && k >= len(names)-1 {
			return fmt.Sprintf("%s%d", base, k-(len(names)-1))
		}
	}
	if k < len(names) {
		return names[k]
	}
	return fmt.Sprintf("%s%d", fallback, k)
}

// Lookup reports whether op has a kernel and, if so, describes it.
func Lookup(op tflite.BuiltinOperator) (OpInfo, bool) {
	row, ok := opTable[op]
	if !ok {
		return OpInfo{}, false
	}
	info := OpInfo{Op: op, Types: slices.Clone(row.types)}
	for impl := range numImplementations {
		if row.kernel(impl) != nil {
			info.Implementations = append(info.Implementations, impl)
		}
	}
	return info, true
}

// Ops lists every operator of the op table, in operator-code order.
func Ops() []OpInfo {
	ops := make([]OpInfo, 0, len(opTable))
	for op := range opTable {
		info, _ := Lookup(op)
		ops = append(ops, info)
	}
	slices.SortFunc(ops, func(a, b OpInfo) int { return int(a.Op) - int(b.Op) })
	return ops
}

// kernel is the prepare function of implementation impl (nil if none).
func (row opRow) kernel(impl Implementation) PrepareFunc {
	if impl == ImplTFLM {
		return row.prepare
	}
	return row.impls[impl]
}

// Prepare prepares n's kernel under n.Runtime: the first of the runtime's
// implementations that has a kernel for n.Op and takes the node.
func Prepare(n *Node) (Kernel, error) {
	k, _, err := PrepareImpl(n)
	return k, err
}

// PrepareImpl is Prepare, also reporting which implementation's kernel it
// prepared. Under a TFLite-Micro runtime, a node TFLite-Micro refuses but
// full TFLite runs (a legacy uint8 convolution, say) is an error that says
// so and names the runtime that can run it.
func PrepareImpl(n *Node) (Kernel, Implementation, error) {
	row, ok := opTable[n.Op]
	if !ok {
		return nil, 0, fmt.Errorf("%w: %v", ErrUnsupportedOp, n.Op)
	}
	if err := checkActivationQuantization(n); err != nil {
		return nil, 0, err
	}
	if refuse := runtimeTable[n.Runtime].refuse; refuse != nil {
		if err := refuse(n); err != nil {
			return nil, 0, err
		}
	}
	for _, impl := range n.Runtime.implementations() {
		prepare := row.kernel(impl)
		if prepare == nil || (impl == ImplXNNPACK && n.WithoutDelegate) {
			continue
		}
		k, err := prepare(n)
		if errors.Is(err, errNotTaken) {
			continue
		}
		if err == nil {
			err = checkFiniteMultipliers(n, k)
		}
		if err != nil && n.Runtime.IsTFLM() && fullTFLiteRuns(n) {
			err = fmt.Errorf("%w (TFLite-Micro cannot run it; full TFLite can: use --runtime tflite-ref or tflite-xnnpack)", err)
		}
		return k, impl, err
	}
	return nil, 0, fmt.Errorf("%w: %v under %v", ErrUnsupportedOp, n.Op, n.Runtime)
}

// fullTFLiteRuns reports whether full TFLite's reference runtime prepares a
// node (on a copy, so n is untouched).
func fullTFLiteRuns(n *Node) bool {
	m := *n
	m.Runtime, m.Rounding = RuntimeTFLiteRef, RuntimeTFLiteRef.Rounding()
	_, impl, err := PrepareImpl(&m)
	return err == nil && impl != ImplTFLM
}

// checkFiniteMultipliers refuses a prepared kernel whose derived
// multipliers are not finite: scales that are each finite can still make
// s_in/s_out or s_in·s_w/s_out overflow (a subnormal output scale, say), and
// from an infinite or NaN multiplier TFLite's arithmetic is undefined (a
// float→int conversion of NaN or ∞), so no runtime's result could be
// reproduced.
func checkFiniteMultipliers(n *Node, k Kernel) error {
	d, ok := k.(Describer)
	if !ok {
		return nil
	}
	for _, m := range d.Describe().Multipliers {
		if math.IsInf(m.Real, 0) || math.IsNaN(m.Real) {
			return fmt.Errorf("%w: %v multiplier %s = %g from the tensors' scales (TFLite's arithmetic is undefined there)", ErrBadQuantization, n.Op, m.Name, m.Real)
		}
	}
	return nil
}

// checkActivationQuantization refuses a node whose non-constant 8- or
// 16-bit quantized tensors have a scale that is not positive and finite, or
// a zero point outside their type's range: TFLite's arithmetic is undefined
// there (a zero scale divides by zero deriving multipliers and clamp
// ranges), so no runtime's result could be reproduced.
func checkActivationQuantization(n *Node) error {
	check := func(t *Tensor) error {
		if t == nil || t.Const || !t.Quantized() {
			return nil
		}
		switch t.Type {
		case tflite.TypeInt8, tflite.TypeUint8, tflite.TypeInt16:
		default:
			return nil
		}
		lo, hi := Range(t.Type)
		for c, s := range t.Scale {
			if !(s > 0) || math.IsInf(float64(s), 0) {
				return fmt.Errorf("%w: %v tensor %d %q: scale %g (an activation's scale must be positive and finite)", ErrBadQuantization, n.Op, t.Index, t.Name, s)
			}
			if zp := t.ZeroPointAt(c); zp < lo || zp > hi {
				return fmt.Errorf("%w: %v tensor %d %q: zero point %d outside %v's range [%d, %d]", ErrBadQuantization, n.Op, t.Index, t.Name, zp, t.Type, lo, hi)
			}
		}
		return nil
	}
	for _, t := range append(append([]*Tensor(nil), n.Inputs...), n.Outputs...) {
		if err := check(t); err != nil {
			return err
		}
	}
	return nil
}
