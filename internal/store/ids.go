package store

import (
	"go.mongodb.org/mongo-driver/v2/bson"
)

// NewID returns a new time-ordered document ID as its hex string.
func NewID() string { return bson.NewObjectID().Hex() }

// ValidID reports whether s has the shape of an ID made by NewID. Lookups with other
// strings can answer "not found" without asking the database.
func ValidID(s string) bool {
	_, err := bson.ObjectIDFromHex(s)
	return err == nil
}
