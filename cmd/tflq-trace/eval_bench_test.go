package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tflq/tflq-trace/samples"
)

// BenchmarkEvalMNIST times `eval` (Invoke, prediction and float shadow of
// every input, the per-layer statistics) over the first 1000 MNIST test
// images with one worker: ns/input is the throughput of one core, and
// cpu-ns/input the CPU time the process used per input (which a loaded
// machine does not inflate as it does wall-clock time). The whole test set
// on W cores takes about 10 000·ns/input/W.
func BenchmarkEvalMNIST(b *testing.B) {
	images, labels, err := samples.MNISTTestFiles()
	if err != nil {
		b.Skipf("SKIPPED: %v", err)
	}
	const n = 1000
	dir := b.TempDir()
	imgPath, lblPath := filepath.Join(dir, "images"), filepath.Join(dir, "labels")
	if err := writeIDXPrefix(images, imgPath, n, 28*28); err != nil {
		b.Fatal(err)
	}
	if err := writeIDXPrefix(labels, lblPath, n, 1); err != nil {
		b.Fatal(err)
	}
	for _, model := range []string{"mnist_cnn", "mnist_dense"} {
		b.Run(model, func(b *testing.B) {
			cpu := processCPUTime()
			for range b.N {
				var out, errb bytes.Buffer
				if code := run([]string{"eval", "sample:" + model, "--inputs", imgPath, "--labels", lblPath, "--workers", "1"},
					strings.NewReader(""), &out, &errb); code != exitOK {
					b.Fatalf("exit %d: %s", code, errb.String())
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/input")
			if end := processCPUTime(); cpu > 0 && end > cpu {
				b.ReportMetric(float64(end-cpu)/float64(b.N*n), "cpu-ns/input")
			}
		})
	}
}

// writeIDXPrefix writes the first n records (of size bytes each) of the
// gzipped IDX file src to dst, uncompressed, with the first dimension set to
// n.
func writeIDXPrefix(src, dst string, n, size int) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		return err
	}
	var magic uint32
	if err := binary.Read(z, binary.BigEndian, &magic); err != nil {
		return err
	}
	dims := make([]uint32, magic&0xFF)
	if err := binary.Read(z, binary.BigEndian, dims); err != nil {
		return err
	}
	dims[0] = uint32(n)
	var b bytes.Buffer
	binary.Write(&b, binary.BigEndian, magic)
	binary.Write(&b, binary.BigEndian, dims)
	if _, err := io.CopyN(&b, z, int64(n*size)); err != nil {
		return err
	}
	return os.WriteFile(dst, b.Bytes(), 0o644)
}
