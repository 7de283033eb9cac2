/*
 * htmllinks.h - links and forms of an HTML (or SVG) text, found with
 * libxml2's HTML parser in SAX mode (no tree is built).
 *
 * Why libxml2: Debian 12 packages it (libxml2-dev), it is maintained
 * and fuzzed continuously (OSS-Fuzz), and its HTML parser recovers from
 * any markup; lexbor (an HTML5 tokenizer) is not packaged in Debian 12
 * and gumbo's upstream is archived.  Its parser is HTML 4 flavoured, so
 * markup written for an HTML5 browser can differ in what it nests; what
 * we take from it (element names, their attributes, the text between)
 * is the same in both for the elements we read.
 *
 * What it records (links.h): <a>/<area> href (and xlink:href, SVG) with
 * the anchor's visible text; <iframe>/<frame> src; <form action> with
 * whether the form holds <input type=password> (a password input outside
 * any form is a form posting wherever script decides: LINK_SCRIPT);
 * <meta http-equiv=refresh content="0;url=...">.  The character data
 * outside <script> and <style> goes through linktext (URLs written as
 * text; passwords given in the body).
 * Caps: the first HTML_SCAN_MAX bytes (html.h), fed in blocks with the
 * deadline checked between them; anchor text kept: 256 bytes.  Encoding:
 * the bytes are read as UTF-8 (libxml2 falls back to Latin-1 on bytes
 * that are not), a <meta charset> is ignored (HTML_PARSE_IGNORE_ENC: no
 * iconv module is loaded inside the sandbox).
 * Thread rule: libxml2 must have been initialised (htmllinks_init) before
 * threads start or the sandbox closes; then any thread.
 */
#ifndef RW_HTMLLINKS_H
#define RW_HTMLLINKS_H

struct arena;
struct attach_results;
struct deadline;
struct spool;

/* Once per process, before threads and before the sandbox. */
void htmllinks_init(void);

/* Records the links of the page in sp (see above).  flags: added to every
 * link (LINK_ATTACHMENT for a file); passwords: look for passwords in its
 * text (a body).  Sets out->text_password when one is given.  0, or -1
 * when out of memory. */
int htmllinks_scan(struct spool *sp, struct deadline *, struct arena *,
    struct attach_results *out, const char *where, unsigned flags,
    int passwords);

/* The same, recording anchors, frames and URLs in the text as kind
 * (enum link_kind; 0: as above).  Forms and refreshes keep their kind:
 * an HTML invitation (ics.h) records LINK_CALENDAR. */
int htmllinks_scan_kind(struct spool *sp, struct deadline *,
    struct arena *, struct attach_results *out, const char *where,
    unsigned flags, int passwords, unsigned kind);

#endif
