// Package sheet reads and writes the spreadsheets used to bulk-import and
// export an enterprise directory.
//
// An administrator downloads a Template, fills it in and uploads it. The upload
// is read by Parse, which only fails for problems with the file as a whole
// (too large, not a spreadsheet, bad header, too many rows). Validate then
// checks every cell and returns one CellError per bad cell, so the caller can
// report all problems at once and import nothing until the file is clean.
// Export writes the directory in the same layout, neutralised against formula
// injection, and its output can be fed back to Parse.
//
// The package is pure: no database, no network, no goroutines. Parse is meant
// to sit behind a public upload endpoint and bounds the bytes it reads, the
// bytes and XML elements a workbook may decompress to, and the rows it
// returns (see Limits).
package sheet
