/*
 * authres.h - Authentication-Results (RFC 8601): the header we add, and
 * recognising existing ones that claim our authserv-id.
 */
#ifndef RW_AUTHRES_H
#define RW_AUTHRES_H

struct arena;
struct spf_result;
struct dkim_results;
struct dmarc_result;

struct authres_input {
	const char *authserv_id;
	const struct spf_result *spf;		/* MAIL FROM; may be NULL */
	const struct spf_result *helo_spf;	/* may be NULL */
	const char *helo;
	const struct dkim_results *dkim;	/* may be NULL */
	const struct dmarc_result *dmarc;	/* may be NULL */
};

/* The header value (without "Authentication-Results:"), folded and
 * sanitised through hdrout; arena memory; NULL when out of memory. */
const char *authres_format(struct arena *, const struct authres_input *);

/* 1 when an existing Authentication-Results value could be read as
 * naming authserv_id as its authserv-id (case-insensitive, one trailing
 * dot ignored), by any plausible reader: comments nested or not, with or
 * without quoted-pairs; a value whose authserv-id part no reading can
 * parse claims it when our id appears in it as a word anywhere.  0 for a
 * well-formed value of another authserv-id. */
int authres_claims_id(const char *value, const char *authserv_id);

/* 1 when id may be our authserv-id: a host-name-like RFC 2045 token
 * (dot-atom characters that are token characters, 1..255 bytes, no empty
 * label), so it is written bare and parsed back unambiguously; else 0. */
int authres_id_valid(const char *id);

#endif
