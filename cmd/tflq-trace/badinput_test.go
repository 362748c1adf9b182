package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tflq/tflq-trace/samples"
)

// TestBadInputMatrix runs every command on every kind of bad input: a model
// file that is missing, a directory, empty, not a TFLite file, truncated or
// unreadable; and each command's flags out of range, negative, malformed,
// conflicting, or pointing at places that cannot be written. Each must be
// one line starting "tflq-trace:" naming the file or flag and the cause,
// with the documented exit status (2 for bad usage or input), nothing on
// stdout, no output file, and no panic.
func TestBadInputMatrix(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good, err := samples.Model("mnist_cnn")
	if err != nil {
		t.Fatal(err)
	}
	model := write("good.tflite", good)
	empty := write("empty.tflite", nil)
	wrongMagic := write("magic.tflite", append([]byte{0, 0, 0, 0, 'X', 'X', 'X', 'X'}, good[8:]...))
	truncated := write("truncated.tflite", good[:len(good)/2])
	missing := filepath.Join(dir, "missing.tflite")
	unreadable := write("unreadable.tflite", good)
	os.Chmod(unreadable, 0)
	wrongSize := write("input.bin", make([]byte, 100))
	aFile := write("plain.txt", []byte("x"))
	outDir := filepath.Join(dir, "out")
	os.Mkdir(outDir, 0o755)

	// Model-file faults, for every command that takes MODEL.
	modelFaults := []struct {
		name, path string
		cause      string
	}{
		{"missing file", missing, "no such file"},
		{"directory", dir, "is a directory"},
		{"empty file", empty, "too short"},
		{"wrong magic", wrongMagic, "TFL3"},
		{"truncated", truncated, "outside the file"},
	}
	if os.Geteuid() != 0 {
		modelFaults = append(modelFaults, struct{ name, path, cause string }{"unreadable", unreadable, "permission denied"})
	} else {
		t.Log("running as root: the unreadable-file case is not checked (root reads it)")
	}
	commands := map[string][]string{
		"inspect": nil,
		"run":     nil,
		"explain": {"--op", "0", "--element", "0"},
		"trace":   {"-o", filepath.Join(outDir, "t.json")},
		"compare": {"--runtimes", "tflm,tflm-single"},
		"eval":    {"--inputs", "sample:digits"},
		"check":   {"--tensor", "0=" + aFile},
	}
	for cmd, extra := range commands {
		for _, f := range modelFaults {
			t.Run(cmd+"/model/"+f.name, func(t *testing.T) {
				code, out, errs := runCLI(t, append([]string{cmd, f.path}, extra...)...)
				if code != exitUsage || out != "" {
					t.Fatalf("exit %d (want 2), stdout %q, stderr %q", code, out, errs)
				}
				assertOneLineError(t, errs, f.path, f.cause)
			})
		}
	}

	// Flag faults, command by command.
	for _, tc := range []struct {
		name  string
		args  []string
		parts []string
	}{
		{"inspect op out of range", []string{"inspect", model, "--op", "99"}, []string{"--op 99", "operators 0..4"}},
		{"inspect op negative", []string{"inspect", model, "--op", "-1"}, []string{"--op -1"}},
		{"inspect tensor out of range", []string{"inspect", model, "--tensor", "999"}, []string{"--tensor 999"}},
		{"inspect tensor negative", []string{"inspect", model, "--tensor", "-2"}, []string{"--tensor -2"}},
		{"inspect op malformed", []string{"inspect", model, "--op", "two"}, []string{"-op", "two"}},
		{"inspect runtime", []string{"inspect", model, "--runtime", "tfl"}, []string{"--runtime", `"tfl"`}},
		{"inspect rounding", []string{"inspect", model, "--rounding", "triple"}, []string{"--rounding", "triple"}},
		{"inspect conflicting runtime", []string{"inspect", model, "--runtime", "tflm", "--rounding", "single"}, []string{"disagree"}},
		{"inspect ops with model", []string{"inspect", "--ops", model}, []string{"--ops takes no MODEL"}},
		{"inspect ops with runtime", []string{"inspect", "--ops", "--runtime", "tflite-ref"}, []string{"--ops lists every runtime", "--runtime"}},
		{"run input size", []string{"run", model, "--input", wrongSize}, []string{wrongSize, "got 100 bytes"}},
		{"run input missing", []string{"run", model, "--input", filepath.Join(dir, "nope.bin")}, []string{"nope.bin", "no such file"}},
		{"run random negative", []string{"run", model, "--random", "-5"}, []string{"--random -5"}},
		{"run digit out of range", []string{"run", model, "--digit", "11"}, []string{"digit", "11"}},
		{"run digit and input", []string{"run", model, "--digit", "3", "--input", wrongSize}, []string{"--digit and --input"}},
		{"run digit and random", []string{"run", model, "--digit", "3", "--random", "1"}, []string{"--digit and --random"}},
		{"run bench negative", []string{"run", model, "--bench", "-1"}, []string{"--bench -1"}},
		{"run dump into a file", []string{"run", model, "--dump", filepath.Join(aFile, "sub")}, []string{"--dump", aFile}},
		{"run max memory", []string{"run", model, "--max-memory", "much"}, []string{"--max-memory", "much"}},
		{"explain op missing", []string{"explain", model, "--element", "0"}, []string{"--op"}},
		{"explain op out of range", []string{"explain", model, "--op", "9", "--element", "0"}, []string{"--op 9"}},
		{"explain op negative", []string{"explain", model, "--op", "-3", "--element", "0"}, []string{"--op -3"}},
		{"explain element out of range", []string{"explain", model, "--op", "0", "--element", "999999"}, []string{"--element 999999"}},
		{"explain element negative", []string{"explain", model, "--op", "0", "--element", "-2"}, []string{"--element -2"}},
		{"explain at wrong rank", []string{"explain", model, "--op", "0", "--at", "1,2"}, []string{"--at 1,2", "4 coordinates"}},
		{"explain at malformed", []string{"explain", model, "--op", "0", "--at", "0,a,0,0"}, []string{"--at 0,a,0,0"}},
		{"explain at out of range", []string{"explain", model, "--op", "0", "--at", "0,99,0,0"}, []string{"--at 0,99,0,0"}},
		{"explain element and at", []string{"explain", model, "--op", "0", "--element", "1", "--at", "0,0,0,0"}, []string{"exactly one of --element"}},
		{"explain output out of range", []string{"explain", model, "--op", "0", "--output", "2", "--element", "0"}, []string{"--output 2"}},
		{"explain runtimes three", []string{"explain", model, "--op", "0", "--element", "0", "--runtimes", "tflm,tflm-single,tflite-ref"}, []string{"exactly two"}},
		{"explain runtimes and runtime", []string{"explain", model, "--op", "0", "--element", "0", "--runtimes", "tflm,tflm-single", "--runtime", "tflm"}, []string{"--runtimes excludes"}},
		{"trace no output", []string{"trace", model}, []string{"-o FILE is required"}},
		{"trace unwritable output", []string{"trace", model, "-o", filepath.Join(dir, "no", "such", "dir", "t.json")}, []string{"-o", "no such folder"}},
		{"trace output is a directory", []string{"trace", model, "-o", outDir}, []string{"-o", "is a directory"}},
		{"trace ops out of range", []string{"trace", model, "-o", filepath.Join(outDir, "t.json"), "--ops", "7"}, []string{"--ops 7"}},
		{"trace ops malformed", []string{"trace", model, "-o", filepath.Join(outDir, "t.json"), "--ops", "1-x"}, []string{"--ops 1-x"}},
		{"trace elements", []string{"trace", model, "-o", filepath.Join(outDir, "t.json"), "--elements", "most"}, []string{"--elements most"}},
		{"trace format", []string{"trace", model, "-o", filepath.Join(outDir, "t.json"), "--format", "xml"}, []string{"--format xml"}},
		{"trace terms negative", []string{"trace", model, "-o", filepath.Join(outDir, "t.json"), "--terms", "-1"}, []string{"--terms -1"}},
		{"eval unwritable output", []string{"eval", model, "--inputs", "sample:digits", "-o", filepath.Join(dir, "no", "such", "dir", "e.json")}, []string{"-o", "no such folder"}},
		{"eval output is a directory", []string{"eval", model, "--inputs", "sample:digits", "-o", outDir}, []string{"-o", "is a directory"}},
		{"eval runtimes unknown", []string{"eval", model, "--inputs", "sample:digits", "--runtimes", "tflm,xla"}, []string{"--runtimes", "xla"}},
		{"eval runtimes repeated", []string{"eval", model, "--inputs", "sample:digits", "--runtimes", "tflm,tflm"}, []string{"--runtimes", "tflm twice"}},
		{"eval workers zero", []string{"eval", model, "--inputs", "sample:digits", "--workers", "0"}, []string{"--workers 0"}},
		{"eval worst negative", []string{"eval", model, "--inputs", "sample:digits", "--worst", "-1"}, []string{"--worst -1"}},
		{"compare runtimes unknown", []string{"compare", model, "--runtimes", "tflm,xla"}, []string{"--runtimes", "xla"}},
		{"compare runtimes one", []string{"compare", model, "--runtimes", "tflm"}, []string{"--runtimes", "at least two"}},
		{"compare runtimes repeated", []string{"compare", model, "--runtimes", "tflm,tflm"}, []string{"--runtimes", "tflm twice"}},
		{"check random negative", []string{"check", model, "--tensor", "0=" + aFile, "--random", "-5"}, []string{"--random -5"}},
		{"check max memory", []string{"check", model, "--tensor", "0=" + aFile, "--max-memory", "much"}, []string{"--max-memory", "much"}},
		{"check against a file", []string{"check", model, "--against", aFile}, []string{"--against", aFile, "is a file"}},
		{"samples with arguments", []string{"samples", "extra"}, []string{"samples", "extra"}},
		{"unknown command", []string{"frobnicate"}, []string{`"frobnicate"`}},
		{"unknown flag", []string{"run", model, "--frobnicate"}, []string{"frobnicate"}},
		{"two models", []string{"run", model, model}, []string{"too many arguments"}},
		{"ui not a terminal", []string{"ui", model}, []string{"terminal"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runCLI(t, tc.args...)
			if code != exitUsage || out != "" {
				t.Fatalf("exit %d (want 2), stdout %q, stderr %q", code, out, errs)
			}
			assertOneLineError(t, errs, tc.parts...)
		})
	}
	entries, _ := os.ReadDir(outDir)
	for _, e := range entries {
		t.Errorf("an error left %s behind", e.Name())
	}
	if _, err := os.Stat(filepath.Join(aFile, "sub")); err == nil {
		t.Error("--dump into a file created something")
	}
}
