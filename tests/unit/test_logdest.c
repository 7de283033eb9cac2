/*
 * test_logdest.c - where log lines go and how they are marked (issue 13
 * item 6): syslog_facility goes with every syslog(3) call, also after a
 * reload changes it (log_set_facility); log_notice is LOG_NOTICE (the
 * Redis circuit breaker closing is good news, not a warning) and shown
 * from the info level on; the daemon's foreground lines start with an
 * RFC 3339 UTC time.  syslog(3) and openlog(3) are wrapped (ld --wrap):
 * the priorities are read as passed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/log.h"

static int last_pri = -1, open_fac = -1;
static char last_line[4096];

void __wrap_syslog(int pri, const char *fmt, ...);
void __wrap_openlog(const char *ident, int option, int facility);

void
__wrap_syslog(int pri, const char *fmt, ...)
{
	va_list ap;

	last_pri = pri;
	va_start(ap, fmt);
	vsnprintf(last_line, sizeof(last_line), fmt, ap);
	va_end(ap);
}

void
__wrap_openlog(const char *ident, int option, int facility)
{
	(void)ident;
	(void)option;
	open_fac = facility;
}

static void
facility_on_every_line(void **unused)
{
	(void)unused;
	log_open("relaywarden", LOG_LOCAL3, 0);
	log_set_level(LOG_L_INFO);
	assert_int_equal(open_fac, LOG_LOCAL3);
	log_info("Q1", "hello");
	assert_int_equal(last_pri, LOG_LOCAL3 | LOG_INFO);
	assert_string_equal(last_line, "Q1: hello");
	log_warning(NULL, "careful");
	assert_int_equal(last_pri, LOG_LOCAL3 | LOG_WARNING);
	/* a reload changes the facility without reopening syslog */
	log_set_facility(LOG_LOCAL5);
	log_info(NULL, "after reload");
	assert_int_equal(last_pri, LOG_LOCAL5 | LOG_INFO);
}

static void
notice_level(void **unused)
{
	(void)unused;
	log_open("relaywarden", LOG_MAIL, 0);
	log_set_level(LOG_L_INFO);
	log_notice(NULL, "redis: circuit breaker closed");
	assert_int_equal(last_pri, LOG_MAIL | LOG_NOTICE);
	assert_string_equal(last_line, "redis: circuit breaker closed");
	/* below the configured level (warning): not written */
	last_pri = -1;
	log_set_level(LOG_L_WARNING);
	log_notice(NULL, "quiet");
	assert_int_equal(last_pri, -1);
}

/* Runs one log_info/log_notice with stderr in a file; returns its text. */
static char *
stderr_line(int stamps, int notice)
{
	static char buf[4096];
	FILE *tmp;
	int saved;
	size_t n;

	assert_non_null(tmp = tmpfile());
	fflush(stderr);
	saved = dup(2);
	assert_true(dup2(fileno(tmp), 2) == 2);
	log_open("relaywarden", LOG_MAIL, 1);
	log_set_level(LOG_L_INFO);
	log_set_timestamps(stamps);
	if (notice)
		log_notice("Q2", "redis answers again");
	else
		log_info("Q2", "listening");
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	n = fread(buf, 1, sizeof(buf) - 1, tmp);
	buf[n] = '\0';
	fclose(tmp);
	return buf;
}

static void
foreground_timestamps(void **unused)
{
	regex_t re;

	(void)unused;
	assert_int_equal(regcomp(&re, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T"
	    "[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z relaywarden: info: Q2: "
	    "listening\n$", REG_EXTENDED), 0);
	assert_int_equal(regexec(&re, stderr_line(1, 0), 0, NULL, 0), 0);
	regfree(&re);
	assert_string_equal(stderr_line(0, 0),
	    "relaywarden: info: Q2: listening\n");
	assert_string_equal(stderr_line(0, 1),
	    "relaywarden: notice: Q2: redis answers again\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(facility_on_every_line),
		cmocka_unit_test(notice_level),
		cmocka_unit_test(foreground_timestamps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
