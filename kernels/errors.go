package kernels

import "errors"

// Sentinel errors returned (wrapped with the op and tensors involved) by
// Prepare and Eval.
var (
	ErrUnsupportedOp   = errors.New("unsupported operator")
	ErrUnsupportedType = errors.New("unsupported dtype")
	ErrBadShape        = errors.New("bad shape")
	ErrBadQuantization = errors.New("bad quantization")
	ErrMissingInput    = errors.New("missing input")
	ErrMissingOptions  = errors.New("missing builtin options")
	ErrNotConstant     = errors.New("input must be constant")
	ErrBadElement      = errors.New("element out of range")
	ErrRuntime         = errors.New("runtime check failed")
)
