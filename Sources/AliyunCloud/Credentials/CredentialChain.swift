import ECSWire
import Foundation

/// The vendor's default chain (SPEC §13), in its order: the environment; the aliyun CLI's
/// config.json; the credentials INI file; the instance's RAM role from metadata. The
/// first source that has a key wins; the region comes along from a profile.
public struct CredentialChain: Sendable {
    public var environment: [String: String]
    public var profile: String?
    public var signature: ECSClient.Signature
    /// Where STS is: APPSNAP_STS_ENDPOINT, else the ECS override (one `appsnap serve`
    /// answers both), else the public one.
    public var stsEndpoint: URL

    public init(environment: [String: String], profile: String?, signature: ECSClient.Signature, ecsOverride: String?) throws {
        self.environment = environment; self.profile = profile; self.signature = signature
        if let sts = environment["APPSNAP_STS_ENDPOINT"], !sts.isEmpty {
            stsEndpoint = try EndpointAddress.parse(sts, what: "APPSNAP_STS_ENDPOINT")
        } else if let o = ecsOverride, !o.isEmpty {
            stsEndpoint = try EndpointAddress.parse(o, what: "--endpoint")
        } else {
            stsEndpoint = URL(string: "https://sts.aliyuncs.com")!
        }
    }

    public struct Resolved: Sendable {
        public var provider: any CredentialsProvider
        public var region: String?
    }

    var home: String { environment["HOME"] ?? NSHomeDirectory() }
    var configPath: String { environment["ALIBABA_CLOUD_CONFIG_FILE"].nonEmpty ?? home + "/.aliyun/config.json" }
    var iniPath: String { environment["ALIBABA_CLOUD_CREDENTIALS_FILE"].nonEmpty ?? home + "/.alibabacloud/credentials" }
    var profileName: String? { profile.nonEmpty ?? environment["ALIBABA_CLOUD_PROFILE"].nonEmpty }

    public func resolve() throws -> Resolved {
        var tried: [String] = []
        // 1. The environment.
        let id = environment["ALIBABA_CLOUD_ACCESS_KEY_ID"].nonEmpty, secret = environment["ALIBABA_CLOUD_ACCESS_KEY_SECRET"].nonEmpty
        if let id, let secret {
            return Resolved(provider: StaticCredentials(AccessKeyCredentials(accessKeyId: id, accessKeySecret: secret,
                                                                             securityToken: environment["ALIBABA_CLOUD_SECURITY_TOKEN"].nonEmpty),
                                                        source: "environment"), region: nil)
        }
        if (id == nil) != (secret == nil) {
            throw AliyunConfigError("ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET must be set together; only \(id != nil ? "the ID" : "the secret") is set")
        }
        tried.append("environment (ALIBABA_CLOUD_ACCESS_KEY_ID/ALIBABA_CLOUD_ACCESS_KEY_SECRET not set)")
        // 2. The aliyun CLI's config.json.
        if FileManager.default.fileExists(atPath: configPath) {
            if let found = try fromConfigJSON() { return found }
            tried.append("\(configPath) (no profile \(profileName ?? "current"))")
        } else {
            tried.append("\(configPath) (absent)")
        }
        // 3. The credentials INI file.
        if FileManager.default.fileExists(atPath: iniPath) {
            if let found = try fromINI() { return found }
            tried.append("\(iniPath) (no section \(profileName ?? "default"))")
        } else {
            tried.append("\(iniPath) (absent)")
        }
        // An explicitly named profile that no file has is a mistake, not a reason to ask metadata.
        if let named = profile.nonEmpty {
            throw AliyunConfigError("--profile \(named): no such profile; " + NoCredentialsError(tried: tried).description)
        }
        // 4. The instance's RAM role; whether metadata answers is learned on first use.
        let metadata = try MetadataClient(environment: environment)
        tried.append("the instance RAM role from metadata at \(metadata.base.absoluteString)")
        let chainSoFar = tried
        let role = InstanceRole.provider(metadata: metadata, role: nil, source: "instance RAM role (metadata)")
        return Resolved(provider: FallbackCredentials(inner: role, tried: chainSoFar), region: nil)
    }

    private func fromConfigJSON() throws -> Resolved? {
        let data = try Data(contentsOf: URL(fileURLWithPath: configPath))
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw AliyunConfigError("\(configPath) is not JSON of the aliyun CLI's form {\"current\":…,\"profiles\":[…]}")
        }
        let want = profileName ?? (root["current"] as? String).nonEmpty ?? "default"
        let profiles = root["profiles"] as? [[String: Any]] ?? []
        guard let p = profiles.first(where: { ($0["name"] as? String) == want }) else { return nil }
        func field(_ k: String) -> String? { (p[k] as? String).nonEmpty }
        let region = field("region_id")
        let mode = field("mode") ?? "AK"
        let source = "\(configPath) profile \(want) (\(mode))"
        func key(_ withToken: Bool) throws -> AccessKeyCredentials {
            guard let id = field("access_key_id"), let secret = field("access_key_secret") else {
                throw AliyunConfigError("\(source): access_key_id and access_key_secret are required in mode \(mode)")
            }
            let token = withToken ? field("sts_token") : nil
            if withToken && token == nil { throw AliyunConfigError("\(source): sts_token is required in mode StsToken") }
            return AccessKeyCredentials(accessKeyId: id, accessKeySecret: secret, securityToken: token)
        }
        switch mode {
        case "AK": return Resolved(provider: StaticCredentials(try key(false), source: source), region: region)
        case "StsToken": return Resolved(provider: StaticCredentials(try key(true), source: source), region: region)
        case "EcsRamRole":
            let metadata = try MetadataClient(environment: environment)
            return Resolved(provider: InstanceRole.provider(metadata: metadata, role: field("ram_role_name"), source: source), region: region)
        case "RamRoleArn":
            guard let arn = field("ram_role_arn") else { throw AliyunConfigError("\(source): ram_role_arn is required in mode RamRoleArn") }
            let base = StaticCredentials(try key(false), source: source)
            let duration = (p["expired_seconds"] as? Int).flatMap { $0 > 0 ? $0 : nil } ?? 3600
            return Resolved(provider: AssumeRole.provider(base: base, stsEndpoint: stsEndpoint, signature: signature, roleArn: arn,
                                                          sessionName: field("ram_session_name") ?? "appsnap", duration: duration,
                                                          source: source), region: region)
        default:
            throw AliyunConfigError("\(source): mode \(mode) is not one appsnap reads (AK, StsToken, EcsRamRole, RamRoleArn)")
        }
    }

    private func fromINI() throws -> Resolved? {
        let text = try String(contentsOfFile: iniPath, encoding: .utf8)
        let want = profileName ?? "default"
        var section: String?, fields: [String: String] = [:]
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") { section = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces); continue }
            guard section == want, let eq = line.firstIndex(of: "=") else { continue }
            fields[line[..<eq].trimmingCharacters(in: .whitespaces)] = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
        }
        guard !fields.isEmpty else { return nil }
        let source = "\(iniPath) [\(want)]"
        let type = fields["type"] ?? "access_key"
        let region = fields["region_id"].nonEmpty
        func key() throws -> AccessKeyCredentials {
            guard let id = fields["access_key_id"].nonEmpty, let secret = fields["access_key_secret"].nonEmpty else {
                throw AliyunConfigError("\(source): access_key_id and access_key_secret are required for type \(type)")
            }
            return AccessKeyCredentials(accessKeyId: id, accessKeySecret: secret, securityToken: fields["security_token"].nonEmpty)
        }
        switch type {
        case "access_key", "sts": return Resolved(provider: StaticCredentials(try key(), source: source), region: region)
        case "ecs_ram_role":
            let metadata = try MetadataClient(environment: environment)
            return Resolved(provider: InstanceRole.provider(metadata: metadata, role: fields["role_name"], source: source), region: region)
        case "ram_role_arn":
            guard let arn = fields["role_arn"].nonEmpty else { throw AliyunConfigError("\(source): role_arn is required for type ram_role_arn") }
            return Resolved(provider: AssumeRole.provider(base: StaticCredentials(try key(), source: source), stsEndpoint: stsEndpoint,
                                                          signature: signature, roleArn: arn,
                                                          sessionName: fields["role_session_name"] ?? "appsnap", duration: 3600,
                                                          source: source), region: region)
        default:
            throw AliyunConfigError("\(source): type \(type) is not one appsnap reads (access_key, sts, ecs_ram_role, ram_role_arn)")
        }
    }
}

/// The chain's last source: when the metadata service does not answer either, the error
/// names every source tried, in order.
struct FallbackCredentials: CredentialsProvider {
    let inner: RefreshingCredentials
    let tried: [String]
    var source: String { inner.source }
    func credentials() async throws -> AccessKeyCredentials {
        do { return try await inner.credentials() } catch let e as MetadataClient.Unavailable {
            throw AliyunConfigError(NoCredentialsError(tried: tried).description + " (\(e.reason))")
        }
    }
}

extension Optional where Wrapped == String {
    var nonEmpty: String? { if let s = self, !s.isEmpty { return s } else { return nil } }
}
