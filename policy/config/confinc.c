/*
 * confinc.c - reads the configuration file and, before libconfig sees
 * it, every file its @include directives name, checking each target.
 *
 * Why: libconfig 1.5 (Debian 12) opens an @include target with fopen and
 * lets its flex scanner read it; a directory ("." or "", which it turns
 * into the include directory itself) opens fine and then fails to read,
 * and flex's YY_FATAL_ERROR calls exit(2): the daemon would die, also on
 * a SIGUSR1 reload that must keep the old configuration.  So every
 * directive is found here as libconfig's scanner would find it, and its
 * target must be a readable regular file, or the load fails with
 * "FILE:LINE: @include "X": problem".  Each file must also be one that
 * only root or we can change (confperm.c).
 *
 * Exports confinc_read, confinc_free, confinc_text (configtab.h).  Owns
 * the texts in loader->files (malloc memory, freed by confinc_free); the
 * loader re-reads number literals and lines from them.
 * Thread rule: single-threaded, like every load.
 * Caps: CONFIG_FILE_MAX bytes per file, CONFIG_INCLUDE_DEPTH nested files
 * (libconfig's own MAX_INCLUDE_DEPTH), CONFIG_INCLUDE_MAX directives in
 * all (a file that includes itself twice would otherwise cost 2^10
 * reads).
 *
 * libconfig 1.5's scanner (lib/scanner.l), as mirrored here:
 * - a directive is `^[ \t]*@include[ \t]+"` at the start of a line, in
 *   the normal state only: not inside a string or a comment;
 * - its name runs to the next unescaped '"', newlines included; "\\" and
 *   "\"" are escapes, any other backslash is dropped;
 * - the target is include_dir + "/" + name, whatever the name (an
 *   absolute name too); confload.c sets include_dir to the directory of
 *   the main file, so nested files resolve from there as well;
 * - an included file starts in the normal state, and the state it ends
 *   in (an open string or comment) carries on in the file that included
 *   it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "config/configtab.h"

enum scan_state { S_NORMAL, S_COMMENT, S_STRING, S_INCLUDE };

struct scan {
	struct loader *l;
	enum scan_state state;
	char name[PATH_MAX];	/* the @include name being read */
	size_t nlen;
	size_t dfile;		/* file and line of that directive */
	unsigned dline;
	size_t count;		/* directives followed */
};

/* Reads path into *text (malloc, NUL-terminated).  A directory is never
 * a config file; regular: anything but a regular file is refused (an
 * @include target: libconfig would read it).  0, or -1 with the problem
 * in buf, or -2 with "PATH: problem: refusing it" when others may write
 * the file (confperm.c). */
static int
read_text(const char *path, int regular, char **text, char *buf,
    size_t buflen)
{
	struct stat st;
	size_t len = 0;
	ssize_t n;
	char *t;
	int fd;

	*text = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY |
	    (regular ? O_NONBLOCK : 0));
	if (fd == -1) {
		snprintf(buf, buflen, "%m");
		return -1;
	}
	if (fstat(fd, &st) == -1 || S_ISDIR(st.st_mode) ||
	    (regular && !S_ISREG(st.st_mode))) {
		snprintf(buf, buflen, "not a regular file");
		close(fd);
		return -1;
	}
	/* Root acts on what the file says: nobody else may write it. */
	if (confperm_check_fd(fd, path, buf, buflen) == -1) {
		close(fd);
		return -2;
	}
	if ((t = malloc(CONFIG_FILE_MAX + 1)) == NULL) {
		snprintf(buf, buflen, "out of memory");
		close(fd);
		return -1;
	}
	while (len <= CONFIG_FILE_MAX) {
		n = read(fd, t + len, CONFIG_FILE_MAX + 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			snprintf(buf, buflen, "read error: %m");
			goto bad;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > CONFIG_FILE_MAX) {
		snprintf(buf, buflen, "larger than 1 MiB");
		goto bad;
	}
	if (memchr(t, '\0', len) != NULL) {
		snprintf(buf, buflen, "contains a NUL byte");
		goto bad;
	}
	close(fd);
	t[len] = '\0';
	*text = t;
	return 0;
bad:
	close(fd);
	free(t);
	return -1;
}

/* Appends a file to l->files; its index, or -1 (out of memory; name and
 * path are taken either way). */
static long
add_file(struct loader *l, char *name, char *path, char *text)
{
	struct conftext *f;

	if ((f = realloc(l->files, (l->nfiles + 1) * sizeof(*f))) == NULL) {
		free(name);
		free(path);
		free(text);
		return -1;
	}
	l->files = f;
	f[l->nfiles].name = name;
	f[l->nfiles].path = path;
	f[l->nfiles].text = text;
	return (long)l->nfiles++;
}

/* 1-based line of p in text. */
static unsigned
line_at(const char *text, const char *p)
{
	unsigned n = 1;

	for (; text < p; text++)
		if (*text == '\n')
			n++;
	return n;
}

/* Length of `[ \t]*@include[ \t]+"` at p, or 0. */
static size_t
include_open(const char *p)
{
	const char *q = p + strspn(p, " \t");
	size_t blank;

	if (strncmp(q, "@include", 8) != 0)
		return 0;
	q += 8;
	if ((blank = strspn(q, " \t")) == 0 || q[blank] != '"')
		return 0;
	return (size_t)(q + blank + 1 - p);
}

/* "FILE:LINE: @include "X": problem" for the directive being read. */
static int
fail_at(struct scan *sc, const char *problem)
{
	struct loader *l = sc->l;
	const struct conftext *f = &l->files[sc->dfile];
	char show[96];

	sc->name[sc->nlen] = '\0';
	snprintf(l->err, l->errlen, "%s:%u: @include \"%s\": %s",
	    sc->dfile == 0 ? l->path : f->path, sc->dline,
	    config_show(sc->name, show, sizeof(show)), problem);
	return -1;
}

static int scan_file(struct scan *, size_t, unsigned);

/* The directive just closed: its target must be a regular file, read and
 * scanned in turn. */
static int
follow(struct scan *sc, unsigned depth)
{
	struct loader *l = sc->l;
	char problem[PATH_MAX + 80], *name, *path = NULL, *text;
	size_t i, dlen;
	long fi;

	sc->name[sc->nlen] = '\0';
	if (++sc->count > CONFIG_INCLUDE_MAX)
		return fail_at(sc, "more than 64 @include directives");
	if (depth >= CONFIG_INCLUDE_DEPTH)
		return fail_at(sc, "nested deeper than 10 files");
	for (i = 1; i < l->nfiles; i++)
		if (strcmp(l->files[i].name, sc->name) == 0)
			return scan_file(sc, i, depth + 1);
	/* libconfig: include_dir + "/" + name, even for "/abs" */
	dlen = strlen(l->ctx.dir);
	if (dlen + sc->nlen + 2 > PATH_MAX)
		return fail_at(sc, "path too long");
	if ((name = strdup(sc->name)) == NULL ||
	    (path = malloc(dlen + sc->nlen + 2)) == NULL) {
		free(name);
		return fail_at(sc, "out of memory");
	}
	memcpy(path, l->ctx.dir, dlen);
	path[dlen] = '/';
	memcpy(path + dlen + 1, sc->name, sc->nlen + 1);
	if (read_text(path, 1, &text, problem, sizeof(problem)) < 0) {
		free(name);
		free(path);
		return fail_at(sc, problem);
	}
	if ((fi = add_file(l, name, path, text)) == -1)
		return fail_at(sc, "out of memory");
	return scan_file(sc, (size_t)fi, depth + 1);
}

/* Runs the scanner over file fi (at nesting depth), following each
 * directive as it closes. */
static int
scan_file(struct scan *sc, size_t fi, unsigned depth)
{
	const char *text = sc->l->files[fi].text, *p = text;
	size_t n;

	sc->state = S_NORMAL;
	while (*p != '\0') {
		switch (sc->state) {
		case S_NORMAL:
			if ((p == text || p[-1] == '\n') &&
			    (n = include_open(p)) > 0) {
				sc->state = S_INCLUDE;
				sc->nlen = 0;
				sc->dfile = fi;
				sc->dline = line_at(text, p);
				p += n;
			} else if (*p == '"') {
				sc->state = S_STRING;
				p++;
			} else if (*p == '#' || (*p == '/' && p[1] == '/'))
				p += strcspn(p, "\n");
			else if (*p == '/' && p[1] == '*') {
				sc->state = S_COMMENT;
				p += 2;
			} else
				p++;
			break;
		case S_COMMENT:
			if (*p == '*' && p[1] == '/') {
				sc->state = S_NORMAL;
				p++;
			}
			p++;
			break;
		case S_STRING:
			if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
				p++;
			else if (*p == '"')
				sc->state = S_NORMAL;
			p++;
			break;
		case S_INCLUDE:
			if (*p == '"') {
				p++;
				if (follow(sc, depth) == -1)
					return -1;
				/* the state the included file left */
				continue;
			}
			if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
				p++;
			else if (*p == '\\') {
				p++;	/* flex's default rule eats it */
				continue;
			}
			if (sc->nlen + 1 >= sizeof(sc->name))
				return fail_at(sc, "name too long");
			sc->name[sc->nlen++] = *p++;
			break;
		}
	}
	return 0;
}

int
confinc_read(struct loader *l, const char *path)
{
	struct scan *sc;
	char problem[PATH_MAX + 80], *text, *copy;
	int rc;

	if ((rc = read_text(path, 0, &text, problem, sizeof(problem))) < 0) {
		if (rc == -2)
			snprintf(l->err, l->errlen, "%s", problem);
		else
			snprintf(l->err, l->errlen, "%s: cannot open: %s",
			    path, problem);
		return -1;
	}
	if ((copy = strdup(path)) == NULL ||
	    add_file(l, NULL, copy, text) == -1 ||
	    (sc = calloc(1, sizeof(*sc))) == NULL) {
		if (copy == NULL)
			free(text);
		snprintf(l->err, l->errlen, "%s: out of memory", path);
		return -1;
	}
	sc->l = l;
	rc = scan_file(sc, 0, 0);
	/* An @include left open at the end: libconfig would drop it
	 * silently; a typo that loses a file is an error. */
	if (rc == 0 && sc->state == S_INCLUDE)
		rc = fail_at(sc, "no closing quote");
	free(sc);
	return rc;
}

void
confinc_free(struct loader *l)
{
	size_t i;

	for (i = 0; i < l->nfiles; i++) {
		free(l->files[i].name);
		free(l->files[i].path);
		free(l->files[i].text);
	}
	free(l->files);
	l->files = NULL;
	l->nfiles = 0;
}

const char *
confinc_text(const struct loader *l, const char *name)
{
	size_t i;

	if (name == NULL)
		return l->nfiles > 0 ? l->files[0].text : NULL;
	for (i = 1; i < l->nfiles; i++)
		if (strcmp(l->files[i].name, name) == 0)
			return l->files[i].text;
	return NULL;
}
