package oracle

import (
	"math"
	"testing"
)

func TestFloatReferences(t *testing.T) {
	if Logistic(0) != 0.5 || math.Abs(Logistic(2)+Logistic(-2)-1) > 1e-15 {
		t.Errorf("Logistic(0) = %v, Logistic(2) + Logistic(−2) = %v", Logistic(0), Logistic(2)+Logistic(-2))
	}
	row := []float64{1, 2, 3, -700} // −700: e^(x − max) underflows harmlessly
	p := Softmax(row, 1)
	var sum float64
	for _, v := range p {
		sum += v
	}
	if math.Abs(sum-1) > 1e-15 || math.Abs(p[2]/p[1]-math.E) > 1e-12 || p[3] > 1e-300 {
		t.Errorf("Softmax = %v (sum %v)", p, sum)
	}
	if q := Softmax([]float64{1, 1, 1, 1}, 0.7); q[0] != 0.25 || q[3] != 0.25 {
		t.Errorf("uniform row: %v", q)
	}
	// β scales the differences: softmax(x, β) = softmax(β·x, 1).
	b := Softmax(row[:3], 0.5)
	c := Softmax([]float64{0.5, 1, 1.5}, 1)
	for i := range b {
		if math.Abs(b[i]-c[i]) > 1e-15 {
			t.Errorf("beta: %v vs %v", b, c)
		}
	}
	ls := LogSoftmax(row)
	for i, v := range ls {
		if i < 3 && math.Abs(v-math.Log(p[i])) > 1e-14 {
			t.Errorf("LogSoftmax[%d] = %v, log softmax %v", i, v, math.Log(p[i]))
		}
	}
	if ls[3] > -700 {
		t.Errorf("LogSoftmax keeps the far value finite: %v", ls[3])
	}
}
