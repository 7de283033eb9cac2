/*
 * qmsg.c - a held message for relaywarden-quarantine (qmsg.h).  Exports
 * qmsg_load, qmsg_free, qmsg_term, qmsg_vfield.  Single-threaded (the
 * tool).  Caps: QMSG_MAX_HEADER_BYTES of header block kept; a header
 * field longer than that is cut.  RFC 5322 2.2.3 (unfolding), RFC 2047
 * (encoded words, decoded by GMime).
 *
 * Everything shown comes from the message, which an attacker wrote: an
 * escape sequence in a Subject must not reach the admin's terminal, nor
 * a right-to-left override reorder what the admin reads.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gmime/gmime.h>

#include "util/utf8.h"
#include "qmsg.h"

char *
qmsg_term(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, k;
	char *out, *o;

	if ((out = o = malloc(n + 1)) == NULL)
		return NULL;
	while (i < n) {
		k = utf8_seq_len(p + i, n - i);
		if (k == 0 || (k == 1 && (p[i] < 0x20 || p[i] == 0x7f))) {
			*o++ = p[i] == '\t' ? ' ' : '?';
			i++;
			continue;
		}
		/* C1 controls (U+0080-U+009F), LRM/RLM, the embeddings and
		 * overrides U+202A-U+202E and the isolates U+2066-U+2069 */
		if ((k == 2 && p[i] == 0xc2 && p[i + 1] < 0xa0) ||
		    (k == 3 && p[i] == 0xe2 && p[i + 1] == 0x80 &&
		    (p[i + 2] == 0x8e || p[i + 2] == 0x8f ||
		    (p[i + 2] >= 0xaa && p[i + 2] <= 0xae))) ||
		    (k == 3 && p[i] == 0xe2 && p[i + 1] == 0x81 &&
		    p[i + 2] >= 0xa6 && p[i + 2] <= 0xa9)) {
			*o++ = '?';
			i += k;
			continue;
		}
		memcpy(o, p + i, k);
		o += k;
		i += k;
	}
	*o = '\0';
	return out;
}

const char *
qmsg_vfield(const char *verdict, const char *key, char *buf, size_t len)
{
	size_t kl = strlen(key), n = 0;
	const char *p = verdict;

	buf[0] = '\0';
	/* a key at the start or after "; " or a space, never inside a
	 * detail such as "(from=x action=y)" quoted by us */
	while (p != NULL && (p = strstr(p, key)) != NULL) {
		if ((p == verdict || p[-1] == ' ' || p[-1] == ';') &&
		    p[kl] == '=')
			break;
		p += kl;
	}
	if (p == NULL)
		return buf;
	/* up to the ';' that ends the field; the reasons list is written
	 * "a(x), b(y)" and may be folded: blanks dropped (none can be in
	 * a word, vdetail.c) */
	for (p += kl + 1; *p != '\0' && *p != ';' && n + 1 < len; p++)
		if (*p != ' ' && *p != '\t')
			buf[n++] = *p;
	buf[n] = '\0';
	return buf;
}

/* Appends a header field (unfolded: CR and LF dropped) to q. */
static int
field(struct qmsg *q, const char *f, size_t *used)
{
	const char *colon = strchr(f, ':');
	char *safe, *v, *dec;
	size_t n;

	if ((safe = qmsg_term(f)) == NULL)
		return -1;
	n = strlen(safe);
	if (*used + n + 2 > QMSG_MAX_HEADER_BYTES)
		q->headers_cut = 1;
	else {
		memcpy(q->headers + *used, safe, n);
		q->headers[*used + n] = '\n';
		*used += n + 1;
		q->headers[*used] = '\0';
	}
	free(safe);
	if (colon == NULL)
		return 0;
	v = (char *)colon + 1;
	v += strspn(v, " \t");
	if ((size_t)(colon - f) == 7 && strncasecmp(f, "Subject", 7) == 0 &&
	    q->subject == NULL) {
		dec = g_mime_utils_header_decode_text(NULL, v);
		q->subject = qmsg_term(dec != NULL ? dec : v);
		q->subject_decoded = strdup(dec != NULL ? dec : v);
		g_free(dec);
		return q->subject == NULL || q->subject_decoded == NULL ? -1 :
		    0;
	}
	if ((size_t)(colon - f) == 13 &&
	    strncasecmp(f, "X-Relaywarden", 13) == 0) {
		free(q->verdict);
		q->nverdicts++;
		return (q->verdict = qmsg_term(v)) == NULL ? -1 : 0;
	}
	return 0;
}

/* The header block of q->msg, then q->msg rewound. */
static int
read_headers(struct qmsg *q, char *err, size_t errlen)
{
	char *line = NULL, *f = NULL, *bigger;
	size_t cap = 0, flen = 0, used = 0, fcap = 0, n;
	ssize_t len;
	int rc = 0;

	if ((q->headers = malloc(QMSG_MAX_HEADER_BYTES)) == NULL)
		goto oom;
	q->headers[0] = '\0';
	for (;;) {
		len = getline(&line, &cap, q->msg);
		n = len > 0 ? (size_t)len : 0;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		/* a continuation line joins the field before it */
		if (len > 0 && n > 0 && (line[0] == ' ' || line[0] == '\t') &&
		    f != NULL) {
			if (flen + n < QMSG_MAX_HEADER_BYTES) {
				if (flen + n + 1 > fcap) {
					fcap = (flen + n + 1) * 2;
					if ((bigger = realloc(f, fcap)) ==
					    NULL)
						goto oom;
					f = bigger;
				}
				memcpy(f + flen, line, n + 1);
				flen += n;
			}
			continue;
		}
		if (f != NULL && field(q, f, &used) == -1)
			goto oom;
		free(f);
		f = NULL;
		if (len <= 0 || n == 0)
			break;
		if ((f = strndup(line, n < QMSG_MAX_HEADER_BYTES ? n :
		    QMSG_MAX_HEADER_BYTES)) == NULL)
			goto oom;
		flen = strlen(f);
		fcap = flen + 1;
	}
	if (ferror(q->msg) || fseek(q->msg, 0, SEEK_SET) != 0) {
		snprintf(err, errlen, "cannot read the message");
		rc = -1;
	}
	free(line);
	return rc;
oom:
	free(line);
	free(f);
	snprintf(err, errlen, "out of memory");
	return -1;
}

int
qmsg_load(const char *config_dir, const char *id, struct qmsg *q,
    char *err, size_t errlen)
{
	char err2[256];
	pid_t pid;
	FILE *in;
	int found, rc;

	memset(q, 0, sizeof(*q));
	if ((in = postcat_run(id, config_dir, &pid, err, errlen)) == NULL)
		return -1;
	rc = postcat_read(in, &q->env, &found, &q->msg, err, errlen);
	if (postcat_wait(in, pid, err2, sizeof(err2)) == -1 && rc == 0) {
		snprintf(err, errlen, "%s", err2);
		rc = -1;
	} else if (rc == 0 && !found) {
		snprintf(err, errlen, "postcat printed no envelope records");
		rc = -1;
	}
	if (rc == -1)
		return -1;
	g_mime_init();
	return read_headers(q, err, errlen);
}

void
qmsg_free(struct qmsg *q)
{
	if (q->msg != NULL)
		fclose(q->msg);
	postcat_env_free(&q->env);
	free(q->headers);
	free(q->subject);
	free(q->subject_decoded);
	free(q->verdict);
	memset(q, 0, sizeof(*q));
}
