/*
 * log.h - syslog, or stderr in the foreground; levels filtered here, not at
 * call sites.  The first argument names what the line is about (queue id,
 * connection id) or NULL.  Thread-safe (syslog(3) is; stderr lines are
 * written with one write each).
 * syslog lines read "ID: text" at info (queue id first, as Postfix), and
 * "warning: ID: text", "error: ...", "debug: ..." otherwise; stderr lines
 * read "[TIME ]IDENT: LEVEL: ID: text" (TIME with log_set_timestamps).  Control bytes become '?'; a line is at
 * most 2048 bytes (longer ones end in "...").
 */
#ifndef RW_LOG_H
#define RW_LOG_H

#include <stdarg.h>
#include <stddef.h>

struct arena;

enum log_level { LOG_L_ERR = 0, LOG_L_WARNING, LOG_L_INFO, LOG_L_DEBUG };

/* ident for syslog; facility a LOG_* value; to_stderr 1 in the
 * foreground. May be called again (reload changes level/facility). */
void log_open(const char *ident, int facility, int to_stderr);
void log_set_level(enum log_level);
/* The facility of the following syslog lines (a reload). */
void log_set_facility(int facility);
/* 1: stderr lines start with the time (the daemon's -f). */
void log_set_timestamps(int on);
/* 1 when lines of this level are written: for work done only to log
 * (report_debug), not to wrap single calls. */
int log_enabled(enum log_level);
/* Parses "err" "warning" "info" "debug"; -1 when unknown. */
int log_level_parse(const char *word, enum log_level *out);
/* Parses "mail", "local0".."local7", "daemon", "user"; -1 when unknown. */
int log_facility_parse(const char *word, int *out);
/* The words above for a value ("info", "mail"); "?" when unknown. */
const char *log_level_name(enum log_level);
const char *log_facility_name(int facility);

void log_err(const char *id, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void log_warning(const char *id, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void log_info(const char *id, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* LOG_NOTICE, written from the info level on ("notice:" on stderr). */
void log_notice(const char *id, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void log_debug(const char *id, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A value from outside (envelope, message, DNS) as it goes after "key="
 * in a key=value log line, so that it is always exactly one field.
 * Written bare when it is printable ASCII (0x21-0x7e) without a double
 * quote, backslash or '='; otherwise inside double quotes, where a double
 * quote is written as backslash + quote, a backslash as two backslashes,
 * and every byte below 0x20, 0x7f and above as backslash x HH (two
 * lower-case hex digits).  An empty value is "" and a value that is
 * exactly "-" is "-" in quotes: a bare - means no value (s NULL).  The
 * output, quotes included, is at most max bytes (max >= 8): a longer one
 * is cut at a whole escape and ends in "..." inside the quotes.  Arena
 * memory; NULL when out of memory. */
const char *log_value(struct arena *, const char *s, size_t max);

#endif
