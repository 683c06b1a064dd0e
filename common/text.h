/*
 * text.h: checks on untrusted text before it is stored or echoed.
 */
#ifndef FZ_TEXT_H
#define FZ_TEXT_H

#include <stddef.h>

/* Returns 1 if s[0..len-1] is well-formed UTF-8 (no overlong forms, no
 * surrogates, nothing above U+10FFFF, no NUL), else 0. Any thread. */
int	text_utf8_valid(const char *s, size_t len);

/* Returns 1 if s is a usable display name: valid UTF-8, 1..max bytes,
 * no control characters, not only blanks; else 0. Any thread. */
int	text_name_valid(const char *s, size_t max);

#endif
