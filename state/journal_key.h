/*
 * journal_key.h: how the journal's indexes are keyed, shared by
 * state/journal.c (writing, pruning) and state/journal_page.c (reading
 * pages); no other file may use it. The module's public face is
 * state/journal.h.
 *
 * An event is stored in DB_JOURNAL under its sequence number (a uint64 in
 * host order). DB_JOURNAL_WS indexes it by ws NUL be64(seq), the value
 * its type's one-byte code; DB_JOURNAL_TYPE by ws NUL code be64(seq),
 * with an empty value.
 */
#ifndef FZ_JOURNAL_KEY_H
#define FZ_JOURNAL_KEY_H

#include <stddef.h>
#include <stdint.h>

/* Returns the JOURNAL_T_* bit of a stored type code, or 0. */
unsigned	journal_code_bit(unsigned char code);

/* Returns the code of the type mask names if it names exactly one type,
 * else -1. */
int	journal_mask_code(unsigned mask);

/* Writes an index key for ws (a NUL-terminated id shorter than
 * FZ_ID_SIZE), code (-1: none, the (ws) index) and seq into buf, which
 * holds FZ_ID_SIZE + 10 bytes. Returns its length. */
size_t	journal_ikey(unsigned char *buf, const char *ws, int code,
	    uint64_t seq);

#endif
