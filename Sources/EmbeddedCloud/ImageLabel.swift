import CLinux
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What an image is, written onto the image file itself (an extended attribute), so that
/// `cloud fsck` can rebuild a lost database with the names, sources and groups the rows
/// had. Best effort: a pool whose file system has no user xattrs keeps working, and fsck
/// then falls back to what the file name and size say.
struct ImageLabel: Codable {
    var disk: DiskRecord?
    var snapshot: SnapshotRecord?
    var group: GroupLabel?

    /// The group a snapshot belonged to when it was taken.
    struct GroupLabel: Codable {
        var snapshotGroupId: String
        var instanceId: String
        var name: String
        var description: String
        var creationTime: String
    }

    static let attribute = "user.appsnap.record"

    func write(to url: URL) {
        guard let data = try? JSONEncoder().encode(self) else { return }
        _ = data.withUnsafeBytes { setxattr(url.path, Self.attribute, $0.baseAddress, $0.count, 0) }
    }

    static func read(from url: URL) -> ImageLabel? {
        let size = getxattr(url.path, attribute, nil, 0)
        guard size > 0, size < 1 << 20 else { return nil }
        var data = Data(count: size)
        let got = data.withUnsafeMutableBytes { getxattr(url.path, attribute, $0.baseAddress, size) }
        guard got == size else { return nil }
        return try? JSONDecoder().decode(ImageLabel.self, from: data)
    }
}
