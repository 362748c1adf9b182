package kernels

import (
	"errors"
	"testing"

	"github.com/tflq/tflq-trace/internal/oracle"
	"github.com/tflq/tflq-trace/tflite"
)

// ewFill sets every element of t from f(i).
func ewFill(t *Tensor, f func(i int) int64) {
	for i := 0; i < t.NumElements(); i++ {
		switch t.Type {
		case tflite.TypeInt8:
			t.Int8()[i] = int8(f(i))
		case tflite.TypeInt16:
			t.Int16()[i] = int16(f(i))
		}
	}
}

// ewCheckExplain explains every output element of a prepared, evaluated
// kernel and checks that the chain ends on the value Eval stored, that it has
// the named steps, and that its last step is that value.
func ewCheckExplain(t *testing.T, k Kernel, out *Tensor, steps ...string) []*Chain {
	t.Helper()
	got := arValues(out)
	chains := make([]*Chain, len(got))
	for e := range got {
		c := &Chain{}
		if err := k.Explain(0, e, c); err != nil {
			t.Fatalf("Explain(0, %d): %v", e, err)
		}
		if c.Final != got[e] {
			t.Fatalf("element %d: Explain Final %d, Eval stored %d", e, c.Final, got[e])
		}
		if len(c.Steps) == 0 || c.Steps[len(c.Steps)-1].Value != c.Final {
			t.Fatalf("element %d: last step %+v does not hold Final %d", e, c.Steps, c.Final)
		}
		names := map[string]bool{}
		for _, s := range c.Steps {
			names[s.Name] = true
		}
		for _, n := range steps {
			if !names[n] {
				t.Fatalf("element %d: no %q step in %+v", e, n, c.Steps)
			}
		}
		chains[e] = c
	}
	if err := k.Explain(0, len(got), &Chain{}); !errors.Is(err, ErrBadElement) {
		t.Fatalf("Explain past the end: %v, want ErrBadElement", err)
	}
	if err := k.Explain(1, 0, &Chain{}); !errors.Is(err, ErrBadElement) {
		t.Fatalf("Explain of output 1: %v, want ErrBadElement", err)
	}
	return chains
}

func TestBroadcast(t *testing.T) {
	tests := []struct {
		name string
		a, b []int
		out  []int
		same bool
	}{
		{"same", []int{2, 3}, []int{2, 3}, []int{2, 3}, true},
		{"scalar rank0", []int{2, 3, 4}, []int{}, []int{2, 3, 4}, false},
		{"scalar 1", []int{1}, []int{2, 3}, []int{2, 3}, false},
		{"channel", []int{1, 2, 3, 4}, []int{4}, []int{1, 2, 3, 4}, false},
		{"4d both ways", []int{1, 3, 1, 4}, []int{1, 1, 5, 4}, []int{1, 3, 5, 4}, false},
		{"3d column", []int{2, 1, 3}, []int{2, 4, 1}, []int{2, 4, 3}, false},
		{"5d", []int{2, 1, 3, 1, 2}, []int{1, 4, 1, 5, 2}, []int{2, 4, 3, 5, 2}, false},
		{"6d", []int{2, 1, 2, 1, 2, 1}, []int{1, 2, 1, 2, 1, 2}, []int{2, 2, 2, 2, 2, 2}, false},
		{"same flat size, different rank", []int{1, 6}, []int{6}, []int{1, 6}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bc, out, err := NewBroadcast(tc.a, tc.b)
			if err != nil {
				t.Fatal(err)
			}
			if !sameShape(out, tc.out) || bc.Same != tc.same {
				t.Fatalf("output %v same %v, want %v same %v", out, bc.Same, tc.out, tc.same)
			}
			cur := bc.Cursor()
			for e := 0; e < NumElements(out); e++ {
				i1, i2 := bc.Index(e)
				w1, w2 := oracle.BroadcastIndex(out, tc.a, e), oracle.BroadcastIndex(out, tc.b, e)
				if i1 != w1 || i2 != w2 {
					t.Fatalf("element %d: Index = (%d, %d), want (%d, %d)", e, i1, i2, w1, w2)
				}
				if !bc.Same && (cur.I1 != w1 || cur.I2 != w2) {
					t.Fatalf("element %d: cursor at (%d, %d), want (%d, %d)", e, cur.I1, cur.I2, w1, w2)
				}
				cur.Next()
			}
		})
	}
	for _, bad := range [][2][]int{
		{{2, 3}, {3, 2}},
		{{4}, {3}},
		{{1, 1, 1, 1, 1, 1, 2}, {2}},
	} {
		if _, _, err := NewBroadcast(bad[0], bad[1]); !errors.Is(err, ErrBadShape) {
			t.Errorf("NewBroadcast(%v, %v) error %v, want ErrBadShape", bad[0], bad[1], err)
		}
	}
}
