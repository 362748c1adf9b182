package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runInterrupted runs a command whose context is cancelled after delay, as
// SIGINT would, and returns its exit code and output.
func runInterrupted(t *testing.T, delay time.Duration, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if delay == 0 {
		cancel() // the signal came before the first check
	} else {
		time.AfterFunc(delay, cancel)
	}
	var out, errb bytes.Buffer
	code := runContext(ctx, args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// TestInterrupt: an interrupted eval -o, compare or run --bench exits 130
// with one line, writes nothing on stdout and leaves no file (not even the
// temporary one) behind.
func TestInterrupt(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"eval -o", []string{"eval", "sample:mnist_cnn", "--inputs", "sample:digits", "--runtimes", "tflm,tflm-single,tflite-ref", "-o", filepath.Join(dir, "eval.json"), "--json"}},
		{"compare", []string{"compare", "sample:mnist_cnn", "--inputs", "sample:digits", "--runtimes", "tflm,tflm-single"}},
		{"run --bench", []string{"run", "sample:mnist_cnn", "--bench", "100000000"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			code, out, errs := runInterrupted(t, 0, tc.args...)
			if code != exitInterrupted || out != "" {
				t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errs)
			}
			assertOneLineError(t, errs, "interrupted")
			if el := time.Since(start); el > 2*time.Second {
				t.Errorf("took %v to stop", el)
			}
		})
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		t.Errorf("left behind: %s", e.Name())
	}
	// A bench interrupted mid-way stops within a fraction of a second.
	start := time.Now()
	if code, _, _ := runInterrupted(t, 200*time.Millisecond, "run", "sample:mnist_cnn", "--bench", "100000000"); code != exitInterrupted {
		t.Fatalf("exit %d", code)
	}
	if el := time.Since(start); el > 1500*time.Millisecond {
		t.Errorf("bench interrupted after 200 ms stopped after %v", el)
	}
}
