/*
 * statexfer.c - relaywarden-state export / import: the whole history
 * under the configured prefix as JSON lines, for backups and for moving
 * to another Redis (issue 14 item 6).
 *
 * Exports statexfer_export, statexfer_import (statexfer.h).
 * One line per record (policy/state/statedump.h):
 *   {"key":"rw:{example.com}","type":"hash","expire_at_ms":1767225600000,
 *    "append":false,"elements":["m","12","f","1764547200",...]}
 * type hash (field, value, ...), zset (member, score, ...) or string
 * (one value: a HyperLogLog's bytes); expire_at_ms is absolute Unix
 * milliseconds (0: none), so a restore keeps the original expiry;
 * append true: more elements of the key of the line before (big hashes
 * and the known index come in pages of about 1000).
 * Strings are bytes: printable ASCII as itself, '"' and '\' escaped,
 * every other byte as \u00XX (one byte each, not a code point); import
 * also takes raw bytes 0x80-0xff and \b \f \n \r \t \/, and refuses
 * \u above 00ff.
 * Import: lines of at most LINE_MAX_BYTES, each parsed strictly (known
 * members, each once, nothing after the object); the whole input is
 * checked and spooled to a temporary file before the first write, so a
 * malformed line writes nothing.  Semantics: without --replace a key
 * that already exists is left alone (counted, exit 1): a restore into
 * an empty Redis, or filling in what is missing, never mixes two
 * histories of one sender; with --replace each imported key is deleted
 * and written anew (keys not in the input are untouched).  Each record
 * is one script call (atomic per record).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state/statedump.h"
#include "statexfer.h"

#define PROG		"relaywarden-state"
#define LINE_MAX_BYTES	(4u << 20)
#define ELEMENTS_MAX	1000000u

static const char *const type_names[] = { "hash", "zset", "string" };

/* --- export --------------------------------------------------------------- */

static void
put_str(FILE *fp, const char *s, size_t len)
{
	size_t i;
	unsigned char c;

	putc('"', fp);
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			fprintf(fp, "\\%c", c);
		else if (c >= 0x20 && c < 0x7f)
			putc(c, fp);
		else
			fprintf(fp, "\\u%04x", c);
	}
	putc('"', fp);
}

struct xout {
	FILE *out;
	unsigned long records;
	char err[256];
};

static int
export_record(const struct state_record *r, void *arg)
{
	struct xout *x = arg;
	char *buf = NULL;
	size_t len = 0, i;
	FILE *mf;

	if ((mf = open_memstream(&buf, &len)) == NULL) {
		snprintf(x->err, sizeof(x->err), "out of memory");
		return -1;
	}
	fputs("{\"key\":", mf);
	put_str(mf, r->key, r->keylen);
	fprintf(mf, ",\"type\":\"%s\",\"expire_at_ms\":%lld,\"append\":%s,"
	    "\"elements\":[", type_names[r->type], r->expire_at_ms,
	    r->append ? "true" : "false");
	for (i = 0; i < r->nel; i++) {
		if (i > 0)
			putc(',', mf);
		put_str(mf, r->el[i], r->ellen[i]);
	}
	fputs("]}\n", mf);
	if (fclose(mf) != 0 || buf == NULL) {
		free(buf);
		snprintf(x->err, sizeof(x->err), "out of memory");
		return -1;
	}
	if (len > LINE_MAX_BYTES) {
		snprintf(x->err, sizeof(x->err), "a key of %zu bytes too big "
		    "for a line (import takes %u bytes)", len, LINE_MAX_BYTES);
		free(buf);
		return -1;
	}
	if (fwrite(buf, 1, len, x->out) != len) {
		snprintf(x->err, sizeof(x->err), "write error");
		free(buf);
		return -1;
	}
	free(buf);
	x->records++;
	return 0;
}

int
statexfer_export(struct state_pool *pool, FILE *out)
{
	struct xout x = { out, 0, "" };
	unsigned long skipped;
	char err[512];

	if (state_dump_export(pool, export_record, &x, &skipped, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, PROG ": export: %s\n", x.err[0] ? x.err : err);
		return 2;
	}
	if (fflush(out) != 0) {
		fprintf(stderr, PROG ": export: write error\n");
		return 2;
	}
	fprintf(stderr, PROG ": export: %lu records", x.records);
	if (skipped > 0)
		fprintf(stderr, ", %lu keys of other types not exported",
		    skipped);
	fputc('\n', stderr);
	return 0;
}

/* --- import: the strict line parser --------------------------------------- */

struct parser {
	char *s, *end;		/* the line, decoded in place */
	const char *problem;
};

static void
ws(struct parser *p)
{
	while (p->s < p->end && (*p->s == ' ' || *p->s == '\t'))
		p->s++;
}

static int
lit(struct parser *p, const char *w)
{
	size_t n = strlen(w);

	ws(p);
	if ((size_t)(p->end - p->s) < n || memcmp(p->s, w, n) != 0)
		return -1;
	p->s += n;
	return 0;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A string, decoded in place (never longer than its text). */
static int
str(struct parser *p, char **out, size_t *len)
{
	char *w;
	int h[4], i;

	if (lit(p, "\"") == -1) {
		p->problem = "a string expected";
		return -1;
	}
	for (*out = w = p->s; p->s < p->end && *p->s != '"'; ) {
		if ((unsigned char)*p->s < 0x20) {
			p->problem = "a control byte in a string";
			return -1;
		}
		if (*p->s != '\\') {
			*w++ = *p->s++;
			continue;
		}
		if (++p->s == p->end)
			break;
		switch (*p->s++) {
		case '"': *w++ = '"'; break;
		case '\\': *w++ = '\\'; break;
		case '/': *w++ = '/'; break;
		case 'b': *w++ = '\b'; break;
		case 'f': *w++ = '\f'; break;
		case 'n': *w++ = '\n'; break;
		case 'r': *w++ = '\r'; break;
		case 't': *w++ = '\t'; break;
		case 'u':
			if (p->end - p->s < 4) {
				p->problem = "a short \\u escape";
				return -1;
			}
			for (i = 0; i < 4; i++)
				if ((h[i] = hexval(p->s[i])) == -1) {
					p->problem = "a bad \\u escape";
					return -1;
				}
			if (h[0] != 0 || h[1] != 0) {
				p->problem = "\\u above 00ff (bytes are "
				    "\\u00XX)";
				return -1;
			}
			*w++ = (char)(h[2] * 16 + h[3]);
			p->s += 4;
			break;
		default:
			p->problem = "an unknown escape";
			return -1;
		}
	}
	if (p->s == p->end) {
		p->problem = "an unterminated string";
		return -1;
	}
	p->s++;
	*len = (size_t)(w - *out);
	return 0;
}

struct line_rec {
	struct state_record r;
	char **el;
	size_t *ellen, cap;
};

static int
elements(struct parser *p, struct line_rec *l)
{
	char **nel;
	size_t *nlen, len;
	char *s;

	if (lit(p, "[") == -1) {
		p->problem = "elements: an array expected";
		return -1;
	}
	if (lit(p, "]") == 0)
		return 0;
	do {
		if (l->r.nel == ELEMENTS_MAX) {
			p->problem = "too many elements";
			return -1;
		}
		if (l->r.nel == l->cap) {
			l->cap = l->cap ? 2 * l->cap : 64;
			if ((nel = realloc(l->el, l->cap * sizeof(*nel))) ==
			    NULL)
				goto oom;
			l->el = nel;
			if ((nlen = realloc(l->ellen, l->cap *
			    sizeof(*nlen))) == NULL)
				goto oom;
			l->ellen = nlen;
		}
		if (str(p, &s, &len) == -1)
			return -1;
		l->el[l->r.nel] = s;
		l->ellen[l->r.nel++] = len;
	} while (lit(p, ",") == 0);
	if (lit(p, "]") == -1) {
		p->problem = "elements: ',' or ']' expected";
		return -1;
	}
	return 0;
oom:
	p->problem = "out of memory";
	return -1;
}

/* A zset score as ZADD takes it: a decimal number, inf, +inf, -inf. */
static int
score_ok(const char *s, size_t len)
{
	char buf[48], *e;
	double d;

	if (len == 0 || len >= sizeof(buf) || strspn(s, "0123456789.eE+-") <
	    len) {
		if (len == 3 && memcmp(s, "inf", 3) == 0)
			return 0;
		if (len == 4 && (memcmp(s, "+inf", 4) == 0 ||
		    memcmp(s, "-inf", 4) == 0))
			return 0;
		return -1;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	d = strtod(buf, &e);
	return e == buf + len && d == d ? 0 : -1;
}

/* One line (without its newline) into l; -1 with p->problem. */
static int
parse_line(struct parser *p, struct line_rec *l)
{
	enum { K_KEY = 1, K_TYPE = 2, K_EXP = 4, K_APPEND = 8, K_EL = 16 };
	unsigned seen = 0, bit;
	char *name, *s, *e;
	size_t len, i;
	long long v;

	l->r.nel = 0;
	l->r.append = 0;
	if (lit(p, "{") == -1) {
		p->problem = "an object expected";
		return -1;
	}
	do {
		if (str(p, &name, &len) == -1)
			return -1;
		if (lit(p, ":") == -1) {
			p->problem = "':' expected";
			return -1;
		}
		bit = len == 3 && memcmp(name, "key", 3) == 0 ? K_KEY :
		    len == 4 && memcmp(name, "type", 4) == 0 ? K_TYPE :
		    len == 12 && memcmp(name, "expire_at_ms", 12) == 0 ? K_EXP :
		    len == 6 && memcmp(name, "append", 6) == 0 ? K_APPEND :
		    len == 8 && memcmp(name, "elements", 8) == 0 ? K_EL : 0;
		if (bit == 0 || (seen & bit)) {
			p->problem = bit ? "a member given twice" :
			    "an unknown member";
			return -1;
		}
		seen |= bit;
		switch (bit) {
		case K_KEY:
			if (str(p, &s, &l->r.keylen) == -1)
				return -1;
			l->r.key = s;
			break;
		case K_TYPE:
			if (str(p, &s, &len) == -1)
				return -1;
			for (i = 0; i < 3 && (strlen(type_names[i]) != len ||
			    memcmp(type_names[i], s, len) != 0); i++)
				;
			if (i == 3) {
				p->problem = "type is not hash, zset or string";
				return -1;
			}
			l->r.type = (enum state_rec_type)i;
			break;
		case K_EXP:
			ws(p);
			if (p->s == p->end || *p->s < '0' || *p->s > '9' ||
			    (v = strtoll(p->s, &e, 10)) < 0 ||
			    e - p->s > 15) {
				p->problem = "expire_at_ms: a number of at most "
				    "15 digits expected";
				return -1;
			}
			l->r.expire_at_ms = v;
			p->s = e;
			break;
		case K_APPEND:
			if (lit(p, "true") == 0)
				l->r.append = 1;
			else if (lit(p, "false") == -1) {
				p->problem = "append: true or false expected";
				return -1;
			}
			break;
		case K_EL:
			if (elements(p, l) == -1)
				return -1;
			break;
		}
	} while (lit(p, ",") == 0);
	if (lit(p, "}") == -1) {
		p->problem = "',' or '}' expected";
		return -1;
	}
	ws(p);
	if (p->s != p->end) {
		p->problem = "text after the object";
		return -1;
	}
	if ((seen & (K_KEY | K_TYPE | K_EXP | K_EL)) !=
	    (K_KEY | K_TYPE | K_EXP | K_EL)) {
		p->problem = "key, type, expire_at_ms and elements are needed";
		return -1;
	}
	if (l->r.type == STATE_REC_STRING ? l->r.nel != 1 :
	    l->r.nel % 2 != 0 || l->r.nel == 0) {
		p->problem = l->r.type == STATE_REC_STRING ? "a string takes "
		    "one element" : "elements come in non-empty pairs";
		return -1;
	}
	if (l->r.type == STATE_REC_ZSET)
		for (i = 1; i < l->r.nel; i += 2)
			if (score_ok(l->el[i], l->ellen[i]) == -1) {
				p->problem = "a score that is not a number";
				return -1;
			}
	l->r.el = (const char *const *)l->el;
	l->r.ellen = l->ellen;
	return 0;
}

/* --- import --------------------------------------------------------------- */

/* The next line of fp into buf (NUL-terminated, newline cut): 1, 0 at
 * the end, -1 when longer than LINE_MAX_BYTES. */
static int
read_line(FILE *fp, char *buf, size_t *len)
{
	size_t n = 0;
	int c, any = 0;

	while ((c = getc(fp)) != EOF) {
		any = 1;
		if (c == '\n')
			break;
		if (n == LINE_MAX_BYTES) {
			while ((c = getc(fp)) != EOF && c != '\n')
				;
			return -1;
		}
		buf[n++] = (char)c;
	}
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	*len = n;
	return any;
}

/* Reads every line of fp; with pool NULL only checks (and copies the
 * good input to spool), else writes each record.  Counts in *written
 * and *kept (left alone). */
static int
each_line(FILE *fp, FILE *spool, struct state_pool *pool, int replace,
    const char *prefix, unsigned long *written, unsigned long *kept)
{
	struct line_rec l;
	struct parser p;
	char *buf, *last = NULL, err[512];
	unsigned long lineno = 0, bad = 0;
	size_t len, plen = strlen(prefix);
	int rc, skipping = 0;

	memset(&l, 0, sizeof(l));
	if ((buf = malloc(LINE_MAX_BYTES + 1)) == NULL ||
	    (last = malloc(LINE_MAX_BYTES + 1)) == NULL) {
		free(buf);
		fprintf(stderr, PROG ": import: out of memory\n");
		return -1;
	}
	last[0] = '\0';
	while ((rc = read_line(fp, buf, &len)) != 0) {
		lineno++;
		if (rc == -1) {
			fprintf(stderr, PROG ": import: line %lu: longer than "
			    "%u bytes\n", lineno, LINE_MAX_BYTES);
			bad++;
			continue;
		}
		if (len == 0)
			continue;
		if (spool != NULL && fprintf(spool, "%s\n", buf) < 0) {
			fprintf(stderr, PROG ": import: spool: write error\n");
			bad++;
			break;
		}
		p.s = buf;
		p.end = buf + len;
		p.problem = NULL;
		if (parse_line(&p, &l) == -1) {
			fprintf(stderr, PROG ": import: line %lu: %s\n", lineno,
			    p.problem);
			bad++;
			continue;
		}
		if (l.r.keylen <= plen || memcmp(l.r.key, prefix, plen) != 0 ||
		    memchr(l.r.key, '\0', l.r.keylen) != NULL) {
			fprintf(stderr, PROG ": import: line %lu: key not "
			    "under the prefix \"%s\"\n", lineno, prefix);
			bad++;
			continue;
		}
		if (l.r.append && (strlen(last) != l.r.keylen ||
		    memcmp(last, l.r.key, l.r.keylen) != 0)) {
			fprintf(stderr, PROG ": import: line %lu: append of a "
			    "key not on the line before\n", lineno);
			bad++;
			continue;
		}
		memcpy(last, l.r.key, l.r.keylen);
		last[l.r.keylen] = '\0';
		if (pool == NULL || (l.r.append && skipping))
			continue;
		rc = state_dump_import(pool, &l.r, replace, err, sizeof(err));
		if (rc == -1) {
			fprintf(stderr, PROG ": import: line %lu: %s\n", lineno,
			    err);
			bad++;
			break;
		}
		if (!l.r.append) {
			skipping = rc == 0;
			if (rc == 1)
				(*written)++;
			else
				(*kept)++;
		}
	}
	if (ferror(fp)) {
		fprintf(stderr, PROG ": import: read error\n");
		bad++;
	}
	free(l.el);
	free(l.ellen);
	free(buf);
	free(last);
	return bad > 0 ? -1 : 0;
}

int
statexfer_import(struct state_pool *pool, FILE *in, int replace)
{
	unsigned long written = 0, kept = 0;
	const char *prefix = state_dump_prefix(pool);
	FILE *spool;
	int rc;

	if ((spool = tmpfile()) == NULL) {
		fprintf(stderr, PROG ": import: no temporary file\n");
		return 2;
	}
	if (each_line(in, spool, NULL, replace, prefix, &written, &kept) ==
	    -1) {
		fprintf(stderr, PROG ": import: nothing written\n");
		fclose(spool);
		return 2;
	}
	if (fflush(spool) != 0 || fseek(spool, 0, SEEK_SET) != 0) {
		fprintf(stderr, PROG ": import: spool: write error\n");
		fclose(spool);
		return 2;
	}
	rc = each_line(spool, NULL, pool, replace, prefix, &written, &kept);
	fclose(spool);
	fprintf(stderr, PROG ": import: %lu keys written, %lu existed and "
	    "were left alone%s\n", written, kept, rc == -1 ? ", stopped at "
	    "an error" : kept > 0 ? " (--replace overwrites them)" : "");
	return rc == -1 ? 2 : kept > 0 ? 1 : 0;
}
