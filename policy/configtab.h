/*
 * configtab.h - the settings table shared by config.c (defaults, checks,
 * dump) and confload.c (reading a file), and the checks in confredis.c.
 * Internal to the config module; nothing outside policy/conf*.c includes
 * it.
 */
#ifndef RW_CONFIGTAB_H
#define RW_CONFIGTAB_H

#include <stddef.h>
#include <stdio.h>

struct config;

enum ctype {
	T_STRING,		/* char * */
	T_BOOL,			/* int */
	T_UINT,			/* unsigned, min..max */
	T_MODE,			/* unsigned; "0660" or an integer */
	T_LEVEL,		/* int: log_level_parse word */
	T_FACILITY,		/* int: log_facility_parse word */
	T_STRLIST,		/* char ** + size_t */
	T_CIDRLIST,		/* struct net_cidr * + size_t */
	T_SCORES,		/* int[RULE_COUNT]: group rule = score */
};

struct loadctx {
	const char *dir;	/* absolute directory of the config file */
};

struct setting {
	const char *name;
	enum ctype type;
	const char *sdef;	/* default of strings and words */
	unsigned long ndef;	/* default of numbers, modes, bools */
	unsigned long min, max;
	size_t off;		/* the field */
	size_t noff;		/* the element count of a list */
	/* Checks one string (each element of a T_STRLIST) and may replace
	 * it (malloc memory). 0, or -1 with the problem in err. */
	int (*check)(const struct loadctx *, char **, char *, size_t);
};

#define FIELD(c, s, t)	((t *)(void *)((char *)(c) + (s)->off))
#define COUNT(c, s)	((size_t *)(void *)((char *)(c) + (s)->noff))

extern const struct setting config_settings[];
extern const size_t config_nsettings;

/* Frees a setting's value in c (strings, lists) and clears it. */
void config_free_value(struct config *, const struct setting *);

/* Checks shared by the table and the other files: "" or an absolute
 * path shorter than PATH_MAX. */
int config_check_abspath(const struct loadctx *, char **, char *, size_t);

/* --- confredis.c: redis / sender state checks ----------------------- */

int confredis_check_host(const struct loadctx *, char **, char *, size_t);
int confredis_check_socket(const struct loadctx *, char **, char *,
    size_t);
int confredis_check_word(const struct loadctx *, char **, char *, size_t);
int confredis_check_password(const struct loadctx *, char **, char *,
    size_t);
int confredis_check_sentinel(const struct loadctx *, char **, char *,
    size_t);
int confredis_check_prefix(const struct loadctx *, char **, char *,
    size_t);

#endif
