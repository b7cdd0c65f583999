// Package contracts generates the TypeScript side of the contracts between the
// server and the web app from their Go definitions, so that each has one source:
//
//   - frontend/src/rtc/protocol.gen.ts from media/signal (the /rtc messages, their
//     data with the JSON names and optionality encoding/json gives them, enums,
//     error and close codes, limits, the protocol version);
//   - frontend/src/whiteboard/protocol.gen.ts from media/whiteboard (the
//     data-channel messages per direction from the codec's table, the element,
//     enums, error codes, limits);
//   - frontend/src/rtc/layout.gen.ts from internal/layout (every layout's panes as
//     data, under the GraphQL LayoutMode names of graph.LayoutModeOf).
//
// Struct shapes and enum names are read at run time (reflection and the types'
// String methods), constants and doc comments from the source (go/packages).
// `go generate ./...` (or `make generate`) rewrites the files; the package's test
// fails when a committed file differs from what the Go definitions give.
package contracts

//go:generate go run ./gen
