// Command jishitong is the Jishitong video-conferencing server.
package main

import (
	"os"

	"github.com/jishitong/jishitong/internal/app"
)

func main() {
	os.Exit(app.Main(os.Args[1:], os.Stdout, os.Stderr))
}
