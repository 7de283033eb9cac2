/*
 * configtab.h - the settings table shared by config.c (defaults, checks,
 * dump) and confload.c (reading a file), and what the other files of the
 * config module share: confattach.c, confredis.c and confname.c (string
 * checks), confgroup.c (lists of groups), confinc.c (the @include
 * pre-scan).
 * Internal to the config module; nothing outside policy/conf*.c includes
 * it.
 */
#ifndef RW_CONFIGTAB_H
#define RW_CONFIGTAB_H

#include <stddef.h>
#include <stdio.h>

#include <libconfig.h>

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
	T_RULES,		/* int[RULE_COUNT]: list of rule names */
	T_GROUPS,		/* a list of groups (confgroup.c): array of
				   struct + size_t */
};

struct loadctx {
	const char *dir;	/* absolute directory of the config file */
};

struct confgroup;

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
	const struct confgroup *group;	/* T_GROUPS: its keys */
};

#define FIELD(c, s, t)	((t *)(void *)((char *)(c) + (s)->off))
#define COUNT(c, s)	((size_t *)(void *)((char *)(c) + (s)->noff))

extern const struct setting config_settings[];
extern const size_t config_nsettings;

/* Frees a setting's value in c (strings, lists) and clears it. */
void config_free_value(struct config *, const struct setting *);

/* Writes v as a libconfig string: quotes and backslashes escaped, other
 * bytes below 0x20 and 0x7f as \xHH; UTF-8 as is. */
void config_dump_string(FILE *, const char *v);

/* v fit to quote in a one-line message: at most 60 bytes (whole UTF-8
 * characters, "..." when cut), control bytes as '?'.  Returns buf. */
const char *config_show(const char *v, char *buf, size_t buflen);

/* Checks shared by the table and the other files: "" or an absolute
 * path shorter than PATH_MAX. */
int config_check_abspath(const struct loadctx *, char **, char *, size_t);

/* --- one load ------------------------------------------------------- */

/* A file read for a load: the main one, or an @include target. */
struct conftext {
	char *name;		/* as libconfig names it (the @include name);
				   NULL for the main file */
	char *path;		/* as opened */
	char *text;		/* NUL-terminated */
};

struct loader {
	const char *path;	/* the main file as given, for messages */
	struct conftext *files;	/* [0] is the main file */
	size_t nfiles;
	struct loadctx ctx;
	char *err;
	size_t errlen;
};

/* "FILE:LINE: name: problem" for the setting cs into l->err; returns -1
 * so that callers can `return confload_fail(...)`. */
int confload_fail(struct loader *, const config_setting_t *, const char *,
    const char *, ...) __attribute__((format(printf, 4, 5)));

/* A whole number of cs within min..max (the literal re-read where
 * libconfig 1.5 wraps it), into *out; else -1 via confload_fail with
 * "what: ..." under setting name. */
int confload_uint(struct loader *, const config_setting_t *,
    const char *name, const char *what, unsigned long min,
    unsigned long max, unsigned *out);

/* A string of cs through check (may be NULL) into *out (malloc); else -1
 * via confload_fail under setting name, the problem prefixed with
 * "what: " when what is not NULL. */
int confload_string(struct loader *, const config_setting_t *,
    const char *name, const char *what,
    int (*check)(const struct loadctx *, char **, char *, size_t),
    char **out);

/* --- confinc.c: the @include pre-scan ------------------------------- */

#define CONFIG_FILE_MAX		(1024 * 1024)	/* bytes of one file */
#define CONFIG_INCLUDE_DEPTH	10	/* libconfig 1.5 MAX_INCLUDE_DEPTH */
#define CONFIG_INCLUDE_MAX	64	/* @include directives in all */

/* Reads path (a regular file of at most CONFIG_FILE_MAX bytes, no NUL)
 * into l->files[0], then every file its @include directives name, as
 * libconfig will read them, so that no directive reaches libconfig
 * unless its target is a readable regular file.  0, or -1 with
 * "FILE: problem" or "FILE:LINE: @include "X": problem" in l->err. */
int confinc_read(struct loader *, const char *path);

/* Frees the texts read by confinc_read. */
void confinc_free(struct loader *);

/* The text of the file libconfig calls name (NULL: the main file), or
 * NULL when it was not read. */
const char *confinc_text(const struct loader *, const char *name);

/* --- confperm.c: who may write a config file ----------------------- */

/* 0 when the file (open as fd, or at path) is neither group- nor
 * world-writable, is owned by root or by us, and lies in a directory
 * only its owner may change (or one with the sticky bit); else -1 with
 * "PATH: problem: refusing it" in err.  confperm_check_path passes a
 * file that does not exist (its reader reports that). */
int confperm_check_fd(int fd, const char *path, char *err, size_t errlen);
int confperm_check_path(const char *path, char *err, size_t errlen);

/* --- confattach.c: attach_* word lists ---------------------------- */

/* "exe scr, .com" -> "exe scr com": extensions of 1..15 letters or
 * digits. */
int confattach_check_extwords(const struct loadctx *, char **, char *,
    size_t);
/* ".ext=action" or "type/subtype=action", lower-cased. */
int confattach_check_override(const struct loadctx *, char **, char *,
    size_t);
/* "domain=key,key" (".domain": also its subdomains). */
int confattach_check_allow(const struct loadctx *, char **, char *,
    size_t);
/* "quarantine", "tempfail" or "reject": never milder than a finished
 * scan could be. */
int confattach_check_incomplete(const struct loadctx *, char **, char *,
    size_t);

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

/* --- confname.c: domains, addresses, names, the subject tag --------- */

/* A domain name: letters, digits, hyphens, at least one dot, labels of
 * 1..63 bytes, at most 253 bytes; lower-cased; a U-label (UTF-8) is
 * replaced by its A-label (xn--) form, and an xn-- label must decode. */
int confname_check_domain(const struct loadctx *, char **, char *,
    size_t);
/* A domain (as confname_check_domain) or "label.*" (issue 11:
 * shared_mailbox_domains). */
int confname_check_mailbox(const struct loadctx *, char **, char *,
    size_t);
/* "user@domain" or a domain ("@domain" taken as the domain). */
int confname_check_person_address(const struct loadctx *, char **, char *,
    size_t);
/* "user@domain" or "@domain" (kept with its "@"). */
int confname_check_recipient(const struct loadctx *, char **, char *,
    size_t);
/* A person's name: UTF-8, 1..128 bytes, a letter, no control
 * characters. */
int confname_check_person(const struct loadctx *, char **, char *,
    size_t);
/* The Subject tag: "" or at most 64 bytes of UTF-8 without control,
 * format or line-separator characters. */
int confname_check_subject_tag(const struct loadctx *, char **, char *,
    size_t);


/* --- confgroup.c: people, partners, recipient_policies -------------- */

extern const struct confgroup confgroup_people;
extern const struct confgroup confgroup_partners;
extern const struct confgroup confgroup_rcpt_policies;

/* Reads the list of groups cs into the setting s of c (replacing it). */
int confgroup_load(struct loader *, struct config *,
    const config_setting_t *, const struct setting *);

/* After the whole file: thresholds left out of a group take the global
 * ones. */
void confgroup_resolve(struct config *);

void confgroup_dump(const struct config *, const struct setting *,
    FILE *);
void confgroup_free(struct config *, const struct setting *);

/* --- confallow.c: allow-list entries (issue 13 item 2) -------------- */

extern const struct confgroup confgroup_allowlist;

/* "user@domain", "domain" or ".domain" (also its subdomains). */
int confallow_check_sender(const struct loadctx *, char **, char *,
    size_t);
/* A rule name of rules.c, or "*". */
int confallow_check_rule(const struct loadctx *, char **, char *, size_t);
/* "YYYY-MM-DD", a real date. */
int confallow_check_date(const struct loadctx *, char **, char *, size_t);
/* 1..120 bytes of UTF-8 text without control characters. */
int confallow_check_comment(const struct loadctx *, char **, char *,
    size_t);
/* Entry i of the list: senders or recipients, "*" alone in rules. */
int confallow_check_entry(struct loader *, const config_setting_t *list,
    const char *setting, const void *elems, size_t i);

/* --- confmetrics.c: the Prometheus endpoint (issue 14 item 2) ------- */

/* "", "PORT" (made "127.0.0.1:PORT"), "IPV4:PORT" or "[IPV6]:PORT". */
int confmetrics_check_listen(const struct loadctx *, char **, char *,
    size_t);
/* After the whole file: a non-loopback metrics_listen needs
 * metrics_allow_remote.  0, or -1 with the problem in err. */
int confmetrics_check(const struct config *, char *err, size_t errlen);

#endif
