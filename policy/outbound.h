/*
 * outbound.h - is this message ours going out (issue 13 item 1)?
 *
 * Mail from a client that authenticated with SMTP AUTH (the MTA's
 * {auth_authen} macro) or from a configured internal host (internal_hosts)
 * is outbound: it gets no inbound sender verdict (SPF, DKIM, DMARC,
 * history, lookalikes, identity, links) and teaches the sender history
 * nothing; the attachment policy applies only when outbound_attachments
 * says so.  The decision reads the envelope the MTA gave, never the
 * message: nothing in a header can make mail outbound.
 * Pure function of the config and the message; any thread.
 */
#ifndef RW_OUTBOUND_H
#define RW_OUTBOUND_H

struct config;
struct message;

enum outbound_via {
	OUTBOUND_NO = 0,		/* inbound: every check */
	OUTBOUND_AUTH,			/* {auth_authen} not empty */
	OUTBOUND_INTERNAL_HOST,		/* client address in
					   internal_hosts */
};

/* How m is outbound, or OUTBOUND_NO.  An authenticated client wins over
 * the address (the stronger signal, and the one the log names). */
enum outbound_via outbound_decide(const struct config *,
    const struct message *m);

/* "auth", "internal_host" or "no". */
const char *outbound_via_name(enum outbound_via);

#endif
