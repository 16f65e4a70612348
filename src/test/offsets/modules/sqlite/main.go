// Program sqlite exists to be built against each release of modernc.org/sqlite so that the offsets table
// can read the driver's struct layouts from DWARF. It only has to make the linker keep every type a probe
// reads (a failing statement's error, returned through database/sql and unwrapped to *sqlite.Error).
package main

import (
	"database/sql"
	"errors"
	"fmt"

	"modernc.org/sqlite"
)

func main() {
	db, err := sql.Open("sqlite", "file::memory:")
	if err == nil {
		_, err = db.Exec("SELECT * FROM tracebee_missing")
	}
	var sqliteErr *sqlite.Error
	if errors.As(err, &sqliteErr) {
		fmt.Println(sqliteErr.Code(), sqliteErr.Error())
	}
	fmt.Println(err)
}
