/*
 * test_sender_redis.c - the sender verdict through the whole policy
 * (relaywarden-check's path: policy_new, a scan fed from .eml text,
 * policy_scan_finish) against a real redis-server and local DNS data:
 * first contact, learning only from authenticated mail, the new-relay
 * signal, read-only scans that write nothing, the lookalike index fed
 * from Redis (known_load and the refresher thread), protected domains
 * following a reload, and Redis going away mid-run.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/arena.h"
#include "config/config.h"
#include "eml.h"
#include "sender/known.h"
#include "sender/lookalike.h"
#include "mail/message.h"
#include "policy.h"
#include "state/state.h"
#include "../unit/scanfix.h"
#include "statefix.h"

static int prefix_n;

/* The zone: partner.example authorises 192.0.2.0/24 and publishes
 * DMARC; 198.51.100.0/24 is nobody's. */
static const char zone[] =
    "$STATIC example\n"
    "partner.example. 300 IN TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n"
    "_dmarc.partner.example. 300 IN TXT \"v=DMARC1; p=none\"\n"
    "supplier-corp.example. 300 IN TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n"
    "_dmarc.supplier-corp.example. 300 IN TXT \"v=DMARC1; p=none\"\n"
    "0urorg.example. 300 IN TXT \"v=spf1 ip4:198.51.100.0/24 -all\"\n"
    "_dmarc.0urorg.example. 300 IN TXT \"v=DMARC1; p=none\"\n"
    "macro-first.example. 300 IN TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n"
    "_dmarc.macro-first.example. 300 IN TXT \"v=DMARC1; p=none\"\n";

/* A config on the test server with a fresh key prefix. */
static struct config *
config_for(const char *more)
{
	return scanfix_config(tmpdir, zone, "dns_forwarders = "
	    "[ \"127.0.0.1@9\" ];\n"
	    "dns_timeout_ms = 300;\n"
	    "redis_port = %d;\nredis_prefix = \"t%d:\";\n"
	    "redis_timeout_ms = 1000;\nredis_slow_ms = 1000;\n"
	    "redis_breaker_cooldown_ms = 100;\n%s", plain.port, prefix_n,
	    more != NULL ? more : "");
}

static struct policy *
policy_for(const char *more)
{
	struct policy *pol;
	char err[512];

	prefix_n++;
	pol = policy_new(config_for(more), err, sizeof(err));
	if (pol == NULL)
		fail_msg("policy: %s", err);
	return pol;
}

#define PARTNER_MSG \
	"From: Pat <pat@partner.example>\r\nTo: x@ourorg.example\r\n" \
	"Subject: invoice\r\n\r\nhello\r\n"

/* A hash field as a number; -1 when absent. */
static long long
hash_int(const char *key, const char *field)
{
	return rint_of(redisfix_cmd(adm, "HGET", key, field, NULL));
}

static void
test_first_contact_then_learning_then_new_relay(void **unused)
{
	struct policy *pol = policy_for(NULL);
	struct state_pool *sp;
	struct config *cfg;
	struct scanfix_outcome o;
	char key[64], err[512];

	(void)unused;
	snprintf(key, sizeof(key), "t%d:{partner.example}", prefix_n);
	/* SPF pass aligned with From: authenticated, teaches. */
	scanfix_evaluate(pol, "192.0.2.10", "<pat@partner.example>",
	    PARTNER_MSG, &o);
	assert_int_equal(o.state, SENDER_STATE_AVAILABLE);
	assert_string_equal(o.reasons, "first_contact");
	assert_true(o.learned);
	assert_int_equal(hash_int(key, "a"), 1);
	scanfix_evaluate(pol, "192.0.2.11", "<pat@partner.example>",
	    PARTNER_MSG, &o);
	assert_string_equal(o.reasons, "");
	/* Another network, SPF fail: unauthenticated, known sender. */
	scanfix_evaluate(pol, "198.51.100.7", "<pat@partner.example>",
	    PARTNER_MSG, &o);
	assert_string_equal(o.reasons,
	    "spf_fail,dmarc_fail,new_relay_unauthenticated");
	assert_int_equal(o.score, 3 + 2 + 10);
	/* It was counted but taught nothing: still new the next time. */
	assert_int_equal(hash_int(key, "m"), 3);
	assert_int_equal(hash_int(key, "a"), 2);
	scanfix_evaluate(pol, "198.51.100.7", "<pat@partner.example>",
	    PARTNER_MSG, &o);
	assert_string_equal(o.reasons,
	    "spf_fail,dmarc_fail,new_relay_unauthenticated");

	/* The admin's fix (relaywarden-state trust-relay): the network is
	 * trusted for the domain, the novelty goes, SPF's verdict stays. */
	cfg = config_for(NULL);
	assert_non_null(sp = state_pool_new(cfg, err, sizeof(err)));
	if (state_trust(sp, "partner.example", STATE_RELAY,
	    "net:198.51.100.0/24", 1, 0, err, sizeof(err)) != 0)
		fail_msg("trust: %s", err);
	scanfix_evaluate(pol, "198.51.100.7", "<pat@partner.example>",
	    PARTNER_MSG, &o);
	assert_string_equal(o.reasons, "spf_fail,dmarc_fail");
	state_pool_unref(sp);
	config_free(cfg);
	policy_unref(pol);
}

static void
test_read_only_scans_write_nothing(void **unused)
{
	struct policy *pol = policy_for(NULL);
	struct scanfix_outcome o;
	redisReply *r;
	char key[64];

	(void)unused;
	snprintf(key, sizeof(key), "t%d:{partner.example}", prefix_n);
	policy_set_learning(pol, 0);
	scanfix_evaluate(pol, "192.0.2.10", "<pat@partner.example>",
	    PARTNER_MSG, &o);
	assert_string_equal(o.reasons, "first_contact");
	assert_false(o.learned);
	scanfix_evaluate(pol, "192.0.2.10", "<pat@partner.example>",
	    PARTNER_MSG, &o);
	assert_string_equal(o.reasons, "first_contact");
	r = redisfix_cmd(adm, "EXISTS", key, NULL);
	assert_int_equal(r->integer, 0);
	freeReplyObject(r);
	policy_unref(pol);
}

static void
test_known_correspondents_reach_the_lookalike_index(void **unused)
{
	struct policy *pol = policy_for(NULL);
	struct scanfix_outcome o;

	(void)unused;
	/* supplier-corp.example becomes known (authenticated mail). */
	scanfix_evaluate(pol, "192.0.2.10", "<a@supplier-corp.example>",
	    "From: a@supplier-corp.example\r\n\r\nx\r\n", &o);
	assert_string_equal(o.reasons, "first_contact");
	/* Not in this generation's index until it is read from Redis. */
	scanfix_evaluate(pol, "198.51.100.7", "<a@supplier-c0rp.example>",
	    "From: a@supplier-c0rp.example\r\n\r\nx\r\n", &o);
	assert_string_equal(o.reasons, "first_contact");
	policy_load_known(pol);
	scanfix_evaluate(pol, "198.51.100.7", "<a@supplier-c0rp.example>",
	    "From: a@supplier-c0rp.example\r\n\r\nx\r\n", &o);
	/* Still a first contact: unauthenticated mail teaches nothing. */
	assert_string_equal(o.reasons, "lookalike_known,first_contact");
	policy_unref(pol);
}

static void
test_refresher_thread_follows_redis(void **unused)
{
	struct known *k;
	struct config *cfg;
	struct state_pool *sp;
	struct state_query q;
	struct state_answer a;
	struct arena *ar = arena_new();
	char err[512];
	int i, flags = 0;

	(void)unused;
	prefix_n++;
	cfg = config_for(NULL);
	cfg->state_known_refresh_s = 1;
	assert_non_null(sp = state_pool_new(cfg, err, sizeof(err)));
	assert_non_null(k = known_new(cfg, sp, err, sizeof(err)));
	assert_int_equal(known_start(k), 0);
	memset(&q, 0, sizeof(q));
	q.domain = "far-away-trading.example";
	q.authenticated = 1;
	q.learn = 1;
	assert_int_equal(state_lookup(sp, &q, ar, &a), 0);
	assert_true(a.newly_known);
	for (i = 0; i < 40 && !(flags & LOOKALIKE_KNOWN); i++) {
		usleep(100000);
		flags = lookalike_lookup(known_index(k),
		    "far-away-trading.example", ar, NULL);
	}
	assert_true(flags & LOOKALIKE_KNOWN);
	known_unref(k);		/* stops and joins the thread */
	state_pool_unref(sp);
	config_free(cfg);
	arena_free(ar);
}

static void
test_protected_domains_follow_a_reload(void **unused)
{
	struct policy *pol, *next;
	struct scanfix_outcome o;
	char err[512];

	(void)unused;
	pol = policy_for("protected_domains = [ \"ourorg.example\" ];\n");
	scanfix_evaluate(pol, "198.51.100.7", "<a@0urorg.example>",
	    "From: a@0urorg.example\r\n\r\nx\r\n", &o);
	assert_string_equal(o.reasons, "lookalike_protected,first_contact");
	next = policy_next(pol, config_for(
	    "protected_domains = [ \"other.example\" ];\n"), err,
	    sizeof(err));
	assert_non_null(next);
	policy_unref(pol);
	scanfix_evaluate(next, "198.51.100.7", "<a@0urorg.example>",
	    "From: a@0urorg.example\r\n\r\nx\r\n", &o);
	/* The held lookalike only counted: still a first contact (issue 8
	 * item 7); now accepted and authenticated, it teaches. */
	assert_string_equal(o.reasons, "first_contact");
	scanfix_evaluate(next, "198.51.100.7", "<a@0urorg.example>",
	    "From: a@0urorg.example\r\n\r\nx\r\n", &o);
	assert_string_equal(o.reasons, "");
	scanfix_evaluate(next, "198.51.100.7", "<a@0ther.example>",
	    "From: a@0ther.example\r\n\r\nx\r\n", &o);
	assert_string_equal(o.reasons, "lookalike_protected,first_contact");
	policy_unref(next);
}

static void
test_a_held_lookalike_teaches_nothing(void **unused)
{
	struct policy *pol;
	struct scanfix_outcome o;
	redisReply *r;
	char key[64], idx[64];

	(void)unused;
	pol = policy_for("protected_domains = [ \"ourorg.example\" ];\n"
	    "scores = { lookalike_protected = 10; };\n");
	snprintf(key, sizeof(key), "t%d:{0urorg.example}", prefix_n);
	snprintf(idx, sizeof(idx), "t%d:known", prefix_n);
	/* The lookalike authenticates itself (its own SPF and DMARC). */
	scanfix_evaluate(pol, "198.51.100.7", "<a@0urorg.example>",
	    "From: a@0urorg.example\r\n\r\nx\r\n", &o);
	assert_string_equal(o.reasons, "lookalike_protected,first_contact");
	assert_true(o.authenticated);
	assert_true(o.withheld);
	assert_int_equal(hash_int(key, "m"), 1);	/* counted */
	assert_int_equal(hash_int(key, "a"), -1);	/* taught nothing */
	r = redisfix_cmd(adm, "ZSCORE", idx, "0urorg.example", NULL);
	assert_int_equal(r->type, REDIS_REPLY_NIL);
	freeReplyObject(r);
	policy_unref(pol);
}

/* A message with a Word document holding a VBA project (mkole.py
 * --vba), base64: malloc memory, the caller frees. */
static char *
macro_message(const char *from)
{
	const char *top = getenv("top_srcdir");
	char cmd[1200], *msg;
	size_t n = 0, cap = 1 << 16;
	FILE *p;
	int c;

	snprintf(cmd, sizeof(cmd), "python3 '%s/tests/attach/mkole.py' --vba "
	    "'%s/macro.doc' && base64 -w 76 '%s/macro.doc'",
	    top != NULL ? top : ".", tmpdir, tmpdir);
	assert_non_null(msg = malloc(cap));
	n = (size_t)snprintf(msg, cap, "From: %s\r\nTo: x@ourorg.example\r\n"
	    "Subject: order\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
	    "--b1\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
	    "--b1\r\nContent-Type: application/msword; name=\"order.doc\"\r\n"
	    "Content-Disposition: attachment; filename=\"order.doc\"\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n", from);
	assert_non_null(p = popen(cmd, "r"));
	while ((c = fgetc(p)) != EOF) {
		if (c == '\n')
			msg[n++] = '\r';
		msg[n++] = (char)c;
		assert_true(n + 64 < cap);
	}
	assert_int_equal(pclose(p), 0);
	n += (size_t)snprintf(msg + n, cap - n, "--b1--\r\n");
	return msg;
}

/* Issue 8 item 7: a first-contact sender's held message (a macro
 * document: attach_office_macro 6 + first_contact 1 + attach_new_sender
 * 3 = quarantine) sent again must be held again: the held copy taught
 * nothing, authenticated or not.  An accepted message still teaches. */
static void
test_a_held_first_contact_sent_twice_is_held_twice(void **unused)
{
	static const char want[] =
	    "attach_office_macro,first_contact,attach_new_sender";
	struct policy *pol = policy_for(NULL);
	struct scanfix_outcome o;
	char key[64], *msg = macro_message("Mo <mo@macro-first.example>");
	int i;

	(void)unused;
	snprintf(key, sizeof(key), "t%d:{macro-first.example}", prefix_n);
	for (i = 0; i < 2; i++) {
		/* SPF pass aligned with From: authenticated. */
		scanfix_evaluate(pol, "192.0.2.10", "<mo@macro-first.example>",
		    msg, &o);
		assert_true(o.authenticated);
		assert_string_equal(o.reasons, want);
		assert_int_equal(o.score, 10);
		assert_int_equal(o.action, VERDICT_QUARANTINE);
		assert_true(o.withheld);
		assert_int_equal(hash_int(key, "m"), i + 1);	/* counted */
		assert_int_equal(hash_int(key, "k"), -1);	/* not known */
		assert_int_equal(hash_int(key, "a"), -1);
	}
	/* Unauthenticated copies (SPF fail) change nothing either. */
	for (i = 0; i < 2; i++) {
		scanfix_evaluate(pol, "198.51.100.7",
		    "<mo@macro-first.example>", msg, &o);
		assert_false(o.authenticated);
		assert_string_equal(o.reasons, "spf_fail,dmarc_fail,"
		    "attach_office_macro,first_contact,attach_new_sender");
		assert_int_equal(o.action, VERDICT_QUARANTINE);
		assert_int_equal(hash_int(key, "k"), -1);
	}
	/* The benign case: an authenticated, accepted message teaches, and
	 * the next one is no longer a first contact. */
	scanfix_evaluate(pol, "192.0.2.10", "<mo@macro-first.example>",
	    "From: mo@macro-first.example\r\n\r\nhello\r\n", &o);
	assert_string_equal(o.reasons, "first_contact");
	assert_false(o.withheld);
	assert_true(hash_int(key, "k") > 0);
	scanfix_evaluate(pol, "192.0.2.10", "<mo@macro-first.example>",
	    "From: mo@macro-first.example\r\n\r\nhello\r\n", &o);
	assert_string_equal(o.reasons, "");
	/* Known now, usual relay: the macro alone is below quarantine, and
	 * such an accepted message teaches (refreshes) the history. */
	scanfix_evaluate(pol, "192.0.2.10", "<mo@macro-first.example>", msg,
	    &o);
	assert_string_equal(o.reasons, "attach_office_macro");
	assert_int_equal(o.action, VERDICT_TAG);
	assert_false(o.withheld);
	assert_int_equal(hash_int(key, "a"), 3);
	free(msg);
	policy_unref(pol);
}

static void
test_redis_gone_mid_run_fails_open_then_tempfails(void **unused)
{
	struct policy *pol = policy_for(NULL), *strict;
	const struct evaluation *e;
	struct scanfix_outcome o;
	struct scan *s;
	char err[512];

	(void)unused;
	scanfix_evaluate(pol, "192.0.2.10", "<pat@partner.example>",
	    PARTNER_MSG, &o);
	assert_int_equal(o.state, SENDER_STATE_AVAILABLE);
	redisfix_kill(&plain);
	scanfix_evaluate(pol, "198.51.100.7", "<pat@partner.example>",
	    PARTNER_MSG, &o);
	assert_int_equal(o.state, SENDER_STATE_UNAVAILABLE);
	/* No history, no novelty: authentication alone decides. */
	assert_string_equal(o.reasons, "spf_fail,dmarc_fail");

	strict = policy_next(pol, config_for(
	    "state_unavailable_tempfail = true;\n"), err, sizeof(err));
	assert_non_null(strict);
	policy_unref(pol);
	s = scanfix_scan(strict, "192.0.2.10", "<pat@partner.example>",
	    PARTNER_MSG);
	assert_int_equal(policy_scan_finish(s, &e), 0);
	assert_int_equal(e->verdict.action, VERDICT_TEMPFAIL);
	assert_non_null(strstr(e->verdict_header, "state=unavailable"));
	policy_scan_free(s);
	policy_unref(strict);
	assert_int_equal(redisfix_restart(&plain), 0);
	redisFree(adm);
	assert_non_null(adm = redisfix_connect(&plain, NULL, NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_first_contact_then_learning_then_new_relay),
		cmocka_unit_test(test_read_only_scans_write_nothing),
		cmocka_unit_test(
		    test_known_correspondents_reach_the_lookalike_index),
		cmocka_unit_test(test_refresher_thread_follows_redis),
		cmocka_unit_test(test_protected_domains_follow_a_reload),
		cmocka_unit_test(test_a_held_lookalike_teaches_nothing),
		cmocka_unit_test(
		    test_a_held_first_contact_sent_twice_is_held_twice),
		cmocka_unit_test(
		    test_redis_gone_mid_run_fails_open_then_tempfails),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
