package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/tflq/tflq-trace/samples"
	"github.com/tflq/tflq-trace/tflite"
)

// loadedModel is a model and where it came from.
type loadedModel struct {
	Path  string
	Model *tflite.Model
	Size  int
}

// samplePrefix names a bundled model in any MODEL argument: sample:mnist_dense.
const samplePrefix = "sample:"

// loadModel reads and validates a model file, or a bundled sample given as
// "sample:NAME". Every failure is a one-line input error (exit 2) naming the
// file and the cause.
func loadModel(path string) (*loadedModel, error) {
	data, err := readModelBytes(path)
	if err != nil {
		return nil, err
	}
	m, err := tflite.Read(data)
	if err != nil {
		return nil, inputError(fmt.Errorf("%s: %w", path, err))
	}
	return &loadedModel{Path: path, Model: m, Size: len(data)}, nil
}

// readModelBytes reads the model file at path, or the bundled model of
// "sample:NAME".
func readModelBytes(path string) ([]byte, error) {
	if name, ok := strings.CutPrefix(path, samplePrefix); ok {
		data, err := samples.Model(name)
		if err != nil {
			return nil, inputError(fmt.Errorf("%s: %w", path, err))
		}
		return data, nil
	}
	fi, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, inputError(fmt.Errorf("%s: no such file", path))
		}
		return nil, inputError(err)
	}
	if fi.IsDir() {
		return nil, inputError(fmt.Errorf("%s: is a directory, not a .tflite model", path))
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, inputError(err)
	}
	return data, nil
}

// oneModelArg checks that exactly one positional argument, the model, was
// given, or none with --sample NAME (sample is "" without the flag).
func oneModelArg(cmd string, pos []string, sample ...string) (string, error) {
	if len(sample) > 0 && sample[0] != "" {
		if len(pos) > 0 {
			return "", usageError("%s: give MODEL or --sample, not both", cmd)
		}
		return samplePrefix + sample[0], nil
	}
	switch len(pos) {
	case 0:
		return "", usageError("%s: missing MODEL (see tflq-trace %s -h; try --sample mnist_dense)", cmd, cmd)
	case 1:
		return pos[0], nil
	}
	return "", usageError("%s: too many arguments %q (flags may come before or after MODEL)", cmd, pos[1:])
}
