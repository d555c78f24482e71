import ArgumentParser

/// The executable only wires the parts together. (The full command set is being wired
/// by the lead; hidden helper commands such as `_freezer` register here.)
@main
struct AppSnap: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "appsnap",
        abstract: "Application-consistent snapshots of cloud disks.",
        subcommands: [FreezerCommand.self]
    )
}
