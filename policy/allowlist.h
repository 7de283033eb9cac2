/*
 * allowlist.h - the config's allow-list entries applied to one message
 * (issue 13 item 2; the entries: config.h struct config_allow).
 *
 * An entry applies when its senders match (an address or domain of an
 * authenticated From, a network holding the first external relay) and
 * its recipients match every envelope recipient.  Its rules then count
 * for nothing: their reasons stay listed as what-if, the score is added
 * up again (the caps of lowering rules re-applied), and the verdict
 * says allowed="comment".  Nothing in the header section can make an
 * entry apply: see allowlist.c.
 */
#ifndef RW_ALLOWLIST_H
#define RW_ALLOWLIST_H

#include "policy.h"

struct config;
struct config_allow;
struct message;

/* 1 when e's From is authenticated for the allow-list: one author
 * domain, and DMARC passed, or (no DMARC record, or DMARC off) SPF or
 * DKIM passed aligned with it. */
int allowlist_from_authenticated(const struct evaluation *);

/* 1 when entry a applies to m and e at now (a Unix time; an expired
 * entry never applies). */
int allowlist_match(const struct config_allow *, const struct message *,
    const struct evaluation *, long long now);

/* Applies every entry of cfg that matches (after every check, before the
 * action is decided): exempts their rules' reasons, lifts a hard
 * attachment action only for rules the entries name one by one (not by
 * "*"; never a tempfail, an incomplete scan or forged headers), and sets
 * e->verdict.allowed.  0, or -1 when out of memory. */
int allowlist_apply(const struct config *, const struct message *,
    struct evaluation *, long long now);

#endif
