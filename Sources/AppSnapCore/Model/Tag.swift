/// A resource tag, with the field names ECS uses on the wire.
public struct Tag: Codable, Hashable, Sendable {
    public var TagKey: String
    public var TagValue: String
    public init(_ key: String, _ value: String) { TagKey = key; TagValue = value }
}

/// ECS wraps every list in an object named for its element: `{"Tags":{"Tag":[…]}}`.
public struct TagSet: Codable, Hashable, Sendable {
    public var Tag: [AppSnapCore.Tag]
    public init(_ tags: [AppSnapCore.Tag] = []) { Tag = tags }
}

/// The tag keys and values appsnap writes, in one place.
public enum ConsistencyTag {
    public static let app = Tag("APPConsistent", "True")
    public static let fs = Tag("FsConsistent", "True")
    public static let freezeMsKey = "appsnap:freeze-ms"
    public static let reasonKey = "appsnap:consistency-reason"
}
