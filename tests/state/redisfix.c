/*
 * redisfix.c - private Redis and Sentinel processes for the state tests.
 * See redisfix.h.  Single-threaded use (the test's main thread).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "redisfix.h"

static char root[512];
static unsigned serial;

int
redisfix_free_port(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd, port = -1;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sin, &len) == 0)
		port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

static void
pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int
make_root(void)
{
	const char *tmp = getenv("TMPDIR");

	if (root[0] != '\0')
		return 0;
	snprintf(root, sizeof(root), "%s/rwstate.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(root) == NULL) {
		fprintf(stderr, "redisfix: mkdtemp %s: %s\n", root,
		    strerror(errno));
		root[0] = '\0';
		return -1;
	}
	return 0;
}

void
redisfix_cleanup(void)
{
	char cmd[600];

	if (root[0] == '\0')
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		fprintf(stderr, "redisfix: could not remove %s\n", root);
	root[0] = '\0';
}

static int
spawn(struct redisfix *f)
{
	const char *prog = f->sentinel ? "redis-sentinel" : "redis-server";
	int fd;

	if ((f->pid = fork()) == -1)
		return -1;
	if (f->pid == 0) {
		/* Dies with the test, whatever happens to it. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if ((fd = open("/dev/null", O_RDWR)) != -1) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execlp(prog, prog, f->conf, (char *)NULL);
		_exit(127);
	}
	return 0;
}

/* Waits for an answer to PING; -1 when the process died or 10 s
 * passed. */
static int
wait_up(struct redisfix *f)
{
	redisContext *c;
	redisReply *r;
	struct timeval tv = { 0, 200000 };
	int i, status;

	for (i = 0; i < 200; i++) {
		if (waitpid(f->pid, &status, WNOHANG) == f->pid) {
			f->pid = 0;
			return -1;
		}
		c = redisConnectWithTimeout("127.0.0.1", f->port, tv);
		if (c != NULL && c->err == 0) {
			redisSetTimeout(c, tv);
			r = redisCommand(c, "PING");
			if (r != NULL) {
				freeReplyObject(r);
				redisFree(c);
				return 0;
			}
		}
		redisFree(c);
		pause_ms(50);
	}
	return -1;
}

int
redisfix_start(struct redisfix *f, int sentinel, const char *extra)
{
	FILE *fp;
	int attempt;

	memset(f, 0, sizeof(*f));
	f->sentinel = sentinel;
	if (make_root() == -1)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s/%s%u", root,
	    sentinel ? "sentinel" : "redis", serial++);
	if (mkdir(f->dir, 0700) == -1) {
		fprintf(stderr, "redisfix: mkdir %s: %s\n", f->dir,
		    strerror(errno));
		return -1;
	}
	snprintf(f->conf, sizeof(f->conf), "%s/%s.conf", f->dir,
	    sentinel ? "sentinel" : "redis");
	snprintf(f->log, sizeof(f->log), "%s/log", f->dir);
	/* A port taken between the probe and the bind: try another. */
	for (attempt = 0; attempt < 5; attempt++) {
		if ((f->port = redisfix_free_port()) == -1 ||
		    (fp = fopen(f->conf, "w")) == NULL)
			return -1;
		fprintf(fp, "port %d\nbind 127.0.0.1\ndir %s\nlogfile %s\n"
		    "daemonize no\n", f->port, f->dir, f->log);
		if (!sentinel)
			fprintf(fp, "save \"\"\nappendonly no\n");
		if (extra != NULL)
			fputs(extra, fp);
		fclose(fp);
		if (spawn(f) == 0 && wait_up(f) == 0)
			return 0;
		redisfix_kill(f);
	}
	fprintf(stderr, "redisfix: %s did not start (see %s)\n",
	    sentinel ? "redis-sentinel" : "redis-server", f->log);
	return -1;
}

int
redisfix_restart(struct redisfix *f)
{
	if (spawn(f) == 0 && wait_up(f) == 0)
		return 0;
	fprintf(stderr, "redisfix: restart on port %d failed\n", f->port);
	return -1;
}

void
redisfix_kill(struct redisfix *f)
{
	if (f->pid > 0) {
		kill(f->pid, SIGKILL);
		waitpid(f->pid, NULL, 0);
	}
	f->pid = 0;
}

redisContext *
redisfix_connect(const struct redisfix *f, const char *user,
    const char *pass)
{
	struct timeval tv = { 5, 0 };
	redisContext *c;
	redisReply *r;

	c = redisConnectWithTimeout("127.0.0.1", f->port, tv);
	if (c == NULL || c->err) {
		redisFree(c);
		return NULL;
	}
	redisSetTimeout(c, tv);
	if (pass != NULL) {
		r = user != NULL ? redisCommand(c, "AUTH %s %s", user, pass) :
		    redisCommand(c, "AUTH %s", pass);
		if (r == NULL || r->type == REDIS_REPLY_ERROR) {
			if (r != NULL)
				freeReplyObject(r);
			redisFree(c);
			return NULL;
		}
		freeReplyObject(r);
	}
	return c;
}

redisReply *
redisfix_cmd(redisContext *c, ...)
{
	const char *argv[64];
	redisReply *r;
	va_list ap;
	int n = 0;

	va_start(ap, c);
	while (n < 64 && (argv[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	r = redisCommandArgv(c, n, argv, NULL);
	if (r == NULL) {
		fprintf(stderr, "redisfix: %s: %s\n", argv[0], c->errstr);
		abort();
	}
	return r;
}
