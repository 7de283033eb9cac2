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
#include "log.h"
#include "message.h"
#include "policy.h"

#define AUTHRES		"Authentication-Results"

static int
delete_forged(SMFICTX *ctx, const struct message *m)
{
	size_t i;

	for (i = m->nheaders; i-- > 0;) {
		const struct header *h = &m->headers[i];

		if (!h->deleted)
			continue;
		if (smfi_chgheader(ctx, (char *)h->name, (int)h->occurrence,
		    NULL) != MI_SUCCESS)
			return -1;
		log_info(m->id, "removed forged %s #%u", h->name,
		    h->occurrence);
	}
	return 0;
}

sfsistat
apply_evaluation(SMFICTX *ctx, const struct message *m,
    const struct evaluation *e)
{
	if (delete_forged(ctx, m) == -1) {
		log_err(m->id, "cannot remove a forged header: tempfail");
		return SMFIS_TEMPFAIL;
	}
	if (e->authres != NULL && smfi_insheader(ctx, 0, (char *)AUTHRES,
	    (char *)e->authres) != MI_SUCCESS) {
		log_err(m->id, "cannot add Authentication-Results: tempfail");
		return SMFIS_TEMPFAIL;
	}
	if (e->verdict_header != NULL && smfi_addheader(ctx,
	    (char *)"X-Relaywarden", (char *)e->verdict_header) !=
	    MI_SUCCESS) {
		log_err(m->id, "cannot add X-Relaywarden: tempfail");
		return SMFIS_TEMPFAIL;
	}
	switch (e->verdict.action) {
	case VERDICT_TEMPFAIL:
		smfi_setreply(ctx, (char *)"451", (char *)"4.7.1",
		    (char *)"Try again later");
		return SMFIS_TEMPFAIL;
	case VERDICT_REJECT:
		smfi_setreply(ctx, (char *)"550", (char *)"5.7.1",
		    (char *)"Message rejected by policy");
		return SMFIS_REJECT;
	case VERDICT_QUARANTINE:
	case VERDICT_TAG:
	case VERDICT_ACCEPT:
		break;
	}
	return SMFIS_ACCEPT;
}
