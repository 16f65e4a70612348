// Command loadgen drives the bookshop demo with a steady mix of requests.
//
//	loadgen [-target http://127.0.0.1:8080] [-rate 20] [-duration 0] [-concurrency 16]
//
// It sends -rate requests per second until killed (or for -duration when > 0), printing nothing
// per request; on exit it prints one summary line of status-code counts to stderr.
// Mix: 35% GET /books, 35% GET /books/{id}, 5% GET /books/{unknown}, 20% POST /orders, 5% GET /healthz.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

type stats struct {
	mu      sync.Mutex
	codes   map[int]int
	errors  int
	dropped int
}

func (s *stats) add(code int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.errors++
		return
	}
	s.codes[code]++
}

func (s *stats) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var keys []int
	total := s.errors
	for k, n := range s.codes {
		keys = append(keys, k)
		total += n
	}
	sort.Ints(keys)
	var b strings.Builder
	fmt.Fprintf(&b, "loadgen: %d requests", total)
	for _, k := range keys {
		fmt.Fprintf(&b, " %d=%d", k, s.codes[k])
	}
	fmt.Fprintf(&b, " errors=%d dropped=%d", s.errors, s.dropped)
	return b.String()
}

func newRequest(ctx context.Context, target string) (*http.Request, error) {
	p := rand.Float64()
	switch {
	case p < 0.35:
		return http.NewRequestWithContext(ctx, http.MethodGet, target+"/books", nil)
	case p < 0.70:
		return http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/books/%d", target, 1+rand.IntN(6)), nil)
	case p < 0.75:
		return http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/books/%d", target, 100+rand.IntN(900)), nil)
	case p < 0.95:
		body := fmt.Sprintf(`{"book_id":"%d","quantity":%d}`, 1+rand.IntN(6), 1+rand.IntN(3))
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, target+"/orders", strings.NewReader(body))
		if err == nil {
			req.Header.Set("Content-Type", "application/json")
		}
		return req, err
	default:
		return http.NewRequestWithContext(ctx, http.MethodGet, target+"/healthz", nil)
	}
}

func main() {
	target := flag.String("target", "http://127.0.0.1:8080", "base URL of the bookshop")
	rate := flag.Float64("rate", 20, "requests per second")
	duration := flag.Duration("duration", 0, "stop after this long (0: run until killed)")
	concurrency := flag.Int("concurrency", 16, "maximum requests in flight; beyond that, ticks are dropped")
	flag.Parse()
	if *rate <= 0 || *concurrency < 1 {
		log.Fatal("loadgen: -rate and -concurrency must be positive")
	}
	base := strings.TrimRight(*target, "/")

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if *duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *duration)
		defer cancel()
	}

	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = *concurrency
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}

	st := &stats{codes: map[int]int{}}
	slots := make(chan struct{}, *concurrency)
	var wg sync.WaitGroup
	ticker := time.NewTicker(time.Duration(float64(time.Second) / *rate))
	defer ticker.Stop()

loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-ticker.C:
		}
		select {
		case slots <- struct{}{}:
		default:
			st.mu.Lock()
			st.dropped++
			st.mu.Unlock()
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			req, err := newRequest(context.Background(), base)
			if err != nil {
				st.add(0, err)
				return
			}
			resp, err := client.Do(req)
			if err != nil {
				st.add(0, err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			st.add(resp.StatusCode, nil)
		}()
	}
	wg.Wait()
	fmt.Fprintln(os.Stderr, st)
}
