/*
 * fuzz_fname.c - fuzz target for policy/attach/fname.c: attachment names as a
 * user sees them (UTF-8 repair, controls, bidi overrides, invisible
 * characters, path components, trailing dots, extensions).
 *
 * Input: the raw name (any bytes; a NUL ends it), also given to
 * fname_escape with max = first byte.
 *
 * Invariants: name is valid UTF-8 without controls, direction or
 * invisible characters, path separators, leading blanks or trailing dots
 * and blanks; shown, when set, differs from name but holds the same
 * characters (a reordering, never new text); ext and ext2 are lower-case
 * ASCII letters and digits of at most FNAME_EXT_MAX bytes, and name ends
 * in "." ext; raw is at most FNAME_MAX bytes and FNAME_CUT says when it
 * was cut; fname_escape gives printable ASCII of at most max + 3 bytes.
 */
#include <strings.h>

#include "util/arena.h"
#include "attach/fname.h"
#include "fuzz.h"

/* Decodes valid UTF-8 (checked before) into code points; returns the
 * count. */
static size_t
decode(const char *s, unsigned *cps, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;

	while (*p != '\0' && n < max) {
		unsigned cp, k, i;

		if (*p < 0x80)
			k = 0, cp = *p;
		else if ((*p & 0xe0) == 0xc0)
			k = 1, cp = *p & 0x1f;
		else if ((*p & 0xf0) == 0xe0)
			k = 2, cp = *p & 0x0f;
		else
			k = 3, cp = *p & 0x07;
		for (i = 1; i <= k; i++)
			cp = cp << 6 | (p[i] & 0x3f);
		cps[n++] = cp;
		p += k + 1;
	}
	return n;
}

static int
cmp_unsigned(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

static void
check_ext(const char *ext)
{
	const char *p;

	FUZZ_CHECK(strlen(ext) <= FNAME_EXT_MAX);
	for (p = ext; *p != '\0'; p++)
		FUZZ_CHECK((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'));
}

static void
check_name(const struct fname *f, size_t rawlen)
{
	static unsigned a[3 * FNAME_MAX + 1], b[3 * FNAME_MAX + 1];
	size_t n = strlen(f->name), na, nb, i;

	FUZZ_CHECK(strlen(f->raw) <= FNAME_MAX);
	FUZZ_CHECK(!!(f->flags & FNAME_CUT) == (rawlen > FNAME_MAX));
	FUZZ_CHECK(fuzz_utf8_valid(f->name));
	FUZZ_CHECK(fuzz_no_controls(f->name, 0));
	FUZZ_CHECK(strchr(f->name, '/') == NULL &&
	    strchr(f->name, '\\') == NULL);
	FUZZ_CHECK(n == 0 || (f->name[0] != ' ' && f->name[0] != '\t'));
	FUZZ_CHECK(n == 0 || (f->name[n - 1] != '.' &&
	    f->name[n - 1] != ' ' && f->name[n - 1] != '\t'));
	na = decode(f->name, a, sizeof(a) / sizeof(a[0]));
	for (i = 0; i < na; i++)
		FUZZ_CHECK(!((a[i] >= 0x202a && a[i] <= 0x202e) ||
		    (a[i] >= 0x2066 && a[i] <= 0x2069) || a[i] == 0x200e ||
		    a[i] == 0x200f || a[i] == 0x061c ||
		    (a[i] >= 0x200b && a[i] <= 0x200d) || a[i] == 0xfeff ||
		    a[i] == 0x00ad));
	check_ext(f->ext);
	check_ext(f->ext2);
	if (f->ext[0] != '\0') {
		size_t e = strlen(f->ext);

		FUZZ_CHECK(n > e && f->name[n - e - 1] == '.' &&
		    strcasecmp(f->name + n - e, f->ext) == 0);
	} else
		FUZZ_CHECK(f->ext2[0] == '\0');
	if (f->shown != NULL) {
		FUZZ_CHECK(strcmp(f->shown, f->name) != 0);
		FUZZ_CHECK(fuzz_utf8_valid(f->shown));
		nb = decode(f->shown, b, sizeof(b) / sizeof(b[0]));
		FUZZ_CHECK(na == nb);
		qsort(a, na, sizeof(a[0]), cmp_unsigned);
		qsort(b, nb, sizeof(b[0]), cmp_unsigned);
		FUZZ_CHECK(memcmp(a, b, na * sizeof(a[0])) == 0);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fname f;
	struct arena *a;
	const char *p;
	char *raw, *esc;
	size_t max;

	if ((raw = fuzz_cstr(data, size)) == NULL)
		return 0;
	if ((a = arena_new()) != NULL) {
		if (fname_parse(a, raw, &f) == 0)
			check_name(&f, strlen(raw));
		max = size > 0 ? data[0] : 0;
		if ((esc = fname_escape(a, raw, max)) != NULL) {
			FUZZ_CHECK(strlen(esc) <= max + 3);
			for (p = esc; *p != '\0'; p++)
				FUZZ_CHECK(*p >= 0x20 && *p < 0x7f);
		}
		arena_free(a);
	}
	free(raw);
	return 0;
}
