/*
 * qrelease.c - relaywarden-quarantine's show output and release
 * (quarantine.h).  Exports quarantine_print_envelope,
 * quarantine_print_verdict, quarantine_print_check, quarantine_release.
 * Single-threaded (the tool).
 *
 * release --trust teaches what the admin decided, from what the re-check
 * of the held message finds now (its From domain, its relay's
 * infrastructure id, its passing DKIM signers): "relay" and "signer"
 * write state_trust entries, as relaywarden-state trust-relay and
 * trust-signer do; "allow" prints an allow-list entry with an expiry to
 * paste into the config (README "Allow-lists"): the config is the
 * admin's file, with its comments and includes, and a tool that rewrote
 * it could break the daemon's next reload.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "config/config.h"
#include "mail/message.h"
#include "policy.h"
#include "report.h"
#include "state/state.h"
#include "util/log.h"
#include "pfqueue.h"
#include "qcheck.h"
#include "qmsg.h"
#include "quarantine.h"

#define ALLOW_DAYS_DEFAULT	30
#define MAX_SIGNERS		16

void
quarantine_print_envelope(const struct qmsg *q)
{
	char *s;
	size_t i;

#define LINE(label, v) do { \
	if ((s = qmsg_term((v) != NULL ? (v) : "-")) != NULL) \
		printf("%s: %.400s\n", label, s); \
	free(s); \
} while (0)
	LINE("client address", q->env.client_ip);
	LINE("client name", q->env.client_name);
	LINE("helo", q->env.helo);
	LINE("sender", q->env.sender);
	for (i = 0; i < q->env.nrcpts; i++)
		LINE("recipient", q->env.rcpts[i]);
#undef LINE
	if (q->env.rcpts_lost)
		printf("recipient: (%lu more)\n", q->env.rcpts_lost);
	printf("subject (decoded): %.400s\n", q->subject ? q->subject : "");
}

void
quarantine_print_verdict(const char *v, size_t n)
{
	char b[4096], *p, *w;

	if (v == NULL) {
		printf("none (no X-Relaywarden header: the message did not "
		    "pass the milter)\n");
		return;
	}
	printf("X-Relaywarden: %.2000s\n", v);
	if (n > 1)
		printf("note: %zu X-Relaywarden headers, the last is ours\n",
		    n);
	printf("action: %s\n", qmsg_vfield(v, "action", b, sizeof(b)));
	printf("score: %s\n", qmsg_vfield(v, "score", b, sizeof(b)));
	qmsg_vfield(v, "reasons", b, sizeof(b));
	for (p = b; *p != '\0';) {
		w = p;
		p += strcspn(p, ",");
		if (*p == ',')
			*p++ = '\0';
		printf("reason: %s\n", w);
	}
}

void
quarantine_print_check(const struct qcheck *c, const char *recorded)
{
	const struct evaluation *e = qcheck_eval(c);
	const struct message *m = qcheck_message(c);
	const struct verdict *v = &e->verdict;
	char b1[64], b2[64];
	size_t i;

	if (e->verdict_header != NULL)
		printf("X-Relaywarden: %s\n", e->verdict_header);
	printf("verdict: %s\n", report_logline(m, e));
	printf("sender: %s\n", report_sender_line(m, e));
	for (i = 0; i < v->nreasons; i++)
		printf("reason: %s%s score=%d%s%s\n", v->reasons[i].rule,
		    v->reasons[i].whatif ? " (what-if)" : "",
		    v->reasons[i].score, v->reasons[i].detail ? " detail=" :
		    "", v->reasons[i].detail ? log_value(m->arena,
		    v->reasons[i].detail, 400) : "");
	printf("recorded action: %s, today: %s\n", recorded ?
	    qmsg_vfield(recorded, "action", b1, sizeof(b1)) : "none",
	    e->verdict_header ? qmsg_vfield(e->verdict_header, "action", b2,
	    sizeof(b2)) : "?");
}

/* The d= of each passing DKIM signature, once each. */
static size_t
signers(const struct evaluation *e, const char **out)
{
	size_t i, j, n = 0;

	for (i = 0; i < e->dkim.count && n < MAX_SIGNERS; i++) {
		const char *d = e->dkim.sigs[i].domain;

		if (e->dkim.sigs[i].result != AUTH_PASS || d == NULL)
			continue;
		for (j = 0; j < n && strcasecmp(out[j], d) != 0; j++)
			;
		if (j == n)
			out[n++] = d;
	}
	return n;
}

/* The entry to paste: the authenticated From address, exempt from the
 * rules the milter held it for, until today + days. */
static int
print_allow(const char *id, const struct qcheck *c, const char *rec,
    const struct quarantine_release *rel, const char *who)
{
	const struct evaluation *e = qcheck_eval(c);
	const struct message *m = qcheck_message(c);
	char reasons[4096], *p, *w, day[16], *comment, *who_s = NULL;
	time_t until = time(NULL) + (time_t)(rel->days ? rel->days :
	    ALLOW_DAYS_DEFAULT) * 86400;
	struct tm tm;
	const char *sep = "";

	/* An address matches only an authenticated From (allowlist.c): for
	 * mail that is not, the entry names the relay's address, the one
	 * thing about it an attacker elsewhere cannot write. */
	if (e->sender.authenticated && e->from_box != NULL &&
	    e->from_box->local != NULL) {
		if (asprintf(&who_s, "%s@%s", e->from_box->local,
		    e->from_box->domain) == -1)
			return -1;
	} else if (e->relay.ip != NULL && !e->relay.internal_only) {
		if (asprintf(&who_s, "%s/%s", e->relay.ip, strchr(e->relay.ip,
		    ':') ? "128" : "32") == -1)
			return -1;
	} else {
		fprintf(stderr, QPROG ": %s: neither an authenticated From "
		    "nor an external relay to allow\n", id);
		return -1;
	}
	for (p = who_s; *p; p++)
		if (*p <= 0x20 || *p > 0x7e || *p == '"' || *p == '\\') {
			fprintf(stderr, QPROG ": %s: the sender cannot be "
			    "written in an allow-list entry\n", id);
			free(who_s);
			return -1;
		}
	if (rel->comment == NULL) {
		fprintf(stderr, QPROG ": --trust allow needs --comment "
		    "(an allow-list entry says why it exists)\n");
		free(who_s);
		return -1;
	}
	for (p = (char *)rel->comment; *p; p++)
		if (*p < 0x20 || *p > 0x7e || *p == '"' || *p == '\\') {
			fprintf(stderr, QPROG ": --comment: printable ASCII "
			    "without quotes or backslashes\n");
			free(who_s);
			return -1;
		}
	gmtime_r(&until, &tm);
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	qmsg_vfield(rec != NULL ? rec : "", "reasons", reasons,
	    sizeof(reasons));
	if (asprintf(&comment, "%s (released %s)", rel->comment, id) == -1) {
		free(who_s);
		return -1;
	}
	printf("# paste into the allowlist list of relaywarden.conf, then "
	    "reload (README \"Allow-lists\"); %s\n", e->sender.authenticated ?
	    "the address matches only an authenticated From" :
	    "the From is not authenticated: the relay's address");
	printf("{ senders = [ \"%s\" ];\n  rules = [ ", who_s);
	for (p = reasons; *p != '\0'; sep = ", ") {
		w = p;
		p += strcspn(p, ",");
		if (*p == ',')
			*p++ = '\0';
		w[strcspn(w, "(")] = '\0';
		printf("%s\"%s\"", sep, w);
	}
	if (*sep == '\0')
		printf("\"*\"");
	printf(" ];\n  expires = \"%s\"; comment = \"%s\"; }\n", day,
	    comment);
	log_info(id, "action=trust user=%s trust=allow sender=%s expires=%s "
	    "comment=%s result=printed", who, log_value(m->arena, who_s, 200),
	    day, log_value(m->arena, rel->comment, 200));
	free(comment);
	free(who_s);
	return 0;
}

/* relay / signer: state_trust for the From domain.  0 or -1. */
static int
teach(const char *id, const struct qcheck *c,
    const struct quarantine_release *rel, const char *who)
{
	const struct evaluation *e = qcheck_eval(c);
	const struct message *m = qcheck_message(c);
	const char *dom = e->sender.domain, *list[MAX_SIGNERS];
	struct state_pool *pool;
	char err[512];
	size_t n, i;
	int rc = 0;

	if (dom == NULL) {
		fprintf(stderr, QPROG ": %s: no From domain to teach\n", id);
		return -1;
	}
	if (strcmp(rel->trust, "relay") == 0) {
		if (e->sender.infra == NULL) {
			fprintf(stderr, QPROG ": %s: the relay was not "
			    "identified\n", id);
			return -1;
		}
		list[0] = e->sender.infra;
		n = 1;
	} else if ((n = signers(e, list)) == 0) {
		fprintf(stderr, QPROG ": %s: no DKIM signature passes: no "
		    "signer to trust\n", id);
		return -1;
	}
	if ((pool = state_pool_new(qcheck_config(c), err, sizeof(err))) ==
	    NULL) {
		fprintf(stderr, QPROG ": %s\n", err);
		return -1;
	}
	for (i = 0; i < n && rc == 0; i++) {
		if (state_trust(pool, dom, strcmp(rel->trust, "relay") == 0 ?
		    STATE_RELAY : STATE_SIGNER, list[i], 1, 0, err,
		    sizeof(err)) == -1) {
			fprintf(stderr, QPROG ": %s: %s\n", id, err);
			log_err(id, "action=trust user=%s trust=%s domain=%s "
			    "%s=%s result=failed", who, rel->trust,
			    log_value(m->arena, dom, 200), rel->trust,
			    log_value(m->arena, list[i], 200));
			rc = -1;
			break;
		}
		log_info(id, "action=trust user=%s trust=%s domain=%s %s=%s "
		    "comment=%s result=ok", who, rel->trust,
		    log_value(m->arena, dom, 200), rel->trust,
		    log_value(m->arena, list[i], 200), rel->comment ?
		    log_value(m->arena, rel->comment, 200) : "-");
		printf("%s: %s %s trusted for %s\n", id, rel->trust,
		    log_value(m->arena, list[i], 200), log_value(m->arena,
		    dom, 200));
	}
	state_pool_unref(pool);
	return rc;
}

int
quarantine_release(const char *cfgpath, const char *pfconf,
    const char *id, const struct quarantine_release *rel)
{
	struct qcheck *c = NULL;
	struct qmsg q;
	char err[512], who[160];
	int rc;

	quarantine_who(who, sizeof(who));
	if (rel->trust == NULL && (rel->days || rel->comment)) {
		fprintf(stderr, QPROG ": --days and --comment go with "
		    "--trust\n");
		return 2;
	}
	if (rel->trust != NULL && rel->days && strcmp(rel->trust, "allow")) {
		fprintf(stderr, QPROG ": --days goes with --trust allow (a "
		    "trusted relay or signer stays until untrusted)\n");
		return 2;
	}
	/* The decision is recorded before the message goes: a release
	 * that failed to teach can be run again, a message released is
	 * gone from the hold queue. */
	if (rel->trust != NULL) {
		if (qmsg_load(pfconf, id, &q, err, sizeof(err)) == -1) {
			fprintf(stderr, QPROG ": %s: %s\n", id, err);
			qmsg_free(&q);
			return 2;
		}
		if ((c = qcheck_run(cfgpath, &q, id)) == NULL) {
			qmsg_free(&q);
			return 2;
		}
		rc = strcmp(rel->trust, "allow") == 0 ? print_allow(id, c,
		    q.verdict, rel, who) : teach(id, c, rel, who);
		qcheck_free(c);
		qmsg_free(&q);
		if (rc == -1) {
			fprintf(stderr, QPROG ": %s: not released\n", id);
			return 2;
		}
	}
	if (pfqueue_super(pfconf, PFQUEUE_RELEASE, id, err, sizeof(err)) ==
	    -1) {
		log_err(id, "action=release user=%s result=failed", who);
		fprintf(stderr, QPROG ": %s: not released: %s\n", id, err);
		return 2;
	}
	log_info(id, "action=release user=%s trust=%s result=ok", who,
	    rel->trust ? rel->trust : "-");
	printf("%s: released\n", id);
	/* postsuper -H leaves it to the next queue run: deliver now */
	if (pfqueue_deliver(pfconf, id, err, sizeof(err)) == -1)
		fprintf(stderr, QPROG ": %s: released, delivery not started "
		    "now (%s): Postfix's next queue run delivers it\n", id,
		    err);
	return 0;
}
