package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/tflq/tflq-trace/tflite"
)

// loadedModel is a model and where it came from.
type loadedModel struct {
	Path  string
	Model *tflite.Model
	Size  int
}

// loadModel reads and validates a model file. Every failure is a one-line
// input error (exit 2) naming the file and the cause.
func loadModel(path string) (*loadedModel, error) {
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
	m, err := tflite.Read(data)
	if err != nil {
		return nil, inputError(fmt.Errorf("%s: %w", path, err))
	}
	return &loadedModel{Path: path, Model: m, Size: len(data)}, nil
}

// oneModelArg checks that exactly one positional argument, the model, was given.
func oneModelArg(cmd string, pos []string) (string, error) {
	switch len(pos) {
	case 0:
		return "", usageError("%s: missing MODEL (see tflq-trace %s -h)", cmd, cmd)
	case 1:
		return pos[0], nil
	}
	return "", usageError("%s: too many arguments %q (flags may come before or after MODEL)", cmd, pos[1:])
}
