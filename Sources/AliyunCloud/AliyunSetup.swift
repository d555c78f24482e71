import Foundation

/// `--cloud aliyun` from what the user gave: flags, then the environment, then the
/// profile (SPEC §13). Reads files only; nothing is sent until the first call.
public struct AliyunSetup: Sendable {
    public var environment: [String: String]
    public var profile: String?
    public var region: String?
    public var endpoint: String?
    public var signature: ECSClient.Signature

    public init(environment: [String: String], profile: String?, region: String?, endpoint: String?, signature: ECSClient.Signature) {
        self.environment = environment; self.profile = profile; self.region = region
        self.endpoint = endpoint; self.signature = signature
    }

    public static let defaultRegion = "cn-hangzhou"

    var endpointOverride: String? {
        if let e = endpoint, !e.isEmpty { return e }
        return environment["APPSNAP_ECS_ENDPOINT"].nonEmpty
    }

    public func chain() throws -> CredentialChain {
        try CredentialChain(environment: environment, profile: profile, signature: signature, ecsOverride: endpointOverride)
    }

    /// `--region`, else ALIBABA_CLOUD_REGION_ID, else the profile's region_id, else cn-hangzhou.
    public func regionId(profileRegion: String?) -> String {
        region.nonEmpty ?? environment["ALIBABA_CLOUD_REGION_ID"].nonEmpty ?? profileRegion ?? Self.defaultRegion
    }

    public func make() throws -> (cloud: AliyunCloud, region: String) {
        let resolved = try chain().resolve()
        let region = regionId(profileRegion: resolved.region)
        return (try make(credentials: resolved.provider, region: region), region)
    }

    /// With credentials found elsewhere (the plugin's: the instance's role from metadata).
    public func make(credentials: any CredentialsProvider, region: String) throws -> AliyunCloud {
        let url = try EndpointAddress.ecs(region: region, override: endpointOverride)
        return AliyunCloud(client: ECSClient(endpoint: url, credentials: credentials, signature: signature))
    }
}
