package kernels

import (
	"errors"
	"fmt"
	"strings"
)

// Runtime is a TFLite runtime whose arithmetic the kernels reproduce byte
// for byte. The zero value is TFLite-Micro's default build.
//
// A runtime is an ordered list of implementations (kernel families that
// compute alike): for each operator, Prepare tries the runtime's
// implementations in turn and takes the first that has a kernel for the
// operator and accepts the node; TFLite-Micro's reference kernels
// (ImplTFLM, the op table's prepare functions) come last in every list. So a
// runtime only adds the kernels that compute differently, and a new runtime
// (CMSIS-NN, say) is one row of runtimeTable plus one file per operator it
// computes differently, registered in that operator's row of opTable.
type Runtime uint8

// The runtimes.
const (
	// RuntimeTFLM is TFLite-Micro's reference kernels, default build (double
	// rounding).
	RuntimeTFLM Runtime = iota
	// RuntimeTFLMSingle is TFLite-Micro built with TFLITE_SINGLE_ROUNDING=1.
	RuntimeTFLMSingle
	// RuntimeTFLiteRef is full TFLite (LiteRT) with its reference kernels:
	// tf.lite.Interpreter(..., experimental_op_resolver_type=
	// OpResolverType.BUILTIN_REF).
	RuntimeTFLiteRef
	// RuntimeTFLiteXNNPACK is the TFLite Python interpreter's default: the
	// XNNPACK delegate for what it accepts, TFLite's optimized builtin
	// kernels for the rest.
	RuntimeTFLiteXNNPACK
	numRuntimes
)

// Implementation is a family of kernels that compute alike.
type Implementation uint8

// The implementations, from the most general to the most specific.
const (
	// ImplTFLM is TFLite-Micro's reference kernels (every runtime's
	// fallback).
	ImplTFLM Implementation = iota
	// ImplTFLite is full TFLite's kernels where its reference and optimized
	// kernels agree with each other but not with TFLite-Micro (e.g. legacy
	// uint8 convolutions with asymmetric weights, which TFLite-Micro refuses).
	ImplTFLite
	// ImplTFLiteRef is full TFLite's reference kernels (LiteRT 2026-08)
	// where they differ from its optimized kernels.
	ImplTFLiteRef
	// ImplTFLiteOptimized is full TFLite's optimized builtin kernels, as in
	// the TFLite+XNNPACK build (TFLite ≈2.11), where they differ from its
	// reference kernels.
	ImplTFLiteOptimized
	// ImplXNNPACK is the XNNPACK delegate (2022-09), for the nodes it
	// accepts.
	ImplXNNPACK
	numImplementations
)

var implementationNames = [numImplementations]string{
	ImplTFLM:            "TFLite-Micro reference kernel",
	ImplTFLite:          "full TFLite kernel",
	ImplTFLiteRef:       "full TFLite reference kernel",
	ImplTFLiteOptimized: "full TFLite optimized kernel",
	ImplXNNPACK:         "XNNPACK delegate",
}

func (i Implementation) String() string {
	if i < numImplementations {
		return implementationNames[i]
	}
	return fmt.Sprintf("Implementation(%d)", uint8(i))
}

// runtimeRow describes one runtime.
type runtimeRow struct {
	name     string
	summary  string
	rounding Rounding
	// impls are tried in order before ImplTFLM.
	impls []Implementation
	// refuse, when set, is what the runtime's TFLite build refuses whatever
	// kernel would run the node (checked before any implementation).
	refuse func(n *Node) error
}

// runtimeTable is indexed by Runtime; it is never modified.
var runtimeTable = [numRuntimes]runtimeRow{
	RuntimeTFLM: {name: "tflm", rounding: RoundingDouble,
		summary: "TFLite-Micro reference kernels, default build (double rounding)"},
	RuntimeTFLMSingle: {name: "tflm-single", rounding: RoundingSingle,
		summary: "TFLite-Micro reference kernels built with TFLITE_SINGLE_ROUNDING=1"},
	RuntimeTFLiteRef: {name: "tflite-ref", rounding: RoundingDouble, impls: []Implementation{ImplTFLiteRef, ImplTFLite},
		summary: "full TFLite's reference kernels (tf.lite.Interpreter with OpResolverType.BUILTIN_REF)"},
	RuntimeTFLiteXNNPACK: {name: "tflite-xnnpack", rounding: RoundingDouble, impls: []Implementation{ImplXNNPACK, ImplTFLiteOptimized, ImplTFLite},
		refuse:  tflite2022Refusal,
		summary: "the TFLite Python interpreter's default: XNNPACK delegate, TFLite's optimized kernels for the rest"},
}

// Runtimes lists every runtime, in order (a new slice each call).
func Runtimes() []Runtime {
	rs := make([]Runtime, numRuntimes)
	for i := range rs {
		rs[i] = Runtime(i)
	}
	return rs
}

func (r Runtime) String() string {
	if r < numRuntimes {
		return runtimeTable[r].name
	}
	return fmt.Sprintf("Runtime(%d)", uint8(r))
}

// Summary says in a line what the runtime is.
func (r Runtime) Summary() string { return runtimeTable[r].summary }

// Rounding is the requantization rounding rule of the runtime's integer
// kernels.
func (r Runtime) Rounding() Rounding { return runtimeTable[r].rounding }

// RoundingLabel names the runtime's requantization rounding for a run's
// header and the exports' model summary: "double" or "single" for the
// TFLite-Micro builds, "per_operator" for full TFLite, whose kernels round
// in several ways (each chain's requantization records its rule).
func (r Runtime) RoundingLabel() string {
	if !r.IsTFLM() {
		return "per_operator"
	}
	return r.Rounding().String()
}

// Delegates reports whether the runtime applies the XNNPACK delegate
// (ImplXNNPACK) to the graph.
func (r Runtime) Delegates() bool {
	for _, impl := range runtimeTable[r].impls {
		if impl == ImplXNNPACK {
			return true
		}
	}
	return false
}

// IsTFLM reports whether the runtime is a TFLite-Micro build.
func (r Runtime) IsTFLM() bool { return len(runtimeTable[r].impls) == 0 }

// implementations lists the implementations Prepare tries, ImplTFLM last.
func (r Runtime) implementations() []Implementation {
	return append(append([]Implementation(nil), runtimeTable[r].impls...), ImplTFLM)
}

// ParseRuntime parses a runtime name (tflm, tflm-single, tflite-ref,
// tflite-xnnpack).
func ParseRuntime(s string) (Runtime, error) {
	var names []string
	for _, r := range Runtimes() {
		if r.String() == s {
			return r, nil
		}
		names = append(names, r.String())
	}
	return 0, fmt.Errorf("unknown runtime %q (want %s)", s, strings.Join(names, ", "))
}

// RuntimeOfRounding is the TFLite-Micro runtime of a rounding rule, for the
// --rounding flag.
func RuntimeOfRounding(r Rounding) Runtime {
	if r == RoundingSingle {
		return RuntimeTFLMSingle
	}
	return RuntimeTFLM
}

// errNotTaken is returned by an implementation's prepare function for a
// node it does not take (the XNNPACK delegate's conditions, say): Prepare
// then tries the runtime's next implementation.
var errNotTaken = errors.New("not taken by this implementation")
