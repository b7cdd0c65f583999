// Command jishitong is the Jishitong video-conferencing server.
package main

import (
	"os"
	_ "time/tzdata" // meetings repeat in their IANA time zone even where the OS has no zone files

	"github.com/jishitong/jishitong/internal/app"
)

func main() {
	os.Exit(app.Main(os.Args[1:], os.Stdout, os.Stderr))
}
