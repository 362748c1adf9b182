package main

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/tflq/tflq-trace/samples/internal/mnist"
	"github.com/tflq/tflq-trace/tflite"
)

// floatReference runs a .tflite model in float64 with its constants
// dequantized and its activations left unquantized: the accuracy of the
// stored weights without any activation rounding. It knows only the
// operators the sample models use (VALID padding, fused NONE/RELU).
type floatReference struct {
	m      *tflite.Model
	g      *tflite.SubGraph
	values [][]float64
}

func newFloatReference(m *tflite.Model) (*floatReference, error) {
	r := &floatReference{m: m, g: &m.SubGraphs[0]}
	r.values = make([][]float64, len(r.g.Tensors))
	for i, t := range r.g.Tensors {
		data := m.BufferData(t)
		if data == nil {
			r.values[i] = make([]float64, t.NumElements())
			continue
		}
		v, err := dequantizeConst(t, data)
		if err != nil {
			return nil, fmt.Errorf("tensor %d %q: %w", i, t.Name, err)
		}
		r.values[i] = v
	}
	return r, nil
}

func dequantizeConst(t tflite.Tensor, data []byte) ([]float64, error) {
	n := int(t.NumElements())
	v := make([]float64, n)
	scale := func(i int) float64 { return 1 }
	if q := t.Quantization; q != nil && len(q.Scale) > 0 {
		if q.QuantizedDimension != 0 {
			return nil, fmt.Errorf("quantized dimension %d", q.QuantizedDimension)
		}
		perChannel := n / len(q.Scale)
		scale = func(i int) float64 { return float64(q.Scale[i/perChannel]) }
	}
	for i := range v {
		switch t.Type {
		case tflite.TypeInt8:
			v[i] = float64(int8(data[i])) * scale(i)
		case tflite.TypeInt32:
			v[i] = float64(int32(binary.LittleEndian.Uint32(data[4*i:]))) * scale(i)
		default:
			return nil, fmt.Errorf("constant of type %v", t.Type)
		}
	}
	return v, nil
}

func (r *floatReference) run(img []byte) ([]float64, error) {
	in := r.values[r.g.Inputs[0]]
	for i, p := range img {
		in[i] = float64(p) / 255
	}
	for _, op := range r.g.Operators {
		code := r.m.OpCode(op)
		x := r.values[op.Inputs[0]]
		out := r.values[op.Outputs[0]]
		switch code {
		case tflite.OpQuantize, tflite.OpDequantize, tflite.OpReshape:
			copy(out, x)
		case tflite.OpFullyConnected:
			w, b := r.values[op.Inputs[1]], r.values[op.Inputs[2]]
			depth := int(r.g.Tensors[op.Inputs[1]].Shape[1])
			for o := range out {
				acc := b[o]
				for d := range depth {
					acc += w[o*depth+d] * x[d]
				}
				out[o] = activate(acc, op.Options.Activation)
			}
		case tflite.OpConv2D:
			r.conv(op, x, out)
		case tflite.OpMaxPool2D:
			r.maxPool(op, x, out)
		case tflite.OpSoftmax:
			m := x[0]
			for _, v := range x {
				m = max(m, v)
			}
			var sum float64
			for i, v := range x {
				out[i] = math.Exp(v - m)
				sum += out[i]
			}
			for i := range out {
				out[i] /= sum
			}
		default:
			return nil, fmt.Errorf("float reference: no %v", code)
		}
	}
	return r.values[r.g.Outputs[0]], nil
}

func activate(v float64, a tflite.Activation) float64 {
	if a == tflite.ActRelu {
		return max(v, 0)
	}
	return v
}

func (r *floatReference) conv(op tflite.Operator, x, out []float64) {
	inShape := r.g.Tensors[op.Inputs[0]].Shape
	wShape := r.g.Tensors[op.Inputs[1]].Shape
	outShape := r.g.Tensors[op.Outputs[0]].Shape
	w, b := r.values[op.Inputs[1]], r.values[op.Inputs[2]]
	inW, inC := int(inShape[2]), int(inShape[3])
	kh, kw := int(wShape[1]), int(wShape[2])
	oh, ow, oc := int(outShape[1]), int(outShape[2]), int(outShape[3])
	sh, sw := int(op.Options.StrideH), int(op.Options.StrideW)
	for y := range oh {
		for xx := range ow {
			for c := range oc {
				acc := b[c]
				for ky := range kh {
					for kx := range kw {
						for ic := range inC {
							acc += w[((c*kh+ky)*kw+kx)*inC+ic] * x[((y*sh+ky)*inW+xx*sw+kx)*inC+ic]
						}
					}
				}
				out[(y*ow+xx)*oc+c] = activate(acc, op.Options.Activation)
			}
		}
	}
}

func (r *floatReference) maxPool(op tflite.Operator, x, out []float64) {
	inShape := r.g.Tensors[op.Inputs[0]].Shape
	outShape := r.g.Tensors[op.Outputs[0]].Shape
	inW, ch := int(inShape[2]), int(inShape[3])
	oh, ow := int(outShape[1]), int(outShape[2])
	fh, fw := int(op.Options.FilterH), int(op.Options.FilterW)
	sh, sw := int(op.Options.StrideH), int(op.Options.StrideW)
	for y := range oh {
		for xx := range ow {
			for c := range ch {
				m := math.Inf(-1)
				for dy := range fh {
					for dx := range fw {
						m = max(m, x[((y*sh+dy)*inW+xx*sw+dx)*ch+c])
					}
				}
				out[(y*ow+xx)*ch+c] = activate(m, op.Options.Activation)
			}
		}
	}
}

// floatReferenceAccuracy is the accuracy of floatReference over the first
// n test images.
func floatReferenceAccuracy(m *tflite.Model, test *mnist.Set, n int) (float64, error) {
	r, err := newFloatReference(m)
	if err != nil {
		return 0, err
	}
	correct := 0
	for i := range n {
		out, err := r.run(test.Images[i])
		if err != nil {
			return 0, err
		}
		best := 0
		for j := range out {
			if out[j] > out[best] {
				best = j
			}
		}
		if best == int(test.Labels[i]) {
			correct++
		}
	}
	return float64(correct) / float64(n), nil
}
