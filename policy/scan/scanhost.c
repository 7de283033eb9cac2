/*
 * scanhost.c - the worker fork server (see scanhost.h).
 *
 * Exports scanhost_*.  Owns, in the daemon, the control socket and a
 * mutex; in the server, the socket, its children and what
 * scanworker_prepare loads before the first fork (shared copy-on-write
 * by every worker instead of built by each).
 * Thread rule: scanhost_spawn is serialised by the mutex (one request
 * and its answer at a time on the socket); the server is one thread.
 * Caps: a spawn answer is awaited SPAWN_WAIT_MS; the server sleeps in
 * poll and reaps its children at least once a second.
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "util/deadline.h"
#include "util/log.h"
#include "scan/scanhost.h"
#include "scan/scanio.h"
#include "scan/scanworker.h"

#define SPAWN_WAIT_MS	10000
#define OP_SPAWN	1u

struct scanhost {
	int ctl;
	pid_t pid;
	pthread_mutex_t mu;
};

/* Logs how a worker ended, unless it ended well. */
static void
reap(void)
{
	pid_t pid;
	int st;

	/* SIGKILL is the pool's (a missed deadline, a retired worker: it
	 * logs its reasons) or the kernel's OOM killer (the message in
	 * flight then says worker_died): not logged here. */
	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		if (WIFSIGNALED(st) && WTERMSIG(st) != SIGKILL)
			log_warning(NULL, "attachment worker %ld killed by "
			    "signal %d (%s)", (long)pid, WTERMSIG(st),
			    strsignal(WTERMSIG(st)));
		else if (WIFEXITED(st) && WEXITSTATUS(st) != 0)
			log_warning(NULL, "attachment worker %ld exited "
			    "with status %d", (long)pid, WEXITSTATUS(st));
	}
}

static void
serve_spawn(int ctl, int cfgfd)
{
	int sv[2], fds[2], pidfd = -1;
	uint32_t answer = 0;
	pid_t pid = -1;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1) {
		(void)scanio_sendfds(ctl, &answer, sizeof(answer), NULL, 0);
		return;
	}
	if ((pid = fork()) == 0) {
		(void)close(ctl);
		(void)close(sv[0]);
		scanworker_main(sv[1], cfgfd);	/* does not return */
	}
	if (pid > 0)
		pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pid > 0 && pidfd >= 0) {
		answer = (uint32_t)pid;
		fds[0] = sv[0];
		fds[1] = pidfd;
		(void)scanio_sendfds(ctl, &answer, sizeof(answer), fds, 2);
	} else {
		if (pid > 0)
			(void)kill(pid, SIGKILL);
		log_err(NULL, "attachment worker: cannot start one: %m");
		(void)scanio_sendfds(ctl, &answer, sizeof(answer), NULL, 0);
	}
	if (pidfd >= 0)
		(void)close(pidfd);
	(void)close(sv[0]);
	(void)close(sv[1]);
}

void
scanhost_child(const char *name)
{
	(void)prctl(PR_SET_NAME, name, 0, 0, 0);
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	(void)signal(SIGTERM, SIG_IGN);
	(void)signal(SIGINT, SIG_IGN);
	(void)signal(SIGHUP, SIG_IGN);
	(void)signal(SIGUSR1, SIG_IGN);
	(void)signal(SIGPIPE, SIG_IGN);
	(void)signal(SIGCHLD, SIG_DFL);
}

static void __attribute__((noreturn))
serve(int ctl)
{
	struct pollfd pfd = { ctl, POLLIN, 0 };
	uint32_t op;
	int fds[SCANIO_MAXFDS], nfds, i;
	long r;

	scanhost_child("rw-scanhost");
	/* Nothing of the daemon's but the socket and stdio: not its
	 * listening socket, not its log socket (syslog reconnects). */
	closelog();
	if (ctl != 3) {
		if (dup2(ctl, 3) == -1)
			_exit(1);
		ctl = pfd.fd = 3;
	}
	(void)close_range(4, ~0U, 0);
	/* Loaded once here, shared by every worker forked from here. */
	scanworker_prepare();
	for (;;) {
		reap();
		if ((r = poll(&pfd, 1, 1000)) < 0 && errno != EINTR)
			break;
		if (r <= 0)
			continue;
		r = scanio_recvfds(ctl, &op, sizeof(op), fds, &nfds);
		if (r <= 0 && !(r < 0 && errno == EINTR))
			break;
		if (r == (long)sizeof(op) && op == OP_SPAWN && nfds == 1)
			serve_spawn(ctl, fds[0]);
		for (i = 0; i < nfds; i++)
			(void)close(fds[i]);
	}
	_exit(0);
}

struct scanhost *
scanhost_start(char *err, size_t errlen)
{
	struct scanhost *h;
	int sv[2];

	if ((h = calloc(1, sizeof(*h))) == NULL) {
		snprintf(err, errlen, "attachment workers: out of memory");
		return NULL;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1) {
		snprintf(err, errlen, "attachment workers: socketpair: %m");
		free(h);
		return NULL;
	}
	if ((h->pid = fork()) == -1) {
		snprintf(err, errlen, "attachment workers: fork: %m");
		(void)close(sv[0]);
		(void)close(sv[1]);
		free(h);
		return NULL;
	}
	if (h->pid == 0) {
		(void)close(sv[0]);
		serve(sv[1]);
	}
	(void)close(sv[1]);
	h->ctl = sv[0];
	pthread_mutex_init(&h->mu, NULL);
	return h;
}

pid_t
scanhost_pid(const struct scanhost *h)
{
	return h->pid;
}

int
scanhost_spawn(struct scanhost *h, int cfgfd, int *sock, int *pidfd,
    pid_t *pid, char *err, size_t errlen)
{
	struct pollfd pfd = { h->ctl, POLLIN, 0 };
	uint32_t op = OP_SPAWN, answer = 0;
	long long until = deadline_now_ms() + SPAWN_WAIT_MS;
	int fds[SCANIO_MAXFDS], nfds = 0, i, rc = -1;
	long r = -1;

	pthread_mutex_lock(&h->mu);
	if (scanio_sendfds(h->ctl, &op, sizeof(op), &cfgfd, 1) !=
	    (long)sizeof(op)) {
		snprintf(err, errlen, "attachment workers: the fork server "
		    "is gone: %m");
		goto done;
	}
	while ((r = poll(&pfd, 1, (int)(until - deadline_now_ms()))) < 0 &&
	    errno == EINTR)
		;
	if (r <= 0) {
		snprintf(err, errlen, "attachment workers: the fork server "
		    "does not answer");
		goto done;
	}
	r = scanio_recvfds(h->ctl, &answer, sizeof(answer), fds, &nfds);
	if (r != (long)sizeof(answer) || answer == 0 || nfds != 2) {
		snprintf(err, errlen, "attachment workers: the fork server "
		    "could not start a worker");
		for (i = 0; i < nfds; i++)
			(void)close(fds[i]);
		goto done;
	}
	*sock = fds[0];
	*pidfd = fds[1];
	*pid = (pid_t)answer;
	rc = 0;
done:
	pthread_mutex_unlock(&h->mu);
	return rc;
}

void
scanhost_stop(struct scanhost *h)
{
	long long until;

	if (h == NULL)
		return;
	(void)close(h->ctl);
	until = deadline_now_ms() + 1000;
	while (waitpid(h->pid, NULL, WNOHANG) == 0 &&
	    deadline_now_ms() < until)
		(void)usleep(10000);
	pthread_mutex_destroy(&h->mu);
	free(h);
}
