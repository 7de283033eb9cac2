/*
 * log.c - the daemon's log: syslog(3), or stderr in the foreground.
 *
 * Exports log_*.  Owns the current ident, facility, level and destination
 * (process-wide, as syslog's own state is).  Thread rule: any thread may
 * log at any time; log_open and log_set_level may run concurrently with
 * logging (a reload): the scalars are atomics, the ident is copied under a
 * mutex.
 *
 * A line is "ID: text" (the queue or connection id first, as Postfix
 * does), prefixed "warning: ", "error: " or "debug: " below and above the
 * info level.  On stderr every line also carries its level word ("info: ")
 * and the ident, and goes out in one write(2) so that threads never
 * interleave inside a line.  In the daemon's foreground (-f) a line also
 * starts with its time, RFC 3339 UTC with milliseconds
 * (log_set_timestamps).  Notices (log_notice: a good thing worth
 * knowing, such as Redis answering again) are syslog's LOG_NOTICE, shown
 * from the info level on.  syslog_facility goes with every syslog(3)
 * call, so a reload that changes it (log_set_facility) takes effect.
 * Caps: a line is at most LOG_LINE_MAX bytes; longer ones end in "...".
 * Control bytes (below 0x20 and 0x7f) become '?' before output, so mail
 * text cannot forge log lines (Postfix printable()).  log_value quotes and
 * escapes one value from outside for a key=value line (the rule is in
 * log.h and the README), so mail text cannot forge a field either.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "util/arena.h"
#include "util/fdio.h"
#include "util/log.h"

#define LOG_LINE_MAX	2048
#define LOG_IDENT_MAX	64

static atomic_int cur_level = LOG_L_INFO;
static atomic_int cur_stderr = 1;	/* until log_open: tools and tests */
static atomic_int cur_facility = LOG_MAIL;
static atomic_int cur_stamps = 0;
static pthread_mutex_t ident_lock = PTHREAD_MUTEX_INITIALIZER;
static char ident[LOG_IDENT_MAX] = "relaywarden";

static const struct {
	const char *word;
	int value;
} facilities[] = {
	{ "mail", LOG_MAIL }, { "daemon", LOG_DAEMON }, { "user", LOG_USER },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
};

/* Config words; "error" is shown in lines, "err" is what syslog calls it
 * and what the config accepts (both parse). */
static const char *const levels[] = {
	[LOG_L_ERR] = "err",
	[LOG_L_WARNING] = "warning",
	[LOG_L_INFO] = "info",
	[LOG_L_DEBUG] = "debug",
};

static const int priorities[] = {
	[LOG_L_ERR] = LOG_ERR,
	[LOG_L_WARNING] = LOG_WARNING,
	[LOG_L_INFO] = LOG_INFO,
	[LOG_L_DEBUG] = LOG_DEBUG,
};

void
log_open(const char *name, int facility, int to_stderr)
{
	pthread_mutex_lock(&ident_lock);
	if (name != NULL)
		snprintf(ident, sizeof(ident), "%s", name);
	atomic_store(&cur_facility, facility);
	atomic_store(&cur_stderr, to_stderr ? 1 : 0);
	/* openlog keeps the pointer: ident is never freed, only rewritten
	 * under the lock, which syslog(3) itself does not take - so the
	 * name should not change after the first call (it does not). */
	if (!to_stderr)
		openlog(ident, LOG_PID | LOG_NDELAY, facility);
	pthread_mutex_unlock(&ident_lock);
}

void
log_set_facility(int facility)
{
	atomic_store(&cur_facility, facility);
}

void
log_set_timestamps(int on)
{
	atomic_store(&cur_stamps, on ? 1 : 0);
}

/* "2026-12-07T11:30:00.123Z " into buf; its length (0 on failure). */
static size_t
stamp(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	if (clock_gettime(CLOCK_REALTIME, &ts) == -1 ||
	    gmtime_r(&ts.tv_sec, &tm) == NULL ||
	    (n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm)) == 0 ||
	    n + 7 >= len)
		return 0;
	snprintf(buf + n, len - n, ".%03ldZ ", ts.tv_nsec / 1000000L);
	return n + 6;
}

void
log_set_level(enum log_level level)
{
	if ((unsigned)level <= LOG_L_DEBUG)
		atomic_store(&cur_level, (int)level);
}

int
log_enabled(enum log_level level)
{
	return (int)level <= atomic_load(&cur_level);
}

int
log_level_parse(const char *word, enum log_level *out)
{
	unsigned i;

	if (word == NULL)
		return -1;
	if (strcasecmp(word, "error") == 0) {
		*out = LOG_L_ERR;
		return 0;
	}
	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (strcasecmp(word, levels[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	return -1;
}

int
log_facility_parse(const char *word, int *out)
{
	size_t i;

	if (word == NULL)
		return -1;
	for (i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
		if (strcasecmp(word, facilities[i].word) == 0) {
			*out = facilities[i].value;
			return 0;
		}
	return -1;
}

const char *
log_level_name(enum log_level level)
{
	if ((unsigned)level < sizeof(levels) / sizeof(levels[0]))
		return levels[level];
	return "?";
}

const char *
log_facility_name(int facility)
{
	size_t i;

	for (i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
		if (facilities[i].value == facility)
			return facilities[i].word;
	return "?";
}

/* Replaces control bytes; cuts a line that overflowed on a UTF-8
 * character boundary and marks it with "...". */
static size_t
tidy(char *buf, size_t len, size_t size, int cut)
{
	size_t i;

	if (cut) {
		len = size - 4;
		/* Back off continuation bytes so no character is split. */
		while (len > 0 && ((unsigned char)buf[len] & 0xc0) == 0x80)
			len--;
		memcpy(buf + len, "...", 4);
		len += 3;
	}
	for (i = 0; i < len; i++)
		if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f)
			buf[i] = '?';
	return len;
}

static void vlog(enum log_level, int, const char *, const char *, va_list)
    __attribute__((format(printf, 4, 0)));

/* notice: a LOG_NOTICE line, filtered as level (info). */
static void
vlog(enum log_level level, int notice, const char *id, const char *fmt,
    va_list ap)
{
	char line[LOG_LINE_MAX + 1];	/* + the stderr newline */
	size_t len, ts;
	int n, to_stderr, saved;

	if ((int)level > atomic_load(&cur_level))
		return;
	saved = errno;		/* callers may log "%m" */
	to_stderr = atomic_load(&cur_stderr);
	len = 0;
	if (to_stderr) {
		ts = atomic_load(&cur_stamps) ? stamp(line, 40) : 0;
		pthread_mutex_lock(&ident_lock);
		n = snprintf(line + ts, LOG_LINE_MAX - ts, "%s: %s: ", ident,
		    notice ? "notice" : level == LOG_L_ERR ? "error" :
		    levels[level]);
		pthread_mutex_unlock(&ident_lock);
		if (n > 0)
			n += (int)ts;
	} else if (level != LOG_L_INFO) {
		n = snprintf(line, LOG_LINE_MAX, "%s: ",
		    level == LOG_L_ERR ? "error" : levels[level]);
	} else
		n = 0;
	if (n > 0)
		len = (size_t)n < LOG_LINE_MAX ? (size_t)n : LOG_LINE_MAX - 1;
	if (id != NULL) {
		n = snprintf(line + len, LOG_LINE_MAX - len, "%s: ", id);
		if (n > 0)
			len += (size_t)n < LOG_LINE_MAX - len ? (size_t)n :
			    LOG_LINE_MAX - len - 1;
	}
	errno = saved;
	n = vsnprintf(line + len, LOG_LINE_MAX - len, fmt, ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= LOG_LINE_MAX - len)
		len = tidy(line, LOG_LINE_MAX, LOG_LINE_MAX, 1);
	else
		len = tidy(line, len + (size_t)n, LOG_LINE_MAX, 0);
	if (to_stderr) {
		line[len++] = '\n';
		(void)fdio_write_all(STDERR_FILENO, line, len);
	} else
		syslog(atomic_load(&cur_facility) | (notice ? LOG_NOTICE :
		    priorities[level]), "%s", line);
	errno = saved;
}

void
log_err(const char *id, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_L_ERR, 0, id, fmt, ap);
	va_end(ap);
}

void
log_warning(const char *id, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_L_WARNING, 0, id, fmt, ap);
	va_end(ap);
}

void
log_info(const char *id, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_L_INFO, 0, id, fmt, ap);
	va_end(ap);
}

void
log_notice(const char *id, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_L_INFO, 1, id, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *id, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_L_DEBUG, 0, id, fmt, ap);
	va_end(ap);
}

/* Bytes that may stand bare in a key=value field. */
static int
bare_ok(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '=';
}

const char *
log_value(struct arena *a, const char *s, size_t max)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t n, i, o = 0, w;
	char *out;

	if (s == NULL)
		return "-";
	n = strlen(s);
	for (i = 0; i < n && bare_ok(p[i]); i++)
		;
	if (i == n && n > 0 && n <= max && strcmp(s, "-") != 0)
		return arena_strndup(a, s, n);
	if (max < 8)
		max = 8;
	if (max == SIZE_MAX || (out = arena_alloc(a, max + 1)) == NULL)
		return NULL;
	out[o++] = '"';
	for (i = 0; i < n; i++) {
		w = bare_ok(p[i]) || p[i] == ' ' || p[i] == '=' ? 1 :
		    p[i] == '"' || p[i] == '\\' ? 2 : 4;
		/* Room for this escape, the closing quote, and "..." when
		 * more follows: the output never passes max bytes. */
		if (o + w + (i + 1 < n ? 3 : 0) + 1 > max) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		if (w == 1)
			out[o++] = (char)p[i];
		else if (w == 2) {
			out[o++] = '\\';
			out[o++] = (char)p[i];
		} else {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[p[i] >> 4];
			out[o++] = hex[p[i] & 15];
		}
	}
	out[o++] = '"';
	out[o] = '\0';
	return out;
}
