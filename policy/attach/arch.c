/*
 * arch.c - archive members with libarchive (see arch.h).
 *
 * Exports arch_walk.  Owns, per walk, one struct archive, one read buffer
 * and one member spool, all released before it returns.  libarchive reads
 * the spool through our callbacks, which check the deadline and the
 * expansion of filters (tar.gz bombs) on every block.
 * Thread rule: one walk, one thread.  The set of decompressors built into
 * libarchive is probed once (pthread_once): a filter that would run an
 * external program (libarchive says ARCHIVE_WARN) is never enabled, so a
 * mail can never make the milter fork lrzip or lzop.
 * Names: libarchive converts member names to the thread's locale; in
 * the "C" locale the daemon runs in, a 7z's UTF-16 name with one
 * character outside ASCII (a CJK name, "..\uFF0F", "Rechnung_M\u00e4rz.exe")
 * came back as NULL, so no rule saw it.  Each walk therefore runs under
 * a C.UTF-8 LC_CTYPE of its own thread (uselocale), made once by
 * arch_prepare with the probe.
 * Formats deliberately left out: mtree (its entries name local files that
 * libarchive would open), warc and the "empty" format.
 * Memory libarchive takes itself: a zip's central directory (guarded by
 * zip_entries), a 7z header: libarchive unpacks a 7z's whole (often
 * LZMA-encoded) file list on the first entry, so the size it declares
 * (sevenz.c) is checked first against header_cap; above it the 7z is
 * not read at all and counts as unread (incomplete scan).
 * RAR (rarhdr.c): a file with a RAR signature is never offered to the
 * seekable zip reader, and RAR 5 members whose headers carry a file
 * encryption record count as encrypted (libarchive 3.6 does not say).
 */
#include <errno.h>
#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <archive.h>
#include <archive_entry.h>

#include "attach/arch.h"
#include "util/arena.h"
#include "util/deadline.h"
#include "attach/rarhdr.h"
#include "attach/sevenz.h"
#include "attach/spool.h"

#define BLOCK		16384
#define PATH_MAXLEN	1024
#define HDR_PER_MEMBER	1024ULL		/* 7z header bytes per member */
#define HDR_FLOOR	(64 * 1024ULL)

static int (*const filters[])(struct archive *) = {
	archive_read_support_filter_gzip, archive_read_support_filter_bzip2,
	archive_read_support_filter_xz, archive_read_support_filter_lzma,
	archive_read_support_filter_lzip, archive_read_support_filter_zstd,
	archive_read_support_filter_lz4, archive_read_support_filter_compress,
};
#define NFILTERS	(sizeof(filters) / sizeof(filters[0]))

static int (*const formats[])(struct archive *) = {
	archive_read_support_format_zip, archive_read_support_format_7zip,
	archive_read_support_format_rar, archive_read_support_format_rar5,
	archive_read_support_format_tar, archive_read_support_format_cpio,
	archive_read_support_format_ar, archive_read_support_format_iso9660,
	archive_read_support_format_cab, archive_read_support_format_lha,
	archive_read_support_format_xar, archive_read_support_format_raw,
};
#define NFORMATS	(sizeof(formats) / sizeof(formats[0]))

static pthread_once_t probe_once = PTHREAD_ONCE_INIT;
static unsigned builtin_filters;	/* bit i: filters[i] is built in */
static locale_t utf8_locale;		/* (locale_t)0 when there is none */

static void
probe(void)
{
	struct archive *a;
	size_t i;

	if ((utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0))
	    == (locale_t)0)
		utf8_locale = newlocale(LC_CTYPE_MASK, "C.utf8", (locale_t)0);
	for (i = 0; i < NFILTERS; i++) {
		if ((a = archive_read_new()) == NULL)
			continue;
		if (filters[i](a) == ARCHIVE_OK)
			builtin_filters |= 1U << i;
		archive_read_free(a);
	}
}

/* What libarchive reads: the spool, block by block. */
struct src {
	struct arch_state *st;
	struct spool *sp;
	struct archive *a;
	unsigned long long off, size;
	unsigned long long produced;	/* member bytes we read */
	unsigned char buf[BLOCK];
	int bomb;
	int fatal;			/* libarchive gave up: stop */
	const char *unseen;		/* first member or rest not read */
	const char *damaged;		/* first warning (bad CRC) */
	uint64_t rar5enc;		/* rarhdr_encrypted: bit i, entry i */
	unsigned entry;			/* index of the current entry */
};

static int
too_big(struct src *s, unsigned long long out)
{
	unsigned long long lim;

	lim = s->size > ~0ULL / s->st->lim->max_ratio ? ~0ULL :
	    s->size * s->st->lim->max_ratio;
	return out > lim && out > ARCH_BOMB_FLOOR;
}

static la_ssize_t
src_read(struct archive *a, void *data, const void **buf)
{
	struct src *s = data;
	la_int64_t out;
	ssize_t n;

	if (deadline_passed(s->st->lim->dl)) {
		archive_set_error(a, ETIMEDOUT, "deadline");
		return -1;
	}
	/* Bytes a decompression filter produced so far (tar.gz). */
	out = archive_filter_count(a) > 1 ? archive_filter_bytes(a, 0) : 0;
	if (out > 0 && too_big(s, (unsigned long long)out)) {
		s->bomb = 1;
		archive_set_error(a, EFBIG, "expansion ratio");
		return -1;
	}
	if ((n = spool_pread(s->sp, s->buf, sizeof(s->buf), s->off)) < 0) {
		archive_set_error(a, EIO, "spool read");
		return -1;
	}
	s->off += (unsigned long long)n;
	*buf = s->buf;
	return n;
}

static la_int64_t
src_skip(struct archive *a, void *data, la_int64_t req)
{
	struct src *s = data;
	unsigned long long left = s->size - s->off;

	if (req <= 0)
		return 0;
	if ((unsigned long long)req > left)
		req = (la_int64_t)left;
	s->off += (unsigned long long)req;
	return req;
}

static la_int64_t
src_seek(struct archive *a, void *data, la_int64_t off, int whence)
{
	struct src *s = data;
	long long base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ?
	    (long long)s->off : (long long)s->size;

	if ((off > 0 && base > (long long)s->size - off) || base + off < 0)
		return ARCHIVE_FATAL;
	s->off = (unsigned long long)(base + off);
	return (la_int64_t)s->off;
}

static unsigned long long
le(const unsigned char *p, int n)
{
	unsigned long long v = 0;

	while (n-- > 0)
		v = v << 8 | p[n];
	return v;
}

/* The entries a zip's end of central directory declares (APPNOTE 4.3.16,
 * Zip64 4.3.14-15), or at least what its directory size could hold;
 * 0 when there is none.  libarchive's seekable zip reader loads the
 * whole directory before the first entry (300,000 entries cost it 52
 * MB), so a zip that declares more than our budget is read as a stream,
 * where the members cap applies. */
static unsigned long long
zip_entries(struct spool *sp)
{
	unsigned long long size = spool_size(sp), n, cd, off;
	unsigned char *buf, z64[56];
	size_t len, i;

	len = size < 65557 + 20 ? (size_t)size : 65557 + 20;
	if (len < 22 || (buf = malloc(len)) == NULL)
		return 0;
	if (spool_pread(sp, buf, len, size - len) != (ssize_t)len) {
		free(buf);
		return 0;
	}
	for (i = len - 22 + 1; i-- > 0;)
		if (memcmp(buf + i, "PK\5\6", 4) == 0)
			break;
	if (i == (size_t)-1) {
		free(buf);
		return 0;
	}
	n = le(buf + i + 10, 2);
	cd = le(buf + i + 12, 4);
	if ((n == 0xffff || cd == 0xffffffff) && i >= 20 &&
	    memcmp(buf + i - 20, "PK\6\7", 4) == 0) {
		off = le(buf + i - 20 + 8, 8);
		if (spool_pread(sp, z64, sizeof(z64), off) ==
		    (ssize_t)sizeof(z64) && memcmp(z64, "PK\6\6", 4) == 0) {
			n = le(z64 + 32, 8);
			cd = le(z64 + 40, 8);
		}
	}
	free(buf);
	/* A directory record is at least 46 bytes. */
	return n > cd / 46 ? n : cd / 46;
}

/* The unpacked 7z header we let libarchive build: about 1 KB for each
 * member the members cap allows (a name of 100 characters and the
 * times and attributes take 300 bytes). */
static unsigned long long
header_cap(const struct arch_limits *lim)
{
	unsigned long long cap = lim->max_members * HDR_PER_MEMBER;

	return cap > HDR_FLOOR ? cap : HDR_FLOOR;
}

/* A 7z whose header would unpack above header_cap: not opened, and the
 * scan is incomplete.  1 when refused. */
static int
sevenz_refused(struct arch_state *st, struct spool *sp,
    struct arch_info *info)
{
	unsigned long long size = sevenz_header_size(sp);

	if (size <= header_cap(st->lim))
		return 0;
	info->opened = 1;
	info->format = "7-Zip";
	if ((info->broken = arena_printf(st->arena, "7z header unpacks to "
	    "%llu bytes (cap %llu)", size, header_cap(st->lim))) == NULL)
		info->broken = "7z header too big";
	st->limits |= ARCH_LIMIT_UNREAD;
	return 1;
}

void
arch_prepare(void)
{
	(void)pthread_once(&probe_once, probe);
}

static struct archive *
open_archive(struct src *s)
{
	struct archive *a;
	unsigned budget;
	size_t i;

	if ((a = archive_read_new()) == NULL)
		return NULL;
	for (i = 0; i < NFILTERS; i++)
		if (builtin_filters & (1U << i))
			(void)filters[i](a);
	budget = s->st->lim->max_members - s->st->members;
	/* A RAR is a RAR (rarhdr.h): the seekable zip reader, which finds
	 * a zip stored as its last member, is kept out. */
	for (i = 0; i < NFORMATS; i++)
		if (formats[i] != archive_read_support_format_zip)
			(void)formats[i](a);
		else if (rarhdr_version(s->sp) != 0 ||
		    zip_entries(s->sp) > budget)
			(void)archive_read_support_format_zip_streamable(a);
		else
			(void)formats[i](a);
	s->a = a;
	if (archive_read_set_read_callback(a, src_read) != ARCHIVE_OK ||
	    archive_read_set_skip_callback(a, src_skip) != ARCHIVE_OK ||
	    archive_read_set_seek_callback(a, src_seek) != ARCHIVE_OK ||
	    archive_read_set_callback_data(a, s) != ARCHIVE_OK ||
	    archive_read_open1(a) != ARCHIVE_OK) {
		archive_read_free(a);
		return NULL;
	}
	return a;
}

/* The name of a raw-format member: the archive's own name without its
 * compression suffix ("evil.exe.gz" -> "evil.exe"). */
static const char *
raw_name(struct arena *ar, const char *path)
{
	static const char *const sfx[] = { ".gz", ".bz2", ".xz", ".lzma",
	    ".lz", ".zst", ".lz4", ".z", ".tgz", ".gzip", NULL };
	const char *base = strrchr(path, '/');
	size_t n, k, i;

	base = base != NULL ? base + 1 : path;
	n = strlen(base);
	for (i = 0; sfx[i] != NULL; i++) {
		k = strlen(sfx[i]);
		if (n > k && strcasecmp(base + n - k, sfx[i]) == 0)
			return arena_strndup(ar, base, n - k);
	}
	return "data";
}

static char *
join(struct arena *ar, const char *path, const char *name)
{
	size_t pl = strlen(path), nl = strlen(name);

	if (pl + nl + 1 > PATH_MAXLEN)
		return arena_printf(ar, "%.*s...", PATH_MAXLEN / 2, path);
	return arena_printf(ar, "%s/%s", path, name);
}

/* Counts n member bytes against the caps; 1 when one stops the walk. */
static int
account(struct src *s, struct arch_member *m, size_t n)
{
	struct arch_state *st = s->st;

	s->produced += n;
	st->bytes += n;
	if (too_big(s, s->produced)) {
		s->bomb = 1;
		m->truncated = 1;
		return 1;
	}
	if (st->bytes > st->lim->max_bytes) {
		st->limits |= ARCH_LIMIT_BYTES;
		m->truncated = 1;
		return 1;
	}
	if (deadline_passed(st->lim->dl)) {
		m->truncated = 1;
		return 1;
	}
	return 0;
}

/* libarchive failed on what (a member's name, or "next entry") with
 * code r.  ARCHIVE_WARN (a bad CRC) comes after the bytes were read:
 * damaged, but seen.  Anything worse (a stream that fails to decompress,
 * an unsupported method, an unreadable header) leaves bytes nobody
 * looked at, and after ARCHIVE_FATAL libarchive is not to be trusted
 * (a zip then lists later members with no data): the walk stops. */
static void
failed(struct src *s, int r, const char *what)
{
	const char *why = archive_error_string(s->a), *t;

	if (r == ARCHIVE_FATAL)
		s->fatal = 1;
	if (s->bomb || deadline_passed(s->st->lim->dl))
		return;			/* a limit, reported as such */
	if ((t = arena_printf(s->st->arena, "%s: %s", what != NULL ? what :
	    "entry", why != NULL ?
	    why : "unreadable")) == NULL)
		t = "unreadable";
	if (r == ARCHIVE_WARN && s->damaged == NULL)
		s->damaged = t;
	else if (r != ARCHIVE_WARN && s->unseen == NULL)
		s->unseen = t;
}

/* The first ARCH_HEAD bytes of the member.  1 when a cap stopped it. */
static int
read_head(struct src *s, struct arch_member *m, unsigned char *head)
{
	la_ssize_t n;

	m->headlen = 0;
	while (m->headlen < ARCH_HEAD) {
		n = archive_read_data(s->a, head + m->headlen,
		    ARCH_HEAD - m->headlen);
		if (n < 0) {
			m->truncated = 1;	/* damaged or encrypted */
			failed(s, (int)n, m->name);
			return s->fatal;
		}
		if (n == 0)
			break;
		m->headlen += (size_t)n;
		if (account(s, m, (size_t)n))
			return 1;
	}
	return 0;
}

/* The head, then the rest of the member, into out.  1 when a cap stopped
 * it. */
static int
read_rest(struct src *s, struct arch_member *m, const unsigned char *head,
    struct spool *out)
{
	unsigned char buf[BLOCK];
	char err[128];
	la_ssize_t n;

	spool_reset(out);
	if (spool_write(out, head, m->headlen, err, sizeof(err)) == -1) {
		m->truncated = 1;
		return 0;
	}
	while ((n = archive_read_data(s->a, buf, sizeof(buf))) > 0) {
		if (account(s, m, (size_t)n))
			return 1;
		if (spool_write(out, buf, (size_t)n, err, sizeof(err)) == -1) {
			m->truncated = 1;
			return 0;
		}
	}
	if (n < 0) {
		m->truncated = 1;
		failed(s, (int)n, m->name);
	}
	return s->fatal;
}

/* libarchive has no encryption code for a 7z whose headers are
 * encrypted; its message is the only sign. */
static int
says_encrypted(struct archive *a)
{
	const char *e = archive_error_string(a);

	char low[256];
	size_t i;

	if (e == NULL)
		return 0;
	for (i = 0; e[i] != '\0' && i < sizeof(low) - 1; i++)
		low[i] = (char)(e[i] >= 'A' && e[i] <= 'Z' ? e[i] + 32 : e[i]);
	low[i] = '\0';
	return strstr(low, "encrypt") != NULL ||
	    strstr(low, "passphrase") != NULL;
}

/* What entry e is.  A type libarchive does not know is regular: that
 * is what archive_write_disk (bsdtar) makes of it. */
static enum arch_kind
kind_of(struct archive_entry *e)
{
	switch (archive_entry_filetype(e)) {
	case AE_IFDIR:
		return ARCH_DIRECTORY;
	case AE_IFLNK:
		return ARCH_SYMLINK;
	case AE_IFCHR:
	case AE_IFBLK:
		return ARCH_DEVICE;
	case AE_IFIFO:
		return ARCH_FIFO;
	case AE_IFSOCK:
		return ARCH_SOCKET;
	}
	return archive_entry_hardlink(e) != NULL ||
	    archive_entry_hardlink_utf8(e) != NULL ? ARCH_HARDLINK :
	    ARCH_REGULAR;
}

/* Fills m's name, path, kind, depth and link target.  -1 when out of
 * memory. */
static int
entry_names(struct src *s, struct archive_entry *e, const char *path,
    unsigned depth, struct arch_member *m)
{
	struct arena *ar = s->st->arena;
	const char *name, *link = NULL;

	memset(m, 0, sizeof(*m));
	m->kind = kind_of(e);
	if (archive_format(s->a) == ARCHIVE_FORMAT_RAW)
		name = raw_name(ar, path);
	else if ((name = archive_entry_pathname_utf8(e)) == NULL &&
	    (name = archive_entry_pathname(e)) == NULL)
		name = "";
	if (name == NULL || (m->name = arena_strdup(ar, name)) == NULL ||
	    (m->path = join(ar, path, m->name)) == NULL)
		return -1;
	if (m->kind == ARCH_SYMLINK && (link = archive_entry_symlink_utf8(e))
	    == NULL)
		link = archive_entry_symlink(e);
	if (m->kind == ARCH_HARDLINK && (link = archive_entry_hardlink_utf8(e))
	    == NULL)
		link = archive_entry_hardlink(e);
	if (link != NULL && (m->link = arena_strdup(ar, link)) == NULL)
		return -1;
	m->depth = depth;
	return 0;
}

/* An entry without bytes of its own (directory, symlink, device, FIFO,
 * socket): one call, for its name and kind.  -1 or 0. */
static int
entry_only(struct src *s, struct archive_entry *e, const char *path,
    unsigned depth, arch_member_fn fn, void *arg)
{
	struct arch_member m;

	if (entry_names(s, e, path, depth, &m) == -1)
		return -1;
	return fn(arg, &m) == -1 ? -1 : 0;
}

/* One member: sniff, then maybe extract.  -1: callback failed; 1: stop;
 * 0: go on. */
static int
member(struct src *s, struct archive_entry *e, const char *path,
    unsigned depth, unsigned char *head, struct spool **out,
    arch_member_fn fn, void *arg, struct arch_info *info)
{
	struct arch_state *st = s->st;
	struct arch_member m;
	int stop = 0, want;

	if (entry_names(s, e, path, depth, &m) == -1)
		return -1;
	m.encrypted = archive_entry_is_encrypted(e) > 0 || (s->entry < 64 &&
	    (s->rar5enc >> s->entry & 1));
	info->encrypted |= m.encrypted;
	if (archive_entry_size_is_set(e) && archive_entry_size(e) > 0)
		m.size = (unsigned long long)archive_entry_size(e);
	if (!m.encrypted)
		stop = read_head(s, &m, head);
	m.head = m.headlen > 0 ? head : NULL;
	if (m.size < m.headlen)
		m.size = m.headlen;
	if ((want = fn(arg, &m)) == -1)
		return -1;
	if (want != ARCH_EXTRACT || m.encrypted || stop)
		return stop;
	if (*out == NULL && (*out = spool_new(st->arena, st->lim->spool_mem,
	    st->lim->tmpdir)) == NULL)
		return -1;
	stop = read_rest(s, &m, head, *out);
	m.content = *out;
	m.size = spool_size(*out);
	if (fn(arg, &m) == -1)
		return -1;
	spool_reset(*out);
	return stop;
}

int
arch_walk(struct arch_state *st, struct spool *sp, const char *path,
    unsigned depth, arch_member_fn fn, void *arg, struct arch_info *info)
{
	struct archive *a = NULL;
	struct archive_entry *e;
	struct spool *out = NULL;
	unsigned char *head = NULL;
	unsigned long long declared = 0;
	unsigned entries = 0;
	struct src *s = NULL;
	enum arch_kind kind;
	locale_t old = (locale_t)0;
	int r, rc = 0;

	memset(info, 0, sizeof(*info));
	if (depth > st->lim->max_depth) {
		st->limits |= ARCH_LIMIT_DEPTH;
		return 0;
	}
	arch_prepare();
	if (utf8_locale != (locale_t)0)
		old = uselocale(utf8_locale);
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (head = malloc(ARCH_HEAD)) == NULL) {
		rc = -1;
		goto done;
	}
	s->st = st;
	s->sp = sp;
	s->size = spool_size(sp);
	if (sevenz_refused(st, sp, info))
		goto done;
	if (rarhdr_encrypted(sp, st->lim->max_members, &s->rar5enc) > 0)
		info->encrypted = 1;
	if ((a = open_archive(s)) == NULL)
		goto done;		/* not an archive libarchive knows */
	while (rc == 0 && !s->fatal && !deadline_passed(st->lim->dl)) {
		r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r == ARCHIVE_FATAL && entries == 0 && says_encrypted(a))
			break;		/* headers encrypted: info.encrypted */
		if (r == ARCHIVE_FATAL || r == ARCHIVE_FAILED ||
		    r == ARCHIVE_RETRY) {
			/* Damaged, or built to confuse readers: an entry
			 * nobody checked, and after FATAL the rest. */
			failed(s, r, arena_printf(st->arena, "entry %u",
			    entries + 1));
			if (r == ARCHIVE_FATAL)
				break;
			if (st->members >= st->lim->max_members) {
				st->limits |= ARCH_LIMIT_MEMBERS;
				break;
			}
			st->members++;
			continue;
		}
		entries++;
		/* A raw "archive" without a decompressor is no archive. */
		if (archive_format(a) == ARCHIVE_FORMAT_RAW &&
		    archive_filter_count(a) < 2)
			break;
		if (!info->opened) {
			info->opened = 1;
			if (archive_format_name(a) != NULL)
				info->format = arena_strdup(st->arena,
				    archive_format_name(a));
		}
		/* Every entry counts, so a million directories cannot
		 * keep the loop going. */
		if (st->members >= st->lim->max_members) {
			st->limits |= ARCH_LIMIT_MEMBERS;
			break;
		}
		st->members++;
		kind = kind_of(e);
		if (kind != ARCH_REGULAR && kind != ARCH_HARDLINK) {
			rc = entry_only(s, e, path, depth, fn, arg);
			continue;
		}
		info->members++;
		if (archive_entry_size_is_set(e) && archive_entry_size(e) > 0)
			declared += (unsigned long long)archive_entry_size(e);
		if (too_big(s, declared)) {
			s->bomb = 1;
			break;
		}
		s->entry = entries - 1;
		rc = member(s, e, path, depth, head, &out, fn, arg, info);
	}
	if (rc == 1)
		rc = 0;
	if (archive_read_has_encrypted_entries(a) > 0 || says_encrypted(a)) {
		info->encrypted = 1;
		info->opened = 1;
	}
	info->broken = s->unseen;
	info->damaged = s->damaged;
	if (s->unseen != NULL) {
		st->limits |= ARCH_LIMIT_UNREAD;
		info->opened = 1;
	}
	if (s->bomb) {
		st->limits |= ARCH_LIMIT_BOMB;
		if (st->bomb == NULL)
			st->bomb = arena_strdup(st->arena, path);
	}
	if (deadline_passed(st->lim->dl))
		st->limits |= ARCH_LIMIT_TIME;
done:
	if (a != NULL)
		archive_read_free(a);
	spool_free(out);
	free(head);
	free(s);
	if (old != (locale_t)0)
		(void)uselocale(old);
	return rc;
}
