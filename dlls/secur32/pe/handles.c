/*
 * Credential and context handles.  A SecHandle names a slot and the slot's
 * generation: dwLower = slot index + 1, dwUpper = generation << 4 | type.
 * Freeing a slot bumps its generation, so a stale, forged or wrongly typed
 * handle never reaches an object.  Objects are reference counted: a call
 * that looked a handle up keeps its object alive even if another thread
 * frees the handle meanwhile.  The table holds one reference of its own;
 * whoever created an object releases the creation reference when done.
 */
#include "secur32_private.h"

#define GENERATION_LIMIT 0x07ffffffu   /* keeps dwUpper away from ~0 (SecInvalidateHandle) */

struct slot {
    struct handle_object *obj;
    UINT32 generation;
    UINT32 next_free;                 /* index + 1 of the next free slot, 0 = none */
};

static struct rw_lock table_lock = RW_LOCK_INIT;
static struct slot *slots;
static UINT32 slot_capacity;
static UINT32 first_free;             /* index + 1, 0 = none */

void handle_object_init(struct handle_object *obj, enum handle_type type,
                        void (*destroy)(struct handle_object *obj))
{
    obj->refs = 1;
    obj->type = type;
    obj->destroy = destroy;
}

static BOOL grow_table(void)
{
    UINT32 new_capacity = slot_capacity ? slot_capacity * 2 : 64, i;
    struct slot *grown;

    if (new_capacity > (1u << 24))
        return FALSE;
    grown = slots ? HeapReAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, slots, new_capacity * sizeof(*grown))
                  : heap_alloc_zero(new_capacity * sizeof(*grown));
    if (!grown)
        return FALSE;
    for (i = slot_capacity; i < new_capacity; i++)
    {
        grown[i].generation = 1;
        grown[i].next_free = (i + 1 < new_capacity) ? i + 2 : first_free;
    }
    first_free = slot_capacity + 1;
    slots = grown;
    slot_capacity = new_capacity;
    return TRUE;
}

BOOL handle_insert(struct handle_object *obj, SecHandle *handle)
{
    struct slot *slot;
    UINT32 index;

    rw_lock_exclusive(&table_lock);
    if (!first_free && !grow_table())
    {
        rw_unlock_exclusive(&table_lock);
        return FALSE;
    }
    index = first_free - 1;
    slot = &slots[index];
    first_free = slot->next_free;
    slot->obj = obj;
    InterlockedIncrement(&obj->refs);   /* the table's own reference */
    slot->next_free = 0;
    handle->dwLower = index + 1;
    handle->dwUpper = ((ULONG_PTR)slot->generation << 4) | obj->type;
    rw_unlock_exclusive(&table_lock);
    return TRUE;
}

/* The slot a handle names, or NULL; caller holds the lock. */
static struct slot *find_slot(const SecHandle *handle, enum handle_type type)
{
    ULONG_PTR index, generation;
    struct slot *slot;

    if (!handle || !handle->dwLower || (handle->dwUpper & 0xf) != (ULONG_PTR)type)
        return NULL;
    index = handle->dwLower - 1;
    generation = handle->dwUpper >> 4;
    if (index >= slot_capacity)
        return NULL;
    slot = &slots[index];
    if (!slot->obj || slot->generation != generation)
        return NULL;
    return slot;
}

struct handle_object *handle_ref(const SecHandle *handle, enum handle_type type)
{
    struct handle_object *obj = NULL;
    struct slot *slot;

    rw_lock_shared(&table_lock);
    if ((slot = find_slot(handle, type)))
    {
        obj = slot->obj;
        InterlockedIncrement(&obj->refs);
    }
    rw_unlock_shared(&table_lock);
    return obj;
}

void handle_release(struct handle_object *obj)
{
    if (obj && !InterlockedDecrement(&obj->refs))
        obj->destroy(obj);
}

BOOL handle_remove(const SecHandle *handle, enum handle_type type)
{
    struct handle_object *obj = NULL;
    struct slot *slot;

    rw_lock_exclusive(&table_lock);
    if ((slot = find_slot(handle, type)))
    {
        obj = slot->obj;
        slot->obj = NULL;
        if (++slot->generation > GENERATION_LIMIT)
            slot->generation = 1;
        slot->next_free = first_free;
        first_free = (UINT32)(slot - slots) + 1;
    }
    rw_unlock_exclusive(&table_lock);
    handle_release(obj);
    return obj != NULL;
}
