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

    public init(cloud: any CloudAPI, keys: any AccessKeyStore, verifier: RequestVerifier = RequestVerifier(),
                verifySignatures: Bool = true, log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.cloud = cloud; self.keys = keys; self.verifier = verifier
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
            let call = try await authenticate(request)
            keyId = call.accessKeyId
            action = call.action
            if let version = call.version, version != Self.apiVersion {
                throw ECSError("InvalidVersion", "Specified parameter Version \"\(version)\" is not valid: this endpoint speaks ECS \(Self.apiVersion).", httpStatus: 400)
            }
            // Only JSON is served; a client that asked for XML could not read the answer.
            if let format = call.parameters["Format"], format.lowercased() != "json" {
                throw ECSError("InvalidParameter", "The specified parameter \"Format\" is not valid: this endpoint answers JSON only; \"\(format)\" was asked for.", httpStatus: 400)
            }
            let body = try await ECSActions.call(call.action, Self.actionParameters(call.parameters), on: cloud)
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
    private func authenticate(_ request: WireRequest) async throws -> VerifiedCall {
        guard verifySignatures else { return try RequestVerifier.unverified(request) }
        var served: ServedKey?
        let call = try await verifier.verify(request) { id in
            served = try await self.keys.key(id)
            return served?.secret
        }
        guard let served, RAMPolicy.allows(served.actions, action: call.action) else {
            throw ECSError.forbiddenRAM(call.action)
        }
        return call
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
