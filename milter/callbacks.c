/*
 * callbacks.c - libmilter callbacks: thin glue from the milter protocol to
 * policy/.
 *
 * Exports callbacks_desc.  Per connection a struct conn (client, HELO, the
 * protocol options agreed), per message a struct scan (policy.h), both only
 * behind smfi_getpriv/smfi_setpriv.  The scan is released at end of
 * message, on abort and on close (release_scan is safe to call twice).
 * Thread rule: libmilter never overlaps one connection's callbacks, so
 * neither struct needs a lock; the only shared object, the current config
 * generation, is reached through reload.c.
 *
 * Protocol v6: we ask for no reply to every step except end of message
 * (SMFIP_NR_*) when the MTA offers it, so a message costs one round trip
 * with the MTA beyond the data itself.  A failure before end of message
 * (out of memory) is remembered and tempfails the message at its end.
 * SMFIP_HDR_LEADSPC keeps the space after a header's colon, which DKIM
 * simple header canonicalisation needs byte for byte.
 *
 * Caps (issue 8): max_connections open at once - one more is tempfailed
 * at connect (NR not agreed for it, so the MTA reads that reply), and
 * the refusals are logged at most every 10 s; max_message_header_bytes
 * of header fields and recipients held per message - past it nothing
 * more is kept and the message is tempfailed at its end (a flood that
 * large is not mail; tempfail loses nothing real).
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <netdb.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apply.h"
#include "callbacks.h"
#include "config/config.h"
#include "util/log.h"
#include "mail/message.h"
#include "util/metrics.h"
#include "metricsout.h"
#include "policy.h"
#include "reload.h"
#include "report.h"

#define NR_WANTED	(SMFIP_NR_CONN | SMFIP_NR_HELO | SMFIP_NR_MAIL | \
	SMFIP_NR_RCPT | SMFIP_NR_HDR | SMFIP_NR_EOH | SMFIP_NR_BODY)

struct conn {
	char id[24];			/* until a queue id is known */
	char *client_ip;		/* NULL when the MTA gave none */
	char *client_name;
	char *helo;
	unsigned long nr;		/* SMFIP_NR_* agreed */
	int leadspc;			/* SMFIP_HDR_LEADSPC agreed */
	int failed;			/* tempfail this message at eom */
	int refused;			/* over max_connections: tempfail */
	int over;			/* past max_message_header_bytes */
	size_t held;			/* header and recipient bytes of
					   this message */
	struct scan *scan;
};

static atomic_ulong conn_counter;
static atomic_ulong conn_open;		/* struct conns alive */
static atomic_ulong refused_count;	/* since the last log line */
static atomic_llong refused_logged;	/* monotonic s of that line */

/* Logs connection refusals, one line per 10 s at most: a flood of
 * connections must not become a flood of log lines. */
static void
log_refusal(const struct conn *c, unsigned long open, unsigned cap)
{
	struct timespec now;
	unsigned long n = atomic_fetch_add(&refused_count, 1) + 1;
	long long last = atomic_load(&refused_logged);

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (last != 0 && now.tv_sec - last < 10)
		return;
	if (!atomic_compare_exchange_strong(&refused_logged, &last,
	    (long long)now.tv_sec))
		return;
	atomic_fetch_sub(&refused_count, n);
	log_warning(c->id, "connection tempfailed: %lu open, "
	    "max_connections = %u (%lu refused since the last such line)",
	    open, cap, n);
}

static struct conn *
conn_get(SMFICTX *ctx)
{
	struct conn *c = smfi_getpriv(ctx);
	struct policy *pol;
	unsigned long open;
	unsigned cap = 0;

	if (c == NULL) {
		if ((c = calloc(1, sizeof(*c))) == NULL)
			return NULL;
		snprintf(c->id, sizeof(c->id), "C%lx",
		    atomic_fetch_add(&conn_counter, 1) + 1);
		smfi_setpriv(ctx, c);
		/* Counted from the first callback to cb_close, which
		 * libmilter calls for every connection. */
		open = atomic_fetch_add(&conn_open, 1) + 1;
		if ((pol = reload_current()) != NULL) {
			cap = policy_config(pol)->max_connections;
			policy_unref(pol);
		}
		if (cap != 0 && open > cap) {
			c->refused = 1;
			log_refusal(c, open, cap);
		}
	}
	return c;
}

/* The reply a step gives: none when the MTA agreed not to wait for it. */
static sfsistat
cont(const struct conn *c, unsigned long nrflag)
{
	return (c != NULL && (c->nr & nrflag)) ? SMFIS_NOREPLY :
	    SMFIS_CONTINUE;
}

static void
release_scan(struct conn *c)
{
	if (c != NULL && c->scan != NULL) {
		policy_scan_free(c->scan);
		c->scan = NULL;
		metrics_in_flight(-1);
	}
	if (c != NULL) {
		c->failed = 0;
		c->over = 0;
		c->held = 0;
	}
}

static void
set_str(struct conn *c, char **field, const char *value)
{
	free(*field);
	*field = NULL;
	if (value != NULL && (*field = strdup(value)) == NULL)
		c->failed = 1;
}

static sfsistat
cb_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
    unsigned long f2, unsigned long f3, unsigned long *pf0,
    unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	struct conn *c;

	if ((c = conn_get(ctx)) == NULL)
		return SMFIS_TEMPFAIL;
	*pf0 = f0 & (SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE);
	/* A refused connection agrees to no "no reply" step: the MTA must
	 * read the tempfail we give at connect. */
	*pf1 = f1 & (SMFIP_NOUNKNOWN | SMFIP_NODATA | SMFIP_HDR_LEADSPC |
	    (c->refused ? 0 : NR_WANTED));
	*pf2 = *pf3 = 0;
	c->nr = *pf1 & NR_WANTED;
	c->leadspc = (*pf1 & SMFIP_HDR_LEADSPC) != 0;
	return SMFIS_CONTINUE;
}

/* Address text for SPF: an IPv4-mapped IPv6 address is the IPv4 one. */
static int
addr_text(const struct sockaddr *sa, char *buf, size_t len)
{
	struct sockaddr_in sin;
	const struct sockaddr_in6 *s6;
	socklen_t slen;

	if (sa->sa_family == AF_INET6) {
		s6 = (const struct sockaddr_in6 *)sa;
		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
			memset(&sin, 0, sizeof(sin));
			sin.sin_family = AF_INET;
			memcpy(&sin.sin_addr, &s6->sin6_addr.s6_addr[12], 4);
			return getnameinfo((struct sockaddr *)&sin,
			    sizeof(sin), buf, len, NULL, 0, NI_NUMERICHOST);
		}
		slen = sizeof(struct sockaddr_in6);
	} else if (sa->sa_family == AF_INET) {
		slen = sizeof(struct sockaddr_in);
	} else {
		return -1;
	}
	return getnameinfo(sa, slen, buf, len, NULL, 0, NI_NUMERICHOST);
}

static sfsistat
cb_connect(SMFICTX *ctx, char *hostname, _SOCK_ADDR *hostaddr)
{
	char ip[INET6_ADDRSTRLEN + 1];
	const char *macro;
	struct conn *c;

	if ((c = conn_get(ctx)) == NULL || c->refused)
		return SMFIS_TEMPFAIL;
	if (hostaddr != NULL && addr_text(hostaddr, ip, sizeof(ip)) == 0)
		set_str(c, &c->client_ip, ip);
	else if ((macro = smfi_getsymval(ctx, (char *)"{client_addr}")) !=
	    NULL && macro[0] != '\0')
		set_str(c, &c->client_ip, macro);
	/* "[192.0.2.1]" is the MTA saying it found no reverse name. */
	if (hostname != NULL && hostname[0] != '\0' && hostname[0] != '[')
		set_str(c, &c->client_name, hostname);
	return cont(c, SMFIP_NR_CONN);
}

static sfsistat
cb_helo(SMFICTX *ctx, char *helo)
{
	struct conn *c;

	if ((c = conn_get(ctx)) == NULL)
		return SMFIS_TEMPFAIL;
	set_str(c, &c->helo, helo);
	return cont(c, SMFIP_NR_HELO);
}

static sfsistat
cb_envfrom(SMFICTX *ctx, char **argv)
{
	const struct config *cfg;
	struct message *m = NULL;
	struct policy *pol;
	const char *v;
	struct conn *c;

	if ((c = conn_get(ctx)) == NULL || c->refused)
		return SMFIS_TEMPFAIL;
	release_scan(c);		/* a message without abort or eom */
	if ((pol = reload_current()) == NULL)
		goto fail;
	cfg = policy_config(pol);
	if ((m = message_new(cfg->max_headers, cfg->max_header_length)) ==
	    NULL)
		goto fail;
	v = smfi_getsymval(ctx, (char *)"i");
	if (message_set_id(m, v != NULL && v[0] != '\0' ? v : c->id) == -1 ||
	    message_set_client(m, c->client_ip, c->client_name) == -1 ||
	    message_set_helo(m, c->helo) == -1 ||
	    message_set_mail_from(m, argv[0] != NULL ? argv[0] : "") == -1)
		goto fail;
	/* The SMTP AUTH login: the MTA sends it with MAIL FROM (Postfix's
	 * milter_mail_macros and sendmail's Milter.macros.envfrom list
	 * {auth_authen} by default).  A client that authenticated is ours:
	 * outbound (outbound.c). */
	v = smfi_getsymval(ctx, (char *)"{auth_authen}");
	if (v != NULL && v[0] != '\0' && message_set_auth(m, v) == -1)
		goto fail;
	if ((c->scan = policy_scan_new(pol, m)) == NULL)
		goto fail;
	metrics_in_flight(1);	/* until release_scan */
	policy_unref(pol);	/* the scan holds its own reference */
	return cont(c, SMFIP_NR_MAIL);
fail:
	message_free(m);
	policy_unref(pol);
	log_err(c->id, "cannot start a message (out of memory or no "
	    "configuration): it will be tempfailed");
	c->failed = 1;
	return cont(c, SMFIP_NR_MAIL);
}

/* Adds n bytes to what this message holds; 1 (and remembered) once that
 * is past max_message_header_bytes: nothing more is kept. */
static int
held_over(struct conn *c, size_t n)
{
	if (!c->over) {
		c->held += n;
		c->over = c->held > policy_scan_config(c->scan)->
		    max_message_header_bytes;
	}
	return c->over;
}

static sfsistat
cb_envrcpt(SMFICTX *ctx, char **argv)
{
	struct conn *c = smfi_getpriv(ctx);

	if (c != NULL && c->scan != NULL && argv[0] != NULL &&
	    !held_over(c, strlen(argv[0])) &&
	    message_add_rcpt(policy_scan_message(c->scan), argv[0]) == -1)
		c->failed = 1;
	return cont(c, SMFIP_NR_RCPT);
}

static sfsistat
cb_header(SMFICTX *ctx, char *name, char *value)
{
	struct conn *c = smfi_getpriv(ctx);
	char *v;
	size_t n;
	int r;

	if (c == NULL || c->scan == NULL || c->failed ||
	    held_over(c, strlen(name) + strlen(value) + 4))
		return cont(c, SMFIP_NR_HDR);
	if (c->leadspc || value[0] == ' ' || value[0] == '\t') {
		r = policy_scan_header(c->scan, name, value);
	} else {
		/* The MTA dropped the space after the colon (no
		 * SMFIP_HDR_LEADSPC): put back the usual one. */
		n = strlen(value);
		if ((v = malloc(n + 2)) == NULL) {
			c->failed = 1;
			return cont(c, SMFIP_NR_HDR);
		}
		v[0] = ' ';
		memcpy(v + 1, value, n + 1);
		r = policy_scan_header(c->scan, name, v);
		free(v);
	}
	if (r == -1)
		c->failed = 1;
	return cont(c, SMFIP_NR_HDR);
}

static sfsistat
cb_eoh(SMFICTX *ctx)
{
	struct conn *c = smfi_getpriv(ctx);

	if (c != NULL && c->scan != NULL && !c->failed && !c->over &&
	    policy_scan_eoh(c->scan) == -1)
		c->failed = 1;
	return cont(c, SMFIP_NR_EOH);
}

static sfsistat
cb_body(SMFICTX *ctx, unsigned char *buf, size_t len)
{
	struct conn *c = smfi_getpriv(ctx);

	if (c != NULL && c->scan != NULL && !c->failed && !c->over &&
	    policy_scan_body(c->scan, buf, len) == -1)
		c->failed = 1;
	return cont(c, SMFIP_NR_BODY);
}

/* Issue 14 item 2: one finished message into the counters: the action
 * the MTA is told (rc), the evaluation's reasons and results when there
 * is one, the time since end of data began (t0). */
static sfsistat
counted(sfsistat rc, const struct evaluation *e, long long t0)
{
	unsigned action;

	if (rc == SMFIS_TEMPFAIL)
		action = VERDICT_TEMPFAIL;
	else if (rc == SMFIS_REJECT)
		action = VERDICT_REJECT;
	else
		action = e != NULL ? e->plan.action : VERDICT_ACCEPT;
	metricsout_record(e, action);
	metrics_observe_us(METRICS_H_MESSAGE, metrics_now_us() - t0);
	return rc;
}

static sfsistat
cb_eom(SMFICTX *ctx)
{
	const struct evaluation *e;
	struct conn *c = smfi_getpriv(ctx);
	struct message *m;
	const char *qid, *line;
	long long t0 = metrics_now_us();
	sfsistat rc;

	if (c == NULL || c->refused)
		return SMFIS_TEMPFAIL;
	if (c->over) {
		log_warning(c->id, "message tempfailed: its header fields "
		    "and recipients passed max_message_header_bytes = %u",
		    policy_scan_config(c->scan)->max_message_header_bytes);
		release_scan(c);
		return counted(SMFIS_TEMPFAIL, NULL, t0);
	}
	if (c->scan == NULL || c->failed) {
		log_err(c->id, "message tempfailed: out of memory earlier");
		release_scan(c);
		return counted(SMFIS_TEMPFAIL, NULL, t0);
	}
	m = policy_scan_message(c->scan);
	/* The queue id: Postfix knows it only after the first RCPT. */
	qid = smfi_getsymval(ctx, (char *)"i");
	if (qid != NULL && qid[0] != '\0' && message_set_id(m, qid) == -1)
		goto oom;
	if (policy_scan_finish(c->scan, &e) == -1)
		goto oom;
	rc = apply_evaluation(ctx, m, e, c->leadspc);
	if ((line = report_logline(m, e)) != NULL)
		log_info(m->id, "%s", line);
	/* before release_scan: e is the scan's */
	rc = counted(rc, e, t0);
	release_scan(c);
	return rc;
oom:
	log_err(c->id, "out of memory at end of message: tempfail");
	release_scan(c);
	return counted(SMFIS_TEMPFAIL, NULL, t0);
}

static sfsistat
cb_abort(SMFICTX *ctx)
{
	release_scan(smfi_getpriv(ctx));
	return SMFIS_CONTINUE;
}

static sfsistat
cb_close(SMFICTX *ctx)
{
	struct conn *c = smfi_getpriv(ctx);

	if (c != NULL) {
		release_scan(c);
		free(c->client_ip);
		free(c->client_name);
		free(c->helo);
		free(c);
		smfi_setpriv(ctx, NULL);
		atomic_fetch_sub(&conn_open, 1);
	}
	return SMFIS_CONTINUE;
}

struct smfiDesc callbacks_desc = {
	.xxfi_name = (char *)"relaywarden",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE,
	.xxfi_connect = cb_connect,
	.xxfi_helo = cb_helo,
	.xxfi_envfrom = cb_envfrom,
	.xxfi_envrcpt = cb_envrcpt,
	.xxfi_header = cb_header,
	.xxfi_eoh = cb_eoh,
	.xxfi_body = cb_body,
	.xxfi_eom = cb_eom,
	.xxfi_abort = cb_abort,
	.xxfi_close = cb_close,
	.xxfi_negotiate = cb_negotiate,
};
