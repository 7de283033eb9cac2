/*
 * arch.h - archive members, read with libarchive: zip, 7z, rar (4 and
 * 5), tar, cpio, ar, iso9660, cab, lha, xar, and single files compressed
 * with gzip, bzip2, xz, lzma, lzip, zstd, lz4 or compress (only the
 * decompressors built into libarchive: never an external program).
 *
 * arch_walk lists one archive held in a spool and calls back for each
 * regular member, first with its first bytes (to sniff), then, if asked,
 * with the whole member in a spool so the caller can look inside (and
 * call arch_walk again for a nested archive).  Every other entry
 * (directory, symlink, device, FIFO, socket) gets one call with its kind
 * and no bytes, so its name and kind are judged too; a hardlink is read
 * as a regular member (tar and cpio may give it data) with its kind
 * set.  An entry of a type libarchive does not know is read as a
 * regular member: bsdtar would write it as one.
 * Caps (struct arch_limits; a hit sets a bit in arch_state.limits and
 * stops the walk, never fails): nesting depth, members per message,
 * extracted bytes per message, expansion ratio of each archive (a zip
 * bomb: bytes produced, or declared, above ratio x its compressed size
 * and above ARCH_BOMB_FLOOR), the deadline (also checked inside
 * libarchive's reads, so a solid 7z cannot spin unbounded).
 * Thread rule: one arch_state per message scan, one thread.
 */
#ifndef RW_ARCH_H
#define RW_ARCH_H

#include <stddef.h>

struct arena;
struct deadline;
struct spool;

#define ARCH_HEAD	40960		/* bytes handed over to sniff (ISO
					   9660 is recognised at 32769) */
#define ARCH_BOMB_FLOOR	(1024ULL * 1024)	/* ratio applies above */

struct arch_limits {
	unsigned max_depth;		/* 1: members of the attachment only */
	unsigned max_members;		/* per message */
	unsigned max_ratio;
	unsigned long long max_bytes;	/* extracted, per message */
	size_t spool_mem;
	const char *tmpdir;
	struct deadline *dl;		/* may be NULL */
};

enum arch_limit {
	ARCH_LIMIT_DEPTH = 1 << 0,
	ARCH_LIMIT_MEMBERS = 1 << 1,
	ARCH_LIMIT_BYTES = 1 << 2,
	ARCH_LIMIT_BOMB = 1 << 3,
	ARCH_LIMIT_TIME = 1 << 4,
	ARCH_LIMIT_UNREAD = 1 << 5,	/* libarchive failed before the end
					   or on a member's bytes */
};

/* Shared by every (nested) walk of one message; zero it, set lim and
 * arena. */
struct arch_state {
	const struct arch_limits *lim;
	struct arena *arena;
	unsigned members;
	unsigned long long bytes;
	unsigned limits;		/* enum arch_limit bits */
	const char *bomb;		/* path of the first bomb, or NULL */
};

enum arch_kind {
	ARCH_REGULAR = 0,
	ARCH_DIRECTORY,
	ARCH_SYMLINK,
	ARCH_HARDLINK,			/* regular, and a link to another
					   entry */
	ARCH_DEVICE,			/* character or block device */
	ARCH_FIFO,
	ARCH_SOCKET,
};

struct arch_member {
	enum arch_kind kind;		/* only REGULAR and HARDLINK have
					   bytes and a second call */
	const char *link;		/* symlink or hardlink target, or
					   NULL */
	const char *path;		/* "outer.zip/inner.7z/evil.exe" */
	const char *name;		/* the path inside its own archive */
	unsigned depth;			/* 1: member of the attachment */
	int encrypted;			/* its data or name is encrypted */
	unsigned long long size;	/* declared, or bytes read */
	const unsigned char *head;	/* first bytes (NULL when unreadable)*/
	size_t headlen;
	struct spool *content;		/* second call only: all of it */
	int truncated;			/* content cut by a cap */
};

enum arch_want {
	ARCH_SKIP = 0,
	ARCH_EXTRACT = 1,		/* call again with content */
};

/* Returns ARCH_SKIP or ARCH_EXTRACT on the first call (content NULL),
 * anything but -1 on the second; -1 stops the walk and fails it. */
typedef int (*arch_member_fn)(void *arg, const struct arch_member *);

struct arch_info {
	const char *format;		/* libarchive's name, or NULL */
	int opened;			/* libarchive recognised it */
	int encrypted;			/* entries or headers encrypted */
	const char *broken;		/* libarchive knew the format and
					   then failed on it: a member's
					   bytes, an entry or the rest were
					   not seen ("name: its words",
					   arena); NULL otherwise */
	const char *damaged;		/* a warning after the bytes were
					   read (a bad CRC): seen, but
					   damaged; NULL otherwise */
	unsigned members;		/* regular members seen (hardlinks
					   too) */
};

/* Probes libarchive's decompressors and makes the UTF-8 locale walks
 * read names in, once per process; arch_walk calls it, attach_ctx_new
 * too, so it runs before a sandbox closes the locale files. */
void arch_prepare(void);

/* Walks the archive in sp, whose own path is path (its members become
 * "path/member"); depth is that of its members (1 for an attachment).
 * 0 (also when it is not an archive or is damaged: see *info), or -1
 * when out of memory or the callback failed. */
int arch_walk(struct arch_state *, struct spool *sp, const char *path,
    unsigned depth, arch_member_fn fn, void *arg, struct arch_info *info);

#endif
