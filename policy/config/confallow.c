/*
 * confallow.c - the allow-list entries of the config (issue 13 item 2)
 * and what a loaded config means that an admin may not expect.
 *
 * Exports the checks of an `allowlist` group's keys (configtab.h; the key
 * table is confgroup.c's allow_keys), config_allow_end (the end of an
 * expiry day) and config_notes (config.h): allow-list entries that have
 * expired, what a threshold of 0 means, thresholds out of order.  The
 * entries are matched against a message by policy/allowlist.c.
 * Thread rule: the checks run in a load (one thread); config_notes and
 * config_allow_end only read.
 * Caps: a comment is at most 120 bytes (it is written in X-Relaywarden
 * and in the log line).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/config.h"
#include "config/configtab.h"
#include "rules/rules.h"

#define COMMENT_MAX	120

int
confallow_check_sender(const struct loadctx *ctx, char **value, char *err,
    size_t errlen)
{
	char *v = *value, *d;
	size_t n;

	if (v[0] != '.')
		return confname_check_person_address(ctx, value, err, errlen);
	/* ".domain": the domain and its subdomains */
	if ((d = strdup(v + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (confname_check_domain(ctx, &d, err, errlen) == -1) {
		free(d);
		return -1;
	}
	n = strlen(d) + 2;
	if ((v = malloc(n)) == NULL) {
		free(d);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(v, n, ".%s", d);
	free(d);
	free(*value);
	*value = v;
	return 0;
}

int
confallow_check_rule(const struct loadctx *ctx, char **value, char *err,
    size_t errlen)
{
	char buf[80];

	(void)ctx;
	if (strcmp(*value, "*") == 0 || rules_lookup(*value) >= 0)
		return 0;
	snprintf(err, errlen, "\"%s\": no such rule (the README lists "
	    "them; \"*\" is every rule)", config_show(*value, buf,
	    sizeof(buf)));
	return -1;
}

long long
config_allow_end(const char *date)
{
	struct tm tm, back;
	time_t t;
	int y, m, d;

	if (strlen(date) != 10 || strspn(date, "0123456789-") != 10 ||
	    date[4] != '-' || date[7] != '-' ||
	    sscanf(date, "%4d-%2d-%2d", &y, &m, &d) != 3 || y < 1970 ||
	    m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	if ((t = timegm(&tm)) == (time_t)-1 || gmtime_r(&t, &back) == NULL ||
	    back.tm_mday != d || back.tm_mon != m - 1)
		return -1;	/* 2027-02-30 */
	return (long long)t + 86400;
}

int
confallow_check_date(const struct loadctx *ctx, char **value, char *err,
    size_t errlen)
{
	char buf[80];

	(void)ctx;
	if (config_allow_end(*value) != -1)
		return 0;
	snprintf(err, errlen, "\"%s\": expected a date YYYY-MM-DD (the last "
	    "day the entry applies, UTC)", config_show(*value, buf,
	    sizeof(buf)));
	return -1;
}

/* Printable ASCII: the comment is written into a header and a log line
 * as it is. */
int
confallow_check_comment(const struct loadctx *ctx, char **value,
    char *err, size_t errlen)
{
	const unsigned char *p = (const unsigned char *)*value;
	size_t n = strlen(*value);

	(void)ctx;
	if (n == 0 || n > COMMENT_MAX) {
		snprintf(err, errlen, "1 to %d bytes: why the entry exists, "
		    "shown as allowed= in the verdict", COMMENT_MAX);
		return -1;
	}
	for (; *p != '\0'; p++)
		if (*p < 0x20 || *p > 0x7e) {
			snprintf(err, errlen, "printable ASCII only (it is "
			    "written into X-Relaywarden and the log line)");
			return -1;
		}
	return 0;
}

int
confallow_check_entry(struct loader *l, const config_setting_t *list,
    const char *setting, const void *elems, size_t i)
{
	const struct config_allow *a = (const struct config_allow *)elems + i;
	const config_setting_t *e = config_setting_get_elem(list,
	    (unsigned)i);
	size_t j;

	if (a->nsenders + a->nsender_nets + a->nrecipients == 0)
		return confload_fail(l, e, setting, "senders or recipients is "
		    "required in each group (an entry for everyone would "
		    "turn the rules off: use scores or dry_run_rules)");
	for (j = 0; j < a->nrules; j++)
		if (strcmp(a->rules[j], "*") == 0 && a->nrules > 1)
			return confload_fail(l, config_setting_get_member(e,
			    "rules"), setting, "rules: \"*\" is every rule: "
			    "name no others beside it");
	return 0;
}

/* --- notes ---------------------------------------------------------- */

struct emit {
	void (*fn)(void *, int, const char *);
	void *arg;
};

static void
say(const struct emit *o, int warning, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
say(const struct emit *o, int warning, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	o->fn(o->arg, warning, line);
}

/* Non-zero thresholds must rise: tag <= quarantine <= reject. */
static void
order(const struct emit *o, const char *who, unsigned tag, unsigned quar,
    unsigned rej)
{
	if (quar != 0 && rej != 0 && rej < quar)
		say(o, 1, "%s: reject_score %u is below quarantine_score %u: "
		    "whatever reaches %u is rejected, nothing is quarantined "
		    "by score", who, rej, quar, rej);
	if (tag != 0 && quar != 0 && quar < tag)
		say(o, 1, "%s: quarantine_score %u is below tag_score %u: "
		    "nothing is tagged by score", who, quar, tag);
	else if (tag != 0 && rej != 0 && rej < tag)
		say(o, 1, "%s: reject_score %u is below tag_score %u: "
		    "nothing is tagged by score", who, rej, tag);
}

static unsigned
stricter(unsigned global, unsigned group)
{
	return group != 0 && (global == 0 || group < global) ? group : global;
}

static void
thresholds(const struct emit *o, const struct config *c)
{
	static const char *const name[] = { "tag_score", "quarantine_score",
	    "reject_score" };
	const struct config_rcpt_policy *p;
	unsigned g[3], v[3];
	char who[64];
	size_t i, k;

	g[0] = c->tag_score;
	g[1] = c->quarantine_score;
	g[2] = c->reject_score;
	for (k = 0; k < 3; k++)
		if (g[k] == 0)
			say(o, 0, "%s = 0: no message gets this action by its "
			    "score (hard actions still apply: executables, "
			    "banned attachments, forged headers)", name[k]);
	order(o, "thresholds", g[0], g[1], g[2]);
	for (i = 0; i < c->nrcpt_policies; i++) {
		p = &c->rcpt_policies[i];
		v[0] = p->tag_score;
		v[1] = p->quarantine_score;
		v[2] = p->reject_score;
		snprintf(who, sizeof(who), "recipient_policies group %zu",
		    i + 1);
		/* A group only makes thresholds stricter (the message goes
		 * to every recipient): its 0 is not "never". */
		for (k = 0; k < 3; k++)
			if (v[k] == 0 && g[k] != 0)
				say(o, 1, "%s: %s = 0 does not turn the action "
				    "off for these recipients: the global %s "
				    "(%u) applies; a group can only lower a "
				    "threshold", who, name[k], name[k], g[k]);
		order(o, who, stricter(g[0], v[0]), stricter(g[1], v[1]),
		    stricter(g[2], v[2]));
	}
}

void
config_notes(const struct config *c, long long now,
    void (*fn)(void *, int, const char *), void *arg)
{
	struct emit o = { fn, arg };
	size_t i;

	for (i = 0; i < c->nallowlist; i++)
		if (config_allow_end(c->allowlist[i].expires) <= now)
			say(&o, 1, "allowlist entry %zu (\"%s\"): expired on "
			    "%s: not applied", i + 1, c->allowlist[i].comment,
			    c->allowlist[i].expires);
	thresholds(&o, c);
}
