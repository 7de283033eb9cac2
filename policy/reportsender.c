/*
 * reportsender.c - the "sender" member of the JSON report and the sender
 * line of relaywarden-check: what the history said, the relay's
 * infrastructure, partner, lookalike and identity findings.
 *
 * Exports report_json_sender, report_sender_line (report.h).  Strings
 * from the message, DNS or Redis go through report_json_str or
 * log_value.  No shared state.
 */
#include <stdio.h>

#include "util/arena.h"
#include "config/config.h"
#include "util/log.h"
#include "mail/message.h"
#include "policy.h"
#include "report.h"

static void
json_history(FILE *fp, const struct state_answer *h)
{
	size_t i;

	fprintf(fp, "{\"seen\": %s, \"messages\": %llu, "
	    "\"auth_messages\": %llu, \"first_seen\": %lld, "
	    "\"last_seen\": %lld, \"known_since\": %lld, "
	    "\"domain_known\": %s, \"infra_known\": %s, "
	    "\"infra_trusted\": %s, \"infra_count\": %lu, "
	    "\"infra_last\": %lld, \"learned\": %s, \"newly_known\": %s, "
	    "\"signers\": [", report_json_bool(h->seen), h->messages,
	    h->auth_messages, (long long)h->first_seen,
	    (long long)h->last_seen, (long long)h->known_since,
	    report_json_bool(h->domain_known),
	    report_json_bool(h->infra_known),
	    report_json_bool(h->infra_trusted), h->infra_count,
	    (long long)h->infra_last, report_json_bool(h->learned),
	    report_json_bool(h->newly_known));
	for (i = 0; i < h->nsigners; i++) {
		const struct state_signer *s = &h->signers[i];

		fputs(i ? ", {\"name\": " : "{\"name\": ", fp);
		report_json_str(fp, s->name);
		fprintf(fp, ", \"known\": %s, \"trusted\": %s, "
		    "\"count\": %lu, \"last\": %lld}",
		    report_json_bool(s->known), report_json_bool(s->trusted),
		    s->count, (long long)s->last);
	}
	fputs("]}", fp);
}

void
report_json_sender(FILE *fp, const struct evaluation *e)
{
	const struct sender_result *r = &e->sender;
	const struct lookalike_match *lm = &r->lookalike;
	int n = 0;
	unsigned i;

	fputs("  \"sender\": {\"domain\": ", fp);
	report_json_str(fp, r->domain);
	fprintf(fp, ", \"authenticated\": %s, \"known\": %s, \"partner\": ",
	    report_json_bool(r->authenticated), report_json_bool(r->known));
	report_json_str(fp, r->partner != NULL ? r->partner->domain : NULL);
	fputs(", \"infra\": ", fp);
	report_json_str(fp, r->infra);
	fputs(", \"fcrdns\": ", fp);
	report_json_str(fp, r->fcrdns);
	fprintf(fp, ", \"relay_known\": %s, \"teach_withheld\": %s,\n"
	    "    \"state\": ", report_json_bool(r->relay_known),
	    report_json_bool(r->teach_withheld));
	report_json_str(fp, sender_state_name(r->state));
	fputs(", \"state_error\": ", fp);
	report_json_str(fp, r->history.error);
	fputs(", \"history\": ", fp);
	if (r->state == SENDER_STATE_AVAILABLE)
		json_history(fp, &r->history);
	else
		fputs("null", fp);
	fputs(",\n    \"lookalike\": ", fp);
	if (lm->kind == LOOKALIKE_NONE) {
		fputs("null", fp);
	} else {
		fputs("{\"kind\": ", fp);
		report_json_str(fp, lookalike_kind_name(lm->kind));
		fputs(", \"target\": ", fp);
		report_json_str(fp, lm->target);
		fprintf(fp, ", \"target_protected\": %s, \"detail\": ",
		    report_json_bool(lm->target_flags & LOOKALIKE_PROTECTED));
		report_json_str(fp, lm->detail);
		fputc('}', fp);
	}
	fputs(", \"identity\": [", fp);
	for (i = 0; i < IDENT_COUNT; i++) {
		if (!(r->ident.flags & (1u << i)))
			continue;
		fputs(n++ ? ", {\"signal\": " : "{\"signal\": ", fp);
		report_json_str(fp, ident_signal_name((enum ident_signal)i));
		fputs(", \"detail\": ", fp);
		report_json_str(fp, r->ident.detail[i]);
		fputc('}', fp);
	}
	fputs("]},\n", fp);
}

const char *
report_sender_line(const struct message *m, const struct evaluation *e)
{
	const struct sender_result *r = &e->sender;
	struct arena *a = m->arena;
	const char *f[5];
	char hist[160];

	hist[0] = '\0';
	if (r->state == SENDER_STATE_AVAILABLE)
		snprintf(hist, sizeof(hist), " seen=%d messages=%llu "
		    "auth_messages=%llu known=%d relay_known=%d learned=%d",
		    r->history.seen, r->history.messages,
		    r->history.auth_messages, r->known, r->relay_known,
		    r->history.learned);
	if ((f[0] = log_value(a, r->domain, 128)) == NULL ||
	    (f[1] = log_value(a, r->infra, 128)) == NULL ||
	    (f[2] = log_value(a, r->fcrdns, 128)) == NULL ||
	    (f[3] = log_value(a, r->partner != NULL ? r->partner->domain :
	    NULL, 128)) == NULL ||
	    (f[4] = log_value(a, r->history.error, 200)) == NULL)
		return NULL;
	return arena_printf(a, "domain=%s infra=%s fcrdns=%s partner=%s "
	    "authenticated=%d state=%s%s%s%s", f[0], f[1], f[2], f[3],
	    r->authenticated, sender_state_name(r->state), hist,
	    r->history.error != NULL ? " error=" : "",
	    r->history.error != NULL ? f[4] : "");
}
