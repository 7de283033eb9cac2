/*
 * test_sandbox.c - the daemon's seccomp filter and Landlock rule set
 * (util/sandbox.c).  Each case runs in a forked child, since neither can
 * be undone: the child applies the sandbox, tries what it must forbid and
 * what it must leave alone, and exits 0 only if every result is as
 * expected (else it prints the first surprise); the ABI escapes
 * must end in SIGSYS.
 */
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/sandbox.h"

/* In the child: exit with the line of a failed expectation. */
#define EXPECT(c) do {						\
	if (!(c)) {							\
		fprintf(stderr, "test_sandbox.c:%d: %s (errno %d)\n",	\
		    __LINE__, #c, errno);				\
		_exit(1);						\
	}								\
} while (0)
#define FAILS_WITH(call, e) do {					\
	errno = 0;							\
	EXPECT((call) == -1 && errno == (e));				\
} while (0)

/* Runs fn in a child; returns its wait status. */
static int
in_child(void (*fn)(void))
{
	pid_t pid;
	int st;

	fflush(NULL);
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		fn();
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return st;
}

static void
assert_exit0(int st)
{
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail_msg("child: %s %d (its stderr says why)",
		    WIFEXITED(st) ? "exit" : "signal",
		    WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
}

static void
apply_seccomp(void)
{
	char err[256];

	EXPECT(sandbox_daemon(err, sizeof(err)) == 0);
}

static void *
thread_fn(void *arg)
{
	return arg;
}

static void
child_forbidden(void)
{
	char *argv[] = { "true", NULL }, *envp[] = { NULL };
	char buf[16];
	pthread_t t;
	void *ret;
	int fd;

	apply_seccomp();
	FAILS_WITH(execve("/bin/true", argv, envp), EPERM);
	FAILS_WITH(syscall(SYS_execveat, AT_FDCWD, "/bin/true", argv, envp,
	    0), EPERM);
#if !defined(__SANITIZE_ADDRESS__)	/* LeakSanitizer needs it there */
	FAILS_WITH(ptrace(PTRACE_TRACEME, 0, NULL, NULL), EPERM);
#endif
	FAILS_WITH(syscall(SYS_process_vm_readv, getppid(), NULL, 0, NULL, 0,
	    0), EPERM);
	FAILS_WITH(unshare(CLONE_NEWUSER), EPERM);
	FAILS_WITH(syscall(SYS_setns, 0, 0), EPERM);
	FAILS_WITH(syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL,
	    NULL, 0), EPERM);
	FAILS_WITH(syscall(SYS_clone, CLONE_NEWNET | SIGCHLD, NULL, NULL,
	    NULL, 0), EPERM);
	FAILS_WITH(syscall(SYS_clone3, NULL, 0), ENOSYS);
	FAILS_WITH(mount("none", "/mnt", "tmpfs", 0, NULL), EPERM);
	FAILS_WITH(syscall(SYS_fsopen, "tmpfs", 0), EPERM);
	FAILS_WITH(syscall(SYS_init_module, NULL, 0, ""), EPERM);
	FAILS_WITH(syscall(SYS_keyctl, 0, 0, 0, 0, 0), EPERM);
	FAILS_WITH(syscall(SYS_add_key, "user", "x", "y", 1, 0), EPERM);
	FAILS_WITH(syscall(SYS_bpf, 0, NULL, 0), EPERM);
	FAILS_WITH(syscall(SYS_io_uring_setup, 1, NULL), EPERM);
	FAILS_WITH(syscall(SYS_userfaultfd, 0), EPERM);
	FAILS_WITH(syscall(SYS_personality, 0x0400000), EPERM);
	FAILS_WITH(syscall(SYS_kexec_load, 0, 0, NULL, 0), EPERM);
	/* What the daemon does all day still works: files, threads,
	 * forks (which inherit the filter). */
	EXPECT(getpid() > 0);
	EXPECT((fd = open("/dev/null", O_RDONLY)) >= 0);
	EXPECT(read(fd, buf, sizeof(buf)) == 0);
	close(fd);
	EXPECT(pthread_create(&t, NULL, thread_fn, buf) == 0);
	EXPECT(pthread_join(t, &ret) == 0 && ret == buf);
	EXPECT(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE |
	    MAP_ANONYMOUS, -1, 0) != MAP_FAILED);
}

static void
seccomp_forbids_exec_and_the_escape_kit(void **state)
{
	(void)state;
	assert_exit0(in_child(child_forbidden));
}

static void
child_fork_inherits(void)
{
	char *argv[] = { "true", NULL }, *envp[] = { NULL };
	pid_t pid;
	int st;

	apply_seccomp();
	EXPECT((pid = fork()) != -1);
	if (pid == 0) {
		execve("/bin/true", argv, envp);
		_exit(errno == EPERM ? 0 : 3);
	}
	EXPECT(waitpid(pid, &st, 0) == pid);
	EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void
a_forked_child_inherits_the_exec_ban(void **state)
{
	(void)state;
	assert_exit0(in_child(child_fork_inherits));
}

#if defined(__x86_64__)
static void
child_i386(void)
{
	long ret = 20;	/* i386 getpid */

	apply_seccomp();
	/* i386's execve is 11: under the native filter, no rule would
	 * match it; any call through int 0x80 must kill instead. */
	__asm__ volatile ("int $0x80" : "+a"(ret) : : "memory");
	_exit(0);
}

static void
an_i386_system_call_kills(void **state)
{
	int st;

	(void)state;
	st = in_child(child_i386);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGSYS);
}

static void
child_x32(void)
{
	apply_seccomp();
	(void)syscall(0x40000000L | 520);	/* x32 execve */
	_exit(0);
}

static void
an_x32_system_call_kills(void **state)
{
	int st;

	(void)state;
	st = in_child(child_x32);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGSYS);
}
#endif

/* --- Landlock ------------------------------------------------------- */

static char root[64];

static void
mkfile(const char *dir, const char *name)
{
	char p[256];
	FILE *fp;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	assert_non_null(fp = fopen(p, "w"));
	fputs("x\n", fp);
	fclose(fp);
}

static int
setup_tree(void **state)
{
	static const char *dirs[] = { "ro", "rw", "out", "sock" };
	char p[256];
	size_t i;

	(void)state;
	snprintf(root, sizeof(root), "/tmp/rw-sandbox.XXXXXX");
	if (mkdtemp(root) == NULL)
		return -1;
	for (i = 0; i < 4; i++) {
		snprintf(p, sizeof(p), "%s/%s", root, dirs[i]);
		if (mkdir(p, 0755) == -1)
			return -1;
		mkfile(p, "file");
	}
	snprintf(p, sizeof(p), "%s/ro/sub", root);
	if (mkdir(p, 0755) == -1)
		return -1;
	mkfile(p, "deep");
	return 0;
}

static int
teardown_tree(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static int
ll_open(const char *rel, int flags)
{
	char p[256];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	if ((fd = open(p, flags, 0600)) >= 0)
		close(fd);
	return fd >= 0 ? 0 : -1;
}

static int
ll_unlink(const char *rel)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	return unlink(p);
}

static void
child_landlock(void)
{
	char ro[128], rw[128], sock[128], err[256], p[256];
	const char *ros[] = { ro, "/nonexistent/rw-sandbox" };
	const char *rws[] = { rw }, *rms[] = { sock };
	char *argv[] = { "prog", NULL }, *envp[] = { NULL };
	struct sandbox_fs fs = { ros, 2, rws, 1, rms, 1 };
	int fd;

	snprintf(ro, sizeof(ro), "%s/ro", root);
	snprintf(rw, sizeof(rw), "%s/rw", root);
	snprintf(sock, sizeof(sock), "%s/sock", root);
	EXPECT(sandbox_landlock(&fs, err, sizeof(err)) > 0);
	/* read-only tree: read, list, deeper too; no write, no create */
	EXPECT(ll_open("ro/file", O_RDONLY) == 0);
	EXPECT(ll_open("ro/sub/deep", O_RDONLY) == 0);
	EXPECT(ll_open("ro", O_RDONLY | O_DIRECTORY) == 0);
	FAILS_WITH(ll_open("ro/file", O_WRONLY), EACCES);
	FAILS_WITH(ll_open("ro/new", O_WRONLY | O_CREAT), EACCES);
	FAILS_WITH(ll_unlink("ro/file"), EACCES);
	/* outside every rule: nothing, not even read */
	FAILS_WITH(ll_open("out/file", O_RDONLY), EACCES);
	FAILS_WITH(ll_open("out", O_RDONLY | O_DIRECTORY), EACCES);
	FAILS_WITH(ll_open("out/new", O_WRONLY | O_CREAT), EACCES);
	FAILS_WITH(open("/etc/hostname", O_RDONLY), EACCES);
	/* the spool: create, write, truncate, unnamed temp files, remove */
	EXPECT(ll_open("rw/new", O_RDWR | O_CREAT | O_TRUNC) == 0);
	EXPECT(ll_unlink("rw/new") == 0);
	snprintf(p, sizeof(p), "%s/rw", root);
	EXPECT((fd = open(p, O_TMPFILE | O_RDWR, 0600)) >= 0);
	EXPECT(write(fd, "abc", 3) == 3 && ftruncate(fd, 1) == 0);
	close(fd);
	/* nothing may be executed: not a system program, nor a script
	 * written to the spool (this child has no seccomp filter) */
	FAILS_WITH(execve("/bin/true", argv, envp), EACCES);
	snprintf(p, sizeof(p), "%s/rw/prog", root);
	EXPECT((fd = open(p, O_WRONLY | O_CREAT, 0755)) >= 0);
	EXPECT(write(fd, "#!/bin/sh\n", 10) == 10);
	close(fd);
	FAILS_WITH(execve(p, argv, envp), EACCES);
	/* the socket directory: remove only */
	FAILS_WITH(ll_open("sock/file", O_RDONLY), EACCES);
	FAILS_WITH(ll_open("sock/new", O_WRONLY | O_CREAT), EACCES);
	EXPECT(ll_unlink("sock/file") == 0);
}

static void
landlock_allows_only_its_rules(void **state)
{
	(void)state;
	if (sandbox_landlock_abi() == 0)
		skip();	/* the kernel offers no Landlock: said by cmocka */
	assert_exit0(in_child(child_landlock));
}

static void *
sleeper(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static void
child_landlock_thread(void)
{
	struct sandbox_fs fs = { NULL, 0, NULL, 0, NULL, 0 };
	char err[256];
	pthread_t t;
	int rc;

	EXPECT(pthread_create(&t, NULL, sleeper, NULL) == 0);
	rc = sandbox_landlock(&fs, err, sizeof(err));
	EXPECT(rc == -1 && strstr(err, "thread") != NULL);
}

static void
landlock_refuses_once_threads_run(void **state)
{
	(void)state;
	if (sandbox_landlock_abi() == 0)
		skip();
	assert_exit0(in_child(child_landlock_thread));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(seccomp_forbids_exec_and_the_escape_kit),
		cmocka_unit_test(a_forked_child_inherits_the_exec_ban),
#if defined(__x86_64__)
		cmocka_unit_test(an_i386_system_call_kills),
		cmocka_unit_test(an_x32_system_call_kills),
#endif
		cmocka_unit_test_setup_teardown(landlock_allows_only_its_rules,
		    setup_tree, teardown_tree),
		cmocka_unit_test(landlock_refuses_once_threads_run),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
