import ArgumentParser
import AppSnapCore
import ECSEndpoint
import ECSWire
import EmbeddedCloud
import Foundation

/// `appsnap serve`: the embedded cloud on the ECS wire, for the vendor's SDKs and scripts.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the embedded cloud as an ECS-compatible endpoint (RPC over HTTP, signed requests).",
        discussion: """
        Every action `appsnap ecs` speaks, with the same JSON, as GET /?Action=… or POST / with a \
        form body. Requests are signed with an access key of `appsnap cloud keys create`, by \
        ACS3-HMAC-SHA256 (the current SDKs' default) or RPC signature v1 (HMAC-SHA1). Listens on \
        loopback unless --allow-remote. Stops cleanly on Ctrl-C (SIGINT) or SIGTERM. The console \
        and the command line keep working on the same state meanwhile.

        Example, with the vendor's Python SDK:
          Config(access_key_id=…, access_key_secret=…, endpoint='127.0.0.1:18080', protocol='http')
        """)

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Where to listen, HOST:PORT (port 0 picks a free one).", valueName: "host:port"))
    var listen = "127.0.0.1:18080"

    @Flag(help: "Allow listening on an address other than loopback (anyone who can reach it may try keys).")
    var allowRemote = false

    @Flag(name: .customLong("no-verify"), help: .hidden)
    var noVerify = false

    @Option(name: .customLong("metadata-for"), help: ArgumentHelp(
        "Also answer the instance metadata paths (/latest/…) as this instance of the cloud would see them, its RAM role's temporary keys included; point APPSNAP_METADATA_ENDPOINT here.",
        valueName: "instance-id"))
    var metadataFor: String?

    func validate() throws {
        guard let (host, _) = Self.split(listen) else {
            throw ValidationError("--listen takes HOST:PORT, e.g. 127.0.0.1:18080 or [::1]:18080; got \(listen)")
        }
        if !Self.isLoopback(host) && !allowRemote {
            throw ValidationError("\(host) is not a loopback address: add --allow-remote to listen beyond this machine")
        }
        // Unsigned requests are for measuring, on this machine only.
        if noVerify && !Self.isLoopback(host) { throw ValidationError("--no-verify is allowed on loopback only") }
    }

    func run() async throws {
        let (host, port) = Self.split(listen)!
        let cloud = try global.makeEmbeddedCloud()
        let keys = try cloud.listAccessKeys().count
        let store = EmbeddedKeyStore(cloud: cloud)
        // The instance's own view of the cloud, for the keys its metadata hands out.
        let instanceClouds: [String: any CloudAPI] = try metadataFor.map {
            [$0: try EmbeddedCloud(stateDirectory: cloud.stateDirectory, caller: .instanceRole($0))]
        } ?? [:]
        let endpoint = ECSEndpoint(cloud: cloud, keys: store, roles: store, instanceClouds: instanceClouds, verifySignatures: !noVerify,
                                   log: { line in FileHandle.standardError.write(Data("appsnap serve: \(line)\n".utf8)) })
        let metadata = try metadataFor.map { id -> MetadataService in
            guard let identity = try cloud.instanceIdentity(id) else {
                throw ValidationError("--metadata-for \(id): no such instance in the embedded cloud at \(cloud.stateDirectory.path)")
            }
            let policy = try identity.roleName.flatMap { try cloud.ramRolePolicy($0) } ?? []
            return MetadataService(instanceId: id, regionId: identity.regionId, roleName: identity.roleName,
                                   rolePolicy: policy, temporary: endpoint.temporary)
        }
        let metadataNote = metadata.map { m in
            "appsnap serve: instance metadata of \(m.instanceId) (role \(m.roleName ?? "none")) at /latest/"
        }
        let state = cloud.stateDirectory.path
        let remote = !Self.isLoopback(host)
        let unsigned = noVerify
        try await endpoint.serve(host: host, port: port, metadata: metadata) { host, port in
            let shown = host.contains(":") ? "[\(host)]" : host
            var lines = ["appsnap serve: ECS endpoint on http://\(shown):\(port) "
                         + (remote ? "(beyond loopback: --allow-remote)" : "(loopback only)")
                         + " over the embedded cloud at \(state)"]
            lines.append(unsigned ? "appsnap serve: WARNING: signatures are NOT checked (--no-verify)"
                         : "appsnap serve: \(keys) access key\(keys == 1 ? "" : "s")"
                           + (keys == 0 ? "; make one with `appsnap cloud keys create`" : "") + "; Ctrl-C stops")
            if let metadataNote { lines.append(metadataNote) }
            FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        }
        FileHandle.standardOutput.write(Data("appsnap serve: stopped\n".utf8))
    }

    static func split(_ s: String) -> (String, Int)? {
        var host: Substring, port: Substring
        if s.hasPrefix("[") {
            guard let close = s.firstIndex(of: "]"), s[s.index(after: close)...].hasPrefix(":") else { return nil }
            host = s[s.index(after: s.startIndex)..<close]
            port = s[s.index(close, offsetBy: 2)...]
        } else {
            guard let colon = s.lastIndex(of: ":") else { return nil }
            host = s[..<colon]; port = s[s.index(after: colon)...]
        }
        guard !host.isEmpty, let p = Int(port), (0...65535).contains(p) else { return nil }
        return (String(host), p)
    }

    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" { return true }
        let parts = host.split(separator: ".")
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }
}

/// The embedded cloud's access keys, as the endpoint looks them up.
struct EmbeddedKeyStore: AccessKeyStore, RoleDirectory {
    let cloud: EmbeddedCloud
    func key(_ accessKeyId: String) async throws -> ServedKey? {
        try cloud.accessKeyGrant(accessKeyId).map { ServedKey(secret: $0.secret, actions: $0.actions) }
    }
    func rolePolicy(_ roleName: String) async throws -> [String]? {
        try cloud.ramRolePolicy(roleName)
    }
}
