// Program pgx-v5 exists to be built against each release of github.com/jackc/pgx/v5 so that the offsets
// table can read its struct layouts from DWARF. It is never run against a database: it only has to make the
// linker keep every type a probe reads (an error returned through database/sql by pgx's stdlib driver and
// unwrapped to *pgconn.PgError).
package main

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib"
)

func main() {
	db, err := sql.Open("pgx", "postgres://tracebee@127.0.0.1:1/tracebee?sslmode=disable&connect_timeout=1")
	if err == nil {
		_, err = db.Exec("SELECT 1")
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		fmt.Println(pgErr.Code, pgErr.Message)
	}
	fmt.Println(err)
}
