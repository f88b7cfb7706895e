/* SecBufferDesc helpers. */
#include "schannel_private.h"

/* The first buffer of `type` at or after index `start` (type compared without
 * the SECBUFFER_ATTRMASK flags), or NULL. */
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

int buffer_index(PSecBufferDesc desc, ULONG type)
{
    SecBuffer *b = buffer_find(desc, type, 0);
    return b ? (int)(b - desc->pBuffers) : -1;
}
