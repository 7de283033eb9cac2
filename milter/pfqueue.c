/*
 * pfqueue.c - postqueue -j and postsuper for relaywarden-quarantine
 * (pfqueue.h).  Exports pfqueue_valid_id, pfqueue_held, pfqueue_super.
 * Single-threaded (the tool).  The only other exec of the tree is
 * postcat.c; tests/layout/check-noexec.sh names both, and the daemon
 * links neither.
 *
 * postqueue -j prints one JSON object per message (Postfix 3.1+):
 * {"queue_name": "hold", "queue_id": "4F2A1B3C", "arrival_time": 1700000000,
 *  "message_size": 512, "sender": "...", "recipients": [ ... ], ...}.
 * Only queue_name, queue_id and arrival_time are read here; the envelope
 * comes from the queue file itself (postcat), which postqueue summarises.
 * Caps: a line of at most 1 MB (a longer one is an error: postqueue
 * writes no such line for a sane queue), PFQUEUE_MAX_HELD items.
 */
#include <sys/types.h>
#include <sys/wait.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pfqueue.h"

#define LINE_MAX_BYTES	(1024 * 1024)

int
pfqueue_valid_id(const char *id)
{
	size_t n;

	for (n = 0; id[n] != '\0'; n++)
		if (!((id[n] >= 'A' && id[n] <= 'Z') ||
		    (id[n] >= 'a' && id[n] <= 'z') ||
		    (id[n] >= '0' && id[n] <= '9')))
			return 0;
	return n > 0 && n <= PFQUEUE_ID_MAX;
}

/* Runs argv[0] (PATH) with argv; its stdout on *fp when fp is not NULL,
 * else left as ours.  The child's pid, or -1 with err. */
static pid_t
run(const char *const *argv, FILE **fp, char *err, size_t errlen)
{
	int fds[2] = { -1, -1 };
	pid_t pid;

	if (fp != NULL && pipe(fds) == -1) {
		snprintf(err, errlen, "pipe: %m");
		return -1;
	}
	fflush(NULL);
	if ((pid = fork()) == -1) {
		snprintf(err, errlen, "fork: %m");
		if (fp != NULL) {
			close(fds[0]);
			close(fds[1]);
		}
		return -1;
	}
	if (pid == 0) {
		if (fp != NULL) {
			close(fds[0]);
			if (dup2(fds[1], STDOUT_FILENO) == -1)
				_exit(127);
			close(fds[1]);
		}
		execvp(argv[0], (char *const *)argv);
		fprintf(stderr, "%s: cannot run: %m\n", argv[0]);
		_exit(127);
	}
	if (fp != NULL) {
		close(fds[1]);
		if ((*fp = fdopen(fds[0], "r")) == NULL) {
			snprintf(err, errlen, "fdopen: %m");
			close(fds[0]);
			(void)waitpid(pid, NULL, 0);
			return -1;
		}
	}
	return pid;
}

/* Reaps pid: 0 when it exited 0, else -1 with err naming prog. */
static int
reap(pid_t pid, const char *prog, char *err, size_t errlen)
{
	int status;

	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR) {
			snprintf(err, errlen, "waitpid: %m");
			return -1;
		}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		snprintf(err, errlen, "%s exited with status %d%s", prog,
		    WEXITSTATUS(status), WEXITSTATUS(status) == 127 ?
		    " (not found in PATH?)" : "");
	else
		snprintf(err, errlen, "%s killed by signal %d", prog,
		    WTERMSIG(status));
	return -1;
}

static const char *
ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	return p;
}

/* A JSON string at p (at its '"') into buf (cut at len - 1; \u escapes
 * and other escapes become '?': a queue id or name has none); returns the
 * byte after it, or NULL when malformed. */
static const char *
jstring(const char *p, char *buf, size_t len)
{
	size_t n = 0;

	if (*p++ != '"')
		return NULL;
	for (; *p != '"'; p++) {
		char c = *p;

		if (c == '\0')
			return NULL;
		if (c == '\\') {
			if (*++p == '\0')
				return NULL;
			c = *p == '"' || *p == '\\' || *p == '/' ? *p : '?';
			if (*p == 'u') {
				if (strspn(p + 1, "0123456789abcdefABCDEF") < 4)
					return NULL;
				p += 4;
			}
		}
		if (n + 1 < len)
			buf[n++] = c;
	}
	if (len > 0)
		buf[n] = '\0';
	return p + 1;
}

/* Skips one JSON value (string, number, literal, array, object); the
 * byte after it, or NULL. */
static const char *
jskip(const char *p)
{
	int depth = 0;
	char tmp[1];

	do {
		p = ws(p);
		if (*p == '"') {
			if ((p = jstring(p, tmp, 0)) == NULL)
				return NULL;
		} else if (*p == '[' || *p == '{') {
			depth++;
			p++;
		} else if (*p == ']' || *p == '}') {
			if (--depth < 0)
				return NULL;
			p++;
		} else if (*p == ',' || *p == ':') {
			if (depth == 0)
				return NULL;
			p++;
		} else if (*p != '\0' && strchr("-0123456789tfn", *p)) {
			p += strspn(p, "-+.eE0123456789truefalsn");
		} else
			return NULL;
	} while (depth > 0);
	return p;
}

/* One postqueue -j line: 1 held (it filled), 0 another queue, -1 not
 * postqueue's JSON. */
static int
parse_line(const char *p, struct pfqueue_item *it)
{
	char key[32], qname[32] = "", id[PFQUEUE_ID_MAX + 2] = "";
	long long t = 0;
	char *end;

	if (*(p = ws(p)) != '{')
		return -1;
	p = ws(p + 1);
	while (*p != '}') {
		if ((p = jstring(p, key, sizeof(key))) == NULL ||
		    *(p = ws(p)) != ':')
			return -1;
		p = ws(p + 1);
		if (strcmp(key, "queue_name") == 0 && *p == '"')
			p = jstring(p, qname, sizeof(qname));
		else if (strcmp(key, "queue_id") == 0 && *p == '"')
			p = jstring(p, id, sizeof(id));
		else if (strcmp(key, "arrival_time") == 0 && *p >= '0' &&
		    *p <= '9') {
			t = strtoll(p, &end, 10);
			p = end;
		} else
			p = jskip(p);
		if (p == NULL)
			return -1;
		p = ws(p);
		if (*p == ',')
			p = ws(p + 1);
		else if (*p != '}')
			return -1;
	}
	if (*ws(p + 1) != '\0' || !pfqueue_valid_id(id))
		return -1;
	if (strcmp(qname, "hold") != 0)
		return 0;
	snprintf(it->id, sizeof(it->id), "%s", id);
	it->arrival = (time_t)t;
	return 1;
}

int
pfqueue_held(const char *config_dir, struct pfqueue_item **out,
    size_t *n, unsigned long *lost, char *err, size_t errlen)
{
	const char *argv[5];
	struct pfqueue_item *items = NULL, *bigger, it;
	size_t cap = 0, lcap = 0, lineno = 0;
	char *line = NULL, err2[256];
	ssize_t len;
	int i = 0, r, rc = 0;
	FILE *fp;
	pid_t pid;

	*out = NULL;
	*n = 0;
	*lost = 0;
	argv[i++] = "postqueue";
	if (config_dir != NULL) {
		argv[i++] = "-c";
		argv[i++] = config_dir;
	}
	argv[i++] = "-j";
	argv[i] = NULL;
	if ((pid = run(argv, &fp, err, errlen)) == -1)
		return -1;
	while ((len = getline(&line, &lcap, fp)) != -1) {
		lineno++;
		if (rc == -1)
			continue;	/* read on: no SIGPIPE for postqueue */
		if ((size_t)len > LINE_MAX_BYTES || memchr(line, '\0',
		    (size_t)len) != NULL || (r = parse_line(line, &it)) == -1) {
			snprintf(err, errlen, "postqueue -j: line %zu is not "
			    "a queue entry", lineno);
			rc = -1;
		} else if (r == 1 && *n == PFQUEUE_MAX_HELD)
			(*lost)++;
		else if (r == 1) {
			if (*n == cap) {
				cap = cap ? cap * 2 : 64;
				if ((bigger = realloc(items, cap *
				    sizeof(*items))) == NULL) {
					snprintf(err, errlen, "out of memory");
					rc = -1;
					continue;
				}
				items = bigger;
			}
			items[(*n)++] = it;
		}
	}
	free(line);
	fclose(fp);
	if (reap(pid, "postqueue", err2, sizeof(err2)) == -1 && rc == 0) {
		snprintf(err, errlen, "%s", err2);
		rc = -1;
	}
	if (rc == -1) {
		free(items);
		*n = 0;
		return -1;
	}
	*out = items;
	return 0;
}

int
pfqueue_super(const char *config_dir, enum pfqueue_op op, const char *id,
    char *err, size_t errlen)
{
	const char *argv[7];
	int i = 0;
	pid_t pid;

	if (!pfqueue_valid_id(id)) {
		snprintf(err, errlen, "%.80s: not a Postfix queue id "
		    "(letters and digits)", id);
		return -1;
	}
	argv[i++] = "postsuper";
	if (config_dir != NULL) {
		argv[i++] = "-c";
		argv[i++] = config_dir;
	}
	argv[i++] = op == PFQUEUE_RELEASE ? "-H" : "-d";
	argv[i++] = id;
	if (op == PFQUEUE_DELETE)
		argv[i++] = "hold";	/* never a message in another queue */
	argv[i] = NULL;
	if ((pid = run(argv, NULL, err, errlen)) == -1)
		return -1;
	return reap(pid, "postsuper", err, errlen);
}

int
pfqueue_deliver(const char *config_dir, const char *id, char *err,
    size_t errlen)
{
	const char *argv[6];
	int i = 0;
	pid_t pid;

	if (!pfqueue_valid_id(id)) {
		snprintf(err, errlen, "not a Postfix queue id");
		return -1;
	}
	argv[i++] = "postqueue";
	if (config_dir != NULL) {
		argv[i++] = "-c";
		argv[i++] = config_dir;
	}
	argv[i++] = "-i";
	argv[i++] = id;
	argv[i] = NULL;
	if ((pid = run(argv, NULL, err, errlen)) == -1)
		return -1;
	return reap(pid, "postqueue", err, errlen);
}
