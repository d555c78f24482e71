#ifndef APPSNAP_CNCURSESW_SHIM_H
#define APPSNAP_CNCURSESW_SHIM_H
#define _XOPEN_SOURCE_EXTENDED 1
#include <locale.h>
#include <ncursesw/curses.h>
#endif
