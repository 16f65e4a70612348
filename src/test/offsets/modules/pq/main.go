// Program pq exists to be built against each release of github.com/lib/pq so that the offsets table can
// read the driver's struct layouts from its DWARF. It is never run against a database: it only has to make
// the linker keep every type a probe reads (an error returned through database/sql and unwrapped to *pq.Error).
package main

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/lib/pq"
)

func main() {
	db, err := sql.Open("postgres", "host=127.0.0.1 port=1 sslmode=disable connect_timeout=1")
	if err == nil {
		_, err = db.Exec("SELECT 1")
	}
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		fmt.Println(pqErr.Code, pqErr.Message)
	}
	fmt.Println(err)
}
