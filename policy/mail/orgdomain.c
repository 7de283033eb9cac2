/*
 * orgdomain.c - organisational domains (see orgdomain.h).
 *
 * Exports orgdomain_*.  Owns the libpsl context of a struct orgdomain.
 * Thread rule: immutable after orgdomain_new; libpsl lookups only read.
 * Caps: names as RFC 1035 2.3.4 (label <= 63 octets, name <= 253).
 * RFC 7489 3.2: the organisational domain is the registrable domain
 * (psl_registrable_domain, ICANN and private sections, implicit "*" rule
 * for unlisted TLDs).  libpsl reads Debian's publicsuffix list
 * (RW_PSL_FILE), updated with the OS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libpsl.h>

#include "util/arena.h"
#include "mail/orgdomain.h"

/* The build passes the configured list (configure --with-psl-file) as
 * -DRW_PSL_FILE. */
#ifndef RW_PSL_FILE
#define RW_PSL_FILE	"/usr/share/publicsuffix/public_suffix_list.dat"
#endif

struct orgdomain {
	psl_ctx_t *psl;
};

struct orgdomain *
orgdomain_new(const char *file, char *err, size_t errlen)
{
	struct orgdomain *od;

	if (file == NULL)
		file = RW_PSL_FILE;
	if ((od = calloc(1, sizeof(*od))) == NULL) {
		snprintf(err, errlen, "public suffix list: out of memory");
		return NULL;
	}
	if ((od->psl = psl_load_file(file)) == NULL) {
		snprintf(err, errlen, "%s: cannot load the public suffix list",
		    file);
		free(od);
		return NULL;
	}
	return od;
}

void
orgdomain_free(struct orgdomain *od)
{
	if (od == NULL)
		return;
	psl_free(od->psl);
	free(od);
}

int
orgdomain_normalize(const char *in, char *buf)
{
	size_t n, i, label = 0;

	if (in == NULL)
		return -1;
	n = strlen(in);
	if (n > 0 && in[n - 1] == '.')
		n--;
	if (n == 0 || n > ORGDOMAIN_NAME_MAX)
		return -1;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c == '.') {
			if (label == 0)
				return -1;
			label = 0;
			buf[i] = '.';
			continue;
		}
		if (++label > 63)
			return -1;
		if (c >= 'A' && c <= 'Z')
			c = c - 'A' + 'a';
		else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c >= 0x80))
			return -1;
		buf[i] = (char)c;
	}
	buf[n] = '\0';
	return 0;
}

const char *
orgdomain_of_normalized(const struct orgdomain *od, const char *norm)
{
	return od != NULL ? psl_registrable_domain(od->psl, norm) : NULL;
}

const char *
orgdomain_get(const struct orgdomain *od, const char *domain,
    struct arena *a)
{
	char d[ORGDOMAIN_NAME_MAX + 1];
	const char *o;

	if (orgdomain_normalize(domain, d) == -1 ||
	    (o = orgdomain_of_normalized(od, d)) == NULL)
		return NULL;
	return arena_strdup(a, o);
}

int
orgdomain_same(const struct orgdomain *od, const char *a, const char *b)
{
	char x[ORGDOMAIN_NAME_MAX + 1], y[ORGDOMAIN_NAME_MAX + 1];
	const char *ox, *oy;

	if (orgdomain_normalize(a, x) == -1 ||
	    orgdomain_normalize(b, y) == -1)
		return 0;
	if (strcmp(x, y) == 0)
		return 1;
	ox = orgdomain_of_normalized(od, x);
	oy = orgdomain_of_normalized(od, y);
	return ox != NULL && oy != NULL && strcmp(ox, oy) == 0;
}

int
orgdomain_known_suffix(const struct orgdomain *od, const char *domain)
{
	char d[ORGDOMAIN_NAME_MAX + 1];
	const char *top;

	if (od == NULL || orgdomain_normalize(domain, d) == -1)
		return 0;
	top = strrchr(d, '.');
	return psl_is_public_suffix2(od->psl, top != NULL ? top + 1 : d,
	    PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE) != 0;
}
