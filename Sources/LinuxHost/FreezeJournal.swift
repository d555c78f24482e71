import Foundation
import Glibc

/// What a freezer has frozen, on disk in the run directory (never on a disk that may be
/// frozen), so that `appsnap thaw --all` can undo a freeze left behind by any crash.
///
/// One file per freeze, `<instanceId>-<random>.freeze-journal` (a new freeze never
/// overwrites the record of an older one that was never undone):
/// ```
/// appsnap-freeze-journal 1
/// pid 4242
/// frozen /mnt/data
/// ```
/// A mount point is recorded (and fsync'd) *before* it is frozen, so there is no moment
/// where a file system is frozen and the journal does not say so.
public enum FreezeJournal {
    public static let suffix = ".freeze-journal"
    static let header = "appsnap-freeze-journal 1"

    /// Thaws every file system any journal in `runDirectory` lists (last frozen first),
    /// removes the journals that are fully undone, and returns the mount points it
    /// actually thawed. Also thaws a freeze a live freezer still holds: this is the
    /// operator's "undo everything" command.
    public static func thawAll(runDirectory: String, instanceId: String? = nil) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: runDirectory) else { return [] }
        var thawed: [String] = []
        for name in names.sorted() where name.hasSuffix(suffix) && (instanceId.map { name.hasPrefix($0 + "-") } ?? true) {
            let path = runDirectory + "/" + name
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
            var undone = true
            for mountPoint in mountPoints(in: text).reversed() {
                switch FileSystemFreeze.thaw(mountPoint: mountPoint) {
                case .thawed: thawed.append(mountPoint)
                case .wasNotFrozen: break
                case .failed:
                    // Gone since (unmounted) counts as undone; anything else stays for another try.
                    if FileManager.default.fileExists(atPath: mountPoint) { undone = false }
                }
            }
            if undone { remove(path) }
        }
        return thawed
    }

    /// The mount points of the journals still present: freezes not (yet) undone.
    public static func remaining(runDirectory: String) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: runDirectory) else { return [] }
        return names.sorted().filter { $0.hasSuffix(suffix) }.flatMap { name -> [String] in
            (try? String(contentsOfFile: runDirectory + "/" + name, encoding: .utf8)).map(mountPoints(in:)) ?? []
        }
    }

    /// Where the next freeze of `instanceId` records itself.
    static func newPath(runDirectory: String, instanceId: String) -> String {
        runDirectory + "/" + instanceId + "-" + UUID().uuidString.prefix(8).lowercased() + suffix
    }

    public static func thawAll(runDirectory: URL) -> [String] {
        thawAll(runDirectory: runDirectory.path)
    }

    static func mountPoints(in text: String) -> [String] {
        text.split(separator: "\n").compactMap { line in
            line.hasPrefix("frozen ") ? MountInfo.unescape(String(line.dropFirst("frozen ".count))) : nil
        }
    }

    static func remove(_ path: String) {
        unlink(path)
        syncDirectory(of: path)
    }

    static func syncDirectory(of path: String) {
        let dir = (path as NSString).deletingLastPathComponent
        let fd = open(dir.isEmpty ? "." : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 { fsync(fd); close(fd) }
    }
}

/// The freezer child's handle on its journal: every line is on disk before it returns.
struct JournalWriter {
    let path: String
    private let fd: Int32

    init(path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw JournalError("cannot create the freeze journal \(path): \(errnoText(errno))") }
        self.path = path
        self.fd = fd
        try append("\(FreezeJournal.header)\npid \(getpid())\n")
        FreezeJournal.syncDirectory(of: path)
    }

    func record(frozen mountPoint: String) throws {
        try append("frozen \(MountInfo.escape(mountPoint))\n")
    }

    private func append(_ text: String) throws {
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; throw JournalError("cannot write the freeze journal \(path): \(errnoText(errno))") }
            written += n
        }
        guard fsync(fd) == 0 else { throw JournalError("cannot sync the freeze journal \(path): \(errnoText(errno))") }
    }

    /// After a complete thaw: nothing is left to undo.
    func clear() {
        close(fd)
        FreezeJournal.remove(path)
    }

    /// After a partial thaw: keep the journal for `appsnap thaw --all`.
    func keep() { close(fd) }
}

struct JournalError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
