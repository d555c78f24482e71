import Foundation
import Yams

/// A theme file that cannot be used, with the file and line an operator must fix.
public struct ThemeError: Error, Equatable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var message: String
    public init(file: String, line: Int?, message: String) { self.file = file; self.line = line; self.message = message }
    public var description: String {
        "theme \(file)\(line.map { ":\($0)" } ?? ""): \(message)"
    }
}

/// Reads the YAML theme format: `name`, a `palette` of named colours, then `roles`, each
/// `{ fg: …, bg: …, attrs: [bold, …] }` where a colour is a palette name or a literal.
public enum ThemeLoader {
    static let attributeNames: [String: CellAttributes] = [
        "bold": .bold, "dim": .dim, "underline": .underline, "reverse": .reverse, "italic": .italic,
    ]

    public static func load(path: String) throws -> Theme {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ThemeError(file: path, line: nil, message: "cannot be read")
        }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String) throws -> Theme {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let e as YamlError {
            throw ThemeError(file: file, line: line(of: e), message: "not valid YAML (\(problem(of: e)))")
        } catch {
            throw ThemeError(file: file, line: nil, message: "not valid YAML (\(error))")
        }
        guard let top = root?.mapping else {
            throw ThemeError(file: file, line: root?.mark?.line, message: "expected a mapping with `palette` and `roles`")
        }
        var name = (file as NSString).lastPathComponent.replacingOccurrences(of: ".yaml", with: "")
        var palette: [String: ThemeColor] = [:]
        var rolesNode: Node?
        for (k, v) in top {
            switch k.string ?? "" {
            case "name": name = v.string ?? name
            case "palette":
                guard let m = v.mapping else { throw ThemeError(file: file, line: v.mark?.line, message: "`palette` must map names to colours") }
                for (pk, pv) in m {
                    guard let key = pk.string, let s = pv.string, let c = ThemeColor(parsing: s) else {
                        throw ThemeError(file: file, line: pv.mark?.line ?? pk.mark?.line,
                                         message: "palette colour `\(pv.string ?? "?")` is not `default`, an ANSI name, 0…255 or #rrggbb")
                    }
                    palette[key] = c
                }
            case "roles": rolesNode = v
            default:
                throw ThemeError(file: file, line: k.mark?.line, message: "unknown key `\(k.string ?? "?")` (expected name, palette, roles)")
            }
        }
        guard let roles = rolesNode?.mapping else {
            throw ThemeError(file: file, line: rolesNode?.mark?.line ?? top.mark?.line, message: "missing `roles` mapping")
        }
        var styles: [Role: Style] = [:]
        for (rk, rv) in roles {
            guard let roleName = rk.string, let role = Role(rawValue: roleName) else {
                throw ThemeError(file: file, line: rk.mark?.line,
                                 message: "unknown role `\(rk.string ?? "?")`; roles are: \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            styles[role] = try style(rv, palette: palette, file: file)
        }
        guard styles[.normal] != nil else {
            throw ThemeError(file: file, line: roles.mark?.line, message: "role `normal` is required")
        }
        return Theme(name: name, styles: styles)
    }

    private static func style(_ node: Node, palette: [String: ThemeColor], file: String) throws -> Style {
        guard let m = node.mapping else {
            throw ThemeError(file: file, line: node.mark?.line, message: "a role must be a mapping like { fg: accent, attrs: [bold] }")
        }
        var s = Style()
        for (k, v) in m {
            let key = k.string ?? ""
            switch key {
            case "fg", "bg":
                let raw = v.string ?? ""
                guard let c = palette[raw] ?? ThemeColor(parsing: raw) else {
                    throw ThemeError(file: file, line: v.mark?.line, message: "colour `\(raw)` is neither in the palette nor a colour")
                }
                if key == "fg" { s.fg = c } else { s.bg = c }
            case "attrs":
                let names = v.sequence.map { $0.compactMap(\.string) } ?? (v.string.map { [$0] } ?? [])
                for n in names {
                    guard let a = attributeNames[n] else {
                        throw ThemeError(file: file, line: v.mark?.line, message: "attribute `\(n)` is not one of bold, dim, underline, reverse, italic")
                    }
                    s.attributes.insert(a)
                }
            default:
                throw ThemeError(file: file, line: k.mark?.line, message: "unknown role key `\(key)` (expected fg, bg, attrs)")
            }
        }
        return s
    }

    static func line(of e: YamlError) -> Int? {
        switch e {
        case let .scanner(_, _, mark, _), let .parser(_, _, mark, _), let .composer(_, _, mark, _): return mark.line
        case let .duplicatedKeysInMapping(_, context): return context.mark.line
        default: return nil
        }
    }

    static func problem(of e: YamlError) -> String {
        switch e {
        case let .scanner(_, p, _, _), let .parser(_, p, _, _), let .composer(_, p, _, _): return p
        case let .duplicatedKeysInMapping(d, _): return "duplicated keys \(d.joined(separator: ", "))"
        default: return "\(e)"
        }
    }
}
