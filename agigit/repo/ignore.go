package repo

import (
	"bufio"
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// IgnoreFile names the file at the working tree's root that lists paths
// agigit leaves alone, in the manner of .gitignore.
const IgnoreFile = ".agigitignore"

// Ignore holds the patterns of .agigitignore. Supported: comments (#),
// negation (!), directory-only patterns (trailing /), anchored patterns
// (containing a /), shell globs per path component and ** for any number of
// components. The last matching pattern wins.
type Ignore struct {
	rules []ignoreRule
}

type ignoreRule struct {
	negate   bool
	dirOnly  bool
	anchored bool
	segs     []string
}

// LoadIgnore reads .agigitignore; a missing file ignores nothing.
func (r *Repo) LoadIgnore() (*Ignore, error) {
	b, err := os.ReadFile(filepath.Join(r.Root, IgnoreFile))
	if errors.Is(err, fs.ErrNotExist) {
		return &Ignore{}, nil
	}
	if err != nil {
		return nil, err
	}
	return ParseIgnore(b), nil
}

// ParseIgnore reads ignore patterns.
func ParseIgnore(b []byte) *Ignore {
	ig := &Ignore{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), " \t\r")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var rule ignoreRule
		if strings.HasPrefix(line, "!") {
			rule.negate = true
			line = line[1:]
		} else if strings.HasPrefix(line, `\`) {
			line = line[1:]
		}
		if strings.HasSuffix(line, "/") {
			rule.dirOnly = true
			line = strings.TrimRight(line, "/")
		}
		if strings.Contains(line, "/") {
			rule.anchored = true
			line = strings.TrimPrefix(line, "/")
		}
		if line == "" {
			continue
		}
		rule.segs = strings.Split(line, "/")
		ig.rules = append(ig.rules, rule)
	}
	return ig
}

// Match reports whether a slash path (relative to the root) is ignored.
// A file inside an ignored directory is reported by the walk skipping the
// directory, not here.
func (ig *Ignore) Match(p string, isDir bool) bool {
	ignored := false
	for _, rule := range ig.rules {
		if rule.dirOnly && !isDir {
			continue
		}
		var ok bool
		if rule.anchored {
			ok = matchSegs(rule.segs, strings.Split(p, "/"))
		} else {
			ok = matchSegs(rule.segs, []string{path.Base(p)})
		}
		if ok {
			ignored = !rule.negate
		}
	}
	return ignored
}

func matchSegs(pat, name []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			rest := pat[1:]
			for i := 0; i <= len(name); i++ {
				if matchSegs(rest, name[i:]) {
					return true
				}
			}
			return false
		}
		if len(name) == 0 {
			return false
		}
		ok, err := path.Match(pat[0], name[0])
		if err != nil || !ok {
			return false
		}
		pat, name = pat[1:], name[1:]
	}
	return len(name) == 0
}
