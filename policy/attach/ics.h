/*
 * ics.h - the links of a calendar invitation (RFC 5545 iCalendar, also
 * vCalendar 1.0 .vcs), issue 12.
 *
 * An invitation is shown by the mail client as a meeting card whose
 * texts and links the reader follows like a body's.  Its content lines
 * are unfolded (CRLF, LF or CR followed by a space or tab continues the
 * line), split into name;params:value (quoted parameter values may hold
 * ':' and ';'; a "group." prefix is dropped) and read as:
 *   SUMMARY DESCRIPTION LOCATION COMMENT CONTACT RESOURCES and every X-
 *   property: TEXT, unescaped (\n \N \, \; \\), URLs in it found as in
 *   running text (linktext.h);
 *   X-ALT-DESC;FMTTYPE=text/html: HTML (htmllinks.h), anchors with their
 *   visible text;
 *   URL ATTACH CONFERENCE IMAGE: the value is a URI (not when
 *   VALUE=BINARY or ENCODING=BASE64: inline data).
 * All are recorded as LINK_CALENDAR (links.h), with LINK_ATTACHMENT for
 * an .ics file or member (not a body part); a form or refresh in the
 * HTML keeps its own kind.  Every invitation read counts in
 * out->calendars, link or not.
 *
 * Why not libical (libical-dev): it builds the whole component tree in
 * memory with no cap on properties, reports errors through icalerrno and
 * icalerror_warn (stderr, or abort() when built with errors fatal), may
 * load zoneinfo files for TZID resolution (the sandbox refuses every
 * open), and its parser has had a run of OSS-Fuzz memory bugs; the six
 * properties we need are read by ~200 lines here.
 * Caps: ICS_SCAN_MAX bytes read, ICS_LINE_MAX bytes of one content line
 * kept, ICS_LINES_MAX content lines, ICS_HTML_MAX HTML descriptions, the
 * deadline between blocks.  Past a cap (on a line we read) the
 * invitation counts as links left out (out->links_dropped: the scan is
 * incomplete, attach_truncated "links").  NUL bytes are dropped.
 * Any thread; no file opened, nothing printed.
 */
#ifndef RW_ICS_H
#define RW_ICS_H

struct arena;
struct attach_results;
struct deadline;
struct spool;

#define ICS_SCAN_MAX	(16UL * 1024 * 1024)	/* as HTML_SCAN_MAX */
#define ICS_LINE_MAX	(256 * 1024)
#define ICS_LINES_MAX	1000000	/* a year's export of a busy
					   calendar stays under it */
#define ICS_HTML_MAX	4096

/* 1 when the item is an invitation: declared or detected text/calendar,
 * text/x-vcalendar, application/ics; or named .ics, .vcs, .ical, .ifb.
 * Any argument may be NULL. */
int ics_is_calendar(const char *declared, const char *detected,
    const char *ext);

/* Records the links of the invitation in sp (see above) found in where;
 * flags: added to every link.  0, or -1 when out of memory. */
int ics_scan(struct spool *sp, struct deadline *, struct arena *,
    struct attach_results *out, const char *where, unsigned flags);

#endif
