package contracts

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/jishitong/jishitong/media/whiteboard"
)

const whiteboardPath = "github.com/jishitong/jishitong/media/whiteboard"

// whiteboardProtocol returns frontend/src/whiteboard/protocol.gen.ts.
func whiteboardProtocol(src *source) ([]byte, error) {
	var w tsFile
	w.header("media/whiteboard")
	w.printf("//\n// The whiteboard data-channel protocol (docs/whiteboard.md): the members each\n")
	w.printf("// message type carries in each direction (the codec's table, whiteboard.Shape),\n")
	w.printf("// their types (the wire tags of whiteboard.Message), the element, the enums,\n")
	w.printf("// error codes and limits.\n\n")
	if err := writeVersion(&w, src, "whiteboard"); err != nil {
		return nil, err
	}
	if err := writeLimits(&w, src, "whiteboard"); err != nil {
		return nil, err
	}

	var types []whiteboard.Type
	for t := whiteboard.TypeUnknown + 1; t.String() != whiteboard.TypeUnknown.String(); t++ {
		types = append(types, t)
	}
	names := make([]string, len(types))
	for i, t := range types {
		names[i] = t.String()
	}
	w.doc("", src.docs["Type"]+"\n\n"+src.docs["TypeUnknown"])
	w.printf("export type MessageType = %s;\n", union(names))
	w.printf("/** Every message type, in the order of the Go constants. */\n")
	w.printf("export const MESSAGE_TYPES: readonly MessageType[] = [%s];\n\n", list(names))

	m := &typeMapper{isEnum: func(t reflect.Type) bool { return t.PkgPath() == whiteboardPath }}
	// The element: its wire tags name the members the server reads.
	var el tsFile
	et := reflect.TypeFor[whiteboard.Element]()
	el.doc("", src.docs["Element"])
	el.printf("export interface Element {\n")
	for i := range et.NumField() {
		f := et.Field(i)
		name, opt, _ := strings.Cut(f.Tag.Get("wire"), ",")
		el.doc("  ", src.docs["Element."+f.Name])
		switch {
		case name == "*":
			el.printf("  [member: string]: unknown;\n")
		case name == "":
			return nil, fmt.Errorf("contracts: whiteboard.Element.%s has no wire tag", f.Name)
		case opt == "optional":
			el.printf("  %s?: %s | null;\n", name, m.ts(f.Type))
		default:
			el.printf("  %s: %s;\n", name, m.ts(f.Type))
		}
	}
	el.printf("}\n\n")

	// The envelope members, typed by the Message field tagged with their name.
	member := map[string]reflect.StructField{}
	mt := reflect.TypeFor[whiteboard.Message]()
	for i := range mt.NumField() {
		member[mt.Field(i).Tag.Get("wire")] = mt.Field(i)
	}
	var msgs tsFile
	direction := func(name, doc string, server bool) error {
		msgs.doc("", doc)
		msgs.printf("export type %s =\n", name)
		for i, t := range types {
			req, opt, ok := whiteboard.Shape(t, server)
			if !ok {
				continue
			}
			msgs.printf("  // %s\n", src.docs[typeConstName(src, i+1)])
			parts := []string{"type: " + quote(t.String())}
			for _, group := range []struct {
				names []string
				mark  string
			}{{req, ""}, {opt, "?"}} {
				for _, n := range group.names {
					if n == "v" || n == "type" {
						continue
					}
					f, ok := member[n]
					if !ok {
						return fmt.Errorf("contracts: whiteboard member %q has no Message field", n)
					}
					parts = append(parts, n+group.mark+": "+m.ts(f.Type))
				}
			}
			msgs.printf("  | { %s }\n", strings.Join(parts, "; "))
		}
		msgs.Truncate(msgs.Len() - 1)
		msgs.printf(";\n\n")
		return nil
	}
	if err := direction("ClientMessage", `A message a client sends, without "v" (the encoder adds PROTOCOL_VERSION).`, false); err != nil {
		return nil, err
	}
	if err := direction("ServerMessage", `A message the server sends, without "v" (always PROTOCOL_VERSION).`, true); err != nil {
		return nil, err
	}

	for _, e := range m.enums {
		writeEnum(&w, e, src.docs)
	}
	w.Write(el.Bytes())
	w.Write(msgs.Bytes())
	if err := writeCodes(&w, "ErrorCode", src.consts(ofType(whiteboardPath, "Code")), "Code",
		"Code is a protocol error code carried in an error frame (docs/whiteboard.md §7)."); err != nil {
		return nil, err
	}
	return trimEnd(w.Bytes()), nil
}

// typeConstName returns the name of the constant of type Type with value v.
func typeConstName(src *source, v int) string {
	for _, c := range src.consts(ofType(whiteboardPath, "Type")) {
		if n, err := number(c.value); err == nil && n == fmt.Sprint(v) {
			return c.name
		}
	}
	return ""
}
