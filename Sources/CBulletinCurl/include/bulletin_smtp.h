#ifndef BULLETIN_SMTP_H
#define BULLETIN_SMTP_H

#include <stddef.h>

/// How the connection is encrypted.
enum bulletin_smtp_security {
    /// STARTTLS when the server offers it, else plain: for a server on loopback only.
    BULLETIN_SMTP_LOOPBACK = 0,
    /// STARTTLS, required (`smtp://`, port 587).
    BULLETIN_SMTP_STARTTLS = 1,
    /// TLS from the first byte (`smtps://`, port 465).
    BULLETIN_SMTP_IMPLICIT_TLS = 2,
};

/// Sends `message` (`length` bytes, lines ended by CRLF) from `from` to the `count`
/// addresses of `recipients` through the server at `url` (`smtp://host:port` or
/// `smtps://host:port`), logging in when `username` is not NULL. Gives up after
/// `timeout_seconds`. Returns 0 when the server took the message; else writes why into
/// `error` (`error_size` bytes) and returns -1. libcurl (libcurl.so.4) is loaded on the
/// first call.
int bulletin_smtp_send(
    const char *url, int security, const char *username, const char *password, const char *from,
    const char *const *recipients, int count, const char *message, size_t length, long timeout_seconds,
    char *error, size_t error_size);

#endif
