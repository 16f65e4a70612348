// SPDX-License-Identifier: Apache-2.0

// Command server is the Go HTTP service bench/target-side.sh measures with no agent, with tracebee,
// with OpenTelemetry Go Auto and, built with -tags otel, with the OTel Go SDK + otelhttp (otel.go).
//
// It prints one line "listening on <host:port>" once bound, then serves until SIGTERM or SIGINT.
//
//	GET /plain  200 "ok" (a tiny response, like the httpserver fixture's /hello/{id})
//	GET /work   one PostgreSQL query through database/sql (pgx), then one GET to -downstream, then 200
//	            with the row's name and the downstream's status
package main

import (
	"context"
	"database/sql"
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
	"sync/atomic"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
)

const rows = 100

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	dsn := flag.String("dsn", "", "PostgreSQL URL for /work (empty: /work answers 503)")
	downstream := flag.String("downstream", "", "URL /work GETs (empty: /work answers 503)")
	flag.Parse()

	shutdownTelemetry := setupTelemetry()

	var db *sql.DB
	if *dsn != "" {
		var err error
		if db, err = openDB(*dsn); err != nil {
			log.Fatalf("database: %v", err)
		}
		defer db.Close()
	}
	client := &http.Client{
		Timeout:   10 * time.Second,
		Transport: wrapTransport(&http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256, IdleConnTimeout: time.Minute}),
	}

	var counter atomic.Uint64
	mux := http.NewServeMux()
	mux.HandleFunc("GET /plain", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok")
	})
	mux.HandleFunc("GET /work", func(w http.ResponseWriter, r *http.Request) {
		if db == nil || *downstream == "" {
			http.Error(w, "no database or downstream configured", http.StatusServiceUnavailable)
			return
		}
		ctx := r.Context()
		id := int(counter.Add(1)%rows) + 1
		var name string
		qctx, end := querySpan(ctx, "SELECT bench_items")
		err := db.QueryRowContext(qctx, "SELECT name FROM bench_items WHERE id = $1", id).Scan(&name)
		end(err)
		if err != nil {
			http.Error(w, "query: "+err.Error(), http.StatusBadGateway)
			return
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, *downstream, nil)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		resp, err := client.Do(req)
		if err != nil {
			http.Error(w, "downstream: "+err.Error(), http.StatusBadGateway)
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, name+" "+strconv.Itoa(resp.StatusCode))
	})

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	srv := &http.Server{Handler: wrapHandler(mux), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
		<-sig
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
	shutdownTelemetry()
}

// openDB connects and makes the table /work reads: rows ids with a short name each.
func openDB(dsn string) (*sql.DB, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(64)
	db.SetMaxIdleConns(64)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, stmt := range []string{
		"CREATE TABLE IF NOT EXISTS bench_items (id int PRIMARY KEY, name text NOT NULL)",
		fmt.Sprintf("INSERT INTO bench_items SELECT i, 'item-' || i FROM generate_series(1, %d) i ON CONFLICT DO NOTHING", rows),
	} {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			db.Close()
			return nil, fmt.Errorf("%s: %w", stmt, err)
		}
	}
	return db, nil
}
