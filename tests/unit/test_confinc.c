/*
 * test_confinc.c - confinc.c: every @include target is checked before
 * libconfig 1.5 reads it, whose scanner calls exit(2) on a directory
 * (@include ".", @include "", a directory's name): each case must come
 * back as "FILE:LINE: @include "X": problem" with the process alive.
 * Also: directives in comments and strings are not directives, nesting
 * and count caps, a state left open by an included file, escapes in the
 * name, and number literals re-read in included files.
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
#include <sys/stat.h>

#include "config/config.h"
#include "conffix.h"

static int
setup(void **state)
{
	const char *t = getenv("TMPDIR");
	char path[600];

	snprintf(conffix_dir, sizeof(conffix_dir), "%s/rwconfiXXXXXX",
	    t != NULL && *t != '\0' ? t : "/tmp");
	if (mkdtemp(conffix_dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/subdir", conffix_dir);
	if (mkdir(path, 0700) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/fifo", conffix_dir);
	return mkfifo(path, 0600);
}

/* Included files the cases use, written once. */
static void
write_includes(void)
{
	char path[600];
	char *many;
	size_t i;

	conffix_write("ok.inc", "log_level = \"debug\";\n", path, sizeof(path));
	conffix_write("empty.inc", "", path, sizeof(path));
	conffix_write("nested-dot.inc", "max_headers = 100;\n\n"
	    "@include \".\"\n", path, sizeof(path));
	conffix_write("self.inc", "@include \"self.inc\"\n", path, sizeof(path));
	conffix_write("open-comment.inc", "max_headers = 200; /* left open\n",
	    path, sizeof(path));
	conffix_write("in\"q.inc", "max_received_walk = 9;\n", path,
	    sizeof(path));
	conffix_write("wrapped.inc", "\nmax_headers = 4294968296;\n", path,
	    sizeof(path));
	/* 65 directives: one past CONFIG_INCLUDE_MAX */
	many = calloc(65, 24);
	assert_non_null(many);
	for (i = 0; i < 65; i++)
		strcat(many, "@include \"empty.inc\"\n");
	conffix_write("many.conf", many, path, sizeof(path));
	free(many);
}

/* A main file's text, the file (relative to conffix_dir, NULL: the main
 * file) and line the message names, and the rest of the message (NULL:
 * the file must load). */
static const struct inc_case {
	const char *behaviour, *text, *file;
	unsigned line;
	const char *msg;
} inc_cases[] = {
	{ "include of \".\" (the fuzz finding)", "@include \".\"\n", NULL, 1,
	    "@include \".\": not a regular file" },
	{ "include of \"\"", "log_level = \"info\";\n@include \"\"\n", NULL, 2,
	    "@include \"\": not a regular file" },
	{ "include of a directory", "\n  @include  \"subdir\"\n", NULL, 2,
	    "@include \"subdir\": not a regular file" },
	{ "include of a directory with a slash", "@include \"subdir/\"\n",
	    NULL, 1, "@include \"subdir/\": not a regular file" },
	{ "include of a FIFO does not block", "@include \"fifo\"\n", NULL, 1,
	    "@include \"fifo\": not a regular file" },
	{ "include of a missing file", "@include \"nope.inc\"\n", NULL, 1,
	    "@include \"nope.inc\": No such file or directory" },
	{ "absolute name is taken from the config's directory (libconfig)",
	    "@include \"/etc/hostname\"\n", NULL, 1,
	    "@include \"/etc/hostname\": No such file or directory" },
	{ "directory in a nested include names that file",
	    "@include \"nested-dot.inc\"\n", "nested-dot.inc", 3,
	    "@include \".\": not a regular file" },
	{ "file including itself", "@include \"self.inc\"\n", "self.inc", 1,
	    "@include \"self.inc\": nested deeper than 10 files" },
	{ "65 directives", "@include \"many.conf\"\n", "many.conf", 64,
	    "@include \"empty.inc\": more than 64 @include directives" },
	{ "include without its closing quote", "max_headers = 10;\n"
	    "@include \"ok.inc\n", NULL, 2,
	    "@include \"ok.inc?\": no closing quote" },
	{ "name with a newline shown on one line", "@include \"a\nb\"\n",
	    NULL, 1, "@include \"a?b\": No such file or directory" },
	{ "wrapped number in an included file is re-read",
	    "@include \"wrapped.inc\"\n", "wrapped.inc", 2,
	    "max_headers: out of range 10 to 100000" },
	/* not directives: the file loads */
	{ "include in a # comment", "# @include \".\"\n", NULL, 0, NULL },
	{ "include in a // comment", "// @include \".\"\n", NULL, 0, NULL },
	{ "include in a block comment", "/*\n@include \".\"\n*/\n", NULL, 0,
	    NULL },
	{ "include not at the start of its line",
	    "max_headers = 10; @include \".\"\n", NULL, 1,
	    "syntax error" },
	{ "good includes load, one twice", "@include \"empty.inc\"\n"
	    "@include \"ok.inc\"\n@include \"empty.inc\"\n", NULL, 0, NULL },
	{ "escaped quote in the name", "@include \"in\\\"q.inc\"\n", NULL, 0,
	    NULL },
	{ "comment left open by an included file carries on",
	    "@include \"open-comment.inc\"\n@include \".\"\n*/\n", NULL, 0,
	    NULL },
};

static void
include_targets_are_checked(void **state)
{
	const struct inc_case *b;
	struct config *c;
	char path[600], err[1024], want[1200], file[700];
	size_t i;

	write_includes();
	for (i = 0; i < sizeof(inc_cases) / sizeof(inc_cases[0]); i++) {
		b = &inc_cases[i];
		c = NULL;
		conffix_write("main.conf", b->text, path, sizeof(path));
		if (b->msg == NULL) {
			if (config_load(path, &c, err, sizeof(err)) != 0)
				fail_msg("%s: %s", b->behaviour, err);
			config_free(c);
			continue;
		}
		if (config_load(path, &c, err, sizeof(err)) != -1)
			fail_msg("%s: loaded", b->behaviour);
		assert_null(c);
		if (b->file != NULL)
			snprintf(file, sizeof(file), "%s/%s", conffix_dir, b->file);
		else
			snprintf(file, sizeof(file), "%s", path);
		snprintf(want, sizeof(want), "%s:%u: %s", file, b->line,
		    b->msg);
		if (strcmp(err, want) != 0)
			fail_msg("%s:\n got \"%s\"\nwant \"%s\"", b->behaviour,
			    err, want);
	}
}

static void
included_values_apply(void **state)
{
	struct config *c;
	char path[600], err[1024];

	write_includes();
	conffix_write("main.conf", "@include \"in\\\"q.inc\"\n"
	    "@include \"open-comment.inc\"\n@include \".\"\n*/\n", path,
	    sizeof(path));
	if (config_load(path, &c, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(c->max_received_walk, 9);
	assert_int_equal(c->max_headers, 200);
	config_free(c);
}

static void
main_file_that_is_a_directory(void **state)
{
	struct config *c = NULL;
	char path[600], err[1024], want[700];

	snprintf(path, sizeof(path), "%s/subdir", conffix_dir);
	assert_int_equal(config_load(path, &c, err, sizeof(err)), -1);
	assert_null(c);
	snprintf(want, sizeof(want), "%s: cannot open: not a regular file",
	    path);
	assert_string_equal(err, want);
}

/* Root acts on what the config says: a file others may write is
 * refused, at load (and so by -n and on reload).  Issue 8, item 10. */
static void
writable_files_are_refused(void **state)
{
	struct config *c = NULL;
	char path[600], inc[600], zone[600], dir[600], err[1024], want[1400];

	conffix_write("perm.conf", "log_level = \"info\";\n", path,
	    sizeof(path));
	assert_int_equal(chmod(path, 0664), 0);
	assert_int_equal(config_load(path, &c, err, sizeof(err)), -1);
	assert_null(c);
	snprintf(want, sizeof(want), "%s: group- or world-writable: "
	    "refusing it", path);
	assert_string_equal(err, want);
	assert_int_equal(chmod(path, 0602), 0);
	assert_int_equal(config_load(path, &c, err, sizeof(err)), -1);
	assert_string_equal(err, want);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(config_load(path, &c, err, sizeof(err)), 0);
	config_free(c);

	/* an @include target */
	conffix_write("perm.inc", "max_headers = 100;\n", inc, sizeof(inc));
	assert_int_equal(chmod(inc, 0666), 0);
	conffix_write("perm.conf", "\n@include \"perm.inc\"\n", path,
	    sizeof(path));
	assert_int_equal(config_load(path, &c, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:2: @include \"perm.inc\": %s: "
	    "group- or world-writable: refusing it", path, inc);
	assert_string_equal(err, want);
	assert_int_equal(chmod(inc, 0644), 0);
	assert_int_equal(config_load(path, &c, err, sizeof(err)), 0);
	config_free(c);

	/* the DNS data the verdicts rest on */
	conffix_write("perm.zone", "$STATIC example\n", zone, sizeof(zone));
	assert_int_equal(chmod(zone, 0660), 0);
	conffix_write("perm.conf", "dns_local_data = \"perm.zone\";\n", path,
	    sizeof(path));
	assert_int_equal(config_load(path, &c, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: dns_local_data: %s: group- or "
	    "world-writable: refusing it", path, zone);
	assert_string_equal(err, want);
	assert_int_equal(chmod(zone, 0644), 0);
	assert_int_equal(config_load(path, &c, err, sizeof(err)), 0);
	config_free(c);

	/* a directory others may write: they could swap the file; the
	 * sticky bit (as on /tmp) stops them */
	snprintf(dir, sizeof(dir), "%s/opendir", conffix_dir);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(path, sizeof(path), "%s/opendir/x.conf", conffix_dir);
	conffix_write("opendir/x.conf", "", path, sizeof(path));
	assert_int_equal(chmod(dir, 0777), 0);
	assert_int_equal(config_load(path, &c, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: in a group- or world-writable "
	    "directory: refusing it", path);
	assert_string_equal(err, want);
	assert_int_equal(chmod(dir, 01777), 0);
	assert_int_equal(config_load(path, &c, err, sizeof(err)), 0);
	config_free(c);

	/* owned by someone else (only root can make that file here) */
	if (geteuid() == 0) {
		assert_int_equal(chmod(dir, 0755), 0);
		assert_int_equal(chown(path, 65534, 65534), 0);
		assert_int_equal(config_load(path, &c, err, sizeof(err)), -1);
		snprintf(want, sizeof(want), "%s: owned by uid 65534, "
		    "neither root nor us: refusing it", path);
		assert_string_equal(err, want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(include_targets_are_checked),
		cmocka_unit_test(included_values_apply),
		cmocka_unit_test(main_file_that_is_a_directory),
		cmocka_unit_test(writable_files_are_refused),
	};

	return cmocka_run_group_tests(tests, setup, conffix_teardown);
}
