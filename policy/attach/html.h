/*
 * html.h - HTML (and SVG) attachments that smuggle a file: script that
 * builds a Blob or a data: URI of a binary type and makes the browser
 * save it (msSaveOrOpenBlob, a download attribute, a synthetic click).
 *
 * A cheap, bounded scan of the text, lower-cased with white space
 * removed; obfuscated script gets past it (say so, do not pretend).
 * Caps: the first HTML_SCAN_MAX bytes; the deadline.
 * Thread rule: none (no shared state).
 */
#ifndef RW_HTML_H
#define RW_HTML_H

struct deadline;
struct spool;

#define HTML_SCAN_MAX	(16UL * 1024 * 1024)

/* 1 with a short reason in *why (static text) when the page looks like
 * HTML smuggling, 0 when not, -1 when out of memory. */
int html_smuggling(struct spool *, struct deadline *, const char **why);

#endif
