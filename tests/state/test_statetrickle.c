/*
 * test_statetrickle.c - one deadline bounds the whole exchange with
 * Redis (issue 8, item 8): a server that trickles one byte every 200 ms,
 * one that never answers, one that stops half-way through a reply, one
 * that announces a 1 GB bulk (and stalls, or floods), one that makes the
 * NOSCRIPT retry trickle, and a trickling Sentinel.  Each lookup must
 * return "unavailable" well within redis_timeout_ms (the bound asserted
 * is 3x the timeout: a correctness property, not a benchmark), the
 * connection must be dropped and counted by the circuit breaker, and a
 * message evaluated meanwhile still gets its verdict.
 * hiredis's own timeout bounds each read: before the fix the trickling
 * server held one lookup ~19 s under redis_timeout_ms = 250.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "util/arena.h"
#include "config/config.h"
#include "util/deadline.h"
#include "eml.h"
#include "mail/message.h"
#include "policy.h"
#include "state/state.h"
#include "../unit/scanfix.h"
#include "statefix.h"
#include "trickle.h"

#define TIMEOUT_MS	250
#define BOUND_MS	(3 * TIMEOUT_MS)

static struct trickle srv;

/* A lookup against a server in mode m with redis_timeout_ms = 250
 * must end within the bound, unavailable, its connection dropped and
 * counted as a failure. */
static void
bounded_lookup(enum trickle_mode m)
{
	struct state_pool_status st;
	struct state_answer a;
	long long t;

	assert_int_equal(trickle_start(&srv, m), 0);
	state_pool_unref(pool);
	pool = pool_from("redis_port = %d;\nredis_timeout_ms = %d;\n"
	    "redis_connect_timeout_ms = %d;\nredis_breaker_failures = 100;\n",
	    srv.port, TIMEOUT_MS, TIMEOUT_MS);
	t = deadline_now_ms();
	a = LOOK(.domain = "trickle.example", .learn = 1);
	t = deadline_now_ms() - t;
	trickle_stop(&srv);
	print_message("lookup ended after %lld ms\n", t);
	assert_in_range(t, TIMEOUT_MS - 20, BOUND_MS);
	assert_false(a.available);
	/* The timed-out connection is gone, not back in the pool. */
	state_pool_status(pool, &st);
	assert_int_equal(st.connections, 0);
	assert_int_equal(st.failures, 1);
}

static void
trickling_server_is_bounded(void **unused)
{
	bounded_lookup(TRICKLE_SLOW);
}

static void
silent_server_is_bounded(void **unused)
{
	bounded_lookup(TRICKLE_SILENT);
}

static void
half_reply_is_bounded(void **unused)
{
	bounded_lookup(TRICKLE_HALF);
}

static void
huge_bulk_that_stalls_is_bounded(void **unused)
{
	bounded_lookup(TRICKLE_HUGE_STALL);
}

/* The NOSCRIPT -> EVAL retry shares the deadline of the EVALSHA. */
static void
noscript_retry_shares_the_deadline(void **unused)
{
	bounded_lookup(TRICKLE_NOSCRIPT);
}

/* A 1 GB bulk sent as fast as loopback goes: cut at
 * redis_max_reply_bytes long before the (here generous) deadline. */
static void
huge_bulk_flood_is_cut_by_size(void **unused)
{
	struct state_answer a;
	long long t;

	assert_int_equal(trickle_start(&srv, TRICKLE_HUGE_FLOOD), 0);
	state_pool_unref(pool);
	pool = pool_from("redis_port = %d;\nredis_timeout_ms = 10000;\n"
	    "redis_slow_ms = 10000;\nredis_max_reply_bytes = 65536;\n",
	    srv.port);
	t = deadline_now_ms();
	a = LOOK(.domain = "flood.example", .learn = 1);
	t = deadline_now_ms() - t;
	trickle_stop(&srv);
	print_message("flood cut after %lld ms\n", t);
	assert_false(a.available);
	assert_in_range(t, 0, 2000);
}

/* Timeouts count as failures: the breaker opens and the next lookup is
 * answered at once. */
static void
timeouts_open_the_breaker(void **unused)
{
	struct state_pool_status st;
	unsigned long long tried;
	struct state_answer a;
	int i;

	assert_int_equal(trickle_start(&srv, TRICKLE_SLOW), 0);
	state_pool_unref(pool);
	pool = pool_from("redis_port = %d;\nredis_timeout_ms = %d;\n"
	    "redis_breaker_failures = 2;\nredis_breaker_cooldown_ms = 60000;\n",
	    srv.port, TIMEOUT_MS);
	for (i = 0; i < 2; i++)
		assert_false(LOOK(.domain = "br.example").available);
	state_pool_status(pool, &st);
	assert_int_equal(st.breaker, STATE_BREAKER_OPEN);
	tried = st.connects;
	/* At once: counted (no connection tried), not timed. */
	a = LOOK(.domain = "br.example");
	assert_false(a.available);
	assert_string_equal(a.error, "circuit breaker open");
	state_pool_status(pool, &st);
	assert_int_equal(st.connects, tried);
	trickle_stop(&srv);
}

/* A sentinel that trickles: the discovery ends by the deadline too. */
static void
trickling_sentinel_is_bounded(void **unused)
{
	struct state_answer a;
	long long t;

	assert_int_equal(trickle_start(&srv, TRICKLE_SLOW), 0);
	state_pool_unref(pool);
	pool = pool_from("redis_sentinels = [ \"127.0.0.1:%d\" ];\n"
	    "redis_timeout_ms = %d;\n", srv.port, TIMEOUT_MS);
	t = deadline_now_ms();
	a = LOOK(.domain = "sentinel.example", .learn = 1);
	t = deadline_now_ms() - t;
	trickle_stop(&srv);
	print_message("sentinel lookup ended after %lld ms\n", t);
	assert_false(a.available);
	assert_in_range(t, 0, BOUND_MS);
}

/* Through the whole policy: the message gets its verdict in time, with
 * state=unavailable. */
static void
message_gets_its_verdict(void **unused)
{
	const struct evaluation *e;
	struct policy *pol;
	struct scan *s;
	static const char text[] = "From: Pat <pat@partner.example>\r\n"
	    "To: x@ourorg.example\r\nSubject: invoice\r\n\r\nhello\r\n";
	long long t;

	assert_int_equal(trickle_start(&srv, TRICKLE_SLOW), 0);
	pol = scanfix_policy(tmpdir, "$STATIC example\npartner.example. 300 IN "
	    "TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n",
	    "dns_forwarders = [ \"127.0.0.1@9\" ];\n"
	    "redis_port = %d;\nredis_timeout_ms = %d;\n", srv.port,
	    TIMEOUT_MS);
	s = scanfix_scan(pol, "192.0.2.10", "<pat@partner.example>", text);
	t = deadline_now_ms();
	assert_int_equal(policy_scan_finish(s, &e), 0);
	t = deadline_now_ms() - t;
	print_message("verdict after %lld ms\n", t);
	assert_int_equal(e->sender.state, SENDER_STATE_UNAVAILABLE);
	assert_non_null(e->verdict_header);
	assert_non_null(strstr(e->verdict_header, "state=unavailable"));
	assert_in_range(t, 0, BOUND_MS);
	policy_scan_free(s);
	policy_unref(pol);
	trickle_stop(&srv);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(trickling_server_is_bounded,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(silent_server_is_bounded,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(half_reply_is_bounded,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    huge_bulk_that_stalls_is_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    noscript_retry_shares_the_deadline, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    huge_bulk_flood_is_cut_by_size, setup, teardown),
		cmocka_unit_test_setup_teardown(timeouts_open_the_breaker,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    trickling_sentinel_is_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(message_gets_its_verdict,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
