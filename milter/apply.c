/*
 * apply.c - an evaluation's plan (policy/plan.h), carried out through the
 * milter protocol.
 *
 * Exports apply_evaluation.  Every decision - which headers go, which
 * come, the Subject tag, the action, its reply and hold reason - is the
 * plan's; this file only makes the libmilter calls, in the plan's order,
 * at end of message (the only time libmilter allows header edits), and
 * logs the removals it made.
 * Thread rule: one connection, one thread (libmilter).
 */
#include <string.h>

#include "apply.h"
#include "util/arena.h"
#include "util/log.h"
#include "mail/message.h"
#include "policy.h"

#define LOG_REMOVALS	20	/* one line each, then a count */

/* One edit; with SMFIP_HDR_LEADSPC agreed a value we write must bring the
 * space after the colon itself.  0 or -1. */
static int
edit(SMFICTX *ctx, const struct message *m, const struct plan_edit *ed,
    int leadspc)
{
	char *v = (char *)ed->value;

	if (ed->kind == PLAN_REMOVE)
		return smfi_chgheader(ctx, (char *)ed->name,
		    (int)ed->occurrence, NULL) == MI_SUCCESS ? 0 : -1;
	if (leadspc && (v = arena_printf(m->arena, " %s", ed->value)) ==
	    NULL)
		return -1;
	switch (ed->kind) {
	case PLAN_INSERT_TOP:
		return smfi_insheader(ctx, 0, (char *)ed->name, v) ==
		    MI_SUCCESS ? 0 : -1;
	case PLAN_ADD:
		return smfi_addheader(ctx, (char *)ed->name, v) ==
		    MI_SUCCESS ? 0 : -1;
	case PLAN_CHANGE:
		return smfi_chgheader(ctx, (char *)ed->name,
		    (int)ed->occurrence, v) == MI_SUCCESS ? 0 : -1;
	case PLAN_REMOVE:
		break;
	}
	return -1;
}

sfsistat
apply_evaluation(SMFICTX *ctx, const struct message *m,
    const struct evaluation *e, int leadspc)
{
	const struct plan *p = &e->plan;
	size_t i, removed = 0;

	for (i = 0; i < p->nedits; i++) {
		const struct plan_edit *ed = &p->edits[i];

		/* A header we cannot mark or a forged one we cannot remove
		 * must not go through as if we had: tempfail. */
		if (edit(ctx, m, ed, leadspc) == -1) {
			log_err(m->id, "cannot %s %s: tempfail",
			    ed->kind == PLAN_REMOVE ? "remove a forged" :
			    ed->kind == PLAN_CHANGE ? "change" : "add",
			    ed->name);
			return SMFIS_TEMPFAIL;
		}
		if (ed->kind == PLAN_REMOVE && ++removed <= LOG_REMOVALS)
			log_info(m->id, "removed forged %s #%u%s", ed->name,
			    ed->occurrence, ed->value == NULL ?
			    " (past a cap)" : "");
	}
	if (removed > LOG_REMOVALS)
		log_info(m->id, "removed %zu more forged "
		    "Authentication-Results or X-Relaywarden headers",
		    removed - LOG_REMOVALS);
	switch (p->action) {
	case VERDICT_TEMPFAIL:
		smfi_setreply(ctx, (char *)p->reply_code,
		    (char *)p->reply_xcode, (char *)p->reply_text);
		return SMFIS_TEMPFAIL;
	case VERDICT_REJECT:
		smfi_setreply(ctx, (char *)p->reply_code,
		    (char *)p->reply_xcode, (char *)p->reply_text);
		return SMFIS_REJECT;
	case VERDICT_QUARANTINE:
		if (smfi_quarantine(ctx, (char *)p->hold_reason) !=
		    MI_SUCCESS) {
			/* Never let held mail through unheld. */
			log_err(m->id, "cannot quarantine: tempfail");
			return SMFIS_TEMPFAIL;
		}
		break;
	case VERDICT_TAG:
	case VERDICT_ACCEPT:
		break;
	}
	return SMFIS_ACCEPT;
}
