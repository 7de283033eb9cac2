/*
 * apply.h - carries out an evaluation on the MTA's copy of the message.
 */
#ifndef RW_APPLY_H
#define RW_APPLY_H

#include <libmilter/mfapi.h>

struct config;
struct message;
struct evaluation;

/* Removes our forged Authentication-Results, adds ours and the verdict
 * header, then returns the libmilter status for the action (accept,
 * quarantine, reject with a reply, tempfail).  A failed header edit or
 * quarantine tempfails the message rather than let it through unmarked.
 * In dry-run mode only the headers are written.  leadspc: the MTA agreed
 * to SMFIP_HDR_LEADSPC, so a value we add carries its own leading space
 * (else the MTA writes "Name:value"). */
sfsistat apply_evaluation(SMFICTX *, const struct config *,
    const struct message *, const struct evaluation *, int leadspc);

#endif
