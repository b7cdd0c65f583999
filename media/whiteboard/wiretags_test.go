package whiteboard

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// The wire tags of Message and Element feed the generated TypeScript types; these
// tests keep them equal to what the codec reads.

func TestMessageWireTagsNameEveryEnvelopeMember(t *testing.T) {
	var tags []string
	mt := reflect.TypeFor[Message]()
	for i := range mt.NumField() {
		f := mt.Field(i)
		tag := f.Tag.Get("wire")
		if tag == "" {
			t.Errorf("Message.%s has no wire tag", f.Name)
			continue
		}
		tags = append(tags, tag)
	}
	want := slices.DeleteFunc(slices.Clone(fieldNames[:]), func(n string) bool { return n == "v" })
	slices.Sort(tags)
	slices.Sort(want)
	if !slices.Equal(tags, want) {
		t.Errorf("Message wire tags %v, codec fields (without v) %v", tags, want)
	}
}

func TestElementWireTagsMatchTheParser(t *testing.T) {
	full := map[string]string{"id": `"a"`, "version": `1`, "versionNonce": `2`, "isDeleted": `false`, "type": `"rectangle"`, "index": `"a0"`}
	et := reflect.TypeFor[Element]()
	seen := 0
	for i := range et.NumField() {
		f := et.Field(i)
		name, opt, _ := strings.Cut(f.Tag.Get("wire"), ",")
		if name == "*" {
			continue
		}
		if _, ok := full[name]; !ok {
			t.Fatalf("Element.%s: wire tag %q is not an element member the parser reads", f.Name, name)
		}
		seen++
		var members []string
		for n, v := range full {
			if n != name {
				members = append(members, `"`+n+`":`+v)
			}
		}
		_, err := parseElement([]byte("{" + strings.Join(members, ",") + "}"))
		if optional := opt == "optional"; optional != (err == nil) {
			t.Errorf("Element.%s (%q, optional %v): without it the parser says %v", f.Name, name, optional, err)
		}
		if opt == "optional" {
			members = append(members, `"`+name+`":null`)
			if _, err := parseElement([]byte("{" + strings.Join(members, ",") + "}")); err != nil {
				t.Errorf("Element.%s: null refused: %v", f.Name, err)
			}
		}
	}
	if seen != len(full) {
		t.Errorf("%d of the %d members the parser reads have a wire tag", seen, len(full))
	}
}

func TestShapeListsTheCodecTable(t *testing.T) {
	req, opt, ok := Shape(TypePointer, true)
	if !ok || !slices.Equal(req, []string{"v", "type", "x", "y", "from"}) || !slices.Equal(opt, []string{"tool", "button"}) {
		t.Errorf("server pointer: %v %v %v", req, opt, ok)
	}
	if _, _, ok := Shape(TypeSnapshot, false); ok {
		t.Error("a client sends snapshot")
	}
}
