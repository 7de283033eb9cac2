/*
 * report.c - the JSON report of relaywarden-check and the one-line log
 * summary of a verdict.
 *
 * Exports report_json, report_logline.  Every string taken from the
 * message is escaped for JSON (controls as \u00XX, invalid UTF-8 as
 * U+FFFD) or quoted and escaped for the log line (log_value).
 * Thread rule: none needed (no shared state).
 */
#include <stdio.h>
#include <string.h>

#include "mail/addr.h"
#include "util/arena.h"
#include "util/log.h"
#include "mail/message.h"
#include "policy.h"
#include "attach/links.h"
#include "report.h"
#include "util/utf8.h"
#include "verdict/verdict.h"

const char *
report_json_bool(int b)
{
	return b ? "true" : "false";
}

void
report_json_str(FILE *fp, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n, len;

	if (s == NULL) {
		fputs("null", fp);
		return;
	}
	n = strlen(s);
	fputc('"', fp);
	while (n > 0) {
		if (*p == '"' || *p == '\\') {
			fputc('\\', fp);
			fputc(*p, fp);
		} else if (*p == '\n') {
			fputs("\\n", fp);
		} else if (*p == '\t') {
			fputs("\\t", fp);
		} else if (*p < 0x20 || *p == 0x7f) {
			fprintf(fp, "\\u%04x", *p);
		} else if ((len = utf8_seq_len(p, n)) == 0) {
			fputs("\\ufffd", fp);
		} else {
			fwrite(p, 1, len, fp);
			p += len;
			n -= len;
			continue;
		}
		p++;
		n--;
	}
	fputc('"', fp);
}

static void
json_spf(FILE *fp, const char *key, const struct spf_result *r)
{
	fprintf(fp, "  \"%s\": {\"result\": ", key);
	report_json_str(fp, auth_result_name(r->result));
	fputs(", \"identity\": ", fp);
	report_json_str(fp, r->identity);
	fputs(", \"domain\": ", fp);
	report_json_str(fp, r->domain);
	fputs(", \"reason\": ", fp);
	report_json_str(fp, r->reason);
	fputs("},\n", fp);
}

static void
json_dkim(FILE *fp, const struct dkim_results *d)
{
	size_t i;

	fputs("  \"dkim\": [", fp);
	for (i = 0; i < d->count; i++) {
		const struct dkim_sig_result *g = &d->sigs[i];

		fputs(i ? ",\n    {" : "\n    {", fp);
		fputs("\"result\": ", fp);
		report_json_str(fp, auth_result_name(g->result));
		fputs(", \"domain\": ", fp);
		report_json_str(fp, g->domain);
		fputs(", \"selector\": ", fp);
		report_json_str(fp, g->selector);
		fputs(", \"algorithm\": ", fp);
		report_json_str(fp, g->algorithm);
		fputs(", \"identity\": ", fp);
		report_json_str(fp, g->identity);
		fputs(", \"header_b\": ", fp);
		report_json_str(fp, g->header_b);
		fprintf(fp, ", \"key_bits\": %u, \"reason\": ", g->key_bits);
		report_json_str(fp, g->reason);
		fputc('}', fp);
	}
	fputs(d->count ? "\n  ],\n" : "],\n", fp);
	fprintf(fp, "  \"dkim_truncated\": %s,\n",
	    report_json_bool(d->truncated));
}

static void
json_dmarc(FILE *fp, const struct dmarc_result *r)
{
	fputs("  \"dmarc\": {\"result\": ", fp);
	report_json_str(fp, auth_result_name(r->result));
	fputs(", \"policy\": ", fp);
	report_json_str(fp, r->policy == DMARC_POLICY_UNSET ? NULL :
	    dmarc_policy_name(r->policy));
	fputs(", \"published_policy\": ", fp);
	report_json_str(fp, r->published_p == DMARC_POLICY_UNSET ? NULL :
	    dmarc_policy_name(r->published_p));
	fputs(", \"from_domain\": ", fp);
	report_json_str(fp, r->from_domain);
	fputs(", \"org_domain\": ", fp);
	report_json_str(fp, r->org_domain);
	fputs(", \"record_domain\": ", fp);
	report_json_str(fp, r->record_domain);
	fprintf(fp, ", \"pct\": %u, \"spf_aligned\": %s, "
	    "\"dkim_aligned\": %s, \"reason\": ", r->pct,
	    report_json_bool(r->spf_aligned),
	    report_json_bool(r->dkim_aligned));
	report_json_str(fp, r->reason);
	fputs("},\n", fp);
}

static void
json_attachments(FILE *fp, const struct attach_results *r)
{
	static const struct {
		unsigned flag;
		const char *name;
	} flags[] = {
		{ ATTACH_MEMBER, "member" },
		{ ATTACH_UUENCODED, "uuencoded" },
		{ ATTACH_ENCRYPTED, "encrypted" },
		{ ATTACH_TRUNCATED, "truncated" },
		{ ATTACH_EXEMPT, "exempt" },
	};
	size_t i, j, n;

	fputs("  \"attachments\": [", fp);
	for (i = 0; i < r->nitems; i++) {
		const struct attach_item *it = &r->items[i];

		fputs(i ? ",\n    {\"filename\": " : "\n    {\"filename\": ",
		    fp);
		report_json_str(fp, it->name);
		fputs(", \"shown\": ", fp);
		report_json_str(fp, it->shown);
		fputs(", \"path\": ", fp);
		report_json_str(fp, it->path);
		fputs(", \"declared_type\": ", fp);
		report_json_str(fp, it->declared);
		fputs(", \"detected_type\": ", fp);
		report_json_str(fp, it->detected);
		fprintf(fp, ", \"size\": %llu, \"depth\": %u, \"flags\": [",
		    it->size, it->depth);
		for (j = 0, n = 0; j < sizeof(flags) / sizeof(flags[0]); j++)
			if (it->flags & flags[j].flag) {
				fputs(n++ ? ", " : "", fp);
				report_json_str(fp, flags[j].name);
			}
		fputs("], \"reasons\": [", fp);
		for (j = 0; j < it->nreasons; j++) {
			fputs(j ? ", {\"rule\": " : "{\"rule\": ", fp);
			report_json_str(fp, it->reasons[j]);
			fputs(", \"detail\": ", fp);
			report_json_str(fp, it->details[j]);
			fputc('}', fp);
		}
		fputs("], \"action\": ", fp);
		report_json_str(fp, verdict_action_name(it->action));
		fputc('}', fp);
	}
	fputs(r->nitems ? "\n  ],\n" : "],\n", fp);
	fputs("  \"attachments_truncated\": ", fp);
	report_json_str(fp, r->truncated);
	fputs(",\n", fp);
}

const char *
report_link_flags(struct arena *a, unsigned flags)
{
	static const char *const names[] = { "ip", "userinfo", "script",
	    "login", "long", "badhost", "password", "attachment", "relative",
	    "shown_bare" };
	char buf[160];
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (flags & (1u << i))
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s",
			    o ? "," : "", names[i]);
	return arena_strdup(a, buf);
}

/* The links the walk gathered (attach/links.h), judged by linkcheck.c. */
static void
json_links(FILE *fp, struct arena *a, const struct attach_results *r)
{
	size_t i;

	fputs("  \"links\": [", fp);
	for (i = 0; i < r->nlinks; i++) {
		const struct attach_link *l = &r->links[i];

		fputs(i ? ",\n    {\"kind\": " : "\n    {\"kind\": ", fp);
		report_json_str(fp, links_kind_name(l->kind));
		fputs(", \"host\": ", fp);
		report_json_str(fp, l->host);
		fputs(", \"shown\": ", fp);
		report_json_str(fp, l->shown);
		fputs(", \"where\": ", fp);
		report_json_str(fp, l->where);
		fputs(", \"flags\": ", fp);
		report_json_str(fp, report_link_flags(a, l->flags));
		fprintf(fp, ", \"count\": %u}", l->count);
	}
	fputs(r->nlinks ? "\n  ],\n" : "],\n", fp);
	fprintf(fp, "  \"links_dropped\": %u, \"text_password\": %s, "
	    "\"calendars\": %u, \"qr_images\": %u, \"qr_codes\": %u,\n",
	    r->links_dropped, report_json_bool(r->text_password != 0),
	    r->calendars, r->qr_images, r->qr_codes);
	fprintf(fp, "  \"qr_skipped\": %u,\n", r->qr_skipped);
}

int
report_json(FILE *fp, const struct message *m, const struct evaluation *e)
{
	size_t i;

	fputs("{\n  \"id\": ", fp);
	report_json_str(fp, m->id);
	fputs(",\n  \"envelope\": {\"client_ip\": ", fp);
	report_json_str(fp, m->client_ip);
	fputs(", \"helo\": ", fp);
	report_json_str(fp, m->helo);
	fputs(", \"mail_from\": ", fp);
	report_json_str(fp, m->mail_from);
	fputs(", \"rcpt\": [", fp);
	for (i = 0; i < m->nrcpts; i++) {
		if (i)
			fputs(", ", fp);
		report_json_str(fp, m->rcpts[i]);
	}
	fputs("]},\n  \"relay\": {\"ip\": ", fp);
	report_json_str(fp, e->relay.ip);
	fputs(", \"helo\": ", fp);
	report_json_str(fp, e->relay.helo);
	fputs(", \"name\": ", fp);
	report_json_str(fp, e->relay.name);
	fprintf(fp, ", \"hops\": %u},\n", e->relay.hops);
	json_spf(fp, "spf", &e->spf);
	json_spf(fp, "helo_spf", &e->helo_spf);
	json_dkim(fp, &e->dkim);
	json_dmarc(fp, &e->dmarc);
	json_attachments(fp, &e->attachments);
	json_links(fp, m->arena, &e->attachments);
	report_json_sender(fp, e);
	fputs("  \"authentication_results\": ", fp);
	report_json_str(fp, e->authres);
	fputs(",\n  \"verdict_header\": ", fp);
	report_json_str(fp, e->verdict_header);
	/* action: what is done; a dry run does nothing but headers, and
	 * would_action says what the verdict was. */
	fputs(",\n  \"verdict\": {\"action\": ", fp);
	report_json_str(fp, verdict_action_name(e->verdict.dry_run ?
	    VERDICT_ACCEPT : e->verdict.action));
	fprintf(fp, ", \"dry_run\": %s, \"would_action\": ",
	    report_json_bool(e->verdict.dry_run));
	report_json_str(fp, e->verdict.dry_run ?
	    verdict_action_name(e->verdict.action) : NULL);
	fprintf(fp, ", \"score\": %d, \"state\": ", e->verdict.score);
	report_json_str(fp, e->verdict.state);
	fputs(", \"allowed\": ", fp);	/* issue 13 item 2 */
	report_json_str(fp, e->verdict.allowed);
	fputs(", \"reasons\": [", fp);
	for (i = 0; i < e->verdict.nreasons; i++) {
		const struct reason *r = &e->verdict.reasons[i];

		fputs(i ? ", {\"rule\": " : "{\"rule\": ", fp);
		report_json_str(fp, r->rule);
		fprintf(fp, ", \"score\": %d, \"whatif\": %s, \"detail\": ",
		    r->score, report_json_bool(r->whatif));
		report_json_str(fp, r->detail);
		fputc('}', fp);
	}
	fputs("]}\n}\n", fp);
	fflush(fp);
	return ferror(fp) ? -1 : 0;
}

/* The envelope sender as "<addr>", its own angle brackets stripped. */
static const char *
mail_from(const struct message *m)
{
	const char *s;

	if (m->mail_from == NULL)
		return "<>";
	s = addr_path_strip(m->mail_from, m->arena);
	return arena_printf(m->arena, "<%s>", s != NULL ? s : m->mail_from);
}

/* Every value from outside goes through log_value (log.h): quoted and
 * escaped when it could be read as more than one field.  action= is what
 * was done; in a dry run the verdict goes in would_action=.  reasons=
 * keeps the names only (scripts split it on ','); details= repeats the
 * scored reasons with their escaped details, "rule(detail)" (vdetail.c:
 * no space, quote or '=' can appear in it). */
const char *
report_logline(const struct message *m, const struct evaluation *e)
{
	struct arena *a = m->arena;
	const char *dkim = "none", *reasons, *whatif, *done, *details;
	const char *dir = "", *user;
	const char *f[5];
	char *p;
	size_t i;

	/* One word per signature, e.g. dkim=pass:example.com,fail:x.example */
	if (e->dkim.count > 0) {
		dkim = "";
		for (i = 0; i < e->dkim.count; i++) {
			const struct dkim_sig_result *g = &e->dkim.sigs[i];

			p = arena_printf(a, "%s%s%s:%s", dkim, i ? "," : "",
			    auth_result_name(g->result),
			    g->domain ? g->domain : "-");
			if (p == NULL)
				return NULL;
			dkim = p;
		}
	}
	if ((reasons = verdict_rule_list(&e->verdict, 0, a)) == NULL ||
	    (whatif = verdict_rule_list(&e->verdict, 1, a)) == NULL ||
	    (details = verdict_detail_list(&e->verdict, 0, a)) == NULL)
		return NULL;
	done = verdict_action_name(e->verdict.dry_run ? VERDICT_ACCEPT :
	    e->verdict.action);
	if ((f[0] = log_value(a, dkim, 400)) == NULL ||
	    (f[1] = log_value(a, e->dmarc.from_domain, 200)) == NULL ||
	    (f[2] = log_value(a, e->relay.ip, 64)) == NULL ||
	    (f[3] = mail_from(m)) == NULL ||
	    (f[3] = log_value(a, f[3], 300)) == NULL ||
	    (f[4] = log_value(a, e->sender.domain, 200)) == NULL)
		return NULL;
	/* Outbound mail: who vouched for it, the SMTP AUTH login (from
	 * the MTA, still escaped and cut) when that was it. */
	if (e->outbound != OUTBOUND_NO && ((dir = arena_printf(a,
	    " direction=outbound via=%s", outbound_via_name(e->outbound))) ==
	    NULL || (m->auth_user != NULL && m->auth_user[0] != '\0' &&
	    ((user = log_value(a, m->auth_user, 100)) == NULL ||
	    (dir = arena_printf(a, "%s auth_user=%s", dir, user)) == NULL))))
		return NULL;
	p = arena_printf(a, "action=%s%s%s%s score=%d spf=%s helo_spf=%s "
	    "dkim=%s dmarc=%s from_domain=%s relay=%s hops=%u "
	    "mail_from=%s sender=%s state=%s reasons=%s%s%s details=%s", done,
	    e->verdict.dry_run ? " dry_run=1 would_action=" : "",
	    e->verdict.dry_run ? verdict_action_name(e->verdict.action) : "",
	    dir,
	    e->verdict.score, auth_result_name(e->spf.result),
	    auth_result_name(e->helo_spf.result), f[0],
	    auth_result_name(e->dmarc.result), f[1], f[2], e->relay.hops,
	    f[3], f[4], sender_state_name(e->sender.state),
	    reasons[0] ? reasons : "-", whatif[0] ? " whatif=" : "", whatif,
	    details[0] ? details : "-");
	/* issue 13 item 2: the allow-list entries that applied */
	if (p != NULL && e->verdict.allowed != NULL)
		p = (f[0] = log_value(a, e->verdict.allowed, 400)) == NULL ?
		    NULL : arena_printf(a, "%s allowed=%s", p, f[0]);
	return p;
}
