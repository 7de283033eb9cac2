/*
 * callbacks.h - the libmilter callback table.
 */
#ifndef RW_CALLBACKS_H
#define RW_CALLBACKS_H

#include <libmilter/mfapi.h>

/* The filter description for smfi_register. */
extern struct smfiDesc callbacks_desc;

#endif
