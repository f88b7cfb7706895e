/*
 * Minimal TAP producer shared by the native unit tests and the Windows
 * conformance tests.  Each check prints "ok N - name" or "not ok N - name";
 * tap_done() prints the plan and returns the exit status.
 */
#ifndef TESTS_TAP_H
#define TESTS_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tap_count;
static int tap_failed;

static inline int tap_vcheck(int cond, const char *fmt, va_list ap)
{
    tap_count++;
    if (!cond)
        tap_failed++;
    printf("%sok %d - ", cond ? "" : "not ", tap_count);
    vprintf(fmt, ap);
    printf("\n");
    fflush(stdout);
    return cond;
}

/* ok(cond, "what is checked %d", ...): one test point. Returns cond. */
static inline int ok(int cond, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tap_vcheck(cond, fmt, ap);
    va_end(ap);
    return cond;
}

/* A diagnostic line, shown by the TAP driver in the log. */
static inline void diag(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("# ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    fflush(stdout);
}

/* Compare two 32-bit codes and print both in hex when they differ. */
#define ok_hex(got, want, ...) \
    do { \
        unsigned long ok_hex_g_ = (unsigned long)(unsigned int)(got), ok_hex_w_ = (unsigned long)(unsigned int)(want); \
        if (!ok(ok_hex_g_ == ok_hex_w_, __VA_ARGS__)) \
            diag("  got 0x%08lx, want 0x%08lx", ok_hex_g_, ok_hex_w_); \
    } while (0)

/* Skip one test point (counts as passed by the TAP driver as SKIP). */
static inline void skip(const char *why)
{
    tap_count++;
    printf("ok %d # SKIP %s\n", tap_count, why);
    fflush(stdout);
}

/* Abort the whole test file. */
static inline int bail_out(const char *why)
{
    printf("Bail out! %s\n", why);
    fflush(stdout);
    return 99;
}

static inline int tap_done(void)
{
    printf("1..%d\n", tap_count);
    fflush(stdout);
    return tap_failed ? 1 : 0;
}

#endif /* TESTS_TAP_H */
