/*
 * test_metrics.c - issue 14 item 2: the Prometheus exposition
 * (metricsout.c) over the counters (util/metrics.c), and the
 * metrics_listen setting (confmetrics.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/metrics.h"
#include "config/config.h"
#include "rules/rules.h"
#include "verdict/verdict.h"
#include "policy.h"
#include "metricsout.h"

static const struct {
	const char *behaviour, *in, *want;
} escape_cases[] = {
	{ "plain word unchanged", "spf_fail", "spf_fail" },
	{ "double quote escaped", "a\"b", "a\\\"b" },
	{ "backslash escaped", "a\\b", "a\\\\b" },
	{ "line feed escaped", "a\nb", "a\\nb" },
	{ "a quote cannot end the value", "x\"} 99\n", "x\\\"} 99\\n" },
	{ "empty", "", "" },
};

static void
escape_label_values(void **state)
{
	char out[64];
	size_t i, n;

	for (i = 0; i < sizeof(escape_cases) / sizeof(escape_cases[0]); i++) {
		n = metricsout_escape(escape_cases[i].in, out, sizeof(out));
		if (strcmp(out, escape_cases[i].want) != 0)
			fail_msg("%s: got \"%s\"", escape_cases[i].behaviour,
			    out);
		assert_int_equal(n, strlen(escape_cases[i].want));
	}
	/* Cut: says the length it needed, never writes past outlen. */
	memset(out, 'Z', sizeof(out));
	n = metricsout_escape("\"\"\"\"", out, 5);
	assert_int_equal(n, 8);
	assert_string_equal(out, "\\\"\\\"");
	assert_int_equal(out[5], 'Z');
}

/* The value on the line that starts with prefix (then a space), or -1. */
static double
value_of(const char *text, const char *prefix)
{
	const char *p = text;
	size_t n = strlen(prefix);

	while ((p = strstr(p, prefix)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[n] == ' ')
			return strtod(p + n + 1, NULL);
		p += n;
	}
	return -1;
}

static char *
render(void)
{
	size_t len;
	char *t = metricsout_render(metrics_get(), &len);

	assert_non_null(t);
	assert_int_equal(strlen(t), len);
	return t;
}

static void
exposition_format(void **state)
{
	char *t, *line, *save = NULL, name[128];
	int counters = 0;

	metrics_count_action(VERDICT_QUARANTINE);
	metrics_count_reason(RULE_NEW_RELAY);
	metrics_count_auth(METRICS_DMARC, AUTH_FAIL);
	metrics_count_redis_error();
	metrics_set_breaker(2);
	metrics_count_worker_end(METRICS_W_KILLED);
	metrics_in_flight(1);
	t = render();
	assert_true(value_of(t, "relaywarden_messages_total"
	    "{action=\"quarantine\"}") == 1);
	assert_true(value_of(t, "relaywarden_messages_total"
	    "{action=\"accept\"}") == 0);
	assert_true(value_of(t, "relaywarden_reasons_total"
	    "{reason=\"new_relay\"}") == 1);
	assert_true(value_of(t, "relaywarden_dmarc_results_total"
	    "{result=\"fail\"}") == 1);
	assert_true(value_of(t, "relaywarden_redis_errors_total") == 1);
	assert_true(value_of(t, "relaywarden_redis_breaker_state") == 2);
	assert_true(value_of(t, "relaywarden_attach_worker_restarts_total"
	    "{cause=\"killed\"}") == 1);
	assert_true(value_of(t, "relaywarden_messages_in_flight") == 1);
	/* Every line a HELP, a TYPE or a sample; every counter _total and
	 * announced by HELP then TYPE. */
	for (line = strtok_r(t, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "# HELP ", 7) == 0)
			continue;
		if (sscanf(line, "# TYPE %127s counter", name) == 1 &&
		    strstr(line, " counter") != NULL) {
			counters++;
			assert_non_null(strstr(name, "_total"));
			assert_string_equal(name + strlen(name) - 6, "_total");
			continue;
		}
		if (strncmp(line, "# TYPE ", 7) == 0)
			continue;
		assert_int_equal(strncmp(line, "relaywarden_", 12), 0);
		assert_non_null(strrchr(line, ' '));
	}
	assert_true(counters >= 8);
	free(t);
	metrics_in_flight(-1);
}

static void
histogram_buckets_cumulative(void **state)
{
	char *t;

	metrics_observe_us(METRICS_H_DNS, 3000);	/* 3 ms */
	metrics_observe_us(METRICS_H_DNS, 7000000);	/* 7 s: +Inf only */
	t = render();
	assert_true(value_of(t, "relaywarden_dns_lookup_duration_seconds_bucket"
	    "{le=\"0.002\"}") == 0);
	assert_true(value_of(t, "relaywarden_dns_lookup_duration_seconds_bucket"
	    "{le=\"0.005\"}") == 1);
	assert_true(value_of(t, "relaywarden_dns_lookup_duration_seconds_bucket"
	    "{le=\"5\"}") == 1);
	assert_true(value_of(t, "relaywarden_dns_lookup_duration_seconds_bucket"
	    "{le=\"+Inf\"}") == 2);
	assert_true(value_of(t, "relaywarden_dns_lookup_duration_seconds_count")
	    == 2);
	assert_true(value_of(t, "relaywarden_dns_lookup_duration_seconds_sum")
	    > 7.0029 && value_of(t,
	    "relaywarden_dns_lookup_duration_seconds_sum") < 7.0031);
	free(t);
}

/* One evaluation: the action told, its reasons, its SPF/DKIM/DMARC. */
static void
record_evaluation(void **state)
{
	struct evaluation *e = calloc(1, sizeof(*e));
	struct reason r[2];
	char *t;

	assert_non_null(e);
	memset(r, 0, sizeof(r));
	r[0].id = RULE_SPF_FAIL;
	r[1].id = RULE_FIRST_CONTACT;
	e->verdict.reasons = r;
	e->verdict.nreasons = 2;
	e->spf.result = AUTH_FAIL;
	e->dmarc.result = AUTH_NONE;
	metricsout_record(e, VERDICT_TAG);
	metricsout_record(NULL, VERDICT_TEMPFAIL);
	/* outbound: action and reasons, no authentication results */
	e->outbound = OUTBOUND_AUTH;
	metricsout_record(e, VERDICT_ACCEPT);
	t = render();
	assert_true(value_of(t, "relaywarden_messages_total{action=\"tag\"}")
	    == 1);
	assert_true(value_of(t, "relaywarden_messages_total"
	    "{action=\"tempfail\"}") == 1);
	assert_true(value_of(t, "relaywarden_messages_total"
	    "{action=\"accept\"}") == 1);
	assert_true(value_of(t, "relaywarden_reasons_total"
	    "{reason=\"spf_fail\"}") == 2);
	assert_true(value_of(t, "relaywarden_reasons_total"
	    "{reason=\"first_contact\"}") == 2);
	assert_true(value_of(t, "relaywarden_spf_results_total"
	    "{result=\"fail\"}") == 1);
	assert_true(value_of(t, "relaywarden_dkim_results_total"
	    "{result=\"none\"}") == 1);
	assert_true(value_of(t, "relaywarden_dmarc_results_total"
	    "{result=\"none\"}") == 1);
	free(t);
	free(e);
}

static const struct {
	const char *behaviour, *text, *want;	/* want NULL: refused */
} listen_cases[] = {
	{ "off by default", "", "" },
	{ "bare port is loopback", "metrics_listen = \"9469\";",
	    "127.0.0.1:9469" },
	{ "IPv4 loopback", "metrics_listen = \"127.0.0.2:9469\";",
	    "127.0.0.2:9469" },
	{ "IPv6 loopback", "metrics_listen = \"[::1]:9469\";",
	    "[::1]:9469" },
	{ "all addresses refused", "metrics_listen = \"0.0.0.0:9469\";",
	    NULL },
	{ "public IPv6 refused", "metrics_listen = \"[2001:db8::1]:9469\";",
	    NULL },
	{ "non-loopback when explicitly allowed",
	    "metrics_listen = \"192.0.2.1:9469\";\n"
	    "metrics_allow_remote = true;", "192.0.2.1:9469" },
	{ "IPv6 without brackets", "metrics_listen = \"::1:9469\";", NULL },
	{ "host name", "metrics_listen = \"localhost:9469\";", NULL },
	{ "port 0", "metrics_listen = \"0\";", NULL },
	{ "port too big", "metrics_listen = \"65536\";", NULL },
	{ "no port", "metrics_listen = \"127.0.0.1:\";", NULL },
	{ "signed port", "metrics_listen = \"+80\";", NULL },
};

static void
metrics_listen_setting(void **state)
{
	struct config *c;
	char err[512];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(listen_cases) / sizeof(listen_cases[0]); i++) {
		rc = config_load_text(listen_cases[i].text, &c, err,
		    sizeof(err));
		if (listen_cases[i].want == NULL) {
			if (rc == 0)
				fail_msg("%s: accepted", listen_cases[i].
				    behaviour);
			assert_non_null(strstr(err, "metrics_listen"));
			continue;
		}
		if (rc != 0)
			fail_msg("%s: %s", listen_cases[i].behaviour, err);
		assert_string_equal(c->metrics_listen, listen_cases[i].want);
		config_free(c);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(escape_label_values),
		cmocka_unit_test(exposition_format),
		cmocka_unit_test(histogram_buckets_cumulative),
		cmocka_unit_test(record_evaluation),
		cmocka_unit_test(metrics_listen_setting),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
