import AppSnapCore
import ECSWire
import Foundation
import Hummingbird
import NIOCore

/// `ECSEndpoint` served over HTTP/1.1 by Hummingbird: RPC calls as `GET /?…` or
/// `POST /` with a query and/or a form body.
extension ECSEndpoint {
    /// Bodies beyond this are refused; the largest ECS parameter appsnap takes (SendFile's
    /// Content, 32 KB Base64) fits many times over.
    static let maxBody = 4 << 20

    public func router(metadata: MetadataService? = nil) -> Router<BasicRequestContext> {
        let router = Router()
        let handler: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            var request = request
            let body: ByteBuffer
            do {
                body = try await request.collectBody(upTo: Self.maxBody)
            } catch {
                let e = ECSError("InvalidParameter", "The request body is larger than \(Self.maxBody) bytes.", httpStatus: 413)
                return Self.response(Answer(status: 413, body: e.json()))
            }
            return Self.response(await self.respond(to: Self.wireRequest(request, body: body)))
        }
        router.get("/", use: handler)
        router.post("/", use: handler)
        if let metadata {
            let answer: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
                let (status, text) = metadata.respond(method: request.method.rawValue, path: request.uri.path) { name in
                    request.headers.first { $0.name.canonicalName == name.lowercased() }?.value
                }
                return Response(status: .init(code: status), headers: [.contentType: "text/plain;charset=utf-8"],
                                body: .init(byteBuffer: ByteBuffer(string: text)))
            }
            router.get("/latest/**", use: answer)
            router.put("/latest/**", use: answer)
        }
        return router
    }

    /// Runs until SIGINT or SIGTERM, then finishes the requests in flight and returns.
    /// `onListening` gets the bound address (the port, when 0 was asked for).
    public func serve(host: String, port: Int, metadata: MetadataService? = nil,
                      onListening: @escaping @Sendable (String, Int) -> Void) async throws {
        let app = Application(
            router: router(metadata: metadata),
            configuration: .init(address: .hostname(host, port: port), serverName: "appsnap"),
            onServerRunning: { channel in
                onListening(host, channel.localAddress?.port ?? port)
            })
        // Hummingbird's default: a graceful shutdown on SIGTERM and SIGINT.
        try await app.runService()
    }

    static func wireRequest(_ r: Request, body: ByteBuffer) -> WireRequest {
        var headers: [String: String] = [:]
        for field in r.headers {
            let name = field.name.canonicalName
            headers[name] = headers[name].map { $0 + "," + field.value } ?? field.value
        }
        // HTTP/1.1's Host arrives as the request's authority, not among the fields.
        if let authority = r.head.authority { headers["host"] = authority }
        return WireRequest(method: r.method.rawValue, path: r.uri.path, rawQuery: r.uri.query ?? "", headers: headers,
                           body: Data(buffer: body))
    }

    static func response(_ a: Answer) -> Response {
        Response(status: .init(code: a.status), headers: [.contentType: "application/json;charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(bytes: a.body)))
    }
}
