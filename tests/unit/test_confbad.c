/*
 * test_confbad.c - the sender settings of config.c refused: each bad
 * value with its exact "FILE:LINE: setting: problem", the caps at their
 * limit and one past (domain labels and names, person names, local parts,
 * the Subject tag), and messages kept to one line.  Good values:
 * test_confsender.c.
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

#define DOMAIN_RULES	"letters, digits and hyphens in labels of 1 to 63, " \
	"separated by dots"
#define LOCAL_RULES	"a local part of at most 64 letters, digits, dots " \
	"or !#$%&'*+-/=?^_`{|}~"
#define CTL_RULES	"printable characters only (no control, format or " \
	"line break characters)"

/* Each bad file: the line and the exact message after "PATH:LINE: ". */
static const struct bad_case {
	const char *behaviour, *text;
	unsigned line;
	const char *msg;
} bad_cases[] = {
	/* daemon hygiene (issue 8, item 10) and the Redis reply cap */
	{ "allow_root given a number", "allow_root = 1;\n", 1,
	    "allow_root: must be true or false" },
	{ "daemon_landlock given a word", "daemon_landlock = \"off\";\n",
	    1, "daemon_landlock: must be true or false" },
	{ "milter timeout zero", "milter_timeout_s = 0;\n", 1,
	    "milter_timeout_s: out of range 1 to 7210" },
	{ "milter timeout past libmilter's default",
	    "milter_timeout_s = 7211;\n", 1,
	    "milter_timeout_s: out of range 1 to 7210" },
	{ "no connections", "max_connections = 0;\n", 1,
	    "max_connections: out of range 1 to 65535" },
	{ "header bytes below one header's worth",
	    "max_message_header_bytes = 16383;\n", 1,
	    "max_message_header_bytes: out of range 16384 to 1073741824" },
	{ "redis reply cap below 64 KiB", "redis_max_reply_bytes = 65535;\n",
	    1, "redis_max_reply_bytes: out of range 65536 to 1073741824" },
	{ "tempfail given a number", "state_unavailable_tempfail = 1;\n", 1,
	    "state_unavailable_tempfail: must be true or false" },
	{ "refresh past its limit", "\nstate_known_refresh_s = 86401;\n", 2,
	    "state_known_refresh_s: out of range 0 to 86400" },
	{ "refresh wrapped by libconfig into range",
	    "state_known_refresh_s = 4294967356;\n", 1,
	    "state_known_refresh_s: out of range 0 to 86400" },
	{ "refresh negative", "state_known_refresh_s = -1;\n", 1,
	    "state_known_refresh_s: out of range 0 to 86400" },
	{ "v4 prefix below", "infra_v4_prefix = 7;\n", 1,
	    "infra_v4_prefix: out of range 8 to 32" },
	{ "v4 prefix above", "infra_v4_prefix = 33;\n", 1,
	    "infra_v4_prefix: out of range 8 to 32" },
	{ "v6 prefix below", "infra_v6_prefix = 15;\n", 1,
	    "infra_v6_prefix: out of range 16 to 128" },
	{ "v6 prefix above", "infra_v6_prefix = 129;\n", 1,
	    "infra_v6_prefix: out of range 16 to 128" },
	{ "v6 prefix a string", "infra_v6_prefix = \"48\";\n", 1,
	    "infra_v6_prefix: must be a whole number from 16 to 128" },

	{ "protected domain without a dot",
	    "protected_domains = [ \"localhost\" ];\n", 1,
	    "protected_domains: \"localhost\": a domain name here has at "
	    "least one dot" },
	{ "protected domain with underscore",
	    "protected_domains = [ \"_dmarc.example\" ];\n", 1,
	    "protected_domains: \"_dmarc.example\" is not a domain name ("
	    DOMAIN_RULES ")" },
	{ "protected domain with a space, on its line",
	    "protected_domains = [\n  \"ok.example\",\n  \"exa mple.com\"\n"
	    "];\n",
	    3, "protected_domains: \"exa mple.com\" is not a domain name ("
	    DOMAIN_RULES ")" },
	{ "protected domain label ending in hyphen",
	    "protected_domains = [ \"ex-.example\" ];\n", 1,
	    "protected_domains: \"ex-.example\" is not a domain name ("
	    DOMAIN_RULES ")" },
	{ "protected domain empty label",
	    "protected_domains = [ \"a..example\" ];\n", 1,
	    "protected_domains: \"a..example\" is not a domain name ("
	    DOMAIN_RULES ")" },
	{ "protected domain trailing dot",
	    "protected_domains = [ \"example.com.\" ];\n", 1,
	    "protected_domains: \"example.com.\": write it without the "
	    "trailing dot" },
	{ "protected domain is an address",
	    "protected_domains = [ \"192.0.2.1\" ];\n", 1,
	    "protected_domains: \"192.0.2.1\" is not a domain name (an "
	    "address?)" },
	{ "protected domain empty", "protected_domains = [ \"\" ];\n", 1,
	    "protected_domains: a domain name must not be empty" },
	{ "protected domain: broken punycode",
	    "protected_domains = [ \"xn--a.example\" ];\n", 1,
	    "protected_domains: \"xn--a.example\": an xn-- label does not "
	    "decode (RFC 5890 A-label)" },
	{ "protected domain: bidi override is no IDN",
	    "protected_domains = [ \"ex\xe2\x80\xaemple.com\" ];\n", 1,
	    "protected_domains: \"ex\xe2\x80\xaemple.com\" is not a valid "
	    "internationalised domain name (UTS #46)" },
	{ "protected domain: invalid UTF-8",
	    "protected_domains = [ \"b\\xfccher.example\" ];\n", 1,
	    "protected_domains: \"b\xfc" "cher.example\" is not a valid "
	    "internationalised domain name (UTS #46)" },
	{ "protected domains given a string",
	    "protected_domains = \"ourorg.example\";\n", 1,
	    "protected_domains: must be a list of strings, such as "
	    "[\"a\", \"b\"]" },

	{ "people given a group", "people = { name = \"J\"; };\n", 1,
	    "people: must be a list of groups in ( ), such as ( { name = "
	    "\"Jane Doe\"; addresses = [ \"jane@ourorg.example\" ]; } )" },
	{ "people given strings", "people = ( \"Jane\" );\n", 1,
	    "people: element 1 is not a group in { }" },
	{ "person without a name, on the group's line",
	    "people = (\n  { name = \"A\"; },\n  {\n    addresses = [ "
	    "\"a@b.example\" ];\n  }\n);\n", 3,
	    "people: name is required in each group" },
	{ "person with an unknown key on its line",
	    "people = ( {\n  name = \"J\";\n  mail = \"j@a.example\";\n} );\n",
	    3, "people: mail: unknown key (the keys are name, addresses)" },
	{ "person name without a letter",
	    "people = ( { name = \"1234 !\"; } );\n", 1,
	    "people: name: a name has at least one letter" },
	{ "person name empty", "people = ( { name = \"\"; } );\n", 1,
	    "people: name: a name has at least one letter" },
	{ "person name with a newline",
	    "people = ( { name = \"Jane\\nDoe\"; } );\n", 1,
	    "people: name: control characters are not allowed" },
	{ "person name with a C1 control",
	    "people = ( { name = \"Jane\xc2\x85\"; } );\n", 1,
	    "people: name: control characters are not allowed" },
	{ "person name invalid UTF-8",
	    "people = ( { name = \"Jane\\xff\"; } );\n", 1,
	    "people: name: not valid UTF-8" },
	{ "person name a number", "people = ( { name = 5; } );\n", 1,
	    "people: name: must be a string in quotes" },
	{ "person address with an empty domain",
	    "people = ( { name = \"J\"; addresses = [ \"jane@\" ]; } );\n", 1,
	    "people: addresses: a domain name must not be empty" },
	{ "person address with two @",
	    "people = ( { name = \"J\"; addresses = [ \"a@b@c.example\" ]; "
	    "} );\n", 1,
	    "people: addresses: \"a@b@c.example\": expected user@domain or "
	    "a domain" },
	{ "person address with a space",
	    "people = ( { name = \"J\"; addresses = [ \"ja ne@a.example\" ]; "
	    "} );\n", 1,
	    "people: addresses: \"ja ne@a.example\": expected user@domain ("
	    LOCAL_RULES ")" },
	{ "person address local part with two dots",
	    "people = ( { name = \"J\"; addresses = [ \"j..d@a.example\" ]; "
	    "} );\n", 1,
	    "people: addresses: \"j..d@a.example\": expected user@domain ("
	    LOCAL_RULES ")" },
	{ "person domain without a dot",
	    "people = ( { name = \"J\"; addresses = [ \"@ourorg\" ]; } );\n", 1,
	    "people: addresses: \"ourorg\": a domain name here has at least "
	    "one dot" },
	{ "person addresses given a string",
	    "people = ( { name = \"J\"; addresses = \"j@a.example\"; } );\n", 1,
	    "people: addresses: must be a list of strings, such as "
	    "[\"a\", \"b\"]" },
	{ "person addresses with a number",
	    "people = ( { name = \"J\"; addresses = [ 7 ]; } );\n", 1,
	    "people: addresses: element 1 is not a string" },

	{ "partner without a domain",
	    "partners = ( { relays = [ \"192.0.2.1\" ]; } );\n", 1,
	    "partners: domain is required in each group" },
	{ "partner twice, names its first line",
	    "partners = (\n  { domain = \"p.example\"; },\n"
	    "  { domain = \"P.Example\"; }\n);\n", 3,
	    "partners: domain: \"p.example\" has a group already (line 2)" },
	{ "partner domain single label",
	    "partners = ( { domain = \"partner\"; } );\n", 1,
	    "partners: domain: \"partner\": a domain name here has at least "
	    "one dot" },
	{ "partner relay prefix too long",
	    "partners = ( { domain = \"p.example\"; relays = [ "
	    "\"192.0.2.0/33\" ]; } );\n", 1,
	    "partners: relays: \"192.0.2.0/33\": prefix length above 32" },
	{ "partner relay bad address",
	    "partners = ( { domain = \"p.example\"; relays = [ "
	    "\"192.0.2.300\" ]; } );\n", 1,
	    "partners: relays: \"192.0.2.300\" is not an IP address" },
	{ "partner relay bad v6 on its line",
	    "partners = ( { domain = \"p.example\";\n"
	    "  relays = [ \"mx.p.example\",\n    \"2001:db8::g\" ]; } );\n", 3,
	    "partners: relays: \"2001:db8::g\" is not an IP address" },
	{ "partner relay bad name",
	    "partners = ( { domain = \"p.example\"; relays = [ "
	    "\"mail_host.p.example\" ]; } );\n", 1,
	    "partners: relays: \"mail_host.p.example\" is not a domain name ("
	    DOMAIN_RULES ")" },
	{ "partner signer single label",
	    "partners = ( { domain = \"p.example\"; signers = [ \"esp\" ]; } "
	    ");\n", 1,
	    "partners: signers: \"esp\": a domain name here has at least one "
	    "dot" },
	{ "partner must_align a string",
	    "partners = ( { domain = \"p.example\"; must_align = \"yes\"; } "
	    ");\n", 1, "partners: must_align: must be true or false" },
	{ "partner unknown key",
	    "partners = ( { domain = \"p.example\"; relay = []; } );\n", 1,
	    "partners: relay: unknown key (the keys are domain, relays, "
	    "signers, must_align)" },

	{ "recipient policy without recipients",
	    "recipient_policies = ( { tag_score = 1; } );\n", 1,
	    "recipient_policies: recipients is required in each group" },
	{ "recipient policy with no recipient",
	    "recipient_policies = ( { recipients = []; } );\n", 1,
	    "recipient_policies: recipients: must not be empty" },
	{ "recipient a bare domain",
	    "recipient_policies = ( { recipients = [ \"ourorg.example\" ]; } "
	    ");\n", 1,
	    "recipient_policies: recipients: \"ourorg.example\": expected "
	    "\"user@domain\" or \"@domain\"" },
	{ "recipient with a bad domain",
	    "recipient_policies = ( { recipients = [ \"@ourorg\" ]; } );\n", 1,
	    "recipient_policies: recipients: \"ourorg\": a domain name here "
	    "has at least one dot" },
	{ "recipient threshold past its range",
	    "recipient_policies = ( { recipients = [ \"@a.example\" ];\n"
	    "  tag_score = 100001; } );\n", 2,
	    "recipient_policies: tag_score: out of range 0 to 100000" },
	{ "recipient threshold negative",
	    "recipient_policies = ( { recipients = [ \"@a.example\" ]; "
	    "reject_score = -1; } );\n", 1,
	    "recipient_policies: reject_score: out of range 0 to 100000" },
	{ "recipient threshold wrapped by libconfig",
	    "recipient_policies = ( { recipients = [ \"@a.example\" ]; "
	    "quarantine_score = 4294967302; } );\n", 1,
	    "recipient_policies: quarantine_score: out of range 0 to 100000" },
	{ "recipient threshold a string",
	    "recipient_policies = ( { recipients = [ \"@a.example\" ]; "
	    "tag_score = \"3\"; } );\n", 1,
	    "recipient_policies: tag_score: must be a whole number from 0 to "
	    "100000" },

	{ "dry-run rule unknown",
	    "dry_run_rules = [ \"first_contact\", \"no_such_rule\" ];\n", 1,
	    "dry_run_rules: \"no_such_rule\": unknown rule" },
	{ "dry-run rules given a string", "dry_run_rules = \"new_relay\";\n",
	    1, "dry_run_rules: must be a list of rule names, such as "
	    "[\"first_contact\", \"new_relay\"]" },
	{ "dry-run rules with a number", "dry_run_rules = [ 3 ];\n", 1,
	    "dry_run_rules: element 1 is not a string" },

	{ "subject tag with CR LF", "tag_subject = \"[X]\\r\\n\";\n", 1,
	    "tag_subject: " CTL_RULES },
	{ "subject tag with a tab", "tag_subject = \"[X]\\t\";\n", 1,
	    "tag_subject: " CTL_RULES },
	{ "subject tag with a bidi override",
	    "tag_subject = \"[X]\xe2\x80\xae\";\n", 1,
	    "tag_subject: " CTL_RULES },
	{ "subject tag with a line separator",
	    "tag_subject = \"[X]\xe2\x80\xa8\";\n", 1,
	    "tag_subject: " CTL_RULES },
	{ "subject tag invalid UTF-8", "tag_subject = \"[X]\\xc3\";\n", 1,
	    "tag_subject: not valid UTF-8" },
	{ "subject tag a number", "tag_subject = 1;\n", 1,
	    "tag_subject: must be a string in quotes" },
	/* issue 13 item 1 */
	{ "internal host a name", "internal_hosts = [\"mail.example\"];\n",
	    1, "internal_hosts: \"mail.example\" is not an IP address" },
	{ "internal host prefix too long",
	    "internal_hosts = [\"192.0.2.0/33\"];\n", 1,
	    "internal_hosts: \"192.0.2.0/33\": prefix length above 32" },
	{ "outbound_attachments a string",
	    "outbound_attachments = \"yes\";\n", 1,
	    "outbound_attachments: must be true or false" },
	/* issue 14 item 2: the metrics endpoint */
	{ "metrics_listen a host name",
	    "metrics_listen = \"localhost:9469\";\n", 1,
	    "metrics_listen: \"localhost:9469\": want \"PORT\", "
	    "\"ADDRESS:PORT\" or \"[IPV6]:PORT\" (port 1-65535)" },
	{ "metrics_listen outside loopback, not allowed",
	    "# metrics\nmetrics_listen = \"192.0.2.1:9469\";\n", 2,
	    "metrics_listen: \"192.0.2.1:9469\" is not a loopback address: "
	    "the endpoint has no authentication; set metrics_allow_remote = "
	    "true if it is meant" },
};

static void
check_bad(const char *behaviour, const char *text, unsigned line,
    const char *msg)
{
	struct config *c = NULL;
	char path[600], err[1024], want[1200];

	conffix_write("bad.conf", text, path, sizeof(path));
	if (config_load(path, &c, err, sizeof(err)) != -1)
		fail_msg("%s: loaded", behaviour);
	assert_null(c);
	snprintf(want, sizeof(want), "%s:%u: %s", path, line, msg);
	if (strcmp(err, want) != 0)
		fail_msg("%s:\n got \"%s\"\nwant \"%s\"", behaviour, err, want);
}

static void
bad_sender_values_give_file_line_setting_problem(void **state)
{
	const struct bad_case *b;
	size_t i;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		b = &bad_cases[i];
		check_bad(b->behaviour, b->text, b->line, b->msg);
	}
}

/* n bytes of 'a' + suffix, in a setting: "prefix<...>suffix". */
static char *
long_text(const char *prefix, size_t n, const char *middle,
    const char *suffix)
{
	size_t plen = strlen(prefix), mlen = strlen(middle);
	char *t = malloc(plen + n + mlen + strlen(suffix) + 1);

	assert_non_null(t);
	memcpy(t, prefix, plen);
	memset(t + plen, 'a', n);
	memcpy(t + plen + n, middle, mlen);
	strcpy(t + plen + n + mlen, suffix);
	return t;
}

static void
load_ok(const char *what, const char *text)
{
	struct config *c;
	char path[600], err[1024];

	conffix_write("limit.conf", text, path, sizeof(path));
	if (config_load(path, &c, err, sizeof(err)) != 0)
		fail_msg("%s: %s", what, err);
	config_free(c);
}

static void
limits_and_one_past(void **state)
{
	char *t, want[400];

	/* a label of 63 bytes; 64 */
	t = long_text("protected_domains = [ \"", 63, ".example", "\" ];\n");
	load_ok("label of 63", t);
	free(t);
	t = long_text("protected_domains = [ \"", 64, ".example", "\" ];\n");
	snprintf(want, sizeof(want), "protected_domains: \"%.60s...\" is not "
	    "a domain name (" DOMAIN_RULES ")",
	    t + strlen("protected_domains = [ \""));
	check_bad("label of 64", t, 1, want);
	free(t);
	/* 253 bytes: 3 labels of 63, one of 51, "a.example"; 254 */
	{
		char name[300], text[400];
		size_t i;

		memset(name, 0, sizeof(name));
		for (i = 0; i < 3; i++) {
			memset(name + i * 64, 'b', 63);
			name[i * 64 + 63] = '.';
		}
		memset(name + 192, 'c', 51);
		strcat(name, ".a.example");
		assert_int_equal(strlen(name), 253);
		snprintf(text, sizeof(text), "protected_domains = "
		    "[ \"%s\" ];\n", name);
		load_ok("name of 253", text);
		snprintf(text, sizeof(text), "protected_domains = "
		    "[ \"b%s\" ];\n", name);
		snprintf(want, sizeof(want), "protected_domains: "
		    "\"b%.59s...\": a domain name has at most 253 bytes",
		    name);
		check_bad("name of 254", text, 1, want);
	}
	/* a person's name of 128 bytes; 129 */
	t = long_text("people = ( { name = \"", 128, "", "\"; } );\n");
	load_ok("name of 128", t);
	free(t);
	t = long_text("people = ( { name = \"", 129, "", "\"; } );\n");
	check_bad("name of 129", t, 1, "people: name: at most 128 bytes");
	free(t);
	/* a local part of 64; 65 */
	t = long_text("recipient_policies = ( { recipients = [ \"", 64,
	    "@a.example", "\" ]; } );\n");
	load_ok("local part of 64", t);
	free(t);
	t = long_text("recipient_policies = ( { recipients = [ \"", 65,
	    "@a.example", "\" ]; } );\n");
	snprintf(want, sizeof(want), "recipient_policies: recipients: "
	    "\"%.60s...\": expected user@domain (%s)",
	    t + strlen("recipient_policies = ( { recipients = [ \""),
	    LOCAL_RULES);
	check_bad("local part of 65", t, 1, want);
	free(t);
	/* a subject tag of 64 bytes; 65 */
	t = long_text("tag_subject = \"", 64, "", "\";\n");
	load_ok("tag of 64", t);
	free(t);
	t = long_text("tag_subject = \"", 65, "", "\";\n");
	check_bad("tag of 65", t, 1, "tag_subject: at most 64 bytes");
	free(t);
}

/* An error message is one line even when the value holds line breaks. */
static void
error_message_is_one_line(void **state)
{
	check_bad("newline in a relay", "partners = ( { domain = "
	    "\"p.example\"; relays = [ \"a:\\nb\" ]; } );\n", 1,
	    "partners: relays: \"a:?b\" is not an IP address");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    bad_sender_values_give_file_line_setting_problem),
		cmocka_unit_test(limits_and_one_past),
		cmocka_unit_test(error_message_is_one_line),
	};

	return cmocka_run_group_tests(tests, conffix_setup, conffix_teardown);
}
