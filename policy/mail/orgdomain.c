/*
 * orgdomain.c - organisational domains (see orgdomain.h).
 *
 * Exports orgdomain_*.  Owns the loaded lists: one libpsl context per
 * file (device, inode, size, modification time), shared by every struct
 * orgdomain made from that file while one holds it (the generation's and
 * the lookalike index's, the old and the new generation over a reload):
 * the text list costs about 1.5 MB of heap per load (issue 15, memory),
 * and its compiled form, where the OS ships one, about 54 KB.
 * Thread rule: a struct orgdomain is immutable after orgdomain_new and
 * libpsl lookups only read; the list of loaded files is under a mutex
 * (orgdomain_new and orgdomain_free only).
 * Caps: names as RFC 1035 2.3.4 (label <= 63 octets, name <= 253).
 * RFC 7489 3.2: the organisational domain is the registrable domain
 * (psl_registrable_domain, ICANN and private sections, implicit "*" rule
 * for unlisted TLDs).  libpsl reads Debian's publicsuffix list
 * (RW_PSL_FILE), updated with the OS.
 */
#include <sys/stat.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libpsl.h>

#include "util/arena.h"
#include "mail/orgdomain.h"

/* The build passes the configured list (configure --with-psl-file) as
 * -DRW_PSL_FILE. */
#ifndef RW_PSL_FILE
#define RW_PSL_FILE	"/usr/share/publicsuffix/public_suffix_list.dat"
#endif

/* One loaded file, shared. */
struct pslfile {
	struct pslfile *next;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	unsigned refs;
	psl_ctx_t *psl;
};

#define DAFSA_MAGIC	".DAFSA@PSL_"	/* psl-make-dafsa's header */

struct orgdomain {
	struct pslfile *f;
};

static pthread_mutex_t files_mu = PTHREAD_MUTEX_INITIALIZER;
static struct pslfile *files;

static int
same_file(const struct pslfile *f, const struct stat *st)
{
	return f->dev == st->st_dev && f->ino == st->st_ino &&
	    f->size == st->st_size &&
	    f->mtime.tv_sec == st->st_mtim.tv_sec &&
	    f->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

/* The loaded list of the file open on fd (fstat'ed as st), loaded now if
 * no one holds it; a reference for the caller.  Closes fd.  Under
 * files_mu. */
static struct pslfile *
file_get(int fd, const struct stat *st)
{
	struct pslfile *f;
	FILE *fp;

	for (f = files; f != NULL; f = f->next)
		if (same_file(f, st)) {
			(void)close(fd);
			f->refs++;
			return f;
		}
	if ((f = calloc(1, sizeof(*f))) == NULL ||
	    (fp = fdopen(fd, "r")) == NULL) {
		(void)close(fd);
		free(f);
		return NULL;
	}
	f->psl = psl_load_fp(fp);
	(void)fclose(fp);		/* closes fd */
	if (f->psl == NULL) {
		free(f);
		return NULL;
	}
	f->dev = st->st_dev;
	f->ino = st->st_ino;
	f->size = st->st_size;
	f->mtime = st->st_mtim;
	f->refs = 1;
	f->next = files;
	files = f;
	return f;
}

static void
file_put(struct pslfile *f)
{
	struct pslfile **pp;

	pthread_mutex_lock(&files_mu);
	if (--f->refs == 0) {
		for (pp = &files; *pp != f; pp = &(*pp)->next)
			;
		*pp = f->next;
		psl_free(f->psl);
		free(f);
	}
	pthread_mutex_unlock(&files_mu);
}

/* Opens file and fstat's it into st; -1 when it cannot. */
static int
open_list(const char *file, struct stat *st)
{
	int fd;

	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, st) == -1 || !S_ISREG(st->st_mode)) {
		(void)close(fd);
		return -1;
	}
	return fd;
}

/* The shared list of one file, or NULL. */
static struct pslfile *
get_list(const char *file)
{
	struct pslfile *f;
	struct stat st;
	int fd;

	if ((fd = open_list(file, &st)) == -1)
		return NULL;
	pthread_mutex_lock(&files_mu);
	f = file_get(fd, &st);
	pthread_mutex_unlock(&files_mu);
	return f;
}

static int
newer_or_same(const struct stat *a, const struct stat *b)
{
	return a->st_mtim.tv_sec > b->st_mtim.tv_sec ||
	    (a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec >= b->st_mtim.tv_nsec);
}

/* The compiled form of a text list: Debian's publicsuffix package ships
 * public_suffix_list.dafsa (psl-make-dafsa, 54 KB, used as read) next to
 * the .dat it is made from (parsed, about 1.5 MB of heap).  libpsl gives
 * the same answers from both (test_orgshare compares every rule of the
 * two).  Taken only when it is at least as new as the text, so that a
 * .dat updated by hand is what is read. */
static struct pslfile *
get_compiled(const char *file)
{
	struct stat tst, cst;
	char path[4096], magic[sizeof(DAFSA_MAGIC) - 1];
	size_t n = strlen(file);
	ssize_t r;
	int fd;

	if (n < 4 || strcmp(file + n - 4, ".dat") != 0 ||
	    n + 3 > sizeof(path))
		return NULL;
	memcpy(path, file, n - 4);
	memcpy(path + n - 4, ".dafsa", 7);
	if ((fd = open_list(file, &tst)) == -1)
		return NULL;
	(void)close(fd);
	if ((fd = open_list(path, &cst)) == -1)
		return NULL;
	/* libpsl reads a file without the header as a text list */
	r = pread(fd, magic, sizeof(magic), 0);
	(void)close(fd);
	if (r != (ssize_t)sizeof(magic) ||
	    memcmp(magic, DAFSA_MAGIC, sizeof(magic)) != 0 ||
	    !newer_or_same(&cst, &tst))
		return NULL;
	return get_list(path);
}

struct orgdomain *
orgdomain_new(const char *file, char *err, size_t errlen)
{
	struct orgdomain *od;

	if (file == NULL)
		file = RW_PSL_FILE;
	if ((od = calloc(1, sizeof(*od))) == NULL) {
		snprintf(err, errlen, "public suffix list: out of memory");
		return NULL;
	}
	/* The identity of a list is that of the descriptor read: a list
	 * replaced meanwhile is a new file, loaded anew. */
	if ((od->f = get_compiled(file)) == NULL &&
	    (od->f = get_list(file)) == NULL) {
		snprintf(err, errlen, "%s: cannot load the public suffix list",
		    file);
		free(od);
		return NULL;
	}
	return od;
}

int
orgdomain_compiled(const char *file)
{
	struct pslfile *f;

	if (file == NULL)
		file = RW_PSL_FILE;
	if ((f = get_compiled(file)) == NULL)
		return 0;
	file_put(f);
	return 1;
}

void
orgdomain_free(struct orgdomain *od)
{
	if (od == NULL)
		return;
	file_put(od->f);
	free(od);
}

int
orgdomain_shares_list(const struct orgdomain *a, const struct orgdomain *b)
{
	return a != NULL && b != NULL && a->f == b->f;
}

int
orgdomain_normalize(const char *in, char *buf)
{
	size_t n, i, label = 0;

	if (in == NULL)
		return -1;
	n = strlen(in);
	if (n > 0 && in[n - 1] == '.')
		n--;
	if (n == 0 || n > ORGDOMAIN_NAME_MAX)
		return -1;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c == '.') {
			if (label == 0)
				return -1;
			label = 0;
			buf[i] = '.';
			continue;
		}
		if (++label > 63)
			return -1;
		if (c >= 'A' && c <= 'Z')
			c = c - 'A' + 'a';
		else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c >= 0x80))
			return -1;
		buf[i] = (char)c;
	}
	buf[n] = '\0';
	return 0;
}

const char *
orgdomain_of_normalized(const struct orgdomain *od, const char *norm)
{
	return od != NULL ? psl_registrable_domain(od->f->psl, norm) : NULL;
}

const char *
orgdomain_get(const struct orgdomain *od, const char *domain,
    struct arena *a)
{
	char d[ORGDOMAIN_NAME_MAX + 1];
	const char *o;

	if (orgdomain_normalize(domain, d) == -1 ||
	    (o = orgdomain_of_normalized(od, d)) == NULL)
		return NULL;
	return arena_strdup(a, o);
}

int
orgdomain_same(const struct orgdomain *od, const char *a, const char *b)
{
	char x[ORGDOMAIN_NAME_MAX + 1], y[ORGDOMAIN_NAME_MAX + 1];
	const char *ox, *oy;

	if (orgdomain_normalize(a, x) == -1 ||
	    orgdomain_normalize(b, y) == -1)
		return 0;
	if (strcmp(x, y) == 0)
		return 1;
	ox = orgdomain_of_normalized(od, x);
	oy = orgdomain_of_normalized(od, y);
	return ox != NULL && oy != NULL && strcmp(ox, oy) == 0;
}

int
orgdomain_known_suffix(const struct orgdomain *od, const char *domain)
{
	char d[ORGDOMAIN_NAME_MAX + 1];
	const char *top;

	if (od == NULL || orgdomain_normalize(domain, d) == -1)
		return 0;
	top = strrchr(d, '.');
	return psl_is_public_suffix2(od->f->psl, top != NULL ? top + 1 : d,
	    PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE) != 0;
}
