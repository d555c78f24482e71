import Foundation
import Testing
@testable import EmbeddedCloud

@Suite struct StateDirectoryTests {
    @Test func flagWinsOverEnvironment() {
        let url = StateDirectory.resolve(flag: "/srv/snap", environment: ["APPSNAP_STATE": "/x", "XDG_DATA_HOME": "/y"])
        #expect(url.path == "/srv/snap")
    }

    @Test func environmentThenXdgThenHome() {
        #expect(StateDirectory.resolve(flag: nil, environment: ["APPSNAP_STATE": "/x", "XDG_DATA_HOME": "/y"]).path == "/x")
        #expect(StateDirectory.resolve(flag: nil, environment: ["XDG_DATA_HOME": "/y", "HOME": "/h"]).path == "/y/appsnap")
        #expect(StateDirectory.resolve(flag: nil, environment: ["HOME": "/h"]).path == "/h/.local/share/appsnap")
        #expect(StateDirectory.resolve(flag: "", environment: ["APPSNAP_STATE": "", "HOME": "/h"]).path == "/h/.local/share/appsnap")
    }

    @Test func layoutUnderTheStateDirectory() throws {
        let t = try TestCloud()
        let l = t.cloud.layout
        #expect(FileManager.default.fileExists(atPath: l.database.path))
        #expect(l.diskImage("d-1").path == t.state.url.path + "/pool/disks/d-1.img")
        #expect(l.snapshotImage("s-1").path == t.state.url.path + "/pool/snapshots/s-1.img")
        #expect(l.outputFile(invokeId: "t-1", instanceId: "i-1").path == t.state.url.path + "/invocations/t-1/i-1.out")
        let shim = try String(contentsOf: l.pluginManagerShim, encoding: .utf8)
        #expect(shim.contains("exec \"/usr/bin/false\" plugin-manager \"$@\""))
        #expect(FileManager.default.isExecutableFile(atPath: l.pluginManagerShim.path))
    }
}
