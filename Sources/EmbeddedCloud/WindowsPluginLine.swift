import AppSnapCore
import Foundation

/// An emulated Windows instance has no shell: the one thing it runs is the plugin line
/// of SPEC §3, parsed here into words and started directly, never handed to a shell.
/// Quoting follows the line as the console writes it: `"…"` groups, `\"` is a literal
/// quote. Outside quotes, anything a shell would act on (`;`, `&`, `|`, `<`, `>`, `$`,
/// `` ` ``, `(`, `)`, `^`, `%`, `!`) is refused rather than taken literally.
enum WindowsPluginLine {
    /// The plugin's own arguments (after `acs-plugin-manager`), or an ECS error saying why not.
    static func arguments(of content: String) throws -> [String] {
        let lines = content.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") && !$0.uppercased().hasPrefix("REM ") }
        guard lines.count == 1 else {
            throw refusal("it holds \(lines.count) command lines; exactly one acs-plugin-manager line runs here")
        }
        let words = try split(lines[0])
        guard words.first == "acs-plugin-manager" else {
            throw refusal("it starts with \(words.first.map { "\"\($0)\"" } ?? "nothing"), not acs-plugin-manager")
        }
        let rest = Array(words.dropFirst())
        // The plugin's own flags only: --exec, --plugin NAME, --params=… (or --params VALUE).
        var i = 0
        while i < rest.count {
            let w = rest[i]
            if w == "--exec" || w.hasPrefix("--plugin=") || w.hasPrefix("--params=") { i += 1; continue }
            if (w == "--plugin" || w == "--params") && i + 1 < rest.count { i += 2; continue }
            throw refusal("\"\(w)\" is not an argument of acs-plugin-manager --exec --plugin NAME --params=…")
        }
        return rest
    }

    private static let shellCharacters: Set<Character> = [";", "&", "|", "<", ">", "$", "`", "(", ")", "^", "%", "!"]

    static func split(_ line: String) throws -> [String] {
        var words: [String] = [], word = "", inWord = false, quoted = false
        var chars = line.makeIterator()
        while let c = chars.next() {
            if c == "\\" {
                guard let next = chars.next() else { word.append(c); inWord = true; continue }
                if next == "\"" { word.append("\"") } else { word.append(c); word.append(next) }
                inWord = true
            } else if c == "\"" {
                quoted.toggle(); inWord = true
            } else if !quoted && (c == " " || c == "\t") {
                if inWord { words.append(word); word = ""; inWord = false }
            } else if !quoted && shellCharacters.contains(c) {
                throw refusal("\"\(c)\" would be acted on by a shell, and this instance runs no shell")
            } else {
                word.append(c); inWord = true
            }
        }
        guard !quoted else { throw refusal("a quote is not closed") }
        if inWord { words.append(word) }
        return words
    }

    private static func refusal(_ why: String) -> ECSError {
        ECSError("InvalidCommandContent.NotPluginLine",
                 "This emulated Windows instance runs only the acs-plugin-manager plugin line, and the CommandContent is refused: \(why).")
    }
}
