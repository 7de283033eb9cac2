/*
 * test_dns.c - the resolver: local data, static zones, a real timeout
 * against a silent socket, local-data errors, hostile rdata, threads.
 * No network: every name is local data or forwarded to 127.0.0.1.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/deadline.h"
#include "dns/dns.h"
#include "dns/dnscache.h"
#include "silentdns.h"

#define TIMEOUT_MS	200

static const char zone[] =
	"; test zone\n"
	"$STATIC example\n"
	"$FORWARD slow.example   # answered by the silent socket\n"
	"www.example. 300 IN A 192.0.2.1\n"
	"www.example AAAA 2001:db8::1\n"
	"txt.example TXT \"v=spf1 -all; not a comment\" \"#second\"\n"
	"example. IN MX 10 mx.example.\n"
	"1.2.0.192.in-addr.arpa. PTR www.example.\n"
	"alias.example CNAME www.example.\n"
	"loop.example CNAME loop2.example.\n"
	"loop2.example CNAME loop.example.\n"
	"dangling.example CNAME gone.example.\n"
	"odd\\032name.example TXT \"spaced\"\n"
	"host.test A 192.0.2.9\n"
	"slow.example TXT \"local\"\n"
	"multi.example A 192.0.2.3\n"
	"multi.example A 192.0.2.1\n"
	"multi.example A 192.0.2.2\n"
	"short.example 1 IN TXT \"one second\"\n"
	"zero.example 0 IN TXT \"no cache\"\n";

struct fixture {
	char dir[64], file[96];
	int silent;			/* UDP socket that never answers */
	char fwd[32];
	struct dns_resolver *res;
};

static struct fixture fx;

static int
write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	if (fp == NULL)
		return -1;
	fputs(text, fp);
	return fclose(fp);
}

static struct dns_resolver *
resolver_with(const char *file, char *err, size_t errlen)
{
	const char *fwd[1] = { fx.fwd };
	struct dns_options o = {
		.forwarders = fwd, .nforwarders = 1,
		.timeout_ms = TIMEOUT_MS, .local_data = file,
	};

	return dns_resolver_new(&o, err, errlen);
}

static int
group_setup(void **state)
{
	const char *tmp = getenv("TMPDIR");
	char err[256];

	snprintf(fx.dir, sizeof(fx.dir), "%s/dnsXXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(fx.dir) == NULL)
		return -1;
	snprintf(fx.file, sizeof(fx.file), "%s/zone", fx.dir);
	if (write_file(fx.file, zone) < 0)
		return -1;
	if ((fx.silent = silentdns_open(fx.fwd, sizeof(fx.fwd))) < 0)
		return -1;
	fx.res = resolver_with(fx.file, err, sizeof(err));
	if (fx.res == NULL) {
		fprintf(stderr, "resolver: %s\n", err);
		return -1;
	}
	return 0;
}

static int
group_teardown(void **state)
{
	dns_resolver_free(fx.res);
	close(fx.silent);
	unlink(fx.file);
	rmdir(fx.dir);
	return 0;
}

/* A query under budget b (NULL: none). */
static struct dns_reply *
ask_in(struct dns_budget *b, const char *name, int type)
{
	struct dns_reply *r = NULL;

	assert_int_equal(dns_query(fx.res, b, name, type, &r), 0);
	assert_non_null(r);
	return r;
}

static struct dns_reply *
ask(const char *name, int type)
{
	return ask_in(NULL, name, type);
}

static void
local_a_aaaa(void **state)
{
	struct dns_reply *r = ask("www.example", DNS_T_A);
	static const unsigned char a[4] = { 192, 0, 2, 1 };
	unsigned char a6[16];

	assert_int_equal(r->status, DNS_OK);
	assert_int_equal(r->count, 1);
	assert_int_equal(r->rr[0].len, 4);
	assert_memory_equal(r->rr[0].data, a, 4);
	assert_int_equal(r->ttl, 300);
	assert_non_null(r->packet);
	assert_true(r->packet_len > 12);
	dns_reply_free(r);

	r = ask("WWW.Example.", DNS_T_AAAA);
	assert_int_equal(r->status, DNS_OK);
	assert_int_equal(r->count, 1);
	inet_pton(AF_INET6, "2001:db8::1", a6);
	assert_int_equal(r->rr[0].len, 16);
	assert_memory_equal(r->rr[0].data, a6, 16);
	dns_reply_free(r);
}

static void
local_txt_strings_joined(void **state)
{
	struct dns_reply *r = ask("txt.example", DNS_T_TXT);
	char buf[128];

	assert_int_equal(r->status, DNS_OK);
	assert_int_equal(r->count, 1);
	assert_int_equal(dns_rr_txt(&r->rr[0], buf, sizeof(buf)),
	    strlen("v=spf1 -all; not a comment#second"));
	assert_string_equal(buf, "v=spf1 -all; not a comment#second");
	/* too small a buffer is an error, not a truncation */
	assert_int_equal(dns_rr_txt(&r->rr[0], buf, 10), -1);
	dns_reply_free(r);
}

static void
local_mx_ptr_names(void **state)
{
	struct dns_reply *r = ask("example", DNS_T_MX);
	char buf[256];

	assert_int_equal(r->status, DNS_OK);
	assert_int_equal(r->count, 1);
	assert_int_equal(r->rr[0].data[0] * 256 + r->rr[0].data[1], 10);
	assert_int_equal(dns_rr_name(&r->rr[0], 2, buf, sizeof(buf)), 10);
	assert_string_equal(buf, "mx.example");
	dns_reply_free(r);

	r = ask("1.2.0.192.in-addr.arpa", DNS_T_PTR);
	assert_int_equal(r->status, DNS_OK);
	assert_int_equal(dns_rr_name(&r->rr[0], 0, buf, sizeof(buf)), 11);
	assert_string_equal(buf, "www.example");
	dns_reply_free(r);
}

static void
local_cname_followed(void **state)
{
	struct dns_reply *r = ask("alias.example", DNS_T_A);

	assert_int_equal(r->status, DNS_OK);
	assert_int_equal(r->count, 1);
	assert_int_equal(r->rr[0].data[3], 1);
	dns_reply_free(r);
}

static void
records_in_file_order(void **state)
{
	struct dns_reply *r = ask("multi.example", DNS_T_A);

	assert_int_equal(r->status, DNS_OK);
	assert_int_equal(r->count, 3);
	assert_int_equal(r->rr[0].data[3], 3);
	assert_int_equal(r->rr[1].data[3], 1);
	assert_int_equal(r->rr[2].data[3], 2);
	dns_reply_free(r);
}

static void
escaped_owner_name(void **state)
{
	struct dns_reply *r = ask("odd name.example", DNS_T_TXT);
	char buf[64];

	assert_int_equal(r->status, DNS_OK);
	assert_int_equal(dns_rr_txt(&r->rr[0], buf, sizeof(buf)), 6);
	assert_string_equal(buf, "spaced");
	dns_reply_free(r);
}

static const struct {
	const char *name;
	int type;
	enum dns_status want;
} status_cases[] = {
	{ "nope.example", DNS_T_A, DNS_NXDOMAIN },	/* static zone */
	{ "deep.www.example", DNS_T_TXT, DNS_NXDOMAIN },
	{ "www.example", DNS_T_TXT, DNS_NODATA },	/* name exists */
	{ "example", DNS_T_A, DNS_NODATA },
	{ "loop.example", DNS_T_A, DNS_NODATA },	/* CNAME loop ends */
	{ "dangling.example", DNS_T_A, DNS_NXDOMAIN },
	{ "alias.example", DNS_T_CNAME, DNS_OK },
	{ "host.test", DNS_T_A, DNS_OK },		/* .test local data */
	{ "other.test", DNS_T_A, DNS_NXDOMAIN },	/* .test default */
	{ "", DNS_T_A, DNS_BADNAME },
	{ ".", DNS_T_A, DNS_BADNAME },
	{ "a..example", DNS_T_A, DNS_BADNAME },
	{ ".example", DNS_T_A, DNS_BADNAME },
	{ "example..", DNS_T_A, DNS_BADNAME },
	{ "a1234567890123456789012345678901234567890123456789012345678901234"
	  ".example", DNS_T_A, DNS_BADNAME },		/* label 64 */
};

static void
status_table(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(status_cases) / sizeof(status_cases[0]);
	    i++) {
		struct dns_reply *r = ask(status_cases[i].name,
		    status_cases[i].type);

		if (r->status != status_cases[i].want)
			fail_msg("%s type %d: status %d, want %d",
			    status_cases[i].name, status_cases[i].type,
			    r->status, status_cases[i].want);
		if (r->status != DNS_OK)
			assert_int_equal(r->count, 0);
		dns_reply_free(r);
	}
}

/* Builds 3 labels of 63, a label of n, then ".example". */
static void
long_name(char *name, size_t n)
{
	size_t o = 0, i;

	for (i = 0; i < 3; i++) {
		memset(name + o, 'a' + (int)i, 63);
		o += 63;
		name[o++] = '.';
	}
	memset(name + o, 'd', n);
	strcpy(name + o + n, ".example");
}

static void
name_length_limits(void **state)
{
	char name[300];
	struct dns_reply *r;

	long_name(name, 53);		/* 253: the longest name */
	assert_int_equal(strlen(name), 253);
	r = ask(name, DNS_T_A);
	assert_int_equal(r->status, DNS_NXDOMAIN);
	dns_reply_free(r);
	strcat(name, ".");		/* a root dot does not count */
	r = ask(name, DNS_T_A);
	assert_int_equal(r->status, DNS_NXDOMAIN);
	dns_reply_free(r);
	long_name(name, 54);		/* 254 */
	r = ask(name, DNS_T_A);
	assert_int_equal(r->status, DNS_BADNAME);
	dns_reply_free(r);
}

static void
timeout_is_tempfail_within_deadline(void **state)
{
	struct dns_stats before, after;
	struct dns_reply *r;
	long long t0, took;

	dns_resolver_stats(fx.res, &before);
	t0 = deadline_now_ms();
	r = ask("slow.example", DNS_T_A);
	took = deadline_now_ms() - t0;
	assert_int_equal(r->status, DNS_TEMPFAIL);
	assert_int_equal(r->count, 0);
	dns_reply_free(r);
	assert_true(took >= TIMEOUT_MS * 0.9);
	assert_true(took < TIMEOUT_MS * 3);
	dns_resolver_stats(fx.res, &after);
	assert_int_equal(after.queries, before.queries + 1);
	assert_int_equal(after.timeouts, before.timeouts + 1);
	assert_int_equal(after.sent, before.sent + 1);

	/* the same name's local type still answers ($FORWARD is per type) */
	r = ask("slow.example", DNS_T_TXT);
	assert_int_equal(r->status, DNS_OK);
	dns_reply_free(r);
}

/* A message's budget covers all its queries: the first slow query is
 * cut at the budget, the next ones answer at once, and local answers
 * still come while it lasts.  The budget is the caller's (issue 9): a
 * query without it gets its own deadline again. */
static void
message_budget_bounds_all_queries(void **state)
{
	struct dns_budget b;
	struct dns_stats before, after;
	struct dns_reply *r;
	long long t0, took;

	dns_budget_start(&b, TIMEOUT_MS / 2);
	r = ask_in(&b, "www.example", DNS_T_A);	/* local: within it */
	assert_int_equal(r->status, DNS_OK);
	dns_reply_free(r);
	assert_false(b.spent);
	r = ask_in(&b, "slow.example", DNS_T_A);
	assert_int_equal(r->status, DNS_TEMPFAIL);
	dns_reply_free(r);
	/* Cut by the budget: "spent" is only set when the budget, not the
	 * query's own timeout, ended the wait (a bound on the time taken
	 * would race a loaded machine). */
	assert_true(b.spent);
	/* Spent: at once, counted rather than timed (ASan, a loaded
	 * machine): a timeout, and nothing sent. */
	dns_resolver_stats(fx.res, &before);
	r = ask_in(&b, "slow.example", DNS_T_AAAA);
	assert_int_equal(r->status, DNS_TEMPFAIL);
	dns_reply_free(r);
	dns_resolver_stats(fx.res, &after);
	assert_int_equal(after.timeouts, before.timeouts + 1);
	assert_int_equal(after.sent, before.sent);
	/* Spent, even a local answer is refused: past the budget every
	 * lookup answers temperror. */
	dns_resolver_stats(fx.res, &before);
	r = ask_in(&b, "www.example", DNS_T_A);
	assert_int_equal(r->status, DNS_TEMPFAIL);
	dns_reply_free(r);
	dns_resolver_stats(fx.res, &after);
	assert_int_equal(after.sent, before.sent);
	/* Without a budget the next query gets its own deadline again. */
	t0 = deadline_now_ms();
	r = ask("slow.example", DNS_T_A);
	took = deadline_now_ms() - t0;
	assert_int_equal(r->status, DNS_TEMPFAIL);
	dns_reply_free(r);
	assert_true(took >= TIMEOUT_MS * 0.9);
}

/* Two messages on one thread (libmilter multiplexes connections over
 * its threads; a worker runs message after message): each has its own
 * budget, so one message's spent budget never cuts another's lookups,
 * and a budget of 0 is none. */
static void
budgets_belong_to_their_message(void **state)
{
	struct dns_budget spent, fresh, none;
	struct dns_reply *r;

	dns_budget_start(&spent, 1);
	dns_budget_start(&fresh, 60000);
	dns_budget_start(&none, 0);
	assert_int_equal(none.end_ns, 0);
	r = ask_in(&spent, "slow.example", DNS_T_A);
	assert_int_equal(r->status, DNS_TEMPFAIL);
	dns_reply_free(r);
	assert_true(spent.spent);
	r = ask_in(&fresh, "www.example", DNS_T_A);
	assert_int_equal(r->status, DNS_OK);
	dns_reply_free(r);
	assert_false(fresh.spent);
	r = ask_in(&none, "www.example", DNS_T_A);
	assert_int_equal(r->status, DNS_OK);
	dns_reply_free(r);
	assert_false(none.spent);
	/* Starting it again gives the message a fresh budget. */
	dns_budget_start(&spent, 60000);
	assert_false(spent.spent);
	r = ask_in(&spent, "www.example", DNS_T_A);
	assert_int_equal(r->status, DNS_OK);
	dns_reply_free(r);
}

static const struct {
	const char *text;
	const char *want;		/* expected end of the error */
} bad_files[] = {
	{ "www.example A 192.0.2.1\n$INCLUDE other\n",
	  ":2: unknown directive $INCLUDE" },
	{ "\n\n$STATIC\n", ":3: $STATIC takes one name" },
	{ "$FORWARD a b\n", ":1: $FORWARD takes one name" },
	{ "; ok\nwww.example A not-an-address\n", ":2: bad record" },
	{ "www.example\n", ":1: record without type and data" },
	{ "$STATIC example\nok.example A 192.0.2.1\nx.example BOGUS 1\n",
	  ":3: bad record" },
	{ "a..b.example A 192.0.2.1\n", ":1: bad owner name" },
	{ "$STATIC a..b\n", ":1: bad name" },
	{ "$FORWARD a\\300b\n", ":1: bad name" },
};

static void
bad_local_data_names_file_line(void **state)
{
	char path[128], err[256], want[256];
	size_t i;

	snprintf(path, sizeof(path), "%s/bad", fx.dir);
	for (i = 0; i < sizeof(bad_files) / sizeof(bad_files[0]); i++) {
		struct dns_resolver *r;

		assert_int_equal(write_file(path, bad_files[i].text), 0);
		err[0] = '\0';
		r = resolver_with(path, err, sizeof(err));
		if (r != NULL) {
			dns_resolver_free(r);
			fail_msg("case %zu accepted", i);
		}
		snprintf(want, sizeof(want), "%s%s", path, bad_files[i].want);
		if (strcmp(err, want) != 0)
			fail_msg("case %zu: \"%s\", want \"%s\"", i, err, want);
	}
	unlink(path);
	/* a missing file is named too */
	assert_null(resolver_with(path, err, sizeof(err)));
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "cannot open"));
}

static void
bad_options_rejected(void **state)
{
	const char *fwd[1] = { "not an address" };
	struct dns_options o = { .forwarders = fwd, .nforwarders = 1,
	    .timeout_ms = 100 };
	char err[256];

	assert_null(dns_resolver_new(&o, err, sizeof(err)));
	assert_non_null(strstr(err, "bad forwarder"));
	fwd[0] = fx.fwd;
	o.timeout_ms = 0;
	assert_null(dns_resolver_new(&o, err, sizeof(err)));
}

static const struct {
	const char *what;
	const char *data;
	size_t len, offset;
	int txt, name;			/* expected results */
} hostile[] = {
	{ "empty rdata", "", 0, 0, 0, -1 },
	{ "txt length past end", "\x05" "abc", 4, 0, -1, -1 },
	{ "txt second string short", "\x01" "a" "\x09" "b", 4, 0, -1, -1 },
	{ "txt ok two strings", "\x01" "a" "\x02" "bc", 5, 0, 3, -1 },
	{ "name root", "\x00", 1, 0, 0, 0 },
	{ "name compression", "\x01" "a" "\xc0\x00", 4, 0, -1, -1 },
	{ "name no terminator", "\x03" "www", 4, 0, 3, -1 },
	{ "name dot in label", "\x03" "a.b" "\x00", 5, 0, 3, -1 },
	{ "name nul in label", "\x03" "a\0b" "\x00", 5, 0, 3, -1 },
	{ "name offset past end", "\x00\x0a", 2, 3, -1, -1 },
	{ "mx ok", "\x00\x0a" "\x02" "mx" "\x01" "e" "\x00", 8, 2, -1, 4 },
};

static void
hostile_rdata_helpers(void **state)
{
	char buf[256];
	size_t i;

	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		struct dns_rr rr = { (const unsigned char *)hostile[i].data,
		    hostile[i].len };
		int t = dns_rr_txt(&rr, buf, sizeof(buf));
		int n = dns_rr_name(&rr, hostile[i].offset, buf, sizeof(buf));

		if (t != hostile[i].txt || n != hostile[i].name)
			fail_msg("%s: txt %d name %d, want %d %d",
			    hostile[i].what, t, n, hostile[i].txt,
			    hostile[i].name);
	}
}

static void
name_label_64_rejected(void **state)
{
	unsigned char d[70];
	struct dns_rr rr = { d, 66 };
	char buf[256];

	d[0] = 64;
	memset(d + 1, 'a', 64);
	d[65] = 0;
	assert_int_equal(dns_rr_name(&rr, 0, buf, sizeof(buf)), -1);
	d[0] = 63;
	d[64] = 0;
	rr.len = 65;
	assert_int_equal(dns_rr_name(&rr, 0, buf, sizeof(buf)), 63);
}

static void
name_too_long_for_buffer(void **state)
{
	static const unsigned char d[] = "\x03www\x07" "example\x00";
	struct dns_rr rr = { d, sizeof(d) - 1 };
	char buf[12];

	assert_int_equal(dns_rr_name(&rr, 0, buf, sizeof(buf)), 11);
	assert_int_equal(dns_rr_name(&rr, 0, buf, 11), -1);
	assert_int_equal(dns_rr_name(&rr, 0, buf, 0), -1);
}

struct worker {
	pthread_t t;
	struct dns_resolver *res;
	int id, bad;
};

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	int i;

	for (i = 0; i < 60; i++) {
		struct dns_reply *r = NULL;
		int slow = i == 7 * w->id;
		const char *name = slow ? "slow.example" :
		    (i & 1) ? "www.example" : "nope.example";
		enum dns_status want = slow ? DNS_TEMPFAIL :
		    (i & 1) ? DNS_OK : DNS_NXDOMAIN;

		if (dns_query(w->res, NULL, name, DNS_T_A, &r) != 0 ||
		    r->status != want) {
			fprintf(stderr, "%s: got %d want %d\n", name,
			    r != NULL ? (int)r->status : -1, (int)want);
			w->bad++;
		}
		dns_reply_free(r);
	}
	return NULL;
}

/* A fresh resolver over the test zone. */
static struct dns_resolver *
fresh(void)
{
	char err[256];
	struct dns_resolver *r = resolver_with(fx.file, err, sizeof(err));

	assert_non_null(r);
	return r;
}

static void
same_reply(const struct dns_reply *a, const struct dns_reply *b)
{
	size_t i;

	assert_int_equal(a->status, b->status);
	assert_int_equal(a->count, b->count);
	for (i = 0; i < a->count; i++) {
		assert_int_equal(a->rr[i].len, b->rr[i].len);
		assert_memory_equal(a->rr[i].data, b->rr[i].data, a->rr[i].len);
	}
	assert_int_equal(a->packet_len, b->packet_len);
	if (a->packet_len > 0)
		assert_memory_equal(a->packet, b->packet, a->packet_len);
}

/* A name asked again is answered from the cache, the same bytes; a
 * negative answer too; a failure never. */
static void
answers_are_cached(void **state)
{
	struct dns_resolver *r = fresh();
	struct dns_reply *a, *b;
	struct dns_stats s0, s1;

	(void)state;
	assert_int_equal(dns_query(r, NULL, "txt.example", DNS_T_TXT, &a), 0);
	dns_resolver_stats(r, &s0);
	assert_int_equal(dns_query(r, NULL, "TXT.example", DNS_T_TXT, &b), 0);
	dns_resolver_stats(r, &s1);
	assert_int_equal(a->status, DNS_OK);
	/* "TXT.example" is another key: sent again */
	assert_int_equal(s1.sent, s0.sent + 1);
	dns_reply_free(b);
	assert_int_equal(dns_query(r, NULL, "txt.example", DNS_T_TXT, &b), 0);
	dns_resolver_stats(r, &s0);
	assert_int_equal(s0.sent, s1.sent);		/* from the cache */
	assert_int_equal(s0.cache_hits, 1);
	same_reply(a, b);
	assert_true(b->ttl > 0 && b->ttl <= DNSCACHE_TTL_MAX);
	dns_reply_free(a);
	dns_reply_free(b);
	/* negative, and a CNAME chain under its first name */
	assert_int_equal(dns_query(r, NULL, "nx.example", DNS_T_A, &a), 0);
	assert_int_equal(dns_query(r, NULL, "nx.example", DNS_T_A, &b), 0);
	assert_int_equal(a->status, DNS_NXDOMAIN);
	same_reply(a, b);
	dns_reply_free(a);
	dns_reply_free(b);
	assert_int_equal(dns_query(r, NULL, "alias.example", DNS_T_A, &a), 0);
	assert_int_equal(dns_query(r, NULL, "alias.example", DNS_T_A, &b), 0);
	assert_int_equal(a->status, DNS_OK);
	same_reply(a, b);
	dns_reply_free(a);
	dns_reply_free(b);
	dns_resolver_stats(r, &s1);
	assert_int_equal(s1.cache_hits, 3);
	/* a timeout is asked again */
	assert_int_equal(dns_query(r, NULL, "slow.example", DNS_T_A, &a), 0);
	assert_int_equal(a->status, DNS_TEMPFAIL);
	dns_reply_free(a);
	dns_resolver_stats(r, &s0);
	assert_int_equal(dns_query(r, NULL, "slow.example", DNS_T_A, &a), 0);
	dns_reply_free(a);
	dns_resolver_stats(r, &s1);
	assert_int_equal(s1.sent, s0.sent + 1);
	assert_int_equal(s1.cache_hits, 3);
	dns_resolver_free(r);
}

/* An answer lives its TTL, no longer; TTL 0 is never kept. */
static void
cache_respects_ttl(void **state)
{
	struct dns_resolver *r = fresh();
	struct dns_reply *a;
	struct dns_stats s0, s1;

	(void)state;
	assert_int_equal(dns_query(r, NULL, "zero.example", DNS_T_TXT, &a), 0);
	dns_reply_free(a);
	assert_int_equal(dns_query(r, NULL, "zero.example", DNS_T_TXT, &a), 0);
	dns_reply_free(a);
	dns_resolver_stats(r, &s0);
	assert_int_equal(s0.cache_hits, 0);
	assert_int_equal(dns_query(r, NULL, "short.example", DNS_T_TXT, &a),
	    0);
	dns_reply_free(a);
	sleep(2);
	dns_resolver_stats(r, &s0);
	assert_int_equal(dns_query(r, NULL, "short.example", DNS_T_TXT, &a),
	    0);
	assert_int_equal(a->status, DNS_OK);
	dns_reply_free(a);
	dns_resolver_stats(r, &s1);
	assert_int_equal(s1.sent, s0.sent + 1);
	assert_int_equal(s1.cache_hits, 0);
	dns_resolver_free(r);
}

/* The cache alone: at most its entries and bytes, the least recently
 * used first out, hostile TTLs capped, one answer never most of it. */
static void
cache_is_bounded(void **state)
{
	static const unsigned char rd[] = "\x05hello";
	struct dns_rr rr = { rd, 6 };
	struct dns_reply rep = { DNS_OK, DNS_T_TXT, 1, &rr, NULL, 0, 100000 };
	struct dnscache *c = dnscache_new(4, 1 << 20);
	struct dnscache_stats st;
	struct dns_reply *out;
	unsigned char *big;
	char name[32];
	int i;

	(void)state;
	assert_non_null(c);
	for (i = 0; i < 5; i++) {	/* n0 .. n4: n0 pushed out */
		snprintf(name, sizeof(name), "n%d.example.", i);
		dnscache_put(c, name, DNS_T_TXT, &rep, 1000);
	}
	dnscache_stats(c, &st);
	assert_int_equal(st.entries, 4);
	assert_int_equal(dnscache_get(c, "n0.example.", DNS_T_TXT, 1000,
	    &out), 0);
	/* n1 used: n2 is now the oldest, and goes for n5 */
	assert_int_equal(dnscache_get(c, "n1.example.", DNS_T_TXT, 1000,
	    &out), 1);
	dns_reply_free(out);
	dnscache_put(c, "n5.example.", DNS_T_TXT, &rep, 1000);
	assert_int_equal(dnscache_get(c, "n2.example.", DNS_T_TXT, 1000,
	    &out), 0);
	assert_int_equal(dnscache_get(c, "n1.example.", DNS_T_TXT, 1000,
	    &out), 1);
	dns_reply_free(out);
	assert_int_equal(dnscache_get(c, "n9.example.", DNS_T_TXT, 1000,
	    &out), 0);
	dnscache_put(c, "n9.example.", DNS_T_TXT, &rep, 1000);
	assert_int_equal(dnscache_get(c, "n9.example.", DNS_T_TXT, 1000,
	    &out), 1);
	assert_int_equal(out->count, 1);
	assert_memory_equal(out->rr[0].data, rd, 6);
	/* a TTL of 100000 lives DNSCACHE_TTL_MAX */
	assert_int_equal(out->ttl, DNSCACHE_TTL_MAX);
	dns_reply_free(out);
	assert_int_equal(dnscache_get(c, "n9.example.", DNS_T_TXT,
	    1000 + DNSCACHE_TTL_MAX, &out), 0);
	/* negative: DNSCACHE_NEG_TTL_MAX */
	rep.status = DNS_NXDOMAIN;
	rep.count = 0;
	dnscache_put(c, "gone.example.", DNS_T_A, &rep, 1000);
	assert_int_equal(dnscache_get(c, "gone.example.", DNS_T_A,
	    1000 + DNSCACHE_NEG_TTL_MAX - 1, &out), 1);
	assert_int_equal(out->status, DNS_NXDOMAIN);
	dns_reply_free(out);
	assert_int_equal(dnscache_get(c, "gone.example.", DNS_T_A,
	    1000 + DNSCACHE_NEG_TTL_MAX, &out), 0);
	/* failures are not kept */
	rep.status = DNS_TEMPFAIL;
	dnscache_put(c, "fail.example.", DNS_T_A, &rep, 1000);
	assert_int_equal(dnscache_get(c, "fail.example.", DNS_T_A, 1000,
	    &out), 0);
	/* one answer of over a sixteenth of the bytes is not kept */
	big = calloc(1, 70000);
	assert_non_null(big);
	rep.status = DNS_OK;
	rep.count = 1;
	rr.data = big;
	rr.len = 70000;
	dnscache_put(c, "big.example.", DNS_T_TXT, &rep, 1000);
	assert_int_equal(dnscache_get(c, "big.example.", DNS_T_TXT, 1000,
	    &out), 0);
	free(big);
	dnscache_stats(c, &st);
	assert_true(st.bytes <= (1 << 20));
	dnscache_free(c);
}

/* 8 threads, 480 queries, 8 of them timing out while the others run.  A
 * longer deadline here so that a loaded machine does not turn a local
 * answer into a timeout. */
static void
concurrent_queries(void **state)
{
	const char *fwd[1] = { fx.fwd };
	struct dns_options o = { .forwarders = fwd, .nforwarders = 1,
	    .timeout_ms = 1000, .local_data = fx.file };
	struct dns_resolver *res;
	struct worker w[8];
	struct dns_stats st;
	char err[256];
	int i;

	res = dns_resolver_new(&o, err, sizeof(err));
	assert_non_null(res);
	for (i = 0; i < 8; i++) {
		w[i].res = res;
		w[i].id = i;
		w[i].bad = 0;
		assert_int_equal(pthread_create(&w[i].t, NULL, worker_main,
		    &w[i]), 0);
	}
	for (i = 0; i < 8; i++) {
		pthread_join(w[i].t, NULL);
		assert_int_equal(w[i].bad, 0);
	}
	dns_resolver_stats(res, &st);
	assert_int_equal(st.queries, 480);
	assert_int_equal(st.timeouts + st.failures, 8);
	dns_resolver_free(res);
}

static void
free_with_abandoned_queries(void **state)
{
	char err[256];
	struct dns_resolver *r = resolver_with(fx.file, err, sizeof(err));
	struct dns_reply *rep;

	assert_non_null(r);
	assert_int_equal(dns_query(r, NULL, "slow.example", DNS_T_A, &rep), 0);
	assert_int_equal(rep->status, DNS_TEMPFAIL);
	dns_reply_free(rep);
	dns_resolver_free(r);		/* ASan: nothing leaks */
	dns_resolver_free(NULL);
	dns_reply_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(local_a_aaaa),
		cmocka_unit_test(answers_are_cached),
		cmocka_unit_test(cache_respects_ttl),
		cmocka_unit_test(cache_is_bounded),
		cmocka_unit_test(local_txt_strings_joined),
		cmocka_unit_test(local_mx_ptr_names),
		cmocka_unit_test(local_cname_followed),
		cmocka_unit_test(records_in_file_order),
		cmocka_unit_test(escaped_owner_name),
		cmocka_unit_test(status_table),
		cmocka_unit_test(name_length_limits),
		cmocka_unit_test(timeout_is_tempfail_within_deadline),
		cmocka_unit_test(message_budget_bounds_all_queries),
		cmocka_unit_test(budgets_belong_to_their_message),
		cmocka_unit_test(bad_local_data_names_file_line),
		cmocka_unit_test(bad_options_rejected),
		cmocka_unit_test(hostile_rdata_helpers),
		cmocka_unit_test(name_label_64_rejected),
		cmocka_unit_test(name_too_long_for_buffer),
		cmocka_unit_test(concurrent_queries),
		cmocka_unit_test(free_with_abandoned_queries),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
