package ui

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tflq/tflq-trace/internal/sharedtest"
)

// uiBinary builds cmd/tflq-trace (or takes $TFLQ_TRACE_BIN) and checks that
// it has the ui command.
func uiBinary(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("TFLQ_TRACE_BIN")
	if bin == "" {
		bin = filepath.Join(t.TempDir(), "tflq-trace")
		out, err := exec.Command("go", "build", "-o", bin, "../cmd/tflq-trace").CombinedOutput()
		if err != nil {
			t.Fatalf("go build: %v\n%s", err, out)
		}
	}
	out, _ := exec.Command(bin, "ui", "-h").CombinedOutput()
	if !strings.Contains(string(out), "usage: tflq-trace ui") {
		t.Skipf("SKIPPED: %s has no ui command yet (runUI is not in the commands table): %s", bin, strings.TrimSpace(string(out)))
	}
	return bin
}

// tmuxWindow is a detached 100×30 tmux session on a server of its own
// (socket), running one command; the server is killed when the test ends.
type tmuxWindow struct {
	t        *testing.T
	socket   string
	session  string
	patience time.Duration // how long waitFor waits
}

// requireTmux skips the test when tmux is not installed.
func requireTmux(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("SKIPPED: tmux is not installed (apt-get install tmux); the end-to-end UI test needs it")
	}
}

// startTmux starts command in session of a new tmux server (socket), with
// TERM=xterm-256color; waitFor waits up to patience.
func startTmux(t *testing.T, socket, session string, patience time.Duration, command ...string) *tmuxWindow {
	t.Helper()
	w := &tmuxWindow{t: t, socket: socket, session: session, patience: patience}
	t.Cleanup(func() { w.tmux("kill-server") })
	args := append([]string{"new-session", "-d", "-s", session, "-x", "100", "-y", "30", "env", "TERM=xterm-256color"}, command...)
	if out, err := w.tmux(args...); err != nil {
		t.Fatalf("tmux new-session: %v %s", err, out)
	}
	return w
}

// tmux runs a tmux command against the window's server.
func (w *tmuxWindow) tmux(args ...string) (string, error) {
	out, err := exec.Command("tmux", append([]string{"-L", w.socket}, args...)...).CombinedOutput()
	return string(out), err
}

// capture is the screen's text.
func (w *tmuxWindow) capture() string {
	out, _ := w.tmux("capture-pane", "-p", "-t", w.session)
	return out
}

// waitFor returns the screen once it shows what, failing the test after
// the window's patience.
func (w *tmuxWindow) waitFor(what string) string {
	w.t.Helper()
	deadline := time.Now().Add(w.patience)
	for {
		scr := w.capture()
		if strings.Contains(scr, what) {
			return scr
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("timed out waiting for %q; screen:\n%s", what, scr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// keys types keys (tmux send-keys names).
func (w *tmuxWindow) keys(k ...string) {
	w.t.Helper()
	if out, err := w.tmux(append([]string{"send-keys", "-t", w.session}, k...)...); err != nil {
		w.t.Fatalf("send-keys %v: %v %s", k, err, out)
	}
}

// waitQuit waits up to 5 s for the program to exit (taking the session
// with it).
func (w *tmuxWindow) waitQuit() {
	w.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := w.tmux("has-session", "-t", w.session); err != nil {
			return
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("q did not quit; screen:\n%s", w.capture())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestUINotATerminal: with output to a pipe, ui refuses in one line and
// points to run / explain.
func TestUINotATerminal(t *testing.T) {
	bin := uiBinary(t)
	model := filepath.Join(sharedtest.Dir(t), "models", denseModel)
	cmd := exec.Command(bin, "ui", model)
	out, err := cmd.CombinedOutput()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 2 {
		t.Fatalf("exit %v, want status 2; output %q", err, out)
	}
	msg := strings.TrimSpace(string(out))
	if strings.Count(msg, "\n") != 0 || !strings.Contains(msg, "tflq-trace run") || !strings.Contains(msg, "tflq-trace explain") {
		t.Errorf("want one line pointing to run and explain, got %q", msg)
	}
}

// TestUIInTmux runs the real binary in a 100×30 tmux window: it steps to the
// dense layer, moves the cursor to output element 7, finds the accumulator,
// multiplier, shift and final value on the screen, switches the runtime
// three times (r: tflm-single, tflite-ref, tflite-xnnpack) with the
// element's chain pair shown, and quits with q.
func TestUIInTmux(t *testing.T) {
	requireTmux(t)
	bin := uiBinary(t)
	dir := filepath.Join(sharedtest.Dir(t), "models")
	command := fmt.Sprintf("%s ui %s --input %s", bin, filepath.Join(dir, denseModel), filepath.Join(dir, denseInput))
	w := startTmux(t, fmt.Sprintf("tflq-ui-test-%d", os.Getpid()), "ui", 10*time.Second, "sh", "-c", command)
	waitFor, keys := w.waitFor, w.keys
	waitFor("layers 4")
	keys("j", "j")
	waitFor("▶ 2 FULLY_CONNECTED")
	keys("Tab")
	waitFor("t6[0,0]")
	keys("l", "l", "l", "l", "l", "l", "l")
	scr := waitFor("t6[0,7]")
	scr = waitFor("final 43")
	for _, want := range []string{"acc = -21675", "mult=1363200814 shift=-11", "M = 1363200814·2^(-11−31)", "final 43", "q=43  deq=-0.629384"} {
		if !strings.Contains(scr, want) {
			t.Errorf("screen lacks %q:\n%s", want, scr)
		}
	}
	t.Logf("screen:\n%s", scr)
	if !strings.Contains(scr, denseInput) {
		t.Errorf("the title does not name the input %s:\n%s", denseInput, scr)
	}

	// r re-runs the model under tflm-single (in the background) and
	// compares it with tflm; c shows the element's two chains (they part at
	// the rounding: srdhm/rdbpot against product/round_shift, both 43).
	keys("r")
	waitFor("runtime tflm-single vs tflm")
	keys("c")
	scr = waitFor("tflm-single (current) vs tflm (started with)")
	for _, want := range []string{"▶ product", "≠ srdhm", "final tflm-single 43 = tflm 43", "TFLite-Micro reference kernel"} {
		if !strings.Contains(scr, want) {
			t.Errorf("chain pair screen lacks %q:\n%s", want, scr)
		}
	}
	// Then tflite-ref: LiteRT's reference FULLY_CONNECTED runs the op.
	keys("r")
	scr = waitFor("runtime tflite-ref vs tflm")
	scr = waitFor("full TFLite reference kernel")
	for _, want := range []string{"round_double", "final tflite-ref 43 = tflm 43", "t6[0,7]  q=43"} {
		if !strings.Contains(scr, want) {
			t.Errorf("tflite-ref screen lacks %q:\n%s", want, scr)
		}
	}
	// Then tflite-xnnpack: the XNNPACK delegate runs the dense layer.
	keys("r")
	waitFor("runtime tflite-xnnpack vs tflm")
	scr = waitFor("op 2 FULLY_CONNECTED · output t6 · XNNPACK delegate")
	if !strings.Contains(scr, "final tflite-xnnpack 43 = tflm 43") {
		t.Errorf("tflite-xnnpack screen lacks the two finals:\n%s", scr)
	}
	keys("q")
	w.waitQuit()
}

// TestMainJobInTmux starts the binary with no arguments (the bundled MNIST
// dense sample on a 7, no shared data needed), steps to the dense layer,
// moves to output element 7 and checks that the screen shows the same
// accumulator, multiplier, shift and final value as `tflq-trace explain`.
func TestMainJobInTmux(t *testing.T) {
	requireTmux(t)
	bin := uiBinary(t)
	out, err := exec.Command(bin, "explain", "--sample", "mnist_dense", "--digit", "7", "--op", "1", "--element", "7").CombinedOutput()
	if err != nil {
		t.Fatalf("explain: %v\n%s", err, out)
	}
	explained := string(out)
	field := func(pattern string) string {
		m := regexp.MustCompile(pattern).FindStringSubmatch(explained)
		if m == nil {
			t.Fatalf("explain output has no %s:\n%s", pattern, explained)
		}
		return m[1]
	}
	acc := field(`acc += (-?\d+)`)
	mult, shift := field(`M = (\d+)·`), field(`M = \d+·2\^\((-?\d+)−31\)`)
	final := field(`final value: (-?\d+)`)

	w := startTmux(t, fmt.Sprintf("tflq-main-test-%d", os.Getpid()), "main", 10*time.Second, bin)
	waitFor, keys := w.waitFor, w.keys
	waitFor("sample:mnist_dense")
	keys("j")
	waitFor("▶ 1 FULLY_CONNECT")
	keys("Tab")
	waitFor("t4[0,0]")
	keys("l", "l", "l", "l", "l", "l", "l")
	scr := waitFor("t4[0,7]")
	scr = waitFor("final " + final)
	for _, want := range []string{"acc = " + acc, "mult=" + mult + " shift=" + shift, "final " + final} {
		if !strings.Contains(scr, want) {
			t.Errorf("screen lacks %q:\n%s", want, scr)
		}
	}
	keys("q")
	w.waitQuit()
}

// TestUISignalRestoresTerminal: SIGTERM and SIGINT sent to a running ui
// (as `kill` and a non-terminal ^C would) end it like every interrupted
// command: the terminal leaves the alternate screen and raw mode (the shell
// after it reads lines again, stty shows icanon and echo), one
// "tflq-trace: interrupted" line, exit status 130.
func TestUISignalRestoresTerminal(t *testing.T) {
	requireTmux(t)
	bin := uiBinary(t)
	for _, sig := range []string{"TERM", "INT"} {
		t.Run(sig, func(t *testing.T) {
			dir := t.TempDir()
			pidFile := filepath.Join(dir, "pid")
			// The inner sh execs the ui (so its pid is the ui's); the outer
			// one reports what the terminal looks like after it.
			script := fmt.Sprintf(`sh -c 'echo $$ > %s; exec %s ui --sample mnist_dense --digit 3'; echo "EXIT=$?"; stty -a | tr ' ' '\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\n' ' '; echo STTY-DONE; sleep 60`, pidFile, bin)
			w := startTmux(t, fmt.Sprintf("tflq-sig-test-%d-%s", os.Getpid(), sig), "sig", 30*time.Second, "sh", "-c", script) // 30 s: a loaded machine
			waitFor := w.waitFor
			waitFor("sample:mnist_dense")
			pid, err := os.ReadFile(pidFile)
			if err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command("kill", "-"+sig, strings.TrimSpace(string(pid))).CombinedOutput(); err != nil {
				t.Fatalf("kill: %v %s", err, out)
			}
			scr := waitFor("STTY-DONE")
			for _, want := range []string{"tflq-trace: interrupted", "EXIT=130", "icanon echo"} {
				if !strings.Contains(scr, want) {
					t.Errorf("after SIG%s the screen lacks %q:\n%s", sig, want, scr)
				}
			}
			if strings.Contains(scr, "layers ") {
				t.Errorf("the UI is still on the screen (alternate screen not left):\n%s", scr)
			}
		})
	}
}
