import AliyunCloud
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

    @Option(help: ArgumentHelp("The region to work in (default: $ALIBABA_CLOUD_REGION_ID, else the profile's region_id, else cn-hangzhou).", valueName: "region-id"))
    var region: String?

    @Option(help: ArgumentHelp("For --cloud aliyun: the ECS endpoint (default https://ecs.REGION.aliyuncs.com, or $APPSNAP_ECS_ENDPOINT); plain http only to loopback.", valueName: "url"))
    var endpoint: String?

    @Option(help: "For --cloud aliyun: the request signature, v3 (ACS3-HMAC-SHA256) or v1 (RPC HMAC-SHA1).")
    var signature: ECSClient.Signature = .v3

    func validate() throws {
        if cloud == .local {
            if endpoint != nil { throw ValidationError("--endpoint is for --cloud aliyun; the embedded cloud has no endpoint to choose") }
            if signature != .v3 { throw ValidationError("--signature is for --cloud aliyun; the embedded cloud is called directly") }
        } else if let endpoint {
            do { _ = try EndpointAddress.parse(endpoint, what: "--endpoint") } catch let e as AliyunConfigError { throw ValidationError(e.message) }
        }
    }

    enum CloudKind: String, ExpressibleByArgument, CaseIterable { case local, aliyun }

    var stateDirectory: URL {
        StateDirectory.resolve(flag: state, environment: ProcessInfo.processInfo.environment)
    }

    var regionId: String {
        guard cloud == .aliyun else { return region ?? AliyunSetup.defaultRegion }
        // The profile's region_id counts only when the chain resolves; an error there is
        // reported by makeCloud, where it belongs.
        let profileRegion = (try? aliyunSetup.chain().resolve())?.region
        return aliyunSetup.regionId(profileRegion: profileRegion)
    }

    /// The region the user chose, if any (nil: the console's region picker, filled by
    /// DescribeRegions): --region; for aliyun also ALIBABA_CLOUD_REGION_ID or the profile's.
    var explicitRegion: String? {
        guard cloud == .aliyun else { return region }
        let profileRegion = (try? aliyunSetup.chain().resolve())?.region
        return region ?? ProcessInfo.processInfo.environment["ALIBABA_CLOUD_REGION_ID"].flatMap { $0.isEmpty ? nil : $0 } ?? profileRegion
    }

    var aliyunSetup: AliyunSetup {
        AliyunSetup(environment: ProcessInfo.processInfo.environment, profile: profile, region: region,
                    endpoint: endpoint, signature: signature)
    }

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
            do {
                return try aliyunSetup.make().cloud
            } catch let e as AliyunConfigError {
                throw ValidationError(e.message)
            }
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
extension ECSClient.Signature: ExpressibleByArgument {}
