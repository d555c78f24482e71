import AppSnapCore

/// The refusals of SPEC §13, with the code and HTTP status the real service uses. No
/// message names a secret or the signature the server expected.
public enum WireErrors {
    public static func signatureDoesNotMatch(_ why: String) -> ECSError {
        ECSError("SignatureDoesNotMatch", "The request signature does not conform to Aliyun standards: \(why)", httpStatus: 400)
    }
    public static func accessKeyNotFound(_ id: String) -> ECSError {
        ECSError("InvalidAccessKeyId.NotFound", "Specified access key is not found: \(id).", httpStatus: 404)
    }
    public static func timestampExpired(_ given: String) -> ECSError {
        ECSError("InvalidTimeStamp.Expired", "Specified time stamp or date value \(given) is expired: it must be within 15 minutes of the server's time (UTC).", httpStatus: 400)
    }
    public static func timestampMalformed(_ name: String, _ given: String) -> ECSError {
        ECSError("InvalidTimeStamp.Format", "Specified \(name) \"\(given)\" is not of the form 2016-02-23T12:46:24Z (UTC).", httpStatus: 400)
    }
    public static func nonceUsed(_ nonce: String) -> ECSError {
        ECSError("SignatureNonceUsed", "Specified signature nonce \(nonce) was used already within the last 15 minutes.", httpStatus: 400)
    }
    public static func missing(_ name: String) -> ECSError {
        ECSError("Missing\(name)", "The input parameter \"\(name)\" that is mandatory for processing this request is not supplied.", httpStatus: 400)
    }
    public static func unsupported(_ name: String, _ value: String, _ expected: String) -> ECSError {
        ECSError("InvalidParameter", "The specified parameter \"\(name)\" is not valid: \"\(value)\" is not supported; use \(expected).", httpStatus: 400)
    }
    public static func throttled(_ why: String) -> ECSError {
        ECSError("Throttling.User", "Request was denied due to user flow control: \(why)", httpStatus: 400)
    }
}
