/*
 * report.h - the JSON report of relaywarden-check and the one-line log
 * summary of a verdict (queue id first, stable key=value pairs).
 */
#ifndef RW_REPORT_H
#define RW_REPORT_H

#include <stdio.h>

struct message;
struct evaluation;

/* Writes the JSON object (keys: spf, helo_spf, dkim, dmarc, relay,
 * verdict) to fp.  0, or -1 on a write error. */
int report_json(FILE *fp, const struct message *, const struct evaluation *);

/* The log line body (after the id), arena memory of the message. */
const char *report_logline(const struct message *, const struct evaluation *);

/* At log_level debug, one line per check (relay, SPF, HELO SPF, DKIM and
 * each signature, DMARC, attachments, sender), one per reason and the
 * verdict; nothing below debug. */
void report_debug(const struct message *, const struct evaluation *);

/* One line about the sender (relaywarden-check), arena memory. */
const char *report_sender_line(const struct message *,
    const struct evaluation *);

/* "true" or "false". */
const char *report_json_bool(int);
/* The one JSON string writer (report*.c, relaywarden-state): null for
 * NULL; '"', '\\' and controls escaped, ill-formed UTF-8 as U+FFFD, so
 * the output is valid JSON whatever the input. */
void report_json_str(FILE *fp, const char *s);
/* "ip,userinfo": a link's flags (attach/links.h) by name, arena. */
struct arena;
const char *report_link_flags(struct arena *, unsigned flags);
/* The "sender" member, with its trailing ",\n". */
void report_json_sender(FILE *fp, const struct evaluation *);

#endif
