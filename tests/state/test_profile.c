/*
 * test_profile.c - issue 11 items 2, 3 and 7 against a real
 * redis-server (statefix.c): the learned sending profile (the pure rule
 * of sender/profile.c and the script's copy of it agree), shared relays
 * named by the identity their senders proved, per-address history on
 * shared mailbox domains; still one EVALSHA per message.  Prints the
 * memory figures: per sender, per infrastructure counter, per address.
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
#include "config/config.h"
#include "sender/profile.h"
#include "state/state.h"
#include "statefix.h"

/* A lookup with every issue-11 field; profile 3 messages over 2 days. */
struct pq {
	const char *domain, *infra, *infra_id, *sub, *addr;
	const char *signers[2];
	int auth, aligned, listed;
	unsigned shared_infra, shared_mailbox;
	time_t now;
};

#define PMIN	3
#define PDAYS	2

static struct state_answer
plook(struct pq p)
{
	struct state_query q;
	struct state_answer a;
	size_t n = 0;

	while (n < 2 && p.signers[n] != NULL)
		n++;
	memset(&q, 0, sizeof(q));
	q.domain = p.domain;
	q.infra = p.infra;
	q.infra_id = p.infra_id;
	q.signers = p.signers;
	q.nsigners = n;
	q.authenticated = p.auth;
	q.learn = 1;
	q.now = p.now != 0 ? p.now : T0;
	q.subdomain = p.sub;
	q.dkim_aligned = p.aligned;
	q.profile_messages = PMIN;
	q.profile_seconds = PDAYS * DAY;
	q.shared_infra = p.shared_infra;
	q.address = p.addr;
	q.address_listed = p.listed;
	q.shared_mailbox = p.shared_mailbox;
	assert_int_equal(state_lookup(pool, &q, arena, &a), 0);
	assert_true(a.available);
	return a;
}

#define PLOOK(...)	plook((struct pq){ __VA_ARGS__ })

static const struct profile_rule rule = { PMIN, PDAYS * DAY };

/* --- the pure rule (no Redis) --------------------------------------------- */

static void
profile_rule_needs_evidence(void **unused)
{
	static const struct {
		const char *behaviour;
		unsigned long long run, auth;
		time_t known, unaligned, now;
		int sub, subknown, aligned, relay, broken;
	} v[] = {
		{ "young history: unsigned mail breaks nothing", 2, 2,
		    T0, 0, T0 + 9 * DAY, 0, 0, 0, 0, 0 },
		{ "enough messages, too short a time", 5, 5,
		    T0, 0, T0 + DAY, 0, 0, 0, 0, 0 },
		{ "always signed over the minimum: unsigned breaks", 3, 3,
		    T0, 0, T0 + 2 * DAY, 0, 0, 0, 1, 1 },
		{ "the same, aligned DKIM: keeps it", 3, 3,
		    T0, 0, T0 + 2 * DAY, 0, 0, 1, 1, 0 },
		{ "an unsigned message restarts the clock", 3, 9,
		    T0, T0 + 8 * DAY, T0 + 9 * DAY, 0, 0, 0, 1, 0 },
		{ "new subdomain, new relay, settled, unsigned domain", 0, 9,
		    T0, T0 + 5 * DAY, T0 + 9 * DAY, 1, 0, 0, 0, 1 },
		{ "new subdomain by a known relay", 0, 9,
		    T0, T0 + 5 * DAY, T0 + 9 * DAY, 1, 0, 0, 1, 0 },
		{ "known subdomain, new relay", 0, 9,
		    T0, T0 + 5 * DAY, T0 + 9 * DAY, 1, 1, 0, 0, 0 },
		{ "new subdomain with aligned DKIM", 0, 9,
		    T0, T0 + 5 * DAY, T0 + 9 * DAY, 1, 0, 1, 0, 0 },
		{ "new subdomain of a young history", 0, 2,
		    T0, 0, T0 + 9 * DAY, 1, 0, 0, 0, 0 },
	};
	struct state_answer h;
	size_t i;

	(void)unused;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		memset(&h, 0, sizeof(h));
		h.available = h.domain_known = 1;
		h.aligned_run = v[i].run;
		h.auth_messages = v[i].auth;
		h.known_since = v[i].known;
		h.unaligned_last = v[i].unaligned;
		h.subdomain_known = v[i].subknown;
		if (profile_broken(&h, &rule, v[i].now, v[i].sub,
		    v[i].aligned, v[i].relay) != v[i].broken)
			fail_msg("%s", v[i].behaviour);
	}
	/* no history: nothing to break */
	memset(&h, 0, sizeof(h));
	assert_false(profile_broken(&h, &rule, T0, 1, 0, 0));
}

static void
names_for_shared_relays_and_mailboxes(void **unused)
{
	static const char *const pats[] = { "gmx.*", "mail.example", NULL };
	struct arena *a = arena_new();

	(void)unused;
	assert_string_equal(profile_infra_id("org:esp.example", "a.example",
	    "b.example", "c.example", a), "org:esp.example/dkim:a.example");
	assert_string_equal(profile_infra_id("org:esp.example", NULL,
	    "b.example", "c.example", a), "org:esp.example/spf:b.example");
	assert_string_equal(profile_infra_id("net:192.0.2.0/24", NULL, NULL,
	    "c.example", a), "net:192.0.2.0/24/dkim:c.example");
	assert_string_equal(profile_infra_id("org:esp.example", NULL, NULL,
	    NULL, a), "org:esp.example/none");
	assert_string_equal(profile_address("Jane.Doe+news", "mail.example",
	    a), "jane.doe@mail.example");
	assert_null(profile_address("+x", "mail.example", a));
	assert_null(profile_address("", "mail.example", a));
	assert_true(profile_listed("gmx.de", pats, 2));
	assert_true(profile_listed("GMX.co.uk", pats, 2));
	assert_false(profile_listed("gmx", pats, 2));
	assert_false(profile_listed("notgmx.de", pats, 2));
	assert_true(profile_listed("mail.example", pats, 2));
	assert_false(profile_listed("email.example", pats, 2));
	assert_true(profile_listed("gmail.com", profile_mailbox_defaults,
	    SIZE_MAX));
	assert_true(profile_listed("hotmail.fr", profile_mailbox_defaults,
	    SIZE_MAX));
	assert_false(profile_listed("partner.example",
	    profile_mailbox_defaults, SIZE_MAX));
	arena_free(a);
}

/* The settings: label.* patterns, their bounds. */
static void
settings_are_checked(void **unused)
{
	static const struct {
		const char *text;
		int ok;
	} v[] = {
		{ "shared_mailbox_domains = [ \"GMX.*\", \"Mail.Example\" ];",
		    1 },
		{ "shared_mailbox_domains = [ \"*.gmx\" ];", 0 },
		{ "shared_mailbox_domains = [ \"gm x.*\" ];", 0 },
		{ "shared_mailbox_domains = [ \"-gmx.*\" ];", 0 },
		{ "shared_mailbox_domains = [ \".*\" ];", 0 },
		{ "shared_mailbox_domains = [ \"nodot\" ];", 0 },
		{ "shared_mailbox_senders = 500;", 1 },
		{ "shared_mailbox_senders = 501;", 0 },
		{ "shared_infra_domains = 0;", 1 },
		{ "profile_min_messages = 0;", 0 },
		{ "profile_min_days = 3651;", 0 },
	};
	char path[300], err[512];
	struct config *cfg;
	size_t i;
	FILE *fp;

	(void)unused;
	snprintf(path, sizeof(path), "%s/profile.conf", tmpdir);
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_non_null(fp = fopen(path, "w"));
		fprintf(fp, "%s\n", v[i].text);
		fclose(fp);
		if ((config_load(path, &cfg, err, sizeof(err)) == 0) !=
		    v[i].ok)
			fail_msg("%s: %s", v[i].text, v[i].ok ? err :
			    "accepted");
		if (v[i].ok && i == 0) {
			assert_int_equal(cfg->n_shared_mailbox_domains, 2);
			assert_string_equal(cfg->shared_mailbox_domains[0],
			    "gmx.*");
			assert_string_equal(cfg->shared_mailbox_domains[1],
			    "mail.example");
		}
		if (v[i].ok)
			config_free(cfg);
	}
}

/* --- the script ----------------------------------------------------------- */

/* An always-signed domain: the profile forms after PMIN aligned
 * messages over PDAYS; then an unsigned (SPF-only) message, even
 * authenticated and not held, teaches nothing: the profile cannot be
 * worn down.  Before that, an unsigned message teaches and restarts it. */
static void
signed_profile_forms_and_is_not_worn_down(void **unused)
{
	struct state_answer a;
	const char *k = "rw:{signed.example}";
	int i;

	(void)unused;
	/* young: SPF-only mail teaches, and restarts the run */
	PLOOK(.domain = "signed.example", .infra = "org:own.example",
	    .auth = 1, .aligned = 1, .now = T0);
	a = PLOOK(.domain = "signed.example", .infra = "org:own.example",
	    .auth = 1, .now = T0 + 1);
	assert_true(a.taught);
	assert_int_equal(rint_of(redisfix_cmd(adm, "HGET", k, "pn", NULL)),
	    0);
	assert_int_equal(rint_of(redisfix_cmd(adm, "HGET", k, "pl", NULL)),
	    T0 + 1);
	for (i = 0; i < PMIN; i++)
		PLOOK(.domain = "signed.example", .infra = "org:own.example",
		    .signers = { "signed.example" }, .auth = 1, .aligned = 1,
		    .now = T0 + (i + 1) * DAY);
	/* one second short of PDAYS since pl: not yet */
	a = PLOOK(.domain = "signed.example", .infra = "org:own.example",
	    .auth = 0, .now = T0 + PDAYS * DAY);
	assert_int_equal(a.aligned_run, PMIN);
	assert_int_equal(a.unaligned_last, T0 + 1);
	assert_false(profile_signed(&a, &rule, T0 + PDAYS * DAY));
	assert_true(profile_signed(&a, &rule, T0 + PDAYS * DAY + 1));
	/* stable: the SPF-only message via a platform is not taught */
	a = PLOOK(.domain = "signed.example", .infra = "org:platform.example",
	    .auth = 1, .now = T0 + 4 * DAY);
	assert_true(profile_signed(&a, &rule, T0 + 4 * DAY));
	assert_false(a.taught);
	assert_false(hexists(k, "rorg:platform.example"));
	assert_int_equal(rint_of(redisfix_cmd(adm, "HGET", k, "a", NULL)),
	    2 + PMIN);
	/* not even by its usual relay */
	a = PLOOK(.domain = "signed.example", .infra = "org:own.example",
	    .auth = 1, .now = T0 + 5 * DAY);
	assert_false(a.taught);
	assert_int_equal(rint_of(redisfix_cmd(adm, "HGET", k, "pl", NULL)),
	    T0 + 1);
	/* a partner moving to a new ESP that signs aligned: taught */
	a = PLOOK(.domain = "signed.example", .infra = "org:newesp.example",
	    .signers = { "signed.example" }, .auth = 1, .aligned = 1,
	    .now = T0 + 6 * DAY);
	assert_true(a.taught);
	assert_false(a.infra_known);
	assert_true(hexists(k, "rorg:newesp.example"));
}

static void
new_subdomain_by_new_relay_teaches_nothing(void **unused)
{
	struct state_answer a;
	const char *k = "rw:{corp.example}";
	int i;

	(void)unused;
	for (i = 0; i < PMIN; i++)
		PLOOK(.domain = "corp.example", .infra = "org:corp.example",
		    .sub = i == 0 ? "mail.corp.example" : NULL, .auth = 1,
		    .now = T0 + i * DAY);
	assert_true(hexists(k, "umail.corp.example"));
	assert_int_equal(rint_of(redisfix_cmd(adm, "HGET", k, "nu", NULL)),
	    1);
	/* settled: a new subdomain from a new relay, SPF only */
	a = PLOOK(.domain = "corp.example", .infra = "org:other.example",
	    .sub = "billing.corp.example", .auth = 1, .now = T0 + 3 * DAY);
	assert_true(profile_settled(&a, &rule, T0 + 3 * DAY));
	assert_false(a.subdomain_known);
	assert_false(a.taught);
	assert_false(hexists(k, "ubilling.corp.example"));
	/* the known subdomain from the same new relay is not a new one */
	a = PLOOK(.domain = "corp.example", .infra = "org:other.example",
	    .sub = "mail.corp.example", .auth = 1, .now = T0 + 3 * DAY);
	assert_true(a.subdomain_known);
	assert_true(a.taught);
	/* a new subdomain from the usual relay teaches */
	a = PLOOK(.domain = "corp.example", .infra = "org:corp.example",
	    .sub = "hr.corp.example", .auth = 1, .now = T0 + 3 * DAY);
	assert_true(a.taught);
	assert_true(hexists(k, "uhr.corp.example"));
}

/* Past the threshold, a sender's relay on a shared platform is the
 * platform plus its proved identity: the attacker's domain on the same
 * ESP is a new relay for the victim; the counter stops growing. */
static void
shared_infra_names_senders_by_identity(void **unused)
{
	struct state_answer a;
	char d[64], id[128];
	int i;

	(void)unused;
	/* the victim's history on the ESP from before it was shared */
	a = PLOOK(.domain = "victim.example", .infra = "org:esp.example",
	    .infra_id = "org:esp.example/dkim:victim.example", .auth = 1,
	    .aligned = 1, .shared_infra = 4,
	    .signers = { "esp.example", "victim.example" });
	assert_true(a.taught);
	assert_false(a.infra_shared);
	for (i = 0; i < 6; i++) {
		snprintf(d, sizeof(d), "cust%d.example", i);
		snprintf(id, sizeof(id), "org:esp.example/dkim:%s", d);
		PLOOK(.domain = d, .infra = "org:esp.example", .infra_id = id,
		    .auth = 1, .aligned = 1, .shared_infra = 4);
	}
	assert_int_equal(rint_of(redisfix_cmd(adm, "PFCOUNT",
	    "rw:infra:org:esp.example", NULL)), 4);
	assert_true(ttl_of(adm, "rw:infra:org:esp.example") > 0);
	/* the attacker: From victim, proved only esp.example */
	a = PLOOK(.domain = "victim.example", .infra = "org:esp.example",
	    .infra_id = "org:esp.example/spf:esp.example", .auth = 0,
	    .shared_infra = 4, .signers = { "esp.example",
	    "mail.victim.example" });
	assert_true(a.infra_shared);
	assert_false(a.infra_known);
	/* the platform's own signature, learned before, proves nothing
	 * now; an aligned signer stays what it was (here: new) */
	assert_false(a.signers[0].known);
	assert_false(a.signers[1].known);
	assert_true(hexists("rw:{victim.example}", "sesp.example"));
	/* the same without the shared rule: the plain infra is known */
	a = PLOOK(.domain = "victim.example", .infra = "org:esp.example",
	    .infra_id = "org:esp.example/spf:esp.example", .auth = 0,
	    .shared_infra = 0, .signers = { "esp.example",
	    "victim.example" });
	assert_false(a.infra_shared);
	assert_true(a.infra_known);
	assert_true(a.signers[0].known && a.signers[1].known);
	/* the victim itself, signing: learned under its identity once */
	a = PLOOK(.domain = "victim.example", .infra = "org:esp.example",
	    .infra_id = "org:esp.example/dkim:victim.example", .auth = 1,
	    .aligned = 1, .shared_infra = 4);
	assert_true(a.infra_shared && !a.infra_known && a.taught);
	a = PLOOK(.domain = "victim.example", .infra = "org:esp.example",
	    .infra_id = "org:esp.example/dkim:victim.example", .auth = 1,
	    .aligned = 1, .shared_infra = 4, .signers = { "victim.example" });
	assert_true(a.infra_shared && a.infra_known);
	assert_true(a.signers[0].known);
	/* unauthenticated mail never grows the counter */
	freeReplyObject(redisfix_cmd(adm, "DEL", "rw:infra:org:small.example",
	    NULL));
	PLOOK(.domain = "x.example", .infra = "org:small.example",
	    .infra_id = "org:small.example/none", .auth = 0,
	    .shared_infra = 4);
	assert_int_equal(rint_of(redisfix_cmd(adm, "EXISTS",
	    "rw:infra:org:small.example", NULL)), 0);
}

/* A listed mailbox domain keeps history per address: a new address is
 * a first contact even when others wrote before; so is a domain whose
 * distinct senders reached the threshold. */
static void
shared_mailboxes_keep_history_per_address(void **unused)
{
	struct state_answer a;
	char addr[64];
	int i;

	(void)unused;
	a = PLOOK(.domain = "mail.example", .addr = "known@mail.example",
	    .listed = 1, .auth = 1, .aligned = 1, .shared_mailbox = 100);
	assert_true(a.per_address && a.taught && !a.domain_known);
	a = PLOOK(.domain = "mail.example", .addr = "known@mail.example",
	    .listed = 1, .auth = 1, .aligned = 1, .shared_mailbox = 100);
	assert_true(a.per_address && a.domain_known);
	/* a new account: first contact */
	a = PLOOK(.domain = "mail.example", .addr = "director@mail.example",
	    .listed = 1, .auth = 1, .aligned = 1, .shared_mailbox = 100);
	assert_true(a.per_address);
	assert_false(a.domain_known);
	/* nothing under the domain itself, nor in the known index */
	assert_int_equal(rint_of(redisfix_cmd(adm, "EXISTS",
	    "rw:{mail.example}", NULL)), 0);
	assert_int_equal(rint_of(redisfix_cmd(adm, "ZCARD", "rw:known",
	    NULL)), 0);
	/* detection: 3 distinct authenticated senders at corp */
	for (i = 0; i < 4; i++) {
		snprintf(addr, sizeof(addr), "user%d@isp.example", i);
		a = PLOOK(.domain = "isp.example", .addr = addr, .auth = 1,
		    .aligned = 1, .shared_mailbox = 3);
		assert_int_equal(a.per_address, i >= 3);
	}
	assert_false(a.domain_known);
	/* below it: one history per domain (the usual case) */
	a = PLOOK(.domain = "corp2.example", .addr = "a@corp2.example",
	    .auth = 1, .aligned = 1, .shared_mailbox = 3);
	a = PLOOK(.domain = "corp2.example", .addr = "b@corp2.example",
	    .auth = 1, .aligned = 1, .shared_mailbox = 3);
	assert_false(a.per_address);
	assert_true(a.domain_known);
}

/* Everything on: still one EVALSHA per message, nothing else. */
static void
one_evalsha_per_message_with_everything(void **unused)
{
	long long before, after, total0, total1;
	char d[64], addr[96], id[128];
	int i, n = 60;

	(void)unused;
	PLOOK(.domain = "warm.example");
	freeReplyObject(redisfix_cmd(adm, "CONFIG", "RESETSTAT", NULL));
	before = info_field(adm, "commandstats", "cmdstat_evalsha",
	    "calls=");
	total0 = info_field(adm, "stats", "total_commands_processed", NULL);
	for (i = 0; i < n; i++) {
		snprintf(d, sizeof(d), "s%d.example", i % 7);
		snprintf(addr, sizeof(addr), "u%d@%s", i, d);
		snprintf(id, sizeof(id), "org:esp.example/dkim:%s", d);
		PLOOK(.domain = d, .infra = "org:esp.example", .infra_id = id,
		    .sub = i % 2 ? "news.s.example" : NULL, .addr = addr,
		    .listed = i % 3 == 0, .signers = { d }, .auth = 1,
		    .aligned = i % 4 != 0, .shared_infra = 3,
		    .shared_mailbox = 5, .now = T0 + i * 3600);
	}
	after = info_field(adm, "commandstats", "cmdstat_evalsha", "calls=");
	total1 = info_field(adm, "stats", "total_commands_processed", NULL);
	printf("# figure: %d lookups with profile, shared infra and shared "
	    "mailboxes -> %lld EVALSHA (%lld commands counted with the "
	    "script's own)\n", n, after - (before < 0 ? 0 : before),
	    total1 - total0);
	assert_int_equal(after - (before < 0 ? 0 : before), n);
}

/* The figures the issue asks for. */
static void
memory_figures(void **unused)
{
	const int n = 1000;
	long long before, after, after_infra, after_addr, one, hll, ahll;
	long long small;
	char d[64], id[128], addr[64];
	int i, j;

	(void)unused;
	PLOOK(.domain = "warm.example");
	freeReplyObject(redisfix_cmd(adm, "FLUSHALL", NULL));
	/* typical sender as in test_state's figure, plus the profile and
	 * one subdomain; relays named by identity on a shared ESP */
	before = info_field(adm, "memory", "used_memory", NULL);
	for (i = 0; i < n; i++) {
		snprintf(d, sizeof(d), "sender%05d.example", i);
		for (j = 0; j < 3; j++) {
			const char *infra[] = { "org:sender.example",
			    "net:192.0.2.0/24", "org:mailgun.example" };

			snprintf(id, sizeof(id), "%s/dkim:%s", infra[j], d);
			PLOOK(.domain = d, .infra = infra[j], .infra_id = id,
			    .sub = j == 1 ? "news.sender.example" : NULL,
			    .signers = { d }, .auth = 1, .aligned = 1,
			    .shared_infra = 50, .now = T0 + j * DAY);
		}
		arena_free(arena);
		arena = arena_new();
	}
	after = info_field(adm, "memory", "used_memory", NULL);
	one = rint_of(redisfix_cmd(adm, "MEMORY", "USAGE",
	    "rw:{sender00000.example}", NULL));
	hll = rint_of(redisfix_cmd(adm, "MEMORY", "USAGE",
	    "rw:infra:org:mailgun.example", NULL));
	ahll = rint_of(redisfix_cmd(adm, "MEMORY", "USAGE",
	    "rw:{sender00000.example}:a", NULL));
	/* infrastructures: n counters of 1..50 domains each */
	after_infra = info_field(adm, "memory", "used_memory", NULL);
	for (i = 0; i < n; i++) {
		char infra[64];

		snprintf(infra, sizeof(infra), "net:10.%d.%d.0/24", i / 250,
		    i % 250);
		for (j = 0; j < 3; j++) {
			snprintf(d, sizeof(d), "x%d-%d.example", i, j);
			PLOOK(.domain = d, .infra = infra, .infra_id = infra,
			    .auth = 1, .shared_infra = 50);
		}
		arena_free(arena);
		arena = arena_new();
	}
	after_addr = info_field(adm, "memory", "used_memory", NULL);
	small = rint_of(redisfix_cmd(adm, "MEMORY", "USAGE",
	    "rw:infra:net:10.0.0.0/24", NULL));
	printf("# figure: %d senders (3 relays on shared-infra counters, "
	    "1 subdomain, profile) -> %lld bytes of used_memory each; "
	    "MEMORY USAGE of one sender key %lld bytes; an infra counter "
	    "at 50 domains %lld bytes, at 3 domains %lld bytes; %lld bytes "
	    "of used_memory per new /24 infra with 3 new senders (its "
	    "counter and their keys)\n", n, (after - before) / n, one, hll,
	    small, (after_addr - after_infra) / n);
	assert_true(one < 500);
	assert_true(hll > 0 && hll < 700);
	/* shared mailboxes: per address */
	before = info_field(adm, "memory", "used_memory", NULL);
	for (i = 0; i < n; i++) {
		snprintf(addr, sizeof(addr), "person%05d@mail.example", i);
		PLOOK(.domain = "mail.example", .addr = addr, .listed = 1,
		    .infra = "org:mail.example", .signers = { "mail.example" },
		    .auth = 1, .aligned = 1, .shared_mailbox = 100);
		arena_free(arena);
		arena = arena_new();
	}
	after = info_field(adm, "memory", "used_memory", NULL);
	/* a domain's address counter (not listed, below threshold): one
	 * field of the domain's hash, no key of its own */
	PLOOK(.domain = "corp.example", .auth = 1, .aligned = 1);
	ahll = rint_of(redisfix_cmd(adm, "MEMORY", "USAGE",
	    "rw:{corp.example}", NULL));
	for (i = 0; i < 20; i++) {
		snprintf(addr, sizeof(addr), "p%d@corp.example", i);
		PLOOK(.domain = "corp.example", .addr = addr, .auth = 1,
		    .aligned = 1, .shared_mailbox = 100);
	}
	ahll = rint_of(redisfix_cmd(adm, "MEMORY", "USAGE",
	    "rw:{corp.example}", NULL)) - ahll;
	printf("# figure: %d addresses on a shared mailbox domain -> %lld "
	    "bytes of used_memory each (one hash per address); a domain's "
	    "address counter (field x) adds %lld bytes to its hash\n", n,
	    (after - before) / n, ahll);
	assert_true((after - before) / n < 600);
	assert_true(ahll > 0 && ahll < 80);
	assert_int_equal(rint_of(redisfix_cmd(adm, "EXISTS",
	    "rw:{corp.example}:a", NULL)), 0);
}

int
main(void)
{
#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(profile_rule_needs_evidence),
		cmocka_unit_test(names_for_shared_relays_and_mailboxes),
		T(settings_are_checked),
		T(signed_profile_forms_and_is_not_worn_down),
		T(new_subdomain_by_new_relay_teaches_nothing),
		T(shared_infra_names_senders_by_identity),
		T(shared_mailboxes_keep_history_per_address),
		T(one_evalsha_per_message_with_everything),
		T(memory_figures),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
