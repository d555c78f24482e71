import Foundation

/// DescribeSnapshotGroups' filters and paging (SPEC §14): `Name`, `Status.N`, `Tag.N`,
/// combined with AND over what the backend lists for the region, instance and IDs, then
/// `MaxResults` a page with an opaque `NextToken`. Applied here, once, for every backend.
public struct SnapshotGroupQuery: Sendable, Hashable {
    public static let statuses = ["progressing", "accomplished", "failed"]

    public var name: String?
    public var statuses: [String] = []
    public var tags: [Tag] = []
    public var maxResults = 10
    public var nextToken: String?

    public init(name: String? = nil, statuses: [String] = [], tags: [Tag] = [], maxResults: Int = 10, nextToken: String? = nil) {
        self.name = name; self.statuses = statuses; self.tags = tags; self.maxResults = maxResults; self.nextToken = nextToken
    }

    public func matches(_ g: SnapshotGroup) -> Bool {
        if let name, !name.isEmpty, g.Name != name { return false }
        if !statuses.isEmpty, !statuses.contains(g.Status) { return false }
        for t in tags {
            guard let have = g.Tags.Tag.first(where: { $0.TagKey == t.TagKey }) else { return false }
            if !t.TagValue.isEmpty, have.TagValue != t.TagValue { return false }
        }
        return true
    }

    /// One page of `groups` (newest first, as every backend lists them) and the token for
    /// the next page, empty when this is the last. The token names the last group's place
    /// (creation time and ID), so a group deleted between pages shifts nothing.
    public func page(_ groups: [SnapshotGroup]) throws -> (groups: [SnapshotGroup], nextToken: String) {
        var rest = groups.filter(matches)
        if let token = nextToken, !token.isEmpty {
            guard let after = Self.decode(token) else {
                throw ECSError("InvalidNextToken.Malformed", "The specified NextToken \"\(token)\" is not one this API returned.")
            }
            rest = Array(rest.drop { !Self.isAfter($0, after) })
        }
        let page = Array(rest.prefix(maxResults))
        let more = rest.count > page.count
        return (page, more ? Self.encode(page.last!) : "")
    }

    /// Newest first; among equal creation times, by ID.
    private static func isAfter(_ g: SnapshotGroup, _ mark: (time: String, id: String)) -> Bool {
        g.CreationTime < mark.time || (g.CreationTime == mark.time && g.SnapshotGroupId > mark.id)
    }

    private static func encode(_ g: SnapshotGroup) -> String {
        Data("\(g.CreationTime)|\(g.SnapshotGroupId)".utf8).base64EncodedString()
    }

    private static func decode(_ token: String) -> (time: String, id: String)? {
        guard let d = Data(base64Encoded: token), let s = String(data: d, encoding: .utf8),
              let bar = s.firstIndex(of: "|") else { return nil }
        return (String(s[..<bar]), String(s[s.index(after: bar)...]))
    }
}
