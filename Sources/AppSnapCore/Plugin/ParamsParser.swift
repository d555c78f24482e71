/// Reads `--params=` (SPEC §3): a comma-separated list of `-Key=Value`, where a value
/// may be wrapped in `\"…\"` (as a shell passes it unevaluated) or in plain `"…"`, and a
/// comma inside quotes belongs to the value.
enum ParamsParser {
    static let linuxKeys = ["RamRoleName", "EnableFsFreeze", "TimeoutInSeconds", "PreScriptPath",
                            "PostScriptPath", "ExcludeDiskId", "Name", "Description"]
    static let windowsKeys = ["RamRoleName", "EnableWriters", "ExcludeDiskId", "Name", "Description"]

    struct Item {
        var key: String
        var value: String
    }

    static func fail(_ key: String?, _ text: String) -> ParamsError {
        ParamsError(key: key, message: "invalid --params: \(text)")
    }

    static func parse(plugin: String, params: String) throws -> PluginParams {
        let isLinux: Bool
        switch plugin {
        case PluginParams.linuxPlugin: isLinux = true
        case PluginParams.windowsPlugin: isLinux = false
        default:
            throw ParamsError(key: nil, message: "unknown plugin \"\(plugin)\": expected \(PluginParams.linuxPlugin) or \(PluginParams.windowsPlugin)")
        }
        let keys = isLinux ? linuxKeys : windowsKeys
        let other = isLinux ? windowsKeys : linuxKeys
        var values: [String: String] = [:]
        for item in try split(params) {
            guard keys.contains(item.key) else {
                if other.contains(item.key) {
                    let owner = isLinux ? PluginParams.windowsPlugin : PluginParams.linuxPlugin
                    throw fail(item.key, "\(item.key) belongs to \(owner), not \(plugin)")
                }
                if let near = keys.first(where: { $0.lowercased() == item.key.lowercased() }) {
                    throw fail(item.key, "unknown key \(item.key) (keys are case-sensitive: did you mean \(near)?)")
                }
                throw fail(item.key, "unknown key \(item.key) (\(plugin) takes \(keys.joined(separator: ", ")))")
            }
            guard values[item.key] == nil else { throw fail(item.key, "\(item.key) is given more than once") }
            values[item.key] = item.value
        }
        for required in ["RamRoleName", "Name"] where values[required] == nil {
            throw fail(required, "\(required) is required")
        }
        let role = try roleName(values["RamRoleName"]!)
        let name = try groupName(values["Name"]!)
        let description = try groupDescription(values["Description"] ?? "")
        let exclude = try diskIds(values["ExcludeDiskId"] ?? "")
        if isLinux {
            return .linux(LinuxPluginParams(
                ramRoleName: role,
                enableFsFreeze: try values["EnableFsFreeze"].map { try bool("EnableFsFreeze", $0) } ?? true,
                timeoutInSeconds: try values["TimeoutInSeconds"].map { try timeout($0) } ?? 30,
                preScriptPath: try values["PreScriptPath"].flatMap { try path("PreScriptPath", $0) },
                postScriptPath: try values["PostScriptPath"].flatMap { try path("PostScriptPath", $0) },
                excludeDiskIds: exclude, name: name, description: description))
        }
        return .windows(WindowsPluginParams(
            ramRoleName: role,
            enableWriters: try values["EnableWriters"].map { try bool("EnableWriters", $0) } ?? true,
            excludeDiskIds: exclude, name: name, description: description))
    }

    // MARK: - splitting into items

    /// Works on code points, not grapheme clusters: a combining mark after a quote or a
    /// comma must not hide that quote or comma from the parser (`"` + U+0301 is one
    /// Character, and would not compare equal to `"`).
    static func split(_ text: String) throws -> [Item] {
        let chars = Array(text.unicodeScalars)
        func string(_ slice: ArraySlice<Unicode.Scalar>) -> String { String(String.UnicodeScalarView(slice)) }
        var items: [Item] = []
        var i = 0
        if chars.allSatisfy({ $0 == " " }) { return [] }
        while true {
            while i < chars.count, chars[i] == " " { i += 1 }
            let itemStart = i
            guard i < chars.count else { throw fail(nil, "nothing after the last ','") }
            // The key: everything up to '=' (or up to the next ',' when '=' is missing).
            var j = i
            while j < chars.count, chars[j] != "=", chars[j] != "," { j += 1 }
            let rawKey = string(chars[i..<j])
            guard rawKey.hasPrefix("-") else {
                let shown = string(chars[itemStart..<min(chars.count, itemStart + 40)].prefix { $0 != "," })
                let looksLikeKey = !rawKey.isEmpty && rawKey.unicodeScalars.allSatisfy(CharacterSetLite.alnum)
                let named = looksLikeKey ? rawKey : nil
                throw fail(named, "\"\(shown)\" does not start with '-' (each item is -Key=Value; quote a list: -ExcludeDiskId=\\\"d-1,d-2\\\")")
            }
            let key = String(rawKey.dropFirst())
            guard !key.isEmpty, key.unicodeScalars.allSatisfy(CharacterSetLite.alnum) else {
                throw fail(key.isEmpty ? nil : key, "\"\(rawKey)\" is not a key name")
            }
            guard j < chars.count, chars[j] == "=" else { throw fail(key, "\(key) has no value (expected -\(key)=Value)") }
            i = j + 1
            let value: String
            if i + 1 < chars.count, chars[i] == "\\", chars[i + 1] == "\"" {
                guard let end = find(["\\", "\""], in: chars, from: i + 2) else {
                    throw fail(key, "the value of \(key) opens with \\\" but never closes")
                }
                value = string(chars[(i + 2)..<end]); i = end + 2
            } else if i < chars.count, chars[i] == "\"" {
                guard let end = find(["\""], in: chars, from: i + 1) else {
                    throw fail(key, "the value of \(key) opens with \" but never closes")
                }
                value = string(chars[(i + 1)..<end]); i = end + 1
            } else {
                var k = i
                while k < chars.count, chars[k] != "," { k += 1 }
                value = string(chars[i..<k]); i = k
            }
            items.append(Item(key: key, value: value))
            while i < chars.count, chars[i] == " " { i += 1 }
            if i == chars.count { return items }
            guard chars[i] == "," else {
                throw fail(key, "unexpected text after the quoted value of \(key): \"\(string(chars[i...].prefix(20)))\"")
            }
            i += 1
        }
    }

    private static func find(_ needle: [Unicode.Scalar], in chars: [Unicode.Scalar], from: Int) -> Int? {
        var i = from
        while i + needle.count <= chars.count {
            if Array(chars[i..<(i + needle.count)]) == needle { return i }
            i += 1
        }
        return nil
    }

    // MARK: - values

    static func bool(_ key: String, _ v: String) throws -> Bool {
        switch v.lowercased() {
        case "true": return true
        case "false": return false
        default: throw fail(key, "\(key) must be true or false, got \"\(v)\"")
        }
    }

    static func timeout(_ v: String) throws -> Int {
        guard !v.isEmpty, v.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(v), (1...3600).contains(n) else {
            throw fail("TimeoutInSeconds", "TimeoutInSeconds must be a whole number from 1 to 3600, got \"\(v)\"")
        }
        return n
    }

    /// Refuses what would not survive rendering back in the seed's quoting.
    static func plainText(_ key: String, _ v: String) throws {
        if v.contains("\"") || v.contains("\\") {
            throw fail(key, "\(key) may not contain \" or \\, got \"\(v)\"")
        }
        if v.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw fail(key, "\(key) may not contain control characters (newline, tab, …)")
        }
        if TextRules.hasBidiControl(v) {
            throw fail(key, "\(key) may not contain bidirectional controls (U+202A–U+202E, U+2066–U+2069): they make it display in another order than it reads")
        }
    }

    static func roleName(_ v: String) throws -> String {
        let ok = v.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSetLite.alnum($0) || $0 == "." || $0 == "-") }
        guard !v.isEmpty, TextRules.length(v) <= 64, ok else {
            throw fail("RamRoleName", "RamRoleName must be 1 to 64 letters, digits, '.' or '-', got \"\(v)\"")
        }
        return v
    }

    static func groupName(_ v: String) throws -> String {
        try plainText("Name", v)
        if let why = TextRules.groupNameProblem(v) { throw fail("Name", why) }
        return v
    }

    static func groupDescription(_ v: String) throws -> String {
        try plainText("Description", v)
        if let why = TextRules.groupDescriptionProblem(v) { throw fail("Description", why) }
        return v
    }

    /// Empty means not given: the rendering omits absent paths, so "" cannot be a path.
    static func path(_ key: String, _ v: String) throws -> String? {
        try plainText(key, v)
        return v.isEmpty ? nil : v
    }

    static func diskIds(_ v: String) throws -> [String] {
        let ids = v.split(separator: ",").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
        for id in ids where !id.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSetLite.alnum($0) || $0 == "-" || $0 == "_") }) {
            throw fail("ExcludeDiskId", "ExcludeDiskId must be a comma-separated list of disk IDs, got \"\(id)\"")
        }
        return ids
    }
}

enum CharacterSetLite {
    static func alnum(_ s: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(s) || ("A"..."Z").contains(s) || ("0"..."9").contains(s)
    }
}

private extension Substring {
    func trimmingSpaces() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
