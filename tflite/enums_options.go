package tflite

import "fmt"

// BuiltinOptionsType is the tag of the Operator.builtin_options union: which
// options table an operator carries. Values are the union member positions
// in the schema (member k has tag k+1; 0 means none).
type BuiltinOptionsType uint8

// Builtin options union tags, with the values the schema gives them.
const (
	OptionsNone                       BuiltinOptionsType = 0
	OptionsConv2D                     BuiltinOptionsType = 1
	OptionsDepthwiseConv2D            BuiltinOptionsType = 2
	OptionsConcatEmbeddings           BuiltinOptionsType = 3
	OptionsLSHProjection              BuiltinOptionsType = 4
	OptionsPool2D                     BuiltinOptionsType = 5
	OptionsSVDF                       BuiltinOptionsType = 6
	OptionsRNN                        BuiltinOptionsType = 7
	OptionsFullyConnected             BuiltinOptionsType = 8
	OptionsSoftmax                    BuiltinOptionsType = 9
	OptionsConcatenation              BuiltinOptionsType = 10
	OptionsAdd                        BuiltinOptionsType = 11
	OptionsL2Norm                     BuiltinOptionsType = 12
	OptionsLocalResponseNormalization BuiltinOptionsType = 13
	OptionsLSTM                       BuiltinOptionsType = 14
	OptionsResizeBilinear             BuiltinOptionsType = 15
	OptionsCall                       BuiltinOptionsType = 16
	OptionsReshape                    BuiltinOptionsType = 17
	OptionsSkipGram                   BuiltinOptionsType = 18
	OptionsSpaceToDepth               BuiltinOptionsType = 19
	OptionsEmbeddingLookupSparse      BuiltinOptionsType = 20
	OptionsMul                        BuiltinOptionsType = 21
	OptionsPad                        BuiltinOptionsType = 22
	OptionsGather                     BuiltinOptionsType = 23
	OptionsBatchToSpaceND             BuiltinOptionsType = 24
	OptionsSpaceToBatchND             BuiltinOptionsType = 25
	OptionsTranspose                  BuiltinOptionsType = 26
	OptionsReducer                    BuiltinOptionsType = 27
	OptionsSub                        BuiltinOptionsType = 28
	OptionsDiv                        BuiltinOptionsType = 29
	OptionsSqueeze                    BuiltinOptionsType = 30
	OptionsSequenceRNN                BuiltinOptionsType = 31
	OptionsStridedSlice               BuiltinOptionsType = 32
	OptionsExp                        BuiltinOptionsType = 33
	OptionsTopKV2                     BuiltinOptionsType = 34
	OptionsSplit                      BuiltinOptionsType = 35
	OptionsLogSoftmax                 BuiltinOptionsType = 36
	OptionsCast                       BuiltinOptionsType = 37
	OptionsDequantize                 BuiltinOptionsType = 38
	OptionsMaximumMinimum             BuiltinOptionsType = 39
	OptionsArgMax                     BuiltinOptionsType = 40
	OptionsLess                       BuiltinOptionsType = 41
	OptionsNeg                        BuiltinOptionsType = 42
	OptionsPadV2                      BuiltinOptionsType = 43
	OptionsGreater                    BuiltinOptionsType = 44
	OptionsGreaterEqual               BuiltinOptionsType = 45
	OptionsLessEqual                  BuiltinOptionsType = 46
	OptionsSelect                     BuiltinOptionsType = 47
	OptionsSlice                      BuiltinOptionsType = 48
	OptionsTransposeConv              BuiltinOptionsType = 49
	OptionsSparseToDense              BuiltinOptionsType = 50
	OptionsTile                       BuiltinOptionsType = 51
	OptionsExpandDims                 BuiltinOptionsType = 52
	OptionsEqual                      BuiltinOptionsType = 53
	OptionsNotEqual                   BuiltinOptionsType = 54
	OptionsShape                      BuiltinOptionsType = 55
	OptionsPow                        BuiltinOptionsType = 56
	OptionsArgMin                     BuiltinOptionsType = 57
	OptionsFakeQuant                  BuiltinOptionsType = 58
	OptionsPack                       BuiltinOptionsType = 59
	OptionsLogicalOr                  BuiltinOptionsType = 60
	OptionsOneHot                     BuiltinOptionsType = 61
	OptionsLogicalAnd                 BuiltinOptionsType = 62
	OptionsLogicalNot                 BuiltinOptionsType = 63
	OptionsUnpack                     BuiltinOptionsType = 64
	OptionsFloorDiv                   BuiltinOptionsType = 65
	OptionsSquare                     BuiltinOptionsType = 66
	OptionsZerosLike                  BuiltinOptionsType = 67
	OptionsFill                       BuiltinOptionsType = 68
	OptionsBidirectionalSequenceLSTM  BuiltinOptionsType = 69
	OptionsBidirectionalSequenceRNN   BuiltinOptionsType = 70
	OptionsUnidirectionalSequenceLSTM BuiltinOptionsType = 71
	OptionsFloorMod                   BuiltinOptionsType = 72
	OptionsRange                      BuiltinOptionsType = 73
	OptionsResizeNearestNeighbor      BuiltinOptionsType = 74
	OptionsLeakyRelu                  BuiltinOptionsType = 75
	OptionsSquaredDifference          BuiltinOptionsType = 76
	OptionsMirrorPad                  BuiltinOptionsType = 77
	OptionsAbs                        BuiltinOptionsType = 78
	OptionsSplitV                     BuiltinOptionsType = 79
	OptionsUnique                     BuiltinOptionsType = 80
	OptionsReverseV2                  BuiltinOptionsType = 81
	OptionsAddN                       BuiltinOptionsType = 82
	OptionsGatherNd                   BuiltinOptionsType = 83
	OptionsCos                        BuiltinOptionsType = 84
	OptionsWhere                      BuiltinOptionsType = 85
	OptionsRank                       BuiltinOptionsType = 86
	OptionsReverseSequence            BuiltinOptionsType = 87
	OptionsMatrixDiag                 BuiltinOptionsType = 88
	OptionsQuantize                   BuiltinOptionsType = 89
	OptionsMatrixSetDiag              BuiltinOptionsType = 90
	OptionsHardSwish                  BuiltinOptionsType = 91
	OptionsIf                         BuiltinOptionsType = 92
	OptionsWhile                      BuiltinOptionsType = 93
	OptionsDepthToSpace               BuiltinOptionsType = 94
	OptionsNonMaxSuppressionV4        BuiltinOptionsType = 95
	OptionsNonMaxSuppressionV5        BuiltinOptionsType = 96
	OptionsScatterNd                  BuiltinOptionsType = 97
	OptionsSelectV2                   BuiltinOptionsType = 98
	OptionsDensify                    BuiltinOptionsType = 99
	OptionsSegmentSum                 BuiltinOptionsType = 100
	OptionsBatchMatMul                BuiltinOptionsType = 101
	OptionsCumsum                     BuiltinOptionsType = 102
	OptionsCallOnce                   BuiltinOptionsType = 103
	OptionsBroadcastTo                BuiltinOptionsType = 104
	OptionsRfft2d                     BuiltinOptionsType = 105
	OptionsConv3D                     BuiltinOptionsType = 106
	OptionsHashtable                  BuiltinOptionsType = 107
	OptionsHashtableFind              BuiltinOptionsType = 108
	OptionsHashtableImport            BuiltinOptionsType = 109
	OptionsHashtableSize              BuiltinOptionsType = 110
	OptionsVarHandle                  BuiltinOptionsType = 111
	OptionsReadVariable               BuiltinOptionsType = 112
	OptionsAssignVariable             BuiltinOptionsType = 113
	OptionsRandom                     BuiltinOptionsType = 114
	OptionsBucketize                  BuiltinOptionsType = 115
	OptionsGelu                       BuiltinOptionsType = 116
	OptionsDynamicUpdateSlice         BuiltinOptionsType = 117
	OptionsUnsortedSegmentProd        BuiltinOptionsType = 118
	OptionsUnsortedSegmentMax         BuiltinOptionsType = 119
	OptionsUnsortedSegmentMin         BuiltinOptionsType = 120
	OptionsUnsortedSegmentSum         BuiltinOptionsType = 121
	OptionsATan2                      BuiltinOptionsType = 122
	OptionsSign                       BuiltinOptionsType = 123
	OptionsBitcast                    BuiltinOptionsType = 124
	OptionsBitwiseXor                 BuiltinOptionsType = 125
	OptionsRightShift                 BuiltinOptionsType = 126
)

// builtinOptionsNames holds the schema table name of each union tag.
var builtinOptionsNames = [...]string{
	OptionsNone:                       "NONE",
	OptionsConv2D:                     "Conv2DOptions",
	OptionsDepthwiseConv2D:            "DepthwiseConv2DOptions",
	OptionsConcatEmbeddings:           "ConcatEmbeddingsOptions",
	OptionsLSHProjection:              "LSHProjectionOptions",
	OptionsPool2D:                     "Pool2DOptions",
	OptionsSVDF:                       "SVDFOptions",
	OptionsRNN:                        "RNNOptions",
	OptionsFullyConnected:             "FullyConnectedOptions",
	OptionsSoftmax:                    "SoftmaxOptions",
	OptionsConcatenation:              "ConcatenationOptions",
	OptionsAdd:                        "AddOptions",
	OptionsL2Norm:                     "L2NormOptions",
	OptionsLocalResponseNormalization: "LocalResponseNormalizationOptions",
	OptionsLSTM:                       "LSTMOptions",
	OptionsResizeBilinear:             "ResizeBilinearOptions",
	OptionsCall:                       "CallOptions",
	OptionsReshape:                    "ReshapeOptions",
	OptionsSkipGram:                   "SkipGramOptions",
	OptionsSpaceToDepth:               "SpaceToDepthOptions",
	OptionsEmbeddingLookupSparse:      "EmbeddingLookupSparseOptions",
	OptionsMul:                        "MulOptions",
	OptionsPad:                        "PadOptions",
	OptionsGather:                     "GatherOptions",
	OptionsBatchToSpaceND:             "BatchToSpaceNDOptions",
	OptionsSpaceToBatchND:             "SpaceToBatchNDOptions",
	OptionsTranspose:                  "TransposeOptions",
	OptionsReducer:                    "ReducerOptions",
	OptionsSub:                        "SubOptions",
	OptionsDiv:                        "DivOptions",
	OptionsSqueeze:                    "SqueezeOptions",
	OptionsSequenceRNN:                "SequenceRNNOptions",
	OptionsStridedSlice:               "StridedSliceOptions",
	OptionsExp:                        "ExpOptions",
	OptionsTopKV2:                     "TopKV2Options",
	OptionsSplit:                      "SplitOptions",
	OptionsLogSoftmax:                 "LogSoftmaxOptions",
	OptionsCast:                       "CastOptions",
	OptionsDequantize:                 "DequantizeOptions",
	OptionsMaximumMinimum:             "MaximumMinimumOptions",
	OptionsArgMax:                     "ArgMaxOptions",
	OptionsLess:                       "LessOptions",
	OptionsNeg:                        "NegOptions",
	OptionsPadV2:                      "PadV2Options",
	OptionsGreater:                    "GreaterOptions",
	OptionsGreaterEqual:               "GreaterEqualOptions",
	OptionsLessEqual:                  "LessEqualOptions",
	OptionsSelect:                     "SelectOptions",
	OptionsSlice:                      "SliceOptions",
	OptionsTransposeConv:              "TransposeConvOptions",
	OptionsSparseToDense:              "SparseToDenseOptions",
	OptionsTile:                       "TileOptions",
	OptionsExpandDims:                 "ExpandDimsOptions",
	OptionsEqual:                      "EqualOptions",
	OptionsNotEqual:                   "NotEqualOptions",
	OptionsShape:                      "ShapeOptions",
	OptionsPow:                        "PowOptions",
	OptionsArgMin:                     "ArgMinOptions",
	OptionsFakeQuant:                  "FakeQuantOptions",
	OptionsPack:                       "PackOptions",
	OptionsLogicalOr:                  "LogicalOrOptions",
	OptionsOneHot:                     "OneHotOptions",
	OptionsLogicalAnd:                 "LogicalAndOptions",
	OptionsLogicalNot:                 "LogicalNotOptions",
	OptionsUnpack:                     "UnpackOptions",
	OptionsFloorDiv:                   "FloorDivOptions",
	OptionsSquare:                     "SquareOptions",
	OptionsZerosLike:                  "ZerosLikeOptions",
	OptionsFill:                       "FillOptions",
	OptionsBidirectionalSequenceLSTM:  "BidirectionalSequenceLSTMOptions",
	OptionsBidirectionalSequenceRNN:   "BidirectionalSequenceRNNOptions",
	OptionsUnidirectionalSequenceLSTM: "UnidirectionalSequenceLSTMOptions",
	OptionsFloorMod:                   "FloorModOptions",
	OptionsRange:                      "RangeOptions",
	OptionsResizeNearestNeighbor:      "ResizeNearestNeighborOptions",
	OptionsLeakyRelu:                  "LeakyReluOptions",
	OptionsSquaredDifference:          "SquaredDifferenceOptions",
	OptionsMirrorPad:                  "MirrorPadOptions",
	OptionsAbs:                        "AbsOptions",
	OptionsSplitV:                     "SplitVOptions",
	OptionsUnique:                     "UniqueOptions",
	OptionsReverseV2:                  "ReverseV2Options",
	OptionsAddN:                       "AddNOptions",
	OptionsGatherNd:                   "GatherNdOptions",
	OptionsCos:                        "CosOptions",
	OptionsWhere:                      "WhereOptions",
	OptionsRank:                       "RankOptions",
	OptionsReverseSequence:            "ReverseSequenceOptions",
	OptionsMatrixDiag:                 "MatrixDiagOptions",
	OptionsQuantize:                   "QuantizeOptions",
	OptionsMatrixSetDiag:              "MatrixSetDiagOptions",
	OptionsHardSwish:                  "HardSwishOptions",
	OptionsIf:                         "IfOptions",
	OptionsWhile:                      "WhileOptions",
	OptionsDepthToSpace:               "DepthToSpaceOptions",
	OptionsNonMaxSuppressionV4:        "NonMaxSuppressionV4Options",
	OptionsNonMaxSuppressionV5:        "NonMaxSuppressionV5Options",
	OptionsScatterNd:                  "ScatterNdOptions",
	OptionsSelectV2:                   "SelectV2Options",
	OptionsDensify:                    "DensifyOptions",
	OptionsSegmentSum:                 "SegmentSumOptions",
	OptionsBatchMatMul:                "BatchMatMulOptions",
	OptionsCumsum:                     "CumsumOptions",
	OptionsCallOnce:                   "CallOnceOptions",
	OptionsBroadcastTo:                "BroadcastToOptions",
	OptionsRfft2d:                     "Rfft2dOptions",
	OptionsConv3D:                     "Conv3DOptions",
	OptionsHashtable:                  "HashtableOptions",
	OptionsHashtableFind:              "HashtableFindOptions",
	OptionsHashtableImport:            "HashtableImportOptions",
	OptionsHashtableSize:              "HashtableSizeOptions",
	OptionsVarHandle:                  "VarHandleOptions",
	OptionsReadVariable:               "ReadVariableOptions",
	OptionsAssignVariable:             "AssignVariableOptions",
	OptionsRandom:                     "RandomOptions",
	OptionsBucketize:                  "BucketizeOptions",
	OptionsGelu:                       "GeluOptions",
	OptionsDynamicUpdateSlice:         "DynamicUpdateSliceOptions",
	OptionsUnsortedSegmentProd:        "UnsortedSegmentProdOptions",
	OptionsUnsortedSegmentMax:         "UnsortedSegmentMaxOptions",
	OptionsUnsortedSegmentMin:         "UnsortedSegmentMinOptions",
	OptionsUnsortedSegmentSum:         "UnsortedSegmentSumOptions",
	OptionsATan2:                      "ATan2Options",
	OptionsSign:                       "SignOptions",
	OptionsBitcast:                    "BitcastOptions",
	OptionsBitwiseXor:                 "BitwiseXorOptions",
	OptionsRightShift:                 "RightShiftOptions",
}

// String returns the schema table name of the options type, e.g. "Conv2DOptions".
func (t BuiltinOptionsType) String() string {
	if int(t) < len(builtinOptionsNames) {
		return builtinOptionsNames[t]
	}
	return fmt.Sprintf("BuiltinOptions(%d)", uint8(t))
}

// Known reports whether t is a tag the schema defines.
func (t BuiltinOptionsType) Known() bool { return int(t) < len(builtinOptionsNames) }
