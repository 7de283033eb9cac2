/*
 * policy.c - policy_new and policy_scan_*: a config generation and the
 * evaluation of one message, the same code path for the milter and
 * relaywarden-check.
 *
 * Exports policy_* (see policy.h).  Owns a generation's long-lived
 * objects: the resolver, the DKIM library handle and the organisational
 * domains (orgdomain.c, built whatever is enabled: DMARC, the sender
 * history, relay organisations, lookalikes and identity all use them).
 * A scan owns its message's DNS budget (dns.h) and hands it to every
 * lookup: SPF, DKIM keys, DMARC and the relay's FCrDNS.
 * Thread rule: a generation is immutable once built and shared by every
 * thread; its reference count is a C11 atomic.  A scan belongs to one
 * message and is used by one thread at a time (libmilter never overlaps
 * one connection's callbacks).
 * Outbound mail (outbound.c: an authenticated client or an internal
 * host) is decided first: it gets the attachment walk only when
 * outbound_attachments says so, no sender verdict, no Redis, no
 * Authentication-Results, and X-Relaywarden says direction=outbound.
 * Order of checks at end of message: relay (internal hops), SPF for MAIL
 * FROM and HELO (RFC 7208), DKIM (already fed as a stream, RFC 6376),
 * DMARC (RFC 7489), the authentication, attachment and sender rules,
 * then the new Authentication-Results is formatted (RFC 8601 section 5;
 * forged ones were listed for removal by message.c as they arrived), the
 * action decided and the header edits planned (plan.c).
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "mail/addr.h"
#include "allowlist.h"
#include "attach/attach.h"
#include "util/arena.h"
#include "auth/authres.h"
#include "config/config.h"
#include "dns/dns.h"
#include "sender/ident.h"
#include "sender/known.h"
#include "mail/message.h"
#include "mail/orgdomain.h"
#include "util/log.h"
#include "policy.h"
#include "report.h"
#include "rules/rules.h"
#include "sender.h"
#include "attach/spool.h"
#include "scan/scanpool.h"
#include "state/state.h"

struct policy {
	atomic_uint refs;
	struct config *cfg;
	struct dns_resolver *dns;
	struct dkimv_lib *dkim;
	struct orgdomain *orgdomain;
	struct attach_ctx *attach;	/* the walk in this process, or */
	struct scanpool *scan;		/* in workers; both NULL: off */
	struct spf_options spf;
	/* The daemon's, shared by the generations of one run: */
	struct state_pool *pool;	/* NULL: state off */
	struct known *known;		/* protected domains, correspondents */
	struct ident_people *people;	/* NULL: none listed */
	int learn;
};

struct scan {
	struct policy *pol;
	struct message *msg;
	struct dkimv *dkim;		/* NULL: DKIM off or gave up */
	struct spool *spool;		/* NULL: attachments off */
	struct dns_budget budget;	/* every lookup of the message */
	unsigned budget_ms;		/* started at policy_scan_finish */
	int spool_failed;		/* a write failed: tempfail */
	struct evaluation eval;
	int finished;
};

static void
generation_free(struct policy *p)
{
	/* The DKIM library borrows the resolver: free it first.  The
	 * attachment context borrows the config. */
	attach_ctx_free(p->attach);
	scanpool_free(p->scan);
	ident_people_free(p->people);
	known_unref(p->known);
	state_pool_unref(p->pool);
	dkimv_lib_free(p->dkim);
	orgdomain_free(p->orgdomain);
	dns_resolver_free(p->dns);
	config_free(p->cfg);
	free(p);
}

/* The people list of cfg for ident.c; NULL p->people when none. */
static int
people_new(struct policy *p, char *err, size_t errlen)
{
	const struct config *cfg = p->cfg;
	struct ident_person *v;
	size_t i;

	if (cfg->npeople == 0)
		return 0;
	if ((v = calloc(cfg->npeople, sizeof(*v))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < cfg->npeople; i++) {
		v[i].name = cfg->people[i].name;
		v[i].addresses = (const char *const *)cfg->people[i].addresses;
		v[i].naddresses = cfg->people[i].naddresses;
	}
	p->people = ident_people_new(v, cfg->npeople, err, errlen);
	free(v);
	return p->people != NULL ? 0 : -1;
}

/* Set once by a program that forked the worker server (policy.h). */
static struct scanhost *workers;

void
policy_use_workers(struct scanhost *host)
{
	workers = host;
}

/* The attachment walk: in workers when there are some and the config
 * wants them, else here (relaywarden -n, tests, attach_sandbox off). */
static int
attach_new(struct policy *p, char *err, size_t errlen)
{
	const struct config *cfg = p->cfg;

	if (!cfg->attach_enable)
		return 0;
	if (workers != NULL && cfg->attach_sandbox) {
		p->scan = scanpool_new(workers, cfg, err, errlen);
		return p->scan != NULL ? 0 : -1;
	}
	if (workers != NULL)
		log_warning(NULL, "attach_sandbox = false: attachments are "
		    "parsed inside the daemon, with its privileges and its "
		    "Redis credentials");
	p->attach = attach_ctx_new(cfg, err, errlen);
	return p->attach != NULL ? 0 : -1;
}

/* Builds a generation; prev (or NULL) lends the daemon's pool and
 * lookalike index. */
static struct policy *
generation_new(struct policy *prev, struct config *cfg, char *err,
    size_t errlen)
{
	struct dns_options dopt;
	struct policy *p;

	if ((p = calloc(1, sizeof(*p))) == NULL) {
		snprintf(err, errlen, "out of memory");
		config_free(cfg);
		return NULL;
	}
	atomic_init(&p->refs, 1);
	p->cfg = cfg;
	p->learn = prev != NULL ? prev->learn : 1;

	memset(&dopt, 0, sizeof(dopt));
	dopt.resolv_conf = cfg->dns_resolv_conf[0] ? cfg->dns_resolv_conf :
	    NULL;
	dopt.forwarders = (const char *const *)cfg->dns_forwarders;
	dopt.nforwarders = cfg->dns_nforwarders;
	dopt.timeout_ms = cfg->dns_timeout_ms;
	dopt.local_data = cfg->dns_local_data[0] ? cfg->dns_local_data : NULL;
	if ((p->dns = dns_resolver_new(&dopt, err, errlen)) == NULL)
		goto fail;
	if (cfg->dkim_enable && (p->dkim = dkimv_lib_new(p->dns,
	    cfg->dkim_max_signatures, err, errlen)) == NULL)
		goto fail;
	if ((p->orgdomain = orgdomain_new(cfg->psl_file[0] ? cfg->psl_file :
	    NULL, err, errlen)) == NULL)
		goto fail;
	if (attach_new(p, err, errlen) == -1)
		goto fail;
	if (people_new(p, err, errlen) == -1)
		goto fail;

	/* The pool is the daemon's: kept across a reload that leaves the
	 * redis_ and state_ settings alone. */
	if (cfg->state_enable) {
		p->pool = prev != NULL && prev->pool != NULL ?
		    state_pool_reconfigure(prev->pool, cfg, err, errlen) :
		    state_pool_new(cfg, err, errlen);
		if (p->pool == NULL)
			goto fail;
	}
	if (prev != NULL) {
		if (known_configure(prev->known, cfg, p->pool, err,
		    errlen) == -1)
			goto fail;
		p->known = known_ref(prev->known);
	} else if ((p->known = known_new(cfg, p->pool, err, errlen)) ==
	    NULL) {
		goto fail;
	}

	spf_options_default(&p->spf);
	p->spf.max_dns_terms = cfg->spf_max_dns_terms;
	p->spf.max_void_lookups = cfg->spf_max_void_lookups;
	p->spf.receiver = cfg->hostname[0] ? cfg->hostname :
	    cfg->authserv_id;
	/* The daemon's message spools together (issue 15: 200 connections
	 * receiving 10 MB each would otherwise hold 200 x 1 MB); set once
	 * the generation is whole, so a failed reload leaves it alone. */
	spool_set_memory_total(cfg->attach_spool_memory_total);
	return p;
fail:
	generation_free(p);
	return NULL;
}

struct policy *
policy_new(struct config *cfg, char *err, size_t errlen)
{
	return generation_new(NULL, cfg, err, errlen);
}

struct policy *
policy_next(struct policy *prev, struct config *cfg, char *err,
    size_t errlen)
{
	return generation_new(prev, cfg, err, errlen);
}

void
policy_set_learning(struct policy *p, int learn)
{
	p->learn = learn;
}

int
policy_start(struct policy *p, char *err, size_t errlen)
{
	if (p->known == NULL || known_start(p->known) == 0)
		return 0;
	snprintf(err, errlen, "cannot start the known-correspondents "
	    "thread");
	return -1;
}

void
policy_load_known(struct policy *p)
{
	char err[256];

	if (p->known != NULL && known_load(p->known, err, sizeof(err)) == -1)
		log_warning(NULL, "known correspondents: %s: lookalike "
		    "checks go on without them", err);
}

struct policy *
policy_ref(struct policy *p)
{
	atomic_fetch_add(&p->refs, 1);
	return p;
}

void
policy_unref(struct policy *p)
{
	if (p != NULL && atomic_fetch_sub(&p->refs, 1) == 1)
		generation_free(p);
}

const struct config *
policy_config(const struct policy *p)
{
	return p->cfg;
}

struct state_pool *
policy_state_pool(const struct policy *p)
{
	return p->pool;
}

struct scan *
policy_scan_new(struct policy *pol, struct message *msg)
{
	struct scan *s;

	if ((s = arena_calloc(msg->arena, 1, sizeof(*s))) == NULL)
		return NULL;
	s->msg = msg;
	s->budget_ms = pol->cfg->dns_message_budget_ms;
	/* RFC 8601 section 5: Authentication-Results claiming our
	 * authserv-id are forged; message.c judges each as it arrives. */
	msg->authserv_id = pol->cfg->authserv_id;
	if (pol->dkim != NULL && (s->dkim = dkimv_start(pol->dkim,
	    &s->budget, msg->arena, msg->id ? msg->id : "-")) == NULL)
		return NULL;
	if ((pol->attach != NULL || pol->scan != NULL) &&
	    (s->spool = spool_new(msg->arena,
	    pol->cfg->attach_spool_memory, pol->cfg->attach_tmpdir)) == NULL)
		return NULL;
	s->pol = policy_ref(pol);
	return s;
}

void
policy_scan_free(struct scan *s)
{
	struct policy *pol;

	if (s == NULL)
		return;
	pol = s->pol;
	/* The scan lives in the message's arena, whose cleanups use the
	 * generation's DKIM library: release the message first. */
	message_free(s->msg);
	policy_unref(pol);
}

struct message *
policy_scan_message(struct scan *s)
{
	return s->msg;
}

const struct config *
policy_scan_config(const struct scan *s)
{
	return s->pol->cfg;
}

void
policy_scan_set_dns_budget(struct scan *s, unsigned ms)
{
	s->budget_ms = ms;
}

struct dns_budget *
policy_scan_dns_budget(struct scan *s)
{
	return &s->budget;
}

/* A spool that cannot be written (disk full, temp dir gone) leaves the
 * content unseen: the message is tempfailed at its end, never passed
 * unchecked. */
static void
spool_fail(struct scan *s, const char *why)
{
	s->spool_failed = 1;
	log_err(s->msg->id, "attachment spool: %s: the message will be "
	    "tempfailed", why);
}

int
policy_scan_header(struct scan *s, const char *name, const char *value)
{
	int r;

	char err[256];

	if ((r = message_add_header(s->msg, name, value)) == -1)
		return -1;
	/* The spool takes every header, capped or not: the MIME walk needs
	 * Content-Type whatever else was dropped. */
	if (s->spool != NULL && !s->spool_failed &&
	    spool_write_header(s->spool, name, value, err, sizeof(err)) == -1)
		spool_fail(s, err);
	/* A header dropped by a cap is not verified either: the verifier's
	 * memory stays bounded, and a signature over it fails safely.
	 * A verifier that gave up reports why in dkimv_finish. */
	if (r == 1 && s->dkim != NULL)
		(void)dkimv_header(s->dkim, name, value);
	return 0;
}

int
policy_scan_eoh(struct scan *s)
{
	char err[256];

	if (s->dkim != NULL)
		(void)dkimv_eoh(s->dkim);
	if (s->spool != NULL && !s->spool_failed &&
	    spool_end_headers(s->spool, err, sizeof(err)) == -1)
		spool_fail(s, err);
	return 0;
}

int
policy_scan_body(struct scan *s, const unsigned char *buf, size_t len)
{
	char err[256];

	s->msg->body_len += len;
	if (s->dkim != NULL)
		(void)dkimv_body(s->dkim, buf, len);
	if (s->spool != NULL && !s->spool_failed &&
	    spool_write(s->spool, buf, len, err, sizeof(err)) == -1)
		spool_fail(s, err);
	return 0;
}

static int
check_spf(struct scan *s)
{
	const struct config *cfg = s->pol->cfg;
	struct evaluation *e = &s->eval;
	struct message *m = s->msg;
	const char *ip, *helo, *from;

	ip = e->relay.ip;
	/* Behind internal relays the first external hop's HELO counts; the
	 * envelope sender is the one the internal MTA passed on. */
	helo = e->relay.hops > 0 ? e->relay.helo : m->helo;
	if (helo == NULL)
		helo = "";
	from = m->mail_from != NULL ? m->mail_from : "";

	e->spf.result = e->helo_spf.result = AUTH_NONE;
	if (!cfg->spf_enable)
		return 0;
	if (ip == NULL || e->relay.internal_only) {
		e->spf.reason = e->helo_spf.reason = e->relay.internal_only ?
		    "internal relays only" : "no client address";
		return 0;
	}
	if (spf_check_mailfrom(s->pol->dns, &s->budget, &s->pol->spf, ip,
	    helo, from, m->arena, &e->spf) == -1)
		return -1;
	if (cfg->spf_helo && spf_check_helo(s->pol->dns, &s->budget,
	    &s->pol->spf, ip, helo, m->arena, &e->helo_spf) == -1)
		return -1;
	return 0;
}

/* The content half of the verdict.  Only a From domain that passed DMARC
 * may use the allow-list, or anyone could claim to be the partner. */
static int
check_attachments(struct scan *s)
{
	struct evaluation *e = &s->eval;
	const char *from;
	char err[256];

	if (s->spool == NULL)
		return 0;
	if (s->spool_failed) {
		verdict_require(&e->verdict, VERDICT_TEMPFAIL);
		return 0;
	}
	from = e->dmarc.result == AUTH_PASS ? e->dmarc.from_domain : NULL;
	if ((s->pol->scan != NULL ? scanpool_evaluate(s->pol->scan, s->spool,
	    from, s->msg->id, s->msg->arena, &e->attachments, &e->verdict,
	    err, sizeof(err)) : attach_evaluate(s->pol->attach, s->spool,
	    from, s->msg->arena, &e->attachments, &e->verdict, err,
	    sizeof(err))) == -1) {
		log_err(s->msg->id, "attachments: %s", err);
		return -1;
	}
	return 0;
}

/* The sender's history, lookalikes and identity; thr: the message's
 * thresholds (verdict_thresholds). */
static int
check_sender(struct scan *s, const struct thresholds *thr)
{
	struct sender_context ctx;

	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = s->pol->cfg;
	ctx.dns = s->pol->dns;
	ctx.budget = &s->budget;
	ctx.orgdomain = s->pol->orgdomain;
	ctx.pool = s->pol->pool;
	ctx.index = s->pol->known != NULL ? known_index(s->pol->known) :
	    NULL;
	ctx.people = s->pol->people;
	ctx.learn = s->pol->learn;
	ctx.thresholds = thr;
	return authors_evaluate(&ctx, s->msg, &s->eval);
}

static int scan_finish(struct scan *, const struct evaluation **);
static int scan_outbound(struct scan *, const struct evaluation **);
static int scan_conclude(struct scan *, const struct thresholds *,
    const struct evaluation **);

/* Every check at end of message, under the message's DNS budget. */
int
policy_scan_finish(struct scan *s, const struct evaluation **out)
{
	int r;

	if (s->finished) {
		*out = &s->eval;
		return 0;
	}
	dns_budget_start(&s->budget, s->budget_ms);
	r = scan_finish(s, out);
	if (s->budget.spent)
		log_warning(s->msg->id, "the DNS budget of %u ms for one "
		    "message was spent: later lookups answered temperror",
		    s->budget_ms);
	return r;
}

static int
scan_finish(struct scan *s, const struct evaluation **out)
{
	const struct config *cfg = s->pol->cfg;
	struct evaluation *e = &s->eval;
	struct message *m = s->msg;
	struct authres_input ai;
	const char *fd, *why;
	struct thresholds thr;

	if (s->finished) {
		*out = e;
		return 0;
	}
	if ((e->outbound = outbound_decide(cfg, m)) != OUTBOUND_NO)
		return scan_outbound(s, out);
	if (relay_find(m, cfg->internal_relays, cfg->n_internal_relays,
	    cfg->max_received_walk, m->arena, &e->relay) == -1)
		return -1;
	if (check_spf(s) == -1)
		return -1;
	if (s->dkim != NULL && dkimv_finish(s->dkim, &e->dkim) == -1)
		return -1;

	/* The From domain, its organisation and the alignment serve the
	 * sender checks whether or not DMARC's policy is looked up. */
	/* Exactly one From header with one mailbox whose domain is a name,
	 * converted to its A-label (RFC 7489 6.6.1, RFC 6532): anything
	 * else leaves DMARC without a domain and is from_ambiguous. */
	if (author_parse(m, m->arena, &e->author) == -1)
		return -1;
	fd = e->author.domain;
	why = e->author.detail;
	e->from_box = fd != NULL ? &e->author.boxes[0] : NULL;
	if (cfg->dmarc_enable) {
		if (dmarc_check(s->pol->orgdomain, s->pol->dns, &s->budget, fd,
		    &e->spf, &e->dkim, m->arena, &e->dmarc) == -1)
			return -1;
	} else {
		if (dmarc_identify(s->pol->orgdomain, fd, &e->spf, &e->dkim,
		    m->arena, &e->dmarc) == -1)
			return -1;
		e->dmarc.result = AUTH_NONE;
		why = "DMARC off";
	}
	if (fd == NULL || !cfg->dmarc_enable)
		e->dmarc.reason = why;	/* more precise than dmarc's */

	if (rules_auth(cfg, m, e) == -1)
		return -1;
	if (check_attachments(s) == -1)
		return -1;
	verdict_thresholds(cfg, m, &thr);
	if (check_sender(s, &thr) == -1)
		return -1;

	if (cfg->add_authres) {
		memset(&ai, 0, sizeof(ai));
		ai.authserv_id = cfg->authserv_id;
		ai.spf = cfg->spf_enable ? &e->spf : NULL;
		ai.helo_spf = cfg->spf_enable && cfg->spf_helo ?
		    &e->helo_spf : NULL;
		ai.helo = e->relay.hops > 0 ? e->relay.helo : m->helo;
		ai.dkim = cfg->dkim_enable ? &e->dkim : NULL;
		ai.dmarc = cfg->dmarc_enable ? &e->dmarc : NULL;
		if ((e->authres = authres_format(m->arena, &ai)) == NULL)
			return -1;
	}
	return scan_conclude(s, &thr, out);
}

/* What every message ends with: the action under thr, X-Relaywarden, the
 * header edits and the debug lines. */
static int
scan_conclude(struct scan *s, const struct thresholds *thr,
    const struct evaluation **out)
{
	const struct config *cfg = s->pol->cfg;
	struct evaluation *e = &s->eval;
	struct message *m = s->msg;

	if (allowlist_apply(cfg, m, e, (long long)time(NULL)) == -1)
		return -1;
	verdict_decide(&e->verdict, thr);
	e->verdict.dry_run = cfg->dry_run;
	if (cfg->add_verdict_header &&
	    (e->verdict_header = verdict_header(&e->verdict, m->arena)) ==
	    NULL)
		return -1;
	if (plan_build(cfg, m, e, &e->plan) == -1)
		return -1;
	report_debug(m, e);
	s->finished = 1;
	*out = e;
	return 0;
}

/* Outbound mail (outbound.c): ours going out.  No SPF, DKIM, DMARC,
 * authentication rules or sender stage: nothing is looked up, nothing
 * read from or written to Redis, no Authentication-Results is added (a
 * forged one claiming our authserv-id is still removed, plan.c).  The
 * attachment policy only when outbound_attachments says so; its
 * per-sender allow-list is not consulted (no DMARC pass).  The client is
 * the relay and the From domain is parsed, for the log line only. */
static int
scan_outbound(struct scan *s, const struct evaluation **out)
{
	const struct config *cfg = s->pol->cfg;
	struct evaluation *e = &s->eval;
	struct message *m = s->msg;
	struct thresholds thr;

	e->relay.ip = m->client_ip;
	e->relay.helo = m->helo;
	e->relay.name = m->client_name;
	e->spf.result = e->helo_spf.result = AUTH_NONE;
	e->spf.reason = e->helo_spf.reason = "outbound";
	if (author_parse(m, m->arena, &e->author) == -1)
		return -1;
	e->dmarc.result = AUTH_NONE;
	e->dmarc.from_domain = e->author.domain;
	e->dmarc.reason = "outbound";
	e->verdict.outbound = 1;
	if (cfg->outbound_attachments && check_attachments(s) == -1)
		return -1;
	verdict_thresholds(cfg, m, &thr);
	return scan_conclude(s, &thr, out);
}
