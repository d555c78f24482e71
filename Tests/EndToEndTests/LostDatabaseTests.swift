import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A missing, empty or corrupt database never re-seeds over an operator's data: every
/// command refuses and says how to recover, `cloud fsck` rebuilds the rows from the pool,
/// and no image is ever touched on the way.
@Suite struct LostDatabaseTests {
    /// A demo cloud with one disk of the operator's own (with data in it) and one group.
    private func populated() throws -> (AppSnapBinary, disk: String, group: String) {
        let app = try AppSnapBinary()
        let made = try app.ecs("CreateDisk", ["RegionId": "cn-hangzhou", "ZoneId": "cn-hangzhou-h", "Size": "1",
                                              "DiskName": "orders-data"])
        let disk = try #require(made.json["DiskId"] as? String, "\(made.stderr)")
        try Data("the operator's rows".utf8).write(to: app.image(disk))
        let instance = try app.instanceId(named: "linux-app-1")
        let g = try app.ecs("CreateSnapshotGroup", ["RegionId": "cn-hangzhou", "InstanceId": instance, "Name": "nightly"])
        let group = try #require(g.json["SnapshotGroupId"] as? String, "\(g.stderr)")
        // Its worker done, so nothing of the cloud is running when the database goes.
        let deadline = Date().addingTimeInterval(60)
        while try app.group(group)["Status"] as? String == "progressing", Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        return (app, disk, group)
    }

    /// Each image's identity: inode, apparent size, modification time and first bytes. A
    /// re-created or rewritten image changes at least one (the images are sparse and up to
    /// 40 GiB apparent, so they are not read whole).
    private func imageBytes(_ app: AppSnapBinary) throws -> [String: String] {
        var out: [String: String] = [:]
        for dir in ["pool/disks", "pool/snapshots"] {
            let url = app.state.appendingPathComponent(dir)
            for name in try FileManager.default.contentsOfDirectory(atPath: url.path) {
                let file = url.appendingPathComponent(name)
                var st = stat()
                guard stat(file.path, &st) == 0 else { continue }
                let handle = try FileHandle(forReadingFrom: file)
                let head = try handle.read(upToCount: 64) ?? Data()
                try handle.close()
                out["\(dir)/\(name)"] = "\(st.st_ino) \(st.st_size) \(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec) \(head.base64EncodedString())"
            }
        }
        return out
    }

    @Test(arguments: ["deleted", "truncated"])
    func everyCommandRefusesAndNothingIsReseeded(_ how: String) throws {
        let (app, disk, _) = try populated()
        let before = try imageBytes(app)
        let db = app.state.appendingPathComponent("appsnap.sqlite")
        if how == "deleted" {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db.path + suffix) }
        } else {
            try Data().write(to: db)
        }

        let regions = try app.run(["ecs", "DescribeRegions"])
        #expect(regions.status == 1)
        #expect(regions.errorJSON["Code"] as? String == "InternalError", "ECS JSON on stderr: \(regions.stderr)")
        let message = regions.errorJSON["Message"] as? String ?? ""
        #expect(message.contains(how == "deleted" ? "is missing" : "is empty"), "\(message)")
        #expect(message.contains("appsnap cloud fsck"), "says how to recover: \(message)")

        for args in [["cloud", "status"], ["logs", "--invoke-id", "t-bp1nothing"], ["cloud", "init", "--demo"]] {
            let r = try app.run(args)
            #expect(r.status != 0, "\(args) must refuse")
            #expect(r.stderr.contains("appsnap cloud fsck"), "\(args): \(r.stderr)")
        }
        #expect(try imageBytes(app) == before, "no image was created, changed or removed")
        let size = (try? FileManager.default.attributesOfItem(atPath: db.path)[.size] as? Int) ?? 0
        #expect(size == 0, "no new database with a fresh demo was made")
        #expect(try String(contentsOf: app.image(disk), encoding: .utf8).hasPrefix("the operator's rows"))
    }

    @Test func fsckRebuildsDisksGroupsAndInstancesFromThePool() throws {
        let (app, disk, group) = try populated()
        let before = try imageBytes(app)
        for suffix in ["", "-wal", "-shm"] {
            try? FileManager.default.removeItem(atPath: app.state.appendingPathComponent("appsnap.sqlite" + suffix).path)
        }
        let fsck = try app.run(["cloud", "fsck"])
        #expect(fsck.status == 0, "\(fsck.stderr)")
        #expect(fsck.stdout.contains("recovered: disk \(disk)"), "\(fsck.stdout)")
        #expect(fsck.stdout.contains("recovered: snapshot group \(group) nightly"), "\(fsck.stdout)")
        #expect(fsck.stdout.contains("no image was deleted"))

        let disks = try app.ecs("DescribeDisks", ["RegionId": "cn-hangzhou", "DiskId.1": disk]).json
        let d = try #require(((disks["Disks"] as? [String: Any])?["Disk"] as? [[String: Any]])?.first)
        #expect(d["DiskName"] as? String == "orders-data", "the name came back from the image's label")
        let g = try app.group(group)
        #expect(g["Name"] as? String == "nightly")
        #expect(g["Status"] as? String == "accomplished")
        #expect(try app.instanceId(named: "linux-app-1").hasPrefix("i-"), "the demo instances are back")
        #expect(try imageBytes(app) == before, "fsck changed no image")

        let again = try app.run(["cloud", "fsck"])
        #expect(again.stdout.contains("nothing to do"), "a second fsck finds agreement: \(again.stdout)")
    }

    @Test func aCorruptDatabaseIsSetAsideNeverDeleted() throws {
        let (app, disk, _) = try populated()
        let db = app.state.appendingPathComponent("appsnap.sqlite")
        // Checkpoint-free corruption: the header itself is overwritten.
        let handle = try FileHandle(forWritingTo: db)
        try handle.write(contentsOf: Data(repeating: 0x42, count: 100))
        try handle.close()
        let r = try app.run(["ecs", "DescribeDisks", "--RegionId", "cn-hangzhou"])
        #expect(r.status == 1)
        #expect(r.errorJSON["Code"] as? String == "InternalError", "\(r.stderr)")
        #expect((r.errorJSON["Message"] as? String ?? "").contains("cannot be used"), "\(r.stderr)")
        #expect(!r.stderr.contains("SQLite error"), "SQLite's own words, not GRDB's dump: \(r.stderr)")

        let fsck = try app.run(["cloud", "fsck"])
        #expect(fsck.status == 0, "\(fsck.stderr)")
        #expect(fsck.stdout.contains("set aside: appsnap.sqlite →"), "\(fsck.stdout)")
        let kept = try FileManager.default.contentsOfDirectory(atPath: app.state.path).filter { $0.contains(".broken-") }
        #expect(!kept.isEmpty, "the broken database is kept for inspection")
        let after = try app.ecs("DescribeDisks", ["RegionId": "cn-hangzhou", "DiskId.1": disk])
        #expect(after.status == 0 && after.stdout.contains(disk), "\(after.stderr)")
    }

    @Test func aFreshFolderIsStillSeededOnFirstUse() throws {
        let app = try AppSnapBinary()
        let r = try app.run(["ecs", "DescribeInstances", "--RegionId", "cn-hangzhou"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("linux-app-1"))
    }
}

/// Images are written before their rows: a crash in between leaves an image nothing
/// names. The next open moves it out of the pool (never deletes it) and says so.
@Suite struct OrphanedImageTests {
    @Test func anImageWithoutARowIsSweptAndCounted() throws {
        let app = try AppSnapBinary()
        let instance = try app.instanceId(named: "linux-app-1")
        let made = try app.ecs("CreateSnapshotGroup", ["RegionId": "cn-hangzhou", "InstanceId": instance, "Name": "kept"])
        let group = try #require(made.json["SnapshotGroupId"] as? String, "\(made.stderr)")
        // What a copy killed half-way leaves: an image with no row.
        let stray = app.state.appendingPathComponent("pool/snapshots/s-bp1crashedcopy00000.img")
        try Data(repeating: 7, count: 4096).write(to: stray)

        let status = try app.run(["cloud", "status"])
        #expect(status.stdout.contains("orphaned images  1"), "\(status.stdout)")
        #expect(!FileManager.default.fileExists(atPath: stray.path))
        let moved = app.state.appendingPathComponent("pool/orphans/s-bp1crashedcopy00000.img")
        #expect(try Data(contentsOf: moved) == Data(repeating: 7, count: 4096), "moved aside whole, not deleted")
        let snaps = ((try app.group(group)["Snapshots"] as? [String: Any])?["Snapshot"] as? [[String: Any]]) ?? []
        #expect(snaps.count == 3)
        for s in snaps {
            let id = s["SnapshotId"] as? String ?? ""
            #expect(FileManager.default.fileExists(atPath: app.state.appendingPathComponent("pool/snapshots/\(id).img").path),
                    "images with rows stay where they are")
        }
    }
}
