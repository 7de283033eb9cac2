/*
 * vdetail.c - the short, escaped details of reasons in X-Relaywarden and
 * the log line: "lookalike_protected(ourorg.example)".
 *
 * Exports verdict_detail_encode, verdict_reason_word, verdict_detail_list.
 * Owns nothing (arena memory of the message); one thread.
 * Grammar (README "What it writes"):
 *   word    = rule-name [ "(" detail ")" ]
 *   detail  = 1*( safe / pct ) [ "*" ] [ "+" 1*DIGIT ]
 *   safe    = ALPHA / DIGIT / "." / "-" / "_" / ":" / "/" / "@"
 *   pct     = "%" 2HEXDIG        ; every other byte, UTF-8 included
 * "*" says the text was cut; "+N" that N more items raised the rule.
 * Nothing from a message can write ',', ';', '(', ')', '=', a quote,
 * a space, a control or a non-ASCII byte there: a hostile file name or
 * domain cannot end the word, add a reason or a field.
 * Caps: VERDICT_DETAIL_MAX source bytes per detail, VERDICT_DETAILS_MAX
 * bytes of details per list (later reasons are named without one).
 */
#include <stdio.h>
#include <string.h>

#include "util/arena.h"
#include "verdict/verdict.h"

static int
safe(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' && strchr(".-_:/@", c) !=
	    NULL);
}

size_t
verdict_detail_encode(char *out, size_t outlen, const char *text)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)text;
	size_t n, o = 0, i;

	if (outlen < VERDICT_DETAIL_BUF) {
		if (outlen > 0)
			out[0] = '\0';
		return 0;
	}
	n = text != NULL ? strlen(text) : 0;
	if (n > VERDICT_DETAIL_MAX) {
		/* cut before a UTF-8 continuation byte, never inside a
		 * character */
		n = VERDICT_DETAIL_MAX;
		while (n > 0 && (p[n] & 0xc0) == 0x80)
			n--;
	}
	for (i = 0; i < n; i++) {
		if (safe(p[i])) {
			out[o++] = (char)p[i];
		} else {
			out[o++] = '%';
			out[o++] = hex[p[i] >> 4];
			out[o++] = hex[p[i] & 15];
		}
	}
	if (text != NULL && n < strlen(text))
		out[o++] = '*';
	out[o] = '\0';
	return o;
}

const char *
verdict_reason_word(const struct reason *r, struct arena *a)
{
	char enc[VERDICT_DETAIL_BUF], more[16] = "";
	const char *d = r->about != NULL && *r->about != '\0' ?
	    r->about : r->detail;

	if (d == NULL || *d == '\0')
		return r->rule;
	verdict_detail_encode(enc, sizeof(enc), d);
	if (r->more > 0)
		snprintf(more, sizeof(more), "+%u", r->more);
	return arena_printf(a, "%s(%s%s)", r->rule, enc, more);
}

const char *
verdict_detail_list(const struct verdict *v, int w, struct arena *a)
{
	const char *list = "", *word;
	size_t i, used = 0;
	int n = 0;

	for (i = 0; i < v->nreasons; i++) {
		const struct reason *r = &v->reasons[i];

		if (r->whatif != w)
			continue;
		word = used < VERDICT_DETAILS_MAX ?
		    verdict_reason_word(r, a) : r->rule;
		if (word == NULL ||
		    (list = arena_printf(a, "%s%s%s", list, n++ ? "," : "",
		    word)) == NULL)
			return NULL;
		used += strlen(word) - strlen(r->rule);
	}
	return list;
}
