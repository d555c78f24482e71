import ArgumentParser
import AppSnapCore
import Console
import Foundation

/// `appsnap` / `appsnap console`: the full-screen console.
struct ConsoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "Open the full-screen console (the default command)."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "A theme name (default, light, high-contrast, mono) or a theme file's path.")
    var theme: String?

    @Flag(name: .customLong("no-color"), help: "No colours (the mono theme); NO_COLOR does the same.")
    var noColor = false

    @Flag(help: "Draw with ASCII only, whatever the locale says.")
    var ascii = false

    func run() async throws {
        let cloud = try global.makeCloud()
        var options = ConsoleOptions(region: global.explicitRegion, theme: theme, noColor: noColor, ascii: ascii)
        options.remote = global.cloud == .aliyun
        let code = await runConsole(cloud: cloud, options: options)
        if code != 0 { throw ArgumentParser.ExitCode(code) }
    }
}
