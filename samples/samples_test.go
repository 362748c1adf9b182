package samples

import (
	"errors"
	"fmt"
	"image"
	"slices"
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

func TestModelsReadBackAndValidate(t *testing.T) {
	want := map[string]struct {
		ops     []string
		in, out tflite.TensorType
		minInt  float64
	}{
		"mnist_dense": {[]string{"QUANTIZE", "FULLY_CONNECTED", "DEQUANTIZE"}, tflite.TypeFloat32, tflite.TypeFloat32, 0.91},
		"mnist_cnn":   {[]string{"CONV_2D", "MAX_POOL_2D", "RESHAPE", "FULLY_CONNECTED", "SOFTMAX"}, tflite.TypeInt8, tflite.TypeInt8, 0.97},
	}
	models := Models()
	if len(models) != len(want) {
		t.Fatalf("Models() has %d entries, want %d", len(models), len(want))
	}
	for _, info := range models {
		t.Run(info.Name, func(t *testing.T) {
			w, ok := want[info.Name]
			if !ok {
				t.Fatalf("unexpected model %q", info.Name)
			}
			data, err := Model(info.Name)
			if err != nil {
				t.Fatal(err)
			}
			if len(data) != info.Bytes {
				t.Errorf("file is %d bytes, info.json says %d", len(data), info.Bytes)
			}
			m, err := tflite.Read(data)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if err := m.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if len(m.Warnings) != 0 {
				t.Errorf("warnings: %v", m.Warnings)
			}
			var ops []string
			g := m.SubGraphs[0]
			for _, op := range g.Operators {
				ops = append(ops, m.OpCode(op).String())
			}
			if !slices.Equal(ops, w.ops) || !slices.Equal(info.Ops, w.ops) {
				t.Errorf("operators %v, info.json %v, want %v", ops, info.Ops, w.ops)
			}
			in, out := g.Tensors[g.Inputs[0]], g.Tensors[g.Outputs[0]]
			if in.Type != w.in || !slices.Equal(in.Shape, []int32{1, 28, 28, 1}) {
				t.Errorf("input %v %v, want %v [1 28 28 1]", in.Type, in.Shape, w.in)
			}
			if out.Type != w.out || !slices.Equal(out.Shape, []int32{1, 10}) {
				t.Errorf("output %v %v, want %v [1 10]", out.Type, out.Shape, w.out)
			}
			if info.IntAccuracy < w.minInt || info.FloatAccuracy < w.minInt {
				t.Errorf("recorded accuracies float %.4f int %.4f, want ≥ %.2f", info.FloatAccuracy, info.IntAccuracy, w.minInt)
			}
		})
	}
	if TestImages() != 10000 {
		t.Errorf("accuracies measured on %d test images, want 10000 (regenerate without -quick)", TestImages())
	}
}

func TestLookupNames(t *testing.T) {
	tests := []struct {
		name, want string
	}{
		{"mnist_dense", "mnist_dense"},
		{"mnist-dense", "mnist_dense"},
		{"MNIST-CNN", "mnist_cnn"},
		{"mnist_cnn.tflite", "mnist_cnn"},
		{DefaultModel, "mnist_dense"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			info, err := Lookup(tc.name)
			if err != nil {
				t.Fatal(err)
			}
			if info.Name != tc.want {
				t.Errorf("Lookup(%q) = %q, want %q", tc.name, info.Name, tc.want)
			}
		})
	}
	for _, bad := range []string{"", "mnist", "mnist_lstm"} {
		if _, err := Model(bad); !errors.Is(err, ErrUnknown) {
			t.Errorf("Model(%q) error = %v, want ErrUnknown", bad, err)
		}
	}
}

func TestDigits(t *testing.T) {
	digits := Digits()
	if len(digits) != 10 {
		t.Fatalf("%d digits, want 10", len(digits))
	}
	for label := range 10 {
		t.Run(fmt.Sprint(label), func(t *testing.T) {
			if digits[label].Label != label {
				t.Fatalf("Digits()[%d] has label %d", label, digits[label].Label)
			}
			img, name, err := DigitImage(label)
			if err != nil {
				t.Fatal(err)
			}
			if want := fmt.Sprintf("%d_%d.png", label, digits[label].TestIndex); name != want {
				t.Errorf("name %q, want %q", name, want)
			}
			if b := img.Bounds(); b != image.Rect(0, 0, 28, 28) {
				t.Errorf("bounds %v, want 28×28", b)
			}
			gray, ok := img.(*image.Gray)
			if !ok {
				t.Fatalf("decoded as %T, want *image.Gray", img)
			}
			ink := 0
			for _, p := range gray.Pix {
				if p > 128 {
					ink++
				}
			}
			if ink < 20 || ink > 400 {
				t.Errorf("%d ink pixels: not a handwritten digit", ink)
			}
		})
	}
	for _, bad := range []int{-1, 10} {
		if _, _, err := Digit(bad); !errors.Is(err, ErrUnknown) {
			t.Errorf("Digit(%d) error = %v, want ErrUnknown", bad, err)
		}
	}
}
