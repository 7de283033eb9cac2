/*
 * dnslocal.c - the local-data parser: a zone-style file (format in dns.h)
 * loaded into a resolver's libunbound context.
 *
 * Exports dnslocal_load (dnslocal.h), which dns.c calls while it sets up
 * a resolver.  Owns nothing past the call: the lines and the queued
 * records are freed before it returns; libunbound keeps its own copy of
 * each zone and record.  $STATIC and $FORWARD lines become libunbound
 * local zones (static, typetransparent), applied before any record, so
 * that every record lands in the zone the file declares whatever the line
 * order; records are queued and added so that libunbound answers them in
 * file order.  Zone-file habits that pasted records bring (opendkim-genkey
 * prints "sel._domainkey IN TXT ( "v=DKIM1; ..." "p=..." )" over several
 * lines, relative to the zone): parentheses join lines into one record
 * (outside quotes), and after "$ORIGIN name" a name without a final dot,
 * and "@", are relative to it.  Without $ORIGIN names stay absolute, as
 * before; a relative-looking "x._domainkey" then is an error that says to
 * add $ORIGIN.
 *
 * Thread rule: runs once per resolver, on the thread that creates it,
 * before the resolver is shared; no state of its own.  Caps: names as
 * RFC 1035 2.3.4 (label 1..63 octets, name <= 253 octets in text form,
 * escapes \X and \DDD counting as one octet); local-data lines <= 64 KB;
 * a NUL byte in a line is an error; a parenthesised record is one
 * logical line of at most DNS_LINE_MAX bytes.
 */
#include <sys/types.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <unbound.h>

#include "dns/dnslocal.h"

#define DNS_NAME_MAX	253		/* text form, no root dot */
#define DNS_LABEL_MAX	63
#define DNS_LINE_MAX	65536		/* one local-data line */

/* Splits one local-data line in place: strips the comment (';' or '#'
 * outside quotes and not escaped) and surrounding blanks.  Returns the
 * text, possibly empty. */
static char *
line_clean(char *s)
{
	char *p, *end;
	int quoted = 0;

	for (p = s; *p != '\0'; p++) {
		if (*p == '\\' && p[1] != '\0')
			p++;
		else if (*p == '"')
			quoted = !quoted;
		else if (!quoted && (*p == ';' || *p == '#'))
			break;
	}
	*p = '\0';
	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
	    end[-1] == '\r' || end[-1] == '\n'))
		*--end = '\0';
	return s;
}

/* Length of the first token of s (backslash escapes kept inside it). */
static size_t
token_len(const char *s)
{
	size_t n = 0;

	while (s[n] != '\0' && s[n] != ' ' && s[n] != '\t') {
		if (s[n] == '\\' && s[n + 1] != '\0')
			n++;
		n++;
	}
	return n;
}

static int
isdigit3(const char *p)
{
	return p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9' &&
	    p[2] >= '0' && p[2] <= '9';
}

/* Checks the presentation name name[0..n) (escapes \X and \DDD count as
 * one octet) against the RFC 1035 limits and copies it to out with a root
 * dot.  "." alone is the root.  -1 when invalid or out is too small. */
static int
name_absolute(const char *name, size_t n, char *out, size_t outlen)
{
	size_t i, label = 0, total = 0;

	if (n == 1 && name[0] == '.') {
		if (outlen < 2)
			return -1;
		strcpy(out, ".");
		return 0;
	}
	if (n == 0 || n + 2 > outlen)
		return -1;
	for (i = 0; i < n; i++) {
		if (name[i] == '.') {
			if (label == 0)
				return -1;
			label = 0;
			total++;
			continue;
		}
		if (name[i] == '\\') {
			if (i + 3 < n && isdigit3(name + i + 1)) {
				if ((name[i + 1] - '0') * 100 +
				    (name[i + 2] - '0') * 10 +
				    (name[i + 3] - '0') > 255)
					return -1;
				i += 3;
			} else if (i + 1 < n && (name[i + 1] < '0' ||
			    name[i + 1] > '9'))
				i++;	/* \X; a digit must be \DDD */
			else
				return -1;
		}
		if (++label > DNS_LABEL_MAX)
			return -1;
		total++;
	}
	if (label == 0)
		total--;			/* the root dot */
	if (total > DNS_NAME_MAX)
		return -1;
	memcpy(out, name, n);
	if (label > 0)
		out[n++] = '.';
	out[n] = '\0';
	return 0;
}

/* What earlier lines set for the next ones. */
struct origin {
	char name[DNS_NAME_MAX * 4 + 2];	/* with the root dot */
	int set;
};

/* The owner name s[0..n) made absolute into out (root dot): "@" and, after
 * $ORIGIN, a name without a final dot are relative to the origin.  -1
 * with err when bad. */
static int
owner_name(const struct origin *o, const char *file, unsigned line,
    const char *s, size_t n, char *out, size_t outlen, char *err,
    size_t errlen)
{
	char joined[DNS_NAME_MAX * 8 + 4];
	int relative = n > 0 && s[n - 1] != '.';

	if (n == 1 && s[0] == '@') {
		if (!o->set) {
			snprintf(err, errlen, "%s:%u: @ without $ORIGIN", file,
			    line);
			return -1;
		}
		snprintf(out, outlen, "%s", o->name);
		return 0;
	}
	if (relative && o->set) {
		if (n + strlen(o->name) + 2 > sizeof(joined)) {
			snprintf(err, errlen, "%s:%u: bad owner name", file,
			    line);
			return -1;
		}
		snprintf(joined, sizeof(joined), "%.*s.%s", (int)n, s,
		    strcmp(o->name, ".") == 0 ? "" : o->name);
		s = joined;
		n = strlen(joined);
	} else if (relative && n >= 11 &&
	    strncasecmp(s + n - 11, "._domainkey", 11) == 0) {
		snprintf(err, errlen, "%s:%u: %.*s is relative to its zone "
		    "(as opendkim-genkey prints it): put \"$ORIGIN "
		    "example.com.\" (the signing domain) on a line before it",
		    file, line, (int)(n > 80 ? 80 : n), s);
		return -1;
	}
	if (name_absolute(s, n, out, outlen) < 0) {
		snprintf(err, errlen, "%s:%u: bad owner name", file, line);
		return -1;
	}
	return 0;
}

struct record {
	struct record *next;
	unsigned line;
	char text[];
};

static void
records_free(struct record *rec)
{
	while (rec != NULL) {
		struct record *next = rec->next;

		free(rec);
		rec = next;
	}
}

/* A $STATIC or $FORWARD line.  Zones are given as configuration, before
 * libunbound finalizes the context: zones added afterwards get no parent
 * pointers in libunbound 1.17 (fixed upstream in 1.21, #1076), so a
 * query could miss the zone it falls under. */
static int
local_zone(struct ub_ctx *ctx, struct origin *o, const char *file,
    unsigned line, const char *s, size_t n, char *err, size_t errlen)
{
	char name[DNS_NAME_MAX * 4 + 2], opt[DNS_NAME_MAX * 4 + 24];
	const char *type, *dir, *arg = s + n;
	int rc;

	if (n == 7 && strncasecmp(s, "$ORIGIN", 7) == 0) {
		while (*arg == ' ' || *arg == '\t')
			arg++;
		n = token_len(arg);
		if (n == 0 || arg[n] != '\0' || name_absolute(arg, n,
		    o->name, sizeof(o->name)) < 0) {
			snprintf(err, errlen, "%s:%u: $ORIGIN takes one name",
			    file, line);
			return -1;
		}
		o->set = 1;
		return 0;
	}
	if (n == 7 && strncasecmp(s, "$STATIC", 7) == 0) {
		type = "static";
		dir = "$STATIC";
	} else if (n == 8 && strncasecmp(s, "$FORWARD", 8) == 0) {
		/* the name's own records still answer locally */
		type = "typetransparent";
		dir = "$FORWARD";
	} else {
		snprintf(err, errlen, "%s:%u: unknown directive %.*s", file,
		    line, (int)(n > 40 ? 40 : n), s);
		return -1;
	}
	while (*arg == ' ' || *arg == '\t')
		arg++;
	n = token_len(arg);
	if (n == 0 || arg[n] != '\0') {
		snprintf(err, errlen, "%s:%u: %s takes one name", file, line,
		    dir);
		return -1;
	}
	if (name_absolute(arg, n, name, sizeof(name)) < 0) {
		snprintf(err, errlen, "%s:%u: bad name", file, line);
		return -1;
	}
	snprintf(opt, sizeof(opt), "%s %s", name, type);
	if ((rc = ub_ctx_set_option(ctx, "local-zone:", opt)) != 0) {
		snprintf(err, errlen, "%s:%u: %s: %s", file, line, dir,
		    ub_strerror(rc));
		return -1;
	}
	return 0;
}

/* One line: a directive is applied at once, a record is queued on *head
 * (records go in after every zone is known).  -1 with err set. */
static int
local_line(struct ub_ctx *ctx, struct origin *o, const char *file,
    unsigned line, char *s, struct record **head, char *err, size_t errlen)
{
	char name[DNS_NAME_MAX * 4 + 2];
	size_t n = token_len(s), rest;
	struct record *rec;

	if (*s == '$')
		return local_zone(ctx, o, file, line, s, n, err, errlen);
	rest = strlen(s + n);
	if (rest == 0) {
		snprintf(err, errlen, "%s:%u: record without type and data",
		    file, line);
		return -1;
	}
	if (owner_name(o, file, line, s, n, name, sizeof(name), err,
	    errlen) < 0)
		return -1;
	rec = malloc(sizeof(*rec) + strlen(name) + rest + 1);
	if (rec == NULL) {
		snprintf(err, errlen, "%s:%u: out of memory", file, line);
		return -1;
	}
	rec->line = line;
	strcpy(rec->text, name);
	strcat(rec->text, s + n);
	/* newest first: libunbound puts each record at the head of its
	 * RRset, so adding them backwards answers them in file order */
	rec->next = *head;
	*head = rec;
	return 0;
}

/* Parentheses outside quotes in a cleaned line: each becomes a blank;
 * *depth follows them.  -1 on a ')' without its '('. */
static int
parens(char *s, int *depth)
{
	int quoted = 0;

	for (; *s != '\0'; s++) {
		if (*s == '\\' && s[1] != '\0')
			s++;
		else if (*s == '"')
			quoted = !quoted;
		else if (!quoted && *s == '(') {
			(*depth)++;
			*s = ' ';
		} else if (!quoted && *s == ')') {
			if (--(*depth) < 0)
				return -1;
			*s = ' ';
		}
	}
	return 0;
}

/* Appends s to the logical line *acc (a blank between); -1 past
 * DNS_LINE_MAX or out of memory. */
static int
append(char **acc, size_t *len, const char *s)
{
	size_t n = strlen(s);
	char *p;

	if (*len + n + 2 > DNS_LINE_MAX ||
	    (p = realloc(*acc, *len + n + 2)) == NULL)
		return -1;
	if (*len > 0)
		p[(*len)++] = ' ';
	memcpy(p + *len, s, n + 1);
	*len += n;
	*acc = p;
	return 0;
}

/* Reads the local-data file: zones first, then records, so that every
 * record lands in the zone the file declares whatever the line order. */
int
dnslocal_load(struct ub_ctx *ctx, const char *file, char *err, size_t errlen)
{
	FILE *fp = fopen(file, "r");
	char *buf = NULL;
	size_t cap = 0;
	ssize_t got;
	unsigned line = 0;
	struct record *recs = NULL, *rec;
	struct origin o = { .set = 0 };
	char *acc = NULL;
	size_t acclen = 0;
	unsigned first = 0;
	int rc = -1, depth = 0;

	if (fp == NULL) {
		snprintf(err, errlen, "%s: cannot open: %m", file);
		return -1;
	}
	while ((got = getline(&buf, &cap, fp)) >= 0) {
		char *s;

		line++;
		if (depth == 0)
			first = line;
		if (got >= DNS_LINE_MAX) {
			snprintf(err, errlen, "%s:%u: line too long", file,
			    line);
			goto out;
		}
		if (memchr(buf, '\0', (size_t)got) != NULL) {
			snprintf(err, errlen, "%s:%u: NUL byte", file, line);
			goto out;
		}
		s = line_clean(buf);
		if (parens(s, &depth) < 0) {
			snprintf(err, errlen, "%s:%u: ')' without '('", file,
			    line);
			goto out;
		}
		if (depth > 0 || acclen > 0) {
			/* inside ( ... ): one record over several lines */
			if (append(&acc, &acclen, s) < 0) {
				snprintf(err, errlen, "%s:%u: record too long",
				    file, first);
				goto out;
			}
			if (depth > 0)
				continue;
			s = line_clean(acc);
		}
		if (*s != '\0' && local_line(ctx, &o, file, first, s, &recs,
		    err, errlen) < 0)
			goto out;
		acclen = 0;
	}
	if (ferror(fp)) {
		snprintf(err, errlen, "%s: read error", file);
		goto out;
	}
	if (depth > 0) {
		snprintf(err, errlen, "%s:%u: '(' not closed", file, first);
		goto out;
	}
	for (rec = recs; rec != NULL; rec = rec->next) {
		/* libunbound answers "out of memory" for any bad record */
		if (ub_ctx_data_add(ctx, rec->text) != 0) {
			snprintf(err, errlen, "%s:%u: bad record", file,
			    rec->line);
			goto out;
		}
	}
	rc = 0;
out:
	records_free(recs);
	free(acc);
	free(buf);
	fclose(fp);
	return rc;
}
