package ui

import "charm.land/bubbles/v2/key"

// KeyMap is every key binding of the step-through UI, with its help text.
// It implements help.KeyMap: ShortHelp is the bottom line, FullHelp the `?`
// screen.
type KeyMap struct {
	Up, Down, Left, Right key.Binding
	First, Last           key.Binding
	Focus                 key.Binding
	Jump, Filter          key.Binding
	PrevChannel           key.Binding
	NextChannel           key.Binding
	Mode                  key.Binding
	StepInto, NextTerm    key.Binding
	FastForward           key.Binding
	NextNonZero           key.Binding
	LargestTerm           key.Binding
	FollowBack, Return    key.Binding
	MaxError              key.Binding
	Runtime, NextDiff     key.Binding
	Chains                key.Binding
	Yours                 key.Binding
	Cancel                key.Binding
	Help, Quit            key.Binding
}

// DefaultKeyMap returns the standard bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:          key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("↑/k", "up")),
		Down:        key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("↓/j", "down")),
		Left:        key.NewBinding(key.WithKeys("h", "left"), key.WithHelp("←/h", "left")),
		Right:       key.NewBinding(key.WithKeys("l", "right"), key.WithHelp("→/l", "right")),
		First:       key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "first op")),
		Last:        key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "last op")),
		Focus:       key.NewBinding(key.WithKeys("tab", "shift+tab"), key.WithHelp("tab", "focus")),
		Jump:        key.NewBinding(key.WithKeys("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), key.WithHelp("12⏎", "go to op")),
		Filter:      key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		PrevChannel: key.NewBinding(key.WithKeys("["), key.WithHelp("[", "prev chan")),
		NextChannel: key.NewBinding(key.WithKeys("]"), key.WithHelp("]", "next chan")),
		Mode:        key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "values")),
		StepInto:    key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "step")),
		NextTerm:    key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "next")),
		FastForward: key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "fast-fwd")),
		NextNonZero: key.NewBinding(key.WithKeys("z"), key.WithHelp("z", "next term ≠ 0")),
		LargestTerm: key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "largest term")),
		FollowBack:  key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "follow back")),
		Return:      key.NewBinding(key.WithKeys("u", "backspace"), key.WithHelp("u", "return")),
		MaxError:    key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "max error")),
		Runtime:     key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "runtime")),
		NextDiff:    key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "next ≠")),
		Chains:      key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "chain pair")),
		Yours:       key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "your values' diagnosis")),
		Cancel:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		Help:        key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:        key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
	}
}

// ShortHelp is the one-line help at the bottom of the screen.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Down, k.Focus, k.Mode, k.StepInto, k.FollowBack, k.MaxError, k.Help, k.Quit}
}

// FullHelp is the `?` screen, one column per group.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.First, k.Last, k.Jump, k.Filter, k.Focus},
		{k.Left, k.Right, k.PrevChannel, k.NextChannel, k.Mode, k.MaxError},
		{k.StepInto, k.NextTerm, k.NextNonZero, k.LargestTerm, k.FastForward, k.FollowBack, k.Return},
		{k.Runtime, k.NextDiff, k.Chains, k.Yours, k.Cancel, k.Help, k.Quit},
	}
}
