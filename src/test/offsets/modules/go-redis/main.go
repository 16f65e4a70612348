// Program go-redis exists to be built against each release of github.com/redis/go-redis/v9 so that the
// offsets table can read the client's struct layouts from its DWARF. It is never run against a server:
// it only has to make the linker keep every type the probe reads (baseClient, Options, baseCmd).
package main

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"
)

func main() {
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DB: 1})
	fmt.Println(rdb.Set(ctx, "k", 1, 0).Err())
	_, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Get(ctx, "k")
		return nil
	})
	fmt.Println(err)
	_, err = rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Incr(ctx, "k")
		return nil
	})
	fmt.Println(err)
}
