/*
 * fuzz_hdrout.c - fuzz target for policy/mail/hdrout.c, the only way a header
 * value leaves relaywarden.
 *
 * Input: fields separated by NUL bytes.  The first byte of each field is
 * an opcode, the rest its text (arbitrary bytes):
 *   op % 4 == 0   hdrout_add_raw (text reduced to token bytes: callers
 *                 pass only fixed words and a validated authserv-id)
 *   op % 4 == 1   hdrout_add_param, key from a fixed list (op / 8)
 *   op % 4 == 2   hdrout_add_comment
 *   op % 4 == 3   hdrout_sanitize into a buffer of 1 + op / 4 bytes
 *                 and hdrout_printable with max op / 4
 *   op & 4        separator ';' instead of ' '; for hdrout_add_raw,
 *                 op & 12 == 8 glues the item to the last (sep '\0')
 * Every field also goes through hdrout_sanitize and hdrout_printable
 * with large buffers.
 *
 * Invariants: the folded value holds no CR, NUL or control byte except
 * "\n\t" folds, is valid UTF-8, no line reaches 998 bytes (counting
 * "Name: "), quoted strings and comments are closed at the end (copied
 * text cannot escape them), and the value never exceeds the total cap;
 * sanitize output is valid UTF-8 without controls, fits, and is the input
 * unchanged when it reports nothing dropped; printable output has no
 * controls and is at most max + 3 bytes.
 */
#include "util/arena.h"
#include "fuzz.h"
#include "mail/hdrout.h"

#define FIELD_MAX	4096
#define LINE_MAX_RFC	998		/* RFC 5322 2.1.1 */
#define TOTAL_MAX	32768		/* hdrout.c's HDROUT_TOTAL_MAX */

static const char *const names[] = {
	"Authentication-Results", "X-Relaywarden", "X",
	"X-A-Header-Name-That-Is-Rather-Long-But-Still-Below-The-Eighty-Cap",
};

static const char *const keys[] = {
	"smtp.mailfrom", "smtp.helo", "header.d", "header.i", "header.s",
	"header.b", "header.a", "header.from", "reason", "policy.dmarc",
	"action", "score", "reasons", "x",
};

/* Walks a header value as an RFC 5322 reader would: quoted strings and
 * (nested) comments, quoted-pairs in both; 1 when both are closed at the
 * end. */
static int
balanced(const char *s)
{
	size_t depth = 0;
	int quoted = 0;

	for (; *s != '\0'; s++) {
		if ((quoted || depth > 0) && *s == '\\') {
			if (*++s == '\0')
				return 0;
		} else if (quoted) {
			if (*s == '"')
				quoted = 0;
		} else if (depth > 0) {
			if (*s == '(')
				depth++;
			else if (*s == ')')
				depth--;
		} else if (*s == '"')
			quoted = 1;
		else if (*s == '(')
			depth = 1;
	}
	return !quoted && depth == 0;
}

static void
check_sanitize(const char *src, size_t dstlen)
{
	char *dst;
	int changed;

	if ((dst = malloc(dstlen)) == NULL)
		return;
	changed = hdrout_sanitize(dst, dstlen, src);
	FUZZ_CHECK(strlen(dst) < dstlen);
	FUZZ_CHECK(fuzz_utf8_valid(dst));
	FUZZ_CHECK(fuzz_no_controls(dst, 0));
	if (!changed)
		FUZZ_CHECK(strcmp(dst, src) == 0);
	free(dst);
}

static void
check_printable(struct arena *a, const char *src, size_t max)
{
	const char *p = hdrout_printable(a, src, max);

	if (p == NULL)
		return;
	FUZZ_CHECK(strlen(p) <= max + 3);
	FUZZ_CHECK(fuzz_no_controls(p, 0));
	FUZZ_CHECK(fuzz_utf8_valid(p));
	if (strlen(src) <= max && fuzz_utf8_valid(src) &&
	    fuzz_no_controls(src, 0))
		FUZZ_CHECK(strcmp(p, src) == 0);
}

/* Keeps the RFC 2045 token bytes of a raw word. */
static void
tokenize(char *s)
{
	char *o = s;

	for (; *s != '\0'; s++)
		if ((unsigned char)*s > 0x20 && (unsigned char)*s < 0x7f &&
		    strchr("()<>@,;:\\\"/[]?", *s) == NULL)
			*o++ = *s;
	*o = '\0';
}

static void
run(struct arena *a, const uint8_t *data, size_t size)
{
	char field[FIELD_MAX];
	const char *name, *value, *f;
	struct hdrout *h;
	size_t pos = 0;

	name = names[size > 0 ? data[0] % 4 : 0];
	if ((h = hdrout_new(a, name)) == NULL)
		return;
	while ((f = fuzz_field(data, size, &pos, field, sizeof(field))) !=
	    NULL) {
		unsigned op = (unsigned char)f[0];
		char sep = (op & 4) ? ';' : ' ';
		char *text = field + (f[0] != '\0');

		check_sanitize(text, FIELD_MAX);
		check_printable(a, text, FIELD_MAX);
		switch (op % 4) {
		case 0:
			tokenize(text);
			/* op & 8: glued to the last item (the reasons list,
			 * folded only when long) */
			(void)hdrout_add_raw(h, (op & 12) == 8 ? '\0' : sep,
			    text);
			break;
		case 1:
			(void)hdrout_add_param(h, sep,
			    keys[(op / 8) % (sizeof(keys) / sizeof(keys[0]))],
			    text);
			break;
		case 2:
			(void)hdrout_add_comment(h, text);
			break;
		default:
			check_sanitize(text, 1 + op / 4);
			check_printable(a, text, op / 4);
			break;
		}
	}
	if ((value = hdrout_finish(h)) == NULL)
		return;
	FUZZ_CHECK(strlen(value) <= TOTAL_MAX);
	FUZZ_CHECK(strchr(value, '\r') == NULL);
	FUZZ_CHECK(fuzz_no_controls(value, 1));
	FUZZ_CHECK(fuzz_utf8_valid(value));
	FUZZ_CHECK(fuzz_longest_line(value, strlen(name) + 2) < LINE_MAX_RFC);
	FUZZ_CHECK(balanced(value));
	/* a fold is never the first or last thing, nor doubled */
	FUZZ_CHECK(value[0] != '\n' && strstr(value, "\n\t\n") == NULL);
	FUZZ_CHECK(strlen(value) < 2 ||
	    strcmp(value + strlen(value) - 2, "\n\t") != 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a;

	if ((a = arena_new()) == NULL)
		return 0;
	run(a, data, size);
	arena_free(a);
	return 0;
}
