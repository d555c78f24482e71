import AppSnapCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What a state folder holds on disk, whatever its database says: the data an operator
/// would lose if the folder were treated as new. Seeding the demo over a folder that
/// holds any of it would re-create demo images on top of the operator's own, so the
/// cloud refuses to open such a folder without a usable database (see `cloud fsck`).
public struct StateContents: Sendable, Hashable {
    public var diskImages: [String] = []
    public var snapshotImages: [String] = []
    public var instanceRoots: [String] = []
    public var invocations: [String] = []
    /// A `--pool-image` pool (pool.img) that holds the images when mounted.
    public var poolImage = false

    public var isEmpty: Bool {
        diskImages.isEmpty && snapshotImages.isEmpty && instanceRoots.isEmpty && invocations.isEmpty && !poolImage
    }

    /// "3 disk images, 2 snapshot images, 10 instance folders".
    public var summary: String {
        var parts: [String] = []
        func add(_ n: Int, _ what: String) { if n > 0 { parts.append("\(n) \(what)\(n == 1 ? "" : "s")") } }
        add(diskImages.count, "disk image")
        add(snapshotImages.count, "snapshot image")
        add(instanceRoots.count, "instance folder")
        add(invocations.count, "command output folder")
        if poolImage { parts.append("a pool image (pool.img)") }
        return parts.joined(separator: ", ")
    }

    static func scan(_ layout: StateLayout) -> StateContents {
        func names(_ dir: URL, suffix: String = "") -> [String] {
            let all = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            return all.filter { !$0.hasPrefix(".") && $0.hasSuffix(suffix) }
                .map { String($0.dropLast(suffix.count)) }.sorted()
        }
        var c = StateContents()
        c.diskImages = names(layout.disks, suffix: ".img")
        c.snapshotImages = names(layout.snapshots, suffix: ".img")
        c.instanceRoots = names(layout.instances)
        c.invocations = names(layout.invocations)
        c.poolImage = FileManager.default.fileExists(atPath: layout.poolImage.path)
        return c
    }
}

/// The state of the database file before anything opens it: SQLite would silently make
/// a new, empty database out of a missing or zero-length file.
enum DatabaseFile: Equatable {
    case missing
    case empty
    case present

    static func inspect(_ url: URL) -> DatabaseFile {
        var st = stat()
        guard lstat(url.path, &st) == 0 else { return .missing }
        return st.st_size == 0 ? .empty : .present
    }
}
