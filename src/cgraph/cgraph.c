/* libcgraph behind cgraph.h: the lock over its global state, capture of its error
 * messages (made one clean line), the lexer reset, in-place scanning and the ID
 * discipline that gives pprof's node names N<k> numeric IDs. All state here is global,
 * like libcgraph's, and touched only with the lock held. */
#include <pthread.h>
#include <stdint.h>
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
/* The first message, raw, as libcgraph wrote it; it quotes the offending token whole (a
 * megabyte of it, raw control bytes, a cut inside a UTF-8 character), so pd_cg_error
 * makes a clean line of it. */
static char raw[1024];
static size_t raw_len;
static bool raw_cut;     /* the message was longer than raw */
static bool capturing, want_sep;
static bool warnings;    /* pd_cg_render_begin: a warning counts as a failure too */
static bool seen;        /* some message arrived since the last reset */
static agerrlevel_t render_level; /* the level pd_cg_render_begin replaced */
static char clean[512];
static const char OOM[] = "memory allocation failure"; /* libcgraph's words for it */

/* libcgraph hands each message over in pieces: the level ("Error" or "Warning"), ": ",
 * then the text (continuations come without a level). Keep the text of the first
 * error only: warnings are noise here (unless rendering), and later errors are
 * consequences. */
static int capture_error(char *msg)
{
	if (strcmp(msg, "Error") == 0 || strcmp(msg, "Warning") == 0) {
		capturing = (msg[0] == 'E' || warnings) && !seen;
		seen = seen || capturing;
		want_sep = true;
		return 0;
	}
	if (want_sep && strcmp(msg, ": ") == 0) {
		want_sep = false;
		return 0;
	}
	want_sep = false;
	if (warnings && !seen) /* a message without a level: still one */
		capturing = seen = true;
	if (capturing) {
		size_t n = strlen(msg), room = sizeof raw - 1 - raw_len;
		if (n > room) {
			n = room;
			raw_cut = true;
		}
		memcpy(raw + raw_len, msg, n);
		raw[raw_len += n] = '\0';
	}
	return 0;
}

/* Length of the valid UTF-8 character at s[0..n) (1 for ASCII), 0 when invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t k = s[0] < 0x80 ? 1 : (s[0] & 0xE0) == 0xC0 ? 2 : (s[0] & 0xF0) == 0xE0 ? 3
					 : (s[0] & 0xF8) == 0xF0 ? 4 : 0;
	if (!k || k > n || (k == 2 && s[0] < 0xC2) || (k == 4 && s[0] > 0xF4))
		return 0;
	for (size_t i = 1; i < k; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return k;
}

/* Appends s[0..n) to clean at *o, at most max bytes of s: control characters and bytes
 * that are not UTF-8 as \xNN, characters whole. False when it stopped short. */
static bool put_clean(size_t *o, const char *s, size_t n, size_t max)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		size_t k = utf8_len(u + i, n - i);
		bool esc = k == 0 || u[i] < 0x20 || u[i] == 0x7f;
		size_t need = esc ? 4 : k;
		if (esc)
			k = 1;
		if (i + k > max || *o + need + 8 > sizeof clean)
			return false;
		if (esc)
			snprintf(clean + *o, 5, "\\x%02x", u[i]);
		else
			memcpy(clean + *o, s + i, k);
		*o += need;
		i += k;
	}
	return true;
}

const char *pd_cg_error(void)
{
	/* "syntax error in line 1 near 'TOKEN'\n": TOKEN cut to an excerpt. */
	const char *near = strstr(raw, " near '"), *end = raw + raw_len;
	size_t o = 0;
	if (near) {
		const char *tok = near + 7, *close = raw_cut ? NULL : strrchr(tok, '\'');
		if (close && close[strspn(close + 1, " \r\n") + 1] != '\0')
			close = NULL; /* the quote is not the message's last */
		bool whole = put_clean(&o, raw, (size_t)(tok - raw), SIZE_MAX) &&
			     put_clean(&o, tok, (size_t)((close ? close : end) - tok), 60) && close;
		snprintf(clean + o, sizeof clean - o, "%s'", whole ? "" : "...");
		return clean;
	}
	size_t line = strcspn(raw, "\n");
	if (!put_clean(&o, raw, line, 300) || (raw_cut && line == raw_len))
		snprintf(clean + o, sizeof clean - o, "...");
	else
		clean[o] = '\0';
	return clean;
}

bool pd_cg_failed(void)
{
	return seen;
}

static void reset_errors(bool warn)
{
	raw[0] = '\0';
	raw_len = 0;
	raw_cut = capturing = want_sep = seen = false;
	warnings = warn;
	agseterrf(capture_error);
	agreseterrors();
}

/* The scanner of libcgraph (flex, prefix "aag") is global and keeps its start condition
 * across reads: a file that ends inside a quoted string leaves it in the string state
 * and the next read fails. Exported by libcgraph but not declared in cgraph.h. */
extern int aaglex_destroy(void);

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

/* flex's in-place scanning of a buffer that ends in two NULs (not declared by cgraph.h
 * either). Through a reader, flex refills its buffer 8 KB at a time and rescans the
 * current token from its start on each refill: a token of n bytes (a 4 MB line, a 1 MB
 * label) costs n^2/8K steps, 21 s for 4 MB. Scanned in place, every token is linear. */
struct yy_buffer_state;
extern struct yy_buffer_state *aag_scan_buffer(char *base, size_t size);

static int read_nothing(void *chan, char *buf, int size)
{
	(void)chan, (void)buf, (void)size;
	return 0;
}

/* ---- reading -------------------------------------------------------------------------- */
/* A fresh lexer (its start condition and buffer survive a read), line numbers from 1, no
 * file name (callers prefix theirs), errors to capture_error. */
static void reset(bool warn)
{
	reset_errors(warn);
	aaglex_destroy();
	agsetfile(NULL);
}

Agraph_t *pd_cg_read(char *text, size_t len, pd_cg_mode mode)
{
	reset(false);
	if (mode == PD_CG_PLAIN) {
		Agraph_t *g = agmemread(text);
		aaglex_destroy();
		return g;
	}
	/* libcgraph keeps pointers to the disciplines in the graph: static, set each time
	 * (under the lock) from libcgraph's defaults. */
	static Agiodisc_t io;
	static Agiddisc_t ids;
	static Agdisc_t disc;
	io = AgIoDisc;
	io.afread = read_nothing; /* flex scans text in place, never asks */
	ids = AgIdDisc;
	ids.map = num_map;
	ids.free = num_free;
	ids.print = num_print;
	disc = (Agdisc_t){mode == PD_CG_ARENA ? &pd_cg_arena_disc : &AgMemDisc, &ids, &io};
	/* libcgraph crashes when its first allocation fails: the arena's state (through the
	 * allocation hook) is made before it runs, and a failure worded as libcgraph's own,
	 * for the caller to map to out-of-memory. */
	Agraph_t *g = NULL;
	if ((mode != PD_CG_ARENA || pd_cg_arena_ready()) && aag_scan_buffer(text, len + 2))
		g = agread(text, &disc);
	else
		raw_len = (size_t)snprintf(raw, sizeof raw, "%s", OOM);
	/* The buffer is text, which the caller frees: drop it now, not at the next read. */
	aaglex_destroy();
	return g;
}

void pd_cg_render_begin(void)
{
	pd_cg_lock();
	reset(true);
	render_level = agseterr(AGWARN);
}

void pd_cg_render_end(void)
{
	agreseterrors();
	agseterr(render_level);
	aaglex_destroy();
	pd_cg_unlock();
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
