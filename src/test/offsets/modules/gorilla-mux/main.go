// Program gorilla-mux exists to be built against each release of github.com/gorilla/mux so that the
// offsets table can read its route structs from its DWARF. It is never run: it only has to make the
// linker keep the matching path (routeRegexpGroup.setMatch and the routeRegexp it reads).
package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/gorilla/mux"
)

func main() {
	r := mux.NewRouter()
	r.HandleFunc("/items/{id:[0-9]+}", func(w http.ResponseWriter, req *http.Request) {
		t, _ := mux.CurrentRoute(req).GetPathTemplate()
		fmt.Fprint(w, t)
	})
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest("GET", "/items/1", nil))
	fmt.Println(w.Body.String())
}
