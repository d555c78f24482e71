import Foundation

/// The signature nonces seen in the last 15 minutes, per access key, in bounded memory.
/// When the bound is reached and nothing has expired, new requests are refused (the
/// caller answers Throttling.User) rather than forgetting a nonce that could be replayed.
public final class NonceCache: @unchecked Sendable {
    private let lock = NSLock()
    private let window: TimeInterval
    private let capacity: Int
    private var seen: [String: TimeInterval] = [:]
    /// Insertion order, for expiring the oldest first.
    private var order: [(key: String, at: TimeInterval)] = []
    private var head = 0

    public enum Outcome: Equatable { case fresh, replayed, full }

    public init(window: TimeInterval = 15 * 60, capacity: Int = 500_000) {
        self.window = window; self.capacity = capacity
    }

    /// Records `nonce` for `accessKeyId` at `now` (seconds), unless it is already there.
    public func remember(_ nonce: String, accessKeyId: String, now: TimeInterval) -> Outcome {
        let key = accessKeyId + "\u{0}" + nonce
        lock.lock(); defer { lock.unlock() }
        expire(before: now - window)
        if seen[key] != nil { return .replayed }
        guard seen.count < capacity else { return .full }
        seen[key] = now
        order.append((key, now))
        return .fresh
    }

    public var count: Int { lock.lock(); defer { lock.unlock() }; return seen.count }

    private func expire(before limit: TimeInterval) {
        while head < order.count, order[head].at < limit {
            let entry = order[head]
            if seen[entry.key] == entry.at { seen[entry.key] = nil }
            head += 1
        }
        // Compact now and then so the array does not keep what it has passed.
        if head > 4096, head * 2 > order.count {
            order.removeFirst(head)
            head = 0
        }
    }
}
