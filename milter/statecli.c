/*
 * statecli.c - relaywarden-state: the admin's view of the sender history
 * in Redis, and the one-command fix for a false positive.
 *
 *   relaywarden-state [-c FILE] [--json] show DOMAIN
 *   relaywarden-state [-c FILE] [--json] forget DOMAIN
 *   relaywarden-state [-c FILE] [--json] trust-relay|untrust-relay
 *       DOMAIN INFRA            (INFRA: "org:example.net" or
 *                                "net:192.0.2.0/24")
 *   relaywarden-state [-c FILE] [--json] trust-signer|untrust-signer
 *       DOMAIN SIGNER
 *   relaywarden-state [-c FILE] [--json] first-contacts
 *       [--since DURATION] [--limit N]
 *   relaywarden-state [-c FILE] [--json] report [--since DURATION]
 *       [--limit N] [--new-count N] [--postfix-config DIR]
 *       (what changed: statereport.c)
 *   relaywarden-state [-c FILE] export >FILE
 *   relaywarden-state [-c FILE] [--replace] import <FILE
 *       (every key under the prefix as JSON lines: statexfer.c)
 *
 * Exit 0 done, 1 not found (no history, nothing to untrust), 2 usage,
 * configuration or Redis error (one line on stderr).  Without -c the
 * daemon's default file (toolconf.h), or the built-in defaults (Redis on
 * 127.0.0.1:6379) when it does not exist; stderr says which.  Times are UTC,
 * RFC 3339.  first-contacts SCANs every sender key: its cost grows with
 * the number of senders (see state.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/arena.h"
#include "config/config.h"
#include "util/log.h"
#include "report.h"
#include "state/state.h"
#include "mail/orgdomain.h"
#include "sender/infra.h"
#include "toolconf.h"
#include "statexfer.h"
#include "statereport.h"

#define PROG	"relaywarden-state"

static int json;

static void
usage(void)
{
	fprintf(stderr, "usage: " PROG " [-c config] [--json] show|forget "
	    "DOMAIN\n"
	    "       " PROG " [-c config] [--json] trust-relay|untrust-relay "
	    "DOMAIN INFRA\n"
	    "       " PROG " [-c config] [--json] trust-signer|untrust-signer "
	    "DOMAIN SIGNER\n"
	    "       " PROG " [-c config] [--json] first-contacts "
	    "[--since DURATION] [--limit N]\n"
	    "       " PROG " [-c config] [--json] report "
	    "[--since DURATION] [--limit N] [--new-count N]\n"
	    "           [--postfix-config DIR]\n"
	    "       " PROG " [-c config] export >FILE\n"
	    "       " PROG " [-c config] [--replace] import <FILE\n"
	    "INFRA is \"org:DOMAIN\" or \"net:ADDRESS/PREFIX\"; DURATION is "
	    "N[smhdw] (default 7d)\n"
	    "without -c: %s; -V: the version\n", TOOLCONF_DEFAULT);
	exit(2);
}

/* "30", "45s", "90m", "24h", "7d", "2w" into seconds; -1 when bad. */
static long long
parse_duration(const char *s)
{
	unsigned long long v = 0, unit = 1;
	const char *p;

	for (p = s; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (unsigned)(*p - '0');
		if (v > 100ULL * 366 * 86400)
			return -1;
	}
	if (p == s)
		return -1;
	switch (*p) {
	case '\0': case 's': break;
	case 'm': unit = 60; break;
	case 'h': unit = 3600; break;
	case 'd': unit = 86400; break;
	case 'w': unit = 7 * 86400; break;
	default: return -1;
	}
	if (*p != '\0' && p[1] != '\0')
		return -1;
	return (long long)(v * unit);
}

/* RFC 3339 UTC time, or NULL for 0 (never). */
static const char *
iso(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (t == 0 || gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return NULL;
	return buf;
}

static void
json_time(const char *key, time_t t, int comma)
{
	char buf[32];

	printf("\"%s\":", key);
	report_json_str(stdout, iso(t, buf, sizeof(buf)));
	if (comma)
		putchar(',');
}

static void
print_entries(const char *what, const struct state_entry *e, size_t n)
{
	char b1[32], b2[32];
	size_t i;

	if (json) {
		printf("\"%ss\":[", what);
		for (i = 0; i < n; i++) {
			printf("%s{\"name\":", i ? "," : "");
			report_json_str(stdout, e[i].name);
			printf(",\"seen\":%s,\"count\":%lu,",
			    report_json_bool(e[i].seen), e[i].count);
			json_time("last_seen", e[i].last, 1);
			printf("\"trusted\":%s,",
			    report_json_bool(e[i].trusted));
			json_time("trusted_since", e[i].trusted_since, 0);
			putchar('}');
		}
		putchar(']');
		return;
	}
	for (i = 0; i < n; i++) {
		printf("%s %s", what, e[i].name);
		if (e[i].seen)
			printf(" count=%lu last_seen=%s", e[i].count,
			    iso(e[i].last, b1, sizeof(b1)) ?: "never");
		if (e[i].trusted)
			printf(" trusted=%s", iso(e[i].trusted_since, b2,
			    sizeof(b2)) ?: "yes");
		putchar('\n');
	}
}

static int
cmd_show(struct state_pool *pool, const char *domain)
{
	struct state_history h;
	struct arena *a;
	char err[512], b[3][32];
	int rc;

	if ((a = arena_new()) == NULL) {
		fprintf(stderr, PROG ": out of memory\n");
		return 2;
	}
	rc = state_show(pool, domain, a, &h, err, sizeof(err));
	if (rc == -1) {
		fprintf(stderr, PROG ": %s: %s\n", domain, err);
		rc = 2;
	} else if (rc == 1) {
		if (json) {
			printf("{\"domain\":");
			report_json_str(stdout, domain);
			printf(",\"found\":false}\n");
		} else
			fprintf(stderr, PROG ": %s: no history\n", domain);
	} else if (json) {
		printf("{\"domain\":");
		report_json_str(stdout, h.domain);
		printf(",\"found\":true,\"key\":");
		report_json_str(stdout, h.key);
		printf(",\"messages\":%llu,\"auth_messages\":%llu,",
		    h.messages, h.auth_messages);
		json_time("first_seen", h.first_seen, 1);
		json_time("last_seen", h.last_seen, 1);
		json_time("known_since", h.known_since, 1);
		printf("\"ttl\":%lld,", h.ttl);
		print_entries("relay", h.relays, h.nrelays);
		putchar(',');
		print_entries("signer", h.signers, h.nsigners);
		printf(",\"link_messages\":%llu,", h.link_messages);
		print_entries("link", h.links, h.nlinks);
		printf("}\n");
	} else {
		printf("domain %s\nkey %s\nmessages %llu authenticated %llu\n"
		    "first_seen %s\nlast_seen %s\nknown_since %s\n"
		    "ttl %lld\n", h.domain, h.key, h.messages,
		    h.auth_messages, iso(h.first_seen, b[0], 32) ?: "never",
		    iso(h.last_seen, b[1], 32) ?: "never",
		    iso(h.known_since, b[2], 32) ?: "never", h.ttl);
		print_entries("relay", h.relays, h.nrelays);
		print_entries("signer", h.signers, h.nsigners);
		printf("link_messages %llu\n", h.link_messages);
		print_entries("link", h.links, h.nlinks);
	}
	arena_free(a);
	return rc;
}

/* The outcome of forget / trust / untrust, in words. */
static int
report(const char *domain, const char *what, const char *value, int rc,
    const char *done, const char *none, const char *err)
{
	if (rc == -1) {
		fprintf(stderr, PROG ": %s: %s\n", domain, err);
		return 2;
	}
	if (json) {
		printf("{\"domain\":");
		report_json_str(stdout, domain);
		if (value != NULL) {
			printf(",\"%s\":", what);
			report_json_str(stdout, value);
		}
		printf(",\"result\":\"%s\"}\n", rc == 0 ? done : none);
	} else if (value != NULL)
		printf("%s: %s %s: %s\n", domain, what, value, rc == 0 ? done :
		    none);
	else
		printf("%s: %s\n", domain, rc == 0 ? done : none);
	return rc;
}

static int
cmd_first_contacts(struct state_pool *pool, long long since_s, size_t limit)
{
	struct state_contact *c;
	struct arena *a;
	time_t since = time(NULL) - (time_t)since_s;
	char err[512], b[3][32];
	size_t n, i;
	int rc = 0;

	if ((a = arena_new()) == NULL) {
		fprintf(stderr, PROG ": out of memory\n");
		return 2;
	}
	if (state_first_contacts(pool, since, limit, a, &c, &n, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, PROG ": first-contacts: %s\n", err);
		arena_free(a);
		return 2;
	}
	if (json) {
		printf("{");
		json_time("since", since, 0);
		printf(",\"contacts\":[");
	}
	for (i = 0; i < n; i++) {
		if (json) {
			printf("%s{\"domain\":", i ? "," : "");
			report_json_str(stdout, c[i].domain);
			printf(",\"messages\":%llu,\"auth_messages\":%llu,",
			    c[i].messages, c[i].auth_messages);
			json_time("first_seen", c[i].first_seen, 1);
			json_time("last_seen", c[i].last_seen, 1);
			json_time("known_since", c[i].known_since, 0);
			putchar('}');
		} else
			printf("%s %s messages=%llu authenticated=%llu "
			    "last_seen=%s known_since=%s\n",
			    iso(c[i].first_seen, b[0], 32) ?: "never",
			    c[i].domain, c[i].messages, c[i].auth_messages,
			    iso(c[i].last_seen, b[1], 32) ?: "never",
			    iso(c[i].known_since, b[2], 32) ?: "never");
	}
	if (json)
		printf("]}\n");
	arena_free(a);
	return rc;
}

/* trust-relay: refuses what the lookup never gives (it would be
 * "trusted" and never match).  untrust-relay takes anything, so that
 * entries written before this check can still be removed. */
static int
check_infra(const struct config *cfg, const char *id)
{
	struct orgdomain *psl;
	char err[512];
	int rc;

	if ((psl = orgdomain_new(cfg->psl_file[0] ? cfg->psl_file : NULL,
	    err, sizeof(err))) == NULL) {
		fprintf(stderr, PROG ": %s\n", err);
		return -1;
	}
	rc = infra_check_id(psl, id, cfg->infra_v4_prefix,
	    cfg->infra_v6_prefix, err, sizeof(err));
	orgdomain_free(psl);
	if (rc == -1)
		fprintf(stderr, PROG ": %s\n", err);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "since", required_argument, NULL, 's' },
		{ "limit", required_argument, NULL, 'l' },
		{ "replace", no_argument, NULL, 'r' },
		{ "new-count", required_argument, NULL, 'n' },
		{ "postfix-config", required_argument, NULL, 'P' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct {
		const char *name, *what;
		enum state_kind kind;
		int on;
	} trust[] = {
		{ "trust-relay", "relay", STATE_RELAY, 1 },
		{ "untrust-relay", "relay", STATE_RELAY, 0 },
		{ "trust-signer", "signer", STATE_SIGNER, 1 },
		{ "untrust-signer", "signer", STATE_SIGNER, 0 },
	};
	const char *cfgpath = NULL, *cmd;
	long long since = 7 * 86400;
	int since_given = 0;
	const char *postfix_config = NULL;
	unsigned long new_count = 3;
	unsigned long limit = 100;
	struct state_pool *pool;
	struct config *cfg;
	char err[512], *end;
	size_t i;
	int ch, rc, nargs, replace = 0;

	while ((ch = getopt_long(argc, argv, "c:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			cfgpath = optarg;
			break;
		case 'V':
			toolconf_version(PROG);
			return 0;
		case 'j':
			json = 1;
			break;
		case 'r':
			replace = 1;
			break;
		case 'P':
			postfix_config = optarg;
			break;
		case 'n':
			new_count = strtoul(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end != '\0' ||
			    new_count < 1 || new_count > 1000000) {
				fprintf(stderr, PROG ": --new-count %s: not a "
				    "number from 1 to 1000000\n", optarg);
				return 2;
			}
			break;
		case 's':
			since_given = 1;
			if ((since = parse_duration(optarg)) < 0) {
				fprintf(stderr, PROG ": --since %s: not a "
				    "duration such as 7d or 24h\n", optarg);
				return 2;
			}
			break;
		case 'l':
			limit = strtoul(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end != '\0' ||
			    limit < 1 || limit > 100000) {
				fprintf(stderr, PROG ": --limit %s: not a "
				    "number from 1 to 100000\n", optarg);
				return 2;
			}
			break;
		default:
			usage();
		}
	}
	if (optind >= argc)
		usage();
	cmd = argv[optind];
	nargs = argc - optind - 1;
	if (strcmp(cmd, "first-contacts") == 0 || strcmp(cmd, "export") == 0 ||
	    strcmp(cmd, "report") == 0 ||
	    strcmp(cmd, "import") == 0 ? nargs != 0 :
	    (strcmp(cmd, "show") == 0 || strcmp(cmd, "forget") == 0) ?
	    nargs != 1 : nargs != 2)
		usage();
	if (toolconf_load(PROG, cfgpath, &cfg) == -1)
		return 2;
	log_open(PROG, cfg->syslog_facility, 1);
	log_set_level((enum log_level)cfg->log_level);
	if (strcmp(cmd, "trust-relay") == 0 &&
	    check_infra(cfg, argv[optind + 2]) == -1) {
		config_free(cfg);
		return 2;
	}
	pool = state_pool_new(cfg, err, sizeof(err));
	if (pool != NULL && strcmp(cmd, "report") == 0) {
		struct statereport_options ro = { since_given ? since : 86400,
		    limit, (unsigned)new_count, json, postfix_config };

		rc = statereport_run(pool, cfg, &ro);
		config_free(cfg);
		state_pool_unref(pool);
		return fflush(stdout) != 0 && rc == 0 ? 2 : rc;
	}
	config_free(cfg);
	if (pool == NULL) {
		fprintf(stderr, PROG ": %s\n", err);
		return 2;
	}
	if (strcmp(cmd, "show") == 0)
		rc = cmd_show(pool, argv[optind + 1]);
	else if (strcmp(cmd, "forget") == 0)
		rc = report(argv[optind + 1], NULL, NULL,
		    state_forget(pool, argv[optind + 1], err, sizeof(err)),
		    "forgotten", "no history", err);
	else if (strcmp(cmd, "first-contacts") == 0)
		rc = cmd_first_contacts(pool, since, limit);
	else if (strcmp(cmd, "export") == 0)
		rc = statexfer_export(pool, stdout);
	else if (strcmp(cmd, "import") == 0)
		rc = statexfer_import(pool, stdin, replace);
	else {
		for (i = 0; i < sizeof(trust) / sizeof(trust[0]) &&
		    strcmp(cmd, trust[i].name) != 0; i++)
			;
		if (i == sizeof(trust) / sizeof(trust[0])) {
			state_pool_unref(pool);
			usage();
		}
		rc = report(argv[optind + 1], trust[i].what, argv[optind + 2],
		    state_trust(pool, argv[optind + 1], trust[i].kind,
		    argv[optind + 2], trust[i].on, 0, err, sizeof(err)),
		    trust[i].on ? "trusted" : "no longer trusted",
		    "was not trusted", err);
	}
	state_pool_unref(pool);
	if (fflush(stdout) != 0 && rc == 0)
		rc = 2;
	return rc;
}
