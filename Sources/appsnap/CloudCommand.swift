import ArgumentParser
import AppSnapCore
import EmbeddedCloud
import Foundation

/// `appsnap cloud init|status|reset`: manage the embedded cloud.
struct CloudCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cloud",
        abstract: "Create, inspect or remove the embedded cloud.",
        subcommands: [Init.self, Status.self, Fsck.self, Reset.self, HostCommand.self, KeysCommand.self, RunInvocation.self,
                      FinishGroup.self]
    )

    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create the embedded cloud's database and storage pool (with --demo, the demo inventory).",
            discussion: "Refuses a cloud that already holds instances or disks unless --force: re-initializing deletes them.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Seed the demo inventory: ten instances in cn-hangzhou, one each in cn-shanghai and ap-southeast-1.")
        var demo = false
        @Flag(help: "Re-initialize a cloud that already holds resources, deleting every disk image and snapshot.")
        var force = false
        @Option(help: ArgumentHelp("Make the storage pool an XFS file system with reflink on a loop image of this size (e.g. 8G), for a file system without reflink (root).", valueName: "size"))
        var poolImage: String?

        func validate() throws {
            if let poolImage, PoolImageSize.bytes(poolImage) == nil { throw ValidationError("--pool-image takes a size such as 8G, 512M or 10737418240") }
        }

        func run() async throws {
            // Before anything is opened or wiped: a missing mkfs.xfs changes nothing.
            if poolImage != nil { try EmbeddedCloud.checkPoolImageTools() }
            let isNew = !FileManager.default.fileExists(atPath: global.stateDirectory.appendingPathComponent("appsnap.sqlite").path)
            // A new cloud is seeded the way it was asked, so the demo is not made only to be thrown away.
            let cloud = try EmbeddedCloud(stateDirectory: global.stateDirectory, spawner: .posixSpawn, seedDemoIfNew: demo)
            if !isNew {
                let now = try cloud.status()
                if (now.instances > 0 || now.disks > 0) && !force {
                    throw ValidationError("""
                        \(global.stateDirectory.path) already holds \(now.instances) instances and \(now.disks) disks; \
                        nothing was changed. Re-initializing deletes them all: add --force, or use another --state.
                        """)
                }
                try cloud.initialize(demo: demo)
            }
            if let poolImage {
                // The pool moves onto a new file system, so the cloud starts over on it.
                try cloud.makePoolImage(bytes: PoolImageSize.bytes(poolImage)!)
                try cloud.initialize(demo: demo)
            }
            print(try cloud.status().rendered)
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Where the embedded cloud lives, what it holds, and how snapshots are copied (reflink or sparse copy).")
        @OptionGroup var global: GlobalOptions
        func run() async throws {
            print(try global.makeEmbeddedCloud().status().rendered)
        }
    }

    struct Fsck: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make the database agree with the storage pool again after it was lost, truncated or corrupted.",
            discussion: """
            A database SQLite cannot use is renamed aside (appsnap.sqlite.broken-…), never deleted. Every disk \
            and snapshot image without a row gets one: from the label appsnap writes on each image, else from \
            the demo inventory's IDs, else from the file's name and size. Rows whose image is gone are reported. \
            No image or instance folder is ever deleted. Tags and command history lived only in the database.
            """)
        @OptionGroup var global: GlobalOptions
        func run() async throws {
            try global.requireLocalCloud()
            print(try EmbeddedCloud.fsck(stateDirectory: global.stateDirectory).rendered)
        }
    }

    struct Reset: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete the embedded cloud: its database, disk images, snapshots and instances.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Do it without asking.") var yes = false
        func run() async throws {
            let dir = global.stateDirectory
            if !yes {
                print("This deletes every disk image and snapshot under \(dir.path). Type 'reset' to go on: ", terminator: "")
                guard readLine() == "reset" else { print("nothing deleted"); return }
            }
            try EmbeddedCloud.reset(stateDirectory: dir)
            print("deleted \(dir.path)")
        }
    }

    /// Detached by RunCommand so a run outlives the process that asked for it.
    struct RunInvocation: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "_run-invocation", shouldDisplay: false)
        @OptionGroup var global: GlobalOptions
        @Argument var invokeId: String
        func run() async throws {
            guard global.cloudExists else { return }  // reset in the meantime: nothing to run
            try await global.makeEmbeddedCloud().runInvocation(invokeId)
        }
    }

    /// Detached by CreateSnapshotGroup: carries a group from progressing to accomplished.
    struct FinishGroup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "_finish-group", shouldDisplay: false)
        @OptionGroup var global: GlobalOptions
        @Argument var groupId: String
        func run() async throws {
            guard global.cloudExists else { return }  // reset in the meantime: never re-create the cloud
            try await global.makeEmbeddedCloud().finishGroup(groupId)
        }
    }
}
