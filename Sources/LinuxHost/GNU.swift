import Glibc

/// The Linux and GNU extensions Swift's Glibc module does not import (they sit behind
/// `_GNU_SOURCE`, or are variadic). Resolved once through dlsym from the C library
/// the process already links, so no C shim target is needed.
public enum GNU {
    static let O_PATH: Int32 = 0o10000000
    static let SEEK_DATA: Int32 = 3
    static let SEEK_HOLE: Int32 = 4
    static let PR_SET_PDEATHSIG: Int32 = 1
    /// posix_spawnattr flag for setsid in the child (glibc ≥ 2.26).
    static let POSIX_SPAWN_SETSID: Int32 = 0x80

    // _IOWR('X', 119, int), _IOWR('X', 120, int), _IOW(0x94, 9, int)
    static let FIFREEZE: UInt = 0xC004_5877
    static let FITHAW: UInt = 0xC004_5878
    static let FICLONE: UInt = 0x4004_9409

    private typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
    private typealias Prctl = @convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32
    private typealias CopyFileRange = @convention(c) (Int32, UnsafeMutablePointer<Int64>?, Int32, UnsafeMutablePointer<Int64>?, Int, UInt32) -> Int
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    fileprivate static func symbol<T>(_ name: String, as type: T.Type) -> T? {
        guard let raw = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
        return unsafeBitCast(raw, to: type)
    }

    /// A pipe whose two ends are close-on-exec from birth, so a concurrent spawn on
    /// another thread cannot inherit them.
    public static func pipe2(_ fds: UnsafeMutablePointer<Int32>, _ flags: Int32) -> Int32 {
        if let f = symbol("pipe2", as: Pipe2.self) { return f(fds, flags) }
        let rc = Glibc.pipe(fds)
        if rc == 0, flags & O_CLOEXEC != 0 {
            _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
            _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        }
        return rc
    }

    private typealias Syncfs = @convention(c) (Int32) -> Int32

    /// syncfs(2): writes back everything dirty on the file system holding `fd`.
    static func syncfs(_ fd: Int32) -> Int32 {
        guard let f = symbol("syncfs", as: Syncfs.self) else { errno = ENOSYS; return -1 }
        return f(fd)
    }

    static func prctl(_ option: Int32, _ arg: UInt) -> Int32 {
        guard let f = symbol("prctl", as: Prctl.self) else { errno = ENOSYS; return -1 }
        return f(option, arg, 0, 0, 0)
    }

    /// copy_file_range(2): the kernel copies between two files without the data passing
    /// through this process. -1 with ENOSYS where the C library lacks it.
    static func copyFileRange(_ input: Int32, _ inOffset: inout Int64, _ output: Int32, _ outOffset: inout Int64, _ length: Int) -> Int {
        guard let f = copyFileRangeSymbol else { errno = ENOSYS; return -1 }
        return f(input, &inOffset, output, &outOffset, length, 0)
    }
    private static let copyFileRangeSymbol = symbol("copy_file_range", as: CopyFileRange.self)

    /// glibc ≥ 2.34: close every descriptor from `lowest` up in the spawned child, so a
    /// script never inherits the run lock or another run's pipes. False when unavailable.
    static func addCloseFrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ lowest: Int32) -> Bool {
        guard let f = symbol("posix_spawn_file_actions_addclosefrom_np", as: AddCloseFrom.self) else { return false }
        return f(actions, lowest) == 0
    }
}

/// `strerror` for an errno value, for error messages a user reads.
func errnoText(_ code: Int32) -> String {
    String(cString: strerror(code))
}

extension GNU {
    private typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32

    /// glibc ≥ 2.29: the spawned child changes directory before exec.
    static func addChdir(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ path: String) -> Bool {
        guard let f = symbol("posix_spawn_file_actions_addchdir_np", as: AddChdir.self) else { return false }
        return path.withCString { f(actions, $0) } == 0
    }
}

extension GNU {
    private typealias SignalFD = @convention(c) (Int32, UnsafePointer<sigset_t>, Int32) -> Int32

    /// A close-on-exec signalfd for `set` (the signals must already be blocked).
    static func signalfd(_ set: UnsafePointer<sigset_t>) -> Int32? {
        guard let f = symbol("signalfd", as: SignalFD.self) else { return nil }
        let fd = f(-1, set, O_CLOEXEC)
        return fd >= 0 ? fd : nil
    }
}
