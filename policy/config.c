/*
 * config.c - the configuration file: one table describes every setting
 * (name, type, default, range, field) and drives parsing, checking,
 * defaults, freeing and config_dump.
 *
 * Exports config_load, config_default, config_free, config_dump.  Owns
 * each struct config it returns (malloc memory, freed by config_free).
 * Thread rule: loading is single-threaded; a loaded config is read-only
 * and may be shared.
 * Syntax is libconfig's (`name = value;`, lists in [ ]); settings are all
 * at the top level.  Every error is one line "FILE:LINE: setting: problem"
 * (libconfig's own parse errors are "FILE:LINE: problem").  Unknown
 * settings, wrong types, out-of-range numbers, bad words, bad addresses
 * and relative paths are errors.
 * Caps: the main file is at most CONFIG_FILE_MAX bytes (libconfig reads
 * @include files itself, relative to the main file's directory).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libconfig.h>

#include "authres.h"
#include "config.h"
#include "log.h"
#include "net.h"
#include "rules.h"

#define CONFIG_FILE_MAX	(1024 * 1024)

enum ctype {
	T_STRING,		/* char * */
	T_BOOL,			/* int */
	T_UINT,			/* unsigned, min..max */
	T_MODE,			/* unsigned; "0660" or an integer */
	T_LEVEL,		/* int: log_level_parse word */
	T_FACILITY,		/* int: log_facility_parse word */
	T_STRLIST,		/* char ** + size_t */
	T_CIDRLIST,		/* struct net_cidr * + size_t */
	T_SCORES,		/* int[RULE_COUNT]: group rule = score */
};

struct loadctx {
	const char *dir;	/* absolute directory of the config file */
};

struct setting {
	const char *name;
	enum ctype type;
	const char *sdef;	/* default of strings and words */
	unsigned long ndef;	/* default of numbers, modes, bools */
	unsigned long min, max;
	size_t off;		/* the field */
	size_t noff;		/* the element count of a list */
	/* Checks one string (each element of a T_STRLIST) and may replace
	 * it (malloc memory). 0, or -1 with the problem in err. */
	int (*check)(const struct loadctx *, char **, char *, size_t);
};

static int check_socket(const struct loadctx *, char **, char *, size_t);
static int check_user(const struct loadctx *, char **, char *, size_t);
static int check_abspath(const struct loadctx *, char **, char *, size_t);
static int check_relpath(const struct loadctx *, char **, char *, size_t);
static int check_hostname(const struct loadctx *, char **, char *, size_t);
static int check_authserv(const struct loadctx *, char **, char *, size_t);
static int check_forwarder(const struct loadctx *, char **, char *,
    size_t);
static int check_reply_text(const struct loadctx *, char **, char *,
    size_t);

/* redis / sender state */
static int check_redis_host(const struct loadctx *, char **, char *,
    size_t);
static int check_redis_socket(const struct loadctx *, char **, char *,
    size_t);
static int check_redis_word(const struct loadctx *, char **, char *,
    size_t);
static int check_redis_password(const struct loadctx *, char **, char *,
    size_t);
static int check_redis_sentinel(const struct loadctx *, char **, char *,
    size_t);
static int check_redis_prefix(const struct loadctx *, char **, char *,
    size_t);

#define F(f)	offsetof(struct config, f)
#define STR(n, def, chk)	{ #n, T_STRING, def, 0, 0, 0, F(n), 0, chk }
#define BOOL(n, def)		{ #n, T_BOOL, NULL, def, 0, 1, F(n), 0, NULL }
#define UINT(n, def, lo, hi)	{ #n, T_UINT, NULL, def, lo, hi, F(n), 0, NULL }

/* The order is config_dump's. */
static const struct setting settings[] = {
	STR(socket, "inet:8893@127.0.0.1", check_socket),
	{ "socket_mode", T_MODE, NULL, 0660, 0, 0777, F(socket_mode), 0,
	    NULL },
	STR(user, "", check_user),
	STR(pidfile, "", check_abspath),
	{ "syslog_facility", T_FACILITY, "mail", 0, 0, 0,
	    F(syslog_facility), 0, NULL },
	{ "log_level", T_LEVEL, "info", 0, 0, 0, F(log_level), 0, NULL },
	STR(hostname, "", check_hostname),
	/* "" is replaced by the host name (config_default). */
	STR(authserv_id, "", check_authserv),
	BOOL(add_authres, 1),
	BOOL(add_verdict_header, 1),
	STR(dns_resolv_conf, "", check_abspath),
	{ "dns_forwarders", T_STRLIST, NULL, 0, 0, 0, F(dns_forwarders),
	    F(dns_nforwarders), check_forwarder },
	UINT(dns_timeout_ms, 5000, 100, 60000),
	STR(dns_local_data, "", check_relpath),
	BOOL(spf_enable, 1),
	BOOL(spf_helo, 1),
	UINT(spf_max_dns_terms, 10, 1, 50),
	UINT(spf_max_void_lookups, 2, 0, 50),
	BOOL(dkim_enable, 1),
	UINT(dkim_max_signatures, 5, 1, 100),
	BOOL(dmarc_enable, 1),
	STR(psl_file, "", check_abspath),
	{ "internal_relays", T_CIDRLIST, NULL, 0, 0, 0, F(internal_relays),
	    F(n_internal_relays), NULL },
	UINT(max_headers, 1000, 10, 100000),
	UINT(max_header_length, 65536, 1000, 1048576),
	UINT(max_received_walk, 20, 1, 100),
	/* verdict */
	{ "scores", T_SCORES, NULL, 0, 0, 0, F(scores), 0, NULL },
	UINT(tag_score, 5, 0, 100000),
	UINT(quarantine_score, 10, 0, 100000),
	UINT(reject_score, 0, 0, 100000),
	BOOL(dry_run, 0),
	STR(reject_text, "Message rejected by policy", check_reply_text),
	/* --- redis / sender state (state.h) --- */
	BOOL(state_enable, 1),
	STR(redis_host, "127.0.0.1", check_redis_host),
	UINT(redis_port, 6379, 1, 65535),
	STR(redis_socket, "", check_redis_socket),
	STR(redis_user, "", check_redis_word),
	STR(redis_password, "", check_redis_password),
	UINT(redis_db, 0, 0, 65535),
	UINT(redis_connect_timeout_ms, 250, 10, 60000),
	UINT(redis_timeout_ms, 250, 10, 60000),
	UINT(redis_slow_ms, 100, 1, 60000),
	UINT(redis_pool_size, 8, 1, 1024),
	UINT(redis_pool_wait_ms, 100, 0, 60000),
	UINT(redis_breaker_failures, 3, 1, 1000),
	UINT(redis_breaker_cooldown_ms, 5000, 100, 3600000),
	{ "redis_sentinels", T_STRLIST, NULL, 0, 0, 0, F(redis_sentinels),
	    F(redis_nsentinels), check_redis_sentinel },
	STR(redis_sentinel_master, "mymaster", check_redis_word),
	STR(redis_sentinel_password, "", check_redis_password),
	UINT(redis_sentinel_check_ms, 1000, 100, 3600000),
	STR(redis_prefix, "rw:", check_redis_prefix),
	UINT(state_ttl_days, 400, 1, 36500),
	UINT(state_unauth_ttl_days, 30, 1, 36500),
	UINT(state_max_relays, 32, 1, 1000),
	UINT(state_max_signers, 16, 1, 1000),
	UINT(state_max_trusted, 32, 1, 1000),
	UINT(state_max_known, 1000000, 1, 100000000),
};

#define NSETTINGS	(sizeof(settings) / sizeof(settings[0]))
#define FIELD(c, s, t)	((t *)(void *)((char *)(c) + (s)->off))
#define COUNT(c, s)	((size_t *)(void *)((char *)(c) + (s)->noff))

static int
check_socket(const struct loadctx *ctx, char **value, char *err,
    size_t errlen)
{
	return net_check_socket(*value, err, errlen);
}

static int
check_user(const struct loadctx *ctx, char **value, char *err,
    size_t errlen)
{
	const char *p = *value;

	if (*p == '\0')
		return 0;
	if (strlen(p) > 32 || *p == '-' ||
	    strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789._-") != strlen(p)) {
		snprintf(err, errlen, "\"%.40s\" is not a user name", p);
		return -1;
	}
	return 0;
}

static int
check_abspath(const struct loadctx *ctx, char **value, char *err,
    size_t errlen)
{
	if (**value != '\0' && **value != '/') {
		snprintf(err, errlen, "\"%.80s\": path must be absolute",
		    *value);
		return -1;
	}
	if (strlen(*value) >= PATH_MAX) {
		snprintf(err, errlen, "path too long");
		return -1;
	}
	return 0;
}

/* A relative path is taken from the config file's directory and made
 * absolute now, so that a reload after chdir("/") finds the same file. */
static int
check_relpath(const struct loadctx *ctx, char **value, char *err,
    size_t errlen)
{
	char *abs;
	size_t dlen, vlen;

	if (**value == '\0' || **value == '/' || ctx == NULL)
		return check_abspath(ctx, value, err, errlen);
	dlen = strlen(ctx->dir);
	vlen = strlen(*value);
	if (dlen + vlen + 2 >= PATH_MAX ||
	    (abs = malloc(dlen + vlen + 2)) == NULL) {
		snprintf(err, errlen, "path too long");
		return -1;
	}
	/* "/" + "x" must not give "//x" */
	memcpy(abs, ctx->dir, dlen);
	if (dlen == 0 || abs[dlen - 1] != '/')
		abs[dlen++] = '/';
	memcpy(abs + dlen, *value, vlen + 1);
	free(*value);
	*value = abs;
	return 0;
}

static int
check_hostname(const struct loadctx *ctx, char **value, char *err,
    size_t errlen)
{
	if (**value != '\0' && !net_hostname_valid(*value)) {
		snprintf(err, errlen, "\"%.80s\" is not a host name", *value);
		return -1;
	}
	return 0;
}

static int
check_authserv(const struct loadctx *ctx, char **value, char *err,
    size_t errlen)
{
	if (**value == '\0') {
		snprintf(err, errlen, "must not be empty (leave it unset to "
		    "use the host name)");
		return -1;
	}
	if (!authres_id_valid(*value)) {
		snprintf(err, errlen, "\"%.80s\" is not a valid authserv-id "
		    "(a host name such as mx.example.net)", *value);
		return -1;
	}
	return 0;
}

static int
check_forwarder(const struct loadctx *ctx, char **value, char *err,
    size_t errlen)
{
	return net_check_forwarder(*value, err, errlen);
}

/* The host name, or "localhost" when it is unset or unusable as an
 * authserv-id.  malloc memory or NULL. */
/* SMTP reply text: printable ASCII, one line, short (RFC 5321 4.5.3.1.5
 * allows 512 octets per reply line with the code). */
static int
check_reply_text(const struct loadctx *ctx, char **value, char *err,
    size_t errlen)
{
	const unsigned char *p;

	if (**value == '\0' || strlen(*value) > 400) {
		snprintf(err, errlen, "must be 1 to 400 characters");
		return -1;
	}
	for (p = (const unsigned char *)*value; *p != '\0'; p++)
		if (*p < 0x20 || *p > 0x7e || *p == '%') {
			snprintf(err, errlen, "printable ASCII only, no %%");
			return -1;
		}
	return 0;
}

static char *
host_name(void)
{
	char buf[256];

	if (gethostname(buf, sizeof(buf)) != 0)
		buf[0] = '\0';
	buf[sizeof(buf) - 1] = '\0';
	return strdup(authres_id_valid(buf) ? buf : "localhost");
}

/* --- redis / sender state: checks ------------------------------------ */

/* An address or a host name. */
static int
check_redis_host(const struct loadctx *ctx, char **value, char *err,
    size_t errlen)
{
	struct net_addr a;

	if (net_parse_addr(*value, &a) == 0 || net_hostname_valid(*value))
		return 0;
	snprintf(err, errlen, "\"%.80s\" is not an address or a host name",
	    *value);
	return -1;
}

/* "" or an absolute path that fits a sockaddr_un (108 bytes). */
static int
check_redis_socket(const struct loadctx *ctx, char **value, char *err,
    size_t errlen)
{
	if (check_abspath(ctx, value, err, errlen) == -1)
		return -1;
	if (strlen(*value) >= 108) {
		snprintf(err, errlen, "a unix socket path has at most 107 "
		    "bytes");
		return -1;
	}
	return 0;
}

/* An ACL user or a Sentinel master name: 1..64 of [A-Za-z0-9._-], or ""
 * where the setting allows it (the user). */
static int
check_redis_word(const struct loadctx *ctx, char **value, char *err,
    size_t errlen)
{
	size_t len = strlen(*value);

	if (len <= 64 && strspn(*value, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == len)
		return 0;
	snprintf(err, errlen, "\"%.40s\": at most 64 letters, digits, "
	    "dots, dashes or underscores", *value);
	return -1;
}

static int
check_redis_password(const struct loadctx *ctx, char **value, char *err,
    size_t errlen)
{
	const unsigned char *p;

	for (p = (const unsigned char *)*value; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f) {
			snprintf(err, errlen, "control characters are not "
			    "allowed");
			return -1;
		}
	if (strlen(*value) > 512) {
		snprintf(err, errlen, "at most 512 bytes");
		return -1;
	}
	return 0;
}

/* "host:port" or "[IPv6]:port". */
static int
check_redis_sentinel(const struct loadctx *ctx, char **value, char *err,
    size_t errlen)
{
	char host[256], *end;
	const char *colon, *h = *value;
	struct net_addr a;
	unsigned long port;
	size_t hlen;

	if ((colon = strrchr(h, ':')) == NULL)
		goto bad;
	hlen = (size_t)(colon - h);
	if (hlen >= 2 && h[0] == '[' && h[hlen - 1] == ']') {
		h++;
		hlen -= 2;
	} else if (memchr(h, ':', hlen) != NULL)
		goto bad;		/* bare IPv6 needs brackets */
	if (hlen == 0 || hlen >= sizeof(host))
		goto bad;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	if (net_parse_addr(host, &a) == -1 && !net_hostname_valid(host))
		goto bad;
	if (colon[1] < '0' || colon[1] > '9')
		goto bad;
	port = strtoul(colon + 1, &end, 10);
	if (*end != '\0' || port < 1 || port > 65535)
		goto bad;
	return 0;
bad:
	snprintf(err, errlen, "\"%.80s\" is not \"host:port\" or "
	    "\"[IPv6]:port\"", *value);
	return -1;
}

/* Key prefix: no hash-tag braces and no SCAN glob characters. */
static int
check_redis_prefix(const struct loadctx *ctx, char **value, char *err,
    size_t errlen)
{
	size_t len = strlen(*value);

	if (len <= 32 && strspn(*value, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:._-") == len)
		return 0;
	snprintf(err, errlen, "at most 32 letters, digits or \":._-\"");
	return -1;
}

/* --- end of redis / sender state checks --------------------------------- */

static void
free_value(struct config *c, const struct setting *s)
{
	char **list;
	size_t i;

	switch (s->type) {
	case T_STRING:
		free(*FIELD(c, s, char *));
		*FIELD(c, s, char *) = NULL;
		break;
	case T_STRLIST:
		list = *FIELD(c, s, char **);
		for (i = 0; i < *COUNT(c, s); i++)
			free(list[i]);
		free(list);
		*FIELD(c, s, char **) = NULL;
		*COUNT(c, s) = 0;
		break;
	case T_CIDRLIST:
		free(*FIELD(c, s, struct net_cidr *));
		*FIELD(c, s, struct net_cidr *) = NULL;
		*COUNT(c, s) = 0;
		break;
	default:
		break;
	}
}

void
config_free(struct config *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < NSETTINGS; i++)
		free_value(c, &settings[i]);
	free(c->path);
	free(c);
}

struct config *
config_default(void)
{
	const struct setting *s;
	struct config *c;
	enum log_level level;
	size_t i, j;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	for (i = 0; i < NSETTINGS; i++) {
		s = &settings[i];
		switch (s->type) {
		case T_STRING:
			if ((*FIELD(c, s, char *) = strdup(s->sdef)) == NULL)
				goto fail;
			break;
		case T_BOOL:
			*FIELD(c, s, int) = (int)s->ndef;
			break;
		case T_UINT:
		case T_MODE:
			*FIELD(c, s, unsigned) = (unsigned)s->ndef;
			break;
		case T_LEVEL:
			(void)log_level_parse(s->sdef, &level);
			*FIELD(c, s, int) = (int)level;
			break;
		case T_FACILITY:
			(void)log_facility_parse(s->sdef, FIELD(c, s, int));
			break;
		case T_STRLIST:
		case T_CIDRLIST:
			break;		/* empty lists */
		case T_SCORES:
			for (j = 0; j < RULE_COUNT; j++)
				FIELD(c, s, int)[j] = rules_table[j].score;
			break;
		}
	}
	if (*c->authserv_id == '\0') {
		free(c->authserv_id);
		if ((c->authserv_id = host_name()) == NULL)
			goto fail;
	}
	return c;
fail:
	config_free(c);
	return NULL;
}

/* Loading: the file text is kept to re-read number literals. */
struct loader {
	const char *path;	/* as given, for messages */
	const char *text;
	struct loadctx ctx;
	char *err;
	size_t errlen;
};

static int fail(struct loader *, const config_setting_t *, const char *,
    const char *, ...) __attribute__((format(printf, 4, 5)));

/* Start of line n (1-based) of the main file, or NULL. */
static const char *
line_start(const struct loader *l, unsigned n)
{
	const char *p = l->text;

	while (p != NULL && --n > 0)
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	return p;
}

/* 1 when line n of the main file holds "str" (quotes included). */
static int
line_has(const struct loader *l, unsigned n, const char *str)
{
	const char *p = line_start(l, n), *end, *q;
	size_t len = strlen(str);

	if (p == NULL)
		return 0;
	if ((end = strchr(p, '\n')) == NULL)
		end = p + strlen(p);
	for (q = p; (q = memchr(q, '"', (size_t)(end - q))) != NULL; q++)
		if ((size_t)(end - q) >= len + 2 &&
		    memcmp(q + 1, str, len) == 0 && q[len + 1] == '"')
			return 1;
	return 0;
}

/* The line of a setting.  libconfig numbers a list element by the token
 * after it, so the last element of a list closed on the next line gets
 * that line: look one line up for the string. */
static unsigned
line_of(const struct loader *l, const config_setting_t *cs)
{
	unsigned n = config_setting_source_line(cs);

	if (config_setting_source_file(cs) == NULL && n > 1 &&
	    config_setting_type(cs) == CONFIG_TYPE_STRING &&
	    !line_has(l, n, config_setting_get_string(cs)) &&
	    line_has(l, n - 1, config_setting_get_string(cs)))
		n--;
	return n;
}

static int
fail(struct loader *l, const config_setting_t *cs, const char *name,
    const char *fmt, ...)
{
	char msg[512];
	const char *file;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	file = config_setting_source_file(cs);
	/* An @include name is relative to the directory of this file. */
	snprintf(l->err, l->errlen, "%s%s%s:%u: %s: %s",
	    file != NULL && *file != '/' ? l->ctx.dir : "",
	    file != NULL && *file != '/' ? "/" : "",
	    file != NULL ? file : l->path, line_of(l, cs), name, msg);
	return -1;
}

/* libconfig 1.5 keeps a decimal literal above INT_MAX wrapped to 32 bits
 * (99999999999 reads as 1215752191), so a huge number could pass a range
 * check.  Re-read the literal after "name =" in the main file and say
 * whether it is the value libconfig gave.  Settings from @include files
 * and layouts not found are not re-read (1). */
static int
literal_ok(const struct loader *l, const config_setting_t *cs, long long v)
{
	const char *p, *line, *name = config_setting_name(cs);
	unsigned long long lit = 0;
	size_t nlen = strlen(name), digits = 0;
	int neg = 0;

	if (config_setting_source_file(cs) != NULL ||
	    config_setting_get_format(cs) == CONFIG_FORMAT_HEX ||
	    (line = line_start(l, config_setting_source_line(cs))) == NULL)
		return 1;
	/* "name =" or "name:" at a word start on that line */
	for (p = line; (p = strstr(p, name)) != NULL; p += nlen) {
		if (memchr(line, '\n', (size_t)(p - line)) != NULL)
			return 1;
		if (p > line && (isalnum((unsigned char)p[-1]) ||
		    p[-1] == '_' || p[-1] == '-'))
			continue;
		if (p[nlen + strspn(p + nlen, " \t")] == '=' ||
		    p[nlen + strspn(p + nlen, " \t")] == ':')
			break;
	}
	if (p == NULL)
		return 1;
	p += nlen;
	p += strspn(p, " \t");
	p++;
	p += strspn(p, " \t\r\n");
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	for (; isdigit((unsigned char)*p); p++, digits++) {
		if (lit > (ULLONG_MAX - 9) / 10)
			return 0;
		lit = lit * 10 + (unsigned)(*p - '0');
	}
	if (digits == 0)
		return 1;
	if (neg)
		return v <= 0 && lit == (unsigned long long)-(v + 1) + 1;
	return v >= 0 && lit == (unsigned long long)v;
}

static int
get_uint(struct loader *l, const config_setting_t *cs,
    const struct setting *s, unsigned *out)
{
	long long v;
	int t = config_setting_type(cs);

	if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64)
		return fail(l, cs, s->name, "must be a whole number from %lu "
		    "to %lu", s->min, s->max);
	v = config_setting_get_int64(cs);
	if (!literal_ok(l, cs, v) || v < (long long)s->min ||
	    v > (long long)s->max)
		return fail(l, cs, s->name, "out of range %lu to %lu",
		    s->min, s->max);
	*out = (unsigned)v;
	return 0;
}

/* A mode is "0660" (a string of octal digits) or a number.  libconfig
 * reads 0660 as decimal 660, so a decimal number's digits are taken as
 * the octal digits the admin wrote; 0x1b0 (hex) is taken as is. */
static int
get_mode(struct loader *l, const config_setting_t *cs,
    const struct setting *s, unsigned *out)
{
	const char *str;
	unsigned long v = 0, digit = 1;
	long long n;
	int t = config_setting_type(cs);

	if (t == CONFIG_TYPE_STRING) {
		str = config_setting_get_string(cs);
		if (*str == '\0' || strlen(str) > 5 ||
		    strspn(str, "01234567") != strlen(str))
			goto bad;
		v = strtoul(str, NULL, 8);
	} else if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64) {
		n = config_setting_get_int64(cs);
		if (n < 0 || n > 77777 || !literal_ok(l, cs, n))
			goto bad;
		if (config_setting_get_format(cs) == CONFIG_FORMAT_HEX)
			v = (unsigned long)n;
		else
			for (; n > 0; n /= 10, digit *= 8) {
				if (n % 10 > 7)
					goto bad;
				v += (unsigned long)(n % 10) * digit;
			}
	} else
		goto bad;
	if (v > s->max)
		goto bad;
	*out = (unsigned)v;
	return 0;
bad:
	return fail(l, cs, s->name, "must be an octal mode from \"0000\" to "
	    "\"0777\", such as \"0660\"");
}

static int
get_string(struct loader *l, const config_setting_t *cs,
    const struct setting *s, char **out)
{
	char problem[256];
	char *v;

	if (config_setting_type(cs) != CONFIG_TYPE_STRING)
		return fail(l, cs, s->name, "must be a string in quotes");
	if ((v = strdup(config_setting_get_string(cs))) == NULL)
		return fail(l, cs, s->name, "out of memory");
	if (s->check != NULL &&
	    s->check(&l->ctx, &v, problem, sizeof(problem)) == -1) {
		free(v);
		return fail(l, cs, s->name, "%s", problem);
	}
	*out = v;
	return 0;
}

static int
get_list(struct loader *l, struct config *c, const config_setting_t *cs,
    const struct setting *s)
{
	const config_setting_t *e;
	struct net_cidr *nets = NULL;
	char problem[256], **strs = NULL;
	int i, n, t = config_setting_type(cs);

	if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST)
		return fail(l, cs, s->name, "must be a list of strings, "
		    "such as [\"a\", \"b\"]");
	n = config_setting_length(cs);
	free_value(c, s);
	if (n == 0)
		return 0;
	if (s->type == T_STRLIST) {
		if ((strs = calloc((size_t)n, sizeof(*strs))) == NULL)
			return fail(l, cs, s->name, "out of memory");
		*FIELD(c, s, char **) = strs;
	} else {
		if ((nets = calloc((size_t)n, sizeof(*nets))) == NULL)
			return fail(l, cs, s->name, "out of memory");
		*FIELD(c, s, struct net_cidr *) = nets;
	}
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(cs, (unsigned)i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			return fail(l, e, s->name, "element %d is not a "
			    "string", i + 1);
		if (s->type == T_CIDRLIST) {
			if (net_parse_cidr(config_setting_get_string(e),
			    &nets[i], problem, sizeof(problem)) == -1)
				return fail(l, e, s->name, "%s", problem);
		} else if (get_string(l, e, s, &strs[i]) == -1)
			return -1;
		(*COUNT(c, s))++;
	}
	return 0;
}

/* scores = { rule = N; ... };  every name must be a rule of rules.c. */
static int
get_scores(struct loader *l, const config_setting_t *cs,
    const struct setting *s, int *scores)
{
	const config_setting_t *e;
	long long v;
	int i, n, r, t;

	if (config_setting_type(cs) != CONFIG_TYPE_GROUP)
		return fail(l, cs, s->name, "must be a group, such as "
		    "{ spf_fail = 3; }");
	n = config_setting_length(cs);
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(cs, (unsigned)i);
		if ((r = rules_lookup(config_setting_name(e))) == -1)
			return fail(l, e, s->name, "%s: unknown rule",
			    config_setting_name(e));
		t = config_setting_type(e);
		v = config_setting_get_int64(e);
		if ((t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64) ||
		    !literal_ok(l, e, v) || v < -1000 || v > 1000)
			return fail(l, e, s->name, "%s: must be a whole number "
			    "from -1000 to 1000", config_setting_name(e));
		scores[r] = (int)v;
	}
	return 0;
}

static int
get_setting(struct loader *l, struct config *c, const config_setting_t *cs,
    const struct setting *s)
{
	const char *word;
	enum log_level level;
	char *str;

	switch (s->type) {
	case T_STRING:
		if (get_string(l, cs, s, &str) == -1)
			return -1;
		free(*FIELD(c, s, char *));
		*FIELD(c, s, char *) = str;
		return 0;
	case T_BOOL:
		if (config_setting_type(cs) != CONFIG_TYPE_BOOL)
			return fail(l, cs, s->name, "must be true or false");
		*FIELD(c, s, int) = config_setting_get_bool(cs) ? 1 : 0;
		return 0;
	case T_UINT:
		return get_uint(l, cs, s, FIELD(c, s, unsigned));
	case T_MODE:
		return get_mode(l, cs, s, FIELD(c, s, unsigned));
	case T_LEVEL:
	case T_FACILITY:
		word = config_setting_type(cs) == CONFIG_TYPE_STRING ?
		    config_setting_get_string(cs) : NULL;
		if (s->type == T_LEVEL) {
			if (log_level_parse(word, &level) == -1)
				return fail(l, cs, s->name, "must be one of "
				    "\"err\", \"warning\", \"info\", "
				    "\"debug\"");
			*FIELD(c, s, int) = (int)level;
		} else if (log_facility_parse(word, FIELD(c, s, int)) == -1)
			return fail(l, cs, s->name, "must be one of \"mail\", "
			    "\"daemon\", \"user\", \"local0\" to \"local7\"");
		return 0;
	case T_STRLIST:
	case T_CIDRLIST:
		return get_list(l, c, cs, s);
	case T_SCORES:
		return get_scores(l, cs, s, FIELD(c, s, int));
	}
	return 0;
}

/* The whole file in malloc memory, NUL-terminated; NULL with err. */
static char *
read_text(const char *path, char *err, size_t errlen)
{
	FILE *fp;
	char *buf;
	size_t len = 0, n;

	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: cannot open: %m", path);
		return NULL;
	}
	if ((buf = malloc(CONFIG_FILE_MAX + 1)) == NULL) {
		fclose(fp);
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	while ((n = fread(buf + len, 1, CONFIG_FILE_MAX + 1 - len, fp)) > 0)
		if ((len += n) > CONFIG_FILE_MAX)
			break;
	if (ferror(fp) || len > CONFIG_FILE_MAX || memchr(buf, 0, len)) {
		snprintf(err, errlen, "%s: %s", path, ferror(fp) ?
		    "read error" : len > CONFIG_FILE_MAX ?
		    "larger than 1 MiB" : "contains a NUL byte");
		fclose(fp);
		free(buf);
		return NULL;
	}
	fclose(fp);
	buf[len] = '\0';
	return buf;
}

/* path made absolute (malloc); its directory in *dir (malloc). */
static int
absolute(const char *path, char **abs, char **dir)
{
	char cwd[PATH_MAX], *slash;
	size_t n;

	if (path[0] == '/')
		*abs = strdup(path);
	else {
		if (getcwd(cwd, sizeof(cwd)) == NULL)
			return -1;
		n = strlen(cwd) + strlen(path) + 2;
		if ((*abs = malloc(n)) != NULL)
			snprintf(*abs, n, "%s/%s", cwd, path);
	}
	if (*abs == NULL || (*dir = strdup(*abs)) == NULL) {
		free(*abs);
		return -1;
	}
	slash = strrchr(*dir, '/');
	slash[slash == *dir ? 1 : 0] = '\0';
	return 0;
}

static const struct setting *
find_setting(const char *name)
{
	size_t i;

	for (i = 0; i < NSETTINGS; i++)
		if (strcmp(settings[i].name, name) == 0)
			return &settings[i];
	return NULL;
}

int
config_load(const char *path, struct config **out, char *err, size_t errlen)
{
	struct loader l = { path, NULL, { NULL }, err, errlen };
	const config_setting_t *cs;
	const struct setting *s;
	struct config *c = NULL;
	config_t lc;
	char *abs = NULL, *dir = NULL, *text;
	const char *f;
	int i, n, rc = -1;

	*out = NULL;
	if ((text = read_text(path, err, errlen)) == NULL)
		return -1;
	l.text = text;
	if (absolute(path, &abs, &dir) == -1) {
		snprintf(err, errlen, "%s: cannot make the path absolute: %m",
		    path);
		free(text);
		return -1;
	}
	l.ctx.dir = dir;
	config_init(&lc);
	config_set_include_dir(&lc, dir);
	if (config_read_string(&lc, text) != CONFIG_TRUE) {
		f = config_error_file(&lc);
		snprintf(err, errlen, "%s%s%s:%d: %s",
		    f != NULL && *f != '/' ? dir : "",
		    f != NULL && *f != '/' ? "/" : "", f != NULL ? f : path,
		    config_error_line(&lc), config_error_text(&lc));
		goto done;
	}
	if ((c = config_default()) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto done;
	}
	c->path = abs;
	abs = NULL;
	n = config_setting_length(config_root_setting(&lc));
	for (i = 0; i < n; i++) {
		cs = config_setting_get_elem(config_root_setting(&lc),
		    (unsigned)i);
		if ((s = find_setting(config_setting_name(cs))) == NULL) {
			fail(&l, cs, config_setting_name(cs),
			    "unknown setting");
			goto done;
		}
		if (get_setting(&l, c, cs, s) == -1)
			goto done;
	}
	*out = c;
	c = NULL;
	rc = 0;
done:
	config_destroy(&lc);
	config_free(c);
	free(abs);
	free(dir);
	free(text);
	return rc;
}

/* A string in libconfig syntax: quotes and backslashes escaped, other
 * bytes below 0x20 or 0x7f as \\xHH. */
static void
dump_string(FILE *fp, const char *v)
{
	const unsigned char *p;

	fputc('"', fp);
	for (p = (const unsigned char *)v; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(fp, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(fp, "\\x%02x", *p);
		else
			fputc(*p, fp);
	}
	fputc('"', fp);
}

void
config_dump(const struct config *c, FILE *fp)
{
	const struct setting *s;
	const struct net_cidr *nets;
	char buf[INET6_ADDRSTRLEN + 8];
	size_t i, j;

	fprintf(fp, "# relaywarden configuration%s%s\n",
	    c->path != NULL ? " loaded from " : " (defaults)",
	    c->path != NULL ? c->path : "");
	for (i = 0; i < NSETTINGS; i++) {
		s = &settings[i];
		fprintf(fp, "%s = ", s->name);
		switch (s->type) {
		case T_STRING:
			dump_string(fp, *FIELD(c, s, char *const));
			break;
		case T_BOOL:
			fputs(*FIELD(c, s, const int) ? "true" : "false", fp);
			break;
		case T_UINT:
			fprintf(fp, "%u", *FIELD(c, s, const unsigned));
			break;
		case T_MODE:
			fprintf(fp, "\"%04o\"", *FIELD(c, s, const unsigned));
			break;
		case T_LEVEL:
			dump_string(fp, log_level_name((enum log_level)
			    *FIELD(c, s, const int)));
			break;
		case T_FACILITY:
			dump_string(fp, log_facility_name(
			    *FIELD(c, s, const int)));
			break;
		case T_STRLIST:
		case T_CIDRLIST:
			fputc('[', fp);
			for (j = 0; j < *COUNT(c, s); j++) {
				fputs(j ? ", " : " ", fp);
				if (s->type == T_STRLIST) {
					dump_string(fp,
					    (*FIELD(c, s, char **const))[j]);
					continue;
				}
				nets = *FIELD(c, s, struct net_cidr *const);
				net_cidr_format(&nets[j], buf, sizeof(buf));
				dump_string(fp, buf);
			}
			fputs(j ? " ]" : "]", fp);
			break;
		case T_SCORES:
			fputs("{\n", fp);
			for (j = 0; j < RULE_COUNT; j++)
				fprintf(fp, "\t%s = %d;\n", rules_table[j].name,
				    (FIELD(c, s, const int))[j]);
			fputs("}", fp);
			break;
		}
		fputs(";\n", fp);
	}
}
