import Foundation

/// The flat `Key=Value` parameters of one ECS call, as the command line and the HTTP
/// endpoint receive them. Lists come either flat (`InstanceId.1`, `Tag.1.Key`) or, where
/// the real API takes it so, as a JSON array (`InstanceIds=["i-1","i-2"]`).
///
/// Every read marks its key as used, so `rejectUnused()` can refuse the ones no action
/// knows: a typo must not be silently ignored.
public final class ECSParams {
    private let values: [String: String]
    /// Values a front end supplies when the request does not (the `--region` flag); never
    /// refused as unknown, since an action that does not read them simply ignores them.
    private let defaults: [String: String]
    private var used: Set<String> = []

    /// Keys every ECS request may carry (signature and protocol fields), never an error.
    static let common: Set<String> = [
        "Action", "Format", "Version", "AccessKeyId", "SignatureMethod", "SignatureVersion",
        "SignatureNonce", "Signature", "Timestamp", "SecurityToken", "OwnerId", "OwnerAccount",
        "ResourceOwnerId", "ResourceOwnerAccount", "RequestId",
    ]

    public init(_ values: [String: String], defaults: [String: String] = [:]) {
        self.values = values
        self.defaults = defaults
    }

    public func string(_ key: String) -> String? {
        used.insert(key)
        return values[key] ?? defaults[key]
    }

    public func required(_ key: String) throws -> String {
        guard let v = string(key), !v.isEmpty else { throw ECSError.missingParameter(key) }
        return v
    }

    public func int(_ key: String, in range: ClosedRange<Int>? = nil) throws -> Int? {
        guard let raw = string(key) else { return nil }
        // Int("+5") is 5: a sign or a leading zero would let two spellings name one value.
        guard let v = Self.canonicalInteger(raw) else {
            throw ECSError.invalidParameter(key, "\"\(raw)\" is not a whole number written in plain decimal digits (no sign, no leading zero)")
        }
        if let range, !range.contains(v) {
            throw ECSError.invalidParameter(key, "\(v) is out of range \(range.lowerBound)…\(range.upperBound)")
        }
        return v
    }

    public func bool(_ key: String) throws -> Bool? {
        guard let raw = string(key) else { return nil }
        switch raw.lowercased() {
        case "true": return true
        case "false": return false
        default: throw ECSError.invalidParameter(key, "\"\(raw)\" is not true or false")
        }
    }

    /// `Key.1`, `Key.2`, … in order; a gap or a non-numeric index is an error.
    public func list(_ key: String) throws -> [String] {
        let prefix = key + "."
        var indexed: [Int: String] = [:]
        for (k, v) in values where k.hasPrefix(prefix) {
            let rest = k.dropFirst(prefix.count)
            guard !rest.contains(".") else { continue }
            indexed[try Self.index(rest, in: k)] = v
            used.insert(k)
        }
        return try ordered(indexed, key)
    }

    /// A JSON array parameter (`InstanceIds=["i-1"]`); nil when absent.
    public func jsonList(_ key: String) throws -> [String]? {
        guard let raw = string(key) else { return nil }
        guard let data = raw.data(using: .utf8),
              let arr = try? JSONDecoder().decode([String].self, from: data) else {
            throw ECSError.invalidParameter(key, "expected a JSON array of strings such as [\"i-1\"], got \(raw)")
        }
        return arr
    }

    /// Either form of a list: `Singular.N` or the JSON array `plural`.
    public func anyList(flat: String, json: String) throws -> [String]? {
        let a = try list(flat)
        if let b = try jsonList(json) { return a + b }
        return a.isEmpty ? nil : a
    }

    /// `Tag.N.Key` / `Tag.N.Value` pairs.
    public func tags(_ key: String = "Tag") throws -> [Tag] {
        try structs(key, "Key", "Value").map { Tag($0.0, $0.1 ?? "") }
    }

    /// `Key.N.First` / `Key.N.Second` pairs (`Disk.N.DiskId`, `Disk.N.SnapshotId`), in
    /// order; `First` numbers the list, `Second` may be absent.
    public func structs(_ key: String, _ first: String, _ second: String) throws -> [(String, String?)] {
        var firsts: [Int: String] = [:], seconds: [Int: String] = [:]
        let prefix = key + "."
        for (k, v) in values where k.hasPrefix(prefix) {
            let parts = k.dropFirst(prefix.count).split(separator: ".", omittingEmptySubsequences: false)
            // The two field names this list has (Tag.N.Key/Value, Disk.N.DiskId/SnapshotId).
            guard parts.count == 2, parts[1] == Substring(first) || parts[1] == Substring(second) else { continue }
            let i = try Self.index(parts[0], in: k)
            switch parts[1] {
            case Substring(first): firsts[i] = v; used.insert(k)
            case Substring(second): seconds[i] = v; used.insert(k)
            default: continue
            }
        }
        let orderedFirsts = try ordered(firsts, "\(key).N.\(first)")
        if let stray = seconds.keys.sorted().first(where: { $0 > orderedFirsts.count }) {
            throw ECSError.missingParameter("\(key).\(stray).\(first)")
        }
        return orderedFirsts.enumerated().map { ($0.element, seconds[$0.offset + 1]) }
    }

    /// Refuses any key that no read asked for.
    public func rejectUnused() throws {
        let unknown = values.keys.filter { !used.contains($0) && !Self.common.contains($0) }.sorted()
        if let first = unknown.first {
            throw ECSError.invalidParameter(first, "this action takes no parameter \"\(first)\"")
        }
    }

    /// The N of `Key.N`: only 1, 2, 3… as plain decimal digits. `Key.01` or `Key.+1` beside
    /// `Key.1` would name the same item twice, and which one won would be down to chance.
    static func index(_ raw: Substring, in key: String) throws -> Int {
        guard let i = canonicalInteger(raw), i >= 1 else {
            throw ECSError.invalidParameter(key, "a list index must be 1, 2, 3… in plain decimal digits, with no sign and no leading zero")
        }
        return i
    }

    /// Digits only, no sign, no leading zero (but "0" itself); nil otherwise or on overflow.
    static func canonicalInteger<S: StringProtocol>(_ raw: S) -> Int? {
        guard let first = raw.first, raw.allSatisfy({ $0.isASCII && $0.isNumber }),
              first != "0" || raw.count == 1 else { return nil }
        return Int(raw)
    }

    private func ordered(_ indexed: [Int: String], _ key: String) throws -> [String] {
        let idx = indexed.keys.sorted()
        for (n, i) in idx.enumerated() where i != n + 1 {
            throw ECSError.invalidParameter("\(key).\(n + 1)", "list items must be numbered 1, 2, 3… without gaps")
        }
        return idx.map { indexed[$0]! }
    }
}
