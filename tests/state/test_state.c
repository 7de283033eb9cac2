/*
 * test_state.c - the sender state's data against a real redis-server
 * (statefix.c): learning only from authenticated mail, read-only
 * lookups, the known-correspondents index, caps, TTLs, hostile names,
 * the script-cache fallback, garbled history, the admin calls; the names
 * and the SHA-256 behind them; the redis_ and state_ settings.  Prints
 * two figures: Redis commands per message, memory per tracked sender.
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
#include "state/state.h"
#include "state/statekey.h"
#include "statefix.h"

/* --- names (no Redis) ----------------------------------------------------- */

static void
sha256_matches_fips_vectors(void **unused)
{
	static const struct {
		size_t len;
		const char *text, *hex;
	} v[] = {
		{ 0, "", "e3b0c44298fc1c149afbf4c8996fb924"
		    "27ae41e4649b934ca495991b7852b855" },
		{ 3, "abc", "ba7816bf8f01cfea414140de5dae2223"
		    "b00361a396177a9cb410ff61f20015ad" },
		{ 56, "abcdbcdecdefdefgefghfghighijhijk"
		    "ijkljklmklmnlmnomnopnopq",
		    "248d6a61d20638b8e5c026930c3e6039"
		    "a33ce45964ff2167f6ecedd419db06c1" },
		{ 55, NULL, "9f4390f8d30c2dd92ec9f095b65e2b9a"
		    "e9b0a925a5258e241c9f1e910f734318" },
		{ 64, NULL, "ffe054fe7ae0cb6dc65c3af9b61d5209"
		    "f439851db43d0ba5997337df154668eb" },
		{ 119, NULL, "31eba51c313a5c08226adf18d4a359cf"
		    "dfd8d2e816b13f4af952f7ea6584dcfb" },
		{ 1000, NULL, "41edece42d63e8d9bf515a9ba6932e1c"
		    "20cbc9f5a5d134645adb5db1b9737ea3" },
	};
	char as[1000], hex[65];
	uint8_t d[32];
	size_t i, j;

	memset(as, 'a', sizeof(as));
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		statekey_sha256(v[i].text != NULL ? v[i].text : as, v[i].len,
		    d);
		for (j = 0; j < 32; j++)
			snprintf(hex + 2 * j, 3, "%02x", d[j]);
		assert_string_equal(hex, v[i].hex);
	}
}

static void
names_are_normalised_or_digested(void **unused)
{
	static const struct {
		const char *behaviour, *in;
		int kind, rc;
		const char *out;	/* NULL: a digest */
	} v[] = {
		{ "lower-cased, trailing dot dropped", "Example.NET.",
		    STATEKEY_DOMAIN, 0, "example.net" },
		{ "underscore and dash kept", "_dmarc-x.example",
		    STATEKEY_DOMAIN, 0, "_dmarc-x.example" },
		{ "infra keeps : and /", "net:192.0.2.0/24", STATEKEY_INFRA,
		    0, "net:192.0.2.0/24" },
		{ "a domain may not hold :", "net:192.0.2.0", STATEKEY_DOMAIN,
		    1, NULL },
		{ "opening brace", "{", STATEKEY_DOMAIN, 1, NULL },
		{ "braces moving the hash tag", "a}b{c", STATEKEY_DOMAIN, 1,
		    "#86b10081d91a78369cd36637ee2b24a6" },
		{ "space", "with space.example", STATEKEY_DOMAIN, 1,
		    "#9f051c331ad69c1d8b85a657b5d189dd" },
		{ "glob characters", "ex*a?m[p]le", STATEKEY_DOMAIN, 1, NULL },
		{ "binary", "\xff\xfe\x01.example", STATEKEY_DOMAIN, 1, NULL },
		{ "leading dot", ".example", STATEKEY_DOMAIN, 1, NULL },
		{ "empty", "", STATEKEY_DOMAIN, -1, NULL },
		{ "only a dot", ".", STATEKEY_DOMAIN, -1, NULL },
	};
	char out[STATEKEY_BUF], long_name[400];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		int rc = statekey_normalize(v[i].in, v[i].kind, out,
		    sizeof(out));

		if (rc != v[i].rc)
			fail_msg("%s: rc %d", v[i].behaviour, rc);
		if (rc == 1)
			assert_true(out[0] == '#' && strlen(out) == 33 &&
			    strspn(out + 1, "0123456789abcdef") == 32);
		if (rc >= 0 && v[i].out != NULL)
			assert_string_equal(out, v[i].out);
	}
	/* 253 bytes are kept, 254 and 300 digested; both cases agree */
	memset(long_name, 'a', sizeof(long_name));
	long_name[253] = '\0';
	assert_int_equal(statekey_normalize(long_name, STATEKEY_DOMAIN, out,
	    sizeof(out)), 0);
	long_name[253] = 'a';
	long_name[254] = '\0';
	assert_int_equal(statekey_normalize(long_name, STATEKEY_DOMAIN, out,
	    sizeof(out)), 1);
	long_name[300] = '\0';
	assert_int_equal(statekey_normalize(long_name, STATEKEY_DOMAIN, out,
	    sizeof(out)), 1);
	assert_int_equal(statekey_normalize("A{B", STATEKEY_DOMAIN, out,
	    sizeof(out)), 1);
	assert_int_equal(statekey_normalize("a{b", STATEKEY_DOMAIN,
	    long_name, sizeof(out)), 1);
	assert_string_equal(out, long_name);
	/* display: UTF-8 names are shown and indexed, others not */
	assert_int_equal(statekey_display("B\xc3\xbc" "cher.Example", out,
	    sizeof(out)), 0);
	assert_string_equal(out, "b\xc3\xbc" "cher.example");
	assert_int_equal(statekey_display("a{b", out, sizeof(out)), -1);
	assert_int_equal(statekey_display("a b", out, sizeof(out)), -1);
	assert_int_equal(statekey_display("\xc0\xaf.example", out,
	    sizeof(out)), -1);
}

static void
config_checks_redis_settings(void **unused)
{
	static const struct {
		const char *line;
		int ok;
	} v[] = {
		{ "redis_prefix = \"rw:{x}\";", 0 },
		{ "redis_prefix = \"rw*\";", 0 },
		{ "redis_prefix = \"relaywarden:prod.\";", 1 },
		{ "redis_sentinels = [\"127.0.0.1:26379\", \"[::1]:26380\", "
		    "\"sentinel.example:5000\"];", 1 },
		{ "redis_sentinels = [\"::1:26379\"];", 0 },
		{ "redis_sentinels = [\"127.0.0.1\"];", 0 },
		{ "redis_sentinels = [\"127.0.0.1:0\"];", 0 },
		{ "redis_socket = \"relative.sock\";", 0 },
		{ "redis_host = \"bad host\";", 0 },
		{ "redis_host = \"::1\";", 1 },
		{ "redis_user = \"bad user\";", 0 },
		{ "redis_db = 70000;", 0 },
		{ "state_max_relays = 0;", 0 },
	};
	char path[300], err[512];
	struct config *cfg;
	size_t i;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/check.conf", tmpdir);
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_non_null(fp = fopen(path, "w"));
		fprintf(fp, "%s\n", v[i].line);
		fclose(fp);
		if ((config_load(path, &cfg, err, sizeof(err)) == 0) != v[i].ok)
			fail_msg("%s: %s", v[i].line, v[i].ok ? err : "passed");
		config_free(cfg);
	}
}

/* --- learning ------------------------------------------------------------- */

static void
unauthenticated_mail_is_counted_but_never_teaches(void **unused)
{
	struct state_answer a;
	int i;

	for (i = 0; i < 5; i++) {
		a = LOOK(.domain = "partner.example", .infra =
		    "net:203.0.113.0/24", .signers = { "evil.example" },
		    .learn = 1, .now = T0 + i);
		assert_true(a.available);
		assert_false(a.infra_known);
		assert_false(a.signers[0].known);
		assert_false(a.newly_known);
	}
	assert_int_equal(a.messages, 4);
	assert_int_equal(a.auth_messages, 0);
	assert_false(a.domain_known);
	assert_int_equal(a.first_seen, T0);
	assert_int_equal(a.last_seen, T0 + 3);
	assert_int_equal(count_prefixed("rw:{partner.example}", 'r'), 0);
	assert_int_equal(count_prefixed("rw:{partner.example}", 's'), 0);
	assert_false(hexists("rw:{partner.example}", "k"));
	assert_int_equal(rint_of(redisfix_cmd(adm, "EXISTS", "rw:known",
	    NULL)), 0);
}

static void
authenticated_mail_teaches_relays_and_signers(void **unused)
{
	struct state_answer a;

	a = LOOK(.domain = "partner.example", .infra = "org:partner.example",
	    .signers = { "partner.example", "esp.example" }, .auth = 1,
	    .learn = 1);
	assert_true(a.available && !a.seen && !a.domain_known);
	assert_true(a.newly_known);
	a = LOOK(.domain = "Partner.Example", .infra = "org:partner.example",
	    .signers = { "esp.example", "other.example", "ESP.example." },
	    .learn = 1, .now = T0 + 60);
	assert_true(a.seen && a.domain_known && !a.newly_known);
	assert_int_equal(a.messages, 1);
	assert_int_equal(a.auth_messages, 1);
	assert_int_equal(a.known_since, T0);
	assert_true(a.infra_known && !a.infra_trusted);
	assert_int_equal(a.infra_count, 1);
	assert_int_equal(a.infra_last, T0);
	assert_int_equal(a.nsigners, 3);
	assert_true(a.signers[0].known);
	assert_string_equal(a.signers[0].name, "esp.example");
	assert_false(a.signers[1].known);
	assert_true(a.signers[2].known);	/* the same, normalised */
	/* the unauthenticated second message taught nothing */
	assert_false(hexists("rw:{partner.example}", "sother.example"));
	assert_string_equal(a.signers[2].name, "esp.example");
}

static void
read_only_lookup_writes_nothing(void **unused)
{
	struct state_answer a;
	redisReply *before, *after;
	size_t i;

	a = LOOK(.domain = "new.example", .infra = "org:new.example",
	    .auth = 1, .learn = 0);
	assert_true(a.available && !a.seen && !a.learned && !a.newly_known);
	assert_int_equal(rint_of(redisfix_cmd(adm, "DBSIZE", NULL)), 0);
	LOOK(.domain = "new.example", .infra = "org:new.example", .auth = 1,
	    .learn = 1);
	before = redisfix_cmd(adm, "HGETALL", "rw:{new.example}", NULL);
	a = LOOK(.domain = "new.example", .infra = "org:other.example",
	    .signers = { "x.example" }, .auth = 1, .learn = 0,
	    .now = T0 + 5);
	assert_true(a.available && a.domain_known && !a.infra_known);
	after = redisfix_cmd(adm, "HGETALL", "rw:{new.example}", NULL);
	assert_int_equal(before->elements, after->elements);
	for (i = 0; i < before->elements; i++)
		assert_string_equal(before->element[i]->str,
		    after->element[i]->str);
	freeReplyObject(before);
	freeReplyObject(after);
}

struct seen {
	char names[8][64];
	time_t when[8];
	int n, total;
};

static int
collect(const char *d, time_t t, void *arg)
{
	struct seen *s = arg;

	if (s->n < 8) {
		snprintf(s->names[s->n], 64, "%s", d);
		s->when[s->n++] = t;
	}
	s->total++;
	return 0;
}

static void
known_index_lists_domains_with_authenticated_history(void **unused)
{
	struct seen s;
	time_t next;
	char err[256];

	LOOK(.domain = "a.example", .auth = 1, .learn = 1, .now = T0);
	LOOK(.domain = "b.example", .auth = 0, .learn = 1, .now = T0 + 1);
	LOOK(.domain = "c.example", .auth = 1, .learn = 1, .now = T0 + 2);
	LOOK(.domain = "a.example", .auth = 1, .learn = 1, .now = T0 + 3);
	LOOK(.domain = "a{b}", .auth = 1, .learn = 1, .now = T0 + 4);
	memset(&s, 0, sizeof(s));
	assert_int_equal(state_known_since(pool, 0, collect, &s, &next, err,
	    sizeof(err)), 0);
	assert_int_equal(s.n, 2);		/* a{b} has no index form */
	assert_string_equal(s.names[0], "a.example");
	assert_int_equal(s.when[0], T0);	/* first authenticated */
	assert_string_equal(s.names[1], "c.example");
	assert_int_equal(next, T0 + 2);
	memset(&s, 0, sizeof(s));
	assert_int_equal(state_known_since(pool, T0 + 1, collect, &s, &next,
	    err, sizeof(err)), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.names[0], "c.example");
}

/* 2500 entries, 1500 of them in one second: every one given once. */
static void
known_index_pages_through_ties(void **unused)
{
	char name[32], score[16], err[256];
	struct seen s;
	time_t next;
	int i;

	for (i = 0; i < 2500; i++) {
		snprintf(name, sizeof(name), "d%04d.example", i);
		snprintf(score, sizeof(score), "%d", i < 1500 ? T0 : T0 + i);
		freeReplyObject(redisfix_cmd(adm, "ZADD", "rw:known", score,
		    name, NULL));
	}
	memset(&s, 0, sizeof(s));
	assert_int_equal(state_known_since(pool, 0, collect, &s, &next, err,
	    sizeof(err)), 0);
	assert_int_equal(s.total, 2500);
	assert_int_equal(next, T0 + 2499);
}

/* --- caps and TTLs -------------------------------------------------------- */

static void
relay_and_signer_caps_evict_least_recently_seen(void **unused)
{
	char infra[64], sig[64], field[80];
	struct state_pool *small;
	struct state_answer a;
	int i;

	state_pool_unref(pool);
	pool = small = pool_from(BASECONF "state_max_relays = 4;\n"
	    "state_max_signers = 3;\n", plain.port);
	for (i = 0; i < 5; i++) {
		snprintf(infra, sizeof(infra), "net:198.51.%d.0/24", i);
		snprintf(sig, sizeof(sig), "s%d.example", i);
		/* relay 0 is seen again at i == 3: not the oldest then */
		a = LOOK(.domain = "cap.example", .infra = i == 4 ?
		    "net:198.51.4.0/24" : infra, .signers = { sig },
		    .auth = 1, .learn = 1, .now = T0 + i);
		assert_true(a.available);
		if (i == 3)
			LOOK(.domain = "cap.example", .infra =
			    "net:198.51.0.0/24", .auth = 1, .learn = 1,
			    .now = T0 + 10);
	}
	assert_int_equal(count_prefixed("rw:{cap.example}", 'r'), 4);
	assert_int_equal(count_prefixed("rw:{cap.example}", 's'), 3);
	/* relay 1 was the least recently seen; relay 0 was refreshed */
	assert_false(hexists("rw:{cap.example}", "rnet:198.51.1.0/24"));
	assert_true(hexists("rw:{cap.example}", "rnet:198.51.0.0/24"));
	assert_true(hexists("rw:{cap.example}", "rnet:198.51.4.0/24"));
	/* signers 0 and 1 went, 2..4 stay */
	for (i = 0; i < 5; i++) {
		snprintf(field, sizeof(field), "ss%d.example", i);
		assert_int_equal(hexists("rw:{cap.example}", field), i >= 2);
	}
	assert_int_equal(rint_of(redisfix_cmd(adm, "HGET", "rw:{cap.example}",
	    "nr", NULL)), 4);
}

/* Every key gets a TTL; authenticated history the long one; an
 * unauthenticated message never shortens it. */
static void
every_key_has_a_ttl(void **unused)
{
	redisReply *r;
	size_t i;

	LOOK(.domain = "unauth.example", .infra = "org:x.example",
	    .learn = 1);
	assert_in_range(ttl_of(adm, "rw:{unauth.example}"), 30 * DAY - 5,
	    30 * DAY);
	LOOK(.domain = "auth.example", .infra = "org:auth.example",
	    .signers = { "auth.example" }, .auth = 1, .learn = 1);
	LOOK(.domain = "auth.example", .learn = 1);
	assert_in_range(ttl_of(adm, "rw:{auth.example}"), 400 * DAY - 5,
	    400 * DAY);
	assert_in_range(ttl_of(adm, "rw:known"), 400 * DAY - 5, 400 * DAY);
	LOOK(.domain = "a{b}", .auth = 1, .learn = 1);
	r = redisfix_cmd(adm, "KEYS", "*", NULL);
	assert_int_equal(r->elements, 4);
	for (i = 0; i < r->elements; i++)
		assert_true(ttl_of(adm, r->element[i]->str) > 0);
	freeReplyObject(r);
}

/* Issue 8 item 7: a message the caller would hold teaches nothing (no k,
 * a, relay, signer, index) and never lengthens a known domain's TTL; the
 * teach mask is applied to the history the script finds. */
static void
withheld_messages_change_no_score_field(void **unused)
{
	static const char key[] = "rw:{held.example}";
	struct state_answer a;
	int i;

	(void)unused;
	for (i = 0; i < 8; i++) {
		a = LOOK(.domain = "held.example", .infra = "org:held.example",
		    .signers = { "held.example" }, .auth = 1, .learn = 1,
		    .withhold = { 1, 1, 1, 1, 1, 1, 1, 1 });
		assert_true(a.available && a.learned && !a.taught);
		assert_false(a.domain_known);
	}
	assert_false(hexists(key, "k"));
	assert_false(hexists(key, "a"));
	assert_int_equal(count_prefixed(key, 'r'), 0);
	assert_int_equal(count_prefixed(key, 's'), 0);
	assert_int_equal(rint_of(redisfix_cmd(adm, "EXISTS", "rw:known",
	    NULL)), 0);

	/* Known from one accepted message; 10 days of TTL left. */
	a = LOOK(.domain = "held.example", .infra = "org:held.example",
	    .signers = { "held.example" }, .auth = 1, .learn = 1);
	assert_true(a.taught && a.newly_known);
	assert_int_equal(rint_of(redisfix_cmd(adm, "EXPIRE", key, "864000",
	    NULL)), 1);
	/* Held whatever the history: counted, TTL kept. */
	a = LOOK(.domain = "held.example", .infra = "org:held.example",
	    .signers = { "held.example" }, .auth = 1, .learn = 1,
	    .withhold = { 1, 1, 1, 1, 1, 1, 1, 1 });
	assert_false(a.taught);
	assert_true(ttl_of(adm, key) <= 864000);
	assert_int_equal(rint_of(redisfix_cmd(adm, "HGET", key, "a", NULL)),
	    1);
	/* Held only when the relay is new (known 1, relay 0): the usual
	 * relay teaches, a new one does not. */
	a = LOOK(.domain = "held.example", .infra = "org:held.example",
	    .signers = { "held.example" }, .auth = 1, .learn = 1,
	    .withhold = { [STATE_TEACH_INDEX(1, 0, 0)] = 1,
	    [STATE_TEACH_INDEX(1, 0, 1)] = 1 });
	assert_true(a.taught);
	assert_true(ttl_of(adm, key) > 864000);
	a = LOOK(.domain = "held.example", .infra = "org:new.example",
	    .signers = { "held.example" }, .auth = 1, .learn = 1,
	    .withhold = { [STATE_TEACH_INDEX(1, 0, 0)] = 1,
	    [STATE_TEACH_INDEX(1, 0, 1)] = 1 });
	assert_false(a.taught);
	assert_false(hexists(key, "rorg:new.example"));
	assert_int_equal(rint_of(redisfix_cmd(adm, "HGET", key, "a", NULL)),
	    2);
	assert_int_equal(rint_of(redisfix_cmd(adm, "HGET", key, "m", NULL)),
	    12);
}

/* --- hostile names -------------------------------------------------------- */

static void
hostile_domains_never_reach_key_names(void **unused)
{
	static const char *const bad[] = { "{", "}", "a}b{c", "{x}",
	    "with space.example", "ex*a?m[p]le", "\xff\xfe\x01\x7f",
	    "tab\there", "quote\"d", "back\\slash" };
	char big[301];
	const char *k;
	redisReply *r;
	size_t i;

	memset(big, 'x', 300);
	big[300] = '\0';
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_true(LOOK(.domain = bad[i], .infra = bad[i],
		    .signers = { bad[i] }, .auth = 1, .learn = 1).available);
	assert_true(LOOK(.domain = big, .infra = big, .signers = { big },
	    .auth = 1, .learn = 1).available);
	assert_false(LOOK(.domain = "", .learn = 1).available);
	assert_false(LOOK(.domain = NULL, .learn = 1).available);
	r = redisfix_cmd(adm, "KEYS", "*", NULL);
	/* one key per name, all distinct, plus the index */
	assert_int_equal(r->elements, sizeof(bad) / sizeof(bad[0]) + 2);
	for (i = 0; i < r->elements; i++) {
		k = r->element[i]->str;
		if (strcmp(k, "rw:known") == 0)
			continue;
		/* rw:{#32 hex}: one hash tag, nothing raw */
		assert_int_equal(r->element[i]->len, 3 + 2 + 33);
		assert_true(k[3] == '{' && k[4] == '#' && k[37] == '}');
		assert_int_equal(strspn(k + 5, "0123456789abcdef"), 32);
		/* fields: short, no raw name either (with the profile's
		 * pn and pl) */
		assert_true(hlen(k) <= 12);
	}
	freeReplyObject(r);
}

/* --- one round trip ------------------------------------------------------- */

static void
script_cache_flush_falls_back_to_eval(void **unused)
{
	struct state_answer a;
	redisReply *r;

	assert_true(LOOK(.domain = "flush.example", .learn = 1).available);
	freeReplyObject(redisfix_cmd(adm, "SCRIPT", "FLUSH", NULL));
	a = LOOK(.domain = "flush.example", .learn = 1);
	assert_true(a.available);
	assert_int_equal(a.messages, 1);
	/* EVAL cached it again: the next call is a plain EVALSHA */
	freeReplyObject(redisfix_cmd(adm, "CONFIG", "RESETSTAT", NULL));
	a = LOOK(.domain = "flush.example", .learn = 1);
	assert_int_equal(a.messages, 2);
	assert_int_equal(info_field(adm, "commandstats", "cmdstat_evalsha",
	    "calls="), 1);
	assert_int_equal(info_field(adm, "commandstats", "cmdstat_eval",
	    "calls="), -1);
	r = redisfix_cmd(adm, "SCRIPT", "FLUSH", NULL);
	freeReplyObject(r);
}

/* The figure: Redis commands per message.  MONITOR shows what clients
 * send (and, tagged "lua", what the script runs inside); INFO
 * commandstats counts both. */
static void
one_evalsha_per_message(void **unused)
{
	const int n = 200;
	long long calls, total;
	int i, sent = 0, evalsha = 0, inner = 0, done = 0, learned = 0;
	int newly = 0;
	struct state_answer a;
	redisContext *mon;
	redisReply *r;
	char d[32], infra[32];

	LOOK(.domain = "warm.example", .learn = 1);	/* connect */
	assert_non_null(mon = redisfix_connect(&plain, NULL, NULL));
	freeReplyObject(redisfix_cmd(mon, "MONITOR", NULL));
	freeReplyObject(redisfix_cmd(adm, "CONFIG", "RESETSTAT", NULL));
	/* Every lookup learns: 20 first contacts, then each domain made
	 * known by its first authenticated message, three relays and two
	 * signers taught - still one EVALSHA each. */
	for (i = 0; i < n; i++) {
		snprintf(d, sizeof(d), "d%d.example", i % 20);
		snprintf(infra, sizeof(infra), "org:esp%d.example", i % 3);
		a = LOOK(.domain = d, .infra = infra,
		    .signers = { d, "esp.example" }, .auth = (i / 20) % 2,
		    .learn = 1, .now = T0 + i);
		assert_true(a.available);
		learned += a.learned;
		newly += a.newly_known;
	}
	calls = info_field(adm, "commandstats", "cmdstat_evalsha", "calls=");
	total = info_field(adm, "stats", "total_commands_processed", NULL);
	freeReplyObject(redisfix_cmd(adm, "ECHO", "rw-end-of-count", NULL));
	while (!done && redisGetReply(mon, (void **)&r) == REDIS_OK) {
		if (r->type == REDIS_REPLY_STATUS) {
			if (strstr(r->str, "rw-end-of-count") != NULL)
				done = 1;
			else if (strstr(r->str, " lua] ") != NULL)
				inner++;
			else if (strstr(r->str, "\"INFO\"") == NULL &&
			    strstr(r->str, "\"info\"") == NULL &&
			    strstr(r->str, "\"CONFIG\"") == NULL) {
				sent++;
				evalsha += strstr(r->str, "\"EVALSHA\"") !=
				    NULL;
			}
		}
		freeReplyObject(r);
	}
	redisFree(mon);
	printf("# figure: %d lookups -> %d commands sent (%d EVALSHA) = "
	    "%.2f per message [MONITOR]; inside the script %.2f calls per "
	    "message; INFO commandstats: cmdstat_evalsha calls=%lld, "
	    "total_commands_processed=%lld (with script calls)\n", n, sent,
	    evalsha, (double)sent / n, (double)inner / n, calls, total);
	assert_true(done);
	assert_int_equal(sent, n);
	assert_int_equal(evalsha, n);
	assert_int_equal(calls, n);
	assert_int_equal(learned, n);
	assert_int_equal(newly, 20);
	assert_int_equal(rint_of(redisfix_cmd(adm, "ZCARD", "rw:known",
	    NULL)), 20);
	assert_int_equal(count_prefixed("rw:{d0.example}", 'r'), 3);
	assert_int_equal(count_prefixed("rw:{d0.example}", 's'), 2);
}

/* The figure: memory per tracked sender, typical history. */
static void
memory_per_sender_is_small(void **unused)
{
	const int n = 2000;
	long long before, after, one;
	redisReply *enc;
	char d[64], sig[64];
	int i, j;

	LOOK(.domain = "warm.example", .learn = 1);
	freeReplyObject(redisfix_cmd(adm, "FLUSHALL", NULL));
	before = info_field(adm, "memory", "used_memory", NULL);
	/* typical: 3 relays, 2 signers, a few dozen messages */
	for (i = 0; i < n; i++) {
		snprintf(d, sizeof(d), "sender%05d.example", i);
		snprintf(sig, sizeof(sig), "sender%05d.example", i);
		for (j = 0; j < 3; j++) {
			const char *infra[] = { "org:sender.example",
			    "net:192.0.2.0/24", "org:mailgun.example" };

			LOOK(.domain = d, .infra = infra[j], .signers = { sig,
			    j == 2 ? "mailgun.example" : NULL }, .auth = 1,
			    .learn = 1, .now = T0 + j * DAY);
		}
		arena_free(arena);
		arena = arena_new();
	}
	freeReplyObject(redisfix_cmd(adm, "HSET", "rw:{sender00000.example}",
	    "m", "48", "a", "45", NULL));
	after = info_field(adm, "memory", "used_memory", NULL);
	one = rint_of(redisfix_cmd(adm, "MEMORY", "USAGE",
	    "rw:{sender00000.example}", NULL));
	enc = redisfix_cmd(adm, "OBJECT", "ENCODING",
	    "rw:{sender00000.example}", NULL);
	printf("# figure: %d senders (3 relays, 2 signers each) -> "
	    "%lld bytes of used_memory each (keys, TTLs, known index); "
	    "MEMORY USAGE of one sender key %lld bytes; encoding %s\n", n,
	    (after - before) / n, one, enc->str);
	assert_string_equal(enc->str, "listpack");
	freeReplyObject(enc);
	assert_true((after - before) / n < 600);
	assert_true(one < 400);
}

/* Garbage in a sender hash: the lookup says unavailable or reads what
 * it can; it never crashes. */
static void
garbled_history_is_survived(void **unused)
{
	struct state_answer a;

	freeReplyObject(redisfix_cmd(adm, "HSET", "rw:{garbled.example}",
	    "f", "yesterday", "rorg:x.example", "many", "k", "-5", NULL));
	a = LOOK(.domain = "garbled.example", .infra = "org:x.example",
	    .learn = 0);
	assert_false(a.available);
	assert_non_null(a.error);
	freeReplyObject(redisfix_cmd(adm, "DEL", "rw:{garbled.example}",
	    NULL));
	freeReplyObject(redisfix_cmd(adm, "HSET", "rw:{garbled.example}",
	    "m", "not a number", NULL));
	a = LOOK(.domain = "garbled.example", .learn = 1);
	assert_false(a.available);	/* HINCRBY refused: no crash */
	freeReplyObject(redisfix_cmd(adm, "SET", "rw:{garbled.example}",
	    "a string", NULL));
	a = LOOK(.domain = "garbled.example", .learn = 1);
	assert_false(a.available);
	assert_non_null(strstr(a.error, "WRONGTYPE"));
}

/* --- admin ---------------------------------------------------------------- */

static void
admin_show_trust_forget(void **unused)
{
	struct state_history h;
	struct state_answer a;
	char err[256];

	assert_int_equal(state_show(pool, "adm.example", arena, &h, err,
	    sizeof(err)), 1);
	LOOK(.domain = "adm.example", .infra = "org:adm.example",
	    .signers = { "adm.example" }, .auth = 1, .learn = 1);
	LOOK(.domain = "adm.example", .infra = "net:192.0.2.0/24",
	    .signers = { "esp.example" }, .auth = 1, .learn = 1,
	    .now = T0 + 100);
	assert_int_equal(state_trust(pool, "adm.example", STATE_RELAY,
	    "net:198.51.100.77/24", 1, T0 + 200, err, sizeof(err)), 0);
	assert_int_equal(state_trust(pool, "adm.example", STATE_SIGNER,
	    "ESP.example", 1, T0 + 200, err, sizeof(err)), 0);
	a = LOOK(.domain = "adm.example", .infra = "net:198.51.100.0/24",
	    .signers = { "esp.example" }, .learn = 0);
	assert_true(a.infra_trusted && !a.infra_known);
	assert_true(a.signers[0].trusted && a.signers[0].known);
	assert_int_equal(state_show(pool, "ADM.example.", arena, &h, err,
	    sizeof(err)), 0);
	assert_string_equal(h.domain, "adm.example");
	assert_int_equal(h.messages, 2);
	assert_int_equal(h.nrelays, 3);
	assert_string_equal(h.relays[0].name, "net:198.51.100.0/24");
	assert_true(h.relays[0].trusted && !h.relays[0].seen);
	assert_string_equal(h.relays[1].name, "net:192.0.2.0/24");
	assert_int_equal(h.nsigners, 2);
	assert_string_equal(h.signers[0].name, "esp.example");
	assert_true(h.signers[0].trusted && h.signers[0].seen);
	assert_int_equal(state_trust(pool, "adm.example", STATE_SIGNER,
	    "esp.example", 0, 0, err, sizeof(err)), 0);
	assert_int_equal(state_trust(pool, "adm.example", STATE_SIGNER,
	    "esp.example", 0, 0, err, sizeof(err)), 1);
	assert_int_equal(state_forget(pool, "adm.example", err, sizeof(err)),
	    0);
	assert_int_equal(state_forget(pool, "adm.example", err, sizeof(err)),
	    1);
	assert_int_equal(rint_of(redisfix_cmd(adm, "ZCARD", "rw:known",
	    NULL)), 0);
}

static void
trusted_marks_are_capped(void **unused)
{
	char v[64], err[256];
	int i;

	state_pool_unref(pool);
	pool = pool_from(BASECONF "state_max_trusted = 3;\n", plain.port);
	for (i = 0; i < 3; i++) {
		snprintf(v, sizeof(v), "org:r%d.example", i);
		assert_int_equal(state_trust(pool, "t.example", STATE_RELAY, v,
		    1, 0, err, sizeof(err)), 0);
	}
	assert_int_equal(state_trust(pool, "t.example", STATE_RELAY,
	    "org:r0.example", 1, 0, err, sizeof(err)), 0);	/* again */
	assert_int_equal(state_trust(pool, "t.example", STATE_RELAY,
	    "org:r9.example", 1, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "CAP"));
	assert_int_equal(state_trust(pool, "t.example", STATE_SIGNER,
	    "s.example", 1, 0, err, sizeof(err)), 0);	/* per kind */
	assert_in_range(ttl_of(adm, "rw:{t.example}"), 400 * DAY - 5,
	    400 * DAY);
}

static void
first_contacts_newest_first(void **unused)
{
	struct state_contact *c;
	char d[32], err[256];
	size_t n;
	int i;

	for (i = 0; i < 30; i++) {
		snprintf(d, sizeof(d), "fc%02d.example", i);
		LOOK(.domain = d, .learn = 1, .now = T0 + i * 60);
	}
	LOOK(.domain = "a{b}", .learn = 1, .now = T0 + 5000);
	assert_int_equal(state_first_contacts(pool, T0 + 20 * 60, 5, arena,
	    &c, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 5);
	assert_true(c[0].domain[0] == '#');	/* a digest: no name kept */
	assert_int_equal(c[0].first_seen, T0 + 5000);
	assert_string_equal(c[1].domain, "fc29.example");
	assert_string_equal(c[4].domain, "fc26.example");
	assert_int_equal(state_first_contacts(pool, T0 + 20 * 60, 100, arena,
	    &c, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 11);
	assert_string_equal(c[10].domain, "fc20.example");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)
		cmocka_unit_test(sha256_matches_fips_vectors),
		cmocka_unit_test(names_are_normalised_or_digested),
		cmocka_unit_test(config_checks_redis_settings),
		T(unauthenticated_mail_is_counted_but_never_teaches),
		T(authenticated_mail_teaches_relays_and_signers),
		T(read_only_lookup_writes_nothing),
		T(known_index_lists_domains_with_authenticated_history),
		T(known_index_pages_through_ties),
		T(relay_and_signer_caps_evict_least_recently_seen),
		T(every_key_has_a_ttl),
		T(withheld_messages_change_no_score_field),
		T(hostile_domains_never_reach_key_names),
		T(script_cache_flush_falls_back_to_eval),
		T(one_evalsha_per_message),
		T(memory_per_sender_is_small),
		T(garbled_history_is_survived),
		T(admin_show_trust_forget),
		T(trusted_marks_are_capped),
		T(first_contacts_newest_first),
#undef T
	};

	/* RW_STATE_TEST="sentinel*" runs the matching cases only. */
	if (getenv("RW_STATE_TEST") != NULL)
		cmocka_set_test_filter(getenv("RW_STATE_TEST"));
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
