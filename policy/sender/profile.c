/*
 * profile.c - the learned sending profile, shared relays and shared
 * mailbox providers (issue 11): see profile.h.
 *
 * Exports profile_*.  Pure; any thread.
 * Why a profile: a correspondent whose authenticated mail always carried
 * an aligned DKIM signature, arriving with an SPF pass only, is most
 * likely someone else on a platform its SPF record includes (shared
 * hosting, an ESP, a cloud suite): SPF authorises the platform, DKIM the
 * domain owner.  "Always" needs evidence, or a young history would hold
 * the first unsigned message of a domain that simply does not sign:
 * profile_min_messages (5) authenticated messages over profile_min_days
 * (14) - a fortnight of mail, all signed, is a habit, and an attacker
 * cannot add to it (only authenticated, unheld mail teaches).  A message
 * that breaks the profile does not teach either (statescript.c), so
 * nobody can wear the profile down message by message; an admin who
 * knows the change is genuine resets it with relaywarden-state forget.
 * Only an aligned DKIM pass (what the domain owner's key signed) keeps a
 * profile: a partner moving to a new ESP that signs with its own key is
 * not breaking it.
 * The rule must match statescript_lookup's copy: tests/state drive both.
 */
#include <string.h>
#include <strings.h>

#include "util/arena.h"
#include "state/state.h"
#include "sender/profile.h"

int
profile_signed(const struct state_answer *h, const struct profile_rule *p,
    time_t now)
{
	time_t since;

	if (!h->available || !h->domain_known)
		return 0;
	since = h->unaligned_last != 0 ? h->unaligned_last : h->known_since;
	return h->aligned_run >= p->min_messages && since != 0 &&
	    now - since >= (time_t)p->min_seconds;
}

int
profile_settled(const struct state_answer *h, const struct profile_rule *p,
    time_t now)
{
	if (!h->available || !h->domain_known || h->known_since == 0)
		return 0;
	return h->auth_messages >= p->min_messages &&
	    now - h->known_since >= (time_t)p->min_seconds;
}

int
profile_broken(const struct state_answer *h, const struct profile_rule *p,
    time_t now, int subdomain, int aligned, int relay_known)
{
	if (aligned)
		return 0;
	if (profile_signed(h, p, now))
		return 1;
	return subdomain && !h->subdomain_known && !relay_known &&
	    profile_settled(h, p, now);
}

const char *
profile_infra_id(const char *infra, const char *aligned_d,
    const char *spf_domain, const char *any_d, struct arena *a)
{
	if (aligned_d != NULL && *aligned_d != '\0')
		return arena_printf(a, "%s/dkim:%s", infra, aligned_d);
	if (spf_domain != NULL && *spf_domain != '\0')
		return arena_printf(a, "%s/spf:%s", infra, spf_domain);
	if (any_d != NULL && *any_d != '\0')
		return arena_printf(a, "%s/dkim:%s", infra, any_d);
	return arena_printf(a, "%s/none", infra);
}

const char *
profile_address(const char *local, const char *domain, struct arena *a)
{
	size_t n, i;
	char *s;

	if (local == NULL || domain == NULL || *domain == '\0')
		return NULL;
	n = strcspn(local, "+");
	if (n == 0 || n > 64)
		return NULL;
	if ((s = arena_printf(a, "%.*s@%s", (int)n, local, domain)) == NULL)
		return NULL;
	for (i = 0; s[i] != '\0'; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			s[i] = (char)(s[i] - 'A' + 'a');
	return s;
}

const char *const profile_mailbox_defaults[] = {
	"gmail.com", "googlemail.com", "outlook.*", "hotmail.*", "live.*",
	"msn.com", "yahoo.*", "ymail.com", "aol.com", "icloud.com", "me.com",
	"gmx.*", "web.de", "t-online.de", "proton.me", "protonmail.com",
	"mail.ru", "yandex.*", "zoho.com", "mail.com", NULL,
};

int
profile_listed(const char *org, const char *const *patterns, size_t n)
{
	size_t i, len;

	if (org == NULL)
		return 0;
	for (i = 0; i < n && patterns[i] != NULL; i++) {
		len = strlen(patterns[i]);
		if (len > 2 && strcmp(patterns[i] + len - 2, ".*") == 0) {
			/* "gmx.*": the label, a dot, any suffix. */
			if (strncasecmp(org, patterns[i], len - 1) == 0 &&
			    org[len - 1] != '\0')
				return 1;
		} else if (strcasecmp(org, patterns[i]) == 0)
			return 1;
	}
	return 0;
}
