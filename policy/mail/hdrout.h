/*
 * hdrout.h - every header value relaywarden writes goes through here.
 *
 * Copied text loses CR, LF, NUL and other control bytes; RFC 8601 values
 * that are not tokens are quoted; lines are folded with "\n\t" (the MTA
 * adds CR) before 78 columns where possible and never past 998 bytes; a
 * value that had to be cut says so (hdrout_truncated).
 * A builder belongs to one message (arena memory), one thread.
 */
#ifndef RW_HDROUT_H
#define RW_HDROUT_H

#include <stddef.h>

struct arena;
struct hdrout;

/* A builder for the value of header `name` (name is used only to know the
 * first line's length).  NULL when out of memory. */
struct hdrout *hdrout_new(struct arena *, const char *name);

/* Appends a word that must stay as is (authserv-id, "spf=pass"), separated
 * by a space, or by ";" + fold when sep is ';', or by nothing when sep is
 * '\0' (a fold only when the line would grow too long: a list "a,b,c"
 * given as items "a," "b," "c"). */
int hdrout_add_raw(struct hdrout *, char sep, const char *text);
/* Appends "key=value" with value sanitised and quoted if it is not an RFC
 * 2045 token; separated by sep (' ' or ';'). */
int hdrout_add_param(struct hdrout *, char sep, const char *key,
    const char *value);
/* Appends " (comment)" with the text sanitised and parentheses and
 * backslashes escaped. */
int hdrout_add_comment(struct hdrout *, const char *text);

/* The folded value (arena) or NULL when out of memory. */
const char *hdrout_finish(struct hdrout *);
/* 1 when something was cut to fit. */
int hdrout_truncated(const struct hdrout *);

/* Copies src to dst (dstlen > 0) dropping control bytes and invalid UTF-8,
 * at most dstlen - 1 bytes, cut on a character boundary; returns 1 when
 * anything was dropped or cut, else 0. */
int hdrout_sanitize(char *dst, size_t dstlen, const char *src);

/* Copy of src safe for one log field: control bytes become '?', at most
 * max bytes (then "..."). Arena memory. */
char *hdrout_printable(struct arena *, const char *src, size_t max);

/* The first n bytes of text (UTF-8) as RFC 2047 encoded-words,
 * "=?UTF-8?B?...?=", for a header value of our own (the Subject tag):
 * one word per 45 bytes, never splitting a character.
 * NULL when out of memory or n is over HDROUT_WORD_MAX. */
#define HDROUT_WORD_MAX	64
const char *hdrout_utf8_word(struct arena *, const char *text, size_t n);

#endif
