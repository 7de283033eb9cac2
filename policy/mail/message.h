/*
 * message.h - the message model: envelope, headers, body, as the MTA (or
 * an .eml file) hands them over.  Owned by one arena; used by one thread.
 *
 * Caps (from the config): number of headers, bytes of one header.  Past a
 * cap the header is not stored and message.truncated records why; the
 * message is still evaluated.  Whether stored or not, every header named
 * Authentication-Results or X-Relaywarden is counted (its occurrence, as
 * the MTA counts for smfi_chgheader) and, when forged (an A-R claiming
 * authserv_id, judged on the value as received; any X-Relaywarden), listed
 * in `removals`.  That list is bounded by max_headers too; forged headers
 * past it are only counted (removals_lost).
 */
#ifndef RW_MESSAGE_H
#define RW_MESSAGE_H

#include <stddef.h>

struct arena;

struct header {
	const char *name;
	const char *value;		/* as received, after the colon */
	size_t len;			/* strlen(value) */
	int deleted;			/* we will remove it (forged A-R) */
	unsigned occurrence;		/* A-R and X-Relaywarden: 1-based
					   index among all headers of that
					   name, for smfi_chgheader; else 0 */
};

/* A forged trace header to remove, in header order. */
struct removal {
	const char *name;		/* as received, or the canonical name
					   when the header was not stored */
	unsigned occurrence;		/* 1-based among all headers of that
					   name, stored or not */
	const char *value;		/* the stored value, or NULL */
};

struct message {
	struct arena *arena;
	const char *id;			/* queue id, or a connection id */

	/* envelope (arena strings; NULL when not given) */
	const char *client_ip;
	const char *client_name;	/* reverse DNS name from the MTA */
	const char *helo;
	const char *mail_from;		/* as given, e.g. "<a@b.example>" */
	const char **rcpts;
	size_t nrcpts, rcpts_cap;
	const char *auth_user;		/* the MTA's {auth_authen}: the SMTP
					   AUTH login, NULL or "" when the
					   client did not authenticate */

	struct header *headers;
	size_t nheaders, headers_cap;
	size_t header_bytes;

	unsigned long long body_len;

	unsigned max_headers;		/* caps; 0 = none */
	unsigned max_header_length;
	const char *truncated;		/* why headers were dropped, or NULL */

	const char *authserv_id;	/* borrowed (the config's): A-Rs that
					   claim it are forged; NULL: none */
	unsigned n_authres, n_verdict;	/* A-R, X-Relaywarden seen */
	struct removal *removals;	/* forged ones, in header order */
	size_t nremovals, removals_cap;
	unsigned long removals_lost;	/* forged past the cap: not listed */
};

/* New message with its own arena; NULL when out of memory. */
struct message *message_new(unsigned max_headers,
    unsigned max_header_length);
/* Frees the message and its arena. message_free(NULL) does nothing. */
void message_free(struct message *);

/* Setters copy into the arena; 0 or -1 when out of memory. */
int message_set_id(struct message *, const char *);
int message_set_client(struct message *, const char *ip, const char *name);
int message_set_helo(struct message *, const char *);
int message_set_mail_from(struct message *, const char *);
int message_set_auth(struct message *, const char *user);
int message_add_rcpt(struct message *, const char *);

/* Stores one header.  Returns 1 when stored, 0 when dropped by a cap
 * (message.truncated says why), -1 when out of memory.  A forged trace
 * header is listed in removals either way (see above). */
int message_add_header(struct message *, const char *name,
    const char *value);

/* The n-th (0-based) header called name (case-insensitive), or NULL. */
const struct header *message_header(const struct message *,
    const char *name, size_t n);

#endif
