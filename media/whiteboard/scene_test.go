package whiteboard

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestExportIsAnExcalidrawScene(t *testing.T) {
	h, _ := newTestHub(t, Config{})
	newClient(t, "PA_a").attach(h)
	// The elements of the doc's scene example, sent out of z-order, plus a
	// deleted one that the export leaves out.
	mustReceive(t, h, "PA_a", update("", `{"id":"t1","type":"text","x":120,"y":110,"text":"Agenda","originalText":"Agenda","fontSize":20,"index":"a2","version":3,"versionNonce":5521,"isDeleted":false}`))
	mustReceive(t, h, "PA_a", update("", `{"id":"r-Hq2fXk8a1","type":"rectangle","x":100,"y":80,"width":240,"height":120,"index":"a0","version":2,"versionNonce":1934811221,"isDeleted":false}`))
	mustReceive(t, h, "PA_a", update("", elIndexed("gone", "a1", 2, 1, true)))
	scene, seq := h.Export()
	if string(scene) != sceneExample {
		t.Fatalf("export\n got %s\nwant %s", scene, sceneExample)
	}
	if seq != 3 {
		t.Fatalf("seq %d", seq)
	}
	empty, _ := NewHub(Config{}).Export()
	if string(empty) != `{"type":"excalidraw","version":2,"source":"jishitong","elements":[],"appState":{}}` {
		t.Fatalf("empty export %s", empty)
	}
}

func TestLoadRestoresExport(t *testing.T) {
	src, _ := newTestHub(t, Config{})
	newClient(t, "PA_a").attach(src)
	for i := range 120 {
		src.limits["PA_a"].updates.tokens = UpdateBurst
		mustReceive(t, src, "PA_a", update("", elIndexed(fmt.Sprintf("e%d", i), fmt.Sprintf("a%03d", (i*37)%120), 1, int64(i), false)))
	}
	scene, _ := src.Export()

	h, _ := newTestHub(t, Config{})
	a := newClient(t, "PA_a").attach(h)
	waitIdle(t, h)
	mustReceive(t, h, "PA_a", update("", el("before", 1, 1, false)))
	if err := h.Load(scene); err != nil {
		t.Fatal(err)
	}
	got, seq := h.Export()
	if string(got) != string(scene) {
		t.Fatal("Load(Export()) does not export the same scene")
	}
	if seq != 2 || h.Len() != 120 || h.Dirty() {
		t.Fatalf("after Load: seq %d, len %d, dirty %v", seq, h.Len(), h.Dirty())
	}
	waitIdle(t, h)
	a.converged(h) // attached peers got a fresh snapshot
	a.with(func(r *replica) {
		if r.snapshots != 2 {
			t.Fatalf("%d snapshots", r.snapshots)
		}
	})
	// Other members of a scene file are ignored.
	withExtras := strings.Replace(sceneExample, `"appState":{}`, `"appState":{"viewBackgroundColor":"#fff"},"files":{}`, 1)
	if err := h.Load([]byte(withExtras)); err != nil || h.Len() != 2 {
		t.Fatalf("Load with appState and files: %v, len %d", err, h.Len())
	}
}

func TestLoadRefusesBadScenes(t *testing.T) {
	var many []string
	for i := range MaxLiveElements + 1 {
		many = append(many, el(fmt.Sprintf("e%d", i), 1, 1, false))
	}
	scene := func(els ...string) string {
		return `{"type":"excalidraw","version":2,"elements":[` + strings.Join(els, ",") + `]}`
	}
	tests := []struct {
		name, scene string
		code        Code
	}{
		{"not json", `{"type":`, CodeBadMessage},
		{"array", `[]`, CodeBadMessage},
		{"other type", `{"type":"tldraw","version":2,"elements":[]}`, CodeInvalidField},
		{"version 1", `{"type":"excalidraw","version":1,"elements":[]}`, CodeInvalidField},
		{"no elements", `{"type":"excalidraw","version":2}`, CodeInvalidField},
		{"duplicate elements", `{"type":"excalidraw","version":2,"elements":[],"elements":[]}`, CodeBadMessage},
		{"image", scene(`{"id":"i","type":"image","version":1,"versionNonce":1,"isDeleted":false}`), CodeInvalidField},
		{"duplicate ids", scene(el("a", 1, 1, false), el("a", 2, 1, false)), CodeInvalidField},
		{"too many elements", scene(many...), CodeBoardFull},
		{"too large", `{"type":"excalidraw","version":2,"elements":[],"x":"` + strings.Repeat("x", MaxSceneBytes) + `"}`, CodeTooLarge},
	}
	h, _ := newTestHub(t, Config{})
	newClient(t, "PA_a").attach(h)
	mustReceive(t, h, "PA_a", update("", el("keep", 1, 1, false)))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := h.Load([]byte(tt.scene))
			var pe *Error
			if !errors.Is(err, ErrInvalidScene) || !errors.As(err, &pe) || pe.Code != tt.code {
				t.Fatalf("Load = %v, want ErrInvalidScene with %s", err, tt.code)
			}
			if h.Len() != 1 || h.Seq() != 1 {
				t.Fatal("a refused scene changed the board")
			}
		})
	}
	if err := h.Load([]byte(scene(many[:MaxLiveElements]...))); err != nil {
		t.Fatalf("Load of exactly %d elements: %v", MaxLiveElements, err)
	}
}

func TestDirty(t *testing.T) {
	h, _ := newTestHub(t, Config{})
	newClient(t, "PA_a").attach(h)
	if h.Dirty() || !h.Empty() || h.Seq() != 0 {
		t.Fatal("a new board is dirty or not empty")
	}
	mustReceive(t, h, "PA_a", update("", el("a", 1, 1, false)))
	if !h.Dirty() {
		t.Fatal("not dirty after an update")
	}
	_, seq := h.Export()
	mustReceive(t, h, "PA_a", update("", el("b", 1, 1, false))) // lands between Export and the save
	h.MarkSaved(seq)
	if !h.Dirty() {
		t.Fatal("a change after Export was marked saved")
	}
	_, seq2 := h.Export()
	h.MarkSaved(seq2)
	h.MarkSaved(seq) // an older save does not undo a newer one
	if h.Dirty() {
		t.Fatal("dirty after saving the latest export")
	}
	mustReceive(t, h, "PA_a", update("", el("b", 1, 1, false))) // stale: no change
	if h.Dirty() {
		t.Fatal("a stale update made the board dirty")
	}
	if err := h.Receive("PA_a", true, []byte(`{"v":1,"type":"clear"}`)); err != nil {
		t.Fatal(err)
	}
	if !h.Dirty() || !h.Empty() {
		t.Fatal("a clear is a change to save")
	}
}
