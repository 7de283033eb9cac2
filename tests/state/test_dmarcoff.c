/*
 * test_dmarcoff.c - issue 9: organisational domains do not depend on
 * DMARC.  With dmarc_enable = false (no _dmarc lookups, no dmarc_ reason,
 * no dmarc= in Authentication-Results) the sender checks still run
 * through the whole policy against a real redis-server: the history
 * (first contact, learning from aligned authenticated mail, a new
 * relay), the lookalike of a protected domain and the display-name
 * identity claim.  Before the fix the PSL was built only for DMARC and
 * every one of these was silently skipped.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "../unit/scanfix.h"
#include "statefix.h"

static int prefix_n;

/* partner.example and 0urorg.example authorise 192.0.2.0/24 and
 * publish DMARC records nobody must ask for. */
static const char zone[] =
    "$STATIC example\n"
    "partner.example. 300 IN TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n"
    "_dmarc.partner.example. 300 IN TXT \"v=DMARC1; p=reject\"\n"
    "0urorg.example. 300 IN TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n"
    "_dmarc.0urorg.example. 300 IN TXT \"v=DMARC1; p=reject\"\n";

static struct policy *
policy_for(const char *more)
{
	prefix_n++;
	return scanfix_policy(tmpdir, zone, "dmarc_enable = false;\n"
	    "dns_forwarders = [ \"127.0.0.1@9\" ];\n"
	    "dns_timeout_ms = 300;\n"
	    "redis_port = %d;\nredis_prefix = \"o%d:\";\n"
	    "redis_timeout_ms = 1000;\nredis_slow_ms = 1000;\n%s",
	    plain.port, prefix_n, more != NULL ? more : "");
}

static void
history_runs_without_dmarc(void **unused)
{
	struct policy *pol = policy_for(NULL);
	struct scanfix_outcome o;

	(void)unused;
	/* An aligned SPF pass is authenticated whether or not the DMARC
	 * policy is looked up: it teaches. */
	scanfix_evaluate(pol, "192.0.2.10", "<pat@partner.example>",
	    "From: pat@partner.example\r\n\r\nx\r\n", &o);
	assert_int_equal(o.state, SENDER_STATE_AVAILABLE);
	assert_string_equal(o.reasons, "first_contact");
	assert_true(o.authenticated);
	assert_true(o.learned);
	assert_null(strstr(o.authres, "dmarc="));
	assert_non_null(strstr(o.authres, "spf=pass"));
	scanfix_evaluate(pol, "192.0.2.11", "<pat@partner.example>",
	    "From: pat@partner.example\r\n\r\nx\r\n", &o);
	assert_string_equal(o.reasons, "");
	/* Another network, SPF fail: a known sender's new relay; no
	 * dmarc_fail, the policy was not looked up. */
	scanfix_evaluate(pol, "198.51.100.7", "<pat@partner.example>",
	    "From: pat@partner.example\r\n\r\nx\r\n", &o);
	assert_string_equal(o.reasons, "spf_fail,new_relay_unauthenticated");
	assert_false(o.authenticated);
	policy_unref(pol);
}

static void
lookalike_runs_without_dmarc(void **unused)
{
	struct policy *pol = policy_for(
	    "protected_domains = [ \"ourorg.example\" ];\n");
	struct scanfix_outcome o;

	(void)unused;
	scanfix_evaluate(pol, "192.0.2.10", "<a@0urorg.example>",
	    "From: a@0urorg.example\r\n\r\nx\r\n", &o);
	assert_string_equal(o.reasons, "lookalike_protected,first_contact");
	policy_unref(pol);
}

static void
identity_runs_without_dmarc(void **unused)
{
	struct policy *pol = policy_for("state_enable = false;\n"
	    "protected_domains = [ \"ourorg.example\" ];\n");
	struct scanfix_outcome o;

	(void)unused;
	/* The display name names a protected domain the address is not
	 * in: an identity claim, with or without DMARC. */
	scanfix_evaluate(pol, "192.0.2.10", "<pat@partner.example>",
	    "From: \"ourorg.example\" <pat@partner.example>\r\n\r\nx\r\n", &o);
	assert_string_equal(o.reasons, "display_domain,display_brand");
	assert_int_equal(o.state, SENDER_STATE_DISABLED);
	policy_unref(pol);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(history_runs_without_dmarc),
		cmocka_unit_test(lookalike_runs_without_dmarc),
		cmocka_unit_test(identity_runs_without_dmarc),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
