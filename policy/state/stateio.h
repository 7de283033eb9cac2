/*
 * stateio.h - hiredis I/O under one deadline (internal to statepool.c,
 * statecall.c and statesentinel.c).
 *
 * hiredis's own timeout bounds each read, not a command: a server that
 * trickles one byte a little faster than the timeout holds a blocking
 * context for as long as it likes.  Contexts made here are non-blocking;
 * every reply is awaited with poll() against the caller's deadline, so
 * connect, writes, reads and any retry of one run share one bound.
 * A context that timed out or failed is in an unknown state: the caller
 * frees it (redisFree), never reuses it.
 */
#ifndef RW_STATEIO_H
#define RW_STATEIO_H

#include <stddef.h>
#include <hiredis/hiredis.h>

struct deadline;

/* Connects to socket (a unix socket path, when not "") or host:port,
 * waiting at most connect_ms and never past d, and makes the context
 * non-blocking.  The context, or NULL with the reason in err. */
redisContext *stateio_connect(const char *host, unsigned port,
    const char *socket, unsigned connect_ms, struct deadline *d,
    char *err, size_t errlen);

/* The next reply on c (commands queued with redisAppendCommand*),
 * sending what is queued first.  REDIS_OK with *reply (caller frees
 * with freeReplyObject), or REDIS_ERR with c->err set and the reason in
 * c->errstr: I/O error, protocol error, the deadline ("timed out"), or
 * more than max_bytes received for this reply ("reply too large"). */
int stateio_reply(redisContext *c, struct deadline *d, size_t max_bytes,
    redisReply **reply);

/* The command argv[0..argc) in Redis's wire form (RESP: "*argc", then
 * "$length" and the bytes of each argument, every line ended by CRLF),
 * byte for byte what redisFormatCommandArgv makes; argvlen NULL: the
 * arguments are strings.  A malloc'd buffer of *len bytes, or NULL. */
char *stateio_format(int argc, const char **argv, const size_t *argvlen,
    size_t *len);
/* Queues that command on c, as redisAppendCommandArgv does: formatted in
 * one pass here (hiredis 0.14 builds it through sdscatfmt per argument,
 * a third of a sender lookup's instructions).  REDIS_OK, or REDIS_ERR
 * with c->err set (out of memory). */
int stateio_append(redisContext *c, int argc, const char **argv,
    const size_t *argvlen);

#endif
