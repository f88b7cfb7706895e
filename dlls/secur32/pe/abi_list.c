/*
 * The one reader of the list encoding (see abi_list.h): each string is a
 * little-endian uint32_t length and that many bytes.  A length that runs
 * past the data ends the list rather than reading beyond it.
 */
#include "abi_list.h"

static uint32_t get_le32(const uint8_t *in)
{
    return in[0] | (uint32_t)in[1] << 8 | (uint32_t)in[2] << 16 | (uint32_t)in[3] << 24;
}

int schan_list_next(struct schan_list *list, const uint8_t **item, uint32_t *len)
{
    uint32_t left = list->pos <= list->size ? list->size - list->pos : 0;
    uint32_t n;

    if (list->index >= list->count || left < 4)
        return 0;
    n = get_le32(list->data + list->pos);
    if (n > left - 4)
        return 0;
    *item = list->data + list->pos + 4;
    *len = n;
    list->pos += 4 + n;
    list->index++;
    return 1;
}
