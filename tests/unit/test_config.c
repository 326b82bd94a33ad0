/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for core/config: the shipped example equals the defaults,
 * errors name FILE:LINE, both rule spellings set the same field, actions
 * and values parse.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "core/insight.h"
#include "core/snapshot.h"

void sr_test_config_suite(void);

/* Write text to a new temp file; returns its path (static buffer). */
static const char *
write_tmp(const char *text)
{
	static char path[64];
	int fd;
	FILE *fp;

	(void)snprintf(path, sizeof(path), "/tmp/sitrep-conf-XXXXXX");
	fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	fp = fdopen(fd, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	(void)fputs(text, fp);
	(void)fclose(fp);
	return path;
}

static void
test_example_is_defaults(void)
{
	FILE *fp = fopen("sitrep.conf.example", "r");
	struct sr_buf on, want, got;
	struct sr_config def, c;
	struct sr_err err;
	char line[512];
	const char *path;
	int keys = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	sr_buf_init(&on);
	/* uncomment every "# key = value" line: the example's values */
	while (fgets(line, sizeof(line), fp) != NULL) {
		const char *p = line;
		size_t k = 0;

		if (strncmp(p, "# ", 2) == 0) {
			p += 2;
			while (p[k] == '_' || (p[k] >= 'a' && p[k] <= 'z') ||
			    (p[k] >= '0' && p[k] <= '9'))
				k++;
			if (k > 0 && strncmp(p + k, " =", 2) == 0) {
				sr_buf_adds(&on, p);
				keys++;
				continue;
			}
		}
		sr_buf_adds(&on, line);
	}
	(void)fclose(fp);
	CU_ASSERT(keys > 150);
	path = write_tmp(on.data);
	sr_config_init(&c);
	CU_ASSERT_EQUAL(sr_config_load_file(&c, path, &err), 0);
	sr_config_init(&def);
	sr_buf_init(&want);
	sr_buf_init(&got);
	sr_config_dump(&def, &want);
	sr_config_dump(&c, &got);
	CU_ASSERT_STRING_EQUAL(got.data, want.data);
	/* and the defaults are what the man page says */
	CU_ASSERT_EQUAL(def.general.interval_ms, 1000);
	CU_ASSERT_EQUAL(def.insights.active_session_ms, 30 * 60000);
	CU_ASSERT_EQUAL(sr_config_rule(&def, "cpu")->warn, 85);
	CU_ASSERT_EQUAL(sr_config_rule(&def, "cpu")->crit, 95);
	CU_ASSERT_EQUAL(sr_config_rule(&def, "cpu")->clear, 75);
	CU_ASSERT_EQUAL(sr_config_rule(&def, "cpu")->for_ms, 120000);
	(void)unlink(path);
	sr_buf_release(&on);
	sr_buf_release(&want);
	sr_buf_release(&got);
	sr_config_release(&c);
	sr_config_release(&def);
}

static void
test_errors_name_line(void)
{
	struct sr_config c;
	struct sr_err err;
	const char *path;
	char want[256];

	path = write_tmp("[general]\ninterval = 2s\n\n[tui]\ncolour = red\n");
	sr_config_init(&c);
	CU_ASSERT_EQUAL(sr_config_load_file(&c, path, &err), -1);
	(void)snprintf(want, sizeof(want),
	    "%s:5: unknown key 'colour' in [tui]", path);
	CU_ASSERT_STRING_EQUAL(err.msg, want);
	sr_config_release(&c);
	(void)unlink(path);

	path = write_tmp("[insights]\n# comment\ncpu_for = soon\n");
	sr_config_init(&c);
	CU_ASSERT_EQUAL(sr_config_load_file(&c, path, &err), -1);
	(void)snprintf(want, sizeof(want),
	    "%s:3: bad value 'soon' for "
	    "'cpu_for' in [insights]",
	    path);
	CU_ASSERT_EQUAL(strncmp(err.msg, want, strlen(want)), 0);
	sr_config_release(&c);
	(void)unlink(path);

	path = write_tmp("[nonsense]\nx = 1\n");
	sr_config_init(&c);
	CU_ASSERT_EQUAL(sr_config_load_file(&c, path, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg,
	    ":2: unknown section "
	    "[nonsense]"));
	sr_config_release(&c);
	(void)unlink(path);

	path = write_tmp("[rule nosuch]\nwarn = 1\n");
	sr_config_init(&c);
	CU_ASSERT_EQUAL(sr_config_load_file(&c, path, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "unknown rule 'nosuch'"));
	sr_config_release(&c);
	(void)unlink(path);

	path = write_tmp("[general]\ndurable = perhaps\n");
	sr_config_init(&c);
	CU_ASSERT_EQUAL(sr_config_load_file(&c, path, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, ":2: bad value 'perhaps'"));
	sr_config_release(&c);
	(void)unlink(path);

	/* sr_config_load initialises c itself */
	CU_ASSERT_EQUAL(sr_config_load(&c, "/nonexistent/sitrep.conf", &err),
	    -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "cannot read"));
	sr_config_release(&c);
}

/*
 * window, factor and min_change are keys of the rules that read them
 * only: latency reads all three, cpu none (core/rule_*.c, by hand).
 */
static void
test_rule_reads(void)
{
	struct sr_config c;
	struct sr_err err;
	const char *path;
	int lat = sr_rule_index("latency"), cpu = sr_rule_index("cpu");

	CU_ASSERT_FATAL(lat >= 0 && cpu >= 0);
	CU_ASSERT_TRUE(sr_rule_reads(sr_rules[lat], "window"));
	CU_ASSERT_TRUE(sr_rule_reads(sr_rules[lat], "min_change"));
	CU_ASSERT_FALSE(sr_rule_reads(sr_rules[lat], "min"));
	CU_ASSERT_FALSE(sr_rule_reads(sr_rules[cpu], "window"));

	path = write_tmp("[insights]\nlatency_window = 5m\n"
			 "[rule latency]\nfactor = 3\n");
	sr_config_init(&c);
	CU_ASSERT_EQUAL_FATAL(sr_config_load_file(&c, path, &err), 0);
	CU_ASSERT_EQUAL(c.rules[lat].window_ms, 300000);
	CU_ASSERT_DOUBLE_EQUAL(c.rules[lat].factor, 3, 1e-9);
	sr_config_release(&c);
	(void)unlink(path);

	path = write_tmp("[insights]\ncpu_warn = 80\ncpu_window = 5m\n");
	sr_config_init(&c);
	CU_ASSERT_EQUAL(sr_config_load_file(&c, path, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg,
	    ":3: key 'cpu_window' in [insights]: rule 'cpu' does not read "
	    "'window'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "latency"));
	sr_config_release(&c);
	(void)unlink(path);

	path = write_tmp("[rule cpu]\nmin_change = 1\n");
	sr_config_init(&c);
	CU_ASSERT_EQUAL(sr_config_load_file(&c, path, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "does not read 'min_change'"));
	sr_config_release(&c);
	(void)unlink(path);
}

static void
test_values(void)
{
	struct sr_config c;
	struct sr_err err;
	const char *path;

	path = write_tmp(
	    "[general]\ninterval = 500ms\ndurable = yes\nretain = 7d\n"
	    "[insights]\ncpu_warn = 70\nactive_session = 15m\n"
	    "[rule cpu]\ncrit = 90\nfor = 5m\nenabled = false\n"
	    "[rule disk_fill]\nwarn = 12h\n"
	    "[action page]\non = fire, resolve\ncommand = /bin/true\n"
	    "rate_limit = 10/h\nseverity = critical\n"
	    "[source web]\nspec = file:/var/log/x.log\n"
	    "[tui]\nmouse = off\ntiles = cpu,mem\n"
	    "[serve]\nlisten = 0.0.0.0:9000\naccept_events = 1\n");
	sr_config_init(&c);
	CU_ASSERT_EQUAL_FATAL(sr_config_load_file(&c, path, &err), 0);
	CU_ASSERT_EQUAL(c.general.interval_ms, 500);
	CU_ASSERT_EQUAL(c.general.durable, 1);
	CU_ASSERT_EQUAL(c.retention.events_ms, 7 * 86400000LL);
	CU_ASSERT_EQUAL(sr_config_rule(&c, "cpu")->warn, 70);
	CU_ASSERT_EQUAL(sr_config_rule(&c, "cpu")->crit, 90);
	CU_ASSERT_EQUAL(sr_config_rule(&c, "cpu")->for_ms, 300000);
	CU_ASSERT_EQUAL(sr_config_rule(&c, "cpu")->enabled, 0);
	CU_ASSERT_EQUAL(sr_config_rule(&c, "disk_fill")->warn, 12 * 3600000.0);
	CU_ASSERT_EQUAL(c.insights.active_session_ms, 15 * 60000);
	CU_ASSERT_EQUAL_FATAL(c.n_actions, 1);
	CU_ASSERT_STRING_EQUAL(c.actions[0].name, "page");
	CU_ASSERT_EQUAL(c.actions[0].on,
	    SR_ACTION_ON_FIRE | SR_ACTION_ON_RESOLVE);
	CU_ASSERT_EQUAL(c.actions[0].rate_limit, 10);
	CU_ASSERT_EQUAL(c.actions[0].rate_per_ms, 3600000);
	CU_ASSERT_EQUAL(c.actions[0].min_severity, SR_SEV_CRIT);
	CU_ASSERT_EQUAL(c.actions[0].timeout_ms, 5000);
	CU_ASSERT_EQUAL_FATAL(c.n_sources, 1);
	CU_ASSERT_STRING_EQUAL(c.sources[0].spec, "file:/var/log/x.log");
	CU_ASSERT_EQUAL(c.tui.mouse, 0);
	CU_ASSERT_STRING_EQUAL(c.tui.tiles, "cpu,mem");
	CU_ASSERT_STRING_EQUAL(c.serve.listen, "0.0.0.0:9000");
	CU_ASSERT_EQUAL(c.serve.accept_events, 1);
	sr_config_release(&c);
	(void)unlink(path);

	/* an action needs exactly one of command / webhook */
	path = write_tmp("[action x]\non = fire\n");
	sr_config_init(&c);
	CU_ASSERT_EQUAL(sr_config_load_file(&c, path, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "exactly one"));
	sr_config_release(&c);
	(void)unlink(path);
}

/* sr_config_each() into "[sec] key = value ; from" lines. */
static void
origins_line(void *ctx, const char *sec, const char *key, const char *value,
    const char *origin)
{
	sr_buf_addf(ctx, "[%s] %s = %s ; %s\n", sec, key, value, origin);
}

/*
 * Every value says where it came from: the file's line, the note given to
 * sr_config_set(), or the default; an alias ([general] retain) is
 * reported under its first spelling ([store] events).
 */
static void
test_origins(void)
{
	struct sr_retention ret;
	struct sr_config c;
	struct sr_err err;
	struct sr_buf b;
	const char *path;
	char want[512];

	path = write_tmp("[general]\ninterval = 2s\nretain = 7d\n"
			 "[rule cpu]\nwarn = 70\n"
			 "[action page]\ncommand = /bin/true\n");
	sr_config_init(&c);
	/* the table's defaults are the store's */
	sr_retention_defaults(&ret);
	CU_ASSERT_EQUAL(c.retention.events_ms, ret.events_ms);
	CU_ASSERT_EQUAL(c.retention.samples_raw_ms, ret.samples_raw_ms);
	CU_ASSERT_EQUAL(c.retention.samples_1m_ms, ret.samples_1m_ms);
	CU_ASSERT_EQUAL(c.retention.samples_1h_ms, ret.samples_1h_ms);
	CU_ASSERT_EQUAL_FATAL(sr_config_load_file(&c, path, &err), 0);
	CU_ASSERT_EQUAL(sr_config_set(&c, "tui", "mouse", "no",
			    "flag:--no-mouse", &err),
	    0);
	CU_ASSERT_EQUAL(sr_config_set(&c, "tui", "colour", "red", "x", &err),
	    -1);
	CU_ASSERT_STRING_EQUAL(err.msg, "unknown key 'colour' in [tui]");
	CU_ASSERT_EQUAL(sr_config_set(&c, "general", "interval", "5ms", "x",
			    &err),
	    -1);
	CU_ASSERT_STRING_EQUAL(err.msg,
	    "bad value '5ms' for 'interval' in [general]: below 10ms");
	CU_ASSERT_EQUAL(c.tui.mouse, 0);
	sr_buf_init(&b);
	sr_config_each(&c, origins_line, &b);
	(void)snprintf(want, sizeof(want),
	    "[general] interval = 2s ; file:%s:2\n", path);
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, want));
	(void)snprintf(want, sizeof(want), "[store] events = 7d ; file:%s:3\n",
	    path);
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, want));
	CU_ASSERT_PTR_NULL(strstr(b.data, "retain"));
	(void)snprintf(want, sizeof(want),
	    "[insights] cpu_warn = 70 ; file:%s:5\n", path);
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, want));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data,
	    "[insights] cpu_crit = 95 ; "
	    "default\n"));
	(void)snprintf(want, sizeof(want),
	    "[action page] command = /bin/true ; file:%s:7\n", path);
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, want));
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(b.data, "[tui] mouse = no ; flag:--no-mouse\n"));
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(b.data, "[serve] listen = 127.0.0.1:8081 ; default\n"));
	sr_buf_release(&b);
	sr_config_release(&c);
	(void)unlink(path);
}

/*
 * What sr_config_dump() (and so `sitrep config`) writes reads back as the
 * same settings, even a value that starts with ';': inih takes " ;" as
 * a comment, so "panels = ;events" would read back as empty (found by
 * tests/fuzz/fuzz_config.c).
 */
static void
test_dump_reads_back(void)
{
	static const char text[] = "[tui]\npanels =;events\ntiles = cpu;mem\n";
	struct sr_config c, d;
	struct sr_err err;
	struct sr_buf a, b;

	sr_config_init(&c);
	CU_ASSERT_EQUAL_FATAL(sr_config_load_mem(&c, "mem", text,
				  sizeof(text) - 1, &err),
	    0);
	CU_ASSERT_STRING_EQUAL(c.tui.panels, ";events");
	CU_ASSERT_STRING_EQUAL(c.tui.tiles, "cpu;mem");
	CU_ASSERT_STRING_EQUAL(c.path, "mem");
	sr_buf_init(&a);
	sr_buf_init(&b);
	sr_config_dump(&c, &a);
	sr_config_init(&d);
	CU_ASSERT_EQUAL_FATAL(sr_config_load_mem(&d, "dump", a.data, a.len,
				  &err),
	    0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d.tui.panels);
	CU_ASSERT_STRING_EQUAL(d.tui.panels, ";events");
	sr_config_dump(&d, &b);
	CU_ASSERT_EQUAL(a.len, b.len);
	CU_ASSERT_STRING_EQUAL(a.data, b.data);
	sr_buf_release(&a);
	sr_buf_release(&b);
	sr_config_release(&c);
	sr_config_release(&d);
}

/*
 * Long lines: a line that fits the reader (199 characters) loads and its
 * dump reads back (written "key=value" when the spaces would not fit); a
 * longer one is an error naming its line, not a line cut in two whose
 * tail is read as another (found by fuzz_config).
 */
static void
test_long_lines(void)
{
	char text[512], value[256];
	struct sr_config c, d;
	struct sr_err err;
	struct sr_buf a, b;
	size_t key_eq = strlen("command="), n;

	/* "command=" + value = 199 characters exactly */
	n = SR_CONFIG_LINE_MAX - key_eq;
	memset(value, 'x', n);
	memcpy(value, "/bin/", 5);
	value[n] = '\0';
	snprintf(text, sizeof(text), "[action page]\non = fire\ncommand=%s\n",
	    value);
	sr_config_init(&c);
	CU_ASSERT_EQUAL_FATAL(sr_config_load_mem(&c, "mem", text, strlen(text),
				  &err),
	    0);
	sr_buf_init(&a);
	sr_buf_init(&b);
	sr_config_dump(&c, &a);
	CU_ASSERT_PTR_NOT_NULL(strstr(a.data, "\ncommand=/bin/"));
	sr_config_init(&d);
	CU_ASSERT_EQUAL_FATAL(sr_config_load_mem(&d, "dump", a.data, a.len,
				  &err),
	    0);
	sr_config_dump(&d, &b);
	CU_ASSERT_STRING_EQUAL(a.data, b.data);
	sr_buf_release(&a);
	sr_buf_release(&b);
	sr_config_release(&c);
	sr_config_release(&d);
	/* one character more: an error on line 3 */
	snprintf(text, sizeof(text),
	    "[action page]\non = fire\ncommand=%sy\ntimeout = 5s\n", value);
	sr_config_init(&c);
	memset(&err, 0, sizeof(err));
	CU_ASSERT_EQUAL(sr_config_load_mem(&c, "mem", text, strlen(text), &err),
	    -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "mem:3: line longer than 199"));
	sr_config_release(&c);
}

void
sr_test_config_suite(void)
{
	CU_pSuite s = CU_add_suite("config", NULL, NULL);

	CU_add_test(s, "example equals defaults", test_example_is_defaults);
	CU_add_test(s, "errors name FILE:LINE", test_errors_name_line);
	CU_add_test(s, "values", test_values);
	CU_add_test(s, "rule fields a rule reads", test_rule_reads);
	CU_add_test(s, "origins", test_origins);
	CU_add_test(s, "the dump reads back", test_dump_reads_back);
	CU_add_test(s, "long lines", test_long_lines);
}
