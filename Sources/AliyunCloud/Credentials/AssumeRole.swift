import ECSWire
import Foundation

/// STS AssumeRole (2015-04-01): a long-term key becomes the temporary key of a role
/// (RamRoleArn profiles), fetched again before it lapses.
enum AssumeRole {
    static func provider(base: any CredentialsProvider, stsEndpoint: URL, signature: ECSClient.Signature,
                         roleArn: String, sessionName: String, duration: Int, source: String) -> RefreshingCredentials {
        let sts = ECSClient(endpoint: stsEndpoint, credentials: base, signature: signature, version: "2015-04-01")
        return RefreshingCredentials(source: source) {
            let o = try await sts.call("AssumeRole", [("RoleArn", roleArn), ("RoleSessionName", sessionName),
                                                      ("DurationSeconds", String(duration))], idempotent: true)
            guard let c = o["Credentials"] as? [String: Any], let id = c["AccessKeyId"] as? String,
                  let secret = c["AccessKeySecret"] as? String, let token = c["SecurityToken"] as? String,
                  let exp = (c["Expiration"] as? String).flatMap(ExpirationTime.parse) else {
                throw AliyunConfigError("STS AssumeRole of \(roleArn) answered without Credentials (AccessKeyId, AccessKeySecret, SecurityToken, Expiration)")
            }
            return ExpiringCredentials(keys: AccessKeyCredentials(accessKeyId: id, accessKeySecret: secret, securityToken: token),
                                       expiration: exp)
        }
    }
}

/// The instance's RAM role through the metadata service (EcsRamRole profiles, and the
/// chain's last source).
enum InstanceRole {
    static func provider(metadata: MetadataClient, role: String?, source: String) -> RefreshingCredentials {
        RefreshingCredentials(source: source) {
            let name: String
            if let role, !role.isEmpty { name = role } else { name = try await metadata.roleName() }
            return try await metadata.roleCredentials(name)
        }
    }
}
