/*
 * test_infra.c - a relay's infrastructure: FCrDNS name reduced to its
 * organisational domain, else the /24 or /48 network; PTR names that do not
 * resolve back are not believed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/arena.h"
#include "mail/orgdomain.h"
#include "dns/dns.h"
#include "sender/infra.h"

static struct dns_resolver *dns;
static struct orgdomain *psl;
static char zone[] = "/tmp/rw-infra-XXXXXX";

static const char zone_text[] =
    "$STATIC example\n"
    "$STATIC in-addr.arpa\n"
    "$STATIC ip6.arpa\n"
    /* confirmed: PTR and A agree */
    "10.2.0.192.in-addr.arpa. 300 IN PTR out-1.mail.partner.example.\n"
    "out-1.mail.partner.example. 300 IN A 192.0.2.10\n"
    /* a PTR claiming someone else's name: its A points elsewhere */
    "66.2.0.192.in-addr.arpa. 300 IN PTR mx.bank.example.\n"
    "mx.bank.example. 300 IN A 198.51.100.1\n"
    /* two PTR names, the second confirms */
    "7.113.0.203.in-addr.arpa. 300 IN PTR nowhere.example.\n"
    "7.113.0.203.in-addr.arpa. 300 IN PTR smtp.provider.example.\n"
    "smtp.provider.example. 300 IN A 203.0.113.7\n"
    /* IPv6 confirmed */
    "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa."
    " 300 IN PTR v6.partner.example.\n"
    "v6.partner.example. 300 IN AAAA 2001:db8::1\n";

static int
setup(void **state)
{
	struct dns_options o;
	char err[256];
	FILE *fp;
	int fd;

	if ((fd = mkstemp(zone)) == -1 || (fp = fdopen(fd, "w")) == NULL)
		return -1;
	fputs(zone_text, fp);
	fclose(fp);
	memset(&o, 0, sizeof(o));
	o.timeout_ms = 500;
	o.local_data = zone;
	if ((dns = dns_resolver_new(&o, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	if ((psl = orgdomain_new(NULL, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	dns_resolver_free(dns);
	orgdomain_free(psl);
	unlink(zone);
	return 0;
}

static void
ptr_names_are_built_for_both_families(void **state)
{
	char buf[80];

	assert_int_equal(infra_ptr_name("192.0.2.10", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "10.2.0.192.in-addr.arpa");
	assert_int_equal(infra_ptr_name("2001:db8::1", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
	    "0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
	assert_int_equal(infra_ptr_name("not an address", buf, sizeof(buf)),
	    -1);
	assert_int_equal(infra_ptr_name("192.0.2.10", buf, 10), -1);
}

static void
identities(void **state)
{
	static const struct {
		const char *name, *ip, *want, *fcrdns;
	} cases[] = {
		{ "confirmed name gives its organisation", "192.0.2.10",
		    "org:partner.example", "out-1.mail.partner.example" },
		{ "unconfirmed PTR falls back to the /24", "192.0.2.66",
		    "net:192.0.2.0/24", NULL },
		{ "second PTR name may confirm", "203.0.113.7",
		    "org:provider.example", "smtp.provider.example" },
		{ "no PTR gives the network", "198.51.100.200",
		    "net:198.51.100.0/24", NULL },
		{ "IPv6 confirmed", "2001:db8::1", "org:partner.example",
		    "v6.partner.example" },
		{ "IPv6 without PTR gives the /48", "2001:db8:1:2::5",
		    "net:2001:db8:1::/48", NULL },
	};
	struct arena *a = arena_new();
	struct infra in;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("case: %s\n", cases[i].name);
		assert_int_equal(infra_identify(dns, NULL, psl, cases[i].ip,
		    24, 48, a, &in), 0);
		assert_string_equal(in.id, cases[i].want);
		if (cases[i].fcrdns == NULL)
			assert_null(in.fcrdns);
		else
			assert_string_equal(in.fcrdns, cases[i].fcrdns);
	}
	assert_int_equal(infra_identify(dns, NULL, psl, "bogus", 24, 48, a,
	    &in), -1);
	/* Without a resolver the network is all there is. */
	assert_int_equal(infra_identify(NULL, NULL, NULL, "192.0.2.10", 16,
	    48, a, &in), 0);
	assert_string_equal(in.id, "net:192.0.0.0/16");
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ptr_names_are_built_for_both_families),
		cmocka_unit_test(identities),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
