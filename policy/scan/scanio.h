/*
 * scanio.h - frames and descriptors over the sockets of the worker
 * sandbox: the fork server's control socket (SOCK_SEQPACKET: one message
 * per datagram) and each worker's channel (SOCK_STREAM: a 32-bit length,
 * then the payload; descriptors ride on the first byte).
 * Every send uses MSG_NOSIGNAL: a dead peer is an error return, never a
 * SIGPIPE.
 */
#ifndef RW_SCANIO_H
#define RW_SCANIO_H

#include <stddef.h>

#define SCANIO_MAXFDS	2

/* Sends n bytes at p with nfds descriptors in one sendmsg (a datagram,
 * or the start of a stream write finished by scanio_send_frame).  The
 * count sent, or -1 with errno. */
long scanio_sendfds(int sock, const void *p, size_t n, const int *fds,
    int nfds);

/* One recvmsg into p (at most n bytes); descriptors received go to fds
 * (at most SCANIO_MAXFDS, *nfds set; extra ones are closed).  The count
 * read (0 at end of file), or -1 with errno. */
long scanio_recvfds(int sock, void *p, size_t n, int *fds, int *nfds);

/* A whole frame on a stream socket, with fd (or -1) on its first byte.
 * 0, or -1 with errno. */
int scanio_send_frame(int sock, const void *p, size_t n, int fd);

/* Reads one frame of at most max bytes into *out (malloc; the caller
 * frees) before deadline_ms (monotonic, deadline_now_ms; 0 = wait for
 * ever).  *fd gets a descriptor that came with it, or -1.  Returns 0,
 * SCANIO_EOF (the peer closed before a frame started), SCANIO_TIMEOUT,
 * SCANIO_BROKEN (closed mid-frame, oversized, or a read error). */
#define SCANIO_EOF	1
#define SCANIO_TIMEOUT	2
#define SCANIO_BROKEN	3
int scanio_recv_frame(int sock, size_t max, long long deadline_ms,
    unsigned char **out, size_t *n, int *fd);

#endif
