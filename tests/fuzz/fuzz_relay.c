/*
 * fuzz_relay.c - fuzz target for policy/mail/relay.c: Received headers.
 *
 * Input: fields separated by NUL bytes.  Every field goes through
 * relay_parse_received.  Then a message is built - field 0 the client
 * address, field 1 its HELO, every later field a Received header, newest
 * first - and relay_find walks it with internal relays 10.0.0.0/8,
 * 192.168.0.0/16 and 2001:db8:1::/48, max_walk 1 + first byte % 8.
 *
 * Invariants: a parsed or found address is an address (net_parse_addr),
 * never in IPv4-mapped form; a HELO or name is 1..255 printable ASCII
 * bytes; a failed parse leaves all three NULL; relay_find walks at most
 * max_walk headers, an external relay it reports is not internal, and
 * one found in a Received header has HELO and name checked as above.
 */
#include <sys/socket.h>

#include "util/arena.h"
#include "fuzz.h"
#include "mail/message.h"
#include "util/net.h"
#include "mail/relay.h"

#define FIELD_MAX	8192

static const char *const internal_text[] = {
	"10.0.0.0/8", "192.168.0.0/16", "2001:db8:1::/48",
};
#define NINTERNAL	(sizeof(internal_text) / sizeof(internal_text[0]))

static struct net_cidr internal[NINTERNAL];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[128];
	size_t i;

	for (i = 0; i < NINTERNAL; i++)
		if (net_parse_cidr(internal_text[i], &internal[i], err,
		    sizeof(err)) == -1)
			abort();
	return 0;
}

static void
check_host(const char *s)
{
	const char *p;

	if (s == NULL)
		return;
	FUZZ_CHECK(*s != '\0' && strlen(s) <= 255);
	for (p = s; *p != '\0'; p++)
		FUZZ_CHECK((unsigned char)*p > 0x20 && (unsigned char)*p < 0x7f);
}

static void
check_ip(const char *ip)
{
	struct net_addr a;

	FUZZ_CHECK(net_parse_addr(ip, &a) == 0);
	FUZZ_CHECK(a.family == AF_INET || !IN6_IS_ADDR_V4MAPPED(&a.u.v6));
}

static void
check_parse(const char *value, struct arena *a)
{
	const char *helo, *name, *ip;

	if (relay_parse_received(value, a, &helo, &name, &ip) == -1) {
		FUZZ_CHECK(helo == NULL && name == NULL && ip == NULL);
		return;
	}
	FUZZ_CHECK(ip != NULL);
	check_ip(ip);
	check_host(helo);
	check_host(name);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char field[FIELD_MAX];
	const char *f;
	struct message *m;
	struct relay r;
	struct net_addr addr;
	unsigned max_walk = 1 + (size > 0 ? data[0] % 8 : 0), n = 0;
	size_t pos = 0;

	if ((m = message_new(100, 65536)) == NULL)
		return 0;
	while ((f = fuzz_field(data, size, &pos, field, sizeof(field))) !=
	    NULL) {
		check_parse(f, m->arena);
		if (n == 0)
			(void)message_set_client(m, f, "client.example");
		else if (n == 1)
			(void)message_set_helo(m, f);
		else
			(void)message_add_header(m, "Received", f);
		n++;
	}
	if (relay_find(m, internal, NINTERNAL, max_walk, m->arena, &r) == 0) {
		FUZZ_CHECK(r.hops <= max_walk);
		if (r.ip != NULL) {
			check_ip(r.ip);
			/* read from a Received header (the client's own HELO
			 * and name are whatever the MTA passed) */
			if (r.hops > 0 && !r.internal_only) {
				check_host(r.helo);
				check_host(r.name);
			}
			if (!r.internal_only) {
				FUZZ_CHECK(net_parse_addr(r.ip, &addr) == 0);
				FUZZ_CHECK(!net_is_loopback(&addr) &&
				    !net_cidr_list_match(internal, NINTERNAL,
				    &addr));
			}
		} else
			FUZZ_CHECK(!r.internal_only);
	}
	message_free(m);
	return 0;
}
