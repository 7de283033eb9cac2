/*
 * fuzz_dnslocal.c - fuzz target for the resolver's local-data file
 * (policy/dns/dnslocal.c, format in dns.h) and the record helpers of dns.c:
 * the input is the file; a resolver is made with it and asked, for the
 * owner name of each of the first lines and a few fixed names, every
 * record type we use; each answer goes through dns_rr_txt or
 * dns_rr_name.
 *
 * "$STATIC ." is put in front so that no name reaches a resolver; a
 * $FORWARD line in the input still sends its name to the forwarder,
 * 127.0.0.1 port 9 (nothing leaves the machine), with a 50 ms deadline.
 *
 * Invariants: a refused file says why as "FILE:LINE: problem" or
 * "FILE: problem"; answers have a known status, a count that matches the
 * records, and helpers that never read past a record (ASan) and return
 * -1 or a length that fits their buffer.
 */
#include <unistd.h>

#include "dns/dns.h"
#include "fuzz.h"
#include "util/log.h"

#define MAX_OWNERS	8
#define NAME_BUF	1024

static char zone[64];

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
	snprintf(zone, sizeof(zone), "%s/rwfuzz-dnslocal-XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if ((fd = mkstemp(zone)) == -1) {
		perror("fuzz_dnslocal: mkstemp");
		abort();
	}
	close(fd);
	atexit(zone_remove);
	return 0;
}

static void
ask(struct dns_resolver *r, const char *name)
{
	static const int types[] = { DNS_T_A, DNS_T_AAAA, DNS_T_TXT,
	    DNS_T_MX, DNS_T_PTR, DNS_T_CNAME, DNS_T_NS };
	char buf[NAME_BUF];
	struct dns_reply *rep;
	size_t t, i;
	int n;

	for (t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		if (dns_query(r, NULL, name, types[t], &rep) == -1)
			continue;
		FUZZ_CHECK(rep->status >= DNS_OK &&
		    rep->status <= DNS_BADNAME);
		FUZZ_CHECK(rep->count == 0 || rep->rr != NULL);
		if (rep->status != DNS_OK)
			FUZZ_CHECK(rep->count == 0);
		for (i = 0; i < rep->count; i++) {
			const struct dns_rr *rr = &rep->rr[i];

			if (types[t] == DNS_T_TXT)
				n = dns_rr_txt(rr, buf, sizeof(buf));
			else if (types[t] == DNS_T_MX)
				n = dns_rr_name(rr, 2, buf, sizeof(buf));
			else if (types[t] == DNS_T_A ||
			    types[t] == DNS_T_AAAA)
				n = (int)rr->len;
			else
				n = dns_rr_name(rr, 0, buf, sizeof(buf));
			FUZZ_CHECK(n >= -1);
			if (types[t] != DNS_T_A && types[t] != DNS_T_AAAA)
				FUZZ_CHECK(n < (int)sizeof(buf));
		}
		dns_reply_free(rep);
	}
}

/* The first token of each of the first lines, as a query name. */
static size_t
owners(const uint8_t *data, size_t size, char names[][NAME_BUF], size_t max)
{
	size_t i = 0, n = 0, k;

	while (i < size && n < max) {
		for (k = 0; i + k < size && data[i + k] != ' ' &&
		    data[i + k] != '\t' && data[i + k] != '\n' &&
		    k < NAME_BUF - 1; k++)
			;
		if (k > 0 && data[i] != '$' && data[i] != ';' &&
		    data[i] != '#') {
			memcpy(names[n], data + i, k);
			names[n++][k] = '\0';
		}
		while (i < size && data[i] != '\n')
			i++;
		i++;
	}
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const fwd[] = { "127.0.0.1@9" };
	static char names[MAX_OWNERS][NAME_BUF];
	struct dns_resolver *r;
	struct dns_options o;
	char err[512];
	size_t i, n;
	FILE *fp;

	if ((fp = fopen(zone, "w")) == NULL)
		return 0;
	if (fputs("$STATIC .\n", fp) == EOF ||
	    fwrite(data, 1, size, fp) != size) {
		fclose(fp);
		return 0;
	}
	if (fclose(fp) != 0)
		return 0;
	memset(&o, 0, sizeof(o));
	o.forwarders = fwd;
	o.nforwarders = 1;
	o.timeout_ms = 50;
	o.local_data = zone;
	err[0] = '\0';
	if ((r = dns_resolver_new(&o, err, sizeof(err))) == NULL) {
		FUZZ_CHECK(strncmp(err, zone, strlen(zone)) == 0 &&
		    err[strlen(zone)] == ':');
		return 0;
	}
	n = owners(data, size, names, MAX_OWNERS);
	for (i = 0; i < n; i++)
		ask(r, names[i]);
	ask(r, "example.com");
	ask(r, "www.example.com");
	dns_resolver_free(r);
	return 0;
}
