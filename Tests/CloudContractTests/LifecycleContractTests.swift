import AppSnapCore
import CloudTestSupport
import Foundation
import Testing
@testable import EmbeddedCloud

/// The fake the console's tests drive must answer as the embedded cloud does, or those
/// tests prove nothing: each case runs against both, on their demo inventories, and
/// compares the error codes (or success) of the lifecycle calls the console makes.
@Suite struct LifecycleContractTests {
    enum Backend: String, CaseIterable, Sendable { case fake, embedded }

    /// A backend with a fresh demo inventory; the embedded one in its own folder.
    final class Subject: @unchecked Sendable {
        let cloud: any CloudAPI
        let dir: URL?
        init(_ b: Backend) throws {
            switch b {
            case .fake:
                cloud = FakeCloud(); dir = nil
            case .embedded:
                let d = URL(fileURLWithPath: "/var/tmp/appsnap-contract-\(UUID().uuidString.prefix(8))")
                try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
                dir = d
                cloud = try EmbeddedCloud(stateDirectory: d, executablePath: "/usr/bin/false",
                                          spawner: DetachedSpawner { _ in 0x3fff_fff0 })
            }
        }
        deinit { if let dir { try? FileManager.default.removeItem(at: dir) } }

        func instance(_ name: String) async throws -> Instance {
            let all = try await cloud.describeInstances(regionId: "cn-hangzhou", instanceIds: nil)
            return try #require(all.first { $0.InstanceName == name }, "no instance \(name)")
        }
    }

    /// The ECS error code a call ends with, "ok" when it succeeds.
    func outcome(_ body: () async throws -> Void) async -> String {
        do { try await body(); return "ok" }
        catch let e as ECSError { return e.Code }
        catch { return "\(error)" }
    }

    @Test(arguments: Backend.allCases) func stopAndStartFollowTheInstanceState(_ b: Backend) async throws {
        let s = try Subject(b)
        let running = try await s.instance("linux-db-1").InstanceId
        let stopped = try await s.instance("linux-stopped-1").InstanceId
        #expect(await outcome { try await s.cloud.stopInstance(instanceId: running, forceStop: false, dryRun: true) } == "DryRunOperation")
        #expect(await outcome { try await s.cloud.startInstance(instanceId: running, dryRun: false) } == "IncorrectInstanceStatus")
        #expect(await outcome { try await s.cloud.stopInstance(instanceId: stopped, forceStop: false, dryRun: false) } == "IncorrectInstanceStatus")
        #expect(await outcome { try await s.cloud.startInstance(instanceId: stopped, dryRun: true) } == "DryRunOperation")
        #expect(await outcome { try await s.cloud.stopInstance(instanceId: running, forceStop: false, dryRun: false) } == "ok")
        #expect(try await s.instance("linux-db-1").Status == InstanceStatus.stopped, "\(b): stopped for real")
        #expect(await outcome { try await s.cloud.startInstance(instanceId: running, dryRun: false) } == "ok")
        #expect(try await s.instance("linux-db-1").Status == InstanceStatus.running)
    }

    @Test(arguments: Backend.allCases) func anUnknownGroupIsNotFound(_ b: Backend) async throws {
        let s = try Subject(b)
        let missing = "ssg-bp1nosuchgroup0000"
        #expect(await outcome { try await s.cloud.deleteSnapshotGroup(regionId: "cn-hangzhou", snapshotGroupId: missing) }
                == "InvalidSnapshotGroupId.NotFound")
        #expect(await outcome { try await s.cloud.modifySnapshotGroup(regionId: "cn-hangzhou", snapshotGroupId: missing,
                                                                      name: "Renamed", description: nil) }
                == "InvalidSnapshotGroupId.NotFound")
    }

    @Test(arguments: Backend.allCases) func theDemoInventoryHasWhatTheConsoleTestsUse(_ b: Backend) async throws {
        let s = try Subject(b)
        // linux-db-1: a cloud_ssd disk the Create dialog must leave out, ESSD ones it keeps.
        let db = try await s.instance("linux-db-1")
        let disks = try await s.cloud.describeDisks(regionId: "cn-hangzhou", instanceId: db.InstanceId, diskIds: nil)
        #expect(disks.contains { $0.Category == "cloud_ssd" && $0.ineligibilityReason != nil })
        #expect(disks.contains { $0.Category == "cloud_essd" && $0.ineligibilityReason == nil })
        #expect(try await s.instance("linux-stopped-1").Status == InstanceStatus.stopped)
        #expect(try await s.instance("win-sql-1").isWindows)
    }
}
