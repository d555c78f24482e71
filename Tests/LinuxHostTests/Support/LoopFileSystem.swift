import Foundation
import Glibc
@testable import LinuxHost

/// A file system this test made on a loop device of its own image, mounted under its
/// scratch directory. `destroy()` thaws, stops the test's writers, unmounts, detaches
/// and removes everything, whatever state the test left it in.
final class LoopFileSystem {
    let scratch: Scratch
    let image: String
    let device: String
    let mountPoint: String
    private var extraMounts: [String] = []
    private var writers: [Writer] = []

    init(_ label: String, kind: FileSystemKind = .ext4, sizeMiB: Int = 64, mkfsOptions: [String] = []) throws {
        scratch = try Scratch("loop-\(label)")
        image = scratch.path + "/appsnap-hosttest-\(label).img"
        mountPoint = try scratch.sub("mnt")
        guard FileManager.default.createFile(atPath: image, contents: nil), truncate(image, off_t(sizeMiB) << 20) == 0 else {
            scratch.remove()
            throw GuestErrorForTests("cannot create \(image)")
        }
        do {
            device = try LoopDevice.attach(image: image)
        } catch {
            scratch.remove()
            throw error
        }
        do {
            try FileSystemTools.make(kind, on: device, extraOptions: mkfsOptions)
            try FileSystemTools.mount(device, at: mountPoint)
        } catch {
            try? LoopDevice.detach(device: device)
            scratch.remove()
            throw error
        }
    }

    /// A second mount of a directory of this file system (same superblock).
    func bind(_ subdirectory: String) throws -> String {
        let source = mountPoint + "/" + subdirectory
        try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
        let target = try scratch.sub("bind-\(subdirectory)")
        try FileSystemTools.bindMount(source, at: target)
        extraMounts.append(target)
        return target
    }

    /// A writer in its own process (it may block on a frozen file system; the test never does).
    func startWriter(_ shell: String) throws -> Writer {
        let w = try Writer(shell)
        writers.append(w)
        return w
    }

    func destroy() {
        _ = FileSystemFreeze.thaw(mountPoint: mountPoint)
        for w in writers { w.stop() }
        for m in extraMounts.reversed() { try? FileSystemTools.unmount(m) }
        do { try FileSystemTools.unmount(mountPoint) } catch { print("cleanup: \(error)") }
        do { try LoopDevice.detach(device: device) } catch { print("cleanup: \(error)") }
        scratch.remove()
    }
}

/// `/bin/sh -c` in a process of its own.
final class Writer {
    let pid: pid_t
    private var status: ChildStatus?

    init(_ shell: String) throws {
        var request = SpawnRequest("/bin/sh", ["/bin/sh", "-c", shell])
        request.fileActions = [.open(0, path: "/dev/null", flags: O_RDONLY)]
        pid = try request.spawn()
    }

    /// True once the writer sleeps uninterruptibly: what a writer to a frozen file system does.
    func isBlockedInKernel(within seconds: Double = 20) -> Bool {
        eventually(within: seconds) { processState(pid) == "D" || childState(pid) == "D" }
    }

    /// The exit status, once the writer ends within `seconds`; nil if it is still running.
    func finished(within seconds: Double = 30) -> ChildStatus? {
        _ = eventually(within: seconds) {
            if status == nil { status = pollChild(pid) }
            return status != nil
        }
        return status
    }

    func stop() {
        if status == nil {
            kill(pid, SIGKILL)
            status = waitForChild(pid)
        }
    }
}

/// The state of the first child of a shell (`sh -c 'a; b'` forks for `a`).
func childState(_ pid: pid_t) -> Character? {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8),
          let child = text.split(separator: " ").first.flatMap({ pid_t($0) }) else { return nil }
    return processState(child)
}

struct GuestErrorForTests: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
