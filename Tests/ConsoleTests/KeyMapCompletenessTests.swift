import CloudTestSupport
import AppSnapCore
import Testing
@testable import Console

/// Walks every key context with every key a terminal can send and fails on a key that is
/// handled but not bound (the state changed with no binding) or bound but not handled
/// (the map names a command nothing takes).
@Suite struct KeyMapCompletenessTests {
    /// Every key `NcursesTerminal` can report, printable ASCII included.
    static let universe: [Key] = {
        var keys: [Key] = [.up, .down, .left, .right, .enter, .escape, .tab, .backTab, .backspace, .delete,
                           .home, .end, .pageUp, .pageDown, .ctrl(" "), .ctrl("\\")]
        for c in UInt8(97)...UInt8(122) { keys.append(.ctrl(Character(UnicodeScalar(c)))) }
        for c in UInt8(32)...UInt8(126) { keys.append(.char(Character(UnicodeScalar(c)))) }
        keys.append(.char("é")); keys.append(.char("漢"))
        return keys
    }()

    /// A session standing in each context, by the keys an operator would type to get there.
    static func sessions() async -> [(String, ConsoleSession)] {
        var out: [(String, ConsoleSession)] = []
        let regions = ConsoleSession(state: ConsoleState(width: 120, height: 40))
        await settle(regions, FakeCloud(), regions.start())
        out.append(("regions", regions))
        let list = await hangzhouSession(width: 120, height: 40); out.append(("list (instances)", list))
        let groups = await hangzhouSession(width: 120, height: 40); groups.press(.tab); out.append(("groups", groups))
        let detail = await hangzhouSession(width: 120, height: 40); detail.press(.tab); detail.press(.enter)
        out.append(("groupDetail", detail))
        let create = await hangzhouSession(width: 120, height: 40); create.press(.char("c")); out.append(("create", create))
        let text = await hangzhouSession(width: 120, height: 40); text.press(.char("c"))
        while text.state.create?.focus != .name { text.press(.tab) }
        text.type("ab cd")
        text.press(.left)
        out.append(("textField (create Name)", text))
        let prompt = await hangzhouSession(width: 120, height: 40); prompt.press(.char("/")); prompt.type("lin")
        out.append(("prompt", prompt))
        let confirm = await hangzhouSession(width: 120, height: 40); confirm.press(.tab); confirm.press(.ctrl("d"))
        out.append(("confirm (delete)", confirm))
        let rename = await hangzhouSession(width: 120, height: 40); rename.press(.tab); rename.press(.char("e"))
        out.append(("groupAction (rename)", rename))
        let renameButtons = await hangzhouSession(width: 120, height: 40); renameButtons.press(.tab); renameButtons.press(.char("e"))
        renameButtons.press(.tab)
        out.append(("groupAction (rename, on OK)", renameButtons))
        let log = await hangzhouSession(width: 120, height: 40); log.press(.char("l")); log.press(.char("l")); log.press(.enter)
        log.send(.logLines((0..<100).map { "line \($0)" }))
        out.append(("log", log))
        let help = await hangzhouSession(width: 120, height: 40); help.press(.char("?")); out.append(("help", help))
        return out
    }

    @Test func everyKeyInEveryContextIsBoundAndHandledOrNeither() async {
        var visited: Set<KeyContext> = []
        for (name, base) in await Self.sessions() {
            let stack = Keys.contexts(base.state)
            visited.formUnion(stack)
            for key in Self.universe {
                var s = base.state
                let before = render(s)
                let (result, _) = Keys.dispatch(&s, key)
                switch result {
                case .unhandled(let c):
                    Issue.record("\(name): \(key.label) is bound to \(c) in \(stack) but nothing handles it")
                case .unbound:
                    #expect(render(s) == before, "\(name): \(key.label) is bound to nothing in \(stack) but changed the screen")
                case .typed:
                    #expect(stack.contains(.textField), "\(name): \(key.label) typed text outside a text field")
                case .handled: break
                }
            }
        }
        #expect(visited == Set(KeyContext.allCases), "contexts never walked: \(Set(KeyContext.allCases).subtracting(visited))")
    }

    @Test func readonlyTakesWritingCommandsOutOfMapHintsAndHelp() async {
        let s = await hangzhouSession(width: 120, height: 40)
        var st = s.state
        st.readonly = true
        let ro = ConsoleSession(state: st)
        ro.press(.tab)
        for c in KeyMap.writing {
            for ctx in KeyContext.allCases { #expect(!ro.state.keyMap.binds(c, in: ctx), "\(c) still bound in \(ctx)") }
        }
        let hints = ro.frame().row(39)
        #expect(!hints.contains("create") && !hints.contains("delete") && !hints.contains("rename"))
        #expect(ro.frame().row(0).contains("read-only"))
        ro.press(.ctrl("d"))
        #expect(ro.state.dialog == nil)
        ro.press(.char("?"))
        ro.send(.resize(width: 120, height: 200))
        let help = ro.frame().text
        #expect(!help.contains("create a snapshot-consistent group") && !help.contains("delete the group"))
    }
}
