// Generated from themes/default.yaml and themes/mono.yaml; a test keeps them identical.
// Embedded so that a missing themes/ directory still gives a working console.
enum BuiltinThemes {
    static let defaultYAML = #"""
# appsnap theme: default (dark). A palette of named colours, then the UI roles.
# A colour is a palette name, `default` (the terminal's own), an ANSI name, 0…255 or #rrggbb.
name: default
palette:
  fg: "#d0d0d0"
  muted: "#808080"
  accent: "#5fafff"
  accentBg: "#005f87"
  panel: "#262626"
  green: "#5fd75f"
  yellow: "#ffd75f"
  red: "#ff5f5f"
  magenta: "#d787ff"
roles:
  normal:        { fg: default, bg: default }
  title:         { fg: accent, attrs: [bold] }
  breadcrumb:    { fg: accent, attrs: [bold] }
  tabActive:     { fg: "#000000", bg: accent, attrs: [bold] }
  tabInactive:   { fg: muted }
  header:        { fg: accent, attrs: [bold, underline] }
  border:        { fg: muted }
  selected:      { fg: "#ffffff", bg: accentBg, attrs: [bold] }
  cursorField:   { fg: "#ffffff", bg: accentBg, attrs: [bold] }
  inputField:    { fg: fg, bg: panel, attrs: [underline] }
  disabled:      { fg: muted, attrs: [dim] }
  dim:           { fg: muted }
  hintKey:       { fg: "#000000", bg: accent, attrs: [bold] }
  hintText:      { fg: fg }
  statusBar:     { fg: fg, bg: panel }
  ok:            { fg: green, attrs: [bold] }
  warn:          { fg: yellow, attrs: [bold] }
  error:         { fg: red, attrs: [bold] }
  info:          { fg: accent }
  progressDone:  { fg: green }
  progressTodo:  { fg: muted }
  match:         { fg: "#000000", bg: yellow }
  currentMatch:  { fg: "#000000", bg: magenta, attrs: [bold] }
  dialog:        { fg: fg, bg: default }
  dialogTitle:   { fg: accent, attrs: [bold] }
  button:        { fg: fg, attrs: [bold] }
  buttonFocused: { fg: "#000000", bg: accent, attrs: [bold] }
  logText:       { fg: fg }
  logError:      { fg: red }
  logWarn:       { fg: yellow }
"""#

    static let monoYAML = #"""
# appsnap theme: mono. No colour at all: roles differ by bold, dim, underline and reverse
# only. Used for NO_COLOR, --no-color and terminals without colour.
name: mono
palette: {}
roles:
  normal:        {}
  title:         { attrs: [bold] }
  breadcrumb:    { attrs: [bold] }
  tabActive:     { attrs: [reverse, bold] }
  tabInactive:   { attrs: [underline] }
  header:        { attrs: [bold, underline] }
  border:        { attrs: [dim] }
  selected:      { attrs: [reverse] }
  cursorField:   { attrs: [reverse, bold] }
  inputField:    { attrs: [underline] }
  disabled:      { attrs: [dim] }
  dim:           { attrs: [dim] }
  hintKey:       { attrs: [reverse] }
  hintText:      {}
  statusBar:     { attrs: [reverse] }
  ok:            { attrs: [bold] }
  warn:          { attrs: [bold] }
  error:         { attrs: [bold, underline] }
  info:          {}
  progressDone:  { attrs: [bold] }
  progressTodo:  { attrs: [dim] }
  match:         { attrs: [underline, bold] }
  currentMatch:  { attrs: [reverse, bold] }
  dialog:        {}
  dialogTitle:   { attrs: [bold] }
  button:        { attrs: [bold] }
  buttonFocused: { attrs: [reverse, bold] }
  logText:       {}
  logError:      { attrs: [bold] }
  logWarn:       { attrs: [bold] }
"""#

    // The embedded texts are known good; a failure here is a build defect, not user input.
    static var `default`: Theme { try! ThemeLoader.parse(defaultYAML, file: "(built-in default)") }
    static var mono: Theme { try! ThemeLoader.parse(monoYAML, file: "(built-in mono)") }
}
