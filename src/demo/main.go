// Command bookshop is tracebee's demo service: a small, uninstrumented HTTP API for a bookshop.
// Run it, attach tracebee to its pid, and drive it with ./loadgen.
//
//	GET  /books        list of books (JSON)
//	GET  /books/{id}   one book, 404 for an unknown id
//	POST /orders       {"book_id":"1","quantity":2} -> 201 with the order; 400 for bad input,
//	                   404 for an unknown book, and about 1 in 20 fails with 500 (flaky payment provider)
//	GET  /healthz      "ok"
package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

type Book struct {
	ID     string  `json:"id"`
	Title  string  `json:"title"`
	Author string  `json:"author"`
	Price  float64 `json:"price"`
	Stock  int     `json:"stock"`
}

type OrderRequest struct {
	BookID   string `json:"book_id"`
	Quantity int    `json:"quantity"`
}

type Order struct {
	ID       int64   `json:"id"`
	BookID   string  `json:"book_id"`
	Quantity int     `json:"quantity"`
	Total    float64 `json:"total"`
	Created  string  `json:"created"`
}

type shop struct {
	mu        sync.RWMutex
	books     map[string]*Book
	nextOrder atomic.Int64
	failRate  float64
}

func newShop(failRate float64) *shop {
	s := &shop{books: map[string]*Book{}, failRate: failRate}
	for _, b := range []Book{
		{"1", "The Go Programming Language", "Donovan & Kernighan", 39.99, 1_000_000},
		{"2", "BPF Performance Tools", "Brendan Gregg", 54.50, 1_000_000},
		{"3", "Systems Performance", "Brendan Gregg", 61.00, 1_000_000},
		{"4", "Distributed Tracing in Practice", "Parker et al.", 44.95, 1_000_000},
		{"5", "Designing Data-Intensive Applications", "Martin Kleppmann", 42.00, 1_000_000},
		{"6", "The Linux Programming Interface", "Michael Kerrisk", 79.95, 1_000_000},
	} {
		s.books[b.ID] = &b
	}
	return s
}

// work simulates a backend call taking between lo and hi.
func work(lo, hi time.Duration) {
	time.Sleep(lo + rand.N(hi-lo+1))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

func (s *shop) listBooks(w http.ResponseWriter, r *http.Request) {
	work(2*time.Millisecond, 8*time.Millisecond) // "database query"
	s.mu.RLock()
	list := make([]Book, 0, len(s.books))
	for _, b := range s.books {
		list = append(list, *b)
	}
	s.mu.RUnlock()
	slices.SortFunc(list, func(a, b Book) int { return cmp.Compare(a.Title, b.Title) })
	writeJSON(w, http.StatusOK, list)
}

func (s *shop) getBook(w http.ResponseWriter, r *http.Request) {
	work(1*time.Millisecond, 4*time.Millisecond)
	s.mu.RLock()
	b, ok := s.books[r.PathValue("id")]
	var book Book
	if ok {
		book = *b
	}
	s.mu.RUnlock()
	if !ok {
		writeError(w, http.StatusNotFound, "no such book")
		return
	}
	writeJSON(w, http.StatusOK, book)
}

func (s *shop) createOrder(w http.ResponseWriter, r *http.Request) {
	var req OrderRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "invalid JSON: "+err.Error())
		return
	}
	if req.Quantity < 1 || req.Quantity > 100 {
		writeError(w, http.StatusBadRequest, "quantity must be 1..100")
		return
	}
	work(3*time.Millisecond, 12*time.Millisecond) // "inventory + payment"
	if rand.Float64() < s.failRate {
		writeError(w, http.StatusInternalServerError, "payment provider timed out")
		return
	}
	s.mu.Lock()
	b, ok := s.books[req.BookID]
	if ok && b.Stock < req.Quantity {
		s.mu.Unlock()
		writeError(w, http.StatusConflict, "out of stock")
		return
	}
	var price float64
	if ok {
		b.Stock -= req.Quantity
		price = b.Price
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "no such book")
		return
	}
	writeJSON(w, http.StatusCreated, Order{
		ID:       s.nextOrder.Add(1),
		BookID:   req.BookID,
		Quantity: req.Quantity,
		Total:    float64(req.Quantity) * price,
		Created:  time.Now().UTC().Format(time.RFC3339Nano),
	})
}

func (s *shop) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /books", s.listBooks)
	mux.HandleFunc("GET /books/{id}", s.getBook)
	mux.HandleFunc("POST /orders", s.createOrder)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	return mux
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	failRate := flag.Float64("fail-rate", 0.05, "fraction of POST /orders that fail with 500")
	flag.Parse()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("listen: %v", err)
	}
	log.Printf("bookshop listening on %s (pid %d)", ln.Addr(), os.Getpid())

	srv := &http.Server{Handler: newShop(*failRate).routes(), ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			log.Fatalf("serve: %v", err)
		}
	case <-ctx.Done():
		log.Printf("shutting down")
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}
}
