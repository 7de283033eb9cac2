/*
 * statehold.c - the hold queue of a Postfix instance as postqueue -j
 * lists it, for relaywarden-state report (issue 14 item 3).
 *
 * Exports statehold_read, statehold_free (statehold.h).  Runs
 * "postqueue [-c DIR] -j" with execvp, no shell, nothing from a message
 * on its command line (tests/layout/check-noexec.sh lists this file);
 * the daemon does not link it.  postqueue prints one JSON object per
 * message; its text (sender, recipients) comes from mail and is
 * untrusted: lines are at most LINE_MAX_BYTES, parsed strictly with a
 * depth cap, strings cut at FIELD_MAX bytes; the caller prints them
 * escaped (JSON) or through printable (text).  A line that does not
 * parse is counted, not fatal.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "statehold.h"

#define LINE_MAX_BYTES	(1u << 20)
#define FIELD_MAX	512
#define DEPTH_MAX	8

struct jp {
	const char *s, *end;
};

static void
ws(struct jp *p)
{
	while (p->s < p->end && (*p->s == ' ' || *p->s == '\t' ||
	    *p->s == '\r'))
		p->s++;
}

/* A string into out (cut at FIELD_MAX, escapes other than \" \\ \/ as
 * '?'), or skipped when out is NULL. */
static int
str(struct jp *p, char *out)
{
	size_t n = 0;

	ws(p);
	if (p->s == p->end || *p->s != '"')
		return -1;
	for (p->s++; p->s < p->end && *p->s != '"'; p->s++) {
		char c = *p->s;

		if (c == '\\') {
			if (++p->s == p->end)
				return -1;
			c = *p->s == '"' || *p->s == '\\' || *p->s == '/' ?
			    *p->s : '?';
			if (*p->s == 'u') {
				if (p->end - p->s < 5)
					return -1;
				p->s += 4;
			}
		}
		if ((unsigned char)c < 0x20 || c == 0x7f)
			c = '?';	/* shown as text: no control bytes */
		if (out != NULL && n < FIELD_MAX)
			out[n++] = c;
	}
	if (p->s == p->end)
		return -1;
	p->s++;
	if (out != NULL)
		out[n] = '\0';
	return 0;
}

static int value(struct jp *, int depth);

/* The members of an object; fn sees each name (NULL: skip all). */
static int
object(struct jp *p, int depth,
    int (*fn)(struct jp *, const char *, void *), void *arg)
{
	char name[FIELD_MAX + 1];

	ws(p);
	if (depth > DEPTH_MAX || p->s == p->end || *p->s++ != '{')
		return -1;
	ws(p);
	if (p->s < p->end && *p->s == '}') {
		p->s++;
		return 0;
	}
	for (;;) {
		if (str(p, name) == -1)
			return -1;
		ws(p);
		if (p->s == p->end || *p->s++ != ':')
			return -1;
		if ((fn != NULL ? fn(p, name, arg) : value(p, depth + 1)) ==
		    -1)
			return -1;
		ws(p);
		if (p->s == p->end)
			return -1;
		if (*p->s == '}') {
			p->s++;
			return 0;
		}
		if (*p->s++ != ',')
			return -1;
	}
}

static int
array(struct jp *p, int depth, int (*fn)(struct jp *, void *), void *arg)
{
	ws(p);
	if (depth > DEPTH_MAX || p->s == p->end || *p->s++ != '[')
		return -1;
	ws(p);
	if (p->s < p->end && *p->s == ']') {
		p->s++;
		return 0;
	}
	for (;;) {
		if ((fn != NULL ? fn(p, arg) : value(p, depth + 1)) == -1)
			return -1;
		ws(p);
		if (p->s == p->end)
			return -1;
		if (*p->s == ']') {
			p->s++;
			return 0;
		}
		if (*p->s++ != ',')
			return -1;
	}
}

static int
value(struct jp *p, int depth)
{
	ws(p);
	if (p->s == p->end)
		return -1;
	if (*p->s == '"')
		return str(p, NULL);
	if (*p->s == '{')
		return object(p, depth, NULL, NULL);
	if (*p->s == '[')
		return array(p, depth, NULL, NULL);
	if (p->s < p->end && strchr("-0123456789tfn", *p->s) == NULL)
		return -1;
	while (p->s < p->end && strchr("-+.eE0123456789truefalsn",
	    *p->s) != NULL)
		p->s++;
	return 0;
}

struct entry {
	char queue[FIELD_MAX + 1], id[FIELD_MAX + 1], sender[FIELD_MAX + 1];
	char rcpt[FIELD_MAX + 1];
	long long arrival;
	size_t nrcpts;
};

static int
rcpt_member(struct jp *p, const char *name, void *arg)
{
	struct entry *e = arg;

	if (strcmp(name, "address") == 0 && e->nrcpts == 1)
		return str(p, e->rcpt);
	return value(p, 2);
}

static int
rcpt(struct jp *p, void *arg)
{
	struct entry *e = arg;

	e->nrcpts++;
	return object(p, 2, rcpt_member, e);
}

static int
member(struct jp *p, const char *name, void *arg)
{
	struct entry *e = arg;
	char *end;

	if (strcmp(name, "queue_name") == 0)
		return str(p, e->queue);
	if (strcmp(name, "queue_id") == 0)
		return str(p, e->id);
	if (strcmp(name, "sender") == 0)
		return str(p, e->sender);
	if (strcmp(name, "recipients") == 0)
		return array(p, 1, rcpt, e);
	if (strcmp(name, "arrival_time") == 0) {
		ws(p);
		e->arrival = strtoll(p->s, &end, 10);
		if (end == p->s)
			return -1;
		p->s = end;
		return 0;
	}
	return value(p, 1);
}

static int
keep(struct statehold *h, const struct entry *e)
{
	struct statehold_msg *m;

	if (h->n == STATEHOLD_MAX) {
		h->more++;
		return 0;
	}
	if (h->n % 64 == 0) {
		if ((m = realloc(h->v, (h->n + 64) * sizeof(*m))) == NULL)
			return -1;
		h->v = m;
	}
	m = &h->v[h->n];
	memset(m, 0, sizeof(*m));
	m->arrival = (time_t)e->arrival;
	m->nrcpts = e->nrcpts;
	if ((m->queue_id = strdup(e->id)) == NULL ||
	    (m->sender = strdup(e->sender)) == NULL ||
	    (e->nrcpts > 0 && (m->recipient = strdup(e->rcpt)) == NULL)) {
		free(m->queue_id);
		free(m->sender);
		return -1;
	}
	h->n++;
	return 0;
}

static int
by_arrival(const void *x, const void *y)
{
	const struct statehold_msg *a = x, *b = y;

	if (a->arrival != b->arrival)
		return a->arrival < b->arrival ? -1 : 1;
	return strcmp(a->queue_id, b->queue_id);
}

/* Reads postqueue's lines from fp into h; -1 when out of memory. */
static int
read_lines(FILE *fp, struct statehold *h)
{
	struct entry *e;
	struct jp p;
	char *buf;
	size_t n;
	int c, rc = 0, too_long;

	if ((buf = malloc(LINE_MAX_BYTES)) == NULL ||
	    (e = malloc(sizeof(*e))) == NULL) {
		free(buf);
		return -1;
	}
	for (;;) {
		n = 0;
		too_long = 0;
		while ((c = getc(fp)) != EOF && c != '\n')
			if (n < LINE_MAX_BYTES)
				buf[n++] = (char)c;
			else
				too_long = 1;
		if (n == 0 && c == EOF)
			break;
		if (n == 0)
			continue;
		memset(e, 0, sizeof(*e));
		p.s = buf;
		p.end = buf + n;
		if (too_long || object(&p, 0, member, e) == -1 ||
		    (ws(&p), p.s != p.end) || e->id[0] == '\0') {
			h->bad_lines++;
			continue;
		}
		if (strcmp(e->queue, "hold") == 0 && keep(h, e) == -1) {
			rc = -1;
			break;
		}
		if (c == EOF)
			break;
	}
	free(buf);
	free(e);
	if (h->n > 0)
		qsort(h->v, h->n, sizeof(*h->v), by_arrival);
	return rc;
}

int
statehold_read(const char *config_dir, struct statehold *h, char *err,
    size_t errlen)
{
	const char *argv[5];
	int fds[2], i = 0, status, rc;
	pid_t pid;
	FILE *fp;

	memset(h, 0, sizeof(*h));
	argv[i++] = "postqueue";
	if (config_dir != NULL) {
		argv[i++] = "-c";
		argv[i++] = config_dir;
	}
	argv[i++] = "-j";
	argv[i] = NULL;
	if (pipe(fds) == -1) {
		snprintf(err, errlen, "pipe: %m");
		return -1;
	}
	fflush(NULL);
	if ((pid = fork()) == -1) {
		snprintf(err, errlen, "fork: %m");
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		close(fds[0]);
		if (dup2(fds[1], STDOUT_FILENO) == -1)
			_exit(127);
		close(fds[1]);
		execvp("postqueue", (char *const *)argv);
		fprintf(stderr, "postqueue: cannot run: %m\n");
		_exit(127);
	}
	close(fds[1]);
	if ((fp = fdopen(fds[0], "r")) == NULL) {
		snprintf(err, errlen, "fdopen: %m");
		close(fds[0]);
		(void)waitpid(pid, NULL, 0);
		return -1;
	}
	rc = read_lines(fp, h);
	fclose(fp);
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR) {
			snprintf(err, errlen, "waitpid: %m");
			return -1;
		}
	if (rc == -1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		snprintf(err, errlen, "postqueue -j exited with status %d%s",
		    WEXITSTATUS(status), WEXITSTATUS(status) == 127 ?
		    " (not found in PATH?)" : "");
	else
		snprintf(err, errlen, "postqueue -j killed by signal %d",
		    WTERMSIG(status));
	return -1;
}

void
statehold_free(struct statehold *h)
{
	size_t i;

	for (i = 0; i < h->n; i++) {
		free(h->v[i].queue_id);
		free(h->v[i].sender);
		free(h->v[i].recipient);
	}
	free(h->v);
	memset(h, 0, sizeof(*h));
}
