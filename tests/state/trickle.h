/*
 * trickle.h - a hostile "Redis" for the state tests (trickle.c): a
 * thread that listens on a free loopback port, accepts every connection
 * and answers it badly, to prove that one deadline bounds a whole
 * command whatever the server does.
 */
#ifndef RW_TRICKLE_H
#define RW_TRICKLE_H

#include <pthread.h>

enum trickle_mode {
	TRICKLE_SLOW,		/* valid replies, one byte every 200 ms */
	TRICKLE_SILENT,		/* accepts, reads, never answers */
	TRICKLE_HALF,		/* half a reply at once, then nothing */
	TRICKLE_HUGE_STALL,	/* "$1073741823\r\n" and a few bytes, then
				   nothing */
	TRICKLE_HUGE_FLOOD,	/* "$1073741823\r\n" then bytes as fast as
				   the socket takes them */
	TRICKLE_NOSCRIPT,	/* SCRIPT LOAD's reply and -NOSCRIPT at
				   once, then EVAL's reply one byte every
				   200 ms */
};

struct trickle {
	enum trickle_mode mode;
	int port;
	int fd;
	volatile int stop;
	pthread_t thread;

};

/* Starts the server in mode m; 0 or -1. */
int trickle_start(struct trickle *, enum trickle_mode m);
/* Stops it and waits for its threads. */
void trickle_stop(struct trickle *);

#endif
