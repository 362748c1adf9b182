package main

import (
	"fmt"

	"github.com/tflq/tflq-trace/samples/internal/mnist"
	"github.com/tflq/tflq-trace/tflite"
)

// The models are laid out like the TensorFlow Lite converter's output for
// the Keras models (TF 2.x, serving signature): converter-style tensor
// names, batch-free shape signatures, the operator versions the converter
// assigns to int8 kernels, a "serving_default" signature and a
// min_runtime_version metadata entry.

// Operator versions the converter records for these int8 operators.
var opVersions = map[tflite.BuiltinOperator]int32{
	tflite.OpQuantize:       1,
	tflite.OpDequantize:     2,
	tflite.OpFullyConnected: 4,
	tflite.OpConv2D:         3,
	tflite.OpMaxPool2D:      2,
	tflite.OpReshape:        1,
	tflite.OpSoftmax:        2,
}

// addPlainOperator adds an operator the converter writes without an options
// table (QUANTIZE, DEQUANTIZE, RESHAPE): the builder would otherwise fill
// in the op's default table.
func addPlainOperator(b *tflite.ModelBuilder, op tflite.BuiltinOperator, inputs, outputs []int32) {
	b.Operator(b.AddOperator(op, tflite.Options{}, inputs, outputs)).Options = tflite.Options{}
}

const modelDescription = "tflq-trace samples/gen: Keras-style MNIST model, full-integer post-training quantization as the TFLite converter does it"

func perTensor(p quantParams) *tflite.Quantization {
	return tflite.PerTensor(float32(p.scale), p.zeroPoint)
}

func perChannel(scales []float64, dim int32) *tflite.Quantization {
	s := make([]float32, len(scales))
	for i, v := range scales {
		s[i] = float32(v)
	}
	return tflite.PerChannel(s, make([]int64, len(scales)), dim)
}

// batchFree returns the shape signature of shape: batch dimension −1.
func batchFree(shape []int32) []int32 {
	sig := append([]int32(nil), shape...)
	sig[0] = -1
	return sig
}

// finish sets the converter-style details the builder does not, then
// serialises the model.
func finish(b *tflite.ModelBuilder, inputName, outputName string) (*tflite.Model, []byte, error) {
	m, err := b.Model()
	if err != nil {
		return nil, nil, err
	}
	m.Description = modelDescription
	for i := range m.OperatorCodes {
		if v, ok := opVersions[m.OperatorCodes[i].Builtin]; ok {
			m.OperatorCodes[i].Version = v
		}
	}
	sg := &m.SubGraphs[0]
	for i := range sg.Tensors {
		t := &sg.Tensors[i]
		if t.Buffer == 0 && len(t.Shape) > 0 {
			t.ShapeSignature = batchFree(t.Shape)
		}
	}
	m.SignatureDefs = []tflite.SignatureDef{{
		Key:     "serving_default",
		Inputs:  []tflite.TensorMap{{Name: inputName, TensorIndex: uint32(sg.Inputs[0])}},
		Outputs: []tflite.TensorMap{{Name: outputName, TensorIndex: uint32(sg.Outputs[0])}},
	}}
	version := make([]byte, 16) // NUL-padded, as the converter writes it
	copy(version, "1.14.0")
	m.Buffers = append(m.Buffers, tflite.Buffer{Data: version})
	m.Metadata = []tflite.Metadata{{Name: "min_runtime_version", Buffer: uint32(len(m.Buffers) - 1)}}
	data, err := tflite.Write(m)
	if err != nil {
		return nil, nil, err
	}
	// Return the model as a reader sees it, so that callers use exactly
	// what the file holds.
	back, err := tflite.Read(data)
	if err != nil {
		return nil, nil, fmt.Errorf("reading back the written model: %w", err)
	}
	return back, data, nil
}

var imageShape = []int32{1, mnist.Side, mnist.Side, 1}

// denseQuant holds the quantization of the dense model.
type denseQuant struct {
	input, logits quantParams
}

// buildDense writes Keras Sequential([Flatten, Dense(10)]) with float
// input and output: QUANTIZE → FULLY_CONNECTED → DEQUANTIZE. The
// FULLY_CONNECTED reads the [1,28,28,1] tensor directly as [1,784]
// (keep_num_dims = false: TFLite flattens every dimension but the last
// into batches of the filter's depth).
func buildDense(net *denseNet, q denseQuant) (*tflite.Model, []byte, error) {
	b := tflite.NewModelBuilder()
	in := b.AddTensor("serving_default_flatten_input:0", tflite.TypeFloat32, imageShape, nil)
	wScales := weightScales(net.w.w, 1)
	bScales := biasScales(q.input.scale, wScales, classes)
	bias := b.AddConstTensor("sequential/dense/BiasAdd/ReadVariableOp", tflite.TypeInt32, []int32{classes},
		perTensor(quantParams{scale: bScales[0]}), tflite.Int32Data(quantizeBias(net.b.w, bScales)))
	weights := b.AddConstTensor("sequential/dense/MatMul", tflite.TypeInt8, []int32{classes, mnist.Pixels},
		perTensor(quantParams{scale: wScales[0]}), tflite.Int8Data(quantizeWeights(net.w.w, wScales)))
	quantized := b.AddTensor("tfl.quantize", tflite.TypeInt8, imageShape, perTensor(q.input))
	logits := b.AddTensor("sequential/dense/MatMul;sequential/dense/BiasAdd", tflite.TypeInt8, []int32{1, classes}, perTensor(q.logits))
	out := b.AddTensor("StatefulPartitionedCall:0", tflite.TypeFloat32, []int32{1, classes}, nil)

	addPlainOperator(b, tflite.OpQuantize, []int32{in}, []int32{quantized})
	fc := tflite.DefaultOptions(tflite.OptionsFullyConnected)
	b.AddOperator(tflite.OpFullyConnected, fc, []int32{quantized, weights, bias}, []int32{logits})
	addPlainOperator(b, tflite.OpDequantize, []int32{logits}, []int32{out})
	b.SetIO([]int32{in}, []int32{out})
	return finish(b, "flatten_input", "dense")
}

// cnnQuant holds the quantization of the CNN's activations.
type cnnQuant struct {
	input, conv, logits quantParams
}

// buildCNN writes Keras Sequential([Conv2D(8, 3, relu), MaxPool2D,
// Flatten, Dense(10, softmax)]) with int8 input and output:
// CONV_2D → MAX_POOL_2D → RESHAPE → FULLY_CONNECTED → SOFTMAX. MAX_POOL_2D
// and RESHAPE keep their input's quantization, as the converter requires.
func buildCNN(net *cnnNet, q cnnQuant) (*tflite.Model, []byte, error) {
	b := tflite.NewModelBuilder()
	in := b.AddTensor("serving_default_conv2d_input:0", tflite.TypeInt8, imageShape, perTensor(q.input))
	flatShape := b.AddConstTensor("sequential/flatten/Const", tflite.TypeInt32, []int32{2}, nil,
		tflite.Int32Data([]int32{-1, poolOutSize}))

	fcWScales := weightScales(net.fcW.w, 1)
	fcBScales := biasScales(q.conv.scale, fcWScales, classes)
	fcBias := b.AddConstTensor("sequential/dense/BiasAdd/ReadVariableOp", tflite.TypeInt32, []int32{classes},
		perTensor(quantParams{scale: fcBScales[0]}), tflite.Int32Data(quantizeBias(net.fcB.w, fcBScales)))
	fcWeights := b.AddConstTensor("sequential/dense/MatMul", tflite.TypeInt8, []int32{classes, poolOutSize},
		perTensor(quantParams{scale: fcWScales[0]}), tflite.Int8Data(quantizeWeights(net.fcW.w, fcWScales)))

	convWScales := weightScales(net.convW.w, convChannels)
	convBScales := biasScales(q.input.scale, convWScales, convChannels)
	convBias := b.AddConstTensor("sequential/conv2d/BiasAdd/ReadVariableOp", tflite.TypeInt32, []int32{convChannels},
		perChannel(convBScales, 0), tflite.Int32Data(quantizeBias(net.convB.w, convBScales)))
	convWeights := b.AddConstTensor("sequential/conv2d/Conv2D", tflite.TypeInt8, []int32{convChannels, convKernel, convKernel, 1},
		perChannel(convWScales, 0), tflite.Int8Data(quantizeWeights(net.convW.w, convWScales)))

	conv := b.AddTensor("sequential/conv2d/Relu;sequential/conv2d/BiasAdd;sequential/conv2d/Conv2D;sequential/conv2d/BiasAdd/ReadVariableOp",
		tflite.TypeInt8, []int32{1, convSide, convSide, convChannels}, perTensor(q.conv))
	pool := b.AddTensor("sequential/max_pooling2d/MaxPool", tflite.TypeInt8, []int32{1, poolSide, poolSide, convChannels}, perTensor(q.conv))
	flat := b.AddTensor("sequential/flatten/Reshape", tflite.TypeInt8, []int32{1, poolOutSize}, perTensor(q.conv))
	logits := b.AddTensor("sequential/dense/MatMul;sequential/dense/BiasAdd", tflite.TypeInt8, []int32{1, classes}, perTensor(q.logits))
	out := b.AddTensor("StatefulPartitionedCall:0", tflite.TypeInt8, []int32{1, classes}, perTensor(softmaxOutput))

	convOpts := tflite.DefaultOptions(tflite.OptionsConv2D)
	convOpts.Padding, convOpts.StrideW, convOpts.StrideH, convOpts.Activation = tflite.PaddingValid, 1, 1, tflite.ActRelu
	b.AddOperator(tflite.OpConv2D, convOpts, []int32{in, convWeights, convBias}, []int32{conv})
	poolOpts := tflite.DefaultOptions(tflite.OptionsPool2D)
	poolOpts.Padding, poolOpts.StrideW, poolOpts.StrideH, poolOpts.FilterW, poolOpts.FilterH = tflite.PaddingValid, 2, 2, 2, 2
	b.AddOperator(tflite.OpMaxPool2D, poolOpts, []int32{conv}, []int32{pool})
	addPlainOperator(b, tflite.OpReshape, []int32{pool, flatShape}, []int32{flat})
	b.AddOperator(tflite.OpFullyConnected, tflite.DefaultOptions(tflite.OptionsFullyConnected), []int32{flat, fcWeights, fcBias}, []int32{logits})
	softmaxOpts := tflite.DefaultOptions(tflite.OptionsSoftmax)
	softmaxOpts.Beta = 1
	b.AddOperator(tflite.OpSoftmax, softmaxOpts, []int32{logits}, []int32{out})
	b.SetIO([]int32{in}, []int32{out})
	return finish(b, "conv2d_input", "dense")
}
