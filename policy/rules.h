/*
 * rules.h - the named rules a message can trip, with the score the policy
 * gives each, and the authentication rules themselves.
 *
 * Every reason in a verdict names a rule from this table; the config's
 * `scores` group overrides the default scores by name (unknown names are
 * config errors), so the list below is the vocabulary admins tune.
 */
#ifndef RW_RULES_H
#define RW_RULES_H

struct arena;
struct config;
struct evaluation;
struct message;
struct verdict;

enum rule {
	RULE_SPF_FAIL = 0,
	RULE_SPF_SOFTFAIL,
	RULE_SPF_PERMERROR,
	RULE_HELO_SPF_FAIL,
	RULE_DKIM_FAIL,
	RULE_DMARC_FAIL,
	RULE_DMARC_FAIL_QUARANTINE,
	RULE_DMARC_FAIL_REJECT,
	RULE_AUTH_TEMPERROR,
	RULE_HEADERS_TRUNCATED,
	RULE_DKIM_TRUNCATED,
	RULE_DKIM_BODY_LENGTH_PARTIAL,
	RULE_ATTACH_BANNED_EXTENSION,
	RULE_ATTACH_DOUBLE_EXTENSION,
	RULE_ATTACH_NAME_TRICK,
	RULE_ATTACH_TYPE_MISMATCH,
	RULE_ATTACH_EXECUTABLE,
	RULE_ATTACH_BANNED_MEMBER,
	RULE_ATTACH_ENCRYPTED_ARCHIVE,
	RULE_ATTACH_OFFICE_MACRO,
	RULE_ATTACH_HTML_SMUGGLING,
	RULE_ATTACH_ARCHIVE_BOMB,
	RULE_ATTACH_TRUNCATED,
	RULE_ATTACH_MALFORMED,
	/* sender history and identity (sender.c) */
	RULE_FIRST_CONTACT,
	RULE_NEW_RELAY,
	RULE_NEW_SIGNER,
	RULE_NEW_RELAY_UNAUTHENTICATED,
	RULE_NEW_SIGNER_UNAUTHENTICATED,
	RULE_KNOWN_SIGNER_ALIGNED,
	RULE_PARTNER_UNEXPECTED_RELAY,
	RULE_PARTNER_UNALIGNED,
	RULE_LOOKALIKE_PROTECTED,
	RULE_LOOKALIKE_KNOWN,
	RULE_DISPLAY_DOMAIN,
	RULE_DISPLAY_ADDRESS,
	RULE_DISPLAY_BRAND,
	RULE_DISPLAY_PERSON,
	RULE_REPLY_TO,
	RULE_LIST,
	RULE_SENDER_HEADER,
	RULE_RESENT,
	RULE_FORWARDER,
	RULE_ATTACH_NEW_SENDER,
	RULE_HEADERS_FORGED_FLOOD,
	RULE_COUNT
};

struct rule_def {
	const char *name;
	int score;			/* default */
	const char *what;		/* one line for admins */
};

extern const struct rule_def rules_table[RULE_COUNT];

/* The rule called name, or -1. */
int rules_lookup(const char *name);

/* Adds rule r with the config's score and detail (may be NULL); 0 or -1
 * when out of memory. */
int rules_add(struct verdict *, struct arena *, const struct config *,
    enum rule, const char *detail);

/* The tag, quarantine and reject thresholds for m: the global ones,
 * lowered by every recipient_policies group one of m's recipients is in
 * (each threshold the lowest non-zero among them; config.h). */
void rules_thresholds(const struct config *, const struct message *,
    unsigned out[3]);

/* The authentication rules over an evaluation's SPF, DKIM and DMARC
 * results, and the message's own caps.  0 or -1 when out of memory. */
int rules_auth(const struct config *, const struct message *,
    struct evaluation *);

#endif
