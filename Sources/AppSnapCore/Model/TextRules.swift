/// The rules every name, description and tag obeys, wherever it enters (the plugin's
/// `--params`, the ECS actions, the console), so that one text is never accepted by one
/// door and refused by another.
public enum TextRules {
    /// A length as ECS counts it: Unicode code points. `String.count` counts grapheme
    /// clusters, so two letters carrying 20,000 combining marks would pass as 2.
    public static func length(_ s: String) -> Int { s.unicodeScalars.count }

    /// The bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069):
    /// they make a terminal show text in another order than it is stored, so a name could
    /// look like something it is not.
    public static func hasBidiControl(_ s: String) -> Bool {
        s.unicodeScalars.contains { (0x202A...0x202E).contains($0.value) || (0x2066...0x2069).contains($0.value) }
    }

    /// Why `name` cannot name a snapshot-consistent group (ECS's rule: 2 to 128 code
    /// points, starting with a letter, not with http:// or https://), or nil. The plugin's
    /// params, CreateSnapshotGroup, ModifySnapshotGroup and the console all ask here.
    public static func groupNameProblem(_ name: String) -> String? {
        let n = length(name)
        guard (2...128).contains(n) else { return "Name must be 2 to 128 characters, got \(n)" }
        guard name.first!.isLetter else { return "Name must start with a letter, got \"\(name)\"" }
        let lower = name.lowercased()
        guard !lower.hasPrefix("http://"), !lower.hasPrefix("https://") else { return "Name may not start with http:// or https://" }
        guard !hasBidiControl(name) else { return "Name may not contain bidirectional controls (U+202A–U+202E, U+2066–U+2069)" }
        return nil
    }

    /// Why `description` cannot describe a group, or nil: at most 256 code points (at least
    /// `minimum`: ModifySnapshotGroup asks 2), no bidirectional controls, not a link.
    public static func groupDescriptionProblem(_ description: String, minimum: Int = 0) -> String? {
        let n = length(description)
        guard n <= 256 else { return "Description must be at most 256 characters, got \(n)" }
        guard n >= minimum else { return "Description must be at least \(minimum) characters, got \(n)" }
        let lower = description.lowercased()
        guard minimum == 0 || (!lower.hasPrefix("http://") && !lower.hasPrefix("https://")) else {
            return "Description may not start with http:// or https://"
        }
        guard !hasBidiControl(description) else {
            return "Description may not contain bidirectional controls (U+202A–U+202E, U+2066–U+2069)"
        }
        return nil
    }
}
