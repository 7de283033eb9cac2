/*
 * sender.h - the sender half of the verdict: who the From domain is to
 * us (its history in Redis, a configured partner, a lookalike of a
 * protected domain or known correspondent) and whether this message came
 * by its usual road (relay infrastructure, DKIM signers).
 *
 * Runs at end of message after SPF, DKIM, DMARC and the attachments:
 *   infra_identify (the relay's FCrDNS organisation or network)
 *   -> lookalike and identity (display name, Reply-To) reasons
 *   -> state_lookup (one EVALSHA; teaches only authenticated mail that
 *      is not held for what it is, see sender_teachable, nor by what
 *      the history adds, see sender_held_by_history)
 *   -> partner declarations -> novelty reasons
 *   -> list / forwarder discounts, capped to the novelty score so they
 *      never excuse a lookalike, an identity claim or an attachment
 *   -> attach_new_sender when attachment reasons meet a new sender.
 * "Authenticated" is DMARC's own test: an aligned DKIM pass or an
 * aligned SPF pass (dmarc_result spf_aligned / dkim_aligned).  With
 * dmarc_enable false the policy is not looked up but the From domain,
 * its organisational domain and the alignment are still worked out
 * (dmarc_identify), so every sender check runs.
 * A "known" sender had authenticated mail before (or is a partner):
 * only a known sender can have a new relay or signer.
 *
 * Pure over its inputs apart from DNS (one PTR and one A/AAAA) and the
 * one Redis call; results in the message's arena.  Any thread.
 */
#ifndef RW_SENDER_H
#define RW_SENDER_H

#include <stddef.h>
#include "sender/ident.h"
#include "sender/lookalike.h"
#include "state/state.h"

struct arena;
struct config;
struct config_partner;
struct dns_budget;
struct orgdomain;
struct dns_resolver;
struct evaluation;
struct ident_people;
struct lookalike_index;
struct message;
struct thresholds;

enum sender_state {
	SENDER_STATE_DISABLED = 0,	/* state_enable false, or no usable
					   From domain to look up */
	SENDER_STATE_AVAILABLE,
	SENDER_STATE_UNAVAILABLE,	/* Redis down, slow or refused */
};

struct sender_result {
	const char *domain;		/* organisational From domain, or
					   NULL */
	const char *infra;		/* the relay's "org:" / "net:" id,
					   or NULL */
	const char *fcrdns;		/* its confirmed name, or NULL */
	int authenticated;		/* aligned DKIM or SPF pass */
	int known;			/* authenticated history, or a
					   partner */
	const struct config_partner *partner;	/* or NULL */
	int relay_known;		/* learned, trusted or declared */
	enum sender_state state;
	struct state_answer history;	/* when AVAILABLE */
	int teach_withheld;		/* authenticated, but held for what
					   it is: the history was not
					   taught */
	struct lookalike_match lookalike;
	struct ident_signals ident;
	/* Issue 12 (linkcheck.c): the organisations the message links to,
	 * besides the sender's own and ours (arena), at most
	 * STATE_MAX_LINKS; links_over: there were more. */
	const char **link_orgs;
	size_t nlink_orgs;
	int links_over;
	/* Per record of e->attachments.links, worked out once by
	 * linkcheck_signals (sender_score runs again for every history
	 * outcome): the organisation of its host and, for a shown host
	 * that reads as a domain, of that; NULL for none. */
	const char **link_org, **link_shown_org;
};

/* What the checks borrow from the generation and the daemon. */
struct sender_context {
	const struct config *cfg;
	struct dns_resolver *dns;
	const struct orgdomain *orgdomain;	/* organisational domains
					   (every generation has them);
					   NULL: nothing is evaluated */
	struct dns_budget *budget;	/* the message's DNS budget (the
					   relay's names), or NULL */
	struct state_pool *pool;	/* NULL: state off */
	struct lookalike_index *index;	/* NULL: no lookalike checks */
	const struct ident_people *people;
	int learn;			/* 0: read the history only */
	const struct thresholds *thresholds;	/* the message's
					   (verdict_thresholds), or NULL:
					   worked out here */
	/* Several author domains (authors.c): one evaluation per author
	 * domain, authors[self] being the one evaluated; the others'
	 * histories are read in the same lookup (learn must be 0). */
	struct evaluation *authors;
	size_t nauthors, self;
};

/* Evaluates the sender of e's message (its relay, SPF, DKIM, DMARC and
 * attachment results must be final) into e->sender and adds the reasons
 * to e->verdict.  0, or -1 when out of memory. */
int sender_evaluate(const struct sender_context *, const struct message *,
    struct evaluation *);

/* The parts of sender_evaluate, for the unit tests to drive with a
 * history of their choosing.  sender_signals: the lookalike and identity
 * reasons (no history needed).  sender_teachable: 1 when the message may
 * teach the history - authenticated, and neither a lookalike nor held or
 * rejected by what is known so far (verdict_held: hard actions, the
 * recipients' quarantine or reject threshold).  sender_score: over e->sender as
 * filled (domain, authenticated, partner, infra, fcrdns, state,
 * history): novelty, lists and forwarders, attachment weight, the known
 * aligned signer.  0 or -1 (signals, score). */
int sender_signals(const struct sender_context *, const struct message *,
    struct evaluation *);
int sender_teachable(const struct sender_context *, const struct message *,
    const struct evaluation *);
int sender_score(const struct sender_context *, const struct message *,
    struct evaluation *);
/* 1 when sender_score would make e (signals added, no history yet)
 * held (verdict_held, the same test as the verdict's) if the history
 * said so: the domain known (has authenticated history), its relay known,
 * every signer known, a link new (each 0 or 1; state.h STATE_TEACH_INDEX
 * and STATE_TEACH_LINKS_NEW).  0 when
 * not, -1 when out of memory.  e is not changed. */
int sender_held_by_history(const struct sender_context *,
    const struct message *, const struct evaluation *, int known,
    int relay, int signers, int links_new);

const char *sender_state_name(enum sender_state);

/* authors.c, for the history lookup of sender_evaluate when
 * ctx->nauthors > 0: authors_query adds the other author domains to q
 * (arena memory; e's relay must be identified); authors_answers hands
 * each of them its answer and state (ctx->authors[i].sender).  -1 when
 * out of memory. */
int authors_query(const struct sender_context *, const struct message *,
    const struct evaluation *e, struct state_query *q);
void authors_answers(const struct sender_context *,
    const struct evaluation *e, const struct state_query *q);

/* 1 when a passing DKIM signature's d= is in org's organisation
 * (relaxed alignment): what only org can make.  0 for a NULL org. */
int sender_signed_by(const struct sender_context *,
    const struct evaluation *, const char *org);

/* The partner whose domain is org (an organisational domain), or NULL. */
const struct config_partner *sender_partner(const struct config *,
    const char *org);

#endif
