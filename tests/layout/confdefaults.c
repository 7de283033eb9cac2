/*
 * confdefaults.c - prints the built-in defaults of every setting, in
 * config_dump's words (one "name = value;" per setting), for
 * tests/layout/test_manconf.sh, which checks relaywarden.conf(5) against
 * them.  The program's own output, so the page and the settings table
 * (policy/config/config.c) cannot drift apart unnoticed.
 */
#include <stdio.h>

#include "config/config.h"

int
main(void)
{
	struct config *c;

	if ((c = config_default()) == NULL) {
		fputs("confdefaults: out of memory\n", stderr);
		return 1;
	}
	config_dump(c, stdout);
	config_free(c);
	return fflush(stdout) == 0 ? 0 : 1;
}
