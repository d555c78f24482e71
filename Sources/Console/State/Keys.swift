import Foundation
import AppSnapCore

/// What became of a key: the key-map test reads this for every key in every context.
public enum Dispatch: Equatable, Sendable {
    /// No binding in the contexts on screen: nothing changes.
    case unbound
    /// A printable character typed into the focused text field.
    case typed
    case handled(Command)
    /// Bound here, but nothing took the command: a key-map bug the test catches.
    case unhandled(Command)
}

/// The app: turns a key into a command through the key map, and hands the command to
/// whatever is on top (a prompt, a dialog, or the screen's unit).
enum Keys {
    /// The contexts that apply now, first match wins.
    static func contexts(_ s: ConsoleState) -> [KeyContext] {
        if s.prompt != nil { return [.textField, .prompt] }
        if let d = s.dialog { return GroupDialogs.contexts(d) }
        return s.place.screen.contexts(s)
    }

    static func handle(_ s: inout ConsoleState, _ key: Key) -> [Effect] { dispatch(&s, key).1 }

    static func dispatch(_ s: inout ConsoleState, _ key: Key) -> (Dispatch, [Effect]) {
        if s.tooSmall {
            // Only quitting makes sense until the terminal grows.
            if key == .char("q") || key == .ctrl("c") { return (.handled(.quit), quit(&s)) }
            return (.unbound, [])
        }
        let stack = contexts(s)
        // Contexts in order: the first that binds the key takes it; a text field takes a
        // printable character no binding of its own claims before any outer context can.
        var found: Command?
        for ctx in stack {
            if let c = s.keyMap.command(for: key, in: ctx) { found = c; break }
            if KeyMap.typingContexts.contains(ctx), let c = key.typed {
                s.message = nil
                withFocusedField(&s) { $0.insert(String(c)) }
                return (.typed, [])
            }
        }
        guard let command = found else { return (.unbound, []) }
        // A key that does something clears the last message; one bound to nothing changes nothing.
        s.message = nil
        guard let effects = perform(&s, command) else { return (.unhandled(command), []) }
        return (.handled(command), effects)
    }

    /// The text field keys go to, if one has the focus. Returns false when none has.
    @discardableResult
    static func withFocusedField(_ s: inout ConsoleState, _ body: (inout TextField) -> Void) -> Bool {
        if var p = s.prompt {
            body(&p.field); s.prompt = p
            if p.kind == .filter { Lists.withCurrent(&s) { $0.setQuery(p.text) } }
            return true
        }
        if var d = s.dialog, d.hasTextFocus {
            body(&d.field)
            // What OK refused is about the old text: editing clears it.
            if case .failed = d.phase { d.phase = .editing }
            s.dialog = d
            return true
        }
        if s.place == .create, var f = s.create, var t = f.textField {
            body(&t); f.textField = t; s.create = f; return true
        }
        return false
    }

    static func perform(_ s: inout ConsoleState, _ command: Command) -> [Effect]? {
        switch command {
        case .cursorLeft, .cursorRight, .lineStart, .lineEnd, .deleteBackward, .deleteForward, .deleteToStart, .deleteWord:
            var ok = false
            withFocusedField(&s) { ok = $0.perform(command) }
            return ok ? [] : nil
        case .quit: return quit(&s)
        default: break
        }
        if s.prompt != nil { return Prompts.perform(&s, command) }
        if s.dialog != nil { return GroupDialogs.perform(&s, command) }
        switch command {
        case .help: s.helpScroll = 0; s.stack.append(.help); return []
        case .back: return back(&s)
        case .jump: s.prompt = Prompt(kind: .jump, text: ""); return []
        default: return s.place.screen.perform(&s, command)
        }
    }

    static func quit(_ s: inout ConsoleState) -> [Effect] {
        s.quitting = true
        return [.quit]
    }

    static func back(_ s: inout ConsoleState) -> [Effect] {
        // Esc first clears a filter, as in k9s; then it goes up one level.
        if !Lists.currentQuery(s).isEmpty {
            Lists.withCurrent(&s) { $0.setQuery("") }
            return []
        }
        if s.place == .create { s.create = nil }
        if s.stack.count > 1 { s.stack.removeLast() }
        return Refresh.onEntry(&s)
    }

    /// `y`: the ID to the terminal's clipboard (OSC 52), and a line saying so.
    static func copy(_ s: inout ConsoleState, _ id: String?) -> [Effect] {
        guard let id, !id.isEmpty else {
            s.message = StatusMessage(level: .warn, text: "nothing to copy here")
            return []
        }
        s.message = StatusMessage(level: .info, text: "copied \(id) to the clipboard (OSC 52)")
        return [.copyToClipboard(id)]
    }
}

/// The `/`, `:`, search and save-path line at the bottom. Editing is the TextField's.
enum Prompts {
    static func perform(_ s: inout ConsoleState, _ command: Command) -> [Effect]? {
        guard let p = s.prompt else { return nil }
        switch command {
        case .cancel:
            s.prompt = nil
            if p.kind == .filter { Lists.withCurrent(&s) { $0.setQuery("") } }
            return []
        case .confirm:
            s.prompt = nil
            return commit(&s, p)
        default:
            return nil
        }
    }

    static func commit(_ s: inout ConsoleState, _ p: Prompt) -> [Effect] {
        switch p.kind {
        case .filter:
            Lists.withCurrent(&s) { $0.setQuery(p.text) }
            return []
        case .jump:
            return jump(&s, p.text.trimmingCharacters(in: .whitespaces).lowercased())
        case .search:
            guard var run = s.run else { return [] }
            let from = run.log.top(height: LogKeys.logHeight(s), width: s.width)
            run.log.search(p.text, from: from)
            s.run = run
            if !p.text.isEmpty && run.log.currentMatch == nil {
                s.message = StatusMessage(level: .warn, text: "not found: \(p.text)")
            }
            return []
        case .savePath:
            guard let run = s.run, !p.text.isEmpty else { return [] }
            return [.saveLog(path: p.text, lines: run.log.lines)]
        }
    }

    static let jumpTargets: [(names: [String], place: Place?)] = [
        (["regions", "region", "r"], .regions),
        (["instances", "instance", "i", "ins", "inst"], .tab(.instances)),
        (["groups", "group", "g", "ssg", "snapshot-consistent groups"], .tab(.groups)),
        (["invocations", "invocation", "ca", "cloud assistant", "commands", "inv"], .tab(.invocations)),
        (["help", "?"], .help),
        (["log", "run"], .run),
    ]

    static func jump(_ s: inout ConsoleState, _ name: String) -> [Effect] {
        guard let target = jumpTargets.first(where: { $0.names.contains(name) })?.place else {
            s.message = StatusMessage(level: .error, text: "no view named \"\(name)\": try regions, instances, groups, invocations, log, help")
            return []
        }
        switch target {
        case .regions: s.stack = [.regions]
        case .tab:
            guard s.regionId != nil else {
                s.message = StatusMessage(level: .warn, text: "pick a region first")
                return []
            }
            s.stack = [.regions, target]
        case .run:
            guard s.run != nil else {
                s.message = StatusMessage(level: .warn, text: "no run to show yet")
                return []
            }
            if s.place != .run { s.stack.append(.run) }
        default:
            s.stack.append(target)
        }
        s.create = s.stack.contains(.create) ? s.create : nil
        return Refresh.onEntry(&s)
    }
}
