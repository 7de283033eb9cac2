/*
 * attpolicy.c - the attachment policy's own lists applied to an item
 * (attach_action_overrides keys, the attach_allow_senders allow-list)
 * and the message-level reasons of a scan (see attscan.h).
 *
 * Exports attscan_key_match, attscan_allowed, attscan_reasons.  Owns
 * nothing (arena memory of the scan).  Thread rule: one scan, one thread.
 */
#include <string.h>
#include <strings.h>

#include "util/arena.h"
#include "attach/attscan.h"
#include "rules/rules.h"
#include "verdict/verdict.h"

/* A policy key (".ext" or "type/sub") matches the item. */
int
attscan_key_match(const char *key, const struct attach_item *it,
    const char *ext, const char *aext)
{
	if (key[0] == '.')
		return strcmp(key + 1, ext) == 0 || strcmp(key + 1, aext) == 0;
	return (it->detected != NULL && strcasecmp(key, it->detected) == 0) ||
	    (it->declared != NULL && strcasecmp(key, it->declared) == 0);
}

int
attscan_allowed(const struct attscan *ev, const struct attach_item *it,
    const char *ext, const char *aext)
{
	const struct allow *al;
	size_t i, j, dl, fl;

	if (ev->from == NULL)
		return 0;
	fl = strlen(ev->from);
	for (i = 0; i < ev->ctx->nallow; i++) {
		al = &ev->ctx->allow[i];
		dl = strlen(al->domain);
		if (strcasecmp(ev->from, al->domain) != 0 && !(al->subdomains &&
		    fl > dl && ev->from[fl - dl - 1] == '.' &&
		    strcasecmp(ev->from + fl - dl, al->domain) == 0))
			continue;
		for (j = 0; j < al->nkeys; j++)
			if (attscan_key_match(al->keys[j], it, ext, aext))
				return 1;
	}
	return 0;
}

/* Each rule once: the first detail, and how many more there were. */
int
attscan_reasons(struct attscan *ev, struct verdict *v)
{
	const char *d;
	enum rule k;

	for (k = 0; k < RULE_COUNT; k++) {
		if (ev->tally[k].count == 0 ||
		    rules_table[k].cls != RULE_CLASS_ATTACHMENT)
			continue;
		d = ev->tally[k].detail;
		if (ev->tally[k].count > 1)
			d = arena_printf(ev->a, "%s (+%u more)", d != NULL ? d :
			    "", ev->tally[k].count - 1);
		/* the header and log show the first item and the count
		 * (verdict.h: about, more) */
		if (verdict_raise_about(v, ev->a, ev->cfg, k,
		    ev->tally[k].detail, ev->tally[k].count - 1, d) == -1)
			return -1;
	}
	return 0;
}
