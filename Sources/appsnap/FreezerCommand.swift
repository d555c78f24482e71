import ArgumentParser
import Foundation
import LinuxHost

/// `appsnap _freezer …`: the hidden child that holds a freeze (SPEC §7). Started only
/// by LinuxHost; everything it does lives in `FreezerChild`.
struct FreezerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: FreezerChild.subcommand, shouldDisplay: false)

    @Argument(parsing: .captureForPassthrough) var arguments: [String] = []

    func run() throws {
        Foundation.exit(FreezerChild.main(arguments: arguments))
    }
}

/// `appsnap _guardian …`: the hidden child that runs postscript if the plugin dies
/// (SPEC §7). Started only by LinuxHost's `GuardedGuest`.
struct GuardianCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: GuardianChild.subcommand, shouldDisplay: false)

    @Argument(parsing: .captureForPassthrough) var arguments: [String] = []

    func run() throws {
        Foundation.exit(GuardianChild.main(arguments: arguments))
    }
}
