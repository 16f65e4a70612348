//go:build !sqliteonly

package main

// The PostgreSQL drivers: pgx's database/sql adapter ("pgx") and lib/pq ("postgres").
import (
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "github.com/lib/pq"
)
