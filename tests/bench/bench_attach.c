/*
 * bench_attach.c - memory and time of the attachment policy on a 50 MB
 * message.  Not a unit test: build with `make tests/bench/bench_attach`
 * and run it (no arguments; $TMPDIR for the spool file).
 *
 * The message is generated as a stream and fed to a spool in 64 KB
 * chunks, as the milter receives it: a text part, a 30 MB attachment of
 * pseudo-random bytes and a 7 MB zip (written with libarchive) holding a
 * 7 MB member and a small setup.exe, all base64 - about 50 MB in all.
 * It prints the message size, the time of attach_evaluate and the peak
 * RSS (getrusage ru_maxrss), and exits 1 when
 *   - the peak RSS exceeds BENCH_MAX_RSS_KB (32 MB: the message never
 *     sits in memory, only attach_spool_memory of it, plus the libraries),
 *   - the evaluation takes longer than BENCH_MAX_MS (5 s), or
 *   - the setup.exe inside the zip is not found (attach_banned_member).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <archive.h>
#include <archive_entry.h>

#include "util/arena.h"
#include "attach/attach.h"
#include "config/config.h"
#include "util/deadline.h"
#include "attach/spool.h"
#include "verdict/verdict.h"

#define BENCH_MAX_RSS_KB	(32L * 1024)
#define BENCH_MAX_MS		5000
#define BIG			(30UL * 1024 * 1024)
#define ZIPPED			(7UL * 1024 * 1024)

static unsigned long long rng = 0x9e3779b97f4a7c15ULL;

static void
random_bytes(unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		p[i] = (unsigned char)rng;
	}
}

/* Base64 with 76-column CRLF lines, streamed into the spool. */
struct b64 {
	struct spool *sp;
	unsigned char in[3];
	size_t nin, col;
	char out[65536];
	size_t nout;
};

static void
out_flush(struct b64 *b)
{
	char err[256];

	if (b->nout && spool_write(b->sp, b->out, b->nout, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "bench: %s\n", err);
		exit(1);
	}
	b->nout = 0;
}

static void
b64_quad(struct b64 *b, const unsigned char *in, size_t n)
{
	static const char al[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned v = (unsigned)in[0] << 16 | (n > 1 ? (unsigned)in[1] << 8 :
	    0) | (n > 2 ? in[2] : 0);

	if (b->nout + 8 > sizeof(b->out))
		out_flush(b);
	b->out[b->nout++] = al[v >> 18 & 63];
	b->out[b->nout++] = al[v >> 12 & 63];
	b->out[b->nout++] = n > 1 ? al[v >> 6 & 63] : '=';
	b->out[b->nout++] = n > 2 ? al[v & 63] : '=';
	if ((b->col += 4) == 76) {
		b->out[b->nout++] = '\r';
		b->out[b->nout++] = '\n';
		b->col = 0;
	}
}

static void
b64_add(struct b64 *b, const unsigned char *p, size_t n)
{
	while (n-- > 0) {
		b->in[b->nin++] = *p++;
		if (b->nin == 3) {
			b64_quad(b, b->in, 3);
			b->nin = 0;
		}
	}
}

static void
b64_end(struct b64 *b)
{
	if (b->nin)
		b64_quad(b, b->in, b->nin);
	b->nin = 0;
	if (b->nout + 2 > sizeof(b->out))
		out_flush(b);
	b->out[b->nout++] = '\r';
	b->out[b->nout++] = '\n';
	b->col = 0;
	out_flush(b);
}

static void
put(struct spool *sp, const char *s)
{
	char err[256];

	if (spool_write(sp, s, strlen(s), err, sizeof(err)) != 0) {
		fprintf(stderr, "bench: %s\n", err);
		exit(1);
	}
}

/* libarchive writes the zip straight into the base64 encoder. */
static la_ssize_t
zip_out(struct archive *a, void *data, const void *buf, size_t n)
{
	b64_add(data, buf, n);
	return (la_ssize_t)n;
}

static void
add_member(struct archive *z, const char *name, size_t size, int random)
{
	struct archive_entry *e = archive_entry_new();
	unsigned char chunk[65536];
	size_t n;

	archive_entry_set_pathname(e, name);
	archive_entry_set_size(e, (la_int64_t)size);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_write_header(z, e);
	for (; size > 0; size -= n) {
		n = size < sizeof(chunk) ? size : sizeof(chunk);
		if (random)
			random_bytes(chunk, n);
		else
			memset(chunk, 0x90, n);
		archive_write_data(z, chunk, n);
	}
	archive_entry_free(e);
}

static void
build(struct spool *sp)
{
	static struct b64 b;
	unsigned char chunk[65536];
	struct archive *z;
	char err[256];
	size_t left, n;

	b.sp = sp;
	if (spool_write_header(sp, "From", " Anna <anna@example.net>", err,
	    sizeof(err)) != 0)
		exit(1);
	spool_write_header(sp, "To", " bob@example.org", err, sizeof(err));
	spool_write_header(sp, "Subject", " big", err, sizeof(err));
	spool_write_header(sp, "MIME-Version", " 1.0", err, sizeof(err));
	spool_write_header(sp, "Content-Type",
	    " multipart/mixed; boundary=\"bench\"", err, sizeof(err));
	spool_end_headers(sp, err, sizeof(err));
	put(sp, "--bench\r\nContent-Type: text/plain\r\n\r\nBig files.\r\n"
	    "--bench\r\nContent-Type: application/octet-stream\r\n"
	    "Content-Disposition: attachment; filename=\"capture.bin\"\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n");
	for (left = BIG; left > 0; left -= n) {
		n = left < sizeof(chunk) ? left : sizeof(chunk);
		random_bytes(chunk, n);
		b64_add(&b, chunk, n);
	}
	b64_end(&b);
	put(sp, "--bench\r\nContent-Type: application/zip\r\n"
	    "Content-Disposition: attachment; filename=\"bundle.zip\"\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n");
	z = archive_write_new();
	archive_write_set_format_zip(z);
	archive_write_open(z, &b, NULL, zip_out, NULL);
	add_member(z, "data/big.dat", ZIPPED, 1);
	add_member(z, "setup.exe", 4096, 0);
	archive_write_close(z);
	archive_write_free(z);
	b64_end(&b);
	put(sp, "--bench--\r\n");
}

int
main(void)
{
	struct config *cfg = config_default();
	struct attach_results res;
	struct attach_ctx *ctx;
	struct verdict v;
	struct rusage ru;
	struct arena *a;
	struct spool *sp;
	char err[256];
	long long t0, ms;
	long before;
	size_t i;
	int found = 0, bad = 0;

	if (cfg == NULL || (ctx = attach_ctx_new(cfg, err,
	    sizeof(err))) == NULL || (a = arena_new()) == NULL ||
	    (sp = spool_new(a, cfg->attach_spool_memory,
	    cfg->attach_tmpdir)) == NULL) {
		fprintf(stderr, "bench: setup failed\n");
		return 1;
	}
	build(sp);
	getrusage(RUSAGE_SELF, &ru);
	before = ru.ru_maxrss;
	memset(&v, 0, sizeof(v));
	t0 = deadline_now_ms();
	if (attach_evaluate(ctx, sp, NULL, a, &res, &v, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "bench: %s\n", err);
		return 1;
	}
	ms = deadline_now_ms() - t0;
	getrusage(RUSAGE_SELF, &ru);
	for (i = 0; i < v.nreasons; i++)
		found |= strcmp(v.reasons[i].rule, "attach_banned_member") == 0;
	printf("message %.1f MB (spool in memory up to %u bytes), "
	    "%zu items, %zu reasons, hard action %s\n",
	    spool_size(sp) / 1048576.0, cfg->attach_spool_memory, res.nitems,
	    v.nreasons, verdict_action_name(res.hard_action));
	printf("attach_evaluate %lld ms (bound %d), peak RSS %ld KB "
	    "(bound %ld; %ld KB before the evaluation)\n", ms, BENCH_MAX_MS,
	    ru.ru_maxrss, BENCH_MAX_RSS_KB, before);
	if (!found) {
		fprintf(stderr, "bench: setup.exe in the zip was not found\n");
		bad = 1;
	}
	if (ru.ru_maxrss > BENCH_MAX_RSS_KB || ms > BENCH_MAX_MS) {
		fprintf(stderr, "bench: bound exceeded\n");
		bad = 1;
	}
	arena_free(a);
	attach_ctx_free(ctx);
	config_free(cfg);
	return bad;
}
