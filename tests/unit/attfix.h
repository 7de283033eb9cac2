/*
 * attfix.h - what the attachment walk tests share (test_tnef, test_rar):
 * a message file read into a spool, one attach_evaluate in-process, the
 * items and reasons looked up, and a dump with RW_TEST_VERBOSE set.
 * Failures end the cmocka test (fail_msg).
 */
#ifndef RW_ATTFIX_H
#define RW_ATTFIX_H

#include "attach/attach.h"
#include "verdict/verdict.h"

struct arena;
struct config;
struct spool;

struct attfix_result {
	struct arena *a;
	struct attach_results r;
	struct verdict v;
};

/* $top_srcdir, or ".". */
const char *attfix_srcdir(void);
/* A fresh directory under $TMPDIR (or /tmp) named rw-NAME-XXXXXX into
 * dir (dirlen bytes); 0 or -1. */
int attfix_tmpdir(const char *name, char *dir, size_t dirlen);
/* rm -rf dir; 0 or -1. */
int attfix_rmdir(const char *dir);
/* The file at path in a new spool of a (memory up to mem, else 1 MB). */
struct spool *attfix_load(struct arena *a, const char *path);
struct spool *attfix_load_mem(struct arena *a, const char *path,
    size_t mem);
/* cfg as written in text (a file in dir). */
struct config *attfix_config(const char *dir, const char *text);
/* One walk of the message file under cfg (config_default() when NULL)
 * into *res (attfix_done frees it); label names it in the dump. */
void attfix_evaluate(const struct config *cfg, const char *file,
    const char *label, struct attfix_result *res);
void attfix_done(struct attfix_result *res);
/* The item whose path is path (fails the test when none). */
const struct attach_item *attfix_item_path(const struct attfix_result *,
    const char *path);
int attfix_item_has(const struct attach_item *, const char *rule);
int attfix_verdict_has(const struct verdict *, const char *rule);

#endif
