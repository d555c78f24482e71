import Foundation

/// A response body in ECS shape: named fields in a fixed order, each any Encodable
/// (the model structs already carry the ECS field names).
public struct ECSBody: Encodable {
    public var fields: [(String, any Encodable)]
    public init(_ fields: [(String, any Encodable)]) { self.fields = fields }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        for (name, value) in fields { try c.encode(value, forKey: Key(stringValue: name)) }
    }

    /// `{"<Outer>":{"<Inner>":[…]}}`, the way ECS wraps every list.
    public static func wrapped<T: Encodable>(_ inner: String, _ items: [T]) -> ECSBody {
        ECSBody([(inner, items)])
    }

    /// Pretty for a person at a terminal; compact on the wire, where nobody reads the
    /// spaces and the endpoint's throughput pays for them.
    public func json(pretty: Bool = true) -> Data {
        let enc = JSONEncoder()
        enc.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return (try? enc.encode(self)) ?? Data("{}".utf8)
    }
}

extension ECSError {
    /// The error body exactly as ECS sends it.
    public func json() -> Data {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? enc.encode(self)) ?? Data("{}".utf8)
    }
}
