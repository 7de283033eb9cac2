/*
 * bench_pipeline.c - the policy pipeline over message files, twice, for
 * tests/bench/run-callgrind: the first pass pays what only a first
 * message pays (OpenSSL's and GMime's first use, an empty DNS cache),
 * the second, in judge_steady, is what every later message costs, and
 * callgrind counts it alone (--toggle-collect=judge_steady).  Not a unit
 * test; built by make check.
 *
 *   bench_pipeline CONFIG CLIENT_IP FILE...
 *
 * Each file is judged as relaywarden-check judges it (a message from
 * CLIENT_IP, HELO mail.bench.example, MAIL FROM the From header's
 * address is not set: the envelope sender is empty), the history read,
 * never written.  Exit 0, or 1 with the reason on stderr.
 */
#include <stdio.h>
#include <stdlib.h>

#include "config/config.h"
#include "eml.h"
#include "mail/message.h"
#include "policy.h"

static int
judge(struct policy *pol, const char *file, const char *ip)
{
	const struct config *cfg = policy_config(pol);
	const struct evaluation *e;
	struct message *m;
	struct scan *s;
	char err[256];
	FILE *fp;
	int rc = -1;

	if ((fp = fopen(file, "r")) == NULL) {
		fprintf(stderr, "bench_pipeline: %s: cannot open\n", file);
		return -1;
	}
	if ((m = message_new(cfg->max_headers, cfg->max_header_length)) ==
	    NULL || message_set_id(m, "bench") == -1 ||
	    message_set_client(m, ip, NULL) == -1 ||
	    message_set_helo(m, "mail.bench.example") == -1 ||
	    message_set_mail_from(m, "") == -1 ||
	    message_add_rcpt(m, "<bench@rcpt.example>") == -1 ||
	    (s = policy_scan_new(pol, m)) == NULL) {
		fprintf(stderr, "bench_pipeline: out of memory\n");
		if (m != NULL)
			message_free(m);
		fclose(fp);
		return -1;
	}
	if (eml_feed(s, fp, err, sizeof(err)) == -1)
		fprintf(stderr, "bench_pipeline: %s: %s\n", file, err);
	else if (policy_scan_finish(s, &e) == -1)
		fprintf(stderr, "bench_pipeline: out of memory\n");
	else
		rc = 0;
	policy_scan_free(s);
	fclose(fp);
	return rc;
}

/* The measured pass: a function of its own for callgrind to toggle on. */
__attribute__((noinline)) static int
judge_steady(struct policy *pol, const char *file, const char *ip)
{
	return judge(pol, file, ip);
}

int
main(int argc, char **argv)
{
	struct config *cfg;
	struct policy *pol;
	char err[512];
	int i;

	if (argc < 4) {
		fprintf(stderr, "usage: bench_pipeline CONFIG CLIENT_IP "
		    "FILE...\n");
		return 2;
	}
	if (config_load(argv[1], &cfg, err, sizeof(err)) == -1 ||
	    (pol = policy_new(cfg, err, sizeof(err))) == NULL) {
		fprintf(stderr, "bench_pipeline: %s\n", err);
		return 1;
	}
	policy_set_learning(pol, 0);
	for (i = 3; i < argc; i++)
		if (judge(pol, argv[i], argv[2]) == -1)
			return 1;
	for (i = 3; i < argc; i++)
		if (judge_steady(pol, argv[i], argv[2]) == -1)
			return 1;
	policy_unref(pol);
	return 0;
}
