/*
 * statexfer.h - relaywarden-state export and import: the history as
 * JSON lines (issue 14 item 6; format in statexfer.c).
 */
#ifndef RW_STATEXFER_H
#define RW_STATEXFER_H

#include <stdio.h>

struct state_pool;

/* Every key under the prefix to out; exit code (0 done, 2 error, with
 * one line on stderr). */
int statexfer_export(struct state_pool *, FILE *out);
/* Reads in (all of it is checked before anything is written); exit code
 * 0 all written, 1 some keys existed and were left alone (without
 * replace), 2 malformed input (line numbers on stderr) or error. */
int statexfer_import(struct state_pool *, FILE *in, int replace);

#endif
