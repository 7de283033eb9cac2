/*
 * test_lookalike.c - lookalike.c and confusable.c: confusables (Latin,
 * Cyrillic, Greek, digits, punycode), edit distance 1 and not 2, TLD
 * swaps, embedded names, same-organisation names never flagged, known
 * correspondents against protected domains only, removal and merges,
 * readers during writes, hostile names in bounded time, the fold used by
 * display names.  The million-domain index is the benchmark's
 * (tests/bench/bench_lookalike.c), not this test's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/arena.h"
#include "util/confusable.h"
#include "util/deadline.h"
#include "sender/lookalike.h"

#define P	LOOKALIKE_PROTECTED
#define K	LOOKALIKE_KNOWN
#define PA	(LOOKALIKE_PROTECTED | LOOKALIKE_PARTNER)

static const struct {
	const char *domain;
	unsigned flags;
} seed[] = {
	{ "paypal.com", P },
	{ "www.example.com", P },	/* kept as example.com */
	{ "amazon.com", P },
	{ "microsoft.com", P },
	{ "bankofexample.co.uk", P },
	{ "acme.example", P },
	{ "github.com", K },
	{ "kundenservice.de", K },
	{ "m\xc3\xbcller.de", K },	/* müller.de, as U-label */
	{ "bmw.de", K },
	{ "paypai.com", K },		/* a correspondent near a protected */
	{ "githab.com", K },		/* ... and near a correspondent */
	/* issue 11 item 4: learned correspondents and partners */
	{ "contoso.com", K },
	{ "northwind.com", K },
	{ "dataforge.com", K },
	{ "smithfield.com", K },
	{ "widget-works.com", K },
	{ "nordwest.de", K },
	{ "nordwest-audit.de", K },	/* its sibling, itself known */
	{ "name-audit.example", PA },	/* a partner, hyphenated */
	{ "fabrikam.example", PA },
	{ "fabrikam-group.com", K },	/* a correspondent like a partner */
	{ "kiko.de", K },
};

/* want: kind, target (NULL: none) */
static const struct {
	const char *behaviour, *candidate;
	enum lookalike_kind kind;
	const char *target;
} cases[] = {
	/* the same organisation is never a lookalike */
	{ "exact protected domain is not flagged", "paypal.com",
	    LOOKALIKE_NONE, NULL },
	{ "upper case is the same domain", "PayPal.COM", LOOKALIKE_NONE,
	    NULL },
	{ "trailing dot is the same domain", "paypal.com.", LOOKALIKE_NONE,
	    NULL },
	{ "same-org subdomain is not flagged", "mail.paypal.com",
	    LOOKALIKE_NONE, NULL },
	{ "deep same-org subdomain is not flagged",
	    "a.b.c.bankofexample.co.uk", LOOKALIKE_NONE, NULL },
	{ "fullwidth letters map to the same domain",
	    "\xef\xbd\x90\xef\xbd\x81\xef\xbd\x99\xef\xbd\x90\xef\xbd\x81"
	    "\xef\xbd\x8c.com", LOOKALIKE_NONE, NULL },
	{ "unrelated domain is not flagged", "wikipedia.org",
	    LOOKALIKE_NONE, NULL },
	/* confusables */
	{ "digit one for letter l", "paypa1.com", LOOKALIKE_CONFUSABLE,
	    "paypal.com" },
	{ "digit zero for letter o", "micr0soft.com", LOOKALIKE_CONFUSABLE,
	    "microsoft.com" },
	{ "rn for m", "arnazon.com", LOOKALIKE_CONFUSABLE, "amazon.com" },
	{ "Cyrillic a in a U-label", "p\xd0\xb0ypal.com",
	    LOOKALIKE_CONFUSABLE, "paypal.com" },
	{ "Cyrillic a as punycode", "xn--pypal-4ve.com",
	    LOOKALIKE_CONFUSABLE, "paypal.com" },
	{ "Greek alpha", "p\xce\xb1ypal.com", LOOKALIKE_CONFUSABLE,
	    "paypal.com" },
	{ "Latin, Cyrillic and Greek mixed", "p\xd0\xb0y\xcf\x81\xce\xb1l.com",
	    LOOKALIKE_CONFUSABLE, "paypal.com" },
	{ "a Cyrillic subdomain of a correspondent is the correspondent",
	    "\xd1\x81\xd0\xbe\xd0\xbc.github.com", LOOKALIKE_NONE, NULL },
	{ "diacritic added", "payp\xc3\xa4l.com", LOOKALIKE_CONFUSABLE,
	    "paypal.com" },
	{ "diacritic dropped from a known IDN", "muller.de",
	    LOOKALIKE_CONFUSABLE, "xn--mller-kva.de" },
	/* edit distance 1 on the registrable label */
	{ "deletion", "paypl.com", LOOKALIKE_EDIT, "paypal.com" },
	{ "insertion", "paypall.com", LOOKALIKE_EDIT, "paypal.com" },
	{ "substitution", "paypel.com", LOOKALIKE_EDIT, "paypal.com" },
	{ "transposition", "pyapal.com", LOOKALIKE_EDIT, "paypal.com" },
	{ "edit at the first letter", "xaypal.com", LOOKALIKE_EDIT,
	    "paypal.com" },
	{ "edit under another suffix", "paypel.net", LOOKALIKE_EDIT,
	    "paypal.com" },
	{ "edit of a known correspondent", "kundenservise.de",
	    LOOKALIKE_EDIT, "kundenservice.de" },
	{ "edit of a short known label (6 < 8) is not flagged", "gitbub.com",
	    LOOKALIKE_NONE, NULL },
	{ "digit-only edit of a known correspondent is not flagged",
	    "kundenservice2.de", LOOKALIKE_NONE, NULL },
	{ "digit added to a protected name", "paypal1.com", LOOKALIKE_EDIT,
	    "paypal.com" },
	{ "edit distance 2 is not flagged", "pypel.com", LOOKALIKE_NONE,
	    NULL },
	{ "two transpositions are not flagged", "pyapla.com",
	    LOOKALIKE_NONE, NULL },
	{ "short known label gets no edit", "bmv.de", LOOKALIKE_NONE, NULL },
	/* TLD */
	{ "TLD swapped", "paypal.de", LOOKALIKE_TLD, "paypal.com" },
	{ "TLD cut short", "example.co", LOOKALIKE_TLD, "example.com" },
	{ "TLD added under a public suffix", "paypal.com.co", LOOKALIKE_TLD,
	    "paypal.com" },
	{ "multi-label suffix swapped", "bankofexample.com", LOOKALIKE_TLD,
	    "bankofexample.co.uk" },
	{ "short known label gets no TLD swap", "bmw.com", LOOKALIKE_NONE,
	    NULL },
	{ "confusable and TLD swapped", "paypa1.net", LOOKALIKE_TLD,
	    "paypal.com" },
	/* embedded */
	{ "protected name and TLD as subdomain labels",
	    "paypal.com.evil.net", LOOKALIKE_EMBEDDED, "paypal.com" },
	{ "protected name further down", "login.paypal.com.secure.evil.net",
	    LOOKALIKE_EMBEDDED, "paypal.com" },
	{ "protected bare name as a subdomain", "paypal.evil.net",
	    LOOKALIKE_EMBEDDED, "paypal.com" },
	{ "name and TLD hyphen-joined", "example-com.net",
	    LOOKALIKE_EMBEDDED, "example.com" },
	{ "multi-label suffix hyphen-joined", "bankofexample-co-uk.net",
	    LOOKALIKE_EMBEDDED, "bankofexample.co.uk" },
	{ "protected bare name hyphen-joined", "paypal-login.net",
	    LOOKALIKE_EMBEDDED, "paypal.com" },
	{ "known name with TLD embedded", "kundenservice.de.evil.net",
	    LOOKALIKE_EMBEDDED, "kundenservice.de" },
	{ "TLD swap of a known correspondent", "kundenservice.com",
	    LOOKALIKE_TLD, "kundenservice.de" },
	{ "known bare name is not embedded", "github.evil.net",
	    LOOKALIKE_NONE, NULL },
	{ "confusable embedded name", "paypa1.com.evil.net",
	    LOOKALIKE_EMBEDDED, "paypal.com" },
	/* known correspondents */
	{ "known correspondent still checked against protected",
	    "paypai.com", LOOKALIKE_EDIT, "paypal.com" },
	{ "known correspondent not accused by another",
	    "githab.com", LOOKALIKE_NONE, NULL },
	/* learned correspondents and partners (issue 11 item 4) */
	{ "vv for w in a known correspondent", "northvvind.com",
	    LOOKALIKE_CONFUSABLE, "northwind.com" },
	{ "cl for d in a known correspondent", "clataforge.com",
	    LOOKALIKE_CONFUSABLE, "dataforge.com" },
	{ "rn for m in a known correspondent", "srnithfield.com",
	    LOOKALIKE_CONFUSABLE, "smithfield.com" },
	{ "Cyrillic o in a known correspondent", "c\xd0\xbentoso.com",
	    LOOKALIKE_CONFUSABLE, "contoso.com" },
	{ "TLD swap of a known correspondent", "northwind.de",
	    LOOKALIKE_TLD, "northwind.com" },
	{ "TLD added to a known correspondent", "northwind.com.co",
	    LOOKALIKE_TLD, "northwind.com" },
	{ "a short known name under another TLD is not flagged",
	    "contoso.de", LOOKALIKE_NONE, NULL },
	{ "a word hyphen-added after a known name", "contoso-billing.com",
	    LOOKALIKE_EMBEDDED, "contoso.com" },
	{ "a word hyphen-added before a known name", "secure-contoso.net",
	    LOOKALIKE_EMBEDDED, "contoso.com" },
	{ "a word added to a hyphenated known name",
	    "widget-works-invoices.com", LOOKALIKE_EMBEDDED,
	    "widget-works.com" },
	{ "words around a hyphenated known name",
	    "pay-widget-works-now.com", LOOKALIKE_EMBEDDED,
	    "widget-works.com" },
	{ "a word added to a hyphenated partner", "name-audit-billing.com",
	    LOOKALIKE_EMBEDDED, "name-audit.example" },
	{ "a word added to a partner", "fabrikam-invoices.com",
	    LOOKALIKE_EMBEDDED, "fabrikam.example" },
	{ "a known sibling of a known correspondent is not flagged",
	    "nordwest-audit.de", LOOKALIKE_NONE, NULL },
	{ "a known correspondent is not flagged as a partner's lookalike",
	    "fabrikam-group.com", LOOKALIKE_NONE, NULL },
	{ "a subdomain of a known correspondent is not flagged",
	    "billing.contoso.com", LOOKALIKE_NONE, NULL },
	{ "a short known name with a word added is not flagged",
	    "kiko-service.de", LOOKALIKE_NONE, NULL },
	{ "a known name inside a word is not flagged", "contosoville.com",
	    LOOKALIKE_NONE, NULL },
	{ "a known bare name as a subdomain label is not flagged",
	    "contoso.mail.example", LOOKALIKE_NONE, NULL },
	/* not domains */
	{ "a single label has no organisation", "localhost", LOOKALIKE_NONE,
	    NULL },
	{ "a public suffix alone", "co.uk", LOOKALIKE_NONE, NULL },
	{ "invalid punycode", "xn--zzzz.com", LOOKALIKE_NONE, NULL },
	{ "bytes that are no domain", "pay pal.com", LOOKALIKE_NONE, NULL },
	{ "empty", "", LOOKALIKE_NONE, NULL },
};

static struct lookalike_index *
seeded(void)
{
	struct lookalike_index *ix;
	char err[256];
	size_t i;

	ix = lookalike_index_new(NULL, err, sizeof(err));
	if (ix == NULL)
		fail_msg("index: %s", err);
	for (i = 0; i < sizeof(seed) / sizeof(seed[0]); i++)
		if (lookalike_index_add(ix, seed[i].domain, seed[i].flags, err,
		    sizeof(err)) != 0)
			fail_msg("add %s: %s", seed[i].domain, err);
	return ix;
}

static void
run_cases(struct lookalike_index *ix, const char *when)
{
	struct arena *a = arena_new();
	struct lookalike_match m;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (lookalike_check(ix, cases[i].candidate, a, &m) != 0)
			fail_msg("%s: %s: error", when, cases[i].behaviour);
		if (m.kind != cases[i].kind)
			fail_msg("%s: %s: kind %s (%s), want %s", when,
			    cases[i].behaviour, lookalike_kind_name(m.kind),
			    m.detail ? m.detail : "-",
			    lookalike_kind_name(cases[i].kind));
		if ((cases[i].target == NULL) != (m.target == NULL) ||
		    (m.target != NULL && strcmp(m.target, cases[i].target)))
			fail_msg("%s: %s: target %s, want %s", when,
			    cases[i].behaviour, m.target ? m.target : "-",
			    cases[i].target ? cases[i].target : "-");
		if (m.kind != LOOKALIKE_NONE && (m.detail == NULL ||
		    !(m.kinds & (1u << m.kind))))
			fail_msg("%s: %s: no detail or kinds", when,
			    cases[i].behaviour);
	}
	arena_free(a);
}

static void
lookalike_table_delta(void **state)
{
	struct lookalike_index *ix = seeded();

	run_cases(ix, "in the delta");
	lookalike_index_free(ix);
}

static void
lookalike_table_after_merge(void **state)
{
	struct lookalike_index *ix = seeded();
	struct lookalike_stats st;
	char err[256];

	assert_int_equal(lookalike_index_merge(ix, err, sizeof(err)), 0);
	lookalike_index_stats(ix, &st);
	assert_int_equal(st.delta, 0);
	assert_int_equal(st.base, sizeof(seed) / sizeof(seed[0]));
	run_cases(ix, "in the base");
	lookalike_index_free(ix);
}

static void
match_fields_are_filled(void **state)
{
	struct lookalike_index *ix = seeded();
	struct arena *a = arena_new();
	struct lookalike_match m;

	assert_int_equal(lookalike_check(ix, "xn--pypal-4ve.com", a, &m), 0);
	assert_string_equal(m.domain, "xn--pypal-4ve.com");
	assert_string_equal(m.detail, "confusable with paypal.com "
	    "(protected)");
	assert_int_equal(m.target_flags, P);
	assert_int_equal(m.self_flags, 0);
	assert_false(m.idna_error);
	assert_int_equal(lookalike_check(ix, "www.sub.paypal.com", a, &m), 0);
	assert_int_equal(m.self_flags, P);
	assert_string_equal(m.domain, "paypal.com");
	assert_int_equal(lookalike_check(ix, "xn--zzzz.com", a, &m), 0);
	assert_true(m.idna_error);
	assert_int_equal(lookalike_check(ix, "githab.com", a, &m), 0);
	assert_int_equal(m.self_flags, K);
	/* a protected and a known name: the protected one is reported */
	assert_int_equal(lookalike_check(ix, "github-com-paypal-com.net", a,
	    &m), 0);
	assert_string_equal(m.target, "paypal.com");
	assert_int_equal(lookalike_check(ix, "not a domain", a, &m), 0);
	assert_null(m.domain);
	arena_free(a);
	lookalike_index_free(ix);
}

static void
lookup_and_find_label(void **state)
{
	struct lookalike_index *ix = seeded();
	struct arena *a = arena_new();
	const char *org;

	assert_int_equal(lookalike_lookup(ix, "WWW.PAYPAL.COM", a, &org), P);
	assert_string_equal(org, "paypal.com");
	assert_int_equal(lookalike_lookup(ix, "github.com", a, NULL), K);
	assert_int_equal(lookalike_lookup(ix, "xn--mller-kva.de", a, NULL), K);
	assert_int_equal(lookalike_lookup(ix, "paypa1.com", a, NULL), 0);
	assert_int_equal(lookalike_lookup(ix, "..", a, &org), 0);
	assert_null(org);
	assert_string_equal(lookalike_find_label(ix, "PayPal", P, a),
	    "paypal.com");
	assert_string_equal(lookalike_find_label(ix, "PAYPA1", P, a),
	    "paypal.com");
	assert_null(lookalike_find_label(ix, "Pay Pal", P, a));
	assert_null(lookalike_find_label(ix, "github", P, a));
	assert_string_equal(lookalike_find_label(ix, "GitHub", K, a),
	    "github.com");
	assert_null(lookalike_find_label(ix, "", P, a));
	arena_free(a);
	lookalike_index_free(ix);
}

static void
flags_add_up_and_remove(void **state)
{
	struct lookalike_index *ix = seeded();
	struct arena *a = arena_new();
	struct lookalike_match m;
	struct lookalike_stats st;
	char err[256];
	int round;

	for (round = 0; round < 2; round++) {
		/* round 1: the same in the base */
		assert_int_equal(lookalike_index_add(ix, "sub.github.com", P,
		    err, sizeof(err)), 0);
		assert_int_equal(lookalike_lookup(ix, "github.com", a, NULL),
		    P | K);
		assert_int_equal(lookalike_index_remove(ix, "github.com", P),
		    0);
		assert_int_equal(lookalike_lookup(ix, "github.com", a, NULL),
		    K);
		assert_int_equal(lookalike_index_remove(ix, "paypal.com",
		    P), 0);
		/* paypai.com, one edit away, is too short a known name */
		assert_int_equal(lookalike_check(ix, "paypa1.com", a, &m), 0);
		assert_int_equal(m.kind, LOOKALIKE_NONE);
		lookalike_index_stats(ix, &st);
		assert_int_equal(st.domains, sizeof(seed) / sizeof(seed[0]) -
		    1);
		assert_int_equal(lookalike_index_add(ix, "paypal.com", P, err,
		    sizeof(err)), 0);
		assert_int_equal(lookalike_check(ix, "paypa1.com", a, &m), 0);
		assert_int_equal(m.kind, LOOKALIKE_CONFUSABLE);
		assert_int_equal(lookalike_index_remove(ix, "absent.example",
		    P), 0);
		assert_int_equal(lookalike_index_merge(ix, err, sizeof(err)),
		    0);
	}
	/* removed records linger in the base until a full rebuild */
	lookalike_index_stats(ix, &st);
	assert_int_equal(st.domains, sizeof(seed) / sizeof(seed[0]));
	assert_int_equal(st.delta, 0);
	assert_true(st.base >= st.domains);
	arena_free(a);
	lookalike_index_free(ix);
}

static void
bad_adds_are_refused(void **state)
{
	struct lookalike_index *ix = seeded();
	char err[256];

	assert_int_equal(lookalike_index_add(ix, "co.uk", P, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "public suffix"));
	assert_int_equal(lookalike_index_add(ix, "a b.example", K, err,
	    sizeof(err)), -1);
	assert_int_equal(lookalike_index_add(ix, "ok.example", 0, err,
	    sizeof(err)), -1);
	assert_int_equal(lookalike_index_add(ix, NULL, K, err, sizeof(err)),
	    -1);
	assert_int_equal(lookalike_index_remove(ix, "", K), -1);
	lookalike_index_free(ix);
	lookalike_index_free(NULL);
}

/* Synthetic correspondent i: a pronounceable label of 7-12 letters. */
static void
synth(unsigned i, char *buf, size_t len)
{
	static const char *const syl[] = { "ka", "lo", "mi", "ne", "su",
	    "ta", "ri", "vo", "de", "ba", "go", "pu", "xe", "zi", "fa", "he" };
	static const char *const tld[] = { "com", "net", "org", "de",
	    "co.uk", "io" };
	char label[64];
	size_t o = 0;
	unsigned x = i * 2654435761u, k;

	for (k = 0; k < 4 + i % 3; k++, x /= 16)
		o += (size_t)snprintf(label + o, sizeof(label) - o, "%s",
		    syl[x % 16]);
	snprintf(buf, len, "%s%u.%s", label, i, tld[i % 6]);
}

static void
merges_keep_every_domain(void **state)
{
	struct lookalike_index *ix = seeded();
	struct arena *a = arena_new();
	struct lookalike_stats st;
	char name[128], err[256];
	unsigned i;

	for (i = 0; i < 10000; i++) {
		synth(i, name, sizeof(name));
		assert_int_equal(lookalike_index_add(ix, name, K, err,
		    sizeof(err)), 0);
	}
	lookalike_index_stats(ix, &st);
	assert_true(st.merges >= 1);
	assert_int_equal(st.domains, 10000 + sizeof(seed) / sizeof(seed[0]));
	for (i = 0; i < 10000; i += 97) {
		synth(i, name, sizeof(name));
		assert_int_equal(lookalike_lookup(ix, name, a, NULL), K);
	}
	/* memory stays modest: a few hundred bytes a domain at most */
	assert_true(st.bytes / st.domains < 400);
	run_cases(ix, "after merges");
	arena_free(a);
	lookalike_index_free(ix);
}

struct reader {
	struct lookalike_index *ix;
	unsigned checks, misses;
};

static void *
reader_main(void *arg)
{
	struct reader *r = arg;
	struct lookalike_match m;
	struct arena *a;
	unsigned i;

	for (i = 0; i < 3000; i++) {
		a = arena_new();
		if (lookalike_check(r->ix, i % 2 ? "paypa1.com" :
		    "kundenservise.de", a, &m) != 0 ||
		    m.kind == LOOKALIKE_NONE)
			r->misses++;
		r->checks++;
		arena_free(a);
	}
	return NULL;
}

static void
readers_see_every_match_while_a_writer_merges(void **state)
{
	struct lookalike_index *ix = seeded();
	struct reader r[3];
	pthread_t t[3];
	char name[128], err[256];
	unsigned i;

	for (i = 0; i < 3; i++) {
		r[i].ix = ix;
		r[i].checks = r[i].misses = 0;
		assert_int_equal(pthread_create(&t[i], NULL, reader_main,
		    &r[i]), 0);
	}
	for (i = 0; i < 12000; i++) {
		synth(i, name, sizeof(name));
		assert_int_equal(lookalike_index_add(ix, name, K, err,
		    sizeof(err)), 0);
	}
	for (i = 0; i < 3; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(r[i].checks, 3000);
		assert_int_equal(r[i].misses, 0);
	}
	lookalike_index_free(ix);
}

static void
hostile_names_are_bounded(void **state)
{
	struct lookalike_index *ix = seeded();
	struct arena *a = arena_new();
	struct lookalike_match m;
	char *s = malloc(8192);
	size_t i, o;
	long long t0;

	assert_non_null(s);
	t0 = deadline_cpu_ms();
	/* 63-letter labels, the longest name */
	for (o = 0, i = 0; i < 3; i++) {
		memset(s + o, 'p', 63);
		o += 63;
		s[o++] = '.';
	}
	strcpy(s + o, "paypal.com");
	assert_int_equal(lookalike_check(ix, s, a, &m), 0);
	assert_int_equal(m.kind, LOOKALIKE_NONE);	/* same org */
	strcpy(s + o, "evil.com");
	assert_int_equal(lookalike_check(ix, s, a, &m), 0);
	/* a 64-letter label is not a domain */
	memset(s, 'a', 64);
	strcpy(s + 64, ".com");
	assert_int_equal(lookalike_check(ix, s, a, &m), 0);
	assert_null(m.domain);
	/* 126 labels */
	for (o = 0, i = 0; i < 125; i++) {
		s[o++] = 'a';
		s[o++] = '.';
	}
	strcpy(s + o, "com");
	assert_int_equal(lookalike_check(ix, s, a, &m), 0);
	assert_string_equal(m.domain, "a.com");
	/* paypal in every one of many labels */
	for (o = 0, i = 0; i < 30; i++)
		o += (size_t)sprintf(s + o, "paypal.");
	strcpy(s + o, "evil.com");
	assert_int_equal(lookalike_check(ix, s, a, &m), 0);
	assert_int_equal(m.kind, LOOKALIKE_EMBEDDED);
	/* 4 KB of input, over the cap */
	memset(s, 'a', 4096);
	strcpy(s + 4096, ".com");
	assert_int_equal(lookalike_check(ix, s, a, &m), 0);
	assert_null(m.domain);
	/* invalid UTF-8, controls */
	assert_int_equal(lookalike_check(ix, "pay\xff\xfepal.com", a, &m), 0);
	assert_int_equal(lookalike_check(ix, "pay\r\npal.com", a, &m), 0);
	assert_null(m.domain);
	/* a label of combining marks: long in UTF-8, short in A-labels */
	for (o = 0, i = 0; i < 20; i++)
		o += (size_t)sprintf(s + o, "a\xcc\x81\xcc\x82");
	strcpy(s + o, ".com");
	assert_int_equal(lookalike_check(ix, s, a, &m), 0);
	/* mixed scripts, hyphens everywhere */
	for (o = 0, i = 0; i < 20; i++)
		o += (size_t)sprintf(s + o, "p\xd0\xb0-");
	strcpy(s + o, "x.com");
	assert_int_equal(lookalike_check(ix, s, a, &m), 0);
	/* xn-- labels that do not decode, many of them */
	for (o = 0, i = 0; i < 20; i++)
		o += (size_t)sprintf(s + o, "xn--%02zu-zzzz.", i);
	strcpy(s + o, "com");
	assert_int_equal(lookalike_check(ix, s, a, &m), 0);
	/* This thread's CPU time, not the wall clock: a loaded machine
	 * does not move it, and 2 s is many times what it takes, enough
	 * for ASan too, while a quadratic walk would pass it. */
	assert_true(deadline_cpu_ms() - t0 < 2000);
	free(s);
	arena_free(a);
	lookalike_index_free(ix);
}

static const struct {
	const char *behaviour, *in, *want;
} folds[] = {
	{ "case", "PayPal", "paypal" },
	{ "digit one is l", "paypa1", "paypal" },
	{ "digit zero is o", "micr0soft", "rnicrosoft" },
	{ "m is rn", "amazon", "arnazon" },
	{ "Cyrillic a", "p\xd0\xb0ypal", "paypal" },
	{ "accents dropped", "Jos\xc3\xa9 N\xc3\xba\xc3\xb1""ez",
	    "jose nunez" },
	{ "fullwidth", "\xef\xbc\xb0\xef\xbd\x81\xef\xbd\x99", "pay" },
	{ "invalid UTF-8 is U+FFFD", "a\xff", "a\xef\xbf\xbd" },
};

static void
fold_table(void **state)
{
	char out[256];
	size_t i;
	int n;

	for (i = 0; i < sizeof(folds) / sizeof(folds[0]); i++) {
		n = confusable_fold(folds[i].in, strlen(folds[i].in), out,
		    sizeof(out));
		if (n < 0 || strcmp(out, folds[i].want) != 0)
			fail_msg("%s: got [%s]", folds[i].behaviour,
			    n < 0 ? "error" : out);
	}
	assert_int_equal(confusable_fold("abc", 3, out, 3), -1);
	assert_int_equal(confusable_fold(out, CONFUSABLE_TEXT_MAX + 1, out,
	    sizeof(out)), -1);
}

static const struct {
	const char *behaviour, *in, *want;
} decodes[] = {
	{ "plain text kept", "John Doe", "John Doe" },
	{ "Q encoding", "=?utf-8?q?Jos=C3=A9_N=C3=BA=C3=B1ez?=",
	    "Jos\xc3\xa9 N\xc3\xba\xc3\xb1""ez" },
	{ "B encoding", "=?UTF-8?B?UGF5UGFs?=", "PayPal" },
	{ "latin-1", "=?iso-8859-1?q?Jos=E9?=", "Jos\xc3\xa9" },
	{ "space between words dropped", "=?utf-8?q?Pay?= =?utf-8?q?Pal?=",
	    "PayPal" },
	{ "space before text kept", "=?utf-8?q?Pay?= Pal", "Pay Pal" },
	{ "language suffix", "=?utf-8*en?q?Hi?=", "Hi" },
	{ "unknown charset kept", "=?x-nonesuch?q?Hi?=",
	    "=?x-nonesuch?q?Hi?=" },
	{ "bad base64 kept", "=?utf-8?b?*?=", "=?utf-8?b?*?=" },
	{ "unterminated kept", "=?utf-8?q?Hi", "=?utf-8?q?Hi" },
	{ "bad hex kept", "=?utf-8?q?=ZZ?=", "=?utf-8?q?=ZZ?=" },
};

static void
encoded_words_table(void **state)
{
	char out[256];
	size_t i;

	for (i = 0; i < sizeof(decodes) / sizeof(decodes[0]); i++) {
		confusable_decode_words(decodes[i].in, out, sizeof(out));
		if (strcmp(out, decodes[i].want) != 0)
			fail_msg("%s: got [%s]", decodes[i].behaviour, out);
	}
	confusable_decode_words("=?utf-8?q?abcdef?=", out, 4);
	assert_true(strlen(out) <= 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lookalike_table_delta),
		cmocka_unit_test(lookalike_table_after_merge),
		cmocka_unit_test(match_fields_are_filled),
		cmocka_unit_test(lookup_and_find_label),
		cmocka_unit_test(flags_add_up_and_remove),
		cmocka_unit_test(bad_adds_are_refused),
		cmocka_unit_test(merges_keep_every_domain),
		cmocka_unit_test(readers_see_every_match_while_a_writer_merges),
		cmocka_unit_test(hostile_names_are_bounded),
		cmocka_unit_test(fold_table),
		cmocka_unit_test(encoded_words_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
