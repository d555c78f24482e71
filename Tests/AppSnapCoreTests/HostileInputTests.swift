import Foundation
import Testing
@testable import AppSnapCore

/// Input built to confuse: two spellings of one list index, signs on numbers, lengths that
/// hide behind combining marks, text that displays in another order than it reads. Each is
/// refused with a clear error, and nothing reaches the cloud.
@Suite struct HostileInputTests {
    func refusal(_ action: String, _ raw: [String: String], on env: TestEnv) async -> ECSError? {
        do { _ = try await ECSActions.call(action, raw, on: env.cloud); return nil } catch let e as ECSError { return e } catch {
            Issue.record("not an ECS error: \(error)"); return nil
        }
    }

    @Test(arguments: ["InstanceId.01", "InstanceId.+1", "InstanceId.0", "InstanceId.-1", "InstanceId.1e0", "InstanceId.١"])
    func aListIndexHasOneSpellingOnly(_ other: String) async throws {
        let env = TestEnv()
        let e = try #require(await refusal("RunCommand", ["RegionId": "cn-hangzhou", "Type": "RunShellScript",
                                                          "CommandContent": "true", "InstanceId.1": "i-a", other: "i-b"], on: env))
        #expect(e.Code == "InvalidParameter")
        #expect(e.Message.contains(other))
        #expect(e.Message.contains("no sign and no leading zero"))
        #expect(env.cloud.calls.isEmpty, "nothing reached the cloud: \(env.cloud.calls)")
    }

    @Test func aTagIndexHasOneSpellingOnly() async throws {
        let env = TestEnv()
        let e = try #require(await refusal("TagResources", ["RegionId": "cn-hangzhou", "ResourceType": "snapshot", "ResourceId.1": "s-1",
                                                            "Tag.1.Key": "k", "Tag.1.Value": "v1", "Tag.01.Value": "v2"], on: env))
        #expect(e.Code == "InvalidParameter")
        #expect(e.Message.contains("Tag.01.Value"))
        #expect(env.cloud.calls.isEmpty)
    }

    @Test(arguments: ["+5", "05", "-0", " 5", "5 ", "٥"])
    func aNumberIsPlainDecimal(_ size: String) async throws {
        let env = TestEnv()
        let e = try #require(await refusal("CreateDisk", ["RegionId": "cn-hangzhou", "Size": size], on: env))
        #expect(e.Code == "InvalidParameter")
        #expect(e.Message.contains("\"Size\""))
        #expect(env.cloud.calls.isEmpty)
    }

    @Test func canonicalListsStillWork() async throws {
        let env = TestEnv()
        let body = try await ECSActions.call("DescribeDisks", ["RegionId": "cn-hangzhou", "DiskId.1": "d-1", "DiskId.2": "d-2",
                                                               "DiskId.10": "d-x", "DiskId.3": "d-3", "DiskId.4": "d-1", "DiskId.5": "d-2",
                                                               "DiskId.6": "d-3", "DiskId.7": "d-1", "DiskId.8": "d-2", "DiskId.9": "d-3"],
                                             on: env.cloud)
        let json = try #require(JSONSerialization.jsonObject(with: body.json()) as? [String: Any])
        #expect(json["TotalCount"] as? Int == 3)
    }

    static let marks = "ab" + String(repeating: "\u{301}", count: 20_000)

    @Test func pluginLengthsCountCodePoints() {
        #expect(Self.marks.count == 2, "two grapheme clusters")
        #expect(throws: ParamsError(key: "Name", message: "invalid --params: Name must be 2 to 128 characters, got 20002")) {
            try PluginParams.parse(plugin: "app-snapshot-plugin", params: #"-RamRoleName=\"R\",-Name=\""# + Self.marks + #"\""#)
        }
        let description = "x" + String(repeating: "\u{301}", count: 256)
        #expect(throws: ParamsError(key: "Description", message: "invalid --params: Description must be at most 256 characters, got 257")) {
            try PluginParams.parse(plugin: "app-snapshot-plugin-win",
                                   params: #"-RamRoleName=\"R\",-Name=\"Ab\",-Description=\""# + description + #"\""#)
        }
    }

    @Test func aCombiningMarkCannotHideAQuoteOrAComma() throws {
        // The comma with a mark on it still ends Name: the mark then starts an item that is
        // no -Key, rather than "Ab,́-Description=x" passing as one name.
        do {
            _ = try PluginParams.parse(plugin: "app-snapshot-plugin", params: #"-RamRoleName=R,-Name=Ab,"# + "\u{301}" + #"-Description=x"#)
            Issue.record("a mark on a comma was taken as part of the next key")
        } catch let e as ParamsError {
            #expect(e.message.contains("does not start with '-'"), "\(e.message)")
        }
        // A closing quote with a mark on it is still the closing quote.
        #expect(throws: ParamsError(key: "Name", message: "invalid --params: unexpected text after the quoted value of Name: \"\u{301}\"")) {
            try PluginParams.parse(plugin: "app-snapshot-plugin", params: #"-RamRoleName=R,-Name="Ab""# + "\u{301}")
        }
    }

    @Test(arguments: ["\u{202A}", "\u{202B}", "\u{202C}", "\u{202D}", "\u{202E}", "\u{2066}", "\u{2067}", "\u{2068}", "\u{2069}"])
    func bidirectionalControlsAreRefused(_ control: String) {
        let cases = [("Name", #"-RamRoleName=\"R\",-Name=\"ab"# + control + #"cd\""#),
                     ("Description", #"-RamRoleName=\"R\",-Name=\"App\",-Description=\"ab"# + control + #"cd\""#)]
        for (key, params) in cases {
            do {
                _ = try PluginParams.parse(plugin: "app-snapshot-plugin", params: params)
                Issue.record("\(key) with U+\(String(control.unicodeScalars.first!.value, radix: 16)) was accepted")
            } catch let e as ParamsError {
                #expect(e.key == key)
                #expect(e.message.contains("bidirectional"))
            } catch { Issue.record("\(error)") }
        }
    }
}
