/*
 * plan.c - the header edits and the action for one evaluated message
 * (see plan.h for the order and why).
 *
 * Exports plan_build and plan_subject.  Pure over the config, the
 * message and its evaluation; everything it makes is arena memory of the
 * message.  Any thread.  Every value it writes was formatted by hdrout
 * (authres.c, verdict.c) or is our own tag (config-checked, RFC 2047
 * encoded when not ASCII) in front of the message's own Subject.
 */
#include <string.h>

#include "util/arena.h"
#include "config/config.h"
#include "mail/hdrout.h"
#include "mail/message.h"
#include "plan.h"
#include "policy.h"
#include "verdict/verdict.h"

#define AUTHRES		"Authentication-Results"
#define HOLD_REASON_MAX	400	/* well inside one reply line */

/* Appends one edit; edits() sized the array for all of them. */
static void
add_edit(struct plan *p, enum plan_edit_kind kind, const char *name,
    unsigned occurrence, const char *value)
{
	struct plan_edit *n = &p->edits[p->nedits++];

	n->kind = kind;
	n->name = name;
	n->occurrence = occurrence;
	n->value = value;
}

/* The tag as it goes in front of old: as written when it is ASCII, else
 * one RFC 2047 encoded-word and a space.  Before plain text the tag's own
 * trailing spaces stay outside the encoded-word (they would show twice);
 * before an encoded-word, whose leading white space readers drop, they go
 * inside.  NULL when out of memory. */
static const char *
tag_word(struct arena *a, const char *tag, const char *old)
{
	const unsigned char *p = (const unsigned char *)tag;
	size_t n = strlen(tag), i;
	const char *w;

	for (i = 0; i < n && p[i] < 0x80; i++)
		;
	if (i == n)
		return tag;
	if (strncmp(old, "=?", 2) != 0)
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
	if ((w = hdrout_utf8_word(a, tag, n)) == NULL)
		return NULL;
	return arena_printf(a, "%s ", w);
}

int
plan_subject(struct arena *a, const char *tag, const char *old,
    const char **out)
{
	const char *plain, *word;

	*out = NULL;
	if (tag == NULL || tag[0] == '\0')
		return 0;
	if (old == NULL)
		old = "";
	while (*old == ' ' || *old == '\t')
		old++;
	/* Tagged already in either form: a UTF-8 tag in front of plain
	 * text keeps its spaces outside the encoded-word, so the old value
	 * then starts with "=?" and would get the other form. */
	if ((plain = tag_word(a, tag, "")) == NULL ||
	    (word = tag_word(a, tag, "=?")) == NULL)
		return -1;
	if (strncmp(old, plain, strlen(plain)) == 0 ||
	    strncmp(old, word, strlen(word)) == 0)
		return 0;
	tag = strncmp(old, "=?", 2) == 0 ? word : plain;
	return (*out = arena_printf(a, "%s%s", tag, old)) != NULL ? 0 : -1;
}

/* The hold reason Postfix and sendmail show (postqueue -p, mailq -qQ):
 * our rule names only, which are tokens, never text from the message. */
static const char *
hold_reason(struct arena *a, const struct verdict *v)
{
	const char *list = verdict_rule_list(v, 0, a);
	char *p;

	if (list == NULL)
		return NULL;
	p = arena_printf(a, "relaywarden score=%d reasons=%s", v->score,
	    list[0] ? list : "-");
	/* Keep it well inside one reply line whatever the rule count. */
	if (p != NULL && strlen(p) > HOLD_REASON_MAX)
		strcpy(p + HOLD_REASON_MAX - 4, "...");
	return p;
}

/* The headers: forged ones out, ours in, the Subject tag on tag. */
static int
edits(const struct config *cfg, const struct message *m,
    const struct evaluation *e, struct plan *p)
{
	struct arena *a = m->arena;
	const struct header *h;
	const char *subj;
	size_t i;

	/* The removals, then at most Authentication-Results, X-Relaywarden
	 * and Subject. */
	if ((p->edits = arena_calloc(a, m->nremovals + 3,
	    sizeof(*p->edits))) == NULL)
		return -1;
	/* message.c lists them in header order: backwards, each name's
	 * occurrences go from the highest down. */
	for (i = m->nremovals; i-- > 0;)
		add_edit(p, PLAN_REMOVE, m->removals[i].name,
		    m->removals[i].occurrence, m->removals[i].value);
	if (e->authres != NULL)
		add_edit(p, PLAN_INSERT_TOP, AUTHRES, 0, e->authres);
	if (e->verdict_header != NULL)
		add_edit(p, PLAN_ADD, "X-Relaywarden", 0, e->verdict_header);
	if (p->action != VERDICT_TAG)
		return 0;
	h = message_header(m, "Subject", 0);
	if (plan_subject(a, cfg->tag_subject, h != NULL ? h->value : NULL,
	    &subj) == -1)
		return -1;
	if (subj != NULL)
		add_edit(p, h != NULL ? PLAN_CHANGE : PLAN_ADD, "Subject", 1,
		    subj);
	return 0;
}

int
plan_build(const struct config *cfg, const struct message *m,
    const struct evaluation *e, struct plan *out)
{
	const struct verdict *v = &e->verdict;

	memset(out, 0, sizeof(*out));
	/* Dry run: the action is computed, logged and written in the
	 * header, and nothing else happens. */
	out->action = v->dry_run ? VERDICT_ACCEPT : v->action;
	switch (out->action) {
	case VERDICT_TEMPFAIL:
		out->reply_code = "451";
		out->reply_xcode = "4.7.1";
		out->reply_text = "Try again later";
		/* A refused message is never delivered: no edits to make. */
		return 0;
	case VERDICT_REJECT:
		out->reply_code = "550";
		out->reply_xcode = "5.7.1";
		out->reply_text = cfg->reject_text;
		return 0;
	case VERDICT_QUARANTINE:
		if ((out->hold_reason = hold_reason(m->arena, v)) == NULL)
			return -1;
		break;
	case VERDICT_TAG:
	case VERDICT_ACCEPT:
		break;
	}
	return edits(cfg, m, e, out);
}
