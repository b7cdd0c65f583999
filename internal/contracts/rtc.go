package contracts

import (
	"fmt"
	"go/constant"
	gotypes "go/types"
	"reflect"
	"strings"

	"github.com/jishitong/jishitong/media/signal"
)

const signalPath = "github.com/jishitong/jishitong/media/signal"

// rtcTypes returns the /rtc message types in the order of their constants.
func rtcTypes() []signal.Type {
	var ts []signal.Type
	for t := signal.TypeUnknown + 1; t.String() != signal.TypeUnknown.String(); t++ {
		ts = append(ts, t)
	}
	return ts
}

// rtcProtocol returns frontend/src/rtc/protocol.gen.ts.
func rtcProtocol(src *source) ([]byte, error) {
	var w tsFile
	w.header("media/signal")
	w.printf("//\n// The /rtc signaling protocol (docs/rtc-protocol.md): every message type and its\n")
	w.printf("// data as encoding/json writes it (omitempty: optional; a pointer or slice\n")
	w.printf("// without it: null when nil), the enums, error and close codes, the limits.\n\n")

	// Version and limits.
	if err := writeVersion(&w, src, "signal"); err != nil {
		return nil, err
	}
	if err := writeLimits(&w, src, "signal"); err != nil {
		return nil, err
	}

	// Message types.
	types := rtcTypes()
	var all, client, server []string
	for _, t := range types {
		all = append(all, t.String())
		if t.FromClient() {
			client = append(client, t.String())
		}
		if t.FromServer() {
			server = append(server, t.String())
		}
	}
	w.doc("", src.docs["Type"]+"\n\n"+src.docs["TypeUnknown"])
	w.printf("export type MessageType = %s;\n", union(all))
	w.printf("/** Every message type, in the order of the Go constants. */\n")
	w.printf("export const MESSAGE_TYPES: readonly MessageType[] = [%s];\n", list(all))
	w.printf("/** The types a client may send (signal.Type.FromClient). */\n")
	w.printf("export type ClientMessageType = %s;\n", union(client))
	w.printf("export const CLIENT_MESSAGE_TYPES: readonly ClientMessageType[] = [%s];\n", list(client))
	w.printf("/** The types the server may send (signal.Type.FromServer). */\n")
	w.printf("export type ServerMessageType = %s;\n", union(server))
	w.printf("export const SERVER_MESSAGE_TYPES: readonly ServerMessageType[] = [%s];\n\n", list(server))

	// Payloads and what they contain, then the enums they use.
	m := &typeMapper{isEnum: func(t reflect.Type) bool {
		return t.PkgPath() == signalPath && t.Implements(textMarshaler)
	}}
	payload := map[signal.Type]reflect.Type{}
	for _, t := range types {
		payload[t] = reflect.TypeOf(signal.NewPayload(t)).Elem()
		m.ts(payload[t])
	}
	var body tsFile
	for i := 0; i < len(m.structs); i++ { // writeStruct may append nested structs
		m.writeStruct(&body, m.structs[i], src.docs)
	}
	for _, e := range m.enums {
		writeEnum(&w, e, src.docs)
	}
	w.Write(body.Bytes())

	// The data of each type and the messages of each direction.
	w.printf("/** The data object of each message type. */\n")
	w.printf("export interface MessageData {\n")
	for _, t := range types {
		w.printf("  %s: %s;\n", t.String(), payload[t].Name())
	}
	w.printf("}\n\n")
	direction := func(name, doc string, from func(signal.Type) bool) {
		w.doc("", doc)
		w.printf("export type %s =\n", name)
		for _, t := range types {
			if !from(t) {
				continue
			}
			data := "data"
			if allOptional(payload[t]) {
				data = "data?"
			}
			w.printf("  | { type: %s; %s: %s }\n", quote(t.String()), data, payload[t].Name())
		}
		w.Truncate(w.Len() - 1)
		w.printf(";\n\n")
	}
	direction("ClientMessage", "A message a client sends: its type and data (data may be absent when all its fields are optional).", signal.Type.FromClient)
	direction("ServerMessage", "A message the server sends, as written on the wire.", signal.Type.FromServer)

	// Codes.
	if err := writeCodes(&w, "ErrorCode", src.consts(ofType(signalPath, "Code")), "Code",
		"Code is a protocol error code carried in an error frame (docs/rtc-protocol.md §7)."); err != nil {
		return nil, err
	}
	if err := writeCodes(&w, "CloseCode", src.consts(ofType("github.com/coder/websocket", "StatusCode")), "Close",
		"WebSocket close codes (docs/rtc-protocol.md §8). 4000-4999 are private use (RFC 6455 §7.4.2); ours mirror HTTP statuses."); err != nil {
		return nil, err
	}
	return trimEnd(w.Bytes()), nil
}

// writeVersion writes the package's Version constant as PROTOCOL_VERSION.
func writeVersion(w *tsFile, src *source, pkg string) error {
	cs := src.consts(func(name string, _ gotypes.Type) bool { return name == "Version" })
	if len(cs) != 1 {
		return fmt.Errorf("contracts: %s.Version not found", pkg)
	}
	v, err := number(cs[0].value)
	if err != nil {
		return err
	}
	w.doc("", "From "+pkg+".Version: "+cs[0].doc)
	w.printf("export const PROTOCOL_VERSION = %s;\n\n", v)
	return nil
}

// writeLimits writes the package's Max… constants as LIMITS.
func writeLimits(w *tsFile, src *source, pkg string) error {
	cs := src.consts(limits)
	if len(cs) == 0 {
		return fmt.Errorf("contracts: %s has no Max… constants", pkg)
	}
	w.printf("/** The limits: every %s.Max… constant, named in lower camel case (%s is %s.%s). */\n",
		pkg, lowerFirst(cs[0].name), pkg, cs[0].name)
	w.printf("export const LIMITS = {\n")
	for _, c := range cs {
		n, err := number(c.value)
		if err != nil {
			return err
		}
		w.doc("  ", c.doc)
		w.printf("  %s: %s,\n", lowerFirst(c.name), n)
	}
	w.printf("} as const;\n\n")
	return nil
}

// writeCodes writes constants as an object of code values under their Go names
// without prefix, and the union type of the values.
func writeCodes(w *tsFile, name string, cs []constInfo, prefix, doc string) error {
	w.doc("", doc)
	w.printf("export const %s = {\n", name)
	for _, c := range cs {
		var val string
		if c.value.Kind() == constant.String {
			val = quote(constant.StringVal(c.value))
		} else {
			n, err := number(c.value)
			if err != nil {
				return err
			}
			val = n
		}
		w.doc("  ", c.doc)
		w.printf("  %s: %s,\n", strings.TrimPrefix(c.name, prefix), val)
	}
	w.printf("} as const;\n")
	w.printf("export type %s = (typeof %s)[keyof typeof %s];\n\n", name, name, name)
	return nil
}

// trimEnd leaves exactly one newline at the end.
func trimEnd(b []byte) []byte {
	for len(b) > 0 && b[len(b)-1] == '\n' {
		b = b[:len(b)-1]
	}
	return append(b, '\n')
}
