package testrun

import (
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/agi-nostr/agi-nostr/localnet/move/vm"
)

// longModule formats a module as the test runner's messages do: the
// address in full hex without 0x.
func longModule(id vm.ModuleID) string { return id.Addr.Long()[2:] + "::" + id.Name }

// describe says what an error did, in the words of the Move test runner.
func describe(e *vm.ExecError) string {
	where := "originating in the module " + longModule(e.Location)
	withMsg := func(s string) string {
		if e.Msg == "" {
			return s + " " + where
		}
		return fmt.Sprintf("%s with error message: %q. Error %s", s, e.Msg, where)
	}
	switch e.Status {
	case vm.Aborted:
		return fmt.Sprintf("aborted with code %d %s", e.Sub, where)
	case vm.ArithmeticError:
		return withMsg("gave an arithmetic error")
	case vm.VectorOperationError:
		return fmt.Sprintf("gave a vector operation error with sub-status %d %s", e.Sub, where)
	case vm.OutOfGas:
		return "ran out of gas " + where
	}
	return withMsg(fmt.Sprintf("gave a %s (code %d) error", e.Status, uint64(e.Status)))
}

// expectation phrases an expected failure.
func expectation(x *Expected) string {
	where := ""
	if x.Location != nil {
		where = " originating in the module " + longModule(*x.Location)
	}
	switch x.Status {
	case vm.Aborted:
		return fmt.Sprintf("abort with code %d%s", x.Code, where)
	case vm.ArithmeticError:
		return "give an arithmetic error" + where
	case vm.VectorOperationError:
		if x.HasCode {
			return fmt.Sprintf("give a vector operation error with sub-status %d%s", x.Code, where)
		}
		return "give a vector operation error" + where
	case vm.OutOfGas:
		return "run out of gas" + where
	}
	if x.HasCode {
		return fmt.Sprintf("give a %s (code %d) error with sub-status %d%s", x.Status, uint64(x.Status), x.Code, where)
	}
	return fmt.Sprintf("give a %s (code %d) error%s", x.Status, uint64(x.Status), where)
}

// Report writes the per-test lines, the failure explanations and the summary.
func Report(w io.Writer, sum *Summary) {
	fmt.Fprintln(w, "Running Move unit tests")
	for _, r := range sum.Results {
		tag := "PASS   "
		switch r.Outcome {
		case Fail:
			tag = "FAIL   "
		case Timeout:
			tag = "TIMEOUT"
		}
		fmt.Fprintf(w, "[ %s ] %s\n", tag, r.Name())
	}
	if sum.Failed > 0 {
		fmt.Fprintln(w, "\nTest failures:")
		var mod vm.ModuleID
		first := true
		for _, r := range sum.Results {
			if r.Outcome == Pass {
				continue
			}
			if first || r.Test.Module.ID != mod {
				mod = r.Test.Module.ID
				fmt.Fprintf(w, "\nFailures in %s:\n", mod)
				first = false
			}
			writeFailure(w, r, sum.Sources)
		}
		fmt.Fprintf(w, "\nTest result: FAILED. Total tests: %d; passed: %d; failed: %d\n", sum.Passed+sum.Failed, sum.Passed, sum.Failed)
		return
	}
	fmt.Fprintf(w, "Test result: OK. Total tests: %d; passed: %d; failed: 0\n", sum.Passed, sum.Passed)
}

// writeFailure renders one failure in the box style of the Move test runner.
func writeFailure(w io.Writer, r *Result, sources map[string]string) {
	fmt.Fprintf(w, "\n┌── %s ──────\n", r.Test.Name)
	e := r.Err
	if e == nil || e.File == "" || r.Outcome == Timeout {
		fmt.Fprintf(w, "│ %s\n", r.Reason)
		fmt.Fprintf(w, "└──────────────────\n\n")
		return
	}
	msg := r.Reason + " rooted here"
	fmt.Fprintf(w, "│ error[E11001]: test failure\n")
	// the frame that raised the error, and its function
	var fnLine, fnCol int32
	var fnName string
	if n := len(e.Trace); n > 0 {
		last := e.Trace[n-1]
		fnName = last.Function
		fnLine, fnCol = last.NameLine, last.NameCol
	}
	width := len(fmt.Sprint(max(e.Line, fnLine)))
	gutter := strings.Repeat(" ", width)
	fmt.Fprintf(w, "│ %s ┌─ %s:%d:%d\n", gutter, e.File, e.Line, e.Col)
	fmt.Fprintf(w, "│ %s │\n", gutter)
	src := func(line int32) string { return sourceLine(sources, e.File, int(line)) }
	num := func(line int32) string { return fmt.Sprintf("%*d", width, line) }
	errLine := src(e.Line)
	caretLen := spanLen(errLine, int(e.Col))
	label := "In this function in " + e.Location.String()
	switch {
	case fnLine > 0 && fnLine == e.Line:
		fmt.Fprintf(w, "│ %s │ %s\n", num(e.Line), errLine)
		dashes := strings.Repeat("-", len(fnName))
		pad := int(e.Col) - int(fnCol) - len(fnName)
		if pad < 1 {
			pad = 1
		}
		fmt.Fprintf(w, "│ %s │ %s%s%s%s %s\n", gutter, strings.Repeat(" ", int(fnCol)-1), dashes, strings.Repeat(" ", pad), strings.Repeat("^", caretLen), msg)
		// the connector line is padded to the caret's column, as codespan does
		bar := fmt.Sprintf("│ %s │ %s│", gutter, strings.Repeat(" ", int(fnCol)-1))
		caretAt := utf8.RuneCountInString(fmt.Sprintf("│ %s │ ", gutter)) + int(e.Col) - 1
		if n := utf8.RuneCountInString(bar); n < caretAt+1 {
			bar += strings.Repeat(" ", caretAt+1-n)
		}
		fmt.Fprintln(w, bar)
		fmt.Fprintf(w, "│ %s │ %s%s\n", gutter, strings.Repeat(" ", int(fnCol)-1), label)
	case fnLine > 0 && fnLine < e.Line:
		fmt.Fprintf(w, "│ %s │ %s\n", num(fnLine), src(fnLine))
		fmt.Fprintf(w, "│ %s │ %s%s %s\n", gutter, strings.Repeat(" ", int(fnCol)-1), strings.Repeat("-", len(fnName)), label)
		if e.Line > fnLine+1 {
			fmt.Fprintf(w, "│ %s ·\n", gutter)
		}
		fmt.Fprintf(w, "│ %s │ %s\n", num(e.Line), errLine)
		fmt.Fprintf(w, "│ %s │ %s%s %s\n", gutter, strings.Repeat(" ", max(0, int(e.Col)-1)), strings.Repeat("^", caretLen), msg)
	default:
		fmt.Fprintf(w, "│ %s │ %s\n", num(e.Line), errLine)
		fmt.Fprintf(w, "│ %s │ %s%s %s\n", gutter, strings.Repeat(" ", max(0, int(e.Col)-1)), strings.Repeat("^", caretLen), msg)
	}
	fmt.Fprintf(w, "│ \n│ \n")
	if len(e.Trace) > 1 && e.Status != vm.CallStackOverflow {
		fmt.Fprintf(w, "│ stack trace\n")
		for i := len(e.Trace) - 2; i >= 0; i-- {
			f := e.Trace[i]
			fmt.Fprintf(w, "│ \t%s::%s(%s:%d)\n", f.Module.Name, f.Function, f.File, f.Line)
		}
		fmt.Fprintf(w, "│ \n")
	}
	fmt.Fprintf(w, "└──────────────────\n\n")
}

// spanLen estimates the width of the expression starting at col, to
// underline it as the Move test runner does: a macro's name (`assert`), a
// call or parenthesized expression up to its closing parenthesis, otherwise
// the expression up to the end of its statement or argument.
func spanLen(line string, col int) int {
	i := col - 1
	if i < 0 || i >= len(line) {
		return 1
	}
	if n := tokenLen(line, col); n > 1 || isIdentByte(line[i]) {
		if i+n < len(line) && line[i+n] == '!' {
			return n
		}
	}
	depth := 0
	j := i
	for ; j < len(line); j++ {
		switch c := line[j]; c {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			if depth == 0 {
				return max(1, len(strings.TrimRight(line[i:j], " ")))
			}
			depth--
			if depth == 0 && c == ')' {
				return j - i + 1
			}
		case ';', ',':
			if depth == 0 {
				return max(1, len(strings.TrimRight(line[i:j], " ")))
			}
		}
	}
	return max(1, len(strings.TrimRight(line[i:], " ")))
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// tokenLen is the length of the identifier (or macro name) at col, at least 1.
func tokenLen(line string, col int) int {
	i := col - 1
	if i < 0 || i >= len(line) {
		return 1
	}
	j := i
	for j < len(line) && (line[j] == '_' || line[j] >= 'a' && line[j] <= 'z' || line[j] >= 'A' && line[j] <= 'Z' || line[j] >= '0' && line[j] <= '9') {
		j++
	}
	if j == i {
		return 1
	}
	return j - i
}

// sourceLine returns one line of a compiled file (falling back to the disk).
func sourceLine(sources map[string]string, file string, line int) string {
	text, ok := sources[file]
	if !ok {
		data, err := os.ReadFile(file)
		if err != nil {
			return ""
		}
		text = string(data)
	}
	for i := 1; i < line; i++ {
		j := strings.IndexByte(text, '\n')
		if j < 0 {
			return ""
		}
		text = text[j+1:]
	}
	if j := strings.IndexByte(text, '\n'); j >= 0 {
		text = text[:j]
	}
	return strings.TrimRight(text, "\r")
}
