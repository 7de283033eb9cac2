/*
 * test_net.c - net.c: address forms of mail syntax, CIDR parsing and
 * matching (IPv4-mapped IPv6 included), formatting, loopback.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "util/net.h"

static const struct {
	const char *behaviour, *text, *want;	/* want NULL: rejected */
} addr_cases[] = {
	{ "plain IPv4", "192.0.2.1", "192.0.2.1" },
	{ "plain IPv6", "2001:db8::1", "2001:db8::1" },
	{ "bracketed IPv4", "[192.0.2.1]", "192.0.2.1" },
	{ "bracketed IPv6", "[2001:db8::1]", "2001:db8::1" },
	{ "RFC 5321 IPv6 tag", "IPv6:2001:db8::1", "2001:db8::1" },
	{ "bracketed tag any case", "[ipv6:2001:DB8::1]", "2001:db8::1" },
	{ "mapped IPv4", "::ffff:192.0.2.1", "::ffff:192.0.2.1" },
	{ "tag on an IPv4 address", "IPv6:192.0.2.1", NULL },
	{ "short IPv4", "10.1", NULL },
	{ "octal-looking IPv4", "010.0.0.1", NULL },
	{ "host name", "mail.example.net", NULL },
	{ "empty", "", NULL },
	{ "empty brackets", "[]", NULL },
	{ "unclosed bracket", "[192.0.2.1", NULL },
	{ "zone id", "fe80::1%eth0", NULL },
	{ "trailing space", "192.0.2.1 ", NULL },
	{ "over-long", "1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa:"
	    "bbbb", NULL },
};

static void
addresses_parse_in_mail_forms(void **state)
{
	struct net_addr a;
	char buf[INET6_ADDRSTRLEN];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(addr_cases) / sizeof(addr_cases[0]); i++) {
		rc = net_parse_addr(addr_cases[i].text, &a);
		if (addr_cases[i].want == NULL) {
			if (rc != -1)
				fail_msg("%s: accepted", addr_cases[i].behaviour);
			continue;
		}
		if (rc != 0)
			fail_msg("%s: rejected", addr_cases[i].behaviour);
		net_addr_format(&a, buf, sizeof(buf));
		if (strcmp(buf, addr_cases[i].want) != 0)
			fail_msg("%s: got %s", addr_cases[i].behaviour, buf);
	}
	assert_int_equal(net_parse_addr(NULL, &a), -1);
}

static const struct {
	const char *behaviour, *text, *want;	/* formatted, or an error
						   fragment after "!" */
} cidr_cases[] = {
	{ "IPv4 network", "192.0.2.0/24", "192.0.2.0/24" },
	{ "host bits cleared", "10.1.2.3/8", "10.0.0.0/8" },
	{ "partial byte prefix", "172.31.255.255/12", "172.16.0.0/12" },
	{ "bare IPv4 is a host", "192.0.2.7", "192.0.2.7/32" },
	{ "bare IPv6 is a host", "2001:db8::7", "2001:db8::7/128" },
	{ "IPv6 network", "2001:db8:ffff::/32", "2001:db8::/32" },
	{ "prefix zero", "0.0.0.0/0", "0.0.0.0/0" },
	{ "IPv6 prefix 128", "::1/128", "::1/128" },
	{ "IPv4 prefix 33", "10.0.0.0/33", "!above 32" },
	{ "IPv6 prefix 129", "::/129", "!above 128" },
	{ "empty prefix", "10.0.0.0/", "!bad prefix" },
	{ "signed prefix", "10.0.0.0/+8", "!bad prefix" },
	{ "huge prefix", "10.0.0.0/99999999999999999999", "!bad prefix" },
	{ "brackets are mail syntax", "[10.0.0.0]/8", "!not an IP" },
	{ "name", "example.net/24", "!not an IP" },
	{ "empty", "", "!empty" },
	{ "slash only", "/8", "!not an address" },
};

static void
cidrs_parse_with_clear_errors(void **state)
{
	struct net_cidr c;
	char buf[INET6_ADDRSTRLEN + 8], err[128];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(cidr_cases) / sizeof(cidr_cases[0]); i++) {
		rc = net_parse_cidr(cidr_cases[i].text, &c, err, sizeof(err));
		if (cidr_cases[i].want[0] == '!') {
			if (rc != -1)
				fail_msg("%s: accepted", cidr_cases[i].behaviour);
			if (strstr(err, cidr_cases[i].want + 1) == NULL)
				fail_msg("%s: error \"%s\"",
				    cidr_cases[i].behaviour, err);
			continue;
		}
		if (rc != 0)
			fail_msg("%s: %s", cidr_cases[i].behaviour, err);
		net_cidr_format(&c, buf, sizeof(buf));
		if (strcmp(buf, cidr_cases[i].want) != 0)
			fail_msg("%s: got %s", cidr_cases[i].behaviour, buf);
	}
}

static const struct {
	const char *behaviour, *cidr, *addr;
	int match;
} match_cases[] = {
	{ "inside IPv4 network", "10.0.0.0/8", "10.200.3.4", 1 },
	{ "outside IPv4 network", "10.0.0.0/8", "11.0.0.1", 0 },
	{ "edge of /12", "172.16.0.0/12", "172.31.255.255", 1 },
	{ "past /12", "172.16.0.0/12", "172.32.0.0", 0 },
	{ "host /32", "192.0.2.7/32", "192.0.2.7", 1 },
	{ "next host /32", "192.0.2.7/32", "192.0.2.8", 0 },
	{ "/0 matches all IPv4", "0.0.0.0/0", "203.0.113.9", 1 },
	{ "/0 IPv4 not IPv6", "0.0.0.0/0", "2001:db8::1", 0 },
	{ "IPv6 network", "2001:db8::/32", "2001:db8:5::1", 1 },
	{ "outside IPv6 network", "2001:db8::/32", "2001:db9::1", 0 },
	{ "odd IPv6 prefix", "2001:db8:8000::/33", "2001:db8:7fff::1", 0 },
	{ "mapped matches IPv4 net", "10.0.0.0/8", "::ffff:10.1.2.3", 1 },
	{ "mapped outside IPv4 net", "10.0.0.0/8", "::ffff:11.1.2.3", 0 },
	{ "compat is not mapped", "10.0.0.0/8", "::10.1.2.3", 0 },
	{ "IPv4 matches mapped net", "::ffff:10.0.0.0/104", "10.9.9.9", 1 },
	{ "IPv4 outside mapped net", "::ffff:10.0.0.0/104", "11.9.9.9", 0 },
	{ "IPv4 is in ::/0 as its mapped form", "::/0", "10.9.9.9", 1 },
	{ "IPv4 not in a v6 net", "2001:db8::/32", "10.9.9.9", 0 },
};

static void
cidr_match_table(void **state)
{
	struct net_cidr c;
	struct net_addr a;
	char err[128];
	size_t i;

	for (i = 0; i < sizeof(match_cases) / sizeof(match_cases[0]); i++) {
		assert_int_equal(net_parse_cidr(match_cases[i].cidr, &c, err,
		    sizeof(err)), 0);
		assert_int_equal(net_parse_addr(match_cases[i].addr, &a), 0);
		if (net_cidr_match(&c, &a) != match_cases[i].match)
			fail_msg("%s", match_cases[i].behaviour);
	}
	assert_int_equal(net_cidr_match(NULL, &a), 0);
}

static void
cidr_list_matches_any(void **state)
{
	struct net_cidr list[3];
	struct net_addr a;
	char err[128];

	assert_int_equal(net_parse_cidr("10.0.0.0/8", &list[0], err,
	    sizeof(err)), 0);
	assert_int_equal(net_parse_cidr("2001:db8::/32", &list[1], err,
	    sizeof(err)), 0);
	assert_int_equal(net_parse_cidr("192.0.2.1", &list[2], err,
	    sizeof(err)), 0);
	assert_int_equal(net_parse_addr("2001:db8::5", &a), 0);
	assert_int_equal(net_cidr_list_match(list, 3, &a), 1);
	assert_int_equal(net_parse_addr("192.0.2.1", &a), 0);
	assert_int_equal(net_cidr_list_match(list, 3, &a), 1);
	assert_int_equal(net_cidr_list_match(list, 2, &a), 0);
	assert_int_equal(net_cidr_list_match(list, 0, &a), 0);
}

static void
format_never_overflows(void **state)
{
	struct net_cidr c;
	char err[64], small[8];

	assert_int_equal(net_parse_cidr("2001:db8::/32", &c, err,
	    sizeof(err)), 0);
	memset(small, 'x', sizeof(small));
	net_cidr_format(&c, small, sizeof(small));
	assert_string_equal(small, "");
	net_addr_format(&c.addr, small, sizeof(small));
	assert_string_equal(small, "");
	net_addr_format(&c.addr, small, 0);	/* writes nothing */
}

static void
loopback_forms(void **state)
{
	static const struct {
		const char *addr;
		int loop;
	} cases[] = {
		{ "127.0.0.1", 1 }, { "127.255.0.9", 1 }, { "::1", 1 },
		{ "::ffff:127.0.0.1", 1 }, { "128.0.0.1", 0 }, { "::2", 0 },
		{ "10.0.0.1", 0 },
	};
	struct net_addr a;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(net_parse_addr(cases[i].addr, &a), 0);
		if (net_is_loopback(&a) != cases[i].loop)
			fail_msg("%s", cases[i].addr);
	}
	assert_int_equal(net_is_loopback(NULL), 0);
}

static const struct {
	const char *behaviour, *spec, *problem;	/* NULL: valid */
} socket_cases[] = {
	{ "inet with address", "inet:8893@127.0.0.1", NULL },
	{ "inet with host name", "inet:8893@localhost", NULL },
	{ "inet6 with address", "inet6:8893@::1", NULL },
	{ "unix absolute", "unix:/run/relaywarden/relaywarden.sock", NULL },
	{ "port 65535", "inet:65535@127.0.0.1", NULL },
	{ "port zero", "inet:0@127.0.0.1", "port must be" },
	{ "port 65536", "inet:65536@127.0.0.1", "port must be" },
	{ "port not digits", "inet:88a3@127.0.0.1", "port must be" },
	{ "no address", "inet:8893", "expected inet:PORT@ADDR" },
	{ "IPv6 under inet", "inet:8893@::1", "needs inet6:" },
	{ "IPv4 under inet6", "inet6:8893@127.0.0.1", "needs inet:" },
	{ "bad host", "inet:8893@bad_host!", "neither an address" },
	{ "relative unix path", "unix:relaywarden.sock", "absolute" },
	{ "unix path too long", "unix:/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaa", "too long" },
	{ "local: is not accepted", "local:/run/x.sock", "expected" },
	{ "empty", "", "expected" },
};

static void
milter_socket_specs(void **state)
{
	char err[256];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(socket_cases) / sizeof(socket_cases[0]); i++) {
		rc = net_check_socket(socket_cases[i].spec, err, sizeof(err));
		if (socket_cases[i].problem == NULL ? rc != 0 :
		    rc != -1 || strstr(err, socket_cases[i].problem) == NULL)
			fail_msg("%s: rc %d err \"%s\"",
			    socket_cases[i].behaviour, rc, rc ? err : "");
	}
}

static void
forwarder_specs(void **state)
{
	static const struct {
		const char *spec;
		int ok;
	} cases[] = {
		{ "192.0.2.53", 1 }, { "192.0.2.53@5353", 1 },
		{ "2001:db8::53", 1 }, { "2001:db8::53@53", 1 },
		{ "192.0.2.53@0", 0 }, { "192.0.2.53@", 0 },
		{ "192.0.2.53@65536", 0 }, { "dns.example", 0 },
		{ "[::1]", 0 }, { "IPv6:::1", 0 }, { "", 0 }, { "@53", 0 },
	};
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if ((net_check_forwarder(cases[i].spec, err, sizeof(err)) == 0) !=
		    cases[i].ok)
			fail_msg("%s", cases[i].spec);
}

static void
host_name_syntax(void **state)
{
	static const struct {
		const char *name;
		int ok;
	} cases[] = {
		{ "mx1", 1 }, { "mx1.example.net", 1 }, { "a-b.example", 1 },
		{ "-a.example", 0 }, { "a-.example", 0 }, { "a..b", 0 },
		{ "a.example.", 0 }, { ".a", 0 }, { "a_b", 0 }, { "", 0 },
		{ "a b", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (net_hostname_valid(cases[i].name) != cases[i].ok)
			fail_msg("%s", cases[i].name);
	assert_int_equal(net_hostname_valid(NULL), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(addresses_parse_in_mail_forms),
		cmocka_unit_test(cidrs_parse_with_clear_errors),
		cmocka_unit_test(cidr_match_table),
		cmocka_unit_test(cidr_list_matches_any),
		cmocka_unit_test(format_never_overflows),
		cmocka_unit_test(loopback_forms),
		cmocka_unit_test(milter_socket_specs),
		cmocka_unit_test(forwarder_specs),
		cmocka_unit_test(host_name_syntax),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
