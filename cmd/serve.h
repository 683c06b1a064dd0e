/*
 * serve.h: "fzrelay serve", the daemon's life: configuration, state,
 * the edge on the event loop, systemd notification, signals.
 */
#ifndef FZ_SERVE_H
#define FZ_SERVE_H

/* Runs the daemon with argv after "serve". Returns the process exit
 * status: 0 after a clean shutdown, 78 for a bad configuration, 1 for
 * any other failure to start. */
int	serve_main(int argc, char *argv[]);

#endif
