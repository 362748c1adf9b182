package main

import (
	"regexp"
	"strings"
	"testing"
)

// TestMainJobWithoutTerminal: with no arguments and stdout not a terminal,
// the bundled dense model classifies the bundled 7 and the dense layer's
// chain for class 7 is printed, ending at the stored value.
func TestMainJobWithoutTerminal(t *testing.T) {
	code, out, errs := runCLI(t)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	assertContains(t, "main job output", out, "sample:mnist_dense", "7_0.png", "prediction: class 7", "How the score of class 7", "784 terms", "input_offset = 128", "SRDHM(", "RDBPOT(", "float reference, accumulated:", "float reference, local:")
	m := regexp.MustCompile(`final value: (-?\d+) .*\(stored in the tensor: (-?\d+)\)`).FindStringSubmatch(out)
	if m == nil || m[1] != m[2] {
		t.Fatalf("final value line: %v\n%s", m, out)
	}
}

func TestSamplesAndDigits(t *testing.T) {
	code, out, _ := runCLI(t, "samples")
	if code != exitOK || !strings.Contains(out, "mnist_dense") || !strings.Contains(out, "mnist_cnn") || !strings.Contains(out, "digit 7") {
		t.Fatalf("samples:\n%s", out)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"sample flag", []string{"run", "--sample", "mnist_cnn", "--digit", "3"}, "prediction: class 3"},
		{"sample prefix and digit input", []string{"run", "sample:mnist-dense", "--input", "digit:2"}, "prediction: class 2"},
		{"inspect sample", []string{"inspect", "--sample", "mnist_cnn"}, "CONV_2D"},
		{"explain sample", []string{"explain", "--sample", "mnist_cnn", "--digit", "0", "--op", "0", "--at", "0,13,13,0"}, "final value:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runCLI(t, tc.args...)
			if code != exitOK || !strings.Contains(out, tc.want) {
				t.Fatalf("exit %d (%s), output lacks %q:\n%s", code, errs, tc.want, out)
			}
		})
	}
	for _, tc := range []struct {
		name string
		args []string
		frag string
	}{
		{"unknown sample", []string{"run", "--sample", "resnet"}, "no such sample"},
		{"unknown digit", []string{"run", "--sample", "mnist_dense", "--digit", "12"}, "digit 12"},
		{"both model and sample", []string{"run", "x.tflite", "--sample", "mnist_dense"}, "not both"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assertCLIError(t, exitUsage, tc.args, tc.frag)
		})
	}
}
