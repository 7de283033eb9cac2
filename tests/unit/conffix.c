/*
 * conffix.c - the config tests' shared fixture (see conffix.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "conffix.h"

char conffix_dir[512];

const char *
conffix_srcdir(void)
{
	const char *d = getenv("top_srcdir");

	return d != NULL ? d : ".";
}

void
conffix_write(const char *name, const char *text, char *path, size_t len)
{
	FILE *fp;

	snprintf(path, len, "%s/%s", conffix_dir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

/* Not inlined: gcc 12 then takes a pointer into the dump for one into
 * the local that open_memstream wrote (a false -Wdangling-pointer). */
char *conffix_dump(const struct config *) __attribute__((noinline));

char *
conffix_dump(const struct config *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	assert_non_null(fp);
	config_dump(c, fp);
	fclose(fp);
	return buf;
}

const char *
conffix_body(const char *dump)
{
	const char *nl = strchr(dump, '\n');

	assert_non_null(nl);
	return nl + 1;
}

int
conffix_setup(void **state)
{
	const char *t = getenv("TMPDIR");

	(void)state;
	snprintf(conffix_dir, sizeof(conffix_dir), "%s/rwconfXXXXXX",
	    t != NULL && *t != '\0' ? t : "/tmp");
	return mkdtemp(conffix_dir) == NULL ? -1 : 0;
}

int
conffix_teardown(void **state)
{
	char cmd[600];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", conffix_dir);
	return system(cmd) == 0 ? 0 : -1;
}
