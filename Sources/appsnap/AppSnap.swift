import ArgumentParser

/// The executable only wires the parts together: every command parses its flags and
/// hands them to the core, the embedded cloud, the host or the console.
@main
struct AppSnap: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "appsnap",
        abstract: "Application-consistent snapshots of cloud disks, from a terminal console or the command line.",
        discussion: """
        With no command, opens the console on the embedded cloud (a local, persistent cloud \
        seeded with a demo inventory on first use). Every command takes --state DIR \
        (env APPSNAP_STATE) to choose the embedded cloud's folder.
        """,
        subcommands: [ConsoleCommand.self, ECSCommand.self, PluginManagerCommand.self, LogsCommand.self,
                      ThawCommand.self, CloudCommand.self, ServeCommand.self, FreezerCommand.self, GuardianCommand.self,
                      SandboxCommand.self],
        defaultSubcommand: ConsoleCommand.self
    )

    static func main() async {
        await main(PluginManagerArguments.normalized(Array(CommandLine.arguments.dropFirst())))
    }
}
