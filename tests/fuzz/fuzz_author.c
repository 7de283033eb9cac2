/*
 * fuzz_author.c - fuzz target for policy/mail/author.c and
 * policy/util/idna.c: who wrote a message (issue 11 item 1).
 *
 * Input: From header values separated by NUL bytes (one to four
 * headers), each also given to idna_domain_ascii as a domain.
 *
 * Invariants checked besides "no crash, no leak, no UB":
 *   - AUTHOR_OK exactly when there is one author domain and nothing
 *     else was wrong, and then domain is that domain;
 *   - every kept domain is an A-label name: lower-case ASCII letters,
 *     digits, '-', '_' and dots, at most 253 bytes, no empty label and
 *     no label over 63 bytes; distinct; at most AUTHOR_MAX_DOMAINS;
 *   - a problem comes with a one-line detail;
 *   - idna_domain_ascii's output obeys the same rules and converting it
 *     again gives it back (A-labels are a fixed point).
 */
#include <string.h>

#include "util/arena.h"
#include "util/idna.h"
#include "mail/author.h"
#include "mail/message.h"
#include "fuzz.h"

static void
check_name(const char *d, size_t len)
{
	size_t lab = 0, i;

	FUZZ_CHECK(len > 0 && len <= 253);
	for (i = 0; i < len; i++) {
		if (d[i] == '.') {
			FUZZ_CHECK(lab > 0);
			lab = 0;
			continue;
		}
		FUZZ_CHECK((d[i] >= 'a' && d[i] <= 'z') ||
		    (d[i] >= '0' && d[i] <= '9') || d[i] == '-' ||
		    d[i] == '_');
		FUZZ_CHECK(++lab <= 63);
	}
	FUZZ_CHECK(lab > 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[IDNA_DOMAIN_MAX + 1], again[IDNA_DOMAIN_MAX + 1], *v;
	const char *why, *p = (const char *)data, *end = p + size, *nul;
	struct message *m;
	struct arena *a;
	struct author au;
	size_t i, k, n = 0;
	int len, len2;

	if (size > 65536 || (m = message_new(100, 65536)) == NULL)
		return 0;
	if ((a = arena_new()) == NULL) {
		message_free(m);
		return 0;
	}
	while (p < end && n < 4) {
		nul = memchr(p, '\0', (size_t)(end - p));
		k = nul != NULL ? (size_t)(nul - p) : (size_t)(end - p);
		if ((v = arena_strndup(a, p, k)) != NULL) {
			(void)message_add_header(m, "From", v);
			len = idna_domain_ascii(v, k, out, sizeof(out), &why);
			if (len >= 0) {
				FUZZ_CHECK((size_t)len == strlen(out));
				check_name(out, (size_t)len);
				len2 = idna_domain_ascii(out, (size_t)len, again,
				    sizeof(again), &why);
				FUZZ_CHECK(len2 == len &&
				    strcmp(out, again) == 0);
			}
		}
		n++;
		p += k + 1;
	}
	if (author_parse(m, a, &au) == 0) {
		FUZZ_CHECK(au.ndomains <= AUTHOR_MAX_DOMAINS);
		if (au.problem == AUTHOR_OK) {
			FUZZ_CHECK(au.ndomains == 1 && au.domain != NULL &&
			    strcmp(au.domain, au.boxes[0].domain) == 0);
		} else {
			FUZZ_CHECK(au.detail != NULL &&
			    strchr(au.detail, '\n') == NULL);
		}
		for (i = 0; i < au.ndomains; i++) {
			check_name(au.boxes[i].domain,
			    strlen(au.boxes[i].domain));
			for (k = 0; k < i; k++)
				FUZZ_CHECK(strcmp(au.boxes[i].domain,
				    au.boxes[k].domain) != 0);
		}
	}
	arena_free(a);
	message_free(m);
	return 0;
}
