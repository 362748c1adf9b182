package kernels

import (
	"fmt"
	"math"

	"github.com/tflq/tflq-trace/tflite"
)

// eluKernel is ELU (int8), after TFLite-Micro's elu.cc: a 256-entry lookup
// table built in Prepare (PopulateLookupTable, float32 throughout) and indexed
// by the raw input. For every int8 value v:
//
//	f     = s_in · (v − zp_in)                        float32
//	e     = f < 0 ? expf(f) − 1 : f                   float32
//	table = clamp(int32(roundf(e · (1/s_out)) + zp_out), −128, 127)
//
// and Eval stores y = table[uint8(x)]. The rounding rule does not apply.
type eluKernel struct {
	node    *Node
	in, out *Tensor
	table   [256]int8
}

// eluTransform is the float32 ELU of TFLite-Micro's table: expf(v) − 1 below 0.
func eluTransform(v float32) float32 {
	if v < 0 {
		return ExpFloat32(v) - 1
	}
	return v
}

// prepareElu prepares an ELU node (see eluKernel for the formula).
func prepareElu(n *Node) (Kernel, error) {
	in, out, err := unaryQuantOperands(n, tflite.TypeInt8)
	if err != nil {
		return nil, err
	}
	k := &eluKernel{node: n, in: in, out: out}
	inverseScale := 1 / out.Scale0()
	for v := int32(math.MinInt8); v <= math.MaxInt8; v++ {
		k.table[uint8(int8(v))] = int8(eluTableEntry(v, in.Scale0(), in.ZP0(), inverseScale, out.ZP0()))
	}
	return k, nil
}

// eluTableEntry computes one table value exactly as PopulateLookupTable does.
func eluTableEntry(v int32, inScale float32, inZP int32, inverseOutScale float32, outZP int32) int32 {
	dequantized := inScale * float32(v-inZP)
	transformed := eluTransform(dequantized)
	rescaled := float32(math.Round(float64(transformed * inverseOutScale)))
	quantized := int32(rescaled + float32(outZP))
	return Clamp32(quantized, math.MinInt8, math.MaxInt8)
}

func (k *eluKernel) Eval() error {
	in, out := k.in.Int8(), k.out.Int8()
	if len(in) != len(out) {
		return fmt.Errorf("%w: ELU sizes differ", ErrBadShape)
	}
	for i, x := range in {
		out[i] = k.table[uint8(x)]
	}
	return nil
}

func (k *eluKernel) Explain(out, elem int, c *Chain) error {
	if err := checkExplainTarget(k.node, out, elem); err != nil {
		return err
	}
	x := k.in.Int8()[elem]
	c.addSources(Source{Input: 0, Element: elem})
	inScale, inZP, outScale, outZP := k.in.Scale0(), k.in.ZP0(), k.out.Scale0(), k.out.ZP0()
	dequantized := inScale * float32(int32(x)-inZP)
	transformed := eluTransform(dequantized)
	scaled := transformed * (1 / outScale)
	y := k.table[uint8(x)]
	c.AddReal("x", int64(x), float64(dequantized), "raw input; real value s_in·(x − zp_in) in float32", "x = %d", x)
	c.Add("index", int64(uint8(x)), "table index: the raw input as uint8", "uint8(%d) = %d", x, uint8(x))
	c.AddReal("elu", int64(math.Round(float64(scaled))), float64(transformed),
		"table entry, built in Prepare: roundf((f < 0 ? expf(f) − 1 : f) / s_out), f = s_in·(x − zp_in)",
		"roundf(%g / %g) = %g", transformed, outScale, math.Round(float64(scaled)))
	c.Add("zp", int64(math.Round(float64(scaled)))+int64(outZP), "plus the output zero point", "%g + %d", math.Round(float64(scaled)), outZP)
	s := c.AddReal("table", int64(y), float64(outScale)*float64(int32(y)-outZP), "clamped to int8: the stored table value", "table[%d] = %d", uint8(x), y)
	s.Changed = int64(y) != int64(math.Round(float64(scaled)))+int64(outZP)
	c.Final = int64(y)
	return nil
}
