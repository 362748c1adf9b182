// Package samples bundles two small quantized MNIST models and ten MNIST
// test digits, so that tflq-trace runs with no arguments.
//
// The files are made by the generator in samples/gen (go run ./samples/gen),
// which trains Keras-style models in pure Go with a fixed seed and quantizes
// them as the TensorFlow Lite converter's full-integer post-training
// quantization does; see samples/README.md for how, and for the accuracies
// it measured. They are embedded in the binary:
//
//   - mnist_dense: QUANTIZE → FULLY_CONNECTED → DEQUANTIZE, float32 in/out;
//   - mnist_cnn: CONV_2D → MAX_POOL_2D → RESHAPE → FULLY_CONNECTED → SOFTMAX,
//     int8 in/out;
//   - digits/<label>_<testindex>.png: the first MNIST test image of each
//     class, 28×28 grayscale.
//
// MNIST is by Yann LeCun, Corinna Cortes and Christopher J. C. Burges.
package samples

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"path/filepath"
	"strings"
	"sync"

	"github.com/tflq/tflq-trace/samples/internal/mnist"
)

//go:embed mnist_dense.tflite mnist_cnn.tflite info.json digits/*.png
var files embed.FS

// DefaultModel is the model the tool uses when given none.
const DefaultModel = "mnist_dense"

// ErrUnknown is returned for a model name or digit label that is not bundled.
var ErrUnknown = errors.New("samples: no such sample")

// Info describes a bundled model; the generator records it in info.json.
type Info struct {
	Name          string   `json:"name"` // e.g. "mnist_cnn"
	File          string   `json:"file"` // e.g. "mnist_cnn.tflite"
	Description   string   `json:"description"`
	Ops           []string `json:"ops"` // builtin operator names in execution order
	Input         string   `json:"input"`
	Output        string   `json:"output"`
	FloatAccuracy float64  `json:"float_accuracy"` // trained float model, MNIST test set
	IntAccuracy   float64  `json:"int_accuracy"`   // this file in tflq-trace's integer interpreter
	Bytes         int      `json:"bytes"`
}

// DigitInfo describes a bundled digit image.
type DigitInfo struct {
	Label     int    `json:"label"`
	TestIndex int    `json:"test_index"` // index in the MNIST test set
	File      string `json:"file"`       // e.g. "digits/7_0.png"
}

type infoFile struct {
	Seed       uint64      `json:"seed"`
	TestImages int         `json:"test_images"`
	Models     []Info      `json:"models"`
	Digits     []DigitInfo `json:"digits"`
}

var loadInfo = sync.OnceValues(func() (*infoFile, error) {
	data, err := files.ReadFile("info.json")
	if err != nil {
		return nil, err
	}
	var info infoFile
	if err := json.Unmarshal(data, &info); err != nil {
		return nil, fmt.Errorf("samples: info.json: %w", err)
	}
	return &info, nil
})

func info() *infoFile {
	inf, err := loadInfo()
	if err != nil {
		panic(err) // the embedded file is part of the build
	}
	return inf
}

// Models lists the bundled models.
func Models() []Info {
	return append([]Info(nil), info().Models...)
}

// TestImages is the number of MNIST test images the accuracies in Info
// were measured on.
func TestImages() int { return info().TestImages }

// Lookup returns the Info of a model. Names are matched case-insensitively,
// with '-' accepted for '_' and an optional ".tflite" suffix
// ("mnist-dense" finds mnist_dense).
func Lookup(name string) (Info, error) {
	key := strings.TrimSuffix(strings.ReplaceAll(strings.ToLower(name), "-", "_"), ".tflite")
	for _, m := range info().Models {
		if m.Name == key {
			return m, nil
		}
	}
	return Info{}, fmt.Errorf("%w: model %q (have %s)", ErrUnknown, name, strings.Join(Names(), ", "))
}

// Names returns the bundled model names.
func Names() []string {
	var names []string
	for _, m := range info().Models {
		names = append(names, m.Name)
	}
	return names
}

// Model returns the .tflite bytes of a bundled model (see Lookup for the
// accepted names). The slice is shared: do not modify it.
func Model(name string) ([]byte, error) {
	m, err := Lookup(name)
	if err != nil {
		return nil, err
	}
	return files.ReadFile(m.File)
}

// Digits lists the bundled digit images, labels 0..9 in order.
func Digits() []DigitInfo {
	return append([]DigitInfo(nil), info().Digits...)
}

// Digit returns the PNG bytes and the file name (e.g. "7_0.png") of the
// bundled image of a digit label 0..9.
func Digit(label int) (pngData []byte, name string, err error) {
	for _, d := range info().Digits {
		if d.Label == label {
			data, err := files.ReadFile(d.File)
			return data, strings.TrimPrefix(d.File, "digits/"), err
		}
	}
	return nil, "", fmt.Errorf("%w: digit %d (labels are 0..9)", ErrUnknown, label)
}

// DigitImage returns the decoded 28×28 grayscale image of a digit label.
func DigitImage(label int) (image.Image, string, error) {
	data, name, err := Digit(label)
	if err != nil {
		return nil, "", err
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, "", fmt.Errorf("samples: %s: %w", name, err)
	}
	return img, name, nil
}

// MNISTTestFiles locates the MNIST test set as it is distributed (IDX
// files, gzipped): the images and the labels. The files come with the
// GoMNIST module the samples are trained from (go mod download), or from
// $TFLQ_MNIST_DIR.
func MNISTTestFiles() (images, labels string, err error) {
	dir, err := mnist.Dir()
	if err != nil {
		return "", "", err
	}
	return filepath.Join(dir, "t10k-images-idx3-ubyte.gz"), filepath.Join(dir, "t10k-labels-idx1-ubyte.gz"), nil
}
