/*
 * fuzz_spf.c - fuzz target for SPF in policy/auth/spf.c: the record screen
 * (RFC 7208 section 12 grammar, macro-string costs, the rewrite libspf2
 * compiles), the DNS layer's limits, and libspf2's evaluation behind
 * them.  The screen is static, so it is reached through
 * spf_check_mailfrom and spf_check_helo with a resolver whose local
 * data is made from the input.
 *
 * Input: fields separated by NUL bytes.
 *   field 0   control: byte 0 the client (% 6: 192.0.2.10, 198.51.100.7,
 *             203.0.113.5, 2001:db8::25, ::ffff:192.0.2.10, 2001:db8:1::9),
 *             byte 1 the sender (% 4: user@example.com,
 *             user@sub.example.com, the null sender, or the rest of the
 *             field from byte 3 on), byte 2 the HELO (% 3: mail.example.com,
 *             sub.example.com, [192.0.2.10])
 *   field 1.. one TXT record each: the first byte picks the owner (% 8:
 *             example.com, _spf.example.com, sub.example.com,
 *             exp.example.com, mail.example.com, a.example.com,
 *             10.2.0.192.in.example.com, x.sub.example.com), the rest is
 *             the record text, any bytes
 * Fixed records give the a, mx, ptr and exists mechanisms something to
 * find.  The zone is "$STATIC ." - nothing leaves the machine.
 *
 * Invariants: the result is an RFC 8601 SPF word, never temperror (all
 * data is local) unless a reason says why; an explanation comes only with
 * fail; reasons and explanations are NUL-terminated text.
 */
#include <unistd.h>

#include "util/arena.h"
#include "dns/dns.h"
#include "fuzz.h"
#include "util/log.h"
#include "auth/spf.h"

#define FIELD_MAX	4096
#define MAX_RECORDS	8

static const char zone_fixed[] =
	"$STATIC .\n"
	"mail.example.com. A 192.0.2.10\n"
	"mail.example.com. AAAA 2001:db8::25\n"
	"a.example.com. A 198.51.100.7\n"
	"example.com. MX 10 mail.example.com.\n"
	"example.com. MX 20 a.example.com.\n"
	"sub.example.com. MX 10 mail.example.com.\n"
	"10.2.0.192.in-addr.arpa. PTR mail.example.com.\n"
	"5.113.0.203.in-addr.arpa. PTR x.sub.example.com.\n"
	"x.sub.example.com. A 203.0.113.5\n"
	"10.2.0.192.in.example.com. A 127.0.0.2\n";

static const char *const clients[] = {
	"192.0.2.10", "198.51.100.7", "203.0.113.5", "2001:db8::25",
	"::ffff:192.0.2.10", "2001:db8:1::9",
};
static const char *const senders[] = {
	"<user@example.com>", "<user@sub.example.com>", "<>",
};
static const char *const helos[] = {
	"mail.example.com", "sub.example.com", "[192.0.2.10]",
};
static const char *const owners[] = {
	"example.com", "_spf.example.com", "sub.example.com",
	"exp.example.com", "mail.example.com", "a.example.com",
	"10.2.0.192.in.example.com", "x.sub.example.com",
};

static char zone[64];
static int verbose;		/* FUZZ_VERBOSE set: print each result */

static void
zone_remove(void)
{
	if (zone[0] != '\0')
		unlink(zone);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int fd;

	log_set_level(LOG_L_ERR);
	verbose = getenv("FUZZ_VERBOSE") != NULL;
	snprintf(zone, sizeof(zone), "%s/rwfuzz-spf-XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if ((fd = mkstemp(zone)) == -1) {
		perror("fuzz_spf: mkstemp");
		abort();
	}
	close(fd);
	atexit(zone_remove);
	return 0;
}

static void
check(const struct spf_result *r)
{
	if (verbose)
		fprintf(stderr, "spf=%s identity=%s reason=%s exp=%s\n",
		    auth_result_name(r->result),
		    r->identity ? r->identity : "-",
		    r->reason ? r->reason : "-",
		    r->explanation ? r->explanation : "-");
	FUZZ_CHECK(r->result >= AUTH_NONE && r->result <= AUTH_PERMERROR &&
	    r->result != AUTH_POLICY);
	if (r->explanation != NULL)
		FUZZ_CHECK(r->result == AUTH_FAIL);
	if (r->result == AUTH_TEMPERROR)
		FUZZ_CHECK(r->reason != NULL);
	if (r->reason != NULL)
		(void)strlen(r->reason);
	if (r->explanation != NULL)
		(void)strlen(r->explanation);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const fwd[] = { "127.0.0.1@9" };
	char field[FIELD_MAX], ctl[FIELD_MAX], err[256];
	const char *client, *sender, *helo;
	struct dns_options o;
	struct dns_resolver *dns;
	struct spf_options so;
	struct spf_result r;
	struct arena *a;
	size_t pos = 0, nrec = 0, clen;
	FILE *fp;

	if (fuzz_field(data, size, &pos, ctl, sizeof(ctl)) == NULL)
		return 0;
	clen = strlen(ctl);
	client = clients[(clen > 0 ? (unsigned char)ctl[0] : 0) % 6];
	sender = senders[0];
	if (clen > 1)
		sender = (unsigned char)ctl[1] % 4 < 3 ?
		    senders[(unsigned char)ctl[1] % 4] :
		    clen > 3 ? ctl + 3 : "";
	helo = helos[(clen > 2 ? (unsigned char)ctl[2] : 0) % 3];

	if ((fp = fopen(zone, "w")) == NULL)
		return 0;
	fputs(zone_fixed, fp);
	while (nrec < MAX_RECORDS &&
	    fuzz_field(data, size, &pos, field, sizeof(field)) != NULL) {
		fuzz_zone_txt(fp, owners[(unsigned char)field[0] % 8],
		    field[0] ? field + 1 : field);
		nrec++;
	}
	if (fclose(fp) != 0)
		return 0;

	memset(&o, 0, sizeof(o));
	o.forwarders = fwd;
	o.nforwarders = 1;
	o.timeout_ms = 5000;
	o.local_data = zone;
	if ((dns = dns_resolver_new(&o, err, sizeof(err))) == NULL)
		return 0;		/* a record libunbound refused */
	if ((a = arena_new()) != NULL) {
		spf_options_default(&so);
		so.receiver = "mx.example.net";
		if (spf_check_mailfrom(dns, NULL, &so, client, helo, sender, a,
		    &r) == 0)
			check(&r);
		if (spf_check_helo(dns, NULL, &so, client, helo, a, &r) == 0)
			check(&r);
		arena_free(a);
	}
	dns_resolver_free(dns);
	return 0;
}
