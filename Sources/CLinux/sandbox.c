// The sandbox of an emulated instance: user, mount and PID namespaces, the instance's
// folder as `/`, the host's system folders read-only, its own /proc, /dev and /run.
// Three processes: the caller (outside, writes the id maps and waits), a bridge (makes
// the namespaces, then waits for init) and init (pid 1 inside: builds the root and
// execs the command). Killing the caller's process group kills all three; init's
// death ends everything else in its PID namespace.
#define _GNU_SOURCE
#include "CLinux.h"
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

// Only system calls from here on in the children: no malloc, no stdio.
static void say(int fd, const char *text) {
    size_t n = strlen(text);
    while (n > 0) {
        ssize_t w = write(fd, text, n);
        if (w <= 0) return;
        text += w; n -= (size_t)w;
    }
}

static void fail(int errfd, const char *what, const char *path, int code) {
    say(errfd, what);
    if (path) { say(errfd, " "); say(errfd, path); }
    say(errfd, ": ");
    const char *why = strerrordesc_np(code);
    say(errfd, why ? why : "unknown error");
    _exit(127);
}

// "/proc/self/fd/N" without snprintf.
static void fd_path(char out[32], int fd) {
    static const char prefix[] = "/proc/self/fd/";
    memcpy(out, prefix, sizeof prefix - 1);
    char digits[12]; int n = 0;
    do { digits[n++] = (char)('0' + fd % 10); fd /= 10; } while (fd > 0 && n < 11);
    int at = sizeof prefix - 1;
    while (n > 0) out[at++] = digits[--n];
    out[at] = 0;
}

// Relative to the new root (the current directory): "./usr/lib" for "/usr/lib".
static void relative(char out[4096], const char *path) {
    size_t n = strlen(path);
    if (n > 4000) n = 4000;
    out[0] = '.';
    if (path[0] != '/') { out[1] = '/'; memcpy(out + 2, path, n); out[n + 2] = 0; }
    else { memcpy(out + 1, path, n); out[n + 1] = 0; }
}

// mkdir -p, replacing anything that is not a directory (the instance's own files
// cannot redirect a mount: a symlink planted where a mount point goes is removed).
static int make_dirs(char *path) {
    for (char *p = path + 2; ; p++) {
        if (*p == '/' || *p == 0) {
            char saved = *p; *p = 0;
            struct stat st;
            if (lstat(path, &st) == 0 && !S_ISDIR(st.st_mode)) unlink(path);
            if (mkdir(path, 0755) != 0 && errno != EEXIST) { *p = saved; return -1; }
            *p = saved;
            if (saved == 0) return 0;
        }
    }
}

static int make_file(char *path) {
    char *slash = strrchr(path, '/');
    if (slash && slash != path) {
        *slash = 0;
        int r = make_dirs(path);
        *slash = '/';
        if (r != 0) return -1;
    }
    struct stat st;
    if (lstat(path, &st) == 0) {
        if (S_ISREG(st.st_mode)) return 0;  // it may sit on a read-only bind already
        unlink(path);
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return -1;
    close(fd);
    return 0;
}

// A bind mount made read-only keeps the flags the kernel locked on the source (nosuid,
// nodev, noexec), or the remount is refused inside a user namespace.
static int remount_read_only(const char *target) {
    struct statvfs sv;
    unsigned long flags = MS_BIND | MS_REMOUNT | MS_RDONLY;
    if (statvfs(target, &sv) == 0) {
        if (sv.f_flag & ST_NOSUID) flags |= MS_NOSUID;
        if (sv.f_flag & ST_NODEV) flags |= MS_NODEV;
        if (sv.f_flag & ST_NOEXEC) flags |= MS_NOEXEC;
        if (sv.f_flag & ST_NOATIME) flags |= MS_NOATIME;
        if (sv.f_flag & ST_NODIRATIME) flags |= MS_NODIRATIME;
        if (sv.f_flag & ST_RELATIME) flags |= MS_RELATIME;
    }
    return mount(NULL, target, NULL, flags, NULL);
}

static void bind_device(int errfd, const char *name) {
    char source[64] = "/dev/", target[64] = "./dev/";
    strncat(source, name, 40); strncat(target, name, 40);
    int fd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) fail(errfd, "cannot create", target + 1, errno);
    close(fd);
    if (mount(source, target, NULL, MS_BIND, NULL) != 0) fail(errfd, "cannot bind", source, errno);
}

#define MAX_MOUNTS 64

static void init_process(const struct appsnap_sandbox *s, int root_fd, const int *source_fds, int errfd) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    char path[4096], source[32];
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) fail(errfd, "cannot make mounts private", NULL, errno);
    // The staging area: a tmpfs over /tmp, seen only in this namespace.
    if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=64k") != 0)
        fail(errfd, "cannot mount a staging tmpfs on", "/tmp", errno);
    if (mkdir("/tmp/root", 0755) != 0) fail(errfd, "cannot create", "/tmp/root", errno);
    fd_path(source, root_fd);
    if (mount(source, "/tmp/root", NULL, MS_BIND, NULL) != 0) fail(errfd, "cannot bind the instance root", NULL, errno);
    if (mount(NULL, "/tmp/root", NULL, MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NODEV, NULL) != 0)
        fail(errfd, "cannot remount the instance root", NULL, errno);
    if (chdir("/tmp/root") != 0) fail(errfd, "cannot enter the instance root", NULL, errno);

    for (int i = 0; i < s->link_count; i++) {
        relative(path, s->links[i].path);
        struct stat st;
        if (lstat(path, &st) == 0) {
            if (S_ISLNK(st.st_mode)) unlink(path);
            else if (S_ISDIR(st.st_mode)) rmdir(path);  // an empty mount point left by an older layout
        }
        if (symlink(s->links[i].target, path) != 0 && errno != EEXIST) fail(errfd, "cannot link", s->links[i].path, errno);
    }
    strcpy(path, "./proc");
    if (make_dirs(path) != 0) fail(errfd, "cannot create", "/proc", errno);
    if (mount("proc", "./proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0) fail(errfd, "cannot mount", "/proc", errno);
    strcpy(path, "./dev");
    if (make_dirs(path) != 0) fail(errfd, "cannot create", "/dev", errno);
    if (mount("tmpfs", "./dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755,size=64k") != 0) fail(errfd, "cannot mount", "/dev", errno);
    static const char *const devices[] = {"null", "zero", "full", "random", "urandom", "tty"};
    for (unsigned i = 0; i < sizeof devices / sizeof devices[0]; i++) bind_device(errfd, devices[i]);
    symlink("/proc/self/fd", "./dev/fd");
    symlink("/proc/self/fd/0", "./dev/stdin");
    symlink("/proc/self/fd/1", "./dev/stdout");
    symlink("/proc/self/fd/2", "./dev/stderr");
    strcpy(path, "./dev/shm");
    if (make_dirs(path) != 0 || mount("tmpfs", "./dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") != 0)
        fail(errfd, "cannot mount", "/dev/shm", errno);
    strcpy(path, "./run");
    if (make_dirs(path) != 0) fail(errfd, "cannot create", "/run", errno);
    if (mount("tmpfs", "./run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") != 0) fail(errfd, "cannot mount", "/run", errno);
    strcpy(path, "./tmp");
    struct stat st;
    if (lstat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
        unlink(path);
        if (mkdir(path, 01777) != 0) fail(errfd, "cannot create", "/tmp", errno);
        chmod(path, 01777);
    }

    for (int i = 0; i < s->mount_count; i++) {
        const struct appsnap_mount *m = &s->mounts[i];
        relative(path, m->target);
        if ((m->is_directory ? make_dirs(path) : make_file(path)) != 0) fail(errfd, "cannot create", m->target, errno);
        fd_path(source, source_fds[i]);
        if (mount(source, path, NULL, MS_BIND | MS_REC, NULL) != 0) fail(errfd, "cannot bind", m->target, errno);
        if (m->read_only && remount_read_only(path) != 0) fail(errfd, "cannot make read-only", m->target, errno);
    }

    // The instance's folder becomes `/`; the host's tree is detached from this namespace.
    if (syscall(SYS_pivot_root, ".", ".") != 0) fail(errfd, "cannot pivot into the instance root", NULL, errno);
    if (umount2(".", MNT_DETACH) != 0) fail(errfd, "cannot detach the host's root", NULL, errno);
    if (chdir("/") != 0) fail(errfd, "cannot enter", "/", errno);

    // Nothing of the caller's leaks in but 0, 1, 2 and the descriptors asked for.
    if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
        for (int fd = 3; fd < 1024; fd++) fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    for (int i = 0; i < s->keep_count; i++) fcntl(s->keep_fds[i], F_SETFD, 0);
    execve(s->path, s->argv, s->envp);
    fail(errfd, "cannot run", s->path, errno);
}

static void bridge_process(const struct appsnap_sandbox *s, pid_t parent, int ready, int go, int errfd) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);
    // Root's supplementary groups would otherwise follow it into the sandbox.
    if (geteuid() == 0 && setgroups(0, NULL) != 0) fail(errfd, "cannot drop supplementary groups", NULL, errno);
    if (unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID) != 0) fail(errfd, "cannot create namespaces", NULL, errno);
    if (write(ready, "u", 1) != 1) _exit(1);
    char b;
    if (read(go, &b, 1) != 1) _exit(1);  // the parent could not write the id maps: it says why
    // Opened here: inside the new mount namespace, still with the caller's file access.
    int root_fd = open(s->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root_fd < 0) fail(errfd, "cannot open", s->root, errno);
    int source_fds[MAX_MOUNTS];
    if (s->mount_count > MAX_MOUNTS) fail(errfd, "too many mounts", NULL, E2BIG);
    for (int i = 0; i < s->mount_count; i++) {
        source_fds[i] = open(s->mounts[i].source, O_PATH | O_CLOEXEC);
        if (source_fds[i] < 0) fail(errfd, "cannot open", s->mounts[i].source, errno);
    }
    if (setresgid(0, 0, 0) != 0) fail(errfd, "cannot become the sandbox's root group", NULL, errno);
    if (setresuid(0, 0, 0) != 0) fail(errfd, "cannot become the sandbox's root", NULL, errno);
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // cleared by the change of credentials
    if (getppid() != parent) _exit(1);
    pid_t init = fork();
    if (init < 0) fail(errfd, "cannot fork the sandbox's init", NULL, errno);
    if (init == 0) {
        init_process(s, root_fd, source_fds, errfd);
    }
    close(errfd);
    int status;
    while (waitpid(init, &status, 0) < 0) {
        if (errno != EINTR) _exit(127);
    }
    _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

static int write_file(pid_t pid, const char *name, const char *text) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, name);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = write(fd, text, strlen(text));
    int saved = errno;
    close(fd);
    errno = saved;
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

int appsnap_sandbox_run(const struct appsnap_sandbox *s, char *error, size_t error_size) {
    int ready[2], go[2], err[2];
    if (error_size > 0) error[0] = 0;
    if (pipe2(ready, O_CLOEXEC) != 0 || pipe2(go, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
        snprintf(error, error_size, "cannot create a pipe: %s", strerror(errno));
        return -1;
    }
    pid_t parent = getpid();
    pid_t bridge = fork();
    if (bridge < 0) {
        snprintf(error, error_size, "cannot fork: %s", strerror(errno));
        return -1;
    }
    if (bridge == 0) {
        close(ready[0]); close(go[1]); close(err[0]);
        bridge_process(s, parent, ready[1], go[0], err[1]);
    }
    close(ready[1]); close(go[0]); close(err[1]);
    char b, text[4096];
    int mapped = 0;
    if (read(ready[0], &b, 1) == 1) {
        char map[64];
        // setgroups must be denied before an unprivileged caller may write gid_map.
        int ok = write_file(bridge, "setgroups", "deny") == 0 || errno == ENOENT;
        snprintf(map, sizeof map, "0 %u 1\n", (unsigned)s->map_uid);
        ok = ok && write_file(bridge, "uid_map", map) == 0;
        snprintf(map, sizeof map, "0 %u 1\n", (unsigned)s->map_gid);
        ok = ok && write_file(bridge, "gid_map", map) == 0;
        if (ok) {
            mapped = write(go[1], "g", 1) == 1;
        } else {
            snprintf(error, error_size, "cannot map the sandbox's root to uid %u: %s", (unsigned)s->map_uid, strerror(errno));
        }
    }
    close(go[1]); close(ready[0]);
    // Empty at the command's exec (the write end is close-on-exec); a reason otherwise.
    size_t have = 0;
    for (;;) {
        ssize_t n = read(err[0], text + have, sizeof text - 1 - have);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        have += (size_t)n;
        if (have >= sizeof text - 1) break;
    }
    text[have] = 0;
    close(err[0]);
    int status = 0;
    while (waitpid(bridge, &status, 0) < 0) {
        if (errno != EINTR) { status = 127 << 8; break; }
    }
    if (have > 0) { snprintf(error, error_size, "%s", text); return -1; }
    if (!mapped) {
        if (error_size > 0 && error[0] == 0) snprintf(error, error_size, "the namespaces could not be made");
        return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int appsnap_sandbox_probe(char *error, size_t error_size) {
    int err[2];
    if (error_size > 0) error[0] = 0;
    if (pipe2(err, O_CLOEXEC) != 0) { snprintf(error, error_size, "cannot create a pipe: %s", strerror(errno)); return -1; }
    pid_t child = fork();
    if (child < 0) { close(err[0]); close(err[1]); snprintf(error, error_size, "cannot fork: %s", strerror(errno)); return -1; }
    if (child == 0) {
        close(err[0]);
        if (unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID) != 0) fail(err[1], "unshare", NULL, errno);
        _exit(0);
    }
    close(err[1]);
    char text[512];
    ssize_t n;
    while ((n = read(err[0], text, sizeof text - 1)) < 0 && errno == EINTR) {}
    close(err[0]);
    int status;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
    if (n > 0) { text[n] = 0; snprintf(error, error_size, "%s", text); return -1; }
    return 0;
}

int appsnap_die_with_parent(void) {
    pid_t parent = getppid();
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) return -1;
    // The parent may have ended before the request was made: then we were reparented.
    return parent == 1 || getppid() != parent ? -1 : 0;
}
