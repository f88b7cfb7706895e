/*
 * The reader/writer lock of the handle table and of Schannel's contexts.
 *
 * Wine's SRW locks call RtlWakeAddress* on every release, waiter or not
 * (a process-wide lock and a hash lookup), which made the locks a visible
 * part of each EncryptMessage/DecryptMessage.  This one is a single word:
 * taking and releasing it costs one interlocked operation each way, and
 * only a thread that has to wait marks the word so that the releaser wakes
 * it (RtlWaitOnAddress/RtlWakeAddressAll).  Like an SRW lock it is not
 * recursive and prefers writers: once a writer asks, new readers wait.
 */
#include "secur32_private.h"

#define RW_READERS 0x0fffffff   /* the readers that hold the lock */
#define RW_WAITING 0x20000000   /* somebody sleeps on the word */
#define RW_WRITER  0x40000000   /* a writer holds it or waits for the readers to leave */

NTSTATUS NTAPI RtlWaitOnAddress(const void *addr, const void *compare, SIZE_T size, const LARGE_INTEGER *timeout);
void NTAPI RtlWakeAddressAll(const void *addr);

/* Sleeps until the word is no longer `seen`, after marking it waited on;
 * returns at once if it changed meanwhile. */
static void wait_for_change(struct rw_lock *l, LONG seen)
{
    if (!(seen & RW_WAITING))
    {
        if (InterlockedCompareExchange(&l->word, seen | RW_WAITING, seen) != seen)
            return;
        seen |= RW_WAITING;
    }
    RtlWaitOnAddress((const void *)&l->word, &seen, sizeof(seen), NULL);
}

void rw_lock_shared(struct rw_lock *l)
{
    for (;;)
    {
        LONG seen = l->word;

        if (seen & RW_WRITER)
            wait_for_change(l, seen);
        else if (InterlockedCompareExchange(&l->word, seen + 1, seen) == seen)
            return;
    }
}

void rw_unlock_shared(struct rw_lock *l)
{
    LONG now = InterlockedDecrement(&l->word);

    /* the last reader out, and a writer waits for that */
    if ((now & RW_WAITING) && (now & RW_WRITER) && !(now & RW_READERS))
        RtlWakeAddressAll((const void *)&l->word);
}

void rw_lock_exclusive(struct rw_lock *l)
{
    LONG seen;

    for (;;)
    {
        seen = l->word;
        if (seen & RW_WRITER)
            wait_for_change(l, seen);
        else if (InterlockedCompareExchange(&l->word, seen | RW_WRITER, seen) == seen)
            break;
    }
    while ((seen = l->word) & RW_READERS)
        wait_for_change(l, seen);
}

void rw_unlock_exclusive(struct rw_lock *l)
{
    /* no reader can hold it now: the word is RW_WRITER and maybe RW_WAITING */
    if (InterlockedAnd(&l->word, ~(RW_WRITER | RW_WAITING)) & RW_WAITING)
        RtlWakeAddressAll((const void *)&l->word);
}
