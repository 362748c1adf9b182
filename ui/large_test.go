package ui

import (
	"fmt"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/tflq/tflq-trace/tflite"
	"github.com/tflq/tflq-trace/trace"
)

// The largest models a user points the UI at: a 513×513 segmentation
// network (DeepLab's input size) and a 320×320 detector (SSD MobileNet v3's).
// Neither file is in the shared data, so the tests build models of the same
// shape class: the full-resolution first layers, where the tensors and the
// heatmaps are largest, and a full-resolution output.

// largeNet is a layer stack on a square int8 input.
type largeNet struct {
	name string
	side int
	// build adds the layers after the input and returns the output tensor.
	build func(b *netBuilder, in int32) int32
}

func largeNets() []largeNet {
	return []largeNet{
		{"segmentation-513", 513, func(b *netBuilder, in int32) int32 {
			x := b.conv(in, 3, 2, 32) // 257×257×32
			x = b.depthwise(x, 3, 1)  // 257×257×32
			x = b.conv(x, 1, 1, 16)   // 257×257×16
			x = b.depthwise(x, 3, 2)  // 129×129×16
			x = b.conv(x, 1, 1, 21)   // 129×129×21 class scores
			return b.resize(x, 513)   // 513×513×21
		}},
		{"detector-320", 320, func(b *netBuilder, in int32) int32 {
			x := b.conv(in, 3, 2, 16) // 160×160×16
			x = b.depthwise(x, 3, 1)  // 160×160×16
			x = b.conv(x, 1, 1, 24)   // 160×160×24
			x = b.depthwise(x, 3, 2)  // 80×80×24
			x = b.conv(x, 1, 1, 40)   // 80×80×40
			x = b.conv(x, 1, 1, 6*4)  // 80×80×24 box offsets, 6 anchors
			return b.reshape(x, 80*80*6, 4)
		}},
	}
}

// netBuilder adds int8 layers with pseudo-random weights.
type netBuilder struct {
	b    *tflite.ModelBuilder
	seed uint32
}

func (n *netBuilder) next() int8 {
	n.seed = n.seed*1664525 + 1013904223
	return int8(n.seed >> 24)
}

func (n *netBuilder) shape(t int32) []int32 { return n.b.Tensor(t).Shape }

func (n *netBuilder) act(name string, shape ...int32) int32 {
	return n.b.AddTensor(name, tflite.TypeInt8, shape, tflite.PerTensor(0.05, -10))
}

func (n *netBuilder) weights(name string, shape []int32, channels int) (w, bias int32) {
	count := 1
	for _, d := range shape {
		count *= int(d)
	}
	data := make([]int8, count)
	for i := range data {
		data[i] = n.next()
	}
	scales, zps := make([]float32, channels), make([]int64, channels)
	biases := make([]int32, channels)
	for c := range scales {
		scales[c] = 0.002 + 0.0001*float32(c)
		biases[c] = int32(n.next()) * 16
	}
	dim := int32(0)
	if shape[0] == 1 {
		dim = 3 // depthwise weights [1, kh, kw, c]
	}
	w = n.b.AddConstTensor(name+"/w", tflite.TypeInt8, shape, tflite.PerChannel(scales, zps, dim), tflite.Int8Data(data))
	bscales := make([]float32, channels)
	for c := range bscales {
		bscales[c] = 0.05 * scales[c]
	}
	bias = n.b.AddConstTensor(name+"/b", tflite.TypeInt32, []int32{int32(channels)}, tflite.PerChannel(bscales, zps, 0), tflite.Int32Data(biases))
	return w, bias
}

func outSide(side, k, stride int32) int32 { return (side + stride - 1) / stride }

func (n *netBuilder) conv(in int32, k, stride int32, oc int) int32 {
	s := n.shape(in)
	name := fmt.Sprintf("conv%d", in)
	w, bias := n.weights(name, []int32{int32(oc), k, k, s[3]}, oc)
	side := outSide(s[1], k, stride)
	out := n.act(name, 1, side, side, int32(oc))
	opts := tflite.DefaultOptions(tflite.OptionsConv2D)
	opts.StrideW, opts.StrideH, opts.Padding, opts.Activation = stride, stride, tflite.PaddingSame, tflite.ActRelu6
	n.b.AddOperator(tflite.OpConv2D, opts, []int32{in, w, bias}, []int32{out})
	return out
}

func (n *netBuilder) depthwise(in int32, k, stride int32) int32 {
	s := n.shape(in)
	name := fmt.Sprintf("dw%d", in)
	w, bias := n.weights(name, []int32{1, k, k, s[3]}, int(s[3]))
	side := outSide(s[1], k, stride)
	out := n.act(name, 1, side, side, s[3])
	opts := tflite.DefaultOptions(tflite.OptionsDepthwiseConv2D)
	opts.StrideW, opts.StrideH, opts.Padding, opts.DepthMultiplier = stride, stride, tflite.PaddingSame, 1
	opts.Activation = tflite.ActRelu6
	n.b.AddOperator(tflite.OpDepthwiseConv2D, opts, []int32{in, w, bias}, []int32{out})
	return out
}

func (n *netBuilder) resize(in int32, side int32) int32 {
	s := n.shape(in)
	size := n.b.AddConstTensor("size", tflite.TypeInt32, []int32{2}, nil, tflite.Int32Data([]int32{side, side}))
	out := n.b.AddTensor("resized", tflite.TypeInt8, []int32{1, side, side, s[3]}, n.b.Tensor(in).Quantization)
	opts := tflite.DefaultOptions(tflite.OptionsResizeBilinear)
	opts.HalfPixelCenters = true
	n.b.AddOperator(tflite.OpResizeBilinear, opts, []int32{in, size}, []int32{out})
	return out
}

func (n *netBuilder) reshape(in int32, shape ...int32) int32 {
	dims := append([]int32{1}, shape...)
	out := n.b.AddTensor("reshaped", tflite.TypeInt8, dims, n.b.Tensor(in).Quantization)
	opts := tflite.DefaultOptions(tflite.OptionsReshape)
	opts.NewShape = dims
	n.b.AddOperator(tflite.OpReshape, opts, []int32{in}, []int32{out})
	return out
}

// buildLarge builds net's model, read back from its bytes as a user's file
// would be, and an input image (a diagonal gradient).
func buildLarge(t testing.TB, net largeNet) (*tflite.Model, []byte) {
	t.Helper()
	n := &netBuilder{b: tflite.NewModelBuilder(), seed: 7}
	side := int32(net.side)
	in := n.b.AddTensor("image", tflite.TypeInt8, []int32{1, side, side, 3}, tflite.PerTensor(1.0/128, 0))
	out := net.build(n, in)
	n.b.SetIO([]int32{in}, []int32{out})
	m, err := n.b.Model()
	if err != nil {
		t.Fatal(err)
	}
	data, err := tflite.Write(m)
	if err != nil {
		t.Fatal(err)
	}
	if m, err = tflite.Read(data); err != nil {
		t.Fatal(err)
	}
	image := make([]byte, net.side*net.side*3)
	for i := range image {
		p := i / 3
		image[i] = byte((p/net.side + p%net.side + 40*(i%3)) % 256)
	}
	return m, image
}

// openLarge opens a large model titled "large" (openModel).
func openLarge(t testing.TB, m *tflite.Model, image []byte, w, h int) *Model {
	return openModel(t, m, image, "large", w, h)
}

// openModel is what `tflq-trace ui` does before the first frame: prepare,
// invoke on input, float shadow, the UI model sized to the window.
func openModel(t testing.TB, m *tflite.Model, input []byte, title string, w, h int) *Model {
	t.Helper()
	ip, err := trace.New(m, trace.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := ip.SetInput(0, input); err != nil {
		t.Fatal(err)
	}
	return newSized(ip, FromShadow(invokeShadow(t, ip)), Options{Title: title}, w, h)
}

// TestLargeModels opens each large model at 100×30, walks every layer with
// the cursor in its tensor (corners, channels, value modes, stepping,
// follow-back, max error) and at two more sizes: no panic, the screen is the
// window, the last layer's element is explained to its stored value.
func TestLargeModels(t *testing.T) {
	if testing.Short() {
		t.Skip("SKIPPED in -short: builds and runs 513×513 and 320×320 models")
	}
	for _, net := range largeNets() {
		t.Run(net.name, func(t *testing.T) {
			m, image := buildLarge(t, net)
			view := openLarge(t, m, image, 100, 30)
			for op := range view.s.ip.Ops() {
				press(t, view, "g")
				for range op {
					press(t, view, "j")
				}
				press(t, view, "tab", "G", "l", "j", "]", "m", "m", "s", "f", "esc", "e", "b", "u", "tab")
				checkSize(t, screen(view), 100, 30)
			}
			for _, size := range [][2]int{{200, 60}, {40, 10}} {
				view.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
				press(t, view, "tab", "l", "l", "j")
				checkSize(t, screen(view), size[0], size[1])
			}
			ops := view.s.ip.Ops()
			last := len(ops) - 1
			out := ops[last].Node.Outputs[0]
			c, err := view.s.ip.Explain(last, 0, out.NumElements()-1)
			if err != nil {
				t.Fatal(err)
			}
			if got := int64(int8(out.Data[len(out.Data)-1])); c.Final != got {
				t.Errorf("last element explained as %d, stored %d", c.Final, got)
			}
		})
	}
}

// BenchmarkLargeModels: the first frame (prepare, invoke, float shadow, UI
// model, View) and one keystroke (Update + View, the cursor moving in the
// first layer's full-resolution heatmap) on each large model. Targets:
// first frame ≤ 300 ms, keystroke ≤ 30 ms.
func BenchmarkLargeModels(b *testing.B) {
	for _, net := range largeNets() {
		m, image := buildLarge(b, net)
		b.Run(net.name+"/first-frame", func(b *testing.B) {
			for range b.N {
				view := openLarge(b, m, image, 100, 30)
				_ = view.View()
			}
		})
		b.Run(net.name+"/keystroke", func(b *testing.B) {
			view := openLarge(b, m, image, 100, 30)
			press(b, view, "tab")
			benchKeystrokes(b, view, "l", "j", "h", "k", "]")
		})
	}
}
