/*
 * confload.c - reads a configuration file with libconfig into a struct
 * config, setting by setting through the table (configtab.h).
 *
 * Exports confload_file (config_load's body).  Thread rule: single
 * threaded, like every load.  Errors are one line "FILE:LINE: setting:
 * problem"; libconfig's own parse errors "FILE:LINE: problem".
 * libconfig 1.5 quirks handled here: numbers past 2^31 wrap silently (the
 * literal is re-read from the file text), and the last item of a list
 * closed on the next line reports that next line.
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

#include "config.h"
#include "configtab.h"
#include "confload.h"
#include "log.h"
#include "net.h"
#include "rules.h"

#define CONFIG_FILE_MAX	(1024 * 1024)

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
	config_free_value(c, s);
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

	for (i = 0; i < config_nsettings; i++)
		if (strcmp(config_settings[i].name, name) == 0)
			return &config_settings[i];
	return NULL;
}

int
confload_file(const char *path, struct config **out, char *err,
    size_t errlen)
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

