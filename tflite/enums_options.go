package tflite

// BuiltinOptionsType is the tag of the Operator.builtin_options union: which
// options table an operator carries.
type BuiltinOptionsType uint8

// OptionsNone means the operator has no builtin options table.
const OptionsNone BuiltinOptionsType = 0
