/*
 * sandbox.h - the daemon's own confinement once it has dropped root:
 * a seccomp filter (mandatory) and a Landlock file-access rule set (where
 * the kernel offers Landlock).  What each forbids, and why, is in
 * sandbox.c's header comment.
 *
 * Both apply to the calling process and are inherited by every process
 * it forks afterwards; neither can be undone.  Call them before any
 * thread starts: Landlock restricts the calling thread only (the seccomp
 * filter is synchronised to all threads, Landlock cannot be).
 */
#ifndef RW_SANDBOX_H
#define RW_SANDBOX_H

#include <stddef.h>

/* Sets no_new_privs and loads the seccomp filter: default allow; exec,
 * ptrace and access to other processes' memory, mounts and namespaces,
 * kernel modules, kexec, keyrings, bpf, io_uring and the other calls
 * listed in sandbox.c fail with EPERM (clone3 with ENOSYS, so threads
 * fall back to clone, whose namespace flags are checked); a system call
 * of another ABI (i386 int 0x80, x32) kills the process.  0, or -1 with
 * "seccomp: problem" in err. */
int sandbox_daemon(char *err, size_t errlen);

/* Paths for sandbox_landlock.  Each path is a directory (the rule covers
 * everything beneath it) or a file; paths that do not exist are skipped. */
struct sandbox_fs {
	const char *const *ro;	/* read (files, directory listings) */
	size_t nro;
	const char *const *rw;	/* read, write, create, truncate and
				   remove regular files */
	size_t nrw;
	const char *const *rm;	/* remove a file only (a socket the
				   daemon unlinks when it stops) */
	size_t nrm;
};

/* The Landlock ABI version the running kernel offers; 0 when it offers
 * none (not built, or not enabled in the lsm= list). */
int sandbox_landlock_abi(void);

/* Restricts file access to fs: nothing may be executed, created,
 * written, removed, linked or renamed, and no device ioctl made, except
 * as fs allows; every other file and directory cannot be opened.  Only
 * the calling thread is restricted: fails when another thread exists.
 * Returns the ABI version used (> 0); 0 when the kernel offers no
 * Landlock (nothing done); -1 with "landlock: problem" in err. */
int sandbox_landlock(const struct sandbox_fs *fs, char *err, size_t errlen);

#endif
