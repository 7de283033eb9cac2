/*
 * dkimkey.h - parsed DKIM public keys kept between messages: this module
 * defines d2i_PUBKEY_bio, which libopendkim calls for every signature
 * (see dkimkey.c).
 */
#ifndef RW_DKIMKEY_H
#define RW_DKIMKEY_H

struct dkimkey_stats {
	unsigned long hits;	/* keys handed out from the cache */
	unsigned long misses;	/* keys decoded and kept */
	unsigned long passed;	/* calls left to OpenSSL's own function */
	unsigned kept;		/* keys in the cache now */
};

/* 1 when the program's d2i_PUBKEY_bio is the one the dynamic linker
 * hands to libraries (libopendkim's calls reach the cache), else 0. */
int dkimkey_engaged(void);

void dkimkey_stats(struct dkimkey_stats *st);

/* Drop every kept key (tests; a process never needs it). */
void dkimkey_flush(void);

#endif
