// Command routeserver is the Go service tracebee's http.route tests attach to: one listener in front of
// a gin engine and a gorilla/mux router, so both frameworks' route probes run in one binary.
//
// It prints exactly one line "listening on <host:port>" once the listener is bound.
//
// The listener's handler is a plain function (no ServeMux pattern of its own) that sends
//
//	/mux/...  to the gorilla/mux router
//	/std/...  to a Go 1.22+ ServeMux, which mounts the gin engine under the prefix pattern "/std/gin/"
//	else      to the gin engine
//
// and, with ?wrap=1, first replaces the request by r.WithContext(...), as many middlewares do.
// Every handler sleeps ?sleep=N milliseconds before answering "<framework> <its own route template>".
//
// gin (HandleMethodNotAllowed on):
//
//	GET  /users/:id            POST /users             PUT /things/:id
//	GET  /files/*path          GET  /api/v1/items/:id  (a group)
//	GET  /old/:id              rewrites the path to /users/<id> and re-routes (engine.HandleContext)
//	GET  /std/gin/users/:id    reached through the ServeMux's "/std/gin/"
//	DELETE /users/7 is a 405 without a DELETE tree, PUT /users/7 one with a PUT tree; else 404
//
// gorilla/mux:
//
//	GET /mux/items/{id:[0-9]+}   GET /mux/users/{name}   GET /mux/api/orders/{id} (a PathPrefix subrouter)
//	POST /mux/items/7 is a 405, /mux/items/abc a 404
//
// ServeMux: GET /std/plain/{id}.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/mux"
)

type wrapKey struct{}

// pause sleeps ?sleep=N milliseconds, so concurrent requests overlap inside their handlers.
func pause(r *http.Request) {
	if ms, err := strconv.Atoi(r.URL.Query().Get("sleep")); err == nil && ms > 0 {
		time.Sleep(time.Duration(ms) * time.Millisecond)
	}
}

func ginEngine() *gin.Engine {
	gin.SetMode(gin.ReleaseMode) // no debug lines on stdout
	e := gin.New()
	e.HandleMethodNotAllowed = true
	answer := func(c *gin.Context) {
		pause(c.Request)
		c.String(http.StatusOK, "gin %s", c.FullPath())
	}
	e.GET("/users/:id", answer)
	e.POST("/users", answer)
	e.PUT("/things/:id", answer)
	e.GET("/files/*path", answer)
	e.Group("/api/v1").GET("/items/:id", answer)
	e.GET("/std/gin/users/:id", answer)
	e.GET("/old/:id", func(c *gin.Context) {
		c.Request.URL.Path = "/users/" + c.Param("id")
		e.HandleContext(c)
	})
	return e
}

func muxRouter() *mux.Router {
	r := mux.NewRouter()
	answer := func(w http.ResponseWriter, req *http.Request) {
		pause(req)
		tpl, _ := mux.CurrentRoute(req).GetPathTemplate()
		fmt.Fprintf(w, "mux %s", tpl)
	}
	r.HandleFunc("/mux/items/{id:[0-9]+}", answer).Methods(http.MethodGet)
	r.HandleFunc("/mux/users/{name}", answer).Methods(http.MethodGet)
	r.PathPrefix("/mux/api").Subrouter().HandleFunc("/orders/{id}", answer).Methods(http.MethodGet)
	return r
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	flag.Parse()

	engine := ginEngine()
	router := muxRouter()
	std := http.NewServeMux()
	std.Handle("/std/gin/", engine)
	std.HandleFunc("GET /std/plain/{id}", func(w http.ResponseWriter, r *http.Request) {
		pause(r)
		fmt.Fprintf(w, "std %s", r.Pattern)
	})
	root := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Has("wrap") {
			r = r.WithContext(context.WithValue(r.Context(), wrapKey{}, true))
		}
		switch {
		case strings.HasPrefix(r.URL.Path, "/mux/"):
			router.ServeHTTP(w, r)
		case strings.HasPrefix(r.URL.Path, "/std/"):
			std.ServeHTTP(w, r)
		default:
			engine.ServeHTTP(w, r)
		}
	})

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stdout, "listening on %s\n", ln.Addr().String())
	log.Fatal(http.Serve(ln, root))
}
