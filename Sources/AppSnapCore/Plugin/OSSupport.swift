/// Which operating systems the plugins support (SPEC §4 step 2), read from
/// DescribeInstances' `OSName` (e.g. `CentOS 7.9 64 bit`, `Windows Server 2012 R2 Datacenter 64bit`).
public enum OSSupport {
    public enum Verdict: Equatable, Sendable {
        case supported
        case unsupported(String)
    }

    /// The OS check for the Linux plugin.
    public static func linux(osName: String) -> Verdict {
        let words = normalized(osName)
        let text = words.joined(separator: " ")
        let needed = "CentOS 7.6 or later, Ubuntu 18.04 or later, or Alibaba Cloud Linux 2/3"
        if text.hasPrefix("windows") {
            return .unsupported("\(osName) is Windows: use \(PluginParams.windowsPlugin)")
        }
        if text.hasPrefix("centos") {
            guard let v = version(after: "centos", in: words, skipping: ["stream", "linux"]) else {
                return .unsupported("cannot read the CentOS version in \"\(osName)\"; supported: \(needed)")
            }
            return atLeast(v, [7, 6]) ? .supported : .unsupported("\(osName) is older than CentOS 7.6; supported: \(needed)")
        }
        if text.hasPrefix("ubuntu") {
            guard let v = version(after: "ubuntu", in: words, skipping: []) else {
                return .unsupported("cannot read the Ubuntu version in \"\(osName)\"; supported: \(needed)")
            }
            return atLeast(v, [18, 4]) ? .supported : .unsupported("\(osName) is older than Ubuntu 18.04; supported: \(needed)")
        }
        // Alibaba Cloud Linux was first named Aliyun Linux.
        for prefix in ["alibaba cloud linux", "aliyun linux"] where text.hasPrefix(prefix) {
            let major = version(after: "linux", in: words, skipping: [])?.first
            if major == 2 || major == 3 { return .supported }
            return .unsupported("\(osName) is not Alibaba Cloud Linux 2 or 3; supported: \(needed)")
        }
        return .unsupported("\(osName) is not supported; supported: \(needed)")
    }

    /// The OS check for the Windows plugin.
    public static func windows(osName: String) -> Verdict {
        let words = normalized(osName)
        guard words.first == "windows" else {
            return .unsupported("\(osName) is not Windows: use \(PluginParams.linuxPlugin)")
        }
        guard let i = words.firstIndex(of: "server"), i + 1 < words.count, let year = Int(words[i + 1]) else {
            return .unsupported("\(osName) is not Windows Server 2012 R2 or later")
        }
        let r2 = i + 2 < words.count && words[i + 2] == "r2"
        if year > 2012 || (year == 2012 && r2) { return .supported }
        return .unsupported("\(osName) is older than Windows Server 2012 R2")
    }

    private static func normalized(_ s: String) -> [String] {
        s.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
    }

    /// The dotted number that follows `word` (skipping words like `stream`), as integers.
    private static func version(after word: String, in words: [String], skipping: Set<String>) -> [Int]? {
        guard var i = words.firstIndex(of: word) else { return nil }
        i += 1
        while i < words.count, skipping.contains(words[i]) { i += 1 }
        guard i < words.count else { return nil }
        let parts = words[i].split(separator: ".").map { Int($0.prefix { $0.isNumber }) }
        guard let first = parts.first, first != nil else { return nil }
        return parts.prefix { $0 != nil }.map { $0! }
    }

    private static func atLeast(_ v: [Int], _ min: [Int]) -> Bool {
        for k in 0..<min.count {
            let x = k < v.count ? v[k] : 0
            if x != min[k] { return x > min[k] }
        }
        return true
    }
}
