import AppSnapCore
import Foundation
import Testing
@testable import EmbeddedCloud

@Suite struct DemoInventoryTests {
    @Test func regionsAndInstanceNames() async throws {
        let t = try TestCloud()
        let regions = try await t.cloud.describeRegions().map(\.RegionId)
        #expect(Set(regions) == ["cn-hangzhou", "cn-shanghai", "ap-southeast-1"])
        let names = try await t.cloud.describeInstances(regionId: hz, instanceIds: nil).map(\.InstanceName)
        #expect(Set(names) == ["linux-app-1", "linux-db-1", "linux-shared-1", "linux-stopped-1", "linux-norole-1",
                               "linux-weakrole-1", "linux-noassist-1", "linux-old-1", "win-sql-1", "win-old-1"])
        for region in ["cn-shanghai", "ap-southeast-1"] {
            let others = try await t.cloud.describeInstances(regionId: region, instanceIds: nil)
            #expect(others.count == 1)
            #expect(others.first?.OSType == "linux")
            #expect(others.first?.Status == "Running")
        }
    }

    @Test func idsAreDeterministic() async throws {
        let a = try TestCloud(), b = try TestCloud()
        let ia = try await a.cloud.describeInstances(regionId: hz, instanceIds: nil).map(\.InstanceId)
        let ib = try await b.cloud.describeInstances(regionId: hz, instanceIds: nil).map(\.InstanceId)
        #expect(ia == ib)
        #expect(ia.allSatisfy { $0.hasPrefix("i-bp1") })
        let da = try await a.cloud.describeDisks(regionId: hz, instanceId: nil, diskIds: nil).map(\.DiskId)
        let db = try await b.cloud.describeDisks(regionId: hz, instanceId: nil, diskIds: nil).map(\.DiskId)
        #expect(da == db)
    }

    @Test func traitsOfEachInstance() async throws {
        let t = try TestCloud()
        let c = t.cloud
        let app = try await t.instance("linux-app-1")
        #expect(app.OSName.hasPrefix("CentOS 7.9"))
        let appDisks = try await t.disks(of: "linux-app-1")
        #expect(appDisks.count == 3)
        #expect(appDisks.allSatisfy { $0.Category == "cloud_essd" && $0.MultiAttach == "Disabled" && $0.Status == "In_use" })
        #expect(appDisks.filter { $0.Type == "system" }.count == 1)
        #expect(appDisks.map(\.Device) == ["/dev/xvda", "/dev/xvdb", "/dev/xvdc"])

        let dbDisks = try await t.disks(of: "linux-db-1")
        #expect(dbDisks.map(\.Category).sorted() == ["cloud_essd", "cloud_essd", "cloud_ssd"])
        let shared = try await t.disks(of: "linux-shared-1")
        #expect(shared.count == 1)
        #expect(shared.first?.MultiAttach == "Enabled")
        #expect(shared.first?.Category == "cloud_essd")

        #expect(try await t.instance("linux-stopped-1").Status == "Stopped")
        #expect(try await t.instance("linux-old-1").OSName.hasPrefix("CentOS 7.5"))
        #expect(try await t.instance("win-old-1").OSName.contains("2008 R2"))
        #expect(try await t.instance("win-sql-1").OSType == "windows")

        let names = ["linux-app-1", "linux-norole-1", "linux-weakrole-1", "linux-noassist-1"]
        var ids: [String] = []
        for n in names { ids.append(try await t.instance(n).InstanceId) }
        let roles = try await c.describeInstanceRamRole(regionId: hz, instanceIds: ids).map(\.RamRoleName)
        #expect(roles[0] == "AppSnapshotRoleName")
        #expect(roles[1] == "")
        #expect(roles[2] != "" && roles[2] != "AppSnapshotRoleName")
        let assist = try await c.describeCloudAssistantStatus(regionId: hz, instanceIds: ids).map(\.CloudAssistantStatus)
        #expect(assist == ["true", "true", "true", "false"])
    }

    @Test func disksAreSparseImagesOfTheirSize() async throws {
        let t = try TestCloud()
        for d in try await t.disks(of: "linux-app-1") {
            let attributes = try FileManager.default.attributesOfItem(atPath: t.image(d.DiskId).path)
            #expect((attributes[.size] as? Int) == d.Size << 30)
            #expect((20...40).contains(d.Size))
            var st = stat()
            stat(t.image(d.DiskId).path, &st)
            #expect(st.st_blocks == 0, "a fresh disk image is holes only")
        }
    }

    @Test func windowsGuestReportsItsVssWriters() async throws {
        let t = try TestCloud()
        let win = try await t.instance("win-sql-1")
        let guest = try t.cloud.guest(for: win.InstanceId)
        let writers = try await guest.vssWriters()
        #expect(writers.contains("SqlServerWriter"))
        #expect(writers.contains("System Writer"))
        #expect(writers.contains("Registry Writer"))
    }

    @Test func linuxGuestIsRootedAtTheInstanceRoot() async throws {
        let t = try TestCloud()
        let app = try await t.instance("linux-app-1")
        let guest = try t.cloud.guest(for: app.InstanceId)
        #expect(guest.instanceId == app.InstanceId)
        #expect(guest.regionId == hz)
        // A prescript placed in the instance's /tmp is the one the guest checks.
        let script = t.cloud.layout.instanceRoot(app.InstanceId).appendingPathComponent("tmp/prescript.sh")
        try Data("#!/bin/sh\necho pre\n".utf8).write(to: script)
        chmod(script.path, 0o755)
        // Owned by the instance's root (its folder's owner), so the mode is what is wrong.
        var st = stat()
        stat(t.cloud.layout.instanceRoot(app.InstanceId).path, &st)
        chown(script.path, st.st_uid, st.st_gid)
        guard case .rejected(let reason, _) = guest.openScript(path: "/tmp/prescript.sh") else {
            Issue.record("a 0755 script must be rejected"); return
        }
        #expect(reason == "script-mode-0755")
        #expect(throws: (any Error).self) { try t.cloud.guest(for: "i-missing") }
    }

    @Test func emptyCloudHasOnlyRegions() async throws {
        let t = try TestCloud(demo: false)
        #expect(try await t.cloud.describeRegions().count == 3)
        #expect(try await t.cloud.describeInstances(regionId: hz, instanceIds: nil).isEmpty)
        try t.cloud.initialize(demo: true)
        #expect(try await t.cloud.describeInstances(regionId: hz, instanceIds: nil).count == 10)
        try t.cloud.initialize(demo: false)
        #expect(try await t.cloud.describeInstances(regionId: hz, instanceIds: nil).isEmpty)
        #expect(try t.cloud.status().regions == 3)
    }

    @Test func statusCountsAndRendering() async throws {
        let t = try TestCloud()
        let s = try t.cloud.status()
        #expect(s.instances == 12)
        #expect(s.disks > 12)
        #expect(s.snapshots == 0)
        #expect(s.rendered.contains(t.state.url.path))
        #expect(s.rendered.contains(s.reflink ? "reflink" : "sparse copies"))
    }

    @Test func resetRemovesEverything() throws {
        let t = try TestCloud()
        try EmbeddedCloud.reset(stateDirectory: t.state.url)
        #expect(!FileManager.default.fileExists(atPath: t.cloud.layout.database.path))
        #expect(!FileManager.default.fileExists(atPath: t.cloud.layout.pool.path))
    }
}
