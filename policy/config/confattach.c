/*
 * confattach.c - the checks of the attach_* settings that are words:
 * banned extensions, per-extension or per-type action overrides, the
 * partner allow-list and the action of an incomplete scan (attach.h
 * reads them).
 *
 * Exports confattach_check_* (configtab.h, internal to the config
 * module).  Pure functions over one string each; single-threaded like
 * every load.  RFC 6838 4.2 (media type names).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/configtab.h"
#include "util/net.h"

/* A file extension: 1 to 15 letters or digits (fname.h FNAME_EXT_MAX). */
static int
ext_word(const char *p, size_t n)
{
	size_t i;

	if (n == 0 || n > 15)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)p[i]))
			return 0;
	return 1;
}

/* ".ext" or "type/subtype" (RFC 6838 4.2 restricted names). */
static int
attach_key(const char *p, size_t n)
{
	const char *slash = memchr(p, '/', n);
	size_t i;

	if (n > 0 && p[0] == '.')
		return ext_word(p + 1, n - 1);
	if (slash == NULL || slash == p || slash == p + n - 1 || n > 127)
		return 0;
	for (i = 0; i < n; i++)
		if (p + i != slash && !isalnum((unsigned char)p[i]) &&
		    strchr("!#$&^_.+-", p[i]) == NULL)
			return 0;
	return 1;
}

static void
lower(char *p)
{
	for (; *p; p++)
		*p = (char)tolower((unsigned char)*p);
}

/* "exe scr, .com": words separated by blanks or commas, a leading dot
 * allowed; rewritten as "exe scr com". */
int
confattach_check_extwords(const struct loadctx *ctx, char **value, char *err,
    size_t errlen)
{
	char *out, *o;
	const char *p = *value;
	size_t n;

	if ((out = malloc(strlen(p) + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (o = out; *p != '\0'; p += n) {
		p += strspn(p, " \t,");
		if (*p == '.')
			p++;
		n = strcspn(p, " \t,");
		if (n == 0 && *p == '\0')
			break;
		if (!ext_word(p, n)) {
			snprintf(err, errlen, "\"%.*s\" is not an extension "
			    "(1 to 15 letters or digits)", (int)(n > 40 ? 40 :
			    n), p);
			free(out);
			return -1;
		}
		if (o > out)
			*o++ = ' ';
		memcpy(o, p, n);
		o += n;
	}
	*o = '\0';
	lower(out);
	free(*value);
	*value = out;
	return 0;
}

/* ".ext=action" or "type/subtype=action". */
int
confattach_check_override(const struct loadctx *ctx, char **value, char *err,
    size_t errlen)
{
	static const char *const actions[] = { "accept", "tag",
	    "quarantine", "reject", NULL };
	char *eq = strchr(*value, '=');
	size_t i;

	lower(*value);
	if (eq == NULL || !attach_key(*value, (size_t)(eq - *value))) {
		snprintf(err, errlen, "\"%.60s\": expected \".ext=action\" "
		    "or \"type/subtype=action\"", *value);
		return -1;
	}
	for (i = 0; actions[i] != NULL; i++)
		if (strcmp(eq + 1, actions[i]) == 0)
			return 0;
	snprintf(err, errlen, "\"%.40s\": action must be one of accept, tag, "
	    "quarantine, reject", eq + 1);
	return -1;
}

/* "domain=key,key" with keys as in check_override; ".domain" also
 * matches its subdomains. */
int
confattach_check_allow(const struct loadctx *ctx, char **value, char *err,
    size_t errlen)
{
	char *eq = strchr(*value, '='), *p, *dom;
	size_t n;

	lower(*value);
	if (eq == NULL || eq == *value)
		goto bad;
	*eq = '\0';
	dom = **value == '.' ? *value + 1 : *value;
	n = net_hostname_valid(dom);
	*eq = '=';
	if (!n)
		goto bad;
	for (p = eq + 1; ; p += n + 1) {
		n = strcspn(p, ",");
		if (!attach_key(p, n))
			goto bad;
		if (p[n] == '\0')
			return 0;
	}
bad:
	snprintf(err, errlen, "\"%.60s\": expected \"domain=.ext,type/sub\" "
	    "(\".domain\" for its subdomains too)", *value);
	return -1;
}

/* The action of a scan that a limit cut short: what it did not see may
 * be the worst thing in the message, so nothing milder than the hard
 * rule for a program. */
int
confattach_check_incomplete(const struct loadctx *ctx, char **value,
    char *err, size_t errlen)
{
	static const char *const actions[] = { "quarantine", "tempfail",
	    "reject", NULL };
	size_t i;

	lower(*value);
	for (i = 0; actions[i] != NULL; i++)
		if (strcmp(*value, actions[i]) == 0)
			return 0;
	snprintf(err, errlen, "\"%.40s\": must be one of quarantine, "
	    "tempfail, reject", *value);
	return -1;
}
