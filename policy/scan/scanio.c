/*
 * scanio.c - frames and descriptor passing for the worker sandbox (see
 * scanio.h).
 *
 * Exports scanio_*.  Owns nothing; a received frame is malloc memory the
 * caller frees, received descriptors are the caller's.
 * Thread rule: a socket is used by one thread at a time (the pool's
 * worker slot, the fork server's mutex).
 * Caps: the caller's frame maximum; the deadline bounds every wait.
 */
#include <sys/socket.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/deadline.h"
#include "scan/scanio.h"

/* sendmsg of the iovecs with nfds descriptors. */
static long
send_iov(int sock, struct iovec *iov, int niov, const int *fds, int nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * SCANIO_MAXFDS)];
		struct cmsghdr align;
	} u;
	struct msghdr mh;
	struct cmsghdr *cm;
	ssize_t r;

	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = iov;
	mh.msg_iovlen = (size_t)niov;
	if (nfds > 0) {
		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * (size_t)nfds);
	}
	do
		r = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (r == -1 && errno == EINTR);
	return (long)r;
}

long
scanio_sendfds(int sock, const void *p, size_t n, const int *fds, int nfds)
{
	struct iovec iov = { (void *)p, n };

	return send_iov(sock, &iov, 1, fds, nfds);
}

long
scanio_recvfds(int sock, void *p, size_t n, int *fds, int *nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 8)];
		struct cmsghdr align;
	} u;
	struct iovec iov = { p, n };
	struct msghdr mh;
	struct cmsghdr *cm;
	size_t i, k;
	ssize_t r;
	int fd;

	*nfds = 0;
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = u.buf;
	mh.msg_controllen = sizeof(u.buf);
	do
		r = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (r == -1 && errno == EINTR);
	if (r < 0)
		return -1;
	for (cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET ||
		    cm->cmsg_type != SCM_RIGHTS)
			continue;
		k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < k; i++) {
			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int),
			    sizeof(fd));
			if (*nfds < SCANIO_MAXFDS)
				fds[(*nfds)++] = fd;
			else
				(void)close(fd);
		}
	}
	/* A truncated control message lost descriptors: not a frame we
	 * can trust. */
	if (mh.msg_flags & MSG_CTRUNC) {
		while (*nfds > 0)
			(void)close(fds[--*nfds]);
		errno = EPROTO;
		return -1;
	}
	return (long)r;
}

int
scanio_send_frame(int sock, const void *p, size_t n, int fd)
{
	uint32_t len = (uint32_t)n;
	struct iovec iov[2] = { { &len, sizeof(len) }, { (void *)p, n } };
	size_t off = 0;
	long r;

	if (n > UINT32_MAX - sizeof(len)) {
		errno = EMSGSIZE;
		return -1;
	}
	/* Length and payload in one call (the descriptor on its first
	 * byte); what a full socket buffer leaves over follows. */
	if ((r = send_iov(sock, iov, 2, &fd, fd >= 0)) < (long)sizeof(len))
		return -1;
	for (off = (size_t)r - sizeof(len); off < n; off += (size_t)r) {
		do
			r = send(sock, (const char *)p + off, n - off,
			    MSG_NOSIGNAL);
		while (r == -1 && errno == EINTR);
		if (r <= 0)
			return -1;
	}
	return 0;
}

/* Waits for sock to be readable before deadline_ms (0: no limit).
 * 0, or SCANIO_TIMEOUT / SCANIO_BROKEN. */
static int
wait_readable(int sock, long long deadline_ms)
{
	struct pollfd pfd = { sock, POLLIN, 0 };
	long long left;
	int r;

	for (;;) {
		left = -1;
		if (deadline_ms > 0 &&
		    (left = deadline_ms - deadline_now_ms()) <= 0)
			return SCANIO_TIMEOUT;
		if (left > 60000)
			left = 60000;
		r = poll(&pfd, 1, (int)left);
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return SCANIO_BROKEN;
	}
}

int
scanio_recv_frame(int sock, size_t max, long long deadline_ms,
    unsigned char **out, size_t *n, int *fd)
{
	unsigned char hdr[4], *buf = NULL;
	uint32_t len;
	size_t got = 0;
	int fds[SCANIO_MAXFDS], nfds = 0, w, i;
	long r;

	*out = NULL;
	*n = 0;
	*fd = -1;
	while (got < sizeof(hdr)) {
		if ((w = wait_readable(sock, deadline_ms)) != 0)
			goto fail_with;
		r = scanio_recvfds(sock, hdr + got, sizeof(hdr) - got, fds,
		    &nfds);
		if (r == 0 && got == 0)
			return SCANIO_EOF;
		if (r <= 0)
			goto broken;
		for (i = 0; i < nfds; i++) {
			if (*fd < 0)
				*fd = fds[i];
			else
				(void)close(fds[i]);
		}
		got += (size_t)r;
	}
	memcpy(&len, hdr, sizeof(len));
	if (len > max || (len > 0 && (buf = malloc(len)) == NULL))
		goto broken;
	got = 0;
	while (got < len) {
		/* Mostly there already: wait only when it is not. */
		do
			r = recv(sock, buf + got, len - got, MSG_DONTWAIT);
		while (r == -1 && errno == EINTR);
		if (r == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if ((w = wait_readable(sock, deadline_ms)) != 0)
				goto fail_with;
			continue;
		}
		if (r <= 0)
			goto broken;
		got += (size_t)r;
	}
	*out = buf;
	*n = len;
	return 0;
broken:
	w = SCANIO_BROKEN;
fail_with:
	free(buf);
	if (*fd >= 0)
		(void)close(*fd);
	*fd = -1;
	return w;
}
