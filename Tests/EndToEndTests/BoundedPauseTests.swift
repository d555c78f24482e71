import Foundation
import Testing

/// TimeoutInSeconds bounds the application's pause even when the copy behind
/// CreateSnapshotGroup is slow: at the bound I/O resumes and postscript runs at once.
@Suite struct BoundedPauseTests {
    @Test func aSlowCopyDoesNotStretchThePause() throws {
        let app = try AppSnapBinary()
        guard try app.run(["cloud", "status"]).stdout.contains("sparse copies") else {
            print("skipped aSlowCopyDoesNotStretchThePause: this pool clones by reflink, so no copy is slow here")
            return
        }
        let id = try app.instanceId(named: "linux-app-1")
        // Half a gigabyte of data on each disk: copying them without reflink takes seconds.
        for disk in try app.disks(of: id).compactMap({ $0["DiskId"] as? String }) {
            let h = try FileHandle(forWritingTo: app.image(disk))
            let chunk = Data((0..<(4 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
            for _ in 0..<128 { h.write(chunk) }
            try h.close()
        }
        try app.sendFile(id, name: "prescript.sh", content: "#!/bin/sh\ndate +%s.%N > /tmp/pre.time\n")
        try app.sendFile(id, name: "postscript.sh", content: "#!/bin/sh\ndate +%s.%N > /tmp/post.time\n")
        let r = try app.runAndWait(id, linuxCommand(timeout: 1), timeout: 300)
        let output = r["Output"] as? String ?? ""
        #expect(r["ExitCode"] as? Int == 11, "\(output)")

        let tmp = app.state.appendingPathComponent("instances/\(id)/root/tmp")
        let pre = try #require(Double(try String(contentsOf: tmp.appendingPathComponent("pre.time"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)))
        let post = try #require(Double(try String(contentsOf: tmp.appendingPathComponent("post.time"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)))
        // The promise is a bound, stated by the operator: prescript start to postscript start
        // is at most TimeoutInSeconds plus one second.
        #expect(post - pre <= 2.0, "the application was paused \(post - pre) s with TimeoutInSeconds=1: \(output)")
        let groups = try app.ecs("DescribeSnapshotGroups", ["RegionId": "cn-hangzhou", "InstanceId": id])
        #expect(!groups.stdout.contains("ssg-"), "the late group was deleted once its copy returned: \(groups.stdout)")
        #expect(output.contains("Deleted the half-made group"), "\(output)")
    }
}
