package main

// Graph inputs from files. The rules, documented in README.md:
//
//   - .bin: raw little-endian bytes in the input tensor's dtype; the size
//     must be exactly elements × dtype size.
//   - .npy: the array's dtype must be the tensor's dtype and its shape the
//     tensor's shape (leading 1s ignored). A float32 array may also feed an
//     integer input: it is quantized with the input's scale and zero point
//     (round half away from zero, then clamp), as QUANTIZE would.
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
	"encoding/binary"
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

// loadInputs fills the graph inputs from files (in graph-input order), or
// with seeded random values (whole dtype range; float inputs uniform over
// the range the consuming QUANTIZE represents), or zeros.
func loadInputs(ip *trace.Interpreter, files []string, random int64, haveRandom bool) error {
	ins := ip.Inputs()
	if len(files) > 0 && len(files) != len(ins) {
		return usageError("the model has %d input(s), got %d --input file(s)", len(ins), len(files))
	}
	for k, t := range ins {
		var data []byte
		var err error
		switch {
		case len(files) > 0:
			data, err = readInputFile(ip, k, files[k])
			if err != nil {
				return inputError(fmt.Errorf("input %d %q from %s: %w", k, t.Name, files[k], err))
			}
		case haveRandom:
			data = randomInput(ip, t, random+int64(k))
		default:
			data = make([]byte, len(t.Data))
			fillZeroPoint(t, data)
		}
		if err := ip.SetInput(k, data); err != nil {
			return inputError(err)
		}
	}
	return nil
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

func readInputFile(ip *trace.Interpreter, k int, path string) ([]byte, error) {
	t := ip.Inputs()[k]
	if label, ok := strings.CutPrefix(path, digitPrefix); ok {
		n, err := strconv.Atoi(label)
		if err != nil {
			return nil, fmt.Errorf("digit label %q is not a number 0-9", label)
		}
		img, _, err := samples.DigitImage(n)
		if err != nil {
			return nil, err
		}
		return imageInput(ip, t, img)
	}
	if file, index, ok := idxImagePath(path); ok {
		dims, data, err := readIDX(file, idxImages)
		if err != nil {
			return nil, err
		}
		if len(dims) != 3 || index >= dims[0] {
			return nil, fmt.Errorf("IDX image file %v has no image %d", dims, index)
		}
		h, w := dims[1], dims[2]
		return imageInput(ip, t, &image.Gray{Pix: data[index*h*w : (index+1)*h*w], Stride: w, Rect: image.Rect(0, 0, w, h)})
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, fmt.Errorf("no such file")
		}
		return nil, err
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".bin", ".raw":
		if len(raw) != len(t.Data) {
			return nil, fmt.Errorf("expected %s, got %d bytes", inputSpec(t), len(raw))
		}
		return raw, nil
	case ".npy":
		return npyInput(raw, t)
	case ".png", ".jpg", ".jpeg":
		img, _, err := image.Decode(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("decode image: %w", err)
		}
		return imageInput(ip, t, img)
	case ".pgm":
		img, err := decodePGM(raw)
		if err != nil {
			return nil, err
		}
		return imageInput(ip, t, img)
	}
	return nil, fmt.Errorf("unknown input format %q (want .bin, .npy, .png, .jpg or .pgm)", filepath.Ext(path))
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

// quantizeFloat is QUANTIZE's rule: zp + round-half-away(x/scale), clamped.
func quantizeFloat(x float32, t *kernels.Tensor) int64 {
	lo, hi := kernels.Range(t.Type)
	q := int64(math.Round(float64(x/t.Scale0()))) + int64(t.ZP0())
	return min(max(q, int64(lo)), int64(hi))
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

func imageInput(ip *trace.Interpreter, t *kernels.Tensor, img image.Image) ([]byte, error) {
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
		return nil, fmt.Errorf("an image needs an input shaped [1,]H×W×C with C = 1 or 3; this input is %s", inputSpec(t))
	}
	h, w, c := shape[0], shape[1], shape[2]
	if b.Dx() != w || b.Dy() != h {
		return nil, fmt.Errorf("expected a %d×%d image for %s, got %d×%d", w, h, inputSpec(t), b.Dx(), b.Dy())
	}
	out := &kernels.Tensor{Type: t.Type, Shape: t.Shape, Data: kernels.AlignedBytes(len(t.Data))}
	var flo, fhi float64
	if t.Type == tflite.TypeFloat32 {
		flo, fhi = floatRange(ip, t)
	} else if t.Type != tflite.TypeInt8 && t.Type != tflite.TypeUint8 && t.Type != tflite.TypeInt16 {
		return nil, fmt.Errorf("images can feed float32, int8, uint8 or int16 inputs, not %s", inputSpec(t))
	}
	qmin, qmax := kernels.Range(t.Type)
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
					putInt(out, i, int64(qmin)+int64(math.Round(p*float64(qmax-qmin)/255)))
				}
				i++
			}
		}
	}
	return out.Data, nil
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

// npyInput decodes a NumPy .npy array (format 1.0–3.0, C order).
func npyInput(raw []byte, t *kernels.Tensor) ([]byte, error) {
	if len(raw) < 10 || string(raw[:6]) != "\x93NUMPY" {
		return nil, fmt.Errorf("not a .npy file")
	}
	var hlen, start int
	switch raw[6] {
	case 1:
		hlen, start = int(binary.LittleEndian.Uint16(raw[8:10])), 10
	case 2, 3:
		if len(raw) < 12 {
			return nil, fmt.Errorf("truncated .npy header")
		}
		hlen, start = int(binary.LittleEndian.Uint32(raw[8:12])), 12
	default:
		return nil, fmt.Errorf("unsupported .npy version %d", raw[6])
	}
	if start+hlen > len(raw) {
		return nil, fmt.Errorf("truncated .npy header")
	}
	header := string(raw[start : start+hlen])
	body := raw[start+hlen:]
	descr := npyField(header, "descr")
	if strings.Contains(npyField(header, "fortran_order"), "True") {
		return nil, fmt.Errorf(".npy array is in Fortran order; save it C-ordered")
	}
	shape, err := npyShape(npyField(header, "shape"))
	if err != nil {
		return nil, err
	}
	dtype, ok := map[string]tflite.TensorType{
		"|i1": tflite.TypeInt8, "<i1": tflite.TypeInt8, "|u1": tflite.TypeUint8, "<u1": tflite.TypeUint8,
		"<i2": tflite.TypeInt16, "<i4": tflite.TypeInt32, "<i8": tflite.TypeInt64, "<f4": tflite.TypeFloat32, "|b1": tflite.TypeBool,
	}[strings.Trim(descr, "'\" ")]
	if !ok {
		return nil, fmt.Errorf("unsupported .npy dtype %s", descr)
	}
	if !sameShape(shape, t.Shape) {
		return nil, fmt.Errorf("expected %s, got a .npy array of shape %v", inputSpec(t), shape)
	}
	n := kernels.NumElements(shape)
	if len(body) != n*dtype.Size() {
		return nil, fmt.Errorf(".npy data is %d bytes, its header says %d", len(body), n*dtype.Size())
	}
	if dtype == t.Type {
		return body, nil
	}
	if dtype == tflite.TypeFloat32 && t.Quantized() && t.Type != tflite.TypeFloat32 {
		src := &kernels.Tensor{Type: dtype, Shape: shape, Data: kernels.AlignedBytes(len(body))}
		copy(src.Data, body)
		out := &kernels.Tensor{Type: t.Type, Shape: t.Shape, Data: kernels.AlignedBytes(len(t.Data))}
		for i, x := range src.Float32() {
			putInt(out, i, quantizeFloat(x, t))
		}
		return out.Data, nil
	}
	return nil, fmt.Errorf("expected %s, got a .npy array of dtype %s", inputSpec(t), dtype)
}

func npyField(header, key string) string {
	i := strings.Index(header, "'"+key+"'")
	if i < 0 {
		return ""
	}
	rest := strings.TrimSpace(header[i+len(key)+2:])
	rest = strings.TrimSpace(strings.TrimPrefix(rest, ":"))
	if strings.HasPrefix(rest, "(") {
		if j := strings.Index(rest, ")"); j >= 0 {
			return rest[:j+1]
		}
	}
	if j := strings.IndexAny(rest, ",}"); j >= 0 {
		return strings.TrimSpace(rest[:j])
	}
	return rest
}

func npyShape(s string) ([]int, error) {
	s = strings.Trim(strings.TrimSpace(s), "()")
	var shape []int
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		v, err := strconv.Atoi(part)
		if err != nil || v < 0 {
			return nil, fmt.Errorf("bad .npy shape %q", s)
		}
		shape = append(shape, v)
	}
	return shape, nil
}

// sameShape compares shapes ignoring leading 1s.
func sameShape(a, b []int) bool {
	for len(a) > 0 && a[0] == 1 {
		a = a[1:]
	}
	for len(b) > 0 && b[0] == 1 {
		b = b[1:]
	}
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// idxImagePath splits FILE#N, image N of an IDX image file, as eval names
// the inputs of one.
func idxImagePath(path string) (file string, index int, ok bool) {
	i := strings.LastIndexByte(path, '#')
	if i < 0 {
		return "", 0, false
	}
	n, err := strconv.Atoi(path[i+1:])
	if err != nil || n < 0 {
		return "", 0, false
	}
	if _, err := os.Stat(path[:i]); err != nil {
		return "", 0, false
	}
	return path[:i], n, true
}
