/*
 * qcheck.c - the re-check of a held message (qcheck.h).  Exports
 * qcheck_run, qcheck_free, qcheck_eval, qcheck_message, qcheck_config.
 * Single-threaded (the tool).  As relaywarden-check does (check.c): the
 * attachments are walked in sandboxed workers when the config says so,
 * and the history is read, never taught (policy_set_learning 0): a
 * re-check must not count the message twice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "eml.h"
#include "mail/message.h"
#include "policy.h"
#include "scan/scanhost.h"
#include "util/log.h"
#include "qcheck.h"
#include "qmsg.h"
#include "toolconf.h"

#define PROG	"relaywarden-quarantine"

struct qcheck {
	struct policy *pol;
	struct scanhost *host;
	struct scan *scan;
	const struct evaluation *e;
};

/* The queue file's envelope as the MTA gave it to the milter. */
static int
envelope(struct message *m, const struct postcat_env *env)
{
	char *b = NULL;
	size_t i;
	int rc;

	/* SMTP AUTH makes it outbound, as {auth_authen} did (check.c) */
	if (env->auth_user != NULL && env->auth_user[0] != '\0' &&
	    message_set_auth(m, env->auth_user) == -1)
		return -1;
	if (env->sender != NULL && asprintf(&b, "<%s>", env->sender) == -1)
		return -1;
	rc = message_set_client(m, env->client_ip, env->client_name) == -1 ||
	    message_set_helo(m, env->helo) == -1 ||
	    message_set_mail_from(m, b != NULL ? b : "") == -1 ? -1 : 0;
	free(b);
	for (i = 0; rc == 0 && i < env->nrcpts; i++) {
		if (asprintf(&b, "<%s>", env->rcpts[i]) == -1)
			return -1;
		rc = message_add_rcpt(m, b);
		free(b);
	}
	return rc;
}

struct qcheck *
qcheck_run(const char *cfgpath, struct qmsg *q, const char *id)
{
	struct qcheck *c;
	struct config *cfg;
	struct message *m;
	char err[512];

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		fprintf(stderr, PROG ": out of memory\n");
		return NULL;
	}
	if (toolconf_load(PROG, cfgpath, &cfg) == -1) {
		free(c);
		return NULL;
	}
	if (cfg->attach_enable && cfg->attach_sandbox) {
		if ((c->host = scanhost_start(err, sizeof(err))) == NULL) {
			fprintf(stderr, PROG ": %s\n", err);
			config_free(cfg);
			free(c);
			return NULL;
		}
		policy_use_workers(c->host);
	}
	if ((c->pol = policy_new(cfg, err, sizeof(err))) == NULL) {
		fprintf(stderr, PROG ": %s\n", err);
		qcheck_free(c);
		return NULL;
	}
	policy_set_learning(c->pol, 0);
	policy_load_known(c->pol);
	cfg = (struct config *)policy_config(c->pol);
	if ((m = message_new(cfg->max_headers, cfg->max_header_length)) ==
	    NULL || message_set_id(m, id) == -1 ||
	    envelope(m, &q->env) == -1 ||
	    (c->scan = policy_scan_new(c->pol, m)) == NULL) {
		if (c->scan == NULL && m != NULL)
			message_free(m);
		fprintf(stderr, PROG ": out of memory\n");
		qcheck_free(c);
		return NULL;
	}
	if (eml_feed(c->scan, q->msg, err, sizeof(err)) == -1) {
		fprintf(stderr, PROG ": %s: %s\n", id, err);
		qcheck_free(c);
		return NULL;
	}
	if (policy_scan_finish(c->scan, &c->e) == -1) {
		fprintf(stderr, PROG ": out of memory\n");
		qcheck_free(c);
		return NULL;
	}
	return c;
}

void
qcheck_free(struct qcheck *c)
{
	if (c == NULL)
		return;
	policy_scan_free(c->scan);
	policy_unref(c->pol);
	scanhost_stop(c->host);
	free(c);
}

const struct evaluation *
qcheck_eval(const struct qcheck *c)
{
	return c->e;
}

const struct message *
qcheck_message(const struct qcheck *c)
{
	return policy_scan_message((struct scan *)c->scan);
}

const struct config *
qcheck_config(const struct qcheck *c)
{
	return policy_config(c->pol);
}
