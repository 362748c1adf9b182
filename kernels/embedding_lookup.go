package kernels

import (
	"fmt"
	"math"

	"github.com/tflq/tflq-trace/tflite"
)

// prepareEmbeddingLookup prepares an EMBEDDING_LOOKUP node. EMBEDDING_LOOKUP
// copies rows of a table (input 1, rank ≥ 2) selected by row numbers (input 0,
// int32 vector, read when the operator runs):
//
//	output[i, …] = value[lookup[i], …]
//
// a row number outside [0, rows) fails the Eval. The hybrid form (int8 table,
// float32 output) dequantizes as TFLite-Micro's EvalHybrid does, with the
// table's scale s (its zero point must be 0):
//
//	output[i, j] = s · float32(value[lookup[i], j])     (one float32 product)
//
// Explanations of the float32 form record the stored float's bits in Final,
// int64(math.Float32bits(y)). Dtypes: float32 → float32, int8 → int8,
// int8 → float32.
func prepareEmbeddingLookup(n *Node) (Kernel, error) {
	lookup, value, out := n.Input(0), n.Input(1), firstOutput(n)
	if err := checkIndexType(n, lookup, "lookup", false); err != nil {
		return nil, err
	}
	if lookup.Rank() != 1 {
		return nil, fmt.Errorf("%w: EMBEDDING_LOOKUP lookup has rank %d, needs 1", ErrBadShape, lookup.Rank())
	}
	if value == nil || out == nil {
		return nil, fmt.Errorf("%w: EMBEDDING_LOOKUP needs lookup, value and output", ErrMissingInput)
	}
	if value.Rank() < 2 {
		return nil, fmt.Errorf("%w: EMBEDDING_LOOKUP value has rank %d, needs at least 2", ErrBadShape, value.Rank())
	}
	want := append([]int{lookup.Shape[0]}, value.Shape[1:]...)
	if err := checkShape(n, out, want); err != nil {
		return nil, err
	}
	rows, cols := value.Shape[0], NumElements(value.Shape[1:])
	if value.Type == tflite.TypeInt8 && out.Type == tflite.TypeFloat32 {
		if len(value.Data) != value.NumElements() {
			return nil, fmt.Errorf("%w: EMBEDDING_LOOKUP value buffer does not match its shape", ErrBadShape)
		}
		if !value.Quantized() || value.ZP0() != 0 {
			return nil, fmt.Errorf("%w: hybrid EMBEDDING_LOOKUP needs a quantized table with zero point 0", ErrBadQuantization)
		}
		return &embeddingHybridKernel{n: n, lookup: lookup, value: value, out: out, rows: rows, cols: cols, scale: value.Scale0()}, nil
	}
	if err := checkDataType(n, value, []*Tensor{out}, tflite.TypeFloat32, tflite.TypeInt8); err != nil {
		return nil, err
	}
	build := func(k *moveKernel) error {
		src, from := k.src[0], k.from[0]
		for e := range src {
			i, j := e/cols, e%cols
			row := int(lookup.Int(i))
			if row < 0 || row >= rows {
				return fmt.Errorf("%w: EMBEDDING_LOOKUP row %d outside [0, %d)", ErrRuntime, row, rows)
			}
			src[e], from[e] = int32(row*cols+j), 1
		}
		return nil
	}
	k, err := newMoveKernel(n, []*Tensor{out}, "embedding lookup", build, lookup)
	if err != nil {
		return nil, err
	}
	k.explainDecision = func(_, elem int, c *Chain) {
		i := elem / cols
		c.addSources(Source{Input: 0, Element: i})
		c.Add("row", lookup.Int(i), "the row number lookup[i]", "lookup[%d] = %d", i, lookup.Int(i))
	}
	return k, nil
}

// embeddingHybridKernel is the int8 table → float32 output form.
type embeddingHybridKernel struct {
	n                  *Node
	lookup, value, out *Tensor
	rows, cols         int
	scale              float32
}

// element computes output element e (recording the steps in c when non-nil).
func (k *embeddingHybridKernel) element(e int, c *Chain) (float32, error) {
	i, j := e/k.cols, e%k.cols
	row := int(k.lookup.Int(i))
	if row < 0 || row >= k.rows {
		return 0, fmt.Errorf("%w: EMBEDDING_LOOKUP row %d outside [0, %d)", ErrRuntime, row, k.rows)
	}
	at := row*k.cols + j
	q := int8(k.value.Data[at])
	y := k.scale * float32(q)
	if c != nil {
		c.addSources(Source{Input: 0, Element: i}, Source{Input: 1, Element: at})
		c.Add("row", int64(row), "the row number lookup[i]", "lookup[%d] = %d", i, row)
		c.Add("input", int64(q), "the raw table value", "value[%d, %d] = %d", row, j, q)
		c.AddReal("scale", int64(math.Float32bits(y)), float64(y), "times the table scale in float32 (zero point 0)",
			"%g · %d = %g", k.scale, q, y)
		c.Final = int64(math.Float32bits(y))
	}
	return y, nil
}

func (k *embeddingHybridKernel) Eval() error {
	dst := k.out.Float32()
	for e := range dst {
		y, err := k.element(e, nil)
		if err != nil {
			return err
		}
		dst[e] = y
	}
	return nil
}

func (k *embeddingHybridKernel) Explain(out, elem int, c *Chain) error {
	if err := checkExplainTarget(k.n, out, elem); err != nil {
		return err
	}
	_, err := k.element(elem, c)
	return err
}
