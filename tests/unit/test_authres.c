/*
 * test_authres.c - authres.c: the header we write (RFC 8601 layout, one
 * resinfo per result and per DKIM signature, hostile values neutralised)
 * and recognising headers that claim our authserv-id the way an RFC 8601
 * parser would.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "auth/authres.h"
#include "auth/dkimv.h"
#include "auth/dmarc.h"
#include "auth/spf.h"

/* The value with folds ("\n\t") made single spaces. */
static char *
unfold(const char *v)
{
	char *s = strdup(v), *o = s;

	assert_non_null(s);
	for (; *v != '\0'; v++) {
		if (v[0] == '\n' && v[1] == '\t') {
			*o++ = ' ';
			v++;
		} else
			*o++ = *v;
	}
	*o = '\0';
	return s;
}

/* Every line break is a fold and no line reaches 998 bytes. */
static void
assert_folded_safely(const char *v)
{
	size_t col = strlen("Authentication-Results: ");

	for (; *v != '\0'; v++) {
		if (*v == '\r')
			fail_msg("CR in value");
		if (*v == '\n') {
			if (v[1] != '\t')
				fail_msg("line break without fold");
			col = 0;
		} else if (++col >= 998)
			fail_msg("line too long");
	}
}

static void
brief_example_is_reproduced(void **state)
{
	struct arena *a = arena_new();
	struct spf_result spf = { AUTH_PASS, "user@example.com",
		"example.com", NULL, NULL };
	struct spf_result helo = { AUTH_NONE, "mail.example.com",
		"mail.example.com", NULL, NULL };
	struct dkim_sig_result sig = { AUTH_PASS, "example.com", "sel",
		"rsa-sha256", NULL, "AbCdEfGh", NULL, 0, 0 };
	struct dkim_results dkim = { .count = 1, .sigs = &sig };
	struct dmarc_result dmarc;
	struct authres_input in;
	const char *v;
	char *u;

	memset(&dmarc, 0, sizeof(dmarc));
	dmarc.result = AUTH_PASS;
	dmarc.from_domain = "example.com";
	dmarc.policy = dmarc.published_p = DMARC_POLICY_REJECT;
	dmarc.pct = 100;
	memset(&in, 0, sizeof(in));
	in.authserv_id = "mx.example.net";
	in.spf = &spf;
	in.helo_spf = &helo;
	in.helo = "ignored.example";
	in.dkim = &dkim;
	in.dmarc = &dmarc;
	v = authres_format(a, &in);
	assert_non_null(v);
	assert_folded_safely(v);
	/* each resinfo on its own line */
	assert_non_null(strstr(v, "mx.example.net;\n\tspf=pass"));
	assert_non_null(strstr(v, ";\n\tdmarc=pass"));
	u = unfold(v);
	assert_string_equal(u, "mx.example.net; "
	    "spf=pass smtp.mailfrom=user@example.com; "
	    "spf=none smtp.helo=mail.example.com; "
	    "dkim=pass header.d=example.com header.s=sel header.a=rsa-sha256 "
	    "header.b=AbCdEfGh; "
	    "dmarc=pass (p=reject) header.from=example.com");
	free(u);
	assert_int_equal(authres_claims_id(v, "mx.example.net"), 1);
	arena_free(a);
}

static void
nothing_ran_says_none(void **state)
{
	struct arena *a = arena_new();
	struct authres_input in;

	memset(&in, 0, sizeof(in));
	in.authserv_id = "mx.example.net";
	assert_string_equal(authres_format(a, &in), "mx.example.net;\n\tnone");
	in.authserv_id = NULL;
	assert_string_equal(authres_format(a, &in), "localhost;\n\tnone");
	arena_free(a);
}

static void
dkim_without_signatures_is_none(void **state)
{
	struct arena *a = arena_new();
	struct dkim_results dkim = { .count = 0 };
	struct authres_input in;

	memset(&in, 0, sizeof(in));
	in.authserv_id = "mx.example.net";
	in.dkim = &dkim;
	assert_string_equal(authres_format(a, &in),
	    "mx.example.net;\n\tdkim=none");
	arena_free(a);
}

static void
one_resinfo_per_signature_in_order(void **state)
{
	struct arena *a = arena_new();
	struct dkim_sig_result sigs[3] = {
		{ AUTH_PASS, "example.com", "s1", "rsa-sha256",
		    "@example.com", "Ab+/Cd==", NULL, 2048, 0 },
		{ AUTH_FAIL, "esp.example", "s2", "ed25519-sha256", NULL,
		    "XyZ", "body hash did not verify", 0, 0 },
		{ AUTH_PERMERROR, NULL, NULL, NULL, NULL, NULL,
		    "no key", 0, 0 },
	};
	struct dkim_results dkim = { .count = 3, .sigs = sigs,
	    .truncated = 1 };
	struct authres_input in;
	const char *v;
	char *u;

	memset(&in, 0, sizeof(in));
	in.authserv_id = "mx.example.net";
	in.dkim = &dkim;
	v = authres_format(a, &in);
	assert_folded_safely(v);
	u = unfold(v);
	assert_string_equal(u, "mx.example.net; "
	    "dkim=pass (2048-bit key) header.d=example.com "
	    "header.i=@example.com header.s=s1 header.a=rsa-sha256 "
	    "header.b=\"Ab+/Cd==\"; "
	    "dkim=fail reason=\"body hash did not verify\" "
	    "header.d=esp.example header.s=s2 header.a=ed25519-sha256 "
	    "header.b=XyZ; "
	    "dkim=permerror reason=\"no key\" "
	    "(more signatures not verified)");
	free(u);
	arena_free(a);
}

static void
hostile_values_cannot_inject(void **state)
{
	struct arena *a = arena_new();
	struct spf_result spf = { AUTH_FAIL,
		"evil\r\nAuthentication-Results: mx.example.net; spf=pass",
		NULL, "a \"quoted\" (paren) \\ reason\x01", NULL };
	struct authres_input in;
	const char *v;
	char *u;

	memset(&in, 0, sizeof(in));
	in.authserv_id = "mx.example.net";
	in.spf = &spf;
	v = authres_format(a, &in);
	assert_folded_safely(v);
	u = unfold(v);
	assert_string_equal(u, "mx.example.net; spf=fail "
	    "reason=\"a \\\"quoted\\\" (paren) \\\\ reason\" "
	    "smtp.mailfrom=\"evilAuthentication-Results: mx.example.net; "
	    "spf=pass\"");
	free(u);
	arena_free(a);
}

static void
helo_falls_back_to_the_given_name(void **state)
{
	struct arena *a = arena_new();
	struct spf_result helo = { AUTH_NEUTRAL, NULL, NULL, NULL, NULL };
	struct authres_input in;

	memset(&in, 0, sizeof(in));
	in.authserv_id = "mx.example.net";
	in.helo_spf = &helo;
	in.helo = "[192.0.2.1]";
	assert_string_equal(authres_format(a, &in), "mx.example.net;\n\t"
	    "spf=neutral smtp.helo=\"[192.0.2.1]\"");
	arena_free(a);
}

static void
dmarc_subdomain_policy_and_pct(void **state)
{
	struct arena *a = arena_new();
	struct dmarc_result d;
	struct authres_input in;
	char *u;

	memset(&d, 0, sizeof(d));
	d.result = AUTH_FAIL;
	d.from_domain = "sub.example.com";
	d.published_p = DMARC_POLICY_REJECT;
	d.policy = DMARC_POLICY_QUARANTINE;
	d.pct = 50;
	memset(&in, 0, sizeof(in));
	in.authserv_id = "mx.example.net";
	in.dmarc = &d;
	u = unfold(authres_format(a, &in));
	assert_string_equal(u, "mx.example.net; dmarc=fail "
	    "(p=reject sp=quarantine pct=50) header.from=sub.example.com");
	free(u);
	/* no record: no policy comment */
	d.result = AUTH_NONE;
	d.published_p = d.policy = DMARC_POLICY_UNSET;
	d.reason = "no DMARC record";
	u = unfold(authres_format(a, &in));
	assert_string_equal(u, "mx.example.net; dmarc=none "
	    "reason=\"no DMARC record\" header.from=sub.example.com");
	free(u);
	arena_free(a);
}

static const struct {
	const char *behaviour, *value, *id;
	int claims;
} claim_cases[] = {
	{ "exact", "mx.example.net; spf=pass", "mx.example.net", 1 },
	{ "case differs", "MX.Example.NET; spf=pass", "mx.example.net", 1 },
	{ "comment and version", "(comment) MX.Example.NET 1; spf=pass",
	    "mx.example.net", 1 },
	{ "folded, nested comment with escaped paren",
	    "  \r\n\t(a (b) \\) c) mx.example.net;spf=pass", "mx.example.net",
	    1 },
	{ "comment right after the id", "mx.example.net(x); spf=pass",
	    "mx.example.net", 1 },
	{ "nothing after the id", "mx.example.net", "mx.example.net", 1 },
	{ "no-result form", "mx.example.net; none", "mx.example.net", 1 },
	{ "trailing dot on the header's id", "mx.example.net.; spf=pass",
	    "mx.example.net", 1 },
	{ "trailing dot on our id", "mx.example.net; spf=pass",
	    "mx.example.net.", 1 },
	{ "quoted id", "\"mx.example.net\"; spf=pass", "mx.example.net", 1 },
	{ "quoted id with version", "\"MX.example.net\" 1; none",
	    "mx.example.net", 1 },
	{ "malformed after the id still counts",
	    "mx.example.net/1; spf=pass", "mx.example.net", 1 },
	{ "our id as a suffix of a longer name",
	    "mx.example.net.evil.example; spf=pass", "mx.example.net", 0 },
	{ "our id as a prefix of a longer name",
	    "evil.mx.example.net; spf=pass", "mx.example.net", 0 },
	{ "extra character", "mx.example.netx; spf=pass", "mx.example.net",
	    0 },
	{ "one character short", "mx.example.ne; spf=pass",
	    "mx.example.net", 0 },
	{ "two trailing dots", "mx.example.net..; spf=pass",
	    "mx.example.net", 0 },
	{ "longer quoted id", "\"mx.example.net.evil\"; spf=pass",
	    "mx.example.net", 0 },
	{ "our id only inside a comment later",
	    "other.example; spf=pass (mx.example.net)", "mx.example.net", 0 },
	{ "our id only inside the leading comment",
	    "(mx.example.net) other.example; spf=pass", "mx.example.net", 0 },
	/* Issue 8 item 2: forms some reader takes as ours - removed. */
	{ "unclosed comment: our id inside, unparseable, ours",
	    "(unclosed mx.example.net; spf=pass", "mx.example.net", 1 },
	{ "comment ended by an escaped paren (Perl reads ours)",
	    "(a\\) mx.example.net; dkim=pass", "mx.example.net", 1 },
	{ "escaped paren in a second comment",
	    "(a) (b\\) mx.example.net; dkim=pass", "mx.example.net", 1 },
	{ "nested comment left open (flat readers: ours)",
	    "(a (b) mx.example.net; dkim=pass", "mx.example.net", 1 },
	{ "nested comment closed, flat readers see our id first",
	    "(a (b) mx.example.net) other.example; dkim=pass",
	    "mx.example.net", 1 },
	{ "unclosed quoted string", "\"mx.example.net; dkim=pass",
	    "mx.example.net", 1 },
	{ "unclosed quoted string, id alone", "\"mx.example.net",
	    "mx.example.net", 1 },
	{ "quoted string with ';' inside, then junk",
	    "\"mx.example.net;\" dkim=pass", "mx.example.net", 1 },
	{ "stray word before our id", "x mx.example.net; dkim=pass",
	    "mx.example.net", 1 },
	{ "semicolon in a leading comment", "(;) mx.example.net; dkim=pass",
	    "mx.example.net", 1 },
	{ "8-bit byte glued to our id", "\xc3mx.example.net; dkim=pass",
	    "mx.example.net", 1 },
	{ "open comment, our id later in a property",
	    "(x other.example; dkim=pass header.d=mx.example.net",
	    "mx.example.net", 1 },
	{ "quoted-pair in the quoted id", "\"mx.exa\\mple.net\"; none",
	    "mx.example.net", 1 },
	{ "quoted-pair in an unclosed quoted id (fuzz_authres)",
	    "\"mx.ex\\ample.net", "mx.example.net", 1 },
	{ "quoted-pair in an unclosed quoted id, more after it",
	    "\"mx.ex\\ample.net; dkim=pass", "mx.example.net", 1 },
	/* Legitimate foreign ones - kept. */
	{ "another id, ours in a later property",
	    "other.example; dkim=pass header.d=mx.example.net",
	    "mx.example.net", 0 },
	{ "another id, ours as a property value with a comment",
	    "other.example 1; spf=pass (mx.example.net) "
	    "smtp.mailfrom=a@mx.example.net", "mx.example.net", 0 },
	{ "another id, ours in a comment after it",
	    "mx.other.example (mx.example.net); dkim=pass",
	    "mx.example.net", 0 },
	{ "ours as a prefix of another id with a dot",
	    "mx.example.net.example.org; dkim=pass", "mx.example.net", 0 },
	{ "another id, nested comments read alike by all",
	    "(a (b) c) other.example; dkim=pass", "mx.example.net", 0 },
	{ "another id, quoted, with version",
	    "\"other.example\" 1; none", "mx.example.net", 0 },
	{ "another id, broken elsewhere, ours absent",
	    "(open other.example; dkim=pass", "mx.example.net", 0 },
	{ "another quoted id that starts with ours",
	    "\"mx.example.netx\"; none", "mx.example.net", 0 },
	{ "empty value", "", "mx.example.net", 0 },
	{ "empty id", "; spf=pass", "", 0 },
	{ "a backslash in the token: malformed, read unescaped, ours",
	    "mx\\.example.net; spf=pass", "mx.example.net", 1 },
};

static void
claims_id_table(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(claim_cases) / sizeof(claim_cases[0]); i++)
		if (authres_claims_id(claim_cases[i].value, claim_cases[i].id) !=
		    claim_cases[i].claims)
			fail_msg("%s", claim_cases[i].behaviour);
	assert_int_equal(authres_claims_id(NULL, "mx.example.net"), 0);
	assert_int_equal(authres_claims_id("mx.example.net", NULL), 0);
}

static void
deep_comment_before_id_is_linear(void **state)
{
	size_t n = 200000, i;
	char *v = malloc(2 * n + 32);

	for (i = 0; i < n; i++)
		v[i] = '(';
	for (i = 0; i < n; i++)
		v[n + i] = ')';
	strcpy(v + 2 * n, " mx.example.net; none");
	assert_int_equal(authres_claims_id(v, "mx.example.net"), 1);
	v[2 * n - 1] = 'x';		/* one left open: unparseable */
	assert_int_equal(authres_claims_id(v, "mx.example.net"), 1);
	strcpy(v + 2 * n, " other.example; none");
	assert_int_equal(authres_claims_id(v, "mx.example.net"), 0);
	free(v);
}

static void
authserv_id_syntax(void **state)
{
	static const struct {
		const char *id;
		int ok;
	} cases[] = {
		{ "mx.example.net", 1 }, { "mx1", 1 }, { "MX-1.Example.NET", 1 },
		{ "mx example", 0 }, { "mx;spf=pass", 0 }, { "mx(x)", 0 },
		{ "\"mx\"", 0 }, { "user@mx", 0 }, { "mx/1", 0 },
		{ "mx=1", 0 }, { ".mx", 0 }, { "mx.", 0 }, { "a..b", 0 },
		{ "", 0 }, { "caf\xc3\xa9.example", 0 },
	};
	char long_id[300];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (authres_id_valid(cases[i].id) != cases[i].ok)
			fail_msg("%s", cases[i].id);
	assert_int_equal(authres_id_valid(NULL), 0);
	memset(long_id, 'a', 255);
	long_id[255] = '\0';
	assert_int_equal(authres_id_valid(long_id), 1);
	long_id[255] = 'a';
	long_id[256] = '\0';
	assert_int_equal(authres_id_valid(long_id), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(brief_example_is_reproduced),
		cmocka_unit_test(nothing_ran_says_none),
		cmocka_unit_test(dkim_without_signatures_is_none),
		cmocka_unit_test(one_resinfo_per_signature_in_order),
		cmocka_unit_test(hostile_values_cannot_inject),
		cmocka_unit_test(helo_falls_back_to_the_given_name),
		cmocka_unit_test(dmarc_subdomain_policy_and_pct),
		cmocka_unit_test(claims_id_table),
		cmocka_unit_test(deep_comment_before_id_is_linear),
		cmocka_unit_test(authserv_id_syntax),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
