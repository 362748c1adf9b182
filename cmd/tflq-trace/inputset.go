package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tflq/tflq-trace/samples"
	"github.com/tflq/tflq-trace/trace"
)

// sampleDigits names the bundled MNIST digits as an input set.
const sampleDigits = samplePrefix + "digits"

// inputSet is a sequence of inputs for a one-input model: the input files
// of a folder (any format --input takes), or the bundled digits.
type inputSet struct {
	// source is what the user named (the folder, or sample:digits).
	source string
	// names are the inputs, each a file path or digit:N.
	names []string
}

// inputExtensions are the file types an input folder may hold.
var inputExtensions = []string{".bin", ".raw", ".npy", ".png", ".jpg", ".jpeg", ".pgm"}

// openInputSet lists the inputs of a folder (sorted by name; files of
// other types are ignored), or the bundled digits for sample:digits. A
// folder without any input file is an error.
func openInputSet(flagName, source string) (*inputSet, error) {
	set := &inputSet{source: source}
	if source == sampleDigits {
		for _, d := range samples.Digits() {
			set.names = append(set.names, fmt.Sprintf("%s%d", digitPrefix, d.Label))
		}
		return set, nil
	}
	fi, err := os.Stat(source)
	switch {
	case os.IsNotExist(err):
		return nil, usageError("%s %s: no such folder", flagName, source)
	case err != nil:
		return nil, inputError(fmt.Errorf("%s %s: %w", flagName, source, err))
	case !fi.IsDir():
		return nil, usageError("%s %s: is a file, not a folder (use --input for one file)", flagName, source)
	}
	entries, err := os.ReadDir(source)
	if err != nil {
		return nil, inputError(fmt.Errorf("%s %s: %w", flagName, source, err))
	}
	for _, e := range entries {
		ext := strings.ToLower(filepath.Ext(e.Name()))
		if e.Type().IsRegular() && slices.Contains(inputExtensions, ext) {
			set.names = append(set.names, filepath.Join(source, e.Name()))
		}
	}
	if len(set.names) == 0 {
		return nil, usageError("%s %s: no input files in the folder (want %s)", flagName, source, strings.Join(inputExtensions, ", "))
	}
	return set, nil
}

// load reads input i for the (one-input) model of ip.
func (s *inputSet) load(ip *trace.Interpreter, i int) ([]byte, error) {
	in, err := readInputFile(ip, 0, s.names[i])
	if err != nil {
		return nil, inputError(fmt.Errorf("%s: %w", s.names[i], err))
	}
	return in.data, nil
}
