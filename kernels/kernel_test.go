package kernels

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

// TestShapePrints: a tensor's shape formatted with %v (as kernel error
// messages do) reads [1,96,96,1], like every other output of the tool, and
// so do the shapes kernels derive as plain []int.
func TestShapePrints(t *testing.T) {
	tn := NewTensor(tflite.TypeInt8, []int{1, 96, 96, 1})
	if got := fmt.Sprintf("%v", tn.Shape); got != "[1,96,96,1]" {
		t.Errorf("%%v of a tensor's shape = %s, want [1,96,96,1]", got)
	}
	if got := fmt.Sprint(Shape{}); got != "[]" {
		t.Errorf("scalar shape = %s, want []", got)
	}
	_, _, err := NewBroadcast([]int{2, 3}, []int{4})
	if err == nil || !strings.Contains(err.Error(), "shapes [2,3] and [4] do not broadcast") {
		t.Errorf("NewBroadcast error %v, want the shapes written [2,3] and [4]", err)
	}
}
