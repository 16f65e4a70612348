// SPDX-License-Identifier: Apache-2.0

// Command loadgen sends GET requests at a constant arrival rate (open loop) and prints one JSON
// object with latency percentiles.
//
// Request i is due at start + i/rate whatever happened to earlier ones; its latency is measured from
// that intended send time to the end of its response body, so time spent waiting behind a slow
// request (or for a free connection) counts: no coordinated omission. Up to -conns requests are in
// flight at once, each on its own keep-alive connection. Latencies go into a log-linear histogram
// (128 sub-buckets per power of two: values within 0.8%, like an HDR histogram with 2 significant
// digits). Requests are dispatched by a thread of their own sleeping with nanosleep (Go's timers round
// sub-millisecond sleeps up to ~1 ms on this kernel); how late each was handed to a worker is
// reported too (dispatch_late_*), as the load generator's own share of every latency. A -warmup phase at the same rate is sent first and not recorded.
//
//	loadgen -url http://127.0.0.1:8080/plain -rate 1000 -duration 5s
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/bits"
	"net/http"
	"os"
	"runtime"
	"sync"
	"syscall"
	"time"
)

const subBits = 7

// hist is a log-linear histogram of nanoseconds.
type hist struct {
	counts [64 << subBits]uint64
	n      uint64
	sum    float64
	max    uint64
}

func bucket(v uint64) int {
	if v < 1<<subBits {
		return int(v)
	}
	m := bits.Len64(v) - 1
	return (m-subBits+1)<<subBits + int(v>>(m-subBits)) - 1<<subBits
}

// upper is the largest value that falls in bucket i.
func upper(i int) uint64 {
	if i < 1<<subBits {
		return uint64(i)
	}
	g := i >> subBits
	sub := uint64(i&(1<<subBits-1) + 1<<subBits)
	return (sub+1)<<(g-1) - 1
}

func (h *hist) record(d time.Duration) {
	v := uint64(max(d, 0))
	h.counts[bucket(v)]++
	h.n++
	h.sum += float64(v)
	h.max = max(h.max, v)
}

func (h *hist) merge(o *hist) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.sum += o.sum
	h.max = max(h.max, o.max)
}

// quantile in microseconds: the upper bound of the bucket holding the q-th value.
func (h *hist) quantile(q float64) float64 {
	if h.n == 0 {
		return 0
	}
	rank := uint64(q*float64(h.n) + 0.5)
	rank = min(max(rank, 1), h.n)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return float64(min(upper(i), h.max)) / 1e3
		}
	}
	return float64(h.max) / 1e3
}

type job struct{ due time.Time }

type worker struct {
	hist   hist
	errors uint64
	non2xx uint64
}

// run sends rate requests/s for d; with record false the latencies are not kept.
func run(client *http.Client, url string, rate float64, d time.Duration, conns int, record bool) ([]*worker, time.Duration, uint64) {
	jobs := make(chan job, 1<<20)
	workers := make([]*worker, conns)
	var wg sync.WaitGroup
	for i := range workers {
		w := &worker{}
		workers[i] = w
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				resp, err := client.Get(url)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode/100 != 2 {
						w.non2xx++
					}
				}
				if err != nil {
					w.errors++
				}
				if record {
					w.hist.record(time.Since(j.due))
				}
			}
		}()
	}
	interval := time.Duration(float64(time.Second) / rate)
	total := uint64(float64(d) / float64(interval))
	var sent uint64
	var start time.Time
	var late hist
	done := make(chan struct{})
	go func() {
		// time.Sleep rounds sub-millisecond sleeps up to ~1 ms here (the netpoller's timeout), which
		// would be counted as latency: sleep with nanosleep on a thread of its own, timer slack 1 ns
		runtime.LockOSThread()
		syscall.RawSyscall(syscall.SYS_PRCTL, prSetTimerSlack, 1, 0)
		start = time.Now()
		for ; sent < total; sent++ {
			due := start.Add(time.Duration(sent) * interval)
			if wait := time.Until(due); wait > 0 {
				ts := syscall.NsecToTimespec(int64(wait))
				syscall.Nanosleep(&ts, nil)
			}
			late.record(time.Since(due))
			jobs <- job{due}
		}
		close(done)
	}()
	<-done
	close(jobs)
	wg.Wait()
	if record {
		dispatchLate = late
	}
	return workers, time.Since(start), sent
}

// dispatchLate: how late the measured phase's requests were handed to a worker (the load
// generator's own scheduling, included in every latency)
var dispatchLate hist

const prSetTimerSlack = 29

func main() {
	url := flag.String("url", "", "URL to GET")
	rate := flag.Float64("rate", 1000, "requests per second")
	duration := flag.Duration("duration", 5*time.Second, "measured phase")
	warmup := flag.Duration("warmup", time.Second, "unrecorded phase before it, same rate")
	conns := flag.Int("conns", 64, "most requests in flight (one keep-alive connection each)")
	flag.Parse()
	// the dispatcher's thread sleeps in nanosleep holding its P: the workers need another
	runtime.GOMAXPROCS(max(runtime.GOMAXPROCS(0), 2))
	if *url == "" || *rate <= 0 {
		fmt.Fprintln(os.Stderr, "usage: loadgen -url URL -rate R [-duration D] [-warmup W] [-conns N]")
		os.Exit(2)
	}
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConnsPerHost: *conns, MaxConnsPerHost: *conns, DisableCompression: true}}
	var warmupSent uint64
	if *warmup > 0 {
		_, _, warmupSent = run(client, *url, *rate, *warmup, *conns, false)
	}
	workers, elapsed, sent := run(client, *url, *rate, *duration, *conns, true)
	var h hist
	var errs, non2xx uint64
	for _, w := range workers {
		h.merge(&w.hist)
		errs += w.errors
		non2xx += w.non2xx
	}
	out := map[string]any{
		"url": *url, "rate": *rate, "duration_s": duration.Seconds(), "conns": *conns,
		"warmup_sent": warmupSent, "sent": sent, "completed": h.n, "errors": errs, "non_2xx": non2xx,
		// elapsed includes draining the last requests: below rate when the server fell behind
		"achieved_rps": float64(h.n) / elapsed.Seconds(),
		"mean_us":      h.sum / float64(max(h.n, 1)) / 1e3,
		"p50_us":       h.quantile(0.50), "p90_us": h.quantile(0.90), "p99_us": h.quantile(0.99),
		"p999_us": h.quantile(0.999), "max_us": float64(h.max) / 1e3,
		"dispatch_late_p50_us": dispatchLate.quantile(0.5), "dispatch_late_p99_us": dispatchLate.quantile(0.99),
	}
	json.NewEncoder(os.Stdout).Encode(out)
}
