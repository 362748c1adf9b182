package kernels

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func chainOf(names string, values ...int64) *Chain {
	c := &Chain{}
	for i, n := range strings.Fields(names) {
		var v int64
		if i < len(values) {
			v = values[i]
		}
		c.Steps = append(c.Steps, Step{Name: n, Value: v})
	}
	return c
}

// rowString renders rows as "a|b" per row ("-" for a missing side).
func rowString(rows []StepPair) string {
	var parts []string
	for _, r := range rows {
		a, b := "-", "-"
		if r.A != nil {
			a = r.A.Name
		}
		if r.B != nil {
			b = r.B.Name
		}
		parts = append(parts, a+"|"+b)
	}
	return strings.Join(parts, " ")
}

// TestAlignChainsRoundings: TFLite-Micro's double rounding against its
// single rounding (the shapes of the real chains): the shared stages share
// rows, srdhm/rdbpot and product/round_shift get their own, double's first,
// and the first parting row is srdhm even though the final values agree.
func TestAlignChainsRoundings(t *testing.T) {
	a := chainOf("input_offset filter_offset terms acc bias acc_bias M srdhm rdbpot zp clamp",
		128, 0, 9, 0, -21776, -21776, 1844840650, -18707, -37, -165, -128)
	b := chainOf("input_offset filter_offset terms acc bias acc_bias M product round_shift zp clamp",
		128, 0, 9, 0, -21776, -21776, 1844840650, -40173249994400, -37, -165, -128)
	rows := AlignChains(a, b)
	want := "input_offset|input_offset filter_offset|filter_offset terms|terms acc|acc bias|bias acc_bias|acc_bias M|M " +
		"srdhm|- rdbpot|- -|product -|round_shift zp|zp clamp|clamp"
	if got := rowString(rows); got != want {
		t.Fatalf("rows\n%s\nwant\n%s", got, want)
	}
	if p := FirstParting(rows); p != 7 || rows[p].Name() != "srdhm" {
		t.Errorf("first parting row %d (%q), want 7 (srdhm)", p, rows[p].Name())
	}
	// A shared stage with a different value parts the chains too.
	b.Steps[6].Value++
	if p := FirstParting(AlignChains(a, b)); p != 6 {
		t.Errorf("after changing M in b, first parting row %d, want 6", p)
	}
	same := AlignChains(a, a)
	if FirstParting(same) != -1 || len(same) != len(a.Steps) {
		t.Errorf("a chain against itself: %d rows, first parting %d; want %d rows, -1", len(same), FirstParting(same), len(a.Steps))
	}
	if rows := AlignChains(&Chain{}, b); len(rows) != len(b.Steps) || rows[0].A != nil || FirstParting(rows) != 0 {
		t.Errorf("empty against b: %s", rowString(rows))
	}
}

// lcsLen is the longest common subsequence of two name lists, by plain
// recursion (small inputs only).
func lcsLen(a, b []string) int {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	if a[0] == b[0] {
		return 1 + lcsLen(a[1:], b[1:])
	}
	return max(lcsLen(a[1:], b), lcsLen(a, b[1:]))
}

// TestAlignChainsRandom: on random step-name sequences, the rows keep each
// chain's steps in order and complete, shared rows pair equal names, and
// there are as many shared rows as the longest common subsequence.
func TestAlignChainsRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"acc", "bias", "M", "srdhm", "zp", "clamp"}
	for iter := 0; iter < 2000; iter++ {
		var an, bn []string
		for range rng.IntN(7) {
			an = append(an, alphabet[rng.IntN(len(alphabet))])
		}
		for range rng.IntN(7) {
			bn = append(bn, alphabet[rng.IntN(len(alphabet))])
		}
		a, b := chainOf(strings.Join(an, " ")), chainOf(strings.Join(bn, " "))
		rows := AlignChains(a, b)
		var ga, gb []string
		shared := 0
		for _, r := range rows {
			switch {
			case r.A != nil && r.B != nil:
				if r.A.Name != r.B.Name {
					t.Fatalf("%v / %v: a shared row pairs %s with %s", an, bn, r.A.Name, r.B.Name)
				}
				shared++
			case r.A == nil && r.B == nil:
				t.Fatalf("%v / %v: an empty row", an, bn)
			}
			if r.A != nil {
				ga = append(ga, r.A.Name)
			}
			if r.B != nil {
				gb = append(gb, r.B.Name)
			}
		}
		if strings.Join(ga, " ") != strings.Join(an, " ") || strings.Join(gb, " ") != strings.Join(bn, " ") {
			t.Fatalf("%v / %v: rows hold %v / %v", an, bn, ga, gb)
		}
		if want := lcsLen(an, bn); shared != want {
			t.Fatalf("%v / %v: %d shared rows, longest common subsequence %d", an, bn, shared, want)
		}
	}
}
