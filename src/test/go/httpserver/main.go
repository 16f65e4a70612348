// Command httpserver is the Go HTTP server that tracebee's integration tests attach uprobes to.
//
// It prints exactly one line "listening on <host:port>" to stdout once the listener is bound,
// then serves until SIGTERM or SIGINT, when it shuts down gracefully.
//
// Routes (Go 1.22+ ServeMux patterns):
//
//	GET  /hello/{id}     200 "hello <id>"
//	GET  /status/{code}  responds with status <code> and a short body
//	POST /echo           200 echoing the request body
//	GET  /nowrite        handler writes nothing (implicit 200, empty body)
//	     /any/{rest...}  any method, 200 "any <rest>"
//	GET  /call?url=U     GETs U with http.DefaultClient on the handler's goroutine and answers with
//	                     its status code (502 with the error when the call fails)
//	GET  /callasync?url=U  the same call made from a goroutine the handler starts and waits for
//	GET  /relay/{id}     GETs /hello/{id} on this same server (keep-alive client), answers its status
//	GET  /fetch?url=U    calls U and answers with its body; &traceparent=X sets that header on the
//	                     call, &pad=N adds an N-byte X-Pad header, &size=N makes it a POST of N bytes
//	ANY  /inspect        "tp=<Traceparent values, comma-joined>;len=<body length>;sha=<sha256 hex>;peer=<RemoteAddr>"
//	GET  /pool?url=U     hands (ctx, U) to a worker goroutine started before serving (not a descendant
//	                     of the handler); the worker GETs U with a request carrying a context derived
//	                     from the handler's (context.WithTimeout), and answers its status
//	anything else        ServeMux's 404 (or 405 for a known path with another method)
package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// poolJob is one call for the worker started in main: a context derived from a handler's request.
type poolJob struct {
	ctx    context.Context
	url    string
	status chan int
}

var poolJobs = make(chan poolJob)

func poolWorker() {
	for job := range poolJobs {
		code := http.StatusBadGateway
		req, err := http.NewRequestWithContext(job.ctx, http.MethodGet, job.url, nil)
		if err == nil {
			if resp, err := http.DefaultClient.Do(req); err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				code = resp.StatusCode
			}
		}
		job.status <- code
	}
}

func newMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "hello "+r.PathValue("id"))
	})
	mux.HandleFunc("GET /status/{code}", func(w http.ResponseWriter, r *http.Request) {
		code, err := strconv.Atoi(r.PathValue("code"))
		if err != nil || code < 100 || code > 999 {
			http.Error(w, "bad status code", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(code)
		fmt.Fprintf(w, "status %d\n", code)
	})
	mux.HandleFunc("POST /echo", func(w http.ResponseWriter, r *http.Request) {
		if ct := r.Header.Get("Content-Type"); ct != "" {
			w.Header().Set("Content-Type", ct)
		}
		io.Copy(w, r.Body)
	})
	mux.HandleFunc("GET /nowrite", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("GET /call", func(w http.ResponseWriter, r *http.Request) {
		resp, err := http.Get(r.URL.Query().Get("url"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		w.WriteHeader(resp.StatusCode)
		fmt.Fprintf(w, "called: %d\n", resp.StatusCode)
	})
	mux.HandleFunc("GET /callasync", func(w http.ResponseWriter, r *http.Request) {
		status := make(chan int, 1)
		go func() {
			resp, err := http.Get(r.URL.Query().Get("url"))
			if err != nil {
				status <- http.StatusBadGateway
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			status <- resp.StatusCode
		}()
		code := <-status
		w.WriteHeader(code)
		fmt.Fprintf(w, "called async: %d\n", code)
	})
	mux.HandleFunc("GET /relay/{id}", func(w http.ResponseWriter, r *http.Request) {
		resp, err := http.Get("http://" + r.Host + "/hello/" + r.PathValue("id"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		w.WriteHeader(resp.StatusCode)
	})
	mux.HandleFunc("GET /pool", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
		defer cancel()
		job := poolJob{ctx: ctx, url: r.URL.Query().Get("url"), status: make(chan int, 1)}
		poolJobs <- job
		code := <-job.status
		w.WriteHeader(code)
		fmt.Fprintf(w, "called from the pool: %d\n", code)
	})
	mux.HandleFunc("GET /fetch", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		method, body := http.MethodGet, io.Reader(nil)
		if n, _ := strconv.Atoi(q.Get("size")); n > 0 {
			method, body = http.MethodPost, strings.NewReader(strings.Repeat("a", n))
		}
		req, err := http.NewRequestWithContext(r.Context(), method, q.Get("url"), body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if tp := q.Get("traceparent"); tp != "" {
			req.Header.Set("Traceparent", tp)
		}
		if n, _ := strconv.Atoi(q.Get("pad")); n > 0 {
			req.Header.Set("X-Pad", strings.Repeat("p", n))
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	})
	mux.HandleFunc("/inspect", func(w http.ResponseWriter, r *http.Request) {
		h := sha256.New()
		n, _ := io.Copy(h, r.Body)
		fmt.Fprintf(w, "tp=%s;len=%d;sha=%x;peer=%s", strings.Join(r.Header.Values("Traceparent"), ","), n, h.Sum(nil),
			r.RemoteAddr)
	})
	mux.HandleFunc("/any/{rest...}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "any "+r.PathValue("rest"))
	})
	return mux
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address (port 0 picks a free port)")
	flag.Parse()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("listen: %v", err)
	}
	// Exactly one line on stdout; os.Stdout is unbuffered, so it is flushed at once.
	fmt.Fprintf(os.Stdout, "listening on %s\n", ln.Addr().String())

	go poolWorker()

	srv := &http.Server{
		Handler:           newMux(),
		ReadHeaderTimeout: 10 * time.Second,
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()

	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			log.Fatalf("serve: %v", err)
		}
	case <-ctx.Done():
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(shutdownCtx); err != nil {
			log.Printf("shutdown: %v", err)
		}
	}
}
