import AppSnapCore
import Foundation
import Glibc

/// Hands the spawning thread's outcome to `start` (written before the semaphore signals).
private final class SpawnOutcome: @unchecked Sendable {
    var result: Result<FreezerProcess, Error>?
}

/// The parent's side of an `appsnap _freezer` child (see `FreezerChild`): starts it,
/// follows what it says on a thread of its own, and thaws the mounts itself the moment
/// the child ends without having thawed them (killed, crashed).
final class FreezerProcess: @unchecked Sendable {
    enum State: Equatable {
        case starting
        case frozen
        case failedToFreeze(String)
        /// The child thawed everything; `why` is `requested`, `deadline`, `signal`…
        case thawed(why: String)
        case thawFailed(String)
        /// The child ended without a conclusion; the parent thawed (with these problems).
        case died(String, problems: [String])
    }

    let pid: pid_t
    let mountPoints: [String]
    let journalPath: String
    private let control: Int32
    private let condition = NSCondition()
    private var state = State.starting
    private var ended = false
    private var chatter: [String] = []
    private var window: Double?

    private init(pid: pid_t, mountPoints: [String], journalPath: String, control: Int32) {
        self.pid = pid; self.mountPoints = mountPoints; self.journalPath = journalPath; self.control = control
    }

    deinit { close(control) }

    static func start(executable: String, mountPoints: [String], deadlineMilliseconds: Int,
                      journalPath: String) throws -> FreezerProcess {
        // stdin is a socket so that telling a dead child to thaw is an error (MSG_NOSIGNAL),
        // not a SIGPIPE that would kill this process in the middle of a freeze.
        var control: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | O_CLOEXEC, 0, &control) == 0 else {
            throw GuestError("cannot start the freezer: socketpair: \(errnoText(errno))")
        }
        var output: [Int32] = [-1, -1]
        guard GNU.pipe2(&output, O_CLOEXEC) == 0 else {
            close(control[0]); close(control[1])
            throw GuestError("cannot start the freezer: pipe: \(errnoText(errno))")
        }
        var request = SpawnRequest(executable, [executable, FreezerChild.subcommand,
                                                "--deadline-ms", String(deadlineMilliseconds),
                                                "--journal", journalPath, "--"] + mountPoints)
        request.fileActions = [.dup2(control[1], to: 0), .dup2(output[1], to: 1), .dup2(output[1], to: 2)]
        request.blockedSignals = FreezerChild.handledSignals
        // Its own process group: a RunCommand timeout SIGKILLs the plugin's group, and the
        // freezer must survive that to thaw (it sees its parent die instead).
        request.newProcessGroup = true

        // The child is spawned by the thread that follows it, which lives exactly as long
        // as the child: PR_SET_PDEATHSIG fires when the spawning *thread* ends, so this
        // way it fires only when this process really dies.
        let started = DispatchSemaphore(value: 0)
        let box = SpawnOutcome()
        let (readEnd, childEnds, parentControl) = (output[0], [control[1], output[1]], control[0])
        let spawn = request
        let thread = Thread {
            do {
                let pid = try spawn.spawn()
                for fd in childEnds { close(fd) }
                let process = FreezerProcess(pid: pid, mountPoints: mountPoints, journalPath: journalPath, control: parentControl)
                box.result = .success(process)
                started.signal()
                process.follow(readEnd)
            } catch {
                for fd in childEnds + [parentControl, readEnd] { close(fd) }
                box.result = .failure(GuestError("cannot start the freezer: \(error)"))
                started.signal()
            }
        }
        thread.stackSize = 1 << 20
        thread.start()
        started.wait()
        return try box.result!.get()
    }

    /// Blocks until the child says `frozen`; throws with its words otherwise. A child that
    /// says nothing within `timeout` seconds is killed (and its mounts thawed).
    func waitUntilFrozen(timeout: Double) throws {
        condition.lock()
        let limit = Date(timeIntervalSinceNow: timeout)
        while state == .starting && !ended {
            if !condition.wait(until: limit) { break }
        }
        let seen = state
        condition.unlock()
        switch seen {
        case .frozen:
            return
        case .starting:
            kill(pid, SIGKILL)
            waitUntilEnded()
            throw GuestError("freezing \(mountPoints.joined(separator: ", ")) did not complete within \(Int(timeout)) s")
        case .failedToFreeze(let message), .thawFailed(let message):
            waitUntilEnded()
            throw GuestError(message)
        case .thawed(let why):
            waitUntilEnded()
            throw GuestError("the freezer thawed (\(why)) before reporting the freeze")
        case .died(let how, let problems):
            throw GuestError((["the freezer \(how) while freezing"] + problems).joined(separator: "; "))
        }
    }

    /// Tells the child to thaw and waits for it. Returns the final state.
    func thaw(timeout: Double = 60) -> State {
        let message = Array("thaw\n".utf8)
        _ = message.withUnsafeBytes { send(control, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        condition.lock()
        let limit = Date(timeIntervalSinceNow: timeout)
        while !ended {
            if !condition.wait(until: limit) { break }
        }
        let done = ended
        condition.unlock()
        if !done {
            kill(pid, SIGKILL)  // stuck in FITHAW or worse: the follower thaws for it
            waitUntilEnded()
        }
        return currentState
    }

    /// First FIFREEZE to last FITHAW as the child measured it, once it thawed on request.
    var windowSeconds: Double? {
        condition.lock(); defer { condition.unlock() }
        return window
    }

    var currentState: State {
        condition.lock(); defer { condition.unlock() }
        return state
    }

    private func waitUntilEnded() {
        condition.lock()
        while !ended { condition.wait() }
        condition.unlock()
    }

    /// Runs on its own thread for the child's whole life.
    private func follow(_ fd: Int32) {
        var lines: [String] = []
        var splitter = LineSplitter { lines.append($0) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            splitter.append(buffer[0..<n])
            for line in lines { hear(line) }
            lines.removeAll()
        }
        splitter.finish()
        for line in lines { hear(line) }
        close(fd)

        let status = waitForChild(pid)
        condition.lock()
        let concluded: Bool
        switch state {
        case .starting, .frozen: concluded = false
        default: concluded = true
        }
        condition.unlock()

        var final: State?
        if !concluded {
            // The child is gone and may have left file systems frozen: thaw them now,
            // not when someone next asks. Its journal says how far it got, so a mount it
            // never reached (perhaps frozen by someone else) is left alone.
            let recorded = (try? String(contentsOfFile: journalPath, encoding: .utf8)).map(FreezeJournal.mountPoints(in:))
            let problems = (recorded ?? mountPoints).reversed().compactMap { mountPoint -> String? in
                if case .failed(let message) = FileSystemFreeze.thaw(mountPoint: mountPoint) { return message }
                return nil
            }
            if problems.isEmpty { FreezeJournal.remove(journalPath) }
            let how: String
            switch status {
            case .signaled(let s)?: how = "was killed by signal \(s)"
            case .exited(let c)?: how = "exited with status \(c)" + (chatter.isEmpty ? "" : " (\(chatter.suffix(3).joined(separator: " / ")))")
            case nil: how = "vanished"
            }
            final = .died(how, problems: problems)
        }
        condition.lock()
        if let final { state = final }
        ended = true
        condition.broadcast()
        condition.unlock()
    }

    private func hear(_ line: String) {
        let next: State?
        if line == "frozen" {
            next = .frozen
        } else if line.hasPrefix("error ") {
            next = .failedToFreeze(String(line.dropFirst(6)))
        } else if line.hasPrefix("thawed") {
            next = .thawed(why: line.dropFirst(6).trimmingCharacters(in: .whitespaces))
        } else if line.hasPrefix("thaw-failed ") {
            next = .thawFailed(String(line.dropFirst(12)))
        } else if line.hasPrefix("window-us "), let us = Double(line.dropFirst(10)) {
            condition.lock()
            window = us / 1_000_000
            condition.unlock()
            return
        } else {
            next = nil
        }
        condition.lock()
        if let next { state = next } else { chatter.append(line) }
        condition.broadcast()
        condition.unlock()
    }
}
