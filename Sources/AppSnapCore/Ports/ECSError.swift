import Foundation

/// An error as ECS returns it: `{"RequestId","HostId","Code","Message","Recommend"}`.
/// Every backend throws this, so every front end can show the same words.
public struct ECSError: Error, Codable, Hashable, Sendable, CustomStringConvertible {
    public var RequestId: String
    public var HostId: String
    public var Code: String
    public var Message: String
    public var Recommend: String
    /// The HTTP status the real API would answer with; not part of the JSON body.
    public var httpStatus: Int

    enum CodingKeys: String, CodingKey { case RequestId, HostId, Code, Message, Recommend }

    public init(_ code: String, _ message: String, httpStatus: Int = 400, requestId: String = ECSError.newRequestId(),
                hostId: String = "ecs.aliyuncs.com", recommend: String = "") {
        self.Code = code; self.Message = message; self.httpStatus = httpStatus
        self.RequestId = requestId; self.HostId = hostId
        self.Recommend = recommend.isEmpty ? "https://api.aliyun.com/troubleshoot?q=\(code)" : recommend
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        RequestId = try c.decodeIfPresent(String.self, forKey: .RequestId) ?? ""
        HostId = try c.decodeIfPresent(String.self, forKey: .HostId) ?? ""
        Code = try c.decode(String.self, forKey: .Code)
        Message = try c.decodeIfPresent(String.self, forKey: .Message) ?? ""
        Recommend = try c.decodeIfPresent(String.self, forKey: .Recommend) ?? ""
        httpStatus = 400
    }

    public var description: String { "\(Code): \(Message)" }

    public static func newRequestId() -> String { UUID().uuidString }

    // The codes used across backends, named once.
    public static func missingParameter(_ name: String) -> ECSError {
        ECSError("MissingParameter", "The input parameter \"\(name)\" that is mandatory for processing this request is not supplied.")
    }
    public static func invalidParameter(_ name: String, _ why: String) -> ECSError {
        ECSError("InvalidParameter", "The specified parameter \"\(name)\" is not valid: \(why)")
    }
    public static func notFound(_ code: String, _ message: String) -> ECSError {
        ECSError(code, message, httpStatus: 404)
    }
    public static func forbiddenRAM(_ action: String) -> ECSError {
        ECSError("Forbidden.RAM", "User not authorized to operate on the specified resource, or this API doesn't support RAM: ecs:\(action).", httpStatus: 403)
    }
    /// What ECS answers when the service itself fails (the backend's own words as the cause).
    public static func internalError(_ cause: String) -> ECSError {
        ECSError("InternalError", "The request processing has failed due to some unknown error: \(cause)", httpStatus: 500)
    }
    public static let dryRunOperation = ECSError("DryRunOperation", "Request validation has been passed with DryRun flag set.")
}

/// A backend's own error that has an ECS form (a database failure is `InternalError`),
/// so every front end answers with ECS JSON rather than a library's text.
public protocol ECSErrorConvertible: Error {
    var ecsError: ECSError { get }
}

extension ECSError {
    /// `error` as ECS would say it: itself, its ECS form, or `InternalError` with its text.
    public static func from(_ error: any Error) -> ECSError {
        if let e = error as? ECSError { return e }
        if let e = error as? ECSErrorConvertible { return e.ecsError }
        return .internalError("\(error)")
    }
}
