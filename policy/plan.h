/*
 * plan.h - what the MTA is to do with one evaluated message: the header
 * edits in the order they are made, and the action with its reply or
 * hold reason.  Decided here, in policy/; milter/apply.c only carries a
 * plan out over libmilter, and relaywarden-check prints it.
 *
 * The edits: every forged Authentication-Results or X-Relaywarden that
 * message.c listed is removed (from the highest occurrence down, so an
 * MTA that counts occurrences after earlier deletions and one that does
 * not agree on which header each index names); our Authentication-
 * Results is inserted at the top (RFC 8601 section 5: the newest trace
 * header first); X-Relaywarden is added; on tag, tag_subject goes in
 * front of the first Subject (or a new Subject).  A message that is
 * rejected or tempfailed gets no edits; in dry run the headers are
 * written and the action is accept.
 *
 * Arena memory of the message; one thread.
 */
#ifndef RW_PLAN_H
#define RW_PLAN_H

#include <stddef.h>

#include "verdict/verdict.h"

struct arena;
struct config;
struct evaluation;
struct message;

enum plan_edit_kind {
	PLAN_REMOVE = 0,		/* delete occurrence of name */
	PLAN_INSERT_TOP,		/* insert above every header */
	PLAN_ADD,			/* append below the last header */
	PLAN_CHANGE,			/* replace occurrence of name */
};

struct plan_edit {
	enum plan_edit_kind kind;
	const char *name;
	unsigned occurrence;		/* REMOVE, CHANGE: 1-based among the
					   headers of that name */
	const char *value;		/* INSERT_TOP, ADD, CHANGE: the new
					   value, without a leading space;
					   REMOVE: the value removed, or
					   NULL when it was past a cap */
};

struct plan {
	enum verdict_action action;	/* what the MTA is told */
	struct plan_edit *edits;	/* in the order they are made */
	size_t nedits;
	const char *hold_reason;	/* QUARANTINE: the reason the MTA
					   shows (rule names only) */
	const char *reply_code;		/* REJECT, TEMPFAIL: "550" */
	const char *reply_xcode;	/* "5.7.1" */
	const char *reply_text;
};

/* The plan for m as evaluated in e (its verdict decided, its header
 * values formatted) into *out, arena memory of m.  0, or -1 when out of
 * memory. */
int plan_build(const struct config *, const struct message *m,
    const struct evaluation *e, struct plan *out);

/* The Subject tag decision: the value of the Subject once tag is put in
 * front of old (the first Subject's value, or NULL when there is none):
 * the tag as written when it is ASCII, else one RFC 2047 encoded-word
 * and a space; old's leading white space dropped.  NULL in *out when
 * the Subject stays as it is (no tag, or old starts with it already, in
 * either of its forms: a message tagged twice on its way keeps one).
 * 0, or -1 when out of memory. */
int plan_subject(struct arena *, const char *tag, const char *old,
    const char **out);

#endif
