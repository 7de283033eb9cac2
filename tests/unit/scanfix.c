/*
 * scanfix.c - whole messages through the policy for the tests (see
 * scanfix.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "eml.h"
#include "mail/message.h"
#include "scanfix.h"

int
scanfix_mkdtemp(char *dir, size_t len, const char *name)
{
	const char *t = getenv("TMPDIR");

	snprintf(dir, len, "%s/%s.XXXXXX", t != NULL ? t : "/tmp", name);
	return mkdtemp(dir) == NULL ? -1 : 0;
}

int
scanfix_rmdir(const char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static struct config *
scanfix_vconfig(const char *dir, const char *zone, const char *fmt,
    va_list ap)
{
	struct config *cfg;
	char path[300], err[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/zone", dir);
	assert_non_null(fp = fopen(path, "w"));
	fputs(zone, fp);
	fclose(fp);
	snprintf(path, sizeof(path), "%s/rw.conf", dir);
	assert_non_null(fp = fopen(path, "w"));
	fputs("authserv_id = \"mx.test.example\";\n"
	    "dns_local_data = \"zone\";\n", fp);
	vfprintf(fp, fmt, ap);
	fclose(fp);
	if (config_load(path, &cfg, err, sizeof(err)) == -1)
		fail_msg("config: %s", err);
	return cfg;
}

struct config *
scanfix_config(const char *dir, const char *zone, const char *fmt, ...)
{
	struct config *cfg;
	va_list ap;

	va_start(ap, fmt);
	cfg = scanfix_vconfig(dir, zone, fmt, ap);
	va_end(ap);
	return cfg;
}

struct policy *
scanfix_policy(const char *dir, const char *zone, const char *fmt, ...)
{
	struct policy *pol;
	char err[512];
	va_list ap;

	va_start(ap, fmt);
	pol = policy_new(scanfix_vconfig(dir, zone, fmt, ap), err,
	    sizeof(err));
	va_end(ap);
	if (pol == NULL)
		fail_msg("policy: %s", err);
	return pol;
}

struct scan *
scanfix_scan(struct policy *pol, const char *ip, const char *mail_from,
    const char *text)
{
	const struct config *cfg = policy_config(pol);
	struct message *m;
	struct scan *s;
	char err[256];
	FILE *fp;

	assert_non_null(m = message_new(cfg->max_headers,
	    cfg->max_header_length));
	assert_int_equal(message_set_id(m, "t"), 0);
	assert_int_equal(message_set_client(m, ip, NULL), 0);
	assert_int_equal(message_set_helo(m, "mail.example"), 0);
	assert_int_equal(message_set_mail_from(m, mail_from), 0);
	assert_non_null(s = policy_scan_new(pol, m));
	assert_non_null(fp = fmemopen((void *)text, strlen(text), "r"));
	if (eml_feed(s, fp, err, sizeof(err)) == -1)
		fail_msg("eml: %s", err);
	fclose(fp);
	return s;
}

void
scanfix_evaluate(struct policy *pol, const char *ip, const char *mail_from,
    const char *text, struct scanfix_outcome *out)
{
	struct scan *s = scanfix_scan(pol, ip, mail_from, text);
	const struct evaluation *e;
	size_t i, n = 0;

	assert_int_equal(policy_scan_finish(s, &e), 0);
	out->reasons[0] = '\0';
	for (i = 0; i < e->verdict.nreasons; i++)
		n += (size_t)snprintf(out->reasons + n,
		    sizeof(out->reasons) - n, "%s%s", i ? "," : "",
		    e->verdict.reasons[i].rule);
	snprintf(out->authres, sizeof(out->authres), "%s",
	    e->authres != NULL ? e->authres : "");
	out->state = e->sender.state;
	out->learned = e->sender.history.learned;
	out->authenticated = e->sender.authenticated;
	out->withheld = e->sender.teach_withheld;
	out->score = e->verdict.score;
	out->action = e->verdict.action;
	policy_scan_free(s);
}
