package main

import (
	"bufio"
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
	"sync"

	"github.com/tflq/tflq-trace/kernels"
	"github.com/tflq/tflq-trace/samples"
	"github.com/tflq/tflq-trace/tflite"
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
	// names are the inputs of a folder or of sample:digits: file paths or
	// digit:N. An IDX file's inputs are named "<file>#i" on demand
	// (nameOf), count of them.
	names []string
	count int
	// load reads input i for the model of ip (its one input).
	load func(ip *trace.Interpreter, i int) ([]byte, error)
	// prefetch, when not nil, makes inputs lo..hi−1 ready for load before
	// they are loaded in parallel (a gzipped IDX file reads them in one
	// pass); load works without it.
	prefetch func(lo, hi int) error
	// label is the class an input's name gives (7_0.png → 7), if any.
	label func(i int) (int, bool)
}

// len is the number of inputs.
func (s *inputSet) len() int {
	if s.names == nil {
		return s.count
	}
	return len(s.names)
}

// nameOf names input i.
func (s *inputSet) nameOf(i int) string {
	if s.names == nil {
		return fmt.Sprintf("%s#%d", s.source, i)
	}
	return s.names[i]
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
	case !fi.IsDir() && strings.EqualFold(filepath.Ext(source), ".npy"):
		return openNpyBatch(flagName, source)
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
// given magic, returning its dimensions and data.
func readIDX(path string, magic uint32) ([]int, []byte, error) {
	f, err := openIDX(path, magic)
	if err != nil {
		return nil, nil, err
	}
	defer f.close()
	data := make([]byte, f.size())
	if err := f.read(data, 0); err != nil {
		return nil, nil, err
	}
	return f.dims, data, nil
}

// idxReader is an opened IDX file of unsigned bytes whose header and length
// are checked; its data is read on demand, not held in memory.
type idxReader struct {
	path string
	dims []int
	// offset is where the data starts in the file (uncompressed files).
	offset int64
	// file is the open file: read with ReadAt when uncompressed (which
	// is safe for concurrent use), from the gzip stream under mu otherwise.
	file *os.File
	gz   bool
	mu   sync.Mutex
	// zr reads the gzipped file's data, at data offset next.
	zr   *gzip.Reader
	next int64
}

// openIDX opens an IDX file of unsigned bytes (gzipped or not) with the
// given magic and checks that it holds as much data as its header says,
// reading it through without keeping it (so that a header that claims more
// than the file holds costs nothing: it is an error naming the file).
func openIDX(path string, magic uint32) (*idxReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	x := &idxReader{path: path, file: f}
	br := bufio.NewReader(f)
	var r io.Reader = br
	if head, err := br.Peek(2); err == nil && head[0] == 0x1f && head[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("not a gzip file: %w", err)
		}
		r, x.gz = gz, true
	}
	if err := x.readHeader(r, magic); err != nil {
		f.Close()
		return nil, err
	}
	total := x.size()
	var n int64
	if x.gz {
		n, err = io.Copy(io.Discard, io.LimitReader(r, total+1))
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
			f.Close()
			return nil, err
		}
	} else {
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, err
		}
		n = min(fi.Size()-x.offset, total+1)
	}
	if n != total {
		f.Close()
		return nil, fmt.Errorf("IDX header says %s = %d bytes of data, the file holds %d", tflite.ShapeString(x.dims), total, n)
	}
	return x, nil
}

// readHeader reads the magic and the dimensions.
func (x *idxReader) readHeader(r io.Reader, magic uint32) error {
	var m uint32
	if err := binary.Read(r, binary.BigEndian, &m); err != nil {
		return fmt.Errorf("too short for an IDX header")
	}
	if m != magic {
		kind := "images (magic 0x00000803)"
		if magic == idxLabels {
			kind = "labels (magic 0x00000801)"
		}
		return fmt.Errorf("not an IDX file of %s: magic 0x%08x", kind, m)
	}
	x.dims = make([]int, m&0xff)
	total := int64(1)
	for i := range x.dims {
		var d uint32
		if err := binary.Read(r, binary.BigEndian, &d); err != nil {
			return fmt.Errorf("truncated IDX header")
		}
		x.dims[i] = int(d)
		total *= int64(d)
		if total > 1<<34 {
			return fmt.Errorf("IDX dimensions %s are too large", tflite.ShapeString(x.dims[:i+1]))
		}
	}
	x.offset = int64(4 + 4*len(x.dims))
	return nil
}

// size is the number of data bytes.
func (x *idxReader) size() int64 {
	total := int64(1)
	for _, d := range x.dims {
		total *= int64(d)
	}
	return total
}

// read fills dst with the data bytes from offset off.
func (x *idxReader) read(dst []byte, off int64) error {
	if !x.gz {
		_, err := x.file.ReadAt(dst, x.offset+off)
		return err
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.zr == nil || off < x.next {
		// Back to the start of the stream (and past the header).
		if _, err := x.file.Seek(0, io.SeekStart); err != nil {
			return err
		}
		zr, err := gzip.NewReader(bufio.NewReader(x.file))
		if err != nil {
			return err
		}
		if _, err := io.CopyN(io.Discard, zr, x.offset); err != nil {
			return err
		}
		x.zr, x.next = zr, 0
	}
	if _, err := io.CopyN(io.Discard, x.zr, off-x.next); err != nil {
		return err
	}
	if _, err := io.ReadFull(x.zr, dst); err != nil {
		return err
	}
	x.next = off + int64(len(dst))
	return nil
}

// close closes the file.
func (x *idxReader) close() { x.file.Close() }

// openIDXImages opens an IDX image file [N, H, W] as N grayscale images,
// read one at a time (or, for a gzipped file, a batch at a time through
// prefetch): the data set is not held in memory.
func openIDXImages(flagName, path string) (*inputSet, error) {
	x, err := openIDX(path, idxImages)
	if err != nil {
		return nil, inputError(fmt.Errorf("%s %s: %w", flagName, path, err))
	}
	dims := x.dims
	if len(dims) != 3 || dims[0] == 0 {
		x.close()
		return nil, inputError(fmt.Errorf("%s %s: an IDX image file has 3 dimensions [N, H, W] with N > 0, this one %s", flagName, path, tflite.ShapeString(dims)))
	}
	set := &inputSet{source: path, count: dims[0]}
	h, w := dims[1], dims[2]
	record := int64(h * w)
	// batch holds the prefetched images lo..hi−1 of a gzipped file.
	var batch []byte
	var batchLo, batchHi int
	set.prefetch = func(lo, hi int) error {
		if !x.gz {
			return nil
		}
		batch = slices.Grow(batch[:0], (hi-lo)*int(record))[:(hi-lo)*int(record)]
		if err := x.read(batch, int64(lo)*record); err != nil {
			return inputError(fmt.Errorf("%s images %d..%d: %w", path, lo, hi-1, err))
		}
		batchLo, batchHi = lo, hi
		return nil
	}
	set.load = func(ip *trace.Interpreter, i int) ([]byte, error) {
		var pix []byte
		if i >= batchLo && i < batchHi {
			pix = batch[int64(i-batchLo)*record : int64(i-batchLo+1)*record]
		} else {
			pix = make([]byte, record)
			if err := x.read(pix, int64(i)*record); err != nil {
				return nil, inputError(fmt.Errorf("%s image %d: %w", path, i, err))
			}
		}
		img := &image.Gray{Pix: pix, Stride: w, Rect: image.Rect(0, 0, w, h)}
		out, err := imageInput(ip, ip.Inputs()[0], img)
		if err != nil {
			return nil, inputError(fmt.Errorf("%s image %d: %w", path, i, err))
		}
		return out.data, nil
	}
	set.label = func(int) (int, bool) { return 0, false }
	return set, nil
}

// readNpyHeader reads the header of the .npy file f.
func readNpyHeader(f *os.File) (*npyHeader, error) {
	prefix := make([]byte, 12)
	if _, err := io.ReadFull(f, prefix); err != nil {
		return nil, fmt.Errorf("not a .npy file (too short)")
	}
	hlen := int(binary.LittleEndian.Uint16(prefix[8:10])) + 10
	if prefix[6] >= 2 {
		hlen = int(binary.LittleEndian.Uint32(prefix[8:12])) + 12
	}
	if string(prefix[:6]) != "\x93NUMPY" || hlen > 1<<20 {
		return nil, fmt.Errorf("not a .npy file")
	}
	raw := make([]byte, hlen)
	if _, err := f.ReadAt(raw, 0); err != nil {
		return nil, fmt.Errorf("truncated .npy header")
	}
	return parseNpyHeader(raw)
}

// openNpyBatch opens a .npy array whose first axis is the sample: input i
// is array[i], read from the file when it runs (memory stays flat).
func openNpyBatch(flagName, path string) (*inputSet, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, inputError(fmt.Errorf("%s %s: %w", flagName, path, err))
	}
	defer f.Close()
	h, err := checkNpyBatch(f)
	if err != nil {
		return nil, inputError(fmt.Errorf("%s %s: %w", flagName, path, err))
	}
	set := &inputSet{source: path, count: h.shape[0]}
	set.load = func(ip *trace.Interpreter, i int) ([]byte, error) {
		a, err := readNpySample(path, i)
		if err == nil {
			var in inputData
			if in, err = npyArrayInput(a, ip.Inputs()[0]); err == nil {
				return in.data, nil
			}
		}
		return nil, inputError(fmt.Errorf("%s#%d: %w", path, i, err))
	}
	set.label = func(int) (int, bool) { return 0, false }
	return set, nil
}

// checkNpyBatch reads and checks a batch's header: at least one axis, at
// least one sample, C order (a Fortran-ordered batch's samples are not
// contiguous), and exactly the data its header promises.
func checkNpyBatch(f *os.File) (*npyHeader, error) {
	h, err := readNpyHeader(f)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	switch {
	case len(h.shape) == 0 || h.shape[0] == 0:
		return nil, fmt.Errorf("a batch needs a first axis with at least one sample, this one has shape %s", tflite.ShapeString(h.shape))
	case h.fortran:
		return nil, fmt.Errorf("a batch must be C-ordered (numpy.ascontiguousarray), this one is Fortran-ordered")
	case fi.Size() != int64(h.offset)+int64(h.elements)*int64(h.size):
		return nil, fmt.Errorf("%d bytes of data, its header %s %s says %d", fi.Size()-int64(h.offset), tflite.ShapeString(h.shape), h.descr, int64(h.elements)*int64(h.size))
	}
	return h, nil
}

// readNpySample reads sample i of the .npy batch at path.
func readNpySample(path string, i int) (*npyArray, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h, err := checkNpyBatch(f)
	if err != nil {
		return nil, err
	}
	if i >= h.shape[0] {
		return nil, fmt.Errorf("the batch %s has no sample %d", tflite.ShapeString(h.shape), i)
	}
	per := h.elements / h.shape[0] * h.size
	buf := make([]byte, per)
	if _, err := f.ReadAt(buf, int64(h.offset)+int64(i)*int64(per)); err != nil {
		return nil, err
	}
	return h.array(buf, h.shape[1:]), nil
}

// openLabels reads one class per input: an IDX label file, a .npy of
// integer class indices, or a text file of integers separated by
// whitespace or commas.
func openLabels(flagName, path string, n int) ([]int, error) {
	var labels []int
	if strings.EqualFold(filepath.Ext(path), ".npy") {
		raw, err := readLabelFile(flagName, path)
		if err != nil {
			return nil, err
		}
		a, err := parseNpy(raw)
		if err != nil {
			return nil, inputError(fmt.Errorf("%s %s: %w", flagName, path, err))
		}
		if !isIntegerType(a.typ) || len(squeezed(a.shape)) > 1 {
			return nil, inputError(fmt.Errorf("%s %s: want a 1-D array of integer class indices, got %s %s", flagName, path, a.descr, tflite.ShapeString(a.shape)))
		}
		t := &kernels.Tensor{Type: a.typ, Shape: []int{len(a.data) / a.typ.Size()}, Data: kernels.AlignedBytes(len(a.data))}
		copy(t.Data, a.data)
		for k := range t.NumElements() {
			v := t.Int(k)
			if v < 0 {
				return nil, inputError(fmt.Errorf("%s %s: label %d is %d, not a class index", flagName, path, k, v))
			}
			labels = append(labels, int(v))
		}
	} else if dims, data, err := readIDX(path, idxLabels); err == nil {
		if len(dims) != 1 {
			return nil, inputError(fmt.Errorf("%s %s: an IDX label file has one dimension, this one %s", flagName, path, tflite.ShapeString(dims)))
		}
		for _, b := range data {
			labels = append(labels, int(b))
		}
	} else {
		raw, rerr := readLabelFile(flagName, path)
		switch {
		case rerr != nil:
			return nil, rerr
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

// readLabelFile reads a --labels file (a missing one is a usage error).
func readLabelFile(flagName, path string) ([]byte, error) {
	raw, err := os.ReadFile(path)
	switch {
	case os.IsNotExist(err):
		return nil, usageError("%s %s: no such file", flagName, path)
	case err != nil:
		return nil, inputError(fmt.Errorf("%s %s: %w", flagName, path, err))
	}
	return raw, nil
}
