package directory

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/jishitong/jishitong/internal/auth"
	"github.com/jishitong/jishitong/internal/directory/sheet"
	"github.com/jishitong/jishitong/internal/errs"
	"github.com/jishitong/jishitong/internal/store"
)

// Importer imports members in bulk from a filled-in template. An import is all or
// nothing: every row is checked first (format, duplicates within the file and
// against the directory); only a file without errors is written, and a write
// failure part-way undoes what was written. Importing the same file twice changes
// nothing: rows match existing members by email, else by phone number, else by
// employee number.
type Importer struct {
	s      *Service
	limits sheet.Limits

	mu    sync.Mutex
	locks map[string]*sync.Mutex // one import at a time per enterprise
}

// ImportResult is the outcome of an import.
type ImportResult struct {
	// Applied is true when the rows were written (no errors, not a dry run).
	Applied                            bool
	Total, Created, Updated, Unchanged int
	Errors                             []sheet.CellError
}

// NewImporter returns an importer for s's directory with the given file limits.
func NewImporter(s *Service, limits sheet.Limits) *Importer {
	return &Importer{s: s, limits: limits, locks: map[string]*sync.Mutex{}}
}

func (im *Importer) lock(enterpriseID string) func() {
	im.mu.Lock()
	l := im.locks[enterpriseID]
	if l == nil {
		l = &sync.Mutex{}
		im.locks[enterpriseID] = l
	}
	im.mu.Unlock()
	l.Lock()
	return l.Unlock
}

// plannedRow is one valid row and what it will do.
type plannedRow struct {
	line     int
	in       MemberInput
	existing *Member // nil: create
}

// Import reads the file, checks every row and, unless dryRun or any row is bad,
// writes them. Enterprise admins only.
func (im *Importer) Import(ctx context.Context, p *auth.Principal, filename string, r io.Reader, dryRun bool) (*ImportResult, error) {
	if err := requireEnterpriseAdmin(p); err != nil {
		return nil, err
	}
	sh, err := im.read(filename, r)
	var herr *sheet.HeaderError
	if errors.As(err, &herr) {
		return &ImportResult{Errors: headerErrors(herr)}, nil
	}
	if err != nil {
		return nil, err
	}
	res := &ImportResult{Total: len(sh.Rows), Errors: sheet.Validate(sh)}
	bad := map[int]bool{}
	for _, e := range res.Errors {
		bad[e.Row] = true
	}

	defer im.lock(p.EnterpriseID)()
	plan, derrs, err := im.plan(ctx, p, sh, bad)
	if err != nil {
		return nil, err
	}
	res.Errors = append(res.Errors, derrs...)
	sortCellErrors(res.Errors)
	for _, pr := range plan {
		switch {
		case pr.existing == nil:
			res.Created++
		case sameMember(pr.existing, pr.in):
			res.Unchanged++
		default:
			res.Updated++
		}
	}
	if len(res.Errors) > 0 || dryRun {
		return res, nil
	}
	if err := im.apply(ctx, p, plan); err != nil {
		return nil, err
	}
	res.Applied = true
	if res.Created+res.Updated > 0 {
		im.s.publish(p.EnterpriseID, EventImported, "")
	}
	return res, nil
}

// read detects the format and parses the upload, mapping file-level failures to
// domain errors.
func (im *Importer) read(filename string, r io.Reader) (*sheet.Sheet, error) {
	head := make([]byte, 512)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, errs.Wrap(errs.KindInvalid, err, "could not read the upload")
	}
	head = head[:n]
	f, err := sheet.DetectFormat(filename, head)
	if err != nil {
		return nil, fileError(err)
	}
	sh, err := sheet.Parse(io.MultiReader(strings.NewReader(string(head)), r), f, im.limits)
	if err != nil {
		var herr *sheet.HeaderError
		if errors.As(err, &herr) {
			return nil, err
		}
		return nil, fileError(err)
	}
	return sh, nil
}

func fileError(err error) error {
	msg := strings.TrimPrefix(err.Error(), "sheet: ")
	switch {
	case errors.Is(err, sheet.ErrTooLarge), errors.Is(err, sheet.ErrZipBomb), errors.Is(err, sheet.ErrTooManyRows):
		return &errs.Error{Kind: errs.KindTooLarge, Field: "file", Message: msg}
	default:
		return errs.Invalid("file", "%s", msg)
	}
}

func headerErrors(h *sheet.HeaderError) []sheet.CellError {
	var out []sheet.CellError
	for _, c := range h.Unknown {
		out = append(out, sheet.CellError{Row: c.Row, Column: c.Column, Code: "unknown_column", Message: fmt.Sprintf("unknown column %q", c.Text)})
	}
	for _, c := range h.Duplicate {
		out = append(out, sheet.CellError{Row: c.Row, Column: c.Column, Code: "duplicate_column", Message: fmt.Sprintf("column %q repeats an earlier column", c.Text)})
	}
	for _, f := range h.Missing {
		msg := fmt.Sprintf("required column %s is missing", f)
		if f == sheet.FieldEmail {
			msg = "the file needs an email or a phone column (or both)"
		}
		out = append(out, sheet.CellError{Row: 1, Field: f, Code: "missing_column", Message: msg})
	}
	for _, c := range h.Unnamed {
		out = append(out, sheet.CellError{Row: c.Row, Column: c.Column, Code: "unnamed_column", Message: "this cell has a value but its column has no header"})
	}
	return out
}

// plan matches every valid row against the directory and reports rows that clash
// with it.
func (im *Importer) plan(ctx context.Context, p *auth.Principal, sh *sheet.Sheet, bad map[int]bool) ([]plannedRow, []sheet.CellError, error) {
	// Not nil: a nil slice is encoded as null, which $in refuses.
	emails, phones, empKeys := make([]string, 0, len(sh.Rows)), []string{}, []string{}
	for _, r := range sh.Rows {
		if r.Email != "" {
			emails = append(emails, r.Email)
		}
		if r.Phone != "" {
			phones = append(phones, r.Phone)
		}
		if r.EmployeeNo != "" {
			empKeys = append(empKeys, empKey(p.EnterpriseID, r.EmployeeNo, ""))
		}
	}
	byEmail, byPhone, byEmp := map[string]*Member{}, map[string]*Member{}, map[string]*Member{}
	if err := im.s.forEachUser(ctx, bson.M{"$or": bson.A{
		bson.M{"emailKey": bson.M{"$in": emails}},
		bson.M{"phoneKey": bson.M{"$in": phones}},
		bson.M{"empKey": bson.M{"$in": empKeys}},
	}}, func(m *Member) {
		if m.Email != "" && m.EmailKey == m.Email {
			byEmail[m.Email] = m
		}
		if m.Phone != "" && m.PhoneKey == m.Phone {
			byPhone[m.Phone] = m
		}
		if m.EnterpriseID == p.EnterpriseID && m.EmployeeNo != "" {
			byEmp[strings.ToLower(m.EmployeeNo)] = m
		}
	}); err != nil {
		return nil, nil, err
	}

	var plan []plannedRow
	var out []sheet.CellError
	empRows := map[string]int{}   // lower-cased employee number -> first row
	phoneRows := map[string]int{} // normalised phone number -> first row
	cellErr := func(r sheet.Row, field, code, format string, args ...any) {
		out = append(out, sheet.CellError{Row: r.Line, Column: sh.Column(field), Field: field, Code: code, Message: fmt.Sprintf(format, args...)})
	}
	for _, r := range sh.Rows {
		if bad[r.Line] {
			continue
		}
		in := MemberInput{Name: r.Name, Email: r.Email, Phone: r.Phone, Department: r.Department, Title: r.Title, EmployeeNo: r.EmployeeNo, Role: auth.RoleMember}
		if r.Role == sheet.RoleAdmin {
			in.Role = auth.RoleEnterpriseAdmin
		}
		norm, err := in.normalized()
		if err != nil {
			de, _ := errs.As(err)
			field := "name"
			if de != nil && de.Field != "" {
				field = de.Field
			}
			cellErr(r, field, "invalid", "%s", err.Error())
			continue
		}
		if norm.EmployeeNo != "" {
			// Employee numbers are unique regardless of case; sheet.Validate only
			// catches exact repeats.
			k := strings.ToLower(norm.EmployeeNo)
			if first, dup := empRows[k]; dup {
				cellErr(r, sheet.FieldEmployeeNo, sheet.CodeDuplicateInFile, "employee number %s already appears on row %d", norm.EmployeeNo, first)
				continue
			}
			empRows[k] = r.Line
		}
		if norm.Phone != "" {
			// sheet.Validate catches the repeats it can see; this catches the
			// spellings only the directory's normalisation equates.
			if first, dup := phoneRows[norm.Phone]; dup {
				cellErr(r, sheet.FieldPhone, sheet.CodeDuplicateInFile, "phone %s already appears on row %d", norm.Phone, first)
				continue
			}
			phoneRows[norm.Phone] = r.Line
		}
		var existing *Member
		if norm.Email != "" {
			existing = byEmail[norm.Email]
		}
		if existing != nil && existing.EnterpriseID != p.EnterpriseID {
			cellErr(r, sheet.FieldEmail, "email_taken", "email %s is already registered", norm.Email)
			continue
		}
		if norm.Phone != "" {
			holder := byPhone[norm.Phone]
			switch {
			case holder == nil:
			case holder.EnterpriseID != p.EnterpriseID:
				cellErr(r, sheet.FieldPhone, "phone_taken", "phone number %s is already registered", norm.Phone)
				continue
			case existing == nil:
				// Matched by phone number: this row sets that member's email.
				existing = holder
			case holder.ID != existing.ID:
				cellErr(r, sheet.FieldPhone, "phone_taken", "phone number %s belongs to another member (%s)", norm.Phone, holder.Contact())
				continue
			}
		}
		if norm.EmployeeNo != "" {
			holder := byEmp[strings.ToLower(norm.EmployeeNo)]
			switch {
			case existing == nil && holder != nil:
				// Matched by employee number: this row changes that member's email.
				existing = holder
			case existing != nil && holder != nil && holder.ID != existing.ID:
				cellErr(r, sheet.FieldEmployeeNo, "employee_no_taken", "employee number %s belongs to another member (%s)", norm.EmployeeNo, holder.Contact())
				continue
			}
		}
		if existing != nil && existing.ID == p.UserID && norm.Role != auth.RoleEnterpriseAdmin {
			cellErr(r, sheet.FieldRole, "own_role", "you cannot remove your own administrator role")
			continue
		}
		plan = append(plan, plannedRow{line: r.Line, in: norm, existing: existing})
	}
	// Two rows must not update the same member (one by email, one by phone or
	// employee number).
	seen := map[string]int{}
	for _, pr := range plan {
		if pr.existing == nil {
			continue
		}
		if first, dup := seen[pr.existing.ID]; dup {
			out = append(out, sheet.CellError{Row: pr.line, Column: sh.Column(sheet.FieldEmployeeNo), Field: sheet.FieldEmployeeNo, Code: "duplicate_in_file",
				Message: fmt.Sprintf("this row and row %d both match member %s", first, pr.existing.Contact())})
			continue
		}
		seen[pr.existing.ID] = pr.line
	}
	return plan, out, nil
}

func sameMember(m *Member, in MemberInput) bool {
	return m.Name == in.Name && m.Email == in.Email && m.Phone == in.Phone && m.Department == in.Department &&
		m.Title == in.Title && m.EmployeeNo == in.EmployeeNo && m.Role == in.Role.String()
}

// apply writes the plan, undoing every write made when one fails.
func (im *Importer) apply(ctx context.Context, p *auth.Principal, plan []plannedRow) (err error) {
	var inserted []string
	var updated []*Member
	defer func() {
		if err == nil {
			return
		}
		// Undo with a context of its own: the request may be what failed.
		uctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if len(inserted) > 0 {
			if _, uerr := im.s.st.W.Collection(usersColl).DeleteMany(uctx, bson.M{"_id": bson.M{"$in": inserted}}); uerr != nil {
				im.s.log.Error("import: undoing inserts failed", "err", uerr, "enterprise", p.EnterpriseID)
			}
		}
		for _, m := range updated {
			if _, uerr := im.s.st.W.Collection(usersColl).ReplaceOne(uctx, bson.M{"_id": m.ID}, m); uerr != nil {
				im.s.log.Error("import: undoing update failed", "err", uerr, "member", m.ID)
			}
		}
		// Lookups of undone accounts fail their check against the user and are
		// healed at the next start; the version bump drops cached lists.
		if uerr := im.s.touch(uctx, p.EnterpriseID); uerr != nil {
			im.s.log.Error("import: marking the directory changed failed", "err", uerr)
		}
	}()
	var docs []any
	for _, pr := range plan {
		if pr.existing == nil {
			m := newMember(p.EnterpriseID, pr.in, "")
			docs = append(docs, m)
			inserted = append(inserted, m.ID)
		}
	}
	if len(docs) > 0 {
		if _, err := im.s.st.W.Collection(usersColl).InsertMany(ctx, docs); err != nil {
			if store.IsDuplicateKey(err) {
				return errs.Conflict("file", "the directory changed while importing; nothing was imported, please try again")
			}
			return dbErr("import members", err)
		}
	}
	for _, d := range docs {
		if err := im.s.putLogins(ctx, d.(*Member)); err != nil {
			return err
		}
	}
	var revoke []string
	for _, pr := range plan {
		if pr.existing == nil || sameMember(pr.existing, pr.in) {
			continue
		}
		if err := im.s.saveMember(ctx, pr.existing, pr.in); err != nil {
			if errs.KindOf(err) == errs.KindConflict {
				return errs.Conflict("file", "row %d: %s; nothing was imported", pr.line, err.Error())
			}
			return err
		}
		updated = append(updated, pr.existing)
		if pr.existing.Role != pr.in.Role.String() {
			revoke = append(revoke, pr.existing.ID)
		}
	}
	if err := im.s.touch(ctx, p.EnterpriseID); err != nil {
		return err
	}
	for _, id := range revoke {
		if im.s.revoker != nil {
			if err := im.s.revoker.RevokeUser(ctx, id); err != nil {
				im.s.log.Error("import: ending sessions after a role change", "err", err, "member", id)
			}
		}
	}
	im.s.revokeAccess(RevokeRoleChanged, revoke...)
	return nil
}

// forEachUser calls fn for every user matching filter.
func (s *Service) forEachUser(ctx context.Context, filter bson.M, fn func(*Member)) error {
	cur, err := s.st.R.Collection(usersColl).Find(ctx, filter)
	if err != nil {
		return dbErr("find users", err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var m Member
		if err := cur.Decode(&m); err != nil {
			return dbErr("read user", err)
		}
		fn(&m)
	}
	return cur.Err()
}

func sortCellErrors(es []sheet.CellError) {
	slices.SortFunc(es, func(a, b sheet.CellError) int {
		if a.Row != b.Row {
			return a.Row - b.Row
		}
		return strings.Compare(a.Column, b.Column)
	})
}

// Export writes the caller's enterprise directory (not deleted members) as a
// spreadsheet that imports back. Enterprise admins only.
func (s *Service) Export(ctx context.Context, p *auth.Principal, w io.Writer, f sheet.Format, lang string) error {
	if err := requireEnterpriseAdmin(p); err != nil {
		return err
	}
	var rows []sheet.ExportRow
	err := s.forEachUser(ctx, bson.M{"enterpriseId": p.EnterpriseID, "status": bson.M{"$in": bson.A{StatusActive, StatusFrozen}}}, func(m *Member) {
		role := sheet.RoleMember
		if m.Role == auth.RoleEnterpriseAdmin.String() {
			role = sheet.RoleAdmin
		}
		rows = append(rows, sheet.ExportRow{Name: m.Name, Email: m.Email, Phone: m.Phone, Department: m.Department, Title: m.Title,
			EmployeeNo: m.EmployeeNo, Role: role, Status: m.Status})
	})
	if err != nil {
		return err
	}
	slices.SortFunc(rows, func(a, b sheet.ExportRow) int {
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	return sheet.Export(w, f, lang, rows)
}
