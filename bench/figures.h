/*
 * The output both sides of `make bench` print (bench_sspi.c under Wine,
 * raw_gnutls.c natively): "figure NAME VALUE" lines that bench/report.py
 * reads, and cpu_now(), the process's CPU time, which both sides count the
 * same way (user + system).
 */
#ifndef BENCH_FIGURES_H
#define BENCH_FIGURES_H

#include <stdio.h>
#ifdef _WIN32
#include <windows.h>
#else
#include <time.h>
#endif

static double cpu_now(void)
{
#ifdef _WIN32
    FILETIME created, exited, kernel, user;
    ULARGE_INTEGER k, u;

    if (!GetProcessTimes(GetCurrentProcess(), &created, &exited, &kernel, &user))
        return 0;
    k.LowPart = kernel.dwLowDateTime; k.HighPart = kernel.dwHighDateTime;
    u.LowPart = user.dwLowDateTime; u.HighPart = user.dwHighDateTime;
    return (double)(k.QuadPart + u.QuadPart) / 1e7;
#else
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
#endif
}

static void figure(const char *name, double value)
{
    printf("figure %s %.6g\n", name, value);
    fflush(stdout);
}

/* A rate by wall clock and, as NAME_cpu, by the process's CPU time. */
static void rate_figures(const char *name, double amount, double wall, double cpu)
{
    char cpu_name[64];

    figure(name, amount / wall);
    snprintf(cpu_name, sizeof(cpu_name), "%s_cpu", name);
    if (cpu > 0)
        figure(cpu_name, amount / cpu);
}

#endif
