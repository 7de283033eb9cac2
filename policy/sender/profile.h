/*
 * profile.h - the learned sending profile of a correspondent, shared
 * relays and shared mailbox providers (issue 11, items 2, 3 and 7):
 * the pure tests sender.c applies to the history (state.h) and the names
 * it asks the history about.  Pure functions; results in arena memory;
 * any thread.
 */
#ifndef RW_PROFILE_H
#define RW_PROFILE_H

#include <stddef.h>
#include <time.h>

struct arena;
struct state_answer;

/* The evidence a profile needs: at least min_messages authenticated
 * messages over at least min_seconds. */
struct profile_rule {
	unsigned min_messages;
	unsigned long min_seconds;
};

/* 1 when every authenticated message of the last min_messages or more,
 * over min_seconds or more (since the first authenticated message, or
 * the last one without aligned DKIM), carried an aligned DKIM pass: a
 * message without one breaks the profile.  h describes the history
 * before the message (state_lookup). */
int profile_signed(const struct state_answer *h, const struct profile_rule *,
    time_t now);

/* 1 when the history is settled enough that a new subdomain arriving
 * by a new relay stands out: known, min_messages authenticated messages
 * and min_seconds since the first. */
int profile_settled(const struct state_answer *h,
    const struct profile_rule *, time_t now);

/* The same test statescript_lookup makes to refuse teaching: the
 * message breaks the profile (profile_unsigned or
 * profile_new_subdomain would fire).  subdomain: the From domain is not
 * the organisational one; aligned: an aligned DKIM pass; relay_known:
 * the relay is learned or trusted. */
int profile_broken(const struct state_answer *h, const struct profile_rule *,
    time_t now, int subdomain, int aligned, int relay_known);

/* The relay's name on a shared infrastructure: infra + "/dkim:" + the
 * aligned DKIM domain, else "/spf:" + the SPF-authenticated MAIL FROM
 * domain, else "/dkim:" + the first passing DKIM domain, else "/none".
 * Each identity is one the sender proved (a signature or an SPF pass),
 * never a header.  Arena memory; NULL when out of memory. */
const char *profile_infra_id(const char *infra, const char *aligned_d,
    const char *spf_domain, const char *any_d, struct arena *);

/* The From address as its history is kept on a shared mailbox domain:
 * local part lower-cased and cut at its first "+" (subaddress, RFC
 * 5233), "@", domain.  NULL when there is no usable local part or out
 * of memory.  Arena memory. */
const char *profile_address(const char *local, const char *domain,
    struct arena *);

/* 1 when org (an organisational domain) matches one of the n patterns:
 * an exact name, or "label.*" for that label under any suffix
 * ("gmx.*": gmx.de, gmx.net, gmx.co.uk). */
int profile_listed(const char *org, const char *const *patterns, size_t n);

/* The built-in shared_mailbox_domains (shared_mailbox_defaults): the
 * large freemail and consumer mailbox providers, NULL-terminated. */
extern const char *const profile_mailbox_defaults[];

#endif
