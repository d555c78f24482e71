import Foundation
import Testing
@testable import Console

@Suite struct ThemeTests {
    static let themesDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../themes").standardized.path

    @Test(arguments: ["default", "light", "high-contrast", "mono"])
    func shippedThemesLoadAndStyleEveryRole(name: String) throws {
        let t = try ThemeLoader.load(path: "\(Self.themesDir)/\(name).yaml")
        #expect(t.name == name)
        #expect(Set(t.styles.keys) == Set(Role.allCases), "missing roles: \(Set(Role.allCases).subtracting(t.styles.keys))")
    }

    @Test func embeddedThemesMatchTheFiles() throws {
        #expect(try String(contentsOfFile: "\(Self.themesDir)/default.yaml", encoding: .utf8) == BuiltinThemes.defaultYAML + "\n")
        #expect(try String(contentsOfFile: "\(Self.themesDir)/mono.yaml", encoding: .utf8) == BuiltinThemes.monoYAML + "\n")
    }

    @Test func monoTellsSelectedAndMatchesApartWithoutColour() {
        let m = BuiltinThemes.mono
        for role in Role.allCases { #expect(m.style(role).fg == .terminalDefault && m.style(role).bg == .terminalDefault) }
        #expect(m.style(.selected).attributes.contains(.reverse))
        #expect(m.style(.currentMatch).attributes != m.style(.match).attributes)
    }

    @Test func badThemeNamesFileAndLine() {
        let yaml = "name: broken\npalette:\n  accent: \"#12345\"\nroles:\n  normal: {}\n"
        #expect(throws: ThemeError(file: "broken.yaml", line: 3,
                                   message: "palette colour `#12345` is not `default`, an ANSI name, 0…255 or #rrggbb")) {
            try ThemeLoader.parse(yaml, file: "broken.yaml")
        }
        let unknownRole = "palette: {}\nroles:\n  normal: {}\n  selcted: { attrs: [bold] }\n"
        do { _ = try ThemeLoader.parse(unknownRole, file: "t.yaml"); Issue.record("should fail") } catch let e as ThemeError {
            #expect(e.line == 4)
            #expect(e.description.hasPrefix("theme t.yaml:4: unknown role `selcted`"))
        } catch { Issue.record("\(error)") }
        do { _ = try ThemeLoader.parse("roles: [\n", file: "y.yaml"); Issue.record("should fail") } catch let e as ThemeError {
            #expect(e.line != nil)
            #expect(e.message.hasPrefix("not valid YAML"))
        } catch { Issue.record("\(error)") }
    }

    func tempDir() -> String {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("appsnap-theme-test-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    @Test func choiceOrderIsFlagThenEnvThenConfigThenDefault() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = "\(dir)/config.yaml"
        try "theme: high-contrast\n".write(toFile: config, atomically: true, encoding: .utf8)
        let r = ThemeResolver(environment: ["APPSNAP_THEME": "light"], searchDirectories: [Self.themesDir], configPath: config)
        #expect(r.resolve(themeOption: "mono", noColor: false).theme.name == "mono")
        #expect(r.resolve(themeOption: nil, noColor: false).theme.name == "light")
        let noEnv = ThemeResolver(environment: [:], searchDirectories: [Self.themesDir], configPath: config)
        #expect(noEnv.resolve(themeOption: nil, noColor: false).theme.name == "high-contrast")
        let nothing = ThemeResolver(environment: [:], searchDirectories: [Self.themesDir], configPath: "\(dir)/none.yaml")
        #expect(nothing.resolve(themeOption: nil, noColor: false).theme.name == "default")
    }

    @Test func noColorAndFlagGiveMono() {
        let r = ThemeResolver(environment: ["NO_COLOR": "1", "APPSNAP_THEME": "light"], searchDirectories: [Self.themesDir], configPath: nil)
        #expect(r.resolve(themeOption: "light", noColor: false).theme.name == "mono")
        let f = ThemeResolver(environment: [:], searchDirectories: [Self.themesDir], configPath: nil)
        #expect(f.resolve(themeOption: nil, noColor: true).theme.name == "mono")
    }

    @Test func badThemeFileFallsBackToDefaultWithAWarningNamingFileAndLine() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "palette:\n  a: red\nroles:\n  normal: { fg: nosuch }\n".write(toFile: "\(dir)/bad.yaml", atomically: true, encoding: .utf8)
        let r = ThemeResolver(environment: [:], searchDirectories: [dir], configPath: nil)
        let res = r.resolve(themeOption: "bad", noColor: false)
        #expect(res.theme == BuiltinThemes.default)
        #expect(res.warnings == ["theme \(dir)/bad.yaml:4: colour `nosuch` is neither in the palette nor a colour; using the default theme"])
        // With no themes/ directory at all, the embedded default still works.
        let empty = ThemeResolver(environment: [:], searchDirectories: ["\(dir)/none"], configPath: nil)
        #expect(empty.resolve(themeOption: nil, noColor: false).theme == BuiltinThemes.default)
        #expect(empty.resolve(themeOption: nil, noColor: false).warnings.isEmpty)
    }

    @Test func coloursDegradeSensiblyAtEachDepth() {
        let red = ThemeColor.rgb(255, 0, 0)
        #expect(red.degraded(to: .trueColor) == red)
        #expect(red.degraded(to: .x256) == .indexed(196))
        #expect(red.degraded(to: .sixteen) == .ansi(9))
        #expect(red.degraded(to: .eight) == .ansi(1))
        #expect(red.degraded(to: .none) == nil)
        #expect(ThemeColor.rgb(0x80, 0x80, 0x80).degraded(to: .x256) == .indexed(244))
        #expect(ThemeColor.ansi(12).degraded(to: .eight) == .ansi(4))
        #expect(ThemeColor.terminalDefault.degraded(to: .eight) == .terminalDefault)
        #expect(ColorDepth.detect(colors: 8) == .eight)
        #expect(ColorDepth.detect(colors: 256) == .x256)
        #expect(ColorDepth.detect(colors: 16_777_216) == .trueColor)
        #expect(ColorDepth.detect(colors: 0) == .none)
        let degraded = BuiltinThemes.default.degraded(to: .eight)
        for role in Role.allCases {
            for c in [degraded.style(role).fg, degraded.style(role).bg] {
                if case .ansi(let i) = c { #expect(i < 8) } else { #expect(c == .terminalDefault) }
            }
        }
    }
}
