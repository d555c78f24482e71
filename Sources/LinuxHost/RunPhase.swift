import Foundation
import Glibc

/// Where a plugin run is, in one small file of the run directory
/// (`<instanceId>.phase`: `prescript`, `after-prescript`, `freezing`, `frozen`, `clone`,
/// `captured`, `thawed`, `postscript`, `after-postscript`, `done`). For operators who
/// wonder what a run is waiting on, and for tests that stop a run at a given step.
/// Never on a disk that may be frozen: the run directory is the cloud's own.
public enum RunPhase {
    public static func path(runDirectory: String, instanceId: String) -> String {
        runDirectory + "/" + instanceId + ".phase"
    }

    /// Replaces the file at once (rename), without fsync: it is advice, not a record.
    public static func set(_ phase: String, runDirectory: String, instanceId: String) {
        let target = path(runDirectory: runDirectory, instanceId: instanceId)
        let temp = target + ".\(getpid())"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        let bytes = Array((phase + " \(getpid())\n").utf8)
        let ok = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == bytes.count
        close(fd)
        if !ok || rename(temp, target) != 0 { unlink(temp) }
    }

    /// The phase and the PID of the process that set it.
    public static func read(runDirectory: String, instanceId: String) -> (phase: String, pid: pid_t)? {
        guard let text = try? String(contentsOfFile: path(runDirectory: runDirectory, instanceId: instanceId), encoding: .utf8) else { return nil }
        let parts = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ")
        guard parts.count == 2, let pid = pid_t(parts[1]) else { return nil }
        return (String(parts[0]), pid)
    }
}
