/*
 * test_rules.c - the rule vocabulary, authentication scoring, thresholds,
 * hard actions, dry run and the X-Relaywarden value.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/arena.h"
#include "config/config.h"
#include "mail/message.h"
#include "policy.h"
#include "rules/rules.h"

static int
has_reason(const struct verdict *v, const char *rule)
{
	size_t i;

	for (i = 0; i < v->nreasons; i++)
		if (strcmp(v->reasons[i].rule, rule) == 0)
			return 1;
	return 0;
}

static void
every_rule_has_a_unique_name(void **state)
{
	int i, j;

	for (i = 0; i < RULE_COUNT; i++) {
		assert_non_null(rules_table[i].name);
		assert_non_null(rules_table[i].what);
		assert_int_equal(rules_lookup(rules_table[i].name), i);
		for (j = i + 1; j < RULE_COUNT; j++)
			assert_string_not_equal(rules_table[i].name,
			    rules_table[j].name);
	}
	assert_int_equal(rules_lookup("no_such_rule"), -1);
}

struct auth_case {
	const char *name;
	enum auth_result spf, helo, dkim1, dkim2, dmarc;
	enum dmarc_policy policy;
	const char *want[4];		/* rules expected, NULL-terminated */
	const char *not[3];		/* rules that must not appear */
	int score;
};

#define N AUTH_NONE
static const struct auth_case auth_cases[] = {
	{ "all pass scores nothing", AUTH_PASS, AUTH_PASS, AUTH_PASS, N,
	    AUTH_PASS, DMARC_POLICY_REJECT, { NULL },
	    { "spf_fail", "dkim_fail", "dmarc_fail_reject" }, 0 },
	{ "forged p=reject domain", AUTH_FAIL, N, AUTH_FAIL, N, AUTH_FAIL,
	    DMARC_POLICY_REJECT, { "spf_fail", "dkim_fail",
	    "dmarc_fail_reject", NULL }, { "dmarc_fail" }, 3 + 2 + 8 },
	{ "p=quarantine and softfail", AUTH_SOFTFAIL, N, N, N, AUTH_FAIL,
	    DMARC_POLICY_QUARANTINE, { "spf_softfail",
	    "dmarc_fail_quarantine", NULL }, { "dkim_fail" }, 1 + 5 },
	{ "a broken signature beside a good one is no dkim_fail",
	    AUTH_PASS, N, AUTH_FAIL, AUTH_PASS, AUTH_PASS, DMARC_POLICY_NONE,
	    { NULL }, { "dkim_fail" }, 0 },
	{ "HELO fail counts only when MAIL FROM is undecided", AUTH_NONE,
	    AUTH_FAIL, N, N, AUTH_NONE, DMARC_POLICY_UNSET,
	    { "helo_spf_fail", NULL }, { "spf_fail" }, 2 },
	{ "HELO fail ignored after MAIL FROM pass", AUTH_PASS, AUTH_FAIL, N,
	    N, AUTH_NONE, DMARC_POLICY_UNSET, { NULL }, { "helo_spf_fail" },
	    0 },
	{ "temporary errors are visible but free", AUTH_TEMPERROR, N,
	    AUTH_TEMPERROR, N, AUTH_TEMPERROR, DMARC_POLICY_UNSET,
	    { "auth_temperror", NULL }, { "spf_fail" }, 0 },
	{ "permerror SPF record", AUTH_PERMERROR, N, N, N, AUTH_NONE,
	    DMARC_POLICY_UNSET, { "spf_permerror", NULL }, { NULL }, 1 },
};

static void
auth_results_become_scored_reasons(void **state)
{
	struct config *cfg = config_default();
	size_t i, j;

	assert_non_null(cfg);
	for (i = 0; i < sizeof(auth_cases) / sizeof(auth_cases[0]); i++) {
		const struct auth_case *c = &auth_cases[i];
		struct message *m = message_new(0, 0);
		struct dkim_sig_result sigs[2];
		struct evaluation e;

		print_message("case: %s\n", c->name);
		memset(&e, 0, sizeof(e));
		memset(sigs, 0, sizeof(sigs));
		e.spf.result = c->spf;
		e.helo_spf.result = c->helo;
		sigs[0].result = c->dkim1;
		sigs[1].result = c->dkim2;
		e.dkim.sigs = sigs;
		e.dkim.count = c->dkim1 == N ? 0 : c->dkim2 == N ? 1 : 2;
		e.dmarc.result = c->dmarc;
		e.dmarc.policy = c->policy;
		assert_int_equal(rules_auth(cfg, m, &e), 0);
		for (j = 0; c->want[j] != NULL; j++)
			assert_true(has_reason(&e.verdict, c->want[j]));
		for (j = 0; j < 3 && c->not[j] != NULL; j++)
			assert_false(has_reason(&e.verdict, c->not[j]));
		assert_int_equal(e.verdict.score, c->score);
		message_free(m);
	}
	config_free(cfg);
}

/* More forged trace headers than can be listed for removal: the message
 * is rejected whatever its score (issue 8 item 2). */
static void
forged_header_flood_rejects(void **state)
{
	struct config *cfg = config_default();
	struct message *m = message_new(1, 0);
	struct evaluation e;
	long i;

	assert_non_null(cfg);
	assert_non_null(m);
	m->authserv_id = "mx.ours.example";
	memset(&e, 0, sizeof(e));
	assert_int_equal(message_add_header(m, "X-Relaywarden", " x"), 1);
	assert_int_equal(rules_auth(cfg, m, &e), 0);
	assert_false(has_reason(&e.verdict, "headers_forged_flood"));
	verdict_decide(&e.verdict, &(struct thresholds){ 5, 10, 0 });
	assert_int_equal(e.verdict.action, VERDICT_ACCEPT);
	for (i = 0; i < 3; i++)
		assert_int_equal(message_add_header(m, "Authentication-Results",
		    " mx.ours.example; dkim=pass"), 0);
	memset(&e, 0, sizeof(e));
	assert_int_equal(rules_auth(cfg, m, &e), 0);
	assert_true(has_reason(&e.verdict, "headers_forged_flood"));
	verdict_decide(&e.verdict, &(struct thresholds){ 5, 10, 0 });
	assert_int_equal(e.verdict.action, VERDICT_REJECT);
	message_free(m);
	config_free(cfg);
}

static void
thresholds_pick_the_action(void **state)
{
	static const struct {
		int score;
		unsigned tag, quar, rej;
		enum verdict_action want;
	} cases[] = {
		{ 0, 5, 10, 0, VERDICT_ACCEPT },
		{ 4, 5, 10, 0, VERDICT_ACCEPT },
		{ 5, 5, 10, 0, VERDICT_TAG },		/* at the limit */
		{ 9, 5, 10, 0, VERDICT_TAG },
		{ 10, 5, 10, 0, VERDICT_QUARANTINE },
		{ 1000, 5, 10, 0, VERDICT_QUARANTINE },	/* reject off */
		{ 20, 5, 10, 20, VERDICT_REJECT },
		{ -5, 5, 10, 20, VERDICT_ACCEPT },	/* negative sum */
		{ 7, 0, 0, 0, VERDICT_ACCEPT },		/* all off */
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct verdict v;

		memset(&v, 0, sizeof(v));
		v.score = cases[i].score;
		verdict_decide(&v, &(struct thresholds){ cases[i].tag,
		    cases[i].quar, cases[i].rej });
		assert_int_equal(v.action, cases[i].want);
	}
}

static void
hard_action_wins_over_a_low_score(void **state)
{
	struct verdict v;

	memset(&v, 0, sizeof(v));
	verdict_require(&v, VERDICT_QUARANTINE);
	verdict_require(&v, VERDICT_TAG);	/* never lowers it */
	verdict_decide(&v, &(struct thresholds){ 5, 10, 0 });
	assert_int_equal(v.action, VERDICT_QUARANTINE);
	v.score = 50;
	verdict_decide(&v, &(struct thresholds){ 5, 10, 40 });
	assert_int_equal(v.action, VERDICT_REJECT);
}

static void
verdict_header_names_action_score_reasons(void **state)
{
	struct arena *a = arena_new();
	struct verdict v;
	const char *h;
	int i;

	memset(&v, 0, sizeof(v));
	h = verdict_header(&v, a);
	assert_string_equal(h, "action=accept; score=0; reasons=");
	assert_int_equal(verdict_add(&v, a, RULE_SPF_FAIL, 3, "x.example"),
	    0);
	assert_int_equal(verdict_add(&v, a, RULE_DKIM_FAIL, 2, NULL), 0);
	verdict_decide(&v, &(struct thresholds){ 5, 10, 0 });
	v.dry_run = 1;
	h = verdict_header(&v, a);
	assert_string_equal(h, "action=tag; score=5; "
	    "reasons=spf_fail(x.example),dkim_fail\n\t(dry-run)");
	/* A long list folds, never past 998 bytes a line. */
	for (i = 0; i < 300; i++)
		assert_int_equal(verdict_add(&v, a,
		    RULE_DMARC_FAIL_QUARANTINE, 0, NULL), 0);
	h = verdict_header(&v, a);
	assert_non_null(h);
	for (const char *p = h, *nl; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		if (nl == NULL) {
			assert_true(strlen(p) < 998);
			break;
		}
		assert_true(nl - p < 998);
	}
	arena_free(a);
}

/* Issue 13 item 3: a detail is cut, escaped, and cannot add a field, a
 * reason or a header line. */
static void
detail_encoding_is_bounded_and_escaped(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "ourorg.example", "ourorg.example" },
		{ "net:203.0.113.0/24", "net:203.0.113.0/24" },
		{ "a\r\nX-Evil: 1", "a%0D%0AX-Evil:%201" },
		{ "x,action=accept;score=0", "x%2Caction%3Daccept%3Bscore%3D0" },
		{ "f(1).pdf\"'\\", "f%281%29.pdf%22%27%5C" },
		{ "caf\xc3\xa9.exe", "caf%C3%A9.exe" },
		{ "100%", "100%25" },
		{ "a*b+c~", "a%2Ab%2Bc%7E" },
		{ "", "" },
	};
	char out[VERDICT_DETAIL_BUF], big[301], want[80];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		verdict_detail_encode(out, sizeof(out), cases[i].in);
		assert_string_equal(out, cases[i].want);
	}
	/* 300 bytes: cut to VERDICT_DETAIL_MAX, "*" marks the cut */
	memset(big, 'n', 300);
	big[300] = '\0';
	memset(want, 'n', VERDICT_DETAIL_MAX);
	strcpy(want + VERDICT_DETAIL_MAX, "*");
	assert_int_equal(verdict_detail_encode(out, sizeof(out), big),
	    VERDICT_DETAIL_MAX + 1);
	assert_string_equal(out, want);
	/* exactly the cap: no mark */
	big[VERDICT_DETAIL_MAX] = '\0';
	verdict_detail_encode(out, sizeof(out), big);
	assert_string_equal(out, want[0] ? "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"
	    "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn" : "");
	/* a cut never splits a UTF-8 character */
	memset(big, 'n', 300);
	memcpy(big + VERDICT_DETAIL_MAX - 1, "\xc3\xa9", 2);
	big[VERDICT_DETAIL_MAX + 1] = '\0';
	verdict_detail_encode(out, sizeof(out), big);
	want[VERDICT_DETAIL_MAX - 1] = '*';
	want[VERDICT_DETAIL_MAX] = '\0';
	assert_string_equal(out, want);
	/* all 255 byte values: only the safe set and %XX come out */
	for (i = 1; i < 256; i++) {
		char one[2] = { (char)i, '\0' };

		verdict_detail_encode(out, sizeof(out), one);
		assert_true(strlen(out) == 1 || (strlen(out) == 3 &&
		    out[0] == '%'));
		assert_null(strpbrk(out, ",;()= \"'\\\r\n\t"));
	}
	/* a buffer too small gets nothing */
	assert_int_equal(verdict_detail_encode(out, 10, "x"), 0);
	assert_string_equal(out, "");
}

static void
header_details_cannot_inject(void **state)
{
	struct arena *a = arena_new();
	struct verdict v;
	const char *h, *p;
	char big[301], unf[2048];
	int i, semis = 0;

	(void)state;
	memset(&v, 0, sizeof(v));
	memset(big, 'x', 300);
	big[300] = '\0';
	assert_int_equal(verdict_add(&v, a, RULE_LOOKALIKE_PROTECTED, 10,
	    "one edit from ourorg.example (protected)"), 0);
	v.reasons[0].about = "ourorg.example";
	assert_int_equal(verdict_add(&v, a, RULE_ATTACH_EXECUTABLE, 10,
	    "evil.pdf\r\nX-Relaywarden: action=accept; reasons=),spf(x"),
	    0);
	assert_int_equal(verdict_add(&v, a, RULE_ATTACH_BANNED_EXTENSION, 10,
	    big), 0);
	assert_int_equal(verdict_add(&v, a, RULE_NEW_RELAY, 2,
	    "net:203.0.113.0/24"), 0);
	v.reasons[3].more = 2;
	assert_int_equal(verdict_add(&v, a, RULE_DKIM_FAIL, 2, NULL), 0);
	h = verdict_header(&v, a);
	assert_non_null(h);
	/* items of the list are glued: a fold is only "\n\t" */
	for (p = h, i = 0; *p != '\0'; p++)
		if (*p != '\n' && *p != '\t')
			unf[i++] = *p;
	unf[i] = '\0';
	assert_non_null(strstr(unf, "reasons=lookalike_protected("
	    "ourorg.example),attach_executable(evil.pdf%0D%0AX-Relaywarden:"
	    "%20action%3Daccept%3B%20reasons%3D%29%2Cspf%28x),"));
	assert_non_null(strstr(unf, "new_relay(net:203.0.113.0/24+2),"));
	assert_non_null(strchr(h, '\n'));	/* long: folded */
	for (p = h; *p != '\0'; p++)
		if (*p == ';')
			semis++;
	assert_int_equal(semis, 2);	/* action; score; reasons */
	assert_null(strstr(h, "\r"));
	/* folded after a comma of the list or a field's ';', each line
	 * at most 78 columns or one item */
	for (p = h; (p = strchr(p, '\n')) != NULL; p++)
		assert_true(p[1] == '\t' && (p[-1] == ',' || p[-1] == ';'));
	for (p = h; p != NULL; p = strchr(p, '\n') ? strchr(p, '\n') + 1 :
	    NULL)
		assert_true(strcspn(p, "\n") < VERDICT_DETAIL_BUF + 40);
	/* the log's details= list: same words, no fold, no space */
	p = verdict_detail_list(&v, 0, a);
	assert_non_null(p);
	assert_null(strpbrk(p, " \t\n;=\"'"));
	assert_non_null(strstr(p, "attach_banned_extension(xxxx"));
	assert_non_null(strstr(p, "xxx*),new_relay"));
	/* past VERDICT_DETAILS_MAX bytes of details, names only */
	for (i = 0; i < 60; i++)
		assert_int_equal(verdict_add(&v, a, RULE_ATTACH_TRUNCATED, 0,
		    big), 0);
	p = verdict_detail_list(&v, 0, a);
	assert_non_null(p);
	assert_true(strlen(p) < VERDICT_DETAILS_MAX + 200 + 60 * 20);
	assert_non_null(strstr(p, ",attach_truncated,attach_truncated"));
	h = verdict_header(&v, a);
	assert_non_null(h);
	for (p = h; *p != '\0'; p++)
		assert_true(*p != '\n' || p[1] == '\t');
	arena_free(a);
}

static void
scores_group_overrides_by_name(void **state)
{
	char path[] = "/tmp/rw-test-rules-XXXXXX";
	char err[512];
	struct config *cfg;
	FILE *fp;
	int fd;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	fputs("authserv_id = \"mx.example\";\nscores = {\n"
	    "  spf_fail = 7;\n  dkim_fail = -2;\n};\n", fp);
	fclose(fp);
	assert_int_equal(config_load(path, &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg->scores[RULE_SPF_FAIL], 7);
	assert_int_equal(cfg->scores[RULE_DKIM_FAIL], -2);
	assert_int_equal(cfg->scores[RULE_DMARC_FAIL_REJECT],
	    rules_table[RULE_DMARC_FAIL_REJECT].score);
	config_free(cfg);

	fp = fopen(path, "w");
	fputs("scores = {\n  spf_fail = 7;\n  spf_fial = 1;\n};\n", fp);
	fclose(fp);
	assert_int_equal(config_load(path, &cfg, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":3: scores: spf_fial: unknown rule"));
	unlink(path);
}

/* The whole of file top_srcdir/rel, NUL-terminated (free it). */
static char *
slurp(const char *rel)
{
	const char *top = getenv("top_srcdir");
	char path[1024], *buf;
	size_t n;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", top != NULL ? top : ".", rel);
	if ((fp = fopen(path, "r")) == NULL)
		fail_msg("cannot open %s", path);
	buf = malloc(1 << 20);
	assert_non_null(buf);
	n = fread(buf, 1, (1 << 20) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

/* README's reason lists: an indented line "    a, b, c   SCORE  text"
 * names rule and gives its default score. */
static int
readme_score(const char *readme, const char *rule, int *score)
{
	size_t rl = strlen(rule);
	const char *p, *nl, *q, *end;

	for (p = readme; *p != '\0'; p = *nl ? nl + 1 : nl) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		if (strncmp(p, "    ", 4) != 0)
			continue;
		for (q = p; *q == ' '; q++)
			;
		/* the names end at two spaces */
		for (end = q; end < nl && !(end[0] == ' ' && end[1] == ' ');
		    end++)
			;
		while (q < end) {
			const char *t = q;

			while (q < end && *q != ',')
				q++;
			if ((size_t)(q - t) == rl && strncmp(t, rule, rl) == 0)
				return sscanf(end, " %d", score) == 1 ? 0 : -1;
			while (q < end && (*q == ',' || *q == ' '))
				q++;
		}
	}
	return -1;
}

/* Issue 9: a test walks the table.  Every rule is in the README's list
 * with its default score, has that score in the example config's
 * `scores`, and can be put in dry run: listed as what-if, no score, no
 * hard action. */
static void
every_rule_is_documented_scored_and_can_dry_run(void **state)
{
	char *readme = slurp("README");
	char *conf = slurp("contrib/relaywarden.conf");
	char path[] = "/tmp/rw-test-rules-XXXXXX", line[128], err[512];
	struct config *cfg;
	struct arena *a;
	struct verdict v;
	int i, j, score, fd;
	FILE *fp;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	for (i = 0; i < RULE_COUNT; i++) {
		const struct rule_def *d = &rules_table[i];

		if (readme_score(readme, d->name, &score) == -1)
			fail_msg("README does not list %s", d->name);
		if (score != d->score)
			fail_msg("README: %s %d, table %d", d->name, score,
			    d->score);
		snprintf(line, sizeof(line), "\n\t%s = %d;\n", d->name,
		    d->score);
		if (strstr(conf, line) == NULL)
			fail_msg("contrib/relaywarden.conf: no \"%s = %d;\"",
			    d->name, d->score);
		assert_true(d->cls <= RULE_CLASS_MESSAGE);
		/* Only a rule that may lower a score has a negative
		 * default. */
		assert_true((d->lowers != 0) == (d->score < 0));

		fp = fopen(path, "w");
		assert_non_null(fp);
		fprintf(fp, "dry_run_rules = [ \"%s\" ];\n", d->name);
		fclose(fp);
		if (config_load(path, &cfg, err, sizeof(err)) != 0)
			fail_msg("%s: %s", d->name, err);
		for (j = 0; j < RULE_COUNT; j++)
			assert_int_equal(cfg->rule_dry_run[j], j == i);
		/* Something for a lowering rule to lower. */
		assert_non_null(a = arena_new());
		memset(&v, 0, sizeof(v));
		assert_int_equal(verdict_add(&v, a,
		    RULE_NEW_RELAY_UNAUTHENTICATED, 10, NULL), 0);
		assert_int_equal(verdict_add(&v, a, RULE_SPF_FAIL, 3, NULL), 0);
		assert_int_equal(verdict_raise(&v, a, cfg, (enum rule)i,
		    "x"), 0);
		assert_int_equal(v.nreasons, 3);
		assert_int_equal(v.reasons[2].id, i);
		assert_string_equal(v.reasons[2].rule, d->name);
		assert_true(v.reasons[2].whatif);
		assert_int_equal(v.score, 13);
		verdict_raise_hard(&v, cfg, (enum rule)i, VERDICT_REJECT);
		assert_int_equal(v.hard, VERDICT_ACCEPT);
		config_free(cfg);
		arena_free(a);
	}
	unlink(path);
	free(readme);
	free(conf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_rule_has_a_unique_name),
		cmocka_unit_test(auth_results_become_scored_reasons),
		cmocka_unit_test(forged_header_flood_rejects),
		cmocka_unit_test(thresholds_pick_the_action),
		cmocka_unit_test(hard_action_wins_over_a_low_score),
		cmocka_unit_test(verdict_header_names_action_score_reasons),
		cmocka_unit_test(detail_encoding_is_bounded_and_escaped),
		cmocka_unit_test(header_details_cannot_inject),
		cmocka_unit_test(scores_group_overrides_by_name),
		cmocka_unit_test(
		    every_rule_is_documented_scored_and_can_dry_run),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
