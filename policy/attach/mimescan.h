/*
 * mimescan.h - internal to mime.c: the linear passes over the raw message
 * that keep GMime bounded, and the name scan of what GMime was not shown.
 * Not an API for other modules: use mime.h.
 *
 * Before GMime parses a spool (the message, or a message found inside
 * it), mimescan_prepare reads it once and decides, as GMime will see it
 * (a byte shown as LF ends a line):
 * - where to cut: after 4 x max_parts + 64 lines that start with "--"
 *   in the whole walk, all spools together (GMime builds an object,
 *   ~1.3 KB, per part it finds, before any cap of ours applies: 2 MB of
 *   tiny parts cost it 266 MB);
 * - which bytes to show as LF (spool_stream_patch), without moving any
 *   offset: the byte after each max_line bytes of a line, and the leading
 *   blank of a continuation line once a run of them passes 4 x
 *   max_header_length (GMime keeps a header whole in memory: 21 MB of
 *   folded header cost it 140 MB).  A header so broken ends there and the
 *   rest reads as body; a body only gains an empty line;
 * - which header names to show with an 'X' for their first byte, so
 *   that GMime does not parse them: the headers GMime parses whenever it
 *   builds a message (From, To, Cc, Bcc, Sender, Reply-To: address lists,
 *   one C frame per nested group, 50,000 "g:" overflow the stack;
 *   Subject, Date, Message-Id).  All of them in the spool's own header
 *   block; elsewhere (headers of message/rfc822 parts, or body lines that
 *   look like them) those longer than max_header_length, with more than
 *   MIMESCAN_COLONS colons (each nested group needs one), or past the
 *   walk's budget of 16 x max_header_length bytes of them; such a change
 *   marks the walk MIME_LIMIT_HEADER;
 * - where else to cut: before the line that holds the word past
 *   MIMESCAN_SWITCHES charset changes (MIME_LIMIT_WORDS).
 * After the walk, mimescan_tail looks at the part headers past the cut
 * for file names only, so a flood of boundaries cannot hide a banned
 * name behind the parts cap (past the words budget, names with encoded
 * words are not decoded there).
 * Thread rule: one walk, one thread.
 */
#ifndef RW_MIMESCAN_H
#define RW_MIMESCAN_H

#include <stddef.h>

#include <gmime/gmime.h>

struct arena;
struct mime_limits;
struct spool;
struct spool_patch;

/* Colons in one parsed header outside the spool's own header block:
 * ~200 bytes of stack per nested group in GMime 3.2, so at most ~50 KB. */
#define MIMESCAN_COLONS	256

/* RFC 2047 words whose charset differs from the word before, in all
 * GMime is shown: it decodes every header it keeps (we ask for its
 * warnings), and each such word costs an iconv_open that reloads the
 * glibc gconv module: ~80 us for "iso-8859-1" after "iso-8859-2", so a
 * 1 MB header of them cost 3 s.  Past this many the input is cut:
 * ~0.2 s at most. */
#define MIMESCAN_SWITCHES	2048

struct mimescan_words {
	enum { W_NONE, W_CHARSET } state;
	char cur[40], prev[40];		/* charsets, lower case */
	size_t n;
	unsigned long long switches;
};

/* What is left for the whole walk (all spools). */
struct mimescan_budget {
	unsigned long long dashes;	/* lines starting "--" */
	unsigned long long hdr;		/* bytes of headers GMime parses */
	struct mimescan_words w;	/* encoded words seen so far */
};

/* Sets the budget of a walk. */
void mimescan_budget_init(struct mimescan_budget *,
    const struct mime_limits *);

struct mimescan {
	unsigned long long cut;		/* GMime sees [0, cut) */
	struct spool_patch *patch;	/* bytes shown otherwise, ascending */
	size_t npatch, cap;
	unsigned limits;		/* enum mime_limit bits */
};

/* Prepares spool sp for GMime, spending from *b.  0, or -1 when out of
 * memory. */
int mimescan_prepare(struct spool *sp, const struct mime_limits *,
    struct mimescan_budget *b, struct arena *, struct mimescan *out);

/* Called for each name found in the tail: the Content-Type (as written,
 * or NULL) and the name; returns -1 to stop. */
typedef int (*mimescan_name_fn)(void *arg, const char *type,
    const char *name);

/* Scans [from, end of spool) for Content-Type and Content-Disposition
 * headers and reports the file names they carry.  0, or -1 when fn did. */
int mimescan_tail(struct spool *, unsigned long long from,
    const struct mime_limits *, struct mimescan_budget *,
    GMimeParserOptions *, mimescan_name_fn fn, void *arg);

#endif
