/*
 * text.h: checks on untrusted text before it is stored or echoed, and
 * the one number formatting the answers' fields need.
 */
#ifndef FZ_TEXT_H
#define FZ_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* Returns 1 if s[0..len-1] is well-formed UTF-8 (no overlong forms, no
 * surrogates, nothing above U+10FFFF, no NUL), else 0. Any thread. */
int	text_utf8_valid(const char *s, size_t len);

/* Returns 1 if s[0..len-1] (valid UTF-8) holds a control character:
 * C0 (newline and tab allowed when multiline), DEL, or C1
 * (U+0080..U+009F, which terminals honour too). Any thread. */
int	text_has_control(const char *s, size_t len, int multiline);

/* Returns 1 if s is a usable display name: valid UTF-8, 1..max bytes,
 * no control characters, not only blanks; else 0. Any thread. */
int	text_name_valid(const char *s, size_t max);

/* Returns 1 if s is a real calendar date "YYYY-MM-DD" (years 1900..9999,
 * leap years honoured), else 0. Any thread. */
int	text_date_valid(const char *s);

/* Longest email address accepted (RFC 5321 path limit), with NUL. */
#define TEXT_EMAIL_SIZE	255

/*
 * Trims blanks around s and lower-cases it into out (TEXT_EMAIL_SIZE
 * bytes): the form in which emails are compared and stored, so
 * "Jane@Example.com" and "jane@example.com" are one address while
 * "jane+x@example.com" stays another. Returns 0, or FZ_EINVAL unless the
 * result is one local part, '@' and a dotted domain without blanks or
 * control characters.
 */
int	text_email_normalize(const char *s, char *out);

/*
 * Writes s[0..len-1] (UTF-8) lower-cased into out (len + 1 bytes, NUL
 * added): ASCII letters and those of Latin-1, Latin Extended-A, Greek
 * and Cyrillic whose lower case has the same UTF-8 length; every other
 * byte as it is. The form in which searches compare names, so the
 * result keeps its length and a match in it is one in s. Any thread.
 */
void	text_fold(const char *s, size_t len, char *out);

/* Room for any uint64_t in decimal, with NUL. */
#define TEXT_U64_SIZE	21

/* Writes v in decimal, NUL-terminated, into buf (TEXT_U64_SIZE bytes)
 * and returns its length. For headers on every answer's path, where
 * snprintf costs more than the rest of the field. Any thread. */
size_t	text_u64(char *buf, uint64_t v);

#endif
