// A proof sent over SMTP by libcurl, which speaks STARTTLS, implicit TLS, AUTH and
// dot-stuffing, and reports each failure with the server's reply. Loaded when a proof is
// sent rather than when Bulletin starts (see CBulletinVips: every shared library linked
// costs every command its loading). Its types and constants come from <curl/curl.h>.
#define _GNU_SOURCE
#include "bulletin_smtp.h"

#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static struct {
    CURLcode (*global_init)(long);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_perform)(CURL *);
    void (*easy_cleanup)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
} curl;

static char load_error[512];
static int loaded = -1;
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

static void load(void) {
    void *library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        snprintf(load_error, sizeof load_error, "libcurl could not be loaded (%s): install it (Debian: apt-get install libcurl4)", dlerror());
        loaded = 0;
        return;
    }
#define LOOK_UP(field, name)                                                                  \
    if (!(*(void **)&curl.field = dlsym(library, name))) {                                    \
        snprintf(load_error, sizeof load_error, "libcurl lacks %s: install libcurl 7.x or later", name); \
        loaded = 0;                                                                           \
        return;                                                                               \
    }
    LOOK_UP(global_init, "curl_global_init")
    LOOK_UP(easy_init, "curl_easy_init")
    LOOK_UP(easy_setopt, "curl_easy_setopt")
    LOOK_UP(easy_perform, "curl_easy_perform")
    LOOK_UP(easy_cleanup, "curl_easy_cleanup")
    LOOK_UP(easy_strerror, "curl_easy_strerror")
    LOOK_UP(slist_append, "curl_slist_append")
    LOOK_UP(slist_free_all, "curl_slist_free_all")
#undef LOOK_UP
    loaded = curl.global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
    if (!loaded) snprintf(load_error, sizeof load_error, "libcurl could not start");
}

struct reader {
    const char *bytes;
    size_t left;
};

static size_t read_message(char *buffer, size_t size, size_t count, void *context) {
    struct reader *reader = context;
    size_t length = size * count < reader->left ? size * count : reader->left;
    memcpy(buffer, reader->bytes, length);
    reader->bytes += length;
    reader->left -= length;
    return length;
}

int bulletin_smtp_send(
    const char *url, int security, const char *username, const char *password, const char *from,
    const char *const *recipients, int count, const char *message, size_t length, long timeout_seconds,
    char *error, size_t error_size) {
    pthread_once(&load_once, load);
    if (!loaded) {
        snprintf(error, error_size, "%s", load_error);
        return -1;
    }
    CURL *handle = curl.easy_init();
    if (!handle) {
        snprintf(error, error_size, "libcurl could not start");
        return -1;
    }
    char details[CURL_ERROR_SIZE] = "";
    struct curl_slist *to = NULL;
    for (int index = 0; index < count; index++) to = curl.slist_append(to, recipients[index]);
    struct reader reader = {message, length};
    curl.easy_setopt(handle, CURLOPT_URL, url);
    curl.easy_setopt(handle, CURLOPT_USE_SSL, (long)(security == BULLETIN_SMTP_LOOPBACK ? CURLUSESSL_TRY : CURLUSESSL_ALL));
    if (username) {
        curl.easy_setopt(handle, CURLOPT_USERNAME, username);
        curl.easy_setopt(handle, CURLOPT_PASSWORD, password ? password : "");
    }
    curl.easy_setopt(handle, CURLOPT_MAIL_FROM, from);
    curl.easy_setopt(handle, CURLOPT_MAIL_RCPT, to);
    curl.easy_setopt(handle, CURLOPT_READFUNCTION, read_message);
    curl.easy_setopt(handle, CURLOPT_READDATA, &reader);
    curl.easy_setopt(handle, CURLOPT_UPLOAD, 1L);
    curl.easy_setopt(handle, CURLOPT_INFILESIZE_LARGE, (curl_off_t)length);
    curl.easy_setopt(handle, CURLOPT_CONNECTTIMEOUT, timeout_seconds);
    curl.easy_setopt(handle, CURLOPT_TIMEOUT, timeout_seconds);
    curl.easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
    curl.easy_setopt(handle, CURLOPT_ERRORBUFFER, details);
    CURLcode result = curl.easy_perform(handle);
    curl.slist_free_all(to);
    curl.easy_cleanup(handle);
    if (result == CURLE_OK) return 0;
    const char *reason = curl.easy_strerror(result);
    size_t end = strlen(details);
    while (end > 0 && (details[end - 1] == '\n' || details[end - 1] == '\r')) details[--end] = 0;
    if (end > 0 && strcmp(details, reason) != 0) {
        snprintf(error, error_size, "%s: %s", reason, details);
    } else {
        snprintf(error, error_size, "%s", reason);
    }
    return -1;
}
