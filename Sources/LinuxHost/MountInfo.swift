import AppSnapCore
import Foundation

/// One line of /proc/self/mountinfo: a mount of a superblock (`major:minor`) at a point.
struct MountEntry: Equatable {
    var mountId: Int
    var major: UInt32
    var minor: UInt32
    /// The directory of the file system that is mounted here ("/" unless a bind mount of a subtree).
    var root: String
    var mountPoint: String
    var fileSystemType: String
    var source: String
}

enum MountInfo {
    static func read(path: String = "/proc/self/mountinfo") throws -> [MountEntry] {
        // Read to EOF: String(contentsOfFile:) stops after one page of a /proc file (its
        // stat size is 0), and the mounts a run adds last are at the end.
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw GuestError("cannot read \(path): \(String(cString: strerror(errno)))")
        }
        defer { try? handle.close() }
        return parse(String(decoding: handle.readDataToEndOfFile(), as: UTF8.self))
    }

    /// `36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw`
    static func parse(_ text: String) -> [MountEntry] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 10, let dash = fields.firstIndex(of: "-"), dash >= 6, dash + 2 < fields.count,
                  let id = Int(fields[0]) else { return nil }
            let numbers = fields[2].split(separator: ":")
            guard numbers.count == 2, let major = UInt32(numbers[0]), let minor = UInt32(numbers[1]) else { return nil }
            return MountEntry(mountId: id, major: major, minor: minor, root: unescape(fields[3]),
                              mountPoint: unescape(fields[4]), fileSystemType: fields[dash + 1],
                              source: unescape(fields[dash + 2]))
        }
    }

    /// The kernel writes space, tab, newline and backslash as `\ooo`.
    static func unescape(_ field: String) -> String {
        guard field.contains("\\") else { return field }
        let raw = Array(field.utf8)
        var bytes: [UInt8] = []
        var i = 0
        while i < raw.count {
            if raw[i] == UInt8(ascii: "\\"), i + 3 < raw.count,
               let value = UInt8(String(decoding: raw[(i + 1)...(i + 3)], as: UTF8.self), radix: 8) {
                bytes.append(value)
                i += 4
            } else {
                bytes.append(raw[i])
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The same escaping, so a mount point fits on one line of the freeze journal.
    static func escape(_ path: String) -> String {
        var bytes: [UInt8] = []
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\\"):
                let octal = String(byte, radix: 8)
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(contentsOf: (String(repeating: "0", count: 3 - octal.count) + octal).utf8)
            default:
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
