package main

// Graph inputs from files. The rules, documented in README.md:
//
//   - .bin: raw little-endian bytes in the input tensor's dtype; the size
//     must be exactly elements × dtype size.
//   - .npy: the array's shape must be the tensor's once every size-1
//     dimension is dropped ([28,28] feeds [1,28,28,1]); any byte order, C or
//     Fortran order. Its dtype is the tensor's, or float64 for a float32
//     tensor (converted, with a note), or float32/float64 for a quantized
//     integer tensor: converted to float32 and quantized with the input's
//     scale and zero point (round half away from zero, then clamp) as
//     QUANTIZE would, with a note; the float values are kept as the float
//     reference's input.
//   - .png / .jpg / .jpeg / .pgm images: the input must be [1,]H×W×C with
//     C = 1 (grayscale) or 3 (RGB) and the image exactly H×W. A pixel p in
//     0..255 is mapped linearly onto the real range the input represents:
//     for an int8/uint8/int16 input that is its whole quantized range, so
//     q = qmin + round(p·(qmax−qmin)/255) — for 8-bit inputs simply p−128
//     (int8) or p (uint8); for a float32 input feeding QUANTIZE it is the
//     real range that QUANTIZE's output can represent, [(qmin−zp)·s,
//     (qmax−zp)·s] (for MNIST-style s = 1/255, zp = −128 that is p/255);
//     for a float32 input with no QUANTIZE consumer it is p/255.

import (
	"bufio"
	"bytes"
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg" // register the JPEG decoder
	_ "image/png"  // register the PNG decoder
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/tflq/tflq-trace/kernels"
	"github.com/tflq/tflq-trace/samples"
	"github.com/tflq/tflq-trace/tflite"
	"github.com/tflq/tflq-trace/trace"
)

// inputSpec is what a graph input expects, for error messages.
func inputSpec(t *kernels.Tensor) string {
	return fmt.Sprintf("%v %v (%d bytes)", t.Type, t.Shape, len(t.Data))
}

// inputData is one graph input read from a file: its bytes in the input's
// dtype; when the file held real values that were quantized to feed an
// integer input, those values (the float reference starts from them); and
// a one-line note when the data was converted.
type inputData struct {
	data   []byte
	floats []float32
	note   string
}

// loadInputs fills the graph inputs from files (in graph-input order), or
// with seeded random values (whole dtype range; float inputs uniform over
// the range the consuming QUANTIZE represents), or zeros. It returns, per
// graph input, the real values a quantized input was quantized from (nil
// otherwise), and a one-line note for each file whose data was converted.
func loadInputs(ip *trace.Interpreter, files []string, random int64, haveRandom bool) ([][]float32, []string, error) {
	ins := ip.Inputs()
	if len(files) > 0 && len(files) != len(ins) {
		return nil, nil, usageError("the model has %d input(s), got %d --input file(s)", len(ins), len(files))
	}
	floats := make([][]float32, len(ins))
	var notes []string
	for k, t := range ins {
		var data []byte
		switch {
		case len(files) > 0:
			in, err := readInputFile(ip, k, files[k])
			if err != nil {
				return nil, nil, inputError(fmt.Errorf("input %d %q from %s: %w", k, t.Name, files[k], err))
			}
			if in.note != "" {
				notes = append(notes, fmt.Sprintf("note: input %d %q from %s: %s", k, t.Name, files[k], in.note))
			}
			data, floats[k] = in.data, in.floats
		case haveRandom:
			data = randomInput(ip, t, random+int64(k))
		default:
			data = make([]byte, len(t.Data))
			fillZeroPoint(t, data)
		}
		if err := ip.SetInput(k, data); err != nil {
			return nil, nil, inputError(err)
		}
	}
	return floats, notes, nil
}

// fillZeroPoint sets every element to the real value 0 (the zero point).
func fillZeroPoint(t *kernels.Tensor, data []byte) {
	if !t.Quantized() || t.ZP0() == 0 {
		return
	}
	tmp := &kernels.Tensor{Type: t.Type, Shape: t.Shape, Data: data}
	for i := 0; i < t.NumElements(); i++ {
		putInt(tmp, i, int64(t.ZP0()))
	}
}

// digitPrefix names a bundled MNIST digit in any --input: digit:7.
const digitPrefix = "digit:"

func readInputFile(ip *trace.Interpreter, k int, path string) (inputData, error) {
	t := ip.Inputs()[k]
	if label, ok := strings.CutPrefix(path, digitPrefix); ok {
		n, err := strconv.Atoi(label)
		if err != nil {
			return inputData{}, fmt.Errorf("digit label %q is not a number 0-9", label)
		}
		img, _, err := samples.DigitImage(n)
		if err != nil {
			return inputData{}, err
		}
		return imageInput(ip, t, img)
	}
	if file, index, ok := idxImagePath(path); ok && strings.EqualFold(filepath.Ext(file), ".npy") {
		a, err := readNpySample(file, index)
		if err != nil {
			return inputData{}, err
		}
		return npyArrayInput(a, t)
	}
	if file, index, ok := idxImagePath(path); ok {
		dims, data, err := readIDX(file, idxImages)
		if err != nil {
			return inputData{}, err
		}
		if len(dims) != 3 || index >= dims[0] {
			return inputData{}, fmt.Errorf("IDX image file %s has no image %d", tflite.ShapeString(dims), index)
		}
		h, w := dims[1], dims[2]
		return imageInput(ip, t, &image.Gray{Pix: data[index*h*w : (index+1)*h*w], Stride: w, Rect: image.Rect(0, 0, w, h)})
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		if os.IsNotExist(err) {
			return inputData{}, fmt.Errorf("no such file")
		}
		return inputData{}, err
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".bin", ".raw":
		if len(raw) != len(t.Data) {
			return inputData{}, fmt.Errorf("expected %s, got %d bytes", inputSpec(t), len(raw))
		}
		return inputData{data: raw}, nil
	case ".npy":
		return npyInput(raw, t)
	case ".png", ".jpg", ".jpeg":
		img, _, err := image.Decode(bytes.NewReader(raw))
		if err != nil {
			return inputData{}, fmt.Errorf("decode image: %w", err)
		}
		return imageInput(ip, t, img)
	case ".pgm":
		img, err := decodePGM(raw)
		if err != nil {
			return inputData{}, err
		}
		return imageInput(ip, t, img)
	}
	return inputData{}, fmt.Errorf("unknown input format %q (want .bin/.raw, .npy, .png, .jpg/.jpeg or .pgm)", filepath.Ext(path))
}

func putInt(t *kernels.Tensor, i int, v int64) {
	switch t.Type {
	case tflite.TypeInt8:
		t.Int8()[i] = int8(v)
	case tflite.TypeUint8, tflite.TypeBool:
		t.Data[i] = uint8(v)
	case tflite.TypeInt16:
		t.Int16()[i] = int16(v)
	case tflite.TypeInt32:
		t.Int32()[i] = int32(v)
	case tflite.TypeInt64:
		t.Int64()[i] = v
	}
}

// quantizeFloat is QUANTIZE's rule: zp + round-half-away(x/scale), clamped
// — in float64 before the conversion to an integer, so that a value far
// out of range (1e20, ±Inf) saturates at the right end instead of wrapping.
// x must not be NaN (the readers refuse it).
func quantizeFloat(x float32, t *kernels.Tensor) int64 {
	lo, hi := kernels.Range(t.Type)
	q := math.Round(float64(x/t.Scale0())) + float64(t.ZP0())
	return int64(min(max(q, float64(lo)), float64(hi)))
}

// floatRange is the real range a float32 input is expected to cover: the
// range representable by the QUANTIZE that consumes it, else [0, 1].
func floatRange(ip *trace.Interpreter, t *kernels.Tensor) (lo, hi float64) {
	for _, op := range ip.Ops() {
		n := op.Node
		if n.Op != tflite.OpQuantize || len(n.Inputs) == 0 || n.Inputs[0] != t || len(n.Outputs) == 0 {
			continue
		}
		out := n.Outputs[0]
		if !out.Quantized() {
			break
		}
		qmin, qmax := kernels.Range(out.Type)
		s, zp := float64(out.Scale0()), float64(out.ZP0())
		return (float64(qmin) - zp) * s, (float64(qmax) - zp) * s
	}
	return 0, 1
}

// imageInput maps an image's pixels onto the input (see the package rules).
// For a quantized integer input it also returns the real values the pixels
// map to before rounding, (qmin + p·(qmax−qmin)/255 − zp)·scale.
func imageInput(ip *trace.Interpreter, t *kernels.Tensor, img image.Image) (inputData, error) {
	// Accepted layouts: [1,H,W,C], [H,W,C] (C = 1 or 3), [1,H,W], [H,W].
	shape := t.Shape
	if len(shape) == 4 && shape[0] == 1 {
		shape = shape[1:]
	} else if len(shape) == 3 && shape[0] == 1 && shape[2] != 1 && shape[2] != 3 {
		shape = shape[1:]
	}
	if len(shape) == 2 {
		shape = []int{shape[0], shape[1], 1}
	}
	b := img.Bounds()
	if len(shape) != 3 || (shape[2] != 1 && shape[2] != 3) {
		return inputData{}, fmt.Errorf("an image needs an input shaped [1,]H×W×C with C = 1 or 3; this input is %s", inputSpec(t))
	}
	h, w, c := shape[0], shape[1], shape[2]
	if b.Dx() != w || b.Dy() != h {
		return inputData{}, fmt.Errorf("expected a %d×%d image for %s, got %d×%d", w, h, inputSpec(t), b.Dx(), b.Dy())
	}
	out := &kernels.Tensor{Type: t.Type, Shape: t.Shape, Data: kernels.AlignedBytes(len(t.Data))}
	var flo, fhi float64
	if t.Type == tflite.TypeFloat32 {
		flo, fhi = floatRange(ip, t)
	} else if t.Type != tflite.TypeInt8 && t.Type != tflite.TypeUint8 && t.Type != tflite.TypeInt16 {
		return inputData{}, fmt.Errorf("images can feed float32, int8, uint8 or int16 inputs, not %s", inputSpec(t))
	}
	qmin, qmax := kernels.Range(t.Type)
	var floats []float32
	if t.Type != tflite.TypeFloat32 && t.Quantized() {
		floats = make([]float32, t.NumElements())
	}
	i := 0
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			px := img.At(b.Min.X+x, b.Min.Y+y)
			var vals [3]uint8
			if c == 1 {
				g := color.GrayModel.Convert(px).(color.Gray)
				vals[0] = g.Y
			} else {
				r, gg, bb, _ := px.RGBA()
				vals = [3]uint8{uint8(r >> 8), uint8(gg >> 8), uint8(bb >> 8)}
			}
			for ch := 0; ch < c; ch++ {
				p := float64(vals[ch])
				if t.Type == tflite.TypeFloat32 {
					out.Float32()[i] = float32(flo + p/255*(fhi-flo))
				} else {
					exact := float64(qmin) + p*float64(qmax-qmin)/255
					putInt(out, i, int64(qmin)+int64(math.Round(p*float64(qmax-qmin)/255)))
					if floats != nil {
						c := t.ChannelOf(i)
						floats[i] = float32((exact - float64(t.ZeroPointAt(c))) * float64(t.ScaleAt(c)))
					}
				}
				i++
			}
		}
	}
	return inputData{data: out.Data, floats: floats}, nil
}

// decodePGM reads binary (P5) or plain (P2) 8-bit PGM images.
func decodePGM(raw []byte) (image.Image, error) {
	r := bufio.NewReader(bytes.NewReader(raw))
	var fields []int
	var magic string
	token := func() (string, error) {
		var sb strings.Builder
		for {
			c, err := r.ReadByte()
			if err != nil {
				if sb.Len() > 0 {
					return sb.String(), nil
				}
				return "", fmt.Errorf("truncated PGM header")
			}
			if c == '#' {
				r.ReadString('\n')
				continue
			}
			if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
				if sb.Len() > 0 {
					return sb.String(), nil
				}
				continue
			}
			sb.WriteByte(c)
		}
	}
	magic, err := token()
	if err != nil {
		return nil, err
	}
	if magic != "P5" && magic != "P2" {
		return nil, fmt.Errorf("not a PGM image (magic %q)", magic)
	}
	for len(fields) < 3 {
		tok, err := token()
		if err != nil {
			return nil, err
		}
		v, err := strconv.Atoi(tok)
		if err != nil || v <= 0 || v > 1<<16 {
			return nil, fmt.Errorf("bad PGM header value %q", tok)
		}
		fields = append(fields, v)
	}
	w, h, maxVal := fields[0], fields[1], fields[2]
	if maxVal > 255 {
		return nil, fmt.Errorf("16-bit PGM (maxval %d) is not supported", maxVal)
	}
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		var v int
		if magic == "P5" {
			c, err := r.ReadByte()
			if err != nil {
				return nil, fmt.Errorf("PGM pixel data truncated at pixel %d of %d", i, w*h)
			}
			v = int(c)
		} else {
			tok, err := token()
			if err != nil {
				return nil, fmt.Errorf("PGM pixel data truncated at pixel %d of %d", i, w*h)
			}
			v, _ = strconv.Atoi(tok)
		}
		img.Pix[i] = uint8(v * 255 / maxVal)
	}
	return img, nil
}

// randomInput draws every element uniformly: the whole dtype range for
// integer inputs, the represented real range for float inputs.
func randomInput(ip *trace.Interpreter, t *kernels.Tensor, seed int64) []byte {
	r := rand.New(rand.NewPCG(uint64(seed), 0x7f1a))
	out := &kernels.Tensor{Type: t.Type, Shape: t.Shape, Data: kernels.AlignedBytes(len(t.Data))}
	if t.Type == tflite.TypeFloat32 {
		lo, hi := floatRange(ip, t)
		for i := range out.Float32() {
			out.Float32()[i] = float32(lo + r.Float64()*(hi-lo))
		}
		return out.Data
	}
	lo, hi := kernels.Range(t.Type)
	for i := 0; i < t.NumElements(); i++ {
		putInt(out, i, int64(lo)+r.Int64N(int64(hi)-int64(lo)+1))
	}
	return out.Data
}

// npyInput converts a .npy array to input t (see the package rules).
func npyInput(raw []byte, t *kernels.Tensor) (inputData, error) {
	a, err := parseNpy(raw)
	if err != nil {
		return inputData{}, err
	}
	return npyArrayInput(a, t)
}

// npyArrayInput converts a decoded .npy array (a whole file, or one sample
// of a batch) to input t's data, as npyInput describes.
func npyArrayInput(a *npyArray, t *kernels.Tensor) (inputData, error) {
	if !sameShape(a.shape, t.Shape) {
		return inputData{}, fmt.Errorf("expected %s, got a .npy array of shape %s", inputSpec(t), tflite.ShapeString(a.shape))
	}
	switch {
	case a.typ == t.Type:
		return inputData{data: a.data}, nil
	case a.typ == tflite.TypeFloat64 && t.Type == tflite.TypeFloat32:
		out := &kernels.Tensor{Type: t.Type, Shape: t.Shape, Data: kernels.AlignedBytes(len(t.Data))}
		for i, x := range a.float64s() {
			out.Float32()[i] = float32(x)
		}
		return inputData{data: out.Data, note: "float64 .npy converted to FLOAT32"}, nil
	case (a.typ == tflite.TypeFloat32 || a.typ == tflite.TypeFloat64) && t.Quantized() && t.Type != tflite.TypeFloat32 && isIntegerType(t.Type):
		out := &kernels.Tensor{Type: t.Type, Shape: t.Shape, Data: kernels.AlignedBytes(len(t.Data))}
		floats := make([]float32, t.NumElements())
		for i, x := range a.float64s() {
			if math.IsNaN(x) {
				return inputData{}, fmt.Errorf("element %d is NaN: a quantized input needs numbers", i)
			}
			floats[i] = float32(x)
			putInt(out, i, quantizeFloat(floats[i], t))
		}
		from := "float32"
		if a.typ == tflite.TypeFloat64 {
			from = "float64 .npy converted to float32 and"
		}
		return inputData{data: out.Data, floats: floats,
			note: fmt.Sprintf("%s quantized to %v with scale %.9g and zero point %d (as QUANTIZE does)", from, t.Type, t.Scale0(), t.ZP0())}, nil
	}
	return inputData{}, fmt.Errorf("expected %s, got a .npy array of dtype %s", inputSpec(t), a.descr)
}

func isIntegerType(t tflite.TensorType) bool {
	switch t {
	case tflite.TypeInt8, tflite.TypeUint8, tflite.TypeInt16, tflite.TypeInt32, tflite.TypeInt64:
		return true
	}
	return false
}

// idxImagePath splits FILE#N, image N of an IDX image file, as eval names
// the inputs of one; sample:mnist-test#N is image N of the MNIST test set.
func idxImagePath(path string) (file string, index int, ok bool) {
	i := strings.LastIndexByte(path, '#')
	if i < 0 {
		return "", 0, false
	}
	n, err := strconv.Atoi(path[i+1:])
	if err != nil || n < 0 {
		return "", 0, false
	}
	if path[:i] == sampleMNISTTest {
		images, _, err := samples.MNISTTestFiles()
		if err != nil {
			return "", 0, false
		}
		return images, n, true
	}
	if _, err := os.Stat(path[:i]); err != nil {
		return "", 0, false
	}
	return path[:i], n, true
}
