// Command redisserver is the Go service tracebee's go-redis tests attach to: an HTTP server whose
// handlers talk to a real Redis through github.com/redis/go-redis/v9 (go.mod: the newest release;
// go.oldest.mod, used with -modfile: the oldest supported one).
//
// It prints exactly one line "listening on <host:port>" once the listener is bound.
//
//	GET /set?key=K&value=V  SET K V, answers "OK"
//	GET /get?key=K          GET K, answers the value, or 404 "nil" for a missing key
//	GET /incr?key=K         INCRBY K 7 (an integer argument), answers the new value
//	GET /push?key=K         LPUSH K a b: fails with WRONGTYPE when K holds a string (500 with the error)
//	GET /pipeline?key=K     one pipeline: SET K 1, INCR K, GET K; answers the last reply
//	GET /tx?key=K           the same as a MULTI/EXEC transaction
//	GET /async?key=K        GET K from a goroutine the handler starts and waits for
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"

	"github.com/redis/go-redis/v9"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	redisAddr := flag.String("redis", "127.0.0.1:6379", "Redis address")
	flag.Parse()
	rdb := redis.NewClient(&redis.Options{Addr: *redisAddr, DB: 0, PoolSize: 4})
	mux := http.NewServeMux()
	handle := func(pattern string, run func(ctx context.Context, key string) (string, error)) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			out, err := run(r.Context(), r.URL.Query().Get("key"))
			if errors.Is(err, redis.Nil) {
				http.Error(w, "nil", http.StatusNotFound)
				return
			}
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			fmt.Fprint(w, out)
		})
	}
	handle("GET /set", func(ctx context.Context, key string) (string, error) {
		return rdb.Set(ctx, key, "v-"+key, 0).Result()
	})
	handle("GET /get", func(ctx context.Context, key string) (string, error) {
		return rdb.Get(ctx, key).Result()
	})
	handle("GET /incr", func(ctx context.Context, key string) (string, error) {
		n, err := rdb.IncrBy(ctx, key, 7).Result()
		return fmt.Sprint(n), err
	})
	handle("GET /push", func(ctx context.Context, key string) (string, error) {
		n, err := rdb.LPush(ctx, key, "a", []byte("b")).Result()
		return fmt.Sprint(n), err
	})
	// the same three commands as a pipeline or as a MULTI/EXEC transaction
	pipeline := func(run func(context.Context, func(redis.Pipeliner) error) ([]redis.Cmder, error)) func(context.Context, string) (string, error) {
		return func(ctx context.Context, key string) (string, error) {
			var get *redis.StringCmd
			_, err := run(ctx, func(p redis.Pipeliner) error {
				p.Set(ctx, key, 1, 0)
				p.Incr(ctx, key)
				get = p.Get(ctx, key)
				return nil
			})
			if err != nil {
				return "", err
			}
			return get.Val(), nil
		}
	}
	handle("GET /pipeline", pipeline(rdb.Pipelined))
	handle("GET /tx", pipeline(rdb.TxPipelined))
	handle("GET /async", func(ctx context.Context, key string) (string, error) {
		type result struct {
			v   string
			err error
		}
		done := make(chan result)
		go func() {
			v, err := rdb.Get(ctx, key).Result()
			done <- result{v, err}
		}()
		r := <-done
		return r.v, r.err
	})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stdout, "listening on %s\n", ln.Addr().String())
	log.Fatal(http.Serve(ln, mux))
}
