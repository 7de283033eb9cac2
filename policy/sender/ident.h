/*
 * ident.h - identity signals from a message's headers: a display name
 * that claims someone the address is not, a Reply-To that leads
 * elsewhere, and the marks of mailing lists and forwarders (which explain
 * an unusual relay).  Each signal comes with a short detail; the verdict
 * turns them into scored reasons.
 *
 * Pure functions over the message; results in the caller's arena.  An
 * ident_people is immutable after ident_people_new and may be shared by
 * threads; it belongs to a config generation.  The lookalike index is
 * thread-safe (lookalike.h).
 */
#ifndef RW_IDENT_H
#define RW_IDENT_H

#include <stddef.h>
#include "auth/auth.h"

struct addr_mailbox;
struct arena;
struct orgdomain;
struct lookalike_index;
struct message;

enum ident_signal {
	/* the display name ... while the address is elsewhere */
	IDENT_DISPLAY_DOMAIN = 0,	/* names a protected or known domain,
					   or one confusable with a
					   protected domain */
	IDENT_DISPLAY_ADDRESS,		/* holds an address at another
					   organisational domain */
	IDENT_DISPLAY_BRAND,		/* holds a protected domain's name as
					   words: "PayPal", "Pay Pal" */
	IDENT_DISPLAY_PERSON,		/* is a listed person's name */
	IDENT_REPLY_TO,			/* Reply-To at another organisational
					   domain than From */
	/* lists and forwarders */
	IDENT_LIST,			/* List-Id or List-Post */
	IDENT_SENDER,			/* Sender: another address than
					   From */
	IDENT_RESENT,			/* Resent-From, Resent-Sender ... */
	IDENT_FORWARDER,		/* MAIL FROM at another organisational
					   domain, SPF pass, and the relay's
					   name in that domain (or an SRS
					   address) */
	IDENT_DISPLAY_KNOWN,		/* the display name spells a known
					   correspondent's name as words
					   ("Name Audit" for name-audit.com),
					   From itself unknown */
	IDENT_COUNT
};

struct ident_signals {
	unsigned flags;			/* 1u << IDENT_* */
	const char *detail[IDENT_COUNT]; /* one short printable line per
					   signal set (arena), else NULL */
	const char *about[IDENT_COUNT];	/* what the display name or
					   Reply-To names (an address, a
					   domain, a name), for the header
					   (struct reason's about), or NULL */
	unsigned display_flags;		/* LOOKALIKE_* of the domain
					   display_domain names (PROTECTED
					   also when confusable with one) */
	const char *from_org;		/* From's organisational domain, or
					   NULL when there was no usable
					   From */
	const char *claim[IDENT_COUNT];	/* list, sender, resent and
					   forwarder: the organisational
					   domain the signal names (List-Id
					   or List-Post, Sender, Resent-From
					   or Resent-Sender, MAIL FROM),
					   lower case (arena); NULL when it
					   names none.  What the signal may
					   excuse is decided by whether that
					   domain authenticated the message
					   (sender.c): the header itself is
					   anyone's to write */
};

/* A person whose name a display name must not borrow. */
struct ident_person {
	const char *name;		/* "José Núñez" */
	const char *const *addresses;	/* where they really write from:
					   "jose@example.com" or a domain
					   ("example.com", "@example.com":
					   its organisation); none: any
					   protected domain */
	size_t naddresses;
};

struct ident_people;

/* Prepares (folds) the list once per config generation.  NULL with a
 * reason in err (a name with no letters, out of memory).  Caller frees
 * with ident_people_free. */
struct ident_people *ident_people_new(const struct ident_person *,
    size_t n, char *err, size_t errlen);
void ident_people_free(struct ident_people *);

/* What the checks need besides the message; all borrowed. */
struct ident_context {
	const struct orgdomain *orgdomain;	/* organisational domains */
	struct lookalike_index *index;	/* protected domains and known
					   correspondents; NULL: no domain
					   or brand claims */
	const struct ident_people *people; /* NULL: none */
	unsigned brand_min_len;		/* shortest protected name (code
					   points) matched in a display
					   name; 0: 4 */
	unsigned known_min_len;		/* the same for known
					   correspondents' names; 0: 6 */
};

struct ident_envelope {
	const char *mail_from;		/* the MAIL FROM path ("<a@b>");
					   NULL: the message's */
	enum auth_result spf;		/* SPF result for it */
	const char *relay_name;		/* the relay's confirmed reverse DNS
					   name (infra fcrdns), or NULL */
	int from_aligned;		/* an aligned DKIM pass of the From
					   domain: a listed person's name from
					   another mailbox of the person's
					   own organisation, signed by it
					   (a SaaS sending "via" for us), is
					   not from elsewhere */
};

/* Fills out.  from is the message's single From mailbox (NULL: parsed
 * here from the From header; with none, or several, only the list and
 * forwarder signals are looked at).  env may be NULL (no forwarder
 * signal).  Bounded: display names are cut at CONFUSABLE_TEXT_MAX bytes,
 * IDENT_MAX_TOKENS tokens and IDENT_MAX_WORDS words are examined, and at
 * most IDENT_MAX_HEADERS headers of one name.  0, or -1 when out of
 * memory. */
#define IDENT_MAX_TOKENS	8
#define IDENT_MAX_WORDS		32
#define IDENT_MAX_HEADERS	4
int ident_check(const struct ident_context *, const struct message *,
    const struct addr_mailbox *from, const struct ident_envelope *env,
    struct arena *, struct ident_signals *out);

/* "display_domain", "display_address", "display_brand", "display_person",
 * "reply_to", "list", "sender", "resent", "forwarder", "display_known". */
const char *ident_signal_name(enum ident_signal);

#endif
