package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestUIInputName: the UI's title names what the model ran on, as the
// flags said after prepare folded --digit into --input: the bundled
// digit's file, the input files' names, the random seed, or the zero
// points (no input flag).
func TestUIInputName(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "pixels.bin")
	if err := os.WriteFile(bin, make([]byte, 28*28), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		flags runFlags
		want  string
	}{
		{runFlags{digit: 7, random: -1}, "digit 7_0.png"},
		{runFlags{inputs: stringList{"digit:3"}, digit: -1, random: -1}, "digit 3_30.png"},
		{runFlags{inputs: stringList{bin}, digit: -1, random: -1}, "pixels.bin"},
		{runFlags{digit: -1, random: 3}, "random inputs (seed 3)"},
		{runFlags{digit: -1, random: -1}, "inputs at zero point"},
	} {
		rf := tc.flags
		if _, _, err := rf.prepare("ui", "sample:mnist_cnn"); err != nil {
			t.Fatalf("%+v: %v", tc.flags, err)
		}
		if got := rf.inputName(); got != tc.want {
			t.Errorf("%+v: input named %q, want %q", tc.flags, got, tc.want)
		}
	}
}
