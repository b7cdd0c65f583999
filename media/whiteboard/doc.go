// Package whiteboard is the server side of the meeting whiteboard: an
// Excalidraw-compatible board of elements that the participants edit over a
// reliable, ordered WebRTC data channel named "whiteboard" on their publisher
// peer connection. The protocol (docs/whiteboard.md) is strict, versioned
// JSON, one message per data-channel message.
//
// The package is socket-free: the caller wires a data channel to a Hub
// (Attach on open, Receive on each message, Detach on close) and saves the
// board with Export when the meeting ends. The Hub reconciles concurrent edits
// with Excalidraw's rule (higher version wins, ties go to the lower
// versionNonce), orders every accepted change with a board sequence number,
// rate-limits each participant and bounds the board and every peer's queue.
package whiteboard
