package directory

import (
	"context"
	"errors"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/jishitong/jishitong/internal/auth"
	"github.com/jishitong/jishitong/internal/errs"
	"github.com/jishitong/jishitong/internal/i18n"
	"github.com/jishitong/jishitong/internal/store"
)

// Status of an account.
const (
	StatusActive  = "active"
	StatusFrozen  = "frozen"
	StatusDeleted = "deleted"
)

// Member is an account: a platform admin (no enterprise), an enterprise admin or a
// member. Deleted members keep their name so that history still shows it.
type Member struct {
	ID           string `bson:"_id"`
	EnterpriseID string `bson:"enterpriseId,omitempty"`
	Role         string `bson:"role"`
	Name         string `bson:"name"`
	// Email and Phone are the member's sign-in names; a member has one of them
	// at least. Email is "" for a member with a phone number only.
	Email      string `bson:"email"`
	Phone      string `bson:"phone,omitempty"`
	Department string `bson:"department,omitempty"`
	Title      string `bson:"title,omitempty"`
	EmployeeNo string `bson:"employeeNo,omitempty"`
	// Language of mails and notices: "zh-CN" (default when empty) or "en".
	Language     string `bson:"language,omitempty"`
	Status       string `bson:"status"`
	PasswordHash string `bson:"passwordHash,omitempty"`
	// MustChangePassword is true while the password is one set for the account
	// (generated at creation or by a reset): the account must change it at its
	// next sign-in before it can do anything else.
	MustChangePassword bool `bson:"mustChangePassword,omitempty"`
	// EmailKey, PhoneKey and EmpKey carry the unique indexes: the email, phone
	// number or enterprise-scoped employee number, or "none:"+ID when the member
	// has none and "deleted:"+ID once deleted, which frees them for others.
	EmailKey  string     `bson:"emailKey"`
	PhoneKey  string     `bson:"phoneKey"`
	EmpKey    string     `bson:"empKey"`
	NameKey   string     `bson:"nameKey"`
	Search    string     `bson:"search"`
	CreatedAt time.Time  `bson:"createdAt"`
	UpdatedAt time.Time  `bson:"updatedAt"`
	DeletedAt *time.Time `bson:"deletedAt,omitempty"`

	// sortKey orders the member in lists (nameSortKey); set in snapshots only.
	sortKey string
}

// Contact returns how people know the member apart: the email, else the phone
// number.
func (m *Member) Contact() string {
	if m.Email != "" {
		return m.Email
	}
	return m.Phone
}

// RoleOf returns the member's role.
func (m *Member) RoleOf() auth.Role { return auth.ParseRole(m.Role) }

// MemberInput creates a member, or replaces a member's editable fields.
type MemberInput struct {
	Name, Email, Phone, Department, Title, EmployeeNo string
	// Role is auth.RoleMember or auth.RoleEnterpriseAdmin; RoleUnknown means member.
	Role auth.Role
}

// MemberPatch edits a member; nil fields stay as they are.
type MemberPatch struct {
	Name, Email, Phone, Department, Title, EmployeeNo *string
	Role                                              *auth.Role
}

// MemberQuery filters the member list.
type MemberQuery struct {
	// Search matches any part of name, email, phone, employee number, department or title.
	Search string
	// Department, when set, matches exactly.
	Department string
	// Status: StatusActive or StatusFrozen; empty for both.
	Status string
	// IDs, when not nil, limits the list to these members.
	IDs []string
}

// normalized validates in and returns its canonical form.
func (in MemberInput) normalized() (MemberInput, error) {
	var err error
	out := in
	if out.Name, err = validName("name", in.Name, 64); err != nil {
		return out, err
	}
	if out.Email, err = normalizeEmail(in.Email); err != nil {
		return out, err
	}
	if out.Phone, err = normalizePhone(in.Phone); err != nil {
		return out, err
	}
	if out.Email == "" && out.Phone == "" {
		return out, errs.Invalid("email", "an email address or a phone number is required")
	}
	out.Department, out.Title = clean(in.Department), clean(in.Title)
	if err = checkLen("department", out.Department, 64); err != nil {
		return out, err
	}
	if err = checkLen("title", out.Title, 64); err != nil {
		return out, err
	}
	if out.EmployeeNo, err = normalizeEmployeeNo(in.EmployeeNo); err != nil {
		return out, err
	}
	switch out.Role {
	case auth.RoleUnknown:
		out.Role = auth.RoleMember
	case auth.RoleMember, auth.RoleEnterpriseAdmin:
	default:
		return out, errs.Invalid("role", "role must be member or enterprise admin")
	}
	return out, nil
}

// emailKey is the unique key of a member's email (see Member.EmailKey).
func emailKey(email, id string) string {
	if email == "" {
		return "none:" + id
	}
	return email
}

// phoneKey is the unique key of a member's phone number (see Member.PhoneKey).
func phoneKey(phone, id string) string {
	if phone == "" {
		return "none:" + id
	}
	return phone
}

func empKey(enterpriseID, employeeNo, id string) string {
	if employeeNo == "" {
		return "none:" + id
	}
	return enterpriseID + ":" + strings.ToLower(employeeNo)
}

func searchKey(in MemberInput) string {
	return strings.ToLower(strings.Join([]string{in.Name, in.Email, in.Phone, in.EmployeeNo, in.Department, in.Title}, "\x1f"))
}

// newMember builds the document of a new member of enterpriseID.
func newMember(enterpriseID string, in MemberInput, hash string) *Member {
	now := time.Now().UTC()
	id := store.NewID()
	return &Member{
		ID: id, EnterpriseID: enterpriseID, Role: in.Role.String(),
		Name: in.Name, Email: in.Email, Phone: in.Phone, Department: in.Department, Title: in.Title, EmployeeNo: in.EmployeeNo,
		Status: StatusActive, PasswordHash: hash,
		EmailKey: emailKey(in.Email, id), PhoneKey: phoneKey(in.Phone, id), EmpKey: empKey(enterpriseID, in.EmployeeNo, id), NameKey: strings.ToLower(in.Name), Search: searchKey(in),
		CreatedAt: now, UpdatedAt: now,
	}
}

// duplicateError explains a unique-index violation on insert or update of a member;
// selfID is the member being updated ("" on insert), whose own email and phone
// number are no clash.
func (s *Service) duplicateError(ctx context.Context, in MemberInput, selfID string) error {
	if in.Email != "" {
		if n, _ := s.st.R.Collection(usersColl).CountDocuments(ctx, bson.M{"emailKey": in.Email, "_id": bson.M{"$ne": selfID}}); n > 0 {
			return errs.Conflict("email", "email %s is already registered", in.Email)
		}
	}
	if in.Phone != "" {
		if n, _ := s.st.R.Collection(usersColl).CountDocuments(ctx, bson.M{"phoneKey": in.Phone, "_id": bson.M{"$ne": selfID}}); n > 0 {
			return errs.Conflict("phone", "phone number %s is already registered", in.Phone)
		}
	}
	return errs.Conflict("employeeNo", "employee number %s is already used in this enterprise", in.EmployeeNo)
}

// CreateMember adds a member to the caller's enterprise. With an empty password a
// strong one is generated and returned once.
func (s *Service) CreateMember(ctx context.Context, p *auth.Principal, in MemberInput, password string) (*Member, string, error) {
	if err := requireEnterpriseAdmin(p); err != nil {
		return nil, "", err
	}
	return s.createMember(ctx, p.EnterpriseID, in, password)
}

// CreateEnterpriseAdmin adds an administrator to an enterprise. Platform admins only:
// this is how an enterprise gets its first admin.
func (s *Service) CreateEnterpriseAdmin(ctx context.Context, p *auth.Principal, enterpriseID string, in MemberInput, password string) (*Member, string, error) {
	if err := requirePlatformAdmin(p); err != nil {
		return nil, "", err
	}
	if _, err := s.enterprise(ctx, enterpriseID); err != nil {
		return nil, "", err
	}
	in.Role = auth.RoleEnterpriseAdmin
	return s.createMember(ctx, enterpriseID, in, password)
}

func (s *Service) createMember(ctx context.Context, enterpriseID string, in MemberInput, password string) (*Member, string, error) {
	in, err := in.normalized()
	if err != nil {
		return nil, "", err
	}
	generated := ""
	if password == "" {
		generated = auth.GeneratePassword(16)
		password = generated
	} else if err := auth.CheckPasswordPolicy(password, in.Email, in.Phone, in.Name); err != nil {
		return nil, "", err
	}
	hash, err := auth.HashPassword(ctx, password)
	if err != nil {
		return nil, "", err
	}
	m := newMember(enterpriseID, in, hash)
	m.MustChangePassword = generated != ""
	if _, err := s.st.W.Collection(usersColl).InsertOne(ctx, m); err != nil {
		if store.IsDuplicateKey(err) {
			return nil, "", s.duplicateError(ctx, in, "")
		}
		return nil, "", dbErr("create member", err)
	}
	if err := s.putLogins(ctx, m); err != nil {
		return nil, "", err
	}
	if err := s.touch(ctx, enterpriseID); err != nil {
		return nil, "", err
	}
	s.publish(enterpriseID, EventMemberChanged, m.ID)
	return m, generated, nil
}

// Me returns the caller's own account.
func (s *Service) Me(ctx context.Context, p *auth.Principal) (*Member, error) {
	if err := requireSignedIn(p); err != nil {
		return nil, err
	}
	m, err := s.user(ctx, p.UserID)
	if err != nil {
		// The session outlived its account.
		return nil, errs.ErrUnauthenticated
	}
	return m, nil
}

// Member returns a member of the caller's enterprise (deleted ones too, for history).
func (s *Service) Member(ctx context.Context, p *auth.Principal, id string) (*Member, error) {
	if err := requireEnterprise(p); err != nil {
		return nil, err
	}
	m, err := s.user(ctx, id)
	if err != nil {
		return nil, err
	}
	if m.EnterpriseID != p.EnterpriseID {
		return nil, errs.NotFound("member")
	}
	return m, nil
}

// MembersByID returns the members of the caller's enterprise among ids, by ID; IDs
// of no such member are left out. It is Member for a list: the members come from
// the enterprise's in-memory snapshot (one version read), and only those missing
// from it (deleted members) are read, in one query. The returned members must not
// be modified.
func (s *Service) MembersByID(ctx context.Context, p *auth.Principal, ids []string) (map[string]*Member, error) {
	if err := requireEnterprise(p); err != nil {
		return nil, err
	}
	out := make(map[string]*Member, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	all, err := s.snapshot(ctx, p.EnterpriseID)
	if err != nil {
		return nil, err
	}
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	for _, m := range all {
		if want[m.ID] {
			out[m.ID] = m
			delete(want, m.ID)
		}
	}
	var missing []string
	for id := range want {
		if store.ValidID(id) {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	err = s.forEachUser(ctx, bson.M{"_id": bson.M{"$in": missing}, "enterpriseId": p.EnterpriseID}, func(m *Member) {
		m.PasswordHash = ""
		out[m.ID] = m
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) user(ctx context.Context, id string) (*Member, error) {
	if !store.ValidID(id) {
		return nil, errs.NotFound("member")
	}
	var m Member
	err := s.st.R.Collection(usersColl).FindOne(ctx, bson.M{"_id": id}).Decode(&m)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, errs.NotFound("member")
	}
	if err != nil {
		return nil, dbErr("find member", err)
	}
	return &m, nil
}

// Members lists the caller's enterprise members (not deleted) by name, in pinyin
// order (see nameSortKey).
func (s *Service) Members(ctx context.Context, p *auth.Principal, q MemberQuery, page PageArgs) (*Page[*Member], error) {
	if err := requireEnterprise(p); err != nil {
		return nil, err
	}
	return s.listMembers(ctx, p.EnterpriseID, q, page)
}

// MembersOf lists enterpriseID's members like Members: for platform admins (who
// assign dedicated rooms) and the enterprise's own admins.
func (s *Service) MembersOf(ctx context.Context, p *auth.Principal, enterpriseID string, q MemberQuery, page PageArgs) (*Page[*Member], error) {
	if err := requireSignedIn(p); err != nil {
		return nil, err
	}
	if !p.IsPlatformAdmin() && !(p.IsEnterpriseAdmin() && p.EnterpriseID == enterpriseID) {
		return nil, errs.New(errs.KindForbidden, "only platform admins and the enterprise's admins may list its members")
	}
	return s.listMembers(ctx, enterpriseID, q, page)
}

func (s *Service) listMembers(ctx context.Context, enterpriseID string, q MemberQuery, page PageArgs) (*Page[*Member], error) {
	switch q.Status {
	case "", StatusActive, StatusFrozen:
	default:
		return nil, errs.Invalid("status", "unknown status %q", q.Status)
	}
	search := strings.ToLower(clean(q.Search))
	if err := checkLen("search", search, 100); err != nil {
		return nil, err
	}
	dept := clean(q.Department)
	var ids map[string]bool
	if q.IDs != nil {
		ids = make(map[string]bool, len(q.IDs))
		for _, id := range q.IDs {
			ids[id] = true
		}
	}
	all, err := s.snapshot(ctx, enterpriseID)
	if err != nil {
		return nil, err
	}
	ms := all
	if q.Status != "" || dept != "" || search != "" || ids != nil {
		ms = make([]*Member, 0, len(all))
		for _, m := range all {
			if (q.Status == "" || m.Status == q.Status) && (dept == "" || m.Department == dept) &&
				(ids == nil || ids[m.ID]) && (search == "" || strings.Contains(m.Search, search)) {
				ms = append(ms, m)
			}
		}
	}
	return pageOf(ms, page)
}

// editable returns the member of the caller's enterprise with id for an admin to
// change; deleted members cannot be changed.
func (s *Service) editable(ctx context.Context, p *auth.Principal, id string) (*Member, error) {
	if err := requireEnterpriseAdmin(p); err != nil {
		return nil, err
	}
	m, err := s.Member(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if m.Status == StatusDeleted {
		return nil, errs.NotFound("member")
	}
	return m, nil
}

// UpdateMember edits a member. Changing someone's role ends their sessions and their
// media sessions (AccessRevoked) so that the new role applies at once.
func (s *Service) UpdateMember(ctx context.Context, p *auth.Principal, id string, patch MemberPatch) (*Member, error) {
	m, err := s.editable(ctx, p, id)
	if err != nil {
		return nil, err
	}
	in := MemberInput{Name: m.Name, Email: m.Email, Phone: m.Phone, Department: m.Department, Title: m.Title, EmployeeNo: m.EmployeeNo, Role: m.RoleOf()}
	for dst, src := range map[*string]*string{&in.Name: patch.Name, &in.Email: patch.Email, &in.Phone: patch.Phone, &in.Department: patch.Department, &in.Title: patch.Title, &in.EmployeeNo: patch.EmployeeNo} {
		if src != nil {
			*dst = *src
		}
	}
	if patch.Role != nil {
		in.Role = *patch.Role
		if in.Role == auth.RoleUnknown {
			return nil, errs.Invalid("role", "role must be member or enterprise admin")
		}
		if id == p.UserID && in.Role != auth.RoleEnterpriseAdmin {
			return nil, errs.Invalid("role", "you cannot remove your own administrator role")
		}
	}
	if in, err = in.normalized(); err != nil {
		return nil, err
	}
	if err := s.saveMember(ctx, m, in); err != nil {
		return nil, err
	}
	if in.Role.String() != m.Role {
		if s.revoker != nil {
			if err := s.revoker.RevokeUser(ctx, id); err != nil {
				return nil, err
			}
		}
		s.revokeAccess(RevokeRoleChanged, id)
	}
	s.publish(p.EnterpriseID, EventMemberChanged, id)
	return s.user(ctx, id)
}

// saveMember writes in over m's editable fields.
func (s *Service) saveMember(ctx context.Context, m *Member, in MemberInput) error {
	set := bson.M{
		"name": in.Name, "email": in.Email, "phone": in.Phone, "department": in.Department, "title": in.Title,
		"employeeNo": in.EmployeeNo, "role": in.Role.String(),
		"emailKey": emailKey(in.Email, m.ID), "phoneKey": phoneKey(in.Phone, m.ID), "empKey": empKey(m.EnterpriseID, in.EmployeeNo, m.ID),
		"nameKey": strings.ToLower(in.Name), "search": searchKey(in), "updatedAt": time.Now().UTC(),
	}
	// Filters are by _id alone: the embedded store uses no other index, and callers
	// have checked the member is not deleted.
	_, err := s.st.W.Collection(usersColl).UpdateByID(ctx, m.ID, bson.M{"$set": set})
	if store.IsDuplicateKey(err) {
		return s.duplicateError(ctx, in, m.ID)
	}
	if err != nil {
		return dbErr("update member", err)
	}
	for _, c := range [][2]string{{m.Email, in.Email}, {m.Phone, in.Phone}} {
		if c[0] == c[1] {
			continue
		}
		if err := s.dropLogin(ctx, c[0], m.ID); err != nil {
			return err
		}
		if err := s.putLogin(ctx, c[1], m.ID); err != nil {
			return err
		}
	}
	return s.touch(ctx, m.EnterpriseID)
}

// SetMemberFrozen freezes (disables login, ends sessions and media sessions:
// AccessRevoked) or unfreezes a member.
func (s *Service) SetMemberFrozen(ctx context.Context, p *auth.Principal, id string, frozen bool) (*Member, error) {
	m, err := s.editable(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if id == p.UserID {
		return nil, errs.Invalid("id", "you cannot freeze your own account")
	}
	status := StatusActive
	if frozen {
		status = StatusFrozen
	}
	if _, err := s.st.W.Collection(usersColl).UpdateByID(ctx, m.ID,
		bson.M{"$set": bson.M{"status": status, "updatedAt": time.Now().UTC()}}); err != nil {
		return nil, dbErr("freeze member", err)
	}
	if err := s.touch(ctx, m.EnterpriseID); err != nil {
		return nil, err
	}
	if frozen {
		if s.revoker != nil {
			if err := s.revoker.RevokeUser(ctx, id); err != nil {
				return nil, err
			}
		}
		s.revokeAccess(RevokeFrozen, id)
	}
	s.publish(p.EnterpriseID, EventMemberChanged, id)
	return s.user(ctx, id)
}

// DeleteMember removes a member: they can no longer sign in, their sessions and media
// sessions end (AccessRevoked), they leave every group, and their email, phone
// number and employee number are free again; their name stays for history.
func (s *Service) DeleteMember(ctx context.Context, p *auth.Principal, id string) error {
	m, err := s.editable(ctx, p, id)
	if err != nil {
		return err
	}
	if id == p.UserID {
		return errs.Invalid("id", "you cannot delete your own account")
	}
	now := time.Now().UTC()
	if _, err := s.st.W.Collection(usersColl).UpdateOne(ctx, bson.M{"_id": m.ID}, bson.M{
		"$set":   bson.M{"status": StatusDeleted, "deletedAt": now, "updatedAt": now, "emailKey": "deleted:" + m.ID, "phoneKey": "deleted:" + m.ID, "empKey": "deleted:" + m.ID},
		"$unset": bson.M{"passwordHash": ""},
	}); err != nil {
		return dbErr("delete member", err)
	}
	if err := s.dropLogin(ctx, m.Email, m.ID); err != nil {
		return err
	}
	if err := s.dropLogin(ctx, m.Phone, m.ID); err != nil {
		return err
	}
	if err := s.touch(ctx, m.EnterpriseID); err != nil {
		return err
	}
	if s.revoker != nil {
		if err := s.revoker.RevokeUser(ctx, id); err != nil {
			return err
		}
	}
	s.revokeAccess(RevokeDeleted, id)
	if _, err := s.st.W.Collection(groupsColl).UpdateMany(ctx, bson.M{"enterpriseId": p.EnterpriseID, "memberIds": id},
		bson.M{"$pull": bson.M{"memberIds": id}}); err != nil {
		return dbErr("remove deleted member from groups", err)
	}
	s.publish(p.EnterpriseID, EventMemberDeleted, id)
	return nil
}

// ResetMemberPassword sets a new generated password for a member, ends their sessions
// and returns the password once. The member must change it at their next sign-in.
func (s *Service) ResetMemberPassword(ctx context.Context, p *auth.Principal, id string) (string, error) {
	m, err := s.editable(ctx, p, id)
	if err != nil {
		return "", err
	}
	pw := auth.GeneratePassword(16)
	if err := s.setPassword(ctx, m.ID, pw, true); err != nil {
		return "", err
	}
	if s.revoker != nil && id != p.UserID {
		if err := s.revoker.RevokeUser(ctx, id); err != nil {
			return "", err
		}
	}
	return pw, nil
}

// ChangePassword changes the caller's own password after checking the current one.
// Other sessions of the caller are ended, and the caller's session is no longer
// restricted if the old password was one set for the account.
func (s *Service) ChangePassword(ctx context.Context, p *auth.Principal, current, next string) error {
	m, err := s.Me(ctx, p)
	if err != nil {
		return err
	}
	if err := auth.CheckPasswordPolicy(next, m.Email, m.Phone, m.Name); err != nil {
		return err
	}
	if next == current {
		return errs.Invalid("newPassword", "the new password must differ from the current one")
	}
	// Reserved before the hash, as logins are, so parallel guesses count too.
	ticket, wait := s.pwChange.Reserve(m.ID)
	if ticket == nil {
		return auth.RateLimited(wait)
	}
	defer ticket.Release()
	ok, err := auth.VerifyPassword(ctx, current, m.PasswordHash)
	if err != nil {
		return err
	}
	if !ok {
		ticket.Fail()
		return errs.Invalid("currentPassword", "the current password is wrong")
	}
	ticket.Succeed()
	if err := s.setPassword(ctx, m.ID, next, false); err != nil {
		return err
	}
	if s.revoker != nil {
		return s.revoker.PasswordChanged(ctx, m.ID, p.SessionID)
	}
	return nil
}

// setPassword sets userID's password; mustChange says it was set for the account
// and must be changed at the next sign-in.
func (s *Service) setPassword(ctx context.Context, userID, pw string, mustChange bool) error {
	hash, err := auth.HashPassword(ctx, pw)
	if err != nil {
		return err
	}
	if _, err := s.st.W.Collection(usersColl).UpdateByID(ctx, userID, bson.M{"$set": bson.M{
		"passwordHash": hash, "mustChangePassword": mustChange, "updatedAt": time.Now().UTC()}}); err != nil {
		return dbErr("set password", err)
	}
	return nil
}

// AccountByLogin implements auth.Accounts.
func (s *Service) AccountByLogin(ctx context.Context, login string) (auth.Account, error) {
	m, err := s.userByLogin(ctx, login)
	if err != nil {
		return auth.Account{}, err
	}
	acc := auth.Account{UserID: m.ID, EnterpriseID: m.EnterpriseID, Role: m.RoleOf(), PasswordHash: m.PasswordHash,
		Active: m.Status == StatusActive, MustChangePassword: m.MustChangePassword}
	if acc.Active && m.EnterpriseID != "" {
		e, err := s.enterprise(ctx, m.EnterpriseID)
		if err != nil {
			return auth.Account{}, err
		}
		acc.Active = !e.Frozen
	}
	return acc, nil
}

// EnsurePlatformAdmin creates the platform admin when the database has none. With an
// empty password a strong one is generated and returned so the caller can show it
// once; created reports whether an account was made.
func (s *Service) EnsurePlatformAdmin(ctx context.Context, email, password string) (created bool, generated string, err error) {
	n, err := s.st.R.Collection(usersColl).CountDocuments(ctx, bson.M{"role": auth.RolePlatformAdmin.String(), "status": bson.M{"$ne": StatusDeleted}})
	if err != nil {
		return false, "", dbErr("count platform admins", err)
	}
	if n > 0 {
		return false, "", nil
	}
	if clean(email) == "" {
		return false, "", errs.Invalid("email", "the platform admin needs an email address")
	}
	in, err := MemberInput{Name: "平台管理员", Email: email, Role: auth.RoleMember}.normalized()
	if err != nil {
		return false, "", err
	}
	in.Role = auth.RolePlatformAdmin
	if password == "" {
		generated = auth.GeneratePassword(20)
		password = generated
	} else if err := auth.CheckPasswordPolicy(password, in.Email, in.Phone, in.Name); err != nil {
		return false, "", err
	}
	hash, err := auth.HashPassword(ctx, password)
	if err != nil {
		return false, "", err
	}
	m := newMember("", in, hash)
	m.MustChangePassword = generated != ""
	if _, err := s.st.W.Collection(usersColl).InsertOne(ctx, m); err != nil {
		if store.IsDuplicateKey(err) {
			return false, "", errs.Conflict("email", "email %s is already registered to another account", in.Email)
		}
		return false, "", dbErr("create platform admin", err)
	}
	if err := s.putLogins(ctx, m); err != nil {
		return false, "", err
	}
	return true, generated, nil
}

// MemberByID returns any account by ID. It is for other domains, which scope and
// authorize the caller themselves; edges must use Member.
func (s *Service) MemberByID(ctx context.Context, id string) (*Member, error) { return s.user(ctx, id) }

// Languages the product speaks (see i18n).
const (
	LangChinese = i18n.Chinese
	LangEnglish = i18n.English
)

// Lang returns the member's language, zh-CN unless they chose English.
func (m *Member) Lang() string {
	if m.Language == LangEnglish {
		return LangEnglish
	}
	return LangChinese
}

func validLanguage(lang string) (string, error) {
	if l, ok := i18n.Parse(lang); ok {
		return l, nil
	}
	return "", errs.Invalid("language", "language must be zh-CN or en")
}

// SetLanguage sets the language of mails and notices for a member: the caller's own,
// or any member's for an admin of their enterprise.
func (s *Service) SetLanguage(ctx context.Context, p *auth.Principal, id, lang string) (*Member, error) {
	if err := requireSignedIn(p); err != nil {
		return nil, err
	}
	lang, err := validLanguage(lang)
	if err != nil {
		return nil, err
	}
	if id != p.UserID {
		if _, err := s.editable(ctx, p, id); err != nil {
			return nil, err
		}
	}
	if _, err := s.st.W.Collection(usersColl).UpdateByID(ctx, id, bson.M{"$set": bson.M{"language": lang, "updatedAt": time.Now().UTC()}}); err != nil {
		return nil, dbErr("set language", err)
	}
	m, err := s.user(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.touch(ctx, m.EnterpriseID); err != nil {
		return nil, err
	}
	return m, nil
}
