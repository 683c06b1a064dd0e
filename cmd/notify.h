/*
 * notify.h: the systemd notification protocol, spoken directly: one
 * datagram per message to the AF_UNIX socket named by NOTIFY_SOCKET
 * ('@' for the abstract namespace). Without NOTIFY_SOCKET every call is
 * a successful no-op, so the daemon runs the same by hand.
 */
#ifndef FZ_NOTIFY_H
#define FZ_NOTIFY_H

#include <stdint.h>

/* Sends msg ("READY=1", "STOPPING=1", "WATCHDOG=1", "STATUS=..."; lines
 * separated by '\n'). Returns 0, or FZ_ESYS if the socket refused it.
 * Never blocks. */
int	notify_send(const char *msg);

/* Returns the watchdog interval in microseconds systemd expects pings
 * within (WATCHDOG_USEC, when WATCHDOG_PID is unset or ours), or 0. */
uint64_t	notify_watchdog_usec(void);

#endif
