package directory

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/jishitong/jishitong/internal/errs"
)

// loginsColl maps a sign-in name to its account: {_id: name, userId}, where the
// name is an email (it always holds '@') or a normalised phone number (it never
// does); an account with both has two entries. Login looks an account up on every
// attempt, and the embedded store answers only _id lookups from an index (every
// other filter reads the whole collection: measured 0.9 s per login with 10,000
// members). Uniqueness still rests on the unique indexes users.emailKey and
// users.phoneKey; this collection is only a lookup, healed at start by
// reconcileLogins and checked against the user on every read.
const loginsColl = "logins"

// putLogins records the lookups of m's email and phone number.
func (s *Service) putLogins(ctx context.Context, m *Member) error {
	if err := s.putLogin(ctx, m.Email, m.ID); err != nil {
		return err
	}
	return s.putLogin(ctx, m.Phone, m.ID)
}

// putLogin records name's lookup; an empty name (no email, no phone) has none.
func (s *Service) putLogin(ctx context.Context, email, userID string) error {
	if email == "" {
		return nil
	}
	_, err := s.st.W.Collection(loginsColl).UpdateByID(ctx, email, bson.M{"$set": bson.M{"userId": userID}}, options.UpdateOne().SetUpsert(true))
	if err != nil {
		return dbErr("record login", err)
	}
	return nil
}

// dropLogin removes email's (or a phone number's) lookup when it still points at
// userID.
func (s *Service) dropLogin(ctx context.Context, email, userID string) error {
	if email == "" {
		return nil
	}
	var l struct {
		UserID string `bson:"userId"`
	}
	err := s.st.R.Collection(loginsColl).FindOne(ctx, bson.M{"_id": email}).Decode(&l)
	if errors.Is(err, mongo.ErrNoDocuments) || (err == nil && l.UserID != userID) {
		return nil
	}
	if err != nil {
		return dbErr("find login", err)
	}
	if _, err := s.st.W.Collection(loginsColl).DeleteOne(ctx, bson.M{"_id": email}); err != nil {
		return dbErr("remove login", err)
	}
	return nil
}

// userByLogin returns the live account whose email or phone number is login.
func (s *Service) userByLogin(ctx context.Context, login string) (*Member, error) {
	if login == "" {
		return nil, errs.NotFound("account")
	}
	var l struct {
		UserID string `bson:"userId"`
	}
	err := s.st.R.Collection(loginsColl).FindOne(ctx, bson.M{"_id": login}).Decode(&l)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, errs.NotFound("account")
	}
	if err != nil {
		return nil, dbErr("find login", err)
	}
	m, err := s.user(ctx, l.UserID)
	key := m.loginKey(login)
	if err != nil || key != login {
		// A lookup left behind by an interrupted change: no such account.
		return nil, errs.NotFound("account")
	}
	return m, nil
}

// reconcileLogins adds the lookups of accounts that lack one (data written before
// the lookup existed, or a write interrupted between its two steps). One scan at
// start.
func (s *Service) reconcileLogins(ctx context.Context) error {
	have := map[string]string{}
	cur, err := s.st.R.Collection(loginsColl).Find(ctx, bson.M{})
	if err != nil {
		return dbErr("list logins", err)
	}
	var ls []struct {
		Email  string `bson:"_id"`
		UserID string `bson:"userId"`
	}
	if err := cur.All(ctx, &ls); err != nil {
		return dbErr("read logins", err)
	}
	for _, l := range ls {
		have[l.Email] = l.UserID
	}
	type login struct{ name, userID string }
	var missing []login
	if err := s.forEachUser(ctx, bson.M{}, func(m *Member) {
		if m.Status == StatusDeleted {
			return
		}
		for _, name := range m.loginNames() {
			if have[name] != m.ID {
				missing = append(missing, login{name, m.ID})
			}
		}
	}); err != nil {
		return err
	}
	for _, l := range missing {
		if err := s.putLogin(ctx, l.name, l.userID); err != nil {
			return err
		}
	}
	fixed := len(missing)
	if fixed > 0 {
		s.log.Info("restored login lookups", "accounts", fixed)
	}
	return nil
}

// loginKey returns the key of m's that a lookup named login must match: the
// email key for an email (it holds '@'), else the phone key. A nil m has none.
func (m *Member) loginKey(login string) string {
	switch {
	case m == nil:
		return ""
	case strings.Contains(login, "@"):
		return m.EmailKey
	default:
		return m.PhoneKey
	}
}

// loginNames returns the names m signs in with: the email and phone number its
// unique keys hold (a phone number another account held first, see
// migratePhoneKeys, is not one).
func (m *Member) loginNames() []string {
	var out []string
	if m.Email != "" && m.EmailKey == m.Email {
		out = append(out, m.Email)
	}
	if m.Phone != "" && m.PhoneKey == m.Phone {
		out = append(out, m.Phone)
	}
	return out
}

// migratePhoneKeys gives every account written before phone numbers were sign-in
// names its phoneKey, so that the unique index on it can be built. When live
// accounts already share a phone number the earliest keeps it and the others get
// "none:"+ID (they still hold the number but cannot sign in with it until an
// admin changes one); a warning names the accounts, never the whole number. One
// scan at start; nothing to do once every account has the key.
func (s *Service) migratePhoneKeys(ctx context.Context) error {
	var all, todo []*Member
	if err := s.forEachUser(ctx, bson.M{}, func(m *Member) {
		all = append(all, m)
		if m.PhoneKey == "" {
			todo = append(todo, m)
		}
	}); err != nil {
		return err
	}
	if len(todo) == 0 {
		return nil
	}
	holder := map[string]string{} // phone -> account holding it
	for _, m := range all {
		if m.PhoneKey != "" && m.PhoneKey == m.Phone {
			holder[m.Phone] = m.ID
		}
	}
	slices.SortFunc(todo, func(a, b *Member) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	for _, m := range todo {
		key := phoneKey(m.Phone, m.ID)
		switch {
		case m.Status == StatusDeleted:
			key = "deleted:" + m.ID
		case m.Phone == "":
		case holder[m.Phone] != "":
			s.log.Warn("two accounts share a phone number; the later one cannot sign in with it until an admin changes one of them",
				"phone", maskPhone(m.Phone), "account", m.ID, "keptBy", holder[m.Phone])
			key = "none:" + m.ID
		default:
			holder[m.Phone] = m.ID
		}
		if _, err := s.st.W.Collection(usersColl).UpdateByID(ctx, m.ID, bson.M{"$set": bson.M{"phoneKey": key}}); err != nil {
			return dbErr("set phone key", err)
		}
	}
	s.log.Info("gave accounts their phone keys", "accounts", len(todo))
	return nil
}
