/*
 * test_links.c - URL hosts and tricks (policy/attach/url.c), the host an
 * anchor's text names (links.c), URLs and passwords in text
 * (linktext.c), links and forms of HTML pages through libxml2
 * (htmllinks.c).
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
#include "attach/links.h"
#include "attach/linktext.h"
#include "attach/spool.h"
#include "attach/url.h"
#include "util/arena.h"
#include "util/deadline.h"

static void
host_is(const char *in, const char *host, unsigned flags)
{
	struct url u;

	url_parse(in, strlen(in), &u);
	if (strcmp(u.host, host) != 0 || (u.flags & flags) != flags)
		fail_msg("%s: host \"%s\" flags %#x, want \"%s\" with %#x", in,
		    u.host, u.flags, host, flags);
}

#define LOGIN_OK	"https://Bank.EXAMPLE./LogIn"
#define SSO_OK		"https://sso.example/"
#define NEWS		"https://www.example/news"

static void
test_hosts(void **state)
{
	(void)state;
	host_is("https://Bank.EXAMPLE./login", "bank.example", 0);
	assert_int_equal(url_login(LOGIN_OK, strlen(LOGIN_OK)), 1);
	assert_int_equal(url_login(SSO_OK, strlen(SSO_OK)), 1);
	assert_int_equal(url_login(NEWS, strlen(NEWS)), 0);
	host_is("  http://bank.example:8080/x ", "bank.example", 0);
	host_is("HTTPS:\\\\bank.example\\x", "bank.example", 0);
	host_is("https:/bank.example", "bank.example", 0);
	host_is("//cdn.example/a.js", "cdn.example", 0);
	host_is("www.shop.example/offer", "www.shop.example", 0);
	host_is("ht\ttps://ev\nil.example/", "evil.example", 0);
	/* userinfo: the host is after the LAST '@' */
	host_is("https://bank.example@evil.example/", "evil.example",
	    LINK_USERINFO);
	host_is("https://bank.example:pw@x@evil.example:443/",
	    "evil.example", LINK_USERINFO);
	/* IPv4 in every notation browsers take */
	host_is("http://192.0.2.1/", "192.0.2.1", LINK_IP);
	host_is("http://3221225985/", "192.0.2.1", LINK_IP);
	host_is("http://0xC0.0x00.0x02.0x01/", "192.0.2.1", LINK_IP);
	host_is("http://0300.0.2.1/", "192.0.2.1", LINK_IP);
	host_is("http://192.0.513/", "192.0.2.1", LINK_IP);
	host_is("http://[2001:DB8::1]:80/", "[2001:db8::1]", LINK_IP);
	/* percent-encoding and Unicode hosts become A-labels */
	host_is("http://%65vil.example/", "evil.example", 0);
	host_is("https://b\xc3\xa4nk.example/", "xn--bnk-qla.example", 0);
	host_is("https://paypal\xef\xbc\x8e" "example/", "paypal.example", 0);
	/* no host to follow */
	host_is("mailto:a@b.example", "", 0);
	host_is("javascript:alert(1)", "", LINK_SCRIPT);
	host_is(" JavaScript:x", "", LINK_SCRIPT);
	host_is("data:text/html;base64,AAAA", "", LINK_SCRIPT);
	host_is("/relative/path", "", LINK_RELATIVE);
	host_is("http://exa mple.example/", "", LINK_BADHOST);
	host_is("http://%00evil.example/", "", LINK_BADHOST);
	host_is("http:///", "", LINK_BADHOST);
}

static void
test_ipv4(void **state)
{
	char out[16];

	(void)state;
	assert_int_equal(url_ipv4("1.2.3.4", 7, out), 1);
	assert_string_equal(out, "1.2.3.4");
	assert_int_equal(url_ipv4("1.2.3.256", 9, out), 0);
	assert_int_equal(url_ipv4("4294967295", 10, out), 1);
	assert_string_equal(out, "255.255.255.255");
	assert_int_equal(url_ipv4("4294967296", 10, out), 0);
	assert_int_equal(url_ipv4("1.2.3.4.5", 9, out), 0);
	assert_int_equal(url_ipv4("1..2", 4, out), 0);
	assert_int_equal(url_ipv4("09.1.1.1", 8, out), 0);	/* bad octal */
	assert_int_equal(url_ipv4("example.com", 11, out), 0);
	assert_int_equal(url_ipv4("0x", 2, out), 1);		/* as browsers */
	assert_int_equal(url_ipv4("", 0, out), 0);
}

static void
shown_is(const char *text, const char *host)
{
	char out[256];
	int r = links_shown_host(text, strlen(text), out, sizeof(out));

	if (host == NULL ? r != 0 : r == 0 || strcmp(out, host) != 0)
		fail_msg("\"%s\": %d \"%s\", want %s", text, r, r ? out : "",
		    host != NULL ? host : "none");
}

static void
test_shown(void **state)
{
	(void)state;
	shown_is("www.bank.example", "www.bank.example");
	shown_is(" https://Bank.example/login ", "bank.example");
	shown_is("bank.example.", "bank.example");
	shown_is("bank.example/secure", "bank.example");
	shown_is("Visit https://bank.example today", "bank.example");
	shown_is("Click here", NULL);
	shown_is("help@bank.example", NULL);
	shown_is("invoice 2.5", NULL);
	shown_is("v1.2", NULL);
	shown_is("b\xc3\xa4nk.example", "xn--bnk-qla.example");
}

static struct attach_results *
results(struct arena *a)
{
	struct attach_results *r = arena_calloc(a, 1, sizeof(*r));

	assert_non_null(r);
	return r;
}

static const struct attach_link *
find(const struct attach_results *r, unsigned kind, const char *host)
{
	size_t i;

	for (i = 0; i < r->nlinks; i++)
		if (r->links[i].kind == kind &&
		    strcmp(r->links[i].host, host) == 0)
			return &r->links[i];
	return NULL;
}

static void
text_scan(struct attach_results *r, struct arena *a, const char *s,
    size_t piece)
{
	struct linktext *t = malloc(sizeof(*t));
	size_t off, n;

	assert_non_null(t);
	linktext_init(t, r, a, "body", 0, 1);
	for (off = 0; off < strlen(s); off += n) {
		n = strlen(s) - off < piece ? strlen(s) - off : piece;
		assert_int_equal(linktext_feed(t, s + off, n), 0);
	}
	assert_int_equal(linktext_end(t), 0);
	if (t->found_password)
		r->text_password = 1;
	free(t);
}

static void
test_text(void **state)
{
	struct arena *a = arena_new();
	struct attach_results *r = results(a);
	const char *body = "Hello,\r\nsee (https://docs.example/a?b=1), "
	    "or www.portal.example. Also <http://198.51.100.7/x>.\r\n"
	    "The password for the zip is: Xy7!kq\r\n";

	(void)state;
	text_scan(r, a, body, 5);
	assert_non_null(find(r, LINK_TEXT, "docs.example"));
	assert_non_null(find(r, LINK_TEXT, "www.portal.example"));
	assert_non_null(find(r, LINK_TEXT, "198.51.100.7"));
	assert_true(find(r, LINK_TEXT, "198.51.100.7")->flags & LINK_IP);
	assert_int_equal(r->nlinks, 3);
	assert_int_equal(r->text_password, 1);

	r = results(a);
	text_scan(r, a, "Your password is required to log in. "
	    "Forgot your password? Passwort: ab", 4096);
	assert_int_equal(r->text_password, 0);	/* "ab": too short */
	/* URLs inside tokens: markup written as text, lists */
	r = results(a);
	text_scan(r, a, "<a href=\"https://one.example/\">x</a> "
	    "a,https://two.example/,b word\\http://three.example "
	    "awww.not.example", 4096);
	assert_non_null(find(r, LINK_TEXT, "one.example"));
	assert_non_null(find(r, LINK_TEXT, "two.example"));
	assert_non_null(find(r, LINK_TEXT, "three.example"));
	assert_int_equal(r->nlinks, 3);
	/* every language's word, capitalised as a sentence starts */
	{
		static const char *const words[] = { "Password", "Passwort",
		    "Passwd", "Pwd", "Kennwort", "Mot de passe",
		    "Contrase\xc3\xb1" "a", "Contrasena", "Senha",
		    "Wachtwoord", "L\xc3\xb6senord", "Salasana",
		    "Has\xc5\x82o", "Heslo", "Jelsz\xc3\xb3", "Parola",
		    "Adgangskode", "Passord",
		    "\xd0\x9f\xd0\xb0\xd1\x80\xd0\xbe\xd0\xbb\xd1\x8c",
		    "\xe5\xaf\x86\xe7\xa0\x81",
		    "\xe3\x83\x91\xe3\x82\xb9\xe3\x83\xaf\xe3\x83\xbc"
		    "\xe3\x83\x89" };
		char line[128];
		size_t k;

		for (k = 0; k < sizeof(words) / sizeof(words[0]); k++) {
			r = results(a);
			snprintf(line, sizeof(line), "Hi. %s: Zq81xv\r\n",
			    words[k]);
			text_scan(r, a, line, 4096);
			if (r->text_password != 1)
				fail_msg("not found: %s", words[k]);
		}
	}
	/* a word starts after no letter: punctuation yes, letters no */
	r = results(a);
	text_scan(r, a, "(password: Zq81xv)", 4096);
	assert_int_equal(r->text_password, 1);
	r = results(a);
	text_scan(r, a, "xpassword: Zq81xv \xc3\xa9password: Zq81xv", 4096);
	assert_int_equal(r->text_password, 0);
	r = results(a);
	text_scan(r, a, "Das Passwort ist Sommer2024 - Gruss", 3);
	assert_int_equal(r->text_password, 1);
	r = results(a);
	text_scan(r, a, "\xd0\x9f\xd0\xb0\xd1\x80\xd0\xbe\xd0\xbb\xd1\x8c: "
	    "12345678", 4096);
	assert_int_equal(r->text_password, 1);
	arena_free(a);
}

static void
test_cap(void **state)
{
	struct arena *a = arena_new();
	struct attach_results *r = results(a);
	char url[64];
	int i;

	(void)state;
	for (i = 0; i < 3 * LINKS_MAX; i++) {
		snprintf(url, sizeof(url), "https://h%d.example/", i % 400);
		assert_int_equal(links_add(r, a, url, strlen(url), NULL, 0,
		    LINK_HREF, 0, "x"), 0);
	}
	assert_int_equal(r->nlinks, LINKS_MAX);
	assert_true(r->links_dropped > 0);
	assert_int_equal(r->links[0].count, 2);	/* merged, not repeated */
	arena_free(a);
}

static struct attach_results *
html(struct arena *a, const char *page, unsigned flags, int passwords)
{
	struct attach_results *r = results(a);
	struct spool *sp = spool_new(a, 1 << 20, NULL);
	struct deadline dl;
	char err[256];

	assert_non_null(sp);
	assert_int_equal(spool_write(sp, page, strlen(page), err,
	    sizeof(err)), 0);
	deadline_start(&dl, 10000);
	assert_int_equal(htmllinks_scan(sp, &dl, a, r, "page.html", flags,
	    passwords), 0);
	return r;
}

static void
test_html(void **state)
{
	struct arena *a = arena_new();
	struct attach_results *r;
	const struct attach_link *l;

	(void)state;
	r = html(a, "<html><body><p>Dear customer,</p>"
	    "<a href=\"https://evil.example/x\">https://www.bank.example/"
	    "login</a> <A HREF='http://bank.example&#64;attacker.example/'>"
	    "here</a><a href=\"mailto:x@y.example\">mail</a>"
	    "<a href=\"#top\">top</a><img src=\"cid:logo\">"
	    "<svg><a xlink:href=\"https://svg.example/\"><text>t</text></a>"
	    "</svg><meta http-equiv=\"Refresh\" content=\"0; URL='https://"
	    "refresh.example/'\"><script>var u='https://script.example/';"
	    "</script><p>or visit https://text.example/page</p>"
	    "</body></html>", 0, 1);
	l = find(r, LINK_HREF, "evil.example");
	assert_non_null(l);
	assert_non_null(l->shown);
	assert_string_equal(l->shown, "www.bank.example");
	assert_string_equal(l->where, "page.html");
	l = find(r, LINK_HREF, "attacker.example");
	assert_non_null(l);
	assert_true(l->flags & LINK_USERINFO);
	assert_null(l->shown);
	assert_non_null(find(r, LINK_HREF, "svg.example"));
	assert_non_null(find(r, LINK_REFRESH, "refresh.example"));
	assert_non_null(find(r, LINK_TEXT, "text.example"));
	/* the anchor's text is read as text too */
	assert_non_null(find(r, LINK_TEXT, "www.bank.example"));
	/* script is not text; mailto, #top, cid: are not links */
	assert_null(find(r, LINK_TEXT, "script.example"));
	assert_int_equal(r->nlinks, 6);

	/* a password form posting off-site; one with no action; a
	 * password input outside any form */
	r = html(a, "<form action=\"https://collect.example/p.php\" "
	    "method=post><input name=u><INPUT TYPE=\"Password\" name=p>"
	    "</form><form><input type=text></form>"
	    "<input type=password id=x>", LINK_ATTACHMENT, 0);
	l = find(r, LINK_FORM, "collect.example");
	assert_non_null(l);
	assert_true(l->flags & LINK_PASSWORD);
	assert_true(l->flags & LINK_ATTACHMENT);
	l = find(r, LINK_FORM, "");
	assert_non_null(l);
	assert_int_equal(r->nlinks, 3);

	/* broken markup is still read; bytes that are not UTF-8 too */
	r = html(a, "<a href=https://one.example/>x<a href=\"https://two."
	    "example/\">\xff\xfe<b>www.three.example</a></div></table>"
	    "<form action=//four.example/><input type=password", 0, 0);
	assert_non_null(find(r, LINK_HREF, "one.example"));
	l = find(r, LINK_HREF, "two.example");
	assert_non_null(l);
	assert_non_null(l->shown);
	assert_string_equal(l->shown, "www.three.example");
	assert_non_null(find(r, LINK_FORM, "four.example"));

	/* what libxml2 alone would stop at, and a browser shows: links
	 * after the end of the document, after a NUL, after bytes that are
	 * not UTF-8 */
	r = html(a, "<html><body><a href=\"https://one.example/\">a</a>"
	    "</body></html><a href=\"https://two.example/\">b</a></HTML >"
	    "\xff\xfe<a href=\"https://three.example/\">c</a>", 0, 0);
	assert_non_null(find(r, LINK_HREF, "one.example"));
	assert_non_null(find(r, LINK_HREF, "two.example"));
	assert_non_null(find(r, LINK_HREF, "three.example"));
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hosts),
		cmocka_unit_test(test_ipv4),
		cmocka_unit_test(test_shown),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_html),
	};

	htmllinks_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
