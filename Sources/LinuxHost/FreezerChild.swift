import Foundation
import Glibc

/// The body of `appsnap _freezer --deadline-ms N --journal PATH MOUNTPOINT…`: the small
/// process that holds a freeze (SPEC §7), so that a freeze ends even if appsnap itself
/// dies or hangs.
///
/// It flushes every mount point (syncfs, while writers still run), then freezes them
/// all at once (recording each in the journal just before its FIFREEZE), says
/// `frozen` (or `error <message>`) on stdout, then thaws in reverse order as soon as
/// one of these happens: it reads `thaw` on stdin; stdin reaches end-of-file (the
/// parent is gone); its parent dies (PR_SET_PDEATHSIG); SIGTERM, SIGINT or SIGHUP; or
/// the deadline passes. It then says `thawed <why>` (`requested`, `deadline`,
/// `parent-gone`, `signal`) or `thaw-failed <why>: <message>`, and clears the journal
/// when everything is thawed. Nothing it writes while frozen goes to a frozen file
/// system: stdout is a pipe and the journal lives in the run directory.
public enum FreezerChild {
    public static let subcommand = "_freezer"
    /// Read through a signalfd; the parent starts the child with them blocked (see `SpawnRequest`).
    static let handledSignals = [SIGTERM, SIGINT, SIGHUP, SIGUSR1]

    public static func main(arguments: [String]) -> Int32 {
        let startedAt = monotonicSeconds()
        signal(SIGPIPE, SIG_IGN)  // a vanished parent must not kill us before we thaw
        let options: Options
        do { options = try Options(arguments) } catch {
            say("error \(error)")
            return 2
        }
        let deadline = startedAt + Double(options.deadlineMilliseconds) / 1000
        let parent = getppid()
        // Signals are read from a descriptor next to stdin, so a signal is an event in
        // the same poll loop rather than an interruption.
        let signals = SignalDescriptor(handledSignals)
        _ = GNU.prctl(GNU.PR_SET_PDEATHSIG, UInt(SIGUSR1))

        let journal: JournalWriter
        do { journal = try JournalWriter(path: options.journal) } catch {
            say("error \(error)")
            return 1
        }

        // Flush first, with I/O still flowing: FIFREEZE flushes too, but by then every
        // writer of the file system waits, and the dirty data of each mount frozen later
        // would stretch the suspension of the ones already frozen.
        for mountPoint in options.mountPoints { FileSystemFreeze.flush(mountPoint: mountPoint) }

        // The suspension window as SPEC's `appsnap:freeze-ms` means it: first FIFREEZE to last FITHAW.
        let windowStart = monotonicSeconds()
        let failures = freezeAll(options.mountPoints, journal: journal)
        // In the order asked for, so the thaw below goes in reverse of it.
        let frozen = zip(options.mountPoints, failures).compactMap { $1 == nil ? $0 : nil }
        if let failure = failures.compactMap({ $0 }).first {
            let problems = thaw(frozen)
            problems.isEmpty ? journal.clear() : journal.keep()
            say("error \(([failure] + problems).joined(separator: "; "))")
            return 1
        }
        if monotonicSeconds() >= deadline {
            let problems = thaw(frozen)
            problems.isEmpty ? journal.clear() : journal.keep()
            say("error freezing took longer than the \(options.deadlineMilliseconds) ms allowed")
            return 1
        }
        say("frozen")

        let why = waitForReason(deadline: deadline, parent: parent, signals: signals)
        let problems = thaw(frozen)
        let window = monotonicSeconds() - windowStart
        if problems.isEmpty {
            journal.clear()
            say("thawed \(why)")
            say("window-us \(Int(window * 1_000_000))")
            return 0
        }
        journal.keep()
        say("thaw-failed \(why): \(problems.joined(separator: "; "))")
        return 1
    }

    /// Freezes every mount point at once, each on a thread of its own, each recorded in
    /// the journal just before its FIFREEZE. A FIFREEZE mostly waits for its file
    /// system's journal commit and cache flushes; those of different file systems
    /// overlap, so the first one frozen waits for the slowest rather than for the sum of
    /// all the others. Returns, per mount point, why it is not frozen (nil: frozen).
    private static func freezeAll(_ mountPoints: [String], journal: JournalWriter) -> [String?] {
        @Sendable func freezeOne(_ mountPoint: String, _ journalLock: NSLock?) -> String? {
            journalLock?.lock()
            var failure: String?
            do { try journal.record(frozen: mountPoint) } catch { failure = "\(error)" }
            journalLock?.unlock()
            return failure ?? FileSystemFreeze.freeze(mountPoint: mountPoint)
        }
        if mountPoints.count == 1 { return [freezeOne(mountPoints[0], nil)] }
        let results = FreezeResults(count: mountPoints.count)
        let journalLock = NSLock()
        let done = DispatchGroup()
        for (i, mountPoint) in mountPoints.enumerated() {
            done.enter()
            // Threads of our own, not a dispatch queue: each blocks in the kernel for as
            // long as its flush takes, and a queue would run only as many as there are CPUs.
            let thread = Thread {
                results.set(i, freezeOne(mountPoint, journalLock))
                done.leave()
            }
            thread.stackSize = 256 << 10
            thread.start()
        }
        done.wait()
        return results.values
    }

    /// Reverse order; every mount is attempted even if one fails.
    private static func thaw(_ mountPoints: [String]) -> [String] {
        mountPoints.reversed().compactMap { mountPoint in
            if case .failed(let message) = FileSystemFreeze.thaw(mountPoint: mountPoint) { return message }
            return nil
        }
    }

    private static func waitForReason(deadline: Double, parent: pid_t, signals: SignalDescriptor?) -> String {
        var input: [UInt8] = []
        while true {
            let remaining = deadline - monotonicSeconds()
            if remaining <= 0 { return "deadline" }
            if getppid() != parent { return "parent-gone" }
            var fds = [pollfd(fd: 0, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: signals?.fd ?? -1, events: Int16(POLLIN), revents: 0)]
            // Wake at least every second to notice a parent that died before PDEATHSIG was armed.
            let rc = poll(&fds, 2, Int32(min(remaining, 1) * 1000) + 1)
            if rc < 0 { continue }
            if fds[0].revents != 0 {
                var buffer = [UInt8](repeating: 0, count: 256)
                let n = read(0, &buffer, buffer.count)
                if n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN) { return "parent-gone" }
                if n > 0 {
                    input.append(contentsOf: buffer[0..<n])
                    let lines = String(decoding: input, as: UTF8.self).split(separator: "\n")
                    if lines.contains(where: { $0.trimmingCharacters(in: .whitespaces) == "thaw" }) { return "requested" }
                }
            }
            if fds[1].revents != 0, let signal = signals?.next() {
                if signal != SIGUSR1 { return "signal" }
                // PDEATHSIG also fires when the parent *thread* that spawned us ends;
                // only a new parent process means the parent is gone.
                if getppid() != parent { return "parent-gone" }
            }
        }
    }

    private static func say(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
    }

    struct Options {
        var deadlineMilliseconds: Int
        var journal: String
        var mountPoints: [String]

        init(_ arguments: [String]) throws {
            var args = arguments[...]
            if args.first == FreezerChild.subcommand { args = args.dropFirst() }
            var deadline: Int?
            var journal: String?
            var mountPoints: [String] = []
            while let arg = args.popFirst() {
                switch arg {
                case "--deadline-ms":
                    guard let v = args.popFirst().flatMap({ Int($0) }), v > 0 else { throw JournalError("--deadline-ms needs a positive number of milliseconds") }
                    deadline = v
                case "--journal":
                    guard let v = args.popFirst() else { throw JournalError("--journal needs a path") }
                    journal = v
                case "--":
                    mountPoints.append(contentsOf: args); args = []
                default:
                    mountPoints.append(arg)
                }
            }
            guard let deadline else { throw JournalError("--deadline-ms is required") }
            guard let journal else { throw JournalError("--journal is required") }
            guard !mountPoints.isEmpty else { throw JournalError("no mount point to freeze") }
            self.deadlineMilliseconds = deadline
            self.journal = journal
            self.mountPoints = mountPoints
        }
    }
}

/// Each freezing thread's answer, read once they all ended.
private final class FreezeResults: @unchecked Sendable {
    private let lock = NSLock()
    private var answers: [String?]
    init(count: Int) { answers = Array(repeating: "not attempted", count: count) }
    func set(_ i: Int, _ failure: String?) { lock.lock(); answers[i] = failure; lock.unlock() }
    var values: [String?] { lock.lock(); defer { lock.unlock() }; return answers }
}

/// signalfd(2) for a few signals, which are blocked so they arrive only here.
struct SignalDescriptor {
    let fd: Int32

    init?(_ signals: [Int32]) {
        var set = sigset_t()
        sigemptyset(&set)
        for s in signals { sigaddset(&set, s) }
        guard sigprocmask(SIG_BLOCK, &set, nil) == 0 else { return nil }
        guard let fd = GNU.signalfd(&set) else {
            sigprocmask(SIG_UNBLOCK, &set, nil)  // let the default action (death) stand rather than lose the signal
            return nil
        }
        self.fd = fd
    }

    /// The number of the signal that arrived, or nil.
    func next() -> Int32? {
        // struct signalfd_siginfo is 128 bytes and starts with the uint32 signal number.
        var info = [UInt8](repeating: 0, count: 128)
        guard read(fd, &info, 128) == 128 else { return nil }
        return info.withUnsafeBytes { Int32(bitPattern: $0.load(as: UInt32.self)) }
    }
}
