/*
 * test_outbound.c - issue 13 item 1: our own mail going out.
 *
 * outbound_decide over a table of envelopes (an SMTP AUTH login, the
 * client in internal_hosts, what must NOT make mail outbound: an empty
 * login, internal_relays, no client address, headers that claim an
 * authenticated submission), then whole messages through the policy: a
 * user of ourorg.example (DMARC p=reject) from a client its SPF does not
 * allow is dmarc_fail_reject inbound, and nothing at all once it
 * authenticated or came from an internal host; the attachment policy
 * applies to outbound mail only with outbound_attachments.
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
#include "msgfix.h"
#include "outbound.h"
#include "policy.h"
#include "report.h"
#include "scanfix.h"

static char tmpdir[256];

#define ZONE "$STATIC example\n" \
	"ourorg.example. 300 IN TXT \"v=spf1 ip4:198.51.100.1 -all\"\n" \
	"_dmarc.ourorg.example. 300 IN TXT \"v=DMARC1; p=reject\"\n"

#define MSG "From: Alice <alice@ourorg.example>\r\n" \
	"To: bob@partner.example\r\n" \
	"Subject: minutes\r\n" \
	"Message-ID: <m1@ourorg.example>\r\n" \
	"\r\nhello\r\n"

/* Headers that say "authenticated submission" in every way a message can
 * say it: none may count. */
#define MSG_CLAIMS "Received: from client (client [203.0.113.9])\r\n" \
	"\tby mx.ourorg.example (Postfix) with ESMTPSA id 4Qx\r\n" \
	"\t(Authenticated sender: alice@ourorg.example)\r\n" \
	"Authentication-Results: mx.test.example; auth=pass " \
	"smtp.auth=alice@ourorg.example\r\n" \
	"X-Relaywarden: action=accept; direction=outbound; score=0; " \
	"reasons=\r\n" MSG

struct decide_case {
	const char *name;
	const char *config;
	const char *ip;			/* NULL: no client address */
	const char *auth;		/* NULL: no {auth_authen} */
	enum outbound_via want;
};

static const struct decide_case decide_cases[] = {
	{ "an SMTP AUTH login is outbound", "", "203.0.113.9", "alice",
	    OUTBOUND_AUTH },
	{ "a login without a client address is outbound", "", NULL,
	    "alice@ourorg.example", OUTBOUND_AUTH },
	{ "an empty {auth_authen} is no login", "", "203.0.113.9", "",
	    OUTBOUND_NO },
	{ "no login, no internal_hosts: inbound", "", "203.0.113.9", NULL,
	    OUTBOUND_NO },
	{ "loopback is not internal by default", "", "127.0.0.1", NULL,
	    OUTBOUND_NO },
	{ "a client in internal_hosts is outbound",
	    "internal_hosts = [\"192.0.2.0/24\", \"::1\"];\n", "192.0.2.77",
	    NULL, OUTBOUND_INTERNAL_HOST },
	{ "::1 listed alone", "internal_hosts = [\"192.0.2.0/24\", \"::1\"];\n",
	    "::1", NULL, OUTBOUND_INTERNAL_HOST },
	{ "an IPv4-mapped client matches its IPv4 network",
	    "internal_hosts = [\"192.0.2.0/24\"];\n", "::ffff:192.0.2.5", NULL,
	    OUTBOUND_INTERNAL_HOST },
	{ "next to the internal network is inbound",
	    "internal_hosts = [\"192.0.2.0/24\"];\n", "192.0.3.1", NULL,
	    OUTBOUND_NO },
	{ "no client address is not internal",
	    "internal_hosts = [\"0.0.0.0/0\", \"::/0\"];\n", NULL, NULL,
	    OUTBOUND_NO },
	{ "an unparsable client address is not internal",
	    "internal_hosts = [\"0.0.0.0/0\"];\n", "unknown", NULL,
	    OUTBOUND_NO },
	{ "internal_relays keeps its meaning: not outbound",
	    "internal_relays = [\"192.0.2.0/24\"];\n", "192.0.2.77", NULL,
	    OUTBOUND_NO },
	{ "a login wins over the address",
	    "internal_hosts = [\"192.0.2.0/24\"];\n", "192.0.2.77", "bob",
	    OUTBOUND_AUTH },
};

static struct message *
envelope(const struct config *cfg, const char *ip, const char *auth)
{
	struct message *m;

	assert_non_null(m = message_new(cfg->max_headers,
	    cfg->max_header_length));
	assert_int_equal(message_set_id(m, "t"), 0);
	assert_int_equal(message_set_client(m, ip, NULL), 0);
	assert_int_equal(message_set_helo(m, "client.example"), 0);
	assert_int_equal(message_set_mail_from(m, "<alice@ourorg.example>"),
	    0);
	assert_int_equal(message_set_auth(m, auth), 0);
	return m;
}

static void
decide_table(void **state)
{
	const struct decide_case *c;
	struct config *cfg;
	struct message *m;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(decide_cases) / sizeof(decide_cases[0]); i++) {
		c = &decide_cases[i];
		cfg = scanfix_config(tmpdir, ZONE, "%s", c->config);
		m = envelope(cfg, c->ip, c->auth);
		if (outbound_decide(cfg, m) != c->want)
			fail_msg("%s: got %s, want %s", c->name,
			    outbound_via_name(outbound_decide(cfg, m)),
			    outbound_via_name(c->want));
		message_free(m);
		config_free(cfg);
	}
	assert_string_equal(outbound_via_name(OUTBOUND_AUTH), "auth");
	assert_string_equal(outbound_via_name(OUTBOUND_INTERNAL_HOST),
	    "internal_host");
}

/* What a whole message got. */
struct got {
	char reasons[512];
	char header[512];
	char log[1024];			/* report_logline */
	int authres;			/* an Authentication-Results added */
	enum outbound_via via;
	enum verdict_action action;
	int score;
};

static void
run(struct policy *pol, const char *ip, const char *auth, const char *text,
    struct got *g)
{
	const struct config *cfg = policy_config(pol);
	const struct evaluation *e;
	struct message *m = envelope(cfg, ip, auth);
	struct scan *s;
	char err[256];
	size_t i, n = 0;
	FILE *fp;

	assert_non_null(s = policy_scan_new(pol, m));
	assert_non_null(fp = fmemopen((void *)text, strlen(text), "r"));
	if (eml_feed(s, fp, err, sizeof(err)) == -1)
		fail_msg("eml: %s", err);
	fclose(fp);
	assert_int_equal(policy_scan_finish(s, &e), 0);
	g->reasons[0] = '\0';
	for (i = 0; i < e->verdict.nreasons; i++)
		n += (size_t)snprintf(g->reasons + n, sizeof(g->reasons) - n,
		    "%s%s", i ? "," : "", e->verdict.reasons[i].rule);
	snprintf(g->header, sizeof(g->header), "%s",
	    e->verdict_header != NULL ? e->verdict_header : "");
	snprintf(g->log, sizeof(g->log), "%s", report_logline(m, e));
	g->authres = e->authres != NULL;
	g->via = e->outbound;
	g->action = e->verdict.action;
	g->score = e->verdict.score;
	policy_scan_free(s);
}

/* The case: alice of ourorg.example (p=reject) from a client
 * SPF does not allow.  Inbound it fails DMARC; authenticated, or from an
 * internal host, it gets no sender verdict at all, and the header says
 * why.  Headers claiming an authenticated submission change nothing. */
static void
own_mail_is_not_judged_as_foreign(void **state)
{
	struct policy *pol;
	struct got g;

	(void)state;
	pol = scanfix_policy(tmpdir, ZONE, "state_enable = false;\n"
	    "protected_domains = [\"ourorg.example\"];\n"
	    "internal_hosts = [\"192.0.2.0/24\"];\n");

	run(pol, "203.0.113.9", NULL, MSG, &g);
	if (strstr(g.reasons, "dmarc_fail_reject") == NULL)
		fail_msg("inbound: want dmarc_fail_reject, got %s", g.reasons);
	assert_int_equal(g.via, OUTBOUND_NO);
	assert_null(strstr(g.header, "direction="));
	assert_true(g.authres);

	run(pol, "203.0.113.9", NULL, MSG_CLAIMS, &g);
	if (strstr(g.reasons, "dmarc_fail_reject") == NULL)
		fail_msg("claims in headers: want dmarc_fail_reject, got %s",
		    g.reasons);
	assert_int_equal(g.via, OUTBOUND_NO);

	run(pol, "203.0.113.9", "alice@ourorg.example", MSG, &g);
	assert_int_equal(g.via, OUTBOUND_AUTH);
	assert_string_equal(g.reasons, "");
	assert_int_equal(g.score, 0);
	assert_int_equal(g.action, VERDICT_ACCEPT);
	assert_false(g.authres);
	if (strstr(g.header, "action=accept; direction=outbound;") == NULL)
		fail_msg("header: %s", g.header);
	if (strstr(g.log, "action=accept direction=outbound via=auth "
	    "auth_user=alice@ourorg.example score=0 spf=none helo_spf=none "
	    "dkim=none dmarc=none from_domain=ourorg.example ") == NULL)
		fail_msg("log: %s", g.log);

	/* The login comes from the MTA, but it is still text: escaped and
	 * quoted in the log line, one field. */
	run(pol, "203.0.113.9", "x reasons=- \001\n", MSG, &g);
	assert_int_equal(g.via, OUTBOUND_AUTH);
	assert_null(strchr(g.log, '\n'));
	assert_null(strchr(g.log, '\001'));
	if (strstr(g.log, "auth_user=\"x reasons=-") == NULL)
		fail_msg("log: %s", g.log);

	run(pol, "192.0.2.44", NULL, MSG, &g);
	assert_int_equal(g.via, OUTBOUND_INTERNAL_HOST);
	assert_string_equal(g.reasons, "");
	assert_int_equal(g.action, VERDICT_ACCEPT);
	if (strstr(g.header, "direction=outbound;") == NULL)
		fail_msg("header: %s", g.header);
	policy_unref(pol);
}

/* An executable attached by our own user: not the threat model by
 * default; with outbound_attachments the attachment policy applies as
 * to inbound mail. */
static void
outbound_attachments_by_configuration(void **state)
{
	struct policy *pol;
	struct got g;
	char *text;

	(void)state;
	assert_non_null(text = msgfix_inner(
	    "From: Alice <alice@ourorg.example>"));
	pol = scanfix_policy(tmpdir, ZONE, "state_enable = false;\n");
	run(pol, "203.0.113.9", NULL, text, &g);
	if (strstr(g.reasons, "attach_") == NULL)
		fail_msg("inbound: want an attach_ reason, got %s", g.reasons);
	run(pol, "203.0.113.9", "alice", text, &g);
	assert_int_equal(g.via, OUTBOUND_AUTH);
	assert_string_equal(g.reasons, "");
	policy_unref(pol);

	pol = scanfix_policy(tmpdir, ZONE, "state_enable = false;\n"
	    "outbound_attachments = true;\n");
	run(pol, "203.0.113.9", "alice", text, &g);
	assert_int_equal(g.via, OUTBOUND_AUTH);
	if (strstr(g.reasons, "attach_") == NULL)
		fail_msg("outbound_attachments: want an attach_ reason, got "
		    "%s", g.reasons);
	if (strstr(g.reasons, "dmarc") != NULL ||
	    strstr(g.reasons, "spf") != NULL)
		fail_msg("outbound: no sender reasons, got %s", g.reasons);
	policy_unref(pol);
	free(text);
}

static int
setup(void **state)
{
	(void)state;
	return scanfix_mkdtemp(tmpdir, sizeof(tmpdir), "rw-outbound");
}

static int
teardown(void **state)
{
	(void)state;
	return scanfix_rmdir(tmpdir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decide_table),
		cmocka_unit_test(own_mail_is_not_judged_as_foreign),
		cmocka_unit_test(outbound_attachments_by_configuration),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
