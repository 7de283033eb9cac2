/*
 * scanfilter.h - the attachment worker's seccomp allow-list.
 */
#ifndef RW_SCANFILTER_H
#define RW_SCANFILTER_H

#include <stddef.h>

/* Sets no_new_privs and loads the filter for this process.  The one
 * open it lets through: openat(scratch_dir, ..., O_TMPFILE) (a nameless
 * scratch file; -1: none).  0, or -1 with one line in err. */
int scanfilter_apply(int scratch_dir, char *err, size_t errlen);

#endif
