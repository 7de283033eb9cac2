/*
 * confload.c - reads a configuration file with libconfig into a struct
 * config, setting by setting through the table (configtab.h).
 *
 * Exports confload_file (config_load's body), and to the other files of
 * the config module confload_fail, confload_uint, confload_string
 * (configtab.h).  Thread rule: single threaded, like every load.  Errors
 * are one line "FILE:LINE: setting: problem"; libconfig's own parse
 * errors "FILE:LINE: problem".
 * libconfig 1.5 quirks handled here: numbers past 2^31 wrap silently (the
 * literal is re-read from the file text), and the last item of a list
 * closed on the next line reports that next line.  Its @include exit(2)
 * is confinc.c's.
 * Caps: every file at most CONFIG_FILE_MAX bytes, @include nesting and
 * count (confinc.c, which reads them all before libconfig does;
 * libconfig reads them again, relative to the main file's directory).
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

#include "config/config.h"
#include "config/configtab.h"
#include "config/confload.h"
#include "util/log.h"
#include "util/net.h"
#include "rules/rules.h"

/* Start of line n (1-based) of the file holding cs, or NULL. */
static const char *
line_start(const struct loader *l, const config_setting_t *cs, unsigned n)
{
	const char *p = confinc_text(l, config_setting_source_file(cs));

	while (p != NULL && --n > 0)
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	return p;
}

/* 1 when line n of the file of cs holds "str" (quotes included). */
static int
line_has(const struct loader *l, const config_setting_t *cs, unsigned n,
    const char *str)
{
	const char *p = line_start(l, cs, n), *end, *q;
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

	if (n > 1 && config_setting_type(cs) == CONFIG_TYPE_STRING &&
	    !line_has(l, cs, n, config_setting_get_string(cs)) &&
	    line_has(l, cs, n - 1, config_setting_get_string(cs)))
		n--;
	return n;
}

/* The path of the file libconfig calls name, as opened (confinc.c read
 * them all); failing that, name from the include directory, as libconfig
 * takes it.  Into buf when it must be built. */
static const char *
file_path(const struct loader *l, const char *name, char *buf, size_t len)
{
	size_t i;

	if (name == NULL)
		return l->path;
	for (i = 1; i < l->nfiles; i++)
		if (strcmp(l->files[i].name, name) == 0)
			return l->files[i].path;
	snprintf(buf, len, "%s/%s", l->ctx.dir, name);
	return buf;
}

int
confload_fail(struct loader *l, const config_setting_t *cs,
    const char *name, const char *fmt, ...)
{
	char msg[512], buf[PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(l->err, l->errlen, "%s:%u: %s: %s",
	    file_path(l, config_setting_source_file(cs), buf, sizeof(buf)),
	    line_of(l, cs), name, msg);
	return -1;
}

/* The literal at p ("= 12" past the name): 1 when it reads v, 0 when it
 * reads another number, -1 when it is no decimal number. */
static int
literal_is(const char *p, long long v)
{
	unsigned long long lit = 0;
	size_t digits = 0;
	int neg = 0;

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
		return -1;
	if (neg)
		return v <= 0 && lit == (unsigned long long)-(v + 1) + 1;
	return v >= 0 && lit == (unsigned long long)v;
}

/* libconfig 1.5 keeps a decimal literal above INT_MAX wrapped to 32 bits
 * (99999999999 reads as 1215752191), so a huge number could pass a range
 * check.  Re-read the literal after "name =" on the setting's line and
 * say whether it is the value libconfig gave.  When the name is there
 * more than once (groups of a list on one line), any of them may be the
 * one.  Layouts not found are not re-read (1). */
static int
literal_ok(const struct loader *l, const config_setting_t *cs, long long v)
{
	const char *p, *line, *name = config_setting_name(cs);
	size_t nlen = strlen(name);
	int found = 0, r;

	if (config_setting_get_format(cs) == CONFIG_FORMAT_HEX ||
	    (line = line_start(l, cs, config_setting_source_line(cs))) ==
	    NULL)
		return 1;
	/* "name =" or "name:" at a word start on that line */
	for (p = line; (p = strstr(p, name)) != NULL; p += nlen) {
		if (memchr(line, '\n', (size_t)(p - line)) != NULL)
			break;
		if (p > line && (isalnum((unsigned char)p[-1]) ||
		    p[-1] == '_' || p[-1] == '-'))
			continue;
		if (p[nlen + strspn(p + nlen, " \t")] != '=' &&
		    p[nlen + strspn(p + nlen, " \t")] != ':')
			continue;
		if ((r = literal_is(p + nlen, v)) == 1)
			return 1;
		found |= r == 0;
	}
	return !found;
}

int
confload_uint(struct loader *l, const config_setting_t *cs,
    const char *name, const char *what, unsigned long min,
    unsigned long max, unsigned *out)
{
	long long v;
	int t = config_setting_type(cs);

	if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64)
		return confload_fail(l, cs, name, "%s%smust be a whole number "
		    "from %lu to %lu", what ? what : "", what ? ": " : "",
		    min, max);
	v = config_setting_get_int64(cs);
	if (!literal_ok(l, cs, v) || v < (long long)min ||
	    v > (long long)max)
		return confload_fail(l, cs, name, "%s%sout of range %lu to %lu",
		    what ? what : "", what ? ": " : "", min, max);
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
	return confload_fail(l, cs, s->name, "must be an octal mode from "
	    "\"0000\" to \"0777\", such as \"0660\"");
}

int
confload_string(struct loader *l, const config_setting_t *cs,
    const char *name, const char *what,
    int (*check)(const struct loadctx *, char **, char *, size_t),
    char **out)
{
	char problem[256];
	char *v;

	if (config_setting_type(cs) != CONFIG_TYPE_STRING)
		return confload_fail(l, cs, name, "%s%smust be a string in "
		    "quotes", what ? what : "", what ? ": " : "");
	if ((v = strdup(config_setting_get_string(cs))) == NULL)
		return confload_fail(l, cs, name, "out of memory");
	if (check != NULL &&
	    check(&l->ctx, &v, problem, sizeof(problem)) == -1) {
		free(v);
		return confload_fail(l, cs, name, "%s%s%s", what ? what : "",
		    what ? ": " : "", problem);
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
		return confload_fail(l, cs, s->name, "must be a list of "
		    "strings, such as [\"a\", \"b\"]");
	n = config_setting_length(cs);
	config_free_value(c, s);
	if (n == 0)
		return 0;
	if (s->type == T_STRLIST) {
		if ((strs = calloc((size_t)n, sizeof(*strs))) == NULL)
			return confload_fail(l, cs, s->name, "out of memory");
		*FIELD(c, s, char **) = strs;
	} else {
		if ((nets = calloc((size_t)n, sizeof(*nets))) == NULL)
			return confload_fail(l, cs, s->name, "out of memory");
		*FIELD(c, s, struct net_cidr *) = nets;
	}
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(cs, (unsigned)i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			return confload_fail(l, e, s->name, "element %d is "
			    "not a string", i + 1);
		if (s->type == T_CIDRLIST) {
			if (net_parse_cidr(config_setting_get_string(e),
			    &nets[i], problem, sizeof(problem)) == -1)
				return confload_fail(l, e, s->name, "%s",
				    problem);
		} else if (confload_string(l, e, s->name, NULL,
		    s->check, &strs[i]) == -1)
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
		return confload_fail(l, cs, s->name, "must be a group, such as "
		    "{ spf_fail = 3; }");
	n = config_setting_length(cs);
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(cs, (unsigned)i);
		if ((r = rules_lookup(config_setting_name(e))) == -1)
			return confload_fail(l, e, s->name, "%s: unknown rule",
			    config_setting_name(e));
		t = config_setting_type(e);
		v = config_setting_get_int64(e);
		if ((t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64) ||
		    !literal_ok(l, e, v) || v < -1000 || v > 1000)
			return confload_fail(l, e, s->name, "%s: must be a "
			    "whole number from -1000 to 1000",
			    config_setting_name(e));
		scores[r] = (int)v;
	}
	return 0;
}

/* dry_run_rules = [ "rule", ... ]: each a rule of rules.c, flagged 1. */
static int
get_rules(struct loader *l, const config_setting_t *cs,
    const struct setting *s, int *flags)
{
	const config_setting_t *e;
	char show[96];
	int i, n, r, t = config_setting_type(cs);

	if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST)
		return confload_fail(l, cs, s->name, "must be a list of rule "
		    "names, such as [\"first_contact\", \"new_relay\"]");
	n = config_setting_length(cs);
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(cs, (unsigned)i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			return confload_fail(l, e, s->name, "element %d is not "
			    "a string", i + 1);
		if ((r = rules_lookup(config_setting_get_string(e))) == -1)
			return confload_fail(l, e, s->name, "\"%s\": unknown "
			    "rule", config_show(config_setting_get_string(e),
			    show, sizeof(show)));
		flags[r] = 1;
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
		if (confload_string(l, cs, s->name, NULL, s->check,
		    &str) == -1)
			return -1;
		free(*FIELD(c, s, char *));
		*FIELD(c, s, char *) = str;
		return 0;
	case T_BOOL:
		if (config_setting_type(cs) != CONFIG_TYPE_BOOL)
			return confload_fail(l, cs, s->name, "must be true "
			    "or false");
		*FIELD(c, s, int) = config_setting_get_bool(cs) ? 1 : 0;
		return 0;
	case T_UINT:
		return confload_uint(l, cs, s->name, NULL, s->min,
		    s->max, FIELD(c, s, unsigned));
	case T_MODE:
		return get_mode(l, cs, s, FIELD(c, s, unsigned));
	case T_LEVEL:
	case T_FACILITY:
		word = config_setting_type(cs) == CONFIG_TYPE_STRING ?
		    config_setting_get_string(cs) : NULL;
		if (s->type == T_LEVEL) {
			if (log_level_parse(word, &level) == -1)
				return confload_fail(l, cs, s->name, "must be "
				    "one of \"err\", \"warning\", \"info\", "
				    "\"debug\"");
			*FIELD(c, s, int) = (int)level;
		} else if (log_facility_parse(word, FIELD(c, s, int)) == -1)
			return confload_fail(l, cs, s->name, "must be one of "
			    "\"mail\", \"daemon\", \"user\", \"local0\" to "
			    "\"local7\"");
		return 0;
	case T_STRLIST:
	case T_CIDRLIST:
		return get_list(l, c, cs, s);
	case T_SCORES:
		return get_scores(l, cs, s, FIELD(c, s, int));
	case T_RULES:
		return get_rules(l, cs, s, FIELD(c, s, int));
	case T_GROUPS:
		return confgroup_load(l, c, cs, s);
	}
	return 0;
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

/* An error is one line whatever the file held: names and values quoted
 * in it may carry control bytes (libconfig's "\n" escapes). */
static void
one_line(char *err)
{
	for (; *err != '\0'; err++)
		if ((unsigned char)*err < 0x20 || *err == 0x7f)
			*err = '?';
}

static int
perm_named(const struct config *c, const char *path, char *err,
    size_t errlen)
{
	const char *const names[] = { "dns_local_data", "dns_resolv_conf",
	    "psl_file" };
	const char *const files[] = { c->dns_local_data, c->dns_resolv_conf,
	    c->psl_file };
	char problem[PATH_MAX + 80];
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (files[i][0] != '\0' && confperm_check_path(files[i],
		    problem, sizeof(problem)) == -1) {
			snprintf(err, errlen, "%s: %s: %s", path, names[i],
			    problem);
			return -1;
		}
	return 0;
}

/* Every setting of lc's root into c. */
static int
get_settings(struct loader *l, struct config *c, config_t *lc)
{
	const config_setting_t *cs;
	const struct setting *s;
	int i, n;

	n = config_setting_length(config_root_setting(lc));
	for (i = 0; i < n; i++) {
		cs = config_setting_get_elem(config_root_setting(lc),
		    (unsigned)i);
		if ((s = find_setting(config_setting_name(cs))) == NULL)
			return confload_fail(l, cs, config_setting_name(cs),
			    "unknown setting");
		if (get_setting(l, c, cs, s) == -1)
			return -1;
	}
	return 0;
}

/* The config of what lc parsed: every setting, then (permpath set) the
 * permissions of the files it names, then the groups' thresholds left
 * out (the global ones, wherever in the file those were set).  *abs
 * (may be NULL) becomes its path.  0 with *out, or -1 with err. */
static int
build(struct loader *l, config_t *lc, const char *permpath, char **abs,
    struct config **out)
{
	const config_setting_t *cs;
	struct config *c;
	char why[300];

	if ((c = config_default()) == NULL) {
		snprintf(l->err, l->errlen, "%s: out of memory", l->path);
		return -1;
	}
	c->path = *abs;
	*abs = NULL;
	/* Files the config names whose content steers the verdicts, as
	 * the config files themselves: nobody else may write them. */
	if (get_settings(l, c, lc) == -1 || (permpath != NULL &&
	    perm_named(c, permpath, l->err, l->errlen) == -1)) {
		config_free(c);
		return -1;
	}
	/* issue 14 item 2: settings that must agree (confmetrics.c) */
	if (confmetrics_check(c, why, sizeof(why)) == -1) {
		if ((cs = config_lookup(lc, "metrics_listen")) != NULL)
			confload_fail(l, cs, "metrics_listen", "%s", why);
		else
			snprintf(l->err, l->errlen, "%s: metrics_listen: %s",
			    l->path, why);
		config_free(c);
		return -1;
	}
	confgroup_resolve(c);
	*out = c;
	return 0;
}

int
confload_text(const char *text, struct config **out, char *err,
    size_t errlen)
{
	struct conftext main = { NULL, (char *)"(text)", (char *)text };
	struct loader l = { "(text)", &main, 1, { "/" }, err, errlen };
	char *noabs = NULL;
	config_t lc;
	int rc = -1;

	*out = NULL;
	config_init(&lc);
	/* A dump has no @include; nothing is read from the file system. */
	if (strstr(text, "@include") != NULL) {
		snprintf(err, errlen, "(text): @include not allowed here");
		goto done;
	}
	if (config_read_string(&lc, text) != CONFIG_TRUE) {
		snprintf(err, errlen, "(text):%d: %s", config_error_line(&lc),
		    config_error_text(&lc));
		goto done;
	}
	rc = build(&l, &lc, NULL, &noabs, out);
done:
	if (rc == -1)
		one_line(err);
	config_destroy(&lc);
	return rc;
}

int
confload_file(const char *path, struct config **out, char *err,
    size_t errlen)
{
	struct loader l = { path, NULL, 0, { NULL }, err, errlen };
	config_t lc;
	char *abs = NULL, *dir = NULL, buf[PATH_MAX];
	const char *f;
	int rc = -1;

	*out = NULL;
	if (absolute(path, &abs, &dir) == -1) {
		snprintf(err, errlen, "%s: cannot make the path absolute: %m",
		    path);
		return -1;
	}
	l.ctx.dir = dir;
	/* Every @include target checked before libconfig opens it. */
	if (confinc_read(&l, path) == -1) {
		one_line(err);
		free(abs);
		free(dir);
		confinc_free(&l);
		return -1;
	}
	config_init(&lc);
	config_set_include_dir(&lc, dir);
	if (config_read_string(&lc, l.files[0].text) != CONFIG_TRUE) {
		f = config_error_file(&lc);
		snprintf(err, errlen, "%s:%d: %s", f != NULL ?
		    file_path(&l, f, buf, sizeof(buf)) : path,
		    config_error_line(&lc), config_error_text(&lc));
		goto done;
	}
	rc = build(&l, &lc, path, &abs, out);
done:
	if (rc == -1)
		one_line(err);
	config_destroy(&lc);
	confinc_free(&l);
	free(abs);
	free(dir);
	return rc;
}
