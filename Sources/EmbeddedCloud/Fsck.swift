import AppSnapCore
import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#endif

/// What `appsnap cloud fsck` found and did.
public struct FsckReport: Sendable {
    /// Database files SQLite could not use, renamed (never deleted).
    public var setAside: [String] = []
    /// Rows made again from what the pool holds, one line each.
    public var adopted: [String] = []
    /// Rows whose image file is gone.
    public var missingImages: [String] = []
    /// Files kept as they are that no row could be made for.
    public var notRecovered: [String] = []

    public var rendered: String {
        var lines: [String] = []
        for f in setAside { lines.append("set aside: \(f) (SQLite could not use it; kept for inspection)") }
        lines += adopted.map { "recovered: \($0)" }
        lines += missingImages.map { "missing:   \($0)" }
        lines += notRecovered.map { "kept:      \($0)" }
        if adopted.isEmpty && missingImages.isEmpty && notRecovered.isEmpty && setAside.isEmpty {
            lines.append("the database and the pool agree: nothing to do")
        } else {
            lines.append("\(adopted.count) recovered, \(missingImages.count) missing, \(notRecovered.count) kept as files; no image was deleted")
        }
        return lines.joined(separator: "\n")
    }
}

extension EmbeddedCloud {
    /// `appsnap cloud fsck`: makes the database agree with the pool again after it was
    /// lost, truncated or corrupted. A database SQLite cannot use is renamed aside; every
    /// image without a row gets one (from the label written on the image, else from the
    /// demo inventory's derived IDs, else from its name and size); every row without an
    /// image is reported. It never deletes an image or an instance folder.
    public static func fsck(stateDirectory: URL, spawner: DetachedSpawner = .posixSpawn) throws -> FsckReport {
        let layout = StateLayout(root: stateDirectory)
        var report = FsckReport()
        if DatabaseFile.inspect(layout.database) == .present, let why = unusableDatabase(layout) {
            let suffix = ".broken-" + EmbeddedCloud.format(Date()).filter { $0.isNumber }
            for name in ["appsnap.sqlite", "appsnap.sqlite-wal", "appsnap.sqlite-shm"] {
                let from = layout.root.appendingPathComponent(name)
                guard FileManager.default.fileExists(atPath: from.path) else { continue }
                let to = layout.root.appendingPathComponent(name + suffix)
                guard rename(from.path, to.path) == 0 else { throw PoolError("cannot set aside", path: from.path) }
                report.setAside.append("\(name) → \(name + suffix) (\(why))")
            }
        }
        let cloud = try EmbeddedCloud(stateDirectory: stateDirectory, spawner: spawner, recovering: true)
        try cloud.rebuild(&report)
        return report
    }

    /// Nil when SQLite reads the file and its own check passes; otherwise SQLite's words.
    private static func unusableDatabase(_ layout: StateLayout) -> String? {
        do {
            var config = Configuration()
            config.readonly = true
            let queue = try DatabaseQueue(path: layout.database.path, configuration: config)
            let verdict = try queue.read { db in try String.fetchAll(db, sql: "PRAGMA quick_check") }
            return verdict == ["ok"] ? nil : verdict.joined(separator: "; ")
        } catch let error as DatabaseError {
            return sqliteCause(error)
        } catch {
            return "\(error)"
        }
    }

    private func rebuild(_ report: inout FsckReport) throws {
        let held = StateContents.scan(layout)
        let (demoInstances, demoDisks, demoWriters) = Self.demoRecords()
        let layout = self.layout
        report = try store.writer.write { db -> FsckReport in
            var report = report
            for region in DemoInventory.regions where try RegionRecord.fetchOne(db, key: region.regionId) == nil {
                try region.insert(db)
            }
            var instances = Set(try String.fetchAll(db, sql: "SELECT instanceId FROM instance"))

            // Demo instances come back whole when their folder or one of their disks is there.
            for instance in demoInstances where !instances.contains(instance.instanceId) {
                let ownDisks = demoDisks.filter { $0.instanceId == instance.instanceId }.map(\.diskId)
                guard held.instanceRoots.contains(instance.instanceId) || ownDisks.contains(where: held.diskImages.contains)
                else { continue }
                try Self.insertDemoRoles(db)
                try instance.insert(db)
                for w in demoWriters where w.instanceId == instance.instanceId { try w.insert(db) }
                instances.insert(instance.instanceId)
                report.adopted.append("instance \(instance.instanceId) \(instance.instanceName) (from the demo inventory)")
            }
            for folder in held.instanceRoots where !instances.contains(folder) {
                report.notRecovered.append("instances/\(folder): not an instance of the demo inventory; its files are as they were")
            }

            let knownDisks = Set(try String.fetchAll(db, sql: "SELECT diskId FROM disk"))
            for id in held.diskImages where !knownDisks.contains(id) {
                let url = layout.diskImage(id)
                var record: DiskRecord, source: String
                if let labelled = ImageLabel.read(from: url)?.disk, labelled.diskId == id {
                    (record, source) = (labelled, "from the label on its image")
                } else if let demo = demoDisks.first(where: { $0.diskId == id }) {
                    (record, source) = (demo, "from the demo inventory")
                } else if let region = DemoInventory.region(ofId: id) {
                    record = DiskRecord(diskId: id, diskName: "recovered-\(id)", regionId: region,
                                        zoneId: Self.defaultZone(region), instanceId: nil, category: "cloud_essd",
                                        size: Self.sizeGiB(url), status: "Available", type: "data", device: "",
                                        multiAttach: "Disabled", sourceSnapshotId: "", creationTime: Self.modified(url))
                    source = "from its file name and size; name, category and attachment are guesses"
                } else {
                    report.notRecovered.append("pool/disks/\(id).img: its name says no region")
                    continue
                }
                // A disk comes back attached only to an instance that exists again.
                if let owner = record.instanceId, !instances.contains(owner) {
                    record.instanceId = nil; record.status = "Available"; record.device = ""
                }
                try record.insert(db)
                report.adopted.append("disk \(id) \(record.instanceId.map { "attached to \($0)" } ?? "available") (\(source))")
            }

            let knownSnapshots = Set(try String.fetchAll(db, sql: "SELECT snapshotId FROM snapshot"))
            var groups = Set(try String.fetchAll(db, sql: "SELECT snapshotGroupId FROM snapshotGroup"))
            var untagged = 0
            for id in held.snapshotImages where !knownSnapshots.contains(id) {
                let url = layout.snapshotImage(id)
                let label = ImageLabel.read(from: url)
                var snapshot: SnapshotRecord
                if let labelled = label?.snapshot, labelled.snapshotId == id {
                    snapshot = labelled
                    if let g = label?.group, !groups.contains(g.snapshotGroupId) {
                        try SnapshotGroupRecord(snapshotGroupId: g.snapshotGroupId, regionId: snapshot.regionId,
                                                instanceId: g.instanceId, name: g.name, description: g.description,
                                                status: SnapshotStatus.accomplished, creationTime: g.creationTime).insert(db)
                        groups.insert(g.snapshotGroupId)
                        report.adopted.append("snapshot group \(g.snapshotGroupId) \(g.name) (from the labels on its images)")
                    }
                } else if let region = DemoInventory.region(ofId: id) {
                    snapshot = SnapshotRecord(snapshotId: id, regionId: region, snapshotName: "recovered-\(id)",
                                              sourceDiskId: "", sourceDiskSize: Self.sizeGiB(url), sourceDiskType: "data",
                                              instanceId: "", status: SnapshotStatus.accomplished, progress: 100,
                                              snapshotType: "user", snapshotGroupId: nil, creationTime: Self.modified(url))
                } else {
                    report.notRecovered.append("pool/snapshots/\(id).img: its name says no region")
                    continue
                }
                // The image was whole before its row was ever written (files first, rows last).
                snapshot.status = SnapshotStatus.accomplished
                snapshot.progress = 100
                try snapshot.insert(db)
                untagged += 1
                report.adopted.append("snapshot \(id) of \(snapshot.sourceDiskId.isEmpty ? "an unknown disk" : snapshot.sourceDiskId)")
            }
            if untagged > 0 {
                report.notRecovered.append("tags of the \(untagged) recovered snapshots (APPConsistent/FsConsistent and the rest) were only in the database")
            }

            for id in try String.fetchAll(db, sql: "SELECT diskId FROM disk")
            where !FileManager.default.fileExists(atPath: layout.diskImage(id).path) {
                report.missingImages.append("disk \(id): its image pool/disks/\(id).img is gone")
            }
            for id in try String.fetchAll(db, sql: "SELECT snapshotId FROM snapshot")
            where !FileManager.default.fileExists(atPath: layout.snapshotImage(id).path) {
                report.missingImages.append("snapshot \(id): its image pool/snapshots/\(id).img is gone")
            }
            let knownInvocations = Set(try String.fetchAll(db, sql: "SELECT invokeId FROM invocation"))
            let lostRuns = held.invocations.filter { !knownInvocations.contains($0) }
            if !lostRuns.isEmpty {
                report.notRecovered.append("\(lostRuns.count) command runs under invocations/: their output files are kept, their history is not rebuilt")
            }
            return report
        }
    }

    private static func defaultZone(_ region: String) -> String {
        DemoInventory.regions.first { $0.regionId == region }?.defaultZoneId ?? region + "-a"
    }

    /// The image's apparent size in whole GiB, at least 1.
    private static func sizeGiB(_ url: URL) -> Int {
        var st = stat()
        guard stat(url.path, &st) == 0 else { return 1 }
        return max(1, Int((Int64(st.st_size) + Int64(PoolImages.gibibyte) - 1) / Int64(PoolImages.gibibyte)))
    }

    private static func modified(_ url: URL) -> String {
        var st = stat()
        guard stat(url.path, &st) == 0 else { return DemoInventory.creationTime }
        return format(Date(timeIntervalSince1970: TimeInterval(st.st_mtim.tv_sec)))
    }
}
