/*
 * auth.h - result vocabulary shared by the checks (RFC 8601 section 2.7).
 *
 * A check reports what it learned about the mail in these words; library
 * status codes are mapped to them in one table in the wrapping module.
 */
#ifndef RW_AUTH_H
#define RW_AUTH_H

enum auth_result {
	AUTH_NONE = 0,
	AUTH_PASS,
	AUTH_FAIL,
	AUTH_SOFTFAIL,
	AUTH_NEUTRAL,
	AUTH_POLICY,
	AUTH_TEMPERROR,
	AUTH_PERMERROR,
};

/* "none", "pass", ... ; never NULL. */
const char *auth_result_name(enum auth_result);

#endif
