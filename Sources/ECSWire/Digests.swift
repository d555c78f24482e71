import Crypto
import Foundation

/// The hashes the two signatures use, from swift-crypto.
enum Digests {
    static func sha256Hex(_ data: Data) -> String { hex(SHA256.hash(data: data)) }
    static func sha256Hex(_ s: String) -> String { sha256Hex(Data(s.utf8)) }

    static func hmacSHA256Hex(key: String, _ message: String) -> String {
        hex(HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: SymmetricKey(data: Data(key.utf8))))
    }

    static func hmacSHA1Base64(key: String, _ message: String) -> String {
        Data(HMAC<Insecure.SHA1>.authenticationCode(for: Data(message.utf8), using: SymmetricKey(data: Data(key.utf8))))
            .base64EncodedString()
    }

    static func hex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 0xF)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Compares without an early exit, so the time taken tells nothing about how much of
    /// a forged signature was right.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var diff = UInt8(x.count == y.count ? 0 : 1)
        for i in 0..<min(x.count, y.count) { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}
