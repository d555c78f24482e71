import Foundation
import Yams

/// Picks the theme: `--theme`, then APPSNAP_THEME, then the config file's `theme:`, then
/// the default. NO_COLOR (any value) or `--no-color` gives mono. A theme that cannot be
/// loaded gives the default theme and a warning naming the file and line.
public struct ThemeResolver: Sendable {
    public var environment: [String: String]
    /// Folders searched for `NAME.yaml`, in order.
    public var searchDirectories: [String]
    public var configPath: String?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment,
                searchDirectories: [String]? = nil, configPath: String? = nil) {
        self.environment = environment
        self.searchDirectories = searchDirectories ?? ThemeResolver.defaultDirectories(environment: environment)
        self.configPath = configPath ?? ThemeResolver.defaultConfigPath(environment: environment)
    }

    public struct Resolution: Sendable, Equatable {
        public var theme: Theme
        /// Where the choice came from: `--theme`, `APPSNAP_THEME`, the config path, `NO_COLOR`, `default`.
        public var source: String
        public var warnings: [String]
    }

    public func resolve(themeOption: String?, noColor: Bool) -> Resolution {
        if noColor || environment["NO_COLOR"].map({ !$0.isEmpty }) == true {
            let why = noColor ? "--no-color" : "NO_COLOR"
            if let r = try? load("mono") { return Resolution(theme: r, source: why, warnings: []) }
            return Resolution(theme: BuiltinThemes.mono, source: why, warnings: [])
        }
        var warnings: [String] = []
        let (choice, source) = pick(themeOption: themeOption, warnings: &warnings)
        guard let name = choice else { return Resolution(theme: defaultTheme(warnings: &warnings), source: "default", warnings: warnings) }
        do {
            return Resolution(theme: try load(name), source: source, warnings: warnings)
        } catch let e as ThemeError {
            warnings.append("\(e); using the default theme")
        } catch {
            warnings.append("theme \(name): \(error); using the default theme")
        }
        return Resolution(theme: defaultTheme(warnings: &warnings), source: "default", warnings: warnings)
    }

    private func pick(themeOption: String?, warnings: inout [String]) -> (String?, String) {
        if let t = themeOption, !t.isEmpty { return (t, "--theme") }
        if let t = environment["APPSNAP_THEME"], !t.isEmpty { return (t, "APPSNAP_THEME") }
        if let path = configPath, let t = ConfigFile.theme(at: path, warnings: &warnings) { return (t, path) }
        return (nil, "default")
    }

    private func defaultTheme(warnings: inout [String]) -> Theme {
        // A themes/default.yaml on disk wins over the embedded copy, so it can be edited.
        do { return try load("default") } catch let e as ThemeError where e.message != "not found" {
            warnings.append("\(e); using the built-in default theme")
        } catch {}
        return BuiltinThemes.default
    }

    /// A name (`light`) is looked up in the search folders; anything with a slash or a
    /// `.yaml` ending is a path.
    public func load(_ nameOrPath: String) throws -> Theme {
        if nameOrPath.contains("/") || nameOrPath.hasSuffix(".yaml") || nameOrPath.hasSuffix(".yml") {
            guard FileManager.default.fileExists(atPath: nameOrPath) else {
                throw ThemeError(file: nameOrPath, line: nil, message: "no such file")
            }
            return try ThemeLoader.load(path: nameOrPath)
        }
        for dir in searchDirectories {
            let path = (dir as NSString).appendingPathComponent("\(nameOrPath).yaml")
            if FileManager.default.fileExists(atPath: path) { return try ThemeLoader.load(path: path) }
        }
        if nameOrPath == "default" { return BuiltinThemes.default }
        if nameOrPath == "mono" { return BuiltinThemes.mono }
        throw ThemeError(file: "\(nameOrPath).yaml", line: nil,
                         message: "not found in \(searchDirectories.joined(separator: ", "))")
    }

    public static func defaultDirectories(environment: [String: String]) -> [String] {
        var dirs: [String] = []
        if let d = environment["APPSNAP_THEMES"], !d.isEmpty { dirs.append(d) }
        let config = environment["XDG_CONFIG_HOME"].map { $0 + "/appsnap/themes" }
            ?? environment["HOME"].map { $0 + "/.config/appsnap/themes" }
        if let c = config { dirs.append(c) }
        dirs.append(FileManager.default.currentDirectoryPath + "/themes")
        // Next to the executable, for a built tree: .build/debug/appsnap → ../../themes.
        let exe = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent()
        dirs.append(exe.appendingPathComponent("../../themes").standardized.path)
        dirs.append(exe.appendingPathComponent("../share/appsnap/themes").standardized.path)
        return dirs
    }

    public static func defaultConfigPath(environment: [String: String]) -> String? {
        if let x = environment["XDG_CONFIG_HOME"], !x.isEmpty { return x + "/appsnap/config.yaml" }
        return environment["HOME"].map { $0 + "/.config/appsnap/config.yaml" }
    }
}

/// The little of ~/.config/appsnap/config.yaml the console reads: its `theme:` key. Parsed
/// as YAML (a `theme:` inside another mapping, a quoted or commented value all read as
/// YAML says); a file that is not valid YAML is a warning naming its line, and is ignored.
enum ConfigFile {
    static func theme(at path: String, warnings: inout [String]) -> String? {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else { return nil }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let e as YamlError {
            warnings.append("config \(path)\(ThemeLoader.line(of: e).map { ":\($0)" } ?? ""): not valid YAML (\(ThemeLoader.problem(of: e))); its theme is ignored")
            return nil
        } catch {
            warnings.append("config \(path): not valid YAML (\(error)); its theme is ignored")
            return nil
        }
        guard let top = root else { return nil }
        guard let map = top.mapping else {
            warnings.append("config \(path)\(top.mark.map { ":\($0.line)" } ?? ""): expected a mapping such as `theme: light`")
            return nil
        }
        guard let value = map["theme"] else { return nil }
        guard let name = value.scalar?.string, !name.trimmingCharacters(in: .whitespaces).isEmpty else {
            warnings.append("config \(path)\(value.mark.map { ":\($0.line)" } ?? ""): `theme:` needs a theme name or a file's path")
            return nil
        }
        return name.trimmingCharacters(in: .whitespaces)
    }

    /// `refreshRate:` in seconds, if the file sets it; a value that is not a number is
    /// reported and ignored, one under the minimum is raised to it (and said so).
    static func refreshRate(at path: String, warnings: inout [String]) -> Double? {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8),
              let root = try? Yams.compose(yaml: text), let map = root.mapping, let value = map["refreshRate"] else { return nil }
        guard let n = value.scalar.flatMap({ Double($0.string) }), n.isFinite else {
            warnings.append("config \(path)\(value.mark.map { ":\($0.line)" } ?? ""): `refreshRate:` needs seconds, such as 2; using 2")
            return nil
        }
        return n
    }
}
