/*
 * mclient_io.c - socket and packet I/O of the milter client: connecting
 * (unix or TCP, with a deadline), the write buffer that batches the
 * commands the milter agreed not to answer, and bounded reads of reply
 * packets.
 *
 * Exports mclient_io_* (mclient_io.h).  One struct mclient per thread.
 * The socket is non-blocking; every wait is a poll() with the remaining
 * time of conf->timeout_ms.  Writes use MSG_NOSIGNAL: a milter that goes
 * away is an error return, not SIGPIPE.  Over TCP we set TCP_NODELAY, so
 * the stalls we measure are the milter's (Nagle on its consecutive small
 * writes), not ours.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mclient_io.h"

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for events on fd until deadline: 0 ready, -1 timeout or error. */
static int
wait_fd(int fd, short events, long long deadline)
{
	struct pollfd pfd;
	long long left;
	int r;

	for (;;) {
		left = deadline - now_ms();
		if (left <= 0)
			return -1;
		pfd.fd = fd;
		pfd.events = events;
		pfd.revents = 0;
		r = poll(&pfd, 1, left > 60000 ? 60000 : (int)left);
		if (r > 0)
			return 0;
		if (r == -1 && errno != EINTR)
			return -1;
	}
}

/* "inet:PORT@HOST" / "inet6:PORT@HOST" (HOST defaults to loopback). */
static int
inet_addr_of(const char *spec, int family, struct addrinfo **ai,
    char *err, size_t errlen)
{
	char port[16], host[256];
	struct addrinfo hints;
	const char *at = strchr(spec, '@');
	size_t pl = at != NULL ? (size_t)(at - spec) : strlen(spec);
	int rc;

	if (pl == 0 || pl >= sizeof(port) || (at != NULL &&
	    strlen(at + 1) >= sizeof(host))) {
		snprintf(err, errlen, "bad socket port or host: %s", spec);
		return -1;
	}
	memcpy(port, spec, pl);
	port[pl] = '\0';
	snprintf(host, sizeof(host), "%s", at != NULL && at[1] != '\0' ?
	    at + 1 : family == AF_INET6 ? "::1" : "127.0.0.1");
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((rc = getaddrinfo(host, port, &hints, ai)) != 0) {
		snprintf(err, errlen, "%s: %s", spec, gai_strerror(rc));
		return -1;
	}
	return 0;
}

int
mclient_io_connect(const struct mclient_conf *conf, char *err,
    size_t errlen)
{
	const char *s = conf->socket, *path = NULL;
	struct sockaddr_un sun;
	struct addrinfo *ai = NULL;
	const struct sockaddr *sa;
	socklen_t salen;
	int fd, on = 1, soerr = 0, family;
	socklen_t len = sizeof(soerr);

	if (strncmp(s, "unix:", 5) == 0 || strncmp(s, "local:", 6) == 0)
		path = strchr(s, ':') + 1;
	else if (s[0] == '/')
		path = s;
	if (path != NULL) {
		if (strlen(path) >= sizeof(sun.sun_path)) {
			snprintf(err, errlen, "socket path too long: %s",
			    path);
			return -1;
		}
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		memcpy(sun.sun_path, path, strlen(path) + 1);
		sa = (const struct sockaddr *)&sun;
		salen = sizeof(sun);
		family = AF_UNIX;
	} else if (strncmp(s, "inet:", 5) == 0 || strncmp(s, "inet6:", 6) ==
	    0) {
		family = s[4] == '6' ? AF_INET6 : AF_INET;
		if (inet_addr_of(strchr(s, ':') + 1, family, &ai, err,
		    errlen) == -1)
			return -1;
		sa = ai->ai_addr;
		salen = ai->ai_addrlen;
	} else {
		snprintf(err, errlen, "socket must be unix:PATH, inet:PORT@HOST"
		    " or inet6:PORT@HOST: %s", s);
		return -1;
	}
	fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		snprintf(err, errlen, "socket: errno %d", errno);
		freeaddrinfo(ai);
		return -1;
	}
	if (family != AF_UNIX)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on,
		    sizeof(on));
	if (connect(fd, sa, salen) == -1) {
		if (errno != EINPROGRESS && errno != EAGAIN) {
			soerr = errno;
		} else if (wait_fd(fd, POLLOUT, now_ms() +
		    conf->timeout_ms) == -1) {
			soerr = ETIMEDOUT;
		} else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr,
		    &len) == -1) {
			soerr = errno;
		}
	}
	freeaddrinfo(ai);
	if (soerr != 0) {
		snprintf(err, errlen, "connect %s: errno %d (%s)", s, soerr,
		    soerr == ECONNREFUSED ? "refused" : soerr == ENOENT ?
		    "no such socket" : soerr == ETIMEDOUT ? "timeout" :
		    "failed");
		close(fd);
		return -1;
	}
	return fd;
}

static void
io_fail(struct mclient *mc, const char *what, int e)
{
	if (mc->io_failed)
		return;
	mc->io_failed = 1;
	snprintf(mc->io_err, sizeof(mc->io_err), "%s: %s (errno %d)", what,
	    e == ETIMEDOUT ? "timeout" : e == EPIPE || e == ECONNRESET ?
	    "milter closed the connection" : "failed", e);
}

static int
io_write_all(struct mclient *mc)
{
	long long deadline = now_ms() + mc->conf->timeout_ms;
	size_t off = 0;
	ssize_t n;

	while (off < mc->wlen) {
		n = send(mc->fd, mc->wbuf + off, mc->wlen - off,
		    MSG_NOSIGNAL);
		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK) {
			io_fail(mc, "write", errno);
			return -1;
		}
		if (wait_fd(mc->fd, POLLOUT, deadline) == -1) {
			io_fail(mc, "write", ETIMEDOUT);
			return -1;
		}
	}
	mc->wlen = 0;
	return 0;
}

static int
io_reserve(struct mclient *mc, size_t n)
{
	unsigned char *nb;
	size_t cap;

	if (mc->wcap - mc->wlen >= n)
		return 0;
	cap = mc->wcap == 0 ? IO_FLUSH_AT * 2 : mc->wcap;
	while (cap - mc->wlen < n)
		cap *= 2;
	if ((nb = realloc(mc->wbuf, cap)) == NULL) {
		io_fail(mc, "write buffer", ENOMEM);
		return -1;
	}
	mc->wbuf = nb;
	mc->wcap = cap;
	return 0;
}

void
mclient_io_begin(struct mclient *mc, char cmd)
{
	mc->cmd_at = mc->wlen;
	if (io_reserve(mc, 5) == -1)
		return;
	memset(mc->wbuf + mc->wlen, 0, 4);
	mc->wbuf[mc->wlen + 4] = (unsigned char)cmd;
	mc->wlen += 5;
}

void
mclient_io_put(struct mclient *mc, const void *p, size_t n)
{
	if (mc->io_failed || io_reserve(mc, n) == -1)
		return;
	memcpy(mc->wbuf + mc->wlen, p, n);
	mc->wlen += n;
}

void
mclient_io_put_str(struct mclient *mc, const char *s)
{
	mclient_io_put(mc, s, strlen(s) + 1);
}

int
mclient_io_end(struct mclient *mc)
{
	size_t n;

	if (mc->io_failed)
		return -1;
	n = mc->wlen - mc->cmd_at - 4;		/* command byte + data */
	if (n - 1 > MCLIENT_MAX_DATA) {
		io_fail(mc, "command larger than the milter limit", E2BIG);
		return -1;
	}
	mc->wbuf[mc->cmd_at] = (unsigned char)(n >> 24);
	mc->wbuf[mc->cmd_at + 1] = (unsigned char)(n >> 16);
	mc->wbuf[mc->cmd_at + 2] = (unsigned char)(n >> 8);
	mc->wbuf[mc->cmd_at + 3] = (unsigned char)n;
	if (mc->wlen >= IO_FLUSH_AT)
		return io_write_all(mc);
	return 0;
}

int
mclient_io_simple(struct mclient *mc, char cmd)
{
	mclient_io_begin(mc, cmd);
	return mclient_io_end(mc);
}

int
mclient_io_error(const struct mclient *mc, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s", mc->io_failed ? mc->io_err :
	    "connection failed");
	return -1;
}

int
mclient_io_flush(struct mclient *mc, char *err, size_t errlen)
{
	if (mc->io_failed || io_write_all(mc) == -1)
		return mclient_io_error(mc, err, errlen);
	return 0;
}

/* Reads exactly n bytes through the read buffer. */
static int
io_read_exact(struct mclient *mc, unsigned char *dst, size_t n,
    long long deadline)
{
	size_t take;
	ssize_t r;

	while (n > 0) {
		if (mc->rpos < mc->rlen) {
			take = mc->rlen - mc->rpos;
			if (take > n)
				take = n;
			memcpy(dst, mc->rbuf + mc->rpos, take);
			mc->rpos += take;
			dst += take;
			n -= take;
			continue;
		}
		mc->rpos = mc->rlen = 0;
		r = recv(mc->fd, mc->rbuf, sizeof(mc->rbuf), 0);
		if (r > 0) {
			mc->rlen = (size_t)r;
			continue;
		}
		if (r == 0) {
			io_fail(mc, "read", EPIPE);
			return -1;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			io_fail(mc, "read", errno);
			return -1;
		}
		if (wait_fd(mc->fd, POLLIN, deadline) == -1) {
			io_fail(mc, "waiting for the milter's reply",
			    ETIMEDOUT);
			return -1;
		}
	}
	return 0;
}

int
mclient_io_read(struct mclient *mc, char *code, const unsigned char **data,
    size_t *len, char *err, size_t errlen)
{
	long long deadline = now_ms() + mc->conf->timeout_ms;
	unsigned char h[4], *np;
	uint32_t n;

	if (mc->io_failed)
		return mclient_io_error(mc, err, errlen);
	if (io_read_exact(mc, h, 4, deadline) == -1)
		return mclient_io_error(mc, err, errlen);
	n = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 |
	    (uint32_t)h[2] << 8 | h[3];
	if (n == 0 || n > MCLIENT_MAX_PACKET) {
		mc->io_failed = 1;
		snprintf(mc->io_err, sizeof(mc->io_err), "milter sent a "
		    "packet of %u bytes (allowed 1 to %d)", n,
		    MCLIENT_MAX_PACKET);
		return mclient_io_error(mc, err, errlen);
	}
	if (n > mc->pkt_cap) {
		if ((np = realloc(mc->pkt, n)) == NULL) {
			io_fail(mc, "read buffer", ENOMEM);
			return mclient_io_error(mc, err, errlen);
		}
		mc->pkt = np;
		mc->pkt_cap = n;
	}
	if (io_read_exact(mc, mc->pkt, n, deadline) == -1)
		return mclient_io_error(mc, err, errlen);
	*code = (char)mc->pkt[0];
	*data = mc->pkt + 1;
	*len = n - 1;
	return 0;
}
