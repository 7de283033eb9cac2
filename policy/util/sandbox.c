/*
 * sandbox.c - the daemon's seccomp filter and Landlock rule set (see
 * sandbox.h).  Exports sandbox_*.  No shared state; called once, before
 * any thread exists.
 *
 * seccomp: default allow, and a deny list.  An allow-list is what the
 * attachment workers get (they do one job); the daemon runs libmilter,
 * libunbound, hiredis, libopendkim, libspf2, GMime and glibc's NSS, whose
 * system calls change with every library update, so an allow-list would
 * break mail on an upgrade.  Instead it loses what a compromise needs to
 * become more than a compromised milter, and what no part of it uses:
 *  - running another program: execve, execveat (the backstop behind "no
 *    message byte ever reaches a shell or another program");
 *  - reaching into other processes: ptrace, process_vm_readv/writev,
 *    kcmp, pidfd_getfd (another process's descriptors);
 *  - changing the file system view or entering new namespaces: mount,
 *    umount2, pivot_root, chroot, the new mount API (fsopen, fsconfig,
 *    fsmount, fspick, move_mount, open_tree, mount_setattr), unshare,
 *    setns, and clone with any CLONE_NEW* flag.  An unprivileged user
 *    namespace is the usual first step of a local kernel exploit, and
 *    no_new_privs does not forbid it.  clone3 passes its flags in memory
 *    a filter cannot read: it fails with ENOSYS, and glibc then creates
 *    threads with clone, whose flags are checked;
 *  - loading or replacing kernel code: init_module, finit_module,
 *    delete_module, kexec_load, kexec_file_load, bpf, uselib;
 *  - kernel interfaces with long exploit histories that the daemon never
 *    calls: keyrings (add_key, request_key, keyctl), perf_event_open,
 *    userfaultfd, io_uring_setup/enter/register (io_uring also performs
 *    operations no filter sees), open_by_handle_at;
 *  - personality (execution domain flags, e.g. READ_IMPLIES_EXEC);
 *  - host state reserved to root (defence in depth: the daemon has
 *    dropped root, a kernel bug would have to hand it back): swapon,
 *    swapoff, reboot, sethostname, setdomainname, settimeofday,
 *    clock_settime, clock_adjtime, adjtimex, acct, quotactl, quotactl_fd,
 *    syslog (the kernel log, not syslog(3)), iopl, ioperm, vhangup.
 * Each fails with EPERM, so a library that tries one gets an error it
 * handles rather than a dead daemon.  Names libseccomp does not know
 * (an older libseccomp) are skipped.
 * Only the native ABI is in the filter; a call made through another
 * (int 0x80 as i386, or the x32 numbers, on x86-64) would dodge every
 * rule above, so it kills the process (SCMP_FLTATR_ACT_BADARCH, set
 * explicitly; libseccomp routes x32 numbers there for an x86-64 filter).
 * The filter is synchronised to every thread (TSYNC) and inherited by
 * every process forked later.
 *
 * Landlock: <linux/landlock.h> and syscall(2), no library.  The rule set
 * handles every file-system right the kernel's ABI knows (execute, read,
 * write, list, remove, make each kind of node, refer, truncate, device
 * ioctl); the caller's paths get read-only, read-write or remove-only
 * rights, and no path gets execute.  With ABI 6 or later it also scopes
 * abstract unix sockets (none may be reached outside the domain).  Signal
 * scoping is not set: the daemon signals its attachment workers, which
 * are forked before it confines itself.  TCP rights are not handled: the
 * daemon reaches Redis and DNS servers on ports the config chooses.
 * Connecting to a named unix socket (/dev/log, a Redis socket) needs no
 * Landlock right.
 */
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/landlock.h>
#include <seccomp.h>

#include "util/sandbox.h"

/* A sanitizer build keeps ptrace: LeakSanitizer stops the threads with
 * it at exit, and fails the exit without it.  Production builds deny it. */
#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX_PTRACE
#else
#define SANDBOX_PTRACE	"ptrace",
#endif

static const char *const denied[] = {
	"execve", "execveat",
	SANDBOX_PTRACE "process_vm_readv", "process_vm_writev", "kcmp",
	"pidfd_getfd",
	"mount", "umount2", "pivot_root", "chroot", "fsopen", "fsconfig",
	"fsmount", "fspick", "move_mount", "open_tree", "mount_setattr",
	"unshare", "setns",
	"init_module", "finit_module", "delete_module", "kexec_load",
	"kexec_file_load", "bpf", "uselib",
	"add_key", "request_key", "keyctl", "perf_event_open", "userfaultfd",
	"io_uring_setup", "io_uring_enter", "io_uring_register",
	"open_by_handle_at",
	"personality",
	"swapon", "swapoff", "reboot", "sethostname", "setdomainname",
	"settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "acct",
	"quotactl", "quotactl_fd", "syslog", "iopl", "ioperm", "vhangup",
};

/* clone's namespace flags (CLONE_NEWTIME is unshare/clone3 only). */
static const unsigned long clone_ns[] = {
	CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID,
	CLONE_NEWNET, CLONE_NEWCGROUP,
};

static int
seccomp_fail(scmp_filter_ctx ctx, int rc, const char *what, char *err,
    size_t errlen)
{
	errno = rc < 0 ? -rc : rc;
	snprintf(err, errlen, "seccomp: %s: %m", what);
	if (ctx != NULL)
		seccomp_release(ctx);
	return -1;
}

int
sandbox_daemon(char *err, size_t errlen)
{
	scmp_filter_ctx ctx;
	size_t i;
	int nr, rc;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		return seccomp_fail(NULL, errno, "no_new_privs", err, errlen);
	if ((ctx = seccomp_init(SCMP_ACT_ALLOW)) == NULL)
		return seccomp_fail(NULL, ENOMEM, "init", err, errlen);
	if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
	    SCMP_ACT_KILL_PROCESS)) != 0 ||
	    (rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1)) != 0)
		return seccomp_fail(ctx, rc, "attributes", err, errlen);
	for (i = 0; i < sizeof(denied) / sizeof(denied[0]); i++) {
		if ((nr = seccomp_syscall_resolve_name(denied[i])) ==
		    __NR_SCMP_ERROR)
			continue;
		if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr,
		    0)) != 0)
			return seccomp_fail(ctx, rc, denied[i], err, errlen);
	}
	for (i = 0; i < sizeof(clone_ns) / sizeof(clone_ns[0]); i++)
		if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM),
		    SCMP_SYS(clone), 1, SCMP_A0(SCMP_CMP_MASKED_EQ,
		    clone_ns[i], clone_ns[i]))) != 0)
			return seccomp_fail(ctx, rc, "clone", err, errlen);
	if ((nr = seccomp_syscall_resolve_name("clone3")) != __NR_SCMP_ERROR &&
	    (rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0)) != 0)
		return seccomp_fail(ctx, rc, "clone3", err, errlen);
	if ((rc = seccomp_load(ctx)) != 0)
		return seccomp_fail(ctx, rc, "load", err, errlen);
	seccomp_release(ctx);
	return 0;
}

/* --- Landlock ------------------------------------------------------- */

/* Rights and fields newer than Debian 12's <linux/landlock.h> (6.1). */
#define LL_TRUNCATE	(1ULL << 14)	/* ABI 3 */
#define LL_IOCTL_DEV	(1ULL << 15)	/* ABI 5 */
#define LL_SCOPE_ABSTRACT_UNIX	(1ULL << 0)	/* ABI 6 */

/* struct landlock_ruleset_attr as of ABI 6; the kernel takes a prefix
 * (its size says which fields we know). */
struct ll_ruleset {
	uint64_t handled_fs;
	uint64_t handled_net;	/* ABI 4 */
	uint64_t scoped;	/* ABI 6 */
};

#define LL_READ	(LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
#define LL_WRITE (LL_READ | LANDLOCK_ACCESS_FS_WRITE_FILE | \
	LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_REG | \
	LL_TRUNCATE)
/* The rights a rule on a file (not a directory) may carry. */
#define LL_FILE	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | \
	LANDLOCK_ACCESS_FS_READ_FILE | LL_TRUNCATE | LL_IOCTL_DEV)

int
sandbox_landlock_abi(void)
{
	long v;

	v = syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
	return v > 0 ? (int)v : 0;
}

/* Every right the kernel's ABI knows. */
static uint64_t
handled_rights(int abi)
{
	uint64_t r = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1;	/* ABI 1 */

	if (abi >= 2)
		r |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		r |= LL_TRUNCATE;
	if (abi >= 5)
		r |= LL_IOCTL_DEV;
	return r;
}

/* Threads of this process: Landlock cannot restrict the others. */
static int
thread_count(void)
{
	struct dirent *de;
	DIR *d;
	int n = 0;

	if ((d = opendir("/proc/self/task")) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* Adds path with rights (masked to what the ABI handles, and to file
 * rights for a file).  A path that does not exist is skipped. */
static int
add_path(int rs, const char *path, uint64_t rights, uint64_t handled,
    char *err, size_t errlen)
{
	struct landlock_path_beneath_attr pb;
	struct stat st;
	int fd, e;

	if ((fd = open(path, O_PATH | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "landlock: %.200s: %m", path);
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		e = errno;
		close(fd);
		errno = e;
		snprintf(err, errlen, "landlock: %.200s: %m", path);
		return -1;
	}
	memset(&pb, 0, sizeof(pb));
	pb.allowed_access = rights & handled;
	if (!S_ISDIR(st.st_mode))
		pb.allowed_access &= LL_FILE;
	pb.parent_fd = fd;
	if (pb.allowed_access != 0 && syscall(SYS_landlock_add_rule, rs,
	    LANDLOCK_RULE_PATH_BENEATH, &pb, 0) == -1) {
		e = errno;
		close(fd);
		errno = e;
		snprintf(err, errlen, "landlock: rule for %.200s: %m", path);
		return -1;
	}
	close(fd);
	return 0;
}

static int
add_paths(int rs, const char *const *paths, size_t n, uint64_t rights,
    uint64_t handled, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (add_path(rs, paths[i], rights, handled, err, errlen) == -1)
			return -1;
	return 0;
}

int
sandbox_landlock(const struct sandbox_fs *fs, char *err, size_t errlen)
{
	struct ll_ruleset attr;
	size_t size;
	int abi, rs, e;

	if ((abi = sandbox_landlock_abi()) == 0)
		return 0;
	if (thread_count() != 1) {
		snprintf(err, errlen, "landlock: must be set up before any "
		    "thread starts");
		return -1;
	}
	memset(&attr, 0, sizeof(attr));
	attr.handled_fs = handled_rights(abi);
	size = sizeof(attr.handled_fs);
	if (abi >= 6) {
		attr.scoped = LL_SCOPE_ABSTRACT_UNIX;
		size = sizeof(attr);
	}
	if ((rs = (int)syscall(SYS_landlock_create_ruleset, &attr, size,
	    0)) == -1) {
		snprintf(err, errlen, "landlock: create ruleset (ABI %d): %m",
		    abi);
		return -1;
	}
	if (add_paths(rs, fs->ro, fs->nro, LL_READ, attr.handled_fs, err,
	    errlen) == -1 ||
	    add_paths(rs, fs->rw, fs->nrw, LL_WRITE, attr.handled_fs, err,
	    errlen) == -1 ||
	    add_paths(rs, fs->rm, fs->nrm, LANDLOCK_ACCESS_FS_REMOVE_FILE,
	    attr.handled_fs, err, errlen) == -1) {
		close(rs);
		return -1;
	}
	/* restrict_self needs no_new_privs or CAP_SYS_ADMIN. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
	    syscall(SYS_landlock_restrict_self, rs, 0) == -1) {
		e = errno;
		close(rs);
		errno = e;
		snprintf(err, errlen, "landlock: restrict: %m");
		return -1;
	}
	close(rs);
	return abi;
}
