/// A run's log: stamps each message with the clock's wall time and sends it through a
/// holding sink, so the workflow can keep lines in memory while file systems are frozen.
struct RunLog: Sendable {
    let sink: HoldingLogSink
    let clock: Clock

    init(_ sink: LogSink, clock: Clock) {
        self.sink = (sink as? HoldingLogSink) ?? HoldingLogSink(sink)
        self.clock = clock
    }

    func write(_ level: LogLevel, _ message: String) {
        sink.emit(LogRecord(level: level, date: clock.now(), message: message))
    }
    func debug(_ m: String) { write(.debug, m) }
    func info(_ m: String) { write(.info, m) }
    func warn(_ m: String) { write(.warn, m) }
    func error(_ m: String) { write(.error, m) }
}

/// A step that ends the run with an exit code; `message` is the operator's sentence.
struct WorkflowFailure: Error {
    var exitCode: ExitCode
    var message: String
    init(_ exitCode: ExitCode, _ message: String) { self.exitCode = exitCode; self.message = message }
}
