import AppSnapCore
import ECSWire
import Foundation

/// The embedded cloud on the ECS wire, without the HTTP library: one received request in,
/// the status and JSON body out. Every action goes through `ECSActions.call`, the same
/// table `appsnap ecs` uses, so both speak the same actions with the same JSON.
public final class ECSEndpoint: Sendable {
    public static let apiVersion = "2014-05-26"

    let cloud: any CloudAPI
    let keys: any AccessKeyStore
    let verifier: RequestVerifier
    /// Off only for measuring what checking costs (`serve --no-verify`).
    let verifySignatures: Bool
    let log: @Sendable (String) -> Void
    /// The roles AssumeRole may hand out; nil answers AssumeRole with NoPermission.
    let roles: (any RoleDirectory)?
    /// Keys issued by AssumeRole and the metadata service, accepted with their security token.
    public let temporary: TemporaryKeys
    /// The cloud as seen by an instance (its RAM role, and what it may always read about
    /// itself), for calls signed with the keys its metadata service handed out.
    let instanceClouds: [String: any CloudAPI]

    public init(cloud: any CloudAPI, keys: any AccessKeyStore, roles: (any RoleDirectory)? = nil,
                temporary: TemporaryKeys = TemporaryKeys(), instanceClouds: [String: any CloudAPI] = [:],
                verifier: RequestVerifier = RequestVerifier(),
                verifySignatures: Bool = true, log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.cloud = cloud; self.keys = keys; self.roles = roles; self.temporary = temporary
        self.instanceClouds = instanceClouds; self.verifier = verifier
        self.verifySignatures = verifySignatures; self.log = log
    }

    public struct Answer: Sendable {
        public var status: Int
        public var body: Data
    }

    public func respond(to request: WireRequest) async -> Answer {
        var keyId: String?
        var action = request.header("x-acs-action") ?? ""
        do {
            let (call, instance) = try await authenticate(request)
            keyId = call.accessKeyId
            action = call.action
            // STS's one action, on the same listener (its own API version, 2015-04-01).
            if call.action == "AssumeRole" {
                return Answer(status: 200, body: try await assumeRole(call))
            }
            if let version = call.version, version != Self.apiVersion {
                throw ECSError("InvalidVersion", "Specified parameter Version \"\(version)\" is not valid: this endpoint speaks ECS \(Self.apiVersion).", httpStatus: 400)
            }
            // Only JSON is served; a client that asked for XML could not read the answer.
            if let format = call.parameters["Format"], format.lowercased() != "json" {
                throw ECSError("InvalidParameter", "The specified parameter \"Format\" is not valid: this endpoint answers JSON only; \"\(format)\" was asked for.", httpStatus: 400)
            }
            let target = instance.flatMap { instanceClouds[$0] } ?? cloud
            let body = try await ECSActions.call(call.action, Self.actionParameters(call.parameters), on: target)
            return Answer(status: 200, body: body.json(pretty: false))
        } catch let e as ECSError {
            // Refusals are worth a line for the operator; the key's ID, never its secret.
            log("refused \(action.isEmpty ? "-" : action) from \(keyId ?? "-"): \(e.Code) (HTTP \(e.httpStatus))")
            return Answer(status: e.httpStatus, body: e.json())
        } catch {
            let e = ECSError("InternalError", "The request processing has failed due to some unknown error: \(error)", httpStatus: 500)
            log("failed \(action): \(error)")
            return Answer(status: 500, body: e.json())
        }
    }

    /// Who sent the call, and whether their key's policy allows its action.
    /// The instance is set when the key is one an instance's metadata service handed out.
    private func authenticate(_ request: WireRequest) async throws -> (VerifiedCall, String?) {
        guard verifySignatures else { return (try RequestVerifier.unverified(request), nil) }
        var served: ServedKey?
        var issued: TemporaryKeys.Issued?
        let call = try await verifier.verify(request) { id in
            if id.hasPrefix("STS.") {
                issued = self.temporary.lookup(id)
                served = issued.map { ServedKey(secret: $0.secret, actions: $0.actions) }
            } else {
                served = try await self.keys.key(id)
            }
            return served?.secret
        }
        if let issued {
            // A temporary key is only good with its own token, and only until it expires.
            let token = request.header("x-acs-security-token") ?? call.parameters["SecurityToken"]
            guard let token, token == issued.securityToken else {
                throw ECSError("InvalidSecurityToken.Mismatch", "Specified SecurityToken mismatch with the AccessKey.", httpStatus: 400)
            }
            guard issued.expiration > Date() else {
                throw ECSError("InvalidSecurityToken.Expired", "Specified SecurityToken is expired.", httpStatus: 400)
            }
        }
        // AssumeRole is for long-term keys; what the role may do is the role's policy.
        if call.action == "AssumeRole" {
            guard served != nil, issued == nil else {
                throw ECSError("NoPermission", "You are not authorized to do this action: a temporary key cannot assume a role.", httpStatus: 403)
            }
            return (call, nil)
        }
        // An instance's own key: its instance cloud applies the role's policy itself, with
        // the reads about itself an instance may always make (as its metadata would tell it).
        if let instance = issued?.instanceId, instanceClouds[instance] != nil { return (call, instance) }
        guard let served, RAMPolicy.allows(served.actions, action: call.action) else {
            throw ECSError.forbiddenRAM(call.action)
        }
        return (call, nil)
    }

    /// STS AssumeRole: temporary credentials bound to the role's policy, in STS's shape.
    private func assumeRole(_ call: VerifiedCall) async throws -> Data {
        let params = Self.actionParameters(call.parameters)
        guard let arn = params["RoleArn"], !arn.isEmpty else { throw WireErrors.missing("RoleArn") }
        guard let session = params["RoleSessionName"], !session.isEmpty else { throw WireErrors.missing("RoleSessionName") }
        guard arn.hasPrefix("acs:ram::"), let slash = arn.range(of: ":role/"), !arn[slash.upperBound...].isEmpty else {
            throw ECSError("InvalidParameter.RoleArn", "The parameter RoleArn \"\(arn)\" is not of the form acs:ram::ACCOUNT:role/NAME.", httpStatus: 400)
        }
        let name = String(arn[slash.upperBound...])
        let duration = Int(params["DurationSeconds"] ?? "3600") ?? -1
        guard (900...43200).contains(duration) else {
            throw ECSError("InvalidParameter.DurationSeconds", "DurationSeconds must be between 900 and 43200.", httpStatus: 400)
        }
        guard let roles, let actions = try await roles.rolePolicy(name) else {
            throw ECSError("EntityNotExist.Role", "The role \"\(name)\" does not exist.", httpStatus: 404)
        }
        let key = temporary.issue(roleName: name, actions: actions, duration: TimeInterval(duration))
        log("AssumeRole \(name) by \(call.accessKeyId ?? "-"): issued \(key.accessKeyId) until \(WireTime.format(key.expiration))")
        let body: [String: Any] = [
            "RequestId": ECSError.newRequestId(),
            "AssumedRoleUser": ["Arn": "\(arn)/\(session)", "AssumedRoleId": "3\(TemporaryKeys.random(17)):\(session)"],
            "Credentials": ["AccessKeyId": key.accessKeyId, "AccessKeySecret": key.secret,
                            "SecurityToken": key.securityToken, "Expiration": WireTime.format(key.expiration)],
        ]
        return try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
    }

    /// The wire's own fields are not the action's: the signature's, the protocol's.
    static let protocolFields: Set<String> = [
        "Action", "Version", "Format", "AccessKeyId", "Signature", "SignatureMethod", "SignatureVersion",
        "SignatureNonce", "SignatureType", "Timestamp", "SecurityToken", "BearerToken",
    ]

    static func actionParameters(_ all: [String: String]) -> [String: String] {
        all.filter { !protocolFields.contains($0.key) }
    }
}
