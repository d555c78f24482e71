#ifndef APPSNAP_CNCURSESW_SHIM_H
#define APPSNAP_CNCURSESW_SHIM_H
#define _XOPEN_SOURCE_EXTENDED 1
#include <locale.h>
#include <langinfo.h>
#include <wchar.h>
#include <ncursesw/curses.h>

/* The attribute and colour macros are built with NCURSES_BITS, which Swift cannot import. */
static inline attr_t appsnap_a_normal(void) { return A_NORMAL; }
static inline attr_t appsnap_a_bold(void) { return A_BOLD; }
static inline attr_t appsnap_a_dim(void) { return A_DIM; }
static inline attr_t appsnap_a_underline(void) { return A_UNDERLINE; }
static inline attr_t appsnap_a_reverse(void) { return A_REVERSE; }
static inline attr_t appsnap_a_italic(void) { return A_ITALIC; }

static inline int appsnap_colors(void) { return COLORS; }
static inline int appsnap_color_pairs(void) { return COLOR_PAIRS; }
static inline int appsnap_lines(void) { return LINES; }
static inline int appsnap_cols(void) { return COLS; }
static inline int appsnap_err(void) { return ERR; }
static inline int appsnap_key_code_yes(void) { return KEY_CODE_YES; }

/* init_extended_pair exists from ncurses 6.1; older ones get init_pair, limited to shorts. */
static inline int appsnap_init_pair(int pair, int fg, int bg) {
#if NCURSES_VERSION_MAJOR > 6 || (NCURSES_VERSION_MAJOR == 6 && NCURSES_VERSION_MINOR >= 1)
    return init_extended_pair(pair, fg, bg);
#else
    return init_pair((short)pair, (short)fg, (short)bg);
#endif
}

/* One cell: setcchar with an extended colour pair passed through `opts`, then draw it. */
static inline int appsnap_put_cell(int y, int x, const wchar_t *wch, attr_t attrs, int pair) {
    cchar_t cc;
    int p = pair;
    if (setcchar(&cc, wch, attrs, (short)(pair < 32767 ? pair : 0), &p) != OK) return ERR;
    return mvwadd_wch(stdscr, y, x, &cc);
}
#endif
