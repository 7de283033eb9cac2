/*
 * authres.c - the Authentication-Results header we add (RFC 8601).
 *
 * Exports authres_format (arena memory of the message).  Any thread; no
 * state.  Spotting the ones that claim our authserv-id is authresid.c.
 * Format (RFC 8601 2.2): the authserv-id, then one resinfo per result,
 * each after ";" on its own folded line:
 *   spf=RESULT [reason="..."] smtp.mailfrom=IDENTITY
 *   spf=RESULT [reason="..."] smtp.helo=NAME
 *   dkim=RESULT [reason="..."] [(N-bit key)] header.d= header.i= header.s=
 *       header.a= header.b=      (one per signature, in header order;
 *                                 RFC 6008 header.b, RFC 8616 header.a/.s)
 *   dmarc=RESULT [reason="..."] [(p=... sp=... pct=...)] header.from=
 * or "none" (2.2 no-result) when no check ran.  Every copied value goes
 * through hdrout (controls stripped, quoted when not a token, folded,
 * capped).  No version is written: 1 is the default (2.2).
 */
#include <stdio.h>
#include <string.h>

#include "util/arena.h"
#include "auth/auth.h"
#include "auth/authres.h"
#include "auth/dkimv.h"
#include "auth/dmarc.h"
#include "mail/hdrout.h"
#include "auth/spf.h"

#define AUTHRES_NAME	"Authentication-Results"

static int
add_method(struct hdrout *h, const char *method, enum auth_result r,
    const char *reason)
{
	char spec[32];

	/* method and result words are ours: "spf=pass" is one item */
	snprintf(spec, sizeof(spec), "%s=%s", method, auth_result_name(r));
	if (hdrout_add_raw(h, ';', spec) == -1)
		return -1;
	if (reason != NULL && *reason != '\0' &&
	    hdrout_add_param(h, ' ', "reason", reason) == -1)
		return -1;
	return 0;
}

static int
add_param(struct hdrout *h, const char *key, const char *value)
{
	if (value == NULL || *value == '\0')
		return 0;
	return hdrout_add_param(h, ' ', key, value);
}

static int
add_spf(struct hdrout *h, const struct spf_result *r, const char *prop,
    const char *fallback)
{
	if (add_method(h, "spf", r->result, r->reason) == -1)
		return -1;
	return add_param(h, prop, r->identity != NULL ? r->identity :
	    fallback);
}

static int
add_dkim(struct hdrout *h, const struct dkim_sig_result *s)
{
	char bits[32];

	if (add_method(h, "dkim", s->result, s->reason) == -1)
		return -1;
	if (s->key_bits > 0) {
		snprintf(bits, sizeof(bits), "%u-bit key", s->key_bits);
		if (hdrout_add_comment(h, bits) == -1)
			return -1;
	}
	if (add_param(h, "header.d", s->domain) == -1 ||
	    add_param(h, "header.i", s->identity) == -1 ||
	    add_param(h, "header.s", s->selector) == -1 ||
	    add_param(h, "header.a", s->algorithm) == -1 ||
	    add_param(h, "header.b", s->header_b) == -1)
		return -1;
	return 0;
}

/* The policy word of dmarc.c's table; no policy.* property when there
 * was no usable record ("unset" is ours, not RFC 7489's). */
static const char *
policy_word(enum dmarc_policy p)
{
	return p == DMARC_POLICY_UNSET ? NULL : dmarc_policy_name(p);
}

static int
add_dmarc(struct arena *a, struct hdrout *h, const struct dmarc_result *d)
{
	const char *p = policy_word(d->published_p);
	const char *applied = policy_word(d->policy);
	const char *c;

	if (add_method(h, "dmarc", d->result, d->reason) == -1)
		return -1;
	if (p != NULL) {
		/* p= as published; sp= when a subdomain policy applied */
		c = arena_printf(a, "p=%s%s%s", p,
		    applied != NULL && d->policy != d->published_p ?
		    " sp=" : "", applied != NULL &&
		    d->policy != d->published_p ? applied : "");
		if (c != NULL && d->pct > 0 && d->pct < 100)
			c = arena_printf(a, "%s pct=%u", c, d->pct);
		if (c == NULL || hdrout_add_comment(h, c) == -1)
			return -1;
	}
	return add_param(h, "header.from", d->from_domain);
}

const char *
authres_format(struct arena *a, const struct authres_input *in)
{
	struct hdrout *h;
	size_t i;

	if ((h = hdrout_new(a, AUTHRES_NAME)) == NULL)
		return NULL;
	if (hdrout_add_raw(h, ' ', in->authserv_id != NULL &&
	    *in->authserv_id != '\0' ? in->authserv_id : "localhost") == -1)
		return NULL;
	if (in->spf != NULL &&
	    add_spf(h, in->spf, "smtp.mailfrom", NULL) == -1)
		return NULL;
	if (in->helo_spf != NULL &&
	    add_spf(h, in->helo_spf, "smtp.helo", in->helo) == -1)
		return NULL;
	if (in->dkim != NULL) {
		if (in->dkim->count == 0 &&
		    add_method(h, "dkim", AUTH_NONE, NULL) == -1)
			return NULL;
		for (i = 0; i < in->dkim->count; i++)
			if (add_dkim(h, &in->dkim->sigs[i]) == -1)
				return NULL;
		if (in->dkim->truncated && hdrout_add_comment(h,
		    "more signatures not verified") == -1)
			return NULL;
	}
	if (in->dmarc != NULL && add_dmarc(a, h, in->dmarc) == -1)
		return NULL;
	if (in->spf == NULL && in->helo_spf == NULL && in->dkim == NULL &&
	    in->dmarc == NULL && hdrout_add_raw(h, ';', "none") == -1)
		return NULL;
	return hdrout_finish(h);
}
