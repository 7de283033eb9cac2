/*
 * scanfilter.c - the attachment worker's seccomp allow-list (libseccomp).
 *
 * Exports scanfilter_apply.  Owns the filter context until it is loaded.
 * Thread rule: the worker is one thread; filters are per process here
 * (no TSYNC needed).
 *
 * What a worker may do once the filter is on: read, write and seek the
 * descriptors it holds; send and receive on its channel; map memory that
 * is never executable; make memfds for scratch spools; time, rlimits of
 * its own, signals to itself (abort); exit.  What kills it on the spot,
 * as nothing honest does it: exec, ptrace and the process_vm calls, any
 * socket, connect, bind or accept, fork and clone, a signal to another
 * process.  The one open allowed makes a nameless scratch file
 * (O_TMPFILE) in the scratch directory; any other open fails (EACCES or
 * EPERM: a library that looks for a locale or a converter it was not
 * given falls back), an ioctl with ENOTTY (stdio asking whether it is a
 * terminal), anything else with EPERM.  Syscalls of another ABI (i386, x32) kill it.
 */
#include <sys/mman.h>
#include <sys/prctl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <seccomp.h>

#include "scan/scanfilter.h"

static const int allowed[] = {
	SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(readv), SCMP_SYS(writev),
	SCMP_SYS(pread64), SCMP_SYS(pwrite64), SCMP_SYS(preadv),
	SCMP_SYS(pwritev), SCMP_SYS(lseek), SCMP_SYS(close), SCMP_SYS(dup),
	SCMP_SYS(fstat), SCMP_SYS(fcntl), SCMP_SYS(ftruncate),
	SCMP_SYS(fallocate), SCMP_SYS(memfd_create), SCMP_SYS(munmap),
	SCMP_SYS(mremap), SCMP_SYS(brk), SCMP_SYS(madvise), SCMP_SYS(futex),
	SCMP_SYS(clock_gettime), SCMP_SYS(clock_getres),
	SCMP_SYS(gettimeofday), SCMP_SYS(time), SCMP_SYS(nanosleep),
	SCMP_SYS(clock_nanosleep), SCMP_SYS(getrusage), SCMP_SYS(getpid),
	SCMP_SYS(gettid), SCMP_SYS(getppid), SCMP_SYS(getuid),
	SCMP_SYS(geteuid), SCMP_SYS(getgid), SCMP_SYS(getegid),
	SCMP_SYS(getrandom), SCMP_SYS(exit), SCMP_SYS(exit_group),
	SCMP_SYS(rt_sigreturn), SCMP_SYS(rt_sigprocmask),
	SCMP_SYS(rt_sigaction), SCMP_SYS(sigaltstack), SCMP_SYS(recvmsg),
	SCMP_SYS(sendmsg), SCMP_SYS(recvfrom), SCMP_SYS(sendto),
	SCMP_SYS(poll), SCMP_SYS(ppoll), SCMP_SYS(getrlimit),
	SCMP_SYS(setrlimit), SCMP_SYS(sched_yield),
	SCMP_SYS(sched_getaffinity), SCMP_SYS(uname), SCMP_SYS(sysinfo),
	SCMP_SYS(restart_syscall), SCMP_SYS(rseq),
};

static const int killed[] = {
	SCMP_SYS(execve), SCMP_SYS(execveat), SCMP_SYS(ptrace),
	SCMP_SYS(process_vm_readv), SCMP_SYS(process_vm_writev),
	SCMP_SYS(socket), SCMP_SYS(socketpair), SCMP_SYS(connect),
	SCMP_SYS(bind), SCMP_SYS(listen), SCMP_SYS(accept),
	SCMP_SYS(accept4), SCMP_SYS(clone), SCMP_SYS(clone3),
	SCMP_SYS(fork), SCMP_SYS(vfork), SCMP_SYS(kill),
	SCMP_SYS(pidfd_open), SCMP_SYS(pidfd_send_signal),
	SCMP_SYS(pidfd_getfd), SCMP_SYS(setuid), SCMP_SYS(setgid),
	SCMP_SYS(setreuid), SCMP_SYS(setresuid), SCMP_SYS(setgroups),
	SCMP_SYS(mount), SCMP_SYS(unshare), SCMP_SYS(setns),
	SCMP_SYS(bpf), SCMP_SYS(userfaultfd), SCMP_SYS(perf_event_open),
	SCMP_SYS(io_uring_setup),
};

static const int refused_open[] = {
	SCMP_SYS(open), SCMP_SYS(openat2), SCMP_SYS(creat),
};

int
scanfilter_apply(int scratch_dir, char *err, size_t errlen)
{
	scmp_filter_ctx ctx;
	size_t i;
	int rc = 0;
	pid_t self = getpid();

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		snprintf(err, errlen, "no_new_privs: %m");
		return -1;
	}
	if ((ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM))) == NULL) {
		snprintf(err, errlen, "seccomp_init failed");
		return -1;
	}
	rc |= seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
	    SCMP_ACT_KILL_PROCESS);
	for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allowed[i], 0);
	for (i = 0; i < sizeof(killed) / sizeof(killed[0]); i++)
		rc |= seccomp_rule_add(ctx, SCMP_ACT_KILL_PROCESS, killed[i], 0);
	for (i = 0; i < sizeof(refused_open) / sizeof(refused_open[0]); i++)
		rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES),
		    refused_open[i], 0);
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOTTY), SCMP_SYS(ioctl),
	    0);
	/* A nameless scratch file in the scratch directory (linkat, which
	 * could give it a name, is not allowed); any other openat fails
	 * (EPERM, the default). */
	if (scratch_dir >= 0)
		rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 2,
		    SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)scratch_dir),
		    SCMP_A2(SCMP_CMP_MASKED_EQ, O_TMPFILE, O_TMPFILE));
	/* Memory is never made executable. */
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
	    SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
	    SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	/* fstat of a descriptor, not stat of a path. */
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(newfstatat), 1,
	    SCMP_A3(SCMP_CMP_MASKED_EQ, AT_EMPTY_PATH, AT_EMPTY_PATH));
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(statx), 1,
	    SCMP_A2(SCMP_CMP_MASKED_EQ, AT_EMPTY_PATH, AT_EMPTY_PATH));
	/* Its own limits, signals to itself (abort). */
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prlimit64), 1,
	    SCMP_A0(SCMP_CMP_EQ, 0));
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
	    SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)self));
	if (rc != 0) {
		snprintf(err, errlen, "seccomp: cannot build the filter");
		seccomp_release(ctx);
		return -1;
	}
	if ((rc = seccomp_load(ctx)) != 0) {
		snprintf(err, errlen, "seccomp_load: error %d", -rc);
		seccomp_release(ctx);
		return -1;
	}
	seccomp_release(ctx);
	return 0;
}
