import AppSnapCore
import Foundation

/// Reads an ECS JSON answer into the AppSnapCore models, which carry the ECS field names:
/// the same shapes `ECSActions` writes, decoded rather than encoded.
enum ResponseReader {
    /// `{"Outer":{"Inner":[…]}}` (and deeper paths) as `[T]`; an absent list is empty.
    static func list<T: Decodable>(_ object: [String: Any], _ path: String..., as: T.Type = T.self) throws -> [T] {
        var node: Any? = object
        for key in path { node = (node as? [String: Any])?[key] }
        guard let items = node, !(items is NSNull) else { return [] }
        return try decode([T].self, items, path.joined(separator: "."))
    }

    static func decode<T: Decodable>(_ type: T.Type, _ value: Any, _ what: String) throws -> T {
        do {
            let data = try JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed])
            return try JSONDecoder().decode(T.self, from: data)
        } catch {
            throw ECSError("InvalidResponse", "the answer's \(what) does not have ECS's shape: \(error)", httpStatus: 502, requestId: "")
        }
    }

    static func string(_ object: [String: Any], _ key: String) throws -> String {
        guard let s = object[key] as? String, !s.isEmpty else {
            throw ECSError("InvalidResponse", "the answer has no \(key)", httpStatus: 502, requestId: (object["RequestId"] as? String) ?? "")
        }
        return s
    }

    static func int(_ object: [String: Any], _ key: String) -> Int? {
        (object[key] as? NSNumber)?.intValue ?? (object[key] as? String).flatMap { Int($0) }
    }
}

/// Flat ECS parameters, built in order.
struct Params {
    var pairs: [(String, String)] = []
    mutating func add(_ k: String, _ v: String?) { if let v { pairs.append((k, v)) } }
    mutating func add(_ k: String, _ v: Bool) { pairs.append((k, v ? "true" : "false")) }
    mutating func add(_ k: String, _ v: Int?) { if let v { pairs.append((k, String(v))) } }
    /// `Key.1`, `Key.2`, …
    mutating func flat(_ k: String, _ values: [String]?) {
        for (i, v) in (values ?? []).enumerated() { pairs.append(("\(k).\(i + 1)", v)) }
    }
    /// `Keys=["a","b"]`, the form the Describe* actions take; an empty list is sent as `[]`
    /// (none) and nil not at all (any).
    mutating func json(_ k: String, _ values: [String]?) {
        guard let values else { return }
        let data = (try? JSONSerialization.data(withJSONObject: values)) ?? Data("[]".utf8)
        pairs.append((k, String(decoding: data, as: UTF8.self)))
    }
    mutating func tags(_ tags: [Tag]) {
        for (i, t) in tags.enumerated() { pairs.append(("Tag.\(i + 1).Key", t.TagKey)); pairs.append(("Tag.\(i + 1).Value", t.TagValue)) }
    }
}
