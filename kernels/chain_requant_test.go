package kernels

import "testing"

// TestChainRecordsRequantizations: the shared output stages record the
// multiplier they applied and their rule, pointing at their "M" step, and
// Reset forgets them (and the channel).
func TestChainRecordsRequantizations(t *testing.T) {
	q := QuantizedMultiplier{Multiplier: 1363200814, Shift: -11}
	for _, tc := range []struct {
		r    Rounding
		rule string
	}{{RoundingDouble, RuleDoubleRounding}, {RoundingSingle, RuleSingleRounding}} {
		c := &Chain{}
		got := Requantize(12345, q, tc.r, 3, -128, 127, c)
		if got != Requantize(12345, q, tc.r, 3, -128, 127, nil) {
			t.Fatalf("%v: explained value differs", tc.r)
		}
		if len(c.Requantizations) != 1 {
			t.Fatalf("%v: %d requantizations", tc.r, len(c.Requantizations))
		}
		rq := c.Requantizations[0]
		if rq.Rule != tc.rule || rq.Quantized != q || rq.Real != q.Real() || c.Steps[rq.Step].Name != "M" {
			t.Fatalf("%v: %+v (step %q)", tc.r, rq, c.Steps[rq.Step].Name)
		}
		c.setChannel(4)
		c.Reset()
		if len(c.Requantizations) != 0 || c.HasChannel || cap(c.Requantizations) == 0 {
			t.Fatalf("Reset left %+v", c)
		}
	}
	c := &Chain{}
	Requantize64(-1234567, q, 0, -32768, 32767, c)
	if len(c.Requantizations) != 1 || c.Requantizations[0].Rule != RuleFixedPoint64 || c.Steps[c.Requantizations[0].Step].Name != "M" {
		t.Fatalf("Requantize64: %+v", c.Requantizations)
	}
}
