// gategen writes K sliced synthetic CPU profiles (.pb.gz, github.com/google/pprof/profile)
// of one cost model, for bench/gate/run.py. The model (functions, call tree, shares)
// depends only on -model-seed; the slices' noise on -seed. Per slice each function gets
// Poisson(share * samples * factor) samples of 10 ms, where factor is 1, except for the
// "unsteady" functions (GC, syscalls): a mean-1 lognormal per slice, far more spread than
// sampling explains. -bump grows one function's cost by PCT %.
package main

import (
	"flag"
	"fmt"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/pprof/profile"
)

type fn struct {
	name   string
	parent int     // index of the caller, -1 for the root
	share  float64 // expected share of the samples (flat)
	group  int     // 0: steady; >0: lognormal factor shared by the group
	sigma  float64 // the group's lognormal sigma
}

// Named functions the benchmark refers to (run.py uses the same names).
const (
	target7 = "pricing.(*Engine).Quote" // 7% of the total
	target2 = "pricing.roundCents"      // 2% of the total
)

func model(nfuncs int, seed int64) []fn {
	r := rand.New(rand.NewSource(seed))
	fs := []fn{
		{name: "main.main", parent: -1},
		{name: "net/http.(*conn).serve", parent: 0},
		{name: "pricing.(*Handler).ServeHTTP", parent: 1},
		{name: target7, parent: 2, share: 0.07},
		{name: target2, parent: 3, share: 0.02},
		{name: "runtime.gcBgMarkWorker", parent: -1},
		{name: "runtime.gcDrain", parent: 5, share: 0.04, group: 1, sigma: 0.3},
		{name: "runtime.scanobject", parent: 6, share: 0.03, group: 1, sigma: 0.3},
		{name: "runtime.bgsweep", parent: -1},
		{name: "runtime.sweepone", parent: 8, share: 0.01, group: 1, sigma: 0.3},
		{name: "syscall.Syscall", parent: 1, share: 0.03, group: 2, sigma: 0.2},
		{name: "runtime.futex", parent: 0, share: 0.01, group: 3, sigma: 0.2},
	}
	fixed := 0.0
	for _, f := range fs {
		fixed += f.share
	}
	// The rest: Zipf-like shares over packages of a service, callers picked among the
	// application functions so far (a tree a few levels deep under ServeHTTP).
	rest := nfuncs - len(fs)
	w := make([]float64, rest)
	sum := 0.0
	for i := range w {
		w[i] = math.Pow(float64(i+4), -1.1)
		sum += w[i]
	}
	pkgs := []string{"pricing", "catalog", "encoding/json", "strconv", "sort", "bytes",
		"database/sql", "crypto/sha256", "compress/flate", "sync", "runtime", "reflect"}
	app := []int{2, 3}
	for i := 0; i < rest; i++ {
		pkg := pkgs[r.Intn(len(pkgs))]
		name := fmt.Sprintf("%s.(*T%d).m%d", pkg, i%7, i)
		parent := app[r.Intn(len(app))]
		fs = append(fs, fn{name: name, parent: parent, share: (1 - fixed) * w[i] / sum})
		if len(app) < 40 {
			app = append(app, len(fs)-1)
		}
	}
	return fs
}

// poisson: Knuth below 10, else PTRS (Hormann 1993, as numpy does).
func poisson(r *rand.Rand, lam float64) int64 {
	if lam <= 0 {
		return 0
	}
	if lam < 10 {
		l, k, p := math.Exp(-lam), int64(0), 1.0
		for {
			p *= r.Float64()
			if p <= l {
				return k
			}
			k++
		}
	}
	slam, loglam := math.Sqrt(lam), math.Log(lam)
	b := 0.931 + 2.53*slam
	a := -0.059 + 0.02483*b
	invalpha := 1.1239 + 1.1328/(b-3.4)
	vr := 0.9277 - 3.6224/(b-2)
	for {
		u := r.Float64() - 0.5
		v := r.Float64()
		us := 0.5 - math.Abs(u)
		k := math.Floor((2*a/us+b)*u + lam + 0.43)
		if us >= 0.07 && v <= vr {
			return int64(k)
		}
		if k < 0 || (us < 0.013 && v > us) {
			continue
		}
		lg, _ := math.Lgamma(k + 1)
		if math.Log(v)+math.Log(invalpha)-math.Log(a/(us*us)+b) <= -lam+k*loglam-lg {
			return int64(k)
		}
	}
}

func main() {
	out := flag.String("out", ".", "directory for PREFIX.NN.pb.gz")
	prefix := flag.String("prefix", "s", "file name prefix")
	k := flag.Int("k", 10, "slices")
	samples := flag.Float64("samples", 96000, "expected samples per slice (100 Hz x cores x seconds)")
	seconds := flag.Float64("seconds", 60, "slice length (the profile's Duration)")
	nfuncs := flag.Int("funcs", 100, "functions in the model")
	mseed := flag.Int64("model-seed", 1, "seed of the cost model")
	seed := flag.Int64("seed", 1, "seed of the slices' noise")
	bump := flag.String("bump", "", "FUNC:PCT, grow FUNC's cost by PCT %")
	list := flag.Bool("list", false, "print the model (name, share, sigma) and exit")
	flag.Parse()

	fs := model(*nfuncs, *mseed)
	if *list {
		for _, f := range fs {
			fmt.Printf("%s\t%.5f\t%.2f\n", f.name, f.share, f.sigma)
		}
		return
	}
	factor := make([]float64, len(fs))
	for i := range factor {
		factor[i] = 1
	}
	if *bump != "" {
		i := strings.LastIndex(*bump, ":")
		var pct float64
		found := false
		if i > 0 {
			if _, err := fmt.Sscanf((*bump)[i+1:], "%g", &pct); err == nil {
				for j := range fs {
					if fs[j].name == (*bump)[:i] {
						factor[j] = 1 + pct/100
						found = true
					}
				}
			}
		}
		if !found {
			fmt.Fprintf(os.Stderr, "gategen: bad -bump %q\n", *bump)
			os.Exit(2)
		}
	}
	r := rand.New(rand.NewSource(*seed))
	for s := 0; s < *k; s++ {
		p := slice(fs, factor, r, *samples, *seconds, int64(s))
		path := filepath.Join(*out, fmt.Sprintf("%s.%02d.pb.gz", *prefix, s+1))
		f, err := os.Create(path)
		if err == nil {
			err = p.Write(f)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "gategen: %v\n", err)
			os.Exit(1)
		}
	}
}

func slice(fs []fn, factor []float64, r *rand.Rand, samples, seconds float64, idx int64) *profile.Profile {
	const period = 10_000_000 // 10 ms: 100 Hz
	m := &profile.Mapping{ID: 1, Start: 0x400000, Limit: 0x800000, File: "/srv/pricing",
		HasFunctions: true}
	p := &profile.Profile{
		SampleType:    []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		PeriodType:    &profile.ValueType{Type: "cpu", Unit: "nanoseconds"},
		Period:        period,
		DurationNanos: int64(seconds * 1e9),
		TimeNanos:     1_700_000_000_000_000_000 + idx*int64(seconds*1e9),
		Mapping:       []*profile.Mapping{m},
	}
	locs := make([]*profile.Location, len(fs))
	for i, f := range fs {
		pf := &profile.Function{ID: uint64(i + 1), Name: f.name, SystemName: f.name,
			Filename: "/src/" + strings.SplitN(f.name, ".", 2)[0] + ".go"}
		p.Function = append(p.Function, pf)
		locs[i] = &profile.Location{ID: uint64(i + 1), Mapping: m, Address: 0x401000 + uint64(i)*0x40,
			Line: []profile.Line{{Function: pf, Line: int64(10 + i)}}}
		p.Location = append(p.Location, locs[i])
	}
	// One lognormal factor (mean 1) per group per slice.
	gf := map[int]float64{}
	for _, f := range fs {
		if f.group > 0 {
			if _, ok := gf[f.group]; !ok {
				gf[f.group] = math.Exp(f.sigma*r.NormFloat64() - f.sigma*f.sigma/2)
			}
		}
	}
	for i, f := range fs {
		lam := f.share * samples * factor[i]
		if f.group > 0 {
			lam *= gf[f.group]
		}
		n := poisson(r, lam)
		if n == 0 {
			continue
		}
		var stack []*profile.Location
		for j := i; j >= 0; j = fs[j].parent {
			stack = append(stack, locs[j])
		}
		p.Sample = append(p.Sample, &profile.Sample{Location: stack, Value: []int64{n, n * period}})
	}
	return p
}
