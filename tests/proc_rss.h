/* Resident memory of this process from /proc/self/statm, in bytes (0 when
 * unreadable); for the native stress and bench programs. */
#ifndef PROC_RSS_H
#define PROC_RSS_H

#include <stdio.h>
#include <unistd.h>

static inline long proc_rss_bytes(void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");

    if (f)
    {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    return resident * sysconf(_SC_PAGESIZE);
}

#endif
