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
}
