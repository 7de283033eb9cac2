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

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "eml.h"
#include "mail/message.h"
#include "policy.h"
#include "redisfix.h"

static struct redisfix srv;
static char tmpdir[256];
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
policy_for(const char *extra)
{
	struct config *cfg;
	struct policy *pol;
	char path[300], err[512];
	FILE *fp;

	prefix_n++;
	snprintf(path, sizeof(path), "%s/zone", tmpdir);
	assert_non_null(fp = fopen(path, "w"));
	fputs(zone, fp);
	fclose(fp);
	snprintf(path, sizeof(path), "%s/rw.conf", tmpdir);
	assert_non_null(fp = fopen(path, "w"));
	fprintf(fp, "authserv_id = \"mx.test.example\";\n"
	    "dmarc_enable = false;\n"
	    "dns_local_data = \"zone\";\n"
	    "dns_forwarders = [ \"127.0.0.1@9\" ];\n"
	    "dns_timeout_ms = 300;\n"
	    "redis_port = %d;\nredis_prefix = \"o%d:\";\n"
	    "redis_timeout_ms = 1000;\nredis_slow_ms = 1000;\n%s",
	    srv.port, prefix_n, extra != NULL ? extra : "");
	fclose(fp);
	if (config_load(path, &cfg, err, sizeof(err)) == -1)
		fail_msg("config: %s", err);
	if ((pol = policy_new(cfg, err, sizeof(err))) == NULL)
		fail_msg("policy: %s", err);
	return pol;
}

struct outcome {
	char reasons[512];
	char authres[512];
	int authenticated;
	int learned;
	enum sender_state state;
};

static void
evaluate(struct policy *pol, const char *ip, const char *mail_from,
    const char *text, struct outcome *out)
{
	const struct config *cfg = policy_config(pol);
	const struct evaluation *e;
	struct message *m;
	struct scan *s;
	char err[256];
	size_t i, n = 0;
	FILE *fp;

	assert_non_null(m = message_new(cfg->max_headers,
	    cfg->max_header_length));
	assert_int_equal(message_set_id(m, "t"), 0);
	assert_int_equal(message_set_client(m, ip, NULL), 0);
	assert_int_equal(message_set_helo(m, "mail.example"), 0);
	assert_int_equal(message_set_mail_from(m, mail_from), 0);
	assert_non_null(s = policy_scan_new(pol, m));
	assert_non_null(fp = fmemopen((void *)text, strlen(text), "r"));
	if (eml_feed(s, fp, err, sizeof(err)) == -1)
		fail_msg("eml: %s", err);
	fclose(fp);
	assert_int_equal(policy_scan_finish(s, &e), 0);
	out->reasons[0] = '\0';
	for (i = 0; i < e->verdict.nreasons; i++)
		n += (size_t)snprintf(out->reasons + n,
		    sizeof(out->reasons) - n, "%s%s", i ? "," : "",
		    e->verdict.reasons[i].rule);
	snprintf(out->authres, sizeof(out->authres), "%s",
	    e->authres != NULL ? e->authres : "");
	out->authenticated = e->sender.authenticated;
	out->learned = e->sender.history.learned;
	out->state = e->sender.state;
	policy_scan_free(s);
}

static void
history_runs_without_dmarc(void **unused)
{
	struct policy *pol = policy_for(NULL);
	struct outcome o;

	(void)unused;
	/* An aligned SPF pass is authenticated whether or not the DMARC
	 * policy is looked up: it teaches. */
	evaluate(pol, "192.0.2.10", "<pat@partner.example>",
	    "From: pat@partner.example\r\n\r\nx\r\n", &o);
	assert_int_equal(o.state, SENDER_STATE_AVAILABLE);
	assert_string_equal(o.reasons, "first_contact");
	assert_true(o.authenticated);
	assert_true(o.learned);
	assert_null(strstr(o.authres, "dmarc="));
	assert_non_null(strstr(o.authres, "spf=pass"));
	evaluate(pol, "192.0.2.11", "<pat@partner.example>",
	    "From: pat@partner.example\r\n\r\nx\r\n", &o);
	assert_string_equal(o.reasons, "");
	/* Another network, SPF fail: a known sender's new relay; no
	 * dmarc_fail, the policy was not looked up. */
	evaluate(pol, "198.51.100.7", "<pat@partner.example>",
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
	struct outcome o;

	(void)unused;
	evaluate(pol, "192.0.2.10", "<a@0urorg.example>",
	    "From: a@0urorg.example\r\n\r\nx\r\n", &o);
	assert_string_equal(o.reasons, "lookalike_protected,first_contact");
	policy_unref(pol);
}

static void
identity_runs_without_dmarc(void **unused)
{
	struct policy *pol = policy_for("state_enable = false;\n"
	    "protected_domains = [ \"ourorg.example\" ];\n");
	struct outcome o;

	(void)unused;
	/* The display name names a protected domain the address is not
	 * in: an identity claim, with or without DMARC. */
	evaluate(pol, "192.0.2.10", "<pat@partner.example>",
	    "From: \"ourorg.example\" <pat@partner.example>\r\n\r\nx\r\n",
	    &o);
	assert_string_equal(o.reasons, "display_domain,display_brand");
	assert_int_equal(o.state, SENDER_STATE_DISABLED);
	policy_unref(pol);
}

static int
setup(void **unused)
{
	(void)unused;
	snprintf(tmpdir, sizeof(tmpdir), "%s/rwdmarcoff.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	return redisfix_start(&srv, 0, NULL);
}

static int
teardown(void **unused)
{
	char cmd[600];

	(void)unused;
	redisfix_kill(&srv);
	redisfix_cleanup();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(history_runs_without_dmarc),
		cmocka_unit_test(lookalike_runs_without_dmarc),
		cmocka_unit_test(identity_runs_without_dmarc),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
