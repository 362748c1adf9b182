package kernels

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/tflq/tflq-trace/tflite"
)

// ErrRefusedByBuild marks a node the runtime's TFLite build refuses to load
// or run, whatever kernel would compute it.
var ErrRefusedByBuild = errors.New("the runtime's TFLite build refuses this node")

// tflite2022InputTypes are the input dtypes the 2022 build's kernels take
// for the operators whose refusal depends on that alone, with the message
// that build logs (%v: the input's dtype).
var tflite2022InputTypes = map[tflite.BuiltinOperator]struct {
	types   []tflite.TensorType
	refusal string
}{
	tflite.OpCumsum:            {[]tflite.TensorType{tflite.TypeFloat32, tflite.TypeInt32, tflite.TypeInt64}, "CUMSUM of %v (this build's kernel takes float32, int32 and int64)"},
	tflite.OpAddN:              {[]tflite.TensorType{tflite.TypeFloat32, tflite.TypeInt32}, "AddN only supports FLOAT32|INT32 now, got %v."},
	tflite.OpDiv:               {[]tflite.TensorType{tflite.TypeFloat32, tflite.TypeInt32, tflite.TypeUint8}, "Div only supports FLOAT32, INT32 and quantized UINT8 now, got %v."},
	tflite.OpRsqrt:             {[]tflite.TensorType{tflite.TypeFloat32, tflite.TypeInt8}, "Type %v is unsupported by op Rsqrt."},
	tflite.OpSquaredDifference: {[]tflite.TensorType{tflite.TypeFloat32, tflite.TypeInt32, tflite.TypeInt8}, "SquaredDifference only supports FLOAT32 and INT32 now, got %v."},
	tflite.OpZerosLike:         {[]tflite.TensorType{tflite.TypeFloat32, tflite.TypeInt32, tflite.TypeInt64}, "ZerosLike only currently supports int64, int32, and float32, got %v."},
	tflite.OpElu:               {[]tflite.TensorType{tflite.TypeFloat32, tflite.TypeInt8}, "Only float32 and int8 is supported currently, got %v."},
}

// tflite2022Refusal is what the TFLite build of the tflite-xnnpack runtime
// (tfjs-tflite 0.0.1-alpha.10: TFLite ≈2.10/2.11 of 2022) refuses, before
// any kernel is chosen. TFLite runs every builtin kernel's Prepare before it
// applies the XNNPACK delegate (to find dynamic tensors), so a builtin
// refusal refuses the model even where the delegate would take the node.
// The messages quote what that build logs; some refusals happen at Invoke in
// TFLite ("failed to invoke"), which the interpreter reports when it
// prepares. Each was observed with the tfjs oracle (the opzoo models without
// xnnpack goldens, and probes).
func tflite2022Refusal(n *Node) error {
	refuse := func(format string, args ...any) error {
		return fmt.Errorf("%w (the 2022 TFLite of tflite-xnnpack): %s", ErrRefusedByBuild, fmt.Sprintf(format, args...))
	}
	in := n.Input(0)
	inType := tflite.TypeFloat32
	if in != nil {
		inType = in.Type
	}
	if want, ok := tflite2022InputTypes[n.Op]; ok && !slices.Contains(want.types, inType) {
		return refuse(want.refusal, inType)
	}
	var out *Tensor
	if len(n.Outputs) > 0 {
		out = n.Outputs[0]
	}
	switch n.Op {
	case tflite.OpBroadcastTo:
		return refuse("Didn't find op for builtin opcode 'BROADCAST_TO' (not registered in this build)")
	case tflite.OpConv2D:
		if inType != tflite.TypeFloat32 && n.Input(2) == nil {
			return refuse("conv.cc:380 has_bias was not true (a quantized CONV_2D needs a bias)")
		}
	case tflite.OpFullyConnected:
		// GetQuantizedConvolutionMultipler (kernel_util.cc) with per-tensor
		// weights: the bias's legacy scale (0 when the bias has several)
		// must be within 2% of an output step of s_in·s_w.
		filter, bias := n.Input(1), n.Input(2)
		if inType != tflite.TypeFloat32 && filter != nil && len(filter.Scale) == 1 && bias != nil && out != nil && out.Quantized() {
			var biasScale float64
			if len(bias.Scale) == 1 {
				biasScale = float64(bias.Scale[0])
			}
			product := float64(in.Scale0()) * float64(filter.Scale0())
			if math.Abs(product-biasScale)/float64(out.Scale0()) > 0.02 {
				return refuse("kernel_util.cc:319 scale_diff / output_scale <= 0.02 was not true (bias scale %g read for s_in·s_w = %g; a bias with %d scales has none)",
					biasScale, product, len(bias.Scale))
			}
		}
	case tflite.OpDynamicUpdateSlice:
		if inType == tflite.TypeInt16 {
			return refuse("DynamicUpdateSlice only currently supports 1-bit/8-bit/32-bit/64-bit integer or float type, got %v.", inType)
		}
	case tflite.OpPrelu:
		if alpha := n.Input(1); alpha != nil && alpha.Type != inType {
			return refuse("input %v and alpha %v must have one type", inType, alpha.Type)
		}
	case tflite.OpSum:
		if inType == tflite.TypeInt16 && out != nil && in.Scale0() != out.Scale0() {
			return refuse("reduce.cc:721 input->params.scale != op_context->output->params.scale (int16 SUM rescales only with equal scales)")
		}
	case tflite.OpSvdf:
		if inType == tflite.TypeInt8 && n.Options.Activation != tflite.ActRelu {
			return refuse("svdf.cc:394 params->activation != kTfLiteActRelu (int8 SVDF needs a RELU activation)")
		}
	case tflite.OpUnidirectionalSequenceLstm:
		if inType == tflite.TypeInt8 && len(n.Intermediates) != 5 {
			return refuse("int8 UNIDIRECTIONAL_SEQUENCE_LSTM needs 5 intermediate tensors, has %d", len(n.Intermediates))
		}
	case tflite.OpQuantize:
		if (inType == tflite.TypeInt8 || inType == tflite.TypeUint8) && out != nil && out.Type != tflite.TypeInt8 && out.Type != tflite.TypeUint8 {
			return refuse("quantize.cc:137 output->type == kTfLiteUInt8 || output->type == kTfLiteInt8 was not true")
		}
	case tflite.OpConcatenation:
		if n.Options.Activation != tflite.ActNone {
			return refuse("concatenation.cc:135 params->activation != kTfLiteActNone")
		}
		if out != nil && out.Type == tflite.TypeInt8 {
			for _, t := range n.Inputs {
				if t != nil && (t.Scale0() != out.Scale0() || t.ZP0() != out.ZP0()) {
					return refuse("concatenation.cc:179 t->params.scale != output->params.scale (int8 inputs must share the output's scale and zero point)")
				}
			}
		}
	case tflite.OpLogistic:
		if out != nil && (inType == tflite.TypeInt8 || inType == tflite.TypeUint8) {
			wantZP := int32(-128)
			if inType == tflite.TypeUint8 {
				wantZP = 0
			}
			if out.ZP0() != wantZP {
				return refuse("activations.cc output->params.zero_point == %d was not true", wantZP)
			}
			if float64(out.Scale0()) != 1.0/256 {
				return refuse("activations.cc:516 output->params.scale == 1. / 256 was not true")
			}
		}
	}
	return nil
}
