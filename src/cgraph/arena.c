/* Arena memory discipline for libcgraph (PD_CG_ARENA). A graph is parsed, walked once
 * and dropped, so its memory comes from a bump allocator over fresh (zeroed) mappings,
 * and agclose, seeing a close method, releases the whole heap at once instead of object
 * by object. Each allocation carries an 8-byte header (its size; the free-list link once
 * freed). In ASan builds, headers, slack, red zones and freed blocks are poisoned. */
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "base/alloc.h"
#include "cgraph/arena.h"

#if defined(__SANITIZE_ADDRESS__)
#define ARENA_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARENA_ASAN 1
#endif
#endif

/* Under ASan, every byte the client did not ask for is poisoned: a header, the rounding
 * slack and a red zone after each allocation, a freed block until it is reused, the
 * untouched rest of a mapping. Without ASan the macros vanish and RED is 0. */
#ifdef ARENA_ASAN
#include <sanitizer/asan_interface.h>
enum { RED = 16 };
#define POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
enum { RED = 0 };
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

/* The parser frees many small temporaries (attribute items, one list per statement):
 * freed blocks up to SMALL bytes are kept on a list per size and reused first. */
enum { HDR = 8, SMALL = 512 };

typedef struct block {
	struct block *next;
	size_t size;
} block;

typedef struct arena {
	block *blocks;
	char *cur, *end, *last; /* last: the most recent bump allocation */
	size_t next_size;
	void *free_list[SMALL / 8 + 1]; /* by size / 8 */
} arena;

typedef union hdr {
	size_t size; /* allocated: its rounded size */
	void *next;  /* on a free list: the next block of that size */
} hdr;

static hdr get_hdr(void *ptr)
{
	hdr *h = (hdr *)((char *)ptr - HDR);
	UNPOISON(h, HDR);
	hdr v = *h;
	POISON(h, HDR);
	return v;
}

static void set_hdr(void *ptr, hdr v)
{
	hdr *h = (hdr *)((char *)ptr - HDR);
	UNPOISON(h, HDR);
	*h = v;
	POISON(h, HDR);
}

static size_t round8(size_t req)
{
	return req ? (req + 7) & ~(size_t)7 : 8;
}

/* The state of the next graph, made before libcgraph asks (pd_cg_arena_ready): agopen
 * dereferences what its first allocation returns, so a failure there must not reach it. */
static arena *spare;

bool pd_cg_arena_ready(void)
{
	if (!spare && (spare = pd_calloc(1, sizeof *spare)))
		spare->next_size = (size_t)1 << 18;
	return spare != NULL;
}

static void *arena_open(Agdisc_t *disc)
{
	(void)disc;
	pd_cg_arena_ready();
	arena *a = spare;
	spare = NULL;
	return a;
}

/* A fresh mapping rather than the allocation hook: its pages come zeroed without a
 * memset and go back to the system at close. Through pd_calloc, glibc's grown mmap
 * threshold keeps the second input's blocks in its heap: peak RSS of a 10k-node diff
 * went 33.5 -> 40.3 MB. */
static bool grow(arena *a, size_t n)
{
	size_t size = a->next_size;
	while (size < n + HDR + RED + sizeof(block))
		size *= 2;
	void *m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return false;
	block *b = m;
	b->next = a->blocks;
	b->size = size;
	a->blocks = b;
	a->cur = (char *)m + sizeof(block);
	a->end = (char *)m + size;
	POISON(a->cur, (size_t)(a->end - a->cur));
	if (a->next_size < ((size_t)1 << 24))
		a->next_size *= 2;
	return true;
}

static void *arena_alloc(void *state, size_t req)
{
	arena *a = state;
	if (!a)
		return NULL;
	size_t n = round8(req);
	if (n <= SMALL && a->free_list[n / 8]) {
		void *p = a->free_list[n / 8];
		a->free_list[n / 8] = get_hdr(p).next;
		set_hdr(p, (hdr){.size = n});
		UNPOISON(p, req);
		return memset(p, 0, req);
	}
	if ((size_t)(a->end - a->cur) < n + HDR + RED && !grow(a, n))
		return NULL;
	a->last = a->cur + HDR;
	set_hdr(a->last, (hdr){.size = n});
	a->cur += HDR + n + RED;
	UNPOISON(a->last, req);
	return a->last; /* bump memory comes from a fresh mapping: already zero */
}

static void arena_free(void *state, void *ptr)
{
	arena *a = state;
	if (!ptr)
		return;
	size_t n = get_hdr(ptr).size;
	POISON(ptr, n);
	if (n <= SMALL) {
		set_hdr(ptr, (hdr){.next = a->free_list[n / 8]});
		a->free_list[n / 8] = ptr;
	}
}

static void *arena_resize(void *state, void *ptr, size_t old, size_t req)
{
	arena *a = state;
	if (!ptr)
		return arena_alloc(state, req);
	size_t have = get_hdr(ptr).size, n = round8(req);
	if (n <= have || (ptr == a->last && (size_t)(a->end - (char *)ptr) >= n + RED)) {
		if (n > have) {
			a->cur = (char *)ptr + n + RED;
			set_hdr(ptr, (hdr){.size = n});
		}
		POISON(ptr, n > have ? n : have);
		UNPOISON(ptr, req);
		if (req > old) /* a shrink may have left old bytes past old */
			memset((char *)ptr + old, 0, req - old);
		return ptr;
	}
	void *q = arena_alloc(state, req);
	if (q) {
		memcpy(q, ptr, old < req ? old : req);
		arena_free(state, ptr);
	}
	return q;
}

static void arena_close(void *state)
{
	arena *a = state;
	if (!a)
		return;
	for (block *b = a->blocks, *next; b; b = next) {
		next = b->next;
		UNPOISON(b, b->size); /* the next mapping at this address starts clean */
		munmap(b, b->size);
	}
	pd_free(a);
}

Agmemdisc_t pd_cg_arena_disc = {arena_open, arena_alloc, arena_resize, arena_free,
				arena_close};
