/*
 * reportdebug.c - the debug lines of one evaluation (log_level = "debug"):
 * what each check found, so an admin can see why a verdict came out as it
 * did without relaywarden-check.  One line per check, queue id first,
 * key=value pairs; the info line (report_logline) stays the summary.
 *
 * Exports report_debug (report.h).  Strings from the message, DNS or
 * Redis go through log_value.  No shared state; nothing is built when
 * the level is below debug.
 */
#include <stdio.h>

#include "util/arena.h"
#include "util/log.h"
#include "mail/message.h"
#include "policy.h"
#include "report.h"

#define V(s)	val(a, (s))

/* s as one key=value field; "?" when out of memory (a debug line is
 * not worth failing the message for). */
static const char *
val(struct arena *a, const char *s)
{
	const char *v = log_value(a, s, 200);

	return v != NULL ? v : "?";
}

static void
debug_spf(const char *id, struct arena *a, const char *what,
    const struct spf_result *r)
{
	log_debug(id, "check=%s result=%s identity=%s reason=%s", what,
	    auth_result_name(r->result), V(r->identity), V(r->reason));
}

static void
debug_dkim(const char *id, struct arena *a, const struct dkim_results *d)
{
	const struct dkim_sig_result *sig;
	size_t i;

	log_debug(id, "check=dkim signatures=%zu truncated=%d handed=%zu",
	    d->count, d->truncated, d->handed);
	for (i = 0; i < d->count; i++) {
		sig = &d->sigs[i];
		log_debug(id, "check=dkim sig=%zu result=%s d=%s s=%s a=%s "
		    "bits=%u reason=%s", i + 1, auth_result_name(sig->result),
		    V(sig->domain), V(sig->selector), V(sig->algorithm),
		    sig->key_bits, V(sig->reason));
	}
}

static void
debug_dmarc(const char *id, struct arena *a, const struct dmarc_result *r)
{
	log_debug(id, "check=dmarc result=%s from=%s org=%s record=%s "
	    "policy=%s spf_aligned=%d dkim_aligned=%d reason=%s",
	    auth_result_name(r->result), V(r->from_domain), V(r->org_domain),
	    V(r->record_domain), dmarc_policy_name(r->policy),
	    r->spf_aligned, r->dkim_aligned, V(r->reason));
}

static void
debug_attach(const char *id, struct arena *a,
    const struct attach_results *r)
{
	log_debug(id, "check=attachments parts=%u items=%zu hard=%s "
	    "hard_rule=%s truncated=%s elapsed_ms=%lld cpu_ms=%lld",
	    r->parts, r->nitems, verdict_action_name(r->hard_action),
	    V(r->hard_rule), V(r->truncated), r->elapsed_ms, r->cpu_ms);
}

void
report_debug(const struct message *m, const struct evaluation *e)
{
	struct arena *a = m->arena;
	const char *id = m->id;
	const struct reason *r;
	size_t i;

	if (!log_enabled(LOG_L_DEBUG))
		return;
	log_debug(id, "check=relay ip=%s helo=%s name=%s hops=%u "
	    "internal_only=%d", V(e->relay.ip), V(e->relay.helo),
	    V(e->relay.name), e->relay.hops, e->relay.internal_only);
	debug_spf(id, a, "spf", &e->spf);
	debug_spf(id, a, "helo_spf", &e->helo_spf);
	debug_dkim(id, a, &e->dkim);
	debug_dmarc(id, a, &e->dmarc);
	debug_attach(id, a, &e->attachments);
	log_debug(id, "check=sender %s", report_sender_line(m, e) ?: "-");
	for (i = 0; i < e->verdict.nreasons; i++) {
		r = &e->verdict.reasons[i];
		log_debug(id, "reason=%s score=%d dry_run=%d detail=%s",
		    r->rule, r->score, r->whatif, V(r->detail));
	}
	log_debug(id, "verdict action=%s score=%d",
	    verdict_action_name(e->verdict.action), e->verdict.score);
}
