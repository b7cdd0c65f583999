// Command gen writes the TypeScript files generated from the Go definitions of the
// server's contracts (package internal/contracts). `go generate ./...` runs it.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/jishitong/jishitong/internal/contracts"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run() error {
	root, err := contracts.Root(".")
	if err != nil {
		return err
	}
	files, err := contracts.Files()
	if err != nil {
		return err
	}
	for _, f := range files {
		path := filepath.Join(root, f.Path)
		if old, err := os.ReadFile(path); err == nil && string(old) == string(f.Content) {
			continue
		}
		if err := os.WriteFile(path, f.Content, 0o644); err != nil {
			return err
		}
		fmt.Println("wrote", f.Path)
	}
	return nil
}
