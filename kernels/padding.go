package kernels

import "github.com/tflq/tflq-trace/tflite"

// ComputeOutSize is TFLite's ComputeOutSize: the output length of one spatial
// axis under padding (0 for an unknown padding scheme or a zero stride).
func ComputeOutSize(padding tflite.Padding, in, filter, stride, dilation int) int {
	eff := (filter-1)*dilation + 1
	if stride == 0 {
		return 0
	}
	switch padding {
	case tflite.PaddingSame:
		return (in + stride - 1) / stride
	case tflite.PaddingValid:
		return (in + stride - eff) / stride
	}
	return 0
}

// padBefore is the padding before the first element of one axis (see
// ComputePadding).
func padBefore(stride, dilation, in, filter, out int) int {
	eff := (filter-1)*dilation + 1
	total := (out-1)*stride + eff - in
	if total < 0 {
		total = 0
	}
	return total / 2
}

// ComputePadding returns the top (padH) and left (padW) padding of a
// convolution or pool, matching TFLite's ComputePaddingHeightWidth
// (tensorflow/lite/kernels/padding.h) for the given output size (the offsets
// are ignored, as TFLite-Micro does).
//
// With the effective filter size eff = (filter−1)·dilation + 1, the total
// padding along one axis is (out−1)·stride + eff − in, floored at 0; the
// padding before the first element is half of it, rounded down (the odd
// remainder, TFLite's "offset", goes after the last element and TFLite-Micro's
// kernels ignore it). VALID padding always yields 0 because its output size
// never needs any.
func ComputePadding(padding tflite.Padding, strideH, strideW, dilationH, dilationW, inH, inW, filterH, filterW, outH, outW int) (padH, padW int) {
	if padding == tflite.PaddingValid {
		return 0, 0
	}
	return padBefore(strideH, dilationH, inH, filterH, outH), padBefore(strideW, dilationW, inW, filterW, outW)
}
