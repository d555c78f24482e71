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
        let thawed = FreezeJournal.thawAll(runDirectory: global.stateDirectory.appendingPathComponent("run"))
        if thawed.isEmpty {
            print("nothing is frozen by appsnap")
        } else {
            for m in thawed { print("thawed \(m)") }
        }
    }
}
