package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/tflq/tflq-trace/samples"
	"github.com/tflq/tflq-trace/trace"
)

// sampleDigits names the bundled MNIST digits as an input set.
const sampleDigits = samplePrefix + "digits"

// inputSet is a sequence of inputs for a one-input model: the input files
// of a folder (any format --input takes), an IDX image file (MNIST's
// format, gzipped or not), or the bundled digits.
type inputSet struct {
	// source is what the user named (the folder, the file, sample:digits).
	source string
	// names are the inputs: file paths, digit:N, or "<file>#i".
	names []string
	// load reads input i for the model of ip (its one input).
	load func(ip *trace.Interpreter, i int) ([]byte, error)
	// label is the class an input's name gives (7_0.png → 7), if any.
	label func(i int) (int, bool)
}

// inputExtensions are the file types an input folder may hold.
var inputExtensions = []string{".bin", ".raw", ".npy", ".png", ".jpg", ".jpeg", ".pgm"}

// openInputSet opens an input source: sample:digits, a folder (its input
// files in name order; files of other types are ignored) or an IDX image
// file. A source without any input is an error.
func openInputSet(flagName, source string) (*inputSet, error) {
	if source == sampleDigits {
		set := &inputSet{source: source}
		for _, d := range samples.Digits() {
			set.names = append(set.names, fmt.Sprintf("%s%d", digitPrefix, d.Label))
		}
		set.load = set.loadFile
		set.label = func(i int) (int, bool) { return samples.Digits()[i].Label, true }
		return set, nil
	}
	fi, err := os.Stat(source)
	switch {
	case os.IsNotExist(err):
		return nil, usageError("%s %s: no such file or folder", flagName, source)
	case err != nil:
		return nil, inputError(fmt.Errorf("%s %s: %w", flagName, source, err))
	case !fi.IsDir():
		return openIDXImages(flagName, source)
	}
	entries, err := os.ReadDir(source)
	if err != nil {
		return nil, inputError(fmt.Errorf("%s %s: %w", flagName, source, err))
	}
	set := &inputSet{source: source}
	for _, e := range entries {
		ext := strings.ToLower(filepath.Ext(e.Name()))
		if e.Type().IsRegular() && slices.Contains(inputExtensions, ext) {
			set.names = append(set.names, filepath.Join(source, e.Name()))
		}
	}
	if len(set.names) == 0 {
		return nil, usageError("%s %s: no input files in the folder (want %s)", flagName, source, strings.Join(inputExtensions, ", "))
	}
	set.load = set.loadFile
	set.label = func(i int) (int, bool) { return labelOfName(set.names[i]) }
	return set, nil
}

// loadFile reads input i as --input would.
func (s *inputSet) loadFile(ip *trace.Interpreter, i int) ([]byte, error) {
	in, err := readInputFile(ip, 0, s.names[i])
	if err != nil {
		return nil, inputError(fmt.Errorf("%s: %w", s.names[i], err))
	}
	return in.data, nil
}

// labelOfName reads the class from a file name that starts with it, as the
// bundled digits are named: 7_0.png → 7.
func labelOfName(path string) (int, bool) {
	base := filepath.Base(path)
	digits := base[:len(base)-len(strings.TrimLeft(base, "0123456789"))]
	if digits == "" || len(digits) > 6 {
		return 0, false
	}
	n, err := strconv.Atoi(digits)
	return n, err == nil
}

// IDX magic numbers (MNIST's format): unsigned bytes, 3 or 1 dimensions.
const (
	idxImages = 0x00000803
	idxLabels = 0x00000801
)

// readIDX reads an IDX file of unsigned bytes (gzipped or not) with the
// given magic, returning its dimensions and data. The data is read as it
// comes, so a header that claims more than the file holds costs nothing: it
// is an error naming the file.
func readIDX(path string, magic uint32) ([]int, []byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	var r io.Reader = bufio.NewReader(f)
	br := r.(*bufio.Reader)
	if head, err := br.Peek(2); err == nil && head[0] == 0x1f && head[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, fmt.Errorf("not a gzip file: %w", err)
		}
		r = gz
	}
	var m uint32
	if err := binary.Read(r, binary.BigEndian, &m); err != nil {
		return nil, nil, fmt.Errorf("too short for an IDX header")
	}
	if m != magic {
		kind := "images (magic 0x00000803)"
		if magic == idxLabels {
			kind = "labels (magic 0x00000801)"
		}
		return nil, nil, fmt.Errorf("not an IDX file of %s: magic 0x%08x", kind, m)
	}
	dims := make([]int, m&0xff)
	total := int64(1)
	for i := range dims {
		var d uint32
		if err := binary.Read(r, binary.BigEndian, &d); err != nil {
			return nil, nil, fmt.Errorf("truncated IDX header")
		}
		dims[i] = int(d)
		total *= int64(d)
		if total > 1<<34 {
			return nil, nil, fmt.Errorf("IDX dimensions %v are too large", dims[:i+1])
		}
	}
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(r, total+1))
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, nil, err
	}
	if n != total {
		return nil, nil, fmt.Errorf("IDX header says %v = %d bytes of data, the file holds %d", dims, total, n)
	}
	return dims, buf.Bytes(), nil
}

// openIDXImages opens an IDX image file [N, H, W] as N grayscale images.
func openIDXImages(flagName, path string) (*inputSet, error) {
	dims, data, err := readIDX(path, idxImages)
	if err != nil {
		return nil, inputError(fmt.Errorf("%s %s: %w", flagName, path, err))
	}
	if len(dims) != 3 || dims[0] == 0 {
		return nil, inputError(fmt.Errorf("%s %s: an IDX image file has 3 dimensions [N, H, W] with N > 0, this one %v", flagName, path, dims))
	}
	set := &inputSet{source: path}
	h, w := dims[1], dims[2]
	for i := range dims[0] {
		set.names = append(set.names, fmt.Sprintf("%s#%d", path, i))
	}
	set.load = func(ip *trace.Interpreter, i int) ([]byte, error) {
		img := &image.Gray{Pix: data[i*h*w : (i+1)*h*w], Stride: w, Rect: image.Rect(0, 0, w, h)}
		out, err := imageInput(ip, ip.Inputs()[0], img)
		if err != nil {
			return nil, inputError(fmt.Errorf("%s image %d: %w", path, i, err))
		}
		return out.data, nil
	}
	set.label = func(int) (int, bool) { return 0, false }
	return set, nil
}

// openLabels reads one class per input: an IDX label file, or a text file
// of integers separated by whitespace or commas.
func openLabels(flagName, path string, n int) ([]int, error) {
	var labels []int
	if dims, data, err := readIDX(path, idxLabels); err == nil {
		if len(dims) != 1 {
			return nil, inputError(fmt.Errorf("%s %s: an IDX label file has one dimension, this one %v", flagName, path, dims))
		}
		for _, b := range data {
			labels = append(labels, int(b))
		}
	} else {
		raw, rerr := os.ReadFile(path)
		switch {
		case os.IsNotExist(rerr):
			return nil, usageError("%s %s: no such file", flagName, path)
		case rerr != nil:
			return nil, inputError(fmt.Errorf("%s %s: %w", flagName, path, rerr))
		case strings.HasSuffix(strings.ToLower(path), ".txt") || strings.HasSuffix(strings.ToLower(path), ".csv"):
			for k, field := range strings.FieldsFunc(string(raw), func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r' }) {
				v, err := strconv.Atoi(field)
				if err != nil || v < 0 {
					return nil, inputError(fmt.Errorf("%s %s: label %d is %q, not a class index", flagName, path, k, field))
				}
				labels = append(labels, v)
			}
		default:
			return nil, inputError(fmt.Errorf("%s %s: %w (or a .txt/.csv of class indices)", flagName, path, err))
		}
	}
	if len(labels) != n {
		return nil, inputError(fmt.Errorf("%s %s: %d labels for %d inputs", flagName, path, len(labels), n))
	}
	return labels, nil
}
