/*
 * test_scanwire.c - the frames between the daemon and an attachment
 * worker: a reply survives the trip field by field; a reply from a
 * compromised worker (a rule that is not an attachment rule, one that
 * lowers a score, the daemon's own attach_scan_failed, a count past what
 * the frame holds, a NUL in a string, a parent that is not an earlier
 * item, trailing bytes, any cut) is refused; details reach the log as
 * printable ASCII only.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "config/config.h"
#include "rules/rules.h"
#include "verdict/verdict.h"
#include "attach/links.h"
#include "scan/scanwire.h"

/* A reply with two items (an archive and its member) and two reasons. */
static void
sample(struct scanbuf *b, struct arena *a)
{
	static const char *r0[] = { NULL }, *d0[] = { "invoice.zip" };
	static const char *r1[] = { NULL, NULL }, *d1[] = {
	    "invoice.zip/x.exe", "x.exe" };
	struct attach_item it[2];
	struct attach_results res;
	struct config *cfg = config_default();
	struct verdict v;

	r0[0] = rules_table[RULE_ATTACH_ENCRYPTED_ARCHIVE].name;
	r1[0] = rules_table[RULE_ATTACH_BANNED_MEMBER].name;
	r1[1] = rules_table[RULE_ATTACH_EXECUTABLE].name;
	memset(it, 0, sizeof(it));
	it[0].name = "invoice.zip";
	it[0].ext = "zip";
	it[0].declared = "application/zip";
	it[0].detected = "application/zip";
	it[0].parent = -1;
	it[0].size = 235;
	it[0].depth = 1;
	it[0].flags = ATTACH_ENCRYPTED;
	it[0].reasons = r0;
	it[0].details = d0;
	it[0].nreasons = 1;
	it[1].name = "x.exe";
	it[1].shown = "x\xe2\x80\xae" "exe";
	it[1].ext = "exe";
	it[1].path = "invoice.zip/x.exe";
	it[1].parent = 0;
	it[1].size = 1024;
	it[1].depth = 1;
	it[1].flags = ATTACH_MEMBER;
	it[1].reasons = r1;
	it[1].details = d1;
	it[1].nreasons = 2;
	it[1].action = VERDICT_QUARANTINE;
	memset(&res, 0, sizeof(res));
	res.items = it;
	res.nitems = 2;
	res.parts = 3;
	res.hard_action = VERDICT_QUARANTINE;
	res.hard_rule = rules_table[RULE_ATTACH_BANNED_MEMBER].name;
	res.truncated = "time";
	res.elapsed_ms = 12;
	res.cpu_ms = 7;
	memset(&v, 0, sizeof(v));
	assert_int_equal(verdict_raise_about(&v, a, cfg,
	    RULE_ATTACH_BANNED_MEMBER, "invoice.zip/x.exe", 2,
	    "invoice.zip/x.exe (+2 more)"), 0);
	assert_int_equal(verdict_raise(&v, a, cfg, RULE_ATTACH_TRUNCATED,
	    "time"), 0);
	verdict_require(&v, VERDICT_QUARANTINE);
	scanwire_put_reply(b, &res, &v, 0);
	assert_false(b->failed);
	config_free(cfg);
}

static void
reply_round_trip_keeps_every_field(void **state)
{
	struct arena *a = arena_new();
	struct scanbuf b = { NULL, 0, 0, 0 };
	struct scanwire_reply r;
	char err[256];

	sample(&b, a);
	assert_int_equal(scanwire_get_reply(b.p, b.len, a, &r, err,
	    sizeof(err)), 0);
	assert_null(r.error);
	assert_int_equal(r.res.nitems, 2);
	assert_int_equal(r.res.parts, 3);
	assert_int_equal(r.res.hard_action, VERDICT_QUARANTINE);
	/* Rule names come back as the table's own pointers. */
	assert_ptr_equal(r.res.hard_rule,
	    rules_table[RULE_ATTACH_BANNED_MEMBER].name);
	assert_string_equal(r.res.truncated, "time");
	assert_int_equal(r.res.elapsed_ms, 12);
	assert_int_equal(r.res.cpu_ms, 7);
	assert_string_equal(r.res.items[0].name, "invoice.zip");
	assert_null(r.res.items[0].shown);
	assert_null(r.res.items[0].path);
	assert_string_equal(r.res.items[0].detected, "application/zip");
	assert_int_equal(r.res.items[0].parent, -1);
	assert_int_equal(r.res.items[0].flags, ATTACH_ENCRYPTED);
	assert_string_equal(r.res.items[1].shown, "x\xe2\x80\xae" "exe");
	assert_string_equal(r.res.items[1].path, "invoice.zip/x.exe");
	assert_null(r.res.items[1].declared);
	assert_int_equal(r.res.items[1].parent, 0);
	assert_int_equal(r.res.items[1].size, 1024);
	assert_int_equal(r.res.items[1].nreasons, 2);
	assert_ptr_equal(r.res.items[1].reasons[1],
	    rules_table[RULE_ATTACH_EXECUTABLE].name);
	assert_string_equal(r.res.items[1].details[1], "x.exe");
	assert_int_equal(r.res.items[1].action, VERDICT_QUARANTINE);
	assert_int_equal(r.nraised, 2);
	assert_int_equal(r.raised[0].rule, RULE_ATTACH_BANNED_MEMBER);
	assert_string_equal(r.raised[0].detail, "invoice.zip/x.exe (+2 more)");
	/* the first item and the count travel apart (issue 13 item 3) */
	assert_string_equal(r.raised[0].about, "invoice.zip/x.exe");
	assert_int_equal(r.raised[0].more, 2);
	assert_int_equal(r.raised[1].rule, RULE_ATTACH_TRUNCATED);
	assert_null(r.raised[1].about);
	assert_int_equal(r.raised[1].more, 0);
	assert_int_equal(r.hard, VERDICT_QUARANTINE);
	scanbuf_free(&b);
	arena_free(a);
}

static void
every_cut_is_refused(void **state)
{
	struct arena *a = arena_new();
	struct scanbuf b = { NULL, 0, 0, 0 };
	struct scanwire_reply r;
	char err[256];
	size_t n;

	sample(&b, a);
	for (n = 0; n < b.len; n++)
		assert_int_equal(scanwire_get_reply(b.p, n, a, &r, err,
		    sizeof(err)), -1);
	scanbuf_free(&b);
	arena_free(a);
}

/* Hand-made replies: the fields of scanwire_put_reply in order. */
struct raw {
	unsigned char p[4096];
	size_t n;
};

static void
u32(struct raw *w, uint32_t v)
{
	memcpy(w->p + w->n, &v, 4);
	w->n += 4;
}

static void
i64(struct raw *w, int64_t v)
{
	memcpy(w->p + w->n, &v, 8);
	w->n += 8;
}

static void
str(struct raw *w, const char *s, size_t len)
{
	if (s == NULL) {
		u32(w, 0xffffffffu);
		return;
	}
	u32(w, (uint32_t)len);
	memcpy(w->p + w->n, s, len);
	w->n += len;
}

/* The link the next reply() carries (issue 12): host, kind; nlinks
 * claimed. */
static const char *link_host = "evil.example";
static uint32_t link_kind = LINK_HREF, nlinks = 1;

/* One item (parent, one reason rule) and one raised rule; nitems items
 * claimed. */
static void
reply(struct raw *w, uint32_t nitems, int64_t parent, uint32_t item_rule,
    uint32_t raised_rule, const char *name, size_t namelen,
    const char *detail)
{
	w->n = 0;
	u32(w, SCANWIRE_MAGIC);
	str(w, NULL, 0);		/* error */
	u32(w, 0);			/* retiring */
	u32(w, 1);			/* parts */
	u32(w, VERDICT_ACCEPT);
	u32(w, 0xffffffffu);		/* hard rule */
	str(w, NULL, 0);		/* truncated */
	i64(w, 0);
	i64(w, 0);
	u32(w, nitems);
	str(w, name, namelen);
	str(w, NULL, 0);
	str(w, "exe", 3);
	str(w, NULL, 0);
	str(w, "application/pdf", 15);
	str(w, NULL, 0);
	i64(w, parent);
	i64(w, 10);
	u32(w, 1);
	u32(w, 0);
	u32(w, VERDICT_ACCEPT);
	u32(w, 1);
	u32(w, item_rule);
	str(w, detail, strlen(detail));
	u32(w, nlinks);
	str(w, link_host, strlen(link_host));
	str(w, NULL, 0);		/* shown */
	str(w, "part-1", 6);
	u32(w, link_kind);
	u32(w, LINK_USERINFO);
	u32(w, 3);
	u32(w, 0);			/* dropped */
	u32(w, 1);			/* text password */
	u32(w, 0);
	u32(w, 0);
	u32(w, 0);
	u32(w, 2);			/* QR images skipped */
	u32(w, 1);
	u32(w, raised_rule);
	str(w, detail, strlen(detail));
	str(w, "", 0);			/* about */
	u32(w, 0);			/* more */
	u32(w, VERDICT_ACCEPT);
}

static int
decode(const struct raw *w, struct arena *a, struct scanwire_reply *r)
{
	char err[256];

	return scanwire_get_reply(w->p, w->n, a, r, err, sizeof(err));
}

static void
hostile_replies_are_refused(void **state)
{
	struct arena *a = arena_new();
	struct scanwire_reply r;
	struct raw w;

	reply(&w, 1, -1, RULE_ATTACH_EXECUTABLE, RULE_ATTACH_EXECUTABLE,
	    "a.exe", 5, "a.exe");
	assert_int_equal(decode(&w, a, &r), 0);	/* the honest one */
	assert_int_equal(r.raised[0].rule, RULE_ATTACH_EXECUTABLE);
	assert_int_equal(r.res.nlinks, 1);
	assert_string_equal(r.res.links[0].host, "evil.example");
	assert_int_equal(r.res.links[0].flags, LINK_USERINFO);
	assert_int_equal(r.res.links[0].count, 3);
	assert_int_equal(r.res.text_password, 1);
	assert_int_equal(r.res.qr_skipped, 2);
	/* Links: a host that is not a normalised name, a kind out of
	 * range, more than LINKS_MAX. */
	link_host = "Evil.example\r\nX-Relaywarden: accept";
	reply(&w, 1, -1, RULE_ATTACH_EXECUTABLE, RULE_ATTACH_EXECUTABLE,
	    "a.exe", 5, "x");
	assert_int_equal(decode(&w, a, &r), -1);
	link_host = "[::1";
	reply(&w, 1, -1, RULE_ATTACH_EXECUTABLE, RULE_ATTACH_EXECUTABLE,
	    "a.exe", 5, "x");
	assert_int_equal(decode(&w, a, &r), 0);	/* shape only */
	link_host = "a:b.example";
	reply(&w, 1, -1, RULE_ATTACH_EXECUTABLE, RULE_ATTACH_EXECUTABLE,
	    "a.exe", 5, "x");
	assert_int_equal(decode(&w, a, &r), -1);
	link_host = "evil.example";
	link_kind = 99;
	reply(&w, 1, -1, RULE_ATTACH_EXECUTABLE, RULE_ATTACH_EXECUTABLE,
	    "a.exe", 5, "x");
	assert_int_equal(decode(&w, a, &r), -1);
	link_kind = LINK_HREF;
	nlinks = LINKS_MAX + 1;
	reply(&w, 1, -1, RULE_ATTACH_EXECUTABLE, RULE_ATTACH_EXECUTABLE,
	    "a.exe", 5, "x");
	assert_int_equal(decode(&w, a, &r), -1);
	nlinks = 1;
	/* Not an attachment rule, a lowering rule, the daemon's own. */
	reply(&w, 1, -1, RULE_ATTACH_EXECUTABLE, RULE_SPF_FAIL, "a.exe", 5,
	    "x");
	assert_int_equal(decode(&w, a, &r), -1);
	reply(&w, 1, -1, RULE_ATTACH_EXECUTABLE, RULE_FORWARDER, "a.exe", 5,
	    "x");
	assert_int_equal(decode(&w, a, &r), -1);
	reply(&w, 1, -1, RULE_KNOWN_SIGNER_ALIGNED, RULE_ATTACH_EXECUTABLE,
	    "a.exe", 5, "x");
	assert_int_equal(decode(&w, a, &r), -1);
	reply(&w, 1, -1, RULE_ATTACH_EXECUTABLE, RULE_ATTACH_SCAN_FAILED,
	    "a.exe", 5, "x");
	assert_int_equal(decode(&w, a, &r), -1);
	reply(&w, 1, -1, RULE_COUNT, RULE_ATTACH_EXECUTABLE, "a.exe", 5, "x");
	assert_int_equal(decode(&w, a, &r), -1);
	/* Counts past the frame, a parent that is not an earlier item. */
	reply(&w, 1000000, -1, RULE_ATTACH_EXECUTABLE,
	    RULE_ATTACH_EXECUTABLE, "a.exe", 5, "x");
	assert_int_equal(decode(&w, a, &r), -1);
	reply(&w, 1, 0, RULE_ATTACH_EXECUTABLE, RULE_ATTACH_EXECUTABLE,
	    "a.exe", 5, "x");
	assert_int_equal(decode(&w, a, &r), -1);
	reply(&w, 1, -2, RULE_ATTACH_EXECUTABLE, RULE_ATTACH_EXECUTABLE,
	    "a.exe", 5, "x");
	assert_int_equal(decode(&w, a, &r), -1);
	/* A NUL inside a name: not the name the rules saw. */
	reply(&w, 1, -1, RULE_ATTACH_EXECUTABLE, RULE_ATTACH_EXECUTABLE,
	    "a.pdf\0.exe", 10, "x");
	assert_int_equal(decode(&w, a, &r), -1);
	/* Trailing bytes. */
	reply(&w, 1, -1, RULE_ATTACH_EXECUTABLE, RULE_ATTACH_EXECUTABLE,
	    "a.exe", 5, "x");
	u32(&w, 0);
	assert_int_equal(decode(&w, a, &r), -1);
	arena_free(a);
}

static void
details_reach_the_log_printable(void **state)
{
	struct arena *a = arena_new();
	struct scanwire_reply r;
	struct raw w;

	reply(&w, 1, -1, RULE_ATTACH_EXECUTABLE, RULE_ATTACH_EXECUTABLE,
	    "a\r\nb.exe", 8, "x\r\nX-Relaywarden: action=accept\xff");
	assert_int_equal(decode(&w, a, &r), 0);
	/* The name stays as decoded (the report escapes it); details are
	 * shown as they are, so they are made printable. */
	assert_string_equal(r.res.items[0].name, "a\r\nb.exe");
	assert_string_equal(r.raised[0].detail,
	    "x??X-Relaywarden: action=accept?");
	assert_string_equal(r.res.items[0].details[0],
	    "x??X-Relaywarden: action=accept?");
	arena_free(a);
}

static void
request_and_ready_frames(void **state)
{
	struct arena *a = arena_new();
	struct scanbuf b = { NULL, 0, 0, 0 };
	const char *from, *problem;
	enum scanwire_kind kind;
	unsigned long long len;

	scanwire_put_request(&b, SCANWIRE_WINDOW, 4242, "partner.example");
	assert_int_equal(scanwire_get_request(b.p, b.len, a, &kind, &len,
	    &from), 0);
	assert_int_equal(kind, SCANWIRE_WINDOW);
	assert_int_equal(len, 4242);
	assert_string_equal(from, "partner.example");
	assert_int_equal(scanwire_get_request(b.p, b.len - 1, a, &kind, &len,
	    &from), -1);
	scanbuf_free(&b);
	scanwire_put_request(&b, SCANWIRE_SPOOL_FD, 0, NULL);
	assert_int_equal(scanwire_get_request(b.p, b.len, a, &kind, &len,
	    &from), 0);
	assert_int_equal(kind, SCANWIRE_SPOOL_FD);
	assert_null(from);
	scanbuf_free(&b);
	scanwire_put_request(&b, (enum scanwire_kind)9, 0, NULL);
	assert_int_equal(scanwire_get_request(b.p, b.len, a, &kind, &len,
	    &from), -1);
	scanbuf_free(&b);
	scanwire_put_ready(&b);
	assert_int_equal(scanwire_get_ready(b.p, b.len, a, &problem), 0);
	assert_null(problem);
	scanbuf_free(&b);
	scanwire_put_error(&b, "attachments: cannot load the libmagic "
	    "database", 1);
	assert_int_equal(scanwire_get_ready(b.p, b.len, a, &problem), 0);
	assert_string_equal(problem,
	    "attachments: cannot load the libmagic database");
	scanbuf_free(&b);
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reply_round_trip_keeps_every_field),
		cmocka_unit_test(every_cut_is_refused),
		cmocka_unit_test(hostile_replies_are_refused),
		cmocka_unit_test(details_reach_the_log_printable),
		cmocka_unit_test(request_and_ready_frames),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
