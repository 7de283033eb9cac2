/*
 * scanworker.c - an attachment worker process (see scanworker.h).
 *
 * Exports scanworker_main.  Owns, for its whole life, the settings of
 * its generation and an attach_ctx; per message an arena (the spool,
 * the results) freed after the reply.
 * Thread rule: one thread.
 * Caps: a settings text of at most CONFIG_TEXT_MAX bytes; the walk's own
 * caps (attach.h); the rlimits and the filter of scanworker.h.
 */
#include <sys/mman.h>
#include <sys/resource.h>
#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/arena.h"
#include "util/deadline.h"
#include "config/config.h"
#include "attach/attach.h"
#include "attach/spool.h"
#include "scan/scanfilter.h"
#include "scan/scanhost.h"
#include "scan/scanio.h"
#include "scan/scanwire.h"
#include "scan/scanworker.h"

#define CONFIG_TEXT_MAX	(16 * 1024 * 1024)

/* Converters GMime may need for names and headers, loaded before the
 * filter forbids opening their modules; kept open so they stay loaded.
 * A charset not here decodes as GMime does without a converter. */
static const char *const charsets[] = {
	"ISO-8859-1", "ISO-8859-2", "ISO-8859-3", "ISO-8859-4",
	"ISO-8859-5", "ISO-8859-6", "ISO-8859-7", "ISO-8859-8",
	"ISO-8859-9", "ISO-8859-10", "ISO-8859-13", "ISO-8859-14",
	"ISO-8859-15", "ISO-8859-16", "WINDOWS-1250", "WINDOWS-1251",
	"WINDOWS-1252", "WINDOWS-1253", "WINDOWS-1254", "WINDOWS-1255",
	"WINDOWS-1256", "WINDOWS-1257", "WINDOWS-1258", "KOI8-R",
	"KOI8-U", "CP866", "CP850", "CP437", "MACINTOSH", "ISO-2022-JP",
	"SHIFT_JIS", "CP932", "EUC-JP", "ISO-2022-KR", "EUC-KR", "CP949",
	"GB2312", "GBK", "GB18030", "BIG5", "BIG5-HKSCS", "EUC-TW",
	"TIS-620", "CP874", "VISCII", "UTF-16", "UTF-16LE", "UTF-16BE",
	"UTF-32", "UTF-7", "UCS-2", "US-ASCII",
};
static iconv_t converters[sizeof(charsets) / sizeof(charsets[0])];
static int converters_loaded;

static void
preload_converters(void)
{
	size_t i;

	if (converters_loaded)
		return;
	converters_loaded = 1;
	for (i = 0; i < sizeof(charsets) / sizeof(charsets[0]); i++)
		converters[i] = iconv_open("UTF-8", charsets[i]);
}

void
scanworker_prepare(void)
{
	tzset();
	preload_converters();
	(void)attach_prepare();
}

static void __attribute__((noreturn))
die_ready(int sock, const char *err)
{
	struct scanbuf b = { NULL, 0, 0, 0 };

	scanwire_put_error(&b, err, 1);
	if (!b.failed)
		(void)scanio_send_frame(sock, b.p, b.len, -1);
	_exit(1);
}

/* The settings text, whole, from the memfd. */
static char *
read_settings(int fd)
{
	char *buf;
	size_t len = 0;
	ssize_t r;

	if ((buf = malloc(CONFIG_TEXT_MAX + 1)) == NULL)
		return NULL;
	while (len < CONFIG_TEXT_MAX) {
		r = pread(fd, buf + len, CONFIG_TEXT_MAX - len, (off_t)len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	buf[len] = '\0';
	return buf;
}

/* Channel to 3, settings to 4, stdin and stdout to /dev/null, stderr
 * kept (the sanitizers report there), everything else closed. */
static int
own_descriptors(int *sock, int *cfgfd)
{
	int null;

	if (*sock != 3) {
		if (*cfgfd == 3 && (*cfgfd = fcntl(3, F_DUPFD_CLOEXEC, 5)) < 0)
			return -1;
		if (dup3(*sock, 3, O_CLOEXEC) == -1)
			return -1;
		*sock = 3;
	}
	if (*cfgfd != 4) {
		if (dup3(*cfgfd, 4, O_CLOEXEC) == -1)
			return -1;
		*cfgfd = 4;
	}
	(void)close_range(5, ~0U, 0);
	if ((null = open("/dev/null", O_RDWR | O_CLOEXEC)) >= 0) {
		(void)dup2(null, 0);
		(void)dup2(null, 1);
		if (null > 2)
			(void)close(null);
	}
	return 0;
}

/* The directory scratch files go to, open O_PATH; -1 when it cannot be
 * (then they are memfds). */
static int
scratch_dir(const struct config *cfg)
{
	const char *dir = cfg->attach_tmpdir;

	if (dir == NULL || *dir == '\0')
		dir = getenv("TMPDIR");
	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	return open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

static void
limits(const struct config *cfg)
{
	struct rlimit rl;
	rlim_t fsize;

	rl.rlim_cur = rl.rlim_max = 0;
	(void)setrlimit(RLIMIT_CORE, &rl);
	(void)setrlimit(RLIMIT_NPROC, &rl);
	rl.rlim_cur = rl.rlim_max = 256;
	(void)setrlimit(RLIMIT_NOFILE, &rl);
	/* Scratch spools hold at most the decoded or extracted bytes. */
	fsize = (rlim_t)cfg->attach_max_decoded_bytes +
	    cfg->attach_archive_max_bytes + (rlim_t)cfg->attach_spool_memory;
	rl.rlim_cur = rl.rlim_max = fsize;
	(void)setrlimit(RLIMIT_FSIZE, &rl);
#if !defined(__SANITIZE_ADDRESS__) && !defined(RW_SANITIZERS)
	if (cfg->attach_worker_memory_mb > 0) {
		rl.rlim_cur = rl.rlim_max =
		    (rlim_t)cfg->attach_worker_memory_mb << 20;
		(void)setrlimit(RLIMIT_AS, &rl);
	}
#endif
}

/* RLIMIT_CPU counts the process's whole life: each message gets the
 * time used so far plus its own allowance. */
static void
cpu_allowance(const struct config *cfg)
{
	struct rlimit rl;
	rlim_t s = cfg->attach_worker_cpu_s;

	if (s == 0)
		s = (rlim_t)cfg->attach_max_cpu_ms * 2 / 1000 + 2;
	rl.rlim_cur = (rlim_t)(deadline_cpu_ms() / 1000) + s;
	rl.rlim_max = RLIM_INFINITY;
	(void)setrlimit(RLIMIT_CPU, &rl);
}

/* The window the daemon copies messages into (SCANWIRE_SET_WINDOW). */
static const unsigned char *window;
static size_t window_len;

static int
set_window(int fd, unsigned long long len)
{
	void *m;

	if (window != NULL || fd < 0 || len == 0 || len > SIZE_MAX)
		return -1;
	if ((m = mmap(NULL, (size_t)len, PROT_READ, MAP_SHARED, fd, 0)) ==
	    MAP_FAILED)
		return -1;
	window = m;
	window_len = (size_t)len;
	return 0;
}

/* One request: 0 when the worker may serve another. */
static int
serve_one(int sock, struct attach_ctx *ctx, const struct config *cfg,
    unsigned *served)
{
	struct scanbuf b = { NULL, 0, 0, 0 };
	struct attach_results res;
	enum scanwire_kind kind;
	unsigned long long len;
	struct verdict v;
	struct arena *a;
	struct spool *sp = NULL;
	unsigned char *req;
	const char *from;
	char err[256];
	size_t n;
	int fd, retiring = *served + 1 >= WORKER_MAX_MESSAGES, rc;

	if ((rc = scanio_recv_frame(sock, SCANWIRE_MAX_REQUEST, 0, &req, &n,
	    &fd)) != 0)
		return -1;
	if ((a = arena_new()) == NULL) {
		scanwire_put_error(&b, "out of memory", 1);
		retiring = 1;
		goto reply;
	}
	if (scanwire_get_request(req, n, a, &kind, &len, &from) == -1) {
		scanwire_put_error(&b, "bad request", 1);
		retiring = 1;
		goto reply;
	}
	if (kind == SCANWIRE_SET_WINDOW) {
		rc = set_window(fd, len);
		if (fd >= 0)
			(void)close(fd);
		free(req);
		arena_free(a);
		return rc;
	}
	if (kind == SCANWIRE_WINDOW && (fd >= 0 || window == NULL ||
	    len > window_len)) {
		scanwire_put_error(&b, "bad request", 1);
		retiring = 1;
		goto reply;
	}
	if (kind == SCANWIRE_WINDOW)
		sp = spool_from_memory(a, window, (size_t)len);
	else if (fd < 0) {
		scanwire_put_error(&b, "bad request", 1);
		retiring = 1;
		goto reply;
	} else {
		/* Mapped only up to what the daemon itself keeps in
		 * memory: a bigger message is read 64 KB at a time, so a
		 * worker's memory does not grow with the message. */
		sp = spool_from_fd(a, fd, cfg->attach_spool_memory, err,
		    sizeof(err));
		fd = -1;
	}
	if (sp == NULL) {
		scanwire_put_error(&b, "cannot read the message", retiring);
		goto reply;
	}
	(*served)++;
	memset(&v, 0, sizeof(v));
	cpu_allowance(cfg);
	if (attach_evaluate(ctx, sp, from, a, &res, &v, err,
	    sizeof(err)) == -1)
		scanwire_put_error(&b, err, retiring);
	else
		scanwire_put_reply(&b, &res, &v, retiring);
reply:
	if (fd >= 0)
		(void)close(fd);
	free(req);
	rc = -1;
	if (!b.failed && scanio_send_frame(sock, b.p, b.len, -1) == 0)
		rc = retiring ? -1 : 0;
	scanbuf_free(&b);
	arena_free(a);
	return rc;
}

void
scanworker_main(int sock, int cfgfd)
{
	struct scanbuf b = { NULL, 0, 0, 0 };
	struct attach_ctx *ctx;
	struct config *cfg;
	char err[256], *text;
	unsigned served;
	int scratch;

	scanhost_child("rw-worker");
	(void)signal(SIGXFSZ, SIG_IGN);		/* a write fails instead */
	(void)signal(SIGXCPU, SIG_DFL);
	if (own_descriptors(&sock, &cfgfd) == -1)
		_exit(1);
	if ((text = read_settings(cfgfd)) == NULL)
		die_ready(sock, "out of memory");
	(void)close(cfgfd);
	if (config_load_text(text, &cfg, err, sizeof(err)) == -1)
		die_ready(sock, err);
	free(text);
	scratch = scratch_dir(cfg);
	spool_use_scratch(scratch);
	tzset();
	preload_converters();
	if ((ctx = attach_ctx_new(cfg, err, sizeof(err))) == NULL)
		die_ready(sock, err);
	limits(cfg);
	if (scanfilter_apply(scratch, err, sizeof(err)) == -1)
		die_ready(sock, err);
	scanwire_put_ready(&b);
	if (b.failed || scanio_send_frame(sock, b.p, b.len, -1) == -1)
		_exit(1);
	scanbuf_free(&b);
	served = 0;
	while (serve_one(sock, ctx, cfg, &served) == 0)
		;
	_exit(0);
}
