//go:build !pgonly

package main

// SQLite, pure Go ("sqlite"); it needs Go 1.26.
import _ "modernc.org/sqlite"
