import AppSnapCore
import Foundation
import Testing
@testable import EmbeddedCloud
#if canImport(Glibc)
import Glibc
#endif

/// Requests built to do harm or to confuse, against the real embedded cloud: each gets a
/// clear ECS error or a failed result, and nothing is created, written or changed.
@Suite struct HostileRequestTests {
    func refusal(_ body: () async throws -> Void) async -> ECSError? {
        do { try await body(); return nil } catch let e as ECSError { return e } catch {
            Issue.record("not an ECS error: \(error)"); return nil
        }
    }

    func result(_ t: TestCloud, _ id: String) async throws -> InvocationResult {
        try #require(try await t.cloud.describeInvocationResults(regionId: hz, invokeId: id, instanceId: nil, contentEncoding: .plainText).first)
    }

    func invocationCount(_ t: TestCloud) async throws -> Int {
        try await t.cloud.describeInvocations(regionId: hz, invokeId: nil, instanceId: nil).count
    }

    @Test func runCommandCountsInstanceIdsBeforeDuplicatesGo() async throws {
        let t = try TestCloud()
        let app = try await t.instance("linux-app-1")
        let before = try await invocationCount(t)
        let e = try #require(await refusal {
            _ = try await t.cloud.runCommand(.init(regionId: hz, type: "RunShellScript", commandContent: "true",
                                                   instanceIds: Array(repeating: app.InstanceId, count: 101)))
        })
        #expect(e.Code == "InvalidParameter.InstanceIds")
        #expect(e.Message.contains("101"))
        #expect(try await invocationCount(t) == before, "no invocation was recorded")
        #expect(t.spawns.argvs.isEmpty, "no runner was started")
    }

    @Test func describeInstancesRefusesMoreThanAHundredIds() async throws {
        let t = try TestCloud()
        let app = try await t.instance("linux-app-1")
        let ids = [app.InstanceId] + (1...100).map { "i-nope\($0)" }
        let e = try #require(await refusal { _ = try await t.cloud.describeInstances(regionId: hz, instanceIds: ids) })
        #expect(e.Code == "InvalidParameter.InstanceIds")
        #expect(e.Message.contains("101") && e.Message.contains("100"))
        #expect(try await t.cloud.describeInstances(regionId: hz, instanceIds: Array(ids.prefix(100))).map(\.InstanceId) == [app.InstanceId])
    }

    static let marks = "ab" + String(repeating: "\u{301}", count: 20_000)

    @Test func ecsLengthsCountCodePoints() async throws {
        let t = try TestCloud()
        let app = try await t.instance("linux-app-1")
        let name = try #require(await refusal {
            _ = try await t.cloud.createSnapshotGroup(.init(regionId: hz, instanceId: app.InstanceId, name: Self.marks))
        })
        #expect(name.Code == "InvalidName.Malformed")
        #expect(name.Message.contains("20002"))
        #expect(!name.Message.contains("\u{301}"), "the 20,000 marks are not echoed back")
        let description = try #require(await refusal {
            _ = try await t.cloud.createSnapshotGroup(.init(regionId: hz, instanceId: app.InstanceId, name: "Ok",
                                                            description: "d" + String(repeating: "\u{301}", count: 256)))
        })
        #expect(description.Code == "InvalidDescription.Malformed")
        let tag = try #require(await refusal {
            _ = try await t.cloud.createSnapshotGroup(.init(regionId: hz, instanceId: app.InstanceId, name: "Ok",
                                                            tags: [Tag("k", "v" + String(repeating: "\u{301}", count: 128))]))
        })
        #expect(tag.Code == "InvalidTagValue.Malformed")
        let bidi = try #require(await refusal {
            _ = try await t.cloud.createSnapshotGroup(.init(regionId: hz, instanceId: app.InstanceId, name: "Ok\u{202E}cod.exe"))
        })
        #expect(bidi.Code == "InvalidName.Malformed")
        #expect(try await t.cloud.describeSnapshotGroups(regionId: hz, instanceId: app.InstanceId, snapshotGroupIds: nil).isEmpty)
        let disksBefore = try await t.cloud.describeDisks(regionId: hz, instanceId: nil, diskIds: nil).count
        let diskName = try #require(await refusal { _ = try await t.cloud.createDisk(.init(regionId: hz, size: 1, diskName: Self.marks)) })
        #expect(diskName.Code == "InvalidDiskName.Malformed")
        #expect(diskName.Message.contains("20002"))
        #expect(try await t.cloud.describeDisks(regionId: hz, instanceId: nil, diskIds: nil).count == disksBefore)
    }

    func images(_ t: TestCloud) throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: t.cloud.layout.disks.path))
    }

    @Test func createDiskRefusesAnUnknownZoneOfAKnownRegion() async throws {
        let t = try TestCloud()
        let before = try images(t)
        let e = try #require(await refusal { _ = try await t.cloud.createDisk(.init(regionId: hz, zoneId: "cn-hangzhou-zz", size: 5)) })
        #expect(e.Code == "InvalidZoneId.NotFound")
        #expect(e.Message.contains("cn-hangzhou-h"), "the error names the zones there are: \(e.Message)")
        #expect(try images(t) == before)
        _ = try await t.cloud.createDisk(.init(regionId: hz, zoneId: "cn-hangzhou-h", size: 5))
    }

    @Test func createDiskChecksThePoolsRoomBeforeWritingAndHidesTheStatePath() async throws {
        let t = try TestCloud()
        var fs = statvfs()
        #expect(statvfs(t.cloud.layout.disks.path, &fs) == 0)
        let freeGiB = Int(Int64(fs.f_bavail) * Int64(fs.f_frsize) >> 30)
        guard freeGiB < 32768 else { print("skipped: the pool's file system has \(freeGiB) GiB free, more than any disk"); return }
        let before = try images(t)
        let e = try #require(await refusal { _ = try await t.cloud.createDisk(.init(regionId: hz, size: 32768)) })
        #expect(e.Code == "InvalidDiskSize.NotEnoughSpace")
        #expect(e.Message.contains("32768 GiB") && e.Message.contains("GiB free"))
        #expect(!e.Message.contains(t.state.url.path), "the state folder is not shown: \(e.Message)")
        #expect(try images(t) == before, "no image was written")
        let disks = try await t.cloud.describeDisks(regionId: hz, instanceId: nil, diskIds: nil)
        #expect(!disks.contains { $0.Size == 32768 })
    }

    // MARK: - SendFile

    @Test func sendFileMakesNoFolderOutsideBeforeRefusing() async throws {
        let t = try TestCloud()
        let app = try await t.instance("linux-app-1")
        let outside = t.state.url.appendingPathComponent("outside", isDirectory: true)
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        let link = t.cloud.layout.instanceRoot(app.InstanceId).appendingPathComponent("tmp/escape")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: outside)
        let id = try await t.cloud.sendFile(.init(regionId: hz, instanceIds: [app.InstanceId], name: "x",
                                                  targetDir: "/tmp/escape/made/deeper", content: Data("x".utf8)))
        let r = try await result(t, id)
        #expect(r.ErrorCode == "InvalidTargetDir")
        #expect(r.ErrorInfo.contains("outside the instance"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside.path).isEmpty, "nothing was made outside")
        // A link that stays inside still works, and new folders are made under it.
        let inside = t.cloud.layout.instanceRoot(app.InstanceId).appendingPathComponent("srv", isDirectory: true)
        try FileManager.default.createDirectory(at: inside, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: t.cloud.layout.instanceRoot(app.InstanceId).appendingPathComponent("tmp/srv"),
                                                   withDestinationURL: inside)
        let ok = try await t.cloud.sendFile(.init(regionId: hz, instanceIds: [app.InstanceId], name: "y",
                                                  targetDir: "/tmp/srv/new", content: Data("y".utf8)))
        #expect(try await result(t, ok).InvocationStatus == "Success")
        #expect(FileManager.default.fileExists(atPath: inside.appendingPathComponent("new/y").path))
    }

    @Test func sendFileNeverBlocksOnAFIFO() async throws {
        let t = try TestCloud()
        let app = try await t.instance("linux-app-1")
        let fifo = t.cloud.layout.instanceRoot(app.InstanceId).appendingPathComponent("tmp/pipe")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        for overwrite in [true, false] {
            let id = try await t.cloud.sendFile(.init(regionId: hz, instanceIds: [app.InstanceId], name: "pipe", targetDir: "/tmp",
                                                      content: Data("x".utf8), overwrite: overwrite))
            let r = try await result(t, id)
            #expect(r.InvocationStatus == "Failed")
            #expect(r.ErrorCode == (overwrite ? "InvalidTargetFile" : "InvalidTargetFile"))
            #expect(r.ErrorInfo.contains("a FIFO, not a regular file"))
        }
        var st = stat()
        #expect(lstat(fifo.path, &st) == 0 && st.st_mode & S_IFMT == S_IFIFO, "the FIFO is still there, untouched")
    }

    @Test func sendFileNeverWritesThroughASecondHardLink() async throws {
        let t = try TestCloud()
        let app = try await t.instance("linux-app-1")
        let outside = t.state.url.appendingPathComponent("outside.conf")
        try Data("precious".utf8).write(to: outside)
        let inside = t.cloud.layout.instanceRoot(app.InstanceId).appendingPathComponent("tmp/linked")
        #expect(link(outside.path, inside.path) == 0)
        let id = try await t.cloud.sendFile(.init(regionId: hz, instanceIds: [app.InstanceId], name: "linked", targetDir: "/tmp",
                                                  content: Data("overwritten".utf8), overwrite: true))
        let r = try await result(t, id)
        #expect(r.ErrorCode == "InvalidTargetFile")
        #expect(r.ErrorInfo.contains("hard links"))
        #expect(try String(contentsOf: outside, encoding: .utf8) == "precious")
    }

    @Test(arguments: ["4755", "2755", "1777", "6700", "7777"])
    func sendFileRefusesSetIdAndStickyModes(_ mode: String) async throws {
        let t = try TestCloud()
        let app = try await t.instance("linux-app-1")
        let before = try await invocationCount(t)
        let e = try #require(await refusal {
            _ = try await t.cloud.sendFile(.init(regionId: hz, instanceIds: [app.InstanceId], name: "s", targetDir: "/tmp",
                                                 content: Data("x".utf8), fileMode: mode))
        })
        #expect(e.Code == "InvalidParameter")
        #expect(e.Message.contains("FileMode") && e.Message.contains("setuid"))
        #expect(try await invocationCount(t) == before)
        #expect(!FileManager.default.fileExists(atPath: t.cloud.layout.instanceRoot(app.InstanceId).appendingPathComponent("tmp/s").path))
    }

    @Test(arguments: ["a\nb", "a\tb", "evil\u{1B}[2J", "x\u{7F}", "c1\u{9B}31m", "\r"])
    func sendFileRefusesControlCharactersInNames(_ name: String) async throws {
        let t = try TestCloud()
        let app = try await t.instance("linux-app-1")
        let e = try #require(await refusal {
            _ = try await t.cloud.sendFile(.init(regionId: hz, instanceIds: [app.InstanceId], name: name, targetDir: "/tmp",
                                                 content: Data("x".utf8)))
        })
        #expect(e.Code == "InvalidParameter")
        #expect(e.Message.contains("\"Name\"") && e.Message.contains("control characters"))
        let tmp = t.cloud.layout.instanceRoot(app.InstanceId).appendingPathComponent("tmp").path
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp).isEmpty)
    }
}
