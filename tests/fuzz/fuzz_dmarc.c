/*
 * fuzz_dmarc.c - fuzz target for the DMARC record parser and evaluation
 * in policy/auth/dmarc.c (the parser is static: it is reached through
 * dmarc_check, with a resolver whose local data is made from the input).
 *
 * Input: fields separated by NUL bytes.
 *   field 0   control: byte 0 picks the From domain (% 4: example.com,
 *             sub.example.com, a.b.example.co.uk, or the rest of the
 *             field as arbitrary text), byte 1 the SPF result and domain,
 *             byte 2 the DKIM result and domain
 *   field 1.. one TXT record each: the first byte picks the owner
 *             (% 4: _dmarc.example.com, _dmarc.sub.example.com,
 *             _dmarc.b.example.co.uk, _dmarc.a.b.example.co.uk), the
 *             rest is the record text, any bytes (written to the zone
 *             file with \DDD escapes, in 255-byte character-strings)
 * The zone is "$STATIC ." - nothing leaves the machine - and the
 * forwarder a closed loopback port for good measure.
 *
 * Invariants: the result is one DMARC can give (none pass fail permerror;
 * temperror cannot happen with local data), pass means an aligned
 * identifier, a policy comes only with pass or fail, pct <= 100.
 */
#include <strings.h>
#include <unistd.h>

#include "util/arena.h"
#include "auth/dkimv.h"
#include "auth/dmarc.h"
#include "mail/orgdomain.h"
#include "dns/dns.h"
#include "fuzz.h"
#include "auth/spf.h"

#define FIELD_MAX	4096
#define MAX_RECORDS	8

static struct orgdomain *psl;
static char zone[64];
static int verbose;		/* FUZZ_VERBOSE set: print each result */

static const char *const from_names[] = {
	"example.com", "sub.example.com", "a.b.example.co.uk",
};
static const char *const owners[] = {
	"_dmarc.example.com", "_dmarc.sub.example.com",
	"_dmarc.b.example.co.uk", "_dmarc.a.b.example.co.uk",
};
static const char *const auth_domains[] = {
	"example.com", "sub.example.com", "mail.example.com", "evil.example",
	"example.co.uk", "b.example.co.uk", "x.a.b.example.co.uk", "Example.COM.",
};

static void
zone_remove(void)
{
	if (zone[0] != '\0')
		unlink(zone);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[256];
	int fd;

	verbose = getenv("FUZZ_VERBOSE") != NULL;
	if ((psl = orgdomain_new(NULL, err, sizeof(err))) == NULL) {
		fprintf(stderr, "fuzz_dmarc: %s\n", err);
		abort();
	}
	snprintf(zone, sizeof(zone), "%s/rwfuzz-dmarc-XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if ((fd = mkstemp(zone)) == -1) {
		perror("fuzz_dmarc: mkstemp");
		abort();
	}
	close(fd);
	/* the zone file is rewritten for every input */
	atexit(zone_remove);
	return 0;
}

static void
check(const struct dmarc_result *r)
{
	FUZZ_CHECK(r->result == AUTH_NONE || r->result == AUTH_PASS ||
	    r->result == AUTH_FAIL || r->result == AUTH_PERMERROR);
	if (r->result == AUTH_PASS)
		FUZZ_CHECK(r->spf_aligned || r->dkim_aligned);
	if (r->result == AUTH_FAIL)
		FUZZ_CHECK(!r->spf_aligned && !r->dkim_aligned);
	if (r->result == AUTH_PASS || r->result == AUTH_FAIL)
		FUZZ_CHECK(r->policy != DMARC_POLICY_UNSET &&
		    r->record_domain != NULL);
	FUZZ_CHECK(r->pct <= 100);
	FUZZ_CHECK(r->policy <= DMARC_POLICY_REJECT);
	if (r->dkim_aligned)
		FUZZ_CHECK(r->dkim_domain != NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const fwd[] = { "127.0.0.1@9" };
	char field[FIELD_MAX], ctl[FIELD_MAX], err[256];
	struct dns_options o;
	struct dns_resolver *dns;
	struct spf_result spf;
	struct dkim_sig_result sig;
	struct dkim_results dkim;
	struct dmarc_result r;
	const char *from;
	struct arena *a;
	size_t pos = 0, nrec = 0;
	unsigned char c0, c1, c2;
	FILE *fp;

	if (fuzz_field(data, size, &pos, ctl, sizeof(ctl)) == NULL)
		return 0;
	c0 = (unsigned char)ctl[0];
	c1 = c0 ? (unsigned char)ctl[1] : 0;
	c2 = c1 ? (unsigned char)ctl[2] : 0;
	if ((fp = fopen(zone, "w")) == NULL)
		return 0;
	fputs("$STATIC .\n", fp);
	while (nrec < MAX_RECORDS &&
	    fuzz_field(data, size, &pos, field, sizeof(field)) != NULL) {
		fuzz_zone_txt(fp, owners[(unsigned char)field[0] % 4],
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
	if ((a = arena_new()) == NULL) {
		dns_resolver_free(dns);
		return 0;
	}
	from = c0 % 4 < 3 ? from_names[c0 % 4] : ctl + 1;
	memset(&spf, 0, sizeof(spf));
	spf.result = (c1 & 8) ? AUTH_PASS : (enum auth_result)(c1 % 8);
	spf.domain = c1 & 0x80 ? NULL : auth_domains[c1 % 8];
	memset(&sig, 0, sizeof(sig));
	sig.result = (c2 & 8) ? AUTH_PASS : (enum auth_result)(c2 % 8);
	sig.domain = c2 & 0x80 ? NULL : auth_domains[c2 % 8];
	dkim.count = c2 & 0x40 ? 0 : 1;
	dkim.sigs = &sig;
	dkim.truncated = 0;
	if (dmarc_check(psl, dns, NULL, from, &spf, &dkim, a, &r) == 0) {
		check(&r);
		if (verbose)
			fprintf(stderr, "dmarc=%s policy=%s record=%s "
			    "reason=%s\n", auth_result_name(r.result),
			    dmarc_policy_name(r.policy),
			    r.record_domain ? r.record_domain : "-",
			    r.reason ? r.reason : "-");
	}
	arena_free(a);
	dns_resolver_free(dns);
	return 0;
}
