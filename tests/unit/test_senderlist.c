/*
 * test_senderlist.c - issue 11 items 5, 8 and 9 over sender_signals and
 * sender_score with a history of the test's choosing: Reply-To diverted
 * from a known correspondent (senderreply.c), lists that re-sign
 * (senderlist.c), and list headers without the list's signature
 * (nothing excused, nothing taught).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "config/config.h"
#include "auth/dmarc.h"
#include "mail/orgdomain.h"
#include "sender/lookalike.h"
#include "mail/message.h"
#include "policy.h"
#include "rules/rules.h"
#include "sender.h"

struct fixture {
	struct config *cfg;
	struct orgdomain *psl;
	struct lookalike_index *ix;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[256];

	assert_non_null(f);
	assert_non_null(f->cfg = config_default());
	assert_non_null(f->psl = orgdomain_new(NULL, err, sizeof(err)));
	assert_non_null(f->ix = lookalike_index_new(NULL, err, sizeof(err)));
	assert_int_equal(lookalike_index_add(f->ix, "ourorg.example",
	    LOOKALIKE_PROTECTED, err, sizeof(err)), 0);
	assert_int_equal(lookalike_index_add(f->ix, "supplier-corp.example",
	    LOOKALIKE_KNOWN, err, sizeof(err)), 0);
	assert_int_equal(lookalike_index_add(f->ix, "forum-lists.example",
	    LOOKALIKE_PROTECTED | LOOKALIKE_PARTNER, err, sizeof(err)), 0);
	assert_int_equal(lookalike_index_add(f->ix, "learned-list.example",
	    LOOKALIKE_KNOWN, err, sizeof(err)), 0);
	assert_int_equal(lookalike_index_add(f->ix, "banking-partner.example",
	    LOOKALIKE_KNOWN, err, sizeof(err)), 0);
	assert_int_equal(lookalike_index_merge(f->ix, err, sizeof(err)), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	lookalike_index_free(f->ix);
	orgdomain_free(f->psl);
	config_free(f->cfg);
	free(f);
	return 0;
}

struct lcase {
	const char *name;
	const char *from;
	const char *h1, *v1, *h2, *v2;	/* more headers, or NULL */
	int known;			/* the From's history: known */
	int aligned;			/* DMARC: authenticated */
	const char *signer;		/* a passing d= (unknown to the
					   From's history), or NULL */
	const char *mail_from;		/* SPF passes for it, or NULL */
	const char *want;
	int score;
};

static const struct lcase cases[] = {
	/* item 8 */
	{ "known list re-signs a known correspondent's post: explained",
	  "a@supplier-corp.example", "List-Id", "<talk.forum-lists.example>",
	  NULL, NULL, 1, 0, "forum-lists.example", NULL, "", 0 },
	{ "known list, List-Post only: explained",
	  "a@supplier-corp.example", "List-Post",
	  "<mailto:talk@forum-lists.example>", NULL, NULL, 1, 0,
	  "lists.forum-lists.example", NULL, "", 0 },
	{ "a list the history only learned: authenticated relay, no more",
	  "a@supplier-corp.example", "List-Id", "<talk.learned-list.example>",
	  NULL, NULL, 1, 0, "learned-list.example", NULL,
	  "new_relay=2,new_signer=1", 3 },
	{ "unknown list re-signs: authenticated relay, tag at most",
	  "a@supplier-corp.example", "List-Id", "<talk.newlist.example>",
	  NULL, NULL, 1, 0, "newlist.example", "<b@newlist.example>",
	  "new_relay=2,new_signer=1", 3 },
	{ "unknown list, unknown poster: first contact only",
	  "a@stranger.example", "List-Id", "<talk.newlist.example>",
	  NULL, NULL, 0, 0, "newlist.example", NULL, "first_contact=1", 1 },
	{ "known list, unknown poster: the list lowers first contact",
	  "a@stranger.example", "List-Id", "<talk.forum-lists.example>",
	  NULL, NULL, 0, 0, "forum-lists.example", NULL,
	  "first_contact=1,list=-1", 0 },
	{ "List-Id of a known list signed by someone else: held",
	  "a@supplier-corp.example", "List-Id", "<talk.forum-lists.example>",
	  NULL, NULL, 1, 0, "evil.example", NULL,
	  "new_relay_unauthenticated=10,new_signer_unauthenticated=6", 16 },
	{ "unsigned List-Id of a known list: held",
	  "a@supplier-corp.example", "List-Id", "<talk.forum-lists.example>",
	  "Precedence", "list", 1, 0, NULL, NULL,
	  "new_relay_unauthenticated=10", 10 },
	{ "a list at a cousin of a known domain excuses nothing",
	  "a@supplier-corp.example", "List-Id", "<talk.forum-list.example>",
	  NULL, NULL, 1, 0, "forum-list.example", NULL,
	  "new_relay_unauthenticated=10,new_signer_unauthenticated=6,"
	  "list=-5", 11 },
	{ "a lookalike From is never excused by a known list",
	  "a@supplier-c0rp.example", "List-Id", "<talk.forum-lists.example>",
	  NULL, NULL, 0, 0, "forum-lists.example", NULL,
	  "lookalike_known=10,first_contact=1", 11 },
	/* item 5 */
	{ "known correspondent, Reply-To at a new organisation",
	  "a@supplier-corp.example", "Reply-To", "pay@collector.example",
	  NULL, NULL, 1, 1, "supplier-corp.example", NULL,
	  "reply_to=2,reply_to_new_org=6", 8 },
	{ "... with one more weakness: quarantine",
	  "a@supplier-corp.example", "Reply-To", "pay@collector.example",
	  NULL, NULL, 1, 0, NULL, NULL,
	  "reply_to=2,new_relay_unauthenticated=10,reply_to_new_org=6", 18 },
	{ "Reply-To at a lookalike of the From domain",
	  "a@supplier-corp.example", "Reply-To", "a@supp1ier-corp.example",
	  NULL, NULL, 1, 1, "supplier-corp.example", NULL,
	  "reply_to=2,reply_to_lookalike=8", 10 },
	{ "Reply-To at a lookalike, from a stranger too",
	  "a@stranger.example", "Reply-To", "ceo@0urorg.example",
	  NULL, NULL, 0, 1, "stranger.example", NULL,
	  "reply_to=2,reply_to_lookalike=8,first_contact=1", 11 },
	{ "Reply-To at a known organisation: only reply_to",
	  "a@supplier-corp.example", "Reply-To", "x@banking-partner.example",
	  NULL, NULL, 1, 1, "supplier-corp.example", NULL, "reply_to=2", 2 },
	{ "Reply-To at the same organisation: nothing",
	  "a@supplier-corp.example", "Reply-To",
	  "support@help.supplier-corp.example", NULL, NULL, 1, 1,
	  "supplier-corp.example", NULL, "", 0 },
	{ "Reply-To at the ESP that signed: only reply_to",
	  "a@supplier-corp.example", "Reply-To", "t-1@helpdesk-esp.example",
	  NULL, NULL, 1, 1, "helpdesk-esp.example", NULL,
	  "reply_to=2,new_signer=1", 3 },
	{ "Reply-To at the SPF-passing envelope: only reply_to",
	  "a@supplier-corp.example", "Reply-To", "t-1@crm-esp.example",
	  NULL, NULL, 1, 1, NULL, "<bounce@crm-esp.example>", "reply_to=2",
	  2 },
	{ "Reply-To at the list that signed: only reply_to",
	  "a@supplier-corp.example", "List-Id", "<talk.newlist.example>",
	  "Reply-To", "talk@newlist.example", 1, 0, "newlist.example", NULL,
	  "reply_to=2,new_relay=2,new_signer=1", 5 },
	{ "Reply-To at an unsigned list's domain: diverted",
	  "a@supplier-corp.example", "List-Id", "<talk.newlist.example>",
	  "Reply-To", "talk@newlist.example", 1, 1, NULL, NULL,
	  "reply_to=2,reply_to_new_org=6", 8 },
	{ "first contact with a Reply-To elsewhere: only reply_to",
	  "a@stranger.example", "Reply-To", "x@other.example", NULL, NULL,
	  0, 1, NULL, NULL, "reply_to=2,first_contact=1", 3 },
};

static void
reasons_text(const struct verdict *v, char *buf, size_t len)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < v->nreasons && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s=%d",
		    i ? "," : "", v->reasons[i].rule, v->reasons[i].score);
}

/* Builds the case's message and evaluation; the relay is new to the
 * From's history unless the message is authenticated (aligned), every
 * passing signer but the From's own unknown to it. */
static struct message *
build(struct fixture *f, const struct lcase *c, struct evaluation *e,
    struct dkim_sig_result *sig, struct state_signer *hs)
{
	struct message *m = message_new(100, 65536);
	const char *dom;

	assert_non_null(m);
	assert_int_not_equal(message_add_header(m, "From", c->from), -1);
	if (c->h1 != NULL)
		assert_int_not_equal(message_add_header(m, c->h1, c->v1), -1);
	if (c->h2 != NULL)
		assert_int_not_equal(message_add_header(m, c->h2, c->v2), -1);
	if (c->mail_from != NULL)
		assert_int_equal(message_set_mail_from(m, c->mail_from), 0);
	memset(e, 0, sizeof(*e));
	dom = strchr(c->from, '@') + 1;
	e->dmarc.from_domain = dom;
	e->dmarc.org_domain = orgdomain_get(f->psl, dom, m->arena);
	e->dmarc.dkim_aligned = c->aligned;
	e->spf.result = c->mail_from != NULL ? AUTH_PASS : AUTH_NONE;
	e->relay.ip = "203.0.113.9";
	e->sender.domain = e->dmarc.org_domain;
	e->sender.authenticated = c->aligned;
	e->sender.infra = "net:203.0.113.0/24";
	e->sender.state = SENDER_STATE_AVAILABLE;
	e->sender.history.available = 1;
	e->sender.history.seen = 1;
	e->sender.history.domain_known = c->known;
	e->sender.history.infra_known = c->aligned;	/* its usual relay */
	memset(sig, 0, sizeof(*sig));
	memset(hs, 0, sizeof(*hs));
	if (c->signer != NULL) {
		sig->result = AUTH_PASS;
		sig->domain = c->signer;
		e->dkim.sigs = sig;
		e->dkim.count = 1;
		hs->name = c->signer;
		/* the From's own aligned signer is known to its history */
		hs->known = c->aligned && strcmp(c->signer, dom) == 0;
		e->sender.history.signers = hs;
		e->sender.history.nsigners = 1;
	}
	return m;
}

static void
test_lists_and_reply_to(void **state)
{
	struct fixture *f = *state;
	struct sender_context ctx;
	struct evaluation e;
	struct dkim_sig_result sig;
	struct state_signer hs;
	char got[512];
	size_t i;

	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = f->cfg;
	ctx.orgdomain = f->psl;
	ctx.index = f->ix;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct lcase *c = &cases[i];
		struct message *m = build(f, c, &e, &sig, &hs);

		assert_int_equal(sender_signals(&ctx, m, &e), 0);
		assert_int_equal(sender_score(&ctx, m, &e), 0);
		reasons_text(&e.verdict, got, sizeof(got));
		if (strcmp(got, c->want) != 0 || e.verdict.score != c->score)
			fail_msg("%s: got \"%s\" score %d, want \"%s\" score %d",
			    c->name, got, e.verdict.score, c->want, c->score);
		message_free(m);
	}
}

/* Item 9: an unauthenticated message dressed as list mail never may
 * teach, and a Reply-To lookalike never teaches even when
 * authenticated. */
static void
test_list_dress_teaches_nothing(void **state)
{
	static const struct lcase dressed = { "warm-up", "a@stranger.example",
	    "List-Id", "<news.stranger.example>", "Precedence", "list", 0, 0,
	    NULL, NULL, NULL, 0 };
	static const struct lcase look = { "look", "a@stranger.example",
	    "Reply-To", "ceo@0urorg.example", NULL, NULL, 0, 1,
	    "stranger.example", NULL, NULL, 0 };
	struct fixture *f = *state;
	struct sender_context ctx;
	struct evaluation e;
	struct dkim_sig_result sig;
	struct state_signer hs;
	struct message *m;

	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = f->cfg;
	ctx.orgdomain = f->psl;
	ctx.index = f->ix;
	m = build(f, &dressed, &e, &sig, &hs);
	memset(&e.sender, 0, sizeof(e.sender));
	e.sender.domain = e.dmarc.org_domain;
	assert_int_equal(sender_signals(&ctx, m, &e), 0);
	assert_int_equal(sender_teachable(&ctx, m, &e), 0);
	message_free(m);
	m = build(f, &look, &e, &sig, &hs);
	assert_int_equal(sender_signals(&ctx, m, &e), 0);
	assert_int_equal(sender_teachable(&ctx, m, &e), 0);
	message_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lists_and_reply_to),
		cmocka_unit_test(test_list_dress_teaches_nothing),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
