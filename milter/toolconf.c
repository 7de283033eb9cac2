/*
 * toolconf.c - which configuration a tool reads, and says so (toolconf.h).
 * Exports toolconf_load, toolconf_version.  Single-threaded tools only.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "toolconf.h"

int
toolconf_load(const char *prog, const char *path, struct config **out)
{
	char err[512];

	*out = NULL;
	if (path == NULL && access(TOOLCONF_DEFAULT, F_OK) == -1 &&
	    errno == ENOENT) {
		fprintf(stderr, "%s: %s does not exist: using the built-in "
		    "defaults\n", prog, TOOLCONF_DEFAULT);
		if ((*out = config_default()) == NULL) {
			fprintf(stderr, "%s: out of memory\n", prog);
			return -1;
		}
		return 0;
	}
	if (path == NULL)
		path = TOOLCONF_DEFAULT;
	if (config_load(path, out, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return -1;
	}
	fprintf(stderr, "%s: using %s\n", prog, path);
	return 0;
}

void
toolconf_version(const char *prog)
{
	printf("%s %s\n", prog, PACKAGE_VERSION);
}
