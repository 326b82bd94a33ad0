/* SPDX-License-Identifier: MIT */
/*
 * screen: the console's screen manager (see screen.h).  Panels are
 * listed in sr_panels[]; each gets a WINDOW at its layout rectangle.
 * Handlers never draw: keys, mouse, publishes and resizes set `dirty`,
 * and the app's idle hook draws at most once per wake-up (werase + draw
 * + wnoutrefresh per panel, one doupdate), so ncurses sends only what
 * changed.
 */
#include "tui/screen.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "core/config.h"
#include "runtime/loop.h"
#include "core/snapshot.h"
#include "core/store.h"
#include "runtime/hreq.h"
#include "tui/frames.h"
#include "tui/theme.h"
#include "tui/tui.h"

/* Set by SIGWINCH (a signal flag, allowed by CONTRIBUTING.md). */
static volatile sig_atomic_t screen_winch;

/*
 * What a fatal signal (SIGSEGV, SIGABRT, SIGBUS, SIGFPE) writes to put
 * the terminal back: filled once when the screen opens, read only by
 * screen_on_fatal() (a signal handler can use nothing else; the one
 * mutable file-scope state besides the flag above, for that reason).
 */
static struct {
	char seq[256]; /* mouse off, rmkx, sgr0, cnorm, rmcup */
	size_t len;
	int fd;
	int have_tio;
	struct termios tio;	 /* before curses changed it */
	struct sigaction old[4]; /* by fatal_sigs[] index */
} screen_fatal;

static const int fatal_sigs[] = { SIGSEGV, SIGABRT, SIGBUS, SIGFPE };

enum {
	PROMPT_EVENTS = 1,
	PROMPT_PROCS = 2
}; /* what `/` is typing */
#define PROMPT_HIST 16

struct screen {
	struct sr_app *app;
	struct sr_tui_view v;
	struct sr_tui_cfg cfg;
	SCREEN *scr;
	FILE *tty_in; /* opened /dev/tty */
	int key_fd;
	void *state[SR_PANEL__COUNT];
	const struct sr_panel_ops *ops[SR_PANEL__COUNT];
	WINDOW *win[SR_PANEL__COUNT];
	/* the panels as the layout sees them, from their ops */
	struct sr_layout_panel lpanel[SR_PANEL__COUNT];
	const struct sr_layout_panel *lpanels[SR_PANEL__COUNT];
	WINDOW *overlay;
	struct sr_layout lay;
	enum sr_layout_kind kind;
	unsigned lflags;
	enum sr_panel_id order[SR_PANEL__COUNT];
	int norder;
	struct sr_layout_spec spec; /* [layout] panels=, when spec.n > 0 */
	char layout_why[160];	    /* the help's line on the layout */
	int cols, lines;
	struct sr_tui_frames *frames; /* time travel */
	struct sr_snapshot *live;
	struct sr_snapshot *shown;
	struct sr_snapshot *shown_base; /* a frame's base */
	int dirty;
	int help;
	int prompt; /* typing a filter: PROMPT_EVENTS, PROMPT_PROCS */
	struct sr_buf pbuf;
	size_t pcur;		  /* the prompt's cursor, a byte offset */
	char perr[256];		  /* why Enter did not apply it, or "" */
	char *phist[PROMPT_HIST]; /* event filters applied, oldest first */
	int phist_n;		  /* of PROMPT_HIST */
	int phist_at;		  /* Up/Down: phist_n = the text typed */
	int theme;
	char theme_why[96]; /* how auto chose, for the help */
	int colour;	    /* colours usable */
	int mouse;
	int bell;	    /* --bell */
	size_t crit_firing; /* in the last snapshot, for the bell */
	int quit;
	int64_t flash_until;
};

int
sr_tui_theme_parse(const char *s)
{
	return sr_theme_parse(s);
}

static void
screen_on_winch(int sig)
{
	(void)sig;
	screen_winch = 1;
}

/*
 * A fatal signal with the screen up: write the reset sequences and the
 * saved terminal modes (write(2), tcsetattr() and sigaction() are
 * async-signal-safe, endwin() is not), put back the action there was
 * before (the default, or a sanitizer's report), then let it act: a
 * signal sent (kill, abort) is raised again; a fault returns to the
 * faulting instruction, which faults again under the old action.
 */
static void
screen_on_fatal(int sig, siginfo_t *si, void *uc)
{
	int saved = errno;

	(void)uc;
	if (screen_fatal.len > 0)
		(void)!write(screen_fatal.fd, screen_fatal.seq,
		    screen_fatal.len);
	if (screen_fatal.have_tio)
		(void)tcsetattr(screen_fatal.fd, TCSANOW, &screen_fatal.tio);
	for (size_t i = 0; i < sizeof(fatal_sigs) / sizeof(fatal_sigs[0]); i++)
		if (fatal_sigs[i] == sig)
			(void)sigaction(sig, &screen_fatal.old[i], NULL);
	errno = saved;
	if (si == NULL || si->si_code <= 0)
		(void)raise(sig);
}

/* Append terminfo capability cap (when the terminal has it). */
static void
screen_fatal_add(const char *cap)
{
	char *str = tigetstr(cap);
	size_t n;

	if (str == NULL || str == (char *)-1)
		return;
	n = strlen(str);
	if (screen_fatal.len + n < sizeof(screen_fatal.seq)) {
		memcpy(screen_fatal.seq + screen_fatal.len, str, n);
		screen_fatal.len += n;
	}
}

/* Prepare and install the fatal-signal restore (after newterm). */
static void
screen_fatal_install(int mouse)
{
	static const char mouse_off[] = "\033[?1000l\033[?1002l"
					"\033[?1003l\033[?1006l";
	struct sigaction sa;

	screen_fatal.len = 0;
	if (mouse) {
		memcpy(screen_fatal.seq, mouse_off, sizeof(mouse_off) - 1);
		screen_fatal.len = sizeof(mouse_off) - 1;
	}
	screen_fatal_add("rmkx");
	screen_fatal_add("sgr0");
	screen_fatal_add("cnorm");
	screen_fatal_add("rmcup");
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = screen_on_fatal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	for (size_t i = 0; i < sizeof(fatal_sigs) / sizeof(fatal_sigs[0]); i++)
		(void)sigaction(fatal_sigs[i], &sa, &screen_fatal.old[i]);
}

/* Put the earlier actions back once the screen is down. */
static void
screen_fatal_remove(void)
{
	for (size_t i = 0; i < sizeof(fatal_sigs) / sizeof(fatal_sigs[0]); i++)
		(void)sigaction(fatal_sigs[i], &screen_fatal.old[i], NULL);
	screen_fatal.len = 0;
}

/* Restore the terminal when exit() is called with the screen up. */
static void
screen_atexit(void)
{
	if (!isendwin())
		endwin();
}

/* ---- themes ----------------------------------------------------------- */

/* Colour pairs 1.. by role; -1 = the terminal's default. */
static void
screen_theme(struct screen *s)
{
	/* 8 colours: the terminal's own palette, dark or light */
	static const struct sr_theme_pair c8[2][SR_ROLE__COUNT] = {
		[0] = {
			[SR_ROLE_NORMAL] = { -1, -1, 0 },
			[SR_ROLE_DIM] = { -1, -1, 0 },
			[SR_ROLE_TITLE] = { COLOR_WHITE, COLOR_BLUE, 0 },
			[SR_ROLE_TITLE_FOCUS] = { COLOR_BLACK, COLOR_CYAN, 0 },
			[SR_ROLE_HEADER] = { COLOR_WHITE, COLOR_BLUE, 0 },
			[SR_ROLE_OK] = { COLOR_GREEN, -1, 0 },
			[SR_ROLE_WARN] = { COLOR_YELLOW, -1, 0 },
			[SR_ROLE_CRIT] = { COLOR_RED, -1, 1 },
			[SR_ROLE_INFO] = { COLOR_CYAN, -1, 0 },
			[SR_ROLE_SELECT] = { COLOR_BLACK, COLOR_WHITE, 0 },
			[SR_ROLE_VALUE] = { -1, -1, 1 },
		},
		[1] = {
			[SR_ROLE_NORMAL] = { -1, -1, 0 },
			[SR_ROLE_DIM] = { -1, -1, 0 },
			[SR_ROLE_TITLE] = { COLOR_WHITE, COLOR_BLUE, 0 },
			[SR_ROLE_TITLE_FOCUS] = { COLOR_WHITE, COLOR_BLACK, 1 },
			[SR_ROLE_HEADER] = { COLOR_WHITE, COLOR_BLUE, 0 },
			[SR_ROLE_OK] = { COLOR_GREEN, -1, 0 },
			[SR_ROLE_WARN] = { COLOR_MAGENTA, -1, 1 },
			[SR_ROLE_CRIT] = { COLOR_RED, -1, 1 },
			[SR_ROLE_INFO] = { COLOR_BLUE, -1, 0 },
			[SR_ROLE_SELECT] = { COLOR_BLACK, COLOR_CYAN, 0 },
			[SR_ROLE_VALUE] = { -1, -1, 1 },
		},
	};
	static const attr_t mono[SR_ROLE__COUNT] = {
		[SR_ROLE_NORMAL] = A_NORMAL,
		[SR_ROLE_DIM] = A_DIM,
		[SR_ROLE_TITLE] = A_REVERSE,
		[SR_ROLE_TITLE_FOCUS] = A_REVERSE | A_BOLD | A_UNDERLINE,
		[SR_ROLE_HEADER] = A_REVERSE,
		[SR_ROLE_OK] = A_NORMAL,
		[SR_ROLE_WARN] = A_BOLD,
		[SR_ROLE_CRIT] = A_BOLD | A_UNDERLINE,
		[SR_ROLE_INFO] = A_NORMAL,
		[SR_ROLE_SELECT] = A_REVERSE,
		[SR_ROLE_VALUE] = A_BOLD,
	};
	const struct sr_theme_pair *t;

	if (!s->colour || s->theme == SR_THEME_MONO) {
		memcpy(s->v.attr, mono, sizeof(mono));
		return;
	}
	t = COLORS >= 256 ? sr_theme_pairs(s->theme)
			  : c8[sr_theme_for_light(s->theme)];
	for (int r = 0; r < SR_ROLE__COUNT; r++) {
		init_pair((short)(r + 1), t[r].fg, t[r].bg);
		s->v.attr[r] = COLOR_PAIR(r + 1) | (t[r].bold ? A_BOLD : 0);
	}
	if (COLORS < 256)
		s->v.attr[SR_ROLE_DIM] |= A_DIM;
}

/*
 * Ask the terminal for its background (OSC 11), followed by a device
 * attributes request that every terminal answers, so the wait ends at
 * that answer instead of the timeout; at most 300 ms in all (a slow link).  Only on a
 * terminal, before curses starts.  Returns the bytes read into buf.
 */
static size_t
screen_query_bg(char *buf, size_t cap)
{
	static const char q[] = "\033]11;?\033\\\033[c";
	struct termios raw, old;
	size_t n = 0;
	int fd;

	if (!isatty(STDOUT_FILENO) ||
	    (fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
		return 0;
	if (tcgetattr(fd, &old) != 0) {
		(void)close(fd); /* read-only use */
		return 0;
	}
	raw = old;
	raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	raw.c_cc[VMIN] = 0;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(fd, TCSANOW, &raw) == 0 &&
	    write(fd, q, sizeof(q) - 1) == (ssize_t)(sizeof(q) - 1)) {
		int64_t until = sr_mono_ms() + 300;

		while (n + 1 < cap) {
			struct pollfd pfd = { .fd = fd, .events = POLLIN };
			int64_t left = until - sr_mono_ms();
			ssize_t r;

			if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
				break;
			if ((r = read(fd, buf + n, cap - 1 - n)) <= 0)
				break;
			n += (size_t)r;
			buf[n] = '\0';
			/* the device attributes answer: ESC [ ? ... c */
			if (strstr(buf, "\033[?") != NULL && buf[n - 1] == 'c')
				break;
		}
	}
	(void)tcsetattr(fd, TCSANOW, &old);
	(void)close(fd); /* nothing written that a close could lose */
	return n;
}

/* ---- snapshots: live, shown, frames ----------------------------------- */

/* Show snap (a reference handed over); base: what it points into. */
static void
screen_set_shown(struct screen *s, struct sr_snapshot *snap,
    struct sr_snapshot *base)
{
	sr_snapshot_unref(s->shown);
	sr_snapshot_unref(s->shown_base);
	s->shown = snap;
	s->shown_base = base;
	s->dirty = 1;
}

static void screen_layout(struct screen *s);

static void
screen_publish(void *ctx, struct sr_snapshot *snap)
{
	struct screen *s = ctx;

	sr_tui_frames_push(s->frames, snap);
	/* the bell: once for each critical that starts firing */
	{
		size_t n = sr_tui_crit_firing(snap);

		if (s->bell && n > s->crit_firing)
			(void)beep(); /* no bell on this terminal: nothing */
		s->crit_firing = n;
	}
	sr_snapshot_unref(s->live);
	s->live = sr_snapshot_ref(snap);
	if (snap->n_hosts > 1 && !(s->lflags & SR_LAYOUT_HOSTS)) {
		s->lflags |= SR_LAYOUT_HOSTS; /* multi-host: host list */
		screen_layout(s);
	}
	if (snap->n_llm > 0 && !(s->lflags & SR_LAYOUT_LLM)) {
		s->lflags |= SR_LAYOUT_LLM; /* the LLM serving panel */
		screen_layout(s);
	}
	if ((snap->n_errors == 0) != !!(s->lflags & SR_LAYOUT_NO_ERRORS)) {
		s->lflags ^= SR_LAYOUT_NO_ERRORS; /* the errors panel grows */
		screen_layout(s);
	}
	if (!s->v.paused)
		screen_set_shown(s, sr_snapshot_ref(snap), NULL);
	s->dirty = 1;
}

/* Show frame i (paused time travel): the live snapshot for the newest. */
static void
screen_show(struct screen *s, int i)
{
	int n = sr_tui_frames_count(s->frames);

	if (i < 0 || i >= n || s->live == NULL)
		return;
	if (sr_tui_frames_tick(s->frames, i) == s->live->tick) {
		screen_set_shown(s, sr_snapshot_ref(s->live), NULL);
		return;
	}
	screen_set_shown(s, sr_tui_frames_snapshot(s->frames, i, s->live),
	    sr_snapshot_ref(s->live));
}

/*
 * Index of the frame shown: the oldest when it has gone out of the ring
 * meanwhile, the newest when it is not in it yet.
 */
static int
screen_shown_idx(const struct screen *s)
{
	int i = s->shown != NULL ? sr_tui_frames_find(s->frames, s->shown->tick)
				 : -1;

	if (i >= 0)
		return i;
	if (s->shown != NULL && sr_tui_frames_count(s->frames) > 0 &&
	    s->shown->tick < sr_tui_frames_tick(s->frames, 0))
		return 0;
	return sr_tui_frames_count(s->frames) - 1;
}

/* ---- layout ------------------------------------------------------------ */

static int
screen_visible(const struct screen *s, int id)
{
	return s->win[id] != NULL;
}

static void
screen_layout(struct screen *s)
{
	for (int i = 0; i < SR_PANEL__COUNT; i++)
		if (s->win[i] != NULL) {
			delwin(s->win[i]);
			s->win[i] = NULL;
		}
	if (s->overlay != NULL) {
		delwin(s->overlay);
		s->overlay = NULL;
	}
	if (s->spec.n > 0)
		sr_layout_compute_spec(s->lpanels, SR_PANEL__COUNT, &s->spec,
		    s->lflags, s->cols, s->lines, s->v.ntiles, &s->lay);
	else
		sr_layout_compute(s->lpanels, SR_PANEL__COUNT, s->kind,
		    s->lflags, s->cols, s->lines, s->v.ntiles, s->order,
		    s->norder, &s->lay);
	s->v.tiny = s->lay.tiny;
	sr_app_want_procs(s->app, s->lay.r[SR_PANEL_PROCS].h > 0);
	for (int i = 0; i < SR_PANEL__COUNT; i++) {
		const struct sr_rect *r = &s->lay.r[i];

		if (r->h <= 0 || r->w <= 0)
			continue;
		s->win[i] = newwin(r->h, r->w, r->y, r->x);
	}
	/* keep the focus on something visible and focusable */
	if (s->v.focus <= SR_PANEL_HEADER || s->v.focus >= SR_PANEL_STATUS ||
	    !screen_visible(s, s->v.focus)) {
		s->v.focus = -1;
		for (int i = SR_PANEL_TILES; i < SR_PANEL_STATUS; i++)
			if (screen_visible(s, i) && s->ops[i]->key != NULL) {
				s->v.focus = i;
				break;
			}
	}
	/* stdscr is blank and never drawn: flush it under the panels */
	werase(stdscr);
	wnoutrefresh(stdscr);
	s->dirty = 1;
}

/* Read the terminal size (80x24 when it cannot be read) and relayout. */
static void
screen_resize(struct screen *s)
{
	struct winsize ws;
	int rows = 24, cols = 80;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0) {
		rows = ws.ws_row;
		cols = ws.ws_col;
	}
	resize_term(rows, cols);
	/*
	 * The terminal rewrapped, cut or cleared what it showed (tmux,
	 * xterm and others differ): what curses believes is on the screen
	 * is no longer true, so the next update repaints all of it.
	 */
	clearok(curscr, TRUE);
	s->lines = rows;
	s->cols = cols;
	screen_layout(s);
}

static void
screen_focus_step(struct screen *s, int dir)
{
	int id = s->v.focus;

	for (int n = 0; n < SR_PANEL__COUNT; n++) {
		id += dir;
		if (id <= SR_PANEL_HEADER)
			id = SR_PANEL_STATUS - 1;
		if (id >= SR_PANEL_STATUS)
			id = SR_PANEL_TILES;
		if (screen_visible(s, id) && s->ops[id]->key != NULL) {
			s->v.focus = id;
			return;
		}
	}
}

/* ---- drawing ----------------------------------------------------------- */

/* The help: the screen's keys, each panel's, then the screen's last. */
static const char *const help_first[] = { "q, Ctrl-C      quit",
	"?              this help (any key closes it)",
	"Tab, Shift-Tab focus the next / previous panel",
	"arrows, j/k    move in the focused panel (tiles: left/right)",
	"PgUp/PgDn, g/G page up/down, top/bottom (G: follow the log)",
	"Enter          detail: service endpoints, insight detail, "
	"pattern events",
	"Esc            back; clears the event filter",
	"space          pause (collection goes on) / resume",
	"Ctrl-L         redraw the whole screen",
	"left/right     while paused: step back / forward one tick",
	"Shift-l/r      ... ten ticks; Home/End: oldest / newest kept",
	"/              filter events: text, service=api, status>=500",
	"  in / prompt  Left/Right/Home/End edit, Up/Down earlier filters",
	"1 2 3 4        window: 1 min, 5 min, 1 h, 24 h", NULL };
static const char *const help_last[] = {
	"t              next colour theme (default, solar, light, mono)",
	"R              replay clock: tick at the newest event's time",
	"mouse          click focuses, wheel scrolls (--no-mouse: off)", NULL
};

#define HELP_MAX 64

/* Gather the help lines into out (at most HELP_MAX); returns how many. */
static int
screen_help_lines(const struct screen *s, const char **out)
{
	int n = 0;

	for (int i = 0; help_first[i] != NULL && n < HELP_MAX; i++)
		out[n++] = help_first[i];
	for (int i = 0; i < SR_PANEL__COUNT; i++)
		for (int k = 0; s->ops[i] != NULL && k < SR_PANEL_HELP_MAX &&
		     s->ops[i]->help[k] != NULL && n < HELP_MAX;
		     k++)
			out[n++] = s->ops[i]->help[k];
	for (int i = 0; help_last[i] != NULL && n < HELP_MAX; i++)
		out[n++] = help_last[i];
	return n;
}

static WINDOW *
screen_overlay(struct screen *s, int h, int w)
{
	if (h > s->lines)
		h = s->lines;
	if (w > s->cols)
		w = s->cols;
	if (s->overlay != NULL &&
	    (getmaxy(s->overlay) != h || getmaxx(s->overlay) != w)) {
		delwin(s->overlay);
		s->overlay = NULL;
	}
	if (s->overlay == NULL)
		s->overlay =
		    newwin(h, w, (s->lines - h) / 2, (s->cols - w) / 2);
	return s->overlay;
}

static void
screen_draw_help(struct screen *s)
{
	const char *lines[HELP_MAX];
	int n = screen_help_lines(s, lines);
	WINDOW *w;

	if (s->theme_why[0] != '\0' && n < HELP_MAX)
		lines[n++] = s->theme_why;
	if (s->layout_why[0] != '\0' && n < HELP_MAX)
		lines[n++] = s->layout_why;
	if ((w = screen_overlay(s, n + 3, 66)) == NULL)
		return;
	werase(w);
	if (getmaxy(w) >= 3 && getmaxx(w) >= 3)
		box(w, 0, 0);
	sr_tui_put(w, 0, 2, getmaxx(w) - 4, s->v.attr[SR_ROLE_INFO] | A_BOLD,
	    " sitrep keys ", 0);
	for (int i = 0; i < n; i++)
		sr_tui_put(w, 1 + i, 2, getmaxx(w) - 4,
		    s->v.attr[SR_ROLE_NORMAL], lines[i], 0);
	sr_tui_put(w, n + 1, 2, getmaxx(w) - 4, s->v.attr[SR_ROLE_DIM],
	    "any key closes this help", 0);
	wnoutrefresh(w);
}

/*
 * While the store is not ok, the bottom line says so before anything
 * else, from the live snapshot (paused or not): "STORE FAILING: <reason>
 * (N held, M dropped)" in the critical colour, reversed, the words
 * carrying the meaning without colour (NO_COLOR, mono).  Returns 1 when
 * it drew.
 */
static int
screen_draw_store(struct screen *s, WINDOW *w, struct sr_buf *b)
{
	const struct sr_snapshot *sn = s->live != NULL ? s->live : s->shown;
	const struct sr_snap_store *st = &sn->store;
	attr_t a = s->v.attr[SR_ROLE_CRIT] | A_BOLD | A_REVERSE;

	if (st->state == SR_STORE_OK)
		return 0;
	sr_buf_addf(b, "STORE %s: %s (%llu held, %llu dropped)",
	    st->state == SR_STORE_FAILING ? "FAILING" : "RETRYING",
	    st->error != NULL ? st->error : "?", (unsigned long long)st->held,
	    (unsigned long long)st->dropped[SR_DROP_QUEUE_FULL]);
	sr_tui_fill(w, 0, 0, a);
	sr_tui_put(w, 0, 0, getmaxx(w), a, b->data, 0);
	return 1;
}

/*
 * The prompt: its label, the text with the cursor cell in reverse, and
 * the error of the last Enter after it.  A long text scrolls so the
 * cursor stays in view.
 */
static void
screen_draw_prompt(struct screen *s, WINDOW *w)
{
	attr_t a = s->v.attr[SR_ROLE_TITLE] | A_BOLD;
	const char *label =
	    s->prompt == PROMPT_PROCS ? "processes: " : "filter: ";
	int W = getmaxx(w), x, room;
	size_t from = 0;
	char *t;

	x = sr_tui_put(w, 0, 0, W, a, label, 0);
	room = W - x - 2;
	if (room < 1)
		return;
	if ((int)s->pcur >= room)
		from = s->pcur - (size_t)room + 1;
	t = sr_xstrndup(s->pbuf.data + from, s->pcur - from);
	x += sr_tui_put(w, 0, x, W - x, a, t, 0);
	free(t);
	{
		char cur[2] = { s->pcur < s->pbuf.len ? s->pbuf.data[s->pcur]
						      : ' ',
			'\0' };

		x += sr_tui_put(w, 0, x, W - x, a | A_REVERSE, cur, 0);
	}
	if (s->pcur < s->pbuf.len)
		x += sr_tui_put(w, 0, x, W - x, a, s->pbuf.data + s->pcur + 1,
		    0);
	if (s->perr[0] != '\0' && x + 2 < W)
		sr_tui_putf(w, 0, x + 2, W - x - 2,
		    s->v.attr[SR_ROLE_CRIT] | A_BOLD | A_REVERSE, " error: %s ",
		    s->perr);
}

/* The bottom line: a filter prompt, a message, or the key hints. */
static void
screen_draw_status(struct screen *s, WINDOW *w)
{
	const struct sr_snapshot *sn = s->shown;
	int W = getmaxx(w);
	struct sr_buf b;
	char t[32], v1[16], v2[16], v3[16];

	sr_buf_init(&b);
	if (screen_draw_store(s, w, &b)) {
		sr_buf_release(&b);
		return;
	}
	if (s->v.tiny) {
		sr_fmt_pct(v1, sizeof(v1), sn->kpi[SR_KPI_CPU].value);
		sr_fmt_pct(v2, sizeof(v2), sn->kpi[SR_KPI_MEM].value);
		sr_fmt_si(v3, sizeof(v3), sn->totals.events_per_s);
		sr_tui_fmt_clock(t, sizeof(t), sn->now_ms, 0);
		/* the first form that fits: ever terser, same figures */
		for (int form = 0; form < 4; form++) {
			sr_buf_reset(&b);
			sr_buf_addf(&b, "%s%s%.*s %zu%s cpu %s mem %s %s%s",
			    s->v.paused ? (form < 3 ? "PAUSED " : "P ") : "",
			    form == 0 ? "sitrep " : "", form < 2 ? 8 : 5, t,
			    sn->n_firing, form < 3 ? " firing" : "!", v1, v2,
			    v3, form < 2 ? " ev/s" : "/s");
			if (sr_text_width(b.data) <= W)
				break;
		}
		sr_tui_put(w, 0, 0, W,
		    sn->n_firing > 0 ? s->v.attr[SR_ROLE_HEADER] | A_BOLD
				     : s->v.attr[SR_ROLE_HEADER],
		    b.data, 0);
		sr_tui_fill(w, 0, sr_text_width(b.data),
		    s->v.attr[SR_ROLE_HEADER]);
		sr_buf_release(&b);
		return;
	}
	sr_tui_fill(w, 0, 0, s->v.attr[SR_ROLE_TITLE]);
	if (s->prompt) {
		screen_draw_prompt(s, w);
	} else if (s->v.flash[0] && sr_mono_ms() < s->flash_until) {
		sr_tui_put(w, 0, 0, W, s->v.attr[SR_ROLE_TITLE] | A_BOLD,
		    s->v.flash, 0);
	} else if (s->v.paused) {
		int64_t behind =
		    s->live != NULL ? s->live->now_ms - sn->now_ms : 0;

		sr_buf_addf(&b,
		    "PAUSED at %s (-%llds, %d of %d ticks kept)"
		    "  left/right step  Home/End oldest/newest  space resume"
		    "  ? help",
		    sr_tui_fmt_clock(t, sizeof(t), sn->now_ms, 0),
		    (long long)(behind / 1000), screen_shown_idx(s) + 1,
		    sr_tui_frames_count(s->frames));
		sr_tui_put(w, 0, 0, W, s->v.attr[SR_ROLE_TITLE], b.data, 0);
	} else {
		/* the key hints that fit, most useful first: the
		 * screen's, then each panel's, then the theme */
		static const char *const hints[] = { "q quit", "? help",
			"Tab focus", "/ filter", "space pause", "1-4 window",
			"Enter detail", NULL };
		const char *all[SR_PANEL__COUNT + 16];
		int n = 0;

		for (int i = 0; hints[i] != NULL; i++)
			all[n++] = hints[i];
		for (int i = 0; i < SR_PANEL__COUNT; i++)
			if (s->ops[i] != NULL && s->ops[i]->hint != NULL)
				all[n++] = s->ops[i]->hint;
		all[n++] = "t theme";
		for (int i = 0; i < n; i++) {
			if ((int)b.len + 2 + sr_text_width(all[i]) >= W)
				break;
			sr_buf_addf(&b, "%s%s", i ? "  " : "", all[i]);
		}
		sr_tui_put(w, 0, 0, W, s->v.attr[SR_ROLE_TITLE], b.data, 0);
	}
	sr_buf_release(&b);
}

static void
screen_draw(struct screen *s)
{
	const struct sr_snapshot *sn = s->shown;

	s->v.behind_ms =
	    s->v.paused && s->live != NULL ? s->live->now_ms - sn->now_ms : 0;
	for (int i = 0; i < SR_PANEL__COUNT; i++) {
		WINDOW *w = s->win[i];

		if (w == NULL)
			continue;
		werase(w);
		if (i == SR_PANEL_STATUS)
			screen_draw_status(s, w);
		else if (s->ops[i] != NULL)
			s->ops[i]->draw(s->state[i], w, sn);
		wnoutrefresh(w);
	}
	if (s->help) {
		screen_draw_help(s);
	} else if (s->v.req_detail[0] != '\0') {
		WINDOW *w =
		    screen_overlay(s, s->lines - 4 > 24 ? 24 : s->lines - 4,
			s->cols - 8 > 100 ? 100 : s->cols - 8);

		if (w != NULL && getmaxy(w) >= 3 && getmaxx(w) >= 10) {
			sr_insight_detail_draw(w, &s->v, sn, s->v.req_detail);
			wnoutrefresh(w);
		}
	}
	doupdate();
	s->dirty = 0;
}

/* ---- keys and mouse ---------------------------------------------------- */

static void
screen_flash(struct screen *s, const char *msg)
{
	snprintf(s->v.flash, sizeof(s->v.flash), "%s", msg);
	s->flash_until = sr_mono_ms() + 4000;
}

/* Replace the prompt's text with t, the cursor at its end. */
static void
screen_prompt_set(struct screen *s, const char *t)
{
	sr_buf_reset(&s->pbuf);
	sr_buf_adds(&s->pbuf, t != NULL ? t : "");
	s->pcur = s->pbuf.len;
}

/* Open the `/` prompt for the event log or (focused) the processes. */
static void
screen_prompt_open(struct screen *s)
{
	s->perr[0] = '\0';
	s->phist_at = s->phist_n;
	if (s->v.focus == SR_PANEL_PROCS) {
		s->prompt = PROMPT_PROCS;
		screen_prompt_set(s, s->v.proc_filter);
	} else {
		s->prompt = PROMPT_EVENTS;
		screen_prompt_set(s, s->v.filter.src);
	}
}

/* Keep an applied event filter for Up/Down (not twice in a row). */
static void
screen_prompt_remember(struct screen *s, const char *t)
{
	if (*t == '\0' ||
	    (s->phist_n > 0 && strcmp(s->phist[s->phist_n - 1], t) == 0))
		return;
	if (s->phist_n == PROMPT_HIST) {
		free(s->phist[0]);
		memmove(s->phist, s->phist + 1,
		    (PROMPT_HIST - 1) * sizeof(s->phist[0]));
		s->phist_n--;
	}
	s->phist[s->phist_n++] = sr_xstrdup(t);
}

/* Apply the event filter typed; on an error keep the text and say why. */
static void
screen_prompt_apply(struct screen *s)
{
	struct sr_query q;
	struct sr_err err;

	if (s->prompt == PROMPT_PROCS) {
		snprintf(s->v.proc_filter, sizeof(s->v.proc_filter), "%s",
		    s->pbuf.data);
		s->prompt = 0;
		return;
	}
	sr_query_init(&q);
	if (sr_query_parse(&q, s->pbuf.data, &err) == -1) {
		/* the filter applied before stays; the text stays to fix */
		snprintf(s->perr, sizeof(s->perr), "%s", err.msg);
		sr_query_release(&q);
		return;
	}
	sr_query_release(&s->v.filter);
	s->v.filter = q;
	s->v.drill = 0;
	screen_prompt_remember(s, s->pbuf.data);
	s->prompt = 0;
	s->perr[0] = '\0';
	if (screen_visible(s, SR_PANEL_EVENTS))
		s->v.focus = SR_PANEL_EVENTS;
}

/*
 * Editing the `/` prompt: a cursor (Left/Right, Home/End, Ctrl-A/E),
 * insert and delete at it, Up/Down through the filters applied before,
 * Ctrl-U clears, Enter applies, Esc leaves.
 */
static void
screen_prompt_key(struct screen *s, int ch)
{
	if (ch != '\n' && ch != '\r' && ch != KEY_ENTER)
		s->perr[0] = '\0'; /* editing: the error was about before */
	switch (ch) {
	case 27:
		s->prompt = 0;
		break;
	case '\n':
	case '\r':
	case KEY_ENTER:
		screen_prompt_apply(s);
		break;
	case KEY_LEFT:
		if (s->pcur > 0)
			s->pcur--;
		break;
	case KEY_RIGHT:
		if (s->pcur < s->pbuf.len)
			s->pcur++;
		break;
	case KEY_HOME:
	case 1: /* Ctrl-A */
		s->pcur = 0;
		break;
	case KEY_END:
	case 5: /* Ctrl-E */
		s->pcur = s->pbuf.len;
		break;
	case KEY_UP:
	case KEY_DOWN:
		if (s->prompt != PROMPT_EVENTS || s->phist_n == 0)
			break;
		if (ch == KEY_UP && s->phist_at > 0)
			s->phist_at--;
		else if (ch == KEY_DOWN && s->phist_at < s->phist_n)
			s->phist_at++;
		screen_prompt_set(s,
		    s->phist_at < s->phist_n ? s->phist[s->phist_at] : "");
		break;
	case KEY_BACKSPACE:
	case 127:
	case 8:
		if (s->pcur == 0)
			break;
		s->pcur--;
		/* delete what is now under the cursor */
		__attribute__((fallthrough));
	case KEY_DC:
		if (s->pcur < s->pbuf.len) {
			memmove(s->pbuf.data + s->pcur,
			    s->pbuf.data + s->pcur + 1, s->pbuf.len - s->pcur);
			s->pbuf.len--;
		}
		break;
	case 21: /* Ctrl-U */
		screen_prompt_set(s, "");
		break;
	default:
		if (ch >= 0x20 && ch < 0x7f && s->pbuf.len < 200) {
			sr_buf_addc(&s->pbuf, '\0'); /* room for one more */
			memmove(s->pbuf.data + s->pcur + 1,
			    s->pbuf.data + s->pcur, s->pbuf.len - 1 - s->pcur);
			s->pbuf.data[s->pcur++] = (char)ch;
			s->pbuf.data[s->pbuf.len] = '\0';
		}
		break;
	}
}

/* Which panel is at screen (y, x), or -1. */
static int
screen_panel_at(const struct screen *s, int y, int x)
{
	for (int i = 0; i < SR_PANEL__COUNT; i++) {
		const struct sr_rect *r = &s->lay.r[i];

		if (s->win[i] != NULL && y >= r->y && y < r->y + r->h &&
		    x >= r->x && x < r->x + r->w)
			return i;
	}
	return -1;
}

static void screen_key(struct screen *s, int ch);

static void
screen_mouse(struct screen *s)
{
	MEVENT me;
	int id;

	if (getmouse(&me) != OK || (id = screen_panel_at(s, me.y, me.x)) < 0)
		return;
	if (id == SR_PANEL_HEADER || id == SR_PANEL_STATUS ||
	    s->ops[id] == NULL || s->ops[id]->key == NULL)
		return;
	if (me.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED)) {
		int key = (me.bstate & BUTTON4_PRESSED) ? KEY_UP : KEY_DOWN;

		for (int i = 0; i < 3; i++)
			s->ops[id]->key(s->state[id], key);
		s->dirty = 1;
		return;
	}
	if (me.bstate &
	    (BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_RELEASED)) {
		s->v.focus = id;
		if (s->ops[id]->click != NULL)
			s->ops[id]->click(s->state[id], me.y - s->lay.r[id].y,
			    me.x - s->lay.r[id].x);
		s->dirty = 1;
	}
}

/* Act on what panels asked for. */
static void
screen_requests(struct screen *s)
{
	if (s->v.req_focus >= 0) {
		if (screen_visible(s, s->v.req_focus))
			s->v.focus = s->v.req_focus;
		s->v.req_focus = -1;
		s->dirty = 1;
	}
	if (s->v.flash[0] && s->flash_until == 0)
		s->flash_until = sr_mono_ms() + 4000;
}

static void
screen_key(struct screen *s, int ch)
{
	const struct sr_panel_ops *ops;
	enum sr_key_result r = SR_KEY_IGNORED;

	s->dirty = 1;
	if (ch == KEY_RESIZE) {
		screen_resize(s);
		return;
	}
	if (ch == 3) { /* Ctrl-C in raw input */
		s->quit = 1;
		return;
	}
	if (ch == 12) { /* Ctrl-L: repaint everything, in any mode */
		clearok(curscr, TRUE);
		return;
	}
	if (s->prompt) {
		screen_prompt_key(s, ch);
		return;
	}
	if (s->help) {
		s->help = 0;
		return;
	}
	if (s->v.req_detail[0] != '\0') {
		if (ch == 'e' && s->shown != NULL) {
			const struct sr_snap_insight *in =
			    sr_snapshot_insight(s->shown, s->v.req_detail);

			if (in != NULL)
				sr_insight_drill(&s->v, s->shown, in);
			s->v.req_detail[0] = '\0';
		} else if (ch == 27 || ch == 'q' || ch == '\n' || ch == '\r' ||
		    ch == KEY_ENTER || ch == KEY_BACKSPACE) {
			s->v.req_detail[0] = '\0';
		}
		screen_requests(s);
		return;
	}
	if (ch == KEY_MOUSE) {
		if (s->mouse)
			screen_mouse(s);
		screen_requests(s);
		return;
	}
	if (s->v.paused &&
	    (ch == KEY_LEFT || ch == KEY_RIGHT || ch == KEY_SLEFT ||
		ch == KEY_SRIGHT)) {
		int step = ch == KEY_SLEFT || ch == KEY_SRIGHT ? 10 : 1;
		int i = screen_shown_idx(s), n = sr_tui_frames_count(s->frames);

		i += ch == KEY_LEFT || ch == KEY_SLEFT ? -step : step;
		screen_show(s, i < 0 ? 0 : i >= n ? n - 1 : i);
		return;
	}
	if (s->v.paused && (ch == KEY_HOME || ch == KEY_END) &&
	    s->v.focus != SR_PANEL_EVENTS) {
		screen_show(s,
		    ch == KEY_HOME ? 0 : sr_tui_frames_count(s->frames) - 1);
		return;
	}
	if (s->v.focus > 0 && (ops = s->ops[s->v.focus]) != NULL &&
	    ops->key != NULL)
		r = ops->key(s->state[s->v.focus], ch);
	for (int i = 0; r == SR_KEY_IGNORED && i < SR_PANEL__COUNT; i++)
		if (s->ops[i] != NULL && s->ops[i]->toggle_key != 0 &&
		    s->ops[i]->toggle_key == ch) {
			/* an optional panel's show / hide key */
			s->lflags ^= SR_LAYOUT_SHOWN(i);
			screen_layout(s);
			if ((s->lflags & SR_LAYOUT_SHOWN(i)) &&
			    screen_visible(s, i))
				s->v.focus = i;
			r = SR_KEY_HANDLED;
		}
	if (r == SR_KEY_IGNORED) {
		switch (ch) {
		case 'q':
		case 'Q':
			s->quit = 1;
			break;
		case '?':
		case KEY_F(1):
			s->help = 1;
			break;
		case '\t':
			screen_focus_step(s, 1);
			break;
		case KEY_BTAB:
			screen_focus_step(s, -1);
			break;
		case ' ':
			s->v.paused = !s->v.paused;
			if (!s->v.paused && s->live != NULL)
				screen_set_shown(s, sr_snapshot_ref(s->live),
				    NULL);
			break;
		case '/':
			screen_prompt_open(s);
			break;
		case '1':
		case '2':
		case '3':
		case '4':
			s->v.window = (enum sr_tui_window)(ch - '1');
			break;
		case 't':
			if (s->colour) {
				s->theme = (s->theme + 1) % SR_THEME__COUNT;
				screen_theme(s);
			}
			{
				char msg[64];

				snprintf(msg, sizeof(msg), "theme: %s%s",
				    sr_theme_name(s->theme),
				    s->colour
					? ""
					: " (no colours: NO_COLOR or terminal)");
				screen_flash(s, msg);
			}
			break;
		case 'R':
			s->v.replay_clock = !s->v.replay_clock;
			sr_app_set_replay_clock(s->app, s->v.replay_clock);
			screen_flash(s,
			    s->v.replay_clock
				? "replay clock: ticks follow the newest event"
				: "wall clock");
			break;
		case 27:
			s->v.chart_ins[0] = '\0';
			if (!sr_query_empty(&s->v.filter)) {
				sr_query_release(&s->v.filter);
				s->v.drill = 0;
				screen_flash(s, "event filter cleared");
			}
			break;
		default:
			break;
		}
	}
	screen_requests(s);
}

static void
screen_on_keys(struct sr_loop *l, int fd, unsigned rev, void *ctx)
{
	struct screen *s = ctx;
	int ch, n = 0;

	(void)fd;
	(void)rev;
	/* bounded: a paste cannot hold the loop */
	while (n++ < 256 && (ch = wgetch(stdscr)) != ERR) {
		screen_key(s, ch);
		if (s->quit)
			break;
	}
	if (s->quit) {
		sr_app_stop(s->app);
		sr_loop_stop(l);
	}
}

static void
screen_idle(void *ctx)
{
	struct screen *s = ctx;

	if (screen_winch) {
		screen_winch = 0;
		screen_resize(s);
	}
	screen_requests(s);
	if (s->v.flash[0] && s->flash_until != 0 &&
	    sr_mono_ms() >= s->flash_until) {
		s->v.flash[0] = '\0';
		s->flash_until = 0;
		s->dirty = 1;
	}
	if (s->dirty && s->shown != NULL)
		screen_draw(s);
	/*
	 * History the panels asked for while drawing: read now, off the
	 * draw path, and drawn on the next iteration (the wake makes it
	 * come at once).
	 */
	if (sr_hreq_pending(s->v.hreq)) {
		(void)sr_hreq_answer(s->v.hreq);
		s->dirty = 1;
		sr_loop_wake(sr_app_loop(s->app));
	}
}

/* ---- set-up and tear-down ---------------------------------------------- */

static const char *const kpi_ids[SR_KPI_COUNT] = {
	"cpu",
	"mem",
	"load",
	"disk",
	"net",
	"events",
	"errors",
	"p95",
	"users",
	"sessions",
};

/*
 * Take the registry: a panel's id is its position (a built-in one must
 * sit at the id it names); its layout entry comes from its ops.
 */
static void
screen_panels(struct screen *s)
{
	sr_tui_layout_panels(s->lpanel, s->lpanels);
}

/* Parse the [tui] tiles= and panels= lists. */
static void
screen_config(struct screen *s, const struct sr_config *cfg)
{
	const char *tiles = cfg->tui.tiles;
	char *copy, *p, *w;

	s->v.ntiles = 0;
	if (tiles != NULL && *tiles) {
		copy = sr_xstrdup(tiles);
		p = copy;
		while ((w = strsep(&p, ", ")) != NULL)
			for (int k = 0; k < SR_KPI_COUNT; k++)
				if (*w && strcmp(w, kpi_ids[k]) == 0 &&
				    s->v.ntiles < SR_KPI_COUNT)
					s->v.tiles[s->v.ntiles++] = k;
		free(copy);
	}
	if (s->v.ntiles == 0)
		for (int k = 0; k < SR_KPI_COUNT; k++)
			s->v.tiles[s->v.ntiles++] = k;
	s->norder = 0;
	if (cfg->tui.panels != NULL && *cfg->tui.panels) {
		copy = sr_xstrdup(cfg->tui.panels);
		p = copy;
		while ((w = strsep(&p, ", ")) != NULL) {
			int id = *w ? sr_layout_panel_by_name(s->lpanels,
					  SR_PANEL__COUNT, w)
				    : -1;

			if (id >= 0 && s->norder < SR_PANEL__COUNT)
				s->order[s->norder++] = (enum sr_panel_id)id;
		}
		free(copy);
	}
}

static int
screen_open(struct screen *s, struct sr_err *err)
{
	struct sigaction sa;
	FILE *in = stdin;
	char bg[256];
	size_t nbg = 0;

	if (!isatty(STDIN_FILENO)) {
		if ((s->tty_in = fopen("/dev/tty", "r")) == NULL)
			return sr_err_set(err,
			    "cannot open '/dev/tty' for "
			    "keys: %s",
			    strerror(errno));
		in = s->tty_in;
	}
	/* our handler first, so ncurses does not install its own */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = screen_on_winch;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGWINCH, &sa, NULL);
	/* ask before curses owns the terminal, and only when it matters */
	if (s->theme == SR_THEME_AUTO && getenv("NO_COLOR") == NULL)
		nbg = screen_query_bg(bg, sizeof(bg));
	screen_fatal.fd = STDOUT_FILENO;
	screen_fatal.have_tio =
	    tcgetattr(STDOUT_FILENO, &screen_fatal.tio) == 0;
	if ((s->scr = newterm(NULL, stdout, in)) == NULL)
		return sr_err_set(err, "cannot start the terminal (TERM=%s)",
		    getenv("TERM") ? getenv("TERM") : "unset");
	set_term(s->scr);
	atexit(screen_atexit);
	/*
	 * One write per frame.  ncurses (6.4) flushes its output buffer
	 * after every cursor move until the screen has once been left and
	 * resumed (endwin, then a refresh), and polls the keyboard before
	 * every line it sends (typeahead): about 80 small writes and 40
	 * polls a frame.  A frame is small; keys wait at most one frame.
	 * Before the modes below: endwin() turns keypad transmit off.
	 */
	typeahead(-1);
	endwin();
	doupdate();
	s->key_fd = fileno(in);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	(void)curs_set(0); /* invisible cursor: not all terminals can */
	s->colour = has_colors() && getenv("NO_COLOR") == NULL;
	if (s->theme == SR_THEME_AUTO && s->colour) {
		const char *why;

		s->theme = sr_theme_auto(bg, nbg, getenv("COLORFGBG"), &why);
		snprintf(s->theme_why, sizeof(s->theme_why),
		    "theme auto: %s, from %s", sr_theme_name(s->theme), why);
	} else if (s->theme == SR_THEME_AUTO) {
		s->theme = SR_THEME_DEFAULT; /* drawn in mono */
		snprintf(s->theme_why, sizeof(s->theme_why),
		    "theme auto: mono, no colours (NO_COLOR or terminal)");
	}
	if (s->colour) {
		start_color();
		use_default_colors();
	}
	screen_theme(s);
	if (s->mouse) {
		mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON4_PRESSED |
			BUTTON5_PRESSED,
		    NULL);
		mouseinterval(0);
	}
	screen_fatal_install(s->mouse);
	return 0;
}

int
sr_tui_run(struct sr_app *app, const struct sr_tui_opts *o, struct sr_err *err)
{
	static const int winch[] = { SIGWINCH };
	const struct sr_config *cfg = sr_app_config(app);
	struct screen *s = sr_xcalloc(1, sizeof(*s));
	const char *layout = o->layout ? o->layout : cfg->tui.layout;
	const char *theme = o->theme ? o->theme : cfg->tui.theme;
	struct sr_err herr;
	int rc = -1, t;

	setlocale(LC_ALL, "");
	s->app = app;
	s->cfg.view = &s->v;
	s->v.req_focus = -1;
	s->v.focus = -1;
	s->v.window = SR_TUI_WIN_5M;
	s->v.interval_ms = sr_app_interval_ms(app);
	s->v.replay_clock = sr_app_replay_clock(app);
	s->v.utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0 && !o->ascii &&
	    !cfg->tui.ascii;
	s->v.glyphs = s->v.utf8 ? SR_GLYPH_BLOCK : SR_GLYPH_ASCII;
	s->frames = sr_tui_frames_new(SR_TUI_FRAMES_MAX,
	    cfg->tui.history_bytes > 0 ? (size_t)cfg->tui.history_bytes : 1);
	s->mouse = cfg->tui.mouse && !o->no_mouse;
	s->bell = o->bell;
	sr_buf_init(&s->pbuf);
	sr_query_init(&s->v.filter);
	s->kind = SR_LAYOUT_FULL;
	if (layout != NULL && strcmp(layout, "auto") != 0 &&
	    sr_layout_parse(layout, &s->kind) == -1) {
		sr_err_set(err,
		    "unknown layout '%s' (full, compact, events, "
		    "system)",
		    layout);
		goto out;
	}
	s->theme = SR_THEME_AUTO;
	if (theme != NULL && (t = sr_tui_theme_parse(theme)) >= 0)
		s->theme = t;
	screen_panels(s);
	screen_config(s, cfg);
	snprintf(s->layout_why, sizeof(s->layout_why),
	    "layout         %s preset (--layout; [layout] panels: your own)",
	    sr_layout_name(s->kind));
	/* [layout] unless --layout names a preset; a bad one: the preset */
	if (o->layout == NULL && cfg->layout.panels != NULL &&
	    *cfg->layout.panels != '\0') {
		char lerr[400];

		if (sr_layout_spec_parse(s->lpanels, SR_PANEL__COUNT,
			cfg->layout.panels, &s->spec, lerr, sizeof(lerr)) < 0) {
			fprintf(stderr,
			    "sitrep: [layout] panels: %s; using the %s "
			    "layout\n",
			    lerr, sr_layout_name(s->kind));
			snprintf(s->v.flash, sizeof(s->v.flash),
			    "[layout] panels: %.200s; the %s layout", lerr,
			    sr_layout_name(s->kind));
			s->flash_until = sr_mono_ms() + 20000;
		} else {
			char text[128];

			sr_layout_spec_text(s->lpanels, &s->spec, text,
			    sizeof(text));
			snprintf(s->layout_why, sizeof(s->layout_why),
			    "layout         [layout] %s", text);
		}
	}
	/* history for 1 h / 24 h charts; none for :memory: */
	s->v.history = sr_app_open_history(app, &herr);
	s->v.hreq = sr_hreq_new(s->v.history);
	for (int i = 0; sr_panels[i] != NULL; i++) {
		s->ops[i] = sr_panels[i];
		s->cfg.id = i; /* read by create(), not kept */
		s->state[i] = sr_panels[i]->create(&s->cfg);
	}
	if (screen_open(s, err) == -1)
		goto out;
	if (sr_loop_block_signals(sr_app_loop(app), winch, 1, err) == -1 ||
	    sr_loop_add_fd(sr_app_loop(app), s->key_fd, SR_LOOP_READ,
		screen_on_keys, s, err) == -1)
		goto out;
	screen_resize(s);
	s->shown = sr_app_snapshot_ref(app);
	sr_app_on_publish(app, screen_publish, s);
	sr_app_on_idle(app, screen_idle, s);
	rc = sr_app_run(app, err);
	sr_app_on_publish(app, NULL, NULL);
	sr_app_on_idle(app, NULL, NULL);
	sr_loop_del_fd(sr_app_loop(app), s->key_fd);
out:
	if (s->scr != NULL) {
		for (int i = 0; i < SR_PANEL__COUNT; i++)
			if (s->win[i] != NULL)
				delwin(s->win[i]);
		if (s->overlay != NULL)
			delwin(s->overlay);
		endwin();
		screen_fatal_remove();
		delscreen(s->scr);
	}
	if (s->tty_in != NULL)
		(void)fclose(s->tty_in); /* read-only */
	for (int i = 0; i < SR_PANEL__COUNT; i++)
		if (s->ops[i] != NULL && s->state[i] != NULL)
			s->ops[i]->destroy(s->state[i]);
	sr_tui_frames_free(s->frames);
	sr_snapshot_unref(s->live);
	sr_snapshot_unref(s->shown);
	sr_snapshot_unref(s->shown_base);
	sr_hreq_free(s->v.hreq);
	sr_store_close(s->v.history);
	sr_query_release(&s->v.filter);
	sr_buf_release(&s->pbuf);
	for (int i = 0; i < s->phist_n; i++)
		free(s->phist[i]);
	free(s);
	return rc;
}

char *
sr_tui_lib_version(void)
{
	char built[32];
	const char *run = curses_version(); /* "ncurses 6.4.20221231" */

	snprintf(built, sizeof built, "%s.%d", NCURSES_VERSION,
	    NCURSES_VERSION_PATCH);
	if (strncmp(run, "ncurses ", 8) == 0)
		run += 8;
	return sr_lib_version("ncurses", run, built);
}
