package whiteboard

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// TestDocExamples checks that every line of every json block in
// docs/whiteboard.md is one of the examples of examples_test.go, that it
// decodes in its direction, and that every example is in the doc.
func TestDocExamples(t *testing.T) {
	f, err := os.Open("../../docs/whiteboard.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	known := map[string]string{sceneExample: "scene"}
	for _, m := range clientExamples {
		known[m] = "client"
	}
	for _, m := range serverExamples {
		if known[m] == "client" {
			t.Fatalf("example in both directions: %s", m)
		}
		known[m] = "server"
	}
	seen := map[string]bool{}
	inJSON := false
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "```json"):
			inJSON = true
			continue
		case strings.HasPrefix(line, "```"):
			inJSON = false
			continue
		case !inJSON || strings.TrimSpace(line) == "":
			continue
		}
		var err error
		switch known[line] {
		case "client":
			_, err = Decode([]byte(line))
		case "server":
			_, err = DecodeServer([]byte(line))
		case "scene":
			if _, perr := parseScene([]byte(line)); perr != nil {
				err = perr
			}
		default:
			t.Errorf("docs/whiteboard.md:%d is not in examples_test.go: %s", n, line)
			continue
		}
		if err != nil {
			t.Errorf("docs/whiteboard.md:%d does not decode: %v", n, err)
		}
		seen[line] = true
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	for m, dir := range known {
		if !seen[m] {
			t.Errorf("%s example missing from docs/whiteboard.md: %s", dir, m)
		}
	}
}
