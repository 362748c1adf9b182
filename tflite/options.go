package tflite

import "fmt"

// The builtin options tables this package decodes and writes, described
// once as data so the reader and the writer cannot disagree. Each field
// names its slot (field id in schema order), where it lives in the flat
// Options struct, and its schema default. Options types not listed here are
// kept as Type only: they decode without error and are written back as
// empty tables.

// optField is one field of an options table.
type optField struct {
	slot int
	name string // schema field name
	// ptr returns a pointer to the Options field: *int8-kinded (Padding,
	// Activation, TensorType, MirrorPadMode, int8), *bool, *int32, *float32,
	// *[]int32 or *string.
	ptr func(o *Options) any
	// def is the schema default for scalar fields (1 for true).
	def int32
}

// optionsTables lists the decoded fields of each options type.
var optionsTables = map[BuiltinOptionsType][]optField{
	OptionsConv2D: {
		{0, "padding", func(o *Options) any { return &o.Padding }, 0},
		{1, "stride_w", func(o *Options) any { return &o.StrideW }, 0},
		{2, "stride_h", func(o *Options) any { return &o.StrideH }, 0},
		{3, "fused_activation_function", func(o *Options) any { return &o.Activation }, 0},
		{4, "dilation_w_factor", func(o *Options) any { return &o.DilationW }, 1},
		{5, "dilation_h_factor", func(o *Options) any { return &o.DilationH }, 1},
		{6, "quantized_bias_type", func(o *Options) any { return &o.QuantizedBiasType }, 0},
	},
	OptionsDepthwiseConv2D: {
		{0, "padding", func(o *Options) any { return &o.Padding }, 0},
		{1, "stride_w", func(o *Options) any { return &o.StrideW }, 0},
		{2, "stride_h", func(o *Options) any { return &o.StrideH }, 0},
		{3, "depth_multiplier", func(o *Options) any { return &o.DepthMultiplier }, 0},
		{4, "fused_activation_function", func(o *Options) any { return &o.Activation }, 0},
		{5, "dilation_w_factor", func(o *Options) any { return &o.DilationW }, 1},
		{6, "dilation_h_factor", func(o *Options) any { return &o.DilationH }, 1},
	},
	OptionsTransposeConv: {
		{0, "padding", func(o *Options) any { return &o.Padding }, 0},
		{1, "stride_w", func(o *Options) any { return &o.StrideW }, 0},
		{2, "stride_h", func(o *Options) any { return &o.StrideH }, 0},
		{3, "fused_activation_function", func(o *Options) any { return &o.Activation }, 0},
		{4, "quantized_bias_type", func(o *Options) any { return &o.QuantizedBiasType }, 0},
	},
	OptionsPool2D: {
		{0, "padding", func(o *Options) any { return &o.Padding }, 0},
		{1, "stride_w", func(o *Options) any { return &o.StrideW }, 0},
		{2, "stride_h", func(o *Options) any { return &o.StrideH }, 0},
		{3, "filter_width", func(o *Options) any { return &o.FilterW }, 0},
		{4, "filter_height", func(o *Options) any { return &o.FilterH }, 0},
		{5, "fused_activation_function", func(o *Options) any { return &o.Activation }, 0},
	},
	OptionsFullyConnected: {
		{0, "fused_activation_function", func(o *Options) any { return &o.Activation }, 0},
		{1, "weights_format", func(o *Options) any { return &o.WeightsFormat }, 0},
		{2, "keep_num_dims", func(o *Options) any { return &o.KeepNumDims }, 0},
		{3, "asymmetric_quantize_inputs", func(o *Options) any { return &o.AsymmetricQuantizeInputs }, 0},
		{4, "quantized_bias_type", func(o *Options) any { return &o.QuantizedBiasType }, 0},
	},
	OptionsSVDF: {
		{0, "rank", func(o *Options) any { return &o.Rank }, 0},
		{1, "fused_activation_function", func(o *Options) any { return &o.Activation }, 0},
		{2, "asymmetric_quantize_inputs", func(o *Options) any { return &o.AsymmetricQuantizeInputs }, 0},
	},
	OptionsRNN: {
		{0, "fused_activation_function", func(o *Options) any { return &o.Activation }, 0},
		{1, "asymmetric_quantize_inputs", func(o *Options) any { return &o.AsymmetricQuantizeInputs }, 0},
	},
	OptionsSequenceRNN: {
		{0, "time_major", func(o *Options) any { return &o.TimeMajor }, 0},
		{1, "fused_activation_function", func(o *Options) any { return &o.Activation }, 0},
		{2, "asymmetric_quantize_inputs", func(o *Options) any { return &o.AsymmetricQuantizeInputs }, 0},
	},
	OptionsSoftmax: {
		{0, "beta", func(o *Options) any { return &o.Beta }, 0},
	},
	OptionsConcatenation: {
		{0, "axis", func(o *Options) any { return &o.Axis }, 0},
		{1, "fused_activation_function", func(o *Options) any { return &o.Activation }, 0},
	},
	OptionsAdd: {
		{0, "fused_activation_function", func(o *Options) any { return &o.Activation }, 0},
		{1, "pot_scale_int16", func(o *Options) any { return &o.PotScaleInt16 }, 1},
	},
	OptionsSub: {
		{0, "fused_activation_function", func(o *Options) any { return &o.Activation }, 0},
		{1, "pot_scale_int16", func(o *Options) any { return &o.PotScaleInt16 }, 1},
	},
	OptionsMul: {
		{0, "fused_activation_function", func(o *Options) any { return &o.Activation }, 0},
	},
	OptionsDiv: {
		{0, "fused_activation_function", func(o *Options) any { return &o.Activation }, 0},
	},
	OptionsL2Norm: {
		{0, "fused_activation_function", func(o *Options) any { return &o.Activation }, 0},
	},
	OptionsLocalResponseNormalization: {
		{0, "radius", func(o *Options) any { return &o.Radius }, 0},
		{1, "bias", func(o *Options) any { return &o.LRNBias }, 0},
		{2, "alpha", func(o *Options) any { return &o.LRNAlpha }, 0},
		{3, "beta", func(o *Options) any { return &o.LRNBeta }, 0},
	},
	OptionsLSTM: {
		{0, "fused_activation_function", func(o *Options) any { return &o.Activation }, 0},
		{1, "cell_clip", func(o *Options) any { return &o.CellClip }, 0},
		{2, "proj_clip", func(o *Options) any { return &o.ProjClip }, 0},
		{3, "kernel_type", func(o *Options) any { return &o.LSTMKernelType }, 0},
		{4, "asymmetric_quantize_inputs", func(o *Options) any { return &o.AsymmetricQuantizeInputs }, 0},
	},
	OptionsUnidirectionalSequenceLSTM: {
		{0, "fused_activation_function", func(o *Options) any { return &o.Activation }, 0},
		{1, "cell_clip", func(o *Options) any { return &o.CellClip }, 0},
		{2, "proj_clip", func(o *Options) any { return &o.ProjClip }, 0},
		{3, "time_major", func(o *Options) any { return &o.TimeMajor }, 0},
		{4, "asymmetric_quantize_inputs", func(o *Options) any { return &o.AsymmetricQuantizeInputs }, 0},
		{5, "diagonal_recurrent_tensors", func(o *Options) any { return &o.DiagonalRecurrentTensors }, 0},
	},
	OptionsResizeBilinear: {
		// Slots 0 and 1 (new_height, new_width) are deprecated.
		{2, "align_corners", func(o *Options) any { return &o.AlignCorners }, 0},
		{3, "half_pixel_centers", func(o *Options) any { return &o.HalfPixelCenters }, 0},
	},
	OptionsResizeNearestNeighbor: {
		{0, "align_corners", func(o *Options) any { return &o.AlignCorners }, 0},
		{1, "half_pixel_centers", func(o *Options) any { return &o.HalfPixelCenters }, 0},
	},
	OptionsReshape: {
		{0, "new_shape", func(o *Options) any { return &o.NewShape }, 0},
	},
	OptionsSpaceToDepth: {
		{0, "block_size", func(o *Options) any { return &o.BlockSize }, 0},
	},
	OptionsDepthToSpace: {
		{0, "block_size", func(o *Options) any { return &o.BlockSize }, 0},
	},
	OptionsGather: {
		{0, "axis", func(o *Options) any { return &o.Axis }, 0},
		{1, "batch_dims", func(o *Options) any { return &o.BatchDims }, 0},
	},
	OptionsReducer: {
		{0, "keep_dims", func(o *Options) any { return &o.KeepDims }, 0},
	},
	OptionsSqueeze: {
		{0, "squeeze_dims", func(o *Options) any { return &o.SqueezeDims }, 0},
	},
	OptionsSplit: {
		{0, "num_splits", func(o *Options) any { return &o.NumSplits }, 0},
	},
	OptionsSplitV: {
		{0, "num_splits", func(o *Options) any { return &o.NumSplits }, 0},
	},
	OptionsStridedSlice: {
		{0, "begin_mask", func(o *Options) any { return &o.BeginMask }, 0},
		{1, "end_mask", func(o *Options) any { return &o.EndMask }, 0},
		{2, "ellipsis_mask", func(o *Options) any { return &o.EllipsisMask }, 0},
		{3, "new_axis_mask", func(o *Options) any { return &o.NewAxisMask }, 0},
		{4, "shrink_axis_mask", func(o *Options) any { return &o.ShrinkAxisMask }, 0},
		{5, "offset", func(o *Options) any { return &o.Offset }, 0},
	},
	OptionsCast: {
		{0, "in_data_type", func(o *Options) any { return &o.InDataType }, 0},
		{1, "out_data_type", func(o *Options) any { return &o.OutDataType }, 0},
	},
	OptionsArgMax: {
		{0, "output_type", func(o *Options) any { return &o.OutputType }, 0},
	},
	OptionsArgMin: {
		{0, "output_type", func(o *Options) any { return &o.OutputType }, 0},
	},
	OptionsShape: {
		{0, "out_type", func(o *Options) any { return &o.OutputType }, 0},
	},
	OptionsPack: {
		{0, "values_count", func(o *Options) any { return &o.ValuesCount }, 0},
		{1, "axis", func(o *Options) any { return &o.Axis }, 0},
	},
	OptionsUnpack: {
		{0, "num", func(o *Options) any { return &o.Num }, 0},
		{1, "axis", func(o *Options) any { return &o.Axis }, 0},
	},
	OptionsOneHot: {
		{0, "axis", func(o *Options) any { return &o.Axis }, 0},
	},
	OptionsLeakyRelu: {
		{0, "alpha", func(o *Options) any { return &o.Alpha }, 0},
	},
	OptionsMirrorPad: {
		{0, "mode", func(o *Options) any { return &o.MirrorPadMode }, 0},
	},
	OptionsBatchMatMul: {
		{0, "adj_x", func(o *Options) any { return &o.AdjX }, 0},
		{1, "adj_y", func(o *Options) any { return &o.AdjY }, 0},
		{2, "asymmetric_quantize_inputs", func(o *Options) any { return &o.AsymmetricQuantizeInputs }, 0},
	},
	OptionsCumsum: {
		{0, "exclusive", func(o *Options) any { return &o.Exclusive }, 0},
		{1, "reverse", func(o *Options) any { return &o.Reverse }, 0},
	},
	OptionsGelu: {
		{0, "approximate", func(o *Options) any { return &o.Approximate }, 0},
	},
	OptionsCall: {
		{0, "subgraph", func(o *Options) any { return &o.Subgraph }, 0},
	},
	OptionsCallOnce: {
		{0, "init_subgraph_index", func(o *Options) any { return &o.Subgraph }, 0},
	},
	OptionsIf: {
		{0, "then_subgraph_index", func(o *Options) any { return &o.ThenSubgraph }, 0},
		{1, "else_subgraph_index", func(o *Options) any { return &o.ElseSubgraph }, 0},
	},
	OptionsWhile: {
		{0, "cond_subgraph_index", func(o *Options) any { return &o.CondSubgraph }, 0},
		{1, "body_subgraph_index", func(o *Options) any { return &o.BodySubgraph }, 0},
	},
	OptionsVarHandle: {
		{0, "container", func(o *Options) any { return &o.Container }, 0},
		{1, "shared_name", func(o *Options) any { return &o.SharedName }, 0},
	},
	// Tables the schema declares without fields: nothing to decode.
	OptionsDequantize:         {},
	OptionsPad:                {},
	OptionsBatchToSpaceND:     {},
	OptionsSpaceToBatchND:     {},
	OptionsTranspose:          {},
	OptionsLogSoftmax:         {},
	OptionsMaximumMinimum:     {},
	OptionsLess:               {},
	OptionsPadV2:              {},
	OptionsGreater:            {},
	OptionsGreaterEqual:       {},
	OptionsLessEqual:          {},
	OptionsSlice:              {},
	OptionsExpandDims:         {},
	OptionsEqual:              {},
	OptionsNotEqual:           {},
	OptionsZerosLike:          {},
	OptionsFill:               {},
	OptionsSquaredDifference:  {},
	OptionsAbs:                {},
	OptionsReverseV2:          {},
	OptionsAddN:               {},
	OptionsGatherNd:           {},
	OptionsQuantize:           {},
	OptionsHardSwish:          {},
	OptionsSelectV2:           {},
	OptionsBroadcastTo:        {},
	OptionsDynamicUpdateSlice: {},
}

// DefaultOptions returns Options of type t with every field of that table
// at its schema default (e.g. DilationW/H = 1 for Conv2D, PotScaleInt16 =
// true for Add/Sub) and all other fields zero. The reader starts from these
// values and overrides the fields present in the file, so build test models
// from DefaultOptions(t) too.
func DefaultOptions(t BuiltinOptionsType) Options {
	o := Options{Type: t}
	for _, f := range optionsTables[t] {
		if f.def == 0 {
			continue
		}
		switch p := f.ptr(&o).(type) {
		case *int32:
			*p = f.def
		case *bool:
			*p = f.def != 0
		}
	}
	return o
}

// decodeOptions reads the fields of the options table t into o (whose Type
// is already set and whose fields hold the defaults).
func decodeOptions(t *fbTable, o *Options) error {
	for _, f := range optionsTables[o.Type] {
		var err error
		switch p := f.ptr(o).(type) {
		case *Padding:
			err = decodeInt8Field(t, f, p)
		case *Activation:
			err = decodeInt8Field(t, f, p)
		case *TensorType:
			err = decodeInt8Field(t, f, p)
		case *MirrorPadMode:
			err = decodeInt8Field(t, f, p)
		case *int8:
			err = decodeInt8Field(t, f, p)
		case *bool:
			*p, err = t.boolField(f.slot, f.def != 0)
		case *int32:
			*p, err = t.int32Field(f.slot, f.def)
		case *float32:
			*p, err = t.float32Field(f.slot, float32(f.def))
		case *[]int32:
			*p, err = t.int32sField(f.slot)
		case *string:
			*p, err = t.stringField(f.slot)
		default:
			panic(fmt.Sprintf("tflite: options field of unsupported type %T", p))
		}
		if err != nil {
			return fmt.Errorf("field %d: %w", f.slot, err)
		}
	}
	return nil
}

// decodeInt8Field reads the int8-kinded field f (an enum such as Padding,
// or a plain int8) into p.
func decodeInt8Field[E ~int8](t *fbTable, f optField, p *E) error {
	v, err := t.int8Field(f.slot, int8(f.def))
	*p = E(v)
	return err
}

// DefaultOptionsType returns the options table the converter attaches to
// op (OptionsNone for operators without one).
func DefaultOptionsType(op BuiltinOperator) BuiltinOptionsType {
	if t, ok := opOptionsType[op]; ok {
		return t
	}
	return OptionsNone
}

// opOptionsType maps each builtin operator to the options table the
// converter attaches to it.
var opOptionsType = map[BuiltinOperator]BuiltinOptionsType{
	OpAdd:                        OptionsAdd,
	OpAveragePool2D:              OptionsPool2D,
	OpConcatenation:              OptionsConcatenation,
	OpConv2D:                     OptionsConv2D,
	OpDepthwiseConv2D:            OptionsDepthwiseConv2D,
	OpDepthToSpace:               OptionsDepthToSpace,
	OpDequantize:                 OptionsDequantize,
	OpFullyConnected:             OptionsFullyConnected,
	OpL2Normalization:            OptionsL2Norm,
	OpL2Pool2D:                   OptionsPool2D,
	OpLocalResponseNormalization: OptionsLocalResponseNormalization,
	OpLshProjection:              OptionsLSHProjection,
	OpLstm:                       OptionsLSTM,
	OpMaxPool2D:                  OptionsPool2D,
	OpMul:                        OptionsMul,
	OpReshape:                    OptionsReshape,
	OpResizeBilinear:             OptionsResizeBilinear,
	OpRnn:                        OptionsRNN,
	OpSoftmax:                    OptionsSoftmax,
	OpSpaceToDepth:               OptionsSpaceToDepth,
	OpSvdf:                       OptionsSVDF,
	OpConcatEmbeddings:           OptionsConcatEmbeddings,
	OpSkipGram:                   OptionsSkipGram,
	OpCall:                       OptionsCall,
	OpEmbeddingLookupSparse:      OptionsEmbeddingLookupSparse,
	OpPad:                        OptionsPad,
	OpUnidirectionalSequenceRnn:  OptionsSequenceRNN,
	OpGather:                     OptionsGather,
	OpBatchToSpaceNd:             OptionsBatchToSpaceND,
	OpSpaceToBatchNd:             OptionsSpaceToBatchND,
	OpTranspose:                  OptionsTranspose,
	OpMean:                       OptionsReducer,
	OpSub:                        OptionsSub,
	OpDiv:                        OptionsDiv,
	OpSqueeze:                    OptionsSqueeze,
	OpUnidirectionalSequenceLstm: OptionsUnidirectionalSequenceLSTM,
	OpStridedSlice:               OptionsStridedSlice,
	OpBidirectionalSequenceRnn:   OptionsBidirectionalSequenceRNN,
	OpExp:                        OptionsExp,
	OpTopkV2:                     OptionsTopKV2,
	OpSplit:                      OptionsSplit,
	OpLogSoftmax:                 OptionsLogSoftmax,
	OpBidirectionalSequenceLstm:  OptionsBidirectionalSequenceLSTM,
	OpCast:                       OptionsCast,
	OpMaximum:                    OptionsMaximumMinimum,
	OpArgMax:                     OptionsArgMax,
	OpMinimum:                    OptionsMaximumMinimum,
	OpLess:                       OptionsLess,
	OpNeg:                        OptionsNeg,
	OpPadv2:                      OptionsPadV2,
	OpGreater:                    OptionsGreater,
	OpGreaterEqual:               OptionsGreaterEqual,
	OpLessEqual:                  OptionsLessEqual,
	OpSelect:                     OptionsSelect,
	OpSlice:                      OptionsSlice,
	OpTransposeConv:              OptionsTransposeConv,
	OpSparseToDense:              OptionsSparseToDense,
	OpTile:                       OptionsTile,
	OpExpandDims:                 OptionsExpandDims,
	OpEqual:                      OptionsEqual,
	OpNotEqual:                   OptionsNotEqual,
	OpSum:                        OptionsReducer,
	OpShape:                      OptionsShape,
	OpPow:                        OptionsPow,
	OpArgMin:                     OptionsArgMin,
	OpFakeQuant:                  OptionsFakeQuant,
	OpReduceProd:                 OptionsReducer,
	OpReduceMax:                  OptionsReducer,
	OpPack:                       OptionsPack,
	OpLogicalOr:                  OptionsLogicalOr,
	OpOneHot:                     OptionsOneHot,
	OpLogicalAnd:                 OptionsLogicalAnd,
	OpLogicalNot:                 OptionsLogicalNot,
	OpUnpack:                     OptionsUnpack,
	OpReduceMin:                  OptionsReducer,
	OpFloorDiv:                   OptionsFloorDiv,
	OpReduceAny:                  OptionsReducer,
	OpSquare:                     OptionsSquare,
	OpZerosLike:                  OptionsZerosLike,
	OpFill:                       OptionsFill,
	OpFloorMod:                   OptionsFloorMod,
	OpRange:                      OptionsRange,
	OpResizeNearestNeighbor:      OptionsResizeNearestNeighbor,
	OpLeakyRelu:                  OptionsLeakyRelu,
	OpSquaredDifference:          OptionsSquaredDifference,
	OpMirrorPad:                  OptionsMirrorPad,
	OpAbs:                        OptionsAbs,
	OpSplitV:                     OptionsSplitV,
	OpUnique:                     OptionsUnique,
	OpReverseV2:                  OptionsReverseV2,
	OpAddN:                       OptionsAddN,
	OpGatherNd:                   OptionsGatherNd,
	OpCos:                        OptionsCos,
	OpWhere:                      OptionsWhere,
	OpRank:                       OptionsRank,
	OpReverseSequence:            OptionsReverseSequence,
	OpMatrixDiag:                 OptionsMatrixDiag,
	OpQuantize:                   OptionsQuantize,
	OpMatrixSetDiag:              OptionsMatrixSetDiag,
	OpHardSwish:                  OptionsHardSwish,
	OpIf:                         OptionsIf,
	OpWhile:                      OptionsWhile,
	OpNonMaxSuppressionV4:        OptionsNonMaxSuppressionV4,
	OpNonMaxSuppressionV5:        OptionsNonMaxSuppressionV5,
	OpScatterNd:                  OptionsScatterNd,
	OpSelectV2:                   OptionsSelectV2,
	OpDensify:                    OptionsDensify,
	OpSegmentSum:                 OptionsSegmentSum,
	OpBatchMatmul:                OptionsBatchMatMul,
	OpCumsum:                     OptionsCumsum,
	OpCallOnce:                   OptionsCallOnce,
	OpBroadcastTo:                OptionsBroadcastTo,
	OpRfft2d:                     OptionsRfft2d,
	OpConv3D:                     OptionsConv3D,
	OpHashtable:                  OptionsHashtable,
	OpHashtableFind:              OptionsHashtableFind,
	OpHashtableImport:            OptionsHashtableImport,
	OpHashtableSize:              OptionsHashtableSize,
	OpReduceAll:                  OptionsReducer,
	OpConv3DTranspose:            OptionsConv3D,
	OpVarHandle:                  OptionsVarHandle,
	OpReadVariable:               OptionsReadVariable,
	OpAssignVariable:             OptionsAssignVariable,
	OpRandomStandardNormal:       OptionsRandom,
	OpBucketize:                  OptionsBucketize,
	OpRandomUniform:              OptionsRandom,
	OpMultinomial:                OptionsRandom,
	OpGelu:                       OptionsGelu,
	OpDynamicUpdateSlice:         OptionsDynamicUpdateSlice,
	OpUnsortedSegmentProd:        OptionsUnsortedSegmentProd,
	OpUnsortedSegmentMax:         OptionsUnsortedSegmentMax,
	OpUnsortedSegmentSum:         OptionsUnsortedSegmentSum,
	OpAtan2:                      OptionsATan2,
	OpUnsortedSegmentMin:         OptionsUnsortedSegmentMin,
	OpSign:                       OptionsSign,
	OpBitcast:                    OptionsBitcast,
	OpBitwiseXor:                 OptionsBitwiseXor,
	OpRightShift:                 OptionsRightShift,
}

// HasFusedActivation reports whether op's options table carries a
// fused_activation_function field (CONV_2D, FULLY_CONNECTED, ADD, pools...).
func HasFusedActivation(op BuiltinOperator) bool {
	for _, f := range optionsTables[DefaultOptionsType(op)] {
		if f.name == "fused_activation_function" {
			return true
		}
	}
	return false
}

// Decoded reports whether the reader decodes the fields of options table t
// (the others are kept as their Type only).
func (t BuiltinOptionsType) Decoded() bool {
	_, ok := optionsTables[t]
	return ok
}
