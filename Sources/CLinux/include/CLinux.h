// Linux interfaces that Swift's Glibc module does not carry, and the sandbox that
// emulated instances run in (written in C because it forks: between fork and exec a
// child of a multithreaded process may only make system calls).
#pragma once
#include <sys/types.h>
#include <sys/xattr.h>

/// A bind mount into the sandbox: the host's `source` at `target`, a path inside the
/// new root. Sources are opened inside the new mount namespace (a bind mount's source
/// must be in the caller's namespace) but before the switch to the unprivileged uid, so
/// folders that uid could not traverse are still reachable.
struct appsnap_mount {
    const char *source;
    const char *target;
    int read_only;
    int is_directory;
};

/// A symbolic link made inside the new root (`path` → `target`), for the host's
/// merged-/usr links such as /bin → usr/bin.
struct appsnap_link {
    const char *target;
    const char *path;
};

struct appsnap_sandbox {
    /// The instance's folder: the sandbox's `/`, read-write.
    const char *root;
    const struct appsnap_mount *mounts;
    int mount_count;
    const struct appsnap_link *links;
    int link_count;
    /// The ids outside that root inside the sandbox maps to.
    uid_t map_uid;
    gid_t map_gid;
    /// Descriptors (besides 0, 1, 2) the command keeps, e.g. a checked script as fd 3.
    const int *keep_fds;
    int keep_count;
    const char *path;
    char *const *argv;
    char *const *envp;
};

/// Runs `argv` in new user, mount and PID namespaces as root of the sandbox, and
/// waits for it. Returns its exit status (128 + signal when killed), or -1 when the
/// sandbox could not be made, with the reason in `error`.
int appsnap_sandbox_run(const struct appsnap_sandbox *sandbox, char *error, size_t error_size);

/// 0 when this process may make the sandbox's namespaces; -1 with the reason otherwise.
int appsnap_sandbox_probe(char *error, size_t error_size);

/// Asks the kernel to SIGKILL this process when the thread that started it ends.
/// Returns 0, or -1 when the parent is already gone (or prctl failed).
int appsnap_die_with_parent(void);
