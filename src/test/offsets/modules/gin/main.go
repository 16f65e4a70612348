// Program gin exists to be built against each release of github.com/gin-gonic/gin so that the offsets
// table can read gin.Context's layout from its DWARF. It is never run: it only has to make the linker
// keep the engine's routing path and the Context it fills.
package main

import (
	"fmt"
	"net/http/httptest"

	"github.com/gin-gonic/gin"
)

func main() {
	r := gin.New()
	r.GET("/users/:id", func(c *gin.Context) { c.String(200, c.FullPath()) })
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest("GET", "/users/1", nil))
	fmt.Println(w.Body.String())
}
