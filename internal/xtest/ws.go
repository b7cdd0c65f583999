package xtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
)

// WS is a graphql-transport-ws connection.
type WS struct {
	Conn *websocket.Conn
	t    testing.TB
}

// WSMessage is one protocol message.
type WSMessage struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// DialWS opens /graphql as a websocket with the client's headers and sends
// connection_init with the client's token. It returns the connection and the
// server's first answer (connection_ack, or an error/close).
func (c *Client) DialWS(ctx context.Context, t testing.TB) (*WS, error) {
	t.Helper()
	h := http.Header{}
	for k, vs := range c.Header {
		h[k] = vs
	}
	u := "ws" + strings.TrimPrefix(c.URL, "http") + "/graphql"
	conn, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPHeader: h, Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		return nil, err
	}
	ws := &WS{Conn: conn, t: t}
	t.Cleanup(func() { conn.CloseNow() })
	init := map[string]any{}
	if c.Token != "" {
		init["authorization"] = "Bearer " + c.Token
	}
	p, _ := json.Marshal(init)
	if err := wsjson.Write(ctx, conn, WSMessage{Type: "connection_init", Payload: p}); err != nil {
		return nil, err
	}
	m, err := ws.Read(ctx)
	if err != nil {
		return nil, err
	}
	if m.Type != "connection_ack" {
		return nil, fmt.Errorf("expected connection_ack, got %s %s", m.Type, m.Payload)
	}
	return ws, nil
}

// Subscribe starts a subscription with id.
func (w *WS) Subscribe(ctx context.Context, id, query string, vars map[string]any) error {
	p, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return wsjson.Write(ctx, w.Conn, WSMessage{ID: id, Type: "subscribe", Payload: p})
}

// Read returns the next message that is not a ping/pong, answering pings.
func (w *WS) Read(ctx context.Context) (*WSMessage, error) {
	for range 100 {
		var m WSMessage
		if err := wsjson.Read(ctx, w.Conn, &m); err != nil {
			return nil, err
		}
		switch m.Type {
		case "ping":
			_ = wsjson.Write(ctx, w.Conn, WSMessage{Type: "pong"})
			continue
		case "pong":
			continue
		}
		return &m, nil
	}
	return nil, fmt.Errorf("only pings")
}

// WaitClosed waits until the server closes the connection, returning its close
// status, or fails after d.
func (w *WS) WaitClosed(d time.Duration) (websocket.StatusCode, error) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	for {
		_, _, err := w.Conn.Read(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return -1, fmt.Errorf("connection still open after %v", d)
			}
			return websocket.CloseStatus(err), nil
		}
	}
}
