// Command dbserver is the Go service tracebee's database/sql tests attach to: an HTTP server whose
// handlers use database/sql on an in-memory SQLite database (modernc.org/sqlite, pure Go).
//
// It prints exactly one line "listening on <host:port>" once the listener is bound.
//
//	GET /query?sql=S  db.QueryContext(r.Context(), S), reads every row, answers the row count
//	GET /exec?sql=S   db.ExecContext(r.Context(), S), answers the rows affected
//	GET /tx?sql=S     BeginTx, tx.ExecContext(S), Commit
//
// A failing statement answers 500 with the error.
package main

import (
	"database/sql"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"

	_ "modernc.org/sqlite"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	flag.Parse()
	db, err := sql.Open("sqlite", "file::memory:?cache=shared")
	if err != nil {
		log.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	if _, err := db.Exec("CREATE TABLE books (id INTEGER PRIMARY KEY, title TEXT)"); err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /query", func(w http.ResponseWriter, r *http.Request) {
		rows, err := db.QueryContext(r.Context(), r.URL.Query().Get("sql"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			n++
		}
		fmt.Fprintf(w, "rows=%d", n)
	})
	mux.HandleFunc("GET /exec", func(w http.ResponseWriter, r *http.Request) {
		res, err := db.ExecContext(r.Context(), r.URL.Query().Get("sql"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		n, _ := res.RowsAffected()
		fmt.Fprintf(w, "affected=%d", n)
	})
	mux.HandleFunc("GET /tx", func(w http.ResponseWriter, r *http.Request) {
		tx, err := db.BeginTx(r.Context(), nil)
		if err == nil {
			if _, err = tx.ExecContext(r.Context(), r.URL.Query().Get("sql")); err == nil {
				err = tx.Commit()
			} else {
				tx.Rollback()
			}
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprint(w, "committed")
	})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stdout, "listening on %s\n", ln.Addr().String())
	log.Fatal(http.Serve(ln, mux))
}
