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
        guard let v = Int(raw) else { throw ECSError.invalidParameter(key, "\"\(raw)\" is not an integer") }
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
            guard !rest.contains("."), let i = Int(rest), i >= 1 else { continue }
            indexed[i] = v
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
            let parts = k.dropFirst(prefix.count).split(separator: ".")
            guard parts.count == 2, let i = Int(parts[0]), i >= 1 else { continue }
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

    private func ordered(_ indexed: [Int: String], _ key: String) throws -> [String] {
        let idx = indexed.keys.sorted()
        for (n, i) in idx.enumerated() where i != n + 1 {
            throw ECSError.invalidParameter("\(key).\(n + 1)", "list items must be numbered 1, 2, 3… without gaps")
        }
        return idx.map { indexed[$0]! }
    }
}
