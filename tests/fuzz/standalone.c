/*
 * standalone.c - main() for replaying a fuzz target's corpus without
 * libFuzzer, so that every build (gcc, --enable-sanitizers) runs each
 * target over its seeds and over every input that once crashed it.
 *
 *   replay_<name>                 every file in
 *                                 $top_srcdir/tests/fuzz/corpus/<name>/
 *   replay_<name> FILE|DIR...     those files, or the files in those dirs
 *
 * Exit 0 when every input ran; 1 when the corpus is missing or empty or
 * a file cannot be read (a replay that ran nothing must not pass).  A
 * crash or failed invariant aborts, naming the file first.  Each input
 * gets REPLAY_SECONDS of wall time (SIGALRM ends a hang).
 * FUZZ_NAME (the corpus directory name) comes from the build.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

#ifndef FUZZ_NAME
#error FUZZ_NAME must name the corpus directory
#endif

#define REPLAY_SECONDS	60
#define REPLAY_MAX	(16 * 1024 * 1024)

/* Weak: only targets with set-up define it. */
int LLVMFuzzerInitialize(int *, char ***) __attribute__((weak));

static int
replay_file(const char *path)
{
	struct stat st;
	uint8_t *buf;
	size_t got;
	FILE *fp;

	if ((fp = fopen(path, "rb")) == NULL || fstat(fileno(fp), &st) != 0 ||
	    st.st_size < 0 || st.st_size > REPLAY_MAX) {
		fprintf(stderr, "replay: %s: cannot read\n", path);
		if (fp != NULL)
			fclose(fp);
		return -1;
	}
	/* One spare byte: malloc(0) may be NULL. */
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		fclose(fp);
		fprintf(stderr, "replay: %s: out of memory\n", path);
		return -1;
	}
	got = fread(buf, 1, (size_t)st.st_size, fp);
	fclose(fp);
	if (got != (size_t)st.st_size) {
		free(buf);
		fprintf(stderr, "replay: %s: short read\n", path);
		return -1;
	}
	/* Named before it runs: a crash report follows this line. */
	fprintf(stderr, "replay: %s (%zu bytes)\n", path, got);
	alarm(REPLAY_SECONDS);
	(void)LLVMFuzzerTestOneInput(buf, got);
	alarm(0);
	free(buf);
	return 0;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file in dir, in name order (stable logs). Returns the
 * number replayed or -1. */
static long
replay_dir(const char *dir)
{
	char **names = NULL, **nn, path[PATH_MAX];
	size_t n = 0, cap = 0, i;
	struct dirent *de;
	struct stat st;
	long done = 0;
	DIR *d;

	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "replay: %s: cannot open the directory\n",
		    dir);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((nn = realloc(names, cap * sizeof(*names))) ==
			    NULL)
				goto oom;
			names = nn;
		}
		if ((names[n] = strdup(de->d_name)) == NULL)
			goto oom;
		n++;
	}
	closedir(d);
	d = NULL;
	if (n > 0)
		qsort(names, n, sizeof(*names), name_cmp);
	for (i = 0; i < n && done >= 0; i++) {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
		    names[i]) >= sizeof(path) || stat(path, &st) != 0) {
			fprintf(stderr, "replay: %s/%s: cannot stat\n", dir,
			    names[i]);
			done = -1;
		} else if (S_ISREG(st.st_mode))
			done = replay_file(path) == 0 ? done + 1 : -1;
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return done;
oom:
	fprintf(stderr, "replay: out of memory\n");
	if (d != NULL)
		closedir(d);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return -1;
}

static long
replay_path(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "replay: %s: not found\n", path);
		return -1;
	}
	if (S_ISDIR(st.st_mode))
		return replay_dir(path);
	return replay_file(path) == 0 ? 1 : -1;
}

int
main(int argc, char **argv)
{
	char dir[PATH_MAX];
	const char *top;
	long n, total = 0;
	int i;

	if (LLVMFuzzerInitialize != NULL)
		(void)LLVMFuzzerInitialize(&argc, &argv);
	if (argc > 1) {
		for (i = 1; i < argc; i++) {
			if ((n = replay_path(argv[i])) < 0)
				return 1;
			total += n;
		}
	} else {
		if ((top = getenv("top_srcdir")) == NULL)
			top = ".";
		if ((size_t)snprintf(dir, sizeof(dir),
		    "%s/tests/fuzz/corpus/%s", top, FUZZ_NAME) >=
		    sizeof(dir) || (total = replay_dir(dir)) < 0)
			return 1;
	}
	if (total == 0) {
		fprintf(stderr, "replay %s: no input found\n", FUZZ_NAME);
		return 1;
	}
	printf("replay %s: %ld inputs ran\n", FUZZ_NAME, total);
	return 0;
}
