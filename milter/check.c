/*
 * check.c - relaywarden-check: evaluates one message file offline with the
 * same code path as the milter (policy_scan_*), and prints the
 * Authentication-Results header and verdict, or the JSON report.
 *
 *   relaywarden-check [-c FILE] [--client-ip IP] [--helo NAME]
 *       [--mail-from ADDR] [--rcpt ADDR]... [--json] MESSAGE.eml|-
 *
 * Exit 0 when evaluated (whatever the verdict), 2 on usage, config or
 * input errors, with the reason on stderr.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "eml.h"
#include "mail/hdrout.h"
#include "util/log.h"
#include "mail/message.h"
#include "policy.h"
#include "attach/links.h"
#include "report.h"
#include "scan/scanhost.h"

#define MAX_RCPT	1000

static void
usage(void)
{
	fprintf(stderr, "usage: relaywarden-check [-c config] "
	    "[--client-ip IP] [--helo NAME] [--mail-from ADDR]\n"
	    "         [--rcpt ADDR]... [--learn] [--json] MESSAGE.eml|-\n");
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
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cfgpath = NULL, *ip = NULL, *helo = NULL, *from = NULL;
	const char *rcpts[MAX_RCPT];
	const struct evaluation *e;
	size_t nrcpt = 0, i;
	struct config *cfg;
	struct policy *pol;
	struct scanhost *host = NULL;
	struct message *m;
	struct scan *s;
	int json = 0, learn = 0, ch, rc;
	char err[512];
	FILE *fp;

	while ((ch = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
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
		default:
			usage();
		}
	}
	if (optind != argc - 1)
		usage();

	if (cfgpath != NULL) {
		if (config_load(cfgpath, &cfg, err, sizeof(err)) == -1) {
			fprintf(stderr, "relaywarden-check: %s\n", err);
			return 2;
		}
	} else if ((cfg = config_default()) == NULL) {
		fprintf(stderr, "relaywarden-check: out of memory\n");
		return 2;
	}
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
	if (strcmp(argv[optind], "-") == 0)
		fp = stdin;
	else if ((fp = fopen(argv[optind], "r")) == NULL) {
		fprintf(stderr, "relaywarden-check: %s: cannot open\n",
		    argv[optind]);
		policy_unref(pol);
		scanhost_stop(host);
		return 2;
	}

	cfg = (struct config *)policy_config(pol);
	rc = 2;
	if ((m = message_new(cfg->max_headers, cfg->max_header_length)) ==
	    NULL)
		goto oom;
	if (message_set_id(m, "check") == -1 ||
	    message_set_client(m, ip, NULL) == -1 ||
	    message_set_helo(m, helo) == -1 ||
	    message_set_mail_from(m, from != NULL ? from : "") == -1) {
		message_free(m);
		goto oom;
	}
	for (i = 0; i < nrcpt; i++)
		if (message_add_rcpt(m, rcpts[i]) == -1) {
			message_free(m);
			goto oom;
		}
	if ((s = policy_scan_new(pol, m)) == NULL) {
		message_free(m);
		goto oom;
	}
	if (eml_feed(s, fp, err, sizeof(err)) == -1) {
		fprintf(stderr, "relaywarden-check: %s: %s\n", argv[optind],
		    err);
	} else if (policy_scan_finish(s, &e) == -1) {
		fprintf(stderr, "relaywarden-check: out of memory\n");
	} else {
		if (json)
			rc = report_json(stdout, m, e) == -1 ? 2 : 0;
		else {
			print_human(m, e);
			rc = fflush(stdout) == 0 ? 0 : 2;
		}
	}
	policy_scan_free(s);
	goto out;
oom:
	fprintf(stderr, "relaywarden-check: out of memory\n");
out:
	if (fp != stdin)
		fclose(fp);
	policy_unref(pol);
	scanhost_stop(host);
	return rc;
}
