package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tflq/tflq-trace/samples"
)

// TestUIInputName: the UI's title names what the model ran on, as the
// flags said after prepare folded --digit into --input: the bundled
// digit's file, the input files' names, the random seed; without an input
// flag a sample runs on its digit 7, a model file on zero points.
func TestUIInputName(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "pixels.bin")
	if err := os.WriteFile(bin, make([]byte, 28*28), 0o644); err != nil {
		t.Fatal(err)
	}
	data, err := samples.Model("mnist_cnn")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "cnn.tflite")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		model string
		flags runFlags
		want  string
	}{
		{"sample:mnist_cnn", runFlags{digit: 7, random: -1}, "digit 7_0.png"},
		{"sample:mnist_cnn", runFlags{inputs: stringList{"digit:3"}, digit: -1, random: -1}, "digit 3_30.png"},
		{"sample:mnist_cnn", runFlags{inputs: stringList{bin}, digit: -1, random: -1}, "pixels.bin"},
		{"sample:mnist_cnn", runFlags{digit: -1, random: 3}, "random inputs (seed 3)"},
		{"sample:mnist_cnn", runFlags{digit: -1, random: -1}, "digit 7_0.png"},
		{file, runFlags{digit: -1, random: -1}, "inputs at zero point"},
		{file, runFlags{inputs: stringList{bin}, digit: -1, random: -1}, "pixels.bin"},
	} {
		rf := tc.flags
		if _, _, err := rf.prepare("ui", tc.model); err != nil {
			t.Fatalf("%+v: %v", tc.flags, err)
		}
		if got := rf.inputName(); got != tc.want {
			t.Errorf("%+v: input named %q, want %q", tc.flags, got, tc.want)
		}
	}
}
