package main

import (
	"math"
	"math/bits"

	"github.com/tflq/tflq-trace/samples/internal/mnist"
)

// Training is plain float32 arithmetic, single-threaded, with every
// floating-point operation written so that the compiler cannot fuse a
// multiply and an add (an explicit float32(...) conversion forbids fusion,
// see the Go spec on floating-point operators). The pseudo-random numbers
// come from splitmix64 and the softmax uses its own exp built from IEEE
// operations only, so a given seed reproduces the same bytes on every run
// and every architecture.

// splitmix is the splitmix64 generator (Steele, Lea, Flood 2014).
type splitmix struct{ state uint64 }

func (r *splitmix) next() uint64 {
	r.state += 0x9e3779b97f4a7c15
	z := r.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// uniform returns a float32 in [-1, 1) with 24 random bits.
func (r *splitmix) uniform() float32 {
	return float32(int32(r.next()>>40)-(1<<23)) / (1 << 23)
}

// intn returns an integer in [0, n) (multiply-high reduction).
func (r *splitmix) intn(n int) int {
	hi, _ := bits.Mul64(r.next(), uint64(n))
	return int(hi)
}

// shuffle permutes idx in place (Fisher–Yates).
func (r *splitmix) shuffle(idx []int) {
	for i := len(idx) - 1; i > 0; i-- {
		j := r.intn(i + 1)
		idx[i], idx[j] = idx[j], idx[i]
	}
}

// glorotUniform fills w with Keras's default kernel initialiser:
// uniform in ±sqrt(6/(fanIn+fanOut)).
func glorotUniform(r *splitmix, w []float32, fanIn, fanOut int) {
	limit := float32(math.Sqrt(6 / float64(fanIn+fanOut)))
	for i := range w {
		w[i] = float32(r.uniform() * limit)
	}
}

// pixelsToFloat maps pixel bytes to [0, 1] as the Keras model's input
// (x/255), which is also what the converter's representative dataset sees.
func pixelsToFloat(dst []float32, img []byte) {
	for i, p := range img {
		dst[i] = float32(p) / 255
	}
}

// param is one trainable tensor with its gradient and Adam moments.
type param struct {
	w, grad, m, v []float32
}

func newParam(n int) *param {
	return &param{w: make([]float32, n), grad: make([]float32, n), m: make([]float32, n), v: make([]float32, n)}
}

// adam is the Adam optimiser with Keras's default hyper-parameters.
type adam struct {
	lr, beta1, beta2, eps float64
	beta1Pow, beta2Pow    float64
}

func newAdam(lr float64) *adam {
	return &adam{lr: lr, beta1: 0.9, beta2: 0.999, eps: 1e-7, beta1Pow: 1, beta2Pow: 1}
}

// step applies the mean of the accumulated gradients (divided by batch) and
// clears them.
func (a *adam) step(params []*param, batch int) {
	a.beta1Pow *= a.beta1
	a.beta2Pow *= a.beta2
	lrT := float32(a.lr * math.Sqrt(1-a.beta2Pow) / (1 - a.beta1Pow))
	b1, b2 := float32(a.beta1), float32(a.beta2)
	c1, c2 := 1-b1, 1-b2
	eps := float32(a.eps)
	inv := 1 / float32(batch)
	for _, p := range params {
		for i, g := range p.grad {
			g = float32(g * inv)
			p.m[i] = float32(b1*p.m[i]) + float32(c1*g)
			p.v[i] = float32(b2*p.v[i]) + float32(float32(c2*g)*g)
			p.w[i] -= float32(lrT*p.m[i]) / (float32(math.Sqrt(float64(p.v[i]))) + eps)
			p.grad[i] = 0
		}
	}
}

// exp computes e^x for x ≤ 0 with IEEE double operations only (no
// architecture-specific assembly): x = k·ln2 + r, |r| ≤ ln2/2, and a
// degree-13 Taylor polynomial for e^r.
func exp(x float64) float64 {
	if x < -700 {
		return 0
	}
	const ln2Hi, ln2Lo = 6.93147180369123816490e-01, 1.90821492927058770002e-10
	k := math.Floor(x/math.Ln2 + 0.5)
	r := float64(x-float64(k*ln2Hi)) - float64(k*ln2Lo)
	sum, term := 1.0, 1.0
	for n := 1; n <= 13; n++ {
		term = float64(term*r) / float64(n)
		sum += term
	}
	return math.Ldexp(sum, int(k))
}

// softmaxGrad writes softmax(logits) − onehot(label) into grad (the
// gradient of the cross-entropy loss with respect to the logits).
func softmaxGrad(grad, logits []float32, label int) {
	maxLogit := logits[0]
	for _, v := range logits[1:] {
		maxLogit = max(maxLogit, v)
	}
	var e [10]float64
	var sum float64
	for i, v := range logits {
		e[i] = exp(float64(v - maxLogit))
		sum += e[i]
	}
	for i := range logits {
		grad[i] = float32(e[i] / sum)
	}
	grad[label] -= 1
}

// argmax returns the index of the first largest value.
func argmax[T int8 | float32](v []T) int {
	best := 0
	for i := range v {
		if v[i] > v[best] {
			best = i
		}
	}
	return best
}

// trainOptions controls a training run.
type trainOptions struct {
	Seed   uint64
	Images int // number of training images to use (the first ones)
	Epochs int
	Batch  int
	LR     float64
	// Decay multiplies the learning rate after each epoch.
	Decay float64
}

// denseNet is Keras Sequential([Flatten(28,28,1), Dense(10)]): logits = W·x + b
// with W stored [10][784] as TFLite's FULLY_CONNECTED wants it.
type denseNet struct {
	w, b *param
}

const classes = 10

func newDenseNet(r *splitmix) *denseNet {
	n := &denseNet{w: newParam(classes * mnist.Pixels), b: newParam(classes)}
	glorotUniform(r, n.w.w, mnist.Pixels, classes)
	return n
}

func (n *denseNet) forward(logits, x []float32) {
	for o := range classes {
		row := n.w.w[o*mnist.Pixels : (o+1)*mnist.Pixels]
		acc := n.b.w[o]
		for i, v := range x {
			acc += float32(row[i] * v)
		}
		logits[o] = acc
	}
}

func trainDense(set *mnist.Set, opt trainOptions) *denseNet {
	r := &splitmix{state: opt.Seed}
	net := newDenseNet(r)
	var logits, grad [classes]float32
	trainEpochs(set, opt, r, []*param{net.w, net.b}, func(x []float32, label int) {
		net.forward(logits[:], x)
		softmaxGrad(grad[:], logits[:], label)
		for o, g := range grad {
			gw := net.w.grad[o*mnist.Pixels : (o+1)*mnist.Pixels]
			for i, v := range x {
				gw[i] += float32(g * v)
			}
			net.b.grad[o] += g
		}
	})
	return net
}

// trainEpochs runs opt.Epochs epochs of mini-batch Adam over the first
// opt.Images images of set, shuffled each epoch with r: example adds one
// image's gradient (pixels/255, its label) to params' gradients, and the
// optimiser steps after each batch; the learning rate decays by opt.Decay
// after each epoch.
func trainEpochs(set *mnist.Set, opt trainOptions, r *splitmix, params []*param, example func(x []float32, label int)) {
	optimiser := newAdam(opt.LR)
	order := make([]int, opt.Images)
	x := make([]float32, mnist.Pixels)
	for epoch := 0; epoch < opt.Epochs; epoch++ {
		for i := range order {
			order[i] = i
		}
		r.shuffle(order)
		for start := 0; start < len(order); start += opt.Batch {
			end := min(start+opt.Batch, len(order))
			for _, idx := range order[start:end] {
				pixelsToFloat(x, set.Images[idx])
				example(x, int(set.Labels[idx]))
			}
			optimiser.step(params, end-start)
		}
		optimiser.lr *= opt.Decay
	}
}

// cnnNet is Keras Sequential([Conv2D(8, 3×3, relu, VALID), MaxPool2D(2×2),
// Flatten, Dense(10), Softmax]) on 28×28×1 input. Conv weights are stored
// OHWI ([8][3][3][1]) and dense weights [10][1352], as TFLite stores them.
type cnnNet struct {
	convW, convB, fcW, fcB *param
}

const (
	convChannels = 8
	convKernel   = 3
	convSide     = mnist.Side - convKernel + 1 // 26 (VALID padding)
	poolSide     = convSide / 2                // 13
	convOutSize  = convSide * convSide * convChannels
	poolOutSize  = poolSide * poolSide * convChannels // 1352 = flattened features
)

func newCNN(r *splitmix) *cnnNet {
	n := &cnnNet{
		convW: newParam(convChannels * convKernel * convKernel),
		convB: newParam(convChannels),
		fcW:   newParam(classes * poolOutSize),
		fcB:   newParam(classes),
	}
	glorotUniform(r, n.convW.w, convKernel*convKernel, convKernel*convKernel*convChannels)
	glorotUniform(r, n.fcW.w, poolOutSize, classes)
	return n
}

// cnnActivations holds one image's intermediate tensors (NHWC, batch 1).
type cnnActivations struct {
	conv    [convOutSize]float32 // after ReLU
	pool    [poolOutSize]float32
	poolArg [poolOutSize]int32 // index into conv of each pooled maximum
	logits  [classes]float32
}

func (n *cnnNet) forward(a *cnnActivations, x []float32) {
	w, b := n.convW.w, n.convB.w
	for y := range convSide {
		for xx := range convSide {
			out := a.conv[(y*convSide+xx)*convChannels:][:convChannels]
			for c := range convChannels {
				acc := b[c]
				k := w[c*convKernel*convKernel:][:convKernel*convKernel]
				for ky := range convKernel {
					row := x[(y+ky)*mnist.Side+xx:][:convKernel]
					for kx, v := range row {
						acc += float32(k[ky*convKernel+kx] * v)
					}
				}
				out[c] = max(acc, 0)
			}
		}
	}
	for y := range poolSide {
		for xx := range poolSide {
			for c := range convChannels {
				best := int32(((2*y)*convSide+2*xx)*convChannels + c)
				for _, d := range [3][2]int{{0, 1}, {1, 0}, {1, 1}} {
					j := int32(((2*y+d[0])*convSide+2*xx+d[1])*convChannels + c)
					if a.conv[j] > a.conv[best] {
						best = j
					}
				}
				o := (y*poolSide+xx)*convChannels + c
				a.pool[o] = a.conv[best]
				a.poolArg[o] = best
			}
		}
	}
	for o := range classes {
		row := n.fcW.w[o*poolOutSize:][:poolOutSize]
		acc := n.fcB.w[o]
		for i, v := range a.pool {
			acc += float32(row[i] * v)
		}
		a.logits[o] = acc
	}
}

// cnnScratch is the per-image backward-pass workspace.
type cnnScratch struct {
	dPool [poolOutSize]float32
	dConv [convOutSize]float32
}

func (n *cnnNet) backward(a *cnnActivations, s *cnnScratch, x []float32, dLogits []float32) {
	clear(s.dPool[:])
	for o, g := range dLogits {
		row := n.fcW.w[o*poolOutSize:][:poolOutSize]
		gw := n.fcW.grad[o*poolOutSize:][:poolOutSize]
		for i, v := range a.pool {
			gw[i] += float32(g * v)
			s.dPool[i] += float32(g * row[i])
		}
		n.fcB.grad[o] += g
	}
	clear(s.dConv[:])
	for i, g := range s.dPool {
		j := a.poolArg[i]
		if a.conv[j] > 0 { // ReLU passes the gradient only where it was active
			s.dConv[j] += g
		}
	}
	gw, gb := n.convW.grad, n.convB.grad
	for y := range convSide {
		for xx := range convSide {
			d := s.dConv[(y*convSide+xx)*convChannels:][:convChannels]
			for c, g := range d {
				if g == 0 {
					continue
				}
				gb[c] += g
				k := gw[c*convKernel*convKernel:][:convKernel*convKernel]
				for ky := range convKernel {
					row := x[(y+ky)*mnist.Side+xx:][:convKernel]
					for kx, v := range row {
						k[ky*convKernel+kx] += float32(g * v)
					}
				}
			}
		}
	}
}

func trainCNN(set *mnist.Set, opt trainOptions) *cnnNet {
	r := &splitmix{state: opt.Seed}
	net := newCNN(r)
	act := new(cnnActivations)
	scratch := new(cnnScratch)
	var grad [classes]float32
	trainEpochs(set, opt, r, []*param{net.convW, net.convB, net.fcW, net.fcB}, func(x []float32, label int) {
		net.forward(act, x)
		softmaxGrad(grad[:], act.logits[:], label)
		net.backward(act, scratch, x, grad[:])
	})
	return net
}
