/*
 * confname.c - the checks of names in the configuration: domain names
 * (protected_domains, partners, people's and recipients' addresses),
 * mail addresses, people's names and the Subject tag.
 *
 * Exports confname_check_* (configtab.h, internal to the config module),
 * each of the table's check signature: one string in, replaced by its
 * canonical form (malloc memory).  Single-threaded like every load; the
 * ICU calls underneath (confusable.c) are safe from any thread anyway.
 *
 * Domains are stored as lower-case A-labels, the form the checks compare:
 * a U-label ("bücher.example") is converted with UTS #46 nontransitional
 * processing (confusable_domain_ascii, the lookalike module's own
 * mapping), and refused when IDNA finds it invalid; an xn-- label
 * written by hand must decode.  RFC 1034 3.5 / RFC 1123 2.1 host names
 * (letters, digits, hyphens), RFC 5890 A-labels, RFC 5321 4.5.3.1
 * (64-byte local parts), RFC 5322 3.2.3 (dot-atom local parts).
 * Caps: PERSON_NAME_MAX, SUBJECT_TAG_MAX, CONFUSABLE_TEXT_MAX on input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include "config/configtab.h"
#include "util/confusable.h"
#include "util/net.h"

#define LOCAL_PART_MAX		64	/* RFC 5321 4.5.3.1.1 */
#define PERSON_NAME_MAX		128	/* bytes of a person's name */
#define SUBJECT_TAG_MAX		64	/* bytes of the Subject tag */

/* 1 when [p, p+n) is a dot-atom of RFC 5322 atext. */
static int
dot_atom(const char *p, size_t n)
{
	static const char atext[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~";
	size_t i;

	if (n == 0 || p[0] == '.' || p[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		if (p[i] == '.' ? p[i + 1] == '.' :
		    strchr(atext, p[i]) == NULL)
			return 0;
	}
	return 1;
}

/* The domain in (NUL-terminated) as lower-case A-labels into out (at
 * least CONFUSABLE_DOMAIN_MAX + 1 bytes).  0, or -1 with the problem. */
static int
domain_ascii(const char *in, char *out, size_t outlen, char *err,
    size_t errlen)
{
	char show[96], uni[CONFUSABLE_TEXT_MAX + 1];
	const char *last;
	size_t len = strlen(in), i;
	int idna_error = 0, ascii = 1;

	config_show(in, show, sizeof(show));
	if (len == 0) {
		snprintf(err, errlen, "a domain name must not be empty");
		return -1;
	}
	if (in[len - 1] == '.') {
		snprintf(err, errlen, "\"%s\": write it without the trailing "
		    "dot", show);
		return -1;
	}
	for (i = 0; i < len; i++)
		if ((unsigned char)in[i] >= 0x80)
			ascii = 0;
	if (len > CONFUSABLE_TEXT_MAX || (ascii && len > CONFUSABLE_DOMAIN_MAX))
		goto toolong;
	if (!ascii) {
		if (confusable_domain_ascii(in, len, out, outlen,
		    &idna_error) < 0 || idna_error) {
			snprintf(err, errlen, "\"%s\" is not a valid "
			    "internationalised domain name (UTS #46)", show);
			return -1;
		}
	} else {
		for (i = 0; i <= len; i++)
			out[i] = in[i] >= 'A' && in[i] <= 'Z' ?
			    (char)(in[i] - 'A' + 'a') : in[i];
	}
	if (strlen(out) > CONFUSABLE_DOMAIN_MAX)
		goto toolong;
	if (!net_hostname_valid(out)) {
		snprintf(err, errlen, "\"%s\" is not a domain name (letters, "
		    "digits and hyphens in labels of 1 to 63, separated by "
		    "dots)", show);
		return -1;
	}
	if ((last = strrchr(out, '.')) == NULL) {
		snprintf(err, errlen, "\"%s\": a domain name here has at least "
		    "one dot", show);
		return -1;
	}
	if (strspn(last + 1, "0123456789") == strlen(last + 1)) {
		snprintf(err, errlen, "\"%s\" is not a domain name (an "
		    "address?)", show);
		return -1;
	}
	/* "xn--" written by hand must be real punycode: a broken one would
	 * never equal the name a message carries. */
	if ((strncmp(out, "xn--", 4) == 0 || strstr(out, ".xn--") != NULL) &&
	    (confusable_domain_unicode(out, strlen(out), uni, sizeof(uni),
	    &idna_error) < 0 || idna_error)) {
		snprintf(err, errlen, "\"%s\": an xn-- label does not decode "
		    "(RFC 5890 A-label)", show);
		return -1;
	}
	return 0;
toolong:
	snprintf(err, errlen, "\"%s\": a domain name has at most 253 bytes",
	    show);
	return -1;
}

/* Replaces *value with s (a copy); 0 or -1. */
static int
replace(char **value, const char *s, char *err, size_t errlen)
{
	char *copy;

	if ((copy = strdup(s)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	free(*value);
	*value = copy;
	return 0;
}

int
confname_check_domain(const struct loadctx *ctx, char **value, char *err,
    size_t errlen)
{
	char out[CONFUSABLE_DOMAIN_MAX + 1];

	if (domain_ascii(*value, out, sizeof(out), err, errlen) == -1)
		return -1;
	return replace(value, out, err, errlen);
}

int
confname_check_mailbox(const struct loadctx *ctx, char **value, char *err,
    size_t errlen)
{
	char show[96];
	size_t len = strlen(*value), i;

	if (len < 3 || strcmp(*value + len - 2, ".*") != 0)
		return confname_check_domain(ctx, value, err, errlen);
	/* "label.*": one LDH label of 1..63 bytes before ".*". */
	for (i = 0; i < len - 2; i++) {
		char c = (*value)[i];

		if (c >= 'A' && c <= 'Z')
			(*value)[i] = (char)(c - 'A' + 'a');
		else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    (c == '-' && i > 0 && i < len - 3)))
			break;
	}
	if (i == len - 2 && len - 2 <= 63)
		return 0;
	snprintf(err, errlen, "\"%s\": expected a domain or label.* (one "
	    "label of letters, digits and hyphens)", config_show(*value, show,
	    sizeof(show)));
	return -1;
}

/* "user@domain" (at = the '@') into out as "user@a-label.domain", lower
 * case.  0, or -1 with the problem. */
static int
address(const char *v, const char *at, char *out, size_t outlen,
    char *err, size_t errlen)
{
	char dom[CONFUSABLE_DOMAIN_MAX + 1], show[96];
	size_t n = (size_t)(at - v), i;

	if (n > LOCAL_PART_MAX || !dot_atom(v, n)) {
		snprintf(err, errlen, "\"%s\": expected user@domain (a local "
		    "part of at most 64 letters, digits, dots or "
		    "!#$%%&'*+-/=?^_`{|}~)", config_show(v, show,
		    sizeof(show)));
		return -1;
	}
	if (domain_ascii(at + 1, dom, sizeof(dom), err, errlen) == -1)
		return -1;
	if (n + 1 + strlen(dom) >= outlen) {
		snprintf(err, errlen, "address too long");
		return -1;
	}
	for (i = 0; i < n; i++)
		out[i] = v[i] >= 'A' && v[i] <= 'Z' ? (char)(v[i] - 'A' + 'a') :
		    v[i];
	out[n] = '@';
	memcpy(out + n + 1, dom, strlen(dom) + 1);
	return 0;
}

int
confname_check_person_address(const struct loadctx *ctx, char **value,
    char *err, size_t errlen)
{
	char out[LOCAL_PART_MAX + CONFUSABLE_DOMAIN_MAX + 2];
	const char *v = *value, *at;

	if (*v == '@')
		v++;		/* "@domain" is the domain */
	if ((at = strchr(v, '@')) == NULL) {
		if (domain_ascii(v, out, sizeof(out), err, errlen) == -1)
			return -1;
	} else if (v != *value || strchr(at + 1, '@') != NULL) {
		snprintf(err, errlen, "\"%s\": expected user@domain or a "
		    "domain", config_show(*value, out, sizeof(out)));
		return -1;
	} else if (address(v, at, out, sizeof(out), err, errlen) == -1)
		return -1;
	return replace(value, out, err, errlen);
}

int
confname_check_recipient(const struct loadctx *ctx, char **value,
    char *err, size_t errlen)
{
	char out[LOCAL_PART_MAX + CONFUSABLE_DOMAIN_MAX + 2];
	const char *v = *value, *at = strchr(v, '@');

	if (at == NULL || strchr(at + 1, '@') != NULL) {
		snprintf(err, errlen, "\"%s\": expected \"user@domain\" or "
		    "\"@domain\"", config_show(v, out, sizeof(out)));
		return -1;
	}
	if (at == v) {
		out[0] = '@';
		if (domain_ascii(v + 1, out + 1, sizeof(out) - 1, err,
		    errlen) == -1)
			return -1;
	} else if (address(v, at, out, sizeof(out), err, errlen) == -1)
		return -1;
	return replace(value, out, err, errlen);
}

/* Walks UTF-8 text: 0 when well formed and free of the character
 * categories refused (bit mask of U_MASK(category)); has_letter set when
 * a letter was seen.  -1 invalid UTF-8, -2 a refused character. */
static int
utf8_scan(const char *s, uint32_t refused, int *has_letter)
{
	int32_t i = 0, len = (int32_t)strlen(s);
	UChar32 c;

	*has_letter = 0;
	while (i < len) {
		U8_NEXT(s, i, len, c);
		if (c < 0)
			return -1;
		if (U_MASK(u_charType(c)) & refused)
			return -2;
		if (u_isalpha(c))
			*has_letter = 1;
	}
	return 0;
}

int
confname_check_person(const struct loadctx *ctx, char **value, char *err,
    size_t errlen)
{
	int letter, r;

	if (strlen(*value) > PERSON_NAME_MAX) {
		snprintf(err, errlen, "at most 128 bytes");
		return -1;
	}
	if ((r = utf8_scan(*value, U_MASK(U_CONTROL_CHAR), &letter)) == -1) {
		snprintf(err, errlen, "not valid UTF-8");
		return -1;
	}
	if (r == -2) {
		snprintf(err, errlen, "control characters are not allowed");
		return -1;
	}
	if (!letter) {
		snprintf(err, errlen, "a name has at least one letter");
		return -1;
	}
	return 0;
}

/* The tag goes into a header: no line breaks or controls (CR, LF, TAB,
 * C1), no invisible format characters (bidi overrides, zero widths). */
int
confname_check_subject_tag(const struct loadctx *ctx, char **value,
    char *err, size_t errlen)
{
	int letter, r;

	if (strlen(*value) > SUBJECT_TAG_MAX) {
		snprintf(err, errlen, "at most 64 bytes");
		return -1;
	}
	r = utf8_scan(*value, U_MASK(U_CONTROL_CHAR) | U_MASK(U_FORMAT_CHAR) |
	    U_MASK(U_LINE_SEPARATOR) | U_MASK(U_PARAGRAPH_SEPARATOR), &letter);
	if (r == -1) {
		snprintf(err, errlen, "not valid UTF-8");
		return -1;
	}
	if (r == -2) {
		snprintf(err, errlen, "printable characters only (no control, "
		    "format or line break characters)");
		return -1;
	}
	return 0;
}
