/*
 * The output both sides of `make bench` print (bench_sspi.c under Wine,
 * raw_gnutls.c natively): "figure NAME VALUE" lines that bench/report.py
 * reads.  Each program supplies cpu_now(), its process CPU time.
 */
#ifndef BENCH_FIGURES_H
#define BENCH_FIGURES_H

#include <stdio.h>

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
