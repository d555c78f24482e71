import ArgumentParser
import EmbeddedCloud
import Foundation

/// `appsnap _sandbox --root DIR … -- COMMAND`: the hidden helper that runs a command or
/// a script inside an emulated instance's namespaces (see `InstanceSandbox`).
struct SandboxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: InstanceSandbox.subcommand, shouldDisplay: false)
    @Argument(parsing: .captureForPassthrough) var arguments: [String] = []
    func run() throws {
        Foundation.exit(InstanceSandbox.main(arguments: arguments))
    }
}
