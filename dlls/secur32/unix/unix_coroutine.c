/*
 * A stack of our own, switched to and from on the caller's thread
 * (makecontext/swapcontext), so that a GnuTLS callback can return to the
 * HANDSHAKE call's caller and be continued by a later call (unix_certreq.c).
 *
 * Nothing runs on another thread: Wine's per-thread state (the TEB, its debug
 * buffers) stays the caller's.  A paused coroutine may be run again by a
 * call on another thread (a .NET thread pool does that): the stack is ours,
 * and it then goes on as part of that thread (tests/unit: "from another
 * thread").  While on our stack all asynchronous signals
 * are blocked, as Wine's handlers take any stack that is not its own for PE
 * code; faults still reach them.  Stacks are mmap'd with a guard page below
 * and a few are kept for the next handshake, so their pages stay mapped.
 */
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include "unix_private.h"

#if defined(__SANITIZE_ADDRESS__)
#define SCHAN_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SCHAN_ASAN 1
#endif
#endif

#ifdef SCHAN_ASAN
#include <sanitizer/common_interface_defs.h>
#define CO_STACK_SIZE (2u << 20)   /* ASan's frames are several times larger */
#else
/* GnuTLS, nettle and GMP (whose temporaries use alloca) with room to spare:
 * a TLS 1.3 handshake with RSA-4096 keys touches less than a quarter of it. */
#define CO_STACK_SIZE (512u << 10)
#endif

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef VALGRIND_STACK_REGISTER
#define VALGRIND_STACK_REGISTER(start, end) 0u
#define VALGRIND_STACK_DEREGISTER(id) ((void)(id))
#endif

#define POOL_MAX 8

struct co_stack {
    uint8_t *map;          /* guard page, then the stack */
    size_t map_size;
    unsigned int valgrind_id;
};

struct schan_coroutine {
    ucontext_t ctx, caller;
    void (*fn)(void *);
    void *arg;
    struct co_stack stack;
    struct schan_coroutine *outer;  /* the coroutine that ran this one, if any */
    int paused;
    /* ASan's view of the two stacks */
    void *fake_stack;
    const void *caller_bottom;
    size_t caller_size;
};

static __thread struct schan_coroutine *current;
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static struct co_stack pool[POOL_MAX];
static unsigned int pool_count;

/* ---- stacks ---- */

static int stack_alloc(struct co_stack *st)
{
    size_t guard = (size_t)sysconf(_SC_PAGESIZE);

    pthread_mutex_lock(&pool_lock);
    if (pool_count)
    {
        *st = pool[--pool_count];
        pthread_mutex_unlock(&pool_lock);
        return 0;
    }
    pthread_mutex_unlock(&pool_lock);
    st->map_size = CO_STACK_SIZE + guard;
    st->map = mmap(NULL, st->map_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (st->map == MAP_FAILED)
        return -1;
    if (mprotect(st->map, guard, PROT_NONE))
    {
        munmap(st->map, st->map_size);
        return -1;
    }
    st->valgrind_id = VALGRIND_STACK_REGISTER(st->map + guard, st->map + st->map_size);
    return 0;
}

static void stack_release(struct co_stack *st)
{
    pthread_mutex_lock(&pool_lock);
    if (pool_count < POOL_MAX)
    {
        pool[pool_count++] = *st;
        pthread_mutex_unlock(&pool_lock);
        return;
    }
    pthread_mutex_unlock(&pool_lock);
    VALGRIND_STACK_DEREGISTER(st->valgrind_id);
    munmap(st->map, st->map_size);
}

/* ---- switching ---- */

static void asan_leave(void **fake_stack, const void *bottom, size_t size)
{
#ifdef SCHAN_ASAN
    __sanitizer_start_switch_fiber(fake_stack, bottom, size);
#else
    (void)fake_stack; (void)bottom; (void)size;
#endif
}

static void asan_arrive(void *fake_stack, const void **bottom, size_t *size)
{
#ifdef SCHAN_ASAN
    __sanitizer_finish_switch_fiber(fake_stack, bottom, size);
#else
    (void)fake_stack; (void)bottom; (void)size;
#endif
}

/* makecontext passes int arguments: the pointer travels in two halves. */
static void trampoline(unsigned int hi, unsigned int lo)
{
    struct schan_coroutine *co = (struct schan_coroutine *)(uintptr_t)(((uint64_t)hi << 32) | lo);

    asan_arrive(NULL, &co->caller_bottom, &co->caller_size);
    co->fn(co->arg);
    asan_leave(NULL, co->caller_bottom, co->caller_size);   /* this stack's frames are done */
    /* returning resumes uc_link, the caller of the last run */
}

/* getcontext returns twice in general (not here: ctx is only entered after
 * makecontext), so it gets a frame of its own without locals to clobber. */
static __attribute__((noinline)) int capture_context(ucontext_t *ctx)
{
    return getcontext(ctx);
}

/* The coroutine's record lives at the top of its own mapping, below which
 * the stack grows: no heap allocation, so a handshake that pauses leaves the
 * heap as one that does not (a freed record among GnuTLS's buffers made each
 * later record's allocations measurably slower). */
struct schan_coroutine *schan_coroutine_create(void (*fn)(void *), void *arg)
{
    size_t guard = (size_t)sysconf(_SC_PAGESIZE);
    size_t record = (sizeof(struct schan_coroutine) + 63) & ~(size_t)63;
    struct co_stack stack;
    struct schan_coroutine *co;
    uint64_t self;

    if (stack_alloc(&stack) < 0)
        return NULL;
    co = (struct schan_coroutine *)(stack.map + stack.map_size - record);
    memset(co, 0, sizeof(*co));
    co->stack = stack;
    if (capture_context(&co->ctx) < 0)
    {
        stack_release(&stack);
        return NULL;
    }
    self = (uint64_t)(uintptr_t)co;
    co->fn = fn;
    co->arg = arg;
    co->ctx.uc_stack.ss_sp = stack.map + guard;
    co->ctx.uc_stack.ss_size = stack.map_size - guard - record;
    co->ctx.uc_link = &co->caller;
    sigfillset(&co->ctx.uc_sigmask);
    /* faults are not deferrable: let them reach Wine's handlers */
    sigdelset(&co->ctx.uc_sigmask, SIGSEGV);
    sigdelset(&co->ctx.uc_sigmask, SIGBUS);
    sigdelset(&co->ctx.uc_sigmask, SIGILL);
    sigdelset(&co->ctx.uc_sigmask, SIGFPE);
    sigdelset(&co->ctx.uc_sigmask, SIGTRAP);
    makecontext(&co->ctx, (void (*)(void))trampoline, 2, (unsigned int)(self >> 32), (unsigned int)self);
    return co;
}

int schan_coroutine_run(struct schan_coroutine *co)
{
    void *fake_stack = NULL;

    co->outer = current;
    co->paused = 0;
    current = co;
    asan_leave(&fake_stack, co->ctx.uc_stack.ss_sp, co->ctx.uc_stack.ss_size);
    swapcontext(&co->caller, &co->ctx);
    asan_arrive(fake_stack, NULL, NULL);
    current = co->outer;
    return co->paused;
}

void schan_coroutine_pause(void)
{
    struct schan_coroutine *co = current;

    co->paused = 1;
    asan_leave(&co->fake_stack, co->caller_bottom, co->caller_size);
    swapcontext(&co->ctx, &co->caller);
    asan_arrive(co->fake_stack, &co->caller_bottom, &co->caller_size);
}

int schan_coroutine_inside(const struct schan_coroutine *co)
{
    return co && current == co;
}

void schan_coroutine_free(struct schan_coroutine *co)
{
    struct co_stack stack;

    if (!co)
        return;
    stack = co->stack;   /* the record is inside the mapping it releases */
    stack_release(&stack);
}
