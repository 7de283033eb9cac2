/*
 * fdio.c - writing a whole buffer to a file descriptor (see fdio.h).
 * Exports fdio_write_all.  No shared state.
 */
#include <errno.h>
#include <unistd.h>

#include "util/fdio.h"

int
fdio_write_all(int fd, const void *p, size_t n)
{
	const char *b = p;
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, b, n)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (w == 0) {
			errno = EIO;
			return -1;
		}
		b += w;
		n -= (size_t)w;
	}
	return 0;
}
