/*
 * fuzz.h - what every fuzz target in tests/fuzz/ shares.
 *
 * A target is one file fuzz_<name>.c defining LLVMFuzzerTestOneInput (and
 * LLVMFuzzerInitialize when it needs set-up).  It is linked twice: with
 * libFuzzer (--enable-fuzzers, clang), and with standalone.c's main() as
 * tests/fuzz/replay_<name>, which replays tests/fuzz/corpus/<name>/ under
 * make check in every build.
 *
 * A target checks the invariants of what it calls with FUZZ_CHECK, which
 * aborts (not assert(): that is gone under -DNDEBUG) so that both libFuzzer
 * and the replay report the input.  Helpers here are static inline: each
 * target includes this header once.
 */
#ifndef RW_FUZZ_H
#define RW_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int LLVMFuzzerInitialize(int *, char ***);

#define FUZZ_CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: invariant failed: %s\n",	\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

/* A NUL-terminated copy of the input (the APIs take C strings: an
 * embedded NUL simply ends the text).  NULL when out of memory. */
static inline char *
fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s != NULL) {
		memcpy(s, data, size);
		s[size] = '\0';
	}
	return s;
}

/* Splits data at NUL bytes: returns the next field (a NUL-terminated
 * copy in buf, cut to buflen - 1) and advances *pos, or NULL when the
 * input is used up.  Lets a seed file carry several strings. */
static inline const char *
fuzz_field(const uint8_t *data, size_t size, size_t *pos, char *buf,
    size_t buflen)
{
	size_t start = *pos, n;
	const uint8_t *end;

	if (start >= size || buflen == 0)
		return NULL;
	end = memchr(data + start, '\0', size - start);
	n = end != NULL ? (size_t)(end - (data + start)) : size - start;
	*pos = start + n + 1;
	if (n > buflen - 1)
		n = buflen - 1;
	memcpy(buf, data + start, n);
	buf[n] = '\0';
	return buf;
}

/* 1 when s is well-formed UTF-8 (RFC 3629: no overlongs, surrogates or
 * code points past U+10FFFF).  An oracle written apart from hdrout.c's
 * own checker, on purpose. */
static inline int
fuzz_utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p != '\0') {
		unsigned cp, n, i;

		if (*p < 0x80) {
			p++;
			continue;
		}
		if ((*p & 0xe0) == 0xc0) {
			n = 1;
			cp = *p & 0x1f;
		} else if ((*p & 0xf0) == 0xe0) {
			n = 2;
			cp = *p & 0x0f;
		} else if ((*p & 0xf8) == 0xf0) {
			n = 3;
			cp = *p & 0x07;
		} else
			return 0;
		for (i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		p += n + 1;
	}
	return 1;
}

/* 1 when s holds no C0 control, DEL or C1 control (U+0080..U+009F),
 * except that allow_fold permits "\n\t" (a fold). */
static inline int
fuzz_no_controls(const char *s, int allow_fold)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p != '\0'; p++) {
		if (allow_fold && p[0] == '\n' && p[1] == '\t') {
			p++;
			continue;
		}
		if (*p < 0x20 || *p == 0x7f)
			return 0;
		if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			return 0;
	}
	return 1;
}

/* Longest line of a folded header value whose first line follows
 * "Name: " (prefix bytes). */
static inline size_t
fuzz_longest_line(const char *s, size_t prefix)
{
	size_t longest = 0, cur = prefix;

	for (; *s != '\0'; s++) {
		if (*s == '\n') {
			if (cur > longest)
				longest = cur;
			cur = 0;
		} else
			cur++;
	}
	return cur > longest ? cur : longest;
}

/* Writes one local-data TXT record (policy/dns/dns.h zone syntax) for owner
 * with text as its data, any bytes: those outside printable ASCII and
 * the quote, backslash, ';' and '#' are written as \DDD; the text is
 * split into 255-byte character-strings. */
static inline void
fuzz_zone_txt(FILE *fp, const char *owner, const char *text)
{
	size_t i, n = strlen(text);

	fprintf(fp, "%s. 300 IN TXT", owner);
	for (i = 0; i < n || i == 0; i++) {
		unsigned char c = (unsigned char)text[i];

		if (i % 255 == 0)
			fputs(i == 0 ? " \"" : "\" \"", fp);
		if (i == n)
			break;
		if (c < 0x20 || c >= 0x7f || strchr("\"\\;#", c))
			fprintf(fp, "\\%03u", c);
		else
			fputc(c, fp);
	}
	fputs("\"\n", fp);
}

#endif
