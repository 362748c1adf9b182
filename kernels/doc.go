// Package kernels holds tflq-trace's integer kernels: one file per TFLite
// operator, each kernel type documented with its formula and the TFLite
// source it follows, the fixed-point primitives they share (fixedpoint.go)
// and the op table (ops.go), the one place that says which operators run.
//
// # Life of a node
//
// The trace package builds a Node for every operator of the model, wired to
// its run-time Tensors (allocated once, from the model's shapes), and calls
// Prepare, which looks the operator up in the op table. A kernel's prepare
// function checks dtypes and shapes and derives every parameter once — real
// multiplier M, QuantizedMultiplier and Shift, offsets, clamp range, lookup
// tables — and returns a Kernel. Eval computes the outputs; Explain recomputes
// one output element and records its arithmetic in a Chain.
//
// # Runtimes and implementations
//
// The same operator is computed differently by different TFLite runtimes
// (TFLite-Micro, full TFLite's reference and optimized kernels, the XNNPACK
// delegate). A Runtime (runtime.go) is an ordered list of Implementations;
// the op table holds, per operator, TFLite-Micro's kernel (every runtime's
// fallback) and the kernels of the implementations that compute it
// differently. Prepare tries the node's runtime's implementations in turn: a
// kernel returns errNotTaken for a node its implementation does not handle
// (the XNNPACK delegate's acceptance rules), ErrDelegateFallback when the
// delegate would take the node but fail to build it (the interpreter then
// prepares the whole graph again without it, as TFLite does), or an error
// when the runtime refuses the model. Kernels never branch on the runtime:
// each implementation's kernel is its own prepare function (often a thin
// variant of TFLite-Micro's, sharing its per-element code), so a new runtime
// is a row of runtimeTable and one file per operator it computes
// differently.
//
// # The Kernel contract
//
// Every kernel keeps these rules; tests in trace (contract_test.go,
// checklist_test.go) enforce them over every operator and dtype of the
// built-model suite, and the conformance suites over the shared goldens.
//
//   - Prepare derives; Eval computes. Everything that depends only on the
//     model (multipliers, tables, shapes, index tables of constant operands)
//     is derived in Prepare. Eval must not allocate: a whole Invoke is
//     checked with testing.AllocsPerRun on a fresh interpreter.
//   - Eval and Explain share the per-element code. Eval calls it with a nil
//     *Chain, and every recording is guarded by `if c != nil`, so
//     instrumentation costs nothing when off. Explain's Chain.Final must equal
//     the value Eval stored — the conformance tests and the built-model tests
//     check every element.
//   - Explain only reads. It changes no kernel state (no scratch buffers, no
//     lazily built tables: a kernel whose table depends on run-time operands
//     refuses to explain before the first Eval), so the exporter may call it
//     from several goroutines at once, each with its own Chain, after Invoke
//     has returned. A test explains every element from four goroutines under
//     the race detector (.ci/run runs it with -race).
//   - Data movement is declared, never inferred: when an output element is
//     one input element copied unchanged, the kernel records it with
//     recordMove, which sets Chain.Moved and Chain.Move. The float shadow
//     copies that element's reference value; a computed value is never
//     Moved, even when it happens to equal one of its sources.
//   - Explanations are bounded: a kernel records the input elements it read
//     with addSources and the products it accumulated with addTerm (or
//     recordTerms), never by appending to Chain.Sources or Chain.Terms, so a
//     chain keeps at most MaxRecorded of each and counts the rest, however
//     large the reduction (TestKernelsRecordThroughTheCap scans the files).
//   - Errors wrap this package's sentinels (ErrUnsupportedType, ErrBadShape,
//     ErrMissingOptions, ...) with the operator and the tensors involved;
//     a kernel never panics on a model the tflite reader accepted.
//
// # Adding an operator
//
//  1. kernels/<op>.go: the kernel type, whose doc comment gives the formula
//     and the TFLite-Micro source (function and file) it follows; its
//     prepare function; Eval and Explain sharing one per-element function;
//     Describe (Describer) when it derives requantization parameters, so
//     that `inspect` shows them. Fixed-point arithmetic comes from
//     fixedpoint.go — add a primitive there, with edge-case tests, rather
//     than inline.
//  2. A row in opTable (ops.go): the prepare function, the data-input
//     dtypes it accepts and the operands' roles; the kernels of other
//     implementations where they compute differently (impls), each checked
//     by the conformance suite of every runtime that uses it.
//  3. Its builtin options table decoded by the reader (optionsTables in
//     tflite/options.go, schema field ids and defaults; the writer uses the
//     same table).
//  4. A row in the float shadow's table (trace/shadow_ops.go): a float
//     reference kernel, `moves` for pure data movement, or `none` with the
//     reason.
//  5. Built-model cases in trace/built_test.go: models the project builds
//     itself, checked against reference arithmetic from internal/oracle
//     (never the kernel's own functions); kernel unit tests in
//     kernels/<op>_test.go for the edge cases.
//  6. A byte-exact conformance case in the shared goldens ($TFLQ_SHARED,
//     opzoo/), run by trace's TestOpzoo; TestOpTableCoverage fails while
//     none exercises the operator.
//
// TestAddOperatorChecklist (trace) fails when item 2, 3, 4 or 5 is
// missing; TestOpTableCoverage when item 6 is.
//
// # Known mistakes
//
// `tflq-trace check` names the mistake behind a user's numbers from a
// catalogue (Mistake, mistakes.go). An operator joins it with one method
// beside its kernel, mistakeModel() (*MistakeModel, error), in a file of its
// own (mistakes_mac.go, mistakes_quantize.go, mistakes_add.go,
// mistakes_pool.go, mistakes_softmax.go): the set of mistakes that can
// change its output (Applicable), every output element under a Hypothesis
// (Values: compute each distinct accumulator once, apply the output-stage
// mistakes per element), one element's chain under it with the step names of
// the kernel's own chain (Explain), and a sentence per mistake with the
// operator's numbers (Sentence). trace's TestMistakeModelsAgreeWithKernels
// checks that the model without mistakes is the kernel, element for
// element, and that every chain ends at Values' value; cmd/tflq-trace's
// TestCheckNamesInjectedMistakes that check names mistakes built by
// independent reference arithmetic.
package kernels
