package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// tutorialPath is docs/tutorial.md from this package's directory.
var tutorialPath = filepath.Join("..", "..", "docs", "tutorial.md")

// docBlock is one fenced code block of a Markdown file.
type docBlock struct {
	info  string   // the info string after ```
	lines []string // the lines between the fences
	start int      // index of its first content line in the file's lines
}

// fencedBlocks returns the fenced code blocks of a Markdown text.
func fencedBlocks(lines []string) []docBlock {
	var blocks []docBlock
	for i := 0; i < len(lines); i++ {
		info, ok := strings.CutPrefix(lines[i], "```")
		if !ok {
			continue
		}
		b := docBlock{info: strings.TrimSpace(info), start: i + 1}
		for i++; i < len(lines) && lines[i] != "```"; i++ {
			b.lines = append(b.lines, lines[i])
		}
		blocks = append(blocks, b)
	}
	return blocks
}

// numpyPython finds a Python 3 that imports numpy ("" when there is none):
// python3 on the PATH, then Debian's /usr/bin/python3 (.ci/run installs
// python3-numpy there).
func numpyPython() string {
	for _, p := range []string{"python3", "/usr/bin/python3"} {
		if exec.Command(p, "-c", "import numpy").Run() == nil {
			return p
		}
	}
	return ""
}

// TestTutorial runs docs/tutorial.md: every `$ tflq-trace ...` command of a
// console block, in order, in one working folder, its stdout compared with
// the block's text (-update rewrites them); the NumPy script dense.py and
// its mistaken copy wrong.py with a python3 that has numpy (skipped loudly
// without one). dense.py's ten values must be the run's t4, byte for byte,
// and check must find them all matching; wrong.py's must be diagnosed
// no-output-zp. The Python loop for TensorFlow dumps is not run (no
// TensorFlow here).
func TestTutorial(t *testing.T) {
	docPath, err := filepath.Abs(tutorialPath)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(raw), "\n")
	blocks := fencedBlocks(lines)
	var dense, mistake []string
	for _, b := range blocks {
		if b.info != "python" || len(b.lines) == 0 {
			continue
		}
		switch {
		case strings.HasPrefix(b.lines[0], "# dense.py"):
			dense = b.lines
		case strings.HasPrefix(b.lines[0], "# the mistaken line"):
			mistake = b.lines[1:]
		}
	}
	if dense == nil || len(mistake) != 1 {
		t.Fatalf("tutorial: no dense.py block, or the mistaken line is not one line")
	}
	wrong := make([]string, len(dense))
	replaced := 0
	for i, l := range dense {
		wrong[i] = l
		if strings.HasPrefix(l, "out = ") {
			wrong[i], replaced = mistake[0], replaced+1
		}
	}
	if replaced != 1 {
		t.Fatalf("dense.py has %d lines starting 'out = ', want 1", replaced)
	}
	dir := t.TempDir()
	t.Chdir(dir)
	os.WriteFile("dense.py", []byte(strings.Join(dense, "\n")+"\n"), 0o644)
	os.WriteFile("wrong.py", []byte(strings.Join(wrong, "\n")+"\n"), 0o644)

	python := numpyPython()
	pythonRan := false
	var updated []docBlock
	for _, b := range blocks {
		if b.info != "console" || len(b.lines) == 0 {
			continue
		}
		cmd, ok := strings.CutPrefix(b.lines[0], "$ ")
		if !ok {
			t.Fatalf("tutorial line %d: a console block starts with '$ command'", b.start+1)
		}
		discard := strings.HasSuffix(cmd, " > /dev/null")
		args := strings.Fields(strings.TrimSuffix(cmd, " > /dev/null"))
		var stdout string
		switch args[0] {
		case "tflq-trace":
			if python == "" && pythonRan {
				continue
			}
			code, out, errs := runCLI(t, args[1:]...)
			if code != exitOK && !(args[1] == "check" && code == exitFailure) {
				t.Fatalf("%s: exit %d, stderr %q", cmd, code, errs)
			}
			stdout = out
		case "python3":
			pythonRan = true
			if python == "" {
				t.Logf("SKIPPED %q and the commands after it: no python3 with numpy (Debian: apt-get install python3-numpy)", cmd)
				continue
			}
			c := exec.Command(python, args[1:]...)
			out, err := c.Output()
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				t.Fatalf("%s: %v: %s", cmd, err, ee.Stderr)
			} else if err != nil {
				t.Fatal(err)
			}
			stdout = string(out)
		default:
			t.Fatalf("tutorial line %d: unknown command %q", b.start+1, cmd)
		}
		if discard {
			if len(b.lines) > 1 {
				t.Errorf("%s: the block shows output after '> /dev/null'", cmd)
			}
			continue
		}
		got := strings.Split(strings.TrimRight(stdout, "\n"), "\n")
		if *update {
			updated = append(updated, docBlock{start: b.start, lines: append([]string{b.lines[0]}, got...)})
			continue
		}
		if want := b.lines[1:]; strings.Join(want, "\n") != strings.Join(got, "\n") {
			t.Errorf("%s: output differs from the tutorial (go test -run TestTutorial -update rewrites it; read the diff first):\n--- got\n%s\n--- tutorial\n%s",
				cmd, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
	if *update {
		rewriteBlocks(t, docPath, lines, updated)
	}
	if python == "" {
		t.Skip("SKIPPED: the NumPy script was not run: no python3 with numpy")
	}
	// dense.py's values are the run's t4, byte for byte; wrong.py's are
	// diagnosed as the forgotten zero point.
	code, _, errs := runCLI(t, "run", "sample:mnist_dense", "--dump", "ref")
	if code != exitOK {
		t.Fatalf("run: exit %d %s", code, errs)
	}
	want, _ := os.ReadFile(filepath.Join("ref", "t4.bin"))
	out, err := exec.Command(python, "dense.py", "dumps", "again.npy").Output()
	if err != nil {
		t.Fatal(err)
	}
	var wantText []string
	for _, b := range want {
		wantText = append(wantText, fmt.Sprint(int8(b)))
	}
	if got := strings.TrimSpace(string(out)); got != strings.Join(wantText, " ") {
		t.Errorf("dense.py prints %s, the run's t4 is %s", got, strings.Join(wantText, " "))
	}
	if code, out, _ := runCLI(t, "check", "sample:mnist_dense", "--tensor", "4=again.npy"); code != exitOK || !strings.Contains(out, "every value matches") {
		t.Errorf("check of dense.py's values: exit %d\n%s", code, out)
	}
	if code, out, _ := runCLI(t, "check", "sample:mnist_dense", "--tensor", "4=wrong_t4.npy"); code != exitFailure ||
		!strings.Contains(out, "diagnosis: no-output-zp reproduces 10/10 elements of tensor 4 (op 1 FULLY_CONNECTED)") {
		t.Errorf("check of wrong.py's values: exit %d\n%s", code, out)
	}
}

// rewriteBlocks replaces the console blocks' contents in the tutorial.
func rewriteBlocks(t *testing.T, path string, lines []string, blocks []docBlock) {
	var out []string
	next := 0
	for i := 0; i < len(lines); i++ {
		if next < len(blocks) && i == blocks[next].start {
			out = append(out, blocks[next].lines...)
			for i < len(lines) && lines[i] != "```" {
				i++
			}
			out = append(out, "```")
			next++
			continue
		}
		out = append(out, lines[i])
	}
	if err := os.WriteFile(path, []byte(strings.Join(out, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
}
