/*
 * check.c - relaywarden-check: evaluates one message file offline with the
 * same code path as the milter (policy_scan_*), and prints the
 * Authentication-Results header and verdict, or the JSON report.
 *
 *   relaywarden-check [-c FILE] [--client-ip IP] [--helo NAME]
 *       [--mail-from ADDR] [--rcpt ADDR]... [--json] [--recorded]
 *       MESSAGE.eml|-
 *   relaywarden-check [-c FILE] [--postfix-config DIR] [--recorded]
 *       --queue-id ID
 *
 * Without -c the daemon's default file (toolconf.h).  Input that is
 * postcat(1) output ("postcat -q ID | relaywarden-check -") gives the
 * envelope (client address and name, HELO, sender, recipients) from the
 * queue file; --queue-id runs postcat itself.  Options given on the
 * command line win over the envelope.  --recorded also prints the
 * X-Relaywarden verdict the milter added at delivery (the milter
 * removes any that arrive from outside, so one in a queued message is
 * ours) next to today's.
 * Exit 0 when evaluated (whatever the verdict), 2 on usage, config or
 * input errors, with the reason on stderr.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/config.h"
#include "eml.h"
#include "mail/hdrout.h"
#include "util/log.h"
#include "mail/message.h"
#include "policy.h"
#include "attach/links.h"
#include "report.h"
#include "scan/scanhost.h"
#include "postcat.h"
#include "toolconf.h"

#define MAX_RCPT	1000

static void
usage(void)
{
	fprintf(stderr, "usage: relaywarden-check [-V] [-c config] "
	    "[--client-ip IP] [--helo NAME] [--mail-from ADDR]\n"
	    "         [--rcpt ADDR]... [--learn] [--json] [--recorded] "
	    "MESSAGE.eml|-\n"
	    "       relaywarden-check [-c config] [--postfix-config DIR] "
	    "[--recorded] --queue-id ID\n"
	    "without -c: %s\n", TOOLCONF_DEFAULT);
	exit(2);
}

/* What the milter would do: the plan's edits in order, then the action. */
static void
print_plan(const struct message *m, const struct plan *p)
{
	const struct plan_edit *ed;
	size_t i;

	for (i = 0; i < p->nedits; i++) {
		ed = &p->edits[i];
		switch (ed->kind) {
		case PLAN_REMOVE:
			if (ed->value != NULL)
				printf("would remove: %s:%s\n", ed->name,
				    hdrout_printable(m->arena, ed->value,
				    400));
			else
				printf("would remove: %s #%u (past a cap)\n",
				    ed->name, ed->occurrence);
			break;
		case PLAN_INSERT_TOP:
			printf("would insert at the top: %s\n", ed->name);
			break;
		case PLAN_ADD:
			printf("would add: %s: %s\n", ed->name,
			    hdrout_printable(m->arena, ed->value, 400));
			break;
		case PLAN_CHANGE:
			printf("would change: %s #%u: %s\n", ed->name,
			    ed->occurrence, hdrout_printable(m->arena,
			    ed->value, 400));
			break;
		}
	}
	printf("action: %s", verdict_action_name(p->action));
	if (p->hold_reason != NULL)
		printf(" (%s)", p->hold_reason);
	if (p->reply_code != NULL)
		printf(" %s %s %s", p->reply_code, p->reply_xcode,
		    hdrout_printable(m->arena, p->reply_text, 400));
	printf("\n");
}

static void
print_human(const struct message *m, const struct evaluation *e)
{
	size_t i;

	if (e->authres != NULL)
		printf("Authentication-Results: %s\n", e->authres);
	if (e->verdict_header != NULL)
		printf("X-Relaywarden: %s\n", e->verdict_header);
	printf("verdict: %s\n", report_logline(m, e));
	printf("sender: %s\n", report_sender_line(m, e));
	for (i = 0; i < e->verdict.nreasons; i++)
		printf("reason: %s%s score=%d%s%s\n",
		    e->verdict.reasons[i].rule,
		    e->verdict.reasons[i].whatif ? " (what-if)" : "",
		    e->verdict.reasons[i].score,
		    e->verdict.reasons[i].detail ? " detail=" : "",
		    e->verdict.reasons[i].detail ? log_value(m->arena,
		    e->verdict.reasons[i].detail, 400) : "");
	for (i = 0; i < e->attachments.nlinks; i++) {
		const struct attach_link *l = &e->attachments.links[i];

		printf("link: %s host=%s%s%s flags=%s where=%s count=%u\n",
		    links_kind_name(l->kind), *l->host ? l->host : "-",
		    l->shown != NULL ? " shown=" : "",
		    l->shown != NULL ? l->shown : "",
		    report_link_flags(m->arena, l->flags),
		    log_value(m->arena, l->where, 200), l->count);
	}
	print_plan(m, &e->plan);
}

/* The value of "action=" in an X-Relaywarden value, in buf ("?" when
 * absent). */
static const char *
action_of(const char *v, char *buf, size_t len)
{
	const char *p = v != NULL ? strstr(v, "action=") : NULL;
	size_t n = 0;

	if (p == NULL)
		return "?";
	for (p += 7; p[n] != '\0' && p[n] != ';' && p[n] != ' ' &&
	    n + 1 < len; n++)
		buf[n] = p[n];
	buf[n] = '\0';
	return buf;
}

/* --recorded: the X-Relaywarden the milter added at delivery (the last
 * one: it appends it, and removed any that came from outside) next to
 * today's verdict. */
static void
print_recorded(const struct message *m, const struct evaluation *e)
{
	const char *rec = NULL;
	char b1[32], b2[32];
	size_t i, n = 0;

	for (i = 0; i < m->nheaders; i++)
		if (strcasecmp(m->headers[i].name, "X-Relaywarden") == 0) {
			rec = m->headers[i].value;
			n++;
		}
	if (rec == NULL) {
		printf("recorded: none (no X-Relaywarden header: the message "
		    "did not pass the milter)\n");
		return;
	}
	rec += strspn(rec, " \t\r\n");
	printf("recorded: %s\n", hdrout_printable(m->arena, rec, 400));
	if (n > 1)
		printf("recorded: note: %zu X-Relaywarden headers, the last "
		    "is shown\n", n);
	printf("recorded action: %s, today: %s\n", action_of(rec, b1,
	    sizeof(b1)), action_of(e->verdict_header, b2, sizeof(b2)));
}

/* The envelope of the message: the command line's, else the queue
 * file's.  0 or -1 (out of memory). */
static int
set_envelope(struct message *m, const struct postcat_env *env,
    const char *ip, const char *helo, const char *from,
    const char *const *rcpts, size_t nrcpt)
{
	const char *name = NULL;
	char *bracketed = NULL;
	size_t i;
	int rc;

	/* The SMTP AUTH login the queue file records makes the message
	 * outbound, as {auth_authen} did for the daemon; an address from
	 * the command line is another client, without it. */
	if (ip == NULL && env->auth_user != NULL && env->auth_user[0] != '\0' &&
	    message_set_auth(m, env->auth_user) == -1)
		return -1;
	if (ip == NULL && env->client_ip != NULL) {
		ip = env->client_ip;
		name = env->client_name;
	}
	if (helo == NULL)
		helo = env->helo;
	if (from == NULL && env->sender != NULL) {
		/* the queue file has the bare address, the MTA gives <..> */
		if (asprintf(&bracketed, "<%s>", env->sender) == -1)
			return -1;
		from = bracketed;
	}
	rc = message_set_client(m, ip, name) == -1 ||
	    message_set_helo(m, helo) == -1 ||
	    message_set_mail_from(m, from != NULL ? from : "") == -1 ? -1 : 0;
	free(bracketed);
	bracketed = NULL;
	for (i = 0; rc == 0 && i < nrcpt; i++)
		if (message_add_rcpt(m, rcpts[i]) == -1)
			rc = -1;
	for (i = 0; rc == 0 && nrcpt == 0 && i < env->nrcpts; i++) {
		if (asprintf(&bracketed, "<%s>", env->rcpts[i]) == -1)
			return -1;
		rc = message_add_rcpt(m, bracketed);
		free(bracketed);
	}
	return rc;
}

/* The message to check, its envelope in env: from postcat -q ID, or the
 * file (postcat output or a message).  NULL after printing why. */
static FILE *
open_input(const char *path, const char *qid, const char *pfconf,
    struct postcat_env *env)
{
	FILE *in, *msg;
	pid_t pid = -1;
	char err[512], err2[256];
	int found, rc;

	if (qid != NULL)
		in = postcat_run(qid, pfconf, &pid, err, sizeof(err));
	else if (strcmp(path, "-") == 0)
		in = stdin;
	else if ((in = fopen(path, "r")) == NULL)
		snprintf(err, sizeof(err), "cannot open");
	if (in == NULL) {
		fprintf(stderr, "relaywarden-check: %s: %s\n", qid != NULL ?
		    qid : path, err);
		return NULL;
	}
	rc = postcat_read(in, env, &found, &msg, err, sizeof(err));
	if (qid != NULL) {
		if (postcat_wait(in, pid, err2, sizeof(err2)) == -1 &&
		    rc == 0) {
			snprintf(err, sizeof(err), "%s", err2);
			rc = -1;
			fclose(msg);
			postcat_env_free(env);
		} else if (rc == 0 && !found) {
			snprintf(err, sizeof(err), "postcat printed no "
			    "envelope records");
			rc = -1;
			fclose(msg);
			postcat_env_free(env);
		}
	} else if (in != stdin)
		fclose(in);
	if (rc == -1) {
		fprintf(stderr, "relaywarden-check: %s: %s\n", qid != NULL ?
		    qid : path, err);
		return NULL;
	}
	if (env->rcpts_lost > 0)
		fprintf(stderr, "relaywarden-check: %lu recipients past the "
		    "first %d not used\n", env->rcpts_lost, POSTCAT_MAX_RCPT);
	return msg;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "client-ip", required_argument, NULL, 'i' },
		{ "helo", required_argument, NULL, 'H' },
		{ "mail-from", required_argument, NULL, 'm' },
		{ "rcpt", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "learn", no_argument, NULL, 'l' },
		{ "queue-id", required_argument, NULL, 'q' },
		{ "postfix-config", required_argument, NULL, 'P' },
		{ "recorded", no_argument, NULL, 'R' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cfgpath = NULL, *ip = NULL, *helo = NULL, *from = NULL;
	const char *qid = NULL, *pfconf = NULL, *what;
	const char *rcpts[MAX_RCPT];
	const struct evaluation *e;
	struct postcat_env env;
	size_t nrcpt = 0;
	struct config *cfg;
	struct policy *pol;
	struct scanhost *host = NULL;
	struct message *m;
	struct scan *s;
	int json = 0, learn = 0, recorded = 0, ch, rc;
	char err[512];
	FILE *fp;

	while ((ch = getopt_long(argc, argv, "c:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			cfgpath = optarg;
			break;
		case 'i':
			ip = optarg;
			break;
		case 'H':
			helo = optarg;
			break;
		case 'm':
			from = optarg;
			break;
		case 'r':
			if (nrcpt == MAX_RCPT) {
				fprintf(stderr, "relaywarden-check: more than "
				    "%d recipients\n", MAX_RCPT);
				return 2;
			}
			rcpts[nrcpt++] = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'l':
			learn = 1;
			break;
		case 'q':
			qid = optarg;
			break;
		case 'P':
			pfconf = optarg;
			break;
		case 'R':
			recorded = 1;
			break;
		case 'V':
			toolconf_version("relaywarden-check");
			return 0;
		default:
			usage();
		}
	}
	if (qid != NULL ? optind != argc : optind != argc - 1)
		usage();
	if (pfconf != NULL && qid == NULL) {
		fprintf(stderr, "relaywarden-check: --postfix-config goes "
		    "with --queue-id\n");
		return 2;
	}
	if (recorded && json) {
		fprintf(stderr, "relaywarden-check: --recorded goes with "
		    "the text output, not --json\n");
		return 2;
	}
	what = qid != NULL ? qid : argv[optind];

	if (toolconf_load("relaywarden-check", cfgpath, &cfg) == -1)
		return 2;
	/* Library and policy messages go to stderr, never into the JSON. */
	log_open("relaywarden-check", cfg->syslog_facility, 1);
	log_set_level((enum log_level)cfg->log_level);
	/* The message is as hostile here as in the daemon (often a held
	 * one): its attachments are walked in a sandboxed worker too.
	 * Still one thread: the fork server may be forked. */
	if (cfg->attach_enable && cfg->attach_sandbox) {
		if ((host = scanhost_start(err, sizeof(err))) == NULL) {
			fprintf(stderr, "relaywarden-check: %s\n", err);
			config_free(cfg);
			return 2;
		}
		policy_use_workers(host);
	}
	if ((pol = policy_new(cfg, err, sizeof(err))) == NULL) {
		fprintf(stderr, "relaywarden-check: %s\n", err);
		scanhost_stop(host);
		return 2;
	}
	/* Read the history, never write it, unless asked to. */
	policy_set_learning(pol, learn);
	policy_load_known(pol);
	if ((fp = open_input(argv[optind], qid, pfconf, &env)) == NULL) {
		policy_unref(pol);
		scanhost_stop(host);
		return 2;
	}

	cfg = (struct config *)policy_config(pol);
	rc = 2;
	if ((m = message_new(cfg->max_headers, cfg->max_header_length)) ==
	    NULL)
		goto oom;
	if (message_set_id(m, qid != NULL ? qid : "check") == -1 ||
	    set_envelope(m, &env, ip, helo, from, rcpts, nrcpt) == -1) {
		message_free(m);
		goto oom;
	}
	if ((s = policy_scan_new(pol, m)) == NULL) {
		message_free(m);
		goto oom;
	}
	if (eml_feed(s, fp, err, sizeof(err)) == -1) {
		fprintf(stderr, "relaywarden-check: %s: %s\n", what, err);
	} else if (policy_scan_finish(s, &e) == -1) {
		fprintf(stderr, "relaywarden-check: out of memory\n");
	} else {
		if (json)
			rc = report_json(stdout, m, e) == -1 ? 2 : 0;
		else {
			print_human(m, e);
			if (recorded)
				print_recorded(m, e);
			rc = fflush(stdout) == 0 ? 0 : 2;
		}
	}
	policy_scan_free(s);
	goto out;
oom:
	fprintf(stderr, "relaywarden-check: out of memory\n");
out:
	fclose(fp);
	postcat_env_free(&env);
	policy_unref(pol);
	scanhost_stop(host);
	return rc;
}
