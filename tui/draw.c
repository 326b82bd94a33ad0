/* SPDX-License-Identifier: MIT */
/*
 * draw: text helpers every panel uses: clipped, sanitised output, title
 * bars, colours of severities and levels, values with units, clocks.
 * Non-ASCII text is printed only when the locale's encoding is multibyte
 * (UTF-8) and the bytes are valid UTF-8; otherwise each such character
 * shows as '?', so nothing the data carries can break the screen.
 */
#include "tui/tui.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

/* 1 when (y, end-of-text x) reaches the screen's bottom-right cell. */
static int
tui_at_corner(WINDOW *win, int y, int xend)
{
	int by, bx, my, mx;

	getbegyx(win, by, bx);
	getmaxyx(win, my, mx);
	return by + y == LINES - 1 && bx + xend >= COLS && y == my - 1 &&
	    xend >= mx;
}

/*
 * mvwaddstr(s) in attribute a.  Text whose characters are each one cell
 * wide (ASCII, chart rows of braille or blocks) is written as a row of
 * ready cells with mvwadd_wchnstr: ncurses then neither decodes it byte
 * by byte nor steps the cursor a character at a time, which cost most
 * of an idle tick's drawing.  Other text (wide or combining characters)
 * goes through mvwaddstr.
 */
static void
tui_addstr(WINDOW *win, int y, int x, attr_t a, const char *s)
{
	cchar_t stack[256], *cells = stack;
	size_t len = strlen(s), n = 0;
	mbstate_t ps;
	const char *p = s;
	short pair = (short)PAIR_NUMBER(a);
	attr_t plain = a & ~A_COLOR;

	if (len >= sizeof(stack) / sizeof(stack[0]))
		cells = sr_xcalloc(len + 1, sizeof(*cells));
	memset(&ps, 0, sizeof(ps));
	while (*p) {
		wchar_t wc[2] = { 0, 0 };
		size_t k;

		if ((unsigned char)*p < 0x80) {
			wc[0] = (wchar_t)(unsigned char)*p;
			k = 1;
		} else if ((k = mbrtowc(&wc[0], p, len - (size_t)(p - s),
				&ps)) == (size_t)-1 ||
		    k == (size_t)-2 || k == 0 || wcwidth(wc[0]) != 1) {
			n = (size_t)-1;
			break;
		}
		if (setcchar(&cells[n], wc, plain, pair, NULL) == ERR) {
			n = (size_t)-1;
			break;
		}
		n++;
		p += k;
	}
	if (n == (size_t)-1) {
		wattrset(win, a);
		mvwaddnstr(win, y, x, s, (int)len);
		wattrset(win, A_NORMAL);
	} else if (n > 0) {
		mvwadd_wchnstr(win, y, x, cells, (int)n);
	}
	if (cells != stack)
		free(cells);
}

int
sr_tui_put(WINDOW *win, int y, int x, int w, attr_t a, const char *s, int right)
{
	struct sr_buf clean, out;
	int maxy, maxx, cells, mb = MB_CUR_MAX > 1;
	const unsigned char *p;

	getmaxyx(win, maxy, maxx);
	if (s == NULL || y < 0 || y >= maxy || x < 0 || x >= maxx || w <= 0)
		return 0;
	if (w > maxx - x)
		w = maxx - x;
	sr_buf_init(&clean);
	sr_buf_init(&out);
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p >= 0x80) {
			size_t len = 1;

			while (len < 4 && (p[len] & 0xc0) == 0x80)
				len++;
			if (mb && sr_utf8_valid((const char *)p, len))
				sr_buf_add(&clean, p, len);
			else
				sr_buf_addc(&clean, '?');
			p += len - 1;
			continue;
		}
		sr_buf_addc(&clean, *p < 0x20 || *p == 0x7f ? '?' : (char)*p);
	}
	if (right || sr_text_width(clean.data) > w)
		sr_fit(&out, clean.data, w, right);
	else
		sr_buf_adds(&out, clean.data);
	cells = sr_text_width(out.data);
	/* the screen's bottom-right cell cannot take a character without
	 * scrolling: leave it out */
	if (tui_at_corner(win, y, x + cells)) {
		sr_buf_reset(&clean);
		sr_fit(&clean, out.data, cells - 1, right);
		sr_buf_reset(&out);
		sr_buf_adds(&out, clean.data);
	}
	tui_addstr(win, y, x, a, out.data);
	sr_buf_release(&clean);
	sr_buf_release(&out);
	return cells;
}

int
sr_tui_putf(WINDOW *win, int y, int x, int w, attr_t a, const char *fmt, ...)
{
	struct sr_buf b;
	va_list ap;
	int n;

	sr_buf_init(&b);
	va_start(ap, fmt);
	sr_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	n = sr_tui_put(win, y, x, w, a, b.data, 0);
	sr_buf_release(&b);
	return n;
}

void
sr_tui_fill(WINDOW *win, int y, int x, attr_t a)
{
	int maxy, maxx, n;

	getmaxyx(win, maxy, maxx);
	if (y < 0 || y >= maxy || x >= maxx)
		return;
	if (x < 0)
		x = 0;
	/* not the screen's last cell (as text there would scroll); one
	 * whline, not a waddch a cell */
	n = maxx - x - (tui_at_corner(win, y, maxx) ? 1 : 0);
	if (n > 0)
		mvwhline(win, y, x, (chtype)' ' | (chtype)a, n);
}

void
sr_tui_title(WINDOW *win, const struct sr_tui_view *v, const char *title,
    const char *extra, int focused)
{
	attr_t a = v->attr[focused ? SR_ROLE_TITLE_FOCUS : SR_ROLE_TITLE];
	int n, w = getmaxx(win);

	sr_tui_fill(win, 0, 0, a);
	n = sr_tui_putf(win, 0, 0, w, a | A_BOLD, "%s%s ", focused ? ">" : " ",
	    title);
	if (extra != NULL && *extra)
		sr_tui_put(win, 0, n + 1, w - n - 1, a, extra, 0);
}

attr_t
sr_tui_sev_attr(const struct sr_tui_view *v, enum sr_severity s)
{
	switch (s) {
	case SR_SEV_CRIT:
		return v->attr[SR_ROLE_CRIT] | A_BOLD;
	case SR_SEV_WARN:
		return v->attr[SR_ROLE_WARN];
	default:
		return v->attr[SR_ROLE_INFO];
	}
}

attr_t
sr_tui_level_attr(const struct sr_tui_view *v, int level)
{
	if (level >= 2)
		return v->attr[SR_ROLE_CRIT] | A_BOLD;
	if (level == 1)
		return v->attr[SR_ROLE_WARN] | A_BOLD;
	return v->attr[SR_ROLE_VALUE];
}

attr_t
sr_tui_status_attr(const struct sr_tui_view *v, int status)
{
	if (status >= 500)
		return v->attr[SR_ROLE_CRIT];
	if (status >= 400)
		return v->attr[SR_ROLE_WARN];
	if (status >= 200 && status < 400)
		return v->attr[SR_ROLE_OK];
	return v->attr[SR_ROLE_NORMAL];
}

size_t
sr_tui_crit_firing(const struct sr_snapshot *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n_insights; i++)
		n += s->insights[i].state == SR_INS_FIRING &&
		    s->insights[i].severity == SR_SEV_CRIT;
	return n;
}

const char *
sr_tui_sev_marker(enum sr_severity s)
{
	switch (s) {
	case SR_SEV_CRIT:
		return "[CRIT]";
	case SR_SEV_WARN:
		return "[WARN]";
	default:
		return "[info]";
	}
}

char *
sr_tui_fmt_value(char *buf, size_t n, double v, const char *unit)
{
	char tmp[32];

	if (unit == NULL)
		unit = "";
	if (isnan(v))
		snprintf(buf, n, "%s", SR_FMT_NONE);
	else if (strcmp(unit, "%") == 0)
		sr_fmt_pct(buf, n, v);
	else if (strcmp(unit, "bytes/s") == 0 || strcmp(unit, "B/s") == 0)
		sr_fmt_bytes(buf, n, v, "/s");
	else if (strcmp(unit, "bytes") == 0 || strcmp(unit, "B") == 0)
		sr_fmt_bytes(buf, n, v, "");
	else if (strcmp(unit, "ms") == 0)
		sr_fmt_ms(buf, n, v);
	else if (strcmp(unit, "s") == 0)
		sr_fmt_duration(buf, n, (int64_t)v);
	else if (*unit == '\0')
		sr_fmt_si(buf, n, v);
	else
		snprintf(buf, n, "%s %s", sr_fmt_si(tmp, sizeof(tmp), v), unit);
	return buf;
}

char *
sr_tui_fmt_clock(char *buf, size_t n, int64_t ts_ms, int with_date)
{
	time_t t = (time_t)(ts_ms / 1000);
	struct tm tm;

	if (ts_ms <= 0 || localtime_r(&t, &tm) == NULL) {
		snprintf(buf, n, "--:--:--");
		return buf;
	}
	if (strftime(buf, n, with_date ? "%Y-%m-%d %H:%M:%S" : "%H:%M:%S",
		&tm) == 0 &&
	    n > 0)
		buf[0] = '\0';
	return buf;
}

const char *
sr_tui_window_name(enum sr_tui_window w)
{
	static const char *const names[] = { "1m", "5m", "1h", "24h" };

	return (unsigned)w < SR_TUI_WIN__COUNT ? names[w] : "?";
}

int64_t
sr_tui_window_ms(enum sr_tui_window w)
{
	static const int64_t ms[] = { 60000, 300000, 3600000, 86400000 };

	return (unsigned)w < SR_TUI_WIN__COUNT ? ms[w] : 60000;
}

enum sr_window
sr_tui_snap_window(enum sr_tui_window w)
{
	switch (w) {
	case SR_TUI_WIN_1M:
		return SR_WIN_1M;
	case SR_TUI_WIN_5M:
		return SR_WIN_5M;
	default:
		return SR_WIN_1H;
	}
}

void
sr_tui_hist(const float *h, int n, double *d)
{
	for (int i = 0; i < n; i++)
		d[i] = h[i];
}

void
sr_tui_list_fit(struct sr_tui_list *l, int n, int page)
{
	l->n = n;
	l->page = page > 0 ? page : 1;
	if (l->sel >= n)
		l->sel = n - 1;
	if (l->sel < 0)
		l->sel = 0;
	if (l->top > l->sel)
		l->top = l->sel;
	if (l->sel >= l->top + l->page)
		l->top = l->sel - l->page + 1;
	if (l->top > n - l->page)
		l->top = n - l->page;
	if (l->top < 0)
		l->top = 0;
}

enum sr_key_result
sr_tui_list_click(struct sr_tui_list *l, int y)
{
	if (y < 2)
		return SR_KEY_IGNORED;
	l->sel = l->top + y - 2;
	sr_tui_list_fit(l, l->n, l->page);
	return SR_KEY_REDRAW;
}

enum sr_key_result
sr_tui_list_key(struct sr_tui_list *l, int ch)
{
	switch (ch) {
	case KEY_UP:
	case 'k':
		l->sel--;
		break;
	case KEY_DOWN:
	case 'j':
		l->sel++;
		break;
	case KEY_PPAGE:
		l->sel -= l->page;
		break;
	case KEY_NPAGE:
		l->sel += l->page;
		break;
	case KEY_HOME:
	case 'g':
		l->sel = 0;
		break;
	case KEY_END:
	case 'G':
		l->sel = l->n - 1;
		break;
	default:
		return SR_KEY_IGNORED;
	}
	sr_tui_list_fit(l, l->n, l->page);
	return SR_KEY_REDRAW;
}

int
sr_tui_wrap(WINDOW *win, int y, int x, int w, int max_rows, attr_t a,
    const char *s)
{
	int rows = 0;
	size_t len;

	if (s == NULL || w <= 0)
		return 0;
	while (*s && rows < max_rows) {
		const char *brk = NULL, *p = s;
		int cells = 0;

		while (*p && *p != '\n' && cells < w) {
			if (*p == ' ')
				brk = p;
			p++;
			while (((unsigned char)*p & 0xc0) == 0x80)
				p++;
			cells++;
		}
		if (*p && *p != '\n' && *p != ' ' && brk != NULL)
			p = brk;
		len = (size_t)(p - s);
		{
			char *line = sr_xstrndup(s, len);

			sr_tui_put(win, y + rows, x, w, a, line, 0);
			free(line);
		}
		rows++;
		s = p;
		while (*s == ' ' || *s == '\n')
			s++;
	}
	return rows;
}

void
sr_tui_drill(struct sr_tui_view *v, const char *q, int64_t from_ms,
    int64_t to_ms, const char *flash)
{
	struct sr_err err;

	if (sr_query_parse(&v->filter, q, &err) == -1)
		sr_query_init(&v->filter);
	v->filter.from_ms = from_ms;
	v->filter.to_ms = to_ms;
	v->drill = 1;
	v->req_focus = SR_PANEL_EVENTS;
	snprintf(v->flash, sizeof(v->flash), "%s", flash);
}
