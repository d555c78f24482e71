import ArgumentParser
import AppSnapCore
import Console
import EmbeddedCloud
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

    @Option(help: "Seconds between list refreshes (at least 1; default: the config file's refreshRate, else 2).")
    var refresh: Double?

    @Flag(help: "Offer nothing that changes the cloud: no create, rename or delete.")
    var readonly = false

    func run() async throws {
        let cloud = try global.makeCloud()
        var options = ConsoleOptions(region: global.explicitRegion, theme: theme, noColor: noColor, ascii: ascii,
                                     refresh: refresh, readonly: readonly)
        // Restore mounts new disks on this machine only through the embedded cloud's host.
        if let embedded = cloud as? EmbeddedCloud {
            options.hostDisks = HostDisks(hostInstanceId: { try? embedded.hostInstanceId() },
                                          setMountPoint: { try embedded.setHostDiskOptions(diskId: $0, fileSystem: nil, mountPoint: $1) })
        }
        options.remote = global.cloud == .aliyun
        let code = await runConsole(cloud: cloud, options: options)
        if code != 0 { throw ArgumentParser.ExitCode(code) }
    }
}
