package directory

import (
	"encoding/base64"
	"encoding/json"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/jishitong/jishitong/internal/errs"
)

// PageArgs asks for one page of a list: First items after the cursor After.
type PageArgs struct {
	First int
	After string
}

// MaxPageSize bounds First.
const MaxPageSize = 200

// DefaultPageSize is used when First is zero.
const DefaultPageSize = 50

// Page is one page of a list in a stable order.
type Page[T any] struct {
	Items []T
	// Cursors[i] is the cursor of Items[i]; pass the last as After for the next page.
	Cursors     []string
	HasNextPage bool
	TotalCount  int
}

// EndCursor returns the cursor of the last item, or "".
func (p *Page[T]) EndCursor() string {
	if len(p.Cursors) == 0 {
		return ""
	}
	return p.Cursors[len(p.Cursors)-1]
}

// cursor is the position of an item in a list sorted by (K, ID).
type cursor struct {
	K  string `json:"k"`
	ID string `json:"i"`
}

func encodeCursor(k, id string) string {
	b, _ := json.Marshal(cursor{K: k, ID: id})
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (cursor, error) {
	var c cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) > 1024 || json.Unmarshal(b, &c) != nil || c.ID == "" {
		return c, errs.Invalid("after", "invalid cursor")
	}
	return c, nil
}

func (a PageArgs) limit() (int, error) {
	switch {
	case a.First == 0:
		return DefaultPageSize, nil
	case a.First < 0 || a.First > MaxPageSize:
		return 0, errs.Invalid("first", "first must be between 1 and %d", MaxPageSize)
	}
	return a.First, nil
}

// afterFilter narrows base to the items after the cursor in (keyField, _id) order.
func afterFilter(base bson.M, keyField, after string) (bson.M, error) {
	if after == "" {
		return base, nil
	}
	c, err := decodeCursor(after)
	if err != nil {
		return nil, err
	}
	return bson.M{"$and": bson.A{base, bson.M{"$or": bson.A{
		bson.M{keyField: bson.M{"$gt": c.K}},
		bson.M{keyField: c.K, "_id": bson.M{"$gt": c.ID}},
	}}}}, nil
}
