/*
 * fuzz_scanwire.c - fuzz target for policy/scan/scanwire.c: a reply from
 * an attachment worker, which the daemon must read as hostile (a worker
 * parses the attacker's bytes and may be theirs).
 *
 * Input: the reply payload (any bytes); the same bytes as a request and
 * as a first frame too.
 *
 * Invariants: a decoded reply holds only attachment rules that cannot
 * lower a score (and never attach_scan_failed), actions within the
 * enum, parents that name an earlier item, item reasons that are
 * rules_table names, details of printable ASCII; every string is
 * NUL-terminated within SCANWIRE_MAX_STRING bytes.
 */
#include <string.h>

#include "util/arena.h"
#include "rules/rules.h"
#include "scan/scanwire.h"
#include "fuzz.h"

static void
check_detail(const char *d)
{
	if (d == NULL)
		return;
	FUZZ_CHECK(strlen(d) <= SCANWIRE_MAX_STRING);
	for (; *d != '\0'; d++)
		FUZZ_CHECK(*d >= 0x20 && *d <= 0x7e);
}

static void
check_rule(enum rule r)
{
	FUZZ_CHECK(r < RULE_COUNT);
	FUZZ_CHECK(rules_table[r].cls == RULE_CLASS_ATTACHMENT);
	FUZZ_CHECK(rules_table[r].lowers == 0);
	FUZZ_CHECK(r != RULE_ATTACH_SCAN_FAILED);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new();
	struct scanwire_reply r;
	enum scanwire_kind kind;
	unsigned long long len;
	const char *from, *problem;
	const struct attach_item *it;
	char err[256];
	size_t i, k;
	int found;

	if (a == NULL)
		return 0;
	if (scanwire_get_reply(data, size, a, &r, err, sizeof(err)) == 0 &&
	    r.error == NULL) {
		FUZZ_CHECK(r.hard <= VERDICT_TEMPFAIL);
		FUZZ_CHECK(r.res.hard_action <= VERDICT_TEMPFAIL);
		check_detail(r.res.truncated);
		for (i = 0; i < r.nraised; i++) {
			check_rule(r.raised[i].rule);
			check_detail(r.raised[i].detail);
		}
		for (i = 0; i < r.res.nitems; i++) {
			it = &r.res.items[i];
			FUZZ_CHECK(it->name != NULL && it->ext != NULL);
			FUZZ_CHECK(it->parent >= -1 && it->parent < (long)i);
			FUZZ_CHECK(it->action <= VERDICT_TEMPFAIL);
			for (k = 0; k < it->nreasons; k++) {
				found = rules_lookup(it->reasons[k]) >= 0 &&
				    rules_table[rules_lookup(it->reasons[k])]
				    .name == it->reasons[k];
				FUZZ_CHECK(found);
				check_rule((enum rule)rules_lookup(
				    it->reasons[k]));
				check_detail(it->details[k]);
			}
		}
	}
	if (scanwire_get_request(data, size, a, &kind, &len, &from) == 0)
		FUZZ_CHECK(kind >= SCANWIRE_SPOOL_FD &&
		    kind <= SCANWIRE_SET_WINDOW);
	if (scanwire_get_ready(data, size, a, &problem) == 0)
		check_detail(problem);
	arena_free(a);
	return 0;
}
