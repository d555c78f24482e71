import Foundation

/// A tmux server of a test's own (its own socket), holding one 120×40 pane that runs a
/// command: keys go in with send-keys, the screen comes out with capture-pane. tmux gives
/// the console a real terminal even when the tests run with none attached (CI).
final class TmuxPane {
    let socket = "appsnap-test-\(UUID().uuidString.prefix(12))"
    let session = "console"
    static let tmux: String? = ["/usr/bin/tmux", "/usr/local/bin/tmux", "/bin/tmux"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Why the tmux tests cannot run here, or nil when they can.
    static var skipReason: String? {
        tmux == nil ? "tmux is not installed (scripts/install-deps.sh test installs it)" : nil
    }

    /// Starts the server with `command` run by `sh -c` in a pane of exactly `width`×`height`.
    init(command: String, width: Int = 120, height: Int = 40) throws {
        let r = try tmux(["-f", "/dev/null", "new-session", "-d", "-s", session, "-x", "\(width)", "-y", "\(height)",
                          "sh", "-c", command])
        guard r.status == 0 else { throw E2EError("tmux new-session failed: \(r.output)") }
        // A detached session may otherwise be sized by a later client; keep the size we chose.
        _ = try? tmux(["set-option", "-t", session, "window-size", "manual"])
    }

    deinit { kill() }

    /// Ends this test's tmux server (only ours: its own socket).
    func kill() {
        // The pane's processes (sh, the console, its sleep) are one process group led by the
        // pane's shell; hang them up first, as closing a real terminal would, so the server
        // has nothing left to wait for.
        if let pid = Int32(display("#{pane_pid}")), pid > 1 { _ = Foundation.kill(-pid, SIGHUP) }
        _ = try? tmux(["kill-server"])
    }

    /// Runs tmux with our socket. posix_spawn and waitpid, not Process: the client forks the
    /// server and exits at once, and Process' exit monitoring did not always see that exit.
    /// Output goes through a file so a forked server can never hold a reader open.
    @discardableResult
    func tmux(_ args: [String]) throws -> (status: Int32, output: String) {
        let path = Self.tmux ?? "/usr/bin/tmux"
        let out = "/var/tmp/\(socket)-\(UUID().uuidString.prefix(6)).out"
        defer { unlink(out) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var env = ProcessInfo.processInfo.environment
        env["TMUX"] = nil
        let argv = ([path, "-L", socket] + args).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, nil, argv, envp)
        guard rc == 0 else { throw E2EError("cannot start tmux: \(String(cString: strerror(rc)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        // WEXITSTATUS, which Swift does not import.
        return ((status >> 8) & 0xff, text)
    }

    /// The pane's text as a person sees it now.
    func screen() -> String {
        (try? tmux(["capture-pane", "-p", "-t", session]).output) ?? ""
    }

    /// The screen with its colours and attributes as escape sequences.
    func styledScreen() -> String {
        (try? tmux(["capture-pane", "-e", "-p", "-t", session]).output) ?? ""
    }

    /// Keys in tmux's names (`Enter`, `Tab`, `Escape`, `Space`, `Up`, …) or literal text with `literal`.
    func send(_ keys: String..., literal: Bool = false) {
        _ = try? tmux(["send-keys", "-t", session] + (literal ? ["-l"] : []) + keys)
    }

    func type(_ text: String) { send(text, literal: true) }

    func resize(width: Int, height: Int) throws {
        let r = try tmux(["resize-window", "-t", session, "-x", "\(width)", "-y", "\(height)"])
        guard r.status == 0 else { throw E2EError("tmux resize-window failed: \(r.output)") }
    }

    /// A tmux format for the pane, e.g. `#{alternate_on}` or `#{pane_pid}`.
    func display(_ format: String) -> String {
        ((try? tmux(["display-message", "-p", "-t", session, format]).output) ?? "")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Polls the screen until `done` holds (bounded); returns that screen or throws with the last one.
    @discardableResult
    func waitFor(_ what: String, timeout: Double = 60, _ done: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = screen()
            if done(last) { return last }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw E2EError("waited \(Int(timeout)) s for \(what); the screen was:\n\(last)")
    }

    @discardableResult
    func waitFor(text: String, timeout: Double = 60) throws -> String {
        try waitFor("\"\(text)\"", timeout: timeout) { $0.contains(text) }
    }

    /// The first match of a regular expression on the screen.
    static func match(_ pattern: String, in screen: String) -> String? {
        guard let r = screen.range(of: pattern, options: .regularExpression) else { return nil }
        return String(screen[r])
    }

    /// The screen's line that contains `text`.
    static func line(containing text: String, in screen: String) -> String? {
        screen.split(separator: "\n").first { $0.contains(text) }.map(String.init)
    }
}

/// The shell line that runs the console in a pane the way an operator's terminal would,
/// then reports whether the terminal came back as it was and how the console exited.
func consoleCommand(_ app: AppSnapBinary, _ args: [String], colorTerm: String? = nil) -> String {
    let quoted = ([app.binary.path, "console"] + args + ["--state", app.state.path]).map { "'\($0)'" }.joined(separator: " ")
    let config = app.state.appendingPathComponent("xdg-config").path
    return """
        export TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 XDG_CONFIG_HOME='\(config)'; \
        unset NO_COLOR COLORTERM APPSNAP_THEME; \(colorTerm.map { "export COLORTERM=\($0); " } ?? "")\
        before=$(stty -g); \(quoted); rc=$?; after=$(stty -g); \
        if [ "$before" = "$after" ]; then echo TTY:restored; else echo TTY:changed; fi; \
        echo EXITED:$rc; exec sleep 3600
        """
}
