/*
 * test_plan.c - what the MTA is told to do (policy/plan.c): the Subject
 * tag decision, the order of the header edits, the action with its reply
 * or hold reason, dry run (issue 9 item 3: decided in policy/, carried
 * out by milter/apply.c, printed by relaywarden-check).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/arena.h"
#include "config/config.h"
#include "mail/message.h"
#include "plan.h"
#include "policy.h"

#define UTAG	"[VERD\xc3\x84" "CHTIG] "	/* UTF-8 */

static void
subject_tag_decisions(void **state)
{
	static const struct {
		const char *name, *tag, *old, *want;	/* want NULL: as is */
	} t[] = {
		{ "ASCII tag in front", "[SUSPICIOUS] ", " hello",
		    "[SUSPICIOUS] hello" },
		{ "leading white space of the old value dropped",
		    "[SUSPICIOUS] ", " \t hello", "[SUSPICIOUS] hello" },
		{ "tagged already: one tag", "[SUSPICIOUS] ",
		    " [SUSPICIOUS] hello", NULL },
		{ "no Subject: the tag alone", "[SUSPICIOUS] ", NULL,
		    "[SUSPICIOUS] " },
		{ "empty tag: untouched", "", " hello", NULL },
		{ "no tag: untouched", NULL, " hello", NULL },
		{ "UTF-8 tag before text: encoded-word, the space outside",
		    UTAG, "hello", "=?UTF-8?B?W1ZFUkTDhENIVElHXQ==?= hello" },
		{ "UTF-8 tag before an encoded-word: the space inside",
		    UTAG, "=?UTF-8?B?aGk=?=",
		    "=?UTF-8?B?W1ZFUkTDhENIVElHXSA=?= =?UTF-8?B?aGk=?=" },
		{ "UTF-8 tag there already", UTAG,
		    "=?UTF-8?B?W1ZFUkTDhENIVElHXQ==?= hello", NULL },
		{ "a message's CR LF is not ours to fold", "[S] ",
		    " a\r\n\tb", "[S] a\r\n\tb" },
	};
	struct arena *a = arena_new();
	const char *got;
	size_t i;

	assert_non_null(a);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		print_message("case: %s\n", t[i].name);
		assert_int_equal(plan_subject(a, t[i].tag, t[i].old, &got), 0);
		if (t[i].want == NULL)
			assert_null(got);
		else {
			assert_non_null(got);
			assert_string_equal(got, t[i].want);
		}
	}
	arena_free(a);
}

struct fix {
	struct config *cfg;
	struct message *m;
	struct evaluation e;
};

/* A message with two forged Authentication-Results and a forged
 * X-Relaywarden (subject: its Subject or NULL), evaluated to action. */
static void
fix_new(struct fix *f, const char *subject, enum verdict_action action,
    int dry_run)
{
	memset(f, 0, sizeof(*f));
	assert_non_null(f->cfg = config_default());
	free(f->cfg->tag_subject);
	assert_non_null(f->cfg->tag_subject = strdup("[SUSPICIOUS] "));
	assert_non_null(f->m = message_new(100, 65536));
	f->m->authserv_id = "mx.ours.example";
	assert_int_equal(message_add_header(f->m, "Authentication-Results",
	    " mx.ours.example; dkim=pass"), 1);
	if (subject != NULL)
		assert_int_equal(message_add_header(f->m, "Subject", subject),
		    1);
	assert_int_equal(message_add_header(f->m, "X-Relaywarden",
	    " action=accept"), 1);
	assert_int_equal(message_add_header(f->m, "Authentication-Results",
	    " mx.ours.example; spf=pass"), 1);
	assert_int_equal(f->m->nremovals, 3);
	f->e.authres = "mx.ours.example; spf=fail";
	f->e.verdict_header = "action=x; score=7; reasons=spf_fail";
	assert_int_equal(verdict_add(&f->e.verdict, f->m->arena,
	    RULE_SPF_FAIL, 7, "x"), 0);
	assert_int_equal(verdict_add_whatif(&f->e.verdict, f->m->arena,
	    RULE_NEW_RELAY, 2, NULL), 0);
	f->e.verdict.action = action;
	f->e.verdict.dry_run = dry_run;
}

static void
fix_free(struct fix *f)
{
	message_free(f->m);
	config_free(f->cfg);
}

static void
expect_edit(const struct plan *p, size_t i, enum plan_edit_kind kind,
    const char *name, unsigned occ, const char *value)
{
	assert_true(i < p->nedits);
	assert_int_equal(p->edits[i].kind, kind);
	assert_string_equal(p->edits[i].name, name);
	assert_int_equal(p->edits[i].occurrence, occ);
	if (value == NULL)
		assert_null(p->edits[i].value);
	else
		assert_string_equal(p->edits[i].value, value);
}

/* Forged headers out from the highest occurrence down, ours in, then the
 * Subject tag. */
static void
tag_plans_every_edit_in_order(void **state)
{
	struct fix f;
	struct plan p;

	fix_new(&f, " hello", VERDICT_TAG, 0);
	assert_int_equal(plan_build(f.cfg, f.m, &f.e, &p), 0);
	assert_int_equal(p.action, VERDICT_TAG);
	assert_int_equal(p.nedits, 6);
	expect_edit(&p, 0, PLAN_REMOVE, "Authentication-Results", 2,
	    " mx.ours.example; spf=pass");
	expect_edit(&p, 1, PLAN_REMOVE, "X-Relaywarden", 1,
	    " action=accept");
	expect_edit(&p, 2, PLAN_REMOVE, "Authentication-Results", 1,
	    " mx.ours.example; dkim=pass");
	expect_edit(&p, 3, PLAN_INSERT_TOP, "Authentication-Results", 0,
	    f.e.authres);
	expect_edit(&p, 4, PLAN_ADD, "X-Relaywarden", 0,
	    f.e.verdict_header);
	expect_edit(&p, 5, PLAN_CHANGE, "Subject", 1, "[SUSPICIOUS] hello");
	assert_null(p.hold_reason);
	assert_null(p.reply_code);
	fix_free(&f);

	/* No Subject: one is added. */
	fix_new(&f, NULL, VERDICT_TAG, 0);
	assert_int_equal(plan_build(f.cfg, f.m, &f.e, &p), 0);
	expect_edit(&p, p.nedits - 1, PLAN_ADD, "Subject", 1,
	    "[SUSPICIOUS] ");
	fix_free(&f);

	/* No tag configured: the headers only. */
	fix_new(&f, " hello", VERDICT_TAG, 0);
	f.cfg->tag_subject[0] = '\0';
	assert_int_equal(plan_build(f.cfg, f.m, &f.e, &p), 0);
	assert_int_equal(p.nedits, 5);
	fix_free(&f);
}

static void
actions_get_their_reply_or_hold_reason(void **state)
{
	struct fix f;
	struct plan p;
	size_t i;

	/* Quarantine: every edit but the tag, the hold reason names the
	 * counted rules only. */
	fix_new(&f, " hello", VERDICT_QUARANTINE, 0);
	assert_int_equal(plan_build(f.cfg, f.m, &f.e, &p), 0);
	assert_int_equal(p.action, VERDICT_QUARANTINE);
	assert_int_equal(p.nedits, 5);
	for (i = 0; i < p.nedits; i++)
		assert_string_not_equal(p.edits[i].name, "Subject");
	assert_string_equal(p.hold_reason,
	    "relaywarden score=7 reasons=spf_fail");
	fix_free(&f);

	/* Refused: never delivered, so no edits. */
	fix_new(&f, " hello", VERDICT_REJECT, 0);
	assert_int_equal(plan_build(f.cfg, f.m, &f.e, &p), 0);
	assert_int_equal(p.action, VERDICT_REJECT);
	assert_int_equal(p.nedits, 0);
	assert_string_equal(p.reply_code, "550");
	assert_string_equal(p.reply_xcode, "5.7.1");
	assert_string_equal(p.reply_text, f.cfg->reject_text);
	fix_free(&f);
	fix_new(&f, " hello", VERDICT_TEMPFAIL, 0);
	assert_int_equal(plan_build(f.cfg, f.m, &f.e, &p), 0);
	assert_int_equal(p.action, VERDICT_TEMPFAIL);
	assert_int_equal(p.nedits, 0);
	assert_string_equal(p.reply_code, "451");
	assert_string_equal(p.reply_xcode, "4.7.1");
	fix_free(&f);

	/* A long list of reasons stays inside one reply line. */
	fix_new(&f, " hello", VERDICT_QUARANTINE, 0);
	for (i = 0; i < 100; i++)
		assert_int_equal(verdict_add(&f.e.verdict, f.m->arena,
		    RULE_ATTACH_BANNED_EXTENSION, 1, NULL), 0);
	assert_int_equal(plan_build(f.cfg, f.m, &f.e, &p), 0);
	assert_int_equal(strlen(p.hold_reason), 399);
	assert_string_equal(p.hold_reason + 396, "...");
	fix_free(&f);
}

/* Dry run: the headers are written, the action is accept, the Subject
 * is left alone, whatever the verdict. */
static void
dry_run_writes_the_headers_only(void **state)
{
	static const enum verdict_action acts[] = { VERDICT_TAG,
	    VERDICT_QUARANTINE, VERDICT_REJECT, VERDICT_TEMPFAIL };
	struct fix f;
	struct plan p;
	size_t i;

	for (i = 0; i < sizeof(acts) / sizeof(acts[0]); i++) {
		fix_new(&f, " hello", acts[i], 1);
		assert_int_equal(plan_build(f.cfg, f.m, &f.e, &p), 0);
		assert_int_equal(p.action, VERDICT_ACCEPT);
		assert_int_equal(p.nedits, 5);
		expect_edit(&p, 4, PLAN_ADD, "X-Relaywarden", 0,
		    f.e.verdict_header);
		assert_null(p.hold_reason);
		assert_null(p.reply_code);
		fix_free(&f);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(subject_tag_decisions),
		cmocka_unit_test(tag_plans_every_edit_in_order),
		cmocka_unit_test(actions_get_their_reply_or_hold_reason),
		cmocka_unit_test(dry_run_writes_the_headers_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
