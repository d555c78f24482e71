import ArgumentParser
import LinuxHost
import Foundation

/// `appsnap thaw --all`: undo any freeze appsnap left behind, from its journal.
struct ThawCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "thaw",
        abstract: "Thaw every file system an interrupted appsnap run left frozen (read from the freeze journal)."
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Thaw everything the journal lists.")
    var all = false

    func validate() throws {
        guard all else { throw ValidationError("say --all: appsnap thaws only what its own journal lists, all of it") }
    }

    func run() throws {
        let runDirectory = global.stateDirectory.appendingPathComponent("run")
        let thawed = FreezeJournal.thawAll(runDirectory: runDirectory)
        for m in thawed { print("thawed \(m)") }
        // A journal that is still there names a file system that could not be thawed.
        let left = FreezeJournal.remaining(runDirectory: runDirectory.path)
        if !left.isEmpty {
            FileHandle.standardError.write(Data("""
                appsnap: could not thaw \(left.joined(separator: ", ")); they may still be frozen. \
                Try again, or run `fsfreeze --unfreeze MOUNTPOINT` as root; the journal in \(runDirectory.path) is kept.

                """.utf8))
            throw ExitCode.failure
        }
        if thawed.isEmpty { print("nothing is frozen by appsnap") }
    }
}
