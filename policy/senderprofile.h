/*
 * senderprofile.h - issue 11 in the sender stage (senderprofile.c): the
 * sending profile, shared infrastructure and shared mailbox providers.
 */
#ifndef RW_SENDERPROFILE_H
#define RW_SENDERPROFILE_H

struct evaluation;
struct message;
struct sender_context;
struct state_query;

/* Fills q's issue-11 fields (subdomain, aligned DKIM, profile minimums,
 * infra_id, the shared thresholds, the From address and whether its
 * domain is a listed shared mailbox provider) from e, whose sender
 * domain, infra and relay name are set.  Arena memory of m.  0, or -1
 * when out of memory. */
int senderprofile_query(const struct sender_context *,
    const struct message *, const struct evaluation *, struct state_query *);

/* profile_unsigned and profile_new_subdomain, when e's history (state
 * AVAILABLE, relay_known worked out) says the message breaks a stable
 * profile.  0, or -1 when out of memory. */
int senderprofile_score(const struct sender_context *,
    const struct message *, struct evaluation *);

#endif
