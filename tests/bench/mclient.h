/*
 * mclient.h - the MTA side of the milter protocol (version 6), written from
 * the protocol description for the benchmark and the protocol-level tests:
 * one connection to a milter, messages sent through it, the milter's
 * verdicts and modification actions read back.
 *
 * A connection is used by one thread at a time; separate connections are
 * independent (no shared state).  Every wait has a deadline, every packet
 * read is bounded (MCLIENT_MAX_PACKET) and checked before it is parsed: a
 * hostile, slow or dead milter is an error return, never a crash or hang.
 */
#ifndef RW_MCLIENT_H
#define RW_MCLIENT_H

#include <stddef.h>
#include <stdint.h>

/* The largest reply packet we accept (a 1 MB body replacement chunk, the
 * most libmilter can negotiate, plus its header). */
#define MCLIENT_MAX_PACKET	(1024 * 1024 + 64)
/* Modification actions accepted at one end of message. */
#define MCLIENT_MAX_ACTIONS	10000
/* The most a command may carry without SMFIP_MDS_* (libmilter's limit). */
#define MCLIENT_MAX_DATA	65535

struct mclient_header {
	char *name;
	char *value;		/* as in the file after the colon, leading
				   space kept, folds as "\n" + WSP */
};

/* A message read from a file, ready to send any number of times. */
struct mclient_msg {
	char *label;		/* file name, for reports */
	char *mail_from;	/* envelope sender without <>; may be "" */
	struct mclient_header *headers;
	size_t nheaders;
	unsigned char *body;	/* CRLF line ends, as MTAs send it */
	size_t body_len;
};

struct mclient_conf {
	const char *socket;	/* "unix:/path", "/path", "inet:PORT@HOST",
				   "inet6:PORT@HOST" */
	unsigned timeout_ms;	/* connect, each write, each reply */
	const char *client_ip;	/* SMTP client presented; NULL: unknown */
	const char *client_name;	/* NULL: "[client_ip]" */
	const char *helo;
	const char *const *rcpts;	/* without <>, at least one */
	size_t nrcpts;
	size_t chunk;		/* body chunk size, 1..65535 */
	uint32_t actions;	/* SMFIF_* offered */
	uint32_t protocol;	/* SMFIP_* offered */
	int verbose;		/* collect one text line per action */
	unsigned abort_every;	/* abort every Nth message of a
				   connection after its body, as an MTA
				   does when the client goes away (0:
				   never) */
};

struct mclient_result {
	char verdict;		/* SMFIR_ACCEPT, _CONTINUE (at end of
				   message: accept), _REJECT, _TEMPFAIL,
				   _DISCARD or _REPLYCODE */
	char stage;		/* SMFIC_* command the verdict answered */
	unsigned nactions;	/* modification actions received */
	char reply[512];	/* SMFIR_REPLYCODE text, printable */
	char *text;		/* verbose: action lines, caller frees with
				   mclient_result_clear() */
	size_t text_len;
	size_t text_cap;
};

struct mclient;

/* Reads FILE into a message (LF or CRLF line ends).  The envelope sender
 * is mail_from, or when NULL the address in the From header.  Returns
 * NULL with a reason in err.  Free with mclient_msg_free(). */
struct mclient_msg *mclient_msg_load(const char *file, const char *mail_from,
    char *err, size_t errlen);
void mclient_msg_free(struct mclient_msg *);

/* Connects, negotiates and sends the connection steps (connect, HELO).
 * conf is borrowed until mclient_close().  Returns NULL with a reason. */
struct mclient *mclient_open(const struct mclient_conf *conf, char *err,
    size_t errlen);

/* What the milter agreed to: version, SMFIF_* actions, SMFIP_* steps. */
void mclient_negotiated(const struct mclient *, uint32_t *version,
    uint32_t *actions, uint32_t *protocol);

/* Sends one message with queue id qid and reads the verdict into res
 * (which the caller zeroes once and clears with mclient_result_clear).
 * Returns 0, or -1 with a reason when the connection failed or the
 * milter broke the protocol (the connection is then unusable). */
int mclient_send(struct mclient *, const struct mclient_msg *,
    const char *qid, struct mclient_result *res, char *err, size_t errlen);

/* Sends QUIT (without waiting) and closes; NULL does nothing. */
void mclient_close(struct mclient *);

/* Frees res->text and resets res for the next message. */
void mclient_result_clear(struct mclient_result *res);

/* "accept", "reject", ...: the name of a verdict code. */
const char *mclient_verdict_name(char verdict);

#endif
