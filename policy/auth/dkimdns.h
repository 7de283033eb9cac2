/*
 * dkimdns.h - libopendkim's key lookups through our resolver.
 */
#ifndef RW_DKIMDNS_H
#define RW_DKIMDNS_H

#include <opendkim/dkim.h>

struct dns_budget;
struct dns_resolver;

/* Replaces every DNS hook of dl with ours over dns (borrowed: it must
 * outlive dl). */
void dkimdns_install(DKIM_LIB *dl, struct dns_resolver *dns);

/* Lends one message's DNS budget (NULL: none) to the key lookups this
 * thread makes until dkimdns_budget_leave.  libopendkim's DNS hooks carry
 * no per-message context (their service handle is the DKIM_LIB's, shared
 * by every message), so dkimv_finish lends its verifier's budget around
 * dkim_eom, the one call that fetches keys; nothing else may read it. */
void dkimdns_budget_enter(struct dns_budget *);
void dkimdns_budget_leave(void);

#endif
