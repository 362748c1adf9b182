package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tflq/tflq-trace/internal/sharedtest"
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

// assertInterrupted runs a command interrupted after delay and checks that
// it exits 130 with one "interrupted" line, nothing on stdout, within limit
// of its start.
func assertInterrupted(t *testing.T, delay, limit time.Duration, args ...string) {
	t.Helper()
	start := time.Now()
	code, out, errs := runInterrupted(t, delay, args...)
	if code != exitInterrupted || out != "" {
		t.Fatalf("%s: exit %d, stdout %q, stderr %q", args[0], code, out, errs)
	}
	assertOneLineError(t, errs, "interrupted")
	if el := time.Since(start); el > limit {
		t.Errorf("%s interrupted after %v stopped after %v", args[0], delay, el)
	}
}

// TestInterrupt: an interrupted eval -o, trace -o, run --dump, compare or
// run --bench exits 130
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
		{"trace -o", []string{"trace", "sample:mnist_cnn", "--elements", "all", "-o", filepath.Join(dir, "trace.json")}},
		{"run --dump", []string{"run", "sample:mnist_cnn", "--dump", filepath.Join(dir, "dump")}},
		{"run --dump npy", []string{"run", "sample:mnist_cnn", "--dump", filepath.Join(dir, "dump"), "--format", "npy", "--dump-constants"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assertInterrupted(t, 0, 2*time.Second, tc.args...)
		})
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		t.Errorf("left behind: %s", e.Name())
	}
	// A bench interrupted mid-way stops within a fraction of a second.
	assertInterrupted(t, 200*time.Millisecond, 1500*time.Millisecond, "run", "sample:mnist_cnn", "--bench", "100000000")
}

// TestInterruptMidway interrupts long writes part-way: `trace --elements
// all -o` of person_detect (seconds of element chains) stops within a
// fraction of a second of the signal and leaves no file, not even its
// temporary one; `run --dump` into a folder holding a user's file leaves
// the folder exactly as it was.
func TestInterruptMidway(t *testing.T) {
	shared, ok := sharedtest.Lookup()
	if !ok {
		t.Skip("SKIPPED: no shared data (TFLQ_SHARED): the long export needs person_detect")
	}
	dir := t.TempDir()
	model := filepath.Join(shared, "models", "person_detect_int8.tflite")
	assertInterrupted(t, 500*time.Millisecond, 3*time.Second, "trace", model, "--elements", "all", "-o", filepath.Join(dir, "pd.json"))
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		t.Errorf("trace left behind: %s", e.Name())
	}

	dump := filepath.Join(dir, "dump")
	if err := os.Mkdir(dump, 0o755); err != nil {
		t.Fatal(err)
	}
	mine := filepath.Join(dump, "notes.txt")
	if err := os.WriteFile(mine, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := runInterrupted(t, 0, "run", model, "--dump", dump); code != exitInterrupted {
		t.Fatalf("run --dump: exit %d, stderr %q", code, errs)
	}
	entries, _ = os.ReadDir(dump)
	if len(entries) != 1 || entries[0].Name() != "notes.txt" {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("the dump folder holds %v after the interrupt, want only the user's notes.txt", names)
	}
}
