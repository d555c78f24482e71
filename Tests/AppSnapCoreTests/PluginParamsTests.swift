import Foundation
import Testing
@testable import AppSnapCore

@Suite struct PluginParamsTests {
    static let seedLinuxCommand = #"acs-plugin-manager --exec --plugin app-snapshot-plugin --params=-RamRoleName=\"AppSnapshotRoleName\",-EnableFsFreeze=true,-TimeoutInSeconds=30,-PreScriptPath=\"/tmp/prescript.sh\",-PostScriptPath=\"/tmp/postscript.sh\",-ExcludeDiskId=\"\",-Name=\"LinuxApp1\",-Description=\"LinuxApp\""#
    static let seedWindowsCommand = #"acs-plugin-manager --exec --plugin app-snapshot-plugin-win --params=-RamRoleName=\"AppSnapshotRoleName\",-EnableWriters=true,-ExcludeDiskId=\"\",-Name=\"APPSnapshot-1\",-Description=\"AppSnapshot\""#

    static func paramsPart(_ command: String) -> String {
        String(command[command.range(of: "--params=")!.upperBound...])
    }

    @Test func theSeedLinuxLineParsesAndRendersBackExactly() throws {
        let p = try PluginParams.parse(plugin: "app-snapshot-plugin", params: Self.paramsPart(Self.seedLinuxCommand))
        #expect(p == .linux(LinuxPluginParams(ramRoleName: "AppSnapshotRoleName", enableFsFreeze: true, timeoutInSeconds: 30,
                                              preScriptPath: "/tmp/prescript.sh", postScriptPath: "/tmp/postscript.sh",
                                              excludeDiskIds: [], name: "LinuxApp1", description: "LinuxApp")))
        #expect(p.commandLine == Self.seedLinuxCommand)
    }

    @Test func theSeedWindowsLineParsesAndRendersBackExactly() throws {
        let p = try PluginParams.parse(plugin: "app-snapshot-plugin-win", params: Self.paramsPart(Self.seedWindowsCommand))
        #expect(p == .windows(WindowsPluginParams(ramRoleName: "AppSnapshotRoleName", enableWriters: true, excludeDiskIds: [],
                                                  name: "APPSnapshot-1", description: "AppSnapshot")))
        #expect(p.commandLine == Self.seedWindowsCommand)
    }

    @Test func plainQuotesUnquotedValuesAndDefaults() throws {
        let p = try PluginParams.parse(plugin: "app-snapshot-plugin",
                                       params: #"-RamRoleName=Role-1,-EnableFsFreeze=FALSE,-Name="db, primary",-ExcludeDiskId="d-1,d-2""#)
        #expect(p == .linux(LinuxPluginParams(ramRoleName: "Role-1", enableFsFreeze: false, timeoutInSeconds: 30,
                                              excludeDiskIds: ["d-1", "d-2"], name: "db, primary", description: "")))
        #expect(p.rendered == #"-RamRoleName=\"Role-1\",-EnableFsFreeze=false,-TimeoutInSeconds=30,-ExcludeDiskId=\"d-1,d-2\",-Name=\"db, primary\",-Description=\"\""#)
        let w = try PluginParams.parse(plugin: "app-snapshot-plugin-win", params: #"-RamRoleName=R,-EnableWriters=False,-Name=Ab"#)
        #expect(w == .windows(WindowsPluginParams(ramRoleName: "R", enableWriters: false, name: "Ab")))
    }

    @Test func boolsInAnyCaseAndEmptyPathsMeanNotGiven() throws {
        for (text, value) in [("true", true), ("TRUE", true), ("True", true), ("false", false), ("fAlSe", false)] {
            let p = try PluginParams.parse(plugin: "app-snapshot-plugin", params: "-RamRoleName=R,-Name=Ab,-EnableFsFreeze=\(text),-PreScriptPath=\"\"")
            guard case .linux(let l) = p else { Issue.record("not linux"); continue }
            #expect(l.enableFsFreeze == value)
            #expect(l.preScriptPath == nil)
        }
    }

    /// Render then parse gives the same value, over many generated values, in both quotings.
    @Test func renderThenParseIsIdentity() throws {
        var rng = SeededRandom(seed: 20250304)
        let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéß数据")
        let text = letters + Array("0123456789 ,.:_-=/()[]{}'!?@#$%^&*+~`|<>;")
        let roleChars = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")
        let idChars = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        for _ in 0..<400 {
            let role = rng.string(from: roleChars, count: 1...64)
            let name = String(letters.randomElement(using: &rng)!) + rng.string(from: text, count: 1...127)
            let desc = rng.string(from: text, count: 0...256)
            let ids = (0..<Int.random(in: 0...4, using: &rng)).map { _ in "d-" + rng.string(from: idChars, count: 4...20) }
            func path() -> String? { Bool.random(using: &rng) ? nil : "/" + rng.string(from: text, count: 1...40) }
            let values: [PluginParams] = [
                .linux(LinuxPluginParams(ramRoleName: role, enableFsFreeze: .random(using: &rng),
                                         timeoutInSeconds: .random(in: 1...3600, using: &rng), preScriptPath: path(), postScriptPath: path(),
                                         excludeDiskIds: ids, name: name, description: desc)),
                .windows(WindowsPluginParams(ramRoleName: role, enableWriters: .random(using: &rng), excludeDiskIds: ids,
                                             name: name, description: desc)),
            ]
            for v in values {
                let rendered = v.rendered
                #expect(try PluginParams.parse(plugin: v.pluginName, params: rendered) == v, "\(rendered)")
                // As a shell would pass it after evaluating the backslashes.
                let evaluated = rendered.replacingOccurrences(of: #"\""#, with: "\"")
                #expect(try PluginParams.parse(plugin: v.pluginName, params: evaluated) == v, "\(evaluated)")
            }
        }
    }

    static let good = #"-RamRoleName=\"R\",-Name=\"LinuxApp1\""#

    /// Each bad input: the plugin, the params, the key the error must name, and the line it must say.
    @Test(arguments: [
        ("TimeoutInSeconds", good + ",-TimeoutInSeconds=abc", #"invalid --params: TimeoutInSeconds must be a whole number from 1 to 3600, got "abc""#),
        ("TimeoutInSeconds", good + ",-TimeoutInSeconds=0", #"invalid --params: TimeoutInSeconds must be a whole number from 1 to 3600, got "0""#),
        ("TimeoutInSeconds", good + ",-TimeoutInSeconds=3601", #"invalid --params: TimeoutInSeconds must be a whole number from 1 to 3600, got "3601""#),
        ("TimeoutInSeconds", good + ",-TimeoutInSeconds=-5", #"invalid --params: TimeoutInSeconds must be a whole number from 1 to 3600, got "-5""#),
        ("TimeoutInSeconds", good + ",-TimeoutInSeconds=1.5", #"invalid --params: TimeoutInSeconds must be a whole number from 1 to 3600, got "1.5""#),
        ("EnableFsFreeze", good + ",-EnableFsFreeze=yes", #"invalid --params: EnableFsFreeze must be true or false, got "yes""#),
        ("EnableFsFreeze", good + ",-EnableFsFreeze=", #"invalid --params: EnableFsFreeze must be true or false, got """#),
        ("Foo", good + ",-Foo=1", "invalid --params: unknown key Foo (app-snapshot-plugin takes RamRoleName, EnableFsFreeze, TimeoutInSeconds, PreScriptPath, PostScriptPath, ExcludeDiskId, Name, Description)"),
        ("timeoutinseconds", good + ",-timeoutinseconds=5", "invalid --params: unknown key timeoutinseconds (keys are case-sensitive: did you mean TimeoutInSeconds?)"),
        ("RamRoleName", #"-Name=\"LinuxApp1\""#, "invalid --params: RamRoleName is required"),
        ("Name", #"-RamRoleName=\"R\""#, "invalid --params: Name is required"),
        ("RamRoleName", "", "invalid --params: RamRoleName is required"),
        ("Name", good + #",-Name=\"Other\""#, "invalid --params: Name is given more than once"),
        ("EnableWriters", good + ",-EnableWriters=true", "invalid --params: EnableWriters belongs to app-snapshot-plugin-win, not app-snapshot-plugin"),
        ("Description", #"-RamRoleName=\"R\",-Name=\"LinuxApp1\",-Description=\"unterminated"#, #"invalid --params: the value of Description opens with \" but never closes"#),
        ("Description", #"-RamRoleName=\"R\",-Name=\"LinuxApp1\",-Description="unterminated"#, #"invalid --params: the value of Description opens with " but never closes"#),
        ("RamRoleName", #"RamRoleName=\"R\",-Name=\"LinuxApp1\""#, #"invalid --params: "RamRoleName=\"R\"" does not start with '-' (each item is -Key=Value; quote a list: -ExcludeDiskId=\"d-1,d-2\")"#),
        ("Name", #"-RamRoleName=\"R\",-Name=\"L\""#, "invalid --params: Name must be 2 to 128 characters, got 1"),
        ("Name", #"-RamRoleName=\"R\",-Name=\""# + String(repeating: "a", count: 129) + #"\""#, "invalid --params: Name must be 2 to 128 characters, got 129"),
        ("Name", #"-RamRoleName=\"R\",-Name=\"1app\""#, #"invalid --params: Name must start with a letter, got "1app""#),
        ("Name", #"-RamRoleName=\"R\",-Name=\"https://x\""#, "invalid --params: Name may not start with http:// or https://"),
        ("Name", #"-RamRoleName=\"R\",-Name=\"a"b\""#, #"invalid --params: Name may not contain " or \, got "a"b""#),
        ("Name", #"-RamRoleName=R,-Name=a\b"#, #"invalid --params: Name may not contain " or \, got "a\b""#),
        ("Description", good + #",-Description=\""# + String(repeating: "x", count: 257) + #"\""#, "invalid --params: Description must be at most 256 characters, got 257"),
        ("ExcludeDiskId", good + #",-ExcludeDiskId=\"d-1;rm\""#, #"invalid --params: ExcludeDiskId must be a comma-separated list of disk IDs, got "d-1;rm""#),
        (nil, good + #",-ExcludeDiskId=d-1,d-2"#, #"invalid --params: "d-2" does not start with '-' (each item is -Key=Value; quote a list: -ExcludeDiskId=\"d-1,d-2\")"#),
        (nil, good + ",", "invalid --params: nothing after the last ','"),
        ("Name", #"-RamRoleName=\"R\",-Name"#, "invalid --params: Name has no value (expected -Name=Value)"),
        ("Name", #"-RamRoleName=\"R\",-Name=\"ab\"x"#, #"invalid --params: unexpected text after the quoted value of Name: "x""#),
        ("RamRoleName", #"-RamRoleName=\"my role\",-Name=\"ab\""#, #"invalid --params: RamRoleName must be 1 to 64 letters, digits, '.' or '-', got "my role""#),
    ] as [(String?, String, String)])
    func badLinuxParams(key: String?, params: String, message: String) {
        #expect(throws: ParamsError(key: key, message: message)) {
            try PluginParams.parse(plugin: "app-snapshot-plugin", params: params)
        }
    }

    @Test(arguments: ["EnableFsFreeze", "TimeoutInSeconds", "PreScriptPath", "PostScriptPath"])
    func linuxKeysAreRefusedByTheWindowsPlugin(key: String) {
        #expect(throws: ParamsError(key: key, message: "invalid --params: \(key) belongs to app-snapshot-plugin, not app-snapshot-plugin-win")) {
            try PluginParams.parse(plugin: "app-snapshot-plugin-win", params: #"-RamRoleName=\"R\",-Name=\"Ab\",-"# + key + "=1")
        }
    }

    @Test func anErrorIsOneLine() {
        do {
            _ = try PluginParams.parse(plugin: "app-snapshot-plugin", params: "-RamRoleName=R,-Name=\"a\nb\"")
            Issue.record("parsed a name with a newline")
        } catch let e as ParamsError {
            #expect(!e.description.contains("\n"))
            #expect(e.key == "Name")
        } catch { Issue.record("\(error)") }
    }
}
