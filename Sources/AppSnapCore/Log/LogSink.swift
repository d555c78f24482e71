import Foundation

/// Where a run's log records go: the invocation's output, the console, a test.
public protocol LogSink: Sendable {
    func emit(_ record: LogRecord)
}

/// Keeps every record in memory, in order.
public final class MemoryLogSink: LogSink, @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [LogRecord] = []

    public init() {}

    public func emit(_ record: LogRecord) {
        lock.lock(); defer { lock.unlock() }
        stored.append(record)
    }

    public var records: [LogRecord] {
        lock.lock(); defer { lock.unlock() }
        return stored
    }

    public var messages: [String] { records.map(\.message) }

    /// The records as rendered lines (local time).
    public var lines: [String] { records.map { $0.render() } }
}

/// Hands each record, rendered as one line, to a closure (stdout, a file, a pipe).
public struct LineLogSink: LogSink {
    private let write: @Sendable (String) -> Void
    private let timeZone: TimeZone

    public init(timeZone: TimeZone = .current, _ write: @escaping @Sendable (String) -> Void) {
        self.write = write; self.timeZone = timeZone
    }

    public func emit(_ record: LogRecord) { write(record.render(timeZone: timeZone)) }
}

/// Passes records through, except between `hold()` and `release()`, when it keeps them
/// in memory. The workflow holds while file systems are frozen: the log may live on a
/// frozen file system, and a write there would block the run that must thaw it.
public final class HoldingLogSink: LogSink, @unchecked Sendable {
    private let lock = NSLock()
    private let inner: LogSink
    private var held: [LogRecord]? = nil

    public init(_ inner: LogSink) { self.inner = inner }

    public var isHolding: Bool {
        lock.lock(); defer { lock.unlock() }
        return held != nil
    }

    public func hold() {
        lock.lock(); defer { lock.unlock() }
        if held == nil { held = [] }
    }

    /// Flushes what was held, in order, and passes records through again.
    public func release() {
        // The lock is kept while flushing so a concurrent emit cannot overtake held records.
        lock.lock(); defer { lock.unlock() }
        guard let pending = held else { return }
        held = nil
        for r in pending { inner.emit(r) }
    }

    public func emit(_ record: LogRecord) {
        lock.lock(); defer { lock.unlock() }
        if held != nil { held!.append(record) } else { inner.emit(record) }
    }
}
