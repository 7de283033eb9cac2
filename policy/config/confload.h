/*
 * confload.h - reading a configuration file (libconfig).
 */
#ifndef RW_CONFLOAD_H
#define RW_CONFLOAD_H

#include <stddef.h>

struct config;

/* config_load's work: 0 with *out, or -1 with one line in err. */
int confload_file(const char *path, struct config **out, char *err,
    size_t errlen);

/* config_load_text's work. */
int confload_text(const char *text, struct config **out, char *err,
    size_t errlen);

#endif
