package sheet

// Sheet is a parsed upload: its non-blank data rows and the column letter of
// each field present in the file.
type Sheet struct {
	// Format is the format the file was read as.
	Format Format
	// Rows are the data rows in file order, blank rows skipped.
	Rows []Row
	// Columns maps a field key (FieldName, ...) to its column letter in the
	// uploaded file, e.g. "email" -> "B". Absent optional columns are absent.
	Columns map[string]string
}

// Column returns the column letter of field in the uploaded file, or "" if the
// file has no such column.
func (s *Sheet) Column(field string) string {
	return s.Columns[field]
}

// Row is one data row of an upload. Parse trims every value, lower-cases
// Email, and turns Role into RoleMember or RoleAdmin when it recognises it
// (an empty role is a member); Validate normalises Phone.
type Row struct {
	Line       int // spreadsheet row number, 1-based; the header is row 1
	Name       string
	Email      string
	Phone      string
	Department string
	Title      string
	EmployeeNo string
	Role       string
}

// field returns a pointer to the Row field for a field key, or nil.
func (r *Row) field(key string) *string {
	switch key {
	case FieldName:
		return &r.Name
	case FieldEmail:
		return &r.Email
	case FieldPhone:
		return &r.Phone
	case FieldDepartment:
		return &r.Department
	case FieldTitle:
		return &r.Title
	case FieldEmployeeNo:
		return &r.EmployeeNo
	case FieldRole:
		return &r.Role
	}
	return nil
}
