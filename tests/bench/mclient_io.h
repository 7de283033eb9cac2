/*
 * mclient_io.h - connection and packet I/O under mclient.c (internal to
 * the milter client; not part of its interface).
 *
 * Commands are assembled in a write buffer (begin, put..., end) and
 * written when a reply is due (flush) or the buffer passes
 * IO_FLUSH_AT; replies are read through a read buffer, one whole packet
 * at a time, each at most MCLIENT_MAX_PACKET bytes, each within
 * conf->timeout_ms.  A failed write is remembered (io_failed, err) and
 * reported by the next flush or mclient_io_error().
 */
#ifndef RW_MCLIENT_IO_H
#define RW_MCLIENT_IO_H

#include <stddef.h>
#include <stdint.h>

#include "mclient.h"

#define IO_FLUSH_AT	(64 * 1024)
#define IO_RBUF		16384

struct mclient {
	int fd;
	const struct mclient_conf *conf;
	uint32_t version;		/* agreed */
	uint32_t actions;
	uint32_t protocol;
	char conn_verdict;		/* set by connect/HELO: every message
					   gets it without traffic */
	char conn_stage;
	int io_failed;
	char io_err[256];
	unsigned char *wbuf;
	size_t wlen, wcap, cmd_at;
	unsigned char rbuf[IO_RBUF];
	size_t rpos, rlen;
	unsigned char *pkt;		/* the last reply read */
	size_t pkt_cap;
	unsigned long nsent;		/* messages started */
};

/* Connects to conf->socket within conf->timeout_ms: a non-blocking
 * socket, TCP_NODELAY for TCP.  Returns the descriptor or -1. */
int mclient_io_connect(const struct mclient_conf *conf, char *err,
    size_t errlen);

void mclient_io_begin(struct mclient *, char cmd);
void mclient_io_put(struct mclient *, const void *, size_t);
void mclient_io_put_str(struct mclient *, const char *);
/* Ends the command begun last; -1 when it is larger than
 * MCLIENT_MAX_DATA or a write failed. */
int mclient_io_end(struct mclient *);
/* A command without data. */
int mclient_io_simple(struct mclient *, char cmd);
int mclient_io_flush(struct mclient *, char *err, size_t errlen);
/* Reads one reply: its code, and data borrowed until the next read. */
int mclient_io_read(struct mclient *, char *code, const unsigned char **data,
    size_t *len, char *err, size_t errlen);
/* Copies the remembered failure into err; returns -1. */
int mclient_io_error(const struct mclient *, char *err, size_t errlen);

#endif
