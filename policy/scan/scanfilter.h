/*
 * scanfilter.h - the attachment worker's seccomp allow-list.
 */
#ifndef RW_SCANFILTER_H
#define RW_SCANFILTER_H

#include <stddef.h>

/* Sets no_new_privs and loads the filter for this process.  0, or -1
 * with one line in err. */
int scanfilter_apply(char *err, size_t errlen);

#endif
