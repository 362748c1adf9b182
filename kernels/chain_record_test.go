package kernels

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestChainKeepsMaxRecorded: a chain keeps exactly MaxRecorded terms and
// sources, counts (and for terms sums) the rest, and Reset forgets the
// counts while keeping the capacity.
func TestChainKeepsMaxRecorded(t *testing.T) {
	for _, extra := range []int{0, 1, 1000} {
		var c Chain
		n := MaxRecorded + extra
		var sum int64
		for i := range n {
			p := int64(i%7 - 3)
			sum += p
			c.addTerm(Term{InputIndex: i, Product: p})
			c.addSources(Source{Element: i})
		}
		if len(c.Terms) != MaxRecorded || c.TermsOmitted != extra || c.TermCount() != n || c.TermSum() != sum {
			t.Errorf("+%d: terms kept %d omitted %d count %d sum %d; want %d %d %d %d",
				extra, len(c.Terms), c.TermsOmitted, c.TermCount(), c.TermSum(), MaxRecorded, extra, n, sum)
		}
		if len(c.Sources) != MaxRecorded || c.SourcesOmitted != extra || c.SourceCount() != n {
			t.Errorf("+%d: sources kept %d omitted %d count %d; want %d %d %d",
				extra, len(c.Sources), c.SourcesOmitted, c.SourceCount(), MaxRecorded, extra, n)
		}
		if last := c.Terms[MaxRecorded-1]; last.InputIndex != MaxRecorded-1 || c.Sources[MaxRecorded-1].Element != MaxRecorded-1 {
			t.Errorf("+%d: the last kept are term %d and source %d, want the first MaxRecorded in order", extra, last.InputIndex, c.Sources[MaxRecorded-1].Element)
		}
		if cap(c.Terms) != MaxRecorded || cap(c.Sources) != MaxRecorded {
			t.Errorf("+%d: capacities %d and %d, want no more than MaxRecorded", extra, cap(c.Terms), cap(c.Sources))
		}
		c.Reset()
		if c.TermsOmitted != 0 || c.TermsOmittedSum != 0 || c.SourcesOmitted != 0 || c.TermCount() != 0 || c.SourceCount() != 0 || cap(c.Terms) != MaxRecorded {
			t.Errorf("+%d: after Reset %+v", extra, c)
		}
	}
	// Reserving room for a deep accumulation allocates once, capped.
	var c Chain
	c.reserveTerms(1 << 24)
	c.reserveSources(3)
	if cap(c.Terms) != MaxRecorded || cap(c.Sources) != 16 {
		t.Errorf("reserved capacities %d and %d, want %d and 16", cap(c.Terms), cap(c.Sources), MaxRecorded)
	}
	if allocs := testing.AllocsPerRun(10, func() {
		c.Reset()
		for i := range MaxRecorded + 5 {
			c.addTerm(Term{Product: int64(i)})
		}
	}); allocs != 0 {
		t.Errorf("refilling a reset chain allocates %v times, want 0", allocs)
	}
}

// TestKernelsRecordThroughTheCap: no kernel appends to a chain's Sources or
// Terms directly — every recording goes through addSources/addTerm, which
// keep at most MaxRecorded (the package doc's contract). A kernel that
// appended would bring back explanations that grow with the reduction
// (FuzzPipeline's 355 MiB MEAN).
func TestKernelsRecordThroughTheCap(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil || len(files) < 50 {
		t.Fatalf("kernel sources: %d files, %v", len(files), err)
	}
	direct := regexp.MustCompile(`\.(Sources|Terms)\s*=\s*append\(`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || f == "explain.go" {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(data), "\n") {
			if direct.MatchString(line) {
				t.Errorf("%s:%d appends to a chain directly (use addSources/addTerm): %s", f, i+1, strings.TrimSpace(line))
			}
		}
	}
}
