package ui

import (
	"strconv"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"
)

// Styles is every visual style of the UI, in one place. Meaning never rests
// on colour alone: the current op carries a ▶ marker, the tensor cursor has
// brackets and margin arrows, changed steps a * mark, values and layers that
// differ from the base runtime a ≠ mark, so the screen reads the same with
// NO_COLOR or on a monochrome terminal (Mono), where the heatmap also
// switches from coloured half blocks to shade characters (and to − . + for
// the sign of a Δ).
type Styles struct {
	Mono bool

	Title        lipgloss.Style // top bar
	PaneTitle    lipgloss.Style // a pane's first line
	PaneFocused  lipgloss.Style // the focused pane's first line
	Selected     lipgloss.Style // current op row
	Cursor       lipgloss.Style // the tensor element under the cursor
	Dim          lipgloss.Style // secondary text
	Changed      lipgloss.Style // a step whose value rounding or clamping altered
	Final        lipgloss.Style // the stored output value
	Warn         lipgloss.Style // messages and errors
	Status       lipgloss.Style // the cursor status line
	Prompt       lipgloss.Style // filter / jump input
	Separator    lipgloss.Style // vertical bar between panes
	ErrorHigh    lipgloss.Style // per-layer error ≥ 1 LSB
	Help         help.Styles    // the bubbles help view
	ShadeChars   string         // mono heatmap, darkest to brightest
	DeltaChars   [3]string      // mono heatmap of Δ: negative, zero, positive
	HeatStops    []rgb          // colour heatmap for values (low → high)
	DivergeStops []rgb          // colour heatmap for errors (negative → 0 → positive)
	CursorColour rgb            // the cursor pixel of a colour heatmap
}

type rgb struct{ r, g, b uint8 }

// NewStyles returns the styles for a colour terminal, or for a monochrome
// one (NO_COLOR, dumb terminals) when mono is true.
func NewStyles(mono bool) Styles {
	s := Styles{
		Mono:         mono,
		Title:        lipgloss.NewStyle().Bold(true),
		PaneTitle:    lipgloss.NewStyle().Bold(true),
		PaneFocused:  lipgloss.NewStyle().Bold(true).Reverse(true),
		Selected:     lipgloss.NewStyle().Bold(true).Reverse(true),
		Cursor:       lipgloss.NewStyle().Reverse(true).Bold(true),
		Dim:          lipgloss.NewStyle(),
		Changed:      lipgloss.NewStyle().Bold(true),
		Final:        lipgloss.NewStyle().Bold(true),
		Warn:         lipgloss.NewStyle().Bold(true),
		Status:       lipgloss.NewStyle(),
		Prompt:       lipgloss.NewStyle().Bold(true),
		Separator:    lipgloss.NewStyle(),
		ErrorHigh:    lipgloss.NewStyle().Bold(true),
		ShadeChars:   " .:-=+*#%@",
		DeltaChars:   [3]string{"-", ".", "+"},
		HeatStops:    []rgb{{13, 8, 135}, {126, 3, 168}, {204, 71, 120}, {248, 149, 64}, {240, 249, 33}},
		DivergeStops: []rgb{{33, 102, 172}, {146, 197, 222}, {40, 40, 40}, {244, 165, 130}, {178, 24, 43}},
		CursorColour: rgb{0, 255, 0},
	}
	plainKey := lipgloss.NewStyle().Bold(true)
	s.Help = help.Styles{ShortKey: plainKey, FullKey: plainKey, Ellipsis: lipgloss.NewStyle(), ShortDesc: lipgloss.NewStyle(),
		ShortSeparator: lipgloss.NewStyle(), FullDesc: lipgloss.NewStyle(), FullSeparator: lipgloss.NewStyle()}
	if mono {
		return s
	}
	s.Help = help.DefaultDarkStyles()
	s.Title = s.Title.Foreground(lipgloss.Color("15")).Background(lipgloss.Color("24"))
	s.PaneTitle = s.PaneTitle.Foreground(lipgloss.Color("111"))
	s.PaneFocused = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("16")).Background(lipgloss.Color("111"))
	s.Selected = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("16")).Background(lipgloss.Color("180"))
	s.Cursor = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("16")).Background(lipgloss.Color("46"))
	s.Dim = s.Dim.Foreground(lipgloss.Color("245"))
	s.Changed = s.Changed.Foreground(lipgloss.Color("214"))
	s.Final = s.Final.Foreground(lipgloss.Color("46"))
	s.Warn = s.Warn.Foreground(lipgloss.Color("203"))
	s.Status = s.Status.Foreground(lipgloss.Color("252")).Background(lipgloss.Color("236"))
	s.Prompt = s.Prompt.Foreground(lipgloss.Color("214"))
	s.Separator = s.Separator.Foreground(lipgloss.Color("240"))
	s.ErrorHigh = s.ErrorHigh.Foreground(lipgloss.Color("203"))
	return s
}

// ramp interpolates stops at t ∈ [0, 1].
func ramp(stops []rgb, t float64) rgb {
	if t <= 0 || t != t {
		return stops[0]
	}
	if t >= 1 {
		return stops[len(stops)-1]
	}
	x := t * float64(len(stops)-1)
	i := int(x)
	f := x - float64(i)
	a, b := stops[i], stops[i+1]
	mix := func(p, q uint8) uint8 { return uint8(float64(p) + (float64(q)-float64(p))*f + 0.5) }
	return rgb{mix(a.r, b.r), mix(a.g, b.g), mix(a.b, b.b)}
}

// writeHalfBlock writes one ▀ cell: top pixel as foreground, bottom pixel as
// background (24-bit SGR; Bubble Tea downsamples for smaller palettes).
func writeHalfBlock(sb *strings.Builder, top, bottom rgb) {
	sb.WriteString("\x1b[38;2;")
	writeRGB(sb, top)
	sb.WriteString(";48;2;")
	writeRGB(sb, bottom)
	sb.WriteString("m▀")
}

// writeFullBlock writes one cell whose only pixel is the top half (odd
// heights): the bottom half stays the terminal background.
func writeFullBlock(sb *strings.Builder, top rgb) {
	sb.WriteString("\x1b[49;38;2;")
	writeRGB(sb, top)
	sb.WriteString("m▀")
}

func writeRGB(sb *strings.Builder, c rgb) {
	var buf [12]byte
	b := strconv.AppendUint(buf[:0], uint64(c.r), 10)
	b = append(b, ';')
	b = strconv.AppendUint(b, uint64(c.g), 10)
	b = append(b, ';')
	b = strconv.AppendUint(b, uint64(c.b), 10)
	sb.Write(b)
}

const sgrReset = "\x1b[0m"
