package main

// A user's own numbers for a tensor, for `check`. The rules, documented in
// README.md:
//
//   - .npy: any integer, bool or float dtype (either byte order, C or
//     Fortran order), the tensor's element count (the shape may differ
//     only by leading 1s, or be flat);
//   - .bin: raw little-endian bytes in the tensor's dtype;
//   - .txt / .csv: numbers separated by whitespace or commas ('#' starts a
//     comment);
//   - .json: a flat or nested list of numbers.
//
// Integers (an integer dtype, or text written without a decimal point or
// exponent) are quantized values, in any range; anything else is a real
// value. NaN and infinities are refused.

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/tflq/tflq-trace/kernels"
	"github.com/tflq/tflq-trace/tflite"
	"github.com/tflq/tflq-trace/trace"
)

// valueExtensions are the file types check reads values from.
var valueExtensions = []string{".npy", ".bin", ".txt", ".csv", ".json"}

// tensorSpec describes a tensor for error messages.
func tensorSpec(t *kernels.Tensor) string {
	return fmt.Sprintf("tensor %d %q %v %s", t.Index, t.Name, t.Type, tflite.ShapeString(t.Shape))
}

// readUserValues reads a file of numbers for tensor t. Errors say the cause;
// the caller names the file.
func readUserValues(path string, t *kernels.Tensor) (trace.UserValues, error) {
	ext := strings.ToLower(filepath.Ext(path))
	known := false
	for _, e := range valueExtensions {
		known = known || e == ext
	}
	if !known {
		return trace.UserValues{}, fmt.Errorf("unknown format %q (want %s)", filepath.Ext(path), strings.Join(valueExtensions, ", "))
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		if os.IsNotExist(err) {
			return trace.UserValues{}, fmt.Errorf("no such file")
		}
		return trace.UserValues{}, err
	}
	var u trace.UserValues
	switch ext {
	case ".npy":
		u, err = npyValues(raw)
	case ".bin":
		u, err = binValues(raw, t)
	case ".txt", ".csv":
		u, err = textValues(raw)
	case ".json":
		u, err = jsonValues(raw)
	}
	if err != nil {
		return trace.UserValues{}, err
	}
	if u.Len() != t.NumElements() {
		return trace.UserValues{}, fmt.Errorf("%d values, but %s has %d elements", u.Len(), tensorSpec(t), t.NumElements())
	}
	for i, v := range u.Reals {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return trace.UserValues{}, fmt.Errorf("value %d is %v (every value must be a finite number)", i, v)
		}
	}
	return u, nil
}

// binValues decodes raw little-endian bytes in t's dtype.
func binValues(raw []byte, t *kernels.Tensor) (trace.UserValues, error) {
	size := t.Type.Size()
	if size == 0 || len(raw) != t.NumElements()*size {
		return trace.UserValues{}, fmt.Errorf("%d bytes, but %s is %d bytes (a .bin holds raw bytes in the tensor's dtype)", len(raw), tensorSpec(t), t.NumElements()*size)
	}
	tmp := &kernels.Tensor{Type: t.Type, Shape: t.Shape, Data: kernels.AlignedBytes(len(raw))}
	copy(tmp.Data, raw)
	n := t.NumElements()
	if t.Type == tflite.TypeFloat32 {
		u := trace.UserValues{Reals: make([]float64, n)}
		for i, f := range tmp.Float32() {
			u.Reals[i] = float64(f)
		}
		return u, nil
	}
	if !t.HasRealValue() {
		return trace.UserValues{}, fmt.Errorf("%s has no numeric values", tensorSpec(t))
	}
	u := trace.UserValues{Ints: make([]int64, n)}
	for i := range n {
		u.Ints[i] = tmp.Int(i)
	}
	return u, nil
}

// npyValues decodes a .npy array of any integer, bool or float dtype, in
// either byte order and C or Fortran order, as a flat C-order list.
func npyValues(raw []byte) (trace.UserValues, error) {
	a, err := parseNpy(raw) // C order, little-endian
	if err != nil {
		return trace.UserValues{}, err
	}
	size := a.typ.Size()
	n := len(a.data) / size
	le := binary.LittleEndian
	var u trace.UserValues
	switch a.typ {
	case tflite.TypeFloat16, tflite.TypeFloat32, tflite.TypeFloat64:
		u.Reals = make([]float64, n)
	default:
		u.Ints = make([]int64, n)
	}
	for i := range n {
		b := a.data[i*size : (i+1)*size]
		switch a.typ {
		case tflite.TypeFloat16:
			u.Reals[i] = halfToFloat(le.Uint16(b))
		case tflite.TypeFloat32:
			u.Reals[i] = float64(math.Float32frombits(le.Uint32(b)))
		case tflite.TypeFloat64:
			u.Reals[i] = math.Float64frombits(le.Uint64(b))
		case tflite.TypeInt8:
			u.Ints[i] = int64(int8(b[0]))
		case tflite.TypeInt16:
			u.Ints[i] = int64(int16(le.Uint16(b)))
		case tflite.TypeInt32:
			u.Ints[i] = int64(int32(le.Uint32(b)))
		case tflite.TypeInt64:
			u.Ints[i] = int64(le.Uint64(b))
		case tflite.TypeUint8, tflite.TypeBool:
			u.Ints[i] = int64(b[0])
		case tflite.TypeUint16:
			u.Ints[i] = int64(le.Uint16(b))
		case tflite.TypeUint32:
			u.Ints[i] = int64(le.Uint32(b))
		case tflite.TypeUint64:
			v := le.Uint64(b)
			if v > math.MaxInt64 {
				return trace.UserValues{}, fmt.Errorf("value %d (%d) does not fit int64", i, v)
			}
			u.Ints[i] = int64(v)
		}
	}
	return u, nil
}

// halfToFloat converts an IEEE 754 binary16 value.
func halfToFloat(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	exp := int(h>>10) & 0x1f
	frac := float64(h & 0x3ff)
	switch exp {
	case 0:
		return sign * math.Ldexp(frac, -24)
	case 31:
		if frac == 0 {
			return sign * math.Inf(1)
		}
		return math.NaN()
	}
	return sign * math.Ldexp(1024+frac, exp-25)
}

// textValues reads numbers separated by whitespace or commas; '#' starts a
// comment that runs to the end of the line.
func textValues(raw []byte) (trace.UserValues, error) {
	var tokens []string
	var lines []int
	for ln, line := range strings.Split(string(raw), "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		for _, tok := range strings.FieldsFunc(line, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\r' || r == ';' }) {
			tokens = append(tokens, tok)
			lines = append(lines, ln+1)
		}
	}
	return numberTokens(tokens, func(i int) string { return fmt.Sprintf("line %d", lines[i]) })
}

// numberTokens parses tokens as integers, or, when one is not an integer,
// all as reals.
func numberTokens(tokens []string, where func(i int) string) (trace.UserValues, error) {
	ints := make([]int64, len(tokens))
	real := false
	for i, tok := range tokens {
		if v, err := strconv.ParseInt(tok, 10, 64); err == nil {
			ints[i] = v
			continue
		}
		v, err := strconv.ParseFloat(tok, 64)
		if err != nil {
			return trace.UserValues{}, fmt.Errorf("%s: %q is not a number", where(i), tok)
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return trace.UserValues{}, fmt.Errorf("%s: %q is not a finite number", where(i), tok)
		}
		real = true
	}
	if !real {
		return trace.UserValues{Ints: ints}, nil
	}
	u := trace.UserValues{Reals: make([]float64, len(tokens))}
	for i, tok := range tokens {
		u.Reals[i], _ = strconv.ParseFloat(tok, 64)
	}
	return u, nil
}

// jsonValues reads a flat or nested JSON list of numbers.
func jsonValues(raw []byte) (trace.UserValues, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return trace.UserValues{}, fmt.Errorf("not JSON: %v", err)
	}
	if _, ok := v.([]any); !ok {
		return trace.UserValues{}, fmt.Errorf("want a JSON list of numbers, got %s", jsonKind(v))
	}
	var tokens []string
	var paths []string
	var walk func(v any, path string) error
	walk = func(v any, path string) error {
		switch x := v.(type) {
		case []any:
			for i, e := range x {
				if err := walk(e, fmt.Sprintf("%s[%d]", path, i)); err != nil {
					return err
				}
			}
		case json.Number:
			tokens = append(tokens, x.String())
			paths = append(paths, path)
		default:
			return fmt.Errorf("element %s is %s, not a number", path, jsonKind(v))
		}
		return nil
	}
	if err := walk(v, ""); err != nil {
		return trace.UserValues{}, err
	}
	return numberTokens(tokens, func(i int) string { return "element " + paths[i] })
}

func jsonKind(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("the string %q", x)
	case bool:
		return "a boolean"
	case map[string]any:
		return "an object"
	case json.Number:
		return "a number"
	}
	return fmt.Sprintf("%T", v)
}

// userInputBytes converts a user's values for a graph input into the
// tensor's bytes: integers must fit the dtype; reals are quantized like
// QUANTIZE (round half away from zero, clamp) for a quantized tensor.
func userInputBytes(t *kernels.Tensor, u trace.UserValues) ([]byte, error) {
	out := &kernels.Tensor{Type: t.Type, Shape: t.Shape, Data: kernels.AlignedBytes(len(t.Data))}
	lo, hi := kernels.Range(t.Type)
	for i := range t.NumElements() {
		switch {
		case t.Type == tflite.TypeFloat32:
			out.Float32()[i] = float32(u.At(i))
		case u.IsReal() && t.Quantized():
			putInt(out, i, quantizeFloat(float32(u.Reals[i]), t))
		case u.IsReal():
			return nil, fmt.Errorf("real values for %s, which is not quantized", tensorSpec(t))
		default:
			if v := u.Ints[i]; v < int64(lo) || v > int64(hi) {
				return nil, fmt.Errorf("value %d (%d) is outside %v's range [%d, %d]", i, v, t.Type, lo, hi)
			}
			putInt(out, i, u.Ints[i])
		}
	}
	return out.Data, nil
}

// tensorFileName matches the t<i> file names of a dump folder.
var tensorFileName = regexp.MustCompile(`^t([0-9]+)$`)

// safeTensorName is a tensor's name as a file name: every character outside
// [A-Za-z0-9._-] replaced by '_'.
func safeTensorName(name string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-' {
			return r
		}
		return '_'
	}, name)
}

// userFile is one file of user values and the tensor it is for.
type userFile struct {
	tensor int
	path   string
}

// listDumpFolder maps the files of a dump folder to tensors: t<i>.<ext>,
// or the tensor's name (every character outside [A-Za-z0-9._-] replaced by
// '_') with one of the value extensions. Other files are ignored.
func listDumpFolder(dir string, tensors []*kernels.Tensor) ([]userFile, error) {
	fi, err := os.Stat(dir)
	switch {
	case os.IsNotExist(err):
		return nil, usageError("--against %s: no such folder", dir)
	case err != nil:
		return nil, inputError(fmt.Errorf("--against %s: %w", dir, err))
	case !fi.IsDir():
		return nil, usageError("--against %s: is a file, not a folder (use --tensor I=FILE for one file)", dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, inputError(fmt.Errorf("--against %s: %w", dir, err))
	}
	byName := map[string][]int{}
	for _, t := range tensors {
		byName[safeTensorName(t.Name)] = append(byName[safeTensorName(t.Name)], t.Index)
	}
	var files []userFile
	for _, e := range entries {
		ext := strings.ToLower(filepath.Ext(e.Name()))
		if !e.Type().IsRegular() || !containsString(valueExtensions, ext) || e.Name() == manifestFile {
			continue // run --dump's manifest.json describes the files, it holds no tensor
		}
		path := filepath.Join(dir, e.Name())
		base := strings.TrimSuffix(e.Name(), filepath.Ext(e.Name()))
		if m := tensorFileName.FindStringSubmatch(base); m != nil {
			i, err := strconv.Atoi(m[1])
			if err != nil || i >= len(tensors) {
				return nil, usageError("%s: names tensor %s, but the model has tensors 0..%d", path, m[1], len(tensors)-1)
			}
			files = append(files, userFile{tensor: i, path: path})
			continue
		}
		idx := byName[safeTensorName(base)]
		switch len(idx) {
		case 0:
			return nil, usageError("%s: names no tensor of the model (name files t<i>%s, i the tensor index, or after the tensor's name with every character outside A-Z a-z 0-9 . _ - replaced by _)", path, ext)
		case 1:
			files = append(files, userFile{tensor: idx[0], path: path})
		default:
			return nil, usageError("%s: %d tensors have that name (%v); name the file t<i>%s", path, len(idx), idx, ext)
		}
	}
	seen := map[int]string{}
	for _, f := range files {
		if other, ok := seen[f.tensor]; ok {
			return nil, usageError("%s and %s are both for tensor %d", other, f.path, f.tensor)
		}
		seen[f.tensor] = f.path
	}
	if len(files) == 0 {
		return nil, usageError("--against %s: no value files in the folder (want t<i> or tensor names with %s)", dir, strings.Join(valueExtensions, ", "))
	}
	return files, nil
}

func containsString(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
