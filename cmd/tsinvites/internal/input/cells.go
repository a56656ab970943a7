package input

import "strings"

// formulaStarts are the first characters of a cell that a spreadsheet reads as a
// formula (or strips), and that DefuseCell protects.
const formulaStarts = "=+-@\t\r"

// DefuseCell returns a cell for CSV output that a spreadsheet shows as text rather than
// run as a formula: a cell starting with one of = + - @ tab or CR gets a quote before
// it ("'-dash@example.com"). So does a cell that already starts with quotes followed by
// one of them, so that RestoreCell, which takes one such quote off, gives every cell
// back as it was.
func DefuseCell(s string) string {
	if defused(s) || s != "" && strings.IndexByte(formulaStarts, s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// RestoreCell undoes DefuseCell: it takes the quote off a cell that starts with a quote
// (or more) followed by one of the characters DefuseCell protects; other cells are
// returned as they are.
func RestoreCell(s string) string {
	if defused(s) {
		return s[1:]
	}
	return s
}

// defused reports whether s is quotes followed by a character DefuseCell protects.
func defused(s string) bool {
	rest := strings.TrimLeft(s, "'")
	return len(rest) < len(s) && rest != "" && strings.IndexByte(formulaStarts, rest[0]) >= 0
}
