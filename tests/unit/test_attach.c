/*
 * test_attach.c - the attachment policy over a corpus built with real
 * tools (tests/attach/mkcorpus: zip, 7z, xorriso, gcab, tar, gzip,
 * uuencode, python3) in a mkdtemp directory removed afterwards.
 *
 * Each corpus message must raise exactly the expected set of attach_*
 * reasons and hard action: every risky case flagged with the right
 * reason, no benign one flagged at all, malformed ones judged in bounded
 * time.  Then the policy knobs (allow-list, overrides, hard rule, banned
 * list), caps at the limit and one past it, and the office/archive
 * helpers on hostile files.  RW_TEST_VERBOSE=1 prints every result.
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

#include <magic.h>

#include "util/arena.h"
#include "attach/attach.h"
#include "attach/attype.h"
#include "config/config.h"
#include "util/deadline.h"
#include "attach/office.h"
#include "attach/spool.h"
#include "verdict/verdict.h"
#include "msgfix.h"
#include "attfix.h"

static char corpus[512];

struct result {
	struct arena *a;
	struct attach_results r;
	struct verdict v;
};

static const char *
srcdir(void)
{
	const char *d = getenv("top_srcdir");

	return d != NULL ? d : ".";
}

static int
setup(void **state)
{
	const char *tmp = getenv("TMPDIR");
	char cmd[1200];

	snprintf(corpus, sizeof(corpus), "%s/rw-attach-XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(corpus) == NULL)
		return -1;
	snprintf(cmd, sizeof(cmd), "sh '%s/tests/attach/mkcorpus' '%s'",
	    srcdir(), corpus);
	return system(cmd) == 0 ? 0 : -1;
}

static int
teardown(void **state)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", corpus);
	return system(cmd) == 0 ? 0 : -1;
}

static struct spool *file_spool(struct arena *, const char *, size_t);

/* Reads a file into a new spool of arena a (memory up to mem). */
static struct spool *
load(struct arena *a, const char *dir, const char *name, size_t mem)
{
	char path[800];

	snprintf(path, sizeof(path), "%s/%s/%s", corpus, dir, name);
	return attfix_load_mem(a, path, mem);
}

static void
dump(const char *name, const struct result *res)
{
	size_t i, j;

	if (getenv("RW_TEST_VERBOSE") == NULL)
		return;
	printf("== %s: action=%s (%s) parts=%u truncated=%s %lld ms\n", name,
	    verdict_action_name(res->r.hard_action),
	    res->r.hard_rule ? res->r.hard_rule : "-", res->r.parts,
	    res->r.truncated ? res->r.truncated : "-", res->r.elapsed_ms);
	for (i = 0; i < res->v.nreasons; i++)
		printf("   reason %s %d [%s]\n", res->v.reasons[i].rule,
		    res->v.reasons[i].score, res->v.reasons[i].detail ?
		    res->v.reasons[i].detail : "");
	for (i = 0; i < res->r.nitems; i++) {
		const struct attach_item *it = &res->r.items[i];

		printf("   item name=%s shown=%s path=%s declared=%s "
		    "detected=%s size=%llu depth=%u flags=%x action=%s\n",
		    it->name, it->shown ? it->shown : "-",
		    it->path ? it->path : "-",
		    it->declared ? it->declared : "-",
		    it->detected ? it->detected : "-", it->size, it->depth,
		    it->flags, verdict_action_name(it->action));
		for (j = 0; j < it->nreasons; j++)
			printf("      %s [%s]\n", it->reasons[j],
			    it->details[j]);
	}
}

/* Evaluates corpus message name with cfg; the result is the caller's
 * (free res->a). */
static void
evaluate(const struct config *cfg, const char *name, const char *from,
    struct result *res)
{
	struct attach_ctx *ctx;
	struct spool *sp;
	char err[256], file[200];

	memset(res, 0, sizeof(*res));
	res->a = arena_new();
	assert_non_null(res->a);
	if ((ctx = attach_ctx_new(cfg, err, sizeof(err))) == NULL)
		fail_msg("%s", err);
	snprintf(file, sizeof(file), "%s.eml", name);
	sp = load(res->a, "msg", file, 65536);
	if (attach_evaluate(ctx, sp, from, res->a, &res->r, &res->v, err,
	    sizeof(err)) != 0)
		fail_msg("%s: %s", name, err);
	attach_ctx_free(ctx);
	dump(name, res);
}

/* The verdict's reasons, sorted, space-separated. */
static void
reason_set(const struct verdict *v, char *out, size_t len)
{
	const char *names[64];
	size_t i, j, n = 0, o = 0;

	for (i = 0; i < v->nreasons && n < 64; i++)
		names[n++] = v->reasons[i].rule;
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			const char *t = names[j];

			names[j] = names[j - 1];
			names[j - 1] = t;
		}
	out[0] = '\0';
	for (i = 0; i < n; i++)
		o += (size_t)snprintf(out + o, len - o, "%s%s", i ? " " : "",
		    names[i] + strlen("attach_"));
}

struct item_want {
	const char *name, *path, *shown;
};

static const struct corpus_case {
	const char *eml;
	const char *reasons;		/* sorted, without "attach_" */
	enum verdict_action action;
	struct item_want item;		/* an item that must be there */
} cases[] = {
	/* benign: nothing at all */
	{ "b-text", "", VERDICT_ACCEPT, { NULL, NULL, NULL } },
	{ "b-pdf", "", VERDICT_ACCEPT, { "report.pdf", NULL, NULL } },
	{ "b-png", "", VERDICT_ACCEPT, { "logo.png", NULL, NULL } },
	{ "b-zip", "", VERDICT_ACCEPT, { "doc.pdf", "docs.zip/doc.pdf",
	    NULL } },
	{ "b-7z", "", VERDICT_ACCEPT, { "notes.txt", "notes.7z/notes.txt",
	    NULL } },
	{ "b-targz", "", VERDICT_ACCEPT, { "doc.pdf",
	    "docs.tar.gz/doc.pdf", NULL } },
	{ "b-docx", "", VERDICT_ACCEPT, { "report.docx", NULL, NULL } },
	{ "b-doc", "", VERDICT_ACCEPT, { "minutes.doc", NULL, NULL } },
	{ "b-xls", "", VERDICT_ACCEPT, { "q3.xls", NULL, NULL } },
	{ "b-xls-mini", "", VERDICT_ACCEPT, { "q3.xls", NULL, NULL } },
	{ "b-xlsx", "", VERDICT_ACCEPT, { "q3.xlsx", NULL, NULL } },
	{ "b-odt", "", VERDICT_ACCEPT, { "minutes.odt", NULL, NULL } },
	{ "b-html", "", VERDICT_ACCEPT, { "newsletter.html", NULL, NULL } },
	{ "b-names", "", VERDICT_ACCEPT, { "Bericht M\xc3\xa4rz.pdf", NULL,
	    NULL } },
	{ "b-uu", "", VERDICT_ACCEPT, { "notes.txt", NULL, NULL } },
	{ "b-alternative", "", VERDICT_ACCEPT, { NULL, NULL, NULL } },
	{ "b-rfc822", "", VERDICT_ACCEPT, { "a.pdf", NULL, NULL } },
	/* risky: names and types */
	{ "r-exe", "banned_extension executable", VERDICT_QUARANTINE,
	    { "invoice.exe", NULL, NULL } },
	{ "r-exe-as-pdf", "executable type_mismatch", VERDICT_QUARANTINE,
	    { "invoice.pdf", NULL, NULL } },
	{ "r-double", "banned_extension double_extension executable",
	    VERDICT_QUARANTINE, { "invoice.pdf.exe", NULL, NULL } },
	{ "r-rlo", "banned_extension executable name_trick",
	    VERDICT_QUARANTINE, { "invoicefdp.exe", NULL,
	    "invoiceexe.pdf" } },
	{ "r-zwsp", "banned_extension executable name_trick",
	    VERDICT_QUARANTINE, { "invoice.exe", NULL, NULL } },
	{ "r-2231-cont", "banned_extension executable", VERDICT_QUARANTINE,
	    { "evil.exe", NULL, NULL } },
	{ "r-2047-b", "banned_extension executable", VERDICT_QUARANTINE,
	    { "rechnung.exe", NULL, NULL } },
	{ "r-2047-q", "banned_extension executable", VERDICT_QUARANTINE,
	    { "r\xc3\xa9sum\xc3\xa9.scr", NULL, NULL } },
	{ "r-2231-latin1", "banned_extension executable", VERDICT_QUARANTINE,
	    { "r\xc3\xa9sum\xc3\xa9.scr", NULL, NULL } },
	{ "r-trailing", "banned_extension executable", VERDICT_QUARANTINE,
	    { "evil.exe", NULL, NULL } },
	{ "r-case", "banned_extension executable", VERDICT_QUARANTINE,
	    { "EVIL.EXE", NULL, NULL } },
	{ "r-ctname", "banned_extension", VERDICT_QUARANTINE,
	    { "run.js", NULL, NULL } },
	{ "r-namediff", "banned_extension executable type_mismatch",
	    VERDICT_QUARANTINE, { "report.pdf", NULL, NULL } },
	{ "r-uu", "banned_extension executable", VERDICT_QUARANTINE,
	    { "setup.exe", NULL, NULL } },
	{ "r-rfc822", "banned_extension executable", VERDICT_QUARANTINE,
	    { "invoice.exe", NULL, NULL } },
	{ "r-eicar-com", "banned_extension executable", VERDICT_QUARANTINE,
	    { "eicar.com", NULL, NULL } },
	{ "r-eicar-txt", "executable type_mismatch", VERDICT_QUARANTINE,
	    { "eicar.txt", NULL, NULL } },
	/* risky: archives */
	{ "r-zip", "banned_member executable", VERDICT_QUARANTINE,
	    { "invoice.exe", "invoice.zip/invoice.exe", NULL } },
	{ "r-nested", "banned_member executable", VERDICT_QUARANTINE,
	    { "evil.exe", "outer.zip/inner.7z/evil.exe", NULL } },
	{ "r-enc-zip", "encrypted_archive", VERDICT_ACCEPT,
	    { "notes.zip", NULL, NULL } },
	{ "r-enc-exe-zip", "banned_member encrypted_archive",
	    VERDICT_QUARANTINE, { "invoice.exe", "invoice.zip/invoice.exe",
	    NULL } },
	{ "r-enc-7z", "encrypted_archive", VERDICT_ACCEPT,
	    { "notes.7z", NULL, NULL } },
	{ "r-enchdr-7z", "encrypted_archive", VERDICT_ACCEPT,
	    { "notes.7z", NULL, NULL } },
	/* an archive libarchive gave up on hides what lies past the damage:
	 * an incomplete scan; a bad CRC on bytes that were read is damage */
	{ "r-damaged-7z", "truncated", VERDICT_QUARANTINE,
	    { "notes.7z", NULL, NULL } },
	{ "r-damaged-data-zip", "truncated", VERDICT_QUARANTINE,
	    { "notes.zip", NULL, NULL } },
	{ "r-damaged-hdr-zip", "truncated", VERDICT_QUARANTINE,
	    { "notes.txt", "notes.zip/notes.txt", NULL } },
	{ "r-cut-zip", "truncated", VERDICT_QUARANTINE,
	    { "notes.zip", NULL, NULL } },
	{ "r-crc-zip", "banned_member executable malformed",
	    VERDICT_QUARANTINE, { "invoice.exe", "notes.zip/invoice.exe",
	    NULL } },
	{ "r-crc-benign-zip", "malformed", VERDICT_ACCEPT,
	    { "doc.pdf", "notes.zip/doc.pdf", NULL } },
	{ "r-iso", "banned_extension banned_member executable",
	    VERDICT_QUARANTINE, { "setup.exe", "disk.iso/setup.exe", NULL } },
	{ "r-targz", "banned_member", VERDICT_QUARANTINE,
	    { "update.js", "scripts.tar.gz/update.js", NULL } },
	{ "r-gz", "banned_member executable", VERDICT_QUARANTINE,
	    { "evil.exe", "evil.exe.gz/evil.exe", NULL } },
	{ "r-cab", "banned_member executable", VERDICT_QUARANTINE,
	    { "invoice.exe", "setup.cab/invoice.exe", NULL } },
	{ "r-bomb-zip", "archive_bomb", VERDICT_QUARANTINE,
	    { "archive.zip", NULL, NULL } },
	{ "r-bomb-targz", "archive_bomb", VERDICT_QUARANTINE,
	    { "archive.tar.gz", NULL, NULL } },
	{ "r-many", "truncated", VERDICT_QUARANTINE, { "many.zip", NULL,
	    NULL } },
	/* risky: macros and smuggling */
	{ "r-docm", "office_macro", VERDICT_ACCEPT, { "report.docm", NULL,
	    NULL } },
	{ "r-renamed-docx", "office_macro", VERDICT_ACCEPT,
	    { "report.docx", NULL, NULL } },
	{ "r-doc-macro", "office_macro", VERDICT_ACCEPT,
	    { "minutes.doc", NULL, NULL } },
	{ "r-zip-docm", "office_macro", VERDICT_ACCEPT,
	    { "report.docm", "bundle.zip/report.docm", NULL } },
	{ "r-odt-macro", "office_macro", VERDICT_ACCEPT,
	    { "minutes.odt", NULL, NULL } },
	{ "r-xls-xlm", "office_macro", VERDICT_ACCEPT,
	    { "q3.xls", NULL, NULL } },
	{ "r-xls-xlm-mini", "office_macro", VERDICT_ACCEPT,
	    { "q3.xls", NULL, NULL } },
	{ "r-xls-enc", "encrypted_archive", VERDICT_ACCEPT,
	    { "q3.xls", NULL, NULL } },
	{ "r-xlsm-xlm", "office_macro", VERDICT_ACCEPT,
	    { "q3.xlsm", NULL, NULL } },
	{ "r-xlsx-xlm-renamed", "office_macro", VERDICT_ACCEPT,
	    { "q3.xlsx", NULL, NULL } },
	{ "r-smuggle", "html_smuggling", VERDICT_ACCEPT,
	    { "document.html", NULL, NULL } },
	/* malformed: a verdict, in bounded time */
	{ "m-noend", "banned_extension executable malformed",
	    VERDICT_QUARANTINE, { "invoice.exe", NULL, NULL } },
	{ "m-deep", "truncated", VERDICT_QUARANTINE, { NULL, NULL, NULL } },
	{ "m-longhdr", "truncated", VERDICT_QUARANTINE, { NULL, NULL, NULL } },
	{ "m-badb64", "malformed", VERDICT_ACCEPT, { "report.pdf", NULL,
	    NULL } },
	{ "m-parts", "truncated", VERDICT_QUARANTINE, { NULL, NULL, NULL } },
	{ "m-loop-ole", "", VERDICT_ACCEPT, { "minutes.doc", NULL, NULL } },
	{ "m-longline", "", VERDICT_ACCEPT, { NULL, NULL, NULL } },
	/* PDFs (mkpdf.py): what they do when opened */
	{ "r-pdf-js", "pdf_javascript", VERDICT_ACCEPT, { "invoice.pdf",
	    NULL, NULL } },
	{ "r-pdf-launch", "pdf_launch", VERDICT_ACCEPT, { "invoice.pdf",
	    NULL, NULL } },
	{ "r-pdf-escaped", "pdf_javascript", VERDICT_ACCEPT,
	    { "invoice.pdf", NULL, NULL } },
	{ "r-pdf-embedded", "pdf_embedded", VERDICT_ACCEPT, { "invoice.pdf",
	    NULL, NULL } },
	{ "r-pdf-objstm", "pdf_javascript", VERDICT_ACCEPT, { "invoice.pdf",
	    NULL, NULL } },
	{ "r-pdf-qembedded", "pdf_embedded", VERDICT_ACCEPT, { "form.pdf",
	    NULL, NULL } },
	{ "r-pdf-zip", "pdf_launch", VERDICT_ACCEPT, { "statement.pdf",
	    "statements.zip/statement.pdf", NULL } },
	{ "r-pdf-noname", "pdf_javascript", VERDICT_ACCEPT, { "scan.dat",
	    NULL, NULL } },
	{ "r-pdf-qexe", "executable pdf_embedded", VERDICT_QUARANTINE,
	    { "form.pdf", NULL, NULL } },
	{ "r-pdf-exe", "executable pdf_embedded", VERDICT_QUARANTINE,
	    { "invoice.pdf", NULL, NULL } },
	{ "b-pdf-form", "", VERDICT_ACCEPT, { "form.pdf", NULL, NULL } },
	{ "b-pdf-qform", "", VERDICT_ACCEPT, { "form.pdf", NULL, NULL } },
	{ "b-pdf-signed", "", VERDICT_ACCEPT, { "contract.pdf", NULL, NULL } },
	{ "b-pdf-image", "", VERDICT_ACCEPT, { "scan.pdf", NULL, NULL } },
};

static int
has_item(const struct attach_results *r, const struct item_want *w)
{
	size_t i;

	for (i = 0; i < r->nitems; i++) {
		const struct attach_item *it = &r->items[i];

		if (strcmp(it->name, w->name) != 0)
			continue;
		if (w->path != NULL && (it->path == NULL ||
		    strcmp(it->path, w->path) != 0))
			continue;
		if (w->shown != NULL && (it->shown == NULL ||
		    strcmp(it->shown, w->shown) != 0))
			continue;
		return 1;
	}
	return 0;
}

static void
corpus_cases_get_exactly_their_reasons(void **state)
{
	struct config *cfg = config_default();
	struct result res;
	char got[1024];
	size_t i;
	int bad = 0;

	assert_non_null(cfg);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		evaluate(cfg, cases[i].eml, NULL, &res);
		reason_set(&res.v, got, sizeof(got));
		if (strcmp(got, cases[i].reasons) != 0) {
			print_error("%s: reasons \"%s\", want \"%s\"\n",
			    cases[i].eml, got, cases[i].reasons);
			bad++;
		}
		if (res.r.hard_action != cases[i].action) {
			print_error("%s: action %s, want %s\n", cases[i].eml,
			    verdict_action_name(res.r.hard_action),
			    verdict_action_name(cases[i].action));
			bad++;
		}
		if (cases[i].item.name != NULL &&
		    !has_item(&res.r, &cases[i].item)) {
			print_error("%s: no item %s (%s)\n", cases[i].eml,
			    cases[i].item.name, cases[i].item.path ?
			    cases[i].item.path : "-");
			bad++;
		}
		/* Bounded time, even under the sanitizers. */
		if (res.r.elapsed_ms > 5000) {
			print_error("%s: %lld ms\n", cases[i].eml,
			    res.r.elapsed_ms);
			bad++;
		}
		arena_free(res.a);
	}
	config_free(cfg);
	assert_int_equal(bad, 0);
}

/* A config from text (written into the test directory), checked by
 * config.c as an admin's file would be. */
static struct config *
config_text(const char *text)
{
	return attfix_config(corpus, text);
}

static void
expect(const struct config *cfg, const char *eml, const char *from,
    const char *reasons, enum verdict_action action)
{
	struct result res;
	char got[1024];

	evaluate(cfg, eml, from, &res);
	reason_set(&res.v, got, sizeof(got));
	if (strcmp(got, reasons) != 0 || res.r.hard_action != action)
		fail_msg("%s from %s: \"%s\" %s, want \"%s\" %s", eml,
		    from ? from : "-", got,
		    verdict_action_name(res.r.hard_action), reasons,
		    verdict_action_name(action));
	arena_free(res.a);
}

static void
allow_list_exempts_a_partners_macros_only(void **state)
{
	struct config *c = config_text("attach_allow_senders = "
	    "[\"partner.example=.docm,.xlsm\", \".group.example=.docm\"];\n");

	expect(c, "r-docm", "partner.example", "", VERDICT_ACCEPT);
	expect(c, "r-docm", "PARTNER.example", "", VERDICT_ACCEPT);
	expect(c, "r-docm", "mail.group.example", "", VERDICT_ACCEPT);
	expect(c, "r-docm", "group.example", "", VERDICT_ACCEPT);
	/* Not the partner, not authenticated, not the allowed type. */
	expect(c, "r-docm", "other.example", "office_macro", VERDICT_ACCEPT);
	expect(c, "r-docm", "xpartner.example", "office_macro",
	    VERDICT_ACCEPT);
	expect(c, "r-docm", NULL, "office_macro", VERDICT_ACCEPT);
	expect(c, "r-renamed-docx", "partner.example", "office_macro",
	    VERDICT_ACCEPT);
	expect(c, "r-exe", "partner.example", "banned_extension executable",
	    VERDICT_QUARANTINE);
	config_free(c);
}

static void
overrides_set_the_action_of_an_ext_or_type(void **state)
{
	struct config *c = config_text("attach_action_overrides = "
	    "[\".exe=reject\", \"application/vnd.ms-cab-compressed=accept\", "
	    "\".docm=quarantine\", \".pdf=tag\"];\n");
	struct result res;
	size_t i;

	expect(c, "r-exe", NULL, "banned_extension executable override",
	    VERDICT_REJECT);
	/* The override replaces the hard rule for that item only. */
	expect(c, "r-exe-as-pdf", NULL, "executable override type_mismatch",
	    VERDICT_TAG);
	expect(c, "r-docm", NULL, "office_macro override",
	    VERDICT_QUARANTINE);
	expect(c, "b-pdf", NULL, "override", VERDICT_TAG);
	/* accept exempts the cabinet, not the program inside it (which
	 * the .exe override rejects). */
	expect(c, "r-cab", NULL, "banned_member executable override",
	    VERDICT_REJECT);
	evaluate(c, "r-cab", NULL, &res);
	for (i = 0; i < res.r.nitems; i++)
		if (res.r.items[i].path == NULL)
			assert_true(res.r.items[i].flags & ATTACH_EXEMPT);
	arena_free(res.a);
	config_free(c);
}

static void
hard_rule_and_banned_list_are_policy(void **state)
{
	struct config *c = config_text("attach_executable_quarantine = "
	    "false;\nattach_banned_extensions = \"PDF, .js\";\n"
	    "scores = { attach_executable = 42; };\n");
	struct result res;

	assert_string_equal(c->attach_banned_extensions, "pdf js");
	expect(c, "r-exe", NULL, "executable", VERDICT_ACCEPT);
	expect(c, "b-pdf", NULL, "banned_extension", VERDICT_ACCEPT);
	evaluate(c, "r-exe", NULL, &res);
	assert_int_equal(res.v.score, 42);
	arena_free(res.a);
	config_free(c);
}

/* The reasons of v with that whatif flag, as reason_set gives them. */
static void
whatif_set(const struct verdict *v, int whatif, char *out, size_t len)
{
	struct verdict only;
	struct reason r[64];
	size_t i, n = 0;

	memset(&only, 0, sizeof(only));
	for (i = 0; i < v->nreasons && n < 64; i++)
		if (v->reasons[i].whatif == whatif)
			r[n++] = v->reasons[i];
	only.reasons = r;
	only.nreasons = n;
	reason_set(&only, out, len);
}

/* Issue 9: a dry-run attachment rule is listed as what-if, scores
 * nothing and holds nothing; the other rules of the same item still do,
 * and the action of an unfinished scan stays (it cannot be accept). */
static void
dry_run_attachment_rules_score_and_hold_nothing(void **state)
{
	static const struct {
		const char *dry, *eml, *scored, *whatif;
		int score;
		enum verdict_action action;
	} t[] = {
		{ "\"attach_banned_extension\"", "r-ctname", "",
		    "banned_extension", 0, VERDICT_ACCEPT },
		{ "\"attach_banned_extension\"", "r-exe", "executable",
		    "banned_extension", 10, VERDICT_QUARANTINE },
		{ "\"attach_banned_extension\", \"attach_executable\"",
		    "r-exe", "", "banned_extension executable", 0,
		    VERDICT_ACCEPT },
		{ "\"attach_banned_member\"", "r-targz", "", "banned_member",
		    0, VERDICT_ACCEPT },
		{ "\"attach_office_macro\"", "r-docm", "", "office_macro", 0,
		    VERDICT_ACCEPT },
		{ "\"attach_truncated\"", "r-many", "", "truncated", 0,
		    VERDICT_QUARANTINE },
	};
	char text[300], got[256];
	struct config *c;
	struct result res;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(text, sizeof(text), "dry_run_rules = [ %s ];\n",
		    t[i].dry);
		c = config_text(text);
		evaluate(c, t[i].eml, NULL, &res);
		whatif_set(&res.v, 0, got, sizeof(got));
		if (strcmp(got, t[i].scored) != 0)
			fail_msg("%s dry %s: scored \"%s\", want \"%s\"",
			    t[i].eml, t[i].dry, got, t[i].scored);
		whatif_set(&res.v, 1, got, sizeof(got));
		if (strcmp(got, t[i].whatif) != 0)
			fail_msg("%s dry %s: whatif \"%s\", want \"%s\"",
			    t[i].eml, t[i].dry, got, t[i].whatif);
		assert_int_equal(res.v.score, t[i].score);
		if (res.v.hard != t[i].action || res.r.hard_action !=
		    t[i].action)
			fail_msg("%s dry %s: hard %s/%s, want %s", t[i].eml,
			    t[i].dry, verdict_action_name(res.v.hard),
			    verdict_action_name(res.r.hard_action),
			    verdict_action_name(t[i].action));
		arena_free(res.a);
		config_free(c);
	}
}

static void
bad_policy_settings_are_config_errors(void **state)
{
	static const char *const bad[] = {
		"attach_banned_extensions = \"exe, b@d\";\n",
		"attach_banned_extensions = \"abcdefghijklmnop\";\n",
		"attach_action_overrides = [\"exe=reject\"];\n",
		"attach_action_overrides = [\".exe=drop\"];\n",
		"attach_action_overrides = [\"application/=tag\"];\n",
		"attach_allow_senders = [\"partner.example\"];\n",
		"attach_allow_senders = [\"-bad-.example=.docm\"];\n",
		"attach_allow_senders = [\"partner.example=.docm,\"];\n",
		"attach_archive_max_ratio = 1;\n",
		"attach_tmpdir = \"relative/dir\";\n",
	};
	char path[600], err[512];
	struct config *c;
	FILE *fp;
	size_t i;

	snprintf(path, sizeof(path), "%s/bad.conf", corpus);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fp = fopen(path, "w");
		assert_non_null(fp);
		fputs(bad[i], fp);
		fclose(fp);
		if (config_load(path, &c, err, sizeof(err)) == 0)
			fail_msg("accepted: %s", bad[i]);
		/* FILE:LINE: setting: problem */
		assert_non_null(strstr(err, "bad.conf:1: attach_"));
	}
}

static const struct limit_case {
	const char *what, *eml, *setting;
	unsigned at;			/* passes at this value */
	const char *past_reasons;	/* at - 1 */
	const char *at_reasons;
} limits[] = {
	{ "MIME parts", "m-parts", "attach_max_mime_parts", 600,
	    "truncated", "" },
	{ "archive members", "r-many", "attach_archive_max_members", 1100,
	    "truncated", "" },
	{ "archive depth", "r-nested", "attach_archive_max_depth", 2,
	    "truncated", "banned_member executable" },
	{ "expansion ratio", "r-bomb-zip", "attach_archive_max_ratio", 1025,
	    "archive_bomb", "" },
	{ "extracted bytes", "r-bomb-zip",
	    "attach_archive_max_ratio = 100000;\nattach_archive_max_bytes",
	    40960, "truncated", "" },
	{ "line length", "m-longline", "attach_max_line_length", 100001,
	    "truncated", "" },
	{ "part header length", "m-longhdr", "attach_max_header_length",
	    70007, "truncated", "" },
};

static void
caps_at_the_limit_and_one_past(void **state)
{
	char text[300];
	struct config *c;
	size_t i;

	for (i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		const struct limit_case *l = &limits[i];

		snprintf(text, sizeof(text), "%s = %u;\n", l->setting, l->at);
		c = config_text(text);
		expect(c, l->eml, NULL, l->at_reasons, strstr(l->at_reasons,
		    "executable") ? VERDICT_QUARANTINE : VERDICT_ACCEPT);
		config_free(c);
		snprintf(text, sizeof(text), "%s = %u;\n", l->setting,
		    l->at - 1);
		c = config_text(text);
		/* One past the limit the scan is incomplete: quarantine. */
		expect(c, l->eml, NULL, l->past_reasons, VERDICT_QUARANTINE);
		config_free(c);
	}
}

static void
time_limit_stops_a_slow_message(void **state)
{
	struct config *c = config_text("attach_archive_max_ratio = 1000000;"
	    "\nattach_max_time_ms = 100;\n");
	struct result res;

	/* Past the deadline: set it below the config minimum to be sure
	 * the 20 MB gunzip cannot finish in time. */
	c->attach_max_time_ms = 1;
	evaluate(c, "r-bomb-targz", NULL, &res);
	assert_string_equal(res.r.truncated, "time");
	assert_true(res.r.elapsed_ms < 1000);
	/* Unfinished: never milder than what it might have found. */
	assert_int_equal(res.r.hard_action, VERDICT_QUARANTINE);
	assert_int_equal(res.v.hard, VERDICT_QUARANTINE);
	assert_string_equal(res.r.hard_rule, "attach_truncated");
	arena_free(res.a);
	config_free(c);
}

/* The item with that archive path, or fail. */
static const struct attach_item *
item_path(const struct result *res, const char *path)
{
	size_t i;

	for (i = 0; i < res->r.nitems; i++)
		if (res->r.items[i].path != NULL &&
		    strcmp(res->r.items[i].path, path) == 0)
			return &res->r.items[i];
	fail_msg("no item %s", path);
	return NULL;
}

static int
item_has(const struct attach_item *it, const char *rule)
{
	size_t i;

	for (i = 0; i < it->nreasons; i++)
		if (strcmp(it->reasons[i], rule) == 0)
			return 1;
	return 0;
}

static int
verdict_has(const struct verdict *v, const char *rule)
{
	size_t i;

	for (i = 0; i < v->nreasons; i++)
		if (strcmp(v->reasons[i].rule, rule) == 0)
			return 1;
	return 0;
}

/* Issue 8 item 3: 999 members of 40 KB of newlines (10-200 ms each in
 * libmagic's text tests) ate the whole deadline, and the program named
 * invoice.pdf after them was never looked at: tag, score 5. */
static void
program_behind_slow_members_is_found(void **state)
{
	struct config *c = config_default();
	const struct attach_item *it;
	struct result res;

	evaluate(c, "r-slow-zip", NULL, &res);
	it = item_path(&res, "documents.zip/invoice.pdf");
	assert_true(item_has(it, "attach_executable"));
	assert_true(item_has(it, "attach_type_mismatch"));
	assert_true(verdict_has(&res.v, "attach_executable"));
	assert_int_equal(res.r.hard_action, VERDICT_QUARANTINE);
	assert_int_equal(res.v.hard, VERDICT_QUARANTINE);
	/* The newlines are text to the cheap sniff, not to libmagic. */
	assert_string_equal(item_path(&res,
	    "documents.zip/notes-0000.txt")->detected, "text/plain");
	arena_free(res.a);
	config_free(c);
}

/* With no CPU left for libmagic, the names and first bytes of every
 * part and member are still judged, and the unfinished scan asks for
 * attach_incomplete_action. */
static void
past_the_cpu_budget_cheap_checks_still_run(void **state)
{
	struct config *c = config_text("attach_max_cpu_ms = 600000;\n");
	const struct attach_item *it;
	struct result res;
	char text[64];
	long long full;

	/* The budget is set from what the whole walk costs on this build
	 * (a sanitizer build is slower), not from a guess: with half of
	 * it the expensive checks stop about half way, and the walk itself
	 * (twice the budget, the whole walk's cost) has room left for the
	 * cheap checks of every member that follows, which cost less than
	 * the expensive ones they replace. */
	evaluate(c, "r-slow-zip", NULL, &res);
	assert_null(res.r.truncated);
	full = res.r.cpu_ms;
	arena_free(res.a);
	config_free(c);
	snprintf(text, sizeof(text), "attach_max_cpu_ms = %lld;\n",
	    full / 2 > 10 ? full / 2 : 10);
	c = config_text(text);
	evaluate(c, "r-slow-zip", NULL, &res);
	it = item_path(&res, "documents.zip/invoice.pdf");
	assert_true(item_has(it, "attach_executable"));
	assert_true(item_has(it, "attach_type_mismatch"));
	assert_non_null(res.r.truncated);
	assert_non_null(strstr(res.r.truncated, "time"));
	assert_true(verdict_has(&res.v, "attach_truncated"));
	assert_int_equal(res.r.hard_action, VERDICT_QUARANTINE);
	/* libmagic stopped early: the last members got the cheap type. */
	assert_string_equal(item_path(&res,
	    "documents.zip/notes-0997.txt")->detected, "text/plain");
	arena_free(res.a);
	config_free(c);
}

static void
incomplete_action_is_configurable(void **state)
{
	struct config *c = config_text("attach_incomplete_action = "
	    "\"tempfail\";\n");
	struct result res;

	assert_string_equal(c->attach_incomplete_action, "tempfail");
	/* Count, depth, size limits; and a finished scan is untouched. */
	expect(c, "r-many", NULL, "truncated", VERDICT_TEMPFAIL);
	expect(c, "m-deep", NULL, "truncated", VERDICT_TEMPFAIL);
	expect(c, "r-bomb-zip", NULL, "archive_bomb", VERDICT_TEMPFAIL);
	expect(c, "r-exe", NULL, "banned_extension executable",
	    VERDICT_QUARANTINE);
	expect(c, "b-zip", NULL, "", VERDICT_ACCEPT);
	evaluate(c, "m-parts", NULL, &res);
	assert_int_equal(res.v.hard, VERDICT_TEMPFAIL);
	arena_free(res.a);
	config_free(c);
	c = config_text("attach_incomplete_action = \"reject\";\n");
	expect(c, "r-many", NULL, "truncated", VERDICT_REJECT);
	config_free(c);
}

/* libmagic's cost per part or member: what it is handed and what it may
 * do with it (not a timing). */
static void
libmagic_work_per_item_is_bounded(void **state)
{
	struct config *cfg = config_default();
	struct attach_magic_limits l;
	struct attach_ctx *ctx;
	char err[256];

	if ((ctx = attach_ctx_new(cfg, err, sizeof(err))) == NULL)
		fail_msg("%s", err);
	assert_int_equal(attach_magic_limits(ctx, &l), 0);
	assert_true(l.prefix <= 16384);
	assert_true(l.bytes_max <= 16384);
	/* The text and encoding tests a run of newlines made slow. */
	assert_true(l.flags & MAGIC_NO_CHECK_TEXT);
	assert_true(l.flags & MAGIC_NO_CHECK_ENCODING);
	assert_true(l.flags & MAGIC_NO_CHECK_COMPRESS);
	assert_true(l.indir_max <= 15);
	assert_true(l.name_max <= 30);
	assert_true(l.elf_phnum_max <= 128);
	assert_true(l.elf_shnum_max <= 256);
	assert_true(l.elf_notes_max <= 64);
	assert_true(l.regex_max <= 1024);
	assert_true(l.encoding_max <= 4096);
	attach_ctx_free(ctx);
	assert_int_equal(cfg->attach_max_cpu_ms, 300);
	config_free(cfg);
}

#define S(lit)	lit, sizeof(lit) - 1

static const struct sniff_case {
	const char *what;
	const char *bytes;
	size_t len;
	const char *type;		/* NULL: nothing said */
} sniffs[] = {
	{ "ELF", S("\x7f" "ELF\2\1\1\0\0\0\0\0\0\0\0\0"),
	    "application/x-executable" },
	{ "Mach-O 64", S("\xcf\xfa\xed\xfe\7\0\0\1"),
	    "application/x-mach-binary" },
	{ "fat Mach-O", S("\xca\xfe\xba\xbe\0\0\0\2"),
	    "application/x-mach-binary" },
	{ "Java class", S("\xca\xfe\xba\xbe\0\0\0\x34"), NULL },
	{ "shortcut", S("L\0\0\0\x01\x14\x02\0\0\0\0\0\xc0\0\0\0\0\0\0"
	    "\x46\0\0"), "application/x-ms-shortcut" },
	{ "zip", S("PK\3\4\x14\0"), "application/zip" },
	{ "7z", S("7z\xbc\xaf\x27\x1c\0\4"),
	    "application/x-7z-compressed" },
	{ "gzip", S("\x1f\x8b\x08\0"), "application/gzip" },
	{ "newlines", S("\n\n\n\n\n\n"), "text/plain" },
	{ "page", S("\r\n  <!DOCTYPE HTML><p>x"), "text/html" },
	{ "svg", S("<?xml version=\"1.0\"?>\n<svg>"), "image/svg+xml" },
	{ "MZ text", S("MZ is a text file that starts with MZ and goes on and "
	    "on like this one."), "text/plain" },
	{ "binary", S("\0\1\2\3"), NULL },
};

/* The cheap look that every part and member gets. */
static void
cheap_sniff_knows_programs_archives_pages(void **state)
{
	struct arena *a = arena_new();
	unsigned char buf[65536];
	struct spool *sp;
	ssize_t n;
	size_t i;

	for (i = 0; i < sizeof(sniffs) / sizeof(sniffs[0]); i++) {
		const char *t = attype_sniff((const unsigned char *)
		    sniffs[i].bytes, sniffs[i].len, sniffs[i].len);

		if (sniffs[i].type == NULL ? t != NULL : t == NULL ||
		    strcmp(t, sniffs[i].type) != 0)
			fail_msg("%s: %s", sniffs[i].what, t ? t : "NULL");
	}
	sp = file_spool(a, "pe.bin", 0);
	n = spool_pread(sp, buf, sizeof(buf), 0);
	assert_true(n > 0);
	assert_string_equal(attype_sniff(buf, (size_t)n, (size_t)n),
	    "application/vnd.microsoft.portable-executable");
	/* Its PE header past the bytes we hold: still a program. */
	assert_string_equal(attype_sniff(buf, 64, (size_t)n),
	    "application/x-dosexec");
	sp = file_spool(a, "macro.doc", 0);
	n = spool_pread(sp, buf, sizeof(buf), 0);
	assert_string_equal(attype_sniff(buf, (size_t)n, (size_t)n),
	    "application/x-ole-storage");
	sp = file_spool(a, "disk.iso", 0);
	n = spool_pread(sp, buf, 40960, 0);
	assert_string_equal(attype_sniff(buf, (size_t)n, (size_t)n),
	    "application/x-iso9660-image");
	arena_free(a);
}

static void
disabled_means_no_reasons(void **state)
{
	struct config *c = config_text("attach_enable = false;\n");

	expect(c, "r-exe", NULL, "", VERDICT_ACCEPT);
	config_free(c);
}

/* Reads a corpus file into a spool, cut at max bytes. */
static struct spool *
file_spool(struct arena *a, const char *name, size_t max)
{
	struct spool *full = load(a, "files", name, 1 << 20), *sp;
	unsigned char buf[65536];
	char err[128];
	ssize_t n;

	if (max == 0)
		return full;
	sp = spool_new(a, 1 << 20, NULL);
	n = spool_pread(full, buf, max < sizeof(buf) ? max : sizeof(buf), 0);
	assert_true(n >= 0);
	assert_int_equal(spool_write(sp, buf, (size_t)n, err, sizeof(err)),
	    0);
	return sp;
}

static void
ole_directory_walk_is_bounded(void **state)
{
	struct arena *a = arena_new();
	struct spool *sp, *m;
	unsigned char buf[10240];
	char err[128];
	unsigned seed = 12345;
	int damaged, i, k;

	assert_int_equal(office_ole_has_vba(file_spool(a, "macro.doc", 0),
	    NULL, &damaged), 1);
	assert_int_equal(damaged, 0);
	assert_int_equal(office_ole_has_vba(file_spool(a, "clean.doc", 0),
	    NULL, &damaged), 0);
	assert_int_equal(damaged, 0);
	/* A directory chain that loops on itself ends, damaged. */
	assert_int_equal(office_ole_has_vba(file_spool(a, "loop.doc", 0),
	    NULL, &damaged), 0);
	assert_int_equal(damaged, 1);
	/* Cut before the second directory sector. */
	assert_int_equal(office_ole_has_vba(file_spool(a, "macro.doc", 1500),
	    NULL, &damaged), 0);
	assert_int_equal(damaged, 1);
	assert_int_equal(office_ole_has_vba(file_spool(a, "doc.pdf", 0),
	    NULL, &damaged), 0);
	assert_int_equal(damaged, 1);
	/* Random damage to the header, FAT and directory: it ends. */
	m = file_spool(a, "macro.doc", 0);
	for (i = 0; i < 3000; i++) {
		assert_int_equal(spool_pread(m, buf, sizeof(buf), 0),
		    (ssize_t)sizeof(buf));
		for (k = 0; k < 4; k++) {
			seed = seed * 1103515245 + 12345;
			buf[(seed >> 8) % 1536] = (unsigned char)(seed >> 20);
		}
		sp = spool_new(a, sizeof(buf), NULL);
		assert_int_equal(spool_write(sp, buf, sizeof(buf), err,
		    sizeof(err)), 0);
		(void)office_ole_has_vba(sp, NULL, &damaged);
		spool_free(sp);
	}
	arena_free(a);
}

/* A copy of spool full with len bytes at off replaced by bytes. */
static struct spool *
patched2(struct arena *a, struct spool *full, size_t off, const void *bytes,
    size_t len)
{
	struct spool *sp;
	unsigned char buf[16384];
	char err[128];
	ssize_t n = spool_pread(full, buf, sizeof(buf), 0);

	assert_true(n > 0 && off + len <= (size_t)n);
	memcpy(buf + off, bytes, len);
	sp = spool_new(a, sizeof(buf), NULL);
	assert_int_equal(spool_write(sp, buf, (size_t)n, err, sizeof(err)),
	    0);
	return sp;
}

/* The same from corpus file name. */
static struct spool *
patched(struct arena *a, const char *name, size_t off, const void *bytes,
    size_t len)
{
	return patched2(a, file_spool(a, name, 0), off, bytes, len);
}

static enum office_xlm_seen
xlm(struct spool *sp, const char **what)
{
	return office_xlm(sp, 0, NULL, what);
}

/* Excel 4.0 macro sheets in OLE2 workbooks (mkole.py --xls): found in
 * the regular and the mini stream; a broken or looping chain, a stream
 * cut short or declared past the file, or a globals substream with no
 * EOF, is "not seen", never "no macro sheet". */
static void
ole_workbook_macro_sheets_are_read_bounded(void **state)
{
	static const unsigned char loop3[4] = { 3, 0, 0, 0 };
	static const unsigned char big[4] = { 0xff, 0xff, 0xff, 0x7f };
	static const unsigned char zero[4] = { 0, 0, 0, 0 };
	static const unsigned char noeof[4] = { 0x01, 0x00, 0xff, 0xff };
	struct arena *a = arena_new();
	struct spool *sp;
	const char *what;

	assert_int_equal(xlm(file_spool(a, "xlm.xls", 0), &what),
	    OFFICE_XLM_FOUND);
	assert_string_equal(what,
	    "Excel 4.0 (XLM) macro sheet (very hidden)");
	assert_int_equal(xlm(file_spool(a, "xlm-mini.xls", 0), &what),
	    OFFICE_XLM_FOUND);
	assert_string_equal(what, "Excel 4.0 (XLM) macro sheet (hidden)");
	assert_int_equal(xlm(file_spool(a, "clean.xls", 0), &what),
	    OFFICE_XLM_NONE);
	assert_null(what);
	assert_int_equal(xlm(file_spool(a, "clean-mini.xls", 0), &what),
	    OFFICE_XLM_NONE);
	assert_int_equal(xlm(file_spool(a, "enc.xls", 0), &what),
	    OFFICE_XLM_ENCRYPTED);
	/* Not a workbook at all: nothing to say. */
	assert_int_equal(xlm(file_spool(a, "macro.doc", 0), &what),
	    OFFICE_XLM_NONE);
	/* The globals' EOF record (at 2126) made a record of 65535 bytes:
	 * the walk runs to the end of the stream, or of a chain that loops (the first sector, 3,
	 * its own successor in the FAT at 512), or of the file when the
	 * size is declared past it (directory at 1024, entry 1). */
	assert_int_equal(xlm(patched(a, "clean.xls", 2126, noeof, 4),
	    &what), OFFICE_XLM_UNSEEN);
	assert_string_equal(what, "workbook sheet list not read to its end");
	sp = patched(a, "clean.xls", 2126, noeof, 4);
	assert_int_equal(xlm(patched2(a, sp, 512 + 3 * 4, loop3, 4), &what),
	    OFFICE_XLM_UNSEEN);
	assert_int_equal(xlm(patched2(a, sp, 1024 + 128 + 0x78, big, 4),
	    &what), OFFICE_XLM_UNSEEN);
	/* With its EOF, a declared size past the file does not matter. */
	assert_int_equal(xlm(patched(a, "clean.xls", 1024 + 128 + 0x78, big,
	    4), &what), OFFICE_XLM_NONE);
	/* The mini FAT (sector 2, at 1536) loops its first mini sector. */
	assert_int_equal(xlm(patched(a, "clean-mini.xls", 1536, zero, 4),
	    &what), OFFICE_XLM_UNSEEN);
	/* Cut inside the Workbook stream. */
	assert_int_equal(xlm(file_spool(a, "clean.xls", 1700), &what),
	    OFFICE_XLM_UNSEEN);
	arena_free(a);
}

/* Writes text as the corpus message name.eml. */
static void
put_msg(const char *name, const char *text)
{
	char path[800];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/msg/%s.eml", corpus, name);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, strlen(text), fp), strlen(text));
	fclose(fp);
}

/* Issue 8 item 4: an executable in a forwarded message is found in
 * every form a reader opens as a message, as in a plain message/rfc822
 * part; the depth cap holds across the forms, and past it the scan says
 * it was cut short. */
static void
forwarded_executables_are_found_in_every_form(void **state)
{
	struct config *c = config_text("attach_max_mime_depth = 7;\n");
	struct result res;
	unsigned f;
	char *m;

	for (f = 0; f < MSGFIX_NFORMS; f++) {
		m = msgfix_chain(f, 1, NULL);
		put_msg("fwd", m);
		free(m);
		expect(c, "fwd", NULL, "executable type_mismatch",
		    VERDICT_QUARANTINE);
		/* Three wraps deep: depth 7, the cap. */
		m = msgfix_chain(f, 3, NULL);
		put_msg("fwd3", m);
		free(m);
		expect(c, "fwd3", NULL, "executable type_mismatch",
		    VERDICT_QUARANTINE);
	}
	config_free(c);
	c = config_text("attach_max_mime_depth = 6;\n");
	for (f = 0; f < MSGFIX_NFORMS; f++) {
		m = msgfix_chain(f, 3, NULL);
		put_msg("fwd3", m);
		free(m);
		evaluate(c, "fwd3", NULL, &res);
		if (res.r.truncated == NULL ||
		    strcmp(res.r.truncated, "mime_depth") != 0 ||
		    res.v.nreasons != 1 || strcmp(res.v.reasons[0].rule,
		    "attach_truncated") != 0)
			fail_msg("%s past the depth cap: truncated %s",
			    msgfix_form_name(f), res.r.truncated ?
			    res.r.truncated : "-");
		arena_free(res.a);
	}
	config_free(c);
}

/* Issue 8 item 1: the From of 50,000 nested groups in a message part
 * (GMime's address parser overflowed the stack) gets a verdict. */
static void
nested_groups_get_a_verdict(void **state)
{
	static const enum msgfix_form forms[] = { MSGFIX_PLAIN,
	    MSGFIX_NEWS, MSGFIX_GLOBAL };
	struct config *c = config_text("");
	char *g = msgfix_groups(50000), *m;
	struct result res;
	size_t k;

	for (k = 0; k < sizeof(forms) / sizeof(forms[0]); k++) {
		m = msgfix_chain(forms[k], 2, g);
		put_msg("groups", m);
		free(m);
		evaluate(c, "groups", NULL, &res);
		if (res.r.hard_action != VERDICT_QUARANTINE ||
		    res.r.truncated == NULL ||
		    strcmp(res.r.truncated, "header_length") != 0)
			fail_msg("%s: action %s truncated %s",
			    msgfix_form_name(forms[k]),
			    verdict_action_name(res.r.hard_action),
			    res.r.truncated ? res.r.truncated : "-");
		arena_free(res.a);
	}
	free(g);
	config_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(corpus_cases_get_exactly_their_reasons),
		cmocka_unit_test(allow_list_exempts_a_partners_macros_only),
		cmocka_unit_test(overrides_set_the_action_of_an_ext_or_type),
		cmocka_unit_test(hard_rule_and_banned_list_are_policy),
		cmocka_unit_test(
		    dry_run_attachment_rules_score_and_hold_nothing),
		cmocka_unit_test(bad_policy_settings_are_config_errors),
		cmocka_unit_test(caps_at_the_limit_and_one_past),
		cmocka_unit_test(time_limit_stops_a_slow_message),
		cmocka_unit_test(program_behind_slow_members_is_found),
		cmocka_unit_test(past_the_cpu_budget_cheap_checks_still_run),
		cmocka_unit_test(incomplete_action_is_configurable),
		cmocka_unit_test(libmagic_work_per_item_is_bounded),
		cmocka_unit_test(cheap_sniff_knows_programs_archives_pages),
		cmocka_unit_test(disabled_means_no_reasons),
		cmocka_unit_test(ole_directory_walk_is_bounded),
		cmocka_unit_test(ole_workbook_macro_sheets_are_read_bounded),
		cmocka_unit_test(forwarded_executables_are_found_in_every_form),
		cmocka_unit_test(nested_groups_get_a_verdict),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
