package trace

import (
	"fmt"
	"strings"

	"github.com/tflq/tflq-trace/kernels"
	"github.com/tflq/tflq-trace/tflite"
)

// TermOperands names the two elements of a multiply-accumulate term by
// role and coordinates, as a student indexes them: CONV_2D
// "input[y=4,x=7,c=0]" and "weights[oc=3,ky=1,kx=2,ic=0]", DEPTHWISE_CONV_2D
// "weights[ky=1,kx=2,oc=5]", FULLY_CONNECTED "input[k=12]" and
// "weights[o=3,k=12]" (the batch coordinate only when there are several).
// Other operators get their roles with plain coordinates.
func TermOperands(n *kernels.Node, t kernels.Term) (input, weight string) {
	dataPos, weightPos := 0, 1
	if n.Op == tflite.OpTransposeConv {
		dataPos = 2
	}
	in, w := n.Input(dataPos), n.Input(weightPos)
	inRole, wRole := kernels.InputRole(n.Op, dataPos), kernels.InputRole(n.Op, weightPos)
	if in == nil || w == nil {
		return fmt.Sprintf("%s[%d]", inRole, t.InputIndex), fmt.Sprintf("%s[%d]", wRole, t.WeightIndex)
	}
	switch n.Op {
	case tflite.OpConv2D, tflite.OpDepthwiseConv2D, tflite.OpTransposeConv:
		if in.Rank() == 4 && w.Rank() == 4 {
			input = named(inRole, kernels.Unravel(t.InputIndex, in.Shape), []string{"n", "y", "x", "c"}, in.Shape[0] > 1)
			wc := kernels.Unravel(t.WeightIndex, w.Shape)
			if n.Op == tflite.OpDepthwiseConv2D {
				return input, named(wRole, wc[1:], []string{"ky", "kx", "oc"}, true)
			}
			return input, named(wRole, wc, []string{"oc", "ky", "kx", "ic"}, true)
		}
	case tflite.OpFullyConnected:
		if w.Rank() == 2 && w.Shape[1] > 0 {
			depth := w.Shape[1]
			b, k := t.InputIndex/depth, t.InputIndex%depth
			input = named(inRole, []int{b, k}, []string{"b", "k"}, in.NumElements() > depth)
			return input, named(wRole, kernels.Unravel(t.WeightIndex, w.Shape), []string{"o", "k"}, true)
		}
	}
	return plain(inRole, kernels.Unravel(t.InputIndex, in.Shape)), plain(wRole, kernels.Unravel(t.WeightIndex, w.Shape))
}

// named writes role[a=1,b=2,...], leaving out the first coordinate (a
// batch) unless keepFirst.
func named(role string, coords []int, names []string, keepFirst bool) string {
	var parts []string
	for i, c := range coords {
		if i == 0 && !keepFirst {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s=%d", names[i], c))
	}
	return role + "[" + strings.Join(parts, ",") + "]"
}

// plain writes role[1,2,...].
func plain(role string, coords []int) string {
	parts := make([]string, len(coords))
	for i, c := range coords {
		parts[i] = fmt.Sprint(c)
	}
	return role + "[" + strings.Join(parts, ",") + "]"
}
