/*
 * stateio.c - hiredis I/O under one deadline (see stateio.h): a
 * non-blocking context and a poll() loop around redisBufferWrite,
 * redisBufferRead and redisGetReplyFromReader.
 *
 * Exports stateio_connect, stateio_reply, stateio_format and
 * stateio_append.  Owns nothing past a call; a context is used by one
 * thread at a time.
 * Caps: the caller's deadline for everything; max_bytes received while
 * waiting for one reply (a server announcing a huge bulk or array and
 * sending it fast would otherwise grow the reader's buffer at will).
 * Redis is untrusted input: what it sends only ever fills the reader,
 * which hiredis parses with its own checks (bulk length, nesting).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "util/deadline.h"
#include "util/decimal.h"
#include "state/stateio.h"

/* Milliseconds left before d (at least 0); -1 when d never passes. */
static int
left_ms(const struct deadline *d)
{
	long long left;

	if (d == NULL || d->end_ns == 0)
		return -1;
	left = d->end_ns / 1000000LL - deadline_now_ms();
	if (left <= 0)
		return 0;
	return left > 3600000 ? 3600000 : (int)left;
}

static void
fail(redisContext *c, int code, const char *why)
{
	c->err = code;
	snprintf(c->errstr, sizeof(c->errstr), "%s", why);
}

redisContext *
stateio_connect(const char *host, unsigned port, const char *socket,
    unsigned connect_ms, struct deadline *d, char *err, size_t errlen)
{
	struct timeval tv;
	redisContext *c;
	int left = left_ms(d), fl;

	if (left == 0) {
		snprintf(err, errlen, "timed out before connecting");
		return NULL;
	}
	if (left > 0 && (unsigned)left < connect_ms)
		connect_ms = (unsigned)left;
	tv.tv_sec = (time_t)(connect_ms / 1000);
	tv.tv_usec = (suseconds_t)(connect_ms % 1000) * 1000;
	/* hiredis bounds the TCP or unix connect with poll(); the name is
	 * resolved first (a host name in the config is the admin's). */
	if (*socket != '\0')
		c = redisConnectUnixWithTimeout(socket, tv);
	else
		c = redisConnectWithTimeout(host, (int)port, tv);
	if (c == NULL || c->err) {
		snprintf(err, errlen, "%s", c != NULL ? c->errstr :
		    "out of memory");
		redisFree(c);
		return NULL;
	}
	/* From here on no call may block: hiredis treats EAGAIN as "try
	 * again" only when REDIS_BLOCK is clear. */
	if ((fl = fcntl(c->fd, F_GETFL)) == -1 ||
	    fcntl(c->fd, F_SETFL, fl | O_NONBLOCK) == -1) {
		snprintf(err, errlen, "cannot make the socket non-blocking");
		redisFree(c);
		return NULL;
	}
	c->flags &= ~REDIS_BLOCK;
	return c;
}

int
stateio_reply(redisContext *c, struct deadline *d, size_t max_bytes,
    redisReply **reply)
{
	struct pollfd pfd;
	size_t got = 0, before;
	void *r = NULL;
	int done, n, left;

	*reply = NULL;
	if (c->err)
		return REDIS_ERR;
	for (;;) {
		if (redisGetReplyFromReader(c, &r) == REDIS_ERR)
			return REDIS_ERR;
		if (r != NULL) {
			*reply = r;
			return REDIS_OK;
		}
		if (redisBufferWrite(c, &done) == REDIS_ERR)
			return REDIS_ERR;
		if ((left = left_ms(d)) == 0) {
			fail(c, REDIS_ERR_OTHER, "timed out");
			errno = ETIMEDOUT;
			return REDIS_ERR;
		}
		pfd.fd = c->fd;
		pfd.events = POLLIN | (done ? 0 : POLLOUT);
		pfd.revents = 0;
		if ((n = poll(&pfd, 1, left)) == -1) {
			if (errno == EINTR)
				continue;
			fail(c, REDIS_ERR_IO, "poll failed");
			return REDIS_ERR;
		}
		if (n == 0 || !(pfd.revents & (POLLIN | POLLERR | POLLHUP)))
			continue;	/* timed out (checked above) or
					   writable only */
		before = c->reader->len;
		if (redisBufferRead(c) == REDIS_ERR)
			return REDIS_ERR;
		if (c->reader->len > before)
			got += c->reader->len - before;
		if (got > max_bytes) {
			fail(c, REDIS_ERR_PROTOCOL, "reply too large");
			return REDIS_ERR;
		}
	}
}

char *
stateio_format(int argc, const char **argv, const size_t *argvlen,
    size_t *len)
{
	size_t total = 1 + DECIMAL_ULL_MAX + 2, n;
	char *buf, *p;
	int i;

	if (argc < 0)
		return NULL;
	for (i = 0; i < argc; i++) {
		n = argvlen != NULL ? argvlen[i] : strlen(argv[i]);
		if (n > SIZE_MAX - total - (1 + DECIMAL_ULL_MAX + 2 + 2))
			return NULL;
		total += 1 + DECIMAL_ULL_MAX + 2 + n + 2;
	}
	if ((buf = malloc(total)) == NULL)
		return NULL;
	p = buf;
	*p++ = '*';
	p += decimal_ull(p, (unsigned long long)argc);
	*p++ = '\r';
	*p++ = '\n';
	for (i = 0; i < argc; i++) {
		n = argvlen != NULL ? argvlen[i] : strlen(argv[i]);
		*p++ = '$';
		p += decimal_ull(p, n);
		*p++ = '\r';
		*p++ = '\n';
		memcpy(p, argv[i], n);
		p += n;
		*p++ = '\r';
		*p++ = '\n';
	}
	*len = (size_t)(p - buf);
	return buf;
}

int
stateio_append(redisContext *c, int argc, const char **argv,
    const size_t *argvlen)
{
	size_t len;
	char *cmd;
	int rc;

	if ((cmd = stateio_format(argc, argv, argvlen, &len)) == NULL) {
		fail(c, REDIS_ERR_OOM, "out of memory");
		return REDIS_ERR;
	}
	rc = redisAppendFormattedCommand(c, cmd, len);
	free(cmd);
	return rc;
}
