/*
 * test_ics.c - links of calendar invitations (policy/attach/ics.c):
 * folding, TEXT escapes, URI properties, ATTACH by URI or inline, the
 * HTML description, invitations with no link, hostile files.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attach/attach.h"
#include "attach/htmllinks.h"
#include "attach/ics.h"
#include "attach/links.h"
#include "attach/spool.h"
#include "util/arena.h"
#include "util/deadline.h"

#define HEAD	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\n" \
		"BEGIN:VEVENT\r\nUID:1@example\r\n" \
		"ORGANIZER;CN=\"Boss: Inc\":mailto:boss@org.example\r\n"
#define TAIL	"END:VEVENT\r\nEND:VCALENDAR\r\n"

static struct attach_results *
scan_n(struct arena *a, const char *s, size_t n, unsigned flags)
{
	struct attach_results *r = arena_calloc(a, 1, sizeof(*r));
	struct deadline dl;
	struct spool *sp;

	assert_non_null(r);
	sp = spool_from_memory(a, s, n);
	assert_non_null(sp);
	deadline_start(&dl, 60000);
	assert_int_equal(ics_scan(sp, &dl, a, r, "invite.ics", flags), 0);
	assert_int_equal(r->calendars, 1);
	return r;
}

static struct attach_results *
scan(struct arena *a, const char *s)
{
	return scan_n(a, s, strlen(s), 0);
}

static const struct attach_link *
find(const struct attach_results *r, const char *host)
{
	size_t i;

	for (i = 0; i < r->nlinks; i++)
		if (strcmp(r->links[i].host, host) == 0) {
			assert_int_equal(r->links[i].kind, LINK_CALENDAR);
			return &r->links[i];
		}
	return NULL;
}

/* Folded lines, a URL cut by the fold, escaped commas and newlines. */
static void
test_text(void **state)
{
	struct arena *a = arena_new();
	struct attach_results *r;
	const struct attach_link *l;

	(void)state;
	r = scan(a, HEAD "DESCRIPTION:Please review before the call:\\nhttps:"
	    "//do\r\n cs.evil-share.example/open?id=1\\,2\\, thanks\r\n"
	    "SUMMARY:Q3 see www.summary.example/a\\;b\r\n"
	    "LOCATION:Room 4\\, https://loc.exam\n\tple/map\r\n"
	    "COMMENT:C:\\\\share or https://comment.example/\r\n" TAIL);
	l = find(r, "docs.evil-share.example");
	assert_non_null(l);
	assert_string_equal(l->where, "invite.ics");
	assert_int_equal(l->flags & LINK_ATTACHMENT, 0);
	assert_non_null(find(r, "www.summary.example"));
	assert_non_null(find(r, "loc.example"));
	assert_non_null(find(r, "comment.example"));
	/* the organizer's mailto: is no link */
	assert_int_equal(r->nlinks, 4);
	arena_free(a);
}

/* URL, ATTACH by URI and inline, CONFERENCE, a group prefix. */
static void
test_uri(void **state)
{
	struct arena *a = arena_new();
	struct attach_results *r;
	static const char ics[] = HEAD "URL:https://url.example/event\r\n"
	    "ATTACH;FMTTYPE=application/pdf:https://files.example/a.pdf\r\n"
	    "ATTACH;ENCODING=BASE64;VALUE=BINARY:https://binary.example/\r\n"
	    "ATTACH;VALUE=\"BINARY\";ENCODING=b:https://quoted.example/\r\n"
	    "item1.CONFERENCE;VALUE=URI:https://conf.example/j/1\r\n"
	    "ATTACH:CID:part1@example\r\n" TAIL;

	(void)state;
	r = scan_n(a, ics, sizeof(ics) - 1, LINK_ATTACHMENT);
	assert_non_null(find(r, "url.example"));
	assert_true(find(r, "url.example")->flags & LINK_ATTACHMENT);
	assert_non_null(find(r, "files.example"));
	assert_non_null(find(r, "conf.example"));
	assert_null(find(r, "binary.example"));
	assert_null(find(r, "quoted.example"));
	assert_int_equal(r->nlinks, 3);
	assert_int_equal(r->links_dropped, 0);
	arena_free(a);
}

/* X-ALT-DESC as HTML: the anchor and the host its text shows; as plain
 * text it is read as text. */
static void
test_html(void **state)
{
	struct arena *a = arena_new();
	struct attach_results *r;
	const struct attach_link *l;

	(void)state;
	r = scan(a, HEAD "X-ALT-DESC;FMTTYPE=\"text/html\":<html><body><p>Join "
	    "<a href=\"https://evil.exa\r\n mple/x\">https://www.bank.example/"
	    "</a>\\, or www.text.example</p><script>x='https://script.exa"
	    "mple/'</script></body></html>\r\n"
	    "X-ALT-DESC;FMTTYPE=text/plain:<b>see https://plain.example/"
	    "</b>\r\n" TAIL);
	l = find(r, "evil.example");
	assert_non_null(l);
	assert_non_null(l->shown);
	assert_string_equal(l->shown, "www.bank.example");
	assert_non_null(find(r, "www.text.example"));
	assert_null(find(r, "script.example"));
	/* not HTML: read as text, the URL cut at '<' */
	assert_non_null(find(r, "plain.example"));
	arena_free(a);
}

/* Benign: a meeting with a video call link keeps it; a room alone gives
 * no link but the invitation is counted. */
static void
test_benign(void **state)
{
	struct arena *a = arena_new();
	struct attach_results *r;

	(void)state;
	r = scan(a, HEAD "SUMMARY:Weekly sync\r\nLOCATION:Microsoft Teams "
	    "Meeting\r\nDESCRIPTION:Join on your computer:\\nhttps://teams.mic"
	    "rosoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0?context"
	    "=%7b%22Tid%22%3a%22x%22%7d\\n\r\n" TAIL);
	assert_non_null(find(r, "teams.microsoft.com"));
	assert_int_equal(r->nlinks, 1);
	r = scan(a, HEAD "SUMMARY:Budget review\r\nLOCATION:Room 4\r\n"
	    "DESCRIPTION:Agenda: numbers\\, plans.\r\n" TAIL);
	assert_int_equal(r->nlinks, 0);
	assert_int_equal(r->links_dropped, 0);
	/* vCalendar 1.0 and bare LF */
	r = scan(a, "BEGIN:VCALENDAR\nVERSION:1.0\nBEGIN:VEVENT\n"
	    "DESCRIPTION:https://zoom.us/j/123?pwd=abc\nEND:VEVENT\n"
	    "END:VCALENDAR\n");
	assert_non_null(find(r, "zoom.us"));
	assert_int_equal(r->text_password, 0);
	assert_true(ics_is_calendar("text/calendar", NULL, NULL));
	assert_true(ics_is_calendar("application/octet-stream", NULL, "ics"));
	assert_true(ics_is_calendar(NULL, "text/calendar", ""));
	assert_true(ics_is_calendar(NULL, NULL, "VCS"));
	assert_false(ics_is_calendar("text/plain", "text/plain", "txt"));
	assert_false(ics_is_calendar(NULL, NULL, NULL));
	arena_free(a);
}

/* Hostile: a huge line, 100000 properties, broken folding, NUL bytes. */
static void
test_hostile(void **state)
{
	struct arena *a = arena_new();
	struct attach_results *r;
	size_t n = 3 * 1024 * 1024, i, o;
	char *big = malloc(n);
	long long t0;
	static const char broken[] = " DESCRIPTION:x\r\r\n\n\nLOCATION\r\n"
	    "DESCRIPTION;X=\"open:https://q.example/\r\n"
	    "URL:ht\0tps://nul.exa\0mple/\r \rCOMMENT:\\https://cr.example/"
	    "\\\r\n";

	(void)state;
	assert_non_null(big);
	/* one 3 MB DESCRIPTION line: cut at ICS_LINE_MAX, links before the
	 * cut kept, the scan marked incomplete */
	o = (size_t)snprintf(big, n, "DESCRIPTION:https://first.example/ ");
	memset(big + o, 'A', n - o);
	memcpy(big + n - 30, " https://last.example/ ", 23);
	r = scan_n(a, big, n, 0);
	assert_non_null(find(r, "first.example"));
	assert_null(find(r, "last.example"));
	assert_int_equal(r->links_dropped, 1);

	/* 100000 properties: linear work; past ICS_LINES_MAX the rest is
	 * left out */
	for (i = 0, o = 0; i < 100000; i++)
		o += (size_t)snprintf(big + o, n - o, "X-P:https://h%zu.ex/\n",
		    i % 200);
	t0 = deadline_now_ms();
	r = scan_n(a, big, o, 0);
	assert_true(deadline_now_ms() - t0 < 5000);
	assert_int_equal(r->nlinks, 200);
	assert_int_equal(r->links_dropped, 0);
	assert_int_equal(r->links[0].count, 500);
	/* HTML descriptions: each a parser; past ICS_HTML_MAX left out */
	for (i = 0, o = 0; i < ICS_HTML_MAX + 10; i++)
		o += (size_t)snprintf(big + o, n - o, "X-ALT-DESC;FMTTYPE="
		    "text/html:<a href=https://h%zu.ex/>x</a>\n", i % 200);
	t0 = deadline_now_ms();
	r = scan_n(a, big, o, 0);
	print_message("%d HTML descriptions: %lld ms\n", ICS_HTML_MAX + 10,
	    deadline_now_ms() - t0);
	assert_true(deadline_now_ms() - t0 < 5000);
	assert_int_equal(r->nlinks, 200);
	assert_int_equal(r->links_dropped, 1);
	memset(big, 'A', n);
	for (i = 0; i + 3 < n; i += 3)
		memcpy(big + i, "X:\n", 3);	/* > 1000000 lines */
	memcpy(big + n - 28, "URL:https://late.example/\n", 26);
	t0 = deadline_now_ms();
	r = scan_n(a, big, n, 0);
	assert_true(deadline_now_ms() - t0 < 5000);
	assert_int_equal(r->nlinks, 0);
	assert_int_equal(r->links_dropped, 1);

	/* broken folding (a fold first, lone CRs, empty lines, a line with
	 * no colon, an unterminated quote) and NUL bytes inside a URL */
	r = scan_n(a, broken, sizeof(broken) - 1, 0);
	assert_non_null(find(r, "nul.example"));
	assert_non_null(find(r, "cr.example"));
	assert_null(find(r, "q.example"));
	r = scan_n(a, "", 0, 0);
	assert_int_equal(r->nlinks, 0);
	free(big);
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_uri),
		cmocka_unit_test(test_html),
		cmocka_unit_test(test_benign),
		cmocka_unit_test(test_hostile),
	};

	htmllinks_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
