/*
 * conffix.h - the config tests' shared fixture: a scratch directory made
 * by the group setup and removed by its teardown, files written into it,
 * and config dumps as text.
 */
#ifndef RW_CONFFIX_H
#define RW_CONFFIX_H

#include <stddef.h>

struct config;

/* The scratch directory of the running group. */
extern char conffix_dir[512];

/* $top_srcdir, or "." */
const char *conffix_srcdir(void);
/* Writes text to conffix_dir/name; the full path goes to path. */
void conffix_write(const char *name, const char *text, char *path,
    size_t len);
/* config_dump into a malloc string (the caller frees). */
char *conffix_dump(const struct config *);
/* The dump without its first (comment) line, which names the file. */
const char *conffix_body(const char *dump);
/* cmocka group setup and teardown: make and remove conffix_dir. */
int conffix_setup(void **state);
int conffix_teardown(void **state);

#endif
