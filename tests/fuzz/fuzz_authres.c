/*
 * fuzz_authres.c - fuzz target for policy/auth/authres.c.
 *
 * Two parts, one input (fields separated by NUL bytes):
 *   1. every field is an existing Authentication-Results value for
 *      authres_claims_id with the fixed authserv-id "mx.example.net",
 *      compared with a reference reading written here from RFC 8601 2.2
 *      and 2.5 (first token or quoted string after CFWS, case-insensitive,
 *      one trailing dot ignored): whatever that reading calls ours must be
 *      claimed (the real test is more conservative), and nothing without
 *      our id in it may be;
 *   2. the fields fill an authres_input (authserv-id, a control field of
 *      result codes, then identities, reasons and DKIM tags) for
 *      authres_format, whose output must obey the hdrout invariants and
 *      be recognised as ours by authres_claims_id - a header we write and
 *      do not recognise would survive the next hop's removal of forgeries.
 */
#include <strings.h>

#include "util/arena.h"
#include "auth/authres.h"
#include "auth/dkimv.h"
#include "auth/dmarc.h"
#include "fuzz.h"
#include "auth/spf.h"

#define FIELD_MAX	2048
#define OUR_ID		"mx.example.net"
#define NSIGS		3
#define NSTR		(5 + NSIGS * 6 + 2)

static int
tspecial(unsigned char c)
{
	return c <= 0x20 || c >= 0x7f || strchr("()<>@,;:\\\"/[]?=", c);
}

/* The reference reading of the authserv-id: 1 when it is id. */
static int
ref_claims(const char *v, const char *id)
{
	char got[FIELD_MAX];
	size_t n = 0, depth = 0, idlen = strlen(id);

	for (; *v != '\0'; v++) {
		if (depth > 0) {
			if (*v == '\\' && v[1] != '\0')
				v++;
			else if (*v == '(')
				depth++;
			else if (*v == ')')
				depth--;
		} else if (*v == '(')
			depth = 1;
		else if (!strchr(" \t\r\n", *v))
			break;
	}
	if (depth > 0)
		return 0;
	if (*v == '"') {
		for (v++; *v != '\0' && *v != '"' && n < sizeof(got) - 1;
		    v++) {
			if (*v == '\\' && v[1] != '\0')
				v++;
			got[n++] = *v;
		}
	} else
		while (*v != '\0' && !tspecial((unsigned char)*v) &&
		    n < sizeof(got) - 1)
			got[n++] = *v++;
	got[n] = '\0';
	if (idlen > 0 && id[idlen - 1] == '.')
		idlen--;
	if (n > 0 && got[n - 1] == '.' && n == idlen + 1)
		n--;
	return idlen > 0 && n == idlen && strncasecmp(got, id, n) == 0;
}

static void
check_claims(const char *value)
{
	int claims = authres_claims_id(value, OUR_ID);

	/* Conservative (issue 8 item 2): never milder than the RFC reading,
	 * and never a claim on a value that does not hold our id at all. */
	if (ref_claims(value, OUR_ID))
		FUZZ_CHECK(claims);
	if (claims) {
		char plain[FIELD_MAX];
		size_t n = 0, i;

		for (; *value != '\0' && n < sizeof(plain) - 1; value++)
			if (*value != '\\')	/* quoted-pairs */
				plain[n++] = *value;
		plain[n] = '\0';
		for (i = 0; i + strlen(OUR_ID) <= n; i++)
			if (strncasecmp(plain + i, OUR_ID,
			    strlen(OUR_ID)) == 0)
				break;
		FUZZ_CHECK(i + strlen(OUR_ID) <= n);
	}
}

static void
check_format(struct arena *a, const uint8_t *data, size_t size)
{
	char fields[2 + NSTR][FIELD_MAX], *id;
	const char *str[NSTR], *v;
	const unsigned char *ctl;
	struct spf_result spf, helo_spf;
	struct dkim_sig_result sigs[NSIGS];
	struct dkim_results dkim;
	struct dmarc_result dmarc;
	struct authres_input in;
	size_t pos = 0, i, nf, k = 0;

	memset(str, 0, sizeof(str));
	for (nf = 0; nf < 2 + NSTR; nf++)
		if (fuzz_field(data, size, &pos, fields[nf], FIELD_MAX) ==
		    NULL)
			break;
	for (i = nf; i < 2 + NSTR; i++)
		fields[i][0] = '\0';
	id = authres_id_valid(fields[0]) ? fields[0] : OUR_ID;
	ctl = (const unsigned char *)fields[1];
	for (i = 0; i < NSTR; i++)
		str[i] = 2 + i < nf ? fields[2 + i] : NULL;
#define CTL(n)	(strlen(fields[1]) > (n) ? ctl[n] : 0)

	memset(&spf, 0, sizeof(spf));
	memset(&helo_spf, 0, sizeof(helo_spf));
	memset(&dkim, 0, sizeof(dkim));
	memset(&dmarc, 0, sizeof(dmarc));
	memset(sigs, 0, sizeof(sigs));
	spf.result = (enum auth_result)(CTL(0) % 8);
	spf.identity = str[k++];
	spf.reason = str[k++];
	helo_spf.result = (enum auth_result)(CTL(1) % 8);
	helo_spf.identity = str[k++];
	helo_spf.reason = str[k++];
	for (i = 0; i < NSIGS; i++) {
		sigs[i].result = (enum auth_result)(CTL(2 + i) % 8);
		sigs[i].key_bits = CTL(2 + i) * 64u;
		sigs[i].domain = str[k++];
		sigs[i].selector = str[k++];
		sigs[i].algorithm = str[k++];
		sigs[i].identity = str[k++];
		sigs[i].header_b = str[k++];
		sigs[i].reason = str[k++];
	}
	dkim.count = CTL(5) % (NSIGS + 1);
	dkim.sigs = sigs;
	dkim.truncated = CTL(5) & 0x80;
	dmarc.result = (enum auth_result)(CTL(6) % 8);
	dmarc.published_p = (enum dmarc_policy)(CTL(7) % 4);
	dmarc.policy = (enum dmarc_policy)((CTL(7) / 4) % 4);
	dmarc.pct = CTL(8);
	dmarc.from_domain = str[k++];
	dmarc.reason = str[k++];

	memset(&in, 0, sizeof(in));
	in.authserv_id = id;
	in.spf = CTL(9) & 1 ? &spf : NULL;
	in.helo_spf = CTL(9) & 2 ? &helo_spf : NULL;
	in.helo = helo_spf.identity == NULL ? str[0] : NULL;
	in.dkim = CTL(9) & 4 ? &dkim : NULL;
	in.dmarc = CTL(9) & 8 ? &dmarc : NULL;
#undef CTL

	if ((v = authres_format(a, &in)) == NULL)
		return;
	FUZZ_CHECK(fuzz_no_controls(v, 1));
	FUZZ_CHECK(fuzz_utf8_valid(v));
	FUZZ_CHECK(fuzz_longest_line(v,
	    sizeof("Authentication-Results: ") - 1) < 998);
	FUZZ_CHECK(authres_claims_id(v, id) == 1);
	FUZZ_CHECK(ref_claims(v, id) == 1);
	if (strcasecmp(id, "other.example") != 0)
		FUZZ_CHECK(authres_claims_id(v, "other.example") == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char field[FIELD_MAX];
	struct arena *a;
	size_t pos = 0;

	while (fuzz_field(data, size, &pos, field, sizeof(field)) != NULL)
		check_claims(field);
	if ((a = arena_new()) == NULL)
		return 0;
	check_format(a, data, size);
	arena_free(a);
	return 0;
}
