/*
 * apply.c - the verdict, applied through the milter protocol.
 *
 * Exports apply_evaluation.  Header edits happen at end of message, the
 * only time libmilter allows them.  Forged headers (Authentication-Results
 * claiming our authserv-id, any incoming X-Relaywarden) are deleted from
 * the highest occurrence down, so that an MTA which counts occurrences
 * after earlier deletions and one which does not agree on which header
 * each index names.  Ours is inserted at the top (RFC 8601
 * section 5: the newest trace header first).
 * Thread rule: one connection, one thread (libmilter).
 */
#include <string.h>

#include "apply.h"
#include "arena.h"
#include "config.h"
#include "hdrout.h"
#include "log.h"
#include "message.h"
#include "policy.h"

#define AUTHRES		"Authentication-Results"

#define LOG_REMOVALS	20	/* one line each, then a count */

static int
delete_forged(SMFICTX *ctx, const struct message *m)
{
	size_t i;

	/* The list is in header order: backwards, each name's occurrences
	 * go from the highest down. */
	for (i = m->nremovals; i-- > 0;) {
		const struct removal *r = &m->removals[i];

		if (smfi_chgheader(ctx, (char *)r->name, (int)r->occurrence,
		    NULL) != MI_SUCCESS)
			return -1;
		if (m->nremovals - i <= LOG_REMOVALS)
			log_info(m->id, "removed forged %s #%u%s", r->name,
			    r->occurrence, r->value == NULL ?
			    " (past a cap)" : "");
	}
	if (m->nremovals > LOG_REMOVALS)
		log_info(m->id, "removed %zu more forged "
		    "Authentication-Results or X-Relaywarden headers",
		    m->nremovals - LOG_REMOVALS);
	return 0;
}

/* The hold reason Postfix and sendmail show (postqueue -p, mailq -qQ):
 * our rule names only, which are tokens, never text from the message. */
static char *
hold_reason(const struct message *m, const struct evaluation *e)
{
	const char *list = "";
	char *p;
	size_t i;

	for (i = 0; i < e->verdict.nreasons; i++) {
		if (e->verdict.reasons[i].whatif)
			continue;
		p = arena_printf(m->arena, "%s%s%s", list, list[0] ? "," : "",
		    e->verdict.reasons[i].rule);
		if (p == NULL)
			return NULL;
		list = p;
	}
	p = arena_printf(m->arena, "relaywarden score=%d reasons=%s",
	    e->verdict.score, list[0] ? list : "-");
	/* Keep it well inside one reply line whatever the rule count. */
	if (p != NULL && strlen(p) > 400)
		strcpy(p + 396, "...");
	return p;
}

/* Adds (idx < 0) or inserts a header; with SMFIP_HDR_LEADSPC agreed the
 * value must bring the space after the colon itself. */
static int
add_header(SMFICTX *ctx, const struct message *m, int idx, const char *name,
    const char *value, int leadspc)
{
	char *v = (char *)value;

	if (leadspc && (v = arena_printf(m->arena, " %s", value)) == NULL)
		return -1;
	if (idx < 0)
		return smfi_addheader(ctx, (char *)name, v) == MI_SUCCESS ?
		    0 : -1;
	return smfi_insheader(ctx, idx, (char *)name, v) == MI_SUCCESS ?
	    0 : -1;
}

/* The tag as it goes in front of old: as written when it is ASCII, else
 * one RFC 2047 encoded-word and a space.  Before plain text the tag's own
 * trailing spaces stay outside the encoded-word (they would show twice);
 * before an encoded-word, whose leading white space readers drop, they go
 * inside.  NULL when out of memory. */
static const char *
subject_tag(struct arena *a, const char *tag, const char *old)
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

/* tag_subject in front of the first Subject (or a new Subject), unless
 * it is there already: a message tagged twice on its way keeps one. */
static int
tag_subject(SMFICTX *ctx, const struct config *cfg, const struct message *m,
    int leadspc)
{
	const char *tag = cfg->tag_subject, *old;
	const struct header *h;
	char *v;

	if (tag == NULL || tag[0] == '\0')
		return 0;
	h = message_header(m, "Subject", 0);
	old = h != NULL ? h->value : "";
	while (*old == ' ' || *old == '\t')
		old++;
	if ((tag = subject_tag(m->arena, tag, old)) == NULL)
		return -1;
	if (strncmp(old, tag, strlen(tag)) == 0)
		return 0;
	if ((v = arena_printf(m->arena, "%s%s%s", leadspc ? " " : "", tag,
	    old)) == NULL)
		return -1;
	if (h == NULL)
		return smfi_addheader(ctx, (char *)"Subject", v) ==
		    MI_SUCCESS ? 0 : -1;
	return smfi_chgheader(ctx, (char *)"Subject", 1, v) == MI_SUCCESS ?
	    0 : -1;
}

sfsistat
apply_evaluation(SMFICTX *ctx, const struct config *cfg,
    const struct message *m, const struct evaluation *e, int leadspc)
{
	char *why;

	/* A refused message is never delivered: no edits to make. */
	if (!e->verdict.dry_run && (e->verdict.action == VERDICT_REJECT ||
	    e->verdict.action == VERDICT_TEMPFAIL))
		goto decided;
	if (delete_forged(ctx, m) == -1) {
		log_err(m->id, "cannot remove a forged header: tempfail");
		return SMFIS_TEMPFAIL;
	}
	if (e->authres != NULL &&
	    add_header(ctx, m, 0, AUTHRES, e->authres, leadspc) == -1) {
		log_err(m->id, "cannot add Authentication-Results: tempfail");
		return SMFIS_TEMPFAIL;
	}
	if (e->verdict_header != NULL && add_header(ctx, m, -1,
	    "X-Relaywarden", e->verdict_header, leadspc) == -1) {
		log_err(m->id, "cannot add X-Relaywarden: tempfail");
		return SMFIS_TEMPFAIL;
	}
	/* Dry run: the action is computed, logged and written in the
	 * header, and nothing else happens. */
	if (e->verdict.dry_run)
		return SMFIS_ACCEPT;
decided:
	switch (e->verdict.action) {
	case VERDICT_TEMPFAIL:
		smfi_setreply(ctx, (char *)"451", (char *)"4.7.1",
		    (char *)"Try again later");
		return SMFIS_TEMPFAIL;
	case VERDICT_REJECT:
		smfi_setreply(ctx, (char *)"550", (char *)"5.7.1",
		    cfg->reject_text);
		return SMFIS_REJECT;
	case VERDICT_QUARANTINE:
		if ((why = hold_reason(m, e)) == NULL ||
		    smfi_quarantine(ctx, why) != MI_SUCCESS) {
			/* Never let held mail through unheld. */
			log_err(m->id, "cannot quarantine: tempfail");
			return SMFIS_TEMPFAIL;
		}
		break;
	case VERDICT_TAG:
		if (tag_subject(ctx, cfg, m, leadspc) == -1) {
			log_err(m->id, "cannot tag the Subject: tempfail");
			return SMFIS_TEMPFAIL;
		}
		break;
	case VERDICT_ACCEPT:
		break;
	}
	return SMFIS_ACCEPT;
}
