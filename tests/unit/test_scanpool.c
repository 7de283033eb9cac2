/*
 * test_scanpool.c - attachment workers with real processes: the fork
 * server, the pool and the worker's sandbox.
 *
 * A worker's verdict equals the walk's in this process, message by
 * message (a program, a zip with a program and a double extension, an
 * ISO-2022-JP name its converter was preloaded for, plain text), from a
 * spool in memory and one on disk.  A worker killed mid-message, one the
 * kernel stops at its CPU limit and one that misses its deadline (it is
 * stopped, then killed) each cost that message only: attach_scan_failed
 * with the incomplete action (quarantine, or tempfail by config), and
 * the next message is scanned by a new worker.  A message that finds
 * every worker busy starts another (up to attach_workers_max), past
 * that it fails as no_worker.  A worker whose walk hit a limit is killed
 * after its answer.  A worker is locked in
 * (seccomp filter mode, no_new_privs, no core, no children, no
 * descriptor but stdio and its channel), and the filter kills exec,
 * socket and fork, refuses open and executable memory.  Freeing a pool
 * ends its workers; a worker that cannot start refuses the generation.
 * The fork server is forked in main(), before cmocka or anything else
 * makes a thread, as the daemon does.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "util/arena.h"
#include "config/config.h"
#include "verdict/verdict.h"
#include "attach/attach.h"
#include "attach/spool.h"
#include "scan/scanfilter.h"
#include "scan/scanhost.h"
#include "scan/scanpool.h"
#include "scanfix.h"

static struct scanhost *host;
static char dir[256];

/* --- messages ------------------------------------------------------- */

static char *
b64(const unsigned char *p, size_t n)
{
	static const char t[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = malloc(n / 57 * 2 + n * 4 / 3 + 16), *o = out;
	size_t i, col = 0;
	unsigned v;

	for (i = 0; i < n; i += 3) {
		v = (unsigned)p[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		*o++ = t[v >> 18 & 63];
		*o++ = t[v >> 12 & 63];
		*o++ = i + 1 < n ? t[v >> 6 & 63] : '=';
		*o++ = i + 2 < n ? t[v & 63] : '=';
		if ((col += 4) == 76) {
			*o++ = '\r';
			*o++ = '\n';
			col = 0;
		}
	}
	*o = '\0';
	return out;
}

/* A message with one base64 attachment. */
static char *
with_attachment(const char *name, const char *type, const unsigned char *p,
    size_t n)
{
	char *enc = b64(p, n), *msg;
	size_t len = strlen(enc) + strlen(name) + 512;

	msg = malloc(len);
	snprintf(msg, len, "From: a@example.net\r\nTo: b@example.org\r\n"
	    "Subject: x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed;"
	    " boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n"
	    "see attached\r\n--b\r\nContent-Type: %s; name=\"%s\"\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n--b--\r\n", type,
	    name, enc);
	free(enc);
	return msg;
}

/* A program (MZ) named and declared as a PDF. */
static char *
program_as_pdf(void)
{
	unsigned char pe[600];

	memset(pe, 0, sizeof(pe));
	pe[0] = 'M';
	pe[1] = 'Z';
	return with_attachment("a.pdf", "application/pdf", pe, sizeof(pe));
}

/* An archive in memory: format (ARCHIVE_FORMAT_*), filter (gzip or
 * none), members name -> size bytes of fill. */
static unsigned char *
archive_of(int format, int gzip, const char *const *names,
    const size_t *sizes, int fill, size_t *outlen)
{
	size_t cap = 1 << 20, i;
	unsigned char *buf = malloc(cap), *data;
	struct archive *w = archive_write_new();
	struct archive_entry *e;

	assert_int_equal(archive_write_set_format(w, format), ARCHIVE_OK);
	if (gzip)
		assert_int_equal(archive_write_add_filter_gzip(w), ARCHIVE_OK);
	assert_int_equal(archive_write_open_memory(w, buf, cap, outlen),
	    ARCHIVE_OK);
	for (i = 0; names[i] != NULL; i++) {
		e = archive_entry_new();
		archive_entry_set_pathname(e, names[i]);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, (la_int64_t)sizes[i]);
		assert_int_equal(archive_write_header(w, e), ARCHIVE_OK);
		data = malloc(sizes[i] + 1);
		memset(data, fill, sizes[i]);
		if (fill == 'M' && sizes[i] >= 2)
			data[1] = 'Z';
		assert_int_equal(archive_write_data(w, data, sizes[i]),
		    (la_ssize_t)sizes[i]);
		free(data);
		archive_entry_free(e);
	}
	assert_int_equal(archive_write_close(w), ARCHIVE_OK);
	archive_write_free(w);
	return buf;
}

/* One gzip member holding n bytes of p (zeros when p is NULL). */
static unsigned char *
gz_raw(const unsigned char *p, size_t n, size_t *outlen)
{
	size_t cap = n + 65536;
	unsigned char *buf = malloc(cap), *zeros = NULL;
	struct archive *w = archive_write_new();
	struct archive_entry *e = archive_entry_new();

	if (p == NULL)
		p = zeros = calloc(1, n);
	assert_int_equal(archive_write_set_format_raw(w), ARCHIVE_OK);
	assert_int_equal(archive_write_add_filter_gzip(w), ARCHIVE_OK);
	assert_int_equal(archive_write_set_bytes_in_last_block(w, 1),
	    ARCHIVE_OK);
	assert_int_equal(archive_write_open_memory(w, buf, cap, outlen),
	    ARCHIVE_OK);
	archive_entry_set_pathname(e, "x");
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_size(e, (la_int64_t)n);
	assert_int_equal(archive_write_header(w, e), ARCHIVE_OK);
	assert_int_equal(archive_write_data(w, p, n), (la_ssize_t)n);
	assert_int_equal(archive_write_close(w), ARCHIVE_OK);
	archive_write_free(w);
	archive_entry_free(e);
	free(zeros);
	return buf;
}

/* A tar.gz whose one member unpacks to mb MB of zeros, as concatenated
 * gzip members (a few KB per GB): listing it costs seconds of CPU. */
static char *
slow_message(unsigned mb)
{
	const char *names[] = { "zeros.bin", NULL };
	size_t sizes[] = { (size_t)mb << 20 }, one = 1 << 20, hlen, zlen, tlen,
	    elen, n = 0, i;
	unsigned char *hdr, *tarh, *zero, *end, *all;
	struct archive *w;
	struct archive_entry *e;
	char *msg;

	/* The tar header alone: a ustar archive cut after 512 bytes. */
	w = archive_write_new();
	tarh = malloc(4096);
	archive_write_set_format_ustar(w);
	archive_write_set_bytes_in_last_block(w, 1);
	archive_write_open_memory(w, tarh, 4096, &tlen);
	e = archive_entry_new();
	archive_entry_set_pathname(e, names[0]);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)sizes[0]);
	assert_int_equal(archive_write_header(w, e), ARCHIVE_OK);
	archive_entry_free(e);
	archive_write_free(w);
	/* gzip members: raw format, one "file" each. */
	hdr = gz_raw(tarh, 512, &hlen);
	zero = gz_raw(NULL, one, &zlen);
	end = gz_raw(NULL, 1024, &elen);
	all = malloc(hlen + zlen * mb + elen);
	memcpy(all + n, hdr, hlen);
	n += hlen;
	for (i = 0; i < mb; i++, n += zlen)
		memcpy(all + n, zero, zlen);
	memcpy(all + n, end, elen);
	n += elen;
	msg = with_attachment("zeros.tar.gz", "application/gzip", all, n);
	free(tarh);
	free(hdr);
	free(zero);
	free(end);
	free(all);
	return msg;
}

/* --- running them ------------------------------------------------------ */

struct outcome {
	struct arena *a;
	struct attach_results r;
	struct verdict v;
};

static void
outcome_free(struct outcome *o)
{
	arena_free(o->a);
	memset(o, 0, sizeof(*o));
}

static struct spool *
spool_of(struct arena *a, const char *text, size_t mem)
{
	struct spool *sp = spool_new(a, mem, dir);
	char err[256];

	assert_non_null(sp);
	if (spool_write(sp, text, strlen(text), err, sizeof(err)) != 0)
		fail_msg("%s", err);
	return sp;
}

static void
in_workers(struct scanpool *p, const char *text, size_t mem,
    struct outcome *o)
{
	char err[256];

	o->a = arena_new();
	memset(&o->v, 0, sizeof(o->v));
	if (scanpool_evaluate(p, spool_of(o->a, text, mem), NULL, "test",
	    o->a, &o->r, &o->v, err, sizeof(err)) != 0)
		fail_msg("%s", err);
}

static void
in_process(struct attach_ctx *c, const char *text, struct outcome *o)
{
	char err[256];

	o->a = arena_new();
	memset(&o->v, 0, sizeof(o->v));
	if (attach_evaluate(c, spool_of(o->a, text, 1 << 20), NULL, o->a,
	    &o->r, &o->v, err, sizeof(err)) != 0)
		fail_msg("%s", err);
}

/* The verdict's reasons as "rule=score:detail,...". */
static void
reasons_of(const struct verdict *v, char *buf, size_t len)
{
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < v->nreasons && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s=%d:%s",
		    i ? "," : "", v->reasons[i].rule, v->reasons[i].score,
		    v->reasons[i].detail != NULL ? v->reasons[i].detail : "");
}

static void
same_outcome(const struct outcome *x, const struct outcome *y)
{
	char a[2048], b[2048];
	size_t i, k;

	reasons_of(&x->v, a, sizeof(a));
	reasons_of(&y->v, b, sizeof(b));
	assert_string_equal(a, b);
	assert_int_equal(x->v.hard, y->v.hard);
	assert_int_equal(x->r.nitems, y->r.nitems);
	assert_int_equal(x->r.parts, y->r.parts);
	assert_int_equal(x->r.hard_action, y->r.hard_action);
	for (i = 0; i < x->r.nitems; i++) {
		assert_string_equal(x->r.items[i].name, y->r.items[i].name);
		assert_int_equal(x->r.items[i].nreasons,
		    y->r.items[i].nreasons);
		for (k = 0; k < x->r.items[i].nreasons; k++)
			assert_string_equal(x->r.items[i].reasons[k],
			    y->r.items[i].reasons[k]);
		assert_int_equal(x->r.items[i].action, y->r.items[i].action);
		assert_int_equal(x->r.items[i].size, y->r.items[i].size);
	}
}

static struct config *
config_with(const char *extra)
{
	return scanfix_config(dir, "", "state_enable = false;\n%s", extra);
}

static struct scanpool *
pool_with(struct config *cfg)
{
	struct scanpool *p;
	char err[256];

	if ((p = scanpool_new(host, cfg, err, sizeof(err))) == NULL)
		fail_msg("scanpool_new: %s", err);
	return p;
}

static int
has_reason(const struct verdict *v, enum rule r, const char *detail)
{
	size_t i;

	for (i = 0; i < v->nreasons; i++)
		if (v->reasons[i].id == r && (detail == NULL ||
		    (v->reasons[i].detail != NULL &&
		    strcmp(v->reasons[i].detail, detail) == 0)))
			return 1;
	return 0;
}

/* --- tests ------------------------------------------------------------ */

static void
worker_verdicts_equal_the_walk_in_process(void **state)
{
	const char *names[] = { "invoice.pdf.exe", "notes.txt", NULL };
	const size_t sizes[] = { 600, 40 };
	unsigned char pe[600], *zip;
	struct config *cfg = config_with("");
	struct scanpool *p = pool_with(cfg);
	struct attach_ctx *c;
	struct outcome w, h;
	char err[256], *msgs[6];
	unsigned char *big;
	size_t zlen, i, mem;

	assert_non_null(c = attach_ctx_new(cfg, err, sizeof(err)));
	memset(pe, 0, sizeof(pe));
	pe[0] = 'M';
	pe[1] = 'Z';
	msgs[0] = with_attachment("report.pdf", "application/pdf", pe,
	    sizeof(pe));
	zip = archive_of(ARCHIVE_FORMAT_ZIP, 0, names, sizes, 'M', &zlen);
	msgs[1] = with_attachment("invoice.zip", "application/zip", zip, zlen);
	free(zip);
	/* ISO-2022-JP: its converter must have been loaded before the
	 * filter closed the file system. */
	msgs[2] = with_attachment("=?ISO-2022-JP?B?GyRCJDMkcyRLJEEkTxsoQg==?="
	    ".exe", "application/octet-stream", pe, sizeof(pe));
	msgs[3] = strdup("From: a@example.net\r\nSubject: hi\r\n\r\nplain\r\n");
	/* Larger than the window (attach_spool_memory, 1 MB). */
	big = calloc(1, 1536 * 1024);
	big[0] = 'M';
	big[1] = 'Z';
	msgs[4] = with_attachment("big.bin", "application/octet-stream",
	    big, 1536 * 1024);
	free(big);
	msgs[5] = NULL;
	for (i = 0; msgs[i] != NULL; i++)
		for (mem = 0; mem <= 4 << 20; mem += 2 << 20) {
			/* mem 0: the spool is a file on disk; 2 MB: in
			 * memory, copied into the window when it fits;
			 * 4 MB: in memory, larger ones go as a memfd. */
			in_process(c, msgs[i], &h);
			in_workers(p, msgs[i], mem, &w);
			same_outcome(&w, &h);
			outcome_free(&w);
			outcome_free(&h);
		}
	/* The name was decoded, not left as an encoded word. */
	in_workers(p, msgs[2], 1 << 20, &w);
	assert_int_equal(w.r.nitems, 1);
	assert_string_equal(w.r.items[0].name,
	    "\xe3\x81\x93\xe3\x82\x93\xe3\x81\xab\xe3\x81\xa1\xe3\x81\xaf.exe");
	assert_true(has_reason(&w.v, RULE_ATTACH_EXECUTABLE, NULL));
	outcome_free(&w);
	for (i = 0; msgs[i] != NULL; i++)
		free(msgs[i]);
	attach_ctx_free(c);
	scanpool_free(p);
	config_free(cfg);
}

struct killer {
	struct scanpool *p;
	int sig;
	unsigned delay_ms;
};

static void *
kill_workers(void *arg)
{
	struct killer *k = arg;
	pid_t pids[16];
	size_t n, i;

	(void)usleep(k->delay_ms * 1000);
	n = scanpool_pids(k->p, pids, 16);
	for (i = 0; i < n; i++)
		(void)kill(pids[i], k->sig);
	return NULL;
}

/* The message after a failure is scanned by a new worker. */
static void
next_message_is_scanned(struct scanpool *p, unsigned long long started)
{
	struct scanpool_stats st;
	struct outcome o;
	char *msg = program_as_pdf();

	in_workers(p, msg, 1 << 20, &o);
	assert_true(has_reason(&o.v, RULE_ATTACH_EXECUTABLE, NULL));
	assert_false(has_reason(&o.v, RULE_ATTACH_SCAN_FAILED, NULL));
	scanpool_stats(p, &st);
	assert_true(st.started > started);
	outcome_free(&o);
	free(msg);
}

static const char *slow_limits =
    "attach_max_cpu_ms = 600000;\nattach_max_time_ms = 600000;\n"
    "attach_archive_max_bytes = 2147483647;\n"
    "attach_archive_max_ratio = 1000000;\nattach_workers = 1;\n";

static void
killed_mid_message_costs_that_message(void **state)
{
	struct config *cfg = config_with(slow_limits);
	struct scanpool *p = pool_with(cfg);
	struct killer k = { p, SIGKILL, 300 };
	struct scanpool_stats st;
	struct outcome o;
	pthread_t t;
	char *msg = slow_message(4000);

	scanpool_stats(p, &st);
	assert_int_equal(pthread_create(&t, NULL, kill_workers, &k), 0);
	in_workers(p, msg, 1 << 20, &o);
	pthread_join(t, NULL);
	assert_true(has_reason(&o.v, RULE_ATTACH_SCAN_FAILED, "worker_died"));
	assert_int_equal(o.v.hard, VERDICT_QUARANTINE);
	assert_string_equal(o.r.truncated, "scan_failed");
	outcome_free(&o);
	next_message_is_scanned(p, st.started);
	free(msg);
	scanpool_free(p);
	config_free(cfg);
}

static void
cpu_limit_stops_a_spinning_worker(void **state)
{
	char extra[512];
	struct config *cfg;
	struct scanpool *p;
	struct scanpool_stats st;
	struct outcome o;
	char *msg = slow_message(4000);

	/* The walk's own budget is ten minutes: only the kernel's limit
	 * can end it, at one second of CPU. */
	snprintf(extra, sizeof(extra), "%sattach_worker_cpu_s = 1;\n",
	    slow_limits);
	cfg = config_with(extra);
	p = pool_with(cfg);
	scanpool_stats(p, &st);
	in_workers(p, msg, 1 << 20, &o);
	assert_true(has_reason(&o.v, RULE_ATTACH_SCAN_FAILED, "worker_died"));
	assert_int_equal(o.v.hard, VERDICT_QUARANTINE);
	outcome_free(&o);
	next_message_is_scanned(p, st.started);
	free(msg);
	scanpool_free(p);
	config_free(cfg);
}

static void
missed_deadline_kills_the_worker(void **state)
{
	struct config *cfg = config_with("attach_max_time_ms = 200;\n"
	    "attach_workers = 1;\nattach_incomplete_action = \"tempfail\";\n");
	struct scanpool *p = pool_with(cfg);
	struct scanpool_stats st;
	struct outcome o;
	pid_t pid;
	int i;

	/* A worker that does not answer at all (stopped). */
	assert_int_equal(scanpool_pids(p, &pid, 1), 1);
	assert_int_equal(kill(pid, SIGSTOP), 0);
	scanpool_stats(p, &st);
	in_workers(p, "From: a@example.net\r\n\r\nhi\r\n", 1 << 20, &o);
	assert_true(has_reason(&o.v, RULE_ATTACH_SCAN_FAILED,
	    "worker_timeout"));
	/* tempfail by config */
	assert_int_equal(o.v.hard, VERDICT_TEMPFAIL);
	outcome_free(&o);
	/* It was killed (SIGKILL ends a stopped process): the fork server
	 * reaps it. */
	for (i = 0; i < 100 && kill(pid, 0) == 0; i++)
		(void)usleep(20000);
	assert_int_not_equal(kill(pid, 0), 0);
	next_message_is_scanned(p, st.started);
	scanpool_free(p);
	config_free(cfg);
}

struct async_eval {
	struct scanpool *p;
	const char *text;
	struct outcome o;
};

static void *
eval_thread(void *arg)
{
	struct async_eval *e = arg;

	in_workers(e->p, e->text, 1 << 20, &e->o);
	return NULL;
}

static void
busy_pool_starts_another_worker(void **state)
{
	char extra[512];
	struct config *cfg;
	struct scanpool *p;
	struct scanpool_stats st;
	struct async_eval slow;
	struct outcome o;
	struct killer k;
	pthread_t t;
	char *fast = program_as_pdf();

	snprintf(extra, sizeof(extra), "%sattach_workers_max = 2;\n",
	    slow_limits);
	cfg = config_with(extra);
	p = pool_with(cfg);
	slow.p = p;
	slow.text = slow_message(4000);
	assert_int_equal(pthread_create(&t, NULL, eval_thread, &slow), 0);
	(void)usleep(300000);
	/* The one worker is busy for seconds: the next message gets a
	 * second worker at once instead of waiting ten minutes. */
	in_workers(p, fast, 1 << 20, &o);
	assert_true(has_reason(&o.v, RULE_ATTACH_EXECUTABLE, NULL));
	outcome_free(&o);
	scanpool_stats(p, &st);
	assert_int_equal(st.started, 2);
	k.p = p;
	k.sig = SIGKILL;
	k.delay_ms = 0;
	(void)kill_workers(&k);
	pthread_join(t, NULL);
	assert_true(has_reason(&slow.o.v, RULE_ATTACH_SCAN_FAILED,
	    "worker_died"));
	outcome_free(&slow.o);
	free((char *)slow.text);
	free(fast);
	scanpool_free(p);
	config_free(cfg);
}

static void
full_pool_fails_as_no_worker(void **state)
{
	struct config *cfg = config_with("attach_max_time_ms = 200;\n"
	    "attach_workers = 1;\nattach_workers_max = 1;\n");
	struct scanpool *p = pool_with(cfg);
	struct async_eval a;
	struct outcome o;
	pthread_t t;
	pid_t pid;
	int timeout, none;

	assert_int_equal(scanpool_pids(p, &pid, 1), 1);
	assert_int_equal(kill(pid, SIGSTOP), 0);
	a.p = p;
	a.text = "From: a@example.net\r\n\r\nhi\r\n";
	assert_int_equal(pthread_create(&t, NULL, eval_thread, &a), 0);
	(void)usleep(100000);
	in_workers(p, a.text, 1 << 20, &o);
	pthread_join(t, NULL);
	/* One message took the stopped worker (killed at its deadline),
	 * the other found no worker free within attach_max_time_ms. */
	timeout = has_reason(&o.v, RULE_ATTACH_SCAN_FAILED,
	    "worker_timeout") + has_reason(&a.o.v, RULE_ATTACH_SCAN_FAILED,
	    "worker_timeout");
	none = has_reason(&o.v, RULE_ATTACH_SCAN_FAILED, "no_worker") +
	    has_reason(&a.o.v, RULE_ATTACH_SCAN_FAILED, "no_worker");
	assert_int_equal(timeout, 1);
	assert_int_equal(none, 1);
	assert_int_equal(o.v.hard, VERDICT_QUARANTINE);
	assert_int_equal(a.o.v.hard, VERDICT_QUARANTINE);
	outcome_free(&o);
	outcome_free(&a.o);
	scanpool_free(p);
	config_free(cfg);
}

static void
suspect_walk_retires_the_worker(void **state)
{
	struct config *cfg = config_with("attach_workers = 1;\n"
	    "attach_max_mime_parts = 2;\n");
	struct scanpool *p = pool_with(cfg);
	struct scanpool_stats st;
	struct outcome o;
	pid_t before, after;
	char *clean = program_as_pdf();
	const char *cut = "From: a@example.net\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\n"
	    "one\r\n--b\r\n\r\ntwo\r\n--b\r\n\r\nthree\r\n--b--\r\n";
	int i;

	assert_int_equal(scanpool_pids(p, &before, 1), 1);
	in_workers(p, clean, 1 << 20, &o);
	outcome_free(&o);
	assert_int_equal(scanpool_pids(p, &after, 1), 1);
	assert_int_equal(before, after);	/* an ordinary walk: kept */
	in_workers(p, cut, 1 << 20, &o);
	assert_true(has_reason(&o.v, RULE_ATTACH_TRUNCATED, NULL));
	outcome_free(&o);
	/* Past a limit: that worker serves nobody else. */
	assert_int_equal(scanpool_pids(p, &after, 1), 0);
	for (i = 0; i < 100 && kill(before, 0) == 0; i++)
		(void)usleep(20000);
	assert_int_not_equal(kill(before, 0), 0);
	scanpool_stats(p, &st);
	assert_int_equal(st.retired, 1);
	assert_int_equal(st.failed, 0);
	next_message_is_scanned(p, st.started);
	free(clean);
	scanpool_free(p);
	config_free(cfg);
}

static int
status_has(pid_t pid, const char *file, const char *line)
{
	char path[64], buf[256];
	FILE *fp;
	int found = 0;

	snprintf(path, sizeof(path), "/proc/%ld/%s", (long)pid, file);
	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	while (!found && fgets(buf, sizeof(buf), fp) != NULL)
		found = strncmp(buf, line, strlen(line)) == 0;
	fclose(fp);
	return found;
}

static void
worker_is_locked_in(void **state)
{
	struct config *cfg;
	struct scanpool *p;
	struct dirent *d;
	char path[600], link[600], extra[400];
	ssize_t k;
	pid_t pid;
	DIR *dp;
	int n = 0, fd;

	snprintf(extra, sizeof(extra), "attach_workers = 1;\n"
	    "attach_tmpdir = \"%s\";\n", dir);
	cfg = config_with(extra);
	p = pool_with(cfg);
	assert_int_equal(scanpool_pids(p, &pid, 1), 1);
	assert_true(status_has(pid, "status", "Seccomp:\t2"));
	assert_true(status_has(pid, "status", "NoNewPrivs:\t1"));
	assert_true(status_has(pid, "limits", "Max core file size        0"));
	assert_true(status_has(pid, "limits", "Max processes             0"));
	assert_true(status_has(pid, "comm", "rw-worker"));
	/* stdio, its channel and its scratch directory, nothing else. */
	snprintf(path, sizeof(path), "/proc/%ld/fd", (long)pid);
	assert_non_null(dp = opendir(path));
	while ((d = readdir(dp)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		fd = atoi(d->d_name);
		assert_true(fd >= 0 && fd <= 4);
		if (fd == 4) {
			snprintf(path, sizeof(path), "/proc/%ld/fd/4",
			    (long)pid);
			k = readlink(path, link, sizeof(link) - 1);
			assert_true(k > 0);
			link[k] = '\0';
			assert_string_equal(link, dir);
		}
		n++;
	}
	closedir(dp);
	assert_int_equal(n, 5);
	scanpool_free(p);
	config_free(cfg);
}

static int scratch = -1;

/* Runs fn in a child under the filter (scratch directory: the test's
 * own); its wait status. */
static int
filtered(void (*fn)(void))
{
	char err[256];
	pid_t pid;
	int st;

	if ((pid = fork()) == 0) {
		if ((scratch = open(dir, O_PATH | O_DIRECTORY)) == -1 ||
		    scanfilter_apply(scratch, err, sizeof(err)) != 0)
			_exit(99);
		fn();
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return st;
}

static void
do_socket(void)
{
	(void)socket(AF_INET, SOCK_STREAM, 0);
}

static void
do_exec(void)
{
	char *argv[] = { (char *)"/bin/true", NULL };

	(void)execv("/bin/true", argv);
	_exit(3);
}

static void
do_fork(void)
{
	(void)fork();
}

static void
do_open(void)
{
	_exit(open("/etc/hostname", O_RDONLY) == -1 && (errno == EACCES ||
	    errno == EPERM) ? 7 : 8);
}

/* A named file, even in the scratch directory, is refused. */
static void
do_create(void)
{
	_exit(openat(scratch, "named", O_RDWR | O_CREAT, 0600) == -1 ? 7 :
	    8);
}

/* A nameless one there is what scratch spools are. */
static void
do_scratch(void)
{
	int fd = openat(scratch, ".", O_TMPFILE | O_RDWR, 0600);

	_exit(fd >= 0 && write(fd, "x", 1) == 1 ? 7 : 8);
}

static void
do_exec_memory(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE |
	    MAP_ANONYMOUS, -1, 0);

	_exit(p == MAP_FAILED && errno == EPERM ? 7 : 8);
}

static void
do_work(void)
{
	char err[64];
	int fd = memfd_create("t", MFD_CLOEXEC);

	_exit(fd >= 0 && write(fd, "x", 1) == 1 && getpid() > 0 &&
	    snprintf(err, sizeof(err), "%d", fd) > 0 ? 7 : 8);
}

static void
filter_kills_exec_socket_fork_refuses_open(void **state)
{
	int st;

	st = filtered(do_socket);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS);
	st = filtered(do_exec);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS);
	st = filtered(do_fork);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS);
	st = filtered(do_open);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 7);
	st = filtered(do_create);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 7);
	st = filtered(do_scratch);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 7);
	st = filtered(do_exec_memory);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 7);
	/* What a worker does all day still works. */
	st = filtered(do_work);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 7);
}

static void
freeing_a_pool_ends_its_workers(void **state)
{
	struct config *cfg = config_with("attach_workers = 3;\n");
	struct scanpool *p = pool_with(cfg);
	pid_t pids[3];
	size_t i;
	int n, left;

	assert_int_equal(scanpool_pids(p, pids, 3), 3);
	scanpool_free(p);
	for (n = 0; n < 250; n++) {
		for (left = 0, i = 0; i < 3; i++)
			left += kill(pids[i], 0) == 0;
		if (left == 0)
			break;
		(void)usleep(20000);
	}
	assert_int_equal(left, 0);
	config_free(cfg);
}

static void
worker_that_cannot_start_refuses_the_generation(void **state)
{
	struct config *cfg = config_with("");
	struct scanhost *h;
	char err[256];

	/* A fork server started with no magic database to load. */
	setenv("MAGIC", "/nonexistent/magic.mgc", 1);
	assert_non_null(h = scanhost_start(err, sizeof(err)));
	unsetenv("MAGIC");
	assert_null(scanpool_new(h, cfg, err, sizeof(err)));
	assert_non_null(strstr(err, "libmagic"));
	scanhost_stop(h);
	config_free(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(worker_verdicts_equal_the_walk_in_process),
		cmocka_unit_test(killed_mid_message_costs_that_message),
		cmocka_unit_test(cpu_limit_stops_a_spinning_worker),
		cmocka_unit_test(missed_deadline_kills_the_worker),
		cmocka_unit_test(busy_pool_starts_another_worker),
		cmocka_unit_test(full_pool_fails_as_no_worker),
		cmocka_unit_test(suspect_walk_retires_the_worker),
		cmocka_unit_test(worker_is_locked_in),
		cmocka_unit_test(filter_kills_exec_socket_fork_refuses_open),
		cmocka_unit_test(freeing_a_pool_ends_its_workers),
		cmocka_unit_test(worker_that_cannot_start_refuses_the_generation),
	};
	char err[256];
	int rc;

	/* One thread still: fork the server now, as the daemon does. */
	if ((host = scanhost_start(err, sizeof(err))) == NULL) {
		fprintf(stderr, "scanhost_start: %s\n", err);
		return 99;
	}
	if (scanfix_mkdtemp(dir, sizeof(dir), "test_scanpool") == -1)
		return 99;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	scanhost_stop(host);
	(void)scanfix_rmdir(dir);
	return rc;
}
