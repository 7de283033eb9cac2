/*
 * test_confsender.c - the sender settings of config.c (issue 4):
 * state_unavailable_tempfail, state_known_refresh_s, infra_v4/v6_prefix,
 * protected_domains, people, partners, recipient_policies, dry_run_rules,
 * tag_subject.  Defaults, a file setting every field, good values as
 * config_dump writes them back, load -> dump -> load round trips, and the
 * example config's commented examples.  Bad values: test_confbad.c.
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
#include <unistd.h>

#include "config/config.h"
#include "conffix.h"
#include "rules/rules.h"

static void
sender_defaults_are_documented_values(void **state)
{
	struct config *c = config_default();
	size_t i;

	assert_non_null(c);
	assert_int_equal(c->state_unavailable_tempfail, 0);
	assert_int_equal(c->state_known_refresh_s, 60);
	assert_int_equal(c->infra_v4_prefix, 24);
	assert_int_equal(c->infra_v6_prefix, 48);
	assert_int_equal(c->n_protected_domains, 0);
	assert_null(c->protected_domains);
	assert_int_equal(c->n_trusted_forwarders, 0);
	assert_null(c->trusted_forwarders);
	assert_int_equal(c->npeople, 0);
	assert_null(c->people);
	assert_int_equal(c->npartners, 0);
	assert_null(c->partners);
	assert_int_equal(c->nrcpt_policies, 0);
	assert_null(c->rcpt_policies);
	for (i = 0; i < RULE_COUNT; i++)
		assert_int_equal(c->rule_dry_run[i], 0);
	assert_string_equal(c->tag_subject, "");
	config_free(c);
}

static struct config *
load_data(const char *name)
{
	struct config *c;
	char path[600], err[512];

	snprintf(path, sizeof(path), "%s/tests/unit/data/%s", conffix_srcdir(), name);
	if (config_load(path, &c, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	return c;
}

static void
sender_file_sets_every_field(void **state)
{
	struct config *c = load_data("config_sender.conf");
	const struct config_partner *p;
	const struct config_rcpt_policy *r;
	char buf[64];
	size_t i;

	assert_int_equal(c->state_unavailable_tempfail, 1);
	assert_int_equal(c->state_known_refresh_s, 0);
	assert_int_equal(c->infra_v4_prefix, 16);
	assert_int_equal(c->infra_v6_prefix, 64);
	assert_int_equal(c->n_protected_domains, 3);
	assert_string_equal(c->protected_domains[0], "ourorg.example");
	assert_string_equal(c->protected_domains[1], "xn--bcher-kva.example");
	assert_string_equal(c->protected_domains[2], "xn--caf-dma.example");
	assert_int_equal(c->n_trusted_forwarders, 1);
	assert_string_equal(c->trusted_forwarders[0], "pobox.example");

	assert_int_equal(c->npeople, 2);
	assert_string_equal(c->people[0].name, "Jane Doe");
	assert_int_equal(c->people[0].naddresses, 3);
	assert_string_equal(c->people[0].addresses[0],
	    "jane.doe@ourorg.example");
	assert_string_equal(c->people[0].addresses[1], "ourorg.example");
	assert_string_equal(c->people[0].addresses[2], "jane.example");
	assert_string_equal(c->people[1].name, "Jos\xc3\xa9 \xc3\x91\xc3\xba"
	    "\xc3\xb1" "ez");
	assert_int_equal(c->people[1].naddresses, 0);
	assert_null(c->people[1].addresses);

	assert_int_equal(c->npartners, 2);
	p = &c->partners[0];
	assert_string_equal(p->domain, "partner.example");
	assert_int_equal(p->nrelay_nets, 3);
	net_cidr_format(&p->relay_nets[1], buf, sizeof(buf));
	assert_string_equal(buf, "2001:db8::/32");
	net_cidr_format(&p->relay_nets[2], buf, sizeof(buf));
	assert_string_equal(buf, "192.0.2.7/32");
	assert_int_equal(p->nrelay_orgs, 1);
	assert_string_equal(p->relay_orgs[0], "mailhost.example.net");
	assert_int_equal(p->nsigners, 2);
	assert_string_equal(p->signers[1], "esp.example");
	assert_int_equal(p->must_align, 1);
	p = &c->partners[1];
	assert_int_equal(p->nrelay_nets, 0);
	assert_int_equal(p->nrelay_orgs, 1);
	assert_int_equal(p->nsigners, 0);
	assert_int_equal(p->must_align, 0);

	/* thresholds left out are the global ones, set after the groups */
	assert_int_equal(c->nrcpt_policies, 2);
	r = &c->rcpt_policies[0];
	assert_int_equal(r->nrecipients, 2);
	assert_string_equal(r->recipients[0], "ceo@ourorg.example");
	assert_string_equal(r->recipients[1], "@board.ourorg.example");
	assert_int_equal(r->tag_score, 3);
	assert_int_equal(r->quarantine_score, 6);
	assert_int_equal(r->reject_score, 20);
	r = &c->rcpt_policies[1];
	assert_int_equal(r->tag_score, 2);
	assert_int_equal(r->quarantine_score, 4);
	assert_int_equal(r->reject_score, 9);

	for (i = 0; i < RULE_COUNT; i++)
		assert_int_equal(c->rule_dry_run[i], i == RULE_NEW_RELAY ||
		    i == RULE_FIRST_CONTACT || i == RULE_DISPLAY_PERSON);
	assert_string_equal(c->tag_subject, "[SUSPICIOUS] ");
	config_free(c);
}

/* Load, dump, load the dump: the same dump; and the dump of the dump
 * loads to the same fields. */
static void
sender_dump_reloads_to_same_dump(void **state)
{
	struct config *c = load_data("config_sender.conf"), *r;
	char again[600], err[512], *d1, *d2;

	d1 = conffix_dump(c);
	conffix_write("sender-again.conf", d1, again, sizeof(again));
	if (config_load(again, &r, err, sizeof(err)) != 0)
		fail_msg("reload: %s\n%s", err, d1);
	d2 = conffix_dump(r);
	assert_string_equal(conffix_body(d1), conffix_body(d2));
	assert_int_equal(r->npartners, 2);
	assert_int_equal(r->partners[0].nrelay_nets, 3);
	assert_int_equal(r->partners[0].nrelay_orgs, 1);
	assert_int_equal(r->rcpt_policies[0].reject_score, 20);
	assert_int_equal(r->rule_dry_run[RULE_DISPLAY_PERSON], 1);
	free(d1);
	free(d2);
	config_free(c);
	config_free(r);
}

/* A good file and a line its dump must hold. */
static const struct good_case {
	const char *behaviour, *text, *want;
} good_cases[] = {
	{ "tempfail switch", "state_unavailable_tempfail = true;\n",
	    "state_unavailable_tempfail = true;\n" },
	{ "refresh 0 = only at start", "state_known_refresh_s = 0;\n",
	    "state_known_refresh_s = 0;\n" },
	{ "refresh at its limit", "state_known_refresh_s = 86400;\n",
	    "state_known_refresh_s = 86400;\n" },
	{ "v4 prefix limits", "infra_v4_prefix = 8;\ninfra_v6_prefix = 128;\n",
	    "infra_v4_prefix = 8;\ninfra_v6_prefix = 128;\n" },
	{ "v4 prefix high, v6 low",
	    "infra_v4_prefix = 32;\ninfra_v6_prefix = 16;\n",
	    "infra_v4_prefix = 32;\ninfra_v6_prefix = 16;\n" },
	{ "domains lower-cased, IDN to A-labels",
	    "protected_domains = [ \"OurOrg.EXAMPLE\", \"B\xc3\xbc"
	    "cher.example\" ];\n",
	    "protected_domains = [ \"ourorg.example\", "
	    "\"xn--bcher-kva.example\" ];\n" },
	{ "fullwidth dot mapped by UTS #46",
	    "protected_domains = [ \"b\xc3\xbc" "cher\xef\xbc\x8e" "example\" "
	    "];\n",
	    "protected_domains = [ \"xn--bcher-kva.example\" ];\n" },
	{ "A-label written by hand kept",
	    "protected_domains = [ \"XN--CAF-DMA.example\" ];\n",
	    "protected_domains = [ \"xn--caf-dma.example\" ];\n" },
	{ "hyphens inside labels", "protected_domains = [ \"a-b--c.ex-ample\" "
	    "];\n", "protected_domains = [ \"a-b--c.ex-ample\" ];\n" },
	{ "people empty in ( )", "people = ();\n", "people = ();\n" },
	{ "people empty in [ ]", "people = [];\n", "people = ();\n" },
	{ "person without addresses", "people = ( { name = \"Jane\"; } );\n",
	    "\t{ name = \"Jane\"; addresses = []; }\n" },
	{ "person address forms",
	    "people = ( { name = \"J\"; addresses = [ \"J@OurOrg.example\", "
	    "\"@OurOrg.example\", \"x.example\" ]; } );\n",
	    "addresses = [ \"j@ourorg.example\", \"ourorg.example\", "
	    "\"x.example\" ]; }\n" },
	{ "person name in UTF-8 as written",
	    "people = ( { name = \"Jos\xc3\xa9 \xc3\x91" "u\xc3\xb1" "ez\"; "
	    "} );\n",
	    "{ name = \"Jos\xc3\xa9 \xc3\x91u\xc3\xb1" "ez\";" },
	{ "person name in CJK", "people = ( { name = \"\xe7\x8e\x8b\xe5\xb0"
	    "\x8f\xe6\x98\x8e\"; } );\n", "{ name = \"\xe7\x8e\x8b\xe5\xb0"
	    "\x8f\xe6\x98\x8e\";" },
	{ "person local part with atext",
	    "people = ( { name = \"J\"; addresses = [ \"j.o+tag_x@a.example\" "
	    "]; } );\n", "addresses = [ \"j.o+tag_x@a.example\" ]; }" },
	{ "partner relays: networks first, then names",
	    "partners = ( { domain = \"p.example\"; relays = [ "
	    "\"Mx.P.example\", \"192.0.2.9/24\", \"::1\" ]; } );\n",
	    "{ domain = \"p.example\"; relays = [ \"192.0.2.0/24\", "
	    "\"::1/128\", \"mx.p.example\" ]; signers = []; "
	    "must_align = false; }\n" },
	{ "partner must_align", "partners = ( { domain = \"p.example\"; "
	    "must_align = true; signers = [ \"ESP.example\" ]; } );\n",
	    "signers = [ \"esp.example\" ]; must_align = true; }\n" },
	{ "two partners", "partners = ( { domain = \"a.example\"; }, "
	    "{ domain = \"b.example\"; } );\n",
	    "must_align = false; },\n\t{ domain = \"b.example\";" },
	{ "recipient forms lower-cased",
	    "recipient_policies = ( { recipients = [ \"CEO@OurOrg.example\", "
	    "\"@Board.example\" ]; } );\n",
	    "recipients = [ \"ceo@ourorg.example\", \"@board.example\" ];" },
	{ "thresholds left out are the globals",
	    "recipient_policies = ( { recipients = [ \"@a.example\" ]; "
	    "quarantine_score = 6; } );\ntag_score = 4;\n",
	    "tag_score = 4; quarantine_score = 6; reject_score = 0; }" },
	{ "a threshold of 0 given stays 0",
	    "tag_score = 7;\nrecipient_policies = ( { recipients = "
	    "[ \"@a.example\" ]; tag_score = 0; } );\n",
	    "tag_score = 0; quarantine_score = 10; reject_score = 0; }" },
	{ "threshold limits", "recipient_policies = ( { recipients = "
	    "[ \"@a.example\" ]; tag_score = 0; reject_score = 100000; } );\n",
	    "tag_score = 0; quarantine_score = 10; reject_score = 100000; }" },
	{ "same key twice on one line, different values",
	    "recipient_policies = ( { recipients = [ \"@a.example\" ]; "
	    "tag_score = 3; }, { recipients = [ \"@b.example\" ]; "
	    "tag_score = 4; } );\n",
	    "\"@b.example\" ]; tag_score = 4;" },
	{ "dry-run rules in table order",
	    "dry_run_rules = [ \"new_relay\", \"first_contact\", "
	    "\"new_relay\" ];\n",
	    "dry_run_rules = [ \"first_contact\", \"new_relay\" ];\n" },
	{ "dry-run rules empty", "dry_run_rules = [];\n",
	    "dry_run_rules = [];\n" },
	{ "dry-run rule of the authentication set",
	    "dry_run_rules = ( \"spf_fail\" );\n",
	    "dry_run_rules = [ \"spf_fail\" ];\n" },
	{ "subject tag in UTF-8",
	    "tag_subject = \"[Verd\xc3\xa4" "chtig] \";\n",
	    "tag_subject = \"[Verd\xc3\xa4" "chtig] \";\n" },
	{ "subject tag with quotes", "tag_subject = \"\\\"ext\\\" \";\n",
	    "tag_subject = \"\\\"ext\\\" \";\n" },
};

static void
good_sender_values_load_and_dump(void **state)
{
	const struct good_case *g;
	struct config *c;
	char path[600], err[512], *d;
	size_t i;

	for (i = 0; i < sizeof(good_cases) / sizeof(good_cases[0]); i++) {
		g = &good_cases[i];
		conffix_write("good.conf", g->text, path, sizeof(path));
		if (config_load(path, &c, err, sizeof(err)) != 0)
			fail_msg("%s: %s", g->behaviour, err);
		d = conffix_dump(c);
		if (strstr(d, g->want) == NULL)
			fail_msg("%s: dump lacks \"%s\":\n%s", g->behaviour,
			    g->want, d);
		free(d);
		config_free(c);
	}
}

/* The example config's commented examples of the sender settings
 * ("# people = (" ... "# );"), uncommented, load. */
static void
shipped_examples_of_sender_settings_load(void **state)
{
	static const char *const names[] = { "protected_domains", "people",
	    "partners", "recipient_policies", "dry_run_rules", "tag_subject" };
	char path[600], err[1024], line[512], *text;
	struct config *c;
	size_t i, len = 0, found = 0;
	int in = 0, depth = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/contrib/relaywarden.conf", conffix_srcdir());
	assert_non_null(fp = fopen(path, "r"));
	assert_non_null(text = calloc(1, 16384));
	while (fgets(line, sizeof(line), fp) != NULL) {
		for (i = 0; !in && i < sizeof(names) / sizeof(names[0]); i++) {
			size_t n = strlen(names[i]);

			if (strncmp(line, "# ", 2) == 0 &&
			    strncmp(line + 2, names[i], n) == 0 &&
			    strncmp(line + 2 + n, " = ", 3) == 0) {
				in = 1;
				found++;
			}
		}
		if (!in)
			continue;
		assert_true(line[0] == '#');
		assert_true(len + strlen(line) < 16384);
		strcpy(text + len, line + (line[1] == ' ' ? 2 : 1));
		len += strlen(text + len);
		/* the statement ends with ';' outside brackets */
		for (i = 0; line[i] != '\0'; i++)
			depth += strchr("([{", line[i]) != NULL ? 1 :
			    strchr(")]}", line[i]) != NULL ? -1 : 0;
		if (depth == 0 && strstr(line, ";\n") != NULL)
			in = 0;
	}
	fclose(fp);
	assert_int_equal(found, 6);
	conffix_write("examples.conf", text, path, sizeof(path));
	if (config_load(path, &c, err, sizeof(err)) != 0)
		fail_msg("%s\n%s", err, text);
	assert_int_equal(c->n_protected_domains, 3);
	assert_int_equal(c->npeople, 2);
	assert_int_equal(c->npartners, 1);
	assert_int_equal(c->partners[0].nrelay_nets, 2);
	assert_int_equal(c->partners[0].nrelay_orgs, 1);
	assert_int_equal(c->nrcpt_policies, 1);
	assert_int_equal(c->rule_dry_run[RULE_DISPLAY_PERSON], 1);
	assert_string_equal(c->tag_subject, "[SUSPICIOUS] ");
	free(text);
	config_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sender_defaults_are_documented_values),
		cmocka_unit_test(sender_file_sets_every_field),
		cmocka_unit_test(sender_dump_reloads_to_same_dump),
		cmocka_unit_test(good_sender_values_load_and_dump),
		cmocka_unit_test(shipped_examples_of_sender_settings_load),
	};

	return cmocka_run_group_tests(tests, conffix_setup, conffix_teardown);
}
