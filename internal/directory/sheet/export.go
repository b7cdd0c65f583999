package sheet

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// ExportRow is one member as written by Export.
type ExportRow struct {
	Name       string
	Email      string
	Phone      string
	Department string
	Title      string
	EmployeeNo string
	Role       string // RoleMember or RoleAdmin; written as 成员/管理员 in Chinese files
	Status     string // "active" or "frozen"; written as 正常/冻结 in Chinese files
}

// cells returns the row in export column order, localised and neutralised.
func (r ExportRow) cells(en bool) []string {
	cells := []string{
		r.Name, r.Email, r.Phone, r.Department, r.Title, r.EmployeeNo,
		roleLabel(normaliseRole(r.Role), en), statusLabel(r.Status, en),
	}
	for i, c := range cells {
		cells[i] = Neutralise(c)
	}
	return cells
}

// exportColumns are the template columns plus status.
func exportColumns() []column {
	return append(append([]column(nil), templateColumns...), statusColumn)
}

// Export writes rows in format f and language lang (as for Template) with the
// template's columns plus Status, so the file can be edited and uploaded
// again. A cell starting with = + - @, a tab or CR (or a full-width = + - @)
// is prefixed with a single quote so spreadsheet applications never run it as
// a formula; Parse strips that quote again. Workbook cells are always written
// as strings.
func Export(w io.Writer, f Format, lang string, rows []ExportRow) error {
	en := isEnglish(lang)
	cols := exportColumns()
	header := make([]string, len(cols))
	for i, c := range cols {
		header[i] = c.header(en, false)
	}
	switch f {
	case FormatXLSX:
		return writeExportXLSX(w, en, cols, header, rows)
	case FormatCSV:
		records := make([][]string, 0, len(rows)+1)
		records = append(records, header)
		for _, r := range rows {
			records = append(records, r.cells(en))
		}
		return writeCSV(w, records)
	}
	return fmt.Errorf("%w: %v", ErrUnsupportedFormat, f)
}

// writeExportXLSX streams the export workbook, so memory grows with the
// output file rather than with excelize's in-memory worksheet model.
func writeExportXLSX(w io.Writer, en bool, cols []column, header []string, rows []ExportRow) (err error) {
	x := excelize.NewFile()
	defer closeWorkbook(x, &err)
	name, _ := sheetNames(en)
	if err := x.SetSheetName(x.GetSheetName(0), name); err != nil {
		return fmt.Errorf("sheet: export: %w", err)
	}
	bold, err := headerStyle(x)
	if err != nil {
		return err
	}
	sw, err := x.NewStreamWriter(name)
	if err != nil {
		return fmt.Errorf("sheet: export: %w", err)
	}
	for i, c := range cols {
		if err := sw.SetColWidth(i+1, i+1, c.width); err != nil {
			return fmt.Errorf("sheet: export: %w", err)
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("sheet: export: %w", err)
	}
	values := make([]any, len(cols))
	for i, h := range header {
		values[i] = excelize.Cell{StyleID: bold, Value: h}
	}
	if err := sw.SetRow("A1", values); err != nil {
		return fmt.Errorf("sheet: export: %w", err)
	}
	for n, r := range rows {
		for i, c := range r.cells(en) {
			values[i] = c // a string value is always written as a string cell, never a formula
		}
		if err := sw.SetRow(fmt.Sprintf("A%d", n+2), values); err != nil {
			return fmt.Errorf("sheet: export: row %d: %w", n+2, err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("sheet: export: %w", err)
	}
	if err := x.Write(w); err != nil {
		return fmt.Errorf("sheet: export: %w", err)
	}
	return nil
}
