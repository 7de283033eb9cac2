/*
 * attach.h - the attachment policy: what a message carries, judged.
 *
 * attach_evaluate walks the spooled message (mime.c), looks at every
 * attachment, uuencoded block and archive member (arch.c) with its real
 * type (libmagic), names (fname.c), macros (office.c) and smuggling pages
 * (html.c), and turns what it finds into scored reasons in the message's
 * verdict plus a "hard action" the verdict must honour.
 *
 * Rules (reason names; the score of each is the config's scores[] entry
 * of the same name, rules.h):
 *   attach_banned_extension  name ends in a banned extension
 *   attach_double_extension  "invoice.pdf.exe"
 *   attach_name_trick        direction override / invisible characters
 *   attach_hostile_name      a name or member path built to attack the
 *                            tools that handle it (namecheck.h: shell,
 *                            traversal, absolute, control), at every
 *                            depth; lookalikes folded
 *   attach_special_member    an archive entry that is a symlink,
 *                            hardlink, device, FIFO or socket
 *   attach_type_mismatch     an executable declared or named as a
 *                            document, image or text
 *   attach_executable        libmagic says executable (PE, ELF, Mach-O,
 *                            MSI, LNK) or it is the EICAR test file
 *   attach_banned_member     an archive member with a banned extension
 *   attach_encrypted_archive encrypted members or headers
 *   attach_office_macro      VBA in OLE2, vbaProject.bin in OOXML, Basic
 *                            in OpenDocument (raised on the document)
 *   attach_html_smuggling    HTML/SVG that builds and saves a file
 *   attach_archive_bomb      expansion ratio exceeded
 *   attach_truncated         a limit was hit (detail: which)
 *   attach_malformed         GMime found broken structure or encoding,
 *                            or an archive member read whole has a bad
 *                            CRC
 *   attach_override          an action override matched (score 0; its
 *                            action is the item's hard action)
 * Each rule is added to the verdict once per message (detail: the first
 * item, and how many more).  Hard rule (attach_executable_quarantine):
 * an item with attach_executable, attach_banned_extension,
 * attach_banned_member, attach_hostile_name or attach_special_member
 * asks for quarantine whatever the score (a name built against the
 * tools is no more legitimate than a program).  An ".ext" override or
 * allow-list key does not match an item with a hostile name: the
 * attacker chose that extension.
 * Incomplete scan: a scan that hit a limit (time, CPU budget, MIME depth
 * or parts, header or line length, decoded bytes, archive depth,
 * members or bytes, an archive bomb, an archive libarchive gave up on
 * before its end: "archive_unread") did not see everything, and what it
 * missed may be the worst thing in the message: besides the reason
 * attach_truncated it asks for attach_incomplete_action (quarantine by
 * default, or tempfail, or reject) whatever the score, so an unfinished
 * scan never gives a milder verdict than a finished one.
 * Two passes in one walk: the cheap checks (names, declared types, the
 * first bytes against attype_sniff's signature table, the listing of an
 * attachment's archive) run on every part and member whatever the time;
 * the expensive ones (libmagic, macros, HTML, archives inside archives)
 * only while attach_max_cpu_ms of CPU time and attach_max_time_ms remain.
 * So the budget cuts only expensive work, and a program's name and first
 * bytes are seen unless the walk itself is stopped: by attach_max_time_ms
 * of wall-clock time or twice attach_max_cpu_ms of CPU time (a tar.xz
 * within the expansion ratio can make libarchive unpack 700 MB to list
 * its names), which leaves the scan incomplete too.
 * Policy: attach_action_overrides (".ext=action", "type/sub=action"):
 * accept exempts the item, other actions replace its hard action;
 * attach_allow_senders ("domain=keys"): items matching a key from that
 * sender domain are exempt (reasons listed, not scored).
 *
 * Thread rule: an attach_ctx belongs to one config generation and is
 * shared by every thread; its only mutable part is a pool of libmagic
 * handles behind a mutex (a magic_t is not thread-safe, and loading one
 * costs ~5 ms: each scan checks one out for its whole duration and gives
 * it back, so no lock is held while sniffing).  GMime is initialised
 * once per process (reference counted under a mutex).
 */
#ifndef RW_ATTACH_H
#define RW_ATTACH_H

#include <stddef.h>
#include "verdict/verdict.h"

struct arena;
struct attach_link;
struct config;
struct spool;

struct attach_ctx;

/* Loads what every context of the process needs and no setting changes
 * (GMime, libarchive's probe, the link parsers, one libmagic handle with
 * its database, kept for the first attach_ctx_new to take).  Called by
 * the worker fork server before it forks (scanhost.c), so that each
 * worker shares these pages instead of building its own copy; once per
 * process, later calls do nothing; attach_ctx_new calls it too.
 * Returns 0, or -1 when the libmagic database cannot be loaded (then
 * attach_ctx_new says so). */
int attach_prepare(void);

/* Compiles the attachment settings of cfg, which must outlive the
 * context (both belong to one generation), and loads the magic database.
 * NULL with one line in err. */
struct attach_ctx *attach_ctx_new(const struct config *cfg, char *err,
    size_t errlen);
/* attach_ctx_free(NULL) does nothing. */
void attach_ctx_free(struct attach_ctx *);

/* The action an attach_* action word names ("quarantine", "tempfail",
 * "reject", "tag"); anything else is accept (the config checked it). */
enum verdict_action attach_action_parse(const char *word);

/* How libmagic is bounded on one part or member, read back from a handle
 * with libmagic's own getters. */
struct attach_magic_limits {
	size_t prefix;			/* bytes handed to magic_buffer */
	size_t bytes_max, indir_max, name_max, elf_phnum_max, elf_shnum_max,
	    elf_notes_max, regex_max, encoding_max;
	int flags;			/* MAGIC_* of the handle */
};

/* 0, or -1 when no handle could be made or a getter failed. */
int attach_magic_limits(struct attach_ctx *, struct attach_magic_limits *);

enum attach_item_flag {
	ATTACH_MEMBER = 1 << 0,		/* inside an archive */
	ATTACH_UUENCODED = 1 << 1,	/* from a uuencoded block */
	ATTACH_ENCRYPTED = 1 << 2,
	ATTACH_TRUNCATED = 1 << 3,	/* content cut by a cap */
	ATTACH_EXEMPT = 1 << 4,		/* allow-list or "accept" override:
					   reasons listed, not scored */
};

struct attach_item {
	const char *name;		/* decoded, as the OS will use it; ""
					   when it has none */
	const char *shown;		/* as displayed (right-to-left
					   override applied), or NULL */
	const char *ext;		/* extension the rules saw, lower
					   case, "" when none */
	const char *path;		/* "outer.zip/inner.7z/evil.exe" for
					   members, else NULL */
	long parent;			/* index of the archive item holding
					   it, -1 for MIME parts */
	const char *declared;		/* Content-Type, lower case; NULL for
					   members */
	const char *detected;		/* libmagic MIME type, or NULL */
	unsigned long long size;	/* decoded (members: read or
					   declared) bytes */
	unsigned depth;			/* MIME depth, or archive depth */
	unsigned flags;			/* enum attach_item_flag */
	const char **reasons;		/* rule names it raised */
	const char **details;		/* for each: short text, escaped */
	size_t nreasons, rcap;
	enum verdict_action action;	/* hard action it asks for */
};

struct attach_results {
	struct attach_item *items;	/* arena memory */
	size_t nitems, cap;
	unsigned parts;			/* MIME leaf parts walked */
	enum verdict_action hard_action;	/* the most severe item
						   action; ACCEPT = none */
	const char *hard_rule;		/* the reason behind it, or NULL */
	const char *truncated;		/* limits hit, "a,b", or NULL: the
					   scan is incomplete */
	long long elapsed_ms;
	long long cpu_ms;		/* CPU time of the evaluation */
	/* Issue 12: the links found (links.h), judged by the sender stage
	 * (linkcheck.c). */
	struct attach_link *links;	/* arena memory */
	size_t nlinks, lcap;
	unsigned links_dropped;		/* past LINKS_MAX */
	unsigned text_password;		/* a body gives a password ("the
					   password is X"): with an
					   encrypted archive, linkcheck.c */
	unsigned calendars;		/* calendar invitations read */
	unsigned qr_images;		/* images searched for QR codes */
	unsigned qr_codes;		/* QR codes decoded */
	unsigned qr_skipped;		/* images not searched in full
					   (qrscan.h): a search that did
					   not run is never milder than
					   one that did */
};

/* Evaluates the message in msg (headers as "Name:value\r\n", blank line,
 * body: see spool.h).  from_domain: the header From domain when DMARC
 * passed (aligned), else NULL - only then may the allow-list apply, or
 * anyone could claim to be the partner.  Fills *out (arena memory of a)
 * and adds the reasons to v, whose hard action it raises to
 * out->hard_action (verdict_require).  Limits and hostile input are
 * results, not errors.  0, or -1 with one line in err when out of memory
 * (the caller tempfails the message). */
int attach_evaluate(struct attach_ctx *, struct spool *msg,
    const char *from_domain, struct arena *a, struct attach_results *out,
    struct verdict *v, char *err, size_t errlen);

#endif
