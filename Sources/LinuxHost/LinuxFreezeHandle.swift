import AppSnapCore
import Foundation
import Glibc

/// One freeze of a guest's disks: the mounts held by a freezer child and the image
/// locks held by this process. Thaw order is the reverse of freeze order.
public final class LinuxFreezeHandle: FreezeHandle, @unchecked Sendable {
    public let frozen: [String]
    private let process: FreezerProcess?
    private let images: ImageFreeze?
    private let hold: ThawGate.Hold?

    init(process: FreezerProcess?, images: ImageFreeze?, hold: ThawGate.Hold? = nil) {
        self.process = process
        self.images = images
        self.hold = hold
        frozen = (process?.mountPoints ?? []) + (images?.paths ?? [])
    }

    /// The freezer child's process ID (nil when only images are frozen).
    public var freezerPID: pid_t? { process?.pid }

    /// True once the freeze ended before `thaw()` asked: the deadline passed, the
    /// freezer was signalled or died (and the parent thawed for it). The snapshot can
    /// then not be trusted to be consistent (exit 11).
    public var expired: Bool {
        if images?.expired == true { return true }
        switch process?.currentState {
        case .thawed(let why)?: return why != "requested"
        case .died?: return true
        default: return false
        }
    }

    /// Why the freeze ended early, for the log; nil while it holds or after a normal thaw.
    public var endReason: String? {
        if images?.expired == true { return "the deadline passed: disk images were released" }
        switch process?.currentState {
        case .thawed(let why)? where why != "requested":
            return why == "deadline" ? "the deadline passed: the freezer thawed on its own" : "the freezer thawed on its own (\(why))"
        case .died(let how, let problems)?:
            return (["the freezer \(how); appsnap thawed the file systems itself"] + problems).joined(separator: "; ")
        default:
            return nil
        }
    }

    /// First FIFREEZE to last FITHAW, measured by the freezer itself (nil for image locks
    /// alone, or before the thaw).
    public var windowSeconds: Double? { process?.windowSeconds }

    public func thaw() async throws {
        let process = self.process, images = self.images, hold = self.hold
        let problems: [String] = await onOwnThread {
            images?.release()
            let problems: [String]
            switch process?.thaw() {
            case .thawFailed(let message)?: problems = [message]
            case .died(_, let p)?: problems = p
            default: problems = []
            }
            // Thawed (or failed to, which waiting longer would not change): held work may run.
            hold?.release()
            return problems
        }
        if !problems.isEmpty { throw GuestError(problems.joined(separator: "; ")) }
    }
}
