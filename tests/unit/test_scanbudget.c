/*
 * test_scanbudget.c - issue 9 item 4: the per-message DNS budget is the
 * scan's, explicit (policy_scan_set_dns_budget, policy_scan_dns_budget),
 * and every lookup path of policy_scan_finish runs under it: past the
 * budget SPF and DMARC answer temperror at once instead of waiting each
 * query's own deadline.  The resolver forwards hang.example to a socket
 * that never answers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "util/deadline.h"
#include "dns/dns.h"
#include "eml.h"
#include "mail/message.h"
#include "policy.h"
#include "scanfix.h"
#include "silentdns.h"

#define QUERY_TIMEOUT_MS	3000	/* each query's own deadline */

static char tmpdir[256];
static char fwd[64];
static int silent = -1;

static struct policy *
policy_for(unsigned message_budget_ms)
{
	return scanfix_policy(tmpdir, "$STATIC example\n$FORWARD hang.example\n"
	    "ok.example. 300 IN TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n",
	    "dns_forwarders = [ \"%s\" ];\n"
	    "dns_timeout_ms = %u;\ndns_message_budget_ms = %u;\n"
	    "state_enable = false;\n", fwd, QUERY_TIMEOUT_MS,
	    message_budget_ms);
}

/* A message from a@domain, fed but not finished. */
static struct scan *
scan_for(struct policy *pol, const char *domain)
{
	char text[256], from[128];

	snprintf(from, sizeof(from), "<a@%s>", domain);
	snprintf(text, sizeof(text), "From: a@%s\r\nSubject: x\r\n\r\nx\r\n",
	    domain);
	return scanfix_scan(pol, "192.0.2.1", from, text);
}

/* A budget set on the scan bounds the whole message: SPF's lookup is cut
 * at it, DMARC's (local data, but after the budget) answers temperror at
 * once, and the caller sees that it was spent. */
static void
set_budget_bounds_every_lookup(void **unused)
{
	struct policy *pol = policy_for(15000);
	const struct evaluation *e;
	struct scan *s = scan_for(pol, "hang.example");
	long long t0, took;

	(void)unused;
	policy_scan_set_dns_budget(s, 300);
	assert_false(policy_scan_dns_budget(s)->spent);
	t0 = deadline_now_ms();
	assert_int_equal(policy_scan_finish(s, &e), 0);
	took = deadline_now_ms() - t0;
	assert_true(policy_scan_dns_budget(s)->spent);
	assert_int_equal(e->spf.result, AUTH_TEMPERROR);
	assert_int_equal(e->dmarc.result, AUTH_TEMPERROR);
	/* Without the budget SPF alone would wait QUERY_TIMEOUT_MS. */
	if (took >= QUERY_TIMEOUT_MS)
		fail_msg("the scan took %lld ms", took);
	policy_scan_free(s);
	policy_unref(pol);
}

/* Not set: the scan takes dns_message_budget_ms from its config. */
static void
config_budget_is_the_default(void **unused)
{
	struct policy *pol = policy_for(250);
	const struct evaluation *e;
	struct scan *s = scan_for(pol, "hang.example");

	(void)unused;
	assert_int_equal(policy_scan_finish(s, &e), 0);
	assert_true(policy_scan_dns_budget(s)->spent);
	assert_int_equal(e->spf.result, AUTH_TEMPERROR);
	assert_int_equal(e->dmarc.result, AUTH_TEMPERROR);
	policy_scan_free(s);
	policy_unref(pol);
}

/* A message whose lookups all answer within its budget is untouched by
 * it, and another message's spent budget does not carry over. */
static void
unspent_budget_changes_nothing(void **unused)
{
	struct policy *pol = policy_for(15000);
	const struct evaluation *e;
	struct scan *spent = scan_for(pol, "hang.example");
	struct scan *s = scan_for(pol, "ok.example");

	(void)unused;
	policy_scan_set_dns_budget(spent, 100);
	assert_int_equal(policy_scan_finish(spent, &e), 0);
	assert_true(policy_scan_dns_budget(spent)->spent);
	policy_scan_set_dns_budget(s, 60000);
	assert_int_equal(policy_scan_finish(s, &e), 0);
	assert_false(policy_scan_dns_budget(s)->spent);
	assert_int_equal(e->spf.result, AUTH_PASS);
	assert_int_equal(e->dmarc.result, AUTH_NONE);
	policy_scan_free(spent);
	policy_scan_free(s);
	policy_unref(pol);
}

static int
setup(void **unused)
{
	(void)unused;
	if (scanfix_mkdtemp(tmpdir, sizeof(tmpdir), "rwbudget") == -1)
		return -1;
	silent = silentdns_open(fwd, sizeof(fwd));
	return silent < 0 ? -1 : 0;
}

static int
teardown(void **unused)
{
	(void)unused;
	close(silent);
	return scanfix_rmdir(tmpdir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(set_budget_bounds_every_lookup),
		cmocka_unit_test(config_budget_is_the_default),
		cmocka_unit_test(unspent_budget_changes_nothing),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
