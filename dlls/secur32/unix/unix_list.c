/*
 * The one writer of the list encoding that GET_PEER_CERTS and GET_ISSUERS
 * answer with (include/schan_unix_abi.h; the PE half reads it in
 * pe/abi_list.c), and the one body of both calls: each only says which
 * byte strings of the session it lists.
 */
#include <string.h>

#include "unix_private.h"

static void put_le32(uint8_t *out, uint32_t value)
{
    out[0] = value & 0xff;
    out[1] = (value >> 8) & 0xff;
    out[2] = (value >> 16) & 0xff;
    out[3] = value >> 24;
}

void schan_list_put(struct schan_get_peer_certs_params *p, const gnutls_datum_t *items, unsigned int count)
{
    uint64_t needed = 0;
    uint8_t *out = SCHAN_PTR(p->buffer);

    for (unsigned int i = 0; i < count; i++)
        needed += 4 + (uint64_t)items[i].size;
    p->count = 0;
    p->needed = 0;
    if (needed > UINT32_MAX)
    {
        p->status = SCHAN_SEC_E_INTERNAL_ERROR;
        return;
    }
    p->count = count;
    p->needed = (uint32_t)needed;
    p->status = SCHAN_SEC_E_OK;
    if (!needed)
        return;   /* empty: nothing to write, buffer or not */
    if (!out || p->size < needed)
    {
        p->status = SCHAN_SEC_E_BUFFER_TOO_SMALL;
        return;
    }
    for (unsigned int i = 0; i < count; i++)
    {
        put_le32(out, items[i].size);
        if (items[i].size)
            memcpy(out + 4, items[i].data, items[i].size);
        out += 4 + items[i].size;
    }
}

unix_status schan_list_call(void *args, const gnutls_datum_t *(*items)(struct schan_session *, unsigned int *))
{
    struct schan_get_peer_certs_params *p = args;
    struct schan_session *session = SCHAN_PTR(p->session);
    const gnutls_datum_t *list;
    unsigned int count = 0;

    if (!session)
        return (unix_status)SCHAN_STATUS_INVALID_PARAMETER;
    list = items(session, &count);
    schan_list_put(p, list, list ? count : 0);
    return (unix_status)SCHAN_STATUS_SUCCESS;
}
