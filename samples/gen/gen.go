package main

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/tflq/tflq-trace/kernels"
	"github.com/tflq/tflq-trace/samples/internal/mnist"
	"github.com/tflq/tflq-trace/tflite"
	"github.com/tflq/tflq-trace/trace"
)

// config selects a generator run.
type config struct {
	seed  uint64
	quick bool // a few hundred training images, one epoch, 500 test images
}

// Representative dataset: the first representativeImages training images,
// as in the TensorFlow post-training quantization tutorial
// (dataset.batch(1).take(100)).
const representativeImages = 100

// quickImages is the training-set size and quickTestImages the test-set
// size of a -quick run.
const (
	quickImages     = 300
	quickTestImages = 500
)

// modelResult is one generated model.
type modelResult struct {
	Name        string
	File        string
	Description string
	Ops         []string
	Input       string
	Output      string
	Train       trainOptions
	FloatAcc    float64 // over the test images, float32 Go model
	IntAcc      float64 // over the test images, tflq-trace integer interpreter
	Correct     []bool  // which test images the integer model classifies right
	TestImages  int
	Data        []byte
	Model       *tflite.Model
}

// trainingPlan returns the training options of the two models.
func trainingPlan(cfg config, trainImages int) (dense, cnn trainOptions) {
	dense = trainOptions{Seed: cfg.seed, Images: trainImages, Epochs: 5, Batch: 32, LR: 0.001, Decay: 0.7}
	cnn = trainOptions{Seed: cfg.seed + 1, Images: trainImages, Epochs: 6, Batch: 32, LR: 0.002, Decay: 0.6}
	if cfg.quick {
		dense.Images, dense.Epochs, dense.LR = min(quickImages, trainImages), 1, 0.01
		cnn.Images, cnn.Epochs, cnn.LR = min(quickImages, trainImages), 1, 0.01
	}
	return dense, cnn
}

// generateDense trains, calibrates, quantizes and evaluates mnist_dense.
func generateDense(train, test *mnist.Set, opt trainOptions, testImages int) (*modelResult, error) {
	net := trainDense(train, opt)
	var logits [classes]float32
	var inCal, logitCal calibration
	forEachImage(train, min(representativeImages, train.Len()), func(x []float32, _ int) {
		net.forward(logits[:], x)
		inCal.observe(x)
		logitCal.observe(logits[:])
	})
	q := denseQuant{input: activationParams(inCal.min, inCal.max), logits: activationParams(logitCal.min, logitCal.max)}
	m, data, err := buildDense(net, q)
	if err != nil {
		return nil, fmt.Errorf("mnist_dense: %w", err)
	}
	floatAcc := floatAccuracy(test, testImages, func(x []float32) int {
		net.forward(logits[:], x)
		return argmax(logits[:])
	})
	r := &modelResult{
		Name:        "mnist_dense",
		File:        "mnist_dense.tflite",
		Description: "Flatten → Dense(10) logits, float32 in/out around an int8 FULLY_CONNECTED (per-tensor weights)",
		Input:       "float32 [1,28,28,1], pixels/255",
		Output:      "float32 [1,10] logits",
		Train:       opt,
		FloatAcc:    floatAcc,
		TestImages:  testImages,
		Data:        data,
		Model:       m,
	}
	return r, r.evaluateInteger(test)
}

// generateCNN trains, calibrates, quantizes and evaluates mnist_cnn.
func generateCNN(train, test *mnist.Set, opt trainOptions, testImages int) (*modelResult, error) {
	net := trainCNN(train, opt)
	act := new(cnnActivations)
	var inCal, convCal, logitCal calibration
	forEachImage(train, min(representativeImages, train.Len()), func(x []float32, _ int) {
		net.forward(act, x)
		inCal.observe(x)
		convCal.observe(act.conv[:])
		logitCal.observe(act.logits[:])
	})
	q := cnnQuant{
		input:  activationParams(inCal.min, inCal.max),
		conv:   activationParams(convCal.min, convCal.max),
		logits: activationParams(logitCal.min, logitCal.max),
	}
	m, data, err := buildCNN(net, q)
	if err != nil {
		return nil, fmt.Errorf("mnist_cnn: %w", err)
	}
	floatAcc := floatAccuracy(test, testImages, func(x []float32) int {
		net.forward(act, x)
		return argmax(act.logits[:])
	})
	r := &modelResult{
		Name:        "mnist_cnn",
		File:        "mnist_cnn.tflite",
		Description: "Conv2D(8, 3×3, ReLU) → MaxPool 2×2 → Flatten → Dense(10) → Softmax, int8 in/out (per-channel conv weights)",
		Input:       "int8 [1,28,28,1], scale 1/255, zero point −128 (pixel − 128)",
		Output:      "int8 [1,10] probabilities, scale 1/256, zero point −128",
		Train:       opt,
		FloatAcc:    floatAcc,
		TestImages:  testImages,
		Data:        data,
		Model:       m,
	}
	return r, r.evaluateInteger(test)
}

// forEachImage calls f with each of the first n images of set as floats
// (pixels/255) and its label.
func forEachImage(set *mnist.Set, n int, f func(x []float32, label int)) {
	x := make([]float32, mnist.Pixels)
	for i := range n {
		pixelsToFloat(x, set.Images[i])
		f(x, int(set.Labels[i]))
	}
}

// floatAccuracy is the fraction of the first n images of test that
// classify (the float model) labels right.
func floatAccuracy(test *mnist.Set, n int, classify func(x []float32) int) float64 {
	correct := 0
	forEachImage(test, n, func(x []float32, label int) {
		if classify(x) == label {
			correct++
		}
	})
	return float64(correct) / float64(n)
}

// evaluateInteger runs the model on the test images with tflq-trace's
// integer interpreter and records the accuracy and the operator list.
func (r *modelResult) evaluateInteger(test *mnist.Set) error {
	r.Ops = r.Ops[:0]
	for _, op := range r.Model.SubGraphs[0].Operators {
		r.Ops = append(r.Ops, r.Model.OperatorCodes[op.OpcodeIndex].Builtin.String())
	}
	acc, correct, err := integerAccuracy(r.Model, test, r.TestImages)
	if err != nil {
		return fmt.Errorf("%s: integer evaluation: %w", r.Name, err)
	}
	r.IntAcc, r.Correct = acc, correct
	return nil
}

// integerAccuracy returns the fraction of the first n test images that the
// integer interpreter classifies correctly (argmax of output 0, first
// maximum on ties), and which ones it got right.
func integerAccuracy(m *tflite.Model, test *mnist.Set, n int) (float64, []bool, error) {
	ip, err := trace.New(m, trace.Options{Runtime: kernels.RuntimeTFLM})
	if err != nil {
		return 0, nil, err
	}
	in := ip.Inputs()[0]
	if in.NumElements() != mnist.Pixels {
		return 0, nil, fmt.Errorf("input %v is not one MNIST image", in.Shape)
	}
	buf := make([]byte, len(in.Data))
	correct := 0
	right := make([]bool, n)
	for i := range n {
		if err := encodeImage(buf, in, test.Images[i]); err != nil {
			return 0, nil, err
		}
		if err := ip.SetInput(0, buf); err != nil {
			return 0, nil, err
		}
		if err := ip.Invoke(); err != nil {
			return 0, nil, err
		}
		out := ip.Outputs()[0]
		var got int
		switch out.Type {
		case tflite.TypeFloat32:
			got = argmax(out.Float32())
		case tflite.TypeInt8:
			got = argmax(out.Int8())
		default:
			return 0, nil, fmt.Errorf("unsupported output type %v", out.Type)
		}
		if got == int(test.Labels[i]) {
			correct++
			right[i] = true
		}
	}
	return float64(correct) / float64(n), right, nil
}

// encodeImage writes an image as the bytes of input tensor in: float32
// pixels/255, or pixels/255 quantized with the tensor's scale and zero
// point (round half away from zero, clamped).
func encodeImage(dst []byte, in *kernels.Tensor, img []byte) error {
	switch in.Type {
	case tflite.TypeFloat32:
		for i, p := range img {
			binary.LittleEndian.PutUint32(dst[4*i:], math.Float32bits(float32(p)/255))
		}
	case tflite.TypeInt8:
		scale, zp := float64(in.Scale0()), float64(in.ZP0())
		for i, p := range img {
			q := math.Round(float64(float32(p)/255)/scale) + zp
			dst[i] = byte(int8(max(int8Min, min(int8Max, q))))
		}
	default:
		return fmt.Errorf("unsupported input type %v", in.Type)
	}
	return nil
}

// generate builds both models.
func generate(train, test *mnist.Set, cfg config) ([]*modelResult, error) {
	testImages := test.Len()
	if cfg.quick {
		testImages = min(quickTestImages, testImages)
	}
	denseOpt, cnnOpt := trainingPlan(cfg, train.Len())
	dense, err := generateDense(train, test, denseOpt, testImages)
	if err != nil {
		return nil, err
	}
	cnn, err := generateCNN(train, test, cnnOpt, testImages)
	if err != nil {
		return nil, err
	}
	return []*modelResult{dense, cnn}, nil
}
