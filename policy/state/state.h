/*
 * state.h - per-sender history in Redis: what the policy asks for each
 * message (state_lookup), the admin calls of relaywarden-state, the
 * known-correspondents index, and the connection pool they share.
 *
 * Data (one Redis hash per organisational From domain, key
 * PREFIX{domain}; the braces are the Redis Cluster hash tag, so every key
 * a sender ever gets shares its slot):
 *   m  messages seen        a  authenticated messages
 *   f  first seen           l  last seen        k  first authenticated
 *   d  the domain's name, only when the key holds a digest
 *   r<infra> / s<signer>    "COUNT:LAST" for each relay infrastructure
 *                           and DKIM signing domain seen with
 *                           authenticated mail (nr, ns: how many)
 *   R<infra> / S<signer>    trusted by an admin: the time it was marked
 *   pn  authenticated messages with aligned DKIM since the last one
 *       without     pl  the time of that last one (the sending profile)
 *   x   distinct From addresses (linear counting map, see below)
 *   u<subdomain>            "COUNT:LAST" per From subdomain that sent
 *                           authenticated mail (nu: how many; cap
 *                           state_max_relays)
 * Shared relays (issue 11): PREFIXinfra:<infra>, a HyperLogLog of the
 * organisational domains whose authenticated mail the infra carried,
 * grown until shared_infra_domains (then it stays a sparse HLL: at most
 * ~300 bytes); past it the relay of a sender is named by the infra and
 * its authenticated identity (infra/dkim:d or infra/spf:mailfrom), so
 * a platform's other customers are new relays, and a learned signer not
 * aligned with the sender (the platform's own d=) reads as unknown.
 * Shared mailboxes: field x of the domain's hash, a 128-bit linear
 * counting map (32 hex digits, ~36 bytes) of the From addresses that
 * sent authenticated mail; once it counts shared_mailbox_senders, or
 * for a domain in shared_mailbox_domains, the history is kept per
 * address in PREFIX{address} (the address is always a digest name,
 * field d holds it), and first contact is per address.  Both counters
 * learn like the history (authenticated, not held); the infra counter
 * takes the state_ttl_days TTL.  Redis Cluster: the infra counter is
 * not in the sender's slot either (see the caveat below), nor is an
 * address's hash.
 * Names are normalised (statekey.h): lower case, at most 253 bytes of
 * [a-z0-9._-] (infra also ":/"); anything else is stored under "#" + 128
 * bits of SHA-256, never raw.  Caps: state_max_relays and
 * state_max_signers per sender (past a cap the least recently seen is
 * evicted), state_max_trusted per kind (refused past it).  TTLs: every
 * write sets state_ttl_days on a sender with authenticated history,
 * state_unauth_ttl_days on one without, and never shortens a TTL.
 * Known correspondents: PREFIX"known", a sorted set of domain names
 * scored by the time each first sent authenticated mail, capped at
 * state_max_known (lowest scores go first), TTL refreshed by every
 * authenticated message.  Redis Cluster caveat: that key is not in the
 * sender's slot, and the lookup script declares both keys, so a Cluster
 * would refuse it (CROSSSLOT); we speak to a standalone server or a
 * Sentinel-managed master, where this costs nothing.
 *
 * Lists (issue 11 item 8): in the list organisation's own hash, Lx a
 * 128-bit linear counting map of the distinct poster organisations,
 * known correspondents, whose posts through the list (signed by the
 * list's DKIM) were not held, and Lf the first such post: ~60 bytes per
 * list; the list key is another slot (standalone / Sentinel, as below).
 * A message with several author domains (two From headers, two
 * addresses) has each other author's hash (and address hash) read in
 * the same EVALSHA, never written: more keys outside the sender's slot,
 * under the same standalone / Sentinel assumption as the known index.
 *
 * One round trip per message: state_lookup is one EVALSHA of a script
 * that reads the history and, when asked to learn, updates it; only an
 * authenticated message (aligned DKIM pass or aligned SPF pass) that is
 * not held teaches k, a, relays, signers and the known index; any
 * message counts in m, f and l, which lower no score: a held or
 * unauthenticated message changes nothing that makes the next one look
 * better (first_contact and "known" read k, not m or f).
 * The script is loaded (SCRIPT LOAD) on every new connection; when the
 * server's script cache was flushed, NOSCRIPT is answered by EVAL, which
 * caches it again.
 *
 * Pool and threads: one pool per daemon, shared by libmilter's threads.
 * hiredis contexts are not thread-safe: each call checks a connection
 * out (waiting at most redis_pool_wait_ms), uses it with no pool lock
 * held, and checks it in.  Connections are made lazily with
 * redis_connect_timeout_ms, every command is bounded by
 * redis_timeout_ms, a reused connection the server had closed is
 * replaced once.  Circuit breaker: redis_breaker_failures consecutive
 * failures (or replies slower than redis_slow_ms) open it for
 * redis_breaker_cooldown_ms; meanwhile every call answers "unavailable"
 * at once; then one probe is let through (half-open) and its result
 * closes or reopens it.  Worst delay of one lookup while closed: pool
 * wait + connect + 2 x timeout (AUTH/SELECT/SCRIPT LOAD are pipelined
 * into one round trip); with Sentinel, add connect + timeout per
 * sentinel asked.  Host names are resolved by the system resolver at
 * connect: prefer addresses.
 * Sentinel (redis_sentinels non-empty): the master comes from SENTINEL
 * get-master-addr-by-name, asked of each sentinel in turn; after
 * connecting, ROLE must say "master".  A READONLY or MASTERDOWN reply, a
 * failed connect or a dead connection makes the next checkout ask again,
 * and so does every redis_sentinel_check_ms (one thread asks, the others
 * go on): after a failover the old master takes writes until Sentinel
 * demotes it, up to 10 s later, so waiting for READONLY alone would lose
 * them.  Connections to an old master are dropped.  When no sentinel
 * answers a periodic check, the known master is kept.
 * ACL: the user needs ~PREFIX* +@read +@write +@scripting +select +role
 * (+scan for first-contacts; the known index key is under PREFIX too).
 *
 * Reload: the pool belongs to the daemon, not to a config generation.  On
 * SIGUSR1 call state_pool_reconfigure(current, new_config): it returns
 * the same pool (one more reference) when the redis_ and state_ settings
 * are unchanged, else a new pool; swap the daemon's pointer under its
 * lock and unref the old one.  Messages in flight hold their own
 * reference and finish on the old pool, which is freed (connections
 * closed) by the last unref.
 */
#ifndef RW_STATE_H
#define RW_STATE_H

#include <stddef.h>
#include <time.h>

struct arena;
struct config;
struct state_pool;

/* Signers looked up per message; more are ignored. */
#define STATE_MAX_SIGNERS	16
/* Other author domains read per message (mail/author.h keeps at most
 * AUTHOR_MAX_DOMAINS, 8, in all); more are not asked. */
#define STATE_MAX_OTHERS	7
/* Link organisations looked up per message (issue 12; linkcheck.c
 * treats more as new). */
#define STATE_MAX_LINKS		32

/* Another author domain of the message (two From headers or two
 * addresses): read as if it were the only one, never written. */
struct state_author {
	const char *domain;		/* organisational domain */
	const char *subdomain;		/* as state_query's */
	const char *infra_id;
	const char *address;
	int address_listed;
};

struct state_query {
	const char *domain;		/* organisational From domain */
	const char *infra;		/* "org:example.net" or
					   "net:192.0.2.0/24"; NULL or ""
					   when unknown */
	const char *const *signers;	/* d= of DKIM signatures that
					   verified */
	size_t nsigners;
	int authenticated;		/* aligned DKIM or SPF pass, not
					   held: may teach (k, a, relays,
					   signers, the index) */
	unsigned char withhold[16];	/* with authenticated: 1 at
					   STATE_TEACH_INDEX(known, relay
					   known, signers all known), plus
					   STATE_TEACH_LINKS_NEW when a link
					   organisation is new to an
					   established link history, to teach
					   nothing when the history before
					   this message turns out so (the
					   caller's verdict would hold it);
					   all 0: teach whatever it says */
	int learn;			/* 0: read only, no write at all */
	time_t now;			/* 0: time(NULL) */
	/* Issue 11: the sending profile, shared relays and mailboxes. */
	const char *subdomain;		/* the From domain when it is not
					   the organisational one, or NULL */
	int dkim_aligned;		/* an aligned DKIM pass */
	unsigned profile_messages;	/* profile_min_messages */
	unsigned long profile_seconds;	/* profile_min_days in seconds */
	const char *infra_id;		/* infra + "/dkim:D" or "/spf:D" or
					   "/none": the relay's name when
					   the infra is shared */
	unsigned shared_infra;		/* shared_infra_domains, 0 off */
	const char *address;		/* the From address (local part
					   lower-cased, +detail cut), or
					   NULL */
	int address_listed;		/* its domain is in
					   shared_mailbox_domains */
	unsigned shared_mailbox;	/* shared_mailbox_senders, 0 off */
	/* Issue 11 item 1: the other author domains, in the same EVALSHA
	 * (read only; the caller sends learn 0 with them). */
	const struct state_author *others;
	size_t nothers;			/* past STATE_MAX_OTHERS: ignored */
	/* Issue 11 item 8: the list organisation whose DKIM signed this
	 * post, or NULL; list_record: 1 at STATE_TEACH_INDEX to count the
	 * poster for it when the history turns out so (not held), as
	 * withhold; the poster must be known (k) too. */
	const char *list;
	unsigned char list_record[16];
	/* Issue 12: the organisations the message links to (linkcheck.c:
	 * not the sender's own, not ours), read in the same EVALSHA and,
	 * when it teaches, learned (fields w<org>, at most link_cap, the
	 * least recently seen evicted; lm counts the teaching messages
	 * that had links).  The history is "established" once lm reaches
	 * link_min (0: never, no link is ever new). */
	const char *const *links;
	size_t nlinks;			/* past STATE_MAX_LINKS: ignored */
	unsigned link_min;
	unsigned link_cap;
};

/* known: the domain has authenticated history; relay: the query's infra
 * is known or trusted (0 without infra); signers: every query signer is
 * known or trusted (1 without signers).  Each 0 or 1. */
#define STATE_TEACH_INDEX(known, relay, signers) \
	((known) * 4 + (relay) * 2 + (signers))
/* Added to the index when a link is new (link_new below). */
#define STATE_TEACH_LINKS_NEW	8

struct state_signer {
	const char *name;		/* normalised (arena) */
	int known;			/* seen with authenticated mail */
	int trusted;			/* marked by an admin */
	unsigned long count;
	time_t last;
};

/* Everything describes the history BEFORE this message. */
struct state_answer {
	int available;			/* 0: Redis not asked or no answer;
					   the fields below are zero */
	int disabled;			/* state_enable = false */
	const char *error;		/* why not available (arena), else
					   NULL */
	int seen;			/* any message counted before this
					   one (traffic only: no score reads
					   it) */
	unsigned long long messages, auth_messages;
	time_t first_seen, last_seen;
	time_t known_since;		/* first authenticated, or 0 */
	int domain_known;		/* had authenticated history */
	int infra_known;		/* infra seen with authenticated mail */
	int infra_trusted;
	unsigned long infra_count;
	time_t infra_last;
	struct state_signer *signers;	/* one per query signer, same order
					   (at most STATE_MAX_SIGNERS) */
	size_t nsigners;
	unsigned long long aligned_run;	/* authenticated messages with
					   aligned DKIM since the last one
					   without (pn) */
	time_t unaligned_last;		/* that last one, or 0 (pl) */
	int subdomain_known;		/* the query's subdomain sent
					   authenticated mail before */
	int infra_shared;		/* the infra carries many domains:
					   infra_* describe infra_id */
	int per_address;		/* the history is the address's */
	int learned;			/* this message was written */
	int taught;			/* and taught (not only counted) */
	int newly_known;		/* and made the domain known */
	/* One per query other, same order: each as if it were the only
	 * author (available 0 when it was not asked: no usable name, or
	 * past STATE_MAX_OTHERS); NULL and 0 without others. */
	struct state_answer *others;
	size_t nothers;
	/* The query's list before this message: distinct known poster
	 * organisations counted (linear counting, +-8% at 100) and its
	 * first counted post (0: none). */
	unsigned long list_posters;
	time_t list_first;
	/* Issue 12: the link history (main author only): teaching messages
	 * with links (lm), whether each query link was learned (same order
	 * as the query; 0 for one that could not be asked), and link_new:
	 * the domain was known, lm reached link_min and a query link was
	 * not learned (the script's view, the caller's reason). */
	unsigned long link_messages;
	unsigned char *link_known;
	size_t nlinks;
	int link_new;
};

/* Builds the pool for cfg's redis_ and state_ settings (copied).  No
 * connection is made yet.  With state_enable false the pool answers
 * every lookup "disabled" at once.  NULL with the reason in err. */
struct state_pool *state_pool_new(const struct config *, char *err,
    size_t errlen);
/* References: thread-safe.  The last unref closes the connections; no
 * call may be running on the pool then. unref(NULL) does nothing. */
struct state_pool *state_pool_ref(struct state_pool *);
void state_pool_unref(struct state_pool *);
/* 1 when the pool was built from the same redis_/state_ settings. */
int state_pool_matches(const struct state_pool *, const struct config *);
/* cur (one more reference) when cfg matches it, else a new pool; NULL
 * with err when the new one cannot be built (keep cur). */
struct state_pool *state_pool_reconfigure(struct state_pool *cur,
    const struct config *, char *err, size_t errlen);

enum state_breaker { STATE_BREAKER_CLOSED, STATE_BREAKER_OPEN,
    STATE_BREAKER_HALF_OPEN };

struct state_pool_status {
	enum state_breaker breaker;
	unsigned failures;		/* consecutive */
	unsigned connections;		/* open now */
	unsigned long long runs;	/* calls made */
	unsigned long long unavailable;	/* of which failed */
	unsigned long long connects;	/* connections tried (a breaker
					   that is open tries none) */
	char master[300];		/* "host:port" in use, "" unknown */
};
void state_pool_status(struct state_pool *, struct state_pool_status *);

/* One message: fills *ans (arena memory) and returns 0, also when Redis
 * is unavailable or the query is unusable (ans->available 0, ans->error
 * says why); -1 only when out of memory.  pool may be NULL (disabled). */
int state_lookup(struct state_pool *, const struct state_query *,
    struct arena *, struct state_answer *);

/* --- admin calls (relaywarden-state) ---------------------------------- */

struct state_entry {
	const char *name;
	unsigned long count;		/* authenticated messages, 0 when
					   only trusted */
	time_t last;
	int seen;
	int trusted;
	time_t trusted_since;
};

struct state_history {
	const char *domain;		/* display form or the digest name */
	const char *key;
	unsigned long long messages, auth_messages;
	time_t first_seen, last_seen, known_since;
	long long ttl;			/* seconds left, -1 none */
	struct state_entry *relays, *signers;	/* most recent first */
	size_t nrelays, nsigners;
	/* Issue 12: the organisations its teaching mail linked to (most
	 * recent first) and how many teaching messages had links (lm). */
	struct state_entry *links;
	size_t nlinks;
	unsigned long long link_messages;
};

/* 0 with *out filled (arena), 1 when the domain has no history, -1 with
 * err on a Redis or usage problem. */
int state_show(struct state_pool *, const char *domain, struct arena *,
    struct state_history *out, char *err, size_t errlen);

/* Deletes the domain's history and its known-index entry.  0 done, 1
 * nothing to delete, -1 with err. */
int state_forget(struct state_pool *, const char *domain, char *err,
    size_t errlen);

enum state_kind { STATE_RELAY, STATE_SIGNER };

/* Marks (trusted 1) or unmarks a relay infrastructure or signer as
 * trusted for domain.  0 done, 1 nothing to undo, -1 with err (also past
 * state_max_trusted). */
int state_trust(struct state_pool *, const char *domain, enum state_kind,
    const char *value, int trusted, time_t now, char *err, size_t errlen);

struct state_contact {
	const char *domain;
	time_t first_seen, last_seen, known_since;
	unsigned long long messages, auth_messages;
};

/* Senders first seen at or after since, newest first, at most limit
 * (1..100000).  SCANs every key under the prefix (COUNT 1000, one
 * pipelined HMGET per batch): O(senders) work and round trips of
 * senders/1000, for an admin's command, not for the mail path.
 * 0 with *out (arena) and *n, -1 with err. */
int state_first_contacts(struct state_pool *, time_t since, size_t limit,
    struct arena *, struct state_contact **out, size_t *n, char *err,
    size_t errlen);

/* Reads the known-correspondents index from since on (0: all), oldest
 * first, in pages of 1000 (one connection checkout per page), calling
 * fn(domain, known_since, arg) for each; fn returns 0 to go on, -1 to
 * stop.  *next is the value to pass as since next time: entries that
 * share that exact second are given again, so a refresher adding names
 * to an index must treat repeats as no-ops.  0, or -1 with err. */
int state_known_since(struct state_pool *, time_t since,
    int (*fn)(const char *domain, time_t known_since, void *arg),
    void *arg, time_t *next, char *err, size_t errlen);

#endif
