// Program genproto-rpc exists to be built against versions of google.golang.org/genproto/googleapis/rpc so
// that the offsets table can read google.rpc.Status's layout from its DWARF. It is never run.
package main

import (
	"fmt"

	spb "google.golang.org/genproto/googleapis/rpc/status"
)

func main() {
	s := &spb.Status{Code: 5, Message: "not found"}
	fmt.Println(s.GetCode(), s.GetMessage(), s.String())
}
