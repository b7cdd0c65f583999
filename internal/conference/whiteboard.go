package conference

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/jishitong/jishitong/internal/auth"
	"github.com/jishitong/jishitong/internal/errs"
)

// whiteboardsColl holds the saved whiteboard of each run, keyed by run ID:
// {_id: runID, enterpriseId, meetingId, scene, sizeBytes, elements, sha256, savedAt}.
const whiteboardsColl = "whiteboards"

// MaxWhiteboardBytes is the largest whiteboard scene SaveWhiteboard stores.
const MaxWhiteboardBytes = 8 << 20

// Whiteboard is the saved whiteboard of a run.
type Whiteboard struct {
	RunID        string `bson:"_id"`
	EnterpriseID string `bson:"enterpriseId"`
	MeetingID    string `bson:"meetingId"`
	// Scene is the Excalidraw scene JSON; empty when read without it (Whiteboard).
	Scene     []byte `bson:"scene,omitempty"`
	SizeBytes int    `bson:"sizeBytes"`
	// Elements counts the scene's elements that are not deleted.
	Elements int       `bson:"elements"`
	SHA256   string    `bson:"sha256"`
	SavedAt  time.Time `bson:"savedAt"`
}

// SaveWhiteboard stores the whiteboard of a run: the Excalidraw scene JSON the media
// plane produces (a JSON object, at most MaxWhiteboardBytes). A later save replaces
// it; saving the same scene again changes nothing. Each change is logged as
// whiteboard_saved in the run's meeting log. An unknown run is NOT_FOUND, a scene that
// is too large or not a JSON object BAD_USER_INPUT. For the media plane, which has
// checked who may draw: no caller is checked here.
func (s *Service) SaveWhiteboard(ctx context.Context, runID string, scene []byte) error {
	if len(scene) > MaxWhiteboardBytes {
		e := errs.New(errs.KindTooLarge, "a whiteboard is at most %d MiB", MaxWhiteboardBytes>>20)
		e.Field = "scene"
		return e
	}
	elements, err := sceneElements(scene)
	if err != nil {
		return err
	}
	r, err := s.run(ctx, runID)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(scene)
	wb := Whiteboard{RunID: r.ID, EnterpriseID: r.EnterpriseID, MeetingID: r.MeetingID, Scene: scene, SizeBytes: len(scene),
		Elements: elements, SHA256: hex.EncodeToString(sum[:]), SavedAt: time.Now().UTC().Truncate(time.Millisecond)}
	var old struct {
		SHA256 string `bson:"sha256"`
	}
	err = s.st.R.Collection(whiteboardsColl).FindOne(ctx, bson.M{"_id": r.ID}, options.FindOne().SetProjection(bson.M{"sha256": 1})).Decode(&old)
	switch {
	case err == nil && old.SHA256 == wb.SHA256:
		return nil
	case err != nil && !errors.Is(err, mongo.ErrNoDocuments):
		return fmt.Errorf("conference: read whiteboard: %w", err)
	}
	replace := func() error {
		_, err := s.st.W.Collection(whiteboardsColl).ReplaceOne(ctx, bson.M{"_id": r.ID}, wb, options.Replace().SetUpsert(true))
		return err
	}
	// Of two first saves racing, the second upsert may find the first's document.
	err = replace()
	if isDuplicate(err) {
		err = replace()
	}
	if err != nil {
		return fmt.Errorf("conference: save whiteboard: %w", err)
	}
	s.Log(ctx, r.ID, LogEntry{At: wb.SavedAt, Kind: "whiteboard_saved", Value: strconv.Itoa(elements)})
	return nil
}

// sceneElements checks that scene is a UTF-8 JSON object and counts its elements that are
// not deleted (Excalidraw keeps deleted ones with isDeleted for collaboration).
func sceneElements(scene []byte) (int, error) {
	bad := errs.Invalid("scene", "a whiteboard scene is an Excalidraw scene JSON object")
	if t := bytes.TrimSpace(scene); len(t) == 0 || t[0] != '{' || !utf8.Valid(scene) {
		return 0, bad
	}
	var doc struct {
		Elements []struct {
			IsDeleted bool `json:"isDeleted"`
		} `json:"elements"`
	}
	if err := json.Unmarshal(scene, &doc); err != nil {
		return 0, bad
	}
	n := 0
	for _, e := range doc.Elements {
		if !e.IsDeleted {
			n++
		}
	}
	return n, nil
}

// Whiteboard returns the saved whiteboard of a run, without its scene unless
// withScene, or nil when none was saved. Those who may read the run's log may read it;
// other runs answer NOT_FOUND.
func (s *Service) Whiteboard(ctx context.Context, p *auth.Principal, runID string, withScene bool) (*Whiteboard, error) {
	if _, err := s.runFor(ctx, p, runID); err != nil {
		return nil, err
	}
	opts := options.FindOne()
	if !withScene {
		opts.SetProjection(bson.M{"scene": 0})
	}
	// By _id alone: the embedded store answers only an _id filter from an index and
	// scans every saved board (megabytes each) for any other.
	var wb Whiteboard
	err := s.st.R.Collection(whiteboardsColl).FindOne(ctx, bson.M{"_id": runID}, opts).Decode(&wb)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("conference: read whiteboard: %w", err)
	}
	if wb.EnterpriseID != p.EnterpriseID {
		return nil, nil
	}
	return &wb, nil
}

// SavedWhiteboard returns the scene saved for a run, or nil when none was saved. For
// the media plane, which reopens a meeting's board with it: no caller is checked.
func (s *Service) SavedWhiteboard(ctx context.Context, runID string) ([]byte, error) {
	var wb Whiteboard
	err := s.st.R.Collection(whiteboardsColl).FindOne(ctx, bson.M{"_id": runID}).Decode(&wb)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("conference: read whiteboard: %w", err)
	}
	return wb.Scene, nil
}
