/*
 * test_sender.c - sender.c's scoring over a history of the test's choosing
 * (sender_score): first contact, new relays and signers of known senders
 * with and without authentication, partner declarations, lookalikes,
 * lowering reasons capped by what they may excuse, attachment weight,
 * what-if rules, Redis unavailable (fail-open and tempfail); and the
 * recipient thresholds and X-Relaywarden fields they feed.
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
#include "util/net.h"
#include "policy.h"
#include "rules/rules.h"
#include "sender.h"

struct fixture {
	struct config *cfg;
	struct orgdomain *psl;
	struct lookalike_index *ix;
	struct config_partner partner;
	struct net_cidr nets[1];
	char *orgs[1], *signers[1], *protected[1];
	struct config_rcpt_policy rp;
	char *rp_rcpts[2];
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[256];

	assert_non_null(f);
	assert_non_null(f->cfg = config_default());
	f->psl = orgdomain_new(NULL, err, sizeof(err));
	assert_non_null(f->psl);
	f->ix = lookalike_index_new(NULL, err, sizeof(err));
	assert_non_null(f->ix);
	assert_int_equal(lookalike_index_add(f->ix, "ourorg.example",
	    LOOKALIKE_PROTECTED, err, sizeof(err)), 0);
	assert_int_equal(lookalike_index_add(f->ix, "partner.example",
	    LOOKALIKE_PROTECTED | LOOKALIKE_PARTNER, err, sizeof(err)), 0);
	assert_int_equal(lookalike_index_add(f->ix, "supplier-corp.example",
	    LOOKALIKE_KNOWN, err, sizeof(err)), 0);
	assert_int_equal(lookalike_index_merge(f->ix, err, sizeof(err)), 0);

	assert_int_equal(net_parse_cidr("192.0.2.0/24", &f->nets[0], err,
	    sizeof(err)), 0);
	f->orgs[0] = (char *)"partnermail.example";
	f->signers[0] = (char *)"partner.example";
	f->partner.domain = (char *)"partner.example";
	f->partner.relay_nets = f->nets;
	f->partner.nrelay_nets = 1;
	f->partner.relay_orgs = f->orgs;
	f->partner.nrelay_orgs = 1;
	f->partner.signers = f->signers;
	f->partner.nsigners = 1;
	f->partner.must_align = 1;
	f->protected[0] = (char *)"ourorg.example";
	f->rp_rcpts[0] = (char *)"ceo@ourorg.example";
	f->rp_rcpts[1] = (char *)"@board.ourorg.example";
	f->rp.recipients = f->rp_rcpts;
	f->rp.nrecipients = 2;
	f->rp.tag_score = 2;
	f->rp.quarantine_score = 4;
	f->rp.reject_score = 0;
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

/* One case: the message, what the history says, what must come out. */
struct scase {
	const char *name;
	const char *from;		/* From header value */
	const char *hname, *hvalue;	/* one more header, or NULL */
	int partner;			/* configure partner.example */
	enum sender_state state;
	int seen, domain_known, infra_known;
	const char *signer;		/* a passing d=, or NULL */
	int signer_known;
	int dkim_aligned, spf_aligned;
	const char *ip;			/* relay */
	const char *pre;		/* a reason already in the verdict */
	int pre_score;
	const char *dry;		/* a what-if rule */
	int tempfail;			/* state_unavailable_tempfail */
	const char *want;		/* "rule=score,..."; "?" marks what-if */
	int score;
	enum verdict_action hard;
};

static const struct scase cases[] = {
	{ "first contact", "a@newcomer.example", NULL, NULL, 0,
	  SENDER_STATE_AVAILABLE, 0, 0, 0, NULL, 0, 0, 0, "198.51.100.7",
	  NULL, 0, NULL, 0, "first_contact=1", 1, VERDICT_ACCEPT },
	/* Counted (held or unauthenticated mail) but never taught: the
	 * counting buys the next message nothing (issue 8 item 7). */
	{ "seen but never authenticated: still first contact", "a@x.example",
	  NULL, NULL, 0, SENDER_STATE_AVAILABLE, 1, 0, 0, NULL, 0, 0, 0,
	  "198.51.100.7", NULL, 0, NULL, 0, "first_contact=1", 1,
	  VERDICT_ACCEPT },
	{ "known sender, usual relay, known aligned signer: clean",
	  "a@supplier-corp.example", NULL, NULL, 0, SENDER_STATE_AVAILABLE,
	  1, 1, 1, "supplier-corp.example", 1, 1, 1, "198.51.100.7", NULL, 0,
	  NULL, 0, "", 0, VERDICT_ACCEPT },
	{ "known sender, new relay, unauthenticated: the core signal",
	  "a@supplier-corp.example", NULL, NULL, 0, SENDER_STATE_AVAILABLE,
	  1, 1, 0, NULL, 0, 0, 0, "203.0.113.9", NULL, 0, NULL, 0,
	  "new_relay_unauthenticated=10", 10, VERDICT_ACCEPT },
	{ "new relay but aligned known signer: lowered to nothing",
	  "a@supplier-corp.example", NULL, NULL, 0, SENDER_STATE_AVAILABLE,
	  1, 1, 0, "supplier-corp.example", 1, 1, 0, "203.0.113.9", NULL, 0,
	  NULL, 0, "new_relay=2,known_signer_aligned=-2", 0,
	  VERDICT_ACCEPT },
	{ "aligned known signer never lowers an attachment reason",
	  "a@supplier-corp.example", NULL, NULL, 0, SENDER_STATE_AVAILABLE,
	  1, 1, 1, "supplier-corp.example", 1, 1, 0, "198.51.100.7",
	  "attach_executable", 10, NULL, 0, "attach_executable=10", 10,
	  VERDICT_ACCEPT },
	{ "new unaligned signer of a known sender, unauthenticated",
	  "a@supplier-corp.example", NULL, NULL, 0, SENDER_STATE_AVAILABLE,
	  1, 1, 1, "bulk-esp.example", 0, 0, 0, "198.51.100.7", NULL, 0,
	  NULL, 0, "new_signer_unauthenticated=6", 6, VERDICT_ACCEPT },
	/* Issue 8 item 6: a header anyone can write excuses nothing; the
	 * list, Sender or Resent domain must have signed the message. */
	{ "a List-Id header alone excuses nothing",
	  "a@supplier-corp.example", "List-Id", "<talk.lists.example>", 0,
	  SENDER_STATE_AVAILABLE, 1, 1, 0, NULL, 0, 0, 0, "203.0.113.9",
	  NULL, 0, NULL, 0, "new_relay_unauthenticated=10", 10,
	  VERDICT_ACCEPT },
	/* Issue 11 item 8: a list signing as its List-Id domain is the
	 * authenticated relay of its posts (an unknown list: scored as
	 * authenticated, no discount on top; a known one: test_senderlist). */
	{ "a list that signs as its List-Id domain is the authenticated relay",
	  "a@supplier-corp.example", "List-Id", "Talk <talk.lists.example>",
	  0, SENDER_STATE_AVAILABLE, 1, 1, 0, "lists.example", 1, 0, 0,
	  "203.0.113.9", NULL, 0, NULL, 0, "new_relay=2", 2,
	  VERDICT_ACCEPT },
	{ "a new list signer counts, as authenticated",
	  "a@supplier-corp.example", "List-Id", "<talk.lists.example>", 0,
	  SENDER_STATE_AVAILABLE, 1, 1, 0, "lists.example", 0, 0, 0,
	  "203.0.113.9", NULL, 0, NULL, 0, "new_relay=2,new_signer=1", 3,
	  VERDICT_ACCEPT },
	{ "a List-Post at the signer's domain is one too",
	  "a@supplier-corp.example", "List-Post",
	  "<mailto:talk@lists.example>", 0, SENDER_STATE_AVAILABLE, 1, 1, 0,
	  "lists.example", 1, 0, 0, "203.0.113.9", NULL, 0, NULL, 0,
	  "new_relay=2", 2, VERDICT_ACCEPT },
	{ "a list signed by another domain excuses nothing",
	  "a@supplier-corp.example", "List-Id", "<talk.lists.example>", 0,
	  SENDER_STATE_AVAILABLE, 1, 1, 0, "evil.example", 1, 0, 0,
	  "203.0.113.9", NULL, 0, NULL, 0, "new_relay_unauthenticated=10",
	  10, VERDICT_ACCEPT },
	{ "a Sender header alone excuses nothing", "a@supplier-corp.example",
	  "Sender", "y@lists.example", 0, SENDER_STATE_AVAILABLE, 1, 1, 0,
	  NULL, 0, 0, 0, "203.0.113.9", NULL, 0, NULL, 0,
	  "new_relay_unauthenticated=10", 10, VERDICT_ACCEPT },
	{ "a Sender whose domain signed explains the new relay",
	  "a@supplier-corp.example", "Sender", "y@lists.example", 0,
	  SENDER_STATE_AVAILABLE, 1, 1, 0, "lists.example", 1, 0, 0,
	  "203.0.113.9", NULL, 0, NULL, 0,
	  "new_relay_unauthenticated=10,sender=-3", 7, VERDICT_ACCEPT },
	{ "Resent-From alone excuses nothing", "a@supplier-corp.example",
	  "Resent-From", "x@fwd.example", 0, SENDER_STATE_AVAILABLE, 1, 1, 0,
	  NULL, 0, 0, 0, "203.0.113.9", NULL, 0, NULL, 0,
	  "new_relay_unauthenticated=10", 10, VERDICT_ACCEPT },
	{ "Resent-Date alone names nobody, excuses nothing",
	  "a@supplier-corp.example", "Resent-Date",
	  "Mon, 2 Mar 2026 10:00:00 +0000", 0, SENDER_STATE_AVAILABLE, 1, 1,
	  0, "fwd.example", 1, 0, 0, "203.0.113.9", NULL, 0, NULL, 0,
	  "new_relay_unauthenticated=10", 10, VERDICT_ACCEPT },
	{ "a Resent-From whose domain signed explains the new relay",
	  "a@supplier-corp.example", "Resent-From", "x@mail.fwd.example", 0,
	  SENDER_STATE_AVAILABLE, 1, 1, 0, "fwd.example", 1, 0, 0,
	  "203.0.113.9", NULL, 0, NULL, 0,
	  "new_relay_unauthenticated=10,resent=-5", 5, VERDICT_ACCEPT },
	{ "a list never excuses a lookalike", "a@0urorg.example", "List-Id",
	  "<talk.lists.example>", 0, SENDER_STATE_AVAILABLE, 1, 0, 0, NULL, 0,
	  0, 0, "203.0.113.9", NULL, 0, NULL, 0,
	  "lookalike_protected=10,first_contact=1", 11, VERDICT_ACCEPT },
	{ "lookalike with an attachment weighs more", "a@0urorg.example",
	  NULL, NULL, 0, SENDER_STATE_AVAILABLE, 0, 0, 0, NULL, 0, 0, 0,
	  "203.0.113.9", "attach_office_macro", 6, NULL, 0,
	  "attach_office_macro=6,lookalike_protected=10,first_contact=1,"
	  "attach_new_sender=3", 20, VERDICT_ACCEPT },
	{ "a protected domain itself is no lookalike", "a@ourorg.example",
	  NULL, NULL, 0, SENDER_STATE_AVAILABLE, 1, 1, 1, NULL, 0, 0, 1,
	  "198.51.100.7", NULL, 0, NULL, 0, "", 0, VERDICT_ACCEPT },
	{ "lookalike of a known correspondent", "a@supplier-c0rp.example",
	  NULL, NULL, 0, SENDER_STATE_AVAILABLE, 1, 0, 0, NULL, 0, 0, 0,
	  "203.0.113.9", NULL, 0, NULL, 0,
	  "lookalike_known=10,first_contact=1", 11, VERDICT_ACCEPT },
	{ "Reply-To of a known sender at a first-contact org",
	  "a@supplier-corp.example", "Reply-To", "pay@collector.example", 0,
	  SENDER_STATE_AVAILABLE, 1, 1, 1, NULL, 0, 0, 1, "198.51.100.7",
	  NULL, 0, NULL, 0, "reply_to=2,reply_to_new_org=6", 8,
	  VERDICT_ACCEPT },
	{ "what-if rule: listed, not counted", "a@supplier-corp.example",
	  NULL, NULL, 0, SENDER_STATE_AVAILABLE, 1, 1, 0, NULL, 0, 0, 0,
	  "203.0.113.9", NULL, 0, "new_relay_unauthenticated", 0,
	  "?new_relay_unauthenticated=10", 0, VERDICT_ACCEPT },
	{ "Redis unavailable: fail open, no novelty",
	  "a@supplier-corp.example", NULL, NULL, 0,
	  SENDER_STATE_UNAVAILABLE, 0, 0, 0, NULL, 0, 0, 0, "203.0.113.9",
	  NULL, 0, NULL, 0, "", 0, VERDICT_ACCEPT },
	{ "Redis unavailable with state_unavailable_tempfail",
	  "a@supplier-corp.example", NULL, NULL, 0,
	  SENDER_STATE_UNAVAILABLE, 0, 0, 0, NULL, 0, 0, 0, "203.0.113.9",
	  NULL, 0, NULL, 1, "", 0, VERDICT_TEMPFAIL },
	{ "partner from a declared network, aligned", "a@partner.example",
	  NULL, NULL, 1, SENDER_STATE_AVAILABLE, 0, 0, 0, "partner.example",
	  0, 1, 1, "192.0.2.44", NULL, 0, NULL, 0, "", 0, VERDICT_ACCEPT },
	{ "partner elsewhere, unaligned, Redis down", "a@partner.example",
	  NULL, NULL, 1, SENDER_STATE_UNAVAILABLE, 0, 0, 0, NULL, 0, 0, 0,
	  "203.0.113.9", NULL, 0, NULL, 0,
	  "partner_unexpected_relay=4,partner_unaligned=8", 12,
	  VERDICT_ACCEPT },
	{ "partner elsewhere, unaligned, history says new",
	  "a@partner.example", NULL, NULL, 1, SENDER_STATE_AVAILABLE, 1, 1, 0,
	  NULL, 0, 0, 0, "203.0.113.9", NULL, 0, NULL, 0,
	  "new_relay_unauthenticated=10,partner_unexpected_relay=4,"
	  "partner_unaligned=8", 22, VERDICT_ACCEPT },
	/* issue 11 item 4: lookalikes of partners and correspondents hold,
	 * however well they authenticate */
	{ "a partner's cousin, fully authenticated, holds",
	  "a@partner-invoices.example", NULL, NULL, 1,
	  SENDER_STATE_AVAILABLE, 0, 0, 0, "partner-invoices.example", 0, 1,
	  1, "198.51.100.7", NULL, 0, NULL, 0,
	  "lookalike_protected=10,first_contact=1", 11, VERDICT_ACCEPT },
	{ "a partner's cousin when Redis is down still holds",
	  "a@partner-invoices.example", NULL, NULL, 1,
	  SENDER_STATE_UNAVAILABLE, 0, 0, 0, "partner-invoices.example", 0,
	  1, 1, "198.51.100.7", NULL, 0, NULL, 0, "lookalike_protected=10",
	  10, VERDICT_ACCEPT },
	{ "a known correspondent that looks like a partner is no lookalike",
	  "a@partner-invoices.example", NULL, NULL, 1,
	  SENDER_STATE_AVAILABLE, 1, 1, 1, "partner-invoices.example", 1, 1,
	  1, "198.51.100.7", NULL, 0, NULL, 0, "", 0, VERDICT_ACCEPT },
	{ "a word added to a learned correspondent holds",
	  "a@supplier-corp-billing.example", NULL, NULL, 0,
	  SENDER_STATE_AVAILABLE, 0, 0, 0, "supplier-corp-billing.example", 0,
	  1, 1, "198.51.100.7", NULL, 0, NULL, 0,
	  "lookalike_known=10,first_contact=1", 11, VERDICT_ACCEPT },
	{ "a learned correspondent's name under another TLD holds",
	  "a@supplier-corp.net", NULL, NULL, 0, SENDER_STATE_AVAILABLE, 0, 0,
	  0, "supplier-corp.net", 0, 1, 1, "198.51.100.7", NULL, 0, NULL, 0,
	  "lookalike_known=10,first_contact=1", 11, VERDICT_ACCEPT },
	{ "a sibling the correspondent signs itself is no lookalike",
	  "a@supplier-corp.net", NULL, NULL, 0, SENDER_STATE_AVAILABLE, 0, 0,
	  0, "supplier-corp.example", 0, 0, 1, "198.51.100.7", NULL, 0, NULL,
	  0, "first_contact=1", 1, VERDICT_ACCEPT },
	/* issue 11 item 6: display names */
	{ "a partner's name from a new freemail address holds",
	  "Partner Finance <partner.finance@freemail.example>", NULL, NULL, 1,
	  SENDER_STATE_AVAILABLE, 0, 0, 0, NULL, 0, 0, 1, "198.51.100.7",
	  NULL, 0, NULL, 0, "display_brand=9,first_contact=1", 10,
	  VERDICT_ACCEPT },
	{ "our own name from a first contact holds",
	  "OurOrg Payroll <payroll@new.example>", NULL, NULL, 0,
	  SENDER_STATE_AVAILABLE, 0, 0, 0, NULL, 0, 0, 1, "198.51.100.7",
	  NULL, 0, NULL, 0, "display_brand=9,first_contact=1", 10,
	  VERDICT_ACCEPT },
	{ "a learned correspondent's name from an unknown domain is a reason",
	  "Supplier Corp Accounts <acc@new.example>", NULL, NULL, 0,
	  SENDER_STATE_AVAILABLE, 0, 0, 0, NULL, 0, 0, 1, "198.51.100.7",
	  NULL, 0, NULL, 0, "display_known=4,first_contact=1", 5,
	  VERDICT_ACCEPT },
	{ "a list rewriting From, signed by the list: the author is no claim",
	  "\"'alice@supplier-corp.example' via Forum\" "
	  "<forum@lists.example>",
	  "List-Id", "Forum <forum.lists.example>", 0,
	  SENDER_STATE_AVAILABLE, 1, 1, 1, "lists.example", 1, 1, 1,
	  "198.51.100.7", NULL, 0, NULL, 0, "", 0, VERDICT_ACCEPT },
	{ "a list rewriting From, first contact, signed by the list",
	  "\"'alice@supplier-corp.example' via Forum\" "
	  "<forum@lists.example>",
	  "List-Id", "Forum <forum.lists.example>", 0,
	  SENDER_STATE_AVAILABLE, 0, 0, 0, "lists.example", 0, 1, 1,
	  "198.51.100.7", NULL, 0, NULL, 0, "first_contact=1,list=-1", 0,
	  VERDICT_ACCEPT },
	{ "a list rewrite of our own colleague counts our name once",
	  "\"'bob@ourorg.example' via Forum\" <forum@lists.example>",
	  "List-Id", "Forum <forum.lists.example>", 0,
	  SENDER_STATE_AVAILABLE, 0, 0, 0, "lists.example", 0, 1, 1,
	  "198.51.100.7", NULL, 0, NULL, 0,
	  "display_domain=5,first_contact=1,list=-1", 5, VERDICT_ACCEPT },
	{ "the same rewrite unsigned is a claim",
	  "\"'alice@supplier-corp.example' via Forum\" "
	  "<forum@lists.example>",
	  "List-Id", "Forum <forum.lists.example>", 0,
	  SENDER_STATE_AVAILABLE, 0, 0, 0, NULL, 0, 0, 1, "198.51.100.7",
	  NULL, 0, NULL, 0, "display_domain=5,display_address=4,"
	  "first_contact=1", 10, VERDICT_ACCEPT },
};

static void reasons_text(const struct verdict *, char *, size_t);

/* Messages with several explaining headers: only the strongest counts,
 * and a message held for what it is does not teach. */
static struct message *
msg_with(const char *const *hdrs)
{
	struct message *m = message_new(100, 65536);

	assert_non_null(m);
	for (; hdrs[0] != NULL; hdrs += 2)
		assert_int_not_equal(message_add_header(m, hdrs[0], hdrs[1]),
		    -1);
	return m;
}

static void
base_eval(struct fixture *f, struct message *m, const char *from_domain,
    struct evaluation *e)
{
	memset(e, 0, sizeof(*e));
	e->dmarc.from_domain = from_domain;
	e->dmarc.org_domain = orgdomain_get(f->psl, from_domain,
	    m->arena);
	e->relay.ip = "203.0.113.9";
	e->sender.domain = e->dmarc.org_domain;
	e->sender.infra = "net:203.0.113.0/24";
	e->sender.state = SENDER_STATE_AVAILABLE;
	e->sender.history.available = 1;
	e->sender.history.seen = 1;
	e->sender.history.domain_known = 1;
}

static void
test_explaining_headers_do_not_stack(void **state)
{
	static const char *const hdrs[] = { "From", "a@supplier-corp.example",
	    "List-Id", "<talk.lists.example>", "Resent-From",
	    "x@fwd.example", "Sender", "y@lists.example", NULL };
	struct fixture *f = *state;
	struct sender_context ctx;
	struct evaluation e;
	struct message *m = msg_with(hdrs);
	struct dkim_sig_result sigs[2];
	struct state_signer hs[2];

	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = f->cfg;
	ctx.orgdomain = f->psl;
	ctx.index = f->ix;
	base_eval(f, m, "supplier-corp.example", &e);
	/* The list (and Sender) and the forwarder each signed: all three
	 * vouched for, still only one lowers (the list's signature made the
	 * relay an authenticated one already: the Resent one lowers). */
	memset(sigs, 0, sizeof(sigs));
	sigs[0].result = sigs[1].result = AUTH_PASS;
	sigs[0].domain = "lists.example";
	sigs[1].domain = "fwd.example";
	e.dkim.sigs = sigs;
	e.dkim.count = 2;
	memset(hs, 0, sizeof(hs));
	hs[0].known = hs[1].known = 1;	/* signers the admin trusted */
	e.sender.history.signers = hs;
	e.sender.history.nsigners = 2;
	assert_int_equal(sender_signals(&ctx, m, &e), 0);
	assert_int_equal(sender_score(&ctx, m, &e), 0);
	assert_int_equal(e.verdict.nreasons, 2);
	assert_string_equal(e.verdict.reasons[0].rule, "new_relay");
	assert_string_equal(e.verdict.reasons[1].rule, "resent");
	assert_int_equal(e.verdict.score, 0);
	message_free(m);
}

/* Issue 8 item 6: the forwarder reduction.  A forger spoofing a known
 * sender from their own relay, with an SRS0= MAIL FROM or a MAIL FROM at
 * their own SPF-passing domain, gets the full new-relay score; a
 * configured forwarder's SPF pass, or the forwarder's own aligned DKIM
 * signature, earns the reduction. */
struct fwcase {
	const char *name;
	const char *mail_from;
	const char *fcrdns;		/* the relay's confirmed name */
	const char *signer;		/* a passing d=, known to the history */
	int signer_known;
	int trusted;			/* trusted_forwarders = pobox.example */
	const char *want;
	int score;
};

static const struct fwcase fwcases[] = {
	{ "SRS0 MAIL FROM at the forger's own SPF-passing domain",
	  "<SRS0=HhH1=XY=supplier-corp.example=a@forger.example>", NULL,
	  NULL, 0, 0, "new_relay_unauthenticated=10", 10 },
	{ "MAIL FROM at the forger's domain, relay named in it",
	  "<bounce@forger.example>", "mx.forger.example", NULL, 0, 0,
	  "new_relay_unauthenticated=10", 10 },
	{ "the forger lists itself?  only the configured one counts",
	  "<SRS0=HhH1=XY=supplier-corp.example=a@forger.example>", NULL,
	  NULL, 0, 1, "new_relay_unauthenticated=10", 10 },
	{ "a configured forwarder's SPF pass earns the reduction",
	  "<SRS0=HhH1=XY=supplier-corp.example=a@pobox.example>", NULL,
	  NULL, 0, 1, "new_relay_unauthenticated=10,forwarder=-5", 5 },
	{ "a configured forwarder, relay named in it",
	  "<bounce@fwd.pobox.example>", "mx1.pobox.example", NULL, 0, 1,
	  "new_relay_unauthenticated=10,forwarder=-5", 5 },
	{ "a forwarder signing as itself (signer trusted for the sender)",
	  "<SRS0=HhH1=XY=supplier-corp.example=a@fwd.example>", NULL,
	  "fwd.example", 1, 0, "new_relay_unauthenticated=10,forwarder=-5",
	  5 },
	{ "a forger signing as itself: a new signer, still held",
	  "<SRS0=HhH1=XY=supplier-corp.example=a@forger.example>", NULL,
	  "forger.example", 0, 0, "new_relay_unauthenticated=10,"
	  "new_signer_unauthenticated=6,forwarder=-5", 11 },
	{ "a signature of another domain vouches for nothing",
	  "<SRS0=HhH1=XY=supplier-corp.example=a@forger.example>", NULL,
	  "fwd.example", 1, 0, "new_relay_unauthenticated=10", 10 },
};

static void
test_forwarder_needs_an_authenticated_forwarder(void **state)
{
	static const char *const hdrs[] = { "From", "a@supplier-corp.example",
	    NULL };
	struct fixture *f = *state;
	char *trusted[1] = { (char *)"pobox.example" };
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
	for (i = 0; i < sizeof(fwcases) / sizeof(fwcases[0]); i++) {
		const struct fwcase *c = &fwcases[i];
		struct message *m = msg_with(hdrs);

		assert_int_equal(message_set_mail_from(m, c->mail_from), 0);
		base_eval(f, m, "supplier-corp.example", &e);
		e.spf.result = AUTH_PASS;	/* for the envelope domain */
		e.sender.fcrdns = c->fcrdns;
		memset(&sig, 0, sizeof(sig));
		memset(&hs, 0, sizeof(hs));
		if (c->signer != NULL) {
			sig.result = AUTH_PASS;
			sig.domain = c->signer;
			e.dkim.sigs = &sig;
			e.dkim.count = 1;
			hs.name = c->signer;
			hs.known = c->signer_known;
			e.sender.history.signers = &hs;
			e.sender.history.nsigners = 1;
		}
		f->cfg->trusted_forwarders = c->trusted ? trusted : NULL;
		f->cfg->n_trusted_forwarders = c->trusted ? 1 : 0;
		assert_int_equal(sender_signals(&ctx, m, &e), 0);
		assert_int_equal(sender_score(&ctx, m, &e), 0);
		if (!(e.sender.ident.flags & (1u << IDENT_FORWARDER)))
			fail_msg("%s: no forwarder signal", c->name);
		reasons_text(&e.verdict, got, sizeof(got));
		if (strcmp(got, c->want) != 0 || e.verdict.score != c->score)
			fail_msg("%s: got \"%s\" score %d, want \"%s\" score %d",
			    c->name, got, e.verdict.score, c->want, c->score);
		message_free(m);
	}
	f->cfg->trusted_forwarders = NULL;
	f->cfg->n_trusted_forwarders = 0;
}

static void
test_held_messages_do_not_teach(void **state)
{
	static const char *const clean[] = { "From", "a@supplier-corp.example",
	    NULL };
	static const char *const look[] = { "From", "a@0urorg.example",
	    NULL };
	struct fixture *f = *state;
	struct sender_context ctx;
	struct evaluation e;
	struct message *m;

	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = f->cfg;
	ctx.orgdomain = f->psl;
	ctx.index = f->ix;
	f->cfg->tag_score = 5;
	f->cfg->quarantine_score = 10;
	f->cfg->reject_score = 0;

	m = msg_with(clean);
	base_eval(f, m, "supplier-corp.example", &e);
	assert_int_equal(sender_signals(&ctx, m, &e), 0);
	assert_int_equal(sender_teachable(&ctx, m, &e), 0); /* not auth */
	e.sender.authenticated = 1;
	assert_int_equal(sender_teachable(&ctx, m, &e), 1);
	/* a score at the quarantine threshold already */
	assert_int_equal(verdict_add(&e.verdict, m->arena,
	    RULE_ATTACH_BANNED_EXTENSION, 10, NULL), 0);
	assert_int_equal(sender_teachable(&ctx, m, &e), 0);
	message_free(m);

	m = msg_with(clean);
	base_eval(f, m, "supplier-corp.example", &e);
	e.sender.authenticated = 1;
	verdict_require(&e.verdict, VERDICT_QUARANTINE);	/* hard rule */
	assert_int_equal(sender_teachable(&ctx, m, &e), 0);
	message_free(m);

	/* An authenticated lookalike never becomes a correspondent. */
	m = msg_with(look);
	base_eval(f, m, "0urorg.example", &e);
	e.sender.authenticated = 1;
	assert_int_equal(sender_signals(&ctx, m, &e), 0);
	assert_int_equal(e.verdict.score, 10);
	assert_int_equal(sender_teachable(&ctx, m, &e), 0);
	message_free(m);
}

/* "rule=score,..." of v, what-if rules marked "?". */
static void
reasons_text(const struct verdict *v, char *buf, size_t len)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < v->nreasons && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s%s=%d",
		    i ? "," : "", v->reasons[i].whatif ? "?" : "",
		    v->reasons[i].rule, v->reasons[i].score);
}

static void
run_case(struct fixture *f, const struct scase *c)
{
	struct sender_context ctx;
	struct evaluation e;
	struct message *m;
	struct dkim_sig_result sig;
	struct state_signer hs;
	const char *at, *org;
	char got[512];
	int r;

	memset(&e, 0, sizeof(e));
	memset(&sig, 0, sizeof(sig));
	memset(&hs, 0, sizeof(hs));
	assert_non_null(m = message_new(100, 65536));
	assert_int_not_equal(message_add_header(m, "From", c->from), -1);
	if (c->hname != NULL)
		assert_int_not_equal(message_add_header(m, c->hname,
		    c->hvalue), -1);
	f->cfg->partners = c->partner ? &f->partner : NULL;
	f->cfg->npartners = c->partner ? 1 : 0;
	f->cfg->state_unavailable_tempfail = c->tempfail;
	memset(f->cfg->rule_dry_run, 0, sizeof(f->cfg->rule_dry_run));
	if (c->dry != NULL)
		f->cfg->rule_dry_run[rules_lookup(c->dry)] = 1;

	/* the last address's domain, without the closing '>' */
	at = arena_strndup(m->arena, strrchr(c->from, '@') + 1,
	    strcspn(strrchr(c->from, '@') + 1, ">"));
	org = orgdomain_get(f->psl, at, m->arena);
	e.dmarc.from_domain = at;
	e.dmarc.org_domain = org;
	e.dmarc.dkim_aligned = c->dkim_aligned;
	e.dmarc.spf_aligned = c->spf_aligned;
	e.dmarc.dkim_domain = c->dkim_aligned ? c->signer : NULL;
	e.relay.ip = c->ip;
	if (c->signer != NULL) {
		sig.result = AUTH_PASS;
		sig.domain = c->signer;
		e.dkim.sigs = &sig;
		e.dkim.count = 1;
	}
	if (c->pre != NULL)
		assert_int_equal(verdict_add(&e.verdict, m->arena,
		    (enum rule)rules_lookup(c->pre), c->pre_score, NULL), 0);

	e.sender.domain = org;
	e.sender.authenticated = c->dkim_aligned || c->spf_aligned;
	e.sender.partner = sender_partner(f->cfg, org);
	e.sender.infra = "net:test";
	e.sender.state = c->state;
	if (c->state == SENDER_STATE_AVAILABLE) {
		e.sender.history.available = 1;
		e.sender.history.seen = c->seen;
		e.sender.history.domain_known = c->domain_known;
		e.sender.history.infra_known = c->infra_known;
		if (c->signer != NULL) {
			hs.name = c->signer;
			hs.known = c->signer_known;
			e.sender.history.signers = &hs;
			e.sender.history.nsigners = 1;
		}
	}

	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = f->cfg;
	ctx.orgdomain = f->psl;
	ctx.index = f->ix;
	assert_int_equal(sender_signals(&ctx, m, &e), 0);
	r = sender_score(&ctx, m, &e);
	assert_int_equal(r, 0);
	reasons_text(&e.verdict, got, sizeof(got));
	if (strcmp(got, c->want) != 0 || e.verdict.score != c->score ||
	    e.verdict.hard != c->hard)
		fail_msg("%s: got \"%s\" score %d hard %d, want \"%s\" score "
		    "%d hard %d", c->name, got, e.verdict.score,
		    e.verdict.hard, c->want, c->score, c->hard);
	if (c->state == SENDER_STATE_UNAVAILABLE)
		assert_string_equal(e.verdict.state, "unavailable");
	else
		assert_null(e.verdict.state);
	f->cfg->partners = NULL;
	f->cfg->npartners = 0;
	message_free(m);
}

static void
test_scoring_table(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(*state, &cases[i]);
}

static void
test_partner_lookup_is_by_organisational_domain(void **state)
{
	struct fixture *f = *state;

	f->cfg->partners = &f->partner;
	f->cfg->npartners = 1;
	assert_non_null(sender_partner(f->cfg, "partner.example"));
	assert_non_null(sender_partner(f->cfg, "PARTNER.example"));
	assert_null(sender_partner(f->cfg, "partner.example.net"));
	assert_null(sender_partner(f->cfg, NULL));
	f->cfg->partners = NULL;
	f->cfg->npartners = 0;
}

static void
test_recipient_thresholds_take_the_strictest(void **state)
{
	static const struct {
		const char *rcpts[3];
		unsigned want[3];
	} t[] = {
		{ { "<someone@ourorg.example>", NULL, NULL }, { 5, 10, 0 } },
		{ { "<CEO@ourorg.example>", NULL, NULL }, { 2, 4, 0 } },
		{ { "<a@board.ourorg.example>", "<b@ourorg.example>", NULL },
		  { 2, 4, 0 } },
		{ { "<a@sub.board.ourorg.example>", NULL, NULL },
		  { 5, 10, 0 } },
		{ { "ceo@ourorg.example", NULL, NULL }, { 2, 4, 0 } },
		{ { "<ceo@ourorg.example.evil>", NULL, NULL }, { 5, 10, 0 } },
	};
	struct fixture *f = *state;
	struct thresholds thr;
	unsigned got[3];
	size_t i, j;

	f->cfg->rcpt_policies = &f->rp;
	f->cfg->nrcpt_policies = 1;
	f->cfg->tag_score = 5;
	f->cfg->quarantine_score = 10;
	f->cfg->reject_score = 0;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct message *m = message_new(10, 1000);

		assert_non_null(m);
		for (j = 0; j < 3 && t[i].rcpts[j] != NULL; j++)
			assert_int_equal(message_add_rcpt(m, t[i].rcpts[j]),
			    0);
		verdict_thresholds(f->cfg, m, &thr);
		got[0] = thr.tag;
		got[1] = thr.quarantine;
		got[2] = thr.reject;
		for (j = 0; j < 3; j++)
			if (got[j] != t[i].want[j])
				fail_msg("case %zu threshold %zu: %u, want %u",
				    i, j, got[j], t[i].want[j]);
		message_free(m);
	}
	/* A group's reject threshold applies even when the global one is
	 * "never". */
	f->rp.reject_score = 20;
	{
		struct message *m = message_new(10, 1000);

		assert_int_equal(message_add_rcpt(m, "<ceo@ourorg.example>"),
		    0);
		verdict_thresholds(f->cfg, m, &thr);
		assert_int_equal(thr.reject, 20);
		message_free(m);
	}
	f->rp.reject_score = 0;
	f->cfg->rcpt_policies = NULL;
	f->cfg->nrcpt_policies = 0;
}

/* The header value unfolded (RFC 5322 2.2.3), in buf. */
static const char *
unfold(const char *h, char *buf, size_t len)
{
	size_t n = 0;

	for (; *h != '\0' && n + 1 < len; h++) {
		if (*h == '\r' || *h == '\n')
			continue;
		buf[n++] = *h == '\t' ? ' ' : *h;
	}
	buf[n] = '\0';
	return buf;
}

static void
test_header_shows_whatif_and_state(void **state)
{
	struct arena *a = arena_new();
	struct verdict v;
	const char *h;
	char buf[256];

	(void)state;
	memset(&v, 0, sizeof(v));
	assert_int_equal(verdict_add(&v, a, RULE_SPF_FAIL, 3, NULL), 0);
	assert_int_equal(verdict_add_whatif(&v, a, RULE_NEW_RELAY, 2, NULL),
	    0);
	v.state = "unavailable";
	verdict_decide(&v, &(struct thresholds){ 5, 10, 0 });
	assert_int_equal(v.score, 3);
	assert_non_null(h = verdict_header(&v, a));
	assert_string_equal(unfold(h, buf, sizeof(buf)), "action=accept; "
	    "score=3; reasons=spf_fail; whatif=new_relay; state=unavailable");
	v.state = NULL;
	assert_string_equal(verdict_header(&v, a), "action=accept; score=3; "
	    "reasons=spf_fail; whatif=new_relay");
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scoring_table),
		cmocka_unit_test(test_partner_lookup_is_by_organisational_domain),
		cmocka_unit_test(test_explaining_headers_do_not_stack),
		cmocka_unit_test(test_held_messages_do_not_teach),
		cmocka_unit_test(
		    test_forwarder_needs_an_authenticated_forwarder),
		cmocka_unit_test(test_recipient_thresholds_take_the_strictest),
		cmocka_unit_test(test_header_shows_whatif_and_state),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
