import Foundation

/// Actions coming back from effect tasks, waiting for the loop. A lock, not an actor, so
/// the loop can drain it without suspending.
final class ActionInbox: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Action] = []
    func push(_ a: Action) { lock.lock(); items.append(a); lock.unlock() }
    func drain() -> [Action] { lock.lock(); defer { lock.unlock() }; let out = items; items = []; return out }
}

/// State plus reducer plus renderer, with no terminal: what the runtime drives, and what
/// tests and the benchmark use headless.
public final class ConsoleSession {
    public private(set) var state: ConsoleState
    public init(state: ConsoleState) { self.state = state }

    /// Applies an action and returns the effects it asks for.
    @discardableResult
    public func send(_ action: Action) -> [Effect] { reduce(&state, action) }

    /// Types a key.
    @discardableResult
    public func press(_ key: Key) -> [Effect] { send(.key(key)) }

    /// Types each character of `text` as a key.
    @discardableResult
    public func type(_ text: String) -> [Effect] { text.flatMap { press(.char($0)) } }

    public func start() -> [Effect] { startEffects(&state) }

    /// The frame for the current state.
    public func frame() -> Grid { render(state) }
}
