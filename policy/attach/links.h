/*
 * links.h - the links a message carries, gathered during the attachment
 * walk (issue 12): anchors and forms of HTML bodies and attachments
 * (htmllinks.c, libxml2), URLs in plain text (linktext.c), and later
 * QR codes in images and calendar invitations.  Each producer hands a
 * raw URL to links_add, which parses it (url.h), keeps the normalised
 * host and what is odd about it, and merges duplicates.
 *
 * The walk only gathers: what a link means depends on who sent it (its
 * organisation, its history in Redis, the lookalike index), which the
 * daemon knows and a sandboxed worker does not, so the link rules are
 * raised by the sender stage (policy/linkcheck.c).
 *
 * Caps: LINKS_MAX distinct records per message (a record is host, shown
 * host, kind and flags: a newsletter's 200 links to one redirector are
 * one record); past it out->links_dropped counts what was left out and
 * the scan is incomplete (attach_truncated "links"): a link check that
 * did not see every link is not milder than one that did.  URLs longer
 * than URL_MAX are cut there and flagged LINK_LONG.
 */
#ifndef RW_LINKS_H
#define RW_LINKS_H

#include <stddef.h>

struct arena;
struct attach_results;

#define LINKS_MAX	256		/* distinct records per message */

/* Where a link was found. */
enum link_kind {
	LINK_HREF = 1,			/* <a href>, <area href>, SVG href */
	LINK_TEXT,			/* a URL written in text */
	LINK_FORM,			/* <form action> */
	LINK_REFRESH,			/* <meta http-equiv=refresh> */
	LINK_QR,			/* decoded from a QR code image */
	LINK_CALENDAR,			/* in a text/calendar invitation */
};

/* What is odd about it (url.h sets the first ones). */
enum link_flag {
	LINK_IP = 1 << 0,		/* the host is an IP literal, in any
					   notation (dotted, integer, hex,
					   octal, IPv6) */
	LINK_USERINFO = 1 << 1,		/* "user@" or "user:pass@" before
					   the host */
	LINK_SCRIPT = 1 << 2,		/* javascript:, vbscript:, data: */
	LINK_LOGIN = 1 << 3,		/* the path or query looks like a
					   sign-in page (login, signin,
					   password, verify, oauth, ...);
					   looked for in QR codes, forms,
					   invitations and refreshes */
	LINK_LONG = 1 << 4,		/* cut at URL_MAX */
	LINK_BADHOST = 1 << 5,		/* a host that is not a name or an
					   address (host is then "") */
	LINK_PASSWORD = 1 << 6,		/* LINK_FORM: it has a password
					   field */
	LINK_ATTACHMENT = 1 << 7,	/* found in an attachment, not in a
					   body the mail client shows */
	LINK_RELATIVE = 1 << 8,		/* no scheme and host: relative to
					   the document (an attachment's
					   form posts to nowhere or to what
					   script decides) */
	LINK_SHOWN_BARE = 1 << 9,	/* shown is a bare name in the text
					   ("bank.com"), not a URL or a
					   "www." name: the reader takes it
					   for a domain only when its top
					   label is one (linkcheck.c) */
};
#define LINK_FLAGS_ALL	((1u << 10) - 1)

struct attach_link {
	const char *host;		/* A-labels, lower case, no trailing
					   dot, "[v6]" or dotted IPv4 for
					   addresses; "" when none */
	const char *shown;		/* LINK_HREF (and LINK_CALENDAR
					   anchors): the host the visible
					   text names (normalised), or NULL */
	const char *where;		/* the item it came from ("part-2",
					   "invoice.html") */
	unsigned kind;			/* enum link_kind */
	unsigned flags;			/* enum link_flag */
	unsigned count;			/* occurrences merged into it */
	unsigned hash;			/* of host, shown, kind and flags
					   (links.c; not sent by a worker) */
};

/* Adds the link url[0..len) (raw: entities already decoded by the
 * producer, surrounding white space allowed) found in where.  shown:
 * the visible text of an anchor (any text; a host is taken from it only
 * when it reads as a URL or a domain name), or NULL.  0, or -1 when out
 * of memory. */
int links_add(struct attach_results *, struct arena *, const char *url,
    size_t len, const char *shown, size_t shownlen, enum link_kind,
    unsigned flags, const char *where);

/* The host a visible text names, normalised into out (at least 254
 * bytes): "www.bank.example", "https://bank.example/x", "bank.example."
 * name one; "click here", "a.b" without a known-looking top label and
 * e-mail addresses do not.  1 when it names one as a URL or "www."
 * name, 2 as a bare name, else 0. */
int links_shown_host(const char *text, size_t len, char *out, size_t outlen);

const char *links_kind_name(unsigned kind);

#endif
