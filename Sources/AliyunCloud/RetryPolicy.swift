import AppSnapCore
import Foundation

/// Which failures are worth another try (SPEC §13), and how long to wait before it:
/// jittered exponential backoff, so that many clients throttled together do not return
/// together.
public struct RetryPolicy: Sendable {
    public var attempts: Int
    public var base: TimeInterval
    public var cap: TimeInterval

    public init(attempts: Int = 5, base: TimeInterval = 0.2, cap: TimeInterval = 5) {
        self.attempts = attempts; self.base = base; self.cap = cap
    }

    /// Throttling*, ServiceUnavailable, InternalError and any 5xx: the service's own state,
    /// not the request's fault.
    public static func isRetryable(_ e: ECSError) -> Bool {
        e.Code.hasPrefix("Throttling") || e.Code == "ServiceUnavailable" || e.Code == "InternalError"
            || e.Code.hasPrefix("ServiceUnavailable") || (500...599).contains(e.httpStatus)
    }

    /// "Full jitter": a random wait up to the exponential bound.
    public func delay(afterAttempt n: Int) -> TimeInterval {
        let bound = min(cap, base * pow(2, Double(n - 1)))
        return Double.random(in: bound / 2...bound)
    }
}
