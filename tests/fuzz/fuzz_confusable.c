/*
 * fuzz_confusable.c - fuzz target for policy/util/confusable.c, the Unicode
 * layer (ICU) under the lookalike and display-name checks: IDNA (UTS #46)
 * both ways, the UTS #39 comparison form, NFKC case folding, charset
 * conversion and RFC 2047 encoded-word decoding.
 *
 * Input: fields separated by NUL bytes: the text, then a charset name.
 * The first byte of the input also sets a small output size (1 + byte %
 * 64) tried beside the full one, for the cut and "does not fit" paths.
 *
 * Invariants: an A-label domain is lower-case letters, digits, '-', '_'
 * and dots, at most 253 bytes, and maps to itself again; its U-label
 * form, when it decoded cleanly, maps back to the same A-label; folded,
 * case-folded and converted text is valid UTF-8 that fits its buffer;
 * decoded header text is NUL-terminated inside its buffer.
 */
#include "util/confusable.h"
#include "fuzz.h"

#define BUF	(8 * CONFUSABLE_TEXT_MAX + 64)

static void
check_domain(const char *in, size_t len)
{
	char a[CONFUSABLE_DOMAIN_MAX + 1], a2[CONFUSABLE_DOMAIN_MAX + 1];
	char u[BUF];
	const char *p;
	int n, n2, nu, err = 0, err2 = 0;

	if ((n = confusable_domain_ascii(in, len, a, sizeof(a), &err)) < 0)
		return;
	FUZZ_CHECK(n <= CONFUSABLE_DOMAIN_MAX && (size_t)n == strlen(a));
	for (p = a; *p != '\0'; p++)
		FUZZ_CHECK((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '_' || *p == '.');
	n2 = confusable_domain_ascii(a, (size_t)n, a2, sizeof(a2), &err2);
	FUZZ_CHECK(n2 == n && strcmp(a, a2) == 0);
	if ((nu = confusable_domain_unicode(a, (size_t)n, u, sizeof(u),
	    &err2)) < 0 || err || err2)
		return;
	FUZZ_CHECK(fuzz_utf8_valid(u));
	n2 = confusable_domain_ascii(u, (size_t)nu, a2, sizeof(a2), &err2);
	FUZZ_CHECK(n2 == n && strcmp(a, a2) == 0);
}

static void
check_text(const char *in, size_t len, size_t small)
{
	static char out[BUF];
	int n;

	if ((n = confusable_fold(in, len, out, sizeof(out))) >= 0)
		FUZZ_CHECK((size_t)n == strlen(out) && fuzz_utf8_valid(out));
	if ((n = confusable_fold(in, len, out, small)) >= 0)
		FUZZ_CHECK((size_t)n < small && (size_t)n == strlen(out));
	if ((n = confusable_casefold(in, len, out, sizeof(out))) >= 0)
		FUZZ_CHECK((size_t)n == strlen(out) && fuzz_utf8_valid(out));
	if ((n = confusable_casefold(in, len, out, small)) >= 0)
		FUZZ_CHECK((size_t)n < small && (size_t)n == strlen(out));
	memset(out, 'x', small + 1);
	confusable_decode_words(in, out, small);
	FUZZ_CHECK(memchr(out, '\0', small) != NULL);
	confusable_decode_words(in, out, sizeof(out));
	FUZZ_CHECK(memchr(out, '\0', sizeof(out)) != NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[CONFUSABLE_TEXT_MAX + 64], charset[128], out[BUF];
	size_t pos = 0, len, small = 1 + (size > 0 ? data[0] % 64 : 0);
	int n;

	if (fuzz_field(data, size, &pos, text, sizeof(text)) == NULL)
		return 0;
	len = strlen(text);
	check_domain(text, len);
	check_text(text, len, small);
	if (fuzz_field(data, size, &pos, charset, sizeof(charset)) != NULL &&
	    (n = confusable_to_utf8(charset, text, len, out,
	    sizeof(out))) >= 0)
		FUZZ_CHECK((size_t)n == strlen(out) && fuzz_utf8_valid(out));
	return 0;
}
