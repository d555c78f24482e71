import Foundation
import Glibc
import Testing

/// `appsnap plugin-manager --cloud aliyun` as it runs on a real ECS instance: who it is
/// and its role's keys come only from the metadata service (`appsnap serve --metadata-for`),
/// its disks are found by serial in a by-id tree, and the freeze is real (loop devices
/// with ext4 and XFS). Root only, like every host test.
@Suite(.serialized) struct AliyunPluginTests {
    /// `virtio-<serial>` links to the loop device of each of the host's disks, as udev makes them.
    func byIdTree(_ host: HostFixture) throws -> URL {
        let dir = host.app.state.appendingPathComponent("by-id")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for disk in try host.app.disks(of: host.hostId) {
            let id = try #require(disk["DiskId"] as? String)
            let (status, out) = try shell("losetup -j '\(host.app.image(id).path)' | cut -d: -f1 | head -1")
            let device = out.trimmingCharacters(in: .whitespacesAndNewlines)
            guard status == 0, device.hasPrefix("/dev/loop") else { throw E2EError("no loop device for \(id): \(out)") }
            try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("virtio-" + id.dropFirst(2)).path,
                                                       withDestinationPath: device)
        }
        return dir
    }

    @Test func thePluginOnTheHostInstanceIsAppConsistentWithMetadataCredentialsOnly() throws {
        guard let host = try HostFixture.make("aliyun plugin"), let scripts = HostScripts("aliyun plugin") else { return }
        defer { scripts.remove(); host.destroy() }
        let ext4 = try host.addDisk(fs: "ext4")
        _ = try host.addDisk(fs: "xfs")
        try scripts.writeValid()
        try Data("before".utf8).write(to: URL(fileURLWithPath: ext4.mountPoint + "/data.txt"))
        let served = try ServedCloud(app: host.app, extraArguments: ["--metadata-for", host.hostId])
        defer { served.stop() }
        let client = try AliyunClient(served)
        let tree = try byIdTree(host)
        let params = "-RamRoleName=\"AppSnapshotRoleName\",-EnableFsFreeze=true,-TimeoutInSeconds=30,"
            + "-PreScriptPath=\"/tmp/prescript.sh\",-PostScriptPath=\"/tmp/postscript.sh\",-ExcludeDiskId=\"\",-Name=\"AliyunHost\",-Description=\"x\""
        // No access key anywhere: only the metadata service.
        let r = try client.run(["plugin-manager", "--exec", "--plugin", "app-snapshot-plugin", "--params=" + params],
                               env: ["APPSNAP_METADATA_ENDPOINT": client.endpoint, "APPSNAP_DISK_BY_ID_DIR": tree.path])
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stdout.contains("Take AppConsistent snapshots successfully"), "\(r.stdout)")
        #expect(scripts.markerLines == ["pre", "post"])
        let group = try #require(groupId(in: r.stdout))
        let tags = try host.app.snapshotTags(group: group)
        #expect(tags.count == 2, "both disks are in the group: \(tags)")
        for (sid, t) in tags { #expect(t["APPConsistent"] == "True", "\(sid): \(t)") }
        #expect(writable(ext4.mountPoint), "thawed after the run")
        let log = try String(contentsOf: served.app.state.appendingPathComponent("serve.log"), encoding: .utf8)
        // The plugin's DryRun checks are answered DryRunOperation (logged as refusals); nothing was forbidden.
        #expect(!log.contains("Forbidden") && !log.contains("InvalidSecurityToken"), "every call was allowed: \(log)")
        #expect(try secretLeaks([served.key.accessKeySecret], outputs: client.outputs, state: served.app.state).isEmpty)
    }

    /// The same path without scripts (it needs no /tmp/prescript.sh, which a machine may
    /// have of its own): frozen and thawed, FsConsistent on every snapshot.
    @Test func withoutScriptsTheGroupIsFileSystemConsistent() throws {
        guard let host = try HostFixture.make("aliyun plugin fs") else { return }
        defer { host.destroy() }
        let ext4 = try host.addDisk(fs: "ext4")
        _ = try host.addDisk(fs: "xfs")
        let served = try ServedCloud(app: host.app, extraArguments: ["--metadata-for", host.hostId])
        defer { served.stop() }
        let client = try AliyunClient(served)
        let tree = try byIdTree(host)
        let r = try client.run(["plugin-manager", "--exec", "--plugin", "app-snapshot-plugin",
                                "--params=-RamRoleName=\"AppSnapshotRoleName\",-EnableFsFreeze=true,-TimeoutInSeconds=30,-Name=\"AliyunFs\""],
                               env: ["APPSNAP_METADATA_ENDPOINT": client.endpoint, "APPSNAP_DISK_BY_ID_DIR": tree.path])
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stdout.contains("Take FsConsistent snapshots successfully"), "\(r.stdout)")
        let group = try #require(groupId(in: r.stdout))
        let tags = try host.app.snapshotTags(group: group)
        #expect(tags.count == 2, "both disks are in the group: \(tags)")
        for (sid, t) in tags { #expect(t["FsConsistent"] == "True", "\(sid): \(t)") }
        #expect(writable(ext4.mountPoint), "thawed after the run")
    }

    @Test func aDiskMissingFromTheByIdTreeIsNotFrozenBlindly() throws {
        guard let host = try HostFixture.make("aliyun plugin no by-id") else { return }
        defer { host.destroy() }
        try host.addDisk(fs: "ext4")
        let served = try ServedCloud(app: host.app, extraArguments: ["--metadata-for", host.hostId])
        defer { served.stop() }
        let client = try AliyunClient(served)
        let empty = host.app.state.appendingPathComponent("empty-by-id")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let r = try client.run(["plugin-manager", "--exec", "--plugin", "app-snapshot-plugin",
                                "--params=-RamRoleName=\"AppSnapshotRoleName\",-EnableFsFreeze=true,-Name=\"NoById\""],
                               env: ["APPSNAP_METADATA_ENDPOINT": client.endpoint, "APPSNAP_DISK_BY_ID_DIR": empty.path])
        #expect(r.status != 0, "\(r.stdout)")
        #expect(r.stdout.contains("not attached"), "the line says why: \(r.stdout)")
    }
}
