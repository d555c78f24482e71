import Testing
@testable import AppSnapCore

/// What `appsnap logs` and the console's log keep of a command's output.
@Suite struct TerminalTextTests {
    @Test(arguments: [
        ("\u{1B}[31mred\u{1B}[0m", "red"),
        ("\u{1B}[2J\u{1B}[Hcleared", "cleared"),
        ("\u{1B}[?1049hscreen", "screen"),
        ("\u{1B}]0;owned title\u{07}after", "after"),
        ("\u{1B}]8;;http://x\u{1B}\\link\u{1B}]8;;\u{1B}\\", "link"),
        ("\u{1B}Pq#0;2;0;0;0\u{1B}\\dcs", "dcs"),
        ("\u{9B}31mc1\u{9B}0m", "c1"),
        ("\u{9D}0;t\u{9C}osc", "osc"),
        ("\u{1B}(Bcharset\u{1B}=", "charset"),
        ("hidden\rshown", "hiddenshown"),
        ("back\u{08}\u{08}space\u{7F}", "backspace"),
        ("bell\u{07}", "bell"),
        ("tab\tand\nnewline", "tab\tand\nnewline"),
        ("cut \u{1B}[3", "cut "),
        ("cut \u{1B}]0;never ends", "cut "),
        ("ünïcödé ✅ 表", "ünïcödé ✅ 表"),
        ("[level=\"info\"][message=\"ok\"]", "[level=\"info\"][message=\"ok\"]"),
    ])
    func controlSequencesGoWhole(_ input: String, _ expected: String) {
        #expect(TerminalText.sanitized(input) == expected)
    }
}
