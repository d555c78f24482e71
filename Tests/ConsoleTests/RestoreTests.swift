import CloudTestSupport
import AppSnapCore
import Foundation
import Testing
@testable import Console

/// Restore to new disks: CreateDisk from each snapshot; on the host instance the new disks
/// are attached and mounted where the operator types.
@Suite struct RestoreTests {
    static let sizes = [(80, 24), (120, 40)]

    final class Mounts: @unchecked Sendable {
        let lock = NSLock()
        var set: [String: String] = [:]
        func record(_ d: String, _ p: String) { lock.lock(); set[d] = p; lock.unlock() }
    }

    func session(host: Bool, width: Int = 120, height: Int = 40) async -> (ConsoleSession, FakeCloud) {
        let cloud = GroupActionTests.cloudWithGroups()
        var st = ConsoleState(width: width, height: height)
        st.regionId = FakeCloud.region
        if host { st.hostInstanceId = cloud.instances[1].InstanceId }   // linux-db-1 plays this machine
        let s = ConsoleSession(state: st)
        await settle(s, cloud, s.start())
        s.press(.tab)
        return (s, cloud)
    }

    @Test(arguments: sizes) func elsewhereTheNewDisksStayAvailable(w: Int, h: Int) async {
        let (s, cloud) = await session(host: false, width: w, height: h)
        s.press(.char("t"))
        let text = s.frame().text
        #expect(text.contains("Restore db-nightly-4 to new disks"))
        #expect(text.contains("s-bp1db0000000040"))
        #expect(text.contains("They stay Available"))
        expectGolden(s.frame(), "restore")
        s.press(.tab)                                     // from Restore to Cancel and back
        s.press(.backTab)
        await settle(s, cloud, s.press(.enter))
        #expect(cloud.createdDisks.map(\.snapshotId) == ["s-bp1db0000000040", "s-bp1db0000000041"])
        #expect(cloud.createdDisks.allSatisfy { $0.zoneId == "cn-hangzhou-h" && $0.diskName.hasPrefix("db-nightly-4-") })
        #expect(cloud.attached.isEmpty)
        #expect(s.frame().text.contains("✔ 2 new disks from db-nightly-4"))
        #expect(s.frame().text.contains("✔ d-restored00001"))
    }

    @Test(arguments: sizes) func onTheHostTheyAreMountedWhereTyped(w: Int, h: Int) async {
        let (s, cloud) = await session(host: true, width: w, height: h)
        s.press(.char("t"))
        #expect(s.frame().text.contains("is this machine"))
        s.press(.ctrl("u")); s.type("relative")
        s.press(.tab)
        #expect(s.press(.enter).isEmpty, "a relative path is refused")
        #expect(s.frame().text.contains("an absolute path other than /"))
        s.press(.backTab); s.press(.ctrl("u")); s.type("/mnt/db-restored")
        expectGolden(s.frame(), "restore-host")
        s.press(.tab)
        let mounts = Mounts()
        let host = HostDisks(hostInstanceId: { cloud.instances[1].InstanceId }, setMountPoint: { mounts.record($0, $1) })
        await settle(s, cloud, s.press(.enter), hostDisks: host)
        #expect(mounts.set == ["d-restored00001": "/mnt/db-restored/d-bp1disk0000004", "d-restored00002": "/mnt/db-restored/d-bp1disk0000005"])
        #expect(cloud.attached.map(\.disk) == ["d-restored00001", "d-restored00002"])
        #expect(s.frame().text.contains("mounted at /mnt/db-restored/d-bp1disk0000004"))
    }
}
