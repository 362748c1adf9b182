// Code below lists TFLite's BuiltinOperator enumeration (schema values).

package tflite

// BuiltinOperator is TFLite's builtin operator code.
type BuiltinOperator int32

// Builtin operator codes, with the values the schema gives them.
const (
	OpAdd                          BuiltinOperator = 0
	OpAveragePool2D                BuiltinOperator = 1
	OpConcatenation                BuiltinOperator = 2
	OpConv2D                       BuiltinOperator = 3
	OpDepthwiseConv2D              BuiltinOperator = 4
	OpDepthToSpace                 BuiltinOperator = 5
	OpDequantize                   BuiltinOperator = 6
	OpEmbeddingLookup              BuiltinOperator = 7
	OpFloor                        BuiltinOperator = 8
	OpFullyConnected               BuiltinOperator = 9
	OpHashtableLookup              BuiltinOperator = 10
	OpL2Normalization              BuiltinOperator = 11
	OpL2Pool2D                     BuiltinOperator = 12
	OpLocalResponseNormalization   BuiltinOperator = 13
	OpLogistic                     BuiltinOperator = 14
	OpLshProjection                BuiltinOperator = 15
	OpLstm                         BuiltinOperator = 16
	OpMaxPool2D                    BuiltinOperator = 17
	OpMul                          BuiltinOperator = 18
	OpRelu                         BuiltinOperator = 19
	OpReluN1To1                    BuiltinOperator = 20
	OpRelu6                        BuiltinOperator = 21
	OpReshape                      BuiltinOperator = 22
	OpResizeBilinear               BuiltinOperator = 23
	OpRnn                          BuiltinOperator = 24
	OpSoftmax                      BuiltinOperator = 25
	OpSpaceToDepth                 BuiltinOperator = 26
	OpSvdf                         BuiltinOperator = 27
	OpTanh                         BuiltinOperator = 28
	OpConcatEmbeddings             BuiltinOperator = 29
	OpSkipGram                     BuiltinOperator = 30
	OpCall                         BuiltinOperator = 31
	OpCustom                       BuiltinOperator = 32
	OpEmbeddingLookupSparse        BuiltinOperator = 33
	OpPad                          BuiltinOperator = 34
	OpUnidirectionalSequenceRnn    BuiltinOperator = 35
	OpGather                       BuiltinOperator = 36
	OpBatchToSpaceNd               BuiltinOperator = 37
	OpSpaceToBatchNd               BuiltinOperator = 38
	OpTranspose                    BuiltinOperator = 39
	OpMean                         BuiltinOperator = 40
	OpSub                          BuiltinOperator = 41
	OpDiv                          BuiltinOperator = 42
	OpSqueeze                      BuiltinOperator = 43
	OpUnidirectionalSequenceLstm   BuiltinOperator = 44
	OpStridedSlice                 BuiltinOperator = 45
	OpBidirectionalSequenceRnn     BuiltinOperator = 46
	OpExp                          BuiltinOperator = 47
	OpTopkV2                       BuiltinOperator = 48
	OpSplit                        BuiltinOperator = 49
	OpLogSoftmax                   BuiltinOperator = 50
	OpDelegate                     BuiltinOperator = 51
	OpBidirectionalSequenceLstm    BuiltinOperator = 52
	OpCast                         BuiltinOperator = 53
	OpPrelu                        BuiltinOperator = 54
	OpMaximum                      BuiltinOperator = 55
	OpArgMax                       BuiltinOperator = 56
	OpMinimum                      BuiltinOperator = 57
	OpLess                         BuiltinOperator = 58
	OpNeg                          BuiltinOperator = 59
	OpPadv2                        BuiltinOperator = 60
	OpGreater                      BuiltinOperator = 61
	OpGreaterEqual                 BuiltinOperator = 62
	OpLessEqual                    BuiltinOperator = 63
	OpSelect                       BuiltinOperator = 64
	OpSlice                        BuiltinOperator = 65
	OpSin                          BuiltinOperator = 66
	OpTransposeConv                BuiltinOperator = 67
	OpSparseToDense                BuiltinOperator = 68
	OpTile                         BuiltinOperator = 69
	OpExpandDims                   BuiltinOperator = 70
	OpEqual                        BuiltinOperator = 71
	OpNotEqual                     BuiltinOperator = 72
	OpLog                          BuiltinOperator = 73
	OpSum                          BuiltinOperator = 74
	OpSqrt                         BuiltinOperator = 75
	OpRsqrt                        BuiltinOperator = 76
	OpShape                        BuiltinOperator = 77
	OpPow                          BuiltinOperator = 78
	OpArgMin                       BuiltinOperator = 79
	OpFakeQuant                    BuiltinOperator = 80
	OpReduceProd                   BuiltinOperator = 81
	OpReduceMax                    BuiltinOperator = 82
	OpPack                         BuiltinOperator = 83
	OpLogicalOr                    BuiltinOperator = 84
	OpOneHot                       BuiltinOperator = 85
	OpLogicalAnd                   BuiltinOperator = 86
	OpLogicalNot                   BuiltinOperator = 87
	OpUnpack                       BuiltinOperator = 88
	OpReduceMin                    BuiltinOperator = 89
	OpFloorDiv                     BuiltinOperator = 90
	OpReduceAny                    BuiltinOperator = 91
	OpSquare                       BuiltinOperator = 92
	OpZerosLike                    BuiltinOperator = 93
	OpFill                         BuiltinOperator = 94
	OpFloorMod                     BuiltinOperator = 95
	OpRange                        BuiltinOperator = 96
	OpResizeNearestNeighbor        BuiltinOperator = 97
	OpLeakyRelu                    BuiltinOperator = 98
	OpSquaredDifference            BuiltinOperator = 99
	OpMirrorPad                    BuiltinOperator = 100
	OpAbs                          BuiltinOperator = 101
	OpSplitV                       BuiltinOperator = 102
	OpUnique                       BuiltinOperator = 103
	OpCeil                         BuiltinOperator = 104
	OpReverseV2                    BuiltinOperator = 105
	OpAddN                         BuiltinOperator = 106
	OpGatherNd                     BuiltinOperator = 107
	OpCos                          BuiltinOperator = 108
	OpWhere                        BuiltinOperator = 109
	OpRank                         BuiltinOperator = 110
	OpElu                          BuiltinOperator = 111
	OpReverseSequence              BuiltinOperator = 112
	OpMatrixDiag                   BuiltinOperator = 113
	OpQuantize                     BuiltinOperator = 114
	OpMatrixSetDiag                BuiltinOperator = 115
	OpRound                        BuiltinOperator = 116
	OpHardSwish                    BuiltinOperator = 117
	OpIf                           BuiltinOperator = 118
	OpWhile                        BuiltinOperator = 119
	OpNonMaxSuppressionV4          BuiltinOperator = 120
	OpNonMaxSuppressionV5          BuiltinOperator = 121
	OpScatterNd                    BuiltinOperator = 122
	OpSelectV2                     BuiltinOperator = 123
	OpDensify                      BuiltinOperator = 124
	OpSegmentSum                   BuiltinOperator = 125
	OpBatchMatmul                  BuiltinOperator = 126
	OpPlaceholderForGreaterOpCodes BuiltinOperator = 127
	OpCumsum                       BuiltinOperator = 128
	OpCallOnce                     BuiltinOperator = 129
	OpBroadcastTo                  BuiltinOperator = 130
	OpRfft2d                       BuiltinOperator = 131
	OpConv3D                       BuiltinOperator = 132
	OpImag                         BuiltinOperator = 133
	OpReal                         BuiltinOperator = 134
	OpComplexAbs                   BuiltinOperator = 135
	OpHashtable                    BuiltinOperator = 136
	OpHashtableFind                BuiltinOperator = 137
	OpHashtableImport              BuiltinOperator = 138
	OpHashtableSize                BuiltinOperator = 139
	OpReduceAll                    BuiltinOperator = 140
	OpConv3DTranspose              BuiltinOperator = 141
	OpVarHandle                    BuiltinOperator = 142
	OpReadVariable                 BuiltinOperator = 143
	OpAssignVariable               BuiltinOperator = 144
	OpBroadcastArgs                BuiltinOperator = 145
	OpRandomStandardNormal         BuiltinOperator = 146
	OpBucketize                    BuiltinOperator = 147
	OpRandomUniform                BuiltinOperator = 148
	OpMultinomial                  BuiltinOperator = 149
	OpGelu                         BuiltinOperator = 150
	OpDynamicUpdateSlice           BuiltinOperator = 151
	OpRelu0To1                     BuiltinOperator = 152
	OpUnsortedSegmentProd          BuiltinOperator = 153
	OpUnsortedSegmentMax           BuiltinOperator = 154
	OpUnsortedSegmentSum           BuiltinOperator = 155
	OpAtan2                        BuiltinOperator = 156
	OpUnsortedSegmentMin           BuiltinOperator = 157
	OpSign                         BuiltinOperator = 158
	OpBitcast                      BuiltinOperator = 159
	OpBitwiseXor                   BuiltinOperator = 160
	OpRightShift                   BuiltinOperator = 161
	OpStableHLOLogistic            BuiltinOperator = 162
	OpStableHLOAdd                 BuiltinOperator = 163
	OpStableHLODivide              BuiltinOperator = 164
	OpStableHLOMultiply            BuiltinOperator = 165
	OpStableHLOMaximum             BuiltinOperator = 166
	OpStableHLOReshape             BuiltinOperator = 167
	OpStableHLOClamp               BuiltinOperator = 168
	OpStableHLOConcatenate         BuiltinOperator = 169
	OpStableHLOBroadcastInDim      BuiltinOperator = 170
	OpStableHLOConvolution         BuiltinOperator = 171
	OpStableHLOSlice               BuiltinOperator = 172
	OpStableHLOCustomCall          BuiltinOperator = 173
	OpStableHLOReduce              BuiltinOperator = 174
	OpStableHLOAbs                 BuiltinOperator = 175
	OpStableHLOAnd                 BuiltinOperator = 176
	OpStableHLOCosine              BuiltinOperator = 177
	OpStableHLOExponential         BuiltinOperator = 178
	OpStableHLOFloor               BuiltinOperator = 179
	OpStableHLOLog                 BuiltinOperator = 180
	OpStableHLOMinimum             BuiltinOperator = 181
	OpStableHLONegate              BuiltinOperator = 182
	OpStableHLOOr                  BuiltinOperator = 183
	OpStableHLOPower               BuiltinOperator = 184
	OpStableHLORemainder           BuiltinOperator = 185
	OpStableHLORsqrt               BuiltinOperator = 186
	OpStableHLOSelect              BuiltinOperator = 187
	OpStableHLOSubtract            BuiltinOperator = 188
	OpStableHLOTanh                BuiltinOperator = 189
	OpStableHLOScatter             BuiltinOperator = 190
	OpStableHLOCompare             BuiltinOperator = 191
	OpStableHLOConvert             BuiltinOperator = 192
	OpStableHLODynamicSlice        BuiltinOperator = 193
	OpStableHLODynamicUpdateSlice  BuiltinOperator = 194
	OpStableHLOPad                 BuiltinOperator = 195
	OpStableHLOIota                BuiltinOperator = 196
	OpStableHLODotGeneral          BuiltinOperator = 197
	OpStableHLOReduceWindow        BuiltinOperator = 198
	OpStableHLOSort                BuiltinOperator = 199
	OpStableHLOWhile               BuiltinOperator = 200
	OpStableHLOGather              BuiltinOperator = 201
	OpStableHLOTranspose           BuiltinOperator = 202
	OpDilate                       BuiltinOperator = 203
	OpStableHLORngBitGenerator     BuiltinOperator = 204
	OpReduceWindow                 BuiltinOperator = 205
	OpStableHLOComposite           BuiltinOperator = 206
	OpStableHLOShiftLeft           BuiltinOperator = 207
	OpStableHLOCbrt                BuiltinOperator = 208
	OpStableHLOCase                BuiltinOperator = 209
)

// builtinOperatorNames is indexed by BuiltinOperator.
var builtinOperatorNames = [...]string{
	OpAdd:                          "ADD",
	OpAveragePool2D:                "AVERAGE_POOL_2D",
	OpConcatenation:                "CONCATENATION",
	OpConv2D:                       "CONV_2D",
	OpDepthwiseConv2D:              "DEPTHWISE_CONV_2D",
	OpDepthToSpace:                 "DEPTH_TO_SPACE",
	OpDequantize:                   "DEQUANTIZE",
	OpEmbeddingLookup:              "EMBEDDING_LOOKUP",
	OpFloor:                        "FLOOR",
	OpFullyConnected:               "FULLY_CONNECTED",
	OpHashtableLookup:              "HASHTABLE_LOOKUP",
	OpL2Normalization:              "L2_NORMALIZATION",
	OpL2Pool2D:                     "L2_POOL_2D",
	OpLocalResponseNormalization:   "LOCAL_RESPONSE_NORMALIZATION",
	OpLogistic:                     "LOGISTIC",
	OpLshProjection:                "LSH_PROJECTION",
	OpLstm:                         "LSTM",
	OpMaxPool2D:                    "MAX_POOL_2D",
	OpMul:                          "MUL",
	OpRelu:                         "RELU",
	OpReluN1To1:                    "RELU_N1_TO_1",
	OpRelu6:                        "RELU6",
	OpReshape:                      "RESHAPE",
	OpResizeBilinear:               "RESIZE_BILINEAR",
	OpRnn:                          "RNN",
	OpSoftmax:                      "SOFTMAX",
	OpSpaceToDepth:                 "SPACE_TO_DEPTH",
	OpSvdf:                         "SVDF",
	OpTanh:                         "TANH",
	OpConcatEmbeddings:             "CONCAT_EMBEDDINGS",
	OpSkipGram:                     "SKIP_GRAM",
	OpCall:                         "CALL",
	OpCustom:                       "CUSTOM",
	OpEmbeddingLookupSparse:        "EMBEDDING_LOOKUP_SPARSE",
	OpPad:                          "PAD",
	OpUnidirectionalSequenceRnn:    "UNIDIRECTIONAL_SEQUENCE_RNN",
	OpGather:                       "GATHER",
	OpBatchToSpaceNd:               "BATCH_TO_SPACE_ND",
	OpSpaceToBatchNd:               "SPACE_TO_BATCH_ND",
	OpTranspose:                    "TRANSPOSE",
	OpMean:                         "MEAN",
	OpSub:                          "SUB",
	OpDiv:                          "DIV",
	OpSqueeze:                      "SQUEEZE",
	OpUnidirectionalSequenceLstm:   "UNIDIRECTIONAL_SEQUENCE_LSTM",
	OpStridedSlice:                 "STRIDED_SLICE",
	OpBidirectionalSequenceRnn:     "BIDIRECTIONAL_SEQUENCE_RNN",
	OpExp:                          "EXP",
	OpTopkV2:                       "TOPK_V2",
	OpSplit:                        "SPLIT",
	OpLogSoftmax:                   "LOG_SOFTMAX",
	OpDelegate:                     "DELEGATE",
	OpBidirectionalSequenceLstm:    "BIDIRECTIONAL_SEQUENCE_LSTM",
	OpCast:                         "CAST",
	OpPrelu:                        "PRELU",
	OpMaximum:                      "MAXIMUM",
	OpArgMax:                       "ARG_MAX",
	OpMinimum:                      "MINIMUM",
	OpLess:                         "LESS",
	OpNeg:                          "NEG",
	OpPadv2:                        "PADV2",
	OpGreater:                      "GREATER",
	OpGreaterEqual:                 "GREATER_EQUAL",
	OpLessEqual:                    "LESS_EQUAL",
	OpSelect:                       "SELECT",
	OpSlice:                        "SLICE",
	OpSin:                          "SIN",
	OpTransposeConv:                "TRANSPOSE_CONV",
	OpSparseToDense:                "SPARSE_TO_DENSE",
	OpTile:                         "TILE",
	OpExpandDims:                   "EXPAND_DIMS",
	OpEqual:                        "EQUAL",
	OpNotEqual:                     "NOT_EQUAL",
	OpLog:                          "LOG",
	OpSum:                          "SUM",
	OpSqrt:                         "SQRT",
	OpRsqrt:                        "RSQRT",
	OpShape:                        "SHAPE",
	OpPow:                          "POW",
	OpArgMin:                       "ARG_MIN",
	OpFakeQuant:                    "FAKE_QUANT",
	OpReduceProd:                   "REDUCE_PROD",
	OpReduceMax:                    "REDUCE_MAX",
	OpPack:                         "PACK",
	OpLogicalOr:                    "LOGICAL_OR",
	OpOneHot:                       "ONE_HOT",
	OpLogicalAnd:                   "LOGICAL_AND",
	OpLogicalNot:                   "LOGICAL_NOT",
	OpUnpack:                       "UNPACK",
	OpReduceMin:                    "REDUCE_MIN",
	OpFloorDiv:                     "FLOOR_DIV",
	OpReduceAny:                    "REDUCE_ANY",
	OpSquare:                       "SQUARE",
	OpZerosLike:                    "ZEROS_LIKE",
	OpFill:                         "FILL",
	OpFloorMod:                     "FLOOR_MOD",
	OpRange:                        "RANGE",
	OpResizeNearestNeighbor:        "RESIZE_NEAREST_NEIGHBOR",
	OpLeakyRelu:                    "LEAKY_RELU",
	OpSquaredDifference:            "SQUARED_DIFFERENCE",
	OpMirrorPad:                    "MIRROR_PAD",
	OpAbs:                          "ABS",
	OpSplitV:                       "SPLIT_V",
	OpUnique:                       "UNIQUE",
	OpCeil:                         "CEIL",
	OpReverseV2:                    "REVERSE_V2",
	OpAddN:                         "ADD_N",
	OpGatherNd:                     "GATHER_ND",
	OpCos:                          "COS",
	OpWhere:                        "WHERE",
	OpRank:                         "RANK",
	OpElu:                          "ELU",
	OpReverseSequence:              "REVERSE_SEQUENCE",
	OpMatrixDiag:                   "MATRIX_DIAG",
	OpQuantize:                     "QUANTIZE",
	OpMatrixSetDiag:                "MATRIX_SET_DIAG",
	OpRound:                        "ROUND",
	OpHardSwish:                    "HARD_SWISH",
	OpIf:                           "IF",
	OpWhile:                        "WHILE",
	OpNonMaxSuppressionV4:          "NON_MAX_SUPPRESSION_V4",
	OpNonMaxSuppressionV5:          "NON_MAX_SUPPRESSION_V5",
	OpScatterNd:                    "SCATTER_ND",
	OpSelectV2:                     "SELECT_V2",
	OpDensify:                      "DENSIFY",
	OpSegmentSum:                   "SEGMENT_SUM",
	OpBatchMatmul:                  "BATCH_MATMUL",
	OpPlaceholderForGreaterOpCodes: "PLACEHOLDER_FOR_GREATER_OP_CODES",
	OpCumsum:                       "CUMSUM",
	OpCallOnce:                     "CALL_ONCE",
	OpBroadcastTo:                  "BROADCAST_TO",
	OpRfft2d:                       "RFFT2D",
	OpConv3D:                       "CONV_3D",
	OpImag:                         "IMAG",
	OpReal:                         "REAL",
	OpComplexAbs:                   "COMPLEX_ABS",
	OpHashtable:                    "HASHTABLE",
	OpHashtableFind:                "HASHTABLE_FIND",
	OpHashtableImport:              "HASHTABLE_IMPORT",
	OpHashtableSize:                "HASHTABLE_SIZE",
	OpReduceAll:                    "REDUCE_ALL",
	OpConv3DTranspose:              "CONV_3D_TRANSPOSE",
	OpVarHandle:                    "VAR_HANDLE",
	OpReadVariable:                 "READ_VARIABLE",
	OpAssignVariable:               "ASSIGN_VARIABLE",
	OpBroadcastArgs:                "BROADCAST_ARGS",
	OpRandomStandardNormal:         "RANDOM_STANDARD_NORMAL",
	OpBucketize:                    "BUCKETIZE",
	OpRandomUniform:                "RANDOM_UNIFORM",
	OpMultinomial:                  "MULTINOMIAL",
	OpGelu:                         "GELU",
	OpDynamicUpdateSlice:           "DYNAMIC_UPDATE_SLICE",
	OpRelu0To1:                     "RELU_0_TO_1",
	OpUnsortedSegmentProd:          "UNSORTED_SEGMENT_PROD",
	OpUnsortedSegmentMax:           "UNSORTED_SEGMENT_MAX",
	OpUnsortedSegmentSum:           "UNSORTED_SEGMENT_SUM",
	OpAtan2:                        "ATAN2",
	OpUnsortedSegmentMin:           "UNSORTED_SEGMENT_MIN",
	OpSign:                         "SIGN",
	OpBitcast:                      "BITCAST",
	OpBitwiseXor:                   "BITWISE_XOR",
	OpRightShift:                   "RIGHT_SHIFT",
	OpStableHLOLogistic:            "STABLEHLO_LOGISTIC",
	OpStableHLOAdd:                 "STABLEHLO_ADD",
	OpStableHLODivide:              "STABLEHLO_DIVIDE",
	OpStableHLOMultiply:            "STABLEHLO_MULTIPLY",
	OpStableHLOMaximum:             "STABLEHLO_MAXIMUM",
	OpStableHLOReshape:             "STABLEHLO_RESHAPE",
	OpStableHLOClamp:               "STABLEHLO_CLAMP",
	OpStableHLOConcatenate:         "STABLEHLO_CONCATENATE",
	OpStableHLOBroadcastInDim:      "STABLEHLO_BROADCAST_IN_DIM",
	OpStableHLOConvolution:         "STABLEHLO_CONVOLUTION",
	OpStableHLOSlice:               "STABLEHLO_SLICE",
	OpStableHLOCustomCall:          "STABLEHLO_CUSTOM_CALL",
	OpStableHLOReduce:              "STABLEHLO_REDUCE",
	OpStableHLOAbs:                 "STABLEHLO_ABS",
	OpStableHLOAnd:                 "STABLEHLO_AND",
	OpStableHLOCosine:              "STABLEHLO_COSINE",
	OpStableHLOExponential:         "STABLEHLO_EXPONENTIAL",
	OpStableHLOFloor:               "STABLEHLO_FLOOR",
	OpStableHLOLog:                 "STABLEHLO_LOG",
	OpStableHLOMinimum:             "STABLEHLO_MINIMUM",
	OpStableHLONegate:              "STABLEHLO_NEGATE",
	OpStableHLOOr:                  "STABLEHLO_OR",
	OpStableHLOPower:               "STABLEHLO_POWER",
	OpStableHLORemainder:           "STABLEHLO_REMAINDER",
	OpStableHLORsqrt:               "STABLEHLO_RSQRT",
	OpStableHLOSelect:              "STABLEHLO_SELECT",
	OpStableHLOSubtract:            "STABLEHLO_SUBTRACT",
	OpStableHLOTanh:                "STABLEHLO_TANH",
	OpStableHLOScatter:             "STABLEHLO_SCATTER",
	OpStableHLOCompare:             "STABLEHLO_COMPARE",
	OpStableHLOConvert:             "STABLEHLO_CONVERT",
	OpStableHLODynamicSlice:        "STABLEHLO_DYNAMIC_SLICE",
	OpStableHLODynamicUpdateSlice:  "STABLEHLO_DYNAMIC_UPDATE_SLICE",
	OpStableHLOPad:                 "STABLEHLO_PAD",
	OpStableHLOIota:                "STABLEHLO_IOTA",
	OpStableHLODotGeneral:          "STABLEHLO_DOT_GENERAL",
	OpStableHLOReduceWindow:        "STABLEHLO_REDUCE_WINDOW",
	OpStableHLOSort:                "STABLEHLO_SORT",
	OpStableHLOWhile:               "STABLEHLO_WHILE",
	OpStableHLOGather:              "STABLEHLO_GATHER",
	OpStableHLOTranspose:           "STABLEHLO_TRANSPOSE",
	OpDilate:                       "DILATE",
	OpStableHLORngBitGenerator:     "STABLEHLO_RNG_BIT_GENERATOR",
	OpReduceWindow:                 "REDUCE_WINDOW",
	OpStableHLOComposite:           "STABLEHLO_COMPOSITE",
	OpStableHLOShiftLeft:           "STABLEHLO_SHIFT_LEFT",
	OpStableHLOCbrt:                "STABLEHLO_CBRT",
	OpStableHLOCase:                "STABLEHLO_CASE",
}
