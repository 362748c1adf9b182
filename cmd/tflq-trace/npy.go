package main

// NumPy .npy files (format 1.0–3.0): reading arrays of any byte order,
// C or Fortran order, and writing C-ordered little-endian arrays.

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/tflq/tflq-trace/kernels"
	"github.com/tflq/tflq-trace/tflite"
)

// npyTypes maps the tensor types that have a NumPy dtype to it (kind and
// item size; the byte order is "|" for one-byte types, "<" otherwise).
var npyTypes = []struct {
	typ  tflite.TensorType
	kind byte
	size int
}{
	{tflite.TypeInt8, 'i', 1}, {tflite.TypeUint8, 'u', 1}, {tflite.TypeBool, 'b', 1},
	{tflite.TypeInt16, 'i', 2}, {tflite.TypeUint16, 'u', 2}, {tflite.TypeFloat16, 'f', 2},
	{tflite.TypeInt32, 'i', 4}, {tflite.TypeUint32, 'u', 4}, {tflite.TypeFloat32, 'f', 4},
	{tflite.TypeInt64, 'i', 8}, {tflite.TypeUint64, 'u', 8}, {tflite.TypeFloat64, 'f', 8},
}

// npyDescr is the dtype string of a tensor type ("" when NumPy has none).
func npyDescr(t tflite.TensorType) string {
	for _, n := range npyTypes {
		if n.typ == t {
			order := "<"
			if n.size == 1 {
				order = "|"
			}
			return fmt.Sprintf("%s%c%d", order, n.kind, n.size)
		}
	}
	return ""
}

// npyArray is a decoded .npy array: its dtype as a tensor type, its shape,
// and its data in C order and little-endian byte order.
type npyArray struct {
	typ   tflite.TensorType
	descr string
	shape []int
	data  []byte
}

// npyHeader is a .npy file's header: the element type, the shape, the
// byte order and layout, and where the data starts.
type npyHeader struct {
	typ       tflite.TensorType
	descr     string
	shape     []int
	size      int  // bytes per element
	bigEndian bool // data stored big-endian
	fortran   bool // data stored column-major
	offset    int  // the data's offset in the file
	elements  int  // the product of shape
}

// parseNpyHeader decodes the header at the start of a .npy file (raw holds
// at least the header).
func parseNpyHeader(raw []byte) (*npyHeader, error) {
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
	if hlen < 0 || start+hlen > len(raw) {
		return nil, fmt.Errorf("truncated .npy header")
	}
	header := string(raw[start : start+hlen])
	h := &npyHeader{descr: strings.Trim(npyField(header, "descr"), `'" `), offset: start + hlen}
	shape, err := npyShape(npyField(header, "shape"))
	if err != nil {
		return nil, err
	}
	h.shape = shape
	if len(h.descr) < 3 {
		return nil, fmt.Errorf("unsupported .npy dtype %q", h.descr)
	}
	order, kind := h.descr[0], h.descr[1]
	size, err := strconv.Atoi(h.descr[2:])
	found := false
	for _, n := range npyTypes {
		if err == nil && n.kind == kind && n.size == size && (order == '<' || order == '>' || order == '|' || order == '=') {
			h.typ, found = n.typ, true
		}
	}
	if !found {
		return nil, fmt.Errorf("unsupported .npy dtype %q (want an integer, bool or float dtype)", h.descr)
	}
	h.size, h.bigEndian = size, order == '>' && size > 1
	h.fortran = strings.Contains(npyField(header, "fortran_order"), "True") && len(shape) > 1
	n := 1
	for _, d := range shape {
		if d != 0 && n > math.MaxInt32/d {
			return nil, fmt.Errorf(".npy shape %s is too large", tflite.ShapeString(shape))
		}
		n *= d
	}
	h.elements = n
	return h, nil
}

// array makes an array of the header's type from body, count elements of
// the given shape stored as the header says: byte-swapped to little-endian
// and (for a whole Fortran-ordered array) reordered to C order.
func (h *npyHeader) array(body []byte, shape []int) *npyArray {
	a := &npyArray{typ: h.typ, descr: h.descr, shape: shape, data: append([]byte(nil), body...)}
	if h.bigEndian {
		for i := 0; i < len(a.data); i += h.size {
			slices.Reverse(a.data[i : i+h.size])
		}
	}
	if h.fortran {
		a.data = fortranToC(a.data, shape, h.size)
	}
	return a
}

// parseNpy decodes a .npy file. Big-endian data is byte-swapped and
// Fortran-ordered data transposed, so that data is always C order,
// little-endian.
func parseNpy(raw []byte) (*npyArray, error) {
	h, err := parseNpyHeader(raw)
	if err != nil {
		return nil, err
	}
	body := raw[h.offset:]
	if len(body) != h.elements*h.size {
		return nil, fmt.Errorf(".npy data is %d bytes, its header says %d", len(body), h.elements*h.size)
	}
	return h.array(body, h.shape), nil
}

// fortranToC reorders column-major data of the given shape into row-major.
func fortranToC(data []byte, shape []int, size int) []byte {
	out := make([]byte, len(data))
	n := len(data) / size
	// Fortran strides: dimension 0 varies fastest.
	strides := make([]int, len(shape))
	s := 1
	for d := range shape {
		strides[d] = s
		s *= shape[d]
	}
	for i := range n {
		f := 0
		for d, c := range kernels.Unravel(i, shape) {
			f += c * strides[d]
		}
		copy(out[i*size:(i+1)*size], data[f*size:(f+1)*size])
	}
	return out
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

// squeezed is shape without its size-1 dimensions.
func squeezed(shape []int) []int {
	var out []int
	for _, d := range shape {
		if d != 1 {
			out = append(out, d)
		}
	}
	return out
}

// sameShape compares shapes ignoring every size-1 dimension: [28,28]
// matches [1,28,28,1].
func sameShape(a, b []int) bool { return slices.Equal(squeezed(a), squeezed(b)) }

// float64s reads the array's values as float64 (float and integer dtypes).
func (a *npyArray) float64s() []float64 {
	src := &kernels.Tensor{Type: a.typ, Shape: a.shape, Data: kernels.AlignedBytes(len(a.data))}
	copy(src.Data, a.data)
	n := kernels.NumElements(a.shape)
	out := make([]float64, n)
	for i := range out {
		switch a.typ {
		case tflite.TypeFloat32:
			out[i] = float64(src.Float32()[i])
		case tflite.TypeFloat64:
			out[i] = math.Float64frombits(binary.LittleEndian.Uint64(a.data[8*i:]))
		default:
			out[i] = float64(src.Int(i))
		}
	}
	return out
}

// encodeNpy writes a C-ordered little-endian .npy (format 1.0) of data
// with dtype descr and the given shape.
func encodeNpy(descr string, shape []int, data []byte) []byte {
	dims := make([]string, len(shape))
	for i, d := range shape {
		dims[i] = strconv.Itoa(d)
	}
	tuple := "(" + strings.Join(dims, ", ")
	if len(shape) == 1 {
		tuple += ","
	}
	tuple += ")"
	header := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, tuple)
	// Magic (6) + version (2) + length (2) + header + '\n', padded to 64.
	pad := 64 - (10+len(header)+1)%64
	if pad == 64 {
		pad = 0
	}
	header += strings.Repeat(" ", pad) + "\n"
	var b bytes.Buffer
	b.WriteString("\x93NUMPY\x01\x00")
	binary.Write(&b, binary.LittleEndian, uint16(len(header)))
	b.WriteString(header)
	b.Write(data)
	return b.Bytes()
}
