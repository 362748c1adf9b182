package kernels

// Glue between the kernels' tests and internal/oracle, the one independent
// statement of TFLite's arithmetic that the tests check the kernels against:
// the tests describe a case in their own terms, these helpers translate it.

import (
	"github.com/tflq/tflq-trace/internal/oracle"
	"github.com/tflq/tflq-trace/tflite"
)

// oracleRounding is the oracle's name for rounding rule r.
func oracleRounding(r Rounding) oracle.Rounding {
	if r == RoundingSingle {
		return oracle.Single
	}
	return oracle.Double
}

// refStage is the oracle output stage of a multiply-accumulate kernel with
// output type typ: reals holds one real multiplier per output channel (one
// entry: per tensor); the output zero point is added for int8 only (TFLite's
// int16 kernels have no output offset); the clamp range is the fused
// activation's; wide selects the 64-bit accumulator.
func refStage(typ tflite.TensorType, reals []float64, outScale float32, outZP int64, act tflite.Activation, wide bool, r Rounding) oracle.OutputStage {
	lo, hi := oracle.ActivationRange(act, typ, outScale, outZP)
	if typ == tflite.TypeInt16 {
		outZP = 0
	}
	return oracle.OutputStage{Reals: reals, ZeroPoint: outZP, Min: lo, Max: hi, Wide: wide, Rounding: oracleRounding(r)}
}

// refInputOffset is a MAC kernel's input offset: −zp for int8 inputs, none
// for int16.
func refInputOffset(typ tflite.TensorType, zp int64) int64 {
	if typ == tflite.TypeInt16 {
		return 0
	}
	return -zp
}
