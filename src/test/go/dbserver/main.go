// Command dbserver is the Go service tracebee's database/sql tests attach to: an HTTP server whose
// handlers use database/sql. It links three real drivers — SQLite (modernc.org/sqlite, pure Go, in
// memory), PostgreSQL through pgx (github.com/jackc/pgx/v5/stdlib) and PostgreSQL through lib/pq — so
// the probe must tell them apart per call, and -driver picks the one this process uses. Built with
// -tags sqliteonly it links SQLite alone (postgres.go is left out); with -tags pgonly, PostgreSQL
// alone (sqlite.go is left out), which older Go releases and go.oldest.mod (the oldest driver
// releases tracebee supports, via -modfile) can build.
//
// It prints exactly one line "listening on <host:port>" once the listener is bound.
//
//	GET /query?sql=S     db.QueryContext(r.Context(), S), reads every row, answers the row count
//	GET /exec?sql=S      db.ExecContext(r.Context(), S), answers the rows affected
//	GET /tx?sql=S        BeginTx, tx.ExecContext(S), Commit
//	GET /prepared?sql=S  db.PrepareContext(S), then stmt.QueryContext twice (rows counted)
//	GET /prepexec?sql=S  tx.PrepareContext(S), stmt.ExecContext, Commit
//
// A failing statement answers 500 with the error.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	driver := flag.String("driver", "sqlite", "sqlite, pgx or postgres (lib/pq)")
	dsn := flag.String("dsn", "file::memory:?cache=shared", "data source name")
	flag.Parse()
	db, err := sql.Open(*driver, *dsn)
	if err != nil {
		log.Fatal(err)
	}
	db.SetMaxOpenConns(2)
	id := "INTEGER PRIMARY KEY"
	if *driver != "sqlite" {
		id = "SERIAL PRIMARY KEY"
	}
	if _, err := db.Exec("CREATE TABLE IF NOT EXISTS books (id " + id + ", title TEXT)"); err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	handle := func(pattern string, run func(ctx context.Context, s string) (string, error)) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			out, err := run(r.Context(), r.URL.Query().Get("sql"))
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			fmt.Fprint(w, out)
		})
	}
	handle("GET /query", func(ctx context.Context, s string) (string, error) {
		rows, err := db.QueryContext(ctx, s)
		if err != nil {
			return "", err
		}
		return countRows(rows)
	})
	handle("GET /exec", func(ctx context.Context, s string) (string, error) {
		res, err := db.ExecContext(ctx, s)
		if err != nil {
			return "", err
		}
		n, _ := res.RowsAffected()
		return fmt.Sprintf("affected=%d", n), nil
	})
	handle("GET /tx", func(ctx context.Context, s string) (string, error) {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return "", err
		}
		if _, err = tx.ExecContext(ctx, s); err != nil {
			tx.Rollback()
			return "", err
		}
		return "committed", tx.Commit()
	})
	handle("GET /prepared", func(ctx context.Context, s string) (string, error) {
		stmt, err := db.PrepareContext(ctx, s)
		if err != nil {
			return "", err
		}
		defer stmt.Close()
		out := ""
		for i := 0; i < 2; i++ {
			rows, err := stmt.QueryContext(ctx)
			if err != nil {
				return "", err
			}
			n, err := countRows(rows)
			if err != nil {
				return "", err
			}
			out += n + ";"
		}
		return out, nil
	})
	handle("GET /prepexec", func(ctx context.Context, s string) (string, error) {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return "", err
		}
		stmt, err := tx.PrepareContext(ctx, s)
		if err == nil {
			var res sql.Result
			if res, err = stmt.ExecContext(ctx); err == nil {
				stmt.Close()
				n, _ := res.RowsAffected()
				return fmt.Sprintf("affected=%d", n), tx.Commit()
			}
		}
		tx.Rollback()
		return "", err
	})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stdout, "listening on %s\n", ln.Addr().String())
	log.Fatal(http.Serve(ln, mux))
}

func countRows(rows *sql.Rows) (string, error) {
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
	}
	return fmt.Sprintf("rows=%d", n), rows.Err()
}
