/*
 * policy.h - policy_new and policy_scan_*: one config generation and the
 * evaluation of one message, shared by the milter and relaywarden-check.
 *
 * A struct policy is a config generation with its long-lived objects (the
 * resolver, the DKIM library handle, the organisational domains).  It is
 * reference counted: the daemon holds one reference to the current
 * generation, each message holds one from MAIL FROM to its end, so a
 * reload never changes the config under a message.  policy_ref/unref are
 * thread-safe.
 *
 * A struct scan is one message in flight: the milter (or the .eml reader)
 * feeds it headers and body chunks as they arrive - DKIM is verified as a
 * stream - and policy_scan_finish runs every check at end of message.
 */
#ifndef RW_POLICY_H
#define RW_POLICY_H

#include <stddef.h>
#include "auth/spf.h"
#include "auth/dkimv.h"
#include "auth/dmarc.h"
#include "attach/attach.h"
#include "plan.h"
#include "mail/author.h"
#include "mail/relay.h"
#include "outbound.h"
#include "sender.h"
#include "verdict/verdict.h"

struct config;
struct dns_budget;
struct message;

struct policy;
struct state_pool;

/* Builds a generation around cfg (ownership passes, also on failure).
 * NULL with a one-line reason in err. */
struct policy *policy_new(struct config *cfg, char *err, size_t errlen);

struct scanhost;
/* From now on generations whose config says attach_sandbox (the
 * default) walk attachments in workers made by host (scanhost.h); call
 * before the first policy_new. */
void policy_use_workers(struct scanhost *host);
/* A reload: the same, but the daemon's long-lived parts (the Redis pool
 * when the redis_ and state_ settings did not change, the lookalike
 * index with its correspondents and refresher) carry over from prev,
 * reconfigured for cfg.  prev is unchanged when this fails. */
struct policy *policy_next(struct policy *prev, struct config *cfg,
    char *err, size_t errlen);
/* Whether messages teach the sender history (default 1; relaywarden-check
 * sets 0 unless --learn).  Call before the first scan. */
void policy_set_learning(struct policy *, int learn);
/* Daemon only, once signals are blocked: starts the thread that keeps
 * the known correspondents fresh.  0, or -1 with err. */
int policy_start(struct policy *, char *err, size_t errlen);
/* relaywarden-check: reads the known correspondents once, now.  A Redis
 * problem is only logged: the check goes on without them. */
void policy_load_known(struct policy *);
struct policy *policy_ref(struct policy *);
void policy_unref(struct policy *);
const struct config *policy_config(const struct policy *);
/* The generation's Redis pool (borrowed: valid while the reference is
 * held), or NULL when the state is off. */
struct state_pool *policy_state_pool(const struct policy *);

struct evaluation {
	enum outbound_via outbound;	/* OUTBOUND_NO: inbound, every check
					   ran; else only the attachment
					   policy, by configuration
					   (outbound.h) */
	struct relay relay;
	struct spf_result spf;		/* MAIL FROM */
	struct spf_result helo_spf;
	struct dkim_results dkim;
	struct dmarc_result dmarc;
	struct author author;		/* the From domains, as A-labels */
	const struct addr_mailbox *from_box;	/* the author mailbox the
					   sender checks read (authors.c);
					   NULL: none usable */
	struct attach_results attachments;
	struct sender_result sender;
	struct verdict verdict;
	const char *authres;		/* Authentication-Results value to
					   add, or NULL */
	const char *verdict_header;	/* X-Relaywarden value, or NULL */
	struct plan plan;		/* what the MTA is to do: header
					   edits and the action */
};

struct scan;

/* Starts a message.  The scan takes a reference to pol and owns msg (both
 * released by policy_scan_free).  NULL when out of memory. */
struct scan *policy_scan_new(struct policy *pol, struct message *msg);
void policy_scan_free(struct scan *);
struct message *policy_scan_message(struct scan *);
const struct config *policy_scan_config(const struct scan *);

/* The message's DNS budget (dns.h), which every lookup of
 * policy_scan_finish (SPF, DKIM keys, DMARC, the relay's FCrDNS) runs
 * under: it starts when policy_scan_finish does, with
 * dns_message_budget_ms unless policy_scan_set_dns_budget chose ms (0:
 * none).  Afterwards its spent flag says whether lookups were cut short.
 * Borrowed, valid until policy_scan_free. */
void policy_scan_set_dns_budget(struct scan *, unsigned ms);
struct dns_budget *policy_scan_dns_budget(struct scan *);

/* Stream: headers, end of headers, body chunks.  0, or -1 when out of
 * memory (the caller tempfails the message). */
int policy_scan_header(struct scan *, const char *name, const char *value);
int policy_scan_eoh(struct scan *);
int policy_scan_body(struct scan *, const unsigned char *, size_t);

/* Runs every check at end of message and decides what the MTA is to do
 * ((*out)->plan: forged Authentication-Results and X-Relaywarden out,
 * ours in, the Subject tag, the action); *out is arena memory of the
 * scan's message.  0, or -1 when out of memory. */
int policy_scan_finish(struct scan *, const struct evaluation **out);

/* The authentication rules over an evaluation's SPF, DKIM and DMARC
 * results, and the message's own caps (rulesauth.c).  0 or -1 when out
 * of memory. */
int rules_auth(const struct config *, const struct message *,
    struct evaluation *);

/* The sender stage (sender_evaluate) over every author domain of e
 * (authors.c): the one domain when there is one; with several, each
 * domain's lookalike, identity and partner checks, the history of the
 * one that scores worst, and every reason found, so the verdict is at
 * least as strict as the strictest single-domain reading.  e->dmarc is
 * left as DMARC found it.  0, or -1 when out of memory or the history
 * lookup failed hard. */
struct sender_context;
int authors_evaluate(const struct sender_context *, const struct message *,
    struct evaluation *);

#endif
