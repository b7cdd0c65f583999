package whiteboard

import (
	"fmt"
	"strings"
)

// el returns a rectangle element as JSON.
func el(id string, version, nonce int64, deleted bool) string {
	return fmt.Sprintf(`{"id":%q,"type":"rectangle","version":%d,"versionNonce":%d,"isDeleted":%t,"x":1,"y":2}`, id, version, nonce, deleted)
}

// elIndexed returns a rectangle element with a fractional index.
func elIndexed(id, index string, version, nonce int64, deleted bool) string {
	return fmt.Sprintf(`{"id":%q,"type":"rectangle","version":%d,"versionNonce":%d,"isDeleted":%t,"index":%q}`, id, version, nonce, deleted, index)
}

// elSized returns a rectangle element of exactly size bytes.
func elSized(id string, version, nonce int64, size int) string {
	head := fmt.Sprintf(`{"id":%q,"type":"rectangle","version":%d,"versionNonce":%d,"isDeleted":false,"pad":"`, id, version, nonce)
	pad := size - len(head) - len(`"}`)
	if pad < 0 {
		panic("elSized: too small")
	}
	return head + strings.Repeat("x", pad) + `"}`
}

// elSizedDeleted returns a deleted rectangle element of exactly size bytes.
func elSizedDeleted(id string, version, nonce int64, size int) string {
	e := elSized(id, version, nonce, size+1) // "true" is one byte shorter than "false"
	return strings.Replace(e, `"isDeleted":false`, `"isDeleted":true`, 1)
}

// update returns a client update message of the given elements.
func update(id string, els ...string) []byte {
	idField := ""
	if id != "" {
		idField = fmt.Sprintf(`,"id":%q`, id)
	}
	return []byte(`{"v":1,"type":"update"` + idField + `,"elements":[` + strings.Join(els, ",") + `]}`)
}

// padTo appends spaces inside the closing brace of msg to make it n bytes.
func padTo(msg []byte, n int) []byte {
	if len(msg) > n {
		panic("padTo: message too long")
	}
	body := msg[:len(msg)-1]
	return append(append(append([]byte(nil), body...), strings.Repeat(" ", n-len(msg))...), '}')
}
