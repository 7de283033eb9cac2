/*
 * apply.h - carries out an evaluation's plan (policy/plan.h) on the MTA's
 * copy of the message.
 */
#ifndef RW_APPLY_H
#define RW_APPLY_H

#include <libmilter/mfapi.h>

struct message;
struct evaluation;

/* Makes e->plan's header edits in order (forged Authentication-Results
 * and X-Relaywarden out, ours in, the Subject tag), then returns the
 * libmilter status for its action (accept, quarantine with its hold
 * reason, reject or tempfail with its reply).  A failed header edit or
 * quarantine tempfails the message rather than let it through unmarked.
 * leadspc: the MTA agreed to SMFIP_HDR_LEADSPC, so a value we add
 * carries its own leading space (else the MTA writes "Name:value"). */
sfsistat apply_evaluation(SMFICTX *, const struct message *,
    const struct evaluation *, int leadspc);

#endif
