/*
 * fuzz_addr.c - fuzz target for policy/mail/addr.c: the input is one header
 * value for addr_parse_list and one envelope path for addr_path_strip
 * and addr_path_domain.
 *
 * Invariants checked besides "no crash, no leak, no UB":
 *   - a parsed list has count >= 1 and every mailbox a local part and a
 *     domain; a failed parse has count 0;
 *   - a domain is lower case, has no trailing dot, and outside a domain
 *     literal holds no white space, control or RFC 5322 special (so
 *     "user@example.net>" can never yield "example.net>");
 *   - addr_domain_valid accepts only names of at most 253 bytes;
 *   - addr_path_domain fails exactly when addr_path_strip does, and is
 *     the lower-cased tail of the stripped address.
 */
#include <strings.h>

#include "mail/addr.h"
#include "util/arena.h"
#include "fuzz.h"

static void
check_domain(const char *d)
{
	size_t len = strlen(d);
	const char *p;

	FUZZ_CHECK(len == 0 || d[len - 1] != '.' || d[0] == '[');
	for (p = d; *p != '\0'; p++)
		FUZZ_CHECK(!(*p >= 'A' && *p <= 'Z'));
	if (d[0] != '[') {
		for (p = d; *p != '\0'; p++)
			FUZZ_CHECK((unsigned char)*p > 0x20 &&
			    (unsigned char)*p != 0x7f &&
			    strchr("()<>,;:\\\"@[]", *p) == NULL);
	}
	if (addr_domain_valid(d))
		FUZZ_CHECK(len <= 253 && d[0] != '[');
}

static void
check_list(const char *value, struct arena *a)
{
	struct addr_list list;
	size_t i;

	if (addr_parse_list(value, a, &list) == -1) {
		FUZZ_CHECK(list.count == 0);
		return;
	}
	FUZZ_CHECK(list.count >= 1 && list.boxes != NULL);
	for (i = 0; i < list.count; i++) {
		FUZZ_CHECK(list.boxes[i].local != NULL);
		FUZZ_CHECK(list.boxes[i].domain != NULL);
		check_domain(list.boxes[i].domain);
	}
}

static void
check_path(const char *path, struct arena *a)
{
	const char *strip, *dom;
	size_t slen, dlen;

	strip = addr_path_strip(path, a);
	dom = addr_path_domain(path, a);
	FUZZ_CHECK((strip == NULL) == (dom == NULL));
	if (strip == NULL)
		return;
	if (*strip == '\0') {
		FUZZ_CHECK(*dom == '\0');
		return;
	}
	FUZZ_CHECK(strchr(strip, '@') != NULL);
	slen = strlen(strip);
	dlen = strlen(dom);
	FUZZ_CHECK(dlen > 0 && dlen <= slen);
	/* the domain, maybe without its trailing dot, ends the address */
	FUZZ_CHECK(strncasecmp(strip + slen - dlen, dom, dlen) == 0 ||
	    (strip[slen - 1] == '.' && dlen < slen &&
	    strncasecmp(strip + slen - 1 - dlen, dom, dlen) == 0));
	for (; *dom != '\0'; dom++)
		FUZZ_CHECK(!(*dom >= 'A' && *dom <= 'Z'));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a;
	char *s;

	if ((s = fuzz_cstr(data, size)) == NULL)
		return 0;
	if ((a = arena_new()) != NULL) {
		check_list(s, a);
		check_path(s, a);
		(void)addr_domain_valid(s);
		arena_free(a);
	}
	free(s);
	return 0;
}
