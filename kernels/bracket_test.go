package kernels

import "testing"

func TestBracketNegatives(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"5 − -128 = 133", "5 − (-128) = 133"},
		{"-58 − 127 = -185", "-58 − 127 = -185"},
		{"69 − 127 = -58", "69 − 127 = -58"},
		{"x·-3 + -0.5", "x·(-3) + (-0.5)"},
		{"2^(-11−31)", "2^(-11−31)"},
		{"M = 1363200814·2^(-11−31)", "M = 1363200814·2^(-11−31)"},
		{"1.5e-05 · -2.5e-07", "1.5e-05 · (-2.5e-07)"},
		{"(126 − (-128))", "(126 − (-128))"},
		{"clamp(-128, -128, 127)", "clamp(-128, -128, 127)"},
		{"a / -4", "a / (-4)"},
		{"3 × -2", "3 × (-2)"},
		{"no numbers - here", "no numbers - here"},
		{"", ""},
	} {
		if got := BracketNegatives(tc.in); got != tc.want {
			t.Errorf("BracketNegatives(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
