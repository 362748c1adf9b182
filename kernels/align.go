package kernels

// Aligning the chains of one element computed by two runtimes (or two
// implementations), for `explain --runtimes A,B` and the UI's chain pair.

// StepPair is one row of two chains aligned side by side: a step of each
// chain, nil where that chain has no step of the row's name there.
type StepPair struct{ A, B *Step }

// Name is the row's step name.
func (p StepPair) Name() string {
	if p.A != nil {
		return p.A.Name
	}
	if p.B != nil {
		return p.B.Name
	}
	return ""
}

// Differs reports whether the two chains part on this row: a stage only one
// of them has, or a shared stage with a different value.
func (p StepPair) Differs() bool {
	return p.A == nil || p.B == nil || p.A.Value != p.B.Value
}

// Mark is the row's marker in a side-by-side view: "▶" on the first row
// where the chains part (row index i == parted, FirstParting's), "≠" on
// every other row that differs, " " elsewhere.
func (p StepPair) Mark(i, parted int) string {
	switch {
	case i == parted:
		return "▶"
	case p.Differs():
		return "≠"
	}
	return " "
}

// AlignChains pairs the steps of two chains by name, in order: a longest
// common subsequence of the step names stands on shared rows, so that the
// stages both computations have (offsets, acc, bias, zp, clamp) line up and
// each one's own stages (srdhm and rdbpot against a single rounding's
// product and round_shift, say) get rows of their own. Where several
// alignments are equally long, a's own steps come before b's. The pairs
// point into a.Steps and b.Steps.
func AlignChains(a, b *Chain) []StepPair {
	as, bs := a.Steps, b.Steps
	n, m := len(as), len(bs)
	// lcs[i][j] is the length of a longest common subsequence of the names
	// of as[i:] and bs[j:].
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if as[i].Name == bs[j].Name {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	rows := make([]StepPair, 0, max(n, m))
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && as[i].Name == bs[j].Name:
			rows = append(rows, StepPair{&as[i], &bs[j]})
			i, j = i+1, j+1
		case j == m || (i < n && lcs[i+1][j] >= lcs[i][j+1]):
			rows = append(rows, StepPair{A: &as[i]})
			i++
		default:
			rows = append(rows, StepPair{B: &bs[j]})
			j++
		}
	}
	return rows
}

// FirstParting is the index of the first row where the chains part
// (StepPair.Differs), -1 when they agree at every step.
func FirstParting(rows []StepPair) int {
	for i, r := range rows {
		if r.Differs() {
			return i
		}
	}
	return -1
}
