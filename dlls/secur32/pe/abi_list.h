/*
 * Reading the list encoding of GET_PEER_CERTS and GET_ISSUERS
 * (include/schan_unix_abi.h).  Plain C with no Windows types, so the
 * native unit tests read lists with the same code as the DLL
 * (tests/unit/test_abi_list.c); bridge.c fetches them (unix_call_list).
 */
#ifndef ABI_LIST_H
#define ABI_LIST_H

#include <stdint.h>

struct schan_list {
    uint8_t *data;      /* the encoded list, `size` bytes; the owner frees it */
    uint32_t size;
    uint32_t count;     /* strings the Unix half listed */
    uint32_t index;     /* reading: strings read so far */
    uint32_t pos;       /* reading: offset of the next one */
};

/* The next string of the list: 1 with *item and *len set, 0 once `count`
 * strings were read or when the rest of the data cannot hold the next. */
int schan_list_next(struct schan_list *list, const uint8_t **item, uint32_t *len);

#endif /* ABI_LIST_H */
