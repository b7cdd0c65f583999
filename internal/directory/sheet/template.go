package sheet

import (
	"encoding/csv"
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// exampleRow is the sample row in the template, plainly an example: the
// domain is reserved for documentation (RFC 2606 §3).
func exampleRow(en bool) []string {
	if en {
		return []string{"Zhang San", "zhangsan@example.com", "13800138000", "R&D", "Engineer", "E0001", RoleMember}
	}
	return []string{"张三", "zhangsan@example.com", "13800138000", "研发部", "工程师", "E0001", "成员"}
}

// instructions are the lines of the template's second sheet; Parse reads only
// the first.
func instructions(en bool) []string {
	if en {
		return []string{
			"How to fill in the member list",
			"Fill in the first sheet, one member per row, starting at row 2. Delete the example row (Zhang San).",
			"Name* is required, and Email or Phone (or both): members sign in with either. The other columns are optional. Columns may be reordered.",
			"Phone: an 11-digit mobile number, or + country code and number, e.g. +85291234567. Each email and each phone number may belong to one member only.",
			"Employee No: letters, digits, '_' and '-', at most 32 characters.",
			"Role: member or admin; empty means member.",
			"Name, Department and Title: at most 64 characters.",
			"Up to 10,000 rows per file. Save as .xlsx or .csv (UTF-8).",
		}
	}
	return []string{
		"成员导入说明",
		"请在第一个工作表中填写，每行一名成员，从第 2 行开始。请删除示例行（张三）。",
		"姓名* 为必填项；邮箱和手机至少填写一项（也可都填），成员可用其中任一登录。其余列可选；列的顺序可以调整。",
		"手机：11 位手机号码，或 + 国家代码加号码，例如 +85291234567。每个邮箱、每个手机号只能属于一名成员。",
		"工号：字母、数字、下划线和短横线，最多 32 个字符。",
		"角色：成员 或 管理员，留空为成员。",
		"姓名、部门、职务：最多 64 个字符。",
		"每个文件最多 10000 行。请保存为 .xlsx 或 .csv（UTF-8）。",
	}
}

// sheetNames returns the names of the member sheet and the instructions sheet.
func sheetNames(en bool) (members, help string) {
	if en {
		return "Members", "Instructions"
	}
	return "成员", "说明"
}

// Template writes an import template in format f: a header row (required
// columns marked with '*') and one example row. lang is "zh-CN" (the default
// for anything not English) or "en". The workbook has a bold, frozen header,
// column widths, text-formatted phone and employee-number columns, a role
// drop-down, and an instructions sheet; the CSV is UTF-8 with a BOM and CRLF
// line ends so Excel shows Chinese correctly.
func Template(w io.Writer, f Format, lang string) error {
	en := isEnglish(lang)
	header := make([]string, len(templateColumns))
	for i, c := range templateColumns {
		header[i] = c.header(en, true)
	}
	switch f {
	case FormatXLSX:
		return writeTemplateXLSX(w, en, header)
	case FormatCSV:
		return writeCSV(w, [][]string{header, exampleRow(en)})
	}
	return fmt.Errorf("%w: %v", ErrUnsupportedFormat, f)
}

// writeTemplateXLSX writes the template workbook.
func writeTemplateXLSX(w io.Writer, en bool, header []string) (err error) {
	x := excelize.NewFile()
	defer closeWorkbook(x, &err)
	name, help := sheetNames(en)
	if err := x.SetSheetName(x.GetSheetName(0), name); err != nil {
		return fmt.Errorf("sheet: template: %w", err)
	}
	textStyle, err := x.NewStyle(&excelize.Style{NumFmt: 49}) // 49 is "@", text
	if err != nil {
		return fmt.Errorf("sheet: template: %w", err)
	}
	bold, err := headerStyle(x)
	if err != nil {
		return err
	}
	for i, c := range templateColumns {
		col := columnName(i)
		if err := x.SetColWidth(name, col, col, c.width); err != nil {
			return fmt.Errorf("sheet: template: %w", err)
		}
		if c.text {
			if err := x.SetColStyle(name, col, textStyle); err != nil {
				return fmt.Errorf("sheet: template: %w", err)
			}
		}
	}
	if err := x.SetSheetRow(name, "A1", &header); err != nil {
		return fmt.Errorf("sheet: template: %w", err)
	}
	example := exampleRow(en)
	if err := x.SetSheetRow(name, "A2", &example); err != nil {
		return fmt.Errorf("sheet: template: %w", err)
	}
	last := columnName(len(templateColumns) - 1)
	if err := x.SetCellStyle(name, "A1", last+"1", bold); err != nil {
		return fmt.Errorf("sheet: template: %w", err)
	}
	for i, c := range templateColumns {
		if c.text {
			cell := columnName(i) + "2"
			if err := x.SetCellStyle(name, cell, cell, textStyle); err != nil {
				return fmt.Errorf("sheet: template: %w", err)
			}
		}
	}
	if err := x.SetPanes(name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("sheet: template: %w", err)
	}
	if err := x.AddDataValidation(name, roleValidation(en)); err != nil {
		return fmt.Errorf("sheet: template: %w", err)
	}
	if _, err := x.NewSheet(help); err != nil {
		return fmt.Errorf("sheet: template: %w", err)
	}
	if err := x.SetColWidth(help, "A", "A", 100); err != nil {
		return fmt.Errorf("sheet: template: %w", err)
	}
	for i, line := range instructions(en) {
		if err := x.SetCellStr(help, fmt.Sprintf("A%d", i+1), line); err != nil {
			return fmt.Errorf("sheet: template: %w", err)
		}
	}
	if err := x.SetCellStyle(help, "A1", "A1", bold); err != nil {
		return fmt.Errorf("sheet: template: %w", err)
	}
	x.SetActiveSheet(0)
	if err := x.Write(w); err != nil {
		return fmt.Errorf("sheet: template: %w", err)
	}
	return nil
}

// roleValidation is a drop-down on the role column. It only warns, so an
// English "admin" typed into a Chinese template is still accepted.
func roleValidation(en bool) *excelize.DataValidation {
	col := -1
	for i, c := range templateColumns {
		if c.field == FieldRole {
			col = i
		}
	}
	dv := excelize.NewDataValidation(true)
	dv.SetSqref(fmt.Sprintf("%[1]s2:%[1]s%d", columnName(col), excelize.TotalRows))
	// SetDropList fails only for lists over 255 characters; ours are tiny.
	_ = dv.SetDropList([]string{roleLabel(RoleMember, en), roleLabel(RoleAdmin, en)})
	if en {
		dv.SetError(excelize.DataValidationErrorStyleWarning, "Role", "Role should be member or admin.")
	} else {
		dv.SetError(excelize.DataValidationErrorStyleWarning, "角色", "角色应为 成员 或 管理员。")
	}
	return dv
}

// headerStyle registers the bold, shaded header style in x.
func headerStyle(x *excelize.File) (int, error) {
	id, err := x.NewStyle(&excelize.Style{
		Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E7EEF7"}},
	})
	if err != nil {
		return 0, fmt.Errorf("sheet: header style: %w", err)
	}
	return id, nil
}

// closeWorkbook closes x and keeps the first error in *err.
func closeWorkbook(x *excelize.File, err *error) {
	if cerr := x.Close(); cerr != nil && *err == nil {
		*err = fmt.Errorf("sheet: closing workbook: %w", cerr)
	}
}

// writeCSV writes records as UTF-8 with a BOM and CRLF line ends, which is
// what Excel needs to open Chinese text correctly.
func writeCSV(w io.Writer, records [][]string) error {
	if _, err := w.Write(utf8BOM); err != nil {
		return fmt.Errorf("sheet: writing csv: %w", err)
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.WriteAll(records); err != nil {
		return fmt.Errorf("sheet: writing csv: %w", err)
	}
	return nil
}
