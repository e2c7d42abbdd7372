/* libcgraph behind cgraph.h: the lock over its global state, capture of its error
 * messages, the lexer reset, the chunked memory reader and the ID discipline that gives
 * pprof's node names N<k> numeric IDs. All state here is global, like libcgraph's, and
 * touched only with the lock held. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "cgraph/arena.h"
#include "cgraph/cgraph.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void pd_cg_lock(void)
{
	pthread_mutex_lock(&lock);
}

void pd_cg_unlock(void)
{
	pthread_mutex_unlock(&lock);
}

/* ---- error capture ------------------------------------------------------------------ */
static char errbuf[512];
static bool capturing, want_sep;

/* libcgraph hands each message over in pieces: the level ("Error" or "Warning"), ": ",
 * then the text (continuations come without a level). Keep the text of the first
 * error only: warnings are noise here, and later errors are consequences. */
static int capture_error(char *msg)
{
	if (strcmp(msg, "Error") == 0 || strcmp(msg, "Warning") == 0) {
		capturing = msg[0] == 'E' && !errbuf[0];
		want_sep = true;
		return 0;
	}
	if (want_sep && strcmp(msg, ": ") == 0) {
		want_sep = false;
		return 0;
	}
	want_sep = false;
	if (capturing) {
		size_t used = strlen(errbuf);
		snprintf(errbuf + used, sizeof errbuf - used, "%s", msg);
	}
	return 0;
}

const char *pd_cg_error(void)
{
	errbuf[strcspn(errbuf, "\n")] = '\0';
	return errbuf;
}

/* The scanner of libcgraph (flex, prefix "aag") is global and keeps its start condition
 * across reads: a file that ends inside a quoted string leaves it in the string state
 * and the next read fails. Exported by libcgraph but not declared in cgraph.h. */
extern int aaglex_destroy(void);

/* ---- chunked memory reader ---------------------------------------------------------- */
/* agmemread's line-at-a-time reader, but in big chunks: flex refills its buffer less
 * often and nothing else changes (libcgraph counts lines itself). */
typedef struct memchan {
	const char *p, *e;
} memchan;

static int mem_read(void *chan, char *buf, int size)
{
	memchan *m = chan;
	size_t n = (size_t)(m->e - m->p);
	if (n > (size_t)size)
		n = (size_t)size;
	memcpy(buf, m->p, n);
	m->p += n;
	return (int)n;
}

/* ---- ID discipline: pprof's node names N<k> as numbers ----------------------------- */
/* libcgraph's default discipline makes a named object's ID the pointer to its interned
 * name (even, 8-aligned) and an anonymous one's an odd counter. A node named N<k>
 * (canonical decimal, k < 2^60) gets (k << 2) | 2 instead: no second lookup of the name
 * in the string dictionary (the lexer has interned the token already), which at 100k
 * nodes misses the cache on every edge end. Everything else goes to the default. Keep
 * the bound: libcgraph 2.43 compares node IDs by subtraction, which must not wrap. */
static bool id_of(int objtype, const char *name, IDTYPE *id)
{
	if (objtype != AGNODE || !name || name[0] != 'N' || name[1] < '0' || name[1] > '9' ||
	    (name[1] == '0' && name[2]))
		return false;
	IDTYPE k = 0;
	for (const char *p = name + 1; *p; p++) {
		if (*p < '0' || *p > '9' || k >= ((IDTYPE)1 << 56))
			return false;
		k = k * 10 + (IDTYPE)(*p - '0');
	}
	*id = (k << 2) | 2;
	return true;
}

static bool is_num_id(IDTYPE id)
{
	return (id & 3) == 2;
}

static long num_map(void *state, int objtype, char *name, IDTYPE *id, int createflag)
{
	if (id_of(objtype, name, id))
		return 1;
	return AgIdDisc.map(state, objtype, name, id, createflag);
}

static void num_free(void *state, int objtype, IDTYPE id)
{
	if (!is_num_id(id))
		AgIdDisc.free(state, objtype, id);
}

/* The name of a numbered node, in one buffer: valid until the next call (the lock is
 * held while a graph is read and walked, and the walk uses one name at a time). */
static char *num_print(void *state, int objtype, IDTYPE id)
{
	static char buf[24];
	if (!is_num_id(id))
		return AgIdDisc.print(state, objtype, id);
	snprintf(buf, sizeof buf, "N%llu", (unsigned long long)(id >> 2));
	return buf;
}

/* ---- reading -------------------------------------------------------------------------- */
Agraph_t *pd_cg_read(const char *text, size_t len, pd_cg_mode mode)
{
	errbuf[0] = '\0';
	capturing = want_sep = false;
	agseterrf(capture_error);
	agreseterrors();
	aaglex_destroy();
	agsetfile(NULL); /* line numbers from 1 again; no file name (callers prefix theirs) */
	if (mode == PD_CG_PLAIN)
		return agmemread(text);
	/* libcgraph keeps pointers to the disciplines in the graph: static, set each time
	 * (under the lock) from libcgraph's defaults. */
	static Agiodisc_t io;
	static Agiddisc_t ids;
	static Agdisc_t disc;
	io = AgIoDisc;
	io.afread = mem_read;
	ids = AgIdDisc;
	ids.map = num_map;
	ids.free = num_free;
	ids.print = num_print;
	disc = (Agdisc_t){mode == PD_CG_ARENA ? &pd_cg_arena_disc : &AgMemDisc, &ids, &io};
	memchan m = {text, text + len};
	return agread(&m, &disc);
}

void pd_cg_close(Agraph_t *g)
{
	if (g)
		agclose(g);
}

const char *pd_cg_graph_name(Agraph_t *g)
{
	const char *name = agnameof(g);
	if (name[0] == '%' && strspn(name + 1, "0123456789") == strlen(name + 1))
		return "";
	return name;
}
