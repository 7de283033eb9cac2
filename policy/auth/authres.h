/*
 * authres.h - Authentication-Results (RFC 8601): the header we add;
 * recognising existing ones that claim our authserv-id is authresid.h.
 */
#ifndef RW_AUTHRES_H
#define RW_AUTHRES_H

#include "mail/authresid.h"	/* authres_claims_id, authres_id_valid */

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

#endif
