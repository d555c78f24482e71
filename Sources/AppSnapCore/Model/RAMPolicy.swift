#if canImport(Glibc)
import Glibc
#endif

/// RAM action patterns (`ecs:Describe*`, `ecs:*`): one matching rule for instance roles
/// in the embedded cloud and for access keys at the ECS endpoint.
public enum RAMPolicy {
    /// `*` matches any run of characters; names compare without case.
    public static func allows(_ pattern: String, _ action: String) -> Bool {
        fnmatch(pattern.lowercased(), action.lowercased(), 0) == 0
    }

    public static func allows(_ patterns: [String], action: String) -> Bool {
        patterns.contains { allows($0, "ecs:" + action) }
    }

    /// A pattern a policy may hold: `*`, or `ecs:` and an action name that may use `*`.
    public static func isValid(_ pattern: String) -> Bool {
        if pattern == "*" { return true }
        guard pattern.hasPrefix("ecs:"), pattern.count > 4 else { return false }
        return pattern.dropFirst(4).allSatisfy { $0.isLetter || $0.isNumber || $0 == "*" }
    }
}
