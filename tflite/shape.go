package tflite

import "strconv"

// ShapeString writes a shape (or coordinates, or a shape signature with -1
// for a dynamic size) as every output of the tool does: [1,96,96,1]. Go's
// %v would write [1 96 96 1]; kernels.Shape prints through this function.
func ShapeString[D ~int | ~int32](shape []D) string {
	b := make([]byte, 0, 2+4*len(shape))
	b = append(b, '[')
	for i, d := range shape {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(d), 10)
	}
	return string(append(b, ']'))
}
