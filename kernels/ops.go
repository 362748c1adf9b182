package kernels

import (
	"fmt"
	"slices"

	"github.com/tflq/tflq-trace/tflite"
)

// opRow is one row of the op table: how to prepare the operator's kernel
// and which data-input dtypes that kernel accepts.
type opRow struct {
	prepare PrepareFunc
	// types lists the data-input dtypes the kernel accepts (`inspect --ops`,
	// the coverage tests). Prepare still checks every tensor itself.
	types []tflite.TensorType
}

func types(t ...tflite.TensorType) []tflite.TensorType { return t }

// opTable is the op table, indexed by operator: the one place that says
// which operators tflq-trace runs. It is never modified; read it through
// Lookup and Ops.
var opTable = map[tflite.BuiltinOperator]opRow{
	tflite.OpAbs:                        {prepare: prepareAbs, types: types(tflite.TypeInt8, tflite.TypeInt16)},
	tflite.OpAdd:                        {prepare: prepareAdd, types: types(tflite.TypeInt8, tflite.TypeInt16)},
	tflite.OpAddN:                       {prepare: prepareAddN, types: types(tflite.TypeInt8)},
	tflite.OpArgMax:                     {prepare: prepareArgMinMax, types: types(tflite.TypeFloat32, tflite.TypeInt8)},
	tflite.OpArgMin:                     {prepare: prepareArgMinMax, types: types(tflite.TypeFloat32, tflite.TypeInt8)},
	tflite.OpAveragePool2D:              {prepare: preparePool, types: types(tflite.TypeInt8, tflite.TypeInt16, tflite.TypeUint8, tflite.TypeFloat32)},
	tflite.OpBatchMatmul:                {prepare: prepareBatchMatmul, types: types(tflite.TypeInt8, tflite.TypeInt16)},
	tflite.OpBatchToSpaceNd:             {prepare: prepareBatchSpace, types: types(tflite.TypeFloat32, tflite.TypeInt8)},
	tflite.OpBroadcastTo:                {prepare: prepareBroadcastTo, types: types(tflite.TypeFloat32, tflite.TypeInt8, tflite.TypeUint8, tflite.TypeInt16, tflite.TypeInt32, tflite.TypeInt64, tflite.TypeBool)},
	tflite.OpCast:                       {prepare: prepareCast, types: types(tflite.TypeInt8, tflite.TypeInt16, tflite.TypeInt32, tflite.TypeUint32, tflite.TypeFloat32, tflite.TypeBool)},
	tflite.OpConcatenation:              {prepare: prepareConcatenation, types: types(tflite.TypeFloat32, tflite.TypeInt8, tflite.TypeInt16, tflite.TypeInt32, tflite.TypeInt64)},
	tflite.OpConv2D:                     {prepare: prepareConv2D, types: types(tflite.TypeInt8, tflite.TypeInt16)},
	tflite.OpCumsum:                     {prepare: prepareCumsum, types: types(tflite.TypeInt8)},
	tflite.OpDepthwiseConv2D:            {prepare: prepareDepthwiseConv2D, types: types(tflite.TypeInt8, tflite.TypeInt16)},
	tflite.OpDepthToSpace:               {prepare: prepareSpaceDepth, types: types(tflite.TypeFloat32, tflite.TypeInt8)},
	tflite.OpDequantize:                 {prepare: prepareDequantize, types: types(tflite.TypeInt8, tflite.TypeUint8, tflite.TypeInt16)},
	tflite.OpDiv:                        {prepare: prepareDiv, types: types(tflite.TypeInt8)},
	tflite.OpDynamicUpdateSlice:         {prepare: prepareDynamicUpdateSlice, types: types(tflite.TypeFloat32, tflite.TypeInt8, tflite.TypeInt16, tflite.TypeInt32)},
	tflite.OpElu:                        {prepare: prepareElu, types: types(tflite.TypeInt8)},
	tflite.OpEmbeddingLookup:            {prepare: prepareEmbeddingLookup, types: types(tflite.TypeFloat32, tflite.TypeInt8)},
	tflite.OpEqual:                      {prepare: prepareComparison, types: types(tflite.TypeInt8, tflite.TypeInt32, tflite.TypeInt64, tflite.TypeFloat32, tflite.TypeBool)},
	tflite.OpExpandDims:                 {prepare: prepareReshape, types: types(tflite.TypeFloat32, tflite.TypeInt8, tflite.TypeUint8, tflite.TypeInt16, tflite.TypeInt32, tflite.TypeInt64, tflite.TypeBool)},
	tflite.OpFill:                       {prepare: prepareFill, types: types(tflite.TypeFloat32, tflite.TypeInt8, tflite.TypeInt32)},
	tflite.OpFullyConnected:             {prepare: prepareFullyConnected, types: types(tflite.TypeInt8, tflite.TypeInt16)},
	tflite.OpGather:                     {prepare: prepareGather, types: types(tflite.TypeFloat32, tflite.TypeInt8)},
	tflite.OpGatherNd:                   {prepare: prepareGatherNd, types: types(tflite.TypeFloat32, tflite.TypeInt8)},
	tflite.OpGreater:                    {prepare: prepareComparison, types: types(tflite.TypeInt8, tflite.TypeInt32, tflite.TypeInt64, tflite.TypeFloat32)},
	tflite.OpGreaterEqual:               {prepare: prepareComparison, types: types(tflite.TypeInt8, tflite.TypeInt32, tflite.TypeInt64, tflite.TypeFloat32)},
	tflite.OpHardSwish:                  {prepare: prepareHardSwish, types: types(tflite.TypeInt8)},
	tflite.OpL2Normalization:            {prepare: prepareL2Normalization, types: types(tflite.TypeInt8)},
	tflite.OpLeakyRelu:                  {prepare: prepareLeakyRelu, types: types(tflite.TypeInt8, tflite.TypeInt16)},
	tflite.OpLess:                       {prepare: prepareComparison, types: types(tflite.TypeInt8, tflite.TypeInt32, tflite.TypeInt64, tflite.TypeFloat32)},
	tflite.OpLessEqual:                  {prepare: prepareComparison, types: types(tflite.TypeInt8, tflite.TypeInt32, tflite.TypeInt64, tflite.TypeFloat32)},
	tflite.OpLogistic:                   {prepare: prepareLogistic, types: types(tflite.TypeInt8, tflite.TypeInt16)},
	tflite.OpLogSoftmax:                 {prepare: prepareLogSoftmax, types: types(tflite.TypeInt8)},
	tflite.OpMaximum:                    {prepare: prepareMaximumMinimum, types: types(tflite.TypeInt8, tflite.TypeInt16, tflite.TypeInt32)},
	tflite.OpMaxPool2D:                  {prepare: preparePool, types: types(tflite.TypeInt8, tflite.TypeInt16, tflite.TypeUint8, tflite.TypeFloat32)},
	tflite.OpMean:                       {prepare: prepareReduce, types: types(tflite.TypeInt8, tflite.TypeInt16, tflite.TypeFloat32)},
	tflite.OpMinimum:                    {prepare: prepareMaximumMinimum, types: types(tflite.TypeInt8, tflite.TypeInt16, tflite.TypeInt32)},
	tflite.OpMirrorPad:                  {prepare: prepareMirrorPad, types: types(tflite.TypeFloat32, tflite.TypeInt8)},
	tflite.OpMul:                        {prepare: prepareMul, types: types(tflite.TypeInt8, tflite.TypeInt16)},
	tflite.OpNotEqual:                   {prepare: prepareComparison, types: types(tflite.TypeInt8, tflite.TypeInt32, tflite.TypeInt64, tflite.TypeFloat32, tflite.TypeBool)},
	tflite.OpPack:                       {prepare: preparePack, types: types(tflite.TypeFloat32, tflite.TypeInt8, tflite.TypeInt16, tflite.TypeInt32, tflite.TypeInt64)},
	tflite.OpPad:                        {prepare: preparePad, types: types(tflite.TypeInt8, tflite.TypeInt16, tflite.TypeInt32, tflite.TypeFloat32)},
	tflite.OpPadv2:                      {prepare: preparePad, types: types(tflite.TypeInt8, tflite.TypeInt16, tflite.TypeInt32, tflite.TypeFloat32)},
	tflite.OpPrelu:                      {prepare: preparePrelu, types: types(tflite.TypeInt8, tflite.TypeInt16)},
	tflite.OpQuantize:                   {prepare: prepareQuantize, types: types(tflite.TypeFloat32, tflite.TypeInt8, tflite.TypeUint8, tflite.TypeInt16, tflite.TypeInt32)},
	tflite.OpReduceMax:                  {prepare: prepareReduce, types: types(tflite.TypeInt8, tflite.TypeInt16, tflite.TypeFloat32)},
	tflite.OpReduceMin:                  {prepare: prepareReduce, types: types(tflite.TypeInt8, tflite.TypeInt16, tflite.TypeFloat32)},
	tflite.OpRelu:                       {prepare: prepareRelu, types: types(tflite.TypeInt8, tflite.TypeInt16)},
	tflite.OpRelu6:                      {prepare: prepareRelu6, types: types(tflite.TypeInt8, tflite.TypeInt16)},
	tflite.OpReshape:                    {prepare: prepareReshape, types: types(tflite.TypeFloat32, tflite.TypeInt8, tflite.TypeUint8, tflite.TypeInt16, tflite.TypeInt32, tflite.TypeInt64, tflite.TypeBool)},
	tflite.OpResizeBilinear:             {prepare: prepareResizeBilinear, types: types(tflite.TypeInt8)},
	tflite.OpResizeNearestNeighbor:      {prepare: prepareResizeNearestNeighbor, types: types(tflite.TypeInt8, tflite.TypeInt16, tflite.TypeUint8, tflite.TypeFloat32)},
	tflite.OpReverseV2:                  {prepare: prepareReverse, types: types(tflite.TypeFloat32, tflite.TypeInt8, tflite.TypeUint8, tflite.TypeInt16, tflite.TypeInt32, tflite.TypeInt64, tflite.TypeBool)},
	tflite.OpRsqrt:                      {prepare: prepareRsqrt, types: types(tflite.TypeInt8, tflite.TypeInt16)},
	tflite.OpSelectV2:                   {prepare: prepareSelect, types: types(tflite.TypeFloat32, tflite.TypeInt8, tflite.TypeInt16)},
	tflite.OpShape:                      {prepare: prepareShape, types: types(tflite.TypeFloat32, tflite.TypeInt8, tflite.TypeUint8, tflite.TypeInt16, tflite.TypeInt32, tflite.TypeInt64, tflite.TypeBool)},
	tflite.OpSlice:                      {prepare: prepareSlice, types: types(tflite.TypeFloat32, tflite.TypeInt8, tflite.TypeInt16, tflite.TypeInt32, tflite.TypeBool)},
	tflite.OpSoftmax:                    {prepare: prepareSoftmax, types: types(tflite.TypeInt8, tflite.TypeInt16)},
	tflite.OpSpaceToBatchNd:             {prepare: prepareBatchSpace, types: types(tflite.TypeFloat32, tflite.TypeInt8)},
	tflite.OpSpaceToDepth:               {prepare: prepareSpaceDepth, types: types(tflite.TypeFloat32, tflite.TypeInt8)},
	tflite.OpSplit:                      {prepare: prepareSplit, types: types(tflite.TypeFloat32, tflite.TypeInt8, tflite.TypeInt16, tflite.TypeInt32)},
	tflite.OpSplitV:                     {prepare: prepareSplit, types: types(tflite.TypeFloat32, tflite.TypeInt8, tflite.TypeInt16, tflite.TypeInt32)},
	tflite.OpSquaredDifference:          {prepare: prepareSquaredDifference, types: types(tflite.TypeInt8, tflite.TypeInt16)},
	tflite.OpSqueeze:                    {prepare: prepareReshape, types: types(tflite.TypeFloat32, tflite.TypeInt8, tflite.TypeUint8, tflite.TypeInt16, tflite.TypeInt32, tflite.TypeInt64, tflite.TypeBool)},
	tflite.OpStridedSlice:               {prepare: prepareStridedSlice, types: types(tflite.TypeFloat32, tflite.TypeInt8, tflite.TypeInt16, tflite.TypeInt32, tflite.TypeBool)},
	tflite.OpSub:                        {prepare: prepareSub, types: types(tflite.TypeInt8, tflite.TypeInt16)},
	tflite.OpSum:                        {prepare: prepareReduce, types: types(tflite.TypeInt8, tflite.TypeInt16, tflite.TypeFloat32)},
	tflite.OpSvdf:                       {prepare: prepareSvdf, types: types(tflite.TypeInt8)},
	tflite.OpTanh:                       {prepare: prepareTanh, types: types(tflite.TypeInt8, tflite.TypeInt16)},
	tflite.OpTranspose:                  {prepare: prepareTranspose, types: types(tflite.TypeFloat32, tflite.TypeInt8, tflite.TypeInt16, tflite.TypeInt32)},
	tflite.OpTransposeConv:              {prepare: prepareTransposeConv, types: types(tflite.TypeInt8, tflite.TypeInt16)},
	tflite.OpUnidirectionalSequenceLstm: {prepare: prepareLstm, types: types(tflite.TypeInt8)},
	tflite.OpUnpack:                     {prepare: prepareUnpack, types: types(tflite.TypeFloat32, tflite.TypeInt8, tflite.TypeInt16, tflite.TypeInt32, tflite.TypeInt64)},
	tflite.OpZerosLike:                  {prepare: prepareZerosLike, types: types(tflite.TypeFloat32, tflite.TypeInt8, tflite.TypeInt32, tflite.TypeInt64)},
}

// OpInfo describes one operator of the op table.
type OpInfo struct {
	Op tflite.BuiltinOperator
	// Types are the data-input dtypes its kernel accepts.
	Types []tflite.TensorType
}

// Lookup reports whether op has a kernel and, if so, describes it.
func Lookup(op tflite.BuiltinOperator) (OpInfo, bool) {
	row, ok := opTable[op]
	if !ok {
		return OpInfo{}, false
	}
	return OpInfo{Op: op, Types: slices.Clone(row.types)}, true
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

// Prepare looks n.Op up in the op table and prepares its kernel.
func Prepare(n *Node) (Kernel, error) {
	row, ok := opTable[n.Op]
	if !ok {
		return nil, fmt.Errorf("%w: %v", ErrUnsupportedOp, n.Op)
	}
	return row.prepare(n)
}
