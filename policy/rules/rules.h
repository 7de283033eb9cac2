/*
 * rules.h - the rule vocabulary: one table of every rule a message can
 * trip (name, class, default score, what it counts as, what it may
 * lower).  The recipients' thresholds are verdict_thresholds (verdict.h),
 * the authentication rules rules_auth (policy.h).
 *
 * Every reason in a verdict names a rule from this table by its
 * identifier; modules raise rules with verdict_raise (verdict.h), which
 * applies the config's score, dry run and the lowering caps below, so no
 * module knows another's rule names.  The config's `scores` group and
 * `dry_run_rules` list name rules of this table (unknown names are
 * config errors): the vocabulary admins tune.
 *
 * Lowering: a rule whose `lowers` is not 0 may take away, with a
 * negative score, at most the score of the reasons of those kinds (less
 * what other negative reasons took already); it is left out when that is
 * nothing (verdict.c).
 */
#ifndef RW_RULES_H
#define RW_RULES_H

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
	RULE_PROFILE_UNSIGNED,		/* issue 11: the learned profile */
	RULE_PROFILE_NEW_SUBDOMAIN,
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
	RULE_ATTACH_OVERRIDE,
	/* names and entries built to attack the tools (issue 10 item 3) */
	RULE_ATTACH_HOSTILE_NAME,
	RULE_ATTACH_SPECIAL_MEMBER,
	/* the attachment worker failed (issue 10 item 1) */
	RULE_ATTACH_SCAN_FAILED,
	/* Reply-To diverted from a known correspondent (issue 11 item 5) */
	RULE_REPLY_TO_NEW_ORG,
	RULE_REPLY_TO_LOOKALIKE,
	/* no single usable author domain (issue 11 item 1) */
	RULE_FROM_AMBIGUOUS,
	/* lookalikes and display names of correspondents (issue 11 items 4
	 * and 6) */
	RULE_LOOKALIKE_KNOWN_EDIT,
	RULE_DISPLAY_KNOWN,
	/* what a PDF does when opened (issue 12) */
	RULE_ATTACH_PDF_JAVASCRIPT,
	RULE_ATTACH_PDF_LAUNCH,
	RULE_ATTACH_PDF_EMBEDDED,
	/* issue 12: links (linkcheck.c) */
	RULE_LINK_TEXT_MISMATCH,
	RULE_LINK_IP,
	RULE_LINK_USERINFO,
	RULE_LINK_FORM_PASSWORD,
	RULE_LINK_LOOKALIKE_PROTECTED,
	RULE_LINK_LOOKALIKE_KNOWN,
	RULE_LINK_NEW_DOMAIN,
	RULE_LINK_QR,
	RULE_LINK_CALENDAR,
	RULE_ARCHIVE_PASSWORD_IN_TEXT,
	RULE_COUNT
};

/* Which part of the policy a rule belongs to. */
enum rule_class {
	RULE_CLASS_AUTHENTICATION = 0,	/* SPF, DKIM, DMARC (rules.c) */
	RULE_CLASS_ATTACHMENT,		/* attach.c, attscan.c */
	RULE_CLASS_SENDER,		/* sender.c: history, identity */
	RULE_CLASS_MESSAGE,		/* the header section's caps */
};

/* What a reason counts as, for the rules that lower or weigh others. */
enum rule_kind {
	RULE_KIND_NOVELTY = 1 << 0,	/* the sender, its relay or signer
					   is new to us */
	RULE_KIND_AUTHFAIL = 1 << 1,	/* an authentication failure */
	RULE_KIND_STRANGER = 1 << 2,	/* a new or imitated sender:
					   attachments weigh more */
	RULE_KIND_LOOKALIKE = 1 << 3,	/* imitates another domain: the
					   message never teaches */
};

struct rule_def {
	const char *name;
	int score;			/* default */
	enum rule_class cls;
	unsigned kind;			/* enum rule_kind bits it counts as */
	unsigned lowers;		/* enum rule_kind bits whose score a
					   negative score may take away; 0:
					   it may not lower a score */
	const char *what;		/* one line for admins */
};

extern const struct rule_def rules_table[RULE_COUNT];

/* The rule called name, or -1. */
int rules_lookup(const char *name);

#endif
