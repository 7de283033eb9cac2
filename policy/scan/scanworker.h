/*
 * scanworker.h - an attachment worker process.
 *
 * Started by the fork server (scanhost.c) with its channel to the daemon
 * and the settings of its generation (a config_dump text in a memfd).
 * It loads what the walk needs while it still may (the settings, GMime,
 * the libmagic database, the character set converters mail uses, the
 * time zone), then locks itself in for good:
 *   - only its channel, stdio, the descriptors it is handed and its
 *     scratch directory (attach_tmpdir, else $TMPDIR, else /tmp, open
 *     O_PATH) stay open; decoded parts and archive members past
 *     attach_spool_memory go to nameless files made there (O_TMPFILE,
 *     the one open the filter lets through), else to memfds
 *     (spool_use_scratch): on disk, as in the daemon before, not in RAM;
 *   - rlimits: RLIMIT_AS (attach_worker_memory_mb, not under
 *     AddressSanitizer, whose shadow memory is terabytes of address
 *     space), RLIMIT_CPU per message, RLIMIT_CORE 0 (hostile bytes never
 *     reach a core file), RLIMIT_FSIZE (scratch files), RLIMIT_NPROC 0;
 *   - the seccomp allow-list of scanfilter.c (no exec, no socket, no
 *     open but a nameless file in the scratch directory, no signal to
 *     another process; default: the call fails).
 * It answers "ready" (or the error that kept it from it), then serves
 * one message at a time: the request with the spool descriptor, the
 * walk (attach_evaluate), the reply (scanwire.h).  It exits when the
 * channel closes, and after WORKER_MAX_MESSAGES messages (it says so in
 * its last reply), so that a slow leak or fragmentation never grows.
 */
#ifndef RW_SCANWORKER_H
#define RW_SCANWORKER_H

#define WORKER_MAX_MESSAGES	1000

/* Loads, in the fork server before it forks any worker, what every
 * worker loads the same way whatever its settings (the time zone, the
 * character set converters, attach_prepare: GMime, libmagic and its
 * database): each worker then shares those pages with the server
 * (copy-on-write) instead of holding its own copy (issue 15, memory).
 * A worker still loads whatever this could not. */
void scanworker_prepare(void);

/* Never returns. */
void scanworker_main(int sock, int cfgfd) __attribute__((noreturn));

#endif
