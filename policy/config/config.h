/*
 * config.h - one configuration generation, parsed with libconfig and
 * checked completely at load; immutable afterwards.
 *
 * Every setting is described once in the table in config.c (name, type,
 * default, min, max) which parses, checks and dumps.  Errors read
 * "FILE:LINE: setting: problem".  Unknown settings are errors.
 * Thread rule: a loaded config is read-only and may be shared; its owner
 * (a struct policy generation) frees it.
 */
#ifndef RW_CONFIG_H
#define RW_CONFIG_H

#include <stddef.h>
#include <stdio.h>
#include "util/net.h"
#include "rules/rules.h"

struct config {
	char *path;			/* the file it came from, made
					   absolute (NULL for defaults) */

	/* daemon */
	char *socket;			/* "inet:PORT@ADDR" | "unix:PATH" */
	unsigned socket_mode;		/* unix socket permissions, octal */
	char *user;			/* "" = stay the invoking user */
	int allow_root;			/* run as root (no user) anyway */
	int daemon_landlock;		/* Landlock file rules on the daemon
					   (util/sandbox.h); seccomp is
					   always on */
	unsigned milter_timeout_s;	/* smfi_settimeout; read at start */
	unsigned max_connections;	/* more are tempfailed at connect */
	unsigned max_message_header_bytes;	/* headers + recipients held
						   per message; past it:
						   tempfail */
	char *pidfile;			/* "" = none */
	int syslog_facility;		/* LOG_MAIL ... */
	int log_level;			/* enum log_level */
	char *hostname;			/* our name for SPF %{r}; "" = host */

	/* results */
	char *authserv_id;		/* unset: the host name */
	int add_authres;		/* bool */
	int add_verdict_header;		/* X-Relaywarden on every message */

	/* DNS */
	char *dns_resolv_conf;		/* "" = /etc/resolv.conf */
	char **dns_forwarders;		/* "addr[@port]" */
	size_t dns_nforwarders;
	unsigned dns_timeout_ms;
	char *dns_local_data;		/* "" = none; relative to the
					   config file's directory, made
					   absolute at load */
	unsigned dns_message_budget_ms;	/* every query of one message;
					   0 = none (dns.h) */

	/* SPF */
	int spf_enable;
	int spf_helo;			/* also check HELO */
	unsigned spf_max_dns_terms;
	unsigned spf_max_void_lookups;

	/* DKIM */
	int dkim_enable;
	unsigned dkim_max_signatures;

	/* DMARC */
	int dmarc_enable;
	char *psl_file;			/* "" = Debian's list */

	/* relays */
	struct net_cidr *internal_relays;
	size_t n_internal_relays;

	/* message caps */
	unsigned max_headers;
	unsigned max_header_length;	/* bytes of one header */
	unsigned max_received_walk;	/* Received headers examined */

	/* verdict: scores per rule (rules.h), thresholds (0 = never) */
	int scores[RULE_COUNT];
	unsigned tag_score;
	unsigned quarantine_score;
	unsigned reject_score;
	int dry_run;			/* headers only, no hold or reject */
	char *reject_text;		/* 550 5.7.1 text */

	/* --- attachments (attach.c, mime.c, arch.c) --- */
	int attach_enable;
	unsigned attach_spool_memory;	/* bytes of a spool kept in RAM */
	unsigned attach_spool_memory_total;	/* of all messages' spools
						   together (0: no cap) */
	char *attach_tmpdir;		/* "" = $TMPDIR, else /tmp */
	unsigned attach_max_time_ms;
	unsigned attach_max_cpu_ms;	/* CPU time for the expensive
					   checks, per message */
	unsigned attach_max_mime_depth;
	unsigned attach_max_mime_parts;
	unsigned attach_max_header_length;	/* one part header */
	unsigned attach_max_line_length;	/* one line of the message */
	unsigned attach_max_decoded_bytes;	/* per message */
	unsigned attach_archive_max_depth;
	unsigned attach_archive_max_members;	/* per message */
	unsigned attach_archive_max_ratio;
	unsigned attach_archive_max_bytes;	/* extracted, per message */
	unsigned attach_qr_max_pixels;	/* one image searched for QR codes */
	unsigned attach_qr_max_images;	/* images searched, per message */
	char *attach_banned_extensions;	/* "exe scr ...": lower case,
					   single spaces */
	int attach_executable_quarantine;
	char *attach_incomplete_action;	/* "quarantine", "tempfail" or
					   "reject": a scan cut by a limit */
	char **attach_action_overrides;	/* ".ext=action", "type/sub=action" */
	size_t attach_n_action_overrides;
	char **attach_allow_senders;	/* "domain=key,key" (keys as above;
					   ".domain" also subdomains) */
	size_t attach_n_allow_senders;
	int attach_sandbox;		/* the walk in worker processes */
	unsigned attach_workers;	/* worker processes started with a
					   generation */
	unsigned attach_workers_max;	/* and at most (more when all are
					   busy); below attach_workers: that */
	unsigned attach_worker_memory_mb;	/* RLIMIT_AS; 0 = none */
	unsigned attach_worker_cpu_s;	/* RLIMIT_CPU per message; 0 =
					   2 x attach_max_cpu_ms + 2 s */
	/* --- redis / sender state (state.h) --- */
	int state_enable;		/* 0: no Redis, state=disabled */
	char *redis_host;		/* address or host name */
	unsigned redis_port;
	char *redis_socket;		/* unix socket path; "" = TCP */
	char *redis_user;		/* ACL user; "" = password only */
	char *redis_password;		/* "" = no AUTH */
	unsigned redis_db;		/* SELECT */
	unsigned redis_connect_timeout_ms;
	unsigned redis_timeout_ms;	/* one message's whole exchange */
	unsigned redis_max_reply_bytes;	/* received for one reply */
	unsigned redis_slow_ms;		/* a slower reply counts as a
					   failure for the breaker */
	unsigned redis_pool_size;	/* connections shared by threads */
	unsigned redis_pool_wait_ms;	/* wait for a free connection */
	unsigned redis_breaker_failures;
	unsigned redis_breaker_cooldown_ms;
	char **redis_sentinels;		/* "host:port"; none = no Sentinel */
	size_t redis_nsentinels;
	char *redis_sentinel_master;	/* the monitored master's name */
	char *redis_sentinel_password;	/* the sentinels' own; "" = none */
	unsigned redis_sentinel_check_ms; /* ask again this often */
	char *redis_prefix;		/* key prefix, "rw:" */
	unsigned state_ttl_days;	/* senders with authenticated mail */
	unsigned state_unauth_ttl_days;	/* senders without */
	unsigned state_max_relays;	/* per sender, least recent evicted */
	unsigned state_max_signers;
	unsigned state_max_trusted;	/* per sender and kind; refused past */
	unsigned state_max_known;	/* known-correspondents index */

	/* --- sender signals and the third-party-relay verdict (sender.c,
	 * known.c; issue 4) --- */
	int state_unavailable_tempfail;	/* Redis could not be asked: 451
					   (true) or go on without the
					   history (false, fail-open) */
	unsigned state_known_refresh_s;	/* the daemon re-reads the
					   known-correspondents index this
					   often; 0: only at start */
	unsigned infra_v4_prefix;	/* a relay without FCrDNS is its
					   network: /24 */
	unsigned infra_v6_prefix;	/* /48 */
	/* issue 11 (sender/profile.c) */
	unsigned profile_min_messages;	/* a profile needs this many
					   authenticated messages */
	unsigned profile_min_days;	/* over this many days */
	unsigned list_known_posters;	/* a signed list that carried posts
					   of this many known poster
					   organisations ... (0 off) */
	unsigned list_known_days;	/* ... over this many days is known */
	unsigned shared_infra_domains;	/* an infra carrying this many
					   domains is shared; 0 off */
	unsigned shared_mailbox_senders;	/* a domain with this many
					   addresses keeps history per
					   address; 0 off */
	int shared_mailbox_defaults;	/* the built-in list applies
					   (profile.h) */
	char **shared_mailbox_domains;	/* and these always ("name.*":
					   any suffix) */
	size_t n_shared_mailbox_domains;
	char **protected_domains;	/* the organisation's own domains
					   and any other the lookalike and
					   display-name checks protect;
					   lower case A-labels */
	size_t n_protected_domains;
	/* Issue 12: links (linkcheck.c). */
	unsigned link_history_min_messages;	/* teaching messages with
					   links before a link can be new
					   for a sender (0: never) */
	unsigned state_max_links;	/* link organisations kept per
					   sender */
	char **link_redirector_domains;	/* click-tracking domains whose
					   links never name their target */
	size_t n_link_redirector_domains;
	char **trusted_forwarders;	/* forwarding services whose SPF
					   pass for MAIL FROM earns the
					   forwarder reduction (sender.c);
					   lower case A-labels */
	size_t n_trusted_forwarders;
	struct config_person *people;	/* names a display name must not
					   borrow */
	size_t npeople;
	struct config_partner *partners;
	size_t npartners;
	struct config_rcpt_policy *rcpt_policies;
	size_t nrcpt_policies;
	int rule_dry_run[RULE_COUNT];	/* dry_run_rules = ["rule", ...]:
					   1 = what-if (evaluated, logged,
					   no score) */
	char *tag_subject;		/* prefix added to Subject when the
					   action is tag; "" = none */
	/* Issue 13 item 2: allow-lists (confallow.c, allowlist.c). */
	struct config_allow *allowlist;
	size_t nallowlist;

	/* issue 13 item 1: outbound mail (outbound.c) */
	struct net_cidr *internal_hosts;	/* clients whose mail is
					   ours (submission, web apps,
					   local pickup on 127.0.0.1) */
	size_t n_internal_hosts;
	int outbound_attachments;	/* the attachment policy also for
					   outbound mail (default off) */

	/* issue 14 item 2: the Prometheus endpoint (confmetrics.c) */
	char *metrics_listen;		/* "" off, "ADDR:PORT", "[V6]:PORT" */
	int metrics_allow_remote;	/* a non-loopback metrics_listen */

	/* issue 14 item 3: the daily verdict counters in Redis */
	unsigned stats_flush_s;		/* seconds between additions */
};

/*
 * people = ( { name = "Jane Doe"; addresses = [ "jane@ourorg.example",
 *     "ourorg.example" ]; } );
 * An address "user@domain" or a domain (its organisation) the person
 * really writes from; none: any protected domain.  name has a letter.
 */
struct config_person {
	char *name;			/* UTF-8 as written */
	char **addresses;		/* lower case */
	size_t naddresses;
};

/*
 * partners = ( { domain = "partner.example";
 *     relays = [ "192.0.2.0/24", "mailhost.example.net" ];
 *     signers = [ "partner.example", "esp.example" ];
 *     must_align = true; } );
 * A partner is a known sender from its first message: its declared
 * relays and signers count as known; with relays declared, any other
 * relay that the history has not learned is unexpected; must_align asks
 * for an aligned DKIM pass on every message.  A partner domain is also
 * protected from lookalikes.  relays: CIDRs (or single addresses) and
 * host or domain names, matched by the organisational domain of the
 * relay's forward-confirmed reverse DNS name.
 */
struct config_partner {
	char *domain;			/* organisational domain, lower
					   case A-labels */
	struct net_cidr *relay_nets;
	size_t nrelay_nets;
	char **relay_orgs;		/* organisational domains, lower
					   case */
	size_t nrelay_orgs;
	char **signers;			/* d= domains, lower case */
	size_t nsigners;
	int must_align;
};

/*
 * recipient_policies = ( { recipients = [ "ceo@ourorg.example",
 *     "@board.ourorg.example" ]; quarantine_score = 6; } );
 * Stricter thresholds for a protected group.  A threshold left out is
 * the global one.  When several groups (or the global thresholds) apply
 * to one message, each threshold is the lowest non-zero among them: a
 * message goes to every recipient, so the strictest group decides.
 */
struct config_rcpt_policy {
	char **recipients;		/* "user@domain" or "@domain" (that
					   exact domain), lower case */
	size_t nrecipients;
	unsigned tag_score;		/* as the global ones; 0 = never */
	unsigned quarantine_score;
	unsigned reject_score;
};

/*
 * allowlist = ( { senders = [ "alerts@vendor.example", ".vendor.example",
 *     "192.0.2.0/24" ]; rules = [ "first_contact" ]; expires = "2027-06-30";
 *     comment = "vendor alerts, ticket 4711"; } );
 * Exempts mail from the named rules ("*": every rule; a hard attachment
 * action only for rules named one by one).  senders: an address or a
 * domain (".domain": also its subdomains) of an AUTHENTICATED From (DMARC
 * pass, or an aligned SPF or DKIM pass where no DMARC record exists), or
 * a network holding the first external relay; recipients: envelope
 * recipients "user@domain" or "@domain", every one of them must match.
 * Both given: both must match.  expires: the last day (UTC) it applies.
 */
struct config_allow {
	char **senders;			/* "user@domain", "domain",
					   ".domain", lower case */
	size_t nsenders;
	struct net_cidr *sender_nets;
	size_t nsender_nets;
	char **recipients;		/* "user@domain" or "@domain" */
	size_t nrecipients;
	char **rules;			/* rule names (rules.h) or "*" */
	size_t nrules;
	char *expires;			/* "YYYY-MM-DD" */
	char *comment;			/* shown as allowed= */
};

/* Loads and checks path.  0 with *out (free with config_free), or -1 with
 * "FILE:LINE: setting: problem" in err. */
int config_load(const char *path, struct config **out, char *err,
    size_t errlen);
/* Loads a config_dump text (no @include, no file read, the permission
 * checks of the named files left out: the caller loaded the original).
 * How a worker process gets its generation's settings.  0 or -1 as
 * config_load. */
int config_load_text(const char *text, struct config **out, char *err,
    size_t errlen);
/* A config with every default (for tests and relaywarden-check without
 * -c); NULL when out of memory. */
struct config *config_default(void);
void config_free(struct config *);

/* Writes every setting as the file syntax would have it. */
void config_dump(const struct config *, FILE *);

/* Issue 13 item 2: what a loaded config means that an admin may not
 * expect, one line per call of fn (warning 1: a likely mistake, 0: a
 * note): allow-list entries expired at now, what a threshold of 0 means,
 * thresholds out of order (confallow.c). */
void config_notes(const struct config *, long long now,
    void (*fn)(void *arg, int warning, const char *line), void *arg);
/* The end (a Unix time, exclusive) of the day "YYYY-MM-DD" in UTC, or -1
 * when it is no such date. */
long long config_allow_end(const char *date);

/* Issue 14 item 2: metrics_listen ("PORT", "IPV4:PORT", "[IPV6]:PORT";
 * a bare port is 127.0.0.1) into addr and port.  0, or -1 when it is not
 * that syntax. */
struct net_addr;
int config_metrics_parse(const char *listen, struct net_addr *addr,
    unsigned *port);

#endif
