import Foundation
import Testing
@testable import AppSnapCore

@Suite struct LogRecordTests {
    let utc = TimeZone(identifier: "UTC")!
    let shanghai = TimeZone(identifier: "Asia/Shanghai")!

    @Test func theSeedLineParsesAndRendersBackExactly() throws {
        let line = #"[level="info"][time="2025-03-04 16:09:25.8200239"][message="Finish SnapshotGroup=ssg-2zefohc25d7n1grq**** Creation, TotalCost=3.8204978s, QueryCost=2.9307022s"]"#
        let r = try #require(LogRecord.parse(line, timeZone: shanghai))
        #expect(r.level == .info)
        #expect(r.message == "Finish SnapshotGroup=ssg-2zefohc25d7n1grq**** Creation, TotalCost=3.8204978s, QueryCost=2.9307022s")
        // 16:09:25 in Shanghai is 08:09:25 UTC.
        #expect(r.time == LogTimestamp(seconds: 1_741_075_765, ticks: 8_200_239))
        #expect(r.render(timeZone: shanghai) == line)
        #expect(r.render(timeZone: utc) == line.replacingOccurrences(of: "16:09:25", with: "08:09:25"))
    }

    @Test func quotesBackslashesAndNewlinesAreEscaped() throws {
        let r = LogRecord(level: .warn, time: LogTimestamp(seconds: 0, ticks: 5), message: "say \"hi\"\\now\nnext line")
        let line = r.render(timeZone: utc)
        #expect(line == #"[level="warn"][time="1970-01-01 00:00:00.0000005"][message="say \"hi\"\\now\nnext line"]"#)
        #expect(!line.contains("\n"))
        #expect(LogRecord.parse(line, timeZone: utc) == r)
    }

    @Test func renderThenParseIsIdentityOverGeneratedRecords() throws {
        var rng = SeededRandom(seed: 9)
        let alphabet = Array("ab AZ09\"\\\n\r\t[]=][message=\"]数据é😀,;")
        for zone in [utc, shanghai, TimeZone(identifier: "America/New_York")!] {
            for _ in 0..<300 {
                let r = LogRecord(level: LogLevel.allCases.randomElement(using: &rng)!,
                                  time: LogTimestamp(seconds: .random(in: 0...4_102_444_800, using: &rng),
                                                     ticks: .random(in: 0...9_999_999, using: &rng)),
                                  message: rng.string(from: alphabet, count: 0...80))
                let line = r.render(timeZone: zone)
                let back = LogRecord.parse(line, timeZone: zone)
                #expect(back?.render(timeZone: zone) == line, "\(line)")
                // In a fall-back hour two instants share a wall time; elsewhere the record comes back whole.
                if back != r { #expect(back.map { abs($0.time.seconds - r.time.seconds) == 3600 } == true, "\(line)") }
            }
        }
    }

    @Test func aDateKeepsSevenDigits() {
        let t = LogTimestamp(Date(timeIntervalSince1970: 1_741_075_765.25))
        #expect(t == LogTimestamp(seconds: 1_741_075_765, ticks: 2_500_000))
        #expect(abs(t.date.timeIntervalSince1970 - 1_741_075_765.25) < 1e-6)
    }

    @Test(arguments: [
        #"[time="2025-03-04 16:09:25.8200239"][message="no level"]"#,
        #"[level="notice"][time="2025-03-04 16:09:25.8200239"][message="x"]"#,
        #"[level="info"][time="2025-03-04 16:09:25.820"][message="three digits"]"#,
        #"[level="info"][time="2025-03-04T16:09:25.8200239"][message="x"]"#,
        #"[level="info"][time="2025-03-04 16:09:25.8200239"][message="unterminated]"#,
        #"[level="info"][time="2025-03-04 16:09:25.8200239"][message="bad \q escape"]"#,
        #"[level="info"][time="2025-03-04 16:09:25.8200239"][message="x"] trailing"#,
        "",
    ])
    func malformedLinesAreNotRecords(_ line: String) {
        #expect(LogRecord.parse(line, timeZone: utc) == nil)
    }

    @Test func holdingSinkKeepsRecordsUntilReleaseThenFlushesInOrder() {
        let inner = MemoryLogSink()
        let sink = HoldingLogSink(inner)
        func rec(_ m: String) -> LogRecord { LogRecord(level: .info, time: LogTimestamp(seconds: 1, ticks: 0), message: m) }
        sink.emit(rec("before"))
        sink.hold()
        #expect(sink.isHolding)
        sink.emit(rec("frozen 1"))
        sink.emit(rec("frozen 2"))
        #expect(inner.messages == ["before"])
        sink.release()
        sink.emit(rec("after"))
        #expect(inner.messages == ["before", "frozen 1", "frozen 2", "after"])
        #expect(!sink.isHolding)
        sink.release() // a second release changes nothing
        #expect(inner.messages.count == 4)
    }

    @Test func lineSinkWritesRenderedLines() {
        let lines = MemoryLogSink()
        let sink = LineLogSink(timeZone: utc) { line in
            lines.emit(LogRecord(level: .debug, time: LogTimestamp(seconds: 0, ticks: 0), message: line))
        }
        sink.emit(LogRecord(level: .error, time: LogTimestamp(seconds: 60, ticks: 1), message: "boom"))
        #expect(lines.messages == [#"[level="error"][time="1970-01-01 00:01:00.0000001"][message="boom"]"#])
    }
}
