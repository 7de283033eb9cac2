/*
 * test_allowlist.c - allow-list entries (issue 13 item 2): the config
 * (good entries and their dump round trip, each bad one with its exact
 * "FILE:LINE: allowlist: problem"), config_notes (expired entries, what a
 * threshold of 0 means, thresholds out of order), matching (each kind of
 * entry, an unauthenticated From, every recipient, the expiry) and
 * allowlist_apply (what-if reasons, the score added up again, the hard
 * attachment action lifted only by rules named one by one).
 * Scratch files live in a mkdtemp directory under $TMPDIR, removed after.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "mail/message.h"
#include "allowlist.h"
#include "policy.h"
#include "conffix.h"

/* 2027-01-01T00:00:00Z */
#define NOW	1798761600LL

#define ENTRY(keys)	"allowlist = ( { " keys " } );\n"
#define GOOD		"rules = [ \"*\" ]; expires = \"2027-12-31\"; " \
	"comment = \"c\";"

static struct config *
load(const char *text, char *err, size_t errlen)
{
	struct config *c = NULL;
	char path[600];

	conffix_write("allow.conf", text, path, sizeof(path));
	if (config_load(path, &c, err, errlen) != 0)
		return NULL;
	return c;
}

static void
entries_load_and_dump_back(void **state)
{
	struct config *c, *r;
	char err[512], path[600], *d1, *d2;
	char buf[64];

	(void)state;
	c = load("allowlist = (\n"
	    " { senders = [ \"Alerts@Vendor.Example\", \".Partner.Example\", "
	    "\"192.0.2.0/24\", \"2001:db8::/32\", \"solo.example\" ];\n"
	    "   rules = [ \"first_contact\", \"new_relay\" ];\n"
	    "   expires = \"2027-06-30\"; comment = \"vendor alerts\"; },\n"
	    " { recipients = [ \"abuse@ourorg.example\", "
	    "\"@sec.ourorg.example\" ]; rules = [ \"*\" ];\n"
	    "   expires = \"2099-12-31\";\n"
	    "   comment = \"samples for the security team\"; }\n);\n",
	    err, sizeof(err));
	if (c == NULL)
		fail_msg("%s", err);
	assert_int_equal(c->nallowlist, 2);
	assert_int_equal(c->allowlist[0].nsenders, 3);
	assert_string_equal(c->allowlist[0].senders[0],
	    "alerts@vendor.example");
	assert_string_equal(c->allowlist[0].senders[1], ".partner.example");
	assert_int_equal(c->allowlist[0].nsender_nets, 2);
	net_cidr_format(&c->allowlist[0].sender_nets[0], buf, sizeof(buf));
	assert_string_equal(buf, "192.0.2.0/24");
	assert_int_equal(c->allowlist[0].nrules, 2);
	assert_string_equal(c->allowlist[1].recipients[1],
	    "@sec.ourorg.example");
	assert_string_equal(c->allowlist[1].comment,
	    "samples for the security team");
	d1 = conffix_dump(c);
	assert_non_null(strstr(d1, "allowlist = ("));
	conffix_write("again.conf", d1, path, sizeof(path));
	if (config_load(path, &r, err, sizeof(err)) != 0)
		fail_msg("reload: %s", err);
	d2 = conffix_dump(r);
	assert_string_equal(conffix_body(d1), conffix_body(d2));
	free(d1);
	free(d2);
	config_free(r);
	config_free(c);
}

static const struct bad {
	const char *behaviour, *text, *msg;
} bad_cases[] = {
	{ "an unknown rule name", ENTRY("senders = [ \"a.example\" ]; "
	    "rules = [ \"first_contactt\" ]; expires = \"2027-12-31\"; "
	    "comment = \"c\";"), "allowlist: rules: \"first_contactt\": no "
	    "such rule (the README lists them; \"*\" is every rule)" },
	{ "no rules", ENTRY("senders = [ \"a.example\" ]; rules = []; "
	    "expires = \"2027-12-31\"; comment = \"c\";"),
	    "allowlist: rules: must not be empty" },
	{ "a star among names", ENTRY("senders = [ \"a.example\" ]; rules = "
	    "[ \"*\", \"new_relay\" ]; expires = \"2027-12-31\"; "
	    "comment = \"c\";"), "allowlist: rules: \"*\" is every rule: "
	    "name no others beside it" },
	{ "no expiry", ENTRY("senders = [ \"a.example\" ]; rules = [ \"*\" "
	    "]; comment = \"c\";"),
	    "allowlist: expires is required in each group" },
	{ "no comment", ENTRY("senders = [ \"a.example\" ]; rules = [ \"*\" "
	    "]; expires = \"2027-12-31\";"),
	    "allowlist: comment is required in each group" },
	{ "a day that does not exist", ENTRY("senders = [ \"a.example\" ]; "
	    "rules = [ \"*\" ]; expires = \"2027-02-30\"; comment = \"c\";"),
	    "allowlist: expires: \"2027-02-30\": expected a date YYYY-MM-DD "
	    "(the last day the entry applies, UTC)" },
	{ "a date without its zeros", ENTRY("senders = [ \"a.example\" ]; "
	    "rules = [ \"*\" ]; expires = \"2027-1-01\"; comment = \"c\";"),
	    "allowlist: expires: \"2027-1-01\": expected a date YYYY-MM-DD "
	    "(the last day the entry applies, UTC)" },
	{ "neither senders nor recipients", ENTRY(GOOD),
	    "allowlist: senders or recipients is required in each group (an "
	    "entry for everyone would turn the rules off: use scores or "
	    "dry_run_rules)" },
	{ "a comment with a line break", ENTRY("senders = [ \"a.example\" "
	    "]; rules = [ \"*\" ]; expires = \"2027-12-31\"; comment = "
	    "\"a\\nX-Evil: 1\";"), "allowlist: comment: printable ASCII only "
	    "(it is written into X-Relaywarden and the log line)" },
	{ "an empty comment", ENTRY("senders = [ \"a.example\" ]; rules = "
	    "[ \"*\" ]; expires = \"2027-12-31\"; comment = \"\";"),
	    "allowlist: comment: 1 to 120 bytes: why the entry exists, shown "
	    "as allowed= in the verdict" },
	{ "a recipient without @", ENTRY("recipients = [ \"ourorg.example\" "
	    "]; " GOOD), "allowlist: recipients: \"ourorg.example\": expected "
	    "\"user@domain\" or \"@domain\"" },
	{ "a bad network", ENTRY("senders = [ \"192.0.2.0/33\" ]; " GOOD),
	    NULL },
	{ "a bad subdomain form", ENTRY("senders = [ \".nodot\" ]; " GOOD),
	    NULL },
	{ "an unknown key", ENTRY("sender = [ \"a.example\" ]; " GOOD),
	    "allowlist: sender: unknown key (the keys are senders, "
	    "recipients, rules, expires, comment)" },
};

static void
bad_entries_are_refused(void **state)
{
	char err[512], want[700];
	const char *got;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		if (load(bad_cases[i].text, err, sizeof(err)) != NULL)
			fail_msg("%s: loaded", bad_cases[i].behaviour);
		if (bad_cases[i].msg == NULL) {
			assert_non_null(strstr(err, "allowlist: senders: "));
			continue;
		}
		snprintf(want, sizeof(want), "allow.conf:1: %s",
		    bad_cases[i].msg);
		got = strstr(err, "allow.conf:");
		if (got == NULL || strcmp(got, want) != 0)
			fail_msg("%s:\n got  %s\n want %s",
			    bad_cases[i].behaviour, err, want);
	}
}

struct notes {
	char text[4096];
	int warnings;
};

static void
collect(void *arg, int warning, const char *line)
{
	struct notes *n = arg;

	n->warnings += warning;
	strncat(n->text, line, sizeof(n->text) - strlen(n->text) - 2);
	strcat(n->text, "\n");
}

static void
notes_name_expiry_zero_and_order(void **state)
{
	struct config *c;
	struct notes n;
	char err[512];

	(void)state;
	c = load("tag_score = 5; quarantine_score = 10; reject_score = 0;\n"
	    ENTRY("senders = [ \"a.example\" ]; rules = [ \"*\" ]; "
	    "expires = \"2026-12-31\"; comment = \"old one\";"), err,
	    sizeof(err));
	if (c == NULL)
		fail_msg("%s", err);
	memset(&n, 0, sizeof(n));
	config_notes(c, NOW - 1, collect, &n);
	assert_null(strstr(n.text, "expired"));	/* its last second */
	config_notes(c, NOW, collect, &n);
	assert_non_null(strstr(n.text, "allowlist entry 1 (\"old one\"): "
	    "expired on 2026-12-31: not applied"));
	assert_non_null(strstr(n.text, "reject_score = 0: no message gets "
	    "this action by its score (hard actions still apply"));
	config_free(c);

	/* every threshold of a group at 0: the global ones apply */
	c = load("tag_score = 5; quarantine_score = 10; reject_score = 8;\n"
	    "recipient_policies = ( { recipients = [ \"ceo@ourorg.example\" "
	    "]; tag_score = 0; quarantine_score = 0; reject_score = 0; },\n"
	    " { recipients = [ \"@board.ourorg.example\" ]; tag_score = 9; "
	    "} );\n", err, sizeof(err));
	if (c == NULL)
		fail_msg("%s", err);
	memset(&n, 0, sizeof(n));
	config_notes(c, NOW, collect, &n);
	assert_non_null(strstr(n.text, "thresholds: reject_score 8 is below "
	    "quarantine_score 10"));
	assert_non_null(strstr(n.text, "recipient_policies group 1: "
	    "quarantine_score = 0 does not turn the action off for these "
	    "recipients: the global quarantine_score (10) applies"));
	assert_non_null(strstr(n.text, "recipient_policies group 2: "
	    "reject_score 8 is below quarantine_score 10"));
	assert_null(strstr(n.text, "group 2: quarantine_score 10 is below "
	    "tag_score"));
	config_free(c);

	/* in order, nothing at 0: silence */
	c = load("tag_score = 5; quarantine_score = 10; reject_score = 20;\n",
	    err, sizeof(err));
	if (c == NULL)
		fail_msg("%s", err);
	memset(&n, 0, sizeof(n));
	config_notes(c, NOW, collect, &n);
	assert_string_equal(n.text, "");
	config_free(c);
}

/* --- matching -------------------------------------------------------- */

struct fix {
	struct config *cfg;
	struct message *m;
	struct evaluation e;
};

static void
fix_init(struct fix *f, const char *conf)
{
	char err[512];

	memset(f, 0, sizeof(*f));
	if ((f->cfg = load(conf, err, sizeof(err))) == NULL)
		fail_msg("%s", err);
	f->m = message_new(100, 1000);
	assert_non_null(f->m);
	assert_int_equal(message_add_rcpt(f->m, "<user@ourorg.example>"), 0);
}

/* From local@domain, authenticated by DMARC (or not: result r). */
static void
fix_from(struct fix *f, const char *local, const char *domain,
    enum auth_result r)
{
	static struct addr_mailbox box;

	box.local = local;
	box.domain = domain;
	f->e.author.domain = domain;
	f->e.from_box = &box;
	f->e.dmarc.from_domain = domain;
	f->e.dmarc.result = r;
}

static void
fix_free(struct fix *f)
{
	message_free(f->m);
	config_free(f->cfg);
}

#define RULES_TAIL	"rules = [ \"*\" ]; expires = \"2027-12-31\"; " \
	"comment = \"c\";"

static void
sender_entries_need_an_authenticated_from(void **state)
{
	static const struct {
		const char *entry, *local, *domain;
		enum auth_result r;
		int spf_aligned, match;
	} cases[] = {
		{ "alerts@vendor.example", "alerts", "vendor.example",
		    AUTH_PASS, 0, 1 },
		{ "alerts@vendor.example", "ALERTS", "vendor.example",
		    AUTH_PASS, 0, 1 },
		{ "alerts@vendor.example", "alerts", "vendor.example",
		    AUTH_FAIL, 0, 0 },
		{ "alerts@vendor.example", "other", "vendor.example",
		    AUTH_PASS, 0, 0 },
		{ "vendor.example", "x", "vendor.example", AUTH_PASS, 0, 1 },
		{ "vendor.example", "x", "vendor.example", AUTH_FAIL, 0, 0 },
		{ "vendor.example", "x", "vendor.example", AUTH_TEMPERROR, 1,
		    0 },
		/* no record: an aligned pass authenticates, nothing else */
		{ "vendor.example", "x", "vendor.example", AUTH_NONE, 1, 1 },
		{ "vendor.example", "x", "vendor.example", AUTH_NONE, 0, 0 },
		{ "vendor.example", "x", "mail.vendor.example", AUTH_PASS, 0,
		    0 },
		{ ".vendor.example", "x", "mail.vendor.example", AUTH_PASS, 0,
		    1 },
		{ ".vendor.example", "x", "vendor.example", AUTH_PASS, 0, 1 },
		{ ".vendor.example", "x", "evilvendor.example", AUTH_PASS, 0,
		    0 },
		{ ".vendor.example", "x", "vendor.example.evil", AUTH_PASS, 0,
		    0 },
	};
	struct fix f;
	char conf[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(conf, sizeof(conf), ENTRY("senders = [ \"%s\" ]; "
		    RULES_TAIL), cases[i].entry);
		fix_init(&f, conf);
		fix_from(&f, cases[i].local, cases[i].domain, cases[i].r);
		f.e.dmarc.spf_aligned = cases[i].spf_aligned;
		if (allowlist_match(&f.cfg->allowlist[0], f.m, &f.e, NOW) !=
		    cases[i].match)
			fail_msg("case %zu: %s against %s@%s", i,
			    cases[i].entry, cases[i].local, cases[i].domain);
		/* two author domains: none is authenticated */
		f.e.author.domain = NULL;
		assert_int_equal(allowlist_match(&f.cfg->allowlist[0], f.m,
		    &f.e, NOW), 0);
		fix_free(&f);
	}
}

static void
network_entries_match_the_external_relay(void **state)
{
	struct fix f;

	(void)state;
	fix_init(&f, ENTRY("senders = [ \"192.0.2.0/24\" ]; " RULES_TAIL));
	f.e.relay.ip = "192.0.2.77";
	assert_int_equal(allowlist_match(&f.cfg->allowlist[0], f.m, &f.e,
	    NOW), 1);
	f.e.relay.ip = "192.0.3.1";
	assert_int_equal(allowlist_match(&f.cfg->allowlist[0], f.m, &f.e,
	    NOW), 0);
	/* only internal hops: no external relay to match */
	f.e.relay.ip = "192.0.2.77";
	f.e.relay.internal_only = 1;
	assert_int_equal(allowlist_match(&f.cfg->allowlist[0], f.m, &f.e,
	    NOW), 0);
	f.e.relay.ip = NULL;
	f.e.relay.internal_only = 0;
	assert_int_equal(allowlist_match(&f.cfg->allowlist[0], f.m, &f.e,
	    NOW), 0);
	fix_free(&f);
}

static void
recipient_entries_need_every_recipient(void **state)
{
	struct fix f;

	(void)state;
	fix_init(&f, ENTRY("recipients = [ \"abuse@ourorg.example\", "
	    "\"@sec.ourorg.example\" ]; " RULES_TAIL));
	/* user@ourorg.example is not listed */
	assert_int_equal(allowlist_match(&f.cfg->allowlist[0], f.m, &f.e,
	    NOW), 0);
	message_free(f.m);
	f.m = message_new(100, 1000);
	assert_int_equal(message_add_rcpt(f.m, "<Abuse@OurOrg.example>"), 0);
	assert_int_equal(allowlist_match(&f.cfg->allowlist[0], f.m, &f.e,
	    NOW), 1);
	assert_int_equal(message_add_rcpt(f.m, "<ir@sec.ourorg.example>"), 0);
	assert_int_equal(allowlist_match(&f.cfg->allowlist[0], f.m, &f.e,
	    NOW), 1);
	/* a subdomain is not "@domain" */
	assert_int_equal(message_add_rcpt(f.m, "<x@a.sec.ourorg.example>"),
	    0);
	assert_int_equal(allowlist_match(&f.cfg->allowlist[0], f.m, &f.e,
	    NOW), 0);
	fix_free(&f);
}

static void
both_kinds_and_expiry(void **state)
{
	struct fix f;

	(void)state;
	fix_init(&f, ENTRY("senders = [ \"192.0.2.0/24\" ]; recipients = [ "
	    "\"user@ourorg.example\" ]; rules = [ \"*\" ]; expires = "
	    "\"2026-12-31\"; comment = \"c\";"));
	f.e.relay.ip = "192.0.2.1";
	assert_int_equal(allowlist_match(&f.cfg->allowlist[0], f.m, &f.e,
	    NOW - 1), 1);
	assert_int_equal(allowlist_match(&f.cfg->allowlist[0], f.m, &f.e,
	    NOW), 0);
	f.e.relay.ip = "198.51.100.1";
	assert_int_equal(allowlist_match(&f.cfg->allowlist[0], f.m, &f.e,
	    NOW - 1), 0);
	fix_free(&f);
}

/* --- applying -------------------------------------------------------- */

static int
whatif_of(const struct verdict *v, enum rule r)
{
	size_t i;

	for (i = 0; i < v->nreasons; i++)
		if (v->reasons[i].id == r)
			return v->reasons[i].whatif;
	return -1;
}

static void
named_rules_become_whatif_and_the_score_drops(void **state)
{
	struct fix f;
	struct verdict *v;

	(void)state;
	fix_init(&f, ENTRY("senders = [ \"192.0.2.0/24\" ]; rules = [ "
	    "\"first_contact\" ]; expires = \"2027-12-31\"; comment = "
	    "\"vendor, ticket 7\";"));
	v = &f.e.verdict;
	assert_int_equal(verdict_add(v, f.m->arena, RULE_FIRST_CONTACT, 4,
	    NULL), 0);
	assert_int_equal(verdict_add(v, f.m->arena, RULE_SPF_FAIL, 3, NULL),
	    0);
	f.e.relay.ip = "198.51.100.1";	/* no match: nothing changes */
	assert_int_equal(allowlist_apply(f.cfg, f.m, &f.e, NOW), 0);
	assert_null(v->allowed);
	assert_int_equal(v->score, 7);
	f.e.relay.ip = "192.0.2.1";
	assert_int_equal(allowlist_apply(f.cfg, f.m, &f.e, NOW), 0);
	assert_string_equal(v->allowed, "vendor, ticket 7");
	assert_int_equal(whatif_of(v, RULE_FIRST_CONTACT), 1);
	assert_int_equal(whatif_of(v, RULE_SPF_FAIL), 0);
	assert_int_equal(v->score, 3);
	assert_non_null(strstr(verdict_header(v, f.m->arena),
	    "allowed=\"vendor, ticket 7\""));
	assert_non_null(strstr(verdict_header(v, f.m->arena),
	    "whatif=first_contact"));
	fix_free(&f);
}

static void
lowering_rules_are_capped_again(void **state)
{
	struct fix f;
	struct verdict *v;

	(void)state;
	fix_init(&f, ENTRY("senders = [ \"192.0.2.0/24\" ]; rules = [ "
	    "\"new_relay\" ]; expires = \"2027-12-31\"; comment = \"c\";"));
	f.e.relay.ip = "192.0.2.1";
	v = &f.e.verdict;
	/* list lowers novelty only: once new_relay is exempt there is
	 * nothing left for it to lower, and spf_fail stays whole */
	assert_int_equal(verdict_add(v, f.m->arena, RULE_NEW_RELAY, 4, NULL),
	    0);
	assert_int_equal(verdict_add(v, f.m->arena, RULE_SPF_FAIL, 3, NULL),
	    0);
	assert_int_equal(verdict_add(v, f.m->arena, RULE_LIST, -4, NULL), 0);
	assert_int_equal(v->score, 3);
	assert_int_equal(allowlist_apply(f.cfg, f.m, &f.e, NOW), 0);
	assert_int_equal(whatif_of(v, RULE_NEW_RELAY), 1);
	assert_int_equal(whatif_of(v, RULE_LIST), 0);
	assert_int_equal(v->score, 3);
	fix_free(&f);
}

static void
hard_attachment_action_needs_named_rules(void **state)
{
	static const struct {
		const char *rules;
		int truncated, tempfail, lifted;
	} cases[] = {
		{ "\"*\"", 0, 0, 0 },
		{ "\"attach_executable\"", 0, 0, 1 },
		{ "\"attach_executable\"", 1, 0, 0 },
		{ "\"attach_executable\"", 0, 1, 0 },
		{ "\"attach_banned_extension\"", 0, 0, 0 },
	};
	struct fix f;
	struct verdict *v;
	char conf[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(conf, sizeof(conf), ENTRY("recipients = [ "
		    "\"user@ourorg.example\" ]; rules = [ %s ]; expires = "
		    "\"2027-12-31\"; comment = \"samples\";"), cases[i].rules);
		fix_init(&f, conf);
		v = &f.e.verdict;
		assert_int_equal(verdict_add(v, f.m->arena,
		    RULE_ATTACH_EXECUTABLE, 8, "invoice.pdf"), 0);
		f.e.attachments.hard_action = VERDICT_QUARANTINE;
		f.e.attachments.hard_rule = "attach_executable";
		verdict_require(v, cases[i].tempfail ? VERDICT_TEMPFAIL :
		    VERDICT_QUARANTINE);
		if (cases[i].truncated)
			f.e.attachments.truncated = "attach_max_mime_parts";
		assert_int_equal(allowlist_apply(f.cfg, f.m, &f.e, NOW), 0);
		assert_non_null(v->allowed);
		if ((v->hard == VERDICT_ACCEPT) != cases[i].lifted)
			fail_msg("case %zu (%s): hard %s", i, cases[i].rules,
			    verdict_action_name(v->hard));
		fix_free(&f);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(entries_load_and_dump_back),
		cmocka_unit_test(bad_entries_are_refused),
		cmocka_unit_test(notes_name_expiry_zero_and_order),
		cmocka_unit_test(sender_entries_need_an_authenticated_from),
		cmocka_unit_test(network_entries_match_the_external_relay),
		cmocka_unit_test(recipient_entries_need_every_recipient),
		cmocka_unit_test(both_kinds_and_expiry),
		cmocka_unit_test(named_rules_become_whatif_and_the_score_drops),
		cmocka_unit_test(lowering_rules_are_capped_again),
		cmocka_unit_test(hard_attachment_action_needs_named_rules),
	};

	return cmocka_run_group_tests(tests, conffix_setup, conffix_teardown);
}
