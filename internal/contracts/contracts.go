package contracts

import (
	"fmt"
	"os"
	"path/filepath"
)

// File is one generated file: its path from the repository root and its content.
type File struct {
	Path    string
	Content []byte
}

// Files returns every generated file, as the Go definitions give it now.
func Files() ([]File, error) {
	srcs, err := loadSources(signalPath, whiteboardPath, layoutPath)
	if err != nil {
		return nil, err
	}
	rtc, err := rtcProtocol(srcs[signalPath])
	if err != nil {
		return nil, err
	}
	wb, err := whiteboardProtocol(srcs[whiteboardPath])
	if err != nil {
		return nil, err
	}
	lay, err := layoutGeometry(srcs[layoutPath])
	if err != nil {
		return nil, err
	}
	return []File{
		{"frontend/src/rtc/protocol.gen.ts", rtc},
		{"frontend/src/whiteboard/protocol.gen.ts", wb},
		{"frontend/src/rtc/layout.gen.ts", lay},
	}, nil
}

// Root returns the repository root: the nearest directory above dir (or dir)
// holding go.mod.
func Root(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		up := filepath.Dir(dir)
		if up == dir {
			return "", fmt.Errorf("contracts: no go.mod above %s", dir)
		}
		dir = up
	}
}
