/*
 * quarantine.c - relaywarden-quarantine: the messages the milter held, in
 * Postfix's hold queue, for the admin who looks at them every day.
 *
 *   relaywarden-quarantine [-c FILE] [-C DIR] [--log-stderr] list [--json]
 *   relaywarden-quarantine [-c FILE] [-C DIR] show ID
 *   relaywarden-quarantine [-c FILE] [-C DIR] release ID
 *       [--trust relay|signer|allow [--days N] [--comment TEXT]]
 *   relaywarden-quarantine [-c FILE] [-C DIR] delete ID
 *
 * -c: our config (toolconf.h); -C: the Postfix instance's config
 * directory (default: Postfix's own, /etc/postfix).  Postfix's tools do
 * the work (pfqueue.c, postcat.c), run with an argv, never a shell; a
 * queue id is letters and digits.  list and show need what postqueue and
 * postcat need (root, or the postdrop group where Postfix allows it);
 * release and delete run postsuper, which Postfix allows to root only.
 * release --trust first teaches the history what the admin decided
 * (state_trust: the relay infrastructure or the DKIM signers the re-check
 * finds, for the From domain), or prints an allow-list entry to paste
 * (the config is the admin's file: this tool never writes it).
 * Every action is logged (syslog, or stderr with --log-stderr) with who
 * did it: the user of the real uid, and SUDO_USER when sudo set it.
 * Exit 0 done, 1 not in the hold queue, 2 usage or failure (on stderr).
 * Single-threaded.
 */
#include <sys/types.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "policy.h"
#include "report.h"
#include "state/state.h"
#include "util/log.h"
#include "pfqueue.h"
#include "qcheck.h"
#include "qmsg.h"
#include "quarantine.h"
#include "toolconf.h"

static void
usage(void)
{
	fprintf(stderr, "usage: " QPROG " [-V] [-c config] [-C postfix_dir] "
	    "[--log-stderr] list [--json]\n"
	    "       " QPROG " [options] show ID\n"
	    "       " QPROG " [options] release ID [--trust relay|signer|"
	    "allow [--days N] [--comment TEXT]]\n"
	    "       " QPROG " [options] delete ID\n");
	exit(2);
}

void
quarantine_who(char *buf, size_t len)
{
	struct passwd pw, *res = NULL;
	char pwbuf[1024], *safe;
	const char *sudo = getenv("SUDO_USER");

	if (getpwuid_r(getuid(), &pw, pwbuf, sizeof(pwbuf), &res) != 0 ||
	    res == NULL)
		snprintf(buf, len, "uid=%lu", (unsigned long)getuid());
	else
		snprintf(buf, len, "%s", pw.pw_name);
	if (sudo != NULL && *sudo != '\0' &&
	    (safe = qmsg_term(sudo)) != NULL) {
		/* SUDO_USER is only a claim the environment makes: logged
		 * next to the real user, never instead of it */
		snprintf(buf + strlen(buf), len - strlen(buf),
		    " sudo_user=%.64s", safe);
		free(safe);
	}
}

/* "42s", "7m", "3h", "12d". */
static const char *
age(time_t arrival, time_t now, char *buf, size_t len)
{
	long long s = arrival > 0 && now > arrival ? (long long)(now -
	    arrival) : 0;

	if (arrival <= 0)
		snprintf(buf, len, "?");
	else if (s < 120)
		snprintf(buf, len, "%llds", s);
	else if (s < 7200)
		snprintf(buf, len, "%lldm", s / 60);
	else if (s < 172800)
		snprintf(buf, len, "%lldh", s / 3600);
	else
		snprintf(buf, len, "%lldd", s / 86400);
	return buf;
}

static void
json_reasons(const char *verdict)
{
	char buf[4096], *p, *w, *d;
	int first = 1;

	qmsg_vfield(verdict, "reasons", buf, sizeof(buf));
	putchar('[');
	for (p = buf; *p != '\0'; first = 0) {
		w = p;
		p += strcspn(p, ",");
		if (*p == ',')
			*p++ = '\0';
		d = strchr(w, '(');
		if (d != NULL) {
			*d++ = '\0';
			d[strcspn(d, ")")] = '\0';
		}
		printf("%s{\"rule\":", first ? "" : ",");
		report_json_str(stdout, w);
		printf(",\"detail\":");
		report_json_str(stdout, d);
		putchar('}');
	}
	putchar(']');
}

static void
print_json(const struct pfqueue_item *it, const struct qmsg *q,
    time_t now, int first)
{
	char b[64];
	size_t i;

	printf("%s{\"queue_id\":", first ? "" : ",\n");
	report_json_str(stdout, it->id);
	printf(",\"arrival_time\":%lld,\"age_s\":%lld,\"client_address\":",
	    (long long)it->arrival, it->arrival > 0 && now > it->arrival ?
	    (long long)(now - it->arrival) : 0LL);
	report_json_str(stdout, q->env.client_ip);
	printf(",\"client_name\":");
	report_json_str(stdout, q->env.client_name);
	printf(",\"sender\":");
	report_json_str(stdout, q->env.sender);
	printf(",\"recipients\":[");
	for (i = 0; i < q->env.nrcpts; i++) {
		printf("%s", i ? "," : "");
		report_json_str(stdout, q->env.rcpts[i]);
	}
	printf("],\"recipients_not_listed\":%lu,\"subject\":",
	    q->env.rcpts_lost);
	report_json_str(stdout, q->subject_decoded);
	printf(",\"action\":");
	report_json_str(stdout, q->verdict ? qmsg_vfield(q->verdict,
	    "action", b, sizeof(b)) : NULL);
	printf(",\"score\":");
	report_json_str(stdout, q->verdict ? qmsg_vfield(q->verdict,
	    "score", b, sizeof(b)) : NULL);
	printf(",\"reasons\":");
	json_reasons(q->verdict != NULL ? q->verdict : "");
	printf(",\"verdict\":");
	report_json_str(stdout, q->verdict);
	putchar('}');
}

/* A held message whose queue file could not be read. */
static void
print_bare(const struct pfqueue_item *it, time_t now, int json, int first,
    const char *why)
{
	char b[64];

	if (!json) {
		printf("%-12s %5s (not read: %.200s)\n", it->id,
		    age(it->arrival, now, b, sizeof(b)), why);
		return;
	}
	printf("%s{\"queue_id\":", first ? "" : ",\n");
	report_json_str(stdout, it->id);
	printf(",\"arrival_time\":%lld,\"error\":", (long long)it->arrival);
	report_json_str(stdout, why);
	putchar('}');
}

/* One table row; every field terminal-safe. */
static int
print_row(const struct pfqueue_item *it, const struct qmsg *q, time_t now)
{
	char b[3][64], r[4096], *f[4] = { NULL, NULL, NULL, NULL };
	char *rc = NULL;
	size_t i, len = 0;
	int ok = -1;

	for (i = 0; i < q->env.nrcpts; i++)
		len += strlen(q->env.rcpts[i]) + 1;
	if ((rc = calloc(1, len + 1)) == NULL)
		return -1;
	for (i = 0; i < q->env.nrcpts; i++) {
		if (i > 0)
			strcat(rc, ",");
		strcat(rc, q->env.rcpts[i]);
	}
	snprintf(r, sizeof(r), "%s[%s]", q->env.client_name ?
	    q->env.client_name : "unknown", q->env.client_ip ?
	    q->env.client_ip : "?");
	if ((f[0] = qmsg_term(r)) == NULL || (f[1] = qmsg_term(
	    q->env.sender ? (*q->env.sender ? q->env.sender : "<>") : "?")) ==
	    NULL || (f[2] = qmsg_term(rc)) == NULL)
		goto out;
	printf("%-12s %5s %-.60s %-.80s %-.200s%s score=%s reasons=%s\n"
	    "    Subject: %.300s\n", it->id, age(it->arrival, now, b[0],
	    sizeof(b[0])), f[0], f[1], f[2], q->env.rcpts_lost ? ",..." : "",
	    q->verdict ? qmsg_vfield(q->verdict, "score", b[1],
	    sizeof(b[1])) : "?", q->verdict ? qmsg_vfield(q->verdict,
	    "reasons", r, sizeof(r)) : "(no X-Relaywarden)",
	    q->subject ? q->subject : "");
	ok = 0;
out:
	for (i = 0; i < 4; i++)
		free(f[i]);
	free(rc);
	return ok;
}

static int
cmd_list(const char *pfconf, int json)
{
	struct pfqueue_item *items;
	struct qmsg q;
	size_t n, i, shown = 0;
	unsigned long lost;
	char err[512], who[160];
	time_t now = time(NULL);
	int rc = 0;

	if (pfqueue_held(pfconf, &items, &n, &lost, err, sizeof(err)) == -1) {
		fprintf(stderr, QPROG ": %s\n", err);
		return 2;
	}
	quarantine_who(who, sizeof(who));
	log_info(NULL, "action=list user=%s held=%zu", who, n);
	if (json)
		printf("{\"held\":[");
	else
		printf("%-12s %5s %s %s %s score reasons\n", "QUEUE-ID", "AGE",
		    "CLIENT", "SENDER", "RECIPIENTS");
	for (i = 0; i < n; i++) {
		if (qmsg_load(pfconf, items[i].id, &q, err, sizeof(err)) ==
		    -1) {
			/* released or deleted meanwhile, or postcat not
			 * allowed to read the queue file (it needs root):
			 * the id and age postqueue gave, and why not more */
			qmsg_free(&q);
			if (!pfqueue_valid_id(items[i].id))
				continue;
			fprintf(stderr, QPROG ": %s: %s%s\n", items[i].id, err,
			    geteuid() != 0 ? " (postcat -q needs root)" : "");
			print_bare(&items[i], now, json, shown == 0, err);
			shown++;
			continue;
		}
		if (json)
			print_json(&items[i], &q, now, shown == 0);
		else if (print_row(&items[i], &q, now) == -1)
			rc = 2;
		shown++;
		qmsg_free(&q);
	}
	if (json)
		printf("],\"not_listed\":%lu}\n", lost);
	else if (lost > 0)
		printf("(%lu more held messages not listed)\n", lost);
	pfqueue_items_free(items, n);
	return rc;
}

/* 1 when id is in the hold queue, 0 not, -1 after printing why. */
static int
is_held(const char *pfconf, const char *id)
{
	struct pfqueue_item *items;
	unsigned long lost;
	char err[512];
	size_t n, i;

	if (pfqueue_held(pfconf, &items, &n, &lost, err, sizeof(err)) == -1) {
		fprintf(stderr, QPROG ": %s\n", err);
		return -1;
	}
	for (i = 0; i < n && strcmp(items[i].id, id) != 0; i++)
		;
	pfqueue_items_free(items, n);
	return i < n;
}

/* show ID: the headers, the recorded verdict, today's. */
static int
cmd_show(const char *cfgpath, const char *pfconf, const char *id)
{
	struct qcheck *c;
	struct qmsg q;
	char err[512], who[160];
	int held;

	if ((held = is_held(pfconf, id)) != 1) {
		if (held == 0)
			fprintf(stderr, QPROG ": %s: not in the hold queue\n",
			    id);
		return held == 0 ? 1 : 2;
	}
	if (qmsg_load(pfconf, id, &q, err, sizeof(err)) == -1) {
		fprintf(stderr, QPROG ": %s: %s\n", id, err);
		qmsg_free(&q);
		return 2;
	}
	quarantine_who(who, sizeof(who));
	log_info(id, "action=show user=%s", who);
	printf("queue id: %s\n", id);
	quarantine_print_envelope(&q);
	printf("--- headers%s\n%s", q.headers_cut ? " (cut)" : "", q.headers);
	printf("--- verdict recorded by the milter\n");
	quarantine_print_verdict(q.verdict, q.nverdicts);
	printf("--- relaywarden-check now\n");
	fflush(stdout);
	if ((c = qcheck_run(cfgpath, &q, id)) == NULL) {
		qmsg_free(&q);
		return 2;
	}
	quarantine_print_check(c, q.verdict);
	qcheck_free(c);
	qmsg_free(&q);
	return fflush(stdout) == 0 ? 0 : 2;
}

static int
need_root(const char *what)
{
	if (geteuid() == 0)
		return 0;
	fprintf(stderr, QPROG ": %s needs root: Postfix lets only root run "
	    "postsuper (list and show work for the postdrop group)\n", what);
	return -1;
}

static int
cmd_delete(const char *pfconf, const char *id)
{
	char err[512], who[160];
	int held;

	if ((held = is_held(pfconf, id)) != 1) {
		if (held == 0)
			fprintf(stderr, QPROG ": %s: not in the hold queue\n",
			    id);
		return held == 0 ? 1 : 2;
	}
	quarantine_who(who, sizeof(who));
	if (pfqueue_super(pfconf, PFQUEUE_DELETE, id, err, sizeof(err)) ==
	    -1 || (held = is_held(pfconf, id)) != 0) {
		log_err(id, "action=delete user=%s result=failed", who);
		fprintf(stderr, QPROG ": %s: not deleted: %s\n", id,
		    held == 1 ? "still in the hold queue" : err);
		return 2;
	}
	log_info(id, "action=delete user=%s result=ok", who);
	printf("%s: deleted\n", id);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "postfix-config", required_argument, NULL, 'C' },
		{ "json", no_argument, NULL, 'j' },
		{ "trust", required_argument, NULL, 't' },
		{ "days", required_argument, NULL, 'd' },
		{ "comment", required_argument, NULL, 'm' },
		{ "log-stderr", no_argument, NULL, 'L' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct quarantine_release rel = { NULL, NULL, 0 };
	const char *cfgpath = NULL, *pfconf = NULL, *cmd, *id = NULL;
	int json = 0, to_stderr = 0, ch, nargs;
	struct config *cfg;
	char *end;
	long days;

	while ((ch = getopt_long(argc, argv, "c:C:hV", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'c':
			cfgpath = optarg;
			break;
		case 'C':
			pfconf = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 't':
			if (strcmp(optarg, "relay") != 0 && strcmp(optarg,
			    "signer") != 0 && strcmp(optarg, "allow") != 0) {
				fprintf(stderr, QPROG ": --trust %.40s: relay, "
				    "signer or allow\n", optarg);
				return 2;
			}
			rel.trust = optarg;
			break;
		case 'd':
			days = strtol(optarg, &end, 10);
			if (*optarg < '1' || *optarg > '9' || *end != '\0' ||
			    days < 1 || days > 3650) {
				fprintf(stderr, QPROG ": --days %.40s: a "
				    "number from 1 to 3650\n", optarg);
				return 2;
			}
			rel.days = (int)days;
			break;
		case 'm':
			rel.comment = optarg;
			break;
		case 'L':
			to_stderr = 1;
			break;
		case 'V':
			toolconf_version(QPROG);
			return 0;
		default:
			usage();
		}
	}
	if (optind >= argc)
		usage();
	cmd = argv[optind];
	nargs = argc - optind - 1;
	if (strcmp(cmd, "list") == 0 ? nargs != 0 : nargs != 1)
		usage();
	if (nargs == 1) {
		id = argv[optind + 1];
		if (!pfqueue_valid_id(id)) {
			fprintf(stderr, QPROG ": %.80s: not a Postfix queue id "
			    "(letters and digits)\n", id);
			return 2;
		}
	}
	if ((json && strcmp(cmd, "list") != 0) || ((rel.trust != NULL ||
	    rel.days != 0 || rel.comment != NULL) && strcmp(cmd, "release") !=
	    0)) {
		fprintf(stderr, QPROG ": --json goes with list, --trust, "
		    "--days and --comment with release\n");
		return 2;
	}
	/* Before anything else: a clear refusal, not a config error */
	if ((strcmp(cmd, "release") == 0 || strcmp(cmd, "delete") == 0) &&
	    need_root(cmd) == -1)
		return 2;
	/* The log's facility and level from our config, as the daemon's;
	 * qcheck loads it again for the policy (a quick read). */
	if (toolconf_load(QPROG, cfgpath, &cfg) == -1)
		return 2;
	log_open(QPROG, cfg->syslog_facility, to_stderr);
	log_set_level(LOG_L_INFO > (enum log_level)cfg->log_level ?
	    LOG_L_INFO : (enum log_level)cfg->log_level);
	config_free(cfg);
	if (strcmp(cmd, "list") == 0)
		return cmd_list(pfconf, json);
	if (strcmp(cmd, "show") == 0)
		return cmd_show(cfgpath, pfconf, id);
	if (strcmp(cmd, "delete") == 0)
		return cmd_delete(pfconf, id);
	if (strcmp(cmd, "release") == 0) {
		switch (is_held(pfconf, id)) {
		case 0:
			fprintf(stderr, QPROG ": %s: not in the hold queue\n",
			    id);
			return 1;
		case -1:
			return 2;
		}
		return quarantine_release(cfgpath, pfconf, id, &rel);
	}
	usage();
	return 2;
}
