/*
 * scanpool.c - the daemon's pool of attachment workers (see scanpool.h).
 *
 * Exports scanpool_*.  Owns per generation: the settings memfd, one slot
 * per worker (channel, pidfd), released by scanpool_free; per message
 * only arena memory and the descriptor handed over (closed at once).
 * Thread rule: scanpool.h (mutex + condition around the slots).
 * Caps: attach_workers_max workers; every wait ends at a deadline
 * (attach_max_time_ms to get a worker, that + SCANPOOL_GRACE_MS for the
 * answer, SCANPOOL_READY_MS for a new worker to start).
 */
#include <sys/mman.h>
#include <sys/syscall.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/arena.h"
#include "util/deadline.h"
#include "util/fdio.h"
#include "util/log.h"
#include "util/metrics.h"
#include "config/config.h"
#include "verdict/verdict.h"
#include "attach/spool.h"
#include "scan/scanhost.h"
#include "scan/scanio.h"
#include "scan/scanpool.h"
#include "scan/scanwire.h"

struct slot {
	int sock;			/* -1: no worker */
	int pidfd;
	pid_t pid;
	int busy;			/* taken by a message (or starting) */
	unsigned char *win;		/* the window, mapped here; NULL:
					   messages go as descriptors */
	size_t winlen;
};

struct scanpool {
	struct scanhost *host;
	const struct config *cfg;
	int cfgfd;
	enum verdict_action incomplete;
	pthread_mutex_t mu;
	pthread_cond_t cv;		/* a slot became free */
	struct slot *slots;
	size_t n;
	struct scanpool_stats st;
};

/* The generation's settings as the worker reads them: a config_dump in
 * a sealed memfd, without the Redis passwords (a worker has no use for
 * them). */
static int
settings_fd(const struct config *cfg, char *err, size_t errlen)
{
	struct config c = *cfg;
	char *text = NULL;
	size_t len = 0;
	FILE *fp;
	int fd = -1;

	c.redis_password = c.redis_sentinel_password = (char *)"";
	if ((fp = open_memstream(&text, &len)) == NULL) {
		snprintf(err, errlen, "attachment workers: out of memory");
		return -1;
	}
	config_dump(&c, fp);
	if (fclose(fp) != 0) {
		snprintf(err, errlen, "attachment workers: out of memory");
		free(text);
		return -1;
	}
	if ((fd = memfd_create("relaywarden-settings", MFD_CLOEXEC |
	    MFD_ALLOW_SEALING)) == -1 || fdio_write_all(fd, text, len) == -1 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW |
	    F_SEAL_WRITE | F_SEAL_SEAL) == -1) {
		snprintf(err, errlen, "attachment workers: settings: %m");
		if (fd >= 0)
			(void)close(fd);
		fd = -1;
	}
	free(text);
	return fd;
}

static void
slot_close(struct slot *s, int kill_it)
{
	if (s->sock < 0)
		return;
	if (kill_it)
		(void)syscall(SYS_pidfd_send_signal, s->pidfd, SIGKILL, NULL,
		    0);
	(void)close(s->sock);
	(void)close(s->pidfd);
	s->sock = s->pidfd = -1;
	s->pid = 0;
	if (s->win != NULL)
		(void)munmap(s->win, s->winlen);
	s->win = NULL;
	s->winlen = 0;
}

/* The slot's window: a memfd of len bytes that no one can resize (a
 * worker that could shrink it would make our copy into it fault), mapped
 * here, handed to the worker once.  Without one, messages travel as
 * descriptors: not an error. */
static void
window_start(struct slot *s, size_t len)
{
	struct scanbuf b = { NULL, 0, 0, 0 };
	void *m = MAP_FAILED;
	int fd;

	if (len == 0 || (fd = memfd_create("relaywarden-window",
	    MFD_CLOEXEC | MFD_ALLOW_SEALING)) == -1)
		return;
	if (ftruncate(fd, (off_t)len) == 0 &&
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW |
	    F_SEAL_SEAL) == 0 &&
	    (m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)) !=
	    MAP_FAILED) {
		scanwire_put_request(&b, SCANWIRE_SET_WINDOW, len, NULL);
		if (!b.failed && scanio_send_frame(s->sock, b.p, b.len, fd) ==
		    0) {
			s->win = m;
			s->winlen = len;
			m = MAP_FAILED;
		}
		scanbuf_free(&b);
	}
	if (m != MAP_FAILED)
		(void)munmap(m, len);
	(void)close(fd);
}

/* A worker for slot s, ready to serve.  0, or -1 with one line in err. */
static int
slot_start(struct scanpool *p, struct slot *s, char *err, size_t errlen)
{
	const char *problem = NULL;
	unsigned char *buf;
	struct arena *a;
	size_t n;
	int fd, r;

	if (scanhost_spawn(p->host, p->cfgfd, &s->sock, &s->pidfd, &s->pid,
	    err, errlen) == -1)
		return -1;
	r = scanio_recv_frame(s->sock, SCANWIRE_MAX_REQUEST,
	    deadline_now_ms() + SCANPOOL_READY_MS, &buf, &n, &fd);
	if (fd >= 0)
		(void)close(fd);
	if (r != 0) {
		snprintf(err, errlen, "attachment worker %ld: %s", (long)s->pid,
		    r == SCANIO_TIMEOUT ? "did not start in time" :
		    "died while starting");
		slot_close(s, 1);
		return -1;
	}
	if ((a = arena_new()) == NULL ||
	    scanwire_get_ready(buf, n, a, &problem) == -1 || problem != NULL) {
		snprintf(err, errlen, "attachment worker: %s", problem != NULL ?
		    problem : "bad first frame");
		slot_close(s, 1);
		r = -1;
	}
	arena_free(a);
	free(buf);
	if (r != 0)
		return -1;
	window_start(s, p->cfg->attach_spool_memory < SCANPOOL_WINDOW_MAX ?
	    p->cfg->attach_spool_memory : SCANPOOL_WINDOW_MAX);
	pthread_mutex_lock(&p->mu);
	p->st.started++;
	pthread_mutex_unlock(&p->mu);
	metrics_count_worker_start();
	return 0;
}

struct scanpool *
scanpool_new(struct scanhost *host, const struct config *cfg, char *err,
    size_t errlen)
{
	pthread_condattr_t ca;
	struct scanpool *p;
	size_t i;

	size_t start = cfg->attach_workers;

	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (p->slots = calloc(start > cfg->attach_workers_max ? start :
	    cfg->attach_workers_max, sizeof(*p->slots))) == NULL) {
		free(p);
		snprintf(err, errlen, "attachment workers: out of memory");
		return NULL;
	}
	p->host = host;
	p->cfg = cfg;
	p->n = start > cfg->attach_workers_max ? start :
	    cfg->attach_workers_max;
	p->incomplete = attach_action_parse(cfg->attach_incomplete_action);
	pthread_mutex_init(&p->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->cv, &ca);
	pthread_condattr_destroy(&ca);
	for (i = 0; i < p->n; i++)
		p->slots[i].sock = p->slots[i].pidfd = -1;
	if ((p->cfgfd = settings_fd(cfg, err, errlen)) == -1) {
		scanpool_free(p);
		return NULL;
	}
	for (i = 0; i < start; i++)
		if (slot_start(p, &p->slots[i], err, errlen) == -1) {
			scanpool_free(p);
			return NULL;
		}
	return p;
}

void
scanpool_free(struct scanpool *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n; i++)
		slot_close(&p->slots[i], 0);
	if (p->cfgfd >= 0)
		(void)close(p->cfgfd);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p->slots);
	free(p);
}

/* An idle worker has nothing to say: a readable or hung-up channel
 * means it died (or misbehaves) between messages. */
static int
idle_alive(const struct slot *s)
{
	struct pollfd pfd = { s->sock, POLLIN, 0 };

	return poll(&pfd, 1, 0) == 0;
}

/* A slot with a live worker, taken; -1 when none came by until. */
static long
acquire(struct scanpool *p, long long until, char *err, size_t errlen)
{
	struct timespec ts;
	size_t i;
	long found;
	int r;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		found = -1;
		for (i = 0; i < p->n && found < 0; i++)
			if (!p->slots[i].busy && p->slots[i].sock >= 0)
				found = (long)i;
		for (i = 0; i < p->n && found < 0; i++)
			if (!p->slots[i].busy)
				found = (long)i;
		if (found >= 0)
			break;
		if (deadline_now_ms() >= until) {
			pthread_mutex_unlock(&p->mu);
			snprintf(err, errlen, "every worker busy");
			return -1;
		}
		ts.tv_sec = (time_t)(until / 1000);
		ts.tv_nsec = (long)(until % 1000) * 1000000L;
		r = pthread_cond_timedwait(&p->cv, &p->mu, &ts);
		(void)r;
	}
	p->slots[found].busy = 1;
	pthread_mutex_unlock(&p->mu);
	if (p->slots[found].sock >= 0 && !idle_alive(&p->slots[found])) {
		slot_close(&p->slots[found], 1);
		metrics_count_worker_end(METRICS_W_DIED);
	}
	if (p->slots[found].sock < 0 &&
	    slot_start(p, &p->slots[found], err, errlen) == -1) {
		pthread_mutex_lock(&p->mu);
		p->slots[found].busy = 0;
		pthread_cond_signal(&p->cv);
		pthread_mutex_unlock(&p->mu);
		return -1;
	}
	return found;
}

/* keep: the worker serves on; else its channel is closed, and a worker
 * that failed (1) or is retired as a suspect (2) is killed too (one
 * retiring by itself exits). */
static void
release(struct scanpool *p, long i, int keep, int failed)
{
	if (!keep && p->slots[i].sock >= 0) {
		slot_close(&p->slots[i], failed);
		metrics_count_worker_end(failed == 1 ? METRICS_W_KILLED :
		    failed == 2 ? METRICS_W_RETIRED : METRICS_W_RECYCLED);
	}
	pthread_mutex_lock(&p->mu);
	p->slots[i].busy = 0;
	p->st.messages++;
	p->st.failed += failed == 1;
	p->st.retired += failed == 2;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

/* The scan did not finish: attach_scan_failed, and the incomplete
 * action whatever the score. */
static int
scan_failed(struct scanpool *p, const char *detail, const char *why,
    long pid, const char *logid, struct arena *a,
    struct attach_results *out, struct verdict *v)
{
	log_warning(logid, "attachment scan failed: %s%s%s (worker %ld); "
	    "the message is held as incomplete (%s)", detail,
	    why != NULL ? ": " : "", why != NULL ? why : "", pid,
	    verdict_action_name(p->incomplete));
	out->truncated = "scan_failed";
	if (verdict_action_strength(p->incomplete) >
	    verdict_action_strength(out->hard_action)) {
		out->hard_action = p->incomplete;
		out->hard_rule = rules_table[RULE_ATTACH_SCAN_FAILED].name;
	}
	if (verdict_raise(v, a, p->cfg, RULE_ATTACH_SCAN_FAILED, detail) == -1)
		return -1;
	verdict_require(v, out->hard_action);
	return 0;
}

/* The walk met broken structure or stopped short. */
static int
suspect(const struct scanwire_reply *r)
{
	size_t i;

	if (r->res.truncated != NULL)
		return 1;
	for (i = 0; i < r->nraised; i++)
		if (r->raised[i].rule == RULE_ATTACH_MALFORMED ||
		    r->raised[i].rule == RULE_ATTACH_TRUNCATED ||
		    r->raised[i].rule == RULE_ATTACH_ARCHIVE_BOMB)
			return 1;
	return 0;
}

/* The worker's answer, scored with our config. */
static int
apply(struct scanpool *p, const struct scanwire_reply *r, struct arena *a,
    struct attach_results *out, struct verdict *v)
{
	size_t i;

	*out = r->res;
	for (i = 0; i < r->nraised; i++)
		if (verdict_raise_about(v, a, p->cfg, r->raised[i].rule,
		    r->raised[i].about, r->raised[i].more,
		    r->raised[i].detail) == -1)
			return -1;
	verdict_require(v, r->hard);
	verdict_require(v, out->hard_action);
	return 0;
}

int
scanpool_evaluate(struct scanpool *p, struct spool *msg,
    const char *from_domain, const char *logid, struct arena *a,
    struct attach_results *out, struct verdict *v, char *err,
    size_t errlen)
{
	const struct config *cfg = p->cfg;
	struct scanbuf req = { NULL, 0, 0, 0 };
	struct scanwire_reply rep;
	const char *detail = NULL;
	unsigned long long size;
	char why[256];
	unsigned char *buf = NULL;
	long long until;
	long i = -1;
	size_t n;
	int fd = -1, extra = -1, r, keep = 0, rc = 0;
	long pid = 0;

	memset(out, 0, sizeof(*out));
	if (!cfg->attach_enable)
		return 0;
	why[0] = '\0';
	until = deadline_now_ms() + cfg->attach_max_time_ms;
	if ((i = acquire(p, until, why, sizeof(why))) < 0) {
		detail = "no_worker";
		goto failed;
	}
	pid = (long)p->slots[i].pid;
	size = spool_size(msg);
	/* In memory and small enough: a copy into the window (no
	 * descriptor, no page to allocate); else the spool's file or a
	 * sealed memfd. */
	if (p->slots[i].win != NULL && spool_in_memory(msg) &&
	    size <= p->slots[i].winlen && spool_pread(msg, p->slots[i].win,
	    (size_t)size, 0) == (ssize_t)size)
		scanwire_put_request(&req, SCANWIRE_WINDOW, size, from_domain);
	else if ((fd = spool_export_fd(msg, why, sizeof(why))) != -1)
		scanwire_put_request(&req, SCANWIRE_SPOOL_FD, size,
		    from_domain);
	else {
		detail = "worker_error";
		keep = 1;
		goto failed;
	}
	if (req.failed || scanio_send_frame(p->slots[i].sock, req.p, req.len,
	    fd) == -1) {
		detail = "worker_died";
		goto failed;
	}
	if (fd >= 0)
		(void)close(fd);
	fd = -1;
	r = scanio_recv_frame(p->slots[i].sock, SCANWIRE_MAX_REPLY,
	    until + SCANPOOL_GRACE_MS, &buf, &n, &extra);
	if (extra >= 0)
		(void)close(extra);
	if (r != 0) {
		detail = r == SCANIO_TIMEOUT ? "worker_timeout" : "worker_died";
		goto failed;
	}
	if (scanwire_get_reply(buf, n, a, &rep, why, sizeof(why)) == -1) {
		detail = "worker_reply";
		goto failed;
	}
	if (rep.error != NULL) {
		snprintf(why, sizeof(why), "%s", rep.error);
		detail = "worker_error";
		keep = !rep.retiring;
		goto failed;
	}
	if (apply(p, &rep, a, out, v) == -1) {
		snprintf(err, errlen, "attachments: out of memory");
		rc = -1;
	}
	/* A worker that walked broken or unfinished structure is where an
	 * exploit would have run: it serves no other message. */
	release(p, i, !rep.retiring && !suspect(&rep), suspect(&rep) ? 2 : 0);
	goto done;
failed:
	if (i >= 0)
		release(p, i, keep, 1);
	else {
		pthread_mutex_lock(&p->mu);
		p->st.failed++;
		pthread_mutex_unlock(&p->mu);
	}
	memset(out, 0, sizeof(*out));
	if (scan_failed(p, detail, why[0] != '\0' ? why : NULL, pid, logid, a,
	    out, v) == -1) {
		snprintf(err, errlen, "attachments: out of memory");
		rc = -1;
	}
done:
	if (fd >= 0)
		(void)close(fd);
	free(buf);
	scanbuf_free(&req);
	return rc;
}

void
scanpool_stats(struct scanpool *p, struct scanpool_stats *out)
{
	pthread_mutex_lock(&p->mu);
	*out = p->st;
	pthread_mutex_unlock(&p->mu);
}

size_t
scanpool_pids(struct scanpool *p, pid_t *pids, size_t n)
{
	size_t i, k = 0;

	pthread_mutex_lock(&p->mu);
	for (i = 0; i < p->n && k < n; i++)
		if (p->slots[i].sock >= 0)
			pids[k++] = p->slots[i].pid;
	pthread_mutex_unlock(&p->mu);
	return k;
}
