package main

import (
	"fmt"
	"strings"

	"github.com/tflq/tflq-trace/samples"
	"github.com/tflq/tflq-trace/tflite"
	"github.com/tflq/tflq-trace/trace"
	"github.com/tflq/tflq-trace/ui"
)

// mainDigit is the digit the no-argument main job feeds the sample.
const mainDigit = 7

// runMainJob is `tflq-trace` with no arguments: the bundled MNIST dense
// model (Flatten → Dense(10), float in/out through QUANTIZE/DEQUANTIZE) on
// the MNIST test image of a 7. In a terminal it opens the UI; otherwise it
// prints the run and the arithmetic of the predicted class's dense-layer
// element.
func runMainJob(env *cliEnv) error {
	rf := runFlags{random: -1, digit: mainDigit}
	path := samplePrefix + samples.DefaultModel
	_, ip, err := rf.prepare("tflq-trace", path)
	if err != nil {
		return err
	}
	_, digitName, _ := samples.Digit(mainDigit)
	if needTerminal(env) == nil {
		return startUI(ip, ui.Options{Title: path, Input: rf.inputName()}, rf.floats, env)
	}
	if err := ip.Invoke(); err != nil {
		return runError(err)
	}
	info, _ := samples.Lookup(samples.DefaultModel)
	w := env.stdout
	fmt.Fprintf(w, "tflq-trace: %s — %s\n", path, info.Description)
	fmt.Fprintf(w, "input: MNIST test image %s (digit %d), pixels p/255 → QUANTIZE\n\n", digitName, mainDigit)
	rep := newRunReport(path, ip)
	for _, t := range ip.Outputs() {
		rep.Outputs = append(rep.Outputs, describeOutput(t))
	}
	printRun(w, &rep)

	// Explain the predicted class's element of the dense layer.
	fc := -1
	for i, op := range ip.Ops() {
		n := op.Node
		if n.Op == tflite.OpFullyConnected {
			fc = i
		}
	}
	if fc < 0 || len(rep.Outputs) == 0 || len(rep.Outputs[0].Top) == 0 {
		return nil
	}
	class := rep.Outputs[0].Top[0].Class
	fmt.Fprintf(w, "\n%s\nHow the score of class %d was computed in the dense layer (op %d):\n\n", strings.Repeat("─", 72), class, fc)
	c, err := ip.Explain(fc, 0, class)
	if err != nil {
		return runError(err)
	}
	shadow, err := trace.RunShadowWith(ip, trace.ShadowOptions{Local: true})
	if err != nil {
		return runError(err)
	}
	printExplanation(w, ip, fc, 0, class, c)
	printReference(w, shadow, ip.Ops()[fc].Node.Outputs[0], class)
	fmt.Fprintf(w, "\nMore: tflq-trace ui --sample %s --digit %d (in a terminal) · tflq-trace inspect sample:%s · tflq-trace explain --sample %s --digit %d --op %d --element N · tflq-trace samples\n",
		samples.DefaultModel, mainDigit, samples.DefaultModel, samples.DefaultModel, mainDigit, fc)
	return nil
}

// runSamples lists the bundled models and digits.
func runSamples(args []string, env *cliEnv) error {
	fs := newFlagSet("samples", "", env)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError("samples: takes no arguments, got %q", pos)
	}
	w := env.stdout
	fmt.Fprintf(w, "bundled models (use as MODEL sample:NAME or --sample NAME); accuracy on the %d MNIST test images:\n", samples.TestImages())
	for _, m := range samples.Models() {
		fmt.Fprintf(w, "  %-12s float %.2f%%  integer %.2f%%  %6d bytes  %s\n", m.Name, 100*m.FloatAccuracy, 100*m.IntAccuracy, m.Bytes, strings.Join(m.Ops, " → "))
		fmt.Fprintf(w, "  %-12s %s\n", "", m.Description)
	}
	fmt.Fprintln(w, "bundled inputs (use as --digit N or --input digit:N): MNIST test images")
	for _, d := range samples.Digits() {
		fmt.Fprintf(w, "  digit %d  %s (test index %d)\n", d.Label, d.File, d.TestIndex)
	}
	return nil
}
