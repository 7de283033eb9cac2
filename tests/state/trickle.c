/*
 * trickle.c - the hostile Redis of trickle.h: one accept thread, one
 * thread per connection; every connection is served in the server's
 * mode until the client goes away or trickle_stop.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "trickle.h"

/* SCRIPT LOAD's reply, then integers for ever. */
static const char slow_reply[] =
    "$40\r\n0123456789abcdef0123456789abcdef01234567\r\n";

/* The NOSCRIPT mode: what it says at once, then what it trickles. */
static const char noscript_first[] =
    "$40\r\n0123456789abcdef0123456789abcdef01234567\r\n"
    "-NOSCRIPT No matching script. Please use EVAL.\r\n";
static const char noscript_reply[] =
    "*9\r\n:1\r\n:1\r\n:1\r\n:1\r\n:1\r\n:1\r\n:1\r\n:1\r\n:1\r\n";

struct conn {
	struct trickle *t;
	int fd;
};

/* Drains what the client sent; -1 when it closed. */
static int
drain(int fd)
{
	char buf[4096];
	ssize_t n;

	for (;;) {
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0)
			continue;
		if (n == 0)
			return -1;
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	}
}

static int
put(struct conn *k, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = send(k->fd, p, n, MSG_NOSIGNAL)) <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static void *
serve(void *arg)
{
	struct conn *k = arg;
	struct trickle *t = k->t;
	static const char flood[65536];
	size_t i = 0;
	int said = 0;

	while (!t->stop) {
		if (drain(k->fd) == -1)
			break;
		switch (t->mode) {
		case TRICKLE_SLOW:
			if (put(k, &slow_reply[i], 1) == -1)
				goto out;
			if (slow_reply[++i] == '\0')
				i = 0;
			usleep(200000);
			break;
		case TRICKLE_NOSCRIPT:
			if (!said && put(k, noscript_first,
			    sizeof(noscript_first) - 1) == -1)
				goto out;
			said = 1;
			if (put(k, &noscript_reply[i], 1) == -1)
				goto out;
			if (noscript_reply[++i] == '\0')
				i = 0;
			usleep(200000);
			break;
		case TRICKLE_HALF:
			if (!said && put(k, slow_reply, 20) == -1)
				goto out;
			said = 1;
			usleep(20000);
			break;
		case TRICKLE_HUGE_STALL:
		case TRICKLE_HUGE_FLOOD:
			if (!said && put(k, "$1073741823\r\nabc", 16) == -1)
				goto out;
			said = 1;
			if (t->mode == TRICKLE_HUGE_STALL)
				usleep(20000);
			else if (put(k, flood, sizeof(flood)) == -1)
				goto out;
			break;
		case TRICKLE_SILENT:
			usleep(20000);
			break;
		}
	}
out:
	close(k->fd);
	free(k);
	return NULL;
}

static void *
accept_loop(void *arg)
{
	struct trickle *t = arg;
	struct pollfd pfd;
	struct conn *k;
	pthread_t th;
	int fd;

	while (!t->stop) {
		pfd.fd = t->fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 50) <= 0)
			continue;
		if ((fd = accept(t->fd, NULL, NULL)) == -1)
			continue;
		if ((k = malloc(sizeof(*k))) == NULL) {
			close(fd);
			continue;
		}
		k->t = t;
		k->fd = fd;
		if (pthread_create(&th, NULL, serve, k) != 0) {
			close(fd);
			free(k);
			continue;
		}
		pthread_detach(th);
	}
	return NULL;
}

int
trickle_start(struct trickle *t, enum trickle_mode m)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int one = 1;

	memset(t, 0, sizeof(*t));
	t->mode = m;
	if ((t->fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	setsockopt(t->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(t->fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(t->fd, 64) == -1 ||
	    getsockname(t->fd, (struct sockaddr *)&sin, &len) == -1) {
		close(t->fd);
		return -1;
	}
	t->port = ntohs(sin.sin_port);
	if (pthread_create(&t->thread, NULL, accept_loop, t) != 0) {
		close(t->fd);
		return -1;
	}
	return 0;
}

void
trickle_stop(struct trickle *t)
{
	t->stop = 1;
	pthread_join(t->thread, NULL);
	close(t->fd);
	/* Connection threads notice stop within 200 ms; give them that so
	 * none outlives the test's struct. */
	usleep(300000);
}
