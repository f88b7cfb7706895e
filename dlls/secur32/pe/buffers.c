/* SecBufferDesc helpers for every package: buffers are found by type, the
 * SECBUFFER_ATTRMASK flags ignored, never by hand-written loops. */
#include "secur32_private.h"

/* The first buffer of `type` at or after index `start`, or NULL. */
SecBuffer *buffer_find(PSecBufferDesc desc, ULONG type, ULONG start)
{
    ULONG i;

    if (!desc || !desc->pBuffers)
        return NULL;
    for (i = start; i < desc->cBuffers; i++)
        if ((desc->pBuffers[i].BufferType & ~SECBUFFER_ATTRMASK) == type)
            return &desc->pBuffers[i];
    return NULL;
}

/* The next buffer of `type` after `prev` (NULL: the first). */
SecBuffer *buffer_next(PSecBufferDesc desc, ULONG type, const SecBuffer *prev)
{
    return buffer_find(desc, type, prev ? (ULONG)(prev - desc->pBuffers) + 1 : 0);
}

ULONG buffer_count(PSecBufferDesc desc, ULONG type)
{
    const SecBuffer *b = NULL;
    ULONG n = 0;

    while ((b = buffer_next(desc, type, b)))
        n++;
    return n;
}
