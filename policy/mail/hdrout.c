/*
 * hdrout.c - the only way a header value leaves relaywarden.
 *
 * Exports hdrout_*.  A builder and its text live in one message's arena;
 * one thread.  Copied text (identities, domains, reasons from mail or DNS)
 * loses CR, LF, NUL, every other control byte (C0, DEL, C1) and invalid
 * UTF-8 (RFC 3629: no overlongs, no surrogates, nothing past U+10FFFF);
 * parameter values that are not RFC 2045 tokens, nor local@domain as RFC
 * 8601 2.2's pvalue allows, are quoted (RFC 5322 quoted-string); comment
 * text has '(', ')' and '\' escaped (RFC 5322 3.2.2 quoted-pair).
 * Folding: items are never split; a new item goes on a new line ("\n\t":
 * the MTA adds the CR) when it would pass column 78, and after every ';';
 * an item glued to the last (sep '\0') gets no space unless it folds.
 * Caps (each cut sets hdrout_truncated):
 *   HDROUT_VALUE_MAX bytes of one copied value or comment text,
 *   HDROUT_ITEM_MAX bytes of one raw word,
 *   HDROUT_TOTAL_MAX bytes of the whole value (later items are dropped),
 * so no line reaches 998 bytes (RFC 5322 2.1.1).
 */
#include <stdint.h>
#include <string.h>

#include "util/arena.h"
#include "mail/hdrout.h"
#include "util/utf8.h"

#define HDROUT_SOFT		78
#define HDROUT_VALUE_MAX	400
#define HDROUT_KEY_MAX		64
#define HDROUT_ITEM_MAX		900
#define HDROUT_NAME_MAX		80
#define HDROUT_TOTAL_MAX	32768

struct hdrout {
	struct arena *arena;
	char *buf;
	size_t len, cap;
	size_t col;		/* bytes on the current line */
	int truncated;
	int failed;		/* out of memory: finish returns NULL */
};

/* 1 for C0 controls, DEL and C1 controls (U+0080..U+009F). */
static int
is_control(const unsigned char *p, size_t seq)
{
	if (seq == 1)
		return p[0] < 0x20 || p[0] == 0x7f;
	return seq == 2 && p[0] == 0xc2 && p[1] < 0xa0;
}

int
hdrout_sanitize(char *dst, size_t dstlen, const char *src)
{
	const unsigned char *p = (const unsigned char *)src;
	size_t n, seq, o = 0;
	int changed = 0;

	if (dstlen == 0)
		return 1;
	if (src == NULL) {
		dst[0] = '\0';
		return 0;
	}
	n = strlen(src);
	while (n > 0) {
		seq = utf8_seq_len(p, n);
		if (seq == 0 || is_control(p, seq)) {
			changed = 1;
			seq = seq ? seq : 1;
		} else if (seq > dstlen - 1 - o) {
			changed = 1;	/* cut on a character boundary */
			break;
		} else {
			memcpy(dst + o, p, seq);
			o += seq;
		}
		p += seq;
		n -= seq;
	}
	dst[o] = '\0';
	return changed;
}

char *
hdrout_printable(struct arena *a, const char *src, size_t max)
{
	const unsigned char *p = (const unsigned char *)src;
	size_t n, seq, need, o = 0;
	char *out;
	int bad;

	if (src == NULL)
		return arena_strdup(a, "");
	if (max > SIZE_MAX - 4 || (out = arena_alloc(a, max + 4)) == NULL)
		return NULL;
	n = strlen(src);
	while (n > 0) {
		seq = utf8_seq_len(p, n);
		bad = seq == 0 || is_control(p, seq);
		if (seq == 0)
			seq = 1;
		need = bad ? 1 : seq;	/* one '?' per bad character */
		if (need > max - o) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		if (bad)
			out[o++] = '?';
		else {
			memcpy(out + o, p, seq);
			o += seq;
		}
		p += seq;
		n -= seq;
	}
	out[o] = '\0';
	return out;
}

struct hdrout *
hdrout_new(struct arena *a, const char *name)
{
	struct hdrout *h;
	size_t nlen = name != NULL ? strlen(name) : 0;

	if ((h = arena_calloc(a, 1, sizeof(*h))) == NULL)
		return NULL;
	h->arena = a;
	h->cap = 256;
	if ((h->buf = arena_alloc(a, h->cap)) == NULL)
		return NULL;
	h->buf[0] = '\0';
	/* "Name: " comes before the value on the first line. */
	h->col = (nlen < HDROUT_NAME_MAX ? nlen : HDROUT_NAME_MAX) + 2;
	return h;
}

static int
append(struct hdrout *h, const char *s, size_t n)
{
	char *nbuf;
	size_t ncap;

	if (h->len + n + 1 > h->cap) {
		ncap = h->cap;
		while (ncap < h->len + n + 1)
			ncap *= 2;
		if ((nbuf = arena_alloc(h->arena, ncap)) == NULL) {
			h->failed = 1;
			return -1;
		}
		memcpy(nbuf, h->buf, h->len);
		h->buf = nbuf;
		h->cap = ncap;
	}
	memcpy(h->buf + h->len, s, n);
	h->len += n;
	h->buf[h->len] = '\0';
	return 0;
}

/* Places one finished item: no separator first, ";" and a fold, or a
 * space (a fold when the line would pass the soft limit). */
static int
add_item(struct hdrout *h, char sep, const char *item, size_t n)
{
	int rc;

	if (h->failed)
		return -1;
	/* room for ";\n\t" or "\n\t" and the item */
	if (h->len + n + 3 > HDROUT_TOTAL_MAX) {
		h->truncated = 1;
		return 0;
	}
	if (h->len == 0) {
		h->col += n;
		return append(h, item, n);
	}
	if (sep == ';') {
		if (append(h, ";\n\t", 3) == -1)
			return -1;
		h->col = 1;
	} else if (h->col > 1 && h->col + (sep != '\0') + n > HDROUT_SOFT) {
		if (append(h, "\n\t", 2) == -1)
			return -1;
		h->col = 1;
	} else if (sep != '\0') {
		if (append(h, " ", 1) == -1)
			return -1;
		h->col++;
	}
	rc = append(h, item, n);
	h->col += n;
	return rc;
}

int
hdrout_add_raw(struct hdrout *h, char sep, const char *text)
{
	char item[HDROUT_ITEM_MAX + 1];

	if (hdrout_sanitize(item, sizeof(item), text))
		h->truncated = 1;
	if (item[0] == '\0')
		return 0;
	return add_item(h, sep, item, strlen(item));
}

/* RFC 2045 5.1 token: printable US-ASCII except tspecials and space. */
static int
is_token(const char *v, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)v[i] <= 0x20 || (unsigned char)v[i] >= 0x7f ||
		    strchr("()<>@,;:\\\"/[]?=", v[i]) != NULL)
			return 0;
	return 1;
}

/* RFC 5322 dot-atom-text (n may be 0: "@example.com" has no local part). */
static int
is_dot_atom(const char *v, size_t n)
{
	static const char special[] = "!#$%&'*+-/=?^_`{|}~";
	size_t i;

	for (i = 0; i < n; i++) {
		if (v[i] == '.') {
			if (i == 0 || i == n - 1 || v[i - 1] == '.')
				return 0;
		} else if (!((v[i] >= 'a' && v[i] <= 'z') ||
		    (v[i] >= 'A' && v[i] <= 'Z') ||
		    (v[i] >= '0' && v[i] <= '9') ||
		    strchr(special, v[i]) != NULL))
			return 0;
	}
	return 1;
}

/* RFC 8601 2.2 pvalue: a token, or [local-part] "@" domain-name written
 * bare (smtp.mailfrom=user@example.com, header.i=@example.com). */
static int
is_bare_pvalue(const char *v)
{
	const char *at = strrchr(v, '@');
	size_t i, n;

	if (at == NULL)
		return is_token(v, strlen(v));
	if (!is_dot_atom(v, (size_t)(at - v)))
		return 0;
	n = strlen(at + 1);
	if (n == 0 || at[1] == '.' || at[1] == '-' || at[n] == '.')
		return 0;
	for (i = 1; i <= n; i++)
		if (!((at[i] >= 'a' && at[i] <= 'z') ||
		    (at[i] >= 'A' && at[i] <= 'Z') ||
		    (at[i] >= '0' && at[i] <= '9') || at[i] == '-' ||
		    (at[i] == '.' && at[i - 1] != '.')))
			return 0;
	return 1;
}

/* Writes text into out with the bytes in `esc` backslash-escaped. */
static size_t
escape(char *out, const char *text, const char *esc)
{
	size_t o = 0;

	for (; *text != '\0'; text++) {
		if (strchr(esc, *text) != NULL)
			out[o++] = '\\';
		out[o++] = *text;
	}
	return o;
}

int
hdrout_add_param(struct hdrout *h, char sep, const char *key,
    const char *value)
{
	char k[HDROUT_KEY_MAX + 1], v[HDROUT_VALUE_MAX + 1];
	char item[HDROUT_KEY_MAX + 2 * HDROUT_VALUE_MAX + 4];
	size_t o;

	if (hdrout_sanitize(k, sizeof(k), key) |
	    hdrout_sanitize(v, sizeof(v), value))
		h->truncated = 1;
	if (k[0] == '\0')
		return 0;
	o = strlen(k);
	memcpy(item, k, o);
	item[o++] = '=';
	if (is_bare_pvalue(v)) {
		memcpy(item + o, v, strlen(v));
		o += strlen(v);
	} else {
		item[o++] = '"';
		o += escape(item + o, v, "\"\\");
		item[o++] = '"';
	}
	return add_item(h, sep, item, o);
}

int
hdrout_add_comment(struct hdrout *h, const char *text)
{
	char t[HDROUT_VALUE_MAX + 1], item[2 * HDROUT_VALUE_MAX + 3];
	size_t o = 0;

	if (hdrout_sanitize(t, sizeof(t), text))
		h->truncated = 1;
	if (t[0] == '\0')
		return 0;
	item[o++] = '(';
	o += escape(item + o, t, "()\\");
	item[o++] = ')';
	return add_item(h, ' ', item, o);
}

const char *
hdrout_finish(struct hdrout *h)
{
	if (h == NULL || h->failed)
		return NULL;
	return h->buf;
}

int
hdrout_truncated(const struct hdrout *h)
{
	return h != NULL && h->truncated;
}

/* Text bytes per encoded-word: 45 give 60 of base64, so a word stays
 * within RFC 2047's 75 characters. */
#define WORD_BYTES	45

const char *
hdrout_utf8_word(struct arena *a, const char *text, size_t n)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = (const unsigned char *)text;
	size_t i, o = 0, end, start;
	char *out;

	/* A word of at most 72 bytes and a space per chunk; valid UTF-8
	 * makes two chunks, invalid bytes could make one chunk per byte. */
	if (n > HDROUT_WORD_MAX ||
	    (out = arena_alloc(a, (n > 0 ? n : 1) * 73 + 1)) == NULL)
		return NULL;
	for (start = 0; start < n; start = end) {
		end = start + WORD_BYTES < n ? start + WORD_BYTES : n;
		/* never split a UTF-8 sequence between two words */
		while (end < n && end > start && (p[end] & 0xc0) == 0x80)
			end--;
		if (end == start)
			end = start + WORD_BYTES < n ? start + WORD_BYTES : n;
		if (start > 0)
			out[o++] = ' ';
		memcpy(out + o, "=?UTF-8?B?", 10);
		o += 10;
		for (i = start; i < end; i += 3) {
			unsigned long v = (unsigned long)p[i] << 16;

			if (i + 1 < end)
				v |= (unsigned long)p[i + 1] << 8;
			if (i + 2 < end)
				v |= p[i + 2];
			out[o++] = b64[(v >> 18) & 63];
			out[o++] = b64[(v >> 12) & 63];
			out[o++] = i + 1 < end ? b64[(v >> 6) & 63] : '=';
			out[o++] = i + 2 < end ? b64[v & 63] : '=';
		}
		memcpy(out + o, "?=", 2);
		o += 2;
	}
	out[o] = '\0';
	return out;
}
