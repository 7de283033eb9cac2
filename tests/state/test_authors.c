/*
 * test_authors.c - issue 11 item 1 against a real redis-server
 * (statefix.c): a message with several author domains has the history
 * of every one of them read in the one EVALSHA, each as if it were the
 * only one (its own subdomain, its own per-address history, its own
 * identity on a shared relay), and nothing of any of them is written.
 * Issue 11 item 8: a signed list learns its distinct known posters.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "state/state.h"
#include "statefix.h"

/* Teaches domain one authenticated message by infra, signed by itself. */
static void
teach(const char *domain, const char *infra, const char *sub, time_t now)
{
	struct state_query q;
	struct state_answer a;
	const char *sig[1] = { domain };

	memset(&q, 0, sizeof(q));
	q.domain = domain;
	q.infra = infra;
	q.signers = sig;
	q.nsigners = 1;
	q.authenticated = 1;
	q.dkim_aligned = 1;
	q.subdomain = sub;
	q.learn = 1;
	q.now = now;
	assert_int_equal(state_lookup(pool, &q, arena, &a), 0);
	assert_true(a.available);
	assert_true(a.taught);
}

/* The primary and others as a two-From message asks them: learn 1 is
 * sent on purpose (the state layer must refuse to write anyway). */
static struct state_answer
ask(const char *domain, const struct state_author *o, size_t no,
    const char *infra, const char *signer)
{
	struct state_query q;
	struct state_answer a;
	const char *sig[1] = { signer };

	memset(&q, 0, sizeof(q));
	q.domain = domain;
	q.infra = infra;
	q.signers = sig;
	q.nsigners = signer != NULL;
	q.authenticated = 1;
	q.learn = 1;
	q.now = T0 + DAY;
	q.others = o;
	q.nothers = no;
	assert_int_equal(state_lookup(pool, &q, arena, &a), 0);
	assert_true(a.available);
	return a;
}

static void
every_author_domain_is_read_in_one_evalsha(void **unused)
{
	struct state_author o[3];
	struct state_answer a;
	long long before, after;

	(void)unused;
	teach("known.example", "org:known.example", "news.known.example",
	    T0);
	teach("other.example", "net:192.0.2.0/24", NULL, T0);
	memset(o, 0, sizeof(o));
	o[0].domain = "known.example";
	o[0].subdomain = "news.known.example";
	o[1].domain = "other.example";
	o[2].domain = "never.example";
	freeReplyObject(redisfix_cmd(adm, "CONFIG", "RESETSTAT", NULL));
	before = info_field(adm, "commandstats", "cmdstat_evalsha",
	    "calls=");
	a = ask("evil.example", o, 3, "org:known.example", "known.example");
	after = info_field(adm, "commandstats", "cmdstat_evalsha", "calls=");
	assert_int_equal(after - (before < 0 ? 0 : before), 1);
	/* the first author: a first contact */
	assert_false(a.domain_known);
	assert_false(a.seen);
	assert_int_equal(a.nothers, 3);
	/* the second: known, its relay, subdomain and signer known */
	assert_true(a.others[0].available);
	assert_true(a.others[0].domain_known);
	assert_true(a.others[0].infra_known);
	assert_true(a.others[0].subdomain_known);
	assert_int_equal(a.others[0].nsigners, 1);
	assert_true(a.others[0].signers[0].known);
	assert_int_equal(a.others[0].known_since, T0);
	/* the third: known, but not by this relay, nor this signer */
	assert_true(a.others[1].domain_known);
	assert_false(a.others[1].infra_known);
	assert_false(a.others[1].signers[0].known);
	/* the fourth: nothing */
	assert_true(a.others[2].available);
	assert_false(a.others[2].domain_known);
	/* nothing written: the unknown ones have no key, the known ones
	 * still one message each */
	assert_int_equal(rint_of(redisfix_cmd(adm, "EXISTS",
	    "rw:{evil.example}", "rw:{never.example}", NULL)), 0);
	assert_false(a.learned);
	assert_int_equal(rint_of(redisfix_cmd(adm, "HGET",
	    "rw:{known.example}", "m", NULL)), 1);
	assert_int_equal(rint_of(redisfix_cmd(adm, "HGET",
	    "rw:{other.example}", "m", NULL)), 1);
}

/* Each other author as if it were alone: its own address's history on a
 * listed shared mailbox domain, its own identity on a shared relay. */
static void
others_read_as_if_alone(void **unused)
{
	struct state_query q;
	struct state_answer a;
	struct state_author o[2];
	const char *sig[1] = { "corp.example" };

	(void)unused;
	/* alice@mail.example taught per address */
	memset(&q, 0, sizeof(q));
	q.domain = "mail.example";
	q.address = "alice@mail.example";
	q.address_listed = 1;
	q.authenticated = 1;
	q.learn = 1;
	q.now = T0;
	assert_int_equal(state_lookup(pool, &q, arena, &a), 0);
	assert_true(a.taught && a.per_address);
	memset(o, 0, sizeof(o));
	o[0].domain = "mail.example";
	o[0].address = "mallory@mail.example";
	o[0].address_listed = 1;
	o[1].domain = "mail.example";
	o[1].address = "alice@mail.example";
	o[1].address_listed = 1;
	a = ask("evil.example", o, 2, NULL, NULL);
	assert_true(a.others[0].per_address);
	assert_false(a.others[0].domain_known);	/* a new address */
	assert_true(a.others[1].per_address);
	assert_true(a.others[1].domain_known);
	/* a relay shared past the threshold names each by its identity */
	memset(&q, 0, sizeof(q));
	q.domain = "corp.example";
	q.infra = "org:esp.example";
	q.infra_id = "org:esp.example/dkim:corp.example";
	q.shared_infra = 1;
	q.signers = sig;
	q.nsigners = 1;
	q.authenticated = 1;
	q.dkim_aligned = 1;
	q.learn = 1;
	q.now = T0;
	assert_int_equal(state_lookup(pool, &q, arena, &a), 0);
	assert_true(a.taught);
	assert_int_equal(state_lookup(pool, &q, arena, &a), 0);
	assert_true(a.infra_shared);
	memset(o, 0, sizeof(o));
	o[0].domain = "corp.example";
	o[0].infra_id = "org:esp.example/dkim:corp.example";
	memset(&q, 0, sizeof(q));
	q.domain = "evil.example";
	q.infra = "org:esp.example";
	q.infra_id = "org:esp.example/spf:evil.example";
	q.shared_infra = 1;
	q.learn = 0;
	q.now = T0;
	q.others = o;
	q.nothers = 1;
	assert_int_equal(state_lookup(pool, &q, arena, &a), 0);
	assert_true(a.available && a.infra_shared && !a.infra_known);
	assert_true(a.others[0].infra_shared);
	assert_true(a.others[0].infra_known);
}

/* Past the cap the rest are not asked (and say so); a name that cannot
 * be stored is not asked either; the lookup itself still answers. */
static void
others_past_the_cap_are_not_asked(void **unused)
{
	struct state_author o[STATE_MAX_OTHERS + 2];
	struct state_answer a;
	char names[STATE_MAX_OTHERS + 2][32];
	size_t i;

	(void)unused;
	memset(o, 0, sizeof(o));
	for (i = 0; i < STATE_MAX_OTHERS + 2; i++) {
		snprintf(names[i], sizeof(names[i]), "d%zu.example", i);
		o[i].domain = i == 1 ? "" : names[i];
	}
	a = ask("evil.example", o, STATE_MAX_OTHERS + 2, NULL, NULL);
	assert_int_equal(a.nothers, STATE_MAX_OTHERS + 2);
	assert_true(a.others[0].available);
	assert_false(a.others[1].available);
	assert_true(a.others[STATE_MAX_OTHERS - 1].available);
	assert_false(a.others[STATE_MAX_OTHERS].available);
	assert_false(a.others[STATE_MAX_OTHERS + 1].available);
	assert_non_null(a.others[STATE_MAX_OTHERS].error);
}

/* A post through lists.example by poster; mask: record when not held. */
static struct state_answer
post(const char *poster, int record, int learn, time_t now)
{
	struct state_query q;
	struct state_answer a;

	memset(&q, 0, sizeof(q));
	q.domain = poster;
	q.infra = "org:lists.example";
	q.list = "lists.example";
	memset(q.list_record, record, sizeof(q.list_record));
	q.learn = learn;
	q.now = now;
	assert_int_equal(state_lookup(pool, &q, arena, &a), 0);
	assert_true(a.available);
	return a;
}

static void
list_learns_distinct_known_posters_only(void **unused)
{
	struct state_answer a;
	char d[32];
	int i;

	(void)unused;
	for (i = 0; i < 6; i++) {
		snprintf(d, sizeof(d), "p%d.example", i);
		teach(d, "org:own.example", NULL, T0);
	}
	a = post("stranger.example", 1, 1, T0 + DAY);	/* not known */
	assert_int_equal(a.list_posters, 0);
	post("p0.example", 0, 1, T0 + DAY);		/* held */
	post("p1.example", 1, 0, T0 + DAY);		/* read only */
	a = post("p0.example", 1, 1, T0 + 2 * DAY);
	assert_int_equal(a.list_posters, 0);
	assert_int_equal(a.list_first, 0);
	a = post("p0.example", 1, 1, T0 + 3 * DAY);	/* again */
	assert_int_equal(a.list_posters, 1);
	assert_int_equal(a.list_first, T0 + 2 * DAY);
	for (i = 1; i < 6; i++) {
		snprintf(d, sizeof(d), "p%d.example", i);
		post(d, 1, 1, T0 + 4 * DAY);
	}
	a = post("p0.example", 1, 0, T0 + 5 * DAY);
	assert_true(a.list_posters >= 5 && a.list_posters <= 7);
	assert_int_equal(a.list_first, T0 + 2 * DAY);
	assert_true(ttl_of(adm, "rw:{lists.example}") > 0);
	/* the list's own history as a sender is not touched */
	assert_int_equal(hexists("rw:{lists.example}", "k"), 0);
}

int
main(void)
{
#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(every_author_domain_is_read_in_one_evalsha),
		T(others_read_as_if_alone),
		T(others_past_the_cap_are_not_asked),
		T(list_learns_distinct_known_posters_only),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
