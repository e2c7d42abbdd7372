// pprofgen turns a sample list written by bench/gen.py (--samples) into a gzipped
// pprof profile.proto, so `go tool pprof -diff_base` can be timed on the same profiles
// profdiff diffs as DOT. Standard library only: the protobuf is encoded by hand.
//
// Usage: pprofgen [-locs L] [-split K] [-seed S] IN.samples OUT.pb.gz
//
// Input lines: "F\t<id>\t<name>\t<file>\t<line>" and "S\t<nanos>\t<leaf id> ... <root id>".
//
// gen.py's samples are function-level stacks with values in 10 ms ticks. A real CPU
// profile records addresses, not functions, so each input sample becomes many
// address-level samples here, like the ones the Go runtime writes:
//   - every function has L locations (distinct addresses and line numbers in its
//     function); each frame of each output sample picks one, so the output samples are
//     distinct stacks that pprof must merge back into functions;
//   - each 10 ms tick becomes K output samples (value 10 ms / K each, count 1), so the
//     total per stack is unchanged;
//   - caller->callee edges that gen.py's DOT labels "(inline)" ((caller*7+callee)%13 == 0)
//     are encoded as inlined frames: one location with several Line entries;
//   - functions are spread over several mappings (binary + shared objects).
//
// The function-level content (flat, cum and edge weights of every function, the
// inline edges) is exactly that of the input, so the .pb.gz and the DOT pair describe
// the same profile.
package main

import (
	"bufio"
	"compress/gzip"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"strconv"
	"strings"
)

// pb is a minimal protobuf writer: varints, length-delimited fields, packed varints.
type pb struct{ b []byte }

func (p *pb) varint(v uint64) {
	for v >= 0x80 {
		p.b = append(p.b, byte(v)|0x80)
		v >>= 7
	}
	p.b = append(p.b, byte(v))
}
func (p *pb) tag(field, wire int) { p.varint(uint64(field<<3 | wire)) }
func (p *pb) uint(field int, v uint64) {
	if v != 0 {
		p.tag(field, 0)
		p.varint(v)
	}
}
func (p *pb) bytes(field int, b []byte) {
	p.tag(field, 2)
	p.varint(uint64(len(b)))
	p.b = append(p.b, b...)
}
func (p *pb) packed(field int, vs []uint64) {
	var q pb
	for _, v := range vs {
		q.varint(v)
	}
	p.bytes(field, q.b)
}

const (
	period   = 10000000 // 10 ms
	nMapping = 6
	mapSize  = 1 << 32
	mapBase  = 0x400000
)

type fn struct {
	line    uint64
	mapping int
}

type gen struct {
	locs    int
	funcs   []fn
	locID   map[string]uint64 // key: variant + function chain (leaf first)
	locBuf  pb                // encoded Location messages
	nextLoc uint64
	mapNext [nMapping]uint64 // next free address per mapping
}

func inlineEdge(caller, callee uint64) bool { return (caller*7+callee)%13 == 0 }

// location returns the id of the location for variant v of the inline chain ids
// (leaf first, 0-based function ids), creating it on first use.
func (g *gen) location(v int, chain []uint64) uint64 {
	var kb strings.Builder
	kb.WriteString(strconv.Itoa(v))
	for _, c := range chain {
		kb.WriteByte(',')
		kb.WriteString(strconv.FormatUint(c, 10))
	}
	key := kb.String()
	if id, ok := g.locID[key]; ok {
		return id
	}
	g.nextLoc++
	id := g.nextLoc
	g.locID[key] = id
	leaf := g.funcs[chain[0]]
	m := leaf.mapping
	addr := mapBase + uint64(m)*mapSize + g.mapNext[m]
	g.mapNext[m] += 16 + uint64(v%7)*4
	var loc pb
	loc.uint(1, id)
	loc.uint(2, uint64(m+1))
	loc.uint(3, addr)
	for k, c := range chain {
		var ln pb
		ln.uint(1, c+1)
		// Leaf line varies with the variant; callers' lines are the call sites.
		l := g.funcs[c].line + uint64(v)*3
		if k > 0 {
			l = g.funcs[c].line + 1 + chain[k-1]%17
		}
		ln.uint(2, l)
		loc.bytes(4, ln.b)
	}
	g.locBuf.bytes(4, loc.b)
	return id
}

func main() {
	locs := flag.Int("locs", 12, "locations (addresses/lines) per function")
	split := flag.Int("split", 1, "output samples per 10 ms tick")
	seed := flag.Int64("seed", 1, "random seed")
	flag.Parse()
	if flag.NArg() != 2 || *locs < 1 || *split < 1 || period%*split != 0 {
		fmt.Fprintln(os.Stderr, "usage: pprofgen [-locs L] [-split K] [-seed S] IN.samples OUT.pb.gz")
		os.Exit(2)
	}
	in, err := os.Open(flag.Arg(0))
	check(err)
	defer in.Close()
	f, err := os.Create(flag.Arg(1))
	check(err)
	bw := bufio.NewWriterSize(f, 1<<20)
	zw, err := gzip.NewWriterLevel(bw, gzip.BestSpeed)
	check(err)
	rng := rand.New(rand.NewSource(*seed))

	strs := map[string]uint64{"": 0}
	table := []string{""}
	str := func(s string) uint64 {
		if i, ok := strs[s]; ok {
			return i
		}
		strs[s] = uint64(len(table))
		table = append(table, s)
		return strs[s]
	}
	// Fields may come in any order in a protobuf message, so samples are streamed to
	// the gzip writer as they are made and the tables follow at the end.
	var out pb
	flush := func() {
		_, err := zw.Write(out.b)
		check(err)
		out.b = out.b[:0]
	}
	// sample_type: samples/count, cpu/nanoseconds (as Go CPU profiles).
	for _, st := range [][2]string{{"samples", "count"}, {"cpu", "nanoseconds"}} {
		var vt pb
		vt.uint(1, str(st[0]))
		vt.uint(2, str(st[1]))
		out.bytes(1, vt.b)
	}
	g := &gen{locs: *locs, locID: map[string]uint64{}}
	var funcs pb
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	var stack, ids []uint64
	var s pb
	nSamples, nFrames := 0, 0
	for sc.Scan() {
		fl := strings.Split(sc.Text(), "\t")
		switch fl[0] {
		case "F":
			id, _ := strconv.ParseUint(fl[1], 10, 64)
			line, _ := strconv.ParseUint(fl[4], 10, 64)
			for uint64(len(g.funcs)) <= id {
				g.funcs = append(g.funcs, fn{})
			}
			// Mapping 0 (the binary) holds most functions.
			m := 0
			if h := (id * 2654435761) % 100; h >= 70 {
				m = 1 + int(h%(nMapping-1))
			}
			g.funcs[id] = fn{line: line, mapping: m}
			var fb pb
			fb.uint(1, id+1)
			fb.uint(2, str(fl[2]))
			fb.uint(3, str(fl[2]))
			fb.uint(4, str(fl[3]))
			fb.uint(5, line)
			funcs.bytes(5, fb.b)
		case "S":
			v, _ := strconv.ParseUint(fl[1], 10, 64)
			stack = stack[:0]
			for _, x := range strings.Fields(fl[2]) {
				id, _ := strconv.ParseUint(x, 10, 64)
				stack = append(stack, id)
			}
			n := int(v/period) * *split
			if n == 0 {
				n = 1
			}
			each := v / uint64(n)
			for k := 0; k < n; k++ {
				val := each
				if k == n-1 {
					val = v - each*uint64(n-1)
				}
				ids = ids[:0]
				for i := 0; i < len(stack); {
					j := i + 1
					for j < len(stack) && inlineEdge(stack[j], stack[j-1]) {
						j++
					}
					ids = append(ids, g.location(rng.Intn(g.locs), stack[i:j]))
					i = j
				}
				s.b = s.b[:0]
				s.packed(1, ids)
				cnt := val * uint64(*split) / period
				if cnt == 0 {
					cnt = 1
				}
				s.packed(2, []uint64{cnt, val})
				out.bytes(2, s.b)
				nSamples++
				nFrames += len(stack)
				if len(out.b) > 1<<20 {
					flush()
				}
			}
		}
	}
	check(sc.Err())
	for m := 0; m < nMapping; m++ {
		name := "/usr/local/bin/svc"
		if m > 0 {
			name = fmt.Sprintf("/usr/lib/x86_64-linux-gnu/lib%s.so.%d",
				[]string{"c", "stdc++", "ssl", "z", "jvm"}[(m-1)%5], m)
		}
		var mb pb
		mb.uint(1, uint64(m+1))
		mb.uint(2, mapBase+uint64(m)*mapSize)
		mb.uint(3, mapBase+uint64(m+1)*mapSize)
		mb.uint(5, str(name))
		mb.uint(6, str(fmt.Sprintf("%040x", 0xb1d0+m))) // build id
		mb.uint(7, 1)                                   // has_functions
		mb.uint(8, 1)                                   // has_filenames
		mb.uint(9, 1)                                   // has_line_numbers
		mb.uint(10, 1)                                  // has_inline_frames
		out.bytes(3, mb.b)
	}
	out.b = append(out.b, g.locBuf.b...)
	out.b = append(out.b, funcs.b...)
	var pt pb
	pt.uint(1, str("cpu"))
	pt.uint(2, str("nanoseconds"))
	for _, s := range table {
		out.bytes(6, []byte(s))
	}
	out.uint(9, 1764137640000000000) // time_nanos
	out.uint(10, 60000000000)        // duration_nanos
	out.bytes(11, pt.b)
	out.uint(12, period)
	flush()
	check(zw.Close())
	check(bw.Flush())
	check(f.Close())
	fmt.Fprintf(os.Stderr, "pprofgen: %s: %d samples, %.1f frames/sample, %d locations\n",
		flag.Arg(1), nSamples, float64(nFrames)/float64(max(nSamples, 1)), g.nextLoc)
}

func max(a, b int) int {
	if a > b {
		return a
	}
	return b
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "pprofgen:", err)
		os.Exit(1)
	}
}
