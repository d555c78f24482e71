import ArgumentParser
import AppSnapCore
import EmbeddedCloud
import Foundation

/// The flags every command shares (SPEC §11).
struct GlobalOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The embedded cloud's folder (default: $APPSNAP_STATE, else $XDG_DATA_HOME/appsnap).", valueName: "dir"))
    var state: String?

    @Option(help: "Which cloud: local (the embedded cloud) or aliyun (Alibaba Cloud's ECS API).")
    var cloud: CloudKind = .local

    @Option(help: "The credentials profile for --cloud aliyun.")
    var profile: String?

    @Option(help: ArgumentHelp("The region to work in (default cn-hangzhou).", valueName: "region-id"))
    var region: String?

    enum CloudKind: String, ExpressibleByArgument, CaseIterable { case local, aliyun }

    var stateDirectory: URL {
        StateDirectory.resolve(flag: state, environment: ProcessInfo.processInfo.environment)
    }

    var regionId: String { region ?? "cn-hangzhou" }

    /// Whether the embedded cloud's database exists (opening one creates and seeds it).
    var cloudExists: Bool {
        FileManager.default.fileExists(atPath: stateDirectory.appendingPathComponent("appsnap.sqlite").path)
    }

    /// The cloud the account works against.
    func makeCloud() throws -> any CloudAPI {
        switch cloud {
        case .local:
            // Set only by an instance's agent: the call is that instance's, with its role's rights.
            if let instance = ProcessInfo.processInfo.environment[InstanceAgent.callerKey], !instance.isEmpty {
                return try EmbeddedCloud(stateDirectory: stateDirectory, caller: .instanceRole(instance))
            }
            return try EmbeddedCloud(stateDirectory: stateDirectory)
        case .aliyun:
            throw ValidationError("--cloud aliyun: the Alibaba Cloud backend is not part of this build yet; use --cloud local")
        }
    }

    /// The embedded cloud itself, for the commands that manage it.
    func makeEmbeddedCloud() throws -> EmbeddedCloud {
        try requireLocalCloud()
        return try EmbeddedCloud(stateDirectory: stateDirectory)
    }

    /// Refuses `--cloud aliyun` for the commands that manage the embedded cloud.
    func requireLocalCloud() throws {
        guard cloud == .local else { throw ValidationError("this command manages the embedded cloud; drop --cloud \(cloud.rawValue)") }
    }
}
