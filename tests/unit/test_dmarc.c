/*
 * test_dmarc.c - DMARC through dmarc.h, no network.
 *
 * Records come from a local-data zone; two names are forwarded to a UDP
 * socket on 127.0.0.1 that never answers (temperror).  The PSL is
 * Debian's list ($RW_PSL_FILE's default).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/arena.h"
#include "auth/auth.h"
#include "auth/dkimv.h"
#include "auth/dmarc.h"
#include "mail/orgdomain.h"
#include "dns/dns.h"
#include "auth/spf.h"

#define DNS_TIMEOUT_MS	300

struct fixture {
	char dir[256];
	char zone[300];
	int silent;
	struct dns_resolver *dns;
	struct orgdomain *psl;
};

static const char *const zone[] = {
	"$STATIC example",
	"$STATIC co.uk",
	"_dmarc.strict.example TXT \"v=DMARC1; p=reject; adkim=s; aspf=s\"",
	"_dmarc.relaxed.example TXT \"v=DMARC1; p=quarantine; sp=reject;"
	    " rua=mailto:d@relaxed.example\"",
	"_dmarc.sub.relaxed.example TXT \"v=DMARC1; p=none\"",
	"_dmarc.nosp.example TXT \"v=DMARC1; p=reject\"",
	"_dmarc.multi.example TXT \"v=DMARC1; p=reject\"",
	"_dmarc.multi.example TXT \"v=DMARC1; p=none\"",
	"_dmarc.mixed.example TXT \"site-verification=abc\"",
	"_dmarc.mixed.example TXT \"v=DMARC1; \" \"p=quarantine\"",
	"_dmarc.garbage.example TXT \"v=DMARC1; p=reject; adkim=x\"",
	"_dmarc.notag.example TXT \"v=DMARC1; p=reject; junk\"",
	"_dmarc.nodmarc.example TXT \"hello world\"",
	"_dmarc.badp.example TXT \"v=DMARC1; p=bogus;"
	    " rua=mailto:r@badp.example\"",
	"_dmarc.badpnorua.example TXT \"v=DMARC1; p=bogus; rua=nonsense\"",
	"_dmarc.nop.example TXT \"v=DMARC1; rua=mailto:r@nop.example\"",
	"_dmarc.badsp.example TXT \"v=DMARC1; p=reject; sp=maybe;"
	    " rua=mailto:x@badsp.example\"",
	"_dmarc.pct.example TXT \"v=DMARC1; p=reject; pct=20\"",
	"_dmarc.badpct.example TXT \"v=DMARC1; p=reject; pct=101\"",
	"_dmarc.version.example TXT \"v=DMARC10; p=reject\"",
	"_dmarc.upper.example TXT \"V = DMARC1 ; P = Reject ; ;\"",
	"_dmarc.dup.example TXT \"v=DMARC1; p=none; p=reject\"",
	"_dmarc.unknown.example TXT \"v=DMARC1; p=reject; foo=bar; x_y=1\"",
	"_dmarc.notfirst.example TXT \"p=reject; v=DMARC1\"",
	"_dmarc.sender.co.uk TXT \"v=DMARC1; p=reject\"",
	"_dmarc.ctl.example TXT \"v=DMARC1; p=reject; x=a\\009b\\001\"",
	"_dmarc.tagname.example TXT \"v=DMARC1; p=reject; 9x=1\"",
	"_dmarc.empty.example TXT \"\"",
	"$FORWARD _dmarc.slow.example",
	"$FORWARD _dmarc.slow2.example",
	NULL
};

static int
group_setup(void **state)
{
	static struct fixture fx;
	struct fixture *f = &fx;
	struct sockaddr_in sa;
	socklen_t salen = sizeof(sa);
	char fwd[64], err[256];
	const char *fwds[1] = { fwd };
	const char *tmp = getenv("TMPDIR");
	struct dns_options o;
	FILE *z;
	size_t i;

	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "%.200s/dmarc.XXXXXX",
	    tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->zone, sizeof(f->zone), "%.240s/zone", f->dir);
	assert_non_null(z = fopen(f->zone, "w"));
	for (i = 0; zone[i] != NULL; i++)
		fprintf(z, "%s\n", zone[i]);
	assert_int_equal(fclose(z), 0);

	f->silent = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(f->silent >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(f->silent, (struct sockaddr *)&sa,
	    sizeof(sa)), 0);
	assert_int_equal(getsockname(f->silent, (struct sockaddr *)&sa,
	    &salen), 0);
	snprintf(fwd, sizeof(fwd), "127.0.0.1@%u", ntohs(sa.sin_port));

	memset(&o, 0, sizeof(o));
	o.forwarders = fwds;
	o.nforwarders = 1;
	o.timeout_ms = DNS_TIMEOUT_MS;
	o.local_data = f->zone;
	if ((f->dns = dns_resolver_new(&o, err, sizeof(err))) == NULL)
		fail_msg("resolver: %s", err);
	if ((f->psl = orgdomain_new(NULL, err, sizeof(err))) == NULL)
		fail_msg("psl: %s", err);
	*state = f;
	return 0;
}

static int
group_teardown(void **state)
{
	struct fixture *f = *state;

	orgdomain_free(f->psl);
	dns_resolver_free(f->dns);
	close(f->silent);
	unlink(f->zone);
	rmdir(f->dir);
	return 0;
}

/* ---- organisational domains and alignment ---- */

static void
test_org_domain(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *in, *org;
	} cases[] = {
		{ "sender.example", "sender.example" },
		{ "a.b.mail.sender.example", "sender.example" },
		{ "Mail.Sender.EXAMPLE.", "sender.example" },
		{ "sender.co.uk", "sender.co.uk" },
		{ "news.sender.co.uk", "sender.co.uk" },
		{ "co.uk", NULL },		/* a public suffix */
		{ "uk", NULL },
		{ "example", NULL },
		{ "x.github.io", "x.github.io" },	/* private section */
		{ "a.b.c.kawasaki.jp", "b.c.kawasaki.jp" },	/* *.rule */
		{ "a.www.ck", "www.ck" },	/* exception rule */
		{ "example.net>", NULL },	/* not a domain */
		{ "a..b.example", NULL },
		{ "", NULL },
		{ ".", NULL },
		{ "has space.example", NULL },
		{ NULL, NULL },
	};
	struct arena *a = arena_new();
	size_t i;

	assert_non_null(a);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *o = orgdomain_get(f->psl, cases[i].in, a);

		if (cases[i].org == NULL && o != NULL)
			fail_msg("%s: org %s, want none", cases[i].in, o);
		if (cases[i].org != NULL &&
		    (o == NULL || strcmp(o, cases[i].org) != 0))
			fail_msg("%s: org %s, want %s", cases[i].in,
			    o ? o : "none", cases[i].org);
	}
	arena_free(a);
}

static void
test_alignment_modes(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *a, *b;
		int relaxed, strict;
	} cases[] = {
		{ "sender.example", "sender.example", 1, 1 },
		{ "SENDER.example.", "sender.EXAMPLE", 1, 1 },
		{ "mail.sender.example", "sender.example", 1, 0 },
		{ "a.sender.example", "b.sender.example", 1, 0 },
		{ "sender.example", "other.example", 0, 0 },
		{ "a.sender.co.uk", "sender.co.uk", 1, 0 },
		/* Same public suffix, different organisations. */
		{ "sender.co.uk", "other.co.uk", 0, 0 },
		{ "co.uk", "sender.co.uk", 0, 0 },
		{ "co.uk", "co.uk", 1, 1 },
		{ "example.net>", "example.net", 0, 0 },
		{ "", "", 0, 0 },
		{ NULL, "sender.example", 0, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (dmarc_aligned(f->psl, cases[i].a, cases[i].b, 0) !=
		    cases[i].relaxed)
			fail_msg("relaxed %s / %s", cases[i].a, cases[i].b);
		if (dmarc_aligned(f->psl, cases[i].a, cases[i].b, 1) !=
		    cases[i].strict)
			fail_msg("strict %s / %s", cases[i].a, cases[i].b);
	}
}

/* ---- dmarc_check ---- */

struct dsig {
	const char *d;
	enum auth_result result;
};

struct check_case {
	const char *name;
	const char *from;
	const char *spf_domain;		/* NULL: SPF none */
	enum auth_result spf;
	struct dsig dkim[3];		/* until d == NULL */
	enum auth_result result;
	int spf_aligned, dkim_aligned;
	enum dmarc_policy policy, published_p;
	const char *record_domain;	/* NULL: not checked */
	unsigned pct;
	const char *reason;		/* substring, NULL: not checked */
};

#define NO_DKIM { { NULL, AUTH_NONE } }
#define U DMARC_POLICY_UNSET
#define N DMARC_POLICY_NONE
#define Q DMARC_POLICY_QUARANTINE
#define R DMARC_POLICY_REJECT

static const struct check_case check_cases[] = {
	{ "relaxed SPF from a subdomain passes, sp applies",
	  "mail.relaxed.example", "bounce.relaxed.example", AUTH_PASS,
	  NO_DKIM, AUTH_PASS, 1, 0, R, Q, "relaxed.example", 100, NULL },
	{ "relaxed DKIM passes with the aligned d=",
	  "relaxed.example", NULL, AUTH_NONE,
	  { { "other.example", AUTH_PASS },
	    { "s.relaxed.example", AUTH_PASS } },
	  AUTH_PASS, 0, 1, Q, Q, "relaxed.example", 100, NULL },
	{ "strict SPF refuses a subdomain",
	  "strict.example", "bounce.strict.example", AUTH_PASS, NO_DKIM,
	  AUTH_FAIL, 0, 0, R, R, "strict.example", 100, "no aligned" },
	{ "strict SPF accepts the same name in another case",
	  "strict.example", "STRICT.Example.", AUTH_PASS, NO_DKIM,
	  AUTH_PASS, 1, 0, R, R, NULL, 100, NULL },
	{ "strict DKIM never passes through the PSL fallback",
	  "strict.example", NULL, AUTH_NONE,
	  { { "mail.strict.example", AUTH_PASS } },
	  AUTH_FAIL, 0, 0, R, R, NULL, 100, NULL },
	{ "strict DKIM passes with the identical d=",
	  "strict.example", NULL, AUTH_NONE,
	  { { "strict.example", AUTH_PASS } },
	  AUTH_PASS, 0, 1, R, R, NULL, 100, NULL },
	{ "aligned DKIM that failed does not count",
	  "relaxed.example", "relaxed.example", AUTH_SOFTFAIL,
	  { { "relaxed.example", AUTH_FAIL } },
	  AUTH_FAIL, 0, 0, Q, Q, NULL, 100, NULL },
	{ "another organisation under co.uk is not aligned",
	  "sender.co.uk", "other.co.uk", AUTH_PASS,
	  { { "other.co.uk", AUTH_PASS } },
	  AUTH_FAIL, 0, 0, R, R, "sender.co.uk", 100, NULL },
	{ "subdomain under co.uk finds the organisation's record",
	  "news.sender.co.uk", NULL, AUTH_NONE,
	  { { "mail.sender.co.uk", AUTH_PASS } },
	  AUTH_PASS, 0, 1, R, R, "sender.co.uk", 100, NULL },
	{ "a subdomain's own record uses its p, not the parent's sp",
	  "sub.relaxed.example", NULL, AUTH_NONE, NO_DKIM,
	  AUTH_FAIL, 0, 0, N, N, "sub.relaxed.example", 100, NULL },
	{ "without sp a subdomain gets p",
	  "a.b.nosp.example", NULL, AUTH_NONE, NO_DKIM,
	  AUTH_FAIL, 0, 0, R, R, "nosp.example", 100, NULL },
	{ "several DMARC records: none",
	  "multi.example", NULL, AUTH_NONE, NO_DKIM,
	  AUTH_NONE, 0, 0, U, U, NULL, 100, "several" },
	{ "non-DMARC TXT beside the record is discarded",
	  "mixed.example", NULL, AUTH_NONE, NO_DKIM,
	  AUTH_FAIL, 0, 0, Q, Q, "mixed.example", 100, NULL },
	{ "bad adkim value: malformed, none",
	  "garbage.example", NULL, AUTH_NONE, NO_DKIM,
	  AUTH_NONE, 0, 0, U, U, NULL, 100,
	  "malformed DMARC record: bad adkim" },
	{ "tag without '=': malformed, none",
	  "notag.example", NULL, AUTH_NONE, NO_DKIM,
	  AUTH_NONE, 0, 0, U, U, NULL, 100, "malformed" },
	{ "repeated tag: malformed, none",
	  "dup.example", NULL, AUTH_NONE, NO_DKIM,
	  AUTH_NONE, 0, 0, U, U, NULL, 100, "repeated tag" },
	{ "TXT that is not DMARC: no record",
	  "nodmarc.example", "nodmarc.example", AUTH_PASS, NO_DKIM,
	  AUTH_NONE, 1, 0, U, U, NULL, 100, "no DMARC record" },
	{ "v=DMARC10 is not DMARC1",
	  "version.example", NULL, AUTH_NONE, NO_DKIM,
	  AUTH_NONE, 0, 0, U, U, NULL, 100, "no DMARC record" },
	{ "v= not first: not a DMARC record",
	  "notfirst.example", NULL, AUTH_NONE, NO_DKIM,
	  AUTH_NONE, 0, 0, U, U, NULL, 100, "no DMARC record" },
	{ "bad p= with a valid rua acts as p=none",
	  "badp.example", NULL, AUTH_NONE, NO_DKIM,
	  AUTH_FAIL, 0, 0, N, U, "badp.example", 100, "acting as p=none" },
	{ "bad p= without a valid rua: none",
	  "badpnorua.example", NULL, AUTH_NONE, NO_DKIM,
	  AUTH_NONE, 0, 0, U, U, NULL, 100, "bad p=" },
	{ "no p= with a valid rua acts as p=none",
	  "nop.example", "nop.example", AUTH_PASS, NO_DKIM,
	  AUTH_PASS, 1, 0, N, U, NULL, 100, NULL },
	{ "bad sp= with a valid rua acts as p=none",
	  "badsp.example", NULL, AUTH_NONE, NO_DKIM,
	  AUTH_FAIL, 0, 0, N, R, NULL, 100, "acting as p=none" },
	{ "pct is reported",
	  "pct.example", NULL, AUTH_NONE, NO_DKIM,
	  AUTH_FAIL, 0, 0, R, R, NULL, 20, NULL },
	{ "pct over 100: malformed, none",
	  "badpct.example", NULL, AUTH_NONE, NO_DKIM,
	  AUTH_NONE, 0, 0, U, U, NULL, 100, "bad pct" },
	{ "tag names and values are case-insensitive, empty tags ignored",
	  "upper.example", NULL, AUTH_NONE, NO_DKIM,
	  AUTH_FAIL, 0, 0, R, R, NULL, 100, NULL },
	{ "unknown tags are ignored",
	  "unknown.example", "unknown.example", AUTH_PASS, NO_DKIM,
	  AUTH_PASS, 1, 0, R, R, NULL, 100, NULL },
	{ "record lookup timeout: temperror",
	  "slow.example", "slow.example", AUTH_PASS, NO_DKIM,
	  AUTH_TEMPERROR, 1, 0, U, U, NULL, 100, NULL },
	{ "timeout at the organisational domain: temperror",
	  "a.slow2.example", NULL, AUTH_NONE, NO_DKIM,
	  AUTH_TEMPERROR, 0, 0, U, U, NULL, 100, NULL },
	{ "control byte in a value: malformed, none",
	  "ctl.example", NULL, AUTH_NONE, NO_DKIM,
	  AUTH_NONE, 0, 0, U, U, NULL, 100, "control byte" },
	{ "tag name starting with a digit: malformed, none",
	  "tagname.example", NULL, AUTH_NONE, NO_DKIM,
	  AUTH_NONE, 0, 0, U, U, NULL, 100, "bad tag name" },
	{ "empty TXT: no record",
	  "empty.example", NULL, AUTH_NONE, NO_DKIM,
	  AUTH_NONE, 0, 0, U, U, NULL, 100, "no DMARC record" },
	{ "no From domain: permerror",
	  NULL, "x.example", AUTH_PASS, NO_DKIM,
	  AUTH_PERMERROR, 0, 0, U, U, NULL, 100, "no From domain" },
	{ "From domain with a stray '>': permerror",
	  "example.net>", NULL, AUTH_NONE, { { "example.net", AUTH_PASS } },
	  AUTH_PERMERROR, 0, 0, U, U, NULL, 100, "not a domain" },
	{ "trailing dot in the From domain is ignored",
	  "relaxed.example.", "relaxed.example", AUTH_PASS, NO_DKIM,
	  AUTH_PASS, 1, 0, Q, Q, "relaxed.example", 100, NULL },
	{ "From a public suffix has no organisational fallback",
	  "co.uk", "co.uk", AUTH_PASS, NO_DKIM,
	  AUTH_NONE, 1, 0, U, U, NULL, 100, "no DMARC record" },
};

static void
run_check(struct fixture *f, const struct check_case *c)
{
	struct spf_result spf;
	struct dkim_sig_result sigs[3];
	struct dkim_results dkim;
	struct dmarc_result r;
	struct arena *a = arena_new();
	size_t i;

	assert_non_null(a);
	memset(&spf, 0, sizeof(spf));
	spf.result = c->spf;
	spf.domain = c->spf_domain;
	memset(sigs, 0, sizeof(sigs));
	memset(&dkim, 0, sizeof(dkim));
	dkim.sigs = sigs;
	for (i = 0; i < 3 && c->dkim[i].d != NULL; i++) {
		sigs[i].domain = c->dkim[i].d;
		sigs[i].result = c->dkim[i].result;
	}
	dkim.count = i;
	assert_int_equal(dmarc_check(f->psl, f->dns, NULL, c->from, &spf,
	    &dkim, a, &r), 0);
	print_message("%s: %s policy=%s p=%s rec=%s pct=%u spf=%d dkim=%d"
	    " (%s)\n", c->name, auth_result_name(r.result),
	    dmarc_policy_name(r.policy), dmarc_policy_name(r.published_p),
	    r.record_domain ? r.record_domain : "-", r.pct, r.spf_aligned,
	    r.dkim_aligned, r.reason ? r.reason : "-");
	if (r.result != c->result)
		fail_msg("%s: result %s, want %s", c->name,
		    auth_result_name(r.result), auth_result_name(c->result));
	assert_int_equal(r.spf_aligned, c->spf_aligned);
	assert_int_equal(r.dkim_aligned, c->dkim_aligned);
	assert_int_equal(r.policy, c->policy);
	assert_int_equal(r.published_p, c->published_p);
	assert_int_equal(r.pct, c->pct);
	if (c->record_domain != NULL) {
		assert_non_null(r.record_domain);
		assert_string_equal(r.record_domain, c->record_domain);
	}
	if (c->reason != NULL) {
		assert_non_null(r.reason);
		if (strstr(r.reason, c->reason) == NULL)
			fail_msg("%s: reason '%s' lacks '%s'", c->name,
			    r.reason, c->reason);
	}
	if (r.dkim_aligned)
		assert_non_null(r.dkim_domain);
	arena_free(a);
}

static void
test_check_table(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(check_cases) / sizeof(check_cases[0]); i++)
		run_check(*state, &check_cases[i]);
}

static void
test_result_domains(void **state)
{
	struct fixture *f = *state;
	struct dkim_sig_result sig = { AUTH_PASS, "Sig.Relaxed.Example", NULL,
	    NULL, NULL, NULL, NULL, 0, 0 };
	struct dkim_results dkim = { .count = 1, .sigs = &sig };
	struct dmarc_result r;
	struct arena *a = arena_new();

	assert_non_null(a);
	assert_int_equal(dmarc_check(f->psl, f->dns, NULL,
	    "Mail.Relaxed.Example", NULL, &dkim, a, &r), 0);
	assert_int_equal(r.result, AUTH_PASS);
	assert_string_equal(r.from_domain, "mail.relaxed.example");
	assert_string_equal(r.org_domain, "relaxed.example");
	assert_string_equal(r.record_domain, "relaxed.example");
	assert_string_equal(r.dkim_domain, "Sig.Relaxed.Example");
	assert_int_equal(r.policy, DMARC_POLICY_REJECT);
	/* NULL spf and dkim are "nothing authenticated". */
	assert_int_equal(dmarc_check(f->psl, f->dns, NULL, "relaxed.example",
	    NULL, NULL, a, &r), 0);
	assert_int_equal(r.result, AUTH_FAIL);
	arena_free(a);
}

/* Names past RFC 1035's limits are not domains: permerror, no lookup. */
static void
test_oversized_from_domain(void **state)
{
	struct fixture *f = *state;
	struct dmarc_result r;
	struct arena *a = arena_new();
	char name[300];
	size_t i;

	assert_non_null(a);
	/* 254 octets (labels of 62, then .example): one past the limit. */
	for (i = 0; i < 246; i++)
		name[i] = (i % 63 == 62) ? '.' : 'a';
	strcpy(name + 246, ".example");
	assert_int_equal(strlen(name), 254);
	assert_int_equal(dmarc_check(f->psl, f->dns, NULL, name, NULL, NULL, a,
	    &r), 0);
	assert_int_equal(r.result, AUTH_PERMERROR);
	/* 253 octets: at the limit, a domain without a record. */
	strcpy(name + 245, ".example");
	assert_int_equal(dmarc_check(f->psl, f->dns, NULL, name, NULL, NULL, a,
	    &r), 0);
	assert_int_equal(r.result, AUTH_NONE);
	/* A 64-octet label. */
	memset(name, 'b', 64);
	strcpy(name + 64, ".example");
	assert_int_equal(dmarc_check(f->psl, f->dns, NULL, name, NULL, NULL, a,
	    &r), 0);
	assert_int_equal(r.result, AUTH_PERMERROR);
	arena_free(a);
}

static void
test_policy_names_and_bad_psl(void **state)
{
	char err[256] = "";

	assert_string_equal(dmarc_policy_name(DMARC_POLICY_NONE), "none");
	assert_string_equal(dmarc_policy_name(DMARC_POLICY_QUARANTINE),
	    "quarantine");
	assert_string_equal(dmarc_policy_name(DMARC_POLICY_REJECT), "reject");
	assert_string_equal(dmarc_policy_name(DMARC_POLICY_UNSET), "unset");
	assert_null(orgdomain_new("/nonexistent/psl.dat", err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/psl.dat"));
	orgdomain_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_org_domain),
		cmocka_unit_test(test_alignment_modes),
		cmocka_unit_test(test_check_table),
		cmocka_unit_test(test_result_domains),
		cmocka_unit_test(test_oversized_from_domain),
		cmocka_unit_test(test_policy_names_and_bad_psl),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
