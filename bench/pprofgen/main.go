// pprofgen turns a sample list written by bench/gen.py (--samples) into a gzipped
// pprof profile.proto, so `go tool pprof -diff_base` can be timed on the same profiles
// profdiff diffs as DOT. Standard library only: the protobuf is encoded by hand.
//
// Usage: go run ./bench/pprofgen IN.samples OUT.pb.gz
//
// Input lines: "F\t<id>\t<name>\t<file>\t<line>" and "S\t<nanos>\t<leaf id> ... <root id>".
package main

import (
	"bufio"
	"compress/gzip"
	"fmt"
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

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: pprofgen IN.samples OUT.pb.gz")
		os.Exit(2)
	}
	in, err := os.Open(os.Args[1])
	check(err)
	defer in.Close()
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
	var out pb
	// sample_type: samples/count, cpu/nanoseconds (as Go CPU profiles).
	for _, st := range [][2]string{{"samples", "count"}, {"cpu", "nanoseconds"}} {
		var vt pb
		vt.uint(1, str(st[0]))
		vt.uint(2, str(st[1]))
		out.bytes(1, vt.b)
	}
	const period = 10000000
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	var funcs, locs pb
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		switch f[0] {
		case "F":
			id, _ := strconv.ParseUint(f[1], 10, 64)
			line, _ := strconv.ParseUint(f[4], 10, 64)
			var fn pb
			fn.uint(1, id+1)
			fn.uint(2, str(f[2]))
			fn.uint(3, str(f[2]))
			fn.uint(4, str(f[3]))
			funcs.bytes(5, fn.b)
			var ln, loc pb
			ln.uint(1, id+1)
			ln.uint(2, line)
			loc.uint(1, id+1)
			loc.uint(3, 0x400000+(id+1)*16)
			loc.bytes(4, ln.b)
			locs.bytes(4, loc.b)
		case "S":
			v, _ := strconv.ParseUint(f[1], 10, 64)
			var ids []uint64
			for _, s := range strings.Fields(f[2]) {
				id, _ := strconv.ParseUint(s, 10, 64)
				ids = append(ids, id+1)
			}
			var s pb
			s.packed(1, ids)
			s.packed(2, []uint64{v / period, v})
			out.bytes(2, s.b)
		}
	}
	check(sc.Err())
	// Mapping 1 with function info, so pprof does not try to symbolize.
	var m pb
	m.uint(1, 1)
	m.uint(2, 0x400000)
	m.uint(3, 0x4000000)
	m.uint(5, str("svc"))
	m.uint(7, 1) // has_functions
	m.uint(8, 1) // has_filenames
	m.uint(9, 1) // has_line_numbers
	out.bytes(3, m.b)
	out.b = append(out.b, locs.b...)
	out.b = append(out.b, funcs.b...)
	var pt pb
	pt.uint(1, str("cpu"))
	pt.uint(2, str("nanoseconds"))
	for _, s := range table {
		out.bytes(6, []byte(s))
	}
	out.uint(9, 1764137640000000000) // time_nanos
	out.uint(10, 30000000000)        // duration_nanos
	out.bytes(11, pt.b)
	out.uint(12, period)
	f, err := os.Create(os.Args[2])
	check(err)
	zw := gzip.NewWriter(f)
	_, err = zw.Write(out.b)
	check(err)
	check(zw.Close())
	check(f.Close())
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "pprofgen:", err)
		os.Exit(1)
	}
}
