/*
 * test_relay.c - relay.c: Received from clauses as Postfix, sendmail,
 * Exim, Exchange and qmail write them; hostile values (a HELO that hides
 * or fakes the MTA's comment); the walk behind internal relays, its cap,
 * loopback, and what is never read.
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
#include "mail/message.h"
#include "util/net.h"
#include "mail/relay.h"

#define DATE "; Tue, 2 Jan 2024 10:00:00 +0000 (UTC)"

/* want "helo|name|ip" ("-" for NULL), or NULL when no address. */
static const struct {
	const char *behaviour, *value, *want;
} parse_cases[] = {
	{ "Postfix",
	    "from mail.example.com (mail.example.com [192.0.2.1])\n"
	    "\tby mx.example.net (Postfix) with ESMTPS id 4QxYz1\n"
	    "\tfor <u@example.net>" DATE,
	    "mail.example.com|mail.example.com|192.0.2.1" },
	{ "Postfix without rDNS",
	    "from helo.example (unknown [198.51.100.7])\n"
	    "\tby mx.example.net (Postfix) with ESMTP id 4Q" DATE,
	    "helo.example|-|198.51.100.7" },
	{ "Postfix IPv6",
	    "from mail.example.com (mail.example.com [IPv6:2001:db8::25])\n"
	    "\tby mx.example.net (Postfix) with ESMTP id 4Q" DATE,
	    "mail.example.com|mail.example.com|2001:db8::25" },
	{ "Postfix TLS and SASL comments",
	    "from client.example (client.example [203.0.113.9])\n"
	    "\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 "
	    "bits)\n\t key-exchange X25519 server-signature RSA-PSS (2048 "
	    "bits))\n\t(No client certificate requested)\n"
	    "\t(Authenticated sender: alice [10.9.9.9])\n"
	    "\tby smtp.example.net (Postfix) with ESMTPSA id 4Q" DATE,
	    "client.example|client.example|203.0.113.9" },
	{ "Postfix HELO is an address literal",
	    "from [192.0.2.44] (unknown [192.0.2.44]) by mx (Postfix)" DATE,
	    "[192.0.2.44]|-|192.0.2.44" },
	{ "sendmail",
	    "from helo.example (host.example [192.0.2.3])\n"
	    "\tby mx.example.net (8.17.1.9/8.17.1.9) with ESMTP id 3AB" DATE,
	    "helo.example|host.example|192.0.2.3" },
	{ "sendmail ident and may be forged",
	    "from helo.example (user@host.example [192.0.2.4] (may be "
	    "forged))\n\tby mx.example.net (8.17.1.9/8.17.1.9) id 3AB" DATE,
	    "helo.example|host.example|192.0.2.4" },
	{ "sendmail without rDNS",
	    "from helo.example ([192.0.2.5])\n\tby mx.example.net" DATE,
	    "helo.example|-|192.0.2.5" },
	{ "sendmail authenticated comment",
	    "from helo.example (host.example [192.0.2.6])\n"
	    "\t(authenticated bits=0)\n\tby mx.example.net" DATE,
	    "helo.example|host.example|192.0.2.6" },
	{ "Exim with HELO",
	    "from mail.example.org ([192.0.2.6] helo=fake.example)\n"
	    "\tby mx.example.net with esmtp (Exim 4.96)\n"
	    "\t(envelope-from <a@example.org>)\n\tid 1abc-000" DATE,
	    "fake.example|mail.example.org|192.0.2.6" },
	{ "Exim with port",
	    "from mail.example.org ([192.0.2.6]:54321 helo=x.example)\n"
	    "\tby mx.example.net with esmtps (Exim 4.96)" DATE,
	    "x.example|mail.example.org|192.0.2.6" },
	{ "Exim without rDNS",
	    "from [192.0.2.7] (helo=x.example)\n"
	    "\tby mx.example.net with esmtp (Exim 4.96)" DATE,
	    "x.example|-|192.0.2.7" },
	{ "Exim without rDNS, with port",
	    "from [192.0.2.7]:2525 (helo=x.example)\n"
	    "\tby mx.example.net with esmtp (Exim 4.96)" DATE,
	    "x.example|-|192.0.2.7" },
	{ "Exim HELO matches rDNS",
	    "from mail.example.org ([192.0.2.8])\n\tby mx.example.net "
	    "with esmtp (Exim 4.96)" DATE,
	    "mail.example.org|-|192.0.2.8" },
	{ "Exchange",
	    "from EX01.corp.example (10.1.1.1) by EX02.corp.example "
	    "(10.1.1.2) with Microsoft SMTP Server id 15.1.2507.6" DATE,
	    "EX01.corp.example|-|10.1.1.1" },
	{ "qmail",
	    "from unknown (HELO helo.example) (192.0.2.9)\n"
	    "  by mx.example.net with SMTP" DATE,
	    "helo.example|-|192.0.2.9" },
	{ "IPv4-mapped literal becomes IPv4",
	    "from h.example (h.example [IPv6:::ffff:192.0.2.10]) by mx" DATE,
	    "h.example|h.example|192.0.2.10" },
	{ "local submission has no from clause",
	    "by mx.example.net (Postfix, from userid 1000)\n\tid 4Q" DATE,
	    NULL },
	{ "local pickup without address",
	    "from localhost by mx.example.net with local" DATE, NULL },
	{ "HELO hiding a literal before the MTA's comment",
	    "from x (a [10.0.0.1]) (unknown [203.0.113.5]) by mx (Postfix)"
	    DATE, "x|-|203.0.113.5" },
	{ "HELO faking the end of the from clause",
	    "from x ([10.0.0.1]) by (unknown [203.0.113.5]) by mx (Postfix)"
	    DATE, NULL },
	{ "HELO opening a quote",
	    "from x (a [10.0.0.1]) \" (unknown [203.0.113.5]) by mx" DATE,
	    "x|-|203.0.113.5" },
	{ "HELO with a semicolon",
	    "from x (a [10.0.0.1]) ; (unknown [203.0.113.5]) by mx" DATE,
	    "x|-|203.0.113.5" },
	{ "HELO opening a comment that swallows the MTA's: unreadable",
	    "from x (helo=evil (unknown [203.0.113.5]) by mx (Postfix)" DATE,
	    NULL },
	{ "recipient holding a fake clause",
	    "from h (h [203.0.113.5]) by mx with ESMTP for "
	    "<\"(x [10.0.0.1]) by\"@example.net>" DATE,
	    "h|h|203.0.113.5" },
	{ "HELO with a control byte", "from ev\x01il (h [192.0.2.1]) by mx"
	    DATE, "-|h|192.0.2.1" },
	{ "unclosed literal", "from x (unknown [203.0.113.5", NULL },
	{ "unclosed comments", "from ((((((((", NULL },
	{ "not an address", "from h (h [999.1.1.1]) by mx" DATE, NULL },
	{ "name in brackets", "from h (h [mail.example]) by mx" DATE, NULL },
	{ "empty", "", NULL },
	{ "from alone", "from", NULL },
	{ "from and space", "from ", NULL },
	{ "fromage", "fromage (h [192.0.2.1]) by mx", NULL },
};

static char *
render(const char *helo, const char *name, const char *ip)
{
	char *s = malloc(600);

	snprintf(s, 600, "%s|%s|%s", helo ? helo : "-", name ? name : "-",
	    ip ? ip : "-");
	return s;
}

static void
received_parse_table(void **state)
{
	struct arena *a = arena_new();
	const char *helo, *name, *ip;
	char *got;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		rc = relay_parse_received(parse_cases[i].value, a, &helo,
		    &name, &ip);
		if (parse_cases[i].want == NULL) {
			if (rc != -1 || ip != NULL)
				fail_msg("%s: accepted", parse_cases[i].behaviour);
			continue;
		}
		if (rc != 0)
			fail_msg("%s: rejected", parse_cases[i].behaviour);
		got = render(helo, name, ip);
		if (strcmp(got, parse_cases[i].want) != 0)
			fail_msg("%s: got [%s]", parse_cases[i].behaviour, got);
		free(got);
	}
	assert_int_equal(relay_parse_received(NULL, a, &helo, &name, &ip),
	    -1);
	arena_free(a);
}

static void
hostile_received_never_crash_and_stay_linear(void **state)
{
	struct arena *a = arena_new();
	const char alphabet[] = "from by ([]):.;<>\"\\@helo=IPv6 1029";
	const char *helo, *name, *ip;
	unsigned seed = 7;
	size_t i, j, n = 300000;
	char buf[160], *big;

	for (i = 0; i < 20000; i++) {
		memcpy(buf, "from ", 5);
		for (j = 5; j < sizeof(buf) - 1; j++) {
			seed = seed * 1103515245u + 12345u;
			buf[j] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
		}
		buf[5 + (seed >> 8) % (sizeof(buf) - 6)] = '\0';
		if (relay_parse_received(buf, a, &helo, &name, &ip) == 0)
			assert_non_null(ip);
	}
	/* 300,000 nested parentheses: unreadable, in linear time */
	big = malloc(4 * n + 64);
	memcpy(big, "from x ", 7);
	memset(big + 7, '(', n);
	strcpy(big + 7 + n, "h [192.0.2.1]");
	memset(big + 7 + n + 13, ')', n);
	strcpy(big + 7 + 2 * n + 13, " by mx");
	assert_int_equal(relay_parse_received(big, a, &helo, &name, &ip), -1);
	memset(big + 5, '[', 2 * n);
	assert_int_equal(relay_parse_received(big, a, &helo, &name, &ip), -1);
	/* 100,000 comments before the MTA's: the last one counts */
	memcpy(big, "from x ", 7);
	for (j = 0; j < 100000; j++)
		memcpy(big + 7 + 3 * j, "(a)", 3);
	strcpy(big + 7 + 3 * j, " (h [192.0.2.1]) by mx");
	assert_int_equal(relay_parse_received(big, a, &helo, &name, &ip), 0);
	assert_string_equal(ip, "192.0.2.1");
	free(big);
	arena_free(a);
}

/* A message from client with these Received headers (top first), other
 * headers in between. */
static struct message *
make(const char *client, const char *helo, const char *const *rcvd)
{
	struct message *m = message_new(0, 0);

	assert_non_null(m);
	assert_int_equal(message_set_client(m, client, "client.rdns"), 0);
	assert_int_equal(message_set_helo(m, helo), 0);
	for (; rcvd != NULL && *rcvd != NULL; rcvd++) {
		assert_int_equal(message_add_header(m, "Received", *rcvd), 1);
		assert_int_equal(message_add_header(m, "X-Other", "x"), 1);
	}
	assert_int_equal(message_add_header(m, "From", "a@b.example"), 1);
	return m;
}

static const char *const ext_hop =
    "from ext.example (ext.example [198.51.100.7]) by mx1.corp" DATE;
static const char *const forged =
    "from forged (forged.example [10.0.0.99]) by ext.example" DATE;

static const struct walk_case {
	const char *behaviour, *client;
	const char *rcvd[5];
	unsigned max_walk;
	const char *ip, *helo, *name;
	unsigned hops;
	int internal_only;
} walk_cases[] = {
	{ "external client is the relay, headers unread", "203.0.113.5",
	    { forged, NULL }, 20, "203.0.113.5", "client.helo", "client.rdns",
	    0, 0 },
	{ "one internal hop", "10.0.0.2", { ext_hop, forged, NULL }, 20,
	    "198.51.100.7", "ext.example", "ext.example", 1, 0 },
	{ "chain of internal hops, forged header below never read",
	    "10.0.0.2", { "from mx1 (mx1.corp [10.0.0.3]) by mx2.corp" DATE,
	    ext_hop, forged, NULL }, 20, "198.51.100.7", "ext.example",
	    "ext.example", 2, 0 },
	{ "our own MTA's header at the top", "10.0.0.2",
	    { "from mx1 (mx1.corp [10.0.0.2]) by filter.corp" DATE, ext_hop,
	    NULL }, 20, "198.51.100.7", "ext.example", "ext.example", 2, 0 },
	{ "every hop internal", "10.0.0.2",
	    { "from ws (ws.corp [10.1.2.3]) by mx1.corp" DATE, NULL }, 20,
	    "10.1.2.3", "ws", "ws.corp", 1, 1 },
	{ "local submission below an internal hop", "10.0.0.2",
	    { "from mx1 (mx1.corp [10.0.0.3]) by mx2.corp" DATE,
	    "by mx1.corp (Postfix, from userid 1000) id 4Q" DATE, forged,
	    NULL }, 20, "10.0.0.3", "mx1", "mx1.corp", 2, 1 },
	{ "no Received header behind an internal client", "10.0.0.2",
	    { NULL }, 20, "10.0.0.2", "client.helo", "client.rdns", 0, 1 },
	{ "loopback is internal (content filter)", "127.0.0.1",
	    { "from mx.example.net ([127.0.0.1]) by localhost "
	    "(amavisd-new, port 10024)" DATE, ext_hop, forged, NULL }, 20,
	    "198.51.100.7", "ext.example", "ext.example", 2, 0 },
	{ "unreadable hop from an internal host: unknown", "10.0.0.2",
	    { "from x ([10.0.0.9]) by (unknown [198.51.100.7]) by mx" DATE,
	    ext_hop, NULL }, 20, NULL, NULL, NULL, 1, 0 },
	{ "cap reached with more to read: unknown", "10.0.0.2",
	    { "from a (a [10.0.0.3]) by b" DATE,
	    "from c (c [10.0.0.4]) by a" DATE, ext_hop, NULL }, 2,
	    NULL, NULL, NULL, 2, 0 },
	{ "cap exactly reached by internal hops", "10.0.0.2",
	    { "from a (a [10.0.0.3]) by b" DATE,
	    "from c (c [10.0.0.4]) by a" DATE, NULL }, 2,
	    "10.0.0.4", "c", "c", 2, 1 },
	{ "external hop at the cap", "10.0.0.2",
	    { "from a (a [10.0.0.3]) by b" DATE, ext_hop, NULL }, 2,
	    "198.51.100.7", "ext.example", "ext.example", 2, 0 },
	{ "mapped client matches IPv4 network", "::ffff:10.0.0.2",
	    { ext_hop, NULL }, 20, "198.51.100.7", "ext.example",
	    "ext.example", 1, 0 },
	{ "mapped external client reported as IPv4", "::ffff:203.0.113.5",
	    { NULL }, 20, "203.0.113.5", "client.helo", "client.rdns", 0, 0 },
	{ "IPv6 internal and external", "2001:db8:1::25",
	    { "from v6 (v6.example [IPv6:2001:db8:2::1]) by mx" DATE, NULL },
	    20, "2001:db8:2::1", "v6", "v6.example", 1, 0 },
	{ "no client address", NULL, { ext_hop, NULL }, 20, NULL, NULL,
	    NULL, 0, 0 },
	{ "client address not an address", "unknown", { ext_hop, NULL }, 20,
	    NULL, NULL, NULL, 0, 0 },
	{ "bracketed client address", "[10.0.0.2]", { ext_hop, NULL }, 20,
	    "198.51.100.7", "ext.example", "ext.example", 1, 0 },
};

static int
same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static void
relay_walk_table(void **state)
{
	const struct walk_case *w;
	struct net_cidr internal[2];
	struct message *m;
	struct relay r;
	char err[64];
	size_t i;

	assert_int_equal(net_parse_cidr("10.0.0.0/8", &internal[0], err,
	    sizeof(err)), 0);
	assert_int_equal(net_parse_cidr("2001:db8:1::/48", &internal[1], err,
	    sizeof(err)), 0);
	for (i = 0; i < sizeof(walk_cases) / sizeof(walk_cases[0]); i++) {
		w = &walk_cases[i];
		m = make(w->client, "client.helo", w->rcvd);
		assert_int_equal(relay_find(m, internal, 2, w->max_walk,
		    m->arena, &r), 0);
		if (!same(r.ip, w->ip) || !same(r.helo, w->helo) ||
		    !same(r.name, w->name) || r.hops != w->hops ||
		    r.internal_only != w->internal_only)
			fail_msg("%s: got ip=%s helo=%s name=%s hops=%u "
			    "internal_only=%d", w->behaviour,
			    r.ip ? r.ip : "-", r.helo ? r.helo : "-",
			    r.name ? r.name : "-", r.hops, r.internal_only);
		message_free(m);
	}
}

static void
without_internal_relays_the_client_is_the_relay(void **state)
{
	const char *rcvd[] = { ext_hop, NULL };
	struct message *m = make("10.0.0.2", "h", rcvd);
	struct relay r;

	assert_int_equal(relay_find(m, NULL, 0, 20, m->arena, &r), 0);
	assert_string_equal(r.ip, "10.0.0.2");
	assert_int_equal(r.hops, 0);
	assert_int_equal(r.internal_only, 0);
	message_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(received_parse_table),
		cmocka_unit_test(hostile_received_never_crash_and_stay_linear),
		cmocka_unit_test(relay_walk_table),
		cmocka_unit_test(without_internal_relays_the_client_is_the_relay),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
