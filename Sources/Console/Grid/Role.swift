/// The named UI roles a theme gives colours and attributes to. Views use only these,
/// never a colour, so every theme (and mono) can style every screen.
public enum Role: String, CaseIterable, Hashable, Sendable {
    case normal, title, breadcrumb, tabActive, tabInactive, header, border
    case selected, cursorField, inputField, disabled, dim
    case hintKey, hintText, statusBar
    case ok, warn, error, info
    case progressDone, progressTodo
    case match, currentMatch
    case dialog, dialogTitle, button, buttonFocused
    case logText, logError, logWarn
}
